/* rosters.c — rosters of ring public keys, the rings of memos, and
 * anonymous co-signatures (which carry no member at all). */
#include "store/store_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int store_roster_size(struct store *s, int64_t org_id, int64_t *size, struct err *e)
{
    return db_scalar(s->db, e, 0, size,
                     "SELECT COALESCE(MAX(seq) + 1, 0) FROM roster_entries WHERE org_id = ?", "i",
                     org_id);
}

int store_roster_append(struct store *s, int64_t org_id, int added, const unsigned char pk[32],
                        int64_t member_id, int64_t now, struct err *e)
{
    int64_t seq = 0;
    int rc = store_roster_size(s, org_id, &seq, e);
    if (rc == 0)
        rc = db_exec(s->db, e,
                     "INSERT INTO roster_entries(org_id, seq, added, public_key, member_id, at) "
                     "VALUES(?, ?, ?, ?, ?, ?)",
                     "iiibii", org_id, seq, (int64_t)added, pk, (size_t)32, member_id, now);
    if (rc && e && e->code == ERR_CONFLICT)
        err_set(e, ERR_CONFLICT, "this key was enrolled before: make a new key");
    return rc;
}

/* The keys active after the first n entries: added, and not removed by an
 * entry before n. */
#define ACTIVE_SQL                                                                                 \
    "SELECT a.public_key, a.member_id FROM roster_entries a WHERE a.org_id = ?1 AND a.added = 1 "  \
    "AND a.seq < ?2 AND NOT EXISTS (SELECT 1 FROM roster_entries r WHERE r.org_id = ?1 AND "       \
    "r.added = 0 AND r.public_key = a.public_key AND r.seq < ?2) ORDER BY a.seq"

int store_roster_entry(struct store *s, int64_t org_id, int64_t seq, int *added,
                       unsigned char pk[32], int *found, struct err *e)
{
    int rc = -1, r;
    size_t len = 0;
    const void *p;
    struct db_stmt *st = db_query(s->db, e,
                                  "SELECT added, public_key FROM roster_entries WHERE org_id = ? "
                                  "AND seq = ?",
                                  "ii", org_id, seq);
    *found = 0;
    if (!st)
        goto out;
    if ((r = db_next(st, e)) < 0)
        goto out;
    if (r == 1) {
        p = db_blob(st, 1, &len);
        if (!p || len != 32) {
            err_set(e, ERR_DB, "a stored ring key is damaged");
            goto out;
        }
        *added = (int)db_int(st, 0);
        memcpy(pk, p, 32);
        *found = 1;
    }
    rc = 0;
out:
    db_finish(st);
    return rc;
}

int store_roster_member_key(struct store *s, int64_t org_id, int64_t member_id,
                            unsigned char pk[32], int *found, struct err *e)
{
    int rc = -1, r;
    size_t len = 0;
    const void *p;
    struct db_stmt *st = db_query(s->db, e, ACTIVE_SQL, "ii", org_id, (int64_t)INT64_MAX);
    *found = 0;
    if (!st)
        goto out;
    while ((r = db_next(st, e)) == 1) {
        if (db_int(st, 1) == member_id && (p = db_blob(st, 0, &len)) != NULL && len == 32) {
            memcpy(pk, p, 32);
            *found = 1;
        }
    }
    rc = r < 0 ? -1 : 0;
out:
    db_finish(st);
    return rc;
}

void st_keys_init(struct st_keys *k)
{
    k->pk = NULL;
    k->member = NULL;
    k->n = 0;
}

void st_keys_release(struct st_keys *k)
{
    free(k->pk);
    free(k->member);
    st_keys_init(k);
}

int st_keys_add(struct st_keys *k, const unsigned char pk[32], int64_t member, struct err *e)
{
    /* Grow at powers of two: n is a power of two exactly when full. */
    if (k->n == 0 || (k->n & (k->n - 1)) == 0) {
        size_t cap = k->n ? 2 * k->n : 1;
        unsigned char(*keys)[32] = realloc(k->pk, cap * sizeof *keys);
        int64_t *members = keys ? realloc(k->member, cap * sizeof *members) : NULL;
        if (keys)
            k->pk = keys;
        if (!members)
            return err_set(e, ERR_NOMEM, "out of memory");
        k->member = members;
    }
    memcpy(k->pk[k->n], pk, 32);
    k->member[k->n++] = member;
    return 0;
}

