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
 * Round trips are what a request pays for on PostgreSQL, so:
 * - Every statement is prepared once per connection (a named server-side
 *   statement) and kept in a cache keyed by the store's own SQL text and bind
 *   types; later runs are one Bind/Execute with no rewriting and no parsing
 *   or planning from scratch on the server (see pg_prepared).
 * - db_begin and db_begin_read send nothing: their BEGIN (and the writers'
 *   lock) go in one pipeline with the transaction's first statement (see
 *   pg_run), so a transaction costs its statements plus COMMIT.
 * - An INSERT into a table with an identity column gets `RETURNING <column>`
 *   appended when it is prepared, so db_last_id needs no round trip.
 * - db_exec_later's statements, inside a write transaction, are held and
 *   sent in the pipeline of the next statement, COMMIT or group
 *   operation's RELEASE (with the BEGIN when they come first; see
 *   pg_exec_later and pg_run): a statement nothing is read from costs no
 *   round trip of its own.
 *
 * A statement runs when it is bound and its whole result is kept, so db_next
 * only walks rows and a caller may run other statements on the connection
 * while it walks, as SQLite allows.
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

/* Sent after DB_SCHEMA_VERSION_SQL by a guarded write transaction
 * (db_schema_guard), $1 the version it must find: it fails (division by
 * zero) on the server when the version moved, so that nothing the same
 * pipeline holds after it runs, a COMMIT included. The answer of the
 * SELECT before it, read only once the pipeline is done, cannot stop
 * them. */
#define PG_SCHEMA_ASSERT_SQL                                                                       \
    "SELECT 1 / COUNT(*) FROM meta WHERE key = 'schema_version' AND value = $1"

/* Longest SQL text after rewriting (our statements are a few hundred bytes). */
#define PG_SQL_MAX (1u << 20)

/* One statement prepared on the server under `name`. */
struct pg_cached {
    char *key; /* bind types, '\0', SQL text as the store wrote it; NULL: free slot */
    size_t keylen;
    unsigned long long hash;
    char name[24];      /* "dissent_<n>", never reused on a connection */
    char *text;         /* as prepared: placeholders rewritten, RETURNING appended */
    int insert;         /* an INSERT (db_last_id changes) */
    int returning;      /* `RETURNING <id>` was appended: its row is the new id */
    unsigned long used; /* clock of the last use */
};

/* A statement of db_exec_later, held until the next round trip: a cached
 * statement's name and a copy of its parameters, and what it takes to
 * prepare it again (pg_run). */
struct pg_later {
    char name[24];
    int n;
    const char **values; /* into data */
    int *lengths, *formats;
    char *data;
    Oid *types;
    char *text;    /* the cached statement's text */
    int reprepare; /* its statement is gone: send it as the unnamed one */
};

/* What db_begin / db_begin_read opened. */
enum pg_tx { PG_TX_NONE, PG_TX_WRITE, PG_TX_READ, PG_TX_UNORDERED };

/* The BEGIN of each kind of transaction (pg_begin, pg_begin_read,
 * pg_begin_unordered say why); the writers' lock follows PG_TX_WRITE's. */
static const char *pg_begin_sql(enum pg_tx tx)
{
    switch (tx) {
    case PG_TX_READ:
        return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    case PG_TX_UNORDERED:
        return "BEGIN ISOLATION LEVEL REPEATABLE READ";
    default:
        return "BEGIN";
    }
}

