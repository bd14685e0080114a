/* Tests for src/store/rosters.c through store.h, on every backend
 * (store_fixture.h): rosters of ring keys, memo rings with their keys as
 * bytes, anonymous signatures and their counts. */
#include "store_fixture.h"
#include "store/store_internal.h"

/* A key whose bytes include NUL and backslash, distinct per seed. */
static void key(unsigned char pk[32], int seed)
{
    for (int i = 0; i < 32; i++)
        pk[i] = (unsigned char)(seed * 31 + i * 7);
    pk[0] = 0;
    pk[1] = '\\';
    pk[31] = (unsigned char)seed;
}

static void keys_case(struct store *s, struct pool *p)
{
    struct st_keys k;
    struct err e;
    unsigned char pk[32];
    (void)s;
    (void)p;
    err_init(&e);
    st_keys_init(&k);
    assert_int_equal(k.n, 0);
    for (int i = 0; i < 1000; i++) {
        key(pk, i);
        OK(st_keys_add(&k, pk, i + 1, &e));
    }
    assert_int_equal(k.n, 1000);
    for (int i = 0; i < 1000; i++) {
        key(pk, i);
        assert_memory_equal(k.pk[i], pk, 32);
        assert_int_equal(k.member[i], i + 1);
    }
    st_keys_release(&k);
    assert_int_equal(k.n, 0);
    assert_null(k.pk);
    st_keys_release(&k); /* twice is harmless */
}

static void test_keys(void **state)
{
    (void)state;
    fx_sqlite(keys_case); /* no database involved */
}

static void roster_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_keys k;
    struct st_roster *r = NULL;
    unsigned char k1[32], k2[32], k3[32], got[32];
    int found = 9;
    int64_t size = 9;
    size_t n = 0;
    int64_t org = fx_org(s, "org"), other = fx_org(s, "aaa");
    int64_t amy = fx_member(s, org, "amy", 1), bob = fx_member(s, org, "bob", 1);
    err_init(&e);
    key(k1, 1);
    key(k2, 2);
    key(k3, 3);
    OK(store_roster_size(s, org, &size, &e));
    assert_int_equal(size, 0);
    OK(store_roster_member_key(s, org, amy, got, &found, &e));
    assert_int_equal(found, 0);
    OK(store_roster_append(s, org, 1, k1, amy, 10, &e));
    OK(store_roster_append(s, org, 1, k2, bob, 11, &e));
    /* amy re-keys: k1 leaves, k3 comes. */
    OK(store_roster_append(s, org, 0, k1, amy, 12, &e));
    OK(store_roster_append(s, org, 1, k3, amy, 12, &e));
    FAILS(store_roster_append(s, org, 1, k2, bob, 13, &e), ERR_CONFLICT);
    OK(store_roster_size(s, org, &size, &e));
    assert_int_equal(size, 4);
    OK(store_roster_member_key(s, org, amy, got, &found, &e));
    assert_int_equal(found, 1);
    assert_memory_equal(got, k3, 32);

    /* The active set at each size, in the order keys were added. */
    OK(store_roster_active(s, org, 2, &k, &e));
    assert_int_equal(k.n, 2);
    assert_memory_equal(k.pk[0], k1, 32);
    assert_int_equal(k.member[0], amy);
    assert_memory_equal(k.pk[1], k2, 32);
    st_keys_release(&k);
    OK(store_roster_active(s, org, 4, &k, &e));
    assert_int_equal(k.n, 2);
    assert_memory_equal(k.pk[0], k2, 32);
    assert_int_equal(k.member[0], bob);
    assert_memory_equal(k.pk[1], k3, 32);
    assert_int_equal(k.member[1], amy);
    st_keys_release(&k);
    OK(store_roster_active(s, other, 4, &k, &e));
    assert_int_equal(k.n, 0);
    st_keys_release(&k);

    OK(store_roster_list(s, p, &r, &n, &e));
    assert_int_equal(n, 2);
    assert_string_equal(r[0].organization, "aaa");
    assert_int_equal(r[0].org_id, other);
    assert_int_equal(r[0].size, 0);
    assert_int_equal(r[0].active, 0);
    assert_string_equal(r[1].organization, "org");
    assert_string_equal(r[1].name, "org");
    assert_int_equal(r[1].org_id, org);
    assert_int_equal(r[1].size, 4);
    assert_int_equal(r[1].active, 2);
}

