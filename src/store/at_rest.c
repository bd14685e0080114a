/* at_rest.c — encryption at rest: the installation's data key, each memo's
 * own key wrapped by it, the sealing of memo text, and the migration of a
 * database written before (plaintext rows, the log key in meta).
 *
 * What is sealed (seal.h) and the associated data that binds it to its row:
 *   memos.data_key            "dissent:v1:memo-key:memo=<id>"      (by the data key)
 *   versions.title/body/verify_key  "dissent:v1:memo=<id>:version=<n>:<field>"
 *   memos.answer/extension_reason   "dissent:v1:memo=<id>:<field>"
 *   messages.body             "dissent:v1:memo=<id>:message=<id>:body"
 * (the rest by the memo's key). meta('data_key_id') names the data key the
 * database is sealed with (seal_key_id), meta('at_rest') = '1' says every
 * row is sealed. */
#include "store/db_driver.h"
#include "store/store_internal.h"

#include "base/log.h"
#include "base/util.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define META_DATA_KEY_ID "data_key_id"
#define META_AT_REST     "at_rest"
#define META_LOG_SIGNER  "log_signer" /* where dissent before 0.2 kept the log key */

void store_ad(char out[STORE_AD_MAX], int64_t memo_id, const char *row, int64_t row_no,
              const char *field)
{
    if (row)
        snprintf(out, STORE_AD_MAX, "dissent:v1:memo=%lld:%s=%lld:%s", (long long)memo_id, row,
                 (long long)row_no, field);
    else
        snprintf(out, STORE_AD_MAX, "dissent:v1:memo=%lld:%s", (long long)memo_id, field);
}

static void key_ad(char out[STORE_AD_MAX], int64_t memo_id)
{
    snprintf(out, STORE_AD_MAX, "dissent:v1:memo-key:memo=%lld", (long long)memo_id);
}

int store_seal_text(struct pool *p, const unsigned char key[SEAL_KEY_SIZE], const char *ad,
                    const char *plain, char **out, struct err *e)
{
    *out = NULL;
    return plain ? seal_bytes(p, key, ad, plain, strlen(plain), out, e) : 0;
}

int store_open_text(struct pool *p, const unsigned char key[SEAL_KEY_SIZE], const char *ad,
                    const char *sealed, char **out, struct err *e)
{
    int rc = 0;
    size_t len = 0;
    *out = NULL;
    if (sealed) {
        rc = seal_open(p, key, ad, sealed, out, &len, e);
        if (rc == 0 && memchr(*out, '\0', len))
            rc = err_set(e, ERR_CRYPTO, "a stored text holds a NUL byte (%s)", ad);
    }
    return rc;
}

int store_memo_key_unwrap(struct store *s, int64_t memo_id, const char *wrapped,
                          unsigned char key[SEAL_KEY_SIZE], struct err *e)
{
    int rc = -1;
    char ad[STORE_AD_MAX], *plain = NULL;
    size_t len = 0;
    struct pool p;

    pool_init(&p, 1 << 12);
    if (!wrapped) {
        rc = err_set(e, ERR_DB, "memo %lld has no key (run 'dissent migrate')", (long long)memo_id);
        goto out;
    }
    key_ad(ad, memo_id);
    if (seal_open(&p, s->data_key, ad, wrapped, &plain, &len, e))
        goto out;
    if (len != SEAL_KEY_SIZE) {
        rc = err_set(e, ERR_CRYPTO, "the key of memo %lld is malformed", (long long)memo_id);
        goto out;
    }
    memcpy(key, plain, SEAL_KEY_SIZE);
    rc = 0;
out:
    if (plain)
        sodium_memzero(plain, len);
    pool_release(&p);
    return rc;
}

int store_memo_key(struct store *s, int64_t memo_id, unsigned char key[SEAL_KEY_SIZE],
                   struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st;
    if (memo_id && memo_id == s->new_key_memo) { /* made in this transaction */
        memcpy(key, s->new_key, SEAL_KEY_SIZE);
        return 0;
    }
    st = db_query(s->db, e, "SELECT data_key FROM memos WHERE id = ?", "i", memo_id);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "no memo %lld", (long long)memo_id);
        goto out;
    }
    rc = store_memo_key_unwrap(s, memo_id, db_text(st, 0), key, e);
