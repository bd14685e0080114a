/* events.c — what each channel event puts in the transparency log: hashes
 * and public facts, never memo text and never a named signer in clear.
 * The byte layout is in docs/protocol-tlog.md ("Channel events"). */
#include "base/util.h"
#include "channel/chan_internal.h"
#include "channel/copycheck.h"

#include <sodium.h>
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

static json_t *sha256_hex_json(const char *text)
{
    unsigned char h[32];
    char hex[65];
    crypto_hash_sha256(h, (const unsigned char *)text, strlen(text));
    hex_encode(hex, h, 32);
    return json_string(hex);
}

int chan_event_version(struct chan *c, const struct memo_ctx *x, const struct st_version *v,
                       struct err *e)
{
    unsigned char key[COPY_KEY_SIZE];
    json_t *leaf, *dig;
    int rc = -1;
    if (!v->verify_key || hex_decode(key, sizeof key, v->verify_key)) {
        rc = err_set(e, ERR_INTERNAL, "version %d has no verification key", v->number);
        goto out;
    }
    dig = copy_version_digests(key, v->title, v->body);
    leaf = dig ? json_pack("{s:i,s:s,s:s,s:s,s:O,s:O}", "version", v->number, "hash", v->hash,
                           "marking", chan_marking_name(v->marking), "channel", x->ch.slug,
                           "digest", json_object_get(dig, "digest"), "paragraphs",
                           json_object_get(dig, "paragraphs"))
               : NULL;
    json_decref(dig);
    rc = chan_log_append(c, leaf, x->m.public_id, "version", v->number, e);
out:
    sodium_memzero(key, sizeof key);
    return rc;
}

int chan_event_signature(struct chan *c, const struct memo_ctx *x, const char *action, int version,
                         const char *username, const char *salt, struct err *e)
{
    int rc = -1;
    json_t *counts = NULL, *leaf;
    crypto_hash_sha256_state st;
    unsigned char h[32];
    char commitment[65];
    static const char label[] = "dissent-signer-v1\n";

    /* A salted commitment: the signer can later prove it was them (by
     * revealing the salt); nobody can test names against the log. */
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)label, sizeof label - 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)salt, strlen(salt));
    crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)x->m.public_id, strlen(x->m.public_id));
    crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)username, strlen(username));
    crypto_hash_sha256_final(&st, h);
    hex_encode(commitment, h, 32);
    if (chan_counts_combined(c, x->m.id, &counts, e))
        goto out;
    leaf = json_pack("{s:s,s:i,s:s,s:o}", "action", action, "version", version, "commitment",
                     commitment, "counts", counts);
    counts = NULL;
    rc = chan_log_append(c, leaf, x->m.public_id, "signature", version, e);
out:
    json_decref(counts);
    return rc;
}

int chan_event_state(struct chan *c, const struct memo_ctx *x, const char *event, struct err *e)
{
    const struct st_memo *m = &x->m;
    json_t *leaf = json_pack("{s:s,s:s,s:i}", "event", event, "state", chan_state_name(m->state),
                             "latest_version", m->latest_version);
    if (leaf && strcmp(event, "submitted") == 0) {
        json_object_set_new(leaf, "acknowledge_due", chan_time_json(m->ack_due));
        json_object_set_new(leaf, "answer_due", chan_time_json(m->answer_due));
    } else if (leaf && strcmp(event, "extended") == 0) {
        json_object_set_new(leaf, "answer_due", chan_time_json(m->answer_due));
        json_object_set_new(leaf, "reason_hash", sha256_hex_json(m->extension_reason));
    } else if (leaf && strcmp(event, "answered") == 0) {
        json_object_set_new(leaf, "answer_hash", sha256_hex_json(m->answer));
    }
    return chan_log_append(c, leaf, m->public_id, "state", 0, e);
}