static void test_roster(void **state)
{
    (void)state;
    fx_run(roster_case);
}

/* A key's removal is looked up by index, not by scanning the roster (the
 * active keys of a roster of 2^16 were a quadratic scan): SQLite's plan for
 * the lookup the active-keys queries make uses both columns. */
static void test_removal_indexed(void **state)
{
    char plan[1024];
    (void)state;
    fx_sqlite_plan("EXPLAIN QUERY PLAN SELECT 1 FROM roster_entries r WHERE r.org_id = 1 AND "
                   "r.added = 0 AND r.public_key = x'00' AND r.seq < 9",
                   plan, sizeof plan);
    assert_non_null(strstr(plan, "public_key=?"));
}

/* A ring is fetched by its digest on a public path every anonymous signer's
 * browser takes (GET /api/v1/public/rings/:digest, store_ring_by_digest):
 * found by index, not by scanning every ring of every memo. */
static void test_ring_digest_indexed(void **state)
{
    char plan[1024];
    (void)state;
    fx_sqlite_plan("EXPLAIN QUERY PLAN " STORE_RING_BY_DIGEST_SQL, plan, sizeof plan);
    assert_null(strstr(plan, "SCAN memo_rings"));
    assert_non_null(strstr(plan, "digest=?"));
}

static void test_anon_counts_indexed(void **state)
{
    char plan[1024];
    (void)state;
    fx_sqlite_plan("EXPLAIN QUERY PLAN " STORE_ANON_COUNTS_SQL, plan, sizeof plan);
    /* the running totals, by the memo's key: no signature row read */
    assert_non_null(strstr(plan, "anon_signature_counts"));
    assert_non_null(strstr(plan, "memo_id=?"));
    assert_null(strstr(plan, "anon_signatures "));
    fx_sqlite_plan("EXPLAIN QUERY PLAN " STORE_ANON_PRE_V2_SQL, plan, sizeof plan);
    assert_non_null(strstr(plan, "COVERING INDEX anon_signatures_counts"));
}

static void rings_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_keys k, back;
    struct st_ring *r = NULL;
    unsigned char pk[32];
    size_t n = 0;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org"), zed = fx_org(s, "zed");
    int64_t amy = fx_member(s, org, "amy", 1);
    err_init(&e);
    int64_t id = fx_memo(s, ch, amy, "m1", 1, 1);
    st_keys_init(&k);
    for (int i = 0; i < 300; i++) {
        key(pk, i);
        OK(st_keys_add(&k, pk, 1000 + i, &e));
    }
    OK(store_ring_insert(s, id, org, 1, 7, "d1", &k, 5, &e));
    FAILS(store_ring_insert(s, id, org, 1, 7, "d1", &k, 5, &e), ERR_CONFLICT);
    k.n = 1;
    OK(store_ring_insert(s, id, zed, 1, 1, "dz", &k, 5, &e));
    OK(store_ring_insert(s, id, org, 2, 9, "d2", &k, 6, &e));
    st_keys_release(&k);

    OK(store_ring_list(s, p, id, &r, &n, &e));
    assert_int_equal(n, 3);
    assert_string_equal(r[0].organization, "org"); /* by organization, then number */
    assert_int_equal(r[0].org_id, org);
    assert_int_equal(r[0].ring, 1);
    assert_int_equal(r[0].roster_size, 7);
    assert_string_equal(r[0].digest, "d1");
    assert_int_equal(r[0].count, 300);
    assert_int_equal(r[1].ring, 2);
    assert_int_equal(r[1].count, 1);
    assert_string_equal(r[2].organization, "zed");

    /* Keys come back as the bytes stored, in order, with their members. */
    OK(store_ring_keys(s, id, org, 1, &back, &e));
    assert_int_equal(back.n, 300);
    for (int i = 0; i < 300; i++) {
        key(pk, i);
        assert_memory_equal(back.pk[i], pk, 32);
        assert_int_equal(back.member[i], 1000 + i);
    }
    st_keys_release(&back);
    OK(store_ring_keys(s, id, org, 3, &back, &e));
    assert_int_equal(back.n, 0);
    st_keys_release(&back);
}

