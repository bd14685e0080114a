/* Tests for src/store/batch.c through store.h, on every backend
 * (store_fixture.h): queued entries round-trip (tag and proof as bytes,
 * NULLs where a kind has none), are listed by due time in order of
 * acceptance and deleted; the latest queued action of a tag; pending roster
 * entries per organization; named counts as
 * published (queued actions taken back, also by a database migrated with
 * entries in its queue); published sequence numbers. */
#include "store_fixture.h"

#include "store/store_internal.h"

static void batch_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_batch_entry b, *got = NULL;
    struct st_counts k;
    size_t n = 0;
    unsigned char tag[32];
    int found = 9, version = 9;
    int64_t pending = -1;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org"), zed = fx_org(s, "zed");
    int64_t amy = fx_member(s, org, "amy", 1);
    int64_t id = fx_memo(s, ch, amy, "m1", 1, 1);

    err_init(&e);
    for (int i = 0; i < 32; i++)
        tag[i] = (unsigned char)(i * 5);
    tag[0] = 0;
    memset(&b, 0, sizeof b);
    b.kind = "anonymous-signature";
    b.chain = "anon:m1:00";
    b.fields = "{\"action\":\"added\"}";
    b.memo = "m1";
    b.memo_id = id;
    memcpy(b.tag, tag, 32);
    b.has_tag = 1;
    b.version = 2;
    b.org_id = org;
    b.ring_no = 1;
    b.proof = (unsigned char *)"p\0q";
    b.proof_len = 3;
    b.seq = 4;
    b.due = 3600;
    OK(store_batch_put(s, &b, &e));
    memset(&b, 0, sizeof b);
    b.kind = "roster";
    b.chain = "roster:zed";
    b.fields = "{}";
    b.org_id = zed;
    b.due = 7200;
    OK(store_batch_put(s, &b, &e));
    memset(&b, 0, sizeof b);
    b.kind = "signature";
    b.chain = "sig:m1:c";
    b.fields = "{}";
    b.memo = "m1";
    b.memo_id = id;
    b.version = 2;
    b.prev_version = 1;
    b.org_id = org;
    b.due = 3600;
    OK(store_batch_put(s, &b, &e));

    OK(store_batch_due(s, p, 3600, &got, &n, &e));
    assert_int_equal(n, 2);
    assert_string_equal(got[0].kind, "anonymous-signature");
    assert_true(got[0].has_tag);
    assert_memory_equal(got[0].tag, tag, 32);
    assert_int_equal(got[0].proof_len, 3);
    assert_memory_equal(got[0].proof, "p\0q", 3);
    assert_int_equal(got[0].seq, 4);
    assert_int_equal(got[0].version, 2);
    assert_string_equal(got[0].memo, "m1");
    assert_string_equal(got[1].kind, "signature");
    assert_false(got[1].has_tag);
    assert_null(got[1].proof);
    assert_int_equal(got[1].prev_version, 1);
    assert_true(got[0].id < got[1].id);
    OK(store_batch_due(s, p, INT64_MAX, &got, &n, &e));
    assert_int_equal(n, 3);
    assert_null(got[1].memo);

    OK(store_batch_anon_latest(s, id, tag, &found, &version, &e));
    assert_int_equal(found, 1);
    assert_int_equal(version, 2);
    tag[5] ^= 1;
    OK(store_batch_anon_latest(s, id, tag, &found, &version, &e));
    assert_int_equal(found, 0);
    OK(store_batch_roster_pending(s, zed, &pending, &e));
    assert_int_equal(pending, 1);
    OK(store_batch_roster_pending(s, org, &pending, &e));
    assert_int_equal(pending, 0);

    /* amy moved from version 1 to 2: live counts say v2, published v1 */
    OK(store_count_adjust(s, id, 1, org, +1, 10, &e));
    OK(store_count_adjust(s, id, 1, org, -1, 20, &e));
    OK(store_count_adjust(s, id, 2, org, +1, 20, &e));
    OK(store_counts(s, p, id, &k, &e));
    assert_int_equal(k.total, 1);
    assert_int_equal(k.n_version, 1);
    assert_int_equal(k.by_version[0].version, 1);
    assert_int_equal(k.n_org, 1);
    assert_string_equal(k.by_org[0].organization, "org");

    /* A database from before the held counts (schema 14) with these entries
     * queued: the migration derives them from the queue. */
    OK(db_exec(s->db, &e, "DROP TABLE batch_held", NULL));
    OK(db_exec(s->db, &e, "UPDATE meta SET value = '14' WHERE key = 'schema_version'", NULL));
    OK(store_migrate(s, &e));
    OK(store_counts(s, p, id, &k, &e));
    assert_int_equal(k.total, 1);
    assert_int_equal(k.n_version, 1);
    assert_int_equal(k.by_version[0].version, 1);
    assert_int_equal(k.n_org, 1);

    for (size_t i = 0; i < n; i++)
        OK(store_batch_delete(s, &got[i], &e));
    OK(store_batch_due(s, p, INT64_MAX, &got, &n, &e));
    assert_int_equal(n, 0);
    OK(store_counts(s, p, id, &k, &e));
    assert_int_equal(k.by_version[0].version, 2);

    OK(store_org_active_members(s, org, 0, &pending, &e));
    assert_int_equal(pending, 1);
    /* counted up to a bound: a caller comparing with a threshold reads no
     * more of a large organization than the threshold */
    fx_member(s, org, "batch-b", 1);
    fx_member(s, org, "batch-c", 1);
    OK(store_org_active_members(s, org, 0, &pending, &e));
    assert_int_equal(pending, 3);
    OK(store_org_active_members(s, org, 2, &pending, &e));
    assert_int_equal(pending, 2);
    OK(store_org_active_members(s, org, 5, &pending, &e));
    assert_int_equal(pending, 3);
}

