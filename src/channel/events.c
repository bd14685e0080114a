/* events.c — what each channel event puts in the transparency log: hashes
 * and public facts, never memo text and never a named signer in clear.
 * The leaves are built by proto/events.h, from the table the monitor checks
 * them against; the byte layout is in docs/protocol-tlog.md ("Channel events"). */
#include "base/util.h"
#include "channel/chan_internal.h"
#include "proto/commit.h"
#include "proto/events.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *chan_random_hex(struct pool *p, size_t n)
{
    unsigned char raw[64];
    char *hex = n <= sizeof raw ? pool_alloc(p, 2 * n + 1) : NULL;
    if (hex) {
        randombytes_buf(raw, n);
        hex_encode(hex, raw, n);
        sodium_memzero(raw, sizeof raw);
    }
    return hex;
}

int chan_event_version(struct chan *c, const struct memo_ctx *x, const struct st_version *v,
                       struct err *e)
{
    unsigned char key[COPY_KEY_SIZE];
    json_t *leaf;
    int rc = -1;
    if (!v->verify_key || hex_decode(key, sizeof key, v->verify_key)) {
        rc = err_set(e, ERR_INTERNAL, "version %d has no verification key", v->number);
        goto out;
    }
    leaf = proto_leaf_version(v->number, v->hash, chan_marking_name(v->marking), x->ch.slug, key,
                              v->title, v->body);
    rc = chan_log_append(c, leaf, x->m.public_id, "version", v->number, e);
out:
    sodium_memzero(key, sizeof key);
    return rc;
}

int chan_event_signature(struct chan *c, const struct memo_ctx *x, const char *action, int version,
                         int prev_version, int64_t org_id, const char *username, const char *salt,
                         struct err *e)
{
    json_t *counts = NULL;
    char commitment[65], chain[128];
    int64_t members = 0;
    struct st_batch_entry b;
    int rc;

    proto_signer_commitment(salt, x->m.public_id, username, commitment);
    /* In an organization smaller than the channel's minimum ring, a count
     * leaf stamped to the second tells who signed: it waits for the batch
     * (batch.c), and the counts it carries are computed then. */
    if (store_org_active_members(c->st, org_id, chan_min_ring(&x->ch), &members, e))
        return -1;
    if (members < chan_min_ring(&x->ch)) {
        json_t *f = json_pack("{s:s,s:i,s:s}", "action", action, "version", version, "commitment",
                              commitment);
        memset(&b, 0, sizeof b);
        snprintf(chain, sizeof chain, "sig:%s:%s", x->m.public_id, commitment);
        b.kind = "signature";
        b.chain = chain;
        b.fields = f ? json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(f);
        if (!b.fields)
            return err_set(e, ERR_NOMEM, "out of memory");
        b.memo = (char *)x->m.public_id;
        b.memo_id = x->m.id;
        b.version = strcmp(action, "withdraw") == 0 ? 0 : version;
        b.prev_version = prev_version;
        b.org_id = org_id;
        rc = chan_batch_queue(c, &b, now_utc(), e);
        free(b.fields);
        return rc;
    }
    if (chan_counts_combined(c, x->m.id, &counts, e))
        return -1;
    return chan_log_append(c, proto_leaf_signature(action, version, commitment, counts),
                           x->m.public_id, "signature", version, e);
}

int chan_event_state(struct chan *c, const struct memo_ctx *x, const char *event, struct err *e)
{
    const struct st_memo *m = &x->m;
    unsigned char salt[PROTO_SALT_BYTES];
    char due[21] = "";
    json_t *leaf;
    int rc;

    /* The salt of the reason's or answer's commitment: private, derived
     * from the commitment key (commit_key.c; never the log's signing seed)
     * so that it need not be stored; one per extension (its new deadline)
     * and one per answer. */
    if (strcmp(event, "extended") == 0 && m->answer_due)
        time_format_utc(due, m->answer_due);
    proto_text_salt(c->commit_key, m->public_id, event, due, salt);
    leaf = proto_leaf_state(event, chan_state_name(m->state), m->latest_version, m->ack_due,
                            m->answer_due, m->extension_reason, m->answer, salt);
    sodium_memzero(salt, sizeof salt);
    rc = chan_log_append(c, leaf, m->public_id, "state", 0, e);
    return rc;
}

int chan_event_roles(struct chan *c, unsigned before, unsigned after, struct err *e)
{
    static const unsigned privileged[] = {CHAN_ROLE_REVIEWER, CHAN_ROLE_LEADERSHIP,
                                          CHAN_ROLE_AUDITOR, CHAN_ROLE_ADMIN};
    int64_t now = now_utc();
    /* Removals first, then grants, each in the order of the roles: one leaf per role. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < sizeof privileged / sizeof privileged[0]; i++) {
            unsigned r = privileged[i];
            int had = (before & r) != 0, has = (after & r) != 0;
            if (had == has || (pass == 0) != had)
                continue;
            if (chan_log_append(c,
                                proto_leaf_role(now, had ? "revoke" : "grant", chan_role_name(r)),
                                NULL, "role", 0, e))
                return -1;
        }
    return 0;
}
