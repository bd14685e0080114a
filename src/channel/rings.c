/* rings.c — the rings a memo accepts anonymous co-signatures on, and the
 * cache of decoded rings.
 *
 * One member, one key in any ring a memo accepts: a memo binds, per
 * organization, to the roster snapshot taken when it opens for signatures;
 * a refresh may add keys of members who had none in its ring, never a second
 * key of a member who had one. So a member who re-keys cannot get a second
 * tag, and "one signature per member per memo" holds (../shared/DESIGN.md).
 * The coalition ring (org_id 0, named PROTO_COALITION) holds every
 * organization's members; the rule holds across all the rings of a memo:
 * no ring gives a member a key other than the one they have in another
 * (docs/protocol-ring.md §14, "The coalition ring").
 * Keys stay bytes from the store to src/ring/; hex is only for JSON. */
#include "base/util.h"
#include "channel/can.h"
#include "channel/chan_internal.h"
#include "proto/anon.h"
#include "proto/events.h"
#include "ring/keyfile.h"
#include "ring/triptych.h"

#include <stdlib.h>
#include <string.h>

int chan_ring_from_keys(const struct st_keys *keys, struct ring_keys **ring, char digest[129],
                        struct err *e)
{
    int rc = -1;
    if (keys->n == 0) {
        rc = err_set(e, ERR_STATE, "this ring has no keys");
        goto out;
    }
    if (ring_keys_new(ring, (const uint8_t(*)[RING_POINT_BYTES])keys->pk, keys->n, e))
        goto out;
    hex_encode(digest, ring_keys_digest(*ring), RING_DIGEST_BYTES);
    rc = 0;
out:
    return rc;
}

int64_t chan_min_ring(const struct st_channel *ch)
{
    return ch->min_ring > CHAN_MIN_RING_FLOOR ? ch->min_ring : CHAN_MIN_RING_FLOOR;
}

json_t *chan_keys_json(const struct st_keys *keys)
{
    json_t *arr = json_array();
    char hex[65];
    for (size_t i = 0; arr && i < keys->n; i++) {
        hex_encode(hex, keys->pk[i], 32);
        json_array_append_new(arr, json_string(hex));
    }
    return arr;
}

/* The key member has in a ring of the memo (memo: every such key, one per
 * member), or NULL. */
static const unsigned char *memo_key_of(const struct st_keys *memo, int64_t member)
{
    for (size_t i = 0; i < memo->n; i++)
        if (memo->member[i] == member)
            return memo->pk[i];
    return NULL;
}

/* 1 if a ring of the memo may give member the key pk: the member has no
 * key in any ring of the memo yet, or has this one. A member with two keys
 * in a memo's rings would have two tags, hence two signatures. */
static int key_fits(const struct st_keys *memo, int64_t member, const unsigned char pk[32])
{
    const unsigned char *have = memo_key_of(memo, member);
    return !have || memcmp(have, pk, 32) == 0;
}

/* Adds k's keys of members not yet in memo to memo. */
static int memo_keys_add(struct st_keys *memo, const struct st_keys *k, struct err *e)
{
    for (size_t i = 0; i < k->n; i++)
        if (!memo_key_of(memo, k->member[i]) && st_keys_add(memo, k->pk[i], k->member[i], e))
            return -1;
    return 0;
}

/* Every member's key in the rings of memo_id (organizations' and the
 * coalition's) into memo. */
static int memo_keys(struct chan *c, int64_t memo_id, const struct st_ring *rings, size_t n,
                     struct st_keys *memo, struct err *e)
{
    int rc = -1;
    struct st_keys k;
    st_keys_init(&k);
    for (size_t i = 0; i < n; i++) {
        st_keys_release(&k);
        if (store_ring_keys(c->st, memo_id, rings[i].org_id, rings[i].ring, &k, e) ||
            memo_keys_add(memo, &k, e))
            goto out;
    }
    rc = 0;
out:
    st_keys_release(&k);
    return rc;
}

/* Adds to ring the active keys of members who have none in it yet, unless
 * the member has another key in a ring of the memo (re-keyed since). */
static int keys_refresh(struct st_keys *ring, const struct st_keys *active,
                        const struct st_keys *memo, struct err *e)
{
    for (size_t i = 0; i < active->n; i++) {
        int has = 0;
        for (size_t j = 0; j < ring->n && !has; j++)
            has = ring->member[j] == active->member[i];
        if (!has && key_fits(memo, active->member[i], active->pk[i]) &&
            st_keys_add(ring, active->pk[i], active->member[i], e))
            return -1;
    }
    return 0;
}

