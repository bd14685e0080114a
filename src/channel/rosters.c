/* rosters.c — the rosters of ring keys: each organization's append-only
 * list of enrolled public keys, and enrollment with a proof of possession. */
#include "base/util.h"
#include "channel/chan_internal.h"
#include "proto/anon.h"
#include "proto/events.h"
#include "ring/keyfile.h"
#include "ring/triptych.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Queues a roster leaf for the next batch (batch.c): an enrollment's
 * moment must not show in the log. *due: its batch time. */
static int roster_queue(struct chan *c, int64_t org_id, const char *org, const char *action,
                        const char *pk_hex, int64_t size, int64_t now, int64_t *due, struct err *e)
{
    int rc = -1;
    char chain[96];
    json_t *leaf = proto_leaf_roster(org, action, pk_hex, size);
    struct st_batch_entry b;
    memset(&b, 0, sizeof b);
    snprintf(chain, sizeof chain, "roster:%s", org);
    b.kind = "roster";
    b.chain = chain;
    b.fields = leaf ? json_dumps(leaf, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    b.org_id = org_id;
    if (!b.fields) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (chan_batch_queue(c, &b, now, e))
        goto out;
    *due = b.due;
    rc = 0;
out:
    free(b.fields);
    json_decref(leaf);
    return rc;
}

int chan_roster_list(struct chan *c, json_t **out, struct err *e)
{
    int rc = -1;
    struct pool p;
    struct st_roster *r = NULL;
    size_t n = 0;
    json_t *rows = json_array();

    pool_init(&p, 16u << 20);
    if (!rows) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (store_roster_list(c->st, &p, &r, &n, e))
        goto out;
    for (size_t i = 0; i < n; i++) {
        /* As published: queued enrollments are not shown before their batch. */
        int64_t size = 0;
        struct st_keys keys;
        st_keys_init(&keys);
        if (chan_roster_published_size(c, r[i].org_id, &size, e) ||
            store_roster_active(c->st, r[i].org_id, size, &keys, e)) {
            st_keys_release(&keys);
            goto out;
        }
        json_array_append_new(rows, json_pack("{s:s,s:s,s:I,s:I}", "organization",
                                              r[i].organization, "name", r[i].name, "size",
                                              (json_int_t)size, "active", (json_int_t)keys.n));
        st_keys_release(&keys);
    }
    *out = json_pack("{s:o}", "rosters", rows);
    rows = NULL;
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    json_decref(rows);
    pool_release(&p);
    return rc;
}

int chan_roster_get(struct chan *c, struct pool *p, const char *org, int64_t size, json_t **out,
                    struct err *e)
{
    int rc = -1;
    int64_t org_id, have = 0;
    struct st_keys keys;
    struct ring_keys *ring = NULL;
    char digest[129] = "";
    (void)p;
    st_keys_init(&keys);
    if (store_org_by_slug(c->st, org, &org_id, e) ||
        chan_roster_published_size(c, org_id, &have, e))
        goto out;
    if (size == 0)
        size = have;
    if (size < 0 || size > have) {
        rc = err_set(e, ERR_INVALID, "the roster of '%s' has %lld published entries", org,
                     (long long)have);
        goto out;
    }
    if (store_roster_active(c->st, org_id, size, &keys, e))
        goto out;
    if (keys.n && chan_ring_from_keys(&keys, &ring, digest, e))
        goto out;
    *out = json_pack("{s:s,s:I,s:I,s:o,s:s}", "organization", org, "size", (json_int_t)size,
                     "count", (json_int_t)keys.n, "keys", chan_keys_json(&keys), "digest", digest);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    ring_keys_free(ring);
    st_keys_release(&keys);
    return rc;
}

int chan_roster_challenge(struct chan *c, const struct actor *a, json_t **out, struct err *e)
{
    int rc = -1;
    unsigned char ch[32];
    char hex[65];
    int64_t now = now_utc();

    if (chan_require_role(a, CHAN_ROLE_MEMBER, "enroll ring keys", e))
        goto out;
    randombytes_buf(ch, sizeof ch);
    if (store_begin(c->st, e))
        goto out;
    if (store_enroll_challenge_put(c->st, a->id, ch, now + CHAN_ENROLL_CHALLENGE_S, now, e) ||
        store_commit(c->st, e)) {
        rc = chan_tx_end(c, -1, NULL, e);
        goto out;
    }
    hex_encode(hex, ch, sizeof ch);
    *out = json_pack("{s:s,s:o,s:s}", "challenge", hex, "expires_at",
                     chan_time_json(now + CHAN_ENROLL_CHALLENGE_S), "origin", c->log_key.pub.name);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    return rc;
}

int chan_roster_enroll(struct chan *c, struct pool *p, const struct actor *a, const char *pk_hex,
                       const char *pop_hex, const char *challenge_hex, json_t **out, struct err *e)
{
    int rc = -1, found = 0, fresh = 0;
    unsigned char pk[32], old[32], pop[RING_POP_BYTES], chal[32];
    char ctx[PROTO_POP_CONTEXT_MAX];
    size_t ctx_len;
    int64_t now = now_utc(), size = 0, due = 0;

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
    if (!challenge_hex || hex_decode(chal, sizeof chal, challenge_hex)) {
        rc = err_set(e, ERR_INVALID,
                     "field 'challenge' must be the 64 hex digits of POST "
                     "/api/v1/rosters/challenge (protocol v2)");
        goto out;
    }
    ctx_len =
        proto_pop_context(ctx, sizeof ctx, c->log_key.pub.name, a->org, a->username, challenge_hex);
    if (ctx_len == 0 || ctx_len >= sizeof ctx) {
        rc = err_set(e, ERR_INVALID, "the user or organization name is too long");
        goto out;
    }
    if (ring_pop_verify(pop, pk, (const uint8_t *)ctx, ctx_len, e)) {
        if (e && e->code == ERR_CRYPTO)
            err_set(e, ERR_CRYPTO,
                    "the proof of possession does not verify for this key, member "
                    "and organization");
        goto out;
    }
    if (store_begin(c->st, e))
        goto out;
    /* The challenge is used up here, once, by the member it was given to. */
    if (store_enroll_challenge_take(c->st, a->id, chal, now, &fresh, e))
        goto fail;
    if (!fresh) {
        err_set(e, ERR_STATE,
                "the enrollment challenge is unknown, used or expired: ask for a new one "
                "(POST /api/v1/rosters/challenge) and prove again");
        goto fail;
    }
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
    /* The retired key gets its own leaf (size - 1) so that the log alone
     * tells which keys are active at every size (docs/protocol-tlog.md). */
    if (found) {
        char old_hex[65];
        hex_encode(old_hex, old, sizeof old);
        if (roster_queue(c, a->org_id, a->org, "retire", old_hex, size - 1, now, &due, e))
            goto fail;
    }
    if (roster_queue(c, a->org_id, a->org, found ? "rekey" : "add", pk_hex, size, now, &due, e) ||
        store_commit(c->st, e))
        goto fail;
    /* The roster as published: the new key shows from its batch on. */
    rc = chan_roster_get(c, p, a->org, 0, out, e);
    if (rc == 0) {
        json_object_set_new(*out, "rekeyed", json_boolean(found));
        json_object_set_new(*out, "publish_by", chan_time_json(due));
    }
    goto out;
fail:
    rc = chan_tx_end(c, -1, NULL, e);
out:
    return rc;
}

int chan_roster_retire_member(struct chan *c, const struct st_member *m, struct err *e)
{
    int rc = -1, found = 0;
    unsigned char pk[32];
    char pk_hex[65];
    int64_t size = 0, due = 0;

    if (store_roster_member_key(c->st, m->org_id, m->id, pk, &found, e))
        goto out;
    if (!found) {
        rc = 0;
        goto out;
    }
    if (store_roster_append(c->st, m->org_id, 0, pk, m->id, now_utc(), e) ||
        store_roster_size(c->st, m->org_id, &size, e))
        goto out;
    hex_encode(pk_hex, pk, 32);
    if (roster_queue(c, m->org_id, m->org_slug, "retire", pk_hex, size, now_utc(), &due, e))
        goto out;
    rc = 0;
out:
    return rc;
}

/* One organization's roster as its leaves show it, while looking for v1
 * gaps. */
struct gap_org {
    char slug[65];
    int64_t last;     /* the largest size seen in order */
    int64_t gaps[64]; /* sizes a v1 rekey skipped */
    size_t ngaps;
    int64_t filled[64]; /* sizes a later retire leaf filled */
    size_t nfilled;
};

static struct gap_org *gap_org_get(struct gap_org *orgs, size_t *n, size_t max, const char *slug)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(orgs[i].slug, slug) == 0)
            return &orgs[i];
    if (*n >= max || strlen(slug) >= sizeof orgs[0].slug)
        return NULL;
    memset(&orgs[*n], 0, sizeof orgs[*n]);
    snprintf(orgs[*n].slug, sizeof orgs[*n].slug, "%s", slug);
    return &orgs[(*n)++];
}

