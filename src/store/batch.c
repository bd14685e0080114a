/* batch.c — the batch queue: what was accepted and waits to be published in
 * its batch (channel/batch.c). Rows keep the batch time only, never the
 * moment of acceptance. */
#include "base/util.h"
#include "store/store_internal.h"

#include <stdlib.h>
#include <string.h>

/* Adds n to what the queue holds back from memo's named count of version
 * in org (batch_held, read by the counts: store_internal.h). */
static int held_add(struct store *s, int64_t memo_id, int version, int64_t org_id, int64_t n,
                    struct err *e)
{
    return db_exec(s->db, e,
                   "INSERT INTO batch_held(memo_id, version, org_id, n) VALUES(?, ?, ?, ?) ON "
                   "CONFLICT(memo_id, version, org_id) DO UPDATE SET n = batch_held.n + "
                   "excluded.n",
                   "iiii", memo_id, (int64_t)version, org_id, n);
}

/* A queued named action holds back one signature of its version and gives
 * back the one of the version before, until it is published; sign is +1
 * when it is queued and -1 when it leaves the queue. */
static int held_track(struct store *s, const struct st_batch_entry *b, int64_t sign, struct err *e)
{
    if (strcmp(b->kind, "signature") != 0 || b->org_id <= 0)
        return 0;
    if (b->version > 0 && held_add(s, b->memo_id, b->version, b->org_id, -sign, e))
        return -1;
    if (b->prev_version > 0 && held_add(s, b->memo_id, b->prev_version, b->org_id, sign, e))
        return -1;
    return 0;
}

int store_batch_put(struct store *s, const struct st_batch_entry *b, struct err *e)
{
    if (db_exec(s->db, e,
                "INSERT INTO batch_queue(kind, chain, fields, memo, memo_id, tag, version, "
                "org_id, ring_no, proof, seq, prev_version, due) VALUES(?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?)",
                "ssssibiiibiii", b->kind, b->chain, b->fields, b->memo, b->memo_id,
                b->has_tag ? b->tag : NULL, (size_t)(b->has_tag ? 32 : 0), (int64_t)b->version,
                b->org_id, (int64_t)b->ring_no, b->proof, b->proof_len, b->seq,
                (int64_t)b->prev_version, b->due))
        return -1;
    return held_track(s, b, 1, e);
}

static int batch_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_batch_entry *b = item;
    size_t tl = 0, pl = 0;
    const void *tag = db_blob(st, 6, &tl), *proof = db_blob(st, 11, &pl);
    b->id = db_int(st, 0);
    if (store_col_text(p, st, 1, &b->kind, e) || store_col_text(p, st, 2, &b->chain, e) ||
        store_col_text(p, st, 3, &b->fields, e))
        return -1;
    if (!db_is_null(st, 4) && store_col_text(p, st, 4, &b->memo, e))
        return -1;
    b->memo_id = db_int(st, 5);
    if (tag) {
        if (tl != 32)
            return err_set(e, ERR_DB, "queued entry %lld has a damaged tag", (long long)b->id);
        memcpy(b->tag, tag, 32);
        b->has_tag = 1;
    }
    b->version = (int)db_int(st, 7);
    b->org_id = db_int(st, 8);
    b->ring_no = (int)db_int(st, 9);
    b->seq = db_int(st, 10);
    if (proof) {
        b->proof = pool_alloc(p, pl ? pl : 1);
        if (!b->proof)
            return err_set(e, ERR_NOMEM, "out of memory");
        memcpy(b->proof, proof, pl);
        b->proof_len = pl;
    }
    b->due = db_int(st, 12);
    b->prev_version = (int)db_int(st, 13);
    return 0;
}

static int by_id(const void *a, const void *b)
{
    const struct st_batch_entry *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

int store_batch_due(struct store *s, struct pool *p, int64_t due_by, struct st_batch_entry **out,
                    size_t *n, struct err *e)
{
    struct store_vec v = {0};
    /* read by (due, id), by index (STORE_BATCH_DUE_SQL), then put back in
     * order of acceptance */
    int rc = store_rows(s, p, &v, sizeof **out, batch_row, e, STORE_BATCH_DUE_SQL, "i", due_by);
    if (rc == 0 && v.n > 1)
        qsort(v.items, v.n, sizeof **out, by_id);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_batch_delete(struct store *s, const struct st_batch_entry *b, struct err *e)
{
    if (db_exec(s->db, e, "DELETE FROM batch_queue WHERE id = ?", "i", b->id))
        return -1;
    return held_track(s, b, -1, e);
}

int store_batch_anon_latest(struct store *s, int64_t memo_id, const unsigned char tag[32],
                            int *found, int *version, struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st = db_query(
        s->db, e,
        "SELECT version FROM batch_queue WHERE memo_id = ? AND tag = ? ORDER BY id DESC LIMIT 1",
        "ib", memo_id, tag, (size_t)32);
    *found = 0;
    *version = 0;
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r) {
        *found = 1;
        *version = (int)db_int(st, 0);
    }
    rc = 0;
out:
    db_finish(st);
    return rc;
}

int store_org_active_members(struct store *s, int64_t org_id, int64_t at_most, int64_t *n,
                             struct err *e)
{
    return db_scalar(s->db, e, 0, n, STORE_ORG_ACTIVE_MEMBERS_SQL, "ii", org_id,
                     at_most > 0 ? at_most : INT64_MAX);
}

int store_batch_roster_pending(struct store *s, int64_t org_id, int64_t *n, struct err *e)
{
    return db_scalar(s->db, e, 0, n, STORE_ROSTER_PENDING_SQL, "i", org_id);
}

int store_anon_pub_seq_set(struct store *s, int64_t memo_id, const unsigned char tag[32],
                           int64_t next, struct err *e)
{
    return db_exec(s->db, e, "UPDATE anon_sequences SET pub_next = ? WHERE memo_id = ? AND tag = ?",
                   "iib", next, memo_id, tag, (size_t)32);
}
