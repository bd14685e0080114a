/* memos.c — memos, their drafters and immutable versions. */
#include "store/store_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define MEMO_COLS                                                                                  \
    "id, public_id, channel_id, state, created_by, created_at, latest_version, submitted_at, "     \
    "ack_due, acknowledged_at, answer_due, extended, extension_reason, answered_at, answer, "      \
    "closed_at, withdrawn_at, updated_at, data_key, extended_by"

int store_memo_insert(struct store *s, struct st_memo *m, struct err *e)
{
    int rc = db_exec(s->db, e,
                     "INSERT INTO memos(public_id, channel_id, state, created_by, created_at, "
                     "latest_version, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?)",
                     "siiiiii", m->public_id, m->channel_id, (int64_t)m->state, m->created_by,
                     m->created_at, (int64_t)m->latest_version, m->created_at);
    unsigned char key[SEAL_KEY_SIZE];
    if (rc == 0) {
        m->id = db_last_id(s->db);
        rc = store_memo_key_new(s, m->id, key, e);
        sodium_memzero(key, sizeof key);
    }
    return rc;
}

/* The memo of the current row, whose MEMO_COLS start at column o; its
 * sealed fields opened with its key (in the row too). */
static int memo_row(struct store *s, struct pool *p, struct db_stmt *st, int o, struct st_memo *m,
                    struct err *e)
{
    int rc = -1;
    unsigned char key[SEAL_KEY_SIZE];
    char ad[STORE_AD_MAX], *reason = NULL, *answer = NULL;

    m->id = db_int(st, o + 0);
    m->public_id = store_col_dup(p, st, o + 1);
    m->channel_id = db_int(st, o + 2);
    m->state = (int)db_int(st, o + 3);
    m->created_by = db_int(st, o + 4);
    m->created_at = db_int(st, o + 5);
    m->latest_version = (int)db_int(st, o + 6);
    m->submitted_at = db_int(st, o + 7);
    m->ack_due = db_int(st, o + 8);
    m->acknowledged_at = db_int(st, o + 9);
    m->answer_due = db_int(st, o + 10);
    m->extended = (int)db_int(st, o + 11);
    m->answered_at = db_int(st, o + 13);
    m->closed_at = db_int(st, o + 15);
    m->withdrawn_at = db_int(st, o + 16);
    m->updated_at = db_int(st, o + 17);
    m->extended_by = db_int(st, o + 19);
    m->extension_reason = NULL;
    m->answer = NULL;
    if (!m->public_id) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    /* Most memos carry neither text (no extension, no answer yet): their
     * key stays wrapped, unwrapping costs a co-signature ~2% of its CPU. */
    if (!db_text(st, o + 12) && !db_text(st, o + 14)) {
        rc = 0;
        goto out;
    }
    if (store_memo_key_unwrap(s, m->id, db_text(st, o + 18), key, e))
        goto out;
    store_ad(ad, m->id, NULL, 0, "extension_reason");
    if (store_open_text(p, key, ad, db_text(st, o + 12), &reason, e))
        goto out;
    store_ad(ad, m->id, NULL, 0, "answer");
    if (store_open_text(p, key, ad, db_text(st, o + 14), &answer, e))
        goto out;
    m->extension_reason = reason;
    m->answer = answer;
    rc = 0;
out:
    sodium_memzero(key, sizeof key);
    return rc;
}

int store_memo_by_public_id(struct store *s, struct pool *p, const char *public_id,
                            struct st_memo *m, struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st =
        db_query(s->db, e, "SELECT " MEMO_COLS " FROM memos WHERE public_id = ?", "s", public_id);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "no memo '%s'", public_id);
        goto out;
    }
    rc = memo_row(s, p, st, 0, m, e);
out:
    db_finish(st);
    return rc;
}

