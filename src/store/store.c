/* store.c — opening the store, transactions, settings, shared row helpers. */
#include "store/store_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int store_open(struct store **out, const char *url, struct err *e)
{
    int rc = -1;
    struct store *s = calloc(1, sizeof *s);
    if (!s) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (db_open(&s->db, url, e) || store_migrate(s, e))
        goto out;
    *out = s;
    s = NULL;
    rc = 0;
out:
    store_close(s);
    return rc;
}

void store_close(struct store *s)
{
    if (s) {
        db_close(s->db);
        free(s);
    }
}

int store_begin(struct store *s, struct err *e)
{
    return db_begin(s->db, e);
}

int store_begin_read(struct store *s, struct err *e)
{
    return db_begin_read(s->db, e);
}

int store_commit(struct store *s, struct err *e)
{
    return db_commit(s->db, e);
}

void store_rollback(struct store *s)
{
    db_rollback(s->db);
}

char *store_col_dup(struct pool *p, struct db_stmt *st, int col)
{
    const char *t = db_text(st, col);
    return t ? pool_strdup(p, t) : NULL;
}

int store_meta_get(struct store *s, struct pool *p, const char *key, char **out, struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st = db_query(s->db, e, "SELECT value FROM meta WHERE key = ?", "s", key);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    *out = r ? store_col_dup(p, st, 0) : NULL;
    if (r && !*out) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    db_finish(st);
    return rc;
}

int store_meta_set(struct store *s, const char *key, const char *value, struct err *e)
{
    return db_exec(
        s->db, e,
        "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = "
        "excluded.value",
        "ss", key, value);
}

int store_rows_json(struct store *s, json_t **out, struct err *e, const char *const *names,
                    const char *sql, const char *types, ...)
{
    int rc = -1, r;
    json_t *arr = json_array();
    struct db_stmt *st;
    va_list ap;

    va_start(ap, types);
    st = db_vquery(s->db, e, sql, types, ap);
    va_end(ap);
    if (!st || !arr)
        goto out;
    while ((r = db_next(st, e)) == 1) {
        json_t *row = json_object();
        if (!row || json_array_append_new(arr, row)) {
            err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        for (int i = 0; names[i]; i++) {
            const char *name = names[i];
            json_t *v;
            if (db_is_null(st, i))
                v = json_null();
            else if (name[0] == '#')
                v = json_integer(db_int(st, i));
            else if (name[0] == '?')
                v = json_boolean(db_int(st, i) != 0);
            else
                v = json_string(db_text(st, i));
            if (name[0] == '#' || name[0] == '?')
                name++;
            json_object_set_new(row, name, v);
        }
    }
    if (r < 0)
        goto out;
    *out = arr;
    arr = NULL;
    rc = 0;
out:
    db_finish(st);
    json_decref(arr);
    return rc;
}