/* Most organizations, and gaps per organization, a migration handles. */
#define GAP_ORGS_MAX 256

int chan_roster_fill_v1_gaps(struct chan *c, int64_t *appended, struct err *e)
{
    int rc = -1;
    struct pool p;
    struct st_leaf *leaves = NULL;
    size_t nleaves = 0, norgs = 0;
    int64_t size = 0;
    struct gap_org *orgs = calloc(GAP_ORGS_MAX, sizeof *orgs);

    *appended = 0;
    pool_init(&p, (size_t)1 << 30); /* the whole log, once */
    if (!orgs)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (store_begin(c->st, e))
        goto out_free;
    if (store_tlog_size(c->st, &size, e) ||
        store_tlog_leaves(c->st, &p, 0, size, &leaves, &nleaves, e))
        goto fail;
    for (size_t i = 0; i < nleaves; i++) {
        json_t *leaf = json_loadb(leaves[i].data, leaves[i].len, 0, NULL);
        const char *kind = json_string_value(json_object_get(leaf, "kind"));
        const char *org = json_string_value(json_object_get(leaf, "organization"));
        const char *act = json_string_value(json_object_get(leaf, "action"));
        int64_t s = json_integer_value(json_object_get(leaf, "size"));
        struct gap_org *g;
        if (!kind || strcmp(kind, "roster") != 0 || !org || !act) {
            json_decref(leaf);
            continue;
        }
        g = gap_org_get(orgs, &norgs, GAP_ORGS_MAX, org);
        if (!g) {
            json_decref(leaf);
            err_set(e, ERR_INVALID, "too many organizations to migrate");
            goto fail;
        }
        if (s == g->last + 2 && strcmp(act, "rekey") == 0 && g->ngaps < ARRAY_LEN(g->gaps))
            g->gaps[g->ngaps++] = g->last + 1; /* a v1 re-key */
        else if (s <= g->last && strcmp(act, "retire") == 0 && g->nfilled < ARRAY_LEN(g->filled))
            g->filled[g->nfilled++] = s; /* a gap filled before */
        if (s > g->last)
            g->last = s;
        json_decref(leaf);
    }
    for (size_t o = 0; o < norgs; o++) {
        struct gap_org *g = &orgs[o];
        int64_t org_id = 0;
        for (size_t k = 0; k < g->ngaps; k++) {
            int done = 0, found = 0, added = 0;
            unsigned char pk[32];
            char hex[65];
            for (size_t f = 0; f < g->nfilled; f++)
                done |= g->filled[f] == g->gaps[k];
            if (done)
                continue;
            if ((org_id == 0 && store_org_by_slug(c->st, g->slug, &org_id, e)) ||
                store_roster_entry(c->st, org_id, g->gaps[k] - 1, &added, pk, &found, e))
                goto fail;
            if (!found || added) {
                err_set(e, ERR_INVALID,
                        "the roster of '%s' skips size %lld in the log, and the database has no "
                        "removed key there: nothing to fill the gap with",
                        g->slug, (long long)g->gaps[k]);
                goto fail;
            }
            hex_encode(hex, pk, 32);
            if (chan_log_append(c, proto_leaf_roster(g->slug, "retire", hex, g->gaps[k]), NULL,
                                "roster", 0, e))
                goto fail;
            (*appended)++;
        }
    }
    if (store_commit(c->st, e))
        goto fail;
    rc = 0;
    goto out_free;
fail:
    store_rollback(c->st);
    *appended = 0;
out_free:
    pool_release(&p);
    free(orgs);
    return rc;
}
