/* sign.c — named co-signatures: sign, move, withdraw; signer lists and counts.
 *
 * The per-version, per-organization counts change in the same transaction as
 * the signature they count, so they are exact at every moment. */
#include "base/util.h"
#include "channel/can.h"
#include "channel/chan_internal.h"
#include "proto/commit.h"
#include "proto/events.h"
#include "proto/pagekey.h"

#include <string.h>

int chan_sign(struct chan *c, struct pool *p, const struct actor *a, const char *id, int version,
              json_t **out, struct err *e)
{
    int rc = -1;
    char *salt = NULL;
    struct memo_ctx x;
    int64_t now = now_utc();

    if (store_begin(c->st, e))
        goto out;
    if (chan_memo_load(c, p, a, id, &x, e))
        goto fail;
    if (version == 0)
        version = x.m.latest_version;
    if (chan_check(&x, x.signed_version ? CHAN_CAN_MOVE : CHAN_CAN_SIGN, version, e))
        goto fail;
    if (x.signed_version &&
        store_count_adjust(c->st, x.m.id, x.signed_version, a->org_id, -1, now, e))
        goto fail;
    /* A moved signature keeps its commitment's salt; a new one (a first
     * signature, or a re-signature after a withdrawal) gets the signer's
     * derived salt, so every leaf of one signer on one memo carries the same
     * commitment and the signer can get the salt back (chan_signer_receipt). */
    if (store_signature_salt(c->st, p, x.m.id, a->id, &salt, e))
        goto fail;
    if (!salt && chan_signer_salt(c, p, x.m.public_id, a->username, &salt, e))
        goto fail;
    if (store_signature_put(c->st, x.m.id, a->id, version, salt, now, e) ||
        store_count_adjust(c->st, x.m.id, version, a->org_id, +1, now, e) ||
        chan_event_signature(c, &x, x.signed_version ? "move" : "add", version, x.signed_version,
                             a->org_id, a->username, salt, e))
        goto fail;
    x.signed_version = version;
    x.rel |= CHAN_REL_SIGNER;
    x.m.updated_at = now;
    if (store_memo_touch(c->st, x.m.id, now, e) || chan_memo_view(c, p, &x, now, out, e))
        goto fail;
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}

int chan_unsign(struct chan *c, struct pool *p, const struct actor *a, const char *id, json_t **out,
                struct err *e)
{
    int rc = -1;
    char *salt = NULL;
    struct memo_ctx x;
    int64_t now = now_utc();

    if (store_begin(c->st, e))
        goto out;
    if (chan_memo_load(c, p, a, id, &x, e) || chan_check(&x, CHAN_CAN_UNSIGN, 0, e) ||
        store_signature_salt(c->st, p, x.m.id, a->id, &salt, e) ||
        store_signature_delete(c->st, x.m.id, a->id, e) ||
        store_count_adjust(c->st, x.m.id, x.signed_version, a->org_id, -1, now, e) ||
        chan_event_signature(c, &x, "withdraw", x.signed_version, x.signed_version, a->org_id,
                             a->username, salt ? salt : "", e))
        goto fail;
    x.signed_version = 0;
    x.m.updated_at = now;
    if (store_memo_touch(c->st, x.m.id, now, e) || chan_memo_view(c, p, &x, now, out, e))
        goto fail;
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}

int chan_signers_page_args(const char *after, const char *limit, struct chan_signers_page *pg,
                           struct err *e)
{
    int64_t l = CHAN_SIGNERS_PAGE_DEFAULT;
    *pg = (struct chan_signers_page){.after_at = INT64_MIN, .after_member = 0};
    if (limit && *limit && parse_i64(limit, 1, CHAN_SIGNERS_PAGE_MAX, &l) != 0)
        return err_set(e, ERR_INVALID, "field 'limit' must be 1 to %d", CHAN_SIGNERS_PAGE_MAX);
    pg->limit = (int)l;
    if (after && *after) {
        struct proto_page_key k;
        if (proto_page_key_parse(after, &k) != 0)
            goto bad;
        pg->after_at = k.at;
        pg->after_member = k.member;
    }
    return 0;
bad:
    *pg = (struct chan_signers_page){.after_at = INT64_MIN, .limit = (int)l};
    return err_set(e, ERR_INVALID, "field 'after' must be a page's next_after (SIGNED_AT-MEMBER)");
}

