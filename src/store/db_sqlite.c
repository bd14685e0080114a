/* db_sqlite.c — the SQLite driver of db.h (see db_driver.h). */
#include "store/db_driver.h"

#include "base/log.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>
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

/* The statements that open and close transactions and savepoints, which
 * every request runs: kept prepared (sqlite3_exec would parse them each
 * time, some 5% of a co-signature's CPU on the bench). */
enum sq_control {
    SQ_BEGIN_WRITE,
    SQ_BEGIN_READ,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_SAVEPOINT,
    SQ_RELEASE,
    SQ_ROLLBACK_TO,
    SQ_CONTROLS
};

static const char *const sq_control_sql[SQ_CONTROLS] = {
    [SQ_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [SQ_BEGIN_READ] = "BEGIN DEFERRED",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    [SQ_SAVEPOINT] = "SAVEPOINT op",
    [SQ_RELEASE] = "RELEASE op",
    [SQ_ROLLBACK_TO] = "ROLLBACK TO op",
};

struct sq_db {
    struct db base; /* first: db.c sees only this */
    sqlite3 *h;
    sqlite3_stmt *control[SQ_CONTROLS]; /* prepared on first use */
    int writing;                        /* a write transaction of ours is open */
    int in_tx;                          /* we began a transaction and have not ended it */
    int beginning;                      /* inside BEGIN IMMEDIATE */
    int wanting;                        /* counted in wl.wanting while its BEGIN IMMEDIATE waits */
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

/* The write lock between the connections of this process (the server's
 * writer and its readers, which write an access row now and then). SQLite's
 * own busy handler sleeps and polls, so a connection that wants the lock
 * while a busy writer takes it back after every commit could wait for
 * seconds. Here a waiter sleeps on a condition that every write commit or
 * rollback of this process signals, and a connection about to begin a
 * write lets waiters go first (for at most WL_YIELD_MS). Connections of
 * other processes are still seen by polling: a waiter wakes every
 * WL_POLL_MS. */
#define WL_POLL_MS    2
#define WL_YIELD_MS   5
#define WL_TIMEOUT_MS 5000

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned long gen; /* write transactions ended */
    int wanting;       /* connections waiting for the lock */
} wl = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

static void wl_deadline(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_nsec += ms * 1000000L;
    ts->tv_sec += ts->tv_nsec / 1000000000L;
    ts->tv_nsec %= 1000000000L;
}

/* SQLite's busy handler: 1 to try again, 0 to give up (SQLITE_BUSY). */
static int wl_busy(void *arg, int count)
{
    struct sq_db *db = arg;
    struct timespec ts;
    unsigned long gen;
    if ((long)count * WL_POLL_MS > WL_TIMEOUT_MS)
        return 0;
    pthread_mutex_lock(&wl.mu);
    if (db->beginning && !db->wanting) {
        db->wanting = 1;
        wl.wanting++;
    }
    gen = wl.gen;
    wl_deadline(&ts, WL_POLL_MS);
    while (gen == wl.gen && pthread_cond_timedwait(&wl.cv, &wl.mu, &ts) == 0)
        ;
    pthread_mutex_unlock(&wl.mu);
    return 1;
}

/* A write transaction ended: wake the waiters. */
static void wl_ended(struct sq_db *db)
{
    if (!db->writing)
        return;
    db->writing = 0;
    pthread_mutex_lock(&wl.mu);
    wl.gen++;
    pthread_cond_broadcast(&wl.cv);
    pthread_mutex_unlock(&wl.mu);
}

/* Before a write: lets the connections already waiting go first. */
static void wl_yield(void)
{
    struct timespec ts;
    pthread_mutex_lock(&wl.mu);
    wl_deadline(&ts, WL_YIELD_MS);
    while (wl.wanting > 0 && pthread_cond_timedwait(&wl.cv, &wl.mu, &ts) == 0)
        ;
    pthread_mutex_unlock(&wl.mu);
}

/* After this connection's BEGIN IMMEDIATE returned: it waits no more. */
static void wl_done_waiting(struct sq_db *db)
{
    if (!db->wanting)
        return;
    pthread_mutex_lock(&wl.mu);
    db->wanting = 0;
    wl.wanting--;
    pthread_cond_broadcast(&wl.cv);
    pthread_mutex_unlock(&wl.mu);
}

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
    return err_set_driver(e, ec, "%s: %s", what, sqlite3_errmsg(db->h));
}