out:
    db_finish(st);
    return rc;
}

int store_memo_key_new(struct store *s, int64_t memo_id, unsigned char key[SEAL_KEY_SIZE],
                       struct err *e)
{
    int rc = -1;
    char ad[STORE_AD_MAX], *wrapped = NULL;
    struct pool p;

    pool_init(&p, 1 << 12);
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    key_ad(ad, memo_id);
    if (seal_bytes(&p, s->data_key, ad, key, SEAL_KEY_SIZE, &wrapped, e) ||
        db_exec_later(s->db, e, "UPDATE memos SET data_key = ? WHERE id = ?", "si", wrapped,
                      memo_id))
        goto out;
    store_forget_new_key(s);
    memcpy(s->new_key, key, SEAL_KEY_SIZE);
    s->new_key_memo = memo_id;
    rc = 0;
out:
    if (rc)
        sodium_memzero(key, SEAL_KEY_SIZE);
    pool_release(&p);
    return rc;
}

/* Parses the text of data.key: 64 hex digits, then optional whitespace. */
static int parse_data_key(const struct keydir *k, const unsigned char *buf, size_t len,
                          unsigned char key[SEAL_KEY_SIZE], struct err *e)
{
    char hex[2 * SEAL_KEY_SIZE + 1];
    int rc = -1;
    for (size_t i = 2 * SEAL_KEY_SIZE; i < len; i++)
        if (!isspace(buf[i]))
            goto bad;
    if (len < 2 * SEAL_KEY_SIZE)
        goto bad;
    memcpy(hex, buf, 2 * SEAL_KEY_SIZE);
    hex[2 * SEAL_KEY_SIZE] = '\0';
    if (hex_decode(key, SEAL_KEY_SIZE, hex))
        goto bad;
    rc = 0;
    goto out;
bad:
    err_set(e, ERR_INVALID, "the key file %s/%s is not 64 hex digits", k->path, KEYDIR_DATA_KEY);
out:
    sodium_memzero(hex, sizeof hex);
    return rc;
}

/* A rotation that committed but was stopped before data.key.new replaced
 * data.key: when data.key.new is the database's key, finish it (id is
 * updated). Returns -1 only on a failure to read or rename. */
static int finish_rotation(struct store *s, const char *want, char id[SEAL_KEY_ID_LEN + 1],
                           struct err *e)
{
    int rc = -1, found = 0;
    unsigned char buf[256], key[SEAL_KEY_SIZE];
    char new_id[SEAL_KEY_ID_LEN + 1];
    size_t len = 0;

    if (keydir_read(&s->keys, KEYDIR_DATA_KEY_NEW, buf, sizeof buf, &len, &found, e))
        goto out;
    if (found && parse_data_key(&s->keys, buf, len, key, e) == 0) {
        seal_key_id(key, new_id);
        if (strcmp(new_id, want) == 0) {
            if (keydir_replace(&s->keys, KEYDIR_DATA_KEY_NEW, KEYDIR_DATA_KEY, e))
                goto out;
            memcpy(s->data_key, key, SEAL_KEY_SIZE);
            memcpy(id, new_id, sizeof new_id);
            log_warn("finished an interrupted rotation of the data key: %s/%s replaced %s",
                     s->keys.path, KEYDIR_DATA_KEY_NEW, KEYDIR_DATA_KEY);
        }
    }
    rc = 0;
out:
    sodium_memzero(buf, sizeof buf);
    sodium_memzero(key, sizeof key);
    return rc;
}

/* In the caller's transaction: loads data.key into s->data_key, or makes
 * one for a database that has none yet, and checks it is the database's. */
