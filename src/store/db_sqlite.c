/* db_sqlite.c — the SQLite driver of db.h (see db_driver.h). */
#include "store/db_driver.h"

#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Prepared statements are kept and reused, keyed by their SQL text: the
 * store runs the same few dozen statements over and over (a proof reads a
 * node per level), and preparing costs more than running. */
#define SQ_CACHE 48

struct sq_cached {
    char *sql; /* NULL: free slot */
    sqlite3_stmt *st;
    int in_use;         /* handed out and not finished yet */
    unsigned long used; /* clock of the last use */
};

struct sq_db {
    struct db base; /* first: db.c sees only this */
    sqlite3 *h;
    struct sq_cached cache[SQ_CACHE];
    unsigned long clock;
};

struct sq_stmt {
    struct db_stmt base;
    struct sq_db *db;
    sqlite3_stmt *st;
    struct sq_cached *slot; /* the cache slot it came from, or NULL */
};

static const struct db_ops sq_ops;

static struct sq_db *sq(struct db *db)
{
    return (struct sq_db *)db;
}

static struct sq_stmt *sqs(struct db_stmt *st)
{
    return (struct sq_stmt *)st;
}

static int sq_fail(struct sq_db *db, struct err *e, const char *what)
{
    int code = sqlite3_extended_errcode(db->h);
    enum err_code ec = ERR_DB;
    if ((code & 0xff) == SQLITE_CONSTRAINT)
        ec = ERR_CONFLICT;
    return err_set(e, ec, "%s: %s", what, sqlite3_errmsg(db->h));
}

static void sq_close(struct db *d)
{
    struct sq_db *db = sq(d);
    for (size_t i = 0; i < SQ_CACHE; i++) {
        sqlite3_finalize(db->cache[i].st);
        free(db->cache[i].sql);
    }
    sqlite3_close_v2(db->h);
    free(db);
}

/* A prepared statement for sql: a cached one that is not in use, or a new
 * one that takes the least recently used free slot when there is one. */
static int sq_prepare(struct sq_db *db, const char *sql, struct sq_stmt *st, struct err *e)
{
    struct sq_cached *victim = NULL;
    int rc = -1;
    for (size_t i = 0; i < SQ_CACHE; i++) {
        struct sq_cached *c = &db->cache[i];
        if (c->sql && !c->in_use && strcmp(c->sql, sql) == 0) {
            st->slot = c;
            st->st = c->st;
            break;
        }
        if (!c->in_use && (!victim || !c->sql || (victim->sql && c->used < victim->used)))
            victim = c;
    }
    if (!st->slot) {
        if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->st, NULL) !=
            SQLITE_OK) {
            rc = sq_fail(db, e, "prepare");
            goto out;
        }
        if (victim) {
            char *copy = strdup(sql);
            if (copy) {
                sqlite3_finalize(victim->st);
                free(victim->sql);
                victim->sql = copy;
                victim->st = st->st;
                st->slot = victim;
            }
        }
    }
    if (st->slot) {
        st->slot->in_use = 1;
        st->slot->used = ++db->clock;
    }
    rc = 0;
out:
    return rc;
}

static int sq_exec_script(struct db *d, const char *sql, struct err *e)
{
    char *msg = NULL;
    int rc = 0;
    if (sqlite3_exec(sq(d)->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        rc = err_set(e, ERR_DB, "database error: %s", msg ? msg : "unknown");
        sqlite3_free(msg);
    }
    return rc;
}

static void sq_finish(struct db_stmt *s)
{
    struct sq_stmt *st = sqs(s);
    if (st->slot) {
        sqlite3_reset(st->st);
        sqlite3_clear_bindings(st->st);
        st->slot->in_use = 0;
    } else {
        sqlite3_finalize(st->st);
    }
    free(st);
}

static struct db_stmt *sq_vquery(struct db *d, struct err *e, const char *sql, const char *types,
                                 va_list ap)
{
    struct sq_db *db = sq(d);
    struct sq_stmt *st = calloc(1, sizeof *st);
    int idx = 1;
    if (!st) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    st->base.ops = &sq_ops;
    st->db = db;
    if (sq_prepare(db, sql, st, e))
        goto fail;
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
            sq_fail(db, e, "bind");
            goto fail;
        }
    }
    return &st->base;
fail:
    if (st)
        sq_finish(&st->base);
    return NULL;
}

static int sq_next(struct db_stmt *s, struct err *e)
{
    struct sq_stmt *st = sqs(s);
    int r = sqlite3_step(st->st);
    int rc = -1;
    if (r == SQLITE_ROW)
        rc = 1;
    else if (r == SQLITE_DONE)
        rc = 0;
    else
        sq_fail(st->db, e, "query");
    return rc;
}

