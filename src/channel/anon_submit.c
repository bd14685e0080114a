/* anon_submit.c — anonymous co-signatures (Triptych linkable ring
 * signatures, src/ring/): a batch of proofs on one ring of a memo, verified
 * together, then counted and logged.
 *
 * Two steps, so that the costly part holds no lock (docs/architecture.md):
 * chan_anon_verify checks everything on a read snapshot and verifies the
 * batch outside any transaction (rings and versions never change once
 * made); chan_anon_commit then rechecks, in one short write transaction,
 * only what may have moved meanwhile — the memo's state and each tag's
 * sequence number, which every proof is bound to — and counts and logs.
 *
 * Anonymous signatures carry no member, no address and no precise time. */
#include "base/util.h"
#include "channel/chan_internal.h"
#include "proto/anon.h"
#include "proto/events.h"
#include "ring/keyfile.h"
#include "ring/triptych.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct anon_item {
    int version; /* 0: withdraw */
    const char *org;
    int ring_no;
    int64_t seq; /* the tag's sequence number the proof was made at */
    unsigned char *proof;
    size_t proof_len;
    char msg[PROTO_ANON_MESSAGE_MAX];
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
    json_t *seq = json_object_get(it, "seq");
    const char *key;
    json_t *val;
    size_t n;

    json_object_foreach((json_t *)it, key, val)
    {
        if (strcmp(key, "memo") && strcmp(key, "version") && strcmp(key, "organization") &&
            strcmp(key, "ring") && strcmp(key, "proof") && strcmp(key, "seq")) {
            rc = err_set(e, ERR_INVALID, "unknown field '%s' in a signature", key);
            goto out;
        }
    }
    /* Copied: the request's JSON may be gone before chan_anon_commit. */
    a->org = json_string_value(json_object_get(it, "organization"));
    if (a->org && !(a->org = pool_strdup(p, a->org))) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!a->org || !b64 || !json_is_integer(ring) ||
        (v && !json_is_integer(v) && !json_is_null(v))) {
        rc = err_set(e, ERR_INVALID,
                     "a signature needs 'organization', 'ring', 'seq', 'proof' (base64) "
                     "and 'version' (a number, or null to withdraw)");
        goto out;
    }
    if (!json_is_integer(seq) || json_integer_value(seq) < 0 ||
        json_integer_value(seq) >= INT32_MAX) {
        rc = err_set(e, ERR_INVALID,
                     "a signature needs 'seq': the tag's sequence number from the memo's "
                     "public facts (protocol v2; 0 for a first signature)");
        goto out;
    }
    a->seq = json_integer_value(seq);
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

struct chan_anon_verified {
    const char *memo_id;
    struct anon_item *a;
    size_t n;
    int64_t org_id;
    /* Until verified (chan_anon_check): what the arithmetic needs. */
    struct ring_batch_item *batch;
    struct chan_ring_ref *ring; /* a reference of its own; NULL once verified */
    char scope[PROTO_ANON_SCOPE_MAX];
    size_t scope_len;
    char key[RANDOM_ID_LEN + 48]; /* memo, organization and ring: one ring, one scope */
};

/* The memo open for signatures, by public id. */
static int anon_memo(struct chan *c, struct pool *p, const char *memo_id, struct memo_ctx *x,
                     struct err *e)
{
    int to;
    if (!memo_id || strlen(memo_id) != RANDOM_ID_LEN ||
        store_memo_by_public_id(c->st, p, memo_id, &x->m, e) || x->m.state == CHAN_STATE_DRAFT)
        return err_set(e, ERR_NOT_FOUND, "no memo '%s' open for signatures",
                       memo_id ? memo_id : "");
    return chan_transition(x->m.state, CHAN_EV_SIGN, &to, e);
}

/* ERR_CONFLICT unless item a is made for its tag's current sequence number.
 * Asked only about proofs that verified, and the answer does not say the
 * current number: with batches it may be ahead of the published one, and
 * an answer that depended on it would tell anyone replaying a public proof
 * that its signer has just acted (a stopwatch). */
