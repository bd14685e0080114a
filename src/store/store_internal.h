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

/* Runs sql and collects every row into a JSON array of objects whose keys
 * are given by names; a name starting with '#' makes an integer field, '?'
 * a boolean, otherwise a string (NULL becomes JSON null). */
int store_rows_json(struct store *s, json_t **out, struct err *e, const char *const *names,
                    const char *sql, const char *types, ...) WUR;

#endif
