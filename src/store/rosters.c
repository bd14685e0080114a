/* rosters.c — rosters of ring public keys, the rings of memos, and
 * anonymous co-signatures (which carry no member at all). */
#include "base/util.h"
#include "store/store_internal.h"

#include <sodium.h>
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

/* Collects rows of (public_key blob, member id) into [{public_key hex, member}]. */
static int key_rows(struct db_stmt *st, json_t **out, struct err *e)
{
    int rc = -1, r;
    json_t *arr = json_array();
    while (arr && (r = db_next(st, e)) == 1) {
        size_t len = 0;
        const void *p = db_blob(st, 0, &len);
        char hex[65];
        if (!p || len != 32) {
            err_set(e, ERR_DB, "a stored ring key is damaged");
            goto out;
        }
        hex_encode(hex, p, 32);
        json_array_append_new(
            arr, json_pack("{s:s,s:I}", "public_key", hex, "member", (json_int_t)db_int(st, 1)));
    }
    if (!arr || r < 0)
        goto out;
    *out = arr;
    arr = NULL;
    rc = 0;
out:
    json_decref(arr);
    return rc;
}

int store_roster_active(struct store *s, int64_t org_id, int64_t n, json_t **out, struct err *e)
{
    int rc = -1;
    struct db_stmt *st = db_query(s->db, e, ACTIVE_SQL, "ii", org_id, n);
    if (st)
        rc = key_rows(st, out, e);
    db_finish(st);
    return rc;
}

int store_roster_list(struct store *s, json_t **out, struct err *e)
{
    static const char *const names[] = {"organization", "name", "#size", "#active", NULL};
    return store_rows_json(
        s, out, e, names,
        "SELECT o.slug, o.name, (SELECT COUNT(*) FROM roster_entries r WHERE r.org_id = o.id), "
        "(SELECT COUNT(*) FROM roster_entries a WHERE a.org_id = o.id AND a.added = 1 AND NOT "
        "EXISTS (SELECT 1 FROM roster_entries r WHERE r.org_id = o.id AND r.added = 0 AND "
        "r.public_key = a.public_key)) FROM organizations o ORDER BY o.slug",
        NULL);
}

int store_ring_insert(struct store *s, int64_t memo_id, int64_t org_id, int ring_no,
                      int64_t roster_size, const char *digest, const json_t *keys, int64_t now,
                      struct err *e)
{
    int rc = db_exec(s->db, e,
                     "INSERT INTO memo_rings(memo_id, org_id, ring_no, roster_size, digest, count, "
                     "created_at) VALUES(?, ?, ?, ?, ?, ?, ?)",
                     "iiiisii", memo_id, org_id, (int64_t)ring_no, roster_size, digest,
                     (int64_t)json_array_size(keys), now);
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        unsigned char pk[32];
        if (rc)
            break;
        if (hex_decode(pk, 32, json_string_value(json_object_get(k, "public_key")))) {
            rc = err_set(e, ERR_INTERNAL, "bad ring key");
            break;
        }
        rc = db_exec(s->db, e,
                     "INSERT INTO memo_ring_keys(memo_id, org_id, ring_no, pos, public_key, "
                     "member_id) VALUES(?, ?, ?, ?, ?, ?)",
                     "iiiibi", memo_id, org_id, (int64_t)ring_no, (int64_t)i, pk, (size_t)32,
                     (int64_t)json_integer_value(json_object_get(k, "member")));
    }
    return rc;
}

int store_ring_list(struct store *s, int64_t memo_id, json_t **out, struct err *e)
{
    static const char *const names[] = {"#org_id", "organization", "#ring", "#roster_size",
                                        "digest",  "#count",       NULL};
    return store_rows_json(s, out, e, names,
                           "SELECT g.org_id, o.slug, g.ring_no, g.roster_size, g.digest, g.count "
                           "FROM memo_rings g JOIN organizations o ON o.id = g.org_id WHERE "
                           "g.memo_id = ? ORDER BY o.slug, g.ring_no",
                           "i", memo_id);
}