int store_memo_save(struct store *s, const struct st_memo *m, struct err *e)
{
    int rc = -1;
    unsigned char key[SEAL_KEY_SIZE];
    char ad[STORE_AD_MAX], *reason = NULL, *answer = NULL;
    struct pool p;

    pool_init(&p, 1 << 22);
    if (store_memo_key(s, m->id, key, e))
        goto out;
    store_ad(ad, m->id, NULL, 0, "extension_reason");
    if (store_seal_text(&p, key, ad, m->extension_reason, &reason, e))
        goto out;
    store_ad(ad, m->id, NULL, 0, "answer");
    if (store_seal_text(&p, key, ad, m->answer, &answer, e))
        goto out;
    rc = db_exec(s->db, e,
                 "UPDATE memos SET submitted_at = NULLIF(?, 0), ack_due = NULLIF(?, 0), "
                 "acknowledged_at = NULLIF(?, 0), answer_due = NULLIF(?, 0), "
                 "answered_at = NULLIF(?, 0), closed_at = NULLIF(?, 0), "
                 "withdrawn_at = NULLIF(?, 0), extended = ?, extension_reason = ?, answer = ?, "
                 "state = ?, latest_version = ?, updated_at = ?, extended_by = NULLIF(?, 0) "
                 "WHERE id = ?",
                 "iiiiiiiissiiiii", m->submitted_at, m->ack_due, m->acknowledged_at, m->answer_due,
                 m->answered_at, m->closed_at, m->withdrawn_at, (int64_t)m->extended, reason,
                 answer, (int64_t)m->state, (int64_t)m->latest_version, m->updated_at,
                 m->extended_by, m->id);
out:
    sodium_memzero(key, sizeof key);
    pool_release(&p);
    return rc;
}

int store_memo_touch(struct store *s, int64_t memo_id, int64_t updated_at, struct err *e)
{
    if (db_exec(s->db, e, "UPDATE memos SET updated_at = ? WHERE id = ?", "ii", updated_at,
                memo_id))
        return -1;
    return db_changes(s->db) == 1 ? 0 : err_set(e, ERR_NOT_FOUND, "no such memo");
}

int store_drafter_add(struct store *s, int64_t memo_id, int64_t member_id, struct err *e)
{
    return db_exec_later(s->db, e,
                         "INSERT INTO memo_drafters(memo_id, member_id) VALUES(?, ?) ON CONFLICT "
                         "DO NOTHING",
                         "ii", memo_id, member_id);
}

int store_drafter_remove(struct store *s, int64_t memo_id, int64_t member_id, struct err *e)
{
    if (db_exec(s->db, e, "DELETE FROM memo_drafters WHERE memo_id = ? AND member_id = ?", "ii",
                memo_id, member_id))
        return -1;
    return db_changes(s->db) == 1 ? 0 : err_set(e, ERR_NOT_FOUND, "not a drafter of this memo");
}

int store_is_drafter(struct store *s, int64_t memo_id, int64_t member_id, int *yes, struct err *e)
{
    int64_t n = 0;
    int rc = db_scalar(s->db, e, 0, &n,
                       "SELECT COUNT(*) FROM memo_drafters WHERE memo_id = ? AND member_id = ?",
                       "ii", memo_id, member_id);
    *yes = n > 0;
    return rc;
}

int store_drafter_count(struct store *s, int64_t memo_id, int64_t *n, struct err *e)
{
    return db_scalar(s->db, e, 0, n, "SELECT COUNT(*) FROM memo_drafters WHERE memo_id = ?", "i",
                     memo_id);
}

static int person_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_person *m = item;
    return store_col_text(p, st, 0, &m->username, e) ||
                   store_col_text(p, st, 1, &m->display_name, e)
               ? -1
               : 0;
}

