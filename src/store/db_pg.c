/* db_pg.c — the PostgreSQL driver of db.h, over libpq (see db_driver.h).
 *
 * The store's SQL is written once, in the subset SQLite and PostgreSQL both
 * run. What differs is handled here, mechanically:
 *
 * - Placeholders: `?` and `?NNN` become `$n` / `$NNN` (SQLite's numbering:
 *   a bare `?` is one more than the largest number seen so far), outside
 *   quoted strings, quoted identifiers and comments.
 * - Parameters go with explicit types: INT8 for 'i', TEXT for 's', BYTEA in
 *   binary format for 'b'; 'n' is a NULL whose type the server infers from
 *   its place. So `?1 = ?1` and `? IS NULL` type-check as they do in SQLite.
 * - Results come back in text format; bytea columns are decoded with
 *   PQunescapeBytea so db_blob returns raw bytes (and db_text the same bytes,
 *   NUL-terminated, as sqlite3_column_text does for a blob).
 * - DDL (db_exec_script, i.e. the migrations in schema.c) is translated from
 *   SQLite's dialect: see db_pg_translate_ddl.
 * - db_begin takes a transaction-scoped advisory lock: see pg_begin.
 *
 * A statement runs when it is bound (PQexecParams in vquery) and its whole
 * result is kept, so db_next only walks rows and a caller may run other
 * statements on the connection while it walks, as SQLite allows.
 */
#include "store/db_driver.h"

#include "base/buf.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Type oids from the server's catalog (pg_type.dat); stable across releases. */
enum { PG_INT8OID = 20, PG_TEXTOID = 25, PG_BYTEAOID = 17 };

/* Key of the writers' lock: "dissent" read as a big-endian integer. */
#define PG_WRITE_LOCK "28263442249248372"

/* Longest SQL text after rewriting (our statements are a few hundred bytes). */
#define PG_SQL_MAX (1u << 20)

struct pg_db {
    struct db base; /* first: db.c sees only this */
    PGconn *conn;
    int64_t changes; /* rows changed by the last INSERT/UPDATE/DELETE */
};

struct pg_stmt {
    struct db_stmt base;
    struct pg_db *db;
    PGresult *res;
    int row; /* current row; -1 before the first db_next */
    int nrows, ncols;
    unsigned char **dec; /* per column: decoded bytea of the current row (NUL-terminated) */
    size_t *declen;
};

static const struct db_ops pg_ops;

static struct pg_db *pg(struct db *db)
{
    return (struct pg_db *)db;
}

static struct pg_stmt *pgs(struct db_stmt *st)
{
    return (struct pg_stmt *)st;
}

/* Drops libpq notices ("relation already exists, skipping", …): they would
 * go to stderr, and server logs must stay free of noise. */
static void pg_quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

/* Copies msg without its trailing newline (libpq ends messages with one). */
static int pg_set_err(struct err *e, enum err_code code, const char *what, const char *msg)
{
    size_t n = msg ? strlen(msg) : 0;
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    return err_set(e, code, "%s: %.*s", what, (int)n, msg ? msg : "");
}

/* Maps a failed result to an error: integrity violations (SQLSTATE class 23:
 * unique, check, foreign key, not null) are ERR_CONFLICT, as SQLite's
 * SQLITE_CONSTRAINT is in db_sqlite.c; everything else is ERR_DB. */
static int pg_fail(struct pg_db *db, const PGresult *res, struct err *e, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    enum err_code ec = ERR_DB;
    if (state && strncmp(state, "23", 2) == 0)
        ec = ERR_CONFLICT;
    if (!msg || !*msg)
        msg = PQerrorMessage(db->conn);
    return pg_set_err(e, ec, what, msg);
}

/* Reconnects a connection the server dropped, when no transaction is open. */
static void pg_revive(struct pg_db *db)
{
    if (PQstatus(db->conn) == CONNECTION_BAD)
        PQreset(db->conn);
}

static int is_ident(int c)
{
    return isalnum(c) || c == '_';
}

/* Copies a quoted string, quoted identifier or comment starting at *p
 * (which the caller has recognized) into b, and advances *p past it. */