int chan_signers(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                 const struct chan_signers_page *pg, json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    struct st_signer *g = NULL;
    size_t n = 0;
    json_t *rows, *next = NULL;
    struct chan_signers_page first = {.after_at = INT64_MIN, .limit = CHAN_SIGNERS_PAGE_DEFAULT};

    if (!pg)
        pg = &first;
    if (pg->limit < 1 || pg->limit > CHAN_SIGNERS_PAGE_MAX)
        return err_set(e, ERR_INVALID, "field 'limit' must be 1 to %d", CHAN_SIGNERS_PAGE_MAX);
    /* A read that records itself: no writers' lock (store.h). */
    if (store_begin_unordered(c->st, e))
        goto out;
    /* one more than asked: whether a next page exists */
    if (chan_memo_load(c, p, a, id, &x, e) || chan_check(&x, CHAN_CAN_SIGNERS, 0, e) ||
        store_signer_page(c->st, p, x.m.id, pg->after_at, pg->after_member, pg->limit + 1, &g, &n,
                          e) ||
        chan_access_record(c, a, x.m.id, "signer list", now_utc(), e))
        goto fail;
    if (n > (size_t)pg->limit) {
        char key[PROTO_PAGE_KEY_MAX];
        n = (size_t)pg->limit;
        proto_page_key_format(&(struct proto_page_key){g[n - 1].signed_at, g[n - 1].member_id},
                              key);
        next = json_string(key);
    } else {
        next = json_null();
    }
    rows = json_array();
    for (size_t i = 0; rows && i < n; i++)
        json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:i,s:o}", "username", g[i].username,
                                              "display_name", g[i].display_name, "organization",
                                              g[i].organization, "version", g[i].version,
                                              "signed_at", chan_time_json(g[i].signed_at)));
    *out =
        json_pack("{s:s,s:o,s:o}", "memo", x.m.public_id, "signatures", rows, "next_after", next);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}

int chan_counts(struct chan *c, struct pool *p, const struct actor *a, const char *id, json_t **out,
                struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    struct st_tally *t = NULL;
    size_t n = 0;
    json_t *counts = NULL, *timeline = NULL;
    if (chan_memo_load(c, p, a, id, &x, e) || chan_check(&x, CHAN_CAN_COUNTS, 0, e) ||
        chan_counts_combined(c, x.m.id, &counts, e) ||
        store_signature_timeline(c->st, p, x.m.id, &t, &n, e))
        goto out;
    timeline = json_array();
    for (size_t i = 0; timeline && i < n; i++)
        json_array_append_new(timeline, json_pack("{s:o,s:I}", "at", chan_time_json(t[i].at),
                                                  "total", (json_int_t)t[i].total));
    json_object_set_new(counts, "memo", json_string(x.m.public_id));
    json_object_set_new(counts, "timeline", timeline);
    /* the counts are as published: say when the next batch is (batch.c) */
    json_object_set_new(counts, "batch", chan_batch_json(c, now_utc()));
    timeline = NULL;
    *out = counts;
    counts = NULL;
    rc = 0;
out:
    json_decref(counts);
    json_decref(timeline);
    return rc;
}

int chan_signer_receipt(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                        json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    char *salt = NULL, commitment[65];
    struct st_leaf *leaves = NULL;
    size_t n = 0;
    int64_t after = -1;
    json_t *rows = NULL;

    /* a read: a snapshot, never the writers' lock */
    if (store_begin_read(c->st, e))
        goto out;
    if (chan_memo_load(c, p, a, id, &x, e) ||
        store_signature_salt(c->st, p, x.m.id, a->id, &salt, e))
        goto fail;
    if (!salt && chan_signer_salt(c, p, x.m.public_id, a->username, &salt, e))
        goto fail;
    proto_signer_commitment(salt, x.m.public_id, a->username, commitment);
    rows = json_array();
    /* every signature leaf of the memo, a page at a time (each page in a
     * pool of its own) */
    do {
        struct pool page;
        int r;
        pool_init(&page, 32u << 20);
        r = store_tlog_memo_range(c->st, &page, x.m.public_id, "signature", after, INT64_MAX,
                                  &leaves, &n, e);
        for (size_t i = 0; r == 0 && rows && i < n; i++) {
            json_t *d = json_loadb(leaves[i].data, leaves[i].len, 0, NULL);
            const char *cm = json_string_value(json_object_get(d, "commitment"));
            if (cm && strcmp(cm, commitment) == 0)
                json_array_append_new(
                    rows, json_pack("{s:I,s:O,s:O,s:O}", "index", (json_int_t)leaves[i].index,
                                    "action", json_object_get(d, "action"), "version",
                                    json_object_get(d, "version"), "at", json_object_get(d, "at")));
            json_decref(d);
        }
        if (r == 0 && n)
            after = leaves[n - 1].index;
        pool_release(&page);
        if (r)
            goto fail;
    } while (n == STORE_MEMO_LEAVES_MAX);
    if (!rows) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (json_array_size(rows) == 0) {
        err_set(e, ERR_NOT_FOUND,
                "no signature leaf of memo %s carries your commitment: you have not signed it "
                "(or signed it before protocol v2 and withdrew)",
                x.m.public_id);
        goto fail;
    }
    *out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:O}", "memo", x.m.public_id, "username", a->username,
                     "salt", salt, "commitment", commitment, "rule",
                     "commitment = SHA-256(\"dissent-signer-v1\\n\" || salt || \"\\n\" || memo "
                     "|| \"\\n\" || username), salt as its hex text",
                     "leaves", rows);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
fail:
    store_rollback(c->st);
out:
    json_decref(rows);
    return rc;
}
