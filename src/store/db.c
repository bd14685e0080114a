/* db.c — db.h dispatched to a driver (db_sqlite.c, db_pg.c), and the
 * helpers every driver shares. */
#include "store/db_driver.h"

#include "base/log.h"
#include "base/util.h"

#include <ctype.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>

int db_url_is_pg(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

int db_open(struct db **out, const char *url, struct err *e)
{
    if (!url || !*url)
        return err_set(e, ERR_INVALID, "no database given: a SQLite file path or postgres://…");
    return db_url_is_pg(url) ? db_pg_open(out, url, e) : db_sqlite_open(out, url, e);
}

void db_close(struct db *db)
{
    if (db)
        db->ops->close(db);
}

int db_exec_script(struct db *db, const char *sql, struct err *e)
{
    return db->ops->exec_script(db, sql, e);
}

/* 1 if sql begins with the word w (case-insensitively), after blanks. */
static int first_word_is(const char *sql, const char *w)
{
    size_t n = strlen(w);
    while (isspace((unsigned char)*sql))
        sql++;
    return strncasecmp(sql, w, n) == 0 && !isalnum((unsigned char)sql[n]) && sql[n] != '_';
}

/* Every statement goes through here: an unordered transaction (db.h) only
 * reads and inserts. */
static int allowed(struct db *db, const char *sql, struct err *e)
{
    db->statements++;
    if (db->unordered && (first_word_is(sql, "UPDATE") || first_word_is(sql, "DELETE")))
        return err_set(e, ERR_INTERNAL, "an unordered transaction only reads and inserts");
    return 0;
}

static struct db_stmt *run(struct db *db, struct err *e, const char *sql, const char *types,
                           va_list ap)
{
    if (allowed(db, sql, e))
        return NULL;
    return db->ops->vquery(db, e, sql, types, ap);
}

struct db_stmt *db_vquery(struct db *db, struct err *e, const char *sql, const char *types,
                          va_list ap)
{
    return run(db, e, sql, types, ap);
}

struct db_stmt *db_query(struct db *db, struct err *e, const char *sql, const char *types, ...)
{
    struct db_stmt *st;
    va_list ap;
    va_start(ap, types);
    st = run(db, e, sql, types, ap);
    va_end(ap);
    return st;
}

int db_next(struct db_stmt *st, struct err *e)
{
    return st->ops->next(st, e);
}

/* Runs sql to its end now; 0 or -1 (e set). */
static int exec_now(struct db *db, struct err *e, const char *sql, const char *types, va_list ap)
{
    struct db_stmt *st = run(db, e, sql, types, ap);
    int rc = st && db_next(st, e) >= 0 ? 0 : -1;
    db_finish(st);
    return rc;
}

int db_exec(struct db *db, struct err *e, const char *sql, const char *types, ...)
{
    int rc;
    va_list ap;
    va_start(ap, types);
    rc = exec_now(db, e, sql, types, ap);
    va_end(ap);
    return rc;
}

int db_exec_later(struct db *db, struct err *e, const char *sql, const char *types, ...)
{
    int rc;
    va_list ap;
    va_start(ap, types);
    if (db->ops->exec_later)
        rc = allowed(db, sql, e) ? -1 : db->ops->exec_later(db, e, sql, types, ap);
    else
        rc = exec_now(db, e, sql, types, ap);
    va_end(ap);
    return rc;
}

int db_scalar(struct db *db, struct err *e, int64_t dflt, int64_t *out, const char *sql,
              const char *types, ...)
{
    struct db_stmt *st;
    int rc = -1, r;
    va_list ap;
    va_start(ap, types);
    st = run(db, e, sql, types, ap);
    va_end(ap);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    *out = (r == 1 && !db_is_null(st, 0)) ? db_int(st, 0) : dflt;
    rc = 0;
out:
    db_finish(st);
    return rc;
}

const char *db_text(struct db_stmt *st, int col)
{
    return st->ops->text(st, col);
}

int64_t db_int(struct db_stmt *st, int col)
{
    return st->ops->integer(st, col);
}

const void *db_blob(struct db_stmt *st, int col, size_t *len)
{
    return st->ops->blob(st, col, len);
}

int db_is_null(struct db_stmt *st, int col)
{
    return st->ops->is_null(st, col);
}

void db_finish(struct db_stmt *st)
{
    if (st)
        st->ops->finish(st);
}

uint64_t db_statements(const struct db *db)
{
    return db->statements;
}

int64_t db_last_id(struct db *db)
{
    return db->ops->last_id(db);
}

int64_t db_changes(struct db *db)
{
    return db->ops->changes(db);
}

/* In a group, an operation's transaction is a savepoint of the group's. */
static int op_begin(struct db *db, struct err *e)
{
    if (db->op)
        return err_set(e, ERR_INTERNAL, "cannot start a transaction within a transaction");
    if (db->ops->savepoint(db, e))
        return -1;
    db->op = 1;
    return 0;
}

int db_begin(struct db *db, struct err *e)
{
    return db->group ? op_begin(db, e) : db->ops->begin(db, e);
}

int db_begin_read(struct db *db, struct err *e)
{
    return db->group ? op_begin(db, e) : db->ops->begin_read(db, e);
}

int db_begin_unordered(struct db *db, struct err *e)
{
    int rc = db->group ? op_begin(db, e) : db->ops->begin_unordered(db, e);
    if (rc == 0)
        db->unordered = 1;
    return rc;
}

int db_commit(struct db *db, struct err *e)
{
    db->unordered = 0;
    if (!db->group)
        return db->ops->commit(db, e);
    if (!db->op)
        return err_set(e, ERR_INTERNAL, "commit without a transaction");
    db->op = 0;
    if (db->ops->release(db, e)) {
        db->ops->rollback_to(db);
        return -1;
    }
    return 0;
}

void db_rollback(struct db *db)
{
    db->unordered = 0;
    if (!db->group) {
        db->ops->rollback(db);
    } else if (db->op) {
        db->op = 0;
        db->ops->rollback_to(db);
    }
}

/* Whether a refusal of db_schema_check was logged (once per process). */
static atomic_int schema_moved_logged;

void db_schema_guard(struct db *db, int64_t version)
{
    db->schema_guard = version;
}

int db_schema_check(const struct db *db, const char *have, struct err *e)
{
    struct err why;
    int64_t v = 0;
    int known = have && parse_i64(have, 0, INT32_MAX, &v) == 0;
    if (db->schema_guard == 0 || (known && v == db->schema_guard))
        return 0;
    err_init(&why);
    err_set(&why, ERR_DB,
            "the database is now at schema version %s, not %lld as when this process opened it: "
            "a %s dissent migrated it, so this process refuses its writes; restart it with that "
            "dissent",
            have ? have : "(none)", (long long)db->schema_guard,
            known && v > db->schema_guard ? "newer" : "different");
    /* the operator's signal, once per process: it names no request */
    if (!atomic_exchange(&schema_moved_logged, 1))
        log_error("%s", why.msg);
    if (e)
        *e = why;
    return -1;
}

int db_group_begin(struct db *db, struct err *e)
{
    if (db->group)
        return err_set(e, ERR_INTERNAL, "a group is open already");
    if (db->ops->begin(db, e))
        return -1;
    db->group = 1;
    db->op = 0;
    return 0;
}

int db_group_end(struct db *db, int commit, struct err *e)
{
    int rc = 0;
    if (!db->group)
        return err_set(e, ERR_INTERNAL, "no group is open");
    /* An operation left open (a bug of its caller) is not committed. */
    if (db->op)
        db->ops->rollback_to(db);
    db->group = 0;
    db->op = 0;
    db->unordered = 0;
    if (commit)
        rc = db->ops->commit(db, e);
    if (!commit || rc)
        db->ops->rollback(db);
    return rc;
}