static int pg_copy_quoted(struct buf *b, const char **p, struct err *e)
{
    const char *s = *p, *end;
    if (s[0] == '-' && s[1] == '-') {
        end = strchr(s, '\n');
        end = end ? end + 1 : s + strlen(s);
    } else if (s[0] == '/' && s[1] == '*') {
        end = strstr(s + 2, "*/");
        end = end ? end + 2 : s + strlen(s);
    } else {
        /* 'it''s' is two quoted runs back to back: copied the same way. */
        end = strchr(s + 1, s[0]);
        end = end ? end + 1 : s + strlen(s);
    }
    *p = end;
    return buf_append(b, s, (size_t)(end - s), e);
}

static int starts_quoted(const char *s)
{
    return s[0] == '\'' || s[0] == '"' || (s[0] == '-' && s[1] == '-') ||
           (s[0] == '/' && s[1] == '*');
}

int db_pg_placeholders(struct buf *b, const char *sql, struct err *e)
{
    const char *s = sql;
    long top = 0;
    int rc = 0;
    while (rc == 0 && *s) {
        if (starts_quoted(s)) {
            rc = pg_copy_quoted(b, &s, e);
        } else if (*s == '?') {
            long n = 0;
            s++;
            if (isdigit((unsigned char)*s)) {
                while (isdigit((unsigned char)*s) && n < 100000)
                    n = n * 10 + (*s++ - '0');
                if (n < 1 || n > 32767)
                    return err_set(e, ERR_INTERNAL, "placeholder ?%ld out of range", n);
            } else {
                n = top + 1;
            }
            if (n > top)
                top = n;
            rc = buf_printf(b, e, "$%ld", n);
        } else {
            const char *t = s;
            while (*t && *t != '?' && !starts_quoted(t))
                t++;
            rc = buf_append(b, s, (size_t)(t - s), e);
            s = t;
        }
    }
    return rc;
}

/* 1 if the word at s (length n) is w, case-insensitively. */
static int word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* Reads the next word after s (skipping blanks): sets *w and *n; returns the
 * position after it, or NULL when the next token is not a word. */
static const char *next_word(const char *s, const char **w, size_t *n)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!isalpha((unsigned char)*s) && *s != '_')
        return NULL;
    *w = s;
    while (is_ident((unsigned char)*s))
        s++;
    *n = (size_t)(s - *w);
    return s;
}

/* Translates the migrations' DDL (db_driver.h), with the reasons:
 *   INTEGER PRIMARY KEY -> BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY
 *                          (SQLite's rowid alias: numbered when omitted)
 *   INTEGER             -> BIGINT (SQLite integers are 64-bit)
 *   BLOB                -> BYTEA
 *   TEXT                -> TEXT COLLATE "C" (SQLite compares text bytewise
 *                          (BINARY), so ORDER BY gives the same order on both
 *                          whatever the database's locale); not after AS, so
 *                          CAST(x AS TEXT) stays as it is
 *   WITHOUT ROWID       -> dropped (every PostgreSQL table is a heap) */
int db_pg_translate_ddl(struct buf *b, const char *sql, struct err *e)
{
    const char *s = sql;
    const char *prev = NULL; /* the previous word */
    size_t prevn = 0;
    int rc = 0;
    while (rc == 0 && *s) {
        if (starts_quoted(s)) {
            rc = pg_copy_quoted(b, &s, e);
            continue;
        }
        if (!isalpha((unsigned char)*s) && *s != '_') {
            const char *t = s;
            if (isdigit((unsigned char)*t))
                while (is_ident((unsigned char)*t))
                    t++;
            else
                t++;
            rc = buf_append(b, s, (size_t)(t - s), e);
            s = t;
            continue;
        }
        const char *w = s, *w2 = NULL, *w3 = NULL, *after;
        size_t n, n2 = 0, n3 = 0;
        while (is_ident((unsigned char)*s))
            s++;
        n = (size_t)(s - w);
        after = next_word(s, &w2, &n2);
        if (word_is(w, n, "INTEGER") && after && word_is(w2, n2, "PRIMARY") &&
            (after = next_word(after, &w3, &n3)) && word_is(w3, n3, "KEY")) {
            rc = buf_puts(b, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", e);
            s = after;
        } else if (word_is(w, n, "INTEGER")) {
            rc = buf_puts(b, "BIGINT", e);
        } else if (word_is(w, n, "BLOB")) {
            rc = buf_puts(b, "BYTEA", e);
        } else if (word_is(w, n, "TEXT") && !(prev && word_is(prev, prevn, "AS"))) {
            rc = buf_puts(b, "TEXT COLLATE \"C\"", e);
        } else if (word_is(w, n, "WITHOUT") && after && word_is(w2, n2, "ROWID")) {
            s = after;
        } else {
            rc = buf_append(b, w, n, e);
        }
        prev = w;
        prevn = n;
    }
    return rc;
}

static void pg_close(struct db *d)
{
    struct pg_db *db = pg(d);
    PQfinish(db->conn);
    free(db);
}

static int pg_exec_script(struct db *d, const char *sql, struct err *e)
{
    struct pg_db *db = pg(d);
    struct buf b;
    PGresult *res = NULL;
    int rc = -1;
    buf_init(&b, PG_SQL_MAX);
    if (db_pg_translate_ddl(&b, sql, e))
        goto out;
    if (PQtransactionStatus(db->conn) == PQTRANS_IDLE)
        pg_revive(db);
    res = PQexec(db->conn, buf_str(&b));
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
        pg_fail(db, res, e, "database error");
        goto out;
    }
    rc = 0;
out:
    PQclear(res);
    buf_release(&b);
    return rc;
}