static int data_key_load(struct store *s, struct err *e)
{
    int rc = -1, found = 0;
    unsigned char buf[256];
    char hex[2 * SEAL_KEY_SIZE + 2], id[SEAL_KEY_ID_LEN + 1], *want = NULL;
    size_t len = 0;
    struct pool p;

    pool_init(&p, 1 << 12);
    if (store_meta_get(s, &p, META_DATA_KEY_ID, &want, e) ||
        keydir_read(&s->keys, KEYDIR_DATA_KEY, buf, sizeof buf, &len, &found, e))
        goto out;
    if (found) {
        if (parse_data_key(&s->keys, buf, len, s->data_key, e))
            goto out;
    } else if (want) {
        rc = err_set(e, ERR_NOT_FOUND,
                     "there is no %s in the key directory %s, and this database's memos are "
                     "encrypted with one: restore the key directory from the backup",
                     KEYDIR_DATA_KEY, s->keys.path);
        goto out;
    } else {
        crypto_aead_xchacha20poly1305_ietf_keygen(s->data_key);
        hex_encode(hex, s->data_key, SEAL_KEY_SIZE);
        hex[2 * SEAL_KEY_SIZE] = '\n';
        if (keydir_write(&s->keys, KEYDIR_DATA_KEY, (unsigned char *)hex, 2 * SEAL_KEY_SIZE + 1, e))
            goto out;
    }
    seal_key_id(s->data_key, id);
    if (want && strcmp(want, id) != 0 && finish_rotation(s, want, id, e))
        goto out;
    if (want && strcmp(want, id) != 0) {
        rc = err_set(e, ERR_CRYPTO,
                     "the data key in %s/%s is not the one this database is encrypted with "
                     "(database: key id %.16s…, file: %.16s…): use the key directory that "
                     "belongs to this database",
                     s->keys.path, KEYDIR_DATA_KEY, want, id);
        goto out;
    }
    if (!want && store_meta_set(s, META_DATA_KEY_ID, id, e))
        goto out;
    rc = 0;
out:
    sodium_memzero(buf, sizeof buf);
    sodium_memzero(hex, sizeof hex);
    pool_release(&p);
    return rc;
}

/* In the caller's transaction: *done = 1 when every row is sealed (a new,
 * empty database is marked so here); *old_key = 1 when meta still holds
 * the log key. */
static int at_rest_state(struct store *s, int *done, int *old_key, struct err *e)
{
    int rc = -1;
    int64_t memos = 0;
    char *flag = NULL, *key = NULL;
    struct pool p;

    pool_init(&p, 1 << 12);
    *done = *old_key = 0;
    if (store_meta_get(s, &p, META_AT_REST, &flag, e) ||
        store_meta_get(s, &p, META_LOG_SIGNER, &key, e) ||
        db_scalar(s->db, e, 0, &memos, "SELECT COUNT(*) FROM memos", NULL))
        goto out;
    *old_key = key != NULL;
    if (flag && strcmp(flag, "1") == 0) {
        *done = 1;
    } else if (memos == 0 && !key) {
        if (store_meta_set(s, META_AT_REST, "1", e))
            goto out;
        *done = 1;
    }
    rc = 0;
out:
    if (key)
        sodium_memzero(key, strlen(key));
    pool_release(&p);
    return rc;
}

int store_keys_open(struct store *s, const char *keys_path, const char *db_url, struct err *e)
{
    int rc = -1;
    char path[KEYDIR_PATH_MAX];

    if (keys_path && *keys_path) {
        if (snprintf(path, sizeof path, "%s", keys_path) >= (int)sizeof path) {
            rc = err_set(e, ERR_TOO_LARGE, "the key directory's path is too long");
            goto out;
        }
    } else if (keydir_default_path(db_url, path, sizeof path, e)) {
        goto out;
    }
    if (keydir_open(&s->keys, path, e))
        goto out;
    rc = 0;
out:
    return rc;
}

