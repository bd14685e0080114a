/* signatures.c — named co-signatures and their running counts.
 *
 * signature_counts is maintained by the channel layer in the same
 * transaction as every signature change, so the counts a reader sees are
 * exact at every moment; store_counts_recomputed derives them again from the
 * signatures for tests and audits. */
#include "store/store_internal.h"

#include "base/buf.h"

#include <stdlib.h>
#include <string.h>

int store_signature_get(struct store *s, int64_t memo_id, int64_t member_id, int *version,
                        struct err *e)
{
    int64_t v = 0;
    int rc = db_scalar(s->db, e, 0, &v,
                       "SELECT version FROM signatures WHERE memo_id = ? AND member_id = ?", "ii",
                       memo_id, member_id);
    *version = (int)v;
    return rc;
}

int store_signature_put(struct store *s, int64_t memo_id, int64_t member_id, int version,
                        const char *salt, int64_t now, struct err *e)
{
    return db_exec_later(
        s->db, e,
        "INSERT INTO signatures(memo_id, member_id, version, signed_at, salt) VALUES(?, "
        "?, ?, ?, ?) ON CONFLICT(memo_id, member_id) DO UPDATE SET version = "
        "excluded.version, signed_at = excluded.signed_at, salt = excluded.salt",
        "iiiis", memo_id, member_id, (int64_t)version, now, salt);
}

int store_signature_salt(struct store *s, struct pool *p, int64_t memo_id, int64_t member_id,
                         char **salt, struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st =
        db_query(s->db, e, "SELECT salt FROM signatures WHERE memo_id = ? AND member_id = ?", "ii",
                 memo_id, member_id);
    *salt = NULL;
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r == 1)
        *salt = store_col_dup(p, st, 0);
    rc = 0;
out:
    db_finish(st);
    return rc;
}

int store_signature_delete(struct store *s, int64_t memo_id, int64_t member_id, struct err *e)
{
    return db_exec(s->db, e, "DELETE FROM signatures WHERE memo_id = ? AND member_id = ?", "ii",
                   memo_id, member_id);
}

int store_count_adjust(struct store *s, int64_t memo_id, int version, int64_t org_id, int delta,
                       int64_t now, struct err *e)
{
    int rc;
    if (delta > 0) {
        rc = db_exec_later(
            s->db, e,
            "INSERT INTO signature_counts(memo_id, version, org_id, count) VALUES(?, ?, ?, "
            "?) ON CONFLICT(memo_id, version, org_id) DO UPDATE SET count = "
            "signature_counts.count + excluded.count",
            "iiii", memo_id, (int64_t)version, org_id, (int64_t)delta);
    } else {
        /* An upsert would test CHECK(count >= 0) on the negative row it tries
         * to insert first: decrement the existing row instead. */
        rc = db_exec(s->db, e,
                     "UPDATE signature_counts SET count = count + ? WHERE memo_id = ? AND "
                     "version = ? AND org_id = ?",
                     "iiii", (int64_t)delta, memo_id, (int64_t)version, org_id);
        if (rc == 0 && db_changes(s->db) != 1)
            rc = err_set(e, ERR_INTERNAL, "signature count missing for version %d", version);
    }
    if (rc == 0)
        rc = db_exec_later(s->db, e,
                           "INSERT INTO signature_events(memo_id, at, delta) VALUES(?, ?, ?)",
                           "iii", memo_id, now, (int64_t)delta);
    return rc;
}

int store_count_row(struct pool *p, struct db_stmt *st, int col, struct store_vec *v,
                    struct store_vec *o, struct err *e)
{
    /* One entry per row here; store_counts_set sorts and merges them, so a
     * memo with many organizations costs a sort, not a search per row. */
    struct st_version_count *cv = store_push(p, v, sizeof *cv, e);
    struct st_org_count *co;
    int64_t n = db_int(st, col + 2);

    if (!cv)
        return -1;
    cv->version = (int)db_int(st, col);
    cv->count = n;
    if (db_is_null(st, col + 1))
        return 0;
    co = store_push(p, o, sizeof *co, e);
    if (!co || store_col_text(p, st, col + 1, &co->organization, e))
        return -1;
    co->count = n;
    return 0;
}

int store_counts_query(struct store *s, struct pool *p, int64_t memo_id, struct st_counts *out,
                       struct err *e, const char *rows_sql)
{
    struct store_vec v = {0}, o = {0};
    struct db_stmt *st = db_query(s->db, e, rows_sql, "i", memo_id);
    int rc = -1, r;