/* Each named co-signature asks whether its organization is as large as the
 * channel's minimum ring: that lookup is found by index, not by scanning
 * every member of every organization on each write. */
static void test_members_indexed(void **state)
{
    char plan[1024];
    (void)state;
    fx_sqlite_plan("EXPLAIN QUERY PLAN " STORE_ORG_ACTIVE_MEMBERS_SQL, plan, sizeof plan);
    assert_null(strstr(plan, "SCAN members"));
    assert_non_null(strstr(plan, "org_id=?"));
}

/* A roster's published size (every roster fetch, GET /api/v1/rosters/:org,
 * and every ring opened) subtracts its queued enrollments: they are found by
 * index, not by scanning the whole queue, which holds every co-signature of
 * the batch interval. */
static void test_roster_pending_indexed(void **state)
{
    char plan[1024];
    (void)state;
    fx_sqlite_plan("EXPLAIN QUERY PLAN " STORE_ROSTER_PENDING_SQL, plan, sizeof plan);
    assert_null(strstr(plan, "SCAN batch_queue"));
    assert_non_null(strstr(plan, "org_id=?"));
}

/* The batch tick reads what is due every second, inside a write
 * transaction, while the queue holds everything accepted for later batches
 * (anonymous proofs of kilobytes each): it reads the due entries by index,
 * not by scanning the whole queue. */
static void test_due_indexed(void **state)
{
    char plan[1024];
    (void)state;
    fx_sqlite_plan("EXPLAIN QUERY PLAN " STORE_BATCH_DUE_SQL, plan, sizeof plan);
    assert_null(strstr(plan, "SCAN batch_queue"));
    assert_non_null(strstr(plan, "due<?"));
}

static void test_batch(void **state)
{
    (void)state;
    fx_run(batch_case);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_members_indexed),
        cmocka_unit_test(test_roster_pending_indexed),
        cmocka_unit_test(test_due_indexed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
