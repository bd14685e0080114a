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
    static const char *const names[] = {"author", "display_name", "#roles", "body", "#created_at",
                                        NULL};
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
                   "INSERT INTO access_log(memo_id, reader_id, what, at) VALUES(?, ?, ?, ?)", "iisi",
                   memo_id, reader_id, what, now);
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
