/* db_sqlite.c — the SQLite backend of db.h. */
#include "store/db.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct db {
    sqlite3 *h;
};

struct db_stmt {
    struct db *db;
    sqlite3_stmt *st;
};

static int db_fail(struct db *db, struct err *e, const char *what)
{
    int code = sqlite3_extended_errcode(db->h);
    enum err_code ec = ERR_DB;
    if ((code & 0xff) == SQLITE_CONSTRAINT)
        ec = ERR_CONFLICT;
    return err_set(e, ec, "%s: %s", what, sqlite3_errmsg(db->h));
}

int db_open(struct db **out, const char *url, struct err *e)
{
    int rc = -1;
    struct db *db = calloc(1, sizeof *db);
    if (!db) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (sqlite3_open_v2(url, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = err_set(e, ERR_DB, "cannot open database %s: %s", url,
                     db->h ? sqlite3_errmsg(db->h) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(db->h, 5000);
    if (db_exec_script(db,
                       "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;",
                       e))
        goto out;
    *out = db;
    db = NULL;
    rc = 0;
out:
    db_close(db);
    return rc;
}

void db_close(struct db *db)
{
    if (db) {
        sqlite3_close_v2(db->h);
        free(db);
    }
}

int db_exec_script(struct db *db, const char *sql, struct err *e)
{
    char *msg = NULL;
    int rc = 0;
    if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        rc = err_set(e, ERR_DB, "database error: %s", msg ? msg : "unknown");
        sqlite3_free(msg);
    }
    return rc;
}

struct db_stmt *db_vquery(struct db *db, struct err *e, const char *sql, const char *types,
                          va_list ap)
{
    struct db_stmt *st = calloc(1, sizeof *st);
    int idx = 1;
    if (!st) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    st->db = db;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st->st, NULL) != SQLITE_OK) {
        db_fail(db, e, "prepare");
        goto fail;
    }
    for (const char *t = types ? types : ""; *t; t++, idx++) {
        int r = SQLITE_OK;
        switch (*t) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            r = s ? sqlite3_bind_text(st->st, idx, s, -1, SQLITE_TRANSIENT)
                  : sqlite3_bind_null(st->st, idx);
            break;
        }
        case 'i':
            r = sqlite3_bind_int64(st->st, idx, va_arg(ap, int64_t));
            break;
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            r = sqlite3_bind_blob64(st->st, idx, p, n, SQLITE_TRANSIENT);
            break;
        }
        case 'n':
            r = sqlite3_bind_null(st->st, idx);
            break;
        default:
            err_set(e, ERR_INTERNAL, "bad bind type '%c'", *t);
            goto fail;
        }
        if (r != SQLITE_OK) {
            db_fail(db, e, "bind");
            goto fail;
        }
    }
    return st;
fail:
    db_finish(st);
    return NULL;
}

struct db_stmt *db_query(struct db *db, struct err *e, const char *sql, const char *types, ...)
{
    struct db_stmt *st;
    va_list ap;
    va_start(ap, types);
    st = db_vquery(db, e, sql, types, ap);
    va_end(ap);
    return st;
}

int db_next(struct db_stmt *st, struct err *e)
{
    int r = sqlite3_step(st->st);
    int rc = -1;
    if (r == SQLITE_ROW)
        rc = 1;
    else if (r == SQLITE_DONE)
        rc = 0;
    else
        db_fail(st->db, e, "query");
    return rc;
}

int db_exec(struct db *db, struct err *e, const char *sql, const char *types, ...)
{
    struct db_stmt *st;
    int rc = -1;
    va_list ap;
    va_start(ap, types);
    st = db_vquery(db, e, sql, types, ap);
    va_end(ap);
    if (st && db_next(st, e) >= 0)
        rc = 0;
    db_finish(st);
    return rc;
}

int db_scalar(struct db *db, struct err *e, int64_t dflt, int64_t *out, const char *sql,
              const char *types, ...)
{
    struct db_stmt *st;
    int rc = -1, r;
    va_list ap;
    va_start(ap, types);
    st = db_vquery(db, e, sql, types, ap);
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
    return (const char *)sqlite3_column_text(st->st, col);
}

int64_t db_int(struct db_stmt *st, int col)
{
    return sqlite3_column_int64(st->st, col);
}

const void *db_blob(struct db_stmt *st, int col, size_t *len)
{
    const void *p = sqlite3_column_blob(st->st, col);
    *len = (size_t)sqlite3_column_bytes(st->st, col);
    return p;
}

int db_is_null(struct db_stmt *st, int col)
{
    return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

void db_finish(struct db_stmt *st)
{
    if (st) {
        sqlite3_finalize(st->st);
        free(st);
    }
}

int64_t db_last_id(struct db *db)
{
    return sqlite3_last_insert_rowid(db->h);
}

int64_t db_changes(struct db *db)
{
    return sqlite3_changes64(db->h);
}

int db_begin(struct db *db, struct err *e)
{
    return db_exec_script(db, "BEGIN IMMEDIATE", e);
}

int db_commit(struct db *db, struct err *e)
{
    return db_exec_script(db, "COMMIT", e);
}

void db_rollback(struct db *db)
{
    if (!sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}
