/* access.c — the access log's rows: who read which memo's text, titles or
 * signers, when, and in what capacity. What a reader of the log may see of
 * them is the channel's to decide (channel/access.c). */
#include "store/store_internal.h"

#include "base/buf.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int store_access_insert(struct store *s, const struct st_read *r, struct err *e)
{
    /* The drafter flag is read here, in the same transaction as the read. */
    return db_exec(s->db, e,
                   "INSERT INTO access_log(memo_id, reader_id, what, at, roles, drafter) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, CASE WHEN EXISTS(SELECT 1 FROM memo_drafters d "
                   "WHERE d.memo_id = ?1 AND d.member_id = ?2) THEN 1 ELSE 0 END)",
                   "iisii", r->memo_id, r->reader_id, r->what, r->at, (int64_t)r->roles);
}

/* The filter every list and count shares (STORE_ACCESS_WHERE); its
 * parameters are ?1 … ?6 in the order of ACCESS_WHERE_TYPES. */
#define ACCESS_WHERE_TYPES "iissii"

/* A row, with what opening its memo's title takes. */
struct access_sealed {
    struct st_access a;
    int version;
    char *wrapped; /* the memo's key, wrapped */
};
/* Rows per statement of store_access_insert_many: a list of up to 128
 * memos is one statement, and every list runs the same text (one entry in
 * a statement cache). The unused slots of the last chunk carry id 0, which
 * no memo has (ids start at 1), and the SELECT skips them. */
#define ACCESS_CHUNK_MAX 128

/* INSERT … SELECT over VALUES (?5), (?6), …: both backends name the one
 * column of VALUES column1. */
static int access_chunk_sql(struct buf *b, struct err *e)
{
    if (buf_puts(
            b,
            "INSERT INTO access_log(memo_id, reader_id, what, at, roles, drafter) "
            "SELECT x.column1, ?1, ?2, ?3, ?4, CASE WHEN EXISTS(SELECT 1 FROM memo_drafters d "
            "WHERE d.memo_id = x.column1 AND d.member_id = ?1) THEN 1 ELSE 0 END FROM (VALUES ",
            e))
        return -1;
    for (size_t i = 0; i < ACCESS_CHUNK_MAX; i++)
        if (buf_printf(b, e, "%s(?%zu)", i ? ", " : "", i + 5))
            return -1;
    return buf_puts(b, ") x WHERE x.column1 <> 0", e);
}

/* Binds the chunk's parameters by hand: there are many. */
static int access_chunk_run(struct store *s, const char *sql, const struct st_read *r,
                            const int64_t *ids, size_t rows, struct err *e)
{
    char types[4 + ACCESS_CHUNK_MAX + 1];
    int64_t v[ACCESS_CHUNK_MAX] = {0};
    memcpy(types, "isii", 4);
    memset(types + 4, 'i', ACCESS_CHUNK_MAX);
    types[4 + ACCESS_CHUNK_MAX] = '\0';
    memcpy(v, ids, rows * sizeof *v);
    return db_exec(s->db, e, sql, types, r->reader_id, r->what, r->at, (int64_t)r->roles,
#define V8(k) v[k], v[k + 1], v[k + 2], v[k + 3], v[k + 4], v[k + 5], v[k + 6], v[k + 7]
                   V8(0), V8(8), V8(16), V8(24), V8(32), V8(40), V8(48), V8(56), V8(64), V8(72),
                   V8(80), V8(88), V8(96), V8(104), V8(112), V8(120));
#undef V8
}

int store_access_insert_many(struct store *s, const struct st_read *r, const int64_t *memo_ids,
                             size_t n, struct err *e)
{
    struct buf b;
    int rc = 0;
    if (n == 0)
        return 0;
    buf_init(&b, 1 << 14);
    rc = access_chunk_sql(&b, e);
    for (size_t done = 0; rc == 0 && done < n; done += ACCESS_CHUNK_MAX) {
        size_t rows = n - done < ACCESS_CHUNK_MAX ? n - done : ACCESS_CHUNK_MAX;
        rc = access_chunk_run(s, buf_str(&b), r, memo_ids + done, rows, e);
    }
    buf_release(&b);
    return rc;
}

