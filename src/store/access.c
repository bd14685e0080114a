/* access.c — the access log's rows: who read which memo's text, titles or
 * signers, when, and in what capacity. What a reader of the log may see of
 * them is the channel's to decide (channel/access.c). */
#include "store/store_internal.h"

#include <stdio.h>

int store_access_insert(struct store *s, const struct st_read *r, struct err *e)
{
    /* The drafter flag is read here, in the same transaction as the read. */
    return db_exec(s->db, e,
                   "INSERT INTO access_log(memo_id, reader_id, what, at, roles, drafter) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, CASE WHEN EXISTS(SELECT 1 FROM memo_drafters d "
                   "WHERE d.memo_id = ?1 AND d.member_id = ?2) THEN 1 ELSE 0 END)",
                   "iisii", r->memo_id, r->reader_id, r->what, r->at, (int64_t)r->roles);
}

static int access_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_access *a = item;
    a->at = db_int(st, 4);
    a->roles = (unsigned)db_int(st, 5);
    a->drafter = db_int(st, 6) != 0;
    return store_col_text(p, st, 0, &a->memo, e) || store_col_text(p, st, 1, &a->reader, e) ||
                   store_col_text(p, st, 2, &a->display_name, e) ||
                   store_col_text(p, st, 3, &a->what, e)
               ? -1
               : 0;
}

int store_access_list(struct store *s, struct pool *p, const struct st_access_filter *f,
                      struct st_access **out, size_t *n, struct err *e)
{
    struct store_vec v = {0};
    char sql[640];
    int rc;
    snprintf(sql, sizeof sql,
             "SELECT x.public_id, m.username, m.display_name, a.what, a.at, a.roles, a.drafter "
             "FROM access_log a JOIN memos x ON x.id = a.memo_id JOIN members m ON m.id = "
             "a.reader_id WHERE (?1 = 0 OR a.memo_id = ?1) AND (?2 = 0 OR a.drafter = 1 OR "
             "(a.roles & ?2) <> 0) ORDER BY a.id DESC LIMIT %d",
             f->limit);
    rc = store_rows(s, p, &v, sizeof **out, access_row, e, sql, "ii", f->memo_id,
                    (int64_t)f->named_roles);
    *out = v.items;
    *n = v.n;
    return rc;
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