static int anon_fresh(struct chan *c, int64_t memo, const struct anon_item *a, struct err *e)
{
    int64_t cur = 0;
    char tag[65];
    if (store_anon_seq(c->st, memo, a->tag, &cur, e))
        return -1;
    if (a->seq == cur)
        return 0;
    hex_encode(tag, a->tag, 32);
    return err_set(e, ERR_CONFLICT,
                   "stale anonymous signature: this proof of tag %.16s… was made for sequence "
                   "%lld, which is not the tag's next (a replay, or the signer acted since): "
                   "nothing was counted; read the memo's public facts (and your receipts) and "
                   "prove again",
                   tag, (long long)a->seq);
}

/* ERR_CONFLICT when the tag has a signature (as accepted) on a ring of
 * another kind than org_id's: a signature stays where it was made, in its
 * organization or in the coalition (docs/protocol-ring.md §14, "The
 * coalition ring"). Asked, like anon_fresh, only about proofs that
 * verified. */
static int anon_same_kind(struct chan *c, int64_t memo, int64_t org_id, const struct anon_item *a,
                          struct err *e)
{
    int found = 0;
    int64_t have = 0;
    if (store_anon_ring_org(c->st, memo, a->tag, &found, &have, e))
        return -1;
    if (!found || have == org_id)
        return 0;
    if (have == 0)
        return err_set(e, ERR_CONFLICT,
                       "this tag signed in the coalition ring: one signature per member per "
                       "memo; move or withdraw it there (withdraw first to sign for '%s'): "
                       "nothing was counted",
                       a->org);
    return err_set(e, ERR_CONFLICT,
                   "this tag signed in the ring of an organization, not in '%s': one signature "
                   "per member per memo; move or withdraw it there (withdraw first to sign in "
                   "the coalition): nothing was counted",
                   a->org);
}

/* Every check on one read snapshot; fills batch and *org_id, *count and the
 * borrowed *ring. Call inside a read transaction. */
static int anon_check(struct chan *c, struct pool *p, const char *memo_id, struct anon_item *a,
                      size_t n, struct ring_batch_item *batch, const struct chan_work *work,
                      struct memo_ctx *x, int64_t *org_id, struct chan_ring_ref **ring,
                      struct err *e)
{
    struct st_ring *rings = NULL;
    size_t nrings = 0, i;
    int64_t count = 0;
    int have = 0;
    struct ring_params want;