static int access_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct access_sealed *row = item;
    struct st_access *a = &row->a;
    a->at = db_int(st, 4);
    a->roles = (unsigned)db_int(st, 5);
    a->drafter = db_int(st, 6) != 0;
    a->memo_id = db_int(st, 7);
    row->version = (int)db_int(st, 8);
    return store_col_text(p, st, 0, &a->memo, e) || store_col_text(p, st, 1, &a->reader, e) ||
                   store_col_text(p, st, 2, &a->display_name, e) ||
                   store_col_text(p, st, 3, &a->what, e) ||
                   store_col_text(p, st, 9, &a->title, e) ||
                   store_col_text(p, st, 10, &row->wrapped, e)
               ? -1
               : 0;
}

/* Opens the title of each row (or forgets it when not asked for) and moves
 * the rows into a plain array. */
static int access_titles(struct store *s, struct pool *p, const struct store_vec *v, int titles,
                         struct st_access **out, struct err *e)
{
    int rc = 0;
    unsigned char key[SEAL_KEY_SIZE];
    char ad[STORE_AD_MAX];
    struct st_access *list = pool_alloc(p, (v->n ? v->n : 1) * sizeof *list);
    if (!list)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < v->n; i++) {
        struct access_sealed *row = (struct access_sealed *)v->items + i;
        list[i] = row->a;
        list[i].title = NULL;
        if (!titles || !row->a.title || !row->wrapped)
            continue;
        store_ad(ad, row->a.memo_id, "version", row->version, "title");
        rc = store_memo_key_unwrap(s, row->a.memo_id, row->wrapped, key, e) ||
                     store_open_text(p, key, ad, row->a.title, &list[i].title, e)
                 ? -1
                 : 0;
        sodium_memzero(key, sizeof key);
    }
    *out = list;
    return rc;
}

int store_access_list(struct store *s, struct pool *p, const struct st_access_filter *f,
                      struct st_access **out, size_t *n, struct err *e)
{
    struct store_vec v = {0};
    char sql[1200];
    int rc;
    snprintf(sql, sizeof sql,
             /* 0: every memo's (a negative id matches none, as before) */
             f->memo_id != 0 ? STORE_ACCESS_LIST_SQL(STORE_ACCESS_OF_MEMO)
                             : STORE_ACCESS_LIST_SQL(STORE_ACCESS_OF_ALL),
             f->limit, (long long)(f->offset > 0 ? f->offset : 0));
    rc = store_rows(s, p, &v, sizeof(struct access_sealed), access_row, e, sql, ACCESS_WHERE_TYPES,
                    f->memo_id, (int64_t)f->named_roles, f->memo, f->reader, f->from, f->to);
    *out = NULL;
    *n = 0;
    if (rc == 0 && access_titles(s, p, &v, f->titles, out, e) == 0)
        *n = v.n;
    else
        rc = -1;
    return rc;
}

int store_access_count(struct store *s, const struct st_access_filter *f, int64_t *n, struct err *e)
{
    return db_scalar(s->db, e, 0, n,
                     f->memo_id != 0 ? STORE_ACCESS_COUNT_SQL(STORE_ACCESS_OF_MEMO)
                                     : STORE_ACCESS_COUNT_SQL(STORE_ACCESS_OF_ALL),
                     ACCESS_WHERE_TYPES, f->memo_id, (int64_t)f->named_roles, f->memo, f->reader,
                     f->from, f->to);
}

static int day_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_access_day *d = item;
    (void)p;
    (void)e;
    d->day = db_int(st, 0);
    d->reads = db_int(st, 1);
    d->listed = db_int(st, 2);
    d->readers = db_int(st, 3);
    return 0;
}

int store_access_days(struct store *s, struct pool *p, const struct st_access_filter *f,
                      const char *listed_what, struct st_access_day **out, size_t *n, struct err *e)
{
    struct store_vec v = {0};
    char sql[640];
    int rc;
    snprintf(sql, sizeof sql,
             "SELECT a.at / 86400, COUNT(*), SUM(CASE WHEN a.what = ?3 THEN 1 ELSE 0 END), "
             "COUNT(DISTINCT a.reader_id) FROM access_log a WHERE a.memo_id = ?1 AND "
             "a.drafter = 0 AND (a.roles & ?2) = 0 GROUP BY a.at / 86400 ORDER BY a.at / 86400 "
             "DESC LIMIT %d",
             f->limit);
    rc = store_rows(s, p, &v, sizeof **out, day_row, e, sql, "iis", f->memo_id,
                    (int64_t)f->named_roles, listed_what);
    *out = v.items;
    *n = v.n;
    return rc;
}