int store_drafter_list(struct store *s, struct pool *p, int64_t memo_id, struct st_person **out,
                       size_t *n, struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof **out, person_row, e,
                        "SELECT m.username, m.display_name FROM memo_drafters d JOIN members m "
                        "ON m.id = d.member_id WHERE d.memo_id = ? ORDER BY m.username",
                        "i", memo_id);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_version_insert(struct store *s, const struct st_version *v, struct err *e)
{
    int rc = -1;
    unsigned char key[SEAL_KEY_SIZE];
    char ad[STORE_AD_MAX], *title = NULL, *body = NULL, *vkey = NULL, *note = NULL;
    struct pool p;

    pool_init(&p, 1 << 24);
    if (store_memo_key(s, v->memo_id, key, e))
        goto out;
    store_ad(ad, v->memo_id, "version", v->number, "title");
    if (store_seal_text(&p, key, ad, v->title, &title, e))
        goto out;
    store_ad(ad, v->memo_id, "version", v->number, "body");
    if (store_seal_text(&p, key, ad, v->body, &body, e))
        goto out;
    store_ad(ad, v->memo_id, "version", v->number, "verify_key");
    if (store_seal_text(&p, key, ad, v->verify_key, &vkey, e))
        goto out;
    store_ad(ad, v->memo_id, "version", v->number, "change_note");
    if (store_seal_text(&p, key, ad, v->change_note, &note, e))
        goto out;
    rc = db_exec_later(s->db, e,
                       "INSERT INTO versions(memo_id, number, hash, title, marking, body, "
                       "author_id, created_at, verify_key, change_note) VALUES(?, ?, ?, ?, ?, ?, "
                       "?, ?, ?, ?)",
                       "iissisiiss", v->memo_id, (int64_t)v->number, v->hash, title,
                       (int64_t)v->marking, body, v->author_id, v->created_at, vkey, note);
out:
    sodium_memzero(key, sizeof key);
    pool_release(&p);
    return rc;
}

/* The version of the current row: VERSION_COLS from column o, then the
 * memo's wrapped key at column `wrapped`; with VERSION_HEAD_COLS (its
 * sealed columns NULL) and with_text 0, no text: title, body and
 * verify_key NULL, the memo's key left wrapped. */
#define VERSION_COLS                                                                               \
    "v.number, v.hash, v.title, v.marking, v.body, v.author_id, m.username, v.created_at, "        \
    "v.verify_key"
#define VERSION_HEAD_COLS                                                                          \
    "v.number, v.hash, NULL, v.marking, NULL, v.author_id, m.username, v.created_at, NULL"
static int version_row(struct store *s, struct pool *p, struct db_stmt *st, int o, int wrapped,
                       int with_text, int64_t memo_id, struct st_version *v, struct err *e)
{
    int rc = -1;
    unsigned char key[SEAL_KEY_SIZE];
    char ad[STORE_AD_MAX];
    const char *title, *body, *vkey;

    v->memo_id = memo_id;
    v->number = (int)db_int(st, o + 0);
    v->hash = store_col_dup(p, st, o + 1);
    v->marking = (int)db_int(st, o + 3);
    v->author_id = db_int(st, o + 5);
    v->author = store_col_dup(p, st, o + 6);
    v->created_at = db_int(st, o + 7);
    title = db_text(st, o + 2);
    body = db_text(st, o + 4);
    vkey = db_text(st, o + 8);
    v->title = v->body = v->verify_key = NULL;
    if (!v->hash || !v->author) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!with_text) {
        rc = 0;
        goto out;
    }
    if (store_memo_key_unwrap(s, memo_id, db_text(st, wrapped), key, e))
        goto out;
    store_ad(ad, memo_id, "version", v->number, "title");
    if (store_open_text(p, key, ad, title, &v->title, e))
        goto out;
    store_ad(ad, memo_id, "version", v->number, "body");
    if (store_open_text(p, key, ad, body, &v->body, e))
        goto out;
    store_ad(ad, memo_id, "version", v->number, "verify_key");
    if (store_open_text(p, key, ad, vkey, &v->verify_key, e))
        goto out;
    rc = (v->title && v->body) ? 0 : err_set(e, ERR_DB, "version %d has no text", v->number);