int store_at_rest_open(struct store *s, int flags, struct err *e)
{
    int rc = -1, done = 0, old_key = 0;

    if (db_begin(s->db, e))
        goto out;
    if (data_key_load(s, e) || at_rest_state(s, &done, &old_key, e) || db_commit(s->db, e)) {
        db_rollback(s->db);
        goto out;
    }
    if (!done && !(flags & STORE_OPEN_UNMIGRATED)) {
        rc = err_set(e, ERR_STATE,
                     "this database was written by an older dissent: its memo text is not "
                     "encrypted%s; run 'dissent migrate' with the same --db and --keys first",
                     old_key ? " and it holds the log's signing key" : "");
        goto out;
    }
    rc = 0;
out:
    return rc;
}

/* Seals one column of every row of a query of (row id, value) in place.
 * Rows are read in full first, then updated. */
struct plain_row {
    int64_t id, memo_id, number;
    char *value;
};

static int plain_row_fill(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct plain_row *r = item;
    r->id = db_int(st, 0);
    r->memo_id = db_int(st, 1);
    r->number = db_int(st, 2);
    return store_col_text(p, st, 3, &r->value, e);
}

/* The key of memo memo_id, made when it has none (a memo of before). */
static int migrate_memo_key(struct store *s, int64_t memo_id, unsigned char key[SEAL_KEY_SIZE],
                            int64_t *made, struct err *e)
{
    int rc = -1, r;
    int has = 0;
    struct db_stmt *st =
        db_query(s->db, e, "SELECT data_key IS NOT NULL FROM memos WHERE id = ?", "i", memo_id);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    has = r == 1 && db_int(st, 0);
    db_finish(st);
    st = NULL;
    if (has)
        rc = store_memo_key(s, memo_id, key, e);
    else if ((rc = store_memo_key_new(s, memo_id, key, e)) == 0)
        (*made)++;
out:
    db_finish(st);
    return rc;
}

/* Seals the plaintext values of one column, reading (id, memo_id, number,
 * value) rows from select_sql and writing with update_sql (value, id…). */
static int migrate_column(struct store *s, struct pool *p, const char *select_sql,
                          const char *update_sql, const char *row, const char *field,
                          int64_t *count, int64_t *keys_made, struct err *e)
{
    int rc = -1;
    struct store_vec v = {0};
    unsigned char key[SEAL_KEY_SIZE];
    char ad[STORE_AD_MAX], *sealed = NULL;

    if (store_rows(s, p, &v, sizeof(struct plain_row), plain_row_fill, e, select_sql, NULL))
        goto out;
    for (size_t i = 0; i < v.n; i++) {
        struct plain_row *r = (struct plain_row *)v.items + i;
        if (!r->value)
            continue;
        if (migrate_memo_key(s, r->memo_id, key, keys_made, e))
            goto out;
        if (strcmp(row, "memo") == 0)
            store_ad(ad, r->memo_id, NULL, 0, field);
        else
            store_ad(ad, r->memo_id, row, r->number, field);
        if (store_seal_text(p, key, ad, r->value, &sealed, e))
            goto out;
        sodium_memzero(key, sizeof key);
        if (strcmp(row, "version") == 0) {
            if (db_exec(s->db, e, update_sql, "sii", sealed, r->memo_id, r->number))
                goto out;
        } else if (db_exec(s->db, e, update_sql, "si", sealed, r->id)) {
            goto out;
        }
        sodium_memzero(r->value, strlen(r->value));
        (*count)++;
    }
    rc = 0;
out:
    sodium_memzero(key, sizeof key);
    return rc;
}

