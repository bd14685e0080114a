/* milestones.c — each memo's running total of published signatures and the
 * log leaves at which that total reached a milestone (channel/timeline.c
 * decides what a milestone is; this file only keeps them). A memo's page
 * reads its milestones here instead of parsing every signature leaf. */
#include "store/store_internal.h"

int store_memo_sig_total(struct store *s, const char *memo, int *found, int64_t *total,
                         struct err *e)
{
    int rc = db_scalar(s->db, e, -1, total,
                       "SELECT total FROM memo_signature_totals WHERE memo = ?", "s", memo);
    *found = rc == 0 && *total >= 0;
    if (!*found)
        *total = 0;
    return rc;
}

int store_memo_sig_total_set(struct store *s, const char *memo, int64_t total, struct err *e)
{
    return db_exec_later(
        s->db, e,
        "INSERT INTO memo_signature_totals(memo, total) VALUES(?, ?) ON CONFLICT(memo) "
        "DO UPDATE SET total = excluded.total",
        "si", memo, total);
}

int store_milestone_add(struct store *s, const char *memo, int64_t index, int64_t mark,
                        struct err *e)
{
    /* a replay over rows an earlier note left (their total row lost)
     * recomputes them: the leaves decide */
    return db_exec_later(
        s->db, e,
        "INSERT INTO memo_milestones(memo, idx, mark) VALUES(?, ?, ?) ON CONFLICT(memo, "
        "idx) DO UPDATE SET mark = excluded.mark",
        "sii", memo, index, mark);
}

static int milestone_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_milestone *m = item;
    m->mark = db_int(st, 2);
    return store_leaf_row(p, st, &m->leaf, e);
}

int store_memo_milestones(struct store *s, struct pool *p, const char *memo,
                          struct st_milestone **out, size_t *n, struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof **out, milestone_row, e,
                        "SELECT m.idx, l.data, m.mark FROM memo_milestones m JOIN tlog_leaves l ON "
                        "l.idx = m.idx AND l.memo = m.memo AND l.kind IN ('signature', "
                        "'anonymous-signature') WHERE m.memo = ? ORDER BY m.idx",
                        "s", memo);
    *out = v.items;
    *n = v.n;
    return rc;
}
