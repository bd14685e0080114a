/* review.c — messages between the policy office and drafters, and the /metrics figures. */
#include "store/store_internal.h"

#include <stdio.h>

int store_message_insert(struct store *s, int64_t memo_id, int64_t author_id, const char *body,
                         int64_t now, struct err *e)
{
    return db_exec(s->db, e,
                   "INSERT INTO messages(memo_id, author_id, body, created_at) VALUES(?, ?, ?, ?)",
                   "iisi", memo_id, author_id, body, now);
}

static int message_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_message *m = item;
    m->roles = (unsigned)db_int(st, 2);
    m->created_at = db_int(st, 4);
    return store_col_text(p, st, 0, &m->author, e) ||
                   store_col_text(p, st, 1, &m->display_name, e) ||
                   store_col_text(p, st, 3, &m->body, e)
               ? -1
               : 0;
}

int store_message_list(struct store *s, struct pool *p, int64_t memo_id, struct st_message **out,
                       size_t *n, struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof **out, message_row, e,
                        "SELECT m.username, m.display_name, m.roles, g.body, g.created_at FROM "
                        "messages g JOIN members m ON m.id = g.author_id WHERE g.memo_id = ? "
                        "ORDER BY g.id",
                        "i", memo_id);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_stats(struct store *s, int64_t now, const struct store_due_states *due, int64_t *leaves,
                int64_t *under_review, int64_t *overdue, struct err *e)
{
    char review[128], ack[128], answer[128], sql[512];
    int rc = store_tlog_size(s, leaves, e);
    store_state_in(review, sizeof review, "state", due->under_review);
    store_state_in(ack, sizeof ack, "state", due->ack_open);
    store_state_in(answer, sizeof answer, "state", due->answer_open);
    if (rc == 0) {
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM memos WHERE %s", review);
        rc = db_scalar(s->db, e, 0, under_review, sql, NULL);
    }
    if (rc == 0) {
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM memos WHERE (%s AND ack_due < ?1) OR (%s AND "
                 "answer_due < ?1)",
                 ack, answer);
        rc = db_scalar(s->db, e, 0, overdue, sql, "i", now);
    }
    return rc;
}