/* Moves meta('log_signer') to the key directory (or checks it is there). */
static int migrate_log_key(struct store *s, struct pool *p, int *moved, struct err *e)
{
    int rc = -1, found = 0;
    char *key = NULL;
    unsigned char buf[512];
    size_t len = 0, klen = 0;

    if (store_meta_get(s, p, META_LOG_SIGNER, &key, e))
        goto out;
    if (!key) {
        rc = 0;
        goto out;
    }
    klen = strlen(key);
    if (keydir_read(&s->keys, KEYDIR_LOG_KEY, buf, sizeof buf, &len, &found, e))
        goto out;
    if (found) {
        /* A migration stopped after writing the file: it must hold this key. */
        while (len > 0 && isspace(buf[len - 1]))
            len--;
        if (len != klen || sodium_memcmp(buf, key, klen) != 0) {
            rc = err_set(e, ERR_CONFLICT,
                         "%s/%s holds another log key than this database: move it away "
                         "(it may be another installation's) and run migrate again",
                         s->keys.path, KEYDIR_LOG_KEY);
            goto out;
        }
    } else {
        char *line = pool_printf(p, "%s\n", key);
        if (!line) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        rc = keydir_write(&s->keys, KEYDIR_LOG_KEY, (unsigned char *)line, klen + 1, e);
        sodium_memzero(line, klen + 1);
        if (rc)
            goto out;
        rc = -1;
    }
    if (db_exec(s->db, e, "DELETE FROM meta WHERE key = ?", "s", META_LOG_SIGNER))
        goto out;
    *moved = 1;
    rc = 0;
out:
    sodium_memzero(buf, sizeof buf);
    if (key)
        sodium_memzero(key, klen);
    return rc;
}

/* The plaintext an UPDATE replaced may linger in free space of the
 * database files: rewrite them (SQLite: VACUUM, then empty the WAL;
 * PostgreSQL: VACUUM FULL of the tables that held text). A failure here
 * leaves the migration done, with a warning. */
static void scrub(struct store *s)
{
    struct err e;
    const char *sql = strcmp(s->db->ops->name, "sqlite") == 0
                          ? "VACUUM; PRAGMA wal_checkpoint(TRUNCATE);"
                          : "VACUUM FULL memos, versions, messages, meta";
    err_init(&e);
    if (db_exec_script(s->db, sql, &e))
        log_warn("after the migration, rewriting the database files failed (%s): old plaintext "
                 "may remain in their free space until the database is vacuumed",
                 e.msg);
}

int store_at_rest_migrate(struct store *s, struct store_migration *r, struct err *e)
{
    int rc = -1, done = 0, old_key = 0;
    struct pool p;

    memset(r, 0, sizeof *r);
    pool_init(&p, 1u << 30);
    if (db_begin(s->db, e))
        goto out;
    if (at_rest_state(s, &done, &old_key, e))
        goto fail;
    if (done && !old_key) {
        r->already = 1;
        if (db_commit(s->db, e))
            goto fail;
        rc = 0;
        goto out;
    }
    if (migrate_log_key(s, &p, &r->log_key_moved, e))
        goto fail;
    /* Rows are sealed all at once in this transaction, so a database is
     * either all plaintext (no 'at_rest' flag) or all sealed. */
    if (!done &&
        (migrate_column(s, &p, "SELECT memo_id, memo_id, number, title FROM versions",
                        "UPDATE versions SET title = ? WHERE memo_id = ? AND number = ?", "version",
                        "title", &r->values, &r->memo_keys, e) ||
         migrate_column(s, &p, "SELECT memo_id, memo_id, number, body FROM versions",
                        "UPDATE versions SET body = ? WHERE memo_id = ? AND number = ?", "version",
                        "body", &r->values, &r->memo_keys, e) ||
         migrate_column(s, &p, "SELECT memo_id, memo_id, number, verify_key FROM versions",
                        "UPDATE versions SET verify_key = ? WHERE memo_id = ? AND number = ?",
                        "version", "verify_key", &r->values, &r->memo_keys, e) ||
         migrate_column(s, &p, "SELECT id, id, 0, answer FROM memos",
                        "UPDATE memos SET answer = ? WHERE id = ?", "memo", "answer", &r->values,
                        &r->memo_keys, e) ||
         migrate_column(s, &p, "SELECT id, id, 0, extension_reason FROM memos",
                        "UPDATE memos SET extension_reason = ? WHERE id = ?", "memo",
                        "extension_reason", &r->values, &r->memo_keys, e) ||
         migrate_column(s, &p, "SELECT id, memo_id, id, body FROM messages",
                        "UPDATE messages SET body = ? WHERE id = ?", "message", "body", &r->values,
                        &r->memo_keys, e)))
        goto fail;
    /* Memos with no text to seal still get their key. */
    {
        struct store_vec v = {0};
        unsigned char key[SEAL_KEY_SIZE];
        if (store_rows(s, &p, &v, sizeof(struct plain_row), plain_row_fill, e,
                       "SELECT id, id, 0, NULL FROM memos WHERE data_key IS NULL", NULL))
            goto fail;
        for (size_t i = 0; i < v.n; i++) {
            if (migrate_memo_key(s, ((struct plain_row *)v.items)[i].memo_id, key, &r->memo_keys,
                                 e))
                goto fail;
            sodium_memzero(key, sizeof key);
        }
    }
    if (store_meta_set(s, META_AT_REST, "1", e) || db_commit(s->db, e))
        goto fail;
    scrub(s);
    rc = 0;
    goto out;
fail:
    db_rollback(s->db);
out:
    pool_release(&p);
    return rc;
}