/* Snapshots (ring 1) or refreshes (ring n+1) one ring of a memo — of an
 * organization (org_id, its slug) or of the coalition (org_id 0,
 * PROTO_COALITION) — from the active keys `active` at roster size `size`,
 * inside the caller's transaction. memo holds every member's key in the
 * memo's rings and gains the new ring's. *made is 1 if a ring was added. */
static int ring_snapshot(struct chan *c, const struct memo_ctx *x, int64_t org_id, const char *org,
                         int last_ring, const struct st_keys *active, int64_t size,
                         struct st_keys *memo, int *made, struct err *e)
{
    int rc = -1;
    struct st_keys keys;
    struct ring_keys *ring = NULL;
    char digest[129];
    json_t *leaf;

    *made = 0;
    st_keys_init(&keys);
    if (last_ring == 0) {
        /* Ring 1 is the roster snapshot exactly (clients check that): if it
         * would give a member a second key, it is not made. */
        for (size_t i = 0; i < active->n; i++)
            if (!key_fits(memo, active->member[i], active->pk[i])) {
                rc = 0;
                goto out;
            }
        if (memo_keys_add(&keys, active, e))
            goto out;
    } else {
        size_t before;
        if (store_ring_keys(c->st, x->m.id, org_id, last_ring, &keys, e))
            goto out;
        before = keys.n;
        if (keys_refresh(&keys, active, memo, e))
            goto out;
        if (keys.n == before) {
            rc = 0; /* nothing new */
            goto out;
        }
    }
    /* A ring hides its signer among its keys only: none is made below the
     * channel's minimum (a refresh makes ring 1 once there are enough). A
     * later ring holds every key of the one before, so it is never smaller. */
    if (keys.n == 0 || (int64_t)keys.n < chan_min_ring(&x->ch)) {
        rc = 0;
        goto out;
    }
    if (chan_ring_from_keys(&keys, &ring, digest, e) ||
        store_ring_insert(c->st, x->m.id, org_id, last_ring + 1, size, digest, &keys, now_utc(), e))
        goto out;
    leaf = proto_leaf_ring(org, last_ring + 1, size, digest, (int64_t)keys.n);
    if (chan_log_append(c, leaf, x->m.public_id, "ring", 0, e) || memo_keys_add(memo, &keys, e))
        goto out;
    *made = 1;
    rc = 0;
out:
    ring_keys_free(ring);
    st_keys_release(&keys);
    return rc;
}

static int cmp_roster_slug(const void *a, const void *b)
{
    return strcmp(((const struct st_roster *)a)->organization,
                  ((const struct st_roster *)b)->organization);
}

/* The highest ring number of org_id among rings (0: none). */
static int last_ring_of(const struct st_ring *rings, size_t n, int64_t org_id)
{
    int last = 0;
    for (size_t j = 0; j < n; j++)
        if (rings[j].org_id == org_id && rings[j].ring > last)
            last = rings[j].ring;
    return last;
}

int chan_rings_open(struct chan *c, const struct memo_ctx *x, int *made, struct err *e)
{
    int rc = -1, one = 0;
    struct pool p;
    struct st_roster *orgs = NULL;
    struct st_ring *rings = NULL;
    size_t norgs = 0, nrings = 0;
    struct st_keys memo, all, active;
    int64_t total = 0;
    size_t with_keys = 0;

    *made = 0;
    pool_init(&p, 16u << 20);
    st_keys_init(&memo);
    st_keys_init(&all);
    st_keys_init(&active);
    if (store_roster_list(c->st, &p, &orgs, &norgs, e) ||
        store_ring_list(c->st, &p, x->m.id, &rings, &nrings, e) ||
        memo_keys(c, x->m.id, rings, nrings, &memo, e))
        goto out;
    /* Byte order of slugs, whatever the database's collation: the order a
     * client rebuilds the coalition ring in. */
    if (norgs)
        qsort(orgs, norgs, sizeof *orgs, cmp_roster_slug);
    for (size_t i = 0; i < norgs; i++) {
        int64_t size = 0;
        st_keys_release(&active);
        /* The roster as published: a ring of a key still queued would give
         * its enrollment's moment away, and clients could not check it. */
        if (chan_roster_published_size(c, orgs[i].org_id, &size, e) ||
            store_roster_active(c->st, orgs[i].org_id, size, &active, e))
            goto out;
        total += size;
        if (active.n == 0)
            continue;
        with_keys++;
        if (memo_keys_add(&all, &active, e) ||
            ring_snapshot(c, x, orgs[i].org_id, orgs[i].organization,
                          last_ring_of(rings, nrings, orgs[i].org_id), &active, size, &memo, &one,
                          e))
            goto out;
        *made += one;
    }
    /* The coalition: every organization's active keys, in slug order; its
     * roster_size is the sum of the sizes they were taken at. A coalition of
     * one organization would be its ring again, counted for nobody: it
     * starts with the second organization that has keys. */
    one = 0;
    if ((with_keys >= 2 || last_ring_of(rings, nrings, 0) > 0) &&
        ring_snapshot(c, x, 0, PROTO_COALITION, last_ring_of(rings, nrings, 0), &all, total, &memo,
                      &one, e))
        goto out;
    *made += one;
    rc = 0;
out:
    st_keys_release(&memo);
    st_keys_release(&all);
    st_keys_release(&active);
    pool_release(&p);
    return rc;
}