static void sq_close(struct db *d)
{
    struct sq_db *db = sq(d);
    for (size_t i = 0; i < SQ_CONTROLS; i++)
        sqlite3_finalize(db->control[i]);
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

/* -1 (ERR_DB) when a transaction we began is gone: SQLite rolls the whole
 * transaction back by itself on some errors (a full disk, an I/O error, no
 * memory), and the connection is then in autocommit mode. Every statement,
 * savepoint and commit checks first: else each later statement, or a
 * group's next SAVEPOINT … RELEASE, would commit on its own while the
 * transaction's callers are told that nothing of it was kept. */
static int sq_tx_lost(struct sq_db *db, struct err *e)
{
    if (db->in_tx && sqlite3_get_autocommit(db->h))
        return err_set(e, ERR_DB,
                       "the database rolled the transaction back after an earlier error (a full "
                       "disk, an I/O error or no memory): nothing of it was kept");
    return 0;
}

static int sq_exec_script(struct db *d, const char *sql, struct err *e)
{
    char *msg = NULL;
    int rc = sq_tx_lost(sq(d), e);
    if (rc == 0 && sqlite3_exec(sq(d)->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        rc = err_set_driver(e, ERR_DB, "database error: %s", msg ? msg : "unknown");
        sqlite3_free(msg);
    }
    return rc;
}

/* Runs control statement which; on failure e says "database error: " and
 * SQLite's message, as sqlite3_exec's failures do. */
static int sq_run_control(struct sq_db *db, enum sq_control which, struct err *e)
{
    sqlite3_stmt **st = &db->control[which];
    int rc = 0;
    if (!*st && sqlite3_prepare_v3(db->h, sq_control_sql[which], -1, SQLITE_PREPARE_PERSISTENT, st,
                                   NULL) != SQLITE_OK) {
        *st = NULL;
        rc = err_set_driver(e, ERR_DB, "database error: %s", sqlite3_errmsg(db->h));
        goto out;
    }
    if (sqlite3_step(*st) != SQLITE_DONE)
        rc = err_set_driver(e, ERR_DB, "database error: %s", sqlite3_errmsg(db->h));
    sqlite3_reset(*st);
out:
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
    if (sq_tx_lost(db, e) || sq_prepare(db, sql, st, e))
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

/* The schema version, read inside the write transaction just begun, checked
 * against the guard (db_schema_guard). */
static int sq_schema_check(struct db *d, struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st = db_query(d, e, DB_SCHEMA_VERSION_SQL, NULL);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    rc = db_schema_check(d, r ? db_text(st, 0) : NULL, e);
out:
    db_finish(st);
    return rc;
}

static void sq_rollback(struct db *db);

static int sq_begin(struct db *d, struct err *e)
{
    struct sq_db *db = sq(d);
    int rc;
    wl_yield();
    db->beginning = 1;
    rc = sq_run_control(db, SQ_BEGIN_WRITE, e);
    db->beginning = 0;
    wl_done_waiting(db);
    db->writing = rc == 0;
    db->in_tx = rc == 0;
    if (rc == 0 && d->schema_guard && sq_schema_check(d, e)) {
        sq_rollback(d);
        rc = -1;
    }
    return rc;
}

/* Deferred: the snapshot starts at the first read and takes no write lock. */
static int sq_begin_read(struct db *d, struct err *e)
{
    struct sq_db *db = sq(d);
    int rc = sq_run_control(db, SQ_BEGIN_READ, e);
    db->in_tx = rc == 0;
    return rc;
}

static int sq_commit(struct db *d, struct err *e)
{
    struct sq_db *db = sq(d);
    int rc = sq_tx_lost(db, e) || sq_run_control(db, SQ_COMMIT, e) ? -1 : 0;
    if (sqlite3_get_autocommit(db->h)) {
        db->in_tx = 0;
        wl_ended(db);
    }
    return rc;
}

static void sq_rollback(struct db *d)
{
    struct sq_db *db = sq(d);
    struct err ignored;
    if (!sqlite3_get_autocommit(db->h))
        (void)sq_run_control(db, SQ_ROLLBACK, &ignored);
    db->in_tx = 0;
    wl_ended(db);
}

static int sq_savepoint(struct db *db, struct err *e)
{
    return sq_tx_lost(sq(db), e) || sq_run_control(sq(db), SQ_SAVEPOINT, e) ? -1 : 0;
}

static int sq_release(struct db *db, struct err *e)
{
    return sq_tx_lost(sq(db), e) || sq_run_control(sq(db), SQ_RELEASE, e) ? -1 : 0;
}

static void sq_rollback_to(struct db *db)
{
    struct err ignored;
    if (sq_run_control(sq(db), SQ_ROLLBACK_TO, &ignored) == 0)
        (void)sq_run_control(sq(db), SQ_RELEASE, &ignored);
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
    .begin_unordered = sq_begin, /* one writer per file: nothing to gain */
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

/* A group commit runs each request in a savepoint, and SQLite keeps the
 * pages a savepoint may roll back in a statement journal, which past 64 KiB
 * (its default) it spills to a temporary file: some 230 pwrite calls per
 * group on the bench. Ours never spill (-1): a request's savepoint holds a
 * few pages. A threshold would not do: SQLite 3.40 (Debian 12) fails a
 * statement with "database or disk is full" when its journal spills past
 * a threshold of 256 KiB or more (8 MiB was ours, and migration 26 failed
 * on a database with 100,000 anonymous sequence numbers; test_db_sqlite
 * test_big_statement_journal), while at 128 KiB and below the spills cost
 * the group commit its pwrite calls again. The price: one statement's
 * journal is bounded by the pages it changes, all in memory (a migration
 * that copies a table holds that table's pages). Not temp_store=MEMORY,
 * which would also keep VACUUM's copy of the whole database and every sort
 * in memory. */
#define SQ_STMT_JOURNAL_MEMORY (-1)

/* Once per process, before SQLite's first use: no memory statistics.
 * With them (the library's default) every allocation and free of every
 * connection takes one global mutex, which the server's writer and readers
 * fought over: some 9% of a co-signature's CPU on the bench, in futex
 * waits. Nothing here reads the statistics. And the statement journal's
 * threshold (SQ_STMT_JOURNAL_MEMORY). If SQLite is in use already (a
 * program that opened a database itself first), the calls are refused and
 * change nothing. */
static void sq_configure(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, SQ_STMT_JOURNAL_MEMORY);
}

int db_sqlite_open(struct db **out, const char *path, struct err *e)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    int rc = -1;
    struct sq_db *db = calloc(1, sizeof *db);
    pthread_once(&configured, sq_configure);
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
        rc = err_set_driver(e, ERR_DB, "cannot open database %s: %s", path,
                            db->h ? sqlite3_errmsg(db->h) : "out of memory");
        goto out;
    }
    sqlite3_busy_handler(db->h, wl_busy, db);
    /* synchronous=FULL: a commit is on disk before the request is answered.
     * With NORMAL a power cut could drop the last commits after their
     * checkpoint was signed and served, and the log would then fork.
     * secure_delete=ON: a deleted row's bytes are zeroed (an anonymous
     * action's queue row, in the order of arrival, once its batch is
     * published), not left for whoever copies the file. Debian's SQLite
     * does so by default; another build might not. */
    if (sq_exec_script(&db->base,
                       "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; "
                       "PRAGMA secure_delete=ON;",
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