/* Collects rows of (public_key blob, member id) into out. */
static int key_rows(struct db_stmt *st, struct st_keys *out, struct err *e)
{
    int r;
    while ((r = db_next(st, e)) == 1) {
        size_t len = 0;
        const void *p = db_blob(st, 0, &len);
        if (!p || len != 32)
            return err_set(e, ERR_DB, "a stored ring key is damaged");
        if (st_keys_add(out, p, db_int(st, 1), e))
            return -1;
    }
    return r < 0 ? -1 : 0;
}

int store_roster_active(struct store *s, int64_t org_id, int64_t n, struct st_keys *out,
                        struct err *e)
{
    int rc = -1;
    struct db_stmt *st = db_query(s->db, e, ACTIVE_SQL, "ii", org_id, n);
    st_keys_init(out);
    if (st)
        rc = key_rows(st, out, e);
    db_finish(st);
    return rc;
}

static int roster_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_roster *r = item;
    r->org_id = db_int(st, 0);
    r->size = db_int(st, 3);
    r->active = db_int(st, 4);
    return store_col_text(p, st, 1, &r->organization, e) || store_col_text(p, st, 2, &r->name, e)
               ? -1
               : 0;
}

int store_roster_list(struct store *s, struct pool *p, struct st_roster **out, size_t *n,
                      struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(
        s, p, &v, sizeof **out, roster_row, e,
        "SELECT o.id, o.slug, o.name, (SELECT COUNT(*) FROM roster_entries r WHERE r.org_id = "
        "o.id), (SELECT COUNT(*) FROM roster_entries a WHERE a.org_id = o.id AND a.added = 1 AND "
        "NOT EXISTS (SELECT 1 FROM roster_entries r WHERE r.org_id = o.id AND r.added = 0 AND "
        "r.public_key = a.public_key)) FROM organizations o ORDER BY o.slug",
        NULL);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_ring_insert(struct store *s, int64_t memo_id, int64_t org_id, int ring_no,
                      int64_t roster_size, const char *digest, const struct st_keys *keys,
                      int64_t now, struct err *e)
{
    int rc = db_exec(s->db, e,
                     "INSERT INTO memo_rings(memo_id, org_id, ring_no, roster_size, digest, count, "
                     "created_at) VALUES(?, ?, ?, ?, ?, ?, ?)",
                     "iiiisii", memo_id, org_id, (int64_t)ring_no, roster_size, digest,
                     (int64_t)keys->n, now);
    for (size_t i = 0; rc == 0 && i < keys->n; i++)
        rc = db_exec(s->db, e,
                     "INSERT INTO memo_ring_keys(memo_id, org_id, ring_no, pos, public_key, "
                     "member_id) VALUES(?, ?, ?, ?, ?, ?)",
                     "iiiibi", memo_id, org_id, (int64_t)ring_no, (int64_t)i, keys->pk[i],
                     (size_t)32, keys->member[i]);
    return rc;
}

static int ring_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_ring *r = item;
    r->org_id = db_int(st, 0);
    r->ring = (int)db_int(st, 2);
    r->roster_size = db_int(st, 3);
    r->count = db_int(st, 5);
    return store_col_text(p, st, 1, &r->organization, e) || store_col_text(p, st, 4, &r->digest, e)
               ? -1
               : 0;
}

int store_ring_list(struct store *s, struct pool *p, int64_t memo_id, struct st_ring **out,
                    size_t *n, struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof **out, ring_row, e,
                        "SELECT g.org_id, COALESCE(o.slug, ''), g.ring_no, "
                        "g.roster_size, g.digest, g.count FROM memo_rings g LEFT JOIN "
                        "organizations o ON o.id = g.org_id WHERE g.memo_id = ? ORDER BY "
                        "g.org_id = 0, o.slug, g.ring_no",
                        "i", memo_id);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_ring_keys(struct store *s, int64_t memo_id, int64_t org_id, int ring_no,
                    struct st_keys *out, struct err *e)
{
    int rc = -1;
    struct db_stmt *st = db_query(s->db, e,
                                  "SELECT public_key, member_id FROM memo_ring_keys WHERE memo_id "
                                  "= ? AND org_id = ? AND ring_no = ? ORDER BY pos",
                                  "iii", memo_id, org_id, (int64_t)ring_no);
    st_keys_init(out);
    if (st)
        rc = key_rows(st, out, e);
    db_finish(st);
    return rc;
}
int store_anon_get(struct store *s, int64_t memo_id, const unsigned char tag[32], int *version,
                   struct err *e)
{
    int64_t v = 0;
    int rc = db_scalar(s->db, e, 0, &v,
                       "SELECT version FROM anon_signatures WHERE memo_id = ? AND tag = ?", "ib",
                       memo_id, tag, (size_t)32);
    *version = (int)v;
    return rc;
}