static void test_rings(void **state)
{
    (void)state;
    fx_run(rings_case);
}

static void anon_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_anon *a = NULL;
    struct st_counts k;
    unsigned char t1[32], t2[32], t3[32];
    int version = 9;
    size_t n = 0;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org"), zed = fx_org(s, "zed");
    int64_t amy = fx_member(s, org, "amy", 1);
    err_init(&e);
    int64_t id = fx_memo(s, ch, amy, "m1", 1, 1);
    key(t1, 1);
    key(t2, 2);
    key(t3, 3);
    OK(store_anon_get(s, id, t1, &version, &e));
    assert_int_equal(version, 0);
    OK(store_anon_put(s, id, t1, 1, org, 1, (const unsigned char *)"a\0b", 3, 100, &e));
    OK(store_anon_put(s, id, t1, 2, org, 1, (const unsigned char *)"c\0d", 3, 101, &e));
    OK(store_anon_put(s, id, t2, 2, zed, 1, (const unsigned char *)"e", 1, 101, &e));
    OK(store_anon_put(s, id, t3, 1, org, 2, (const unsigned char *)"f", 1, 101, &e));
    OK(store_anon_get(s, id, t1, &version, &e));
    assert_int_equal(version, 2);

    OK(store_anon_list(s, p, id, &a, &n, &e));
    assert_int_equal(n, 3);
    /* by tag: t1, t2, t3 share bytes 0 and 1 and differ at byte 2 */
    assert_memory_equal(a[0].tag, t1, 32);
    assert_int_equal(a[0].version, 2);
    assert_string_equal(a[0].organization, "org");
    assert_int_equal(a[0].ring, 1);
    assert_int_equal(a[0].proof_len, 3);
    assert_memory_equal(a[0].proof, "c\0d", 3);
    assert_memory_equal(a[2].tag, t3, 32);
    assert_int_equal(a[2].ring, 2);

    OK(store_anon_counts(s, p, id, &k, &e));
    assert_int_equal(k.total, 3);
    assert_int_equal(k.n_version, 2);
    assert_int_equal(k.by_version[0].version, 1);
    assert_int_equal(k.by_version[0].count, 1);
    assert_int_equal(k.by_version[1].count, 2);
    assert_int_equal(k.n_org, 2);
    assert_string_equal(k.by_org[0].organization, "org");
    assert_int_equal(k.by_org[0].count, 2);
    assert_string_equal(k.by_org[1].organization, "zed");

    OK(store_anon_delete(s, id, t1, &e));
    OK(store_anon_get(s, id, t1, &version, &e));
    assert_int_equal(version, 0);
    OK(store_anon_counts(s, p, id, &k, &e));
    assert_int_equal(k.total, 2);

    /* sequence numbers: 0 for a new tag, kept after a withdrawal, and a
     * published signature carries its tag's sequence number minus one */
    {
        int64_t seq = 9;
        struct st_anon_seq *q = NULL;
        OK(store_anon_seq(s, id, t1, &seq, &e));
        assert_int_equal(seq, 0);
        OK(store_anon_seq_set(s, id, t1, 3, &e));
        OK(store_anon_seq_set(s, id, t2, 1, &e));
        OK(store_anon_seq_set(s, id, t2, 5, &e));
        OK(store_anon_seq(s, id, t2, &seq, &e));
        assert_int_equal(seq, 5);
        /* the list shows sequence numbers as published (batches): none yet */
        OK(store_anon_seq_list(s, p, id, &q, &n, &e));
        assert_int_equal(n, 0);
        OK(store_anon_pub_seq_set(s, id, t1, 3, &e));
        OK(store_anon_pub_seq_set(s, id, t2, 5, &e));
        OK(store_anon_seq_list(s, p, id, &q, &n, &e));
        assert_int_equal(n, 2);
        assert_memory_equal(q[0].tag, t1, 32); /* t1 is withdrawn: still listed */
        assert_int_equal(q[0].next, 3);
        assert_int_equal(q[1].next, 5);
        OK(store_anon_list(s, p, id, &a, &n, &e));
        assert_int_equal(n, 2);
        assert_memory_equal(a[0].tag, t2, 32);
        assert_int_equal(a[0].seq, 4);
    }
}