int store_ring_keys(struct store *s, int64_t memo_id, int64_t org_id, int ring_no, json_t **out,
                    struct err *e)
{
    int rc = -1;
    struct db_stmt *st = db_query(s->db, e,
                                  "SELECT public_key, member_id FROM memo_ring_keys WHERE memo_id "
                                  "= ? AND org_id = ? AND ring_no = ? ORDER BY pos",
                                  "iii", memo_id, org_id, (int64_t)ring_no);
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

int store_anon_put(struct store *s, int64_t memo_id, const unsigned char tag[32], int version,
                   int64_t org_id, int ring_no, const unsigned char *proof, size_t proof_len,
                   int64_t day, struct err *e)
{
    return db_exec(
        s->db, e,
        "INSERT INTO anon_signatures(memo_id, tag, version, org_id, ring_no, proof, day) "
        "VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(memo_id, tag) DO UPDATE SET version = "
        "excluded.version, org_id = excluded.org_id, ring_no = excluded.ring_no, proof "
        "= excluded.proof, day = excluded.day",
        "ibiiibi", memo_id, tag, (size_t)32, (int64_t)version, org_id, (int64_t)ring_no, proof,
        proof_len, day);
}

int store_anon_delete(struct store *s, int64_t memo_id, const unsigned char tag[32], struct err *e)
{
    return db_exec(s->db, e, "DELETE FROM anon_signatures WHERE memo_id = ? AND tag = ?", "ib",
                   memo_id, tag, (size_t)32);
}

int store_anon_list(struct store *s, int64_t memo_id, json_t **out, struct err *e)
{
    int rc = -1, r;
    json_t *arr = json_array();
    struct db_stmt *st = db_query(s->db, e,
                                  "SELECT a.tag, a.version, o.slug, a.ring_no, a.proof FROM "
                                  "anon_signatures a JOIN organizations o ON o.id = a.org_id WHERE "
                                  "a.memo_id = ? ORDER BY a.tag",
                                  "i", memo_id);
    if (!st || !arr)
        goto out;
    while ((r = db_next(st, e)) == 1) {
        size_t tl = 0, pl = 0;
        const void *t = db_blob(st, 0, &tl), *p = db_blob(st, 4, &pl);
        char tag[65], *b64;
        size_t b64len = sodium_base64_ENCODED_LEN(pl, sodium_base64_VARIANT_ORIGINAL);
        if (!t || tl != 32 || !p) {
            err_set(e, ERR_DB, "a stored anonymous signature is damaged");
            goto out;
        }
        b64 = malloc(b64len);
        if (!b64) {
            err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        sodium_bin2base64(b64, b64len, p, pl, sodium_base64_VARIANT_ORIGINAL);
        hex_encode(tag, t, 32);
        json_array_append_new(arr,
                              json_pack("{s:s,s:I,s:s,s:I,s:s}", "tag", tag, "version",
                                        (json_int_t)db_int(st, 1), "organization", db_text(st, 2),
                                        "ring", (json_int_t)db_int(st, 3), "proof", b64));
        free(b64);
    }
    if (r < 0)
        goto out;
    *out = arr;
    arr = NULL;
    rc = 0;
out:
    db_finish(st);
    json_decref(arr);
    return rc;
}

int store_anon_counts(struct store *s, int64_t memo_id, json_t **out, struct err *e)
{
    static const char *const vnames[] = {"#version", "#count", NULL};
    static const char *const onames[] = {"organization", "#count", NULL};
    int rc = -1;
    json_t *byv = NULL, *byo = NULL;
    int64_t total = 0;
    if (db_scalar(s->db, e, 0, &total, "SELECT COUNT(*) FROM anon_signatures WHERE memo_id = ?",
                  "i", memo_id) ||
        store_rows_json(s, &byv, e, vnames,
                        "SELECT version, COUNT(*) FROM anon_signatures WHERE memo_id = ? GROUP BY "
                        "version ORDER BY version",
                        "i", memo_id) ||
        store_rows_json(s, &byo, e, onames,
                        "SELECT o.slug, COUNT(*) FROM anon_signatures a JOIN organizations o ON "
                        "o.id = a.org_id WHERE a.memo_id = ? GROUP BY o.slug ORDER BY o.slug",
                        "i", memo_id))
        goto out;
    *out = json_pack("{s:I,s:O,s:O}", "total", (json_int_t)total, "by_version", byv,
                     "by_organization", byo);
    rc = 0;
out:
    json_decref(byv);
    json_decref(byo);
    return rc;
}