/* One memo's wrapped key, for the rotation. */
struct wrapped_row {
    int64_t id;
    char *wrapped;
};

static int wrapped_row_fill(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct wrapped_row *r = item;
    r->id = db_int(st, 0);
    return store_col_text(p, st, 1, &r->wrapped, e);
}

int store_rotate_data_key(struct store *s, int64_t *memos, struct err *e)
{
    int rc = -1;
    unsigned char fresh[SEAL_KEY_SIZE], key[SEAL_KEY_SIZE];
    char hex[2 * SEAL_KEY_SIZE + 2], id[SEAL_KEY_ID_LEN + 1], ad[STORE_AD_MAX], *wrapped = NULL;
    struct store_vec v = {0};
    struct pool p;

    *memos = 0;
    pool_init(&p, 1u << 28);
    crypto_aead_xchacha20poly1305_ietf_keygen(fresh);
    hex_encode(hex, fresh, SEAL_KEY_SIZE);
    hex[2 * SEAL_KEY_SIZE] = '\n';
    /* A data.key.new of a rotation that never committed is not the
     * database's key (the open checked data.key is): it can go. */
    if (keydir_remove(&s->keys, KEYDIR_DATA_KEY_NEW, e) ||
        keydir_write(&s->keys, KEYDIR_DATA_KEY_NEW, (unsigned char *)hex, 2 * SEAL_KEY_SIZE + 1, e))
        goto out;
    if (db_begin(s->db, e))
        goto out;
    if (store_rows(s, &p, &v, sizeof(struct wrapped_row), wrapped_row_fill, e,
                   "SELECT id, data_key FROM memos ORDER BY id", NULL))
        goto fail;
    for (size_t i = 0; i < v.n; i++) {
        struct wrapped_row *r = (struct wrapped_row *)v.items + i;
        if (store_memo_key_unwrap(s, r->id, r->wrapped, key, e))
            goto fail;
        key_ad(ad, r->id);
        rc = seal_bytes(&p, fresh, ad, key, SEAL_KEY_SIZE, &wrapped, e);
        sodium_memzero(key, sizeof key);
        if (rc ||
            db_exec(s->db, e, "UPDATE memos SET data_key = ? WHERE id = ?", "si", wrapped, r->id)) {
            rc = -1;
            goto fail;
        }
        (*memos)++;
    }
    if (store_totp_rotate(s, &p, fresh, e))
        goto fail;
    seal_key_id(fresh, id);
    if (store_meta_set(s, META_DATA_KEY_ID, id, e) || db_commit(s->db, e))
        goto fail;
    memcpy(s->data_key, fresh, SEAL_KEY_SIZE);
    if (keydir_replace(&s->keys, KEYDIR_DATA_KEY_NEW, KEYDIR_DATA_KEY, e))
        goto out; /* the next open finishes it (finish_rotation) */
    scrub(s);     /* old wrapped keys out of free pages */
    rc = 0;
    goto out;
fail:
    db_rollback(s->db);
    rc = -1;
out:
    sodium_memzero(fresh, sizeof fresh);
    sodium_memzero(hex, sizeof hex);
    pool_release(&p);
    return rc;
}

const struct keydir *store_keydir(struct store *s)
{
    return &s->keys;
}
