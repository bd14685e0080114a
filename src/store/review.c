/* review.c — messages between the policy office and drafters, and the access log. */
#include "store/store_internal.h"

#include <stdio.h>

int store_message_insert(struct store *s, int64_t memo_id, int64_t author_id, const char *body,
                         int64_t now, struct err *e)
{
    return db_exec(s->db, e,
                   "INSERT INTO messages(memo_id, author_id, body, created_at) VALUES(?, ?, ?, ?)",
                   "iisi", memo_id, author_id, body, now);
}

int store_message_list(struct store *s, int64_t memo_id, json_t **out, struct err *e)
{
    static const char *const names[] = {"author", "display_name", "#roles",
                                        "body",   "#created_at",  NULL};
    return store_rows_json(s, out, e, names,
                           "SELECT m.username, m.display_name, m.roles, g.body, g.created_at FROM "
                           "messages g JOIN members m ON m.id = g.author_id WHERE g.memo_id = ? "
                           "ORDER BY g.id",
                           "i", memo_id);
}

int store_access_insert(struct store *s, int64_t memo_id, int64_t reader_id, const char *what,
                        int64_t now, struct err *e)
{
    return db_exec(s->db, e,
                   "INSERT INTO access_log(memo_id, reader_id, what, at) VALUES(?, ?, ?, ?)",
                   "iisi", memo_id, reader_id, what, now);
}

int store_access_list(struct store *s, int64_t memo_id, int limit, json_t **out, struct err *e)
{
    static const char *const names[] = {"memo", "reader", "display_name", "what", "#at", NULL};
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT x.public_id, m.username, m.display_name, a.what, a.at FROM access_log a "
             "JOIN memos x ON x.id = a.memo_id JOIN members m ON m.id = a.reader_id WHERE "
             "(?1 = 0 OR a.memo_id = ?1) ORDER BY a.id DESC LIMIT %d",
             limit);
    return store_rows_json(s, out, e, names, sql, "i", memo_id);
}

/* Writes "(0, 3)": the states of set as an SQL list ("(-1)" when empty). */
static void state_list(char *out, size_t n, unsigned set)
{
    size_t used = 0;
    int first = 1;
    out[0] = '\0';
    used += (size_t)snprintf(out, n, "(");
    for (int st = 0; st < 32 && used < n; st++)
        if (set & (1u << st)) {
            used += (size_t)snprintf(out + used, n - used, "%s%d", first ? "" : ", ", st);
            first = 0;
        }
    if (used < n)
        snprintf(out + used, n - used, "%s)", first ? "-1" : "");
}

int store_stats(struct store *s, int64_t now, const struct store_due_states *due, int64_t *leaves,
                int64_t *under_review, int64_t *overdue, struct err *e)
{
    char review[160], ack[160], answer[160], sql[600];
    int rc = store_tlog_size(s, leaves, e);
    state_list(review, sizeof review, due->under_review);
    state_list(ack, sizeof ack, due->ack_open);
    state_list(answer, sizeof answer, due->answer_open);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM memos WHERE state IN %s", review);
    if (rc == 0)
        rc = db_scalar(s->db, e, 0, under_review, sql, NULL);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM memos WHERE (state IN %s AND ack_due < ?1) OR (state IN %s AND "
             "answer_due < ?1)",
             ack, answer);
    if (rc == 0)
        rc = db_scalar(s->db, e, 0, overdue, sql, "i", now);
    return rc;
}
