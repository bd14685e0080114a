/* members.c — organizations, members, sessions and login throttling rows. */
#include "store/store_internal.h"

#define MEMBER_COLS                                                                                \
    "m.id, m.username, m.display_name, m.org_id, o.slug, m.roles, m.password_hash, m.disabled"

int store_org_insert(struct store *s, const char *slug, const char *name, int64_t now, int64_t *id,
                     struct err *e)
{
    int rc = db_exec(s->db, e, "INSERT INTO organizations(slug, name, created_at) VALUES(?, ?, ?)",
                     "ssi", slug, name, now);
    if (rc == 0)
        *id = db_last_id(s->db);
    else if (e && e->code == ERR_CONFLICT)
        err_set(e, ERR_CONFLICT, "an organization with the slug '%s' already exists", slug);
    return rc;
}

int store_org_by_slug(struct store *s, const char *slug, int64_t *id, struct err *e)
{
    int rc = db_scalar(s->db, e, -1, id, "SELECT id FROM organizations WHERE slug = ?", "s", slug);
    if (rc == 0 && *id < 0)
        rc = err_set(e, ERR_NOT_FOUND, "no organization '%s'", slug);
    return rc;
}

static int org_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_org *o = item;
    o->members = db_int(st, 2);
    return store_col_text(p, st, 0, &o->slug, e) || store_col_text(p, st, 1, &o->name, e) ? -1 : 0;
}

int store_org_list(struct store *s, struct pool *p, struct st_org **out, size_t *n, struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof **out, org_row, e,
                        "SELECT o.slug, o.name, (SELECT COUNT(*) FROM members m WHERE "
                        "m.org_id = o.id) FROM organizations o ORDER BY o.slug",
                        NULL);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_member_insert(struct store *s, const struct st_member *m, int64_t now, int64_t *id,
                        struct err *e)
{
    int rc = db_exec(s->db, e,
                     "INSERT INTO members(username, display_name, org_id, roles, password_hash, "
                     "disabled, created_at) VALUES(?, ?, ?, ?, ?, ?, ?)",
                     "ssiisii", m->username, m->display_name, m->org_id, (int64_t)m->roles,
                     m->password_hash, (int64_t)m->disabled, now);
    if (rc == 0)
        *id = db_last_id(s->db);
    else if (e && e->code == ERR_CONFLICT)
        err_set(e, ERR_CONFLICT, "the username '%s' is taken", m->username);
    return rc;
}

static int member_fill(struct pool *p, struct db_stmt *st, int base, struct st_member *m,
                       struct err *e)
{
    int rc = 0;
    m->id = db_int(st, base);
    m->username = store_col_dup(p, st, base + 1);
    m->display_name = store_col_dup(p, st, base + 2);
    m->org_id = db_int(st, base + 3);
    m->org_slug = store_col_dup(p, st, base + 4);
    m->roles = (unsigned)db_int(st, base + 5);
    m->password_hash = store_col_dup(p, st, base + 6);
    m->disabled = (int)db_int(st, base + 7);
    if (!m->username || !m->display_name || !m->org_slug || !m->password_hash)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    return rc;
}

static int member_one(struct store *s, struct pool *p, struct st_member *m, struct err *e,
                      const char *sql, const char *types, int64_t id, const char *name)
{
    int rc = -1, r;
    struct db_stmt *st =
        types[0] == 'i' ? db_query(s->db, e, sql, types, id) : db_query(s->db, e, sql, types, name);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "no such member");
        goto out;
    }
    rc = member_fill(p, st, 0, m, e);
out:
    db_finish(st);
    return rc;
}

int store_member_by_username(struct store *s, struct pool *p, const char *username,
                             struct st_member *m, struct err *e)
{
    int rc = member_one(s, p, m, e,
                        "SELECT " MEMBER_COLS " FROM members m JOIN organizations o ON "
                        "o.id = m.org_id WHERE m.username = ?",
                        "s", 0, username);
    if (rc && e && e->code == ERR_NOT_FOUND)
        err_set(e, ERR_NOT_FOUND, "no member '%s'", username);
    return rc;
}

