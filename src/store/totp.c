/* totp.c — the second factor's rows: each member's TOTP secret (sealed
 * under the data key, like memo text), the last time step used, the
 * one-time recovery codes (hashed), and pending logins between the password
 * and the code. */
#include "store/store_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The associated data of a member's sealed secret: a secret copied to
 * another member's row does not open. */
static void secret_ad(char out[STORE_AD_MAX], int64_t member_id)
{
    snprintf(out, STORE_AD_MAX, "dissent-totp-v1:member:%lld:secret", (long long)member_id);
}

static int seal_secret(struct pool *p, const unsigned char key[SEAL_KEY_SIZE], int64_t member_id,
                       const unsigned char *secret, size_t len, char **out, struct err *e)
{
    char ad[STORE_AD_MAX];
    secret_ad(ad, member_id);
    return seal_bytes(p, key, ad, secret, len, out, e);
}

int store_totp_put(struct store *s, int64_t member_id, const unsigned char *secret, size_t len,
                   int64_t now, struct err *e)
{
    int rc = -1;
    struct pool p;
    char *sealed = NULL;
    pool_init(&p, 1u << 16);
    if (len == 0 || len > STORE_TOTP_SECRET_MAX) {
        rc = err_set(e, ERR_INTERNAL, "a TOTP secret must be 1 to %d bytes", STORE_TOTP_SECRET_MAX);
        goto out;
    }
    if (seal_secret(&p, s->data_key, member_id, secret, len, &sealed, e))
        goto out;
    rc = db_exec(s->db, e,
                 "INSERT INTO totp(member_id, secret, confirmed, last_step, created_at) "
                 "VALUES(?, ?, 0, 0, ?) ON CONFLICT(member_id) DO UPDATE SET secret = "
                 "excluded.secret, confirmed = 0, last_step = 0, created_at = excluded.created_at",
                 "isi", member_id, sealed, now);
out:
    pool_release(&p);
    return rc;
}

int store_totp_get(struct store *s, int64_t member_id, struct st_totp *t, struct err *e)
{
    int rc = -1, r;
    char ad[STORE_AD_MAX], *plain = NULL;
    size_t len = 0;
    struct pool p;
    struct db_stmt *st = NULL;

    memset(t, 0, sizeof *t);
    pool_init(&p, 1u << 16);
    st = db_query(s->db, e, "SELECT secret, confirmed, last_step FROM totp WHERE member_id = ?",
                  "i", member_id);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r == 0) {
        rc = 0;
        goto out;
    }
    secret_ad(ad, member_id);
    if (!db_text(st, 0) || seal_open(&p, s->data_key, ad, db_text(st, 0), &plain, &len, e))
        goto out;
    if (len == 0 || len > STORE_TOTP_SECRET_MAX) {
        rc = err_set(e, ERR_CRYPTO, "a stored TOTP secret is malformed");
        goto out;
    }
    memcpy(t->secret, plain, len);
    t->secret_len = len;
    t->found = 1;
    t->confirmed = db_int(st, 1) != 0;
    t->last_step = db_int(st, 2);
    rc = 0;
out:
    if (plain)
        sodium_memzero(plain, len);
    db_finish(st);
    pool_release(&p);
    return rc;
}

int store_totp_confirmed(struct store *s, int64_t member_id, int *confirmed, struct err *e)
{
    int64_t n = 0;
    int rc = db_scalar(s->db, e, 0, &n, "SELECT confirmed FROM totp WHERE member_id = ?", "i",
                       member_id);
    *confirmed = rc == 0 && n != 0;
    return rc;
}

int store_totp_used(struct store *s, int64_t member_id, int64_t step, int confirm, struct err *e)
{
    return db_exec(s->db, e,
                   "UPDATE totp SET last_step = ?, confirmed = CASE WHEN ? = 1 THEN 1 ELSE "
                   "confirmed END WHERE member_id = ?",
                   "iii", step, (int64_t)(confirm != 0), member_id);
}

int store_totp_delete(struct store *s, int64_t member_id, struct err *e)
{
    if (db_exec(s->db, e, "DELETE FROM totp_recovery WHERE member_id = ?", "i", member_id) ||
        db_exec(s->db, e, "DELETE FROM totp WHERE member_id = ?", "i", member_id) ||
        store_login_pending_end(s, member_id, e))
        return -1;
    return 0;
}

