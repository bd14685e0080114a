/* db.h — the backend-neutral SQL driver beneath the store.
 *
 * Only src/store/ uses this. SQL is written once, with `?` placeholders and
 * portable types (INTEGER as 64-bit, TEXT, BLOB), in the subset SQLite and
 * PostgreSQL both run; each backend is a driver (db_driver.h: db_sqlite.c,
 * db_pg.c) and db.c dispatches to it. Parameters are bound from a type
 * string: 's' text (const char *, NULL binds NULL), 'i' int64_t, 'b' blob
 * (const void *, size_t), 'n' null (no argument).
 *
 * Portable SQL, in short: upserts as ON CONFLICT(…) DO UPDATE SET col =
 * excluded.col (qualify the old value: table.col); ON CONFLICT DO NOTHING;
 * no rowid, no INSERT OR …, no CAST of a BLOB to TEXT (read the blob); a
 * parameter used for a NULL test is bound 's' or 'i', not 'n'.
 */
#ifndef DISSENT_STORE_DB_H
#define DISSENT_STORE_DB_H

#include "base/err.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct db_stmt;

/* Opens the database named by url: "postgres://…" or "postgresql://…" is a
 * libpq connection URI (the database must exist); anything else is a SQLite
 * file path (created if missing; WAL mode, foreign keys on, busy timeout).
 * Returns 0 and sets *out, or -1. */
int db_open(struct db **out, const char *url, struct err *e) WUR;

/* Closes the connection and frees it. NULL is allowed. */
void db_close(struct db *db);

/* Runs one statement that returns no rows. */
int db_exec(struct db *db, struct err *e, const char *sql, const char *types, ...) WUR;

/* Runs one statement that returns no rows, as db_exec, when the caller needs
 * nothing from it but that the transaction fails if it fails: not its
 * db_changes or db_last_id, nor to tell its error from a later one's. Inside
 * a write transaction a driver may hold it and send it with the next
 * statement, the COMMIT or the group operation's end
 * (PostgreSQL: in that one round trip, see db_pg.c); its failure is then
 * reported by that call, with the same code, and the transaction is left
 * to roll back as after any failure. Otherwise it runs at once (SQLite
 * always). */
int db_exec_later(struct db *db, struct err *e, const char *sql, const char *types, ...) WUR;

/* Runs several ;-separated statements with no parameters (migrations),
 * written in SQLite's dialect; the PostgreSQL driver translates the types
 * (see schema.c). */
int db_exec_script(struct db *db, const char *sql, struct err *e) WUR;

/* Prepares and binds a statement; step it with db_next and free it with
 * db_finish. Returns NULL on failure (details in e; ERR_CONFLICT for a
 * constraint violation). A backend may run the statement here already. */
struct db_stmt *db_query(struct db *db, struct err *e, const char *sql, const char *types, ...);

/* The same with a va_list. */
struct db_stmt *db_vquery(struct db *db, struct err *e, const char *sql, const char *types,
                          va_list ap);

/* Steps: 1 a row is ready, 0 no more rows, -1 failure. */
int db_next(struct db_stmt *st, struct err *e) WUR;

/* Column accessors for the current row (0-based). Text is valid until the
 * next db_next/db_finish; NULL for SQL NULL. */
const char *db_text(struct db_stmt *st, int col);
int64_t db_int(struct db_stmt *st, int col);
const void *db_blob(struct db_stmt *st, int col, size_t *len);
int db_is_null(struct db_stmt *st, int col);

/* Frees a statement. NULL is allowed. */
void db_finish(struct db_stmt *st);

/* Runs a query expected to return one integer (e.g. COUNT(*)); *out = dflt if no row. */
int db_scalar(struct db *db, struct err *e, int64_t dflt, int64_t *out, const char *sql,
              const char *types, ...) WUR;