out:
    sodium_memzero(key, sizeof key);
    return rc;
}

/* store_version_get (with_text 1) and store_version_head (0). */
static int version_get(struct store *s, struct pool *p, int64_t memo_id, int number, int with_text,
                       struct st_version *v, struct err *e)
{
    int rc = -1, r;
    /* The memo's wrapped key comes with the row: no second round trip. */
    struct db_stmt *st =
        db_query(s->db, e,
                 with_text ? "SELECT " VERSION_COLS ", x.data_key FROM versions v JOIN members "
                             "m ON m.id = v.author_id JOIN memos x ON x.id = v.memo_id WHERE "
                             "v.memo_id = ? AND v.number = ?"
                           : "SELECT " VERSION_HEAD_COLS ", x.data_key FROM versions v JOIN "
                             "members m ON m.id = v.author_id JOIN memos x ON x.id = v.memo_id "
                             "WHERE v.memo_id = ? AND v.number = ?",
                 "ii", memo_id, (int64_t)number);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "this memo has no version %d", number);
        goto out;
    }
    rc = version_row(s, p, st, 0, 9, with_text, memo_id, v, e);
out:
    db_finish(st);
    return rc;
}

int store_version_get(struct store *s, struct pool *p, int64_t memo_id, int number,
                      struct st_version *v, struct err *e)
{
    return version_get(s, p, memo_id, number, 1, v, e);
}

int store_version_head(struct store *s, struct pool *p, int64_t memo_id, int number,
                       struct st_version *v, struct err *e)
{
    return version_get(s, p, memo_id, number, 0, v, e);
}

/* Columns 4… of store_memo_latest's rows: the memo (x), then its latest
 * version (v, author m); NULLs on the count rows. */
#define LATEST_MEMO_COLS                                                                           \
    "x.id, x.public_id, x.channel_id, x.state, x.created_by, x.created_at, x.latest_version, "     \
    "x.submitted_at, x.ack_due, x.acknowledged_at, x.answer_due, x.extended, "                     \
    "x.extension_reason, x.answered_at, x.answer, x.closed_at, x.withdrawn_at, x.updated_at, "     \
    "x.data_key, x.extended_by"
#define LATEST_NULLS                                                                               \
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "   \
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
#define LATEST_ID "(SELECT id FROM memos WHERE public_id = ?1)"

int store_memo_latest(struct store *s, struct pool *p, const char *public_id, struct st_memo *m,
                      struct st_version *v, struct st_counts *counts, struct err *e)
{
    struct store_vec cv = {0}, co = {0};
    int rc = -1, r, found = 0;
    /* One statement: the memo row (kind 2) and the count rows (kind 0, in
     * columns 1 to 3: STORE_COUNT_ROWS'). */
    struct db_stmt *st = db_query(
        s->db, e,
        "SELECT 2, CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS "
        "BIGINT), " LATEST_MEMO_COLS ", " VERSION_COLS
        " FROM memos x JOIN versions v ON v.memo_id = x.id AND v.number = "
        "x.latest_version JOIN members m ON m.id = v.author_id WHERE x.public_id = ?1 UNION ALL "
        "SELECT 0, r.version, r.slug, r.n, " LATEST_NULLS
        " FROM (" STORE_COUNT_ROWS(LATEST_ID) ") r",
        "s", public_id);
    if (!st)
        goto out;
    while ((r = db_next(st, e)) == 1) {
        if (db_int(st, 0) == 2) {
            found = 1;
            if (memo_row(s, p, st, 4, m, e) || version_row(s, p, st, 24, 22, 1, m->id, v, e))
                goto out;
        } else if (store_count_row(p, st, 1, &cv, &co, e)) {
            goto out;
        }
    }
    if (r < 0)
        goto out;
    rc = found ? 0 : err_set(e, ERR_NOT_FOUND, "no memo '%s'", public_id);
out:
    db_finish(st);
    store_counts_set(counts, &cv, &co);
    return rc;
}