static void test_anon(void **state)
{
    (void)state;
    fx_run(anon_case);
}

/* A count of memo id's counted anonymous rows (protocol 2 or unmarked),
 * straight from anon_signatures; extra: a condition on a (its version,
 * organization) or "". */
static int64_t anon_rows(struct store *s, int64_t id, const char *extra)
{
    struct err e;
    char sql[256];
    int64_t n = -1;
    err_init(&e);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM anon_signatures a LEFT JOIN organizations o ON o.id = "
             "a.org_id WHERE a.memo_id = ? AND COALESCE(a.protocol, 2) <> 1 %s",
             extra);
    OK(db_scalar(s->db, &e, 0, &n, sql, "i", id));
    return n;
}

/* store_anon_counts against the rows themselves, per version and per
 * organization. */
static void anon_counts_match(struct store *s, struct pool *p, int64_t id)
{
    struct err e;
    struct st_counts k;
    char extra[96];
    int64_t sum = 0;
    err_init(&e);
    OK(store_anon_counts(s, p, id, &k, &e));
    assert_int_equal(k.total, anon_rows(s, id, ""));
    for (size_t i = 0; i < k.n_version; i++) {
        snprintf(extra, sizeof extra, "AND a.version = %d", k.by_version[i].version);
        assert_int_equal(k.by_version[i].count, anon_rows(s, id, extra));
        assert_true(k.by_version[i].count > 0);
        sum += k.by_version[i].count;
    }
    assert_int_equal(sum, k.total);
    sum = 0;
    for (size_t i = 0; i < k.n_org; i++) {
        snprintf(extra, sizeof extra, "AND o.slug = '%s'", k.by_org[i].organization);
        assert_int_equal(k.by_org[i].count, anon_rows(s, id, extra));
        sum += k.by_org[i].count;
    }
    assert_int_equal(sum, k.total);
}

/* The anonymous counts are running totals: every put (new, moved to
 * another version or organization, repeated), withdrawal and protocol mark
 * moves them as the rows move, on each backend; and the migration that
 * made them derives them from the rows already there. */