/* How many statements this connection has run since it was opened (those of
 * db_query, db_exec, db_exec_later and the functions built on them; not the
 * drivers' own BEGIN, COMMIT and savepoints): what a request costs in
 * statements, for tests that a cost does not grow with a list's length and
 * for benches. */
uint64_t db_statements(const struct db *db);

/* Row id of the last insert and rows changed by the last statement. */
int64_t db_last_id(struct db *db);
int64_t db_changes(struct db *db);

/* Transactions. After a failed statement inside one, roll back: PostgreSQL
 * refuses every later statement of that transaction, and its COMMIT fails.
 * Begin is immediate: it takes the one write lock before anything of the
 * transaction runs, so writers are serialized across processes (SQLite:
 * BEGIN IMMEDIATE, at once; PostgreSQL: an advisory lock, sent with the
 * transaction's first statement in one round trip, see db_pg.c — so there a
 * failure to begin is reported by that statement). Transactions do not
 * nest: a begin inside one fails. */
int db_begin(struct db *db, struct err *e) WUR;
/* A read-only transaction: one consistent snapshot, no write lock (readers
 * of the log must see the size and the nodes of one moment without queueing
 * behind writers). End it with db_rollback. */
int db_begin_read(struct db *db, struct err *e) WUR;
/* A write transaction outside the log's order: it takes no writers' lock,
 * for a transaction that reads and adds rows nothing numbers, orders or
 * reads back to decide a write (the access log a memo read records, see
 * store_begin_unordered). It may only read and INSERT: UPDATE and DELETE
 * fail with ERR_INTERNAL (checked here, on both backends), since changing
 * a row that an ordered writer may change needs the lock. PostgreSQL:
 * REPEATABLE READ, so its reads see one snapshot (as db_begin's do under
 * the lock), and readers on several servers never queue behind one
 * server's writer; SQLite: as db_begin (a file has one writer anyway). In
 * a group it is an operation like db_begin's. End it like db_begin's. */
int db_begin_unordered(struct db *db, struct err *e) WUR;
int db_commit(struct db *db, struct err *e) WUR;
void db_rollback(struct db *db);

/* Group commit, for the one writer connection of a server: db_group_begin
 * opens one real write transaction (db_begin's); until db_group_end, every
 * db_begin or db_begin_read opens a savepoint instead, db_commit releases
 * it and db_rollback rolls back to it. So each operation of the group stays
 * all or nothing, one failing operation leaves the others alone, and one
 * COMMIT makes them all durable together (SQLite synchronous=FULL;
 * PostgreSQL synchronous_commit as the server has it, on by default). A
 * released operation is not durable, nor visible to other connections,
 * until db_group_end(db, 1, e) returned 0: answer nobody before. After a
 * failed group commit every operation of the group is gone. Operations do
 * not nest here either. */
int db_group_begin(struct db *db, struct err *e) WUR;
/* Commits (commit = 1) or rolls back the group; 0 or -1 (then rolled back). */
int db_group_end(struct db *db, int commit, struct err *e) WUR;

/* From now on every write transaction (db_begin, db_group_begin,
 * db_begin_unordered) checks, once it holds the writers' lock, that the
 * database's schema version is still version, and fails with ERR_DB
 * otherwise: another process of a newer dissent migrated it while this one
 * ran, and this one's writes would skip what the new schema keeps.
 * PostgreSQL reads it in the round trip that takes the lock (an unordered
 * transaction, which takes none, in its first, in its snapshot); SQLite
 * right after BEGIN IMMEDIATE. Statements outside a transaction are not
 * checked. 0 turns the check off (a migration, which moves the version
 * itself). */
void db_schema_guard(struct db *db, int64_t version);
/* The query of the database's schema version: one row of the store's meta
 * table, as text (store/schema.c writes it; the guard and migrations read
 * it). */
#define DB_SCHEMA_VERSION_SQL "SELECT value FROM meta WHERE key = 'schema_version'"

#endif
