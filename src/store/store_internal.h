/* store_internal.h — shared by the files of src/store/ only. */
#ifndef DISSENT_STORE_INTERNAL_H
#define DISSENT_STORE_INTERNAL_H

#include "store/db.h"
#include "store/store.h"

struct store {
    struct db *db;
};

/* Applies every migration the database lacks, each in its own transaction. */
int store_migrate(struct store *s, struct err *e) WUR;

/* Copies column col of the current row into p; NULL stays NULL. */
char *store_col_dup(struct pool *p, struct db_stmt *st, int col);

/* Copies text column col into *out (SQL NULL gives NULL). -1 only when out of memory. */
int store_col_text(struct pool *p, struct db_stmt *st, int col, char **out, struct err *e) WUR;

/* A list being collected from rows into pool memory. */
struct store_vec {
    void *items;
    size_t n, cap;
};
/* Appends one zeroed element of size bytes; returns it, or NULL (ERR_NOMEM in e). */
void *store_push(struct pool *p, struct store_vec *v, size_t size, struct err *e);

/* Fills item (a zeroed list element) from the current row. */
typedef int (*store_row_fn)(struct pool *p, struct db_stmt *st, void *item, struct err *e);

/* Runs sql and appends one element of size bytes per row to v, each filled
 * by fill. v keeps what was collected even on failure (all in p). */
int store_rows(struct store *s, struct pool *p, struct store_vec *v, size_t size, store_row_fn fill,
               struct err *e, const char *sql, const char *types, ...) WUR;

/* Fills *out from two queries of (version, count) and (slug, count) rows,
 * each taking the memo id; the total is the sum over versions. */
int store_counts_query(struct store *s, struct pool *p, int64_t memo_id, struct st_counts *out,
                       struct err *e, const char *by_version_sql, const char *by_org_sql) WUR;

/* Writes "col IN (…)" for the states in mask (STORE_STATE_BIT), or a false
 * condition for the empty set. The SQL holds only numbers made here. */
void store_state_in(char *buf, size_t n, const char *col, unsigned mask);

#endif
