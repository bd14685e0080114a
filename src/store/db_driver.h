/* db_driver.h — what a backend of db.h implements. src/store/ only.
 *
 * db.c dispatches every db.h call through the ops table that the first
 * member of struct db (and of struct db_stmt) points to. A driver embeds
 * struct db / struct db_stmt as the first member of its own structs and
 * casts back. The shared helpers (db_exec, db_query, db_scalar) are written
 * once in db.c on top of vquery/next/finish.
 */
#ifndef DISSENT_STORE_DB_DRIVER_H
#define DISSENT_STORE_DB_DRIVER_H

#include "store/db.h"

struct db_ops {
    const char *name; /* "sqlite", "postgresql" */
    void (*close)(struct db *db);
    int (*exec_script)(struct db *db, const char *sql, struct err *e);
    struct db_stmt *(*vquery)(struct db *db, struct err *e, const char *sql, const char *types,
                              va_list ap);
    int (*next)(struct db_stmt *st, struct err *e);
    const char *(*text)(struct db_stmt *st, int col);
    int64_t (*integer)(struct db_stmt *st, int col);
    const void *(*blob)(struct db_stmt *st, int col, size_t *len);
    int (*is_null)(struct db_stmt *st, int col);
    void (*finish)(struct db_stmt *st);
    int64_t (*last_id)(struct db *db);
    int64_t (*changes)(struct db *db);
    int (*begin)(struct db *db, struct err *e);
    int (*commit)(struct db *db, struct err *e);
    void (*rollback)(struct db *db);
};

struct db {
    const struct db_ops *ops;
};

struct db_stmt {
    const struct db_ops *ops;
};

/* Opens a SQLite database file (path). */
int db_sqlite_open(struct db **out, const char *path, struct err *e) WUR;

/* Opens a PostgreSQL connection (a libpq "postgres://" or "postgresql://" URI). */
int db_pg_open(struct db **out, const char *url, struct err *e) WUR;

/* 1 if url names a PostgreSQL database (postgres:// or postgresql://). */
int db_url_is_pg(const char *url);

#endif