/* A version list row, with the memo's wrapped key (the same on every row). */
struct version_info_sealed {
    struct st_version_info v;
    char *wrapped;
};

static int version_info_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct version_info_sealed *r = item;
    struct st_version_info *v = &r->v;
    v->number = (int)db_int(st, 0);
    v->marking = (int)db_int(st, 3);
    v->created_at = db_int(st, 5);
    v->signatures = db_int(st, 6);
    return store_col_text(p, st, 1, &v->hash, e) || store_col_text(p, st, 2, &v->title, e) ||
                   store_col_text(p, st, 4, &v->author, e) ||
                   store_col_text(p, st, 7, &v->change_note, e) ||
                   store_col_text(p, st, 9, &v->author_name, e) ||
                   (!r->wrapped && store_col_text(p, st, 8, &r->wrapped, e))
               ? -1
               : 0;
}

int store_version_list(struct store *s, struct pool *p, int64_t memo_id,
                       struct st_version_info **out, size_t *n, struct err *e)
{
    struct store_vec v = {0};
    struct st_version_info *list = NULL;
    unsigned char key[SEAL_KEY_SIZE];
    char ad[STORE_AD_MAX];
    /* The memo's wrapped key comes with the rows: no second round trip. */
    int rc = store_rows(
        s, p, &v, sizeof(struct version_info_sealed), version_info_row, e,
        "SELECT v.number, v.hash, v.title, v.marking, m.username, v.created_at, "
        "(SELECT COALESCE(SUM(c.count), 0) FROM signature_counts c WHERE c.memo_id = v.memo_id "
        "AND c.version = v.number), v.change_note, x.data_key, m.display_name FROM versions v "
        "JOIN members m ON "
        "m.id = v.author_id JOIN memos x ON x.id = v.memo_id WHERE v.memo_id = ? ORDER BY "
        "v.number",
        "i", memo_id);
    *out = NULL;
    *n = 0;
    if (rc || v.n == 0)
        return rc;
    list = pool_alloc(p, v.n * sizeof *list);
    if (!list)
        return err_set(e, ERR_NOMEM, "out of memory");
    rc = store_memo_key_unwrap(s, memo_id, ((struct version_info_sealed *)v.items)[0].wrapped, key,
                               e);
    for (size_t i = 0; rc == 0 && i < v.n; i++) {
        struct st_version_info *x = &((struct version_info_sealed *)v.items)[i].v;
        list[i] = *x;
        store_ad(ad, memo_id, "version", x->number, "title");
        rc = store_open_text(p, key, ad, x->title, &list[i].title, e);
        store_ad(ad, memo_id, "version", x->number, "change_note");
        if (rc == 0)
            rc = store_open_text(p, key, ad, x->change_note, &list[i].change_note, e);
    }
    sodium_memzero(key, sizeof key);
    *out = list;
    *n = v.n;
    return rc;
}

/* A memo list row, with what opening its title takes. */
struct memo_info_sealed {
    struct st_memo_info m;
    int64_t id;
    char *wrapped; /* the memo's key, wrapped */
};

static int memo_info_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct memo_info_sealed *row = item;
    struct st_memo_info *m = &row->m;
    row->id = db_int(st, 13);
    if (store_col_text(p, st, 14, &row->wrapped, e))
        return -1;
    m->state = (int)db_int(st, 2);
    m->marking = (int)db_int(st, 4);
    m->latest_version = (int)db_int(st, 5);
    m->created_at = db_int(st, 6);
    m->submitted_at = db_int(st, 7);
    m->ack_due = db_int(st, 8);
    m->acknowledged_at = db_int(st, 9);
    m->answer_due = db_int(st, 10);
    m->answered_at = db_int(st, 11);
    m->signatures = db_int(st, 12);
    m->id = db_int(st, 13);
    m->reminded_at = db_int(st, 15);
    return store_col_text(p, st, 0, &m->public_id, e) || store_col_text(p, st, 1, &m->channel, e) ||
                   store_col_text(p, st, 3, &m->title, e)
               ? -1
               : 0;
}

