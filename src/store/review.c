/* review.c — messages between the policy office and drafters, and the /metrics figures. */
#include "store/store_internal.h"

#include <sodium.h>
#include <stdio.h>

/* The body is sealed with the message's row id in its associated data, so
 * the row is made first and its body written once the id is known. */
int store_message_insert(struct store *s, int64_t memo_id, int64_t author_id, const char *body,
                         int64_t now, struct err *e)
{
    int rc = -1;
    int64_t id;
    unsigned char key[SEAL_KEY_SIZE];
    char ad[STORE_AD_MAX], *sealed = NULL;
    struct pool p;

    pool_init(&p, 1 << 22);
    if (store_memo_key(s, memo_id, key, e) ||
        db_exec(s->db, e,
                "INSERT INTO messages(memo_id, author_id, body, created_at) VALUES(?, ?, '', ?)",
                "iii", memo_id, author_id, now))
        goto out;
    id = db_last_id(s->db);
    store_ad(ad, memo_id, "message", id, "body");
    if (store_seal_text(&p, key, ad, body, &sealed, e) ||
        db_exec(s->db, e, "UPDATE messages SET body = ? WHERE id = ?", "si", sealed, id))
        goto out;
    rc = 0;
out:
    sodium_memzero(key, sizeof key);
    pool_release(&p);
    return rc;
}

/* A message row with its id (the body's associated data). */
struct message_sealed {
    struct st_message m;
    int64_t id;
};

static int message_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct message_sealed *row = item;
    struct st_message *m = &row->m;
    row->id = db_int(st, 5);
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
    int rc = store_rows(s, p, &v, sizeof(struct message_sealed), message_row, e,
                        "SELECT m.username, m.display_name, m.roles, g.body, g.created_at, g.id "
                        "FROM messages g JOIN members m ON m.id = g.author_id WHERE g.memo_id = ? "
                        "ORDER BY g.id",
                        "i", memo_id);
    *out = NULL;
    *n = 0;
    if (rc == 0 && v.n > 0) {
        unsigned char key[SEAL_KEY_SIZE];
        char ad[STORE_AD_MAX];
        struct st_message *list = pool_alloc(p, v.n * sizeof *list);
        if (!list)
            return err_set(e, ERR_NOMEM, "out of memory");
        rc = store_memo_key(s, memo_id, key, e);
        for (size_t i = 0; rc == 0 && i < v.n; i++) {
            struct message_sealed *row = (struct message_sealed *)v.items + i;
            list[i] = row->m;
            store_ad(ad, memo_id, "message", row->id, "body");
            rc = store_open_text(p, key, ad, row->m.body, &list[i].body, e);
        }
        sodium_memzero(key, sizeof key);
        *out = list;
        *n = v.n;
    }
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
