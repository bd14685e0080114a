/* anon.c — rosters of ring keys, the rings a memo accepts, and anonymous
 * co-signatures (Triptych linkable ring signatures, src/ring/).
 *
 * One member, one key in any ring a memo accepts: a memo binds, per
 * organization, to the roster snapshot taken when it opens for signatures;
 * a refresh may add keys of members who had none in its ring, never a second
 * key of a member who had one. So a member who re-keys cannot get a second
 * tag, and "one signature per member per memo" holds (../shared/DESIGN.md).
 * Anonymous signatures carry no member, no address and no precise time. */
#include "base/util.h"
#include "channel/can.h"
#include "channel/chan_internal.h"
#include "channel/deadline.h"
#include "proto/anon.h"
#include "proto/events.h"
#include "ring/keyfile.h"
#include "ring/triptych.h"

#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Adds src's {version|organization, count} rows into dst (same shape). */
static void merge_counts(json_t *dst, const json_t *src, const char *key)
{
    size_t i, j;
    json_t *row, *d;
    json_array_foreach(src, i, row)
    {
        json_t *k = json_object_get(row, key);
        int found = 0;
        json_array_foreach(dst, j, d)
        {
            if (json_equal(json_object_get(d, key), k)) {
                json_object_set_new(
                    d, "count",
                    json_integer(json_integer_value(json_object_get(d, "count")) +
                                 json_integer_value(json_object_get(row, "count"))));
                found = 1;
            }
        }
        if (!found)
            json_array_append_new(dst, json_deep_copy(row));
    }
}

static int cmp_version(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "version"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "version"));
    return (x > y) - (x < y);
}

/* Sorts an array of {version, …} rows by version. */
static void sort_by_version(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **items = n ? calloc(n, sizeof *items) : NULL;
    if (!items)
        return;
    for (size_t i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(arr, i));
    qsort(items, n, sizeof *items, cmp_version);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, items[i]);
    free(items);
}

int chan_counts_combined(struct chan *c, int64_t memo_id, json_t **out, struct err *e)
{
    int rc = -1;
    json_t *named = NULL, *anon = NULL, *byv, *byo;
    if (store_counts(c->st, memo_id, &named, e) || store_anon_counts(c->st, memo_id, &anon, e))
        goto out;
    byv = json_deep_copy(json_object_get(named, "by_version"));
    byo = json_deep_copy(json_object_get(named, "by_organization"));
    merge_counts(byv, json_object_get(anon, "by_version"), "version");
    merge_counts(byo, json_object_get(anon, "by_organization"), "organization");
    sort_by_version(byv);
    *out = json_pack("{s:I,s:o,s:o,s:O,s:O}", "total",
                     json_integer_value(json_object_get(named, "total")) +
                         json_integer_value(json_object_get(anon, "total")),
                     "by_version", byv, "by_organization", byo, "named", named, "anonymous", anon);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    json_decref(named);
    json_decref(anon);
    return rc;
}

/* ---- rosters ---- */

/* Builds a ring (and its digest in hex) from [{public_key hex}] rows. */
static int ring_from_rows(const json_t *rows, struct ring_keys **ring, char digest[129],
                          struct err *e)
{
    int rc = -1;
    size_t n = json_array_size(rows), i;
    uint8_t(*keys)[RING_POINT_BYTES] = n ? calloc(n, sizeof *keys) : NULL;
    json_t *row;
    if (n == 0) {
        rc = err_set(e, ERR_STATE, "this ring has no keys");
        goto out;
    }
    if (!keys) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    json_array_foreach(rows, i, row)
    {
        if (hex_decode(keys[i], RING_POINT_BYTES,
                       json_string_value(json_object_get(row, "public_key")))) {
            rc = err_set(e, ERR_INTERNAL, "a stored ring key is damaged");
            goto out;
        }
    }
    if (ring_keys_new(ring, (const uint8_t(*)[RING_POINT_BYTES])keys, n, e))
        goto out;
    hex_encode(digest, ring_keys_digest(*ring), RING_DIGEST_BYTES);
    rc = 0;
out:
    free(keys);
    return rc;
}