    if (anon_memo(c, p, memo_id, x, e) ||
        store_channel_by_id(c->st, p, x->m.channel_id, &x->ch, e) ||
        store_ring_list(c->st, p, x->m.id, &rings, &nrings, e))
        return -1;
    /* Every item names the same ring: verify them all in one batch. */
    for (i = 0; i < n; i++) {
        struct st_version v;
        if (strcmp(a[i].org, a[0].org) || a[i].ring_no != a[0].ring_no)
            return err_set(e, ERR_INVALID, "one request carries signatures on one ring only");
        if (a[i].version) {
            if (a[i].version < 1 || a[i].version > x->m.latest_version)
                return err_set(e, ERR_INVALID, "this memo has versions 1 to %d",
                               x->m.latest_version);
            if (store_version_get(c->st, p, x->m.id, a[i].version, &v, e))
                return -1;
        }
        a[i].msg_len = proto_anon_message(a[i].msg, sizeof a[i].msg, (uint64_t)a[i].seq,
                                          a[i].version, a[i].version ? v.hash : NULL);
        if (a[i].msg_len == 0 || a[i].msg_len >= sizeof a[i].msg)
            return err_set(e, ERR_INTERNAL, "the message of a signature does not fit");
        batch[i].proof = a[i].proof;
        batch[i].proof_len = a[i].proof_len;
        batch[i].msg = (const uint8_t *)a[i].msg;
        batch[i].msg_len = a[i].msg_len;
        for (size_t k = 0; k < i; k++)
            if (memcmp(a[k].tag, a[i].tag, 32) == 0)
                return err_set(e, ERR_INVALID, "two signatures in one request carry the same tag");
    }
    /* The coalition ring is organization 0 in the store. */
    if (strcmp(a[0].org, PROTO_COALITION) == 0)
        *org_id = 0;
    else if (store_org_by_slug(c->st, a[0].org, org_id, e))
        return -1;
    for (size_t k = 0; k < nrings; k++)
        if (rings[k].org_id == *org_id && rings[k].ring == a[0].ring_no) {
            have = 1;
            count = rings[k].count;
        }
    if (!have)
        return err_set(e, ERR_NOT_FOUND, "this memo has no ring %d for '%s'", a[0].ring_no,
                       a[0].org);
    /* Checked here, not only by clients: a tag hides its signer among
     * the smallest ring it is used on. */
    if (count < chan_min_ring(&x->ch))
        return err_set(e, ERR_STATE,
                       "ring %d of '%s' has %lld keys, fewer than the %lld this channel requires "
                       "for anonymous signatures: nothing was counted",
                       a[0].ring_no, a[0].org, (long long)count, (long long)chan_min_ring(&x->ch));
    /* Protocol v2 accepts the parameters clients use and no other: a
     * proof made with another radix would single out its maker's
     * software (docs/protocol-ring.md §5, §14). */
    if (ring_params_for((size_t)count, &want, e))
        return -1;
    for (i = 0; i < n; i++)
        if (a[i].proof_len != ring_proof_len(want) || a[i].proof[1] != want.n ||
            a[i].proof[2] != want.m)
            return err_set(e, ERR_INVALID,
                           "a proof on a ring of %lld keys has radix %u and %u digits in "
                           "protocol v2 (%zu bytes): nothing was counted",
                           (long long)count, want.n, want.m, ring_proof_len(want));
    /* Freshness (each action of a tag carries the tag's sequence number,
     * so an old proof is refused and each action counts once) is checked
     * when the verified proofs are counted (chan_anon_commit), not here:
     * see anon_fresh. */
    /* Every cheap check passed: now the work is worth its budget. */
    if (work && work->spend(work->ctx, (uint64_t)n * (uint64_t)count, e))
        return -1;
    return chan_ring_cached_ref(c, x->m.id, *org_id, a[0].ring_no, ring, e);
}

int chan_anon_check(struct chan *c, struct pool *p, const char *memo_id, const json_t *items,
                    const struct chan_work *work, struct chan_anon_verified **out, struct err *e)
{
    int rc = -1;
    size_t n = json_array_size(items), i;
    struct chan_anon_verified *v = pool_alloc(p, sizeof *v);
    struct anon_item *a = n ? pool_alloc(p, n * sizeof *a) : NULL;
    struct ring_batch_item *batch = n ? pool_alloc(p, n * sizeof *batch) : NULL;
    struct memo_ctx x;
    json_t *it;
    int64_t org_id = 0;
    struct chan_ring_ref *ring = NULL;

    memset(&x, 0, sizeof x);
    if (n == 0 || n > CHAN_ANON_BATCH_MAX) {
        rc = err_set(e, ERR_INVALID, "send 1 to %d signatures at a time", CHAN_ANON_BATCH_MAX);
        goto out;
    }
    if (!v || !a || !batch) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    memset(v, 0, sizeof *v);
    json_array_foreach(items, i, it) if (anon_item_read(p, it, &a[i], e)) goto out;
    if (store_begin_read(c->st, e))
        goto out;
    rc = anon_check(c, p, memo_id, a, n, batch, work, &x, &org_id, &ring, e);
    store_rollback(c->st);
    if (rc)
        goto out;
    rc = -1;
    v->scope_len = proto_anon_scope(v->scope, sizeof v->scope, c->log_key.pub.name, x.m.public_id);
    if (v->scope_len == 0 || v->scope_len >= sizeof v->scope) {
        rc = err_set(e, ERR_INTERNAL, "the scope of this memo does not fit");
        goto out;
    }
    v->memo_id = pool_strdup(p, x.m.public_id);
    if (!v->memo_id) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    snprintf(v->key, sizeof v->key, "%s/%lld/%d", x.m.public_id, (long long)org_id, a[0].ring_no);
    v->a = a;
    v->n = n;
    v->org_id = org_id;
    v->batch = batch;
    v->ring = ring;
    ring = NULL;
    *out = v;
    rc = 0;
out:
    chan_ring_ref_put(ring);
    return rc;
}