/* The WHERE clause of f (parameters ?1 member, ?2 channel, ?3 from, ?4 to,
 * ?5 now: memo_params binds them). */
static void memo_where(char *buf, size_t n, const struct st_memo_filter *f)
{
    char states[128] = "1 = 1", markings[96] = "1 = 1", ack[128], answer[128], overdue[400];
    const char *date = f->date_submitted ? "x.submitted_at" : "x.created_at";
    const char *rel;
    if (f->states)
        store_state_in(states, sizeof states, "x.state", f->states);
    if (f->markings)
        store_state_in(markings, sizeof markings, "v.marking", f->markings);
    store_state_in(ack, sizeof ack, "x.state", f->ack_open);
    store_state_in(answer, sizeof answer, "x.state", f->answer_open);
    if (f->overdue)
        snprintf(overdue, sizeof overdue,
                 "%s((%s AND COALESCE(x.ack_due, 0) > 0 AND x.ack_due < ?5) OR (%s AND "
                 "COALESCE(x.answer_due, 0) > 0 AND x.answer_due < ?5))",
                 f->overdue < 0 ? "NOT " : "", ack, answer);
    else /* ?5 is bound in every query: SQLite refuses a parameter it does not see */
        snprintf(overdue, sizeof overdue, "?5 = ?5");
    /* a member's memos are found from their drafts and signatures (by
     * index), not by asking of every memo whether the member relates to it */
    if (f->member_id <= 0)
        rel = "?1 <= 0";
    else if (f->relation == STORE_REL_DRAFTER)
        rel = STORE_MEMO_REL_DRAFTER_SQL;
    else if (f->relation == STORE_REL_SIGNER)
        rel = STORE_MEMO_REL_SIGNER_SQL;
    else
        rel = STORE_MEMO_REL_ANY_SQL;
    snprintf(buf, n,
             "(%s) AND %s AND %s AND (?2 <= 0 OR x.channel_id = ?2) AND (?3 <= 0 OR "
             "COALESCE(%s, 0) >= ?3) AND (?4 <= 0 OR COALESCE(%s, 0) < ?4) AND %s",
             rel, states, markings, date, date, overdue);
}

int store_memo_count(struct store *s, const struct st_memo_filter *f, int64_t *total, struct err *e)
{
    char where[2000], sql[2200];
    memo_where(where, sizeof where, f);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM memos x JOIN versions v ON v.memo_id = x.id AND v.number = "
             "x.latest_version WHERE %s",
             where);
    return db_scalar(s->db, e, 0, total, sql, "iiiii", f->member_id, f->channel_id, f->date_from,
                     f->date_to, f->now);
}

int store_memo_list(struct store *s, struct pool *p, const struct st_memo_filter *f,
                    struct st_memo_info **out, size_t *n, struct err *e)
{
    struct store_vec v = {0};
    char where[2000], ack[128], answer[128], order[400], sql[3200];
    int rc;