/* Drops the internal member ids from key rows, leaving public keys only. */
static json_t *public_keys(const json_t *rows)
{
    json_t *arr = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) json_array_append(arr, json_object_get(row, "public_key"));
    return arr;
}

int chan_roster_list(struct chan *c, json_t **out, struct err *e)
{
    json_t *rows = NULL;
    int rc = store_roster_list(c->st, &rows, e);
    if (rc == 0)
        *out = json_pack("{s:o}", "rosters", rows);
    return rc;
}

int chan_roster_get(struct chan *c, struct pool *p, const char *org, int64_t size, json_t **out,
                    struct err *e)
{
    int rc = -1;
    int64_t org_id, have = 0;
    json_t *rows = NULL;
    struct ring_keys *ring = NULL;
    char digest[129] = "";
    (void)p;
    if (store_org_by_slug(c->st, org, &org_id, e) || store_roster_size(c->st, org_id, &have, e))
        goto out;
    if (size == 0)
        size = have;
    if (size < 0 || size > have) {
        rc = err_set(e, ERR_INVALID, "the roster of '%s' has %lld entries", org, (long long)have);
        goto out;
    }
    if (store_roster_active(c->st, org_id, size, &rows, e))
        goto out;
    if (json_array_size(rows) && ring_from_rows(rows, &ring, digest, e))
        goto out;
    *out =
        json_pack("{s:s,s:I,s:I,s:o,s:s}", "organization", org, "size", (json_int_t)size, "count",
                  (json_int_t)json_array_size(rows), "keys", public_keys(rows), "digest", digest);
    rc = 0;
out:
    ring_keys_free(ring);
    json_decref(rows);
    return rc;
}

int chan_roster_enroll(struct chan *c, struct pool *p, const struct actor *a, const char *pk_hex,
                       const char *pop_hex, json_t **out, struct err *e)
{
    int rc = -1, found = 0;
    unsigned char pk[32], old[32], pop[RING_POP_BYTES];
    char ctx[256];
    size_t ctx_len;
    int64_t now = now_utc(), size = 0;
    json_t *leaf;

    if (chan_require_role(a, CHAN_ROLE_MEMBER, "enroll ring keys", e))
        goto out;
    if (!pk_hex || hex_decode(pk, sizeof pk, pk_hex)) {
        rc = err_set(e, ERR_INVALID, "field 'public_key' must be 64 hex digits");
        goto out;
    }
    if (!pop_hex || hex_decode(pop, sizeof pop, pop_hex)) {
        rc = err_set(e, ERR_INVALID, "field 'proof' must be %d hex digits", 2 * RING_POP_BYTES);
        goto out;
    }
    ctx_len = proto_pop_context(ctx, sizeof ctx, a->org, a->username);
    if (ring_pop_verify(pop, pk, (const uint8_t *)ctx, ctx_len, e)) {
        if (e && e->code == ERR_CRYPTO)
            err_set(e, ERR_CRYPTO,
                    "the proof of possession does not verify for this key, member "
                    "and organization");
        goto out;
    }
    if (store_begin(c->st, e))
        goto out;
    if (store_roster_member_key(c->st, a->org_id, a->id, old, &found, e))
        goto fail;
    if (found && sodium_memcmp(old, pk, 32) == 0) {
        err_set(e, ERR_CONFLICT, "this key is already your enrolled key");
        goto fail;
    }
    /* Re-keying: the old key leaves the roster in the same step. */
    if ((found && store_roster_append(c->st, a->org_id, 0, old, a->id, now, e)) ||
        store_roster_append(c->st, a->org_id, 1, pk, a->id, now, e) ||
        store_roster_size(c->st, a->org_id, &size, e))
        goto fail;
    leaf = proto_leaf_roster(a->org, found ? "rekey" : "add", pk_hex, size);
    if (chan_log_append(c, leaf, NULL, "roster", 0, e) || store_commit(c->st, e))
        goto fail;
    rc = chan_roster_get(c, p, a->org, size, out, e);
    if (rc == 0)
        json_object_set_new(*out, "rekeyed", json_boolean(found));
    goto out;
fail:
    rc = chan_tx_end(c, -1, NULL, e);
out:
    return rc;
}