int store_anon_ring_org(struct store *s, int64_t memo_id, const unsigned char tag[32], int *found,
                        int64_t *org_id, struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st = db_query(s->db, e,
                                  "SELECT version, COALESCE(org_id, 0) FROM batch_queue WHERE "
                                  "memo_id = ? AND tag = ? ORDER BY id DESC LIMIT 1",
                                  "ib", memo_id, tag, (size_t)32);
    *found = 0;
    *org_id = 0;
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r) {
        /* the latest queued action decides: a withdrawal leaves no signature */
        *found = db_int(st, 0) != 0;
        *org_id = db_int(st, 1);
        rc = 0;
        goto out;
    }
    db_finish(st);
    st = db_query(s->db, e, "SELECT org_id FROM anon_signatures WHERE memo_id = ? AND tag = ?",
                  "ib", memo_id, tag, (size_t)32);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r) {
        *found = 1;
        *org_id = db_int(st, 0);
    }
    rc = 0;
out:
    db_finish(st);
    return rc;
}

/* The anonymous counts are running totals (anon_signature_counts, one row
 * per memo, version and organization), moved with every write of a counted
 * row of anon_signatures (protocol 2, or not marked yet): counting the rows
 * read a page per signature, each holding its proof. */

/* The row of tag, if any: its version and organization, and whether the
 * counts include it. */
struct anon_counted {
    int found, counted;
    int64_t version, org_id;
};

static int anon_counted_get(struct store *s, int64_t memo_id, const unsigned char tag[32],
                            struct anon_counted *out, struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st = db_query(s->db, e,
                                  "SELECT version, org_id, COALESCE(protocol, 2) <> 1 FROM "
                                  "anon_signatures WHERE memo_id = ? AND tag = ?",
                                  "ib", memo_id, tag, (size_t)32);
    memset(out, 0, sizeof *out);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r) {
        out->found = 1;
        out->version = db_int(st, 0);
        out->org_id = db_int(st, 1);
        out->counted = db_int(st, 2) != 0;
    }
    rc = 0;
out:
    db_finish(st);
    return rc;
}

/* A decrement is an UPDATE: an upsert's row to insert would carry the
 * negative delta, which CHECK(n >= 0) refuses before the conflict. */
static int anon_count_add(struct store *s, int64_t memo_id, int64_t version, int64_t org_id,
                          int64_t delta, struct err *e)
{
    if (delta < 0)
        return db_exec_later(s->db, e,
                             "UPDATE anon_signature_counts SET n = n + ? WHERE memo_id = ? AND "
                             "version = ? AND org_id = ?",
                             "iiii", delta, memo_id, version, org_id);
    return db_exec_later(s->db, e,
                         "INSERT INTO anon_signature_counts(memo_id, version, org_id, n) "
                         "VALUES(?, ?, ?, ?) ON CONFLICT(memo_id, version, org_id) DO UPDATE "
                         "SET n = anon_signature_counts.n + excluded.n",
                         "iiii", memo_id, version, org_id, delta);
}

int store_anon_put(struct store *s, int64_t memo_id, const unsigned char tag[32], int version,
                   int64_t org_id, int ring_no, const unsigned char *proof, size_t proof_len,
                   int64_t day, struct err *e)
{
    struct anon_counted old;
    return anon_counted_get(s, memo_id, tag, &old, e) ||
           (old.counted && anon_count_add(s, memo_id, old.version, old.org_id, -1, e)) ||
           db_exec(s->db, e,
                   "INSERT INTO anon_signatures(memo_id, tag, version, org_id, ring_no, proof, "
                   "day, protocol) VALUES(?, ?, ?, ?, ?, ?, ?, 2) ON CONFLICT(memo_id, tag) DO "
                   "UPDATE SET version = excluded.version, org_id = excluded.org_id, ring_no = "
                   "excluded.ring_no, proof = excluded.proof, day = excluded.day, protocol = 2",
                   "ibiiibi", memo_id, tag, (size_t)32, (int64_t)version, org_id, (int64_t)ring_no,
                   proof, proof_len, day) ||
           anon_count_add(s, memo_id, version, org_id, 1, e);
}