static void anon_totals_case(struct store *s, struct pool *p)
{
    struct err e;
    unsigned char t[6][32];
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org"), zed = fx_org(s, "zed");
    int64_t amy = fx_member(s, org, "amy", 1);
    err_init(&e);
    int64_t id = fx_memo(s, ch, amy, "m1", 1, 1), other = fx_memo(s, ch, amy, "m2", 1, 1);
    const unsigned char *pf = (const unsigned char *)"proof";
    for (int i = 0; i < 6; i++)
        key(t[i], 10 + i);
    anon_counts_match(s, p, id);
    for (int i = 0; i < 6; i++)
        OK(store_anon_put(s, id, t[i], 1 + i % 2, i % 3 ? org : zed, 1, pf, 5, 100, &e));
    OK(store_anon_put(s, other, t[0], 1, org, 1, pf, 5, 100, &e));
    anon_counts_match(s, p, id);
    OK(store_anon_put(s, id, t[0], 2, org, 1, pf, 5, 101, &e)); /* another version */
    anon_counts_match(s, p, id);
    OK(store_anon_put(s, id, t[1], 2, org, 1, pf, 5, 101, &e)); /* the same again */
    anon_counts_match(s, p, id);
    OK(store_anon_put(s, id, t[2], 2, zed, 1, pf, 5, 101, &e)); /* another organization */
    anon_counts_match(s, p, id);
    OK(store_anon_delete(s, id, t[3], &e));
    OK(store_anon_delete(s, id, t[3], &e)); /* nothing left to withdraw */
    anon_counts_match(s, p, id);
    /* rows of before protocol v2 are unmarked (counted) until marked: 1 is
     * not counted, 2 still is; a row marked already stays as it is */
    OK(db_exec(s->db, &e, "UPDATE anon_signatures SET protocol = NULL WHERE memo_id = ?", "i", id));
    OK(store_anon_mark(s, id, t[4], 1, &e));
    anon_counts_match(s, p, id);
    OK(store_anon_mark(s, id, t[4], 2, &e));
    OK(store_anon_mark(s, id, t[5], 2, &e));
    anon_counts_match(s, p, id);
    OK(store_anon_put(s, id, t[4], 1, org, 1, pf, 5, 102, &e)); /* signed again under v2 */
    anon_counts_match(s, p, id);
    anon_counts_match(s, p, other);

    /* the migration's derivation, from the rows alone */
    OK(db_begin(s->db, &e));
    OK(db_exec(s->db, &e, "DELETE FROM anon_signature_counts", NULL));
    OK(db_exec(s->db, &e, "UPDATE meta SET value = '22' WHERE key = 'schema_version'", NULL));
    OK(db_commit(s->db, &e));
    OK(store_migrate(s, &e));
    anon_counts_match(s, p, id);
    anon_counts_match(s, p, other);
}

static void test_anon_totals(void **state)
{
    (void)state;
    fx_run(anon_totals_case);
}

/* The coalition ring is organization 0: its rings and signatures are
 * listed (last, with the empty slug) and counted in no organization; the
 * ring kind of a tag's signature as accepted (queued, else published). */