int store_totp_codes_put(struct store *s, int64_t member_id, const unsigned char (*hashes)[32],
                         size_t n, struct err *e)
{
    if (db_exec(s->db, e, "DELETE FROM totp_recovery WHERE member_id = ?", "i", member_id))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (db_exec(s->db, e, "INSERT INTO totp_recovery(member_id, code_hash) VALUES(?, ?)", "ib",
                    member_id, hashes[i], (size_t)32))
            return -1;
    return 0;
}

int store_totp_code_use(struct store *s, int64_t member_id, const unsigned char hash[32],
                        int64_t now, int *used, struct err *e)
{
    *used = 0;
    if (db_exec(s->db, e,
                "UPDATE totp_recovery SET used_at = ? WHERE member_id = ? AND code_hash = ? AND "
                "used_at IS NULL",
                "iib", now, member_id, hash, (size_t)32))
        return -1;
    *used = db_changes(s->db) == 1;
    return 0;
}

int store_totp_codes_left(struct store *s, int64_t member_id, int64_t *n, struct err *e)
{
    return db_scalar(s->db, e, 0, n,
                     "SELECT COUNT(*) FROM totp_recovery WHERE member_id = ? AND used_at IS NULL",
                     "i", member_id);
}

int store_totp_rotate(struct store *s, struct pool *p, const unsigned char fresh[SEAL_KEY_SIZE],
                      struct err *e)
{
    int rc = -1;
    struct st_totp t;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    char *sealed = NULL;
    struct db_stmt *st = db_query(s->db, e, "SELECT member_id FROM totp ORDER BY member_id", NULL);
    if (!st)
        goto out;
    for (;;) {
        int r = db_next(st, e);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        if (n == cap) {
            int64_t *more = pool_alloc(p, (cap ? 2 * cap : 16) * sizeof *more);
            if (!more) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                goto out;
            }
            if (n)
                memcpy(more, ids, n * sizeof *ids);
            ids = more;
            cap = cap ? 2 * cap : 16;
        }
        ids[n++] = db_int(st, 0);
    }
    db_finish(st);
    st = NULL;
    for (size_t i = 0; i < n; i++) {
        int r;
        if (store_totp_get(s, ids[i], &t, e))
            goto out;
        r = seal_secret(p, fresh, ids[i], t.secret, t.secret_len, &sealed, e);
        sodium_memzero(&t, sizeof t);
        if (r || db_exec(s->db, e, "UPDATE totp SET secret = ? WHERE member_id = ?", "si", sealed,
                         ids[i]))
            goto out;
    }
    rc = 0;
out:
    db_finish(st);
    return rc;
}

int store_login_pending_put(struct store *s, const unsigned char token_hash[32], int64_t member_id,
                            const char *client, int64_t now, int64_t expires_at, struct err *e)
{
    /* Pending logins that ran out go first: the table holds live ones only. */
    if (db_exec(s->db, e, "DELETE FROM login_pending WHERE expires_at <= ?", "i", now) ||
        db_exec(s->db, e,
                "INSERT INTO login_pending(token_hash, member_id, client, tries, expires_at) "
                "VALUES(?, ?, ?, 0, ?)",
                "bisi", token_hash, (size_t)32, member_id, client, expires_at))
        return -1;
    return 0;
}

int store_login_pending_get(struct store *s, const unsigned char token_hash[32], int64_t now,
                            int64_t *member_id, int64_t *tries, struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st = db_query(
        s->db, e,
        "SELECT member_id, tries FROM login_pending WHERE token_hash = ? AND expires_at > ?", "bi",
        token_hash, (size_t)32, now);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r == 0) {
        rc = err_set(e, ERR_UNAUTHORIZED,
                     "this sign-in expired or was already used: start again with your password");
        goto out;
    }
    *member_id = db_int(st, 0);
    *tries = db_int(st, 1);
    rc = 0;
out:
    db_finish(st);
    return rc;
}

int store_login_pending_tried(struct store *s, const unsigned char token_hash[32], struct err *e)
{
    return db_exec(s->db, e, "UPDATE login_pending SET tries = tries + 1 WHERE token_hash = ?", "b",
                   token_hash, (size_t)32);
}

int store_login_pending_end(struct store *s, int64_t member_id, struct err *e)
{
    return db_exec(s->db, e, "DELETE FROM login_pending WHERE member_id = ?", "i", member_id);
}

int store_login_pending_delete(struct store *s, const unsigned char token_hash[32], struct err *e)
{
    return db_exec(s->db, e, "DELETE FROM login_pending WHERE token_hash = ?", "b", token_hash,
                   (size_t)32);
}
