/* accounts.c — setup links, recovery codes, account events, sign-in
 * throttling rows and the activity of sessions. */
#include "store/store_internal.h"

#include <string.h>

int store_setup_put(struct store *s, int64_t member_id, const unsigned char token_hash[32],
                    const char *kind, int64_t now, int64_t expires_at, struct err *e)
{
    int rc = store_setup_delete(s, member_id, e);
    if (rc == 0)
        rc = db_exec(s->db, e,
                     "INSERT INTO account_setups(member_id, token_hash, kind, created_at, "
                     "expires_at) VALUES(?, ?, ?, ?, ?)",
                     "ibsii", member_id, token_hash, (size_t)32, kind, now, expires_at);
    return rc;
}

int store_setup_find(struct store *s, struct pool *p, const unsigned char token_hash[32],
                     int64_t *member_id, char **kind, int64_t *expires_at, struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st = db_query(
        s->db, e, "SELECT member_id, kind, expires_at FROM account_setups WHERE token_hash = ?",
        "b", token_hash, (size_t)32);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "no such setup link");
        goto out;
    }
    *member_id = db_int(st, 0);
    *kind = store_col_dup(p, st, 1);
    *expires_at = db_int(st, 2);
    rc = *kind ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    db_finish(st);
    return rc;
}

int store_setup_delete(struct store *s, int64_t member_id, struct err *e)
{
    return db_exec(s->db, e, "DELETE FROM account_setups WHERE member_id = ?", "i", member_id);
}

int store_recovery_put(struct store *s, int64_t member_id, const unsigned char code_hash[32],
                       int64_t now, struct err *e)
{
    return db_exec(s->db, e,
                   "INSERT INTO account_recovery(member_id, code_hash, created_at) VALUES(?, ?, "
                   "?) ON CONFLICT(member_id) DO UPDATE SET code_hash = excluded.code_hash, "
                   "created_at = excluded.created_at",
                   "ibi", member_id, code_hash, (size_t)32, now);
}

int store_recovery_get(struct store *s, int64_t member_id, unsigned char code_hash[32], int *found,
                       struct err *e)
{
    int rc = -1, r;
    const void *b;
    size_t n = 0;
    struct db_stmt *st = db_query(
        s->db, e, "SELECT code_hash FROM account_recovery WHERE member_id = ?", "i", member_id);
    *found = 0;
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r == 1) {
        b = db_blob(st, 0, &n);
        if (!b || n != 32) {
            rc = err_set(e, ERR_DB, "a stored recovery code hash is malformed");
            goto out;
        }
        memcpy(code_hash, b, 32);
        *found = 1;
    }
    rc = 0;
out:
    db_finish(st);
    return rc;
}

int store_member_set_password(struct store *s, int64_t member_id, const char *hash, struct err *e)
{
    return db_exec(s->db, e, "UPDATE members SET password_hash = ? WHERE id = ?", "si", hash,
                   member_id);
}

int store_sessions_end(struct store *s, int64_t member_id, int64_t except_session, struct err *e)
{
    /* A pending login is a session waiting for its second factor: it ends
     * too, all of them (except_session is never one). */
    if (db_exec(s->db, e, "DELETE FROM sessions WHERE member_id = ? AND id <> ?", "ii", member_id,
                except_session) ||
        store_login_pending_end(s, member_id, e))
        return -1;
    return 0;
}

int store_session_id(struct store *s, const unsigned char token_hash[32], int64_t *id,
                     struct err *e)
{
    return db_scalar(s->db, e, 0, id, "SELECT id FROM sessions WHERE token_hash = ?", "b",
                     token_hash, (size_t)32);
}

int store_session_activity(struct store *s, int64_t session_id, int64_t *last, struct err *e)
{
    return db_scalar(s->db, e, 0, last,
                     "SELECT CASE WHEN last_seen > created_at THEN last_seen ELSE created_at END "
                     "FROM sessions WHERE id = ?",
                     "i", session_id);
}

int store_session_touch(struct store *s, int64_t session_id, int64_t now, struct err *e)
{
    return db_exec(s->db, e, "UPDATE sessions SET last_seen = ? WHERE id = ?", "ii", now,
                   session_id);
}

int store_sessions_purge(struct store *s, int64_t now, int64_t idle_since, struct err *e)
{
    return db_exec(s->db, e, STORE_SESSIONS_PURGE_SQL, "iii", now, idle_since, idle_since);
}

int store_account_event_add(struct store *s, int64_t member_id, const char *kind, const char *actor,
                            const char *detail, int64_t now, int seen, struct err *e)
{
    return db_exec(s->db, e,
                   "INSERT INTO account_events(member_id, kind, actor, detail, at, seen) "
                   "VALUES(?, ?, ?, ?, ?, ?)",
                   "isssii", member_id, kind, actor, detail, now, (int64_t)(seen != 0));
}

