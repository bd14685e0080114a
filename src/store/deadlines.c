/* deadlines.c — which missed deadlines the log does not record yet. The
 * rule (channel/deadline.h) decides what counts as missed; this query only
 * narrows the memos to look at, so a tick reads what changed, not every
 * memo ever submitted. */
#include "store/store_internal.h"

#include <string.h>

static int id_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    char **id = item;
    *id = store_col_dup(p, st, 0);
    return *id ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

/* One deadline column passed unmet by its "met" column, with no leaf yet. */
#define PASSED(due, met, which)                                                                    \
    "(m." due " IS NOT NULL AND m." due " < ? AND (m." met " IS NULL OR m." met " > m." due        \
    ") AND (m.withdrawn_at IS NULL OR m.withdrawn_at > m." due                                     \
    ") AND NOT EXISTS (SELECT 1 FROM tlog_leaves l WHERE l.memo = m.public_id AND "                \
    "l.kind = 'deadline-missed' AND l.version = " which "))"

int store_deadline_unlogged(struct store *s, struct pool *p, int64_t now, int limit, char ***out,
                            size_t *n, struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof(char *), id_row, e,
                        "SELECT m.public_id FROM memos m WHERE m.submitted_at IS NOT NULL AND "
                        "(" PASSED("ack_due", "acknowledged_at", "1") " OR " PASSED(
                            "answer_due", "answered_at", "2") ") ORDER BY m.id LIMIT ?",
                        "iii", now, now, (int64_t)limit);
    *out = v.items;
    *n = v.n;
    return rc;
}