/* ---- the rings of a memo ---- */

/* Snapshots (ring 1) or refreshes (ring n+1) the ring of one organization
 * for a memo, inside the caller's transaction. *made is 1 if a ring was added. */
static int ring_snapshot(struct chan *c, const struct memo_ctx *x, int64_t org_id, const char *org,
                         int last_ring, int *made, struct err *e)
{
    int rc = -1;
    int64_t size = 0;
    json_t *active = NULL, *keys = NULL, *leaf;
    struct ring_keys *ring = NULL;
    char digest[129];
    size_t i, j;
    json_t *k, *o;

    *made = 0;
    if (store_roster_size(c->st, org_id, &size, e) ||
        store_roster_active(c->st, org_id, size, &active, e))
        goto out;
    if (last_ring == 0) {
        keys = json_incref(active);
    } else {
        size_t before;
        if (store_ring_keys(c->st, x->m.id, org_id, last_ring, &keys, e))
            goto out;
        before = json_array_size(keys);
        /* add the keys of members who have none in the ring yet */
        json_array_foreach(active, i, k)
        {
            int has = 0;
            json_array_foreach(keys, j, o)
            {
                if (json_equal(json_object_get(o, "member"), json_object_get(k, "member")))
                    has = 1;
            }
            if (!has)
                json_array_append(keys, k);
        }
        if (json_array_size(keys) == before) {
            rc = 0; /* nothing new */
            goto out;
        }
    }
    if (json_array_size(keys) == 0) {
        rc = 0;
        goto out;
    }
    if (ring_from_rows(keys, &ring, digest, e) ||
        store_ring_insert(c->st, x->m.id, org_id, last_ring + 1, size, digest, keys, now_utc(), e))
        goto out;
    leaf = proto_leaf_ring(org, last_ring + 1, size, digest, (int64_t)json_array_size(keys));
    if (chan_log_append(c, leaf, x->m.public_id, "ring", 0, e))
        goto out;
    *made = 1;
    rc = 0;
out:
    ring_keys_free(ring);
    json_decref(active);
    json_decref(keys);
    return rc;
}

int chan_rings_open(struct chan *c, const struct memo_ctx *x, int *made, struct err *e)
{
    int rc = -1;
    json_t *orgs = NULL, *rings = NULL;
    size_t i, j;
    json_t *o, *r;
    *made = 0;
    if (store_roster_list(c->st, &orgs, e) || store_ring_list(c->st, x->m.id, &rings, e))
        goto out;
    json_array_foreach(orgs, i, o)
    {
        const char *slug = json_string_value(json_object_get(o, "organization"));
        int64_t org_id;
        int last = 0, one = 0;
        if (json_integer_value(json_object_get(o, "active")) == 0)
            continue;
        json_array_foreach(
            rings, j,
            r) if (strcmp(json_string_value(json_object_get(r, "organization")), slug) == 0)
        {
            int n = (int)json_integer_value(json_object_get(r, "ring"));
            if (n > last)
                last = n;
        }
        if (store_org_by_slug(c->st, slug, &org_id, e) ||
            ring_snapshot(c, x, org_id, slug, last, &one, e))
            goto out;
        *made += one;
    }
    rc = 0;
out:
    json_decref(orgs);
    json_decref(rings);
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

/* The public facts of a memo's review: its deadlines and the ones the
 * policy office missed, from the same definition as the memo view. */
static json_t *public_review(const struct st_memo *m, int64_t now)
{
    struct chan_deadlines dl;
    const char *late;
    chan_deadlines(m, now, &dl);
    late = chan_deadline_name(dl.overdue_what);
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o}", "submitted_at",
                     chan_time_json(m->submitted_at), "acknowledge_due", chan_time_json(m->ack_due),
                     "answer_due", chan_time_json(m->answer_due), "acknowledged_at",
                     chan_time_json(m->acknowledged_at), "answered_at",
                     chan_time_json(m->answered_at), "overdue", dl.overdue, "overdue_what",
                     late ? json_string(late) : json_null(), "missed", chan_missed_json(&dl));
}