struct pg_db {
    struct db base; /* first: db.c sees only this */
    PGconn *conn;
    int64_t changes; /* rows changed by the last INSERT/UPDATE/DELETE */
    int64_t last_id; /* the id the last INSERT's appended RETURNING gave */
    int last_id_ok;  /* 0: ask the server (lastval()) */
    enum pg_tx tx;   /* the transaction the caller opened */
    int tx_sent;     /* its BEGIN has gone to the server */
    /* A group's operation savepoints (db.h, group commit) go with the next
     * statement, as BEGIN does: RELEASE of the last operation's, then
     * SAVEPOINT of the next. An operation that runs no statement costs no
     * round trip, nor does a release; COMMIT releases whatever is left. */
    int rel_pending, sp_pending;
    /* Statements of db_exec_later not sent yet: they go, in order, after
     * the above and before the next statement, COMMIT or RELEASE. */
    struct pg_later *later;
    size_t nlater, caplater;
    struct pg_cached cache[DB_PG_STMT_CACHE];
    unsigned long clock;  /* for least-recently-used eviction */
    unsigned long serial; /* numbers statement names */
    char (*drops)[24];    /* evicted statements, deallocated outside a transaction */
    size_t ndrops, capdrops;
    /* The write transaction found another schema version (db_schema_guard):
     * every later statement of it, and its COMMIT, fail with this, so that
     * a group's later operations do not write in the transaction the first
     * one's check refused. Cleared when the transaction ends. */
    int schema_refused;
    struct err refusal;
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

/* Copies libpq's msg without its trailing newline (libpq ends messages with
 * one), marked as a driver's text. */
static int pg_set_err(struct err *e, enum err_code code, const char *what, const char *msg)
{
    size_t n = msg ? strlen(msg) : 0;
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    return err_set_driver(e, code, "%s: %.*s", what, (int)n, msg ? msg : "");
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

static int is_ident(int c)
{
    return isalnum(c) || c == '_';
}

/* The end of the quoted string, quoted identifier or comment starting at s
 * (which the caller has recognized). */
static const char *quoted_end(const char *s)
{
    const char *end;
    if (s[0] == '-' && s[1] == '-') {
        end = strchr(s, '\n');
        end = end ? end + 1 : s + strlen(s);
    } else if (s[0] == '/' && s[1] == '*') {
        end = strstr(s + 2, "*/");
        end = end ? end + 2 : s + strlen(s);
    } else {
        /* 'it''s' is two quoted runs back to back: skipped the same way. */
        end = strchr(s + 1, s[0]);
        end = end ? end + 1 : s + strlen(s);
    }
    return end;
}

/* Copies a quoted string, quoted identifier or comment starting at *p into
 * b, and advances *p past it. */
static int pg_copy_quoted(struct buf *b, const char **p, struct err *e)
{
    const char *s = *p;
    *p = quoted_end(s);
    return buf_append(b, s, (size_t)(*p - s), e);
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

/* ---- the statement cache ---- */

/* FNV-1a over the bind types, a NUL, and the SQL text: the cache key. */
static unsigned long long pg_hash(const char *types, const char *sql, size_t *len)
{
    unsigned long long h = 14695981039346656037ull;
    size_t tl = strlen(types), sl = strlen(sql);
    for (size_t i = 0; i <= tl; i++)
        h = (h ^ (unsigned char)types[i]) * 1099511628211ull;
    for (size_t i = 0; i < sl; i++)
        h = (h ^ (unsigned char)sql[i]) * 1099511628211ull;
    *len = tl + 1 + sl;
    return h;
}

static struct pg_cached *pg_find(struct pg_db *db, unsigned long long h, size_t len,
                                 const char *types, const char *sql)
{
    size_t tl = strlen(types);
    for (size_t i = 0; i < DB_PG_STMT_CACHE; i++) {
        struct pg_cached *c = &db->cache[i];
        if (c->key && c->hash == h && c->keylen == len && strcmp(c->key, types) == 0 &&
            strcmp(c->key + tl + 1, sql) == 0)
            return c;
    }
    return NULL;
}

/* Remembers that statement `name` must be deallocated on the server. It is
 * done at the next statement run outside a transaction (pg_run), never inside
 * one: a DEALLOCATE that failed there would abort the caller's transaction.
 * Out of memory, the statement stays on the server until the connection
 * closes. */
static void pg_drop_later(struct pg_db *db, const char *name)
{
    if (db->ndrops == db->capdrops) {
        size_t cap = db->capdrops ? 2 * db->capdrops : 16;
        char(*p)[24] = realloc(db->drops, cap * sizeof *p);
        if (!p)
            return;
        db->drops = p;
        db->capdrops = cap;
    }
    snprintf(db->drops[db->ndrops++], sizeof db->drops[0], "%s", name);
}

/* Forgets a cached statement; `on_server`: it still exists there. */
static void pg_evict(struct pg_db *db, struct pg_cached *c, int on_server)
{
    if (on_server)
        pg_drop_later(db, c->name);
    free(c->key);
    free(c->text);
    memset(c, 0, sizeof *c);
}

/* Keeps a statement just prepared, in a free slot or in place of the least
 * recently used one. */
static void pg_remember(struct pg_db *db, struct pg_cached *fresh)
{
    struct pg_cached *victim = NULL;
    for (size_t i = 0; i < DB_PG_STMT_CACHE; i++) {
        struct pg_cached *c = &db->cache[i];
        if (!c->key) {
            victim = c;
            break;
        }
        if (!victim || c->used < victim->used)
            victim = c;
    }
    if (victim->key)
        pg_evict(db, victim, 1);
    *victim = *fresh;
    victim->used = ++db->clock;
    fresh->key = NULL;
    fresh->text = NULL;
}

/* Forgets every statement without telling the server: after a new session
 * (which has none) or DEALLOCATE ALL. */
static void pg_forget_all(struct pg_db *db)
{
    for (size_t i = 0; i < DB_PG_STMT_CACHE; i++)
        pg_evict(db, &db->cache[i], 0);
    db->ndrops = 0;
}

/* Reconnects a connection the server dropped, unless the caller's transaction
 * had begun there (its statements must fail until it rolls back). The new
 * session has no prepared statements, and its encoding is set again.
 * (PQtransactionStatus says UNKNOWN, not IDLE, for a broken connection.) */
static void pg_revive(struct pg_db *db)
{
    if (PQstatus(db->conn) != CONNECTION_BAD || db->tx_sent)
        return;
    PQreset(db->conn);
    pg_forget_all(db);
    if (PQstatus(db->conn) == CONNECTION_OK)
        (void)PQsetClientEncoding(db->conn, "UTF8");
}

/* 1 if `word` stands in sql as a word of its own, outside quotes (a crude
 * scan: enough to see whether an INSERT returns something already). */
static int pg_has_word(const char *sql, const char *word)
{
    const char *s = sql, *w;
    size_t n;
    while (*s) {
        if (starts_quoted(s)) {
            s = quoted_end(s);
        } else if (isalpha((unsigned char)*s) || *s == '_') {
            s = next_word(s, &w, &n);
            if (word_is(w, n, word))
                return 1;
        } else {
            s++;
        }
    }
    return 0;
}

/* For `INSERT INTO <table>` with no RETURNING of its own, the table's
 * identity column (the `INTEGER PRIMARY KEY` of the migrations), so that
 * `RETURNING <it>` can be appended and db_last_id read from the result:
 * one round trip when the text is first prepared instead of a
 * `SELECT lastval()` after every run. Sets *insert (the statement is an
 * INSERT) and col ("" when there is nothing to return). */
static int pg_identity(struct pg_db *db, const char *sql, int *insert, char col[64], struct err *e)
{
    static const char q[] = "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) "
                            "AND attidentity <> '' AND NOT attisdropped";
    const char *s = sql, *w = NULL, *param;
    char table[64];
    size_t n = 0;
    PGresult *res = NULL;
    int rc = 0;

    *insert = 0;
    col[0] = '\0';
    if (!(s = next_word(s, &w, &n)) || !word_is(w, n, "INSERT"))
        goto out;
    *insert = 1;
    if (!(s = next_word(s, &w, &n)) || !word_is(w, n, "INTO") || !(s = next_word(s, &w, &n)) ||
        n >= sizeof table || *s == '.' || pg_has_word(s, "RETURNING"))
        goto out;
    memcpy(table, w, n);
    table[n] = '\0';
    param = table;
    res = PQexecParams(db->conn, q, 1, NULL, &param, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_fail(db, res, e, "query");
        goto out;
    }
    if (PQntuples(res) == 1) {
        const char *a = PQgetvalue(res, 0, 0);
        size_t len = strlen(a);
        int plain = len > 0 && len < 64;
        for (size_t i = 0; plain && i < len; i++)
            plain = islower((unsigned char)a[i]) || isdigit((unsigned char)a[i]) || a[i] == '_';
        if (plain)
            memcpy(col, a, len + 1);
    }
out:
    PQclear(res);
    return rc;
}

/* ---- running a statement ---- */

/* One run of a prepared statement, with what must go before it. */
struct pg_call {
    const char *name;    /* the server-side statement; NULL: tail instead */
    const char *tail;    /* without name: a command without parameters (COMMIT,
                          * RELEASE), or NULL for nothing but what goes before */
    const char *prepare; /* its text, to prepare it first; NULL when cached */
    const struct pg_params *pp;
    PGresult *res; /* out: the statement's result (success or failure) */
    int prepared;  /* out: the prepare succeeded */
    int began;     /* out: the caller's BEGIN went with it */
    int was_idle;  /* out: no transaction was open on the server before */
    int sent_sp;   /* out: a group operation's SAVEPOINT went with it */
};

/* Reads the results of one command of the pipeline, up to its NULL; keeps
 * the first. */
static PGresult *pg_collect(PGconn *conn)
{
    PGresult *keep = NULL, *r;
    while ((r = PQgetResult(conn)) != NULL) {
        if (!keep)
            keep = r;
        else
            PQclear(r);
    }
    return keep;
}

/* Reads the result of a Sync (PGRES_PIPELINE_SYNC). */
static void pg_synced(PGconn *conn)
{
    PQclear(PQgetResult(conn));
}

static void pg_later_clear(struct pg_db *db)
{
    for (size_t i = 0; i < db->nlater; i++) {
        struct pg_later *l = &db->later[i];
        free(l->values);
        free(l->lengths);
        free(l->formats);
        free(l->data);
        free(l->types);
        free(l->text);
    }
    db->nlater = 0;
}

/* A held statement failed: the failure a fresh prepare cures (pg_stale)
 * makes its cached statement be prepared again on its next use. */
static int pg_stale(const PGresult *res);
static void pg_later_failed(struct pg_db *db, const struct pg_later *l, const PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (!pg_stale(res))
        return;
    for (size_t i = 0; i < DB_PG_STMT_CACHE; i++)
        if (db->cache[i].key && strcmp(db->cache[i].name, l->name) == 0)
            pg_evict(db, &db->cache[i], strcmp(state, "26000") != 0);
}

/* Sends, in one pipeline and so one round trip: the DEALLOCATE of evicted
 * statements (outside a transaction only, each behind its own Sync so a
 * failure touches nothing else), the caller's BEGIN (and the writers' lock)
 * when not sent yet, the pending RELEASE and SAVEPOINT of a group, the
 * statements db_exec_later held, the Parse of a new statement, and the
 * statement itself (or call->tail, or nothing). Returns 0 with call->res
 * set (which may hold the statement's error; NULL when nothing was to
 * run), or -1 when the statement did not run (e set; a held statement's
 * failure is reported so, and the held statements are gone either way).
 *
 * A held statement that meets a stale prepared statement (pg_stale) in the
 * pipeline that began the transaction is what pg_vquery's retry cures for
 * a statement run at once: nothing of the transaction had run before, so
 * it is rolled back and sent again (once: *retry), the held statements
 * prepared anew as the unnamed one. */
static int pg_run_once(struct pg_db *db, struct pg_call *call, struct err *e, int may_retry,
                       int *retry)
{
    PGconn *conn = db->conn;
    const struct pg_params *pp = call->pp;
    int begin = db->tx != PG_TX_NONE && !db->tx_sent;
    int write = db->tx == PG_TX_WRITE;
    /* an unordered transaction writes too (inserts): it is checked as well,
     * in its snapshot, as SQLite checks it (there it is db_begin's) */
    int guarded = (write || db->tx == PG_TX_UNORDERED) && db->base.schema_guard;
    size_t ndrops;
    PGresult *first = NULL, *lock = NULL, *guard = NULL, *sure = NULL, *prep = NULL, *rel = NULL,
             *sp = NULL, *held = NULL;
    char want[24];
    const char *wantp = want;
    int send_rel = db->rel_pending, send_sp = db->sp_pending, run = call->name || call->tail;
    size_t nlater = db->nlater, bad = 0;
    char q[64];
    int ok = 1, rc = -1;

    *retry = 0;
    call->res = NULL;
    call->sent_sp = send_sp;
    call->prepared = 0;
    call->began = begin;
    call->was_idle = PQtransactionStatus(conn) == PQTRANS_IDLE;
    ndrops = call->was_idle ? db->ndrops : 0;
    if (!PQenterPipelineMode(conn)) {
        pg_later_clear(db);
        return pg_set_err(e, ERR_DB, "database error", PQerrorMessage(conn));
    }
    for (size_t i = 0; i < ndrops && ok; i++) {
        snprintf(q, sizeof q, "DEALLOCATE %s", db->drops[i]);
        ok = PQsendQueryParams(conn, q, 0, NULL, NULL, NULL, NULL, 0) && PQpipelineSync(conn);
    }
    if (begin) {
        ok = ok && PQsendQueryParams(conn, pg_begin_sql(db->tx), 0, NULL, NULL, NULL, NULL, 0);
        if (write)
            ok = ok && PQsendQueryParams(conn, "SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")", 0,
                                         NULL, NULL, NULL, NULL, 0);
        /* after the lock, so that its snapshot (READ COMMITTED: one per
         * statement) sees a migration that committed while we waited */
        if (guarded) {
            snprintf(want, sizeof want, "%lld", (long long)db->base.schema_guard);
            ok = ok && PQsendQueryParams(conn, DB_SCHEMA_VERSION_SQL, 0, NULL, NULL, NULL, NULL, 0);
            ok =
                ok && PQsendQueryParams(conn, PG_SCHEMA_ASSERT_SQL, 1, NULL, &wantp, NULL, NULL, 0);
        }
        db->tx_sent = 1;
    }
    if (send_rel)
        ok = ok && PQsendQueryParams(conn, "RELEASE SAVEPOINT op", 0, NULL, NULL, NULL, NULL, 0);
    if (send_sp)
        ok = ok && PQsendQueryParams(conn, "SAVEPOINT op", 0, NULL, NULL, NULL, NULL, 0);
    db->rel_pending = db->sp_pending = 0;
    for (size_t i = 0; i < nlater; i++) {
        const struct pg_later *l = &db->later[i];
        const char *name = l->reprepare ? "" : l->name;
        if (l->reprepare)
            ok = ok && PQsendPrepare(conn, "", l->text, l->n, l->types);
        ok = ok && PQsendQueryPrepared(conn, name, l->n, l->values, l->lengths, l->formats, 0);
    }
    if (call->prepare)
        ok = ok && PQsendPrepare(conn, call->name, call->prepare, pp->n, pp->types);
    if (call->name)
        ok = ok &&
             PQsendQueryPrepared(conn, call->name, pp->n, pp->values, pp->lengths, pp->formats, 0);
    else if (call->tail)
        ok = ok && PQsendQueryParams(conn, call->tail, 0, NULL, NULL, NULL, NULL, 0);
    if (!ok) {
        /* Nothing was flushed yet unless a Sync was: the connection is broken
         * or out of memory; pg_revive starts over once the caller is out of
         * its transaction. */
        pg_set_err(e, ERR_DB, "database error", PQerrorMessage(conn));
        (void)PQpipelineSync(conn);
        while (PQstatus(conn) == CONNECTION_OK && PQgetResult(conn))
            ;
        (void)PQexitPipelineMode(conn);
        pg_later_clear(db);
        return -1;
    }
    ok = PQpipelineSync(conn);
    for (size_t i = 0; i < ndrops; i++) {
        PQclear(pg_collect(conn));
        pg_synced(conn);
    }
    db->ndrops -= ndrops;
    if (ndrops) /* drops may be NULL when there were none */
        memmove(db->drops, db->drops + ndrops, db->ndrops * sizeof *db->drops);
    if (begin) {
        first = pg_collect(conn);
        if (write)
            lock = pg_collect(conn);
        if (guarded) {
            guard = pg_collect(conn);
            sure = pg_collect(conn);
        }
    }
    if (send_rel)
        rel = pg_collect(conn);
    if (send_sp)
        sp = pg_collect(conn);
    for (size_t i = 0; i < nlater; i++) {
        PGresult *r = pg_collect(conn);
        ExecStatusType st = PQresultStatus(r);
        if (db->later[i].reprepare) {
            if (held || st == PGRES_COMMAND_OK) {
                PQclear(r);
                r = pg_collect(conn);
                st = PQresultStatus(r);
            } else { /* the Parse failed: its Execute is skipped */
                PQclear(pg_collect(conn));
            }
        }
        if (!held && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            held = r;
            bad = i;
        } else {
            PQclear(r);
        }
    }
    if (call->prepare)
        prep = pg_collect(conn);
    if (run)
        call->res = pg_collect(conn);
    pg_synced(conn);
    (void)PQexitPipelineMode(conn);

    if (begin && PQresultStatus(first) != PGRES_COMMAND_OK) {
        pg_fail(db, first, e, "begin");
        goto out;
    }
    if (begin && write && PQresultStatus(lock) != PGRES_TUPLES_OK) {
        pg_fail(db, lock, e, "begin");
        goto out;
    }
    if (guard && PQresultStatus(guard) != PGRES_TUPLES_OK) {
        pg_fail(db, guard, e, "begin");
        goto out;
    }
    if (guard && db_schema_check(&db->base, PQntuples(guard) ? PQgetvalue(guard, 0, 0) : NULL, e)) {
        db->schema_refused = 1;
        db->refusal = *e;
        goto out;
    }
    if (sure && PQresultStatus(sure) != PGRES_TUPLES_OK) {
        pg_fail(db, sure, e, "begin");
        goto out;
    }
    if ((send_rel && PQresultStatus(rel) != PGRES_COMMAND_OK) ||
        (send_sp && PQresultStatus(sp) != PGRES_COMMAND_OK)) {
        pg_fail(db, send_sp && PQresultStatus(sp) != PGRES_COMMAND_OK ? sp : rel, e, "savepoint");
        goto out;
    }
    if (held) {
        pg_later_failed(db, &db->later[bad], held);
        if (may_retry && begin && call->was_idle && pg_stale(held)) {
            PQclear(PQexec(conn, "ROLLBACK"));
            db->tx_sent = 0;
            db->rel_pending = send_rel;
            db->sp_pending = send_sp;
            for (size_t i = 0; i < nlater; i++)
                db->later[i].reprepare = 1;
            *retry = 1;
            goto out;
        }
        pg_fail(db, held, e, "query");
        goto out;
    }
    if (call->prepare && PQresultStatus(prep) != PGRES_COMMAND_OK) {
        pg_fail(db, prep, e, "query");
        goto out;
    }
    call->prepared = call->prepare != NULL;
    if (!ok || (run && !call->res)) {
        pg_set_err(e, ERR_DB, "database error", PQerrorMessage(conn));
        goto out;
    }
    rc = 0;
out:
    if (rc) {
        PQclear(call->res);
        call->res = NULL;
    }
    PQclear(first);
    PQclear(lock);
    PQclear(guard);
    PQclear(sure);
    PQclear(rel);
    PQclear(sp);
    PQclear(held);
    PQclear(prep);
    /* pg_vquery sends them again when it retries a stale statement of
     * this transaction's first pipeline (and the caller's rollback drops
     * them when it does not). */
    if (!*retry && !(rc == 0 && call->name && begin && call->was_idle && pg_stale(call->res)))
        pg_later_clear(db);
    return rc;
}

static int pg_run(struct pg_db *db, struct pg_call *call, struct err *e)
{
    int retry = 0, rc;
    if (db->schema_refused) {
        pg_later_clear(db);
        *e = db->refusal;
        return -1;
    }
    rc = pg_run_once(db, call, e, 1, &retry);
    if (retry)
        rc = pg_run_once(db, call, e, 0, &retry);
    return rc;
}

/* 1 for the failures a fresh prepare cures: the statement is gone from the
 * server (26000), or its result columns changed under it since it was
 * prepared ("cached plan must not change result type", 0A000), as after
 * another process's migration. */
static int pg_stale(const PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    return state && (strcmp(state, "26000") == 0 || strcmp(state, "0A000") == 0);
}

static struct db_stmt *pg_vquery(struct db *d, struct err *e, const char *sql, const char *types,
                                 va_list ap)
{
    struct pg_db *db = pg(d);
    struct pg_stmt *st = calloc(1, sizeof *st);
    struct pg_params pp;
    struct pg_cached fresh;
    struct pg_call call;
    struct pg_cached *c = NULL;
    struct buf b;
    unsigned long long h;
    size_t len;
    int insert = 0;
    ExecStatusType status = PGRES_FATAL_ERROR;

    memset(&pp, 0, sizeof pp);
    memset(&fresh, 0, sizeof fresh);
    memset(&call, 0, sizeof call);
    buf_init(&b, PG_SQL_MAX);
    types = types ? types : "";
    if (!st) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (db->schema_refused) {
        /* its transaction is aborted on the server (PG_SCHEMA_ASSERT_SQL):
         * the refusal, not what pg_identity would meet there */
        *e = db->refusal;
        goto fail;
    }
    st->base.ops = &pg_ops;
    st->db = db;
    st->row = -1;
    if (pg_params_bind(&pp, types, ap, e))
        goto fail;
    h = pg_hash(types, sql, &len);
    for (int attempt = 0;; attempt++) {
        pg_revive(db);
        c = pg_find(db, h, len, types, sql);
        if (!c) {
            char col[64];
            buf_reset(&b);
            free(fresh.key);
            free(fresh.text);
            memset(&fresh, 0, sizeof fresh);
            fresh.key = malloc(len + 1);
            if (!fresh.key) {
                err_set(e, ERR_NOMEM, "out of memory");
                goto fail;
            }
            memcpy(fresh.key, types, strlen(types) + 1);
            memcpy(fresh.key + strlen(types) + 1, sql, len - strlen(types));
            fresh.keylen = len;
            fresh.hash = h;
            snprintf(fresh.name, sizeof fresh.name, "dissent_%lu", ++db->serial);
            if (pg_identity(db, sql, &insert, col, e) || db_pg_placeholders(&b, sql, e))
                goto fail;
            if (col[0]) {
                /* Trailing blanks and `;` would end the statement before it. */
                while (b.len > 0 &&
                       (isspace((unsigned char)b.data[b.len - 1]) || b.data[b.len - 1] == ';'))
                    b.data[--b.len] = '\0';
                if (buf_printf(&b, e, "\nRETURNING \"%s\"", col))
                    goto fail;
                fresh.returning = 1;
            }
            fresh.insert = insert;
            fresh.text = malloc(b.len + 1);
            if (!fresh.text) {
                err_set(e, ERR_NOMEM, "out of memory");
                goto fail;
            }
            memcpy(fresh.text, buf_str(&b), b.len + 1);
        }
        call.name = c ? c->name : fresh.name;
        call.prepare = c ? NULL : buf_str(&b);
        call.pp = &pp;
        if (pg_run(db, &call, e))
            goto fail;
        if (!c) {
            /* pg_run failed unless the prepare succeeded. */
            pg_remember(db, &fresh);
            c = pg_find(db, h, len, types, sql);
        }
        status = PQresultStatus(call.res);
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
            break;
        if (c && pg_stale(call.res)) {
            /* Prepared again next time; and now, when nothing of the
             * caller's had run in a transaction yet. */
            const char *state = PQresultErrorField(call.res, PG_DIAG_SQLSTATE);
            pg_evict(db, c, strcmp(state, "26000") != 0);
            if (attempt == 0 && call.was_idle) {
                if (call.began) {
                    /* The group's operation, if any, needs its SAVEPOINT
                     * again in the transaction begun anew. */
                    PQclear(PQexec(db->conn, "ROLLBACK"));
                    db->tx_sent = 0;
                    db->sp_pending = call.sent_sp;
                }
                PQclear(call.res);
                call.res = NULL;
                continue;
            }
        }
        pg_fail(db, call.res, e, "query");
        goto fail;
    }
    {
        int returning = c->returning;
        if (status == PGRES_COMMAND_OK || returning) {
            const char *t = PQcmdTuples(call.res);
            db->changes = *t ? strtoll(t, NULL, 10) : 0;
        }
        if (returning) {
            int n = PQntuples(call.res);
            if (n > 0 && !PQgetisnull(call.res, n - 1, 0)) {
                db->last_id = strtoll(PQgetvalue(call.res, n - 1, 0), NULL, 10);
                db->last_id_ok = 1;
            }
        } else if (c->insert) {
            db->last_id_ok = 0;
        }
        st->res = call.res;
        call.res = NULL;
        /* The appended RETURNING is ours: the caller sees no rows. */
        st->nrows = returning ? 0 : PQntuples(st->res);
        st->ncols = returning ? 0 : PQnfields(st->res);
    }
    free(fresh.key);
    free(fresh.text);
    pg_params_free(&pp);
    buf_release(&b);
    return &st->base;
fail:
    PQclear(call.res);
    free(fresh.key);
    free(fresh.text);
    pg_params_free(&pp);
    buf_release(&b);
    if (st)
        pg_finish(&st->base);
    return NULL;
}

/* db_exec_later: a statement prepared already, in a write transaction, is
 * held with a copy of its parameters and sent by the next pg_run (with the
 * BEGIN when it is the transaction's first; pg_run prepares it again when
 * it meets a stale statement there); anything else runs now, as does a
 * transaction's first statement on a connection known to be broken (the
 * statement reconnects, see pg_revive). */
static int pg_exec_later(struct db *d, struct err *e, const char *sql, const char *types,
                         va_list ap)
{
    struct pg_db *db = pg(d);
    struct pg_params pp;
    struct pg_cached *c = NULL;
    struct pg_later *l;
    unsigned long long h;
    size_t len, size = 0;
    int rc = -1;

    types = types ? types : "";
    if ((db->tx == PG_TX_WRITE || db->tx == PG_TX_UNORDERED) &&
        PQtransactionStatus(db->conn) == (db->tx_sent ? PQTRANS_INTRANS : PQTRANS_IDLE) &&
        PQstatus(db->conn) == CONNECTION_OK) {
        h = pg_hash(types, sql, &len);
        c = pg_find(db, h, len, types, sql);
    }
    if (!c) {
        struct db_stmt *st = pg_vquery(d, e, sql, types, ap);
        if (!st)
            return -1;
        pg_finish(st);
        return 0;
    }
    if (pg_params_bind(&pp, types, ap, e))
        goto out;
    if (db->nlater == db->caplater) {
        size_t cap = db->caplater ? 2 * db->caplater : 8;
        struct pg_later *p = realloc(db->later, cap * sizeof *p);
        if (!p) {
            err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        db->later = p;
        db->caplater = cap;
    }
    l = &db->later[db->nlater];
    memset(l, 0, sizeof *l);
    for (int i = 0; i < pp.n; i++)
        if (pp.values[i])
            size += pp.formats[i] ? (size_t)pp.lengths[i] : strlen(pp.values[i]) + 1;
    l->values = calloc(pp.n ? (size_t)pp.n : 1, sizeof *l->values);
    l->lengths = calloc(pp.n ? (size_t)pp.n : 1, sizeof *l->lengths);
    l->formats = calloc(pp.n ? (size_t)pp.n : 1, sizeof *l->formats);
    l->types = calloc(pp.n ? (size_t)pp.n : 1, sizeof *l->types);
    l->data = malloc(size ? size : 1);
    l->text = malloc(strlen(c->text) + 1);
    if (!l->values || !l->lengths || !l->formats || !l->types || !l->data || !l->text) {
        free(l->values);
        free(l->lengths);
        free(l->formats);
        free(l->types);
        free(l->data);
        free(l->text);
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    size = 0;
    memcpy(l->text, c->text, strlen(c->text) + 1);
    for (int i = 0; i < pp.n; i++) {
        l->types[i] = pp.types[i];
        l->lengths[i] = pp.lengths[i];
        l->formats[i] = pp.formats[i];
        if (pp.values[i]) {
            size_t n = pp.formats[i] ? (size_t)pp.lengths[i] : strlen(pp.values[i]) + 1;
            memcpy(l->data + size, pp.values[i], n);
            l->values[i] = l->data + size;
            size += n;
        }
    }
    l->n = pp.n;
    memcpy(l->name, c->name, sizeof l->name);
    c->used = ++db->clock;
    db->nlater++;
    rc = 0;
out:
    pg_params_free(&pp);
    return rc;
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

/* The id of the row the last INSERT numbered: from the `RETURNING` that
 * pg_identity appended to it, without a round trip. Otherwise (an INSERT
 * whose table has no identity column or that names it some other way) we
 * ask the server for lastval(), the value the session's last nextval()
 * produced, as before the appended RETURNING existed. 0 (never an identity
 * value) if the server refuses. */
static int64_t pg_last_id(struct db *d)
{
    struct pg_db *db = pg(d);
    PGresult *res;
    int64_t id = 0;
    if (db->last_id_ok)
        return db->last_id;
    res = PQexec(db->conn, "SELECT lastval()");
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return id;
}

static int64_t pg_changes(struct db *d)
{
    return pg(d)->changes;
}

static void pg_close(struct db *d)
{
    struct pg_db *db = pg(d);
    pg_forget_all(db);
    free(db->drops);
    pg_later_clear(db);
    free(db->later);
    PQfinish(db->conn);
    free(db);
}

/* The migrations: translated, run in one PQexec (with the caller's BEGIN in
 * front when it has not gone to the server yet), and followed by DEALLOCATE
 * ALL in the same round trip. PostgreSQL replans a prepared statement whose
 * tables changed, but refuses to run one whose result columns changed
 * ("cached plan must not change result type"): after DDL on this
 * connection every cached statement is dropped and prepared afresh on its
 * next use. (DDL from another process is caught by pg_stale.) */
static int pg_exec_script(struct db *d, const char *sql, struct err *e)
{
    struct pg_db *db = pg(d);
    struct buf b;
    PGresult *res = NULL;
    int rc = -1;
    int begin;
    if (db->schema_refused) {
        *e = db->refusal;
        return -1;
    }
    buf_init(&b, PG_SQL_MAX);
    if (db->nlater || ((db->tx == PG_TX_WRITE || db->tx == PG_TX_UNORDERED) && !db->tx_sent &&
                       db->base.schema_guard)) {
        /* The held statements go first, in a round trip of their own; so do
         * a guarded write transaction's BEGIN, lock and version check
         * (db_schema_guard), whose answer a script's one result would hide. */
        struct pg_call call = {0};
        if (pg_run(db, &call, e))
            goto out;
    }
    begin = db->tx != PG_TX_NONE && !db->tx_sent;
    pg_revive(db);
    if (begin &&
        (buf_puts(&b, pg_begin_sql(db->tx), e) ||
         buf_puts(&b,
                  db->tx == PG_TX_WRITE ? "; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ");\n"
                                        : ";\n",
                  e)))
        goto out;
    if ((db->rel_pending && buf_puts(&b, "RELEASE SAVEPOINT op;\n", e)) ||
        (db->sp_pending && buf_puts(&b, "SAVEPOINT op;\n", e)))
        goto out;
    db->rel_pending = db->sp_pending = 0;
    if (db_pg_translate_ddl(&b, sql, e) || buf_puts(&b, "\n;DEALLOCATE ALL", e))
        goto out;
    if (begin)
        db->tx_sent = 1;
    res = PQexec(db->conn, buf_str(&b));
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
        pg_fail(db, res, e, "database error");
        goto out;
    }
    pg_forget_all(db);
    rc = 0;
out:
    PQclear(res);
    buf_release(&b);
    return rc;
}

static int pg_open_tx(struct pg_db *db, enum pg_tx tx, struct err *e)
{
    if (db->tx != PG_TX_NONE)
        return err_set(e, ERR_INTERNAL, "cannot start a transaction within a transaction");
    db->tx = tx;
    db->tx_sent = 0;
    db->schema_refused = 0;
    return 0;
}

/* A write transaction: BEGIN, then a transaction-scoped advisory lock that
 * every writer takes. Both are sent with the transaction's first statement,
 * in one round trip (pg_run, or pg_exec_script): nothing of the transaction
 * runs before the lock is held, and a transaction that runs no statement
 * costs nothing.
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
    return pg_open_tx(pg(d), PG_TX_WRITE, e);
}

/* A read-only snapshot: REPEATABLE READ makes every statement see the same
 * moment, and no advisory lock is taken, so readers never queue behind
 * writers. Sent with the first statement, as pg_begin. */
static int pg_begin_read(struct db *d, struct err *e)
{
    return pg_open_tx(pg(d), PG_TX_READ, e);
}

/* A write transaction without the writers' lock (db_begin_unordered): it
 * only reads and inserts rows that no writer numbers or orders by, so it
 * need not queue. REPEATABLE READ gives its reads the one consistent
 * moment that the lock gave them under READ COMMITTED (no writer could
 * commit in between); its inserts cannot meet a serialization failure,
 * which only an UPDATE, DELETE or row lock of a row changed since the
 * snapshot raises (a foreign key check takes FOR KEY SHARE, which the
 * store's updates, never of a key, do not conflict with). */
static int pg_begin_unordered(struct db *d, struct err *e)
{
    return pg_open_tx(pg(d), PG_TX_UNORDERED, e);
}

/* COMMIT of a transaction that failed is answered "ROLLBACK" with no error:
 * that must be reported as a failure. A transaction that never reached the
 * server has nothing to commit. The statements db_exec_later held go with
 * the COMMIT; when one fails, COMMIT does not run and the transaction is
 * rolled back here. */
static void pg_rollback(struct db *d);

static int pg_commit(struct db *d, struct err *e)
{
    struct pg_db *db = pg(d);
    PGresult *res;
    int rc = 0;
    if (db->schema_refused) {
        *e = db->refusal;
        pg_rollback(d);
        return -1;
    }
    if (db->tx != PG_TX_NONE && !db->tx_sent && !db->nlater) {
        db->rel_pending = db->sp_pending = 0;
        db->tx = PG_TX_NONE;
        return 0;
    }
    if (db->nlater) {
        /* COMMIT releases every savepoint, but what was held runs after
         * the pending ones, as it was asked to. */
        struct pg_call call = {.tail = "COMMIT"};
        rc = pg_run(db, &call, e);
        db->tx = PG_TX_NONE;
        db->tx_sent = 0;
        if (rc == 0 && PQresultStatus(call.res) != PGRES_COMMAND_OK)
            rc = pg_fail(db, call.res, e, "commit");
        else if (rc == 0 && strcmp(PQcmdStatus(call.res), "COMMIT") != 0)
            rc = err_set(e, ERR_DB, "commit: the transaction had failed and was rolled back");
        PQclear(call.res);
        if (rc) {
            PGTransactionStatusType ts = PQtransactionStatus(db->conn);
            if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
                PQclear(PQexec(db->conn, "ROLLBACK"));
        }
        db->schema_refused = 0; /* the transaction is over, its refusal reported */
        return rc;
    }
    db->rel_pending = db->sp_pending = 0; /* COMMIT releases every savepoint */
    db->tx = PG_TX_NONE;
    db->tx_sent = 0;
    res = PQexec(db->conn, "COMMIT");
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
    pg_later_clear(db);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
        PQclear(PQexec(db->conn, "ROLLBACK"));
    db->rel_pending = db->sp_pending = 0;
    db->tx = PG_TX_NONE;
    db->tx_sent = 0;
    db->schema_refused = 0;
}

/* A group's operation begins: its SAVEPOINT goes with its first statement. */
static int pg_savepoint(struct db *d, struct err *e)
{
    (void)e;
    pg(d)->sp_pending = 1;
    return 0;
}

/* An operation that ran no statement had no savepoint to release. One
 * whose last statements db_exec_later held sends them now, with the
 * RELEASE: its caller learns here whether the operation holds. */
static int pg_release(struct db *d, struct err *e)
{
    struct pg_db *db = pg(d);
    if (db->nlater) {
        struct pg_call call = {.tail = "RELEASE SAVEPOINT op"};
        int rc = pg_run(db, &call, e);
        if (rc == 0 && PQresultStatus(call.res) != PGRES_COMMAND_OK)
            rc = pg_fail(db, call.res, e, "savepoint");
        PQclear(call.res);
        return rc;
    }
    if (db->sp_pending)
        db->sp_pending = 0;
    else
        db->rel_pending = 1;
    return 0;
}

/* Undoes the operation at once (the transaction may be in error until then). */
static void pg_rollback_to(struct db *d)
{
    struct pg_db *db = pg(d);
    pg_later_clear(db); /* the operation's own, never sent */
    if (db->sp_pending) {
        db->sp_pending = 0; /* nothing of it reached the server */
        return;
    }
    PQclear(PQexec(db->conn, "ROLLBACK TO SAVEPOINT op; RELEASE SAVEPOINT op"));
}

static const struct db_ops pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .exec_script = pg_exec_script,
    .vquery = pg_vquery,
    .exec_later = pg_exec_later,
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
    .begin_unordered = pg_begin_unordered,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .savepoint = pg_savepoint,
    .release = pg_release,
    .rollback_to = pg_rollback_to,
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