static void pg_row_release(struct pg_stmt *st)
{
    if (st->dec)
        for (int i = 0; i < st->ncols; i++) {
            free(st->dec[i]);
            st->dec[i] = NULL;
        }
}

static void pg_finish(struct db_stmt *s)
{
    struct pg_stmt *st = pgs(s);
    pg_row_release(st);
    free(st->dec);
    free(st->declen);
    PQclear(st->res);
    free(st);
}

/* The parameters of one statement, in the arrays PQexecParams takes. */
struct pg_params {
    int n;
    Oid *types;
    const char **values;
    int *lengths, *formats;
    char (*ints)[24]; /* decimal text of the 'i' parameters */
};

static void pg_params_free(struct pg_params *pp)
{
    free(pp->types);
    free(pp->values);
    free(pp->lengths);
    free(pp->formats);
    free(pp->ints);
}

static int pg_params_bind(struct pg_params *pp, const char *types, va_list ap, struct err *e)
{
    size_t n = strlen(types), cap = n ? n : 1;
    memset(pp, 0, sizeof *pp);
    if (n > 32767)
        return err_set(e, ERR_INTERNAL, "too many parameters");
    pp->n = (int)n;
    pp->types = calloc(cap, sizeof *pp->types);
    pp->values = calloc(cap, sizeof *pp->values);
    pp->lengths = calloc(cap, sizeof *pp->lengths);
    pp->formats = calloc(cap, sizeof *pp->formats);
    pp->ints = calloc(cap, sizeof *pp->ints);
    if (!pp->types || !pp->values || !pp->lengths || !pp->formats || !pp->ints)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        switch (types[i]) {
        case 's':
            pp->types[i] = PG_TEXTOID;
            pp->values[i] = va_arg(ap, const char *);
            break;
        case 'i':
            pp->types[i] = PG_INT8OID;
            snprintf(pp->ints[i], sizeof pp->ints[i], "%lld", (long long)va_arg(ap, int64_t));
            pp->values[i] = pp->ints[i];
            break;
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t len = va_arg(ap, size_t);
            if (len > 0x3fffffff)
                return err_set(e, ERR_TOO_LARGE, "a value is larger than 1 GB");
            pp->types[i] = PG_BYTEAOID;
            /* A non-NULL pointer with length 0 is an empty value, not NULL. */
            pp->values[i] = p ? (len ? p : "") : NULL;
            pp->lengths[i] = (int)len;
            pp->formats[i] = 1;
            break;
        }
        case 'n':
            pp->types[i] = 0; /* the server infers it from where it stands */
            pp->values[i] = NULL;
            break;
        default:
            return err_set(e, ERR_INTERNAL, "bad bind type '%c'", types[i]);
        }
    }
    return 0;
}