int store_anon_delete(struct store *s, int64_t memo_id, const unsigned char tag[32], struct err *e)
{
    struct anon_counted old;
    return anon_counted_get(s, memo_id, tag, &old, e) ||
           (old.counted && anon_count_add(s, memo_id, old.version, old.org_id, -1, e)) ||
           db_exec(s->db, e, "DELETE FROM anon_signatures WHERE memo_id = ? AND tag = ?", "ib",
                   memo_id, tag, (size_t)32);
}

int store_anon_seq(struct store *s, int64_t memo_id, const unsigned char tag[32], int64_t *seq,
                   struct err *e)
{
    *seq = 0;
    return db_scalar(s->db, e, 0, seq,
                     "SELECT next_seq FROM anon_sequences WHERE memo_id = ? AND tag = ?", "ib",
                     memo_id, tag, (size_t)32);
}

int store_anon_seq_set(struct store *s, int64_t memo_id, const unsigned char tag[32], int64_t seq,
                       struct err *e)
{
    return db_exec(s->db, e,
                   "INSERT INTO anon_sequences(memo_id, tag, next_seq) VALUES(?, ?, ?) ON "
                   "CONFLICT(memo_id, tag) DO UPDATE SET next_seq = excluded.next_seq",
                   "ibi", memo_id, tag, (size_t)32, seq);
}

static int seq_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_anon_seq *a = item;
    size_t tl = 0;
    const void *t = db_blob(st, 0, &tl);
    (void)p;
    if (!t || tl != 32)
        return err_set(e, ERR_DB, "a stored anonymous sequence number is damaged");
    memcpy(a->tag, t, 32);
    a->next = db_int(st, 1);
    return 0;
}

int store_anon_seq_list(struct store *s, struct pool *p, int64_t memo_id, struct st_anon_seq **out,
                        size_t *n, struct err *e)
{
    struct store_vec v = {0};
    int rc =
        store_rows(s, p, &v, sizeof **out, seq_row, e,
                   "SELECT tag, pub_next FROM anon_sequences WHERE memo_id = ? AND pub_next > 0 "
                   "ORDER BY tag",
                   "i", memo_id);
    *out = v.items;
    *n = v.n;
    return rc;
}

/* A stored anonymous signature's tag (column tag_col) and proof (column
 * proof_col, copied into p). */
static int anon_blobs(struct pool *p, struct db_stmt *st, int tag_col, int proof_col,
                      unsigned char tag[32], unsigned char **proof, size_t *proof_len,
                      struct err *e)
{
    size_t tl = 0, pl = 0;
    const void *t = db_blob(st, tag_col, &tl), *b = db_blob(st, proof_col, &pl);
    if (!t || tl != 32 || !b)
        return err_set(e, ERR_DB, "a stored anonymous signature is damaged");
    memcpy(tag, t, 32);
    *proof = pool_alloc(p, pl ? pl : 1);
    if (!*proof)
        return err_set(e, ERR_NOMEM, "out of memory");
    memcpy(*proof, b, pl);
    *proof_len = pl;
    return 0;
}

static int anon_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_anon *a = item;
    if (anon_blobs(p, st, 0, 4, a->tag, &a->proof, &a->proof_len, e))
        return -1;
    a->version = (int)db_int(st, 1);
    a->ring = (int)db_int(st, 3);
    a->seq = db_int(st, 5) - 1;
    return store_col_text(p, st, 2, &a->organization, e);
}