static const char *sq_text(struct db_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(sqs(st)->st, col);
}

static int64_t sq_int(struct db_stmt *st, int col)
{
    return sqlite3_column_int64(sqs(st)->st, col);
}

static const void *sq_blob(struct db_stmt *s, int col, size_t *len)
{
    struct sq_stmt *st = sqs(s);
    const void *p = sqlite3_column_blob(st->st, col);
    *len = (size_t)sqlite3_column_bytes(st->st, col);
    return p;
}

static int sq_is_null(struct db_stmt *st, int col)
{
    return sqlite3_column_type(sqs(st)->st, col) == SQLITE_NULL;
}

static int64_t sq_last_id(struct db *db)
{
    return sqlite3_last_insert_rowid(sq(db)->h);
}

static int64_t sq_changes(struct db *db)
{
    return sqlite3_changes64(sq(db)->h);
}

static int sq_begin(struct db *db, struct err *e)
{
    return sq_exec_script(db, "BEGIN IMMEDIATE", e);
}

/* Deferred: the snapshot starts at the first read and takes no write lock. */
static int sq_begin_read(struct db *db, struct err *e)
{
    return sq_exec_script(db, "BEGIN DEFERRED", e);
}

static int sq_commit(struct db *db, struct err *e)
{
    return sq_exec_script(db, "COMMIT", e);
}

static void sq_rollback(struct db *db)
{
    if (!sqlite3_get_autocommit(sq(db)->h))
        sqlite3_exec(sq(db)->h, "ROLLBACK", NULL, NULL, NULL);
}

static int sq_savepoint(struct db *db, struct err *e)
{
    return sq_exec_script(db, "SAVEPOINT op", e);
}

static int sq_release(struct db *db, struct err *e)
{
    return sq_exec_script(db, "RELEASE op", e);
}

static void sq_rollback_to(struct db *db)
{
    sqlite3_exec(sq(db)->h, "ROLLBACK TO op; RELEASE op", NULL, NULL, NULL);
}

static const struct db_ops sq_ops = {
    .name = "sqlite",
    .close = sq_close,
    .exec_script = sq_exec_script,
    .vquery = sq_vquery,
    .next = sq_next,
    .text = sq_text,
    .integer = sq_int,
    .blob = sq_blob,
    .is_null = sq_is_null,
    .finish = sq_finish,
    .last_id = sq_last_id,
    .changes = sq_changes,
    .begin = sq_begin,
    .begin_read = sq_begin_read,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
};

/* The database file and its -wal and -shm are private (0600) whatever the
 * umask: a missing main file is created 0600 here before SQLite opens it,
 * and SQLite gives the -wal and -shm it creates the main file's mode. A file
 * of an older dissent (0644) is tightened. */
static int sq_private_files(const char *path, struct err *e)
{
    static const char *const sides[] = {"", "-wal", "-shm", "-journal"};
    char name[4200];
    struct stat sb;
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    else if (errno != EEXIST)
        return err_set(e, ERR_DB, "cannot create database %s: %s", path, strerror(errno));
    for (size_t i = 0; i < sizeof sides / sizeof sides[0]; i++) {
        if (snprintf(name, sizeof name, "%s%s", path, sides[i]) >= (int)sizeof name)
            return err_set(e, ERR_INVALID, "the database path is too long");
        if (lstat(name, &sb) != 0 || !S_ISREG(sb.st_mode) || !(sb.st_mode & 077))
            continue;
        if (chmod(name, sb.st_mode & 0700) != 0)
            return err_set(e, ERR_DB, "%s has mode %04o and cannot be made private: %s", name,
                           (unsigned)(sb.st_mode & 07777), strerror(errno));
        log_warn("%s had mode %04o: group and others could read it; it is now %04o", name,
                 (unsigned)(sb.st_mode & 07777), (unsigned)(sb.st_mode & 0700));
    }
    return 0;
}

int db_sqlite_open(struct db **out, const char *path, struct err *e)
{
    int rc = -1;
    struct sq_db *db = calloc(1, sizeof *db);
    if (!db) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    db->base.ops = &sq_ops;
    if (sq_private_files(path, e))
        goto out;
    if (sqlite3_open_v2(path, &db->h,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = err_set(e, ERR_DB, "cannot open database %s: %s", path,
                     db->h ? sqlite3_errmsg(db->h) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(db->h, 5000);
    /* synchronous=FULL: a commit is on disk before the request is answered.
     * With NORMAL a power cut could drop the last commits after their
     * checkpoint was signed and served, and the log would then fork. */
    if (sq_exec_script(&db->base,
                       "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;",
                       e))
        goto out;
    *out = &db->base;
    db = NULL;
    rc = 0;
out:
    if (db)
        sq_close(&db->base);
    return rc;
}