/* The public facts of a memo open for signatures: enough for anyone to
 * re-verify every anonymous signature. */
int chan_public_memo(struct chan *c, struct pool *p, const char *id, json_t **out, struct err *e)
{
    int rc = -1;
    struct st_memo m;
    json_t *versions = NULL, *rings = NULL, *sigs = NULL, *counts = NULL, *vs;
    size_t i;
    json_t *r, *v;

    if (!id || strlen(id) != RANDOM_ID_LEN || store_memo_by_public_id(c->st, p, id, &m, e) ||
        m.state == CHAN_STATE_DRAFT) {
        rc = err_set(e, ERR_NOT_FOUND, "no memo '%s' open for signatures", id ? id : "");
        goto out;
    }
    if (store_version_list(c->st, m.id, &versions, e) || store_ring_list(c->st, m.id, &rings, e) ||
        store_anon_list(c->st, m.id, &sigs, e) || chan_counts_combined(c, m.id, &counts, e))
        goto out;
    vs = json_array();
    json_array_foreach(versions, i, v)
        json_array_append_new(vs, json_pack("{s:O,s:O}", "number", json_object_get(v, "number"),
                                            "hash", json_object_get(v, "hash")));
    json_array_foreach(rings, i, r)
    {
        json_t *keys = NULL;
        if (store_ring_keys(c->st, m.id, json_integer_value(json_object_get(r, "org_id")),
                            (int)json_integer_value(json_object_get(r, "ring")), &keys, e)) {
            json_decref(vs);
            goto out;
        }
        json_object_set_new(r, "keys", public_keys(keys));
        json_object_del(r, "org_id");
        json_decref(keys);
    }
    *out = json_pack("{s:s,s:s,s:o,s:O,s:O,s:O,s:o}", "memo", m.public_id, "state",
                     chan_state_name(m.state), "versions", vs, "rings", rings, "signatures", sigs,
                     "counts", counts, "review", public_review(&m, now_utc()));
    rc = 0;
out:
    json_decref(versions);
    json_decref(rings);
    json_decref(sigs);
    json_decref(counts);
    return rc;
}

/* ---- the cache of decoded rings ----
 * Decoding a ring of 2^16 keys takes about 0.15 s; a memo's rings never
 * change once written, so each is decoded once and kept (a few at a time). */

/* Finds or builds the ring (memo, org, ring_no); *out is borrowed from c. */
static int ring_cached(struct chan *c, int64_t memo_id, int64_t org_id, int ring_no,
                       const struct ring_keys **out, struct err *e)
{
    int rc = -1;
    struct chan_ring_slot *slot = NULL, *oldest = &c->rings[0];
    json_t *keys = NULL;
    char digest[129];

    for (size_t i = 0; i < CHAN_RING_CACHE; i++) {
        struct chan_ring_slot *s = &c->rings[i];
        if (s->ring && s->memo_id == memo_id && s->org_id == org_id && s->ring_no == ring_no)
            slot = s;
        if (s->used < oldest->used)
            oldest = s;
    }
    if (!slot) {
        struct ring_keys *ring = NULL;
        if (store_ring_keys(c->st, memo_id, org_id, ring_no, &keys, e) ||
            ring_from_rows(keys, &ring, digest, e))
            goto out;
        ring_keys_free(oldest->ring);
        slot = oldest;
        slot->ring = ring;
        slot->memo_id = memo_id;
        slot->org_id = org_id;
        slot->ring_no = ring_no;
    }
    slot->used = ++c->ring_clock;
    *out = slot->ring;
    rc = 0;
out:
    json_decref(keys);
    return rc;
}

void chan_ring_cache_release(struct chan *c)
{
    for (size_t i = 0; i < CHAN_RING_CACHE; i++) {
        ring_keys_free(c->rings[i].ring);
        c->rings[i].ring = NULL;
    }
}

/* ---- anonymous co-signatures ---- */

struct anon_item {
    int version; /* 0: withdraw */
    const char *org;
    int ring_no;
    unsigned char *proof;
    size_t proof_len;
    char msg[128];
    size_t msg_len;
    unsigned char tag[32];
};