const char *chan_anon_batch_key(const struct chan_anon_verified *v)
{
    return v->key;
}

size_t chan_anon_proofs(const struct chan_anon_verified *v)
{
    return v->n;
}

void chan_anon_checked_release(struct chan_anon_verified *v)
{
    if (v) {
        chan_ring_ref_put(v->ring);
        v->ring = NULL;
    }
}

/* Request i's verdict: its proofs do not verify (ERR_CRYPTO), or e. */
static void anon_refuse(const struct chan_anon_verified *v, int *rc, struct err *out,
                        const struct err *e)
{
    *rc = -1;
    *out = *e;
    if (e->code == ERR_CRYPTO)
        err_set(out, ERR_CRYPTO,
                "a signature does not verify against ring %d of '%s' for this memo and "
                "version: nothing was counted",
                v->a[0].ring_no, v->a[0].org);
}

/* The proofs of v[0..n) (one ring, one scope) in one batch verification;
 * on failure, each half again, down to one request: a bad proof costs its
 * request and about 2·log2(n) verifications, never the others' verdicts.
 * known_bad: the caller knows this set fails (its other half passed), so
 * it is split without verifying it whole (a single request is refused at
 * once). rcs[i] and errs[i] get each request's; *runs counts
 * verifications; *why is the failure to report for a known bad one. */
static void anon_verify_split(struct chan_anon_verified *const *v, size_t n,
                              struct ring_batch_item *all, int known_bad, struct err *why, int *rcs,
                              struct err *errs, size_t *runs)
{
    struct err e;
    size_t k = 0;

    err_init(&e);
    if (known_bad && n == 1) {
        anon_refuse(v[0], &rcs[0], &errs[0], why);
        return;
    }
    if (!known_bad) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < v[i]->n; j++)
                all[k++] = v[i]->batch[j];
        ++*runs;
        if (ring_verify_batch(v[0]->ring->ring, (const uint8_t *)v[0]->scope, v[0]->scope_len, all,
                              k, &e) == 0) {
            for (size_t i = 0; i < n; i++)
                rcs[i] = 0;
            return;
        }
        if (n == 1 || e.code == ERR_NOMEM) {
            for (size_t i = 0; i < n; i++)
                anon_refuse(v[i], &rcs[i], &errs[i], &e);
            return;
        }
        why = &e;
    }
    anon_verify_split(v, n / 2, all, 0, why, rcs, errs, runs);
    /* the left half passed: the fault is in the right one */
    for (k = 0; k < n / 2 && rcs[k] == 0; k++)
        ;
    anon_verify_split(v + n / 2, n - n / 2, all, k == n / 2, why, rcs + n / 2, errs + n / 2, runs);
}

size_t chan_anon_verify_checked(struct chan_anon_verified *const *v, size_t n, int *rcs,
                                struct err *errs)
{
    size_t runs = 0, total = 0, i = 0;
    struct ring_batch_item *all;

    for (size_t k = 0; k < n; k++)
        total += v[k]->n;
    all = total ? malloc(total * sizeof *all) : NULL;
    while (i < n) {
        /* A run of requests on v[i]'s ring and scope (callers group by key;
         * anything else is verified on its own). */
        size_t j = i + 1;
        while (j < n && strcmp(v[j]->key, v[i]->key) == 0 && v[j]->ring && v[i]->ring &&
               v[j]->ring->ring && v[i]->ring->ring &&
               memcmp(ring_keys_digest(v[j]->ring->ring), ring_keys_digest(v[i]->ring->ring),
                      RING_DIGEST_BYTES) == 0 &&
               v[j]->scope_len == v[i]->scope_len &&
               memcmp(v[j]->scope, v[i]->scope, v[i]->scope_len) == 0)
            j++;
        if (!all || !v[i]->ring) {
            for (size_t k = i; k < j; k++) {
                rcs[k] = -1;
                err_init(&errs[k]);
                err_set(&errs[k], all ? ERR_INTERNAL : ERR_NOMEM,
                        all ? "this request's proofs were verified already" : "out of memory");
            }
        } else {
            anon_verify_split(v + i, j - i, all, 0, NULL, rcs + i, errs + i, &runs);
        }
        i = j;
    }
    for (size_t k = 0; k < n; k++)
        chan_anon_checked_release(v[k]);
    free(all);
    return runs;
}

