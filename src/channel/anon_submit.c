/* anon_submit.c — anonymous co-signatures (Triptych linkable ring
 * signatures, src/ring/): a batch of proofs on one ring of a memo, verified
 * together, then counted and logged.
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
    a->org = json_string_value(json_object_get(it, "organization"));
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

int chan_anon_submit(struct chan *c, struct pool *p, const char *memo_id, const json_t *items,
                     const struct chan_work *work, json_t **out, struct err *e)
{
    int rc = -1, to;
    size_t n = json_array_size(items), i;
    struct anon_item *a = n ? pool_alloc(p, n * sizeof *a) : NULL;
    struct ring_batch_item *batch = n ? pool_alloc(p, n * sizeof *batch) : NULL;
    struct memo_ctx x;
    json_t *results = json_array(), *it;
    struct st_ring *rings = NULL;
    size_t nrings = 0;
    int64_t day = now_utc() / 86400;
    const struct ring_keys *ring = NULL; /* borrowed from the cache */
    char scope[PROTO_ANON_SCOPE_MAX];
    size_t scope_len;

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
        store_ring_list(c->st, p, x.m.id, &rings, &nrings, e))
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
        a[i].msg_len = proto_anon_message(a[i].msg, sizeof a[i].msg, (uint64_t)a[i].seq,
                                          a[i].version, a[i].version ? v.hash : NULL);
        if (a[i].msg_len == 0 || a[i].msg_len >= sizeof a[i].msg) {
            err_set(e, ERR_INTERNAL, "the message of a signature does not fit");
            goto fail;
        }
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
        int have = 0;
        if (store_org_by_slug(c->st, a[0].org, &org_id, e))
            goto fail;
        int64_t count = 0;
        for (size_t k = 0; k < nrings; k++)
            if (rings[k].org_id == org_id && rings[k].ring == a[0].ring_no) {
                have = 1;
                count = rings[k].count;
            }
        if (!have) {
            err_set(e, ERR_NOT_FOUND, "this memo has no ring %d for '%s'", a[0].ring_no, a[0].org);
            goto fail;
        }
        /* Checked here, not only by clients: a tag hides its signer among
         * the smallest ring it is used on. */
        if (count < chan_min_ring(&x.ch)) {
            err_set(e, ERR_STATE,
                    "ring %d of '%s' has %lld keys, fewer than the %lld this channel requires "
                    "for anonymous signatures: nothing was counted",
                    a[0].ring_no, a[0].org, (long long)count, (long long)chan_min_ring(&x.ch));
            goto fail;
        }
        /* Protocol v2 accepts the parameters clients use and no other: a
         * proof made with another radix would single out its maker's
         * software (docs/protocol-ring.md §5, §14). */
        {
            struct ring_params want;
            if (ring_params_for((size_t)count, &want, e))
                goto fail;
            for (i = 0; i < n; i++)
                if (a[i].proof_len != ring_proof_len(want) || a[i].proof[1] != want.n ||
                    a[i].proof[2] != want.m) {
                    err_set(e, ERR_INVALID,
                            "a proof on a ring of %lld keys has radix %u and %u digits in "
                            "protocol v2 (%zu bytes): nothing was counted",
                            (long long)count, want.n, want.m, ring_proof_len(want));
                    goto fail;
                }
        }
        /* Freshness before any arithmetic: each action of a tag carries the
         * tag's sequence number, so an old proof (after a move, a
         * withdrawal or a re-signature) is refused, and each action counts
         * once. */
        for (i = 0; i < n; i++) {
            int64_t cur = 0;
            if (store_anon_seq(c->st, x.m.id, a[i].tag, &cur, e))
                goto fail;
            if (a[i].seq != cur) {
                char tag[65];
                hex_encode(tag, a[i].tag, 32);
                err_set(e, ERR_CONFLICT,
                        "stale anonymous signature: tag %.16s… is at sequence %lld, this "
                        "proof was made for sequence %lld (a replay, or the signer acted "
                        "since): nothing was counted; read the memo's public facts and prove "
                        "again",
                        tag, (long long)cur, (long long)a[i].seq);
                goto fail;
            }
        }
        /* Every cheap check passed: now the work is worth its budget. */
        if (work && work->spend(work->ctx, (uint64_t)n * (uint64_t)count, e))
            goto fail;
        if (chan_ring_cached(c, x.m.id, org_id, a[0].ring_no, &ring, e))
            goto fail;
        scope_len = proto_anon_scope(scope, sizeof scope, c->log_key.pub.name, x.m.public_id);
        if (scope_len == 0 || scope_len >= sizeof scope) {
            err_set(e, ERR_INTERNAL, "the scope of this memo does not fit");
            goto fail;
        }
        if (ring_verify_batch(ring, (const uint8_t *)scope, scope_len, batch, n, e)) {
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
            if (store_anon_get(c->st, x.m.id, a[i].tag, &prev, e) ||
                store_anon_seq_set(c->st, x.m.id, a[i].tag, a[i].seq + 1, e))
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
    *out = json_pack("{s:s,s:O}", "memo", x.m.public_id, "results", results);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    json_decref(results);
    return rc;
}