static struct db_stmt *pg_vquery(struct db *d, struct err *e, const char *sql, const char *types,
                                 va_list ap)
{
    struct pg_db *db = pg(d);
    struct pg_stmt *st = calloc(1, sizeof *st);
    struct pg_params pp;
    struct buf b;
    ExecStatusType status;

    memset(&pp, 0, sizeof pp);
    buf_init(&b, PG_SQL_MAX);
    if (!st) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    st->base.ops = &pg_ops;
    st->db = db;
    st->row = -1;
    if (pg_params_bind(&pp, types ? types : "", ap, e) || db_pg_placeholders(&b, sql, e))
        goto fail;
    if (PQtransactionStatus(db->conn) == PQTRANS_IDLE)
        pg_revive(db);
    st->res =
        PQexecParams(db->conn, buf_str(&b), pp.n, pp.types, pp.values, pp.lengths, pp.formats, 0);
    status = PQresultStatus(st->res);
    if (status == PGRES_COMMAND_OK) {
        const char *t = PQcmdTuples(st->res);
        db->changes = *t ? strtoll(t, NULL, 10) : 0;
    } else if (status != PGRES_TUPLES_OK) {
        pg_fail(db, st->res, e, "query");
        goto fail;
    }
    st->nrows = PQntuples(st->res);
    st->ncols = PQnfields(st->res);
    pg_params_free(&pp);
    buf_release(&b);
    return &st->base;
fail:
    pg_params_free(&pp);
    buf_release(&b);
    if (st)
        pg_finish(&st->base);
    return NULL;
}

static int pg_next(struct db_stmt *s, struct err *e)
{
    struct pg_stmt *st = pgs(s);
    (void)e;
    pg_row_release(st);
    if (st->row < st->nrows)
        st->row++;
    return st->row < st->nrows ? 1 : 0;
}

static int pg_valid(const struct pg_stmt *st, int col)
{
    return st->row >= 0 && st->row < st->nrows && col >= 0 && col < st->ncols;
}

static int pg_is_null(struct db_stmt *s, int col)
{
    struct pg_stmt *st = pgs(s);
    return !pg_valid(st, col) || PQgetisnull(st->res, st->row, col);
}

/* The decoded bytes of a bytea column in the current row, cached until the
 * next row; NULL when out of memory. */
static const unsigned char *pg_bytea(struct pg_stmt *st, int col, size_t *len)
{
    unsigned char *raw;
    size_t n = 0;
    if (!st->dec) {
        st->dec = calloc((size_t)st->ncols, sizeof *st->dec);
        st->declen = calloc((size_t)st->ncols, sizeof *st->declen);
        if (!st->dec || !st->declen)
            return NULL;
    }
    if (!st->dec[col]) {
        raw = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, col), &n);
        if (!raw)
            return NULL;
        st->dec[col] = malloc(n + 1);
        if (st->dec[col]) {
            memcpy(st->dec[col], raw, n);
            st->dec[col][n] = '\0';
            st->declen[col] = n;
        }
        PQfreemem(raw);
        if (!st->dec[col])
            return NULL;
    }
    *len = st->declen[col];
    return st->dec[col];
}

static const char *pg_text(struct db_stmt *s, int col)
{
    struct pg_stmt *st = pgs(s);
    size_t len;
    if (pg_is_null(s, col))
        return NULL;
    if (PQftype(st->res, col) == PG_BYTEAOID)
        return (const char *)pg_bytea(st, col, &len);
    return PQgetvalue(st->res, st->row, col);
}

static int64_t pg_int(struct db_stmt *s, int col)
{
    struct pg_stmt *st = pgs(s);
    const char *t;
    if (pg_is_null(s, col))
        return 0;
    t = PQgetvalue(st->res, st->row, col);
    if (t[0] == 't' || t[0] == 'f') /* a boolean expression */
        return t[0] == 't';
    return strtoll(t, NULL, 10); /* SUM() is numeric: "12" */
}

static const void *pg_blob(struct db_stmt *s, int col, size_t *len)
{
    struct pg_stmt *st = pgs(s);
    *len = 0;
    if (pg_is_null(s, col))
        return NULL;
    if (PQftype(st->res, col) == PG_BYTEAOID)
        return pg_bytea(st, col, len);
    *len = (size_t)PQgetlength(st->res, st->row, col);
    return PQgetvalue(st->res, st->row, col);
}

/* The id of the row the last INSERT numbered. We ask the server for
 * lastval(): the value the session's last nextval() produced, that is the
 * identity column of the row just inserted (every table whose id the store
 * reads back has one, and nothing else draws from a sequence in between).
 * It costs one round trip, only on the few inserts that need the id, and
 * needs no knowledge of column names here; appending RETURNING would mean
 * parsing the INSERT to know which column to return. Session-local, so
 * concurrent writers cannot interfere. 0 (never an identity value) if the
 * server refuses. */
static int64_t pg_last_id(struct db *d)
{
    struct pg_db *db = pg(d);
    PGresult *res = PQexec(db->conn, "SELECT lastval()");
    int64_t id = 0;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return id;
}

static int64_t pg_changes(struct db *d)
{
    return pg(d)->changes;
}

