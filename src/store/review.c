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

int store_stats(struct store *s, int64_t now, int64_t *leaves, int64_t *under_review,
                int64_t *overdue, struct err *e)
{
    int rc = store_tlog_size(s, leaves, e);
    if (rc == 0)
        rc = db_scalar(s->db, e, 0, under_review,
                       "SELECT COUNT(*) FROM memos WHERE state IN (2, 3)", NULL);
    if (rc == 0)
        rc = db_scalar(s->db, e, 0, overdue,
                       "SELECT COUNT(*) FROM memos WHERE (state = 2 AND ack_due < ?1) OR (state IN "
                       "(2, 3) AND answer_due < ?1)",
                       "i", now);
    return rc;
}