int chan_memo_refresh_rings(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                            json_t **out, struct err *e)
{
    int rc = -1, made = 0;
    struct memo_ctx x;
    if (store_begin(c->st, e))
        goto out;
    if (chan_memo_load(c, p, a, id, &x, e) || chan_check(&x, CHAN_CAN_REFRESH_RINGS, 0, e) ||
        chan_rings_open(c, &x, &made, e) || store_commit(c->st, e))
        goto fail;
    rc = chan_public_memo(c, p, id, out, e);
    if (rc == 0)
        json_object_set_new(*out, "rings_added", json_integer(made));
    goto out;
fail:
    rc = chan_tx_end(c, -1, NULL, e);
out:
    return rc;
}

/* ---- the cache of decoded rings ----
 * Decoding a ring of 2^16 keys takes about 0.15 s; a memo's rings never
 * change once written, so each is decoded once and kept (a few at a time). */

void chan_ring_ref_put(struct chan_ring_ref *r)
{
    if (r && __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        ring_keys_free(r->ring);
        free(r);
    }
}

int chan_ring_cached_ref(struct chan *c, int64_t memo_id, int64_t org_id, int ring_no,
                         struct chan_ring_ref **out, struct err *e)
{
    int rc = -1;
    struct chan_ring_slot *slot = NULL, *oldest = &c->rings[0];
    struct chan_ring_ref *ref = NULL;
    struct st_keys keys;
    char digest[129];

    st_keys_init(&keys);
    for (size_t i = 0; i < CHAN_RING_CACHE; i++) {
        struct chan_ring_slot *s = &c->rings[i];
        if (s->ref && s->memo_id == memo_id && s->org_id == org_id && s->ring_no == ring_no)
            slot = s;
        if (s->used < oldest->used)
            oldest = s;
    }
    if (!slot) {
        ref = calloc(1, sizeof *ref);
        if (!ref) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        ref->refs = 1;
        if (store_ring_keys(c->st, memo_id, org_id, ring_no, &keys, e) ||
            chan_ring_from_keys(&keys, &ref->ring, digest, e))
            goto out;
        chan_ring_ref_put(oldest->ref);
        slot = oldest;
        slot->ref = ref;
        ref = NULL;
        slot->memo_id = memo_id;
        slot->org_id = org_id;
        slot->ring_no = ring_no;
    }
    slot->used = ++c->ring_clock;
    __atomic_add_fetch(&slot->ref->refs, 1, __ATOMIC_ACQ_REL);
    *out = slot->ref;
    rc = 0;
out:
    chan_ring_ref_put(ref);
    st_keys_release(&keys);
    return rc;
}

int chan_ring_cached(struct chan *c, int64_t memo_id, int64_t org_id, int ring_no,
                     const struct ring_keys **out, struct err *e)
{
    struct chan_ring_ref *ref = NULL;
    if (chan_ring_cached_ref(c, memo_id, org_id, ring_no, &ref, e))
        return -1;
    /* The cache's own reference keeps it until the next call. */
    *out = ref->ring;
    chan_ring_ref_put(ref);
    return 0;
}

void chan_ring_cache_release(struct chan *c)
{
    for (size_t i = 0; i < CHAN_RING_CACHE; i++) {
        chan_ring_ref_put(c->rings[i].ref);
        c->rings[i].ref = NULL;
    }
}