static int pg_command(struct pg_db *db, const char *sql, ExecStatusType want, struct err *e)
{
    PGresult *res = PQexec(db->conn, sql);
    int rc = 0;
    if (PQresultStatus(res) != want)
        rc = pg_fail(db, res, e, sql);
    PQclear(res);
    return rc;
}

/* BEGIN, then a transaction-scoped advisory lock that every writer takes.
 *
 * SQLite's BEGIN IMMEDIATE takes the database's write lock at once, so one
 * transaction writes at a time and reads what the previous one committed.
 * The channel relies on that: appending to the transparency log reads the
 * size (MAX(idx) + 1) and the stored frontier nodes, then inserts leaf
 * `size` and new nodes; memo and roster numbering do the same. Under
 * PostgreSQL's default READ COMMITTED, two such transactions in two
 * processes would both read size n and one would fail on the primary key
 * (or, for rows without one, both would succeed and diverge). The lock
 * makes them queue as in SQLite. It is released by COMMIT or ROLLBACK,
 * never leaks past the transaction, and does not block readers outside a
 * transaction.
 *
 * This depends on READ COMMITTED (the default; do not raise it): each
 * statement after the lock takes a new snapshot and so sees the previous
 * writer's commit. Under REPEATABLE READ the snapshot would be the one of
 * the locking statement itself, taken before the wait. */
static int pg_begin(struct db *d, struct err *e)
{
    struct pg_db *db = pg(d);
    if (PQtransactionStatus(db->conn) == PQTRANS_IDLE)
        pg_revive(db);
    if (pg_command(db, "BEGIN", PGRES_COMMAND_OK, e))
        return -1;
    if (pg_command(db, "SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")", PGRES_TUPLES_OK, e)) {
        PQclear(PQexec(db->conn, "ROLLBACK"));
        return -1;
    }
    return 0;
}

/* A read-only snapshot: REPEATABLE READ makes every statement see the same
 * moment, and no advisory lock is taken, so readers never queue behind
 * writers. */
static int pg_begin_read(struct db *d, struct err *e)
{
    struct pg_db *db = pg(d);
    if (PQtransactionStatus(db->conn) == PQTRANS_IDLE)
        pg_revive(db);
    return pg_command(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", PGRES_COMMAND_OK, e);
}

/* COMMIT of a transaction that failed is answered "ROLLBACK" with no error:
 * that must be reported as a failure. */
static int pg_commit(struct db *d, struct err *e)
{
    struct pg_db *db = pg(d);
    PGresult *res = PQexec(db->conn, "COMMIT");
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = pg_fail(db, res, e, "commit");
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = err_set(e, ERR_DB, "commit: the transaction had failed and was rolled back");
    PQclear(res);
    return rc;
}

static void pg_rollback(struct db *d)
{
    struct pg_db *db = pg(d);
    PGTransactionStatusType ts = PQtransactionStatus(db->conn);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
        PQclear(PQexec(db->conn, "ROLLBACK"));
}

static const struct db_ops pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .exec_script = pg_exec_script,
    .vquery = pg_vquery,
    .next = pg_next,
    .text = pg_text,
    .integer = pg_int,
    .blob = pg_blob,
    .is_null = pg_is_null,
    .finish = pg_finish,
    .last_id = pg_last_id,
    .changes = pg_changes,
    .begin = pg_begin,
    .begin_read = pg_begin_read,
    .commit = pg_commit,
    .rollback = pg_rollback,
};

int db_pg_open(struct db **out, const char *url, struct err *e)
{
    int rc = -1;
    struct pg_db *db = calloc(1, sizeof *db);
    if (!db) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    db->base.ops = &pg_ops;
    db->conn = PQconnectdb(url);
    if (!db->conn) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    /* The URL may hold a password: it is not repeated in the message. */
    if (PQstatus(db->conn) != CONNECTION_OK) {
        rc = pg_set_err(e, ERR_DB, "cannot connect to PostgreSQL", PQerrorMessage(db->conn));
        goto out;
    }
    PQsetNoticeProcessor(db->conn, pg_quiet, NULL);
    if (PQsetClientEncoding(db->conn, "UTF8") != 0) {
        rc = pg_set_err(e, ERR_DB, "cannot use UTF-8 with PostgreSQL", PQerrorMessage(db->conn));
        goto out;
    }
    *out = &db->base;
    db = NULL;
    rc = 0;
out:
    if (db)
        pg_close(&db->base);
    return rc;
}