int chan_anon_verify(struct chan *c, struct pool *p, const char *memo_id, const json_t *items,
                     const struct chan_work *work, struct chan_anon_verified **out, struct err *e)
{
    struct chan_anon_verified *v = NULL;
    int rc = -1;
    struct err ve;

    err_init(&ve);
    if (chan_anon_check(c, p, memo_id, items, work, &v, e))
        return -1;
    /* The arithmetic, outside any transaction: nothing it reads changes. */
    (void)chan_anon_verify_checked(&v, 1, &rc, &ve);
    if (rc) {
        if (e)
            *e = ve;
        return -1;
    }
    *out = v;
    return 0;
}

int chan_anon_commit(struct chan *c, struct pool *p, const struct chan_anon_verified *v,
                     json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    json_t *results = json_array();
    const struct anon_item *a = v->a;

    memset(&x, 0, sizeof x);
    if (!results) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (store_begin(c->st, e))
        goto out;
    /* What may have changed since the proofs were verified. */
    if (anon_memo(c, p, v->memo_id, &x, e))
        goto fail;
    for (size_t i = 0; i < v->n; i++)
        if (anon_fresh(c, x.m.id, &a[i], e) || anon_same_kind(c, x.m.id, v->org_id, &a[i], e))
            goto fail;
    for (size_t i = 0; i < v->n; i++) {
        int prev = 0, queued = 0, qv = 0, leaf_version;
        const char *status;
        char tag[65], chain[128];
        json_t *res, *f;
        struct st_batch_entry b;
        int r;
        hex_encode(tag, a[i].tag, 32);
        /* The tag's state as accepted: its latest queued action, else what
         * is published. */
        if (store_batch_anon_latest(c->st, x.m.id, a[i].tag, &queued, &qv, e) ||
            (!queued && store_anon_get(c->st, x.m.id, a[i].tag, &prev, e)) ||
            store_anon_seq_set(c->st, x.m.id, a[i].tag, a[i].seq + 1, e))
            goto fail;
        if (queued)
            prev = qv;
        if (a[i].version == 0) {
            if (!prev) {
                err_set(e, ERR_CONFLICT,
                        "there is no anonymous signature with this tag to "
                        "withdraw");
                goto fail;
            }
            status = "withdrawn";
        } else {
            status = !prev ? "added" : prev == a[i].version ? "replaced" : "moved";
        }
        leaf_version = a[i].version ? a[i].version : prev;
        /* Not appended now: queued for the next batch (batch.c), so its
         * leaf carries no moment and cannot be ordered against others. */
        memset(&b, 0, sizeof b);
        snprintf(chain, sizeof chain, "anon:%s:%s", x.m.public_id, tag);
        f = json_pack("{s:s,s:i,s:s,s:i,s:s}", "action", status, "version", leaf_version,
                      "organization", a[i].org, "ring", a[i].ring_no, "tag", tag);
        b.fields = f ? json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(f);
        if (!b.fields) {
            err_set(e, ERR_NOMEM, "out of memory");
            goto fail;
        }
        b.kind = "anonymous-signature";
        b.chain = chain;
        b.memo = x.m.public_id;
        b.memo_id = x.m.id;
        memcpy(b.tag, a[i].tag, 32);
        b.has_tag = 1;
        b.version = a[i].version;
        b.org_id = v->org_id;
        b.ring_no = a[i].ring_no;
        b.proof = a[i].proof;
        b.proof_len = a[i].proof_len;
        b.seq = a[i].seq;
        r = chan_batch_queue(c, &b, now_utc(), e);
        free(b.fields);
        if (r)
            goto fail;
        res = json_pack("{s:s,s:s,s:I,s:o,s:o}", "tag", tag, "status", status, "seq",
                        (json_int_t)a[i].seq, "publish_by", chan_time_json(b.due), "receipt",
                        chan_batch_receipt(c, x.m.public_id, tag, a[i].seq, status, leaf_version,
                                           a[i].org, a[i].ring_no, b.due));
        if (!res) {
            err_set(e, ERR_NOMEM, "out of memory");
            goto fail;
        }
        json_array_append_new(results, res);
    }
    *out = json_pack("{s:s,s:O}", "memo", x.m.public_id, "results", results);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    json_decref(results);
    return rc;
}