    if (!st)
        goto out;
    while ((r = db_next(st, e)) == 1)
        if (store_count_row(p, st, 0, &v, &o, e))
            goto out;
    if (r < 0)
        goto out;
    rc = 0;
out:
    db_finish(st);
    store_counts_set(out, &v, &o);
    return rc;
}

static int cmp_version_count(const void *a, const void *b)
{
    int x = ((const struct st_version_count *)a)->version;
    int y = ((const struct st_version_count *)b)->version;
    return (x > y) - (x < y);
}

static int cmp_org_count(const void *a, const void *b)
{
    return strcmp(((const struct st_org_count *)a)->organization,
                  ((const struct st_org_count *)b)->organization);
}

void store_counts_set(struct st_counts *out, const struct store_vec *v, const struct store_vec *o)
{
    struct st_version_count *cv = v->items;
    struct st_org_count *co = o->items;
    size_t nv = 0, no = 0, norg = 0, i, j;

    /* Sorted, equal neighbours merged; a version or organization whose
     * signatures were all withdrawn (or are all still held back) is not
     * listed. An entry store_count_row left without a slug (out of
     * memory) is dropped first. */
    for (i = 0; i < o->n; i++)
        if (co[i].organization)
            co[norg++] = co[i];
    if (v->n > 1)
        qsort(cv, v->n, sizeof *cv, cmp_version_count);
    if (norg > 1)
        qsort(co, norg, sizeof *co, cmp_org_count);
    for (i = 0; i < v->n; i = j) {
        int64_t sum = 0;
        for (j = i; j < v->n && cv[j].version == cv[i].version; j++)
            sum += cv[j].count;
        if (sum > 0)
            cv[nv++] = (struct st_version_count){cv[i].version, sum};
    }
    for (i = 0; i < norg; i = j) {
        int64_t sum = 0;
        for (j = i; j < norg && strcmp(co[j].organization, co[i].organization) == 0; j++)
            sum += co[j].count;
        if (sum > 0)
            co[no++] = (struct st_org_count){co[i].organization, sum};
    }
    out->by_version = cv;
    out->n_version = nv;
    out->by_org = co;
    out->n_org = no;
    out->total = 0;
    for (i = 0; i < nv; i++)
        out->total += cv[i].count;
}

int store_counts(struct store *s, struct pool *p, int64_t memo_id, struct st_counts *out,
                 struct err *e)
{
    return store_counts_query(s, p, memo_id, out, e, STORE_COUNT_ROWS("?1"));
}

int store_counts_recomputed(struct store *s, struct pool *p, int64_t memo_id, struct st_counts *out,
                            struct err *e)
{
    return store_counts_query(s, p, memo_id, out, e,
                              "SELECT g.version, o.slug, COUNT(*) FROM signatures g JOIN members m "
                              "ON m.id = g.member_id LEFT JOIN organizations o ON o.id = m.org_id "
                              "WHERE g.memo_id = ?1 GROUP BY g.version, o.slug");
}

static int signer_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_signer *g = item;
    g->version = (int)db_int(st, 3);
    g->signed_at = db_int(st, 4);
    g->member_id = db_int(st, 5);
    return store_col_text(p, st, 0, &g->username, e) ||
                   store_col_text(p, st, 1, &g->display_name, e) ||
                   store_col_text(p, st, 2, &g->organization, e)
               ? -1
               : 0;
}

int store_signer_page(struct store *s, struct pool *p, int64_t memo_id, int64_t after_at,
                      int64_t after_member, int limit, struct st_signer **out, size_t *n,
                      struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof **out, signer_row, e, STORE_SIGNER_PAGE_SQL, "iiii",
                        memo_id, after_at, after_member, (int64_t)limit);
    *out = v.items;
    *n = v.n;
    return rc;
}

static int tally_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_tally *t = item;
    (void)p;
    (void)e;
    t->at = db_int(st, 0);
    t->total = db_int(st, 1);
    return 0;
}

int store_signature_timeline(struct store *s, struct pool *p, int64_t memo_id,
                             struct st_tally **out, size_t *n, struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof **out, tally_row, e,
                        "SELECT at, SUM(delta) OVER (ORDER BY at) FROM signature_events "
                        "WHERE memo_id = ? ORDER BY at",
                        "i", memo_id);
    *out = v.items;
    *n = v.n;
    return rc;
}