static int events_read(struct store *s, struct pool *p, const char *sql, int64_t who,
                       int only_unseen, int limit, struct st_account_event **out, size_t *n,
                       struct err *e);

int store_account_events(struct store *s, struct pool *p, int64_t member_id, int only_unseen,
                         int limit, struct st_account_event **out, size_t *n, struct err *e)
{
    /* 0: everyone's (a negative id matches no member, as before) */
    if (member_id != 0)
        return events_read(s, p, STORE_ACCOUNT_EVENTS_SQL(STORE_EVENTS_OF_MEMBER), member_id,
                           only_unseen, limit, out, n, e);
    return events_read(s, p, STORE_ACCOUNT_EVENTS_SQL(STORE_EVENTS_OF_ALL), INT64_MAX, only_unseen,
                       limit, out, n, e);
}

int store_account_events_before(struct store *s, struct pool *p, int64_t before, int limit,
                                struct st_account_event **out, size_t *n, struct err *e)
{
    return events_read(s, p, STORE_ACCOUNT_EVENTS_SQL(STORE_EVENTS_OF_ALL),
                       before > 0 ? before : INT64_MAX, 0, limit, out, n, e);
}

static int events_read(struct store *s, struct pool *p, const char *sql, int64_t who,
                       int only_unseen, int limit, struct st_account_event **out, size_t *n,
                       struct err *e)
{
    int rc = -1, r;
    size_t cap = limit > 0 ? (size_t)limit : 1, k = 0;
    struct st_account_event *ev = pool_alloc(p, cap * sizeof *ev);
    struct db_stmt *st = NULL;

    if (!ev) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    st = db_query(s->db, e, sql, "iii", who, (int64_t)only_unseen, (int64_t)limit);
    if (!st)
        goto out;
    while ((r = db_next(st, e)) == 1 && k < cap) {
        struct st_account_event *x = &ev[k++];
        x->id = db_int(st, 0);
        x->username = store_col_dup(p, st, 1);
        x->kind = store_col_dup(p, st, 2);
        x->actor = store_col_dup(p, st, 3);
        x->detail = store_col_dup(p, st, 4);
        x->at = db_int(st, 5);
        x->seen = (int)db_int(st, 6);
        if (!x->username || !x->kind || !x->detail) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    if (r < 0)
        goto out;
    *out = ev;
    *n = k;
    rc = 0;
out:
    db_finish(st);
    return rc;
}

int store_account_events_seen(struct store *s, int64_t member_id, struct err *e)
{
    return db_exec(s->db, e, "UPDATE account_events SET seen = 1 WHERE member_id = ? AND seen = 0",
                   "i", member_id);
}

int store_throttle_get(struct store *s, const char *username, const char *client, int64_t *failures,
                       int64_t *last_at, struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st = db_query(
        s->db, e, "SELECT failures, last_at FROM login_throttle WHERE username = ? AND client = ?",
        "ss", username, client);
    *failures = 0;
    *last_at = 0;
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r == 1) {
        *failures = db_int(st, 0);
        *last_at = db_int(st, 1);
    }
    rc = 0;
out:
    db_finish(st);
    return rc;
}

int store_throttle_client(struct store *s, const char *client, int64_t since, int64_t *failures,
                          struct err *e)
{
    return db_scalar(s->db, e, 0, failures,
                     "SELECT COALESCE(SUM(failures), 0) FROM login_throttle WHERE client = ? AND "
                     "last_at >= ?",
                     "si", client, since);
}

int store_throttle_fail(struct store *s, const char *username, const char *client, int64_t now,
                        struct err *e)
{
    return db_exec(s->db, e,
                   "INSERT INTO login_throttle(username, client, failures, last_at) VALUES(?, ?, "
                   "1, ?) ON CONFLICT(username, client) DO UPDATE SET failures = "
                   "login_throttle.failures + 1, last_at = excluded.last_at",
                   "ssi", username, client, now);
}

int store_throttle_clear(struct store *s, const char *username, const char *client, struct err *e)
{
    return db_exec(s->db, e, "DELETE FROM login_throttle WHERE username = ? AND client = ?", "ss",
                   username, client);
}

int store_throttle_trim(struct store *s, int64_t before, int64_t max_rows, struct err *e)
{
    int64_t n = 0;
    int rc = db_exec(s->db, e, "DELETE FROM login_throttle WHERE last_at < ?", "i", before);
    if (rc == 0)
        rc = store_throttle_rows(s, &n, e);
    if (rc == 0 && n > max_rows)
        rc = db_exec(s->db, e,
                     "DELETE FROM login_throttle WHERE (username, client) IN (SELECT username, "
                     "client FROM login_throttle ORDER BY last_at, username, client LIMIT ?)",
                     "i", n - max_rows);
    return rc;
}

int store_throttle_rows(struct store *s, int64_t *n, struct err *e)
{
    return db_scalar(s->db, e, 0, n, "SELECT COUNT(*) FROM login_throttle", NULL);
}