int store_member_by_id(struct store *s, struct pool *p, int64_t id, struct st_member *m,
                       struct err *e)
{
    return member_one(s, p, m, e,
                      "SELECT " MEMBER_COLS " FROM members m JOIN organizations o ON "
                      "o.id = m.org_id WHERE m.id = ?",
                      "i", id, NULL);
}

int store_member_update(struct store *s, const struct st_member *m, struct err *e)
{
    return db_exec(
        s->db, e,
        "UPDATE members SET display_name = ?, roles = ?, password_hash = ?, disabled = ? "
        "WHERE id = ?",
        "sisii", m->display_name, (int64_t)m->roles, m->password_hash, (int64_t)m->disabled, m->id);
}

static int member_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_member *m = item;
    int rc = member_fill(p, st, 0, m, e);
    m->password_hash = NULL;
    return rc;
}

int store_member_page(struct store *s, struct pool *p, const char *after, int limit,
                      struct st_member **out, size_t *n, struct err *e)
{
    struct store_vec v = {0};
    /* The hash column is read as '' so that no password hash leaves for a list. */
    int rc = store_rows(s, p, &v, sizeof **out, member_row, e, STORE_MEMBER_PAGE_SQL, "si",
                        after ? after : "", (int64_t)limit);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_member_count(struct store *s, int64_t *out, struct err *e)
{
    return db_scalar(s->db, e, 0, out, "SELECT COUNT(*) FROM members", NULL);
}

int store_session_insert(struct store *s, const unsigned char token_hash[32], int64_t member_id,
                         const char *csrf, int64_t now, int64_t expires_at, struct err *e)
{
    return db_exec(s->db, e,
                   "INSERT INTO sessions(token_hash, member_id, csrf, created_at, expires_at) "
                   "VALUES(?, ?, ?, ?, ?)",
                   "bisii", token_hash, (size_t)32, member_id, csrf, now, expires_at);
}

int store_session_lookup(struct store *s, struct pool *p, const unsigned char token_hash[32],
                         int64_t now, int64_t *session_id, char **csrf, struct st_member *m,
                         struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st = db_query(s->db, e,
                                  "SELECT s.id, s.csrf, " MEMBER_COLS " FROM sessions s "
                                  "JOIN members m ON m.id = s.member_id JOIN organizations o ON "
                                  "o.id = m.org_id WHERE s.token_hash = ? AND s.expires_at > ? "
                                  "AND m.disabled = 0",
                                  "bi", token_hash, (size_t)32, now);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r == 0) {
        rc = err_set(e, ERR_UNAUTHORIZED, "your session has expired or is not valid: log in again");
        goto out;
    }
    *session_id = db_int(st, 0);
    *csrf = store_col_dup(p, st, 1);
    rc = *csrf ? member_fill(p, st, 2, m, e) : err_set(e, ERR_NOMEM, "out of memory");
out:
    db_finish(st);
    return rc;
}

int store_session_delete(struct store *s, int64_t session_id, struct err *e)
{
    return db_exec(s->db, e, "DELETE FROM sessions WHERE id = ?", "i", session_id);
}

int store_login_failure_add(struct store *s, const char *username, int64_t now, struct err *e)
{
    return db_exec(s->db, e, "INSERT INTO login_failures(username, at) VALUES(?, ?)", "si",
                   username, now);
}

int store_login_failure_count(struct store *s, const char *username, int64_t since, int64_t *n,
                              struct err *e)
{
    return db_scalar(s->db, e, 0, n,
                     "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at >= ?", "si",
                     username, since);
}

int store_login_failure_clear(struct store *s, const char *username, struct err *e)
{
    return db_exec(s->db, e, "DELETE FROM login_failures WHERE username = ?", "s", username);
}