int chan_anon_submit(struct chan *c, struct pool *p, const char *memo_id, const json_t *items,
                     const struct chan_work *work, json_t **out, struct err *e)
{
    struct chan_anon_verified *v = NULL;
    if (chan_anon_verify(c, p, memo_id, items, work, &v, e))
        return -1;
    return chan_anon_commit(c, p, v, out, e);
}

/* Does a's proof verify over ring with scope and msg, and carry the tag
 * it is stored under? */
static int proof_verifies(const struct ring_keys *ring, const struct st_anon_unmarked *a,
                          const char *scope, size_t scope_len, const char *msg, size_t msg_len)
{
    struct err e;
    uint8_t tag[RING_POINT_BYTES];
    err_init(&e);
    if (scope_len == 0 || scope_len >= PROTO_ANON_SCOPE_MAX || msg_len == 0 ||
        msg_len >= PROTO_ANON_MESSAGE_MAX)
        return 0;
    return ring_verify(ring, a->proof, a->proof_len, (const uint8_t *)scope, scope_len,
                       (const uint8_t *)msg, msg_len, tag, &e) == 0 &&
           sodium_memcmp(tag, a->tag, sizeof tag) == 0;
}

/* The protocol a stored signature was made under: 2 if it verifies with
 * v2's bytes, 1 if (at sequence 0) with v1's, 0 if with neither. */
static int stored_protocol(struct chan *c, struct pool *p, const struct st_anon_unmarked *a,
                           int *protocol, struct err *e)
{
    const struct ring_keys *ring = NULL;
    struct st_version v;
    char scope[PROTO_ANON_SCOPE_MAX], msg[PROTO_ANON_MESSAGE_MAX];
    size_t sl, ml;

    *protocol = 0;
    if (a->version < 1 || a->seq < 0)
        return 0;
    if (store_version_get(c->st, p, a->memo_id, a->version, &v, e) ||
        chan_ring_cached(c, a->memo_id, a->org_id, a->ring, &ring, e))
        return -1;
    sl = proto_anon_scope(scope, sizeof scope, c->log_key.pub.name, a->memo);
    ml = proto_anon_message(msg, sizeof msg, (uint64_t)a->seq, a->version, v.hash);
    if (proof_verifies(ring, a, scope, sl, msg, ml)) {
        *protocol = 2;
        return 0;
    }
    sl = proto_anon_scope_v1(scope, sizeof scope, a->memo);
    ml = proto_anon_message_v1(msg, sizeof msg, v.hash);
    if (a->seq == 0 && proof_verifies(ring, a, scope, sl, msg, ml))
        *protocol = 1;
    return 0;
}

int chan_anon_mark_v1(struct chan *c, struct chan_anon_marks *m, struct err *e)
{
    int rc = -1;
    struct pool p;
    struct st_anon_unmarked *rows = NULL;
    size_t n = 0;

    memset(m, 0, sizeof *m);
    pool_init(&p, (size_t)1 << 30); /* every unmarked proof, once */
    if (store_begin(c->st, e))
        goto out;
    if (store_anon_unmarked(c->st, &p, &rows, &n, e))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        int protocol = 0;
        if (stored_protocol(c, &p, &rows[i], &protocol, e))
            goto fail;
        m->checked++;
        /* protocol 0: verifies with neither (a damaged row): counted as
         * before, reported once, not checked again */
        m->neither += protocol == 0;
        if (store_anon_mark(c->st, rows[i].memo_id, rows[i].tag, protocol, e))
            goto fail;
        if (protocol == 1)
            m->v1++;
    }
    if (store_commit(c->st, e))
        goto fail;
    rc = 0;
    goto out;
fail:
    store_rollback(c->st);
    memset(m, 0, sizeof *m);
out:
    pool_release(&p);
    return rc;
}