    memo_where(where, sizeof where, f);
    switch (f->order) {
    case STORE_ORDER_DEADLINE:
        /* nearest first; memos that owe nothing last */
        store_state_in(ack, sizeof ack, "x.state", f->deadline_ack_states);
        if (f->deadline_answer_states)
            store_state_in(answer, sizeof answer, "x.state", f->deadline_answer_states);
        else
            snprintf(answer, sizeof answer, "1 = 1");
        snprintf(order, sizeof order,
                 "COALESCE(NULLIF(CASE WHEN %s THEN x.ack_due WHEN %s THEN x.answer_due END, 0), "
                 "9223372036854775807) ASC",
                 ack, answer);
        break;
    case STORE_ORDER_SUBMITTED:
        snprintf(order, sizeof order, "COALESCE(x.submitted_at, 0) DESC");
        break;
    case STORE_ORDER_NEWEST:
        snprintf(order, sizeof order, "x.created_at DESC");
        break;
    case STORE_ORDER_OLDEST:
        snprintf(order, sizeof order, "x.created_at ASC, x.id ASC");
        break;
    case STORE_ORDER_SIGNATURES:
        snprintf(order, sizeof order, "13 DESC");
        break;
    default:
        snprintf(order, sizeof order, "x.updated_at DESC");
        break;
    }
    snprintf(sql, sizeof sql,
             "SELECT x.public_id, c.slug, x.state, v.title, v.marking, x.latest_version, "
             "x.created_at, x.submitted_at, x.ack_due, x.acknowledged_at, x.answer_due, "
             "x.answered_at, (SELECT COALESCE(SUM(n.count), 0) FROM signature_counts n WHERE "
             "n.memo_id = x.id), x.id, x.data_key, (SELECT COALESCE(MAX(r.at), 0) FROM "
             "leadership_reminders r WHERE r.memo_id = x.id) FROM memos x JOIN channels c ON "
             "c.id = x.channel_id JOIN versions v ON v.memo_id = x.id AND v.number = "
             "x.latest_version WHERE %s ORDER BY %s, x.id DESC LIMIT %d OFFSET %d",
             where, order, f->limit, f->offset > 0 ? f->offset : 0);
    rc = store_rows(s, p, &v, sizeof(struct memo_info_sealed), memo_info_row, e, sql, "iiiii",
                    f->member_id, f->channel_id, f->date_from, f->date_to, f->now);
    *out = NULL;
    *n = 0;
    if (rc == 0 && v.n > 0) {
        unsigned char key[SEAL_KEY_SIZE];
        char ad[STORE_AD_MAX];
        struct st_memo_info *list = pool_alloc(p, v.n * sizeof *list);
        if (!list)
            return err_set(e, ERR_NOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < v.n; i++) {
            struct memo_info_sealed *row = (struct memo_info_sealed *)v.items + i;
            list[i] = row->m;
            store_ad(ad, row->id, "version", row->m.latest_version, "title");
            rc = store_memo_key_unwrap(s, row->id, row->wrapped, key, e) ||
                         store_open_text(p, key, ad, row->m.title, &list[i].title, e)
                     ? -1
                     : 0;
            sodium_memzero(key, sizeof key);
        }
        *out = list;
        *n = v.n;
    }
    return rc;
}

int store_reminder_add(struct store *s, int64_t memo_id, int64_t member_id, int64_t at, int64_t *id,
                       struct err *e)
{
    int rc = db_exec(s->db, e,
                     "INSERT INTO leadership_reminders(memo_id, member_id, at) VALUES(?, ?, ?)",
                     "iii", memo_id, member_id, at);
    if (rc == 0)
        *id = db_last_id(s->db);
    return rc;
}

int store_reminder_last(struct store *s, int64_t memo_id, int64_t *at, struct err *e)
{
    return db_scalar(s->db, e, 0, at,
                     "SELECT COALESCE(MAX(at), 0) FROM leadership_reminders WHERE memo_id = ?", "i",
                     memo_id);
}

static int time_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    (void)p;
    (void)e;
    *(int64_t *)item = db_int(st, 0);
    return 0;
}

int store_reminder_times(struct store *s, struct pool *p, int64_t memo_id, int64_t **at, size_t *n,
                         struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof(int64_t), time_row, e,
                        "SELECT at FROM leadership_reminders WHERE memo_id = ? ORDER BY id", "i",
                        memo_id);
    *at = v.items;
    *n = v.n;
    return rc;
}