int store_anon_list(struct store *s, struct pool *p, int64_t memo_id, struct st_anon **out,
                    size_t *n, struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(
        s, p, &v, sizeof **out, anon_row, e,
        "SELECT a.tag, a.version, COALESCE(o.slug, ''), "
        "a.ring_no, a.proof, COALESCE(q.pub_next, 1) FROM anon_signatures a "
        "LEFT JOIN organizations o ON o.id = a.org_id LEFT JOIN anon_sequences q ON q.memo_id = "
        "a.memo_id AND q.tag = a.tag WHERE a.memo_id = ? ORDER BY a.tag",
        "i", memo_id);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_anon_counts(struct store *s, struct pool *p, int64_t memo_id, struct st_counts *out,
                      struct err *e)
{
    return store_counts_query(s, p, memo_id, out, e, STORE_ANON_COUNTS_SQL);
}

int store_anon_pre_v2(struct store *s, int64_t memo_id, int64_t *n, struct err *e)
{
    *n = 0;
    return db_scalar(s->db, e, 0, n, STORE_ANON_PRE_V2_SQL, "i", memo_id);
}

static int unmarked_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_anon_unmarked *a = item;
    if (anon_blobs(p, st, 2, 6, a->tag, &a->proof, &a->proof_len, e))
        return -1;
    a->memo_id = db_int(st, 0);
    a->version = (int)db_int(st, 3);
    a->org_id = db_int(st, 4);
    a->ring = (int)db_int(st, 5);
    a->seq = db_int(st, 7) - 1;
    return store_col_text(p, st, 1, &a->memo, e);
}

int store_anon_unmarked(struct store *s, struct pool *p, struct st_anon_unmarked **out, size_t *n,
                        struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(
        s, p, &v, sizeof **out, unmarked_row, e,
        "SELECT a.memo_id, m.public_id, a.tag, a.version, a.org_id, a.ring_no, a.proof, "
        "COALESCE(q.pub_next, 1) FROM anon_signatures a JOIN memos m ON m.id = a.memo_id "
        "LEFT JOIN anon_sequences q ON q.memo_id = a.memo_id AND q.tag = a.tag WHERE "
        "a.protocol IS NULL ORDER BY a.memo_id, a.tag",
        NULL);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_anon_mark(struct store *s, int64_t memo_id, const unsigned char tag[32], int protocol,
                    struct err *e)
{
    struct anon_counted old;
    /* an unmarked row is counted; marked 1 (protocol v1), it is not */
    return anon_counted_get(s, memo_id, tag, &old, e) ||
           db_exec(s->db, e,
                   "UPDATE anon_signatures SET protocol = ? WHERE memo_id = ? AND tag = ? AND "
                   "protocol IS NULL",
                   "iib", (int64_t)protocol, memo_id, tag, (size_t)32) ||
           (old.counted && protocol == 1 && db_changes(s->db) == 1 &&
            anon_count_add(s, memo_id, old.version, old.org_id, -1, e));
}

int store_enroll_challenge_put(struct store *s, int64_t member_id, const unsigned char ch[32],
                               int64_t expires_at, int64_t now, struct err *e)
{
    return db_exec(s->db, e, "DELETE FROM enroll_challenges WHERE expires_at <= ? OR member_id = ?",
                   "ii", now, member_id) ||
                   db_exec(s->db, e,
                           "INSERT INTO enroll_challenges(member_id, challenge, expires_at) "
                           "VALUES(?, ?, ?)",
                           "ibi", member_id, ch, (size_t)32, expires_at)
               ? -1
               : 0;
}

int store_enroll_challenge_take(struct store *s, int64_t member_id, const unsigned char ch[32],
                                int64_t now, int *found, struct err *e)
{
    *found = 0;
    if (db_exec(s->db, e,
                "DELETE FROM enroll_challenges WHERE member_id = ? AND challenge = ? AND "
                "expires_at > ?",
                "ibi", member_id, ch, (size_t)32, now))
        return -1;
    *found = db_changes(s->db) > 0;
    return 0;
}

int store_ring_by_digest(struct store *s, const char *digest, int *found, int64_t *memo_id,
                         int64_t *org_id, int *ring_no, struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st = db_query(s->db, e, STORE_RING_BY_DIGEST_SQL, "s", digest);
    *found = 0;
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r == 1) {
        *found = 1;
        *memo_id = db_int(st, 0);
        *org_id = db_int(st, 1);
        *ring_no = (int)db_int(st, 2);
    }
    rc = 0;
out:
    db_finish(st);
    return rc;
}