static void coalition_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_keys k;
    struct st_ring *r = NULL;
    struct st_anon *a = NULL;
    struct st_counts c;
    struct st_batch_entry b;
    unsigned char pk[32], t1[32], t2[32];
    size_t n = 0;
    int found = 9;
    int64_t kind = 9;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org");
    int64_t amy = fx_member(s, org, "amy", 1);
    err_init(&e);
    int64_t id = fx_memo(s, ch, amy, "m1", 1, 1);
    st_keys_init(&k);
    key(pk, 1);
    OK(st_keys_add(&k, pk, 1, &e));
    OK(store_ring_insert(s, id, 0, 1, 3, "dc", &k, 5, &e));
    OK(store_ring_insert(s, id, org, 1, 2, "do", &k, 5, &e));
    st_keys_release(&k);
    OK(store_ring_list(s, p, id, &r, &n, &e));
    assert_int_equal(n, 2);
    assert_string_equal(r[0].organization, "org");
    assert_int_equal(r[1].org_id, 0);
    assert_string_equal(r[1].organization, "");
    assert_string_equal(r[1].digest, "dc");

    key(t1, 1);
    key(t2, 2);
    OK(store_anon_ring_org(s, id, t1, &found, &kind, &e));
    assert_int_equal(found, 0);
    OK(store_anon_put(s, id, t1, 1, 0, 1, (const unsigned char *)"p", 1, 100, &e));
    OK(store_anon_put(s, id, t2, 1, org, 1, (const unsigned char *)"q", 1, 100, &e));
    OK(store_anon_ring_org(s, id, t1, &found, &kind, &e));
    assert_int_equal(found, 1);
    assert_int_equal(kind, 0);
    OK(store_anon_ring_org(s, id, t2, &found, &kind, &e));
    assert_int_equal(found, 1);
    assert_int_equal(kind, org);
    OK(store_anon_list(s, p, id, &a, &n, &e));
    assert_int_equal(n, 2);
    assert_string_equal(a[0].organization, "");
    assert_string_equal(a[1].organization, "org");
    OK(store_anon_counts(s, p, id, &c, &e));
    assert_int_equal(c.total, 2);
    assert_int_equal(c.n_org, 1);
    assert_string_equal(c.by_org[0].organization, "org");

    /* a queued withdrawal decides before the published signature */
    memset(&b, 0, sizeof b);
    b.kind = "anonymous-signature";
    b.chain = "anon:m1:t1";
    b.fields = "{}";
    b.memo_id = id;
    memcpy(b.tag, t1, 32);
    b.has_tag = 1;
    b.version = 0;
    b.proof = (unsigned char *)"w";
    b.proof_len = 1;
    b.due = 200;
    OK(store_batch_put(s, &b, &e));
    OK(store_anon_ring_org(s, id, t1, &found, &kind, &e));
    assert_int_equal(found, 0);
    /* then a queued signature on the organization's ring */
    b.version = 1;
    b.org_id = org;
    OK(store_batch_put(s, &b, &e));
    OK(store_anon_ring_org(s, id, t1, &found, &kind, &e));
    assert_int_equal(found, 1);
    assert_int_equal(kind, org);
}

static void test_coalition(void **state)
{
    (void)state;
    fx_run(coalition_case);
}

/* The tags' sequence numbers are written when a signature is accepted, an
 * hour or so before its shuffled batch is published: kept under a rowid,
 * their rows numbered the arrivals, and a copy of the database gave the
 * order the batch hides (found by review). The table is keyed by (memo,
 * tag) alone, in the tags' (random) order. SQLite only: PostgreSQL keeps a
 * heap in the order of insertion (docs/threat-model.md). */
static void sequences_case(struct store *s, struct pool *p)
{
    struct err e;
    struct db_stmt *st;
    unsigned char tag[32];
    int64_t org = fx_org(s, "org"), amy = fx_member(s, org, "amy", 1);
    int64_t memo = fx_memo(s, fx_channel(s, "ch"), amy, "memo-seq", 1, 10);
    int prev = -1, rows = 0;
    (void)p;
    err_init(&e);
    /* arrivals in descending tag order */
    for (int i = 0; i < 50; i++) {
        memset(tag, 0, sizeof tag);
        tag[0] = (unsigned char)(200 - i);
        OK(store_anon_seq_set(s, memo, tag, 1, &e));
    }
    assert_null(db_query(s->db, &e, "SELECT rowid FROM anon_sequences", NULL));
    st = db_query(s->db, &e, "SELECT tag FROM anon_sequences", NULL);
    assert_non_null(st);
    while (db_next(st, &e) == 1) {
        size_t n = 0;
        const unsigned char *t = db_blob(st, 0, &n);
        assert_int_equal(n, 32);
        assert_true(t[0] > prev); /* stored in tag order, not arrival order */
        prev = t[0];
        rows++;
    }
    db_finish(st);
    assert_int_equal(rows, 50);
}

static void test_sequences_unordered(void **state)
{
    (void)state;
    fx_sqlite(sequences_case);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_roster),
        cmocka_unit_test(test_rings),
        cmocka_unit_test(test_anon),
        cmocka_unit_test(test_anon_totals),
        cmocka_unit_test(test_coalition),
        cmocka_unit_test(test_sequences_unordered),
        cmocka_unit_test(test_removal_indexed),
        cmocka_unit_test(test_ring_digest_indexed),
        cmocka_unit_test(test_anon_counts_indexed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
