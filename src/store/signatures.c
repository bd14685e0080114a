/* signatures.c — named co-signatures and their running counts.
 *
 * signature_counts is maintained by the channel layer in the same
 * transaction as every signature change, so the counts a reader sees are
 * exact at every moment; store_counts_recomputed derives them again from the
 * signatures for tests and audits. */
#include "store/store_internal.h"

int store_signature_get(struct store *s, int64_t memo_id, int64_t member_id, int *version,
                        struct err *e)
{
    int64_t v = 0;
    int rc = db_scalar(s->db, e, 0, &v,
                       "SELECT version FROM signatures WHERE memo_id = ? AND member_id = ?", "ii",
                       memo_id, member_id);
    *version = (int)v;
    return rc;
}

int store_signature_put(struct store *s, int64_t memo_id, int64_t member_id, int version,
                        const char *salt, int64_t now, struct err *e)
{
    return db_exec(s->db, e,
                   "INSERT INTO signatures(memo_id, member_id, version, signed_at, salt) VALUES(?, "
                   "?, ?, ?, ?) ON CONFLICT(memo_id, member_id) DO UPDATE SET version = "
                   "excluded.version, signed_at = excluded.signed_at, salt = excluded.salt",
                   "iiiis", memo_id, member_id, (int64_t)version, now, salt);
}

int store_signature_salt(struct store *s, struct pool *p, int64_t memo_id, int64_t member_id,
                         char **salt, struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st =
        db_query(s->db, e, "SELECT salt FROM signatures WHERE memo_id = ? AND member_id = ?", "ii",
                 memo_id, member_id);
    *salt = NULL;
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r == 1)
        *salt = store_col_dup(p, st, 0);
    rc = 0;
out:
    db_finish(st);
    return rc;
}

int store_signature_delete(struct store *s, int64_t memo_id, int64_t member_id, struct err *e)
{
    return db_exec(s->db, e, "DELETE FROM signatures WHERE memo_id = ? AND member_id = ?", "ii",
                   memo_id, member_id);
}

int store_count_adjust(struct store *s, int64_t memo_id, int version, int64_t org_id, int delta,
                       int64_t now, struct err *e)
{
    int rc;
    if (delta > 0) {
        rc =
            db_exec(s->db, e,
                    "INSERT INTO signature_counts(memo_id, version, org_id, count) VALUES(?, ?, ?, "
                    "?) ON CONFLICT(memo_id, version, org_id) DO UPDATE SET count = "
                    "signature_counts.count + excluded.count",
                    "iiii", memo_id, (int64_t)version, org_id, (int64_t)delta);
    } else {
        /* An upsert would test CHECK(count >= 0) on the negative row it tries
         * to insert first: decrement the existing row instead. */
        rc = db_exec(s->db, e,
                     "UPDATE signature_counts SET count = count + ? WHERE memo_id = ? AND "
                     "version = ? AND org_id = ?",
                     "iiii", (int64_t)delta, memo_id, (int64_t)version, org_id);
        if (rc == 0 && db_changes(s->db) != 1)
            rc = err_set(e, ERR_INTERNAL, "signature count missing for version %d", version);
    }
    if (rc == 0)
        rc = db_exec(s->db, e, "INSERT INTO signature_events(memo_id, at, delta) VALUES(?, ?, ?)",
                     "iii", memo_id, now, (int64_t)delta);
    return rc;
}

static int counts_json(struct store *s, int64_t memo_id, json_t **out, struct err *e,
                       const char *by_version_sql, const char *by_org_sql)
{
    static const char *const vnames[] = {"#version", "#count", NULL};
    static const char *const onames[] = {"organization", "#count", NULL};
    int rc = -1;
    json_t *byv = NULL, *byo = NULL, *obj = NULL;
    json_int_t total = 0;
    size_t i;
    json_t *row;

    if (store_rows_json(s, &byv, e, vnames, by_version_sql, "i", memo_id) ||
        store_rows_json(s, &byo, e, onames, by_org_sql, "i", memo_id))
        goto out;
    json_array_foreach(byv, i, row) total += json_integer_value(json_object_get(row, "count"));
    obj = json_pack("{s:I,s:O,s:O}", "total", total, "by_version", byv, "by_organization", byo);
    if (!obj) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    *out = obj;
    rc = 0;
out:
    json_decref(byv);
    json_decref(byo);
    return rc;
}

int store_counts(struct store *s, int64_t memo_id, json_t **out, struct err *e)
{
    return counts_json(
        s, memo_id, out, e,
        "SELECT version, SUM(count) FROM signature_counts WHERE memo_id = ? GROUP BY "
        "version HAVING SUM(count) > 0 ORDER BY version",
        "SELECT o.slug, SUM(c.count) FROM signature_counts c JOIN organizations o "
        "ON o.id = c.org_id WHERE c.memo_id = ? GROUP BY o.slug HAVING "
        "SUM(c.count) > 0 ORDER BY o.slug");
}

int store_counts_recomputed(struct store *s, int64_t memo_id, json_t **out, struct err *e)
{
    return counts_json(s, memo_id, out, e,
                       "SELECT version, COUNT(*) FROM signatures WHERE memo_id = ? GROUP BY "
                       "version ORDER BY version",
                       "SELECT o.slug, COUNT(*) FROM signatures g JOIN members m ON m.id = "
                       "g.member_id JOIN organizations o ON o.id = m.org_id WHERE g.memo_id = ? "
                       "GROUP BY o.slug ORDER BY o.slug");
}

int store_signer_list(struct store *s, int64_t memo_id, json_t **out, struct err *e)
{
    static const char *const names[] = {"username", "display_name", "organization",
                                        "#version", "#signed_at",   NULL};
    return store_rows_json(
        s, out, e, names,
        "SELECT m.username, m.display_name, o.slug, g.version, g.signed_at FROM "
        "signatures g JOIN members m ON m.id = g.member_id JOIN organizations o "
        "ON o.id = m.org_id WHERE g.memo_id = ? ORDER BY g.signed_at, m.username",
        "i", memo_id);
}

int store_signature_timeline(struct store *s, int64_t memo_id, json_t **out, struct err *e)
{
    static const char *const names[] = {"#at", "#total", NULL};
    return store_rows_json(s, out, e, names,
                           "SELECT at, SUM(delta) OVER (ORDER BY at) FROM signature_events "
                           "WHERE memo_id = ? ORDER BY at",
                           "i", memo_id);
}