/* Decodes and checks the shape of one item of the request. */
static int anon_item_read(struct pool *p, const json_t *it, struct anon_item *a, struct err *e)
{
    int rc = -1;
    const char *b64 = json_string_value(json_object_get(it, "proof"));
    json_t *v = json_object_get(it, "version");
    json_t *ring = json_object_get(it, "ring");
    const char *key;
    json_t *val;
    size_t n;

    json_object_foreach((json_t *)it, key, val)
    {
        if (strcmp(key, "memo") && strcmp(key, "version") && strcmp(key, "organization") &&
            strcmp(key, "ring") && strcmp(key, "proof")) {
            rc = err_set(e, ERR_INVALID, "unknown field '%s' in a signature", key);
            goto out;
        }
    }
    a->org = json_string_value(json_object_get(it, "organization"));
    if (!a->org || !b64 || !json_is_integer(ring) ||
        (v && !json_is_integer(v) && !json_is_null(v))) {
        rc = err_set(e, ERR_INVALID,
                     "a signature needs 'organization', 'ring', 'proof' (base64) "
                     "and 'version' (a number, or null to withdraw)");
        goto out;
    }
    if (json_is_integer(v) && (json_integer_value(v) < 1 || json_integer_value(v) > INT_MAX)) {
        rc = err_set(e, ERR_INVALID,
                     "field 'version' is a version number (1, 2, …), or null to "
                     "withdraw");
        goto out;
    }
    a->version = json_is_integer(v) ? (int)json_integer_value(v) : 0;
    a->ring_no = (int)json_integer_value(ring);
    n = strlen(b64);
    if (n > 16384) {
        rc = err_set(e, ERR_TOO_LARGE, "a proof is at most 12 KiB");
        goto out;
    }
    a->proof = pool_alloc(p, n);
    if (!a->proof) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (sodium_base642bin(a->proof, n, b64, n, NULL, &a->proof_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
        rc = err_set(e, ERR_INVALID, "field 'proof' must be standard base64");
        goto out;
    }
    if (ring_proof_tag(a->tag, a->proof, a->proof_len, e))
        goto out;
    rc = 0;
out:
    return rc;
}

int chan_anon_submit(struct chan *c, struct pool *p, const char *memo_id, const json_t *items,
                     json_t **out, struct err *e)
{
    int rc = -1, to;
    size_t n = json_array_size(items), i;
    struct anon_item *a = n ? pool_alloc(p, n * sizeof *a) : NULL;
    struct ring_batch_item *batch = n ? pool_alloc(p, n * sizeof *batch) : NULL;
    struct memo_ctx x;
    json_t *results = json_array(), *it, *rings = NULL;
    int64_t day = now_utc() / 86400;
    const struct ring_keys *ring = NULL; /* borrowed from the cache */

    memset(&x, 0, sizeof x);
    if (n == 0 || n > CHAN_ANON_BATCH_MAX) {
        rc = err_set(e, ERR_INVALID, "send 1 to %d signatures at a time", CHAN_ANON_BATCH_MAX);
        goto out;
    }
    if (!a || !batch || !results) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    json_array_foreach(items, i, it) if (anon_item_read(p, it, &a[i], e)) goto out;
    if (store_begin(c->st, e))
        goto out;
    if (!memo_id || strlen(memo_id) != RANDOM_ID_LEN ||
        store_memo_by_public_id(c->st, p, memo_id, &x.m, e) || x.m.state == CHAN_STATE_DRAFT) {
        err_set(e, ERR_NOT_FOUND, "no memo '%s' open for signatures", memo_id ? memo_id : "");
        goto fail;
    }
    if (store_channel_by_id(c->st, p, x.m.channel_id, &x.ch, e) ||
        chan_transition(x.m.state, CHAN_EV_SIGN, &to, e) ||
        store_ring_list(c->st, x.m.id, &rings, e))
        goto fail;
    /* Every item names the same ring: verify them all in one batch. */
    for (i = 0; i < n; i++) {
        struct st_version v;
        if (strcmp(a[i].org, a[0].org) || a[i].ring_no != a[0].ring_no) {
            err_set(e, ERR_INVALID, "one request carries signatures on one ring only");
            goto fail;
        }
        if (a[i].version) {
            if (a[i].version < 1 || a[i].version > x.m.latest_version) {
                err_set(e, ERR_INVALID, "this memo has versions 1 to %d", x.m.latest_version);
                goto fail;
            }
            if (store_version_get(c->st, p, x.m.id, a[i].version, &v, e))
                goto fail;
        }
        a[i].msg_len = proto_anon_message(a[i].msg, sizeof a[i].msg, a[i].version ? v.hash : NULL);
        batch[i].proof = a[i].proof;
        batch[i].proof_len = a[i].proof_len;
        batch[i].msg = (const uint8_t *)a[i].msg;
        batch[i].msg_len = a[i].msg_len;
        for (size_t k = 0; k < i; k++)
            if (memcmp(a[k].tag, a[i].tag, 32) == 0) {
                err_set(e, ERR_INVALID, "two signatures in one request carry the same tag");
                goto fail;
            }
    }
    {
        int64_t org_id;
        size_t k;
        json_t *r;
        int have = 0;
        if (store_org_by_slug(c->st, a[0].org, &org_id, e))
            goto fail;
        json_array_foreach(rings, k,
                           r) if (json_integer_value(json_object_get(r, "org_id")) == org_id &&
                                  json_integer_value(json_object_get(r, "ring")) == a[0].ring_no)
            have = 1;
        if (!have) {
            err_set(e, ERR_NOT_FOUND, "this memo has no ring %d for '%s'", a[0].ring_no, a[0].org);
            goto fail;
        }
        if (ring_cached(c, x.m.id, org_id, a[0].ring_no, &ring, e))
            goto fail;
        if (ring_verify_batch(ring, (const uint8_t *)x.m.public_id, strlen(x.m.public_id), batch, n,
                              e)) {
            if (e && e->code == ERR_CRYPTO)
                err_set(e, ERR_CRYPTO,
                        "a signature does not verify against ring %d of '%s' for "
                        "this memo and version: nothing was counted",
                        a[0].ring_no, a[0].org);
            goto fail;
        }
        for (i = 0; i < n; i++) {
            int prev = 0;
            const char *status;
            char tag[65];
            json_t *counts = NULL, *leaf;
            hex_encode(tag, a[i].tag, 32);
            if (store_anon_get(c->st, x.m.id, a[i].tag, &prev, e))
                goto fail;
            if (a[i].version == 0) {
                if (!prev) {
                    err_set(e, ERR_CONFLICT,
                            "there is no anonymous signature with this tag to "
                            "withdraw");
                    goto fail;
                }
                status = "withdrawn";
                if (store_anon_delete(c->st, x.m.id, a[i].tag, e))
                    goto fail;
            } else {
                status = !prev ? "added" : prev == a[i].version ? "replaced" : "moved";
                if (store_anon_put(c->st, x.m.id, a[i].tag, a[i].version, org_id, a[i].ring_no,
                                   a[i].proof, a[i].proof_len, day, e))
                    goto fail;
            }
            if (chan_counts_combined(c, x.m.id, &counts, e))
                goto fail;
            /* Coarse time only: the leaf carries the day, not the moment. */
            leaf =
                proto_leaf_anon_signature(day * 86400, status, a[i].version ? a[i].version : prev,
                                          a[i].org, a[i].ring_no, tag, counts);
            if (chan_log_append(c, leaf, x.m.public_id, "anonymous-signature", a[i].version, e))
                goto fail;
            json_array_append_new(results, json_pack("{s:s,s:s}", "tag", tag, "status", status));
        }
    }
    if (store_commit(c->st, e))
        goto fail;
    *out = json_pack("{s:s,s:O}", "memo", x.m.public_id, "results", results);
    rc = 0;
    goto out;
fail:
    rc = chan_tx_end(c, -1, NULL, e);
out:
    json_decref(rings);
    json_decref(results);
    return rc;
}
