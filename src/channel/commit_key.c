/* commit_key.c — the commitment key: one key, one purpose.
 *
 * The salts of the commitments to private text (answers, extension
 * reasons: proto_text_salt) and of named signers' commitments
 * (proto_signer_salt) are derived, not stored, from a server secret. Up to
 * this key that secret was the log's signing seed, so whoever held log.key
 * (the operator, a key-directory backup) could re-derive every salt and test
 * guesses again, and rotating the log key would have changed new salts.
 * Now they come from commit.key, 32 random bytes in the key directory, used
 * for nothing else.
 *
 * Commitments published before this key existed keep verifying: nothing
 * stored changes; a signer's earlier commitment is recognized in the log
 * and keeps its (log-seed) salt (chan_signer_salt), so it stays the same
 * across moves and re-signatures and their receipt still opens it. */
#include "base/util.h"
#include "channel/chan_internal.h"
#include "proto/commit.h"
#include "proto/events.h"
#include "store/keydir.h"

#include <sodium.h>
#include <string.h>

#define META_COMMIT_KEY_ID "commit_key_id"
/* The log's size when the key came into use: every leaf from there on was
 * made with it, so an older commitment can only be in a leaf below. */
#define META_COMMIT_KEY_SINCE "commit_key_since"

/* The key's public name: hex of BLAKE2b-128("dissent-commit-key-id", key). */
static void key_id(const unsigned char key[32], char out[33])
{
    static const char label[] = "dissent-commit-key-id";
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)label, sizeof label - 1, key, 32);
    hex_encode(out, h, sizeof h);
}

int chan_commit_key_load(struct chan *c, struct err *e)
{
    int rc = -1, found = 0, made = 0;
    const struct keydir *kd = store_keydir(c->st);
    unsigned char buf[256];
    char hex[66], id[33], *want = NULL, *since = NULL, num[24];
    int64_t size = 0;
    size_t len = 0;
    struct pool p;

    pool_init(&p, 1 << 12);
    if (store_begin(c->st, e))
        goto out;
    if (store_meta_get(c->st, &p, META_COMMIT_KEY_ID, &want, e) ||
        keydir_read(kd, KEYDIR_COMMIT_KEY, buf, sizeof buf, &len, &found, e))
        goto fail;
    if (found) {
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            len--;
        buf[len < sizeof buf ? len : sizeof buf - 1] = '\0';
        if (len != 64 || hex_decode(c->commit_key, sizeof c->commit_key, (const char *)buf) != 0) {
            err_set(e, ERR_INVALID, "the key file %s/%s is not 64 hex digits", kd->path,
                    KEYDIR_COMMIT_KEY);
            goto fail;
        }
    } else if (want) {
        err_set(e, ERR_NOT_FOUND,
                "there is no %s in the key directory %s, and this database's commitments were "
                "made with one: restore the key directory from the backup",
                KEYDIR_COMMIT_KEY, kd->path);
        goto fail;
    } else {
        /* A new installation, or one from before this key (dissent migrate,
         * or the first start after the upgrade). */
        randombytes_buf(c->commit_key, sizeof c->commit_key);
        hex_encode(hex, c->commit_key, sizeof c->commit_key);
        hex[64] = '\n';
        if (keydir_write(kd, KEYDIR_COMMIT_KEY, (const unsigned char *)hex, 65, e))
            goto fail;
        made = 1;
    }
    key_id(c->commit_key, id);
    if (want && strcmp(want, id) != 0) {
        err_set(e, ERR_CRYPTO,
                "the commitment key in %s/%s is not the one this database's commitments were "
                "made with (database: key id %.16s…, file: %.16s…): use the key directory that "
                "belongs to this database",
                kd->path, KEYDIR_COMMIT_KEY, want, id);
        goto fail;
    }
    if (!want && store_meta_set(c->st, META_COMMIT_KEY_ID, id, e))
        goto fail;
    /* Where the older commitments end. An installation that recorded the
     * key before this bound existed gets the log's size now: a bound that
     * may be late, never early (the key was made before). */
    if (store_meta_get(c->st, &p, META_COMMIT_KEY_SINCE, &since, e))
        goto fail;
    if (since) {
        if (parse_i64(since, 0, INT64_MAX, &c->commit_key_since)) {
            err_set(e, ERR_DB, "the database's %s is not a number", META_COMMIT_KEY_SINCE);
            goto fail;
        }
    } else {
        if (store_tlog_size(c->st, &size, e))
            goto fail;
        snprintf(num, sizeof num, "%lld", (long long)size);
        if (store_meta_set(c->st, META_COMMIT_KEY_SINCE, num, e))
            goto fail;
        c->commit_key_since = size;
    }
    if (store_commit(c->st, e))
        goto fail;
    if (made)
        c->commit_key_made = 1;
    rc = 0;
    goto out;
fail:
    store_rollback(c->st);
out:
    sodium_memzero(buf, sizeof buf);
    sodium_memzero(hex, sizeof hex);
    pool_release(&p);
    return rc;
}

/* Is commitment among the memo's signature leaves? */
static int in_leaves(const struct st_leaf *l, size_t n, const char *commitment)
{
    char needle[96];
    snprintf(needle, sizeof needle, "\"commitment\":\"%s\"", commitment);
    for (size_t i = 0; i < n; i++)
        if (strstr(l[i].data, needle))
            return 1;
    return 0;
}

int chan_signer_salt(struct chan *c, struct pool *p, const char *memo, const char *username,
                     char **salt, struct err *e)
{
    char legacy[PROTO_COMMIT_HEX], commitment[65];
    struct st_leaf *l = NULL;
    size_t n = 0;
    *salt = pool_alloc(p, PROTO_COMMIT_HEX);
    if (!*salt)
        return err_set(e, ERR_NOMEM, "out of memory");
    /* A signer whose commitment was published under the old derivation
     * keeps it: the same commitment on every leaf, and their receipt still
     * opens the old ones. */
    proto_signer_salt(c->log_key.sk, memo, username, legacy);
    proto_signer_commitment(legacy, memo, username, commitment);
    /* only the leaves made before the key: none on a new installation (a
     * signature's write no longer reads every signature leaf of the memo) */
    if (store_tlog_memo_leaves_before(c->st, p, memo, "signature", c->commit_key_since, &l, &n, e))
        return -1;
    if (in_leaves(l, n, commitment)) {
        memcpy(*salt, legacy, PROTO_COMMIT_HEX);
        return 0;
    }
    proto_signer_salt(c->commit_key, memo, username, *salt);
    return 0;
}
