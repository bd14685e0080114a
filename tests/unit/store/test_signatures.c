/* Tests for src/store/signatures.c through store.h, on every backend
 * (store_fixture.h): named co-signatures, their running counts (which must
 * equal the counts recomputed from the signatures), signer lists and the
 * timeline. */
#include "store_fixture.h"
#include "store/store_internal.h"

static void signatures_case(struct store *s, struct pool *p)
{
    struct err e;
    int version = 9;
    char *salt = NULL;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org");
    int64_t amy = fx_member(s, org, "amy", 1), bob = fx_member(s, org, "bob", 1);
    err_init(&e);
    int64_t id = fx_memo(s, ch, amy, "m1", 1, 1);
    OK(store_signature_get(s, id, amy, &version, &e));
    assert_int_equal(version, 0);
    OK(store_signature_salt(s, p, id, amy, &salt, &e));
    assert_null(salt);
    OK(store_signature_put(s, id, amy, 1, "aa", 10, &e));
    OK(store_signature_put(s, id, amy, 2, "bb", 11, &e)); /* moves: an upsert */
    OK(store_signature_get(s, id, amy, &version, &e));
    assert_int_equal(version, 2);
    OK(store_signature_salt(s, p, id, amy, &salt, &e));
    assert_string_equal(salt, "bb");
    OK(store_signature_get(s, id, bob, &version, &e));
    assert_int_equal(version, 0);
    OK(store_signature_delete(s, id, amy, &e));
    OK(store_signature_get(s, id, amy, &version, &e));
    assert_int_equal(version, 0);
}

static void test_signatures(void **state)
{
    (void)state;
    fx_run(signatures_case);
}

/* Signs (or moves) in one transaction with its count, as the channel does. */
static void sign(struct store *s, int64_t memo, int64_t member, int64_t org, int old, int version,
                 int64_t at)
{
    struct err e;
    err_init(&e);
    OK(store_begin(s, &e));
    OK(store_signature_put(s, memo, member, version, "00", at, &e));
    if (old)
        OK(store_count_adjust(s, memo, old, org, -1, at, &e));
    OK(store_count_adjust(s, memo, version, org, 1, at, &e));
    OK(store_commit(s, &e));
}

static void assert_counts_equal(const struct st_counts *a, const struct st_counts *b)
{
    assert_int_equal(a->total, b->total);
    assert_int_equal(a->n_version, b->n_version);
    assert_int_equal(a->n_org, b->n_org);
    for (size_t i = 0; i < a->n_version; i++) {
        assert_int_equal(a->by_version[i].version, b->by_version[i].version);
        assert_int_equal(a->by_version[i].count, b->by_version[i].count);
    }
    for (size_t i = 0; i < a->n_org; i++) {
        assert_string_equal(a->by_org[i].organization, b->by_org[i].organization);
        assert_int_equal(a->by_org[i].count, b->by_org[i].count);
    }
}

/* store_memo_latest's one statement gives what its three parts give. */
static void latest_matches(struct store *s, struct pool *p, const char *pid,
                           const struct st_counts *want)
{
    struct err e;
    struct st_memo m, m1;
    struct st_version v, v1;
    struct st_counts k;
    err_init(&e);
    memset(&m, 0, sizeof m);
    memset(&v, 0, sizeof v);
    OK(store_memo_latest(s, p, pid, &m, &v, &k, &e));
    OK(store_memo_by_public_id(s, p, pid, &m1, &e));
    OK(store_version_get(s, p, m1.id, m1.latest_version, &v1, &e));
    assert_int_equal(m.id, m1.id);
    assert_string_equal(m.public_id, m1.public_id);
    assert_int_equal(m.channel_id, m1.channel_id);
    assert_int_equal(m.state, m1.state);
    assert_int_equal(m.created_by, m1.created_by);
    assert_int_equal(m.created_at, m1.created_at);
    assert_int_equal(m.latest_version, m1.latest_version);
    assert_int_equal(v.memo_id, m1.id);
    assert_int_equal(v.number, v1.number);
    assert_string_equal(v.hash, v1.hash);
    assert_string_equal(v.title, v1.title);
    assert_string_equal(v.body, v1.body);
    assert_string_equal(v.author, v1.author);
    assert_int_equal(v.author_id, v1.author_id);
    assert_int_equal(v.marking, v1.marking);
    assert_int_equal(v.created_at, v1.created_at);
    assert_counts_equal(&k, want);
}

static void counts_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_counts k, again;
    struct st_signer *g = NULL;
    struct st_tally *t = NULL;
    size_t n = 0;
    int64_t ch = fx_channel(s, "ch"), zeta = fx_org(s, "zeta"), alpha = fx_org(s, "alpha");
    int64_t amy = fx_member(s, zeta, "amy", 1), bob = fx_member(s, alpha, "bob", 1);
    int64_t cy = fx_member(s, zeta, "cy", 1);
    err_init(&e);
    int64_t id = fx_memo(s, ch, amy, "m1", 1, 1);
    OK(store_counts(s, p, id, &k, &e));
    assert_int_equal(k.total, 0);
    assert_int_equal(k.n_version, 0);
    assert_int_equal(k.n_org, 0);
    latest_matches(s, p, "m1", &k);

    sign(s, id, amy, zeta, 0, 1, 10);
    sign(s, id, bob, alpha, 0, 2, 10);
    sign(s, id, cy, zeta, 0, 1, 20);
    sign(s, id, cy, zeta, 1, 2, 30); /* moves to version 2 */
    OK(store_counts(s, p, id, &k, &e));
    assert_int_equal(k.total, 3);
    assert_int_equal(k.n_version, 2);
    assert_int_equal(k.by_version[0].version, 1);
    assert_int_equal(k.by_version[0].count, 1);
    assert_int_equal(k.by_version[1].version, 2);
    assert_int_equal(k.by_version[1].count, 2);
    assert_int_equal(k.n_org, 2);
    assert_string_equal(k.by_org[0].organization, "alpha");
    assert_int_equal(k.by_org[0].count, 1);
    assert_string_equal(k.by_org[1].organization, "zeta");
    assert_int_equal(k.by_org[1].count, 2);
    OK(store_counts_recomputed(s, p, id, &again, &e));
    assert_counts_equal(&k, &again);
    latest_matches(s, p, "m1", &k);
    FAILS(
        store_memo_latest(s, p, "nope", &(struct st_memo){0}, &(struct st_version){0}, &again, &e),
        ERR_NOT_FOUND);

    /* A count never goes below zero. */
    OK(store_begin(s, &e));
    FAILS(store_count_adjust(s, id, 1, alpha, -1, 40, &e), ERR_INTERNAL);
    store_rollback(s);
    OK(store_begin(s, &e));
    FAILS(store_count_adjust(s, id, 1, zeta, -2, 40, &e), ERR_CONFLICT);
    store_rollback(s);

    /* Signers in the order they signed (then by username). */
    OK(store_signer_page(s, p, id, INT64_MIN, 0, 100, &g, &n, &e));
    assert_int_equal(n, 3);
    assert_string_equal(g[0].username, "amy");
    assert_string_equal(g[0].organization, "zeta");
    assert_int_equal(g[0].version, 1);
    assert_int_equal(g[0].signed_at, 10);
    assert_string_equal(g[1].username, "bob");
    assert_string_equal(g[1].display_name, "bob");
    assert_string_equal(g[2].username, "cy");
    assert_int_equal(g[2].version, 2);
    assert_int_equal(g[2].signed_at, 30);

    /* The running total; changes at one instant share the total after them. */
    OK(store_signature_timeline(s, p, id, &t, &n, &e));
    assert_int_equal(n, 5);
    assert_int_equal(t[0].at, 10);
    assert_int_equal(t[0].total, 2);
    assert_int_equal(t[1].total, 2);
    assert_int_equal(t[2].at, 20);
    assert_int_equal(t[2].total, 3);
    assert_int_equal(t[3].at, 30);
    assert_int_equal(t[3].total, 3);
    assert_int_equal(t[4].at, 30);
    assert_int_equal(t[4].total, 3);

    /* bob withdraws and amy moves to version 2: version 1 and alpha, whose
     * rows are still there at count 0, are not listed */
    OK(store_begin(s, &e));
    OK(store_signature_delete(s, id, bob, &e));
    OK(store_count_adjust(s, id, 2, alpha, -1, 50, &e));
    OK(store_commit(s, &e));
    sign(s, id, amy, zeta, 1, 2, 60);
    OK(store_counts(s, p, id, &k, &e));
    assert_int_equal(k.total, 2);
    assert_int_equal(k.n_version, 1);
    assert_int_equal(k.by_version[0].version, 2);
    assert_int_equal(k.by_version[0].count, 2);
    assert_int_equal(k.n_org, 1);
    assert_string_equal(k.by_org[0].organization, "zeta");
    assert_int_equal(k.by_org[0].count, 2);
    OK(store_counts_recomputed(s, p, id, &again, &e));
    assert_counts_equal(&k, &again);
    latest_matches(s, p, "m1", &k);
}

static void test_counts(void **state)
{
    (void)state;
    fx_run(counts_case);
}

/* A signer list longer than a page comes back in pages that together hold
 * every co-signer exactly once, in signing order (then member id), many of
 * them signing at the same second; a co-signer who signs while the pages are
 * read (later than every key read so far) is on a later page, once. */
static void signer_pages_case(struct store *s, struct pool *p)
{
    enum { N = 250, PAGE = 40 };
    struct err e;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org");
    int64_t ids[N + 1], after_at = INT64_MIN, after_member = 0, late = 0;
    int seen[N + 1] = {0}, pages = 0;
    size_t total = 0;
    err_init(&e);
    for (int i = 0; i < N; i++) {
        char user[32];
        snprintf(user, sizeof user, "s%03d", i);
        ids[i] = fx_member(s, org, user, 1);
    }
    int64_t id = fx_memo(s, ch, ids[0], "m1", 1, 1);
    /* signed_at 100 + i % 7: the keys tie at each second, out of id order */
    for (int i = 0; i < N; i++)
        OK(store_signature_put(s, id, ids[i], 1, "00", 100 + (N - i) % 7, &e));
    for (;;) {
        struct st_signer *g = NULL;
        size_t n = 0;
        OK(store_signer_page(s, p, id, after_at, after_member, PAGE, &g, &n, &e));
        assert_in_range(n, 0, PAGE);
        for (size_t i = 0; i < n; i++) {
            int k = -1;
            /* strictly after the previous key */
            assert_true(g[i].signed_at > after_at ||
                        (g[i].signed_at == after_at && g[i].member_id > after_member));
            after_at = g[i].signed_at;
            after_member = g[i].member_id;
            for (int j = 0; j <= N; j++)
                if (j < N ? ids[j] == g[i].member_id : late && late == g[i].member_id)
                    k = j;
            assert_true(k >= 0);
            seen[k]++;
            total++;
        }
        if (++pages == 2) {
            late = fx_member(s, org, "late", 1);
            ids[N] = late;
            OK(store_signature_put(s, id, late, 1, "00", 1000, &e));
        }
        if (n < PAGE)
            break;
    }
    assert_int_equal(total, N + 1);
    for (int i = 0; i <= N; i++)
        assert_int_equal(seen[i], 1);
    assert_int_equal(pages, (N + 1) / PAGE + 1);
}

static void test_signer_pages(void **state)
{
    (void)state;
    fx_run(signer_pages_case);
}

/* A page of the signer list is read by index: no scan of the signatures and
 * no sort of them (100,000 co-signers sorted for each request). */
static void test_signer_page_indexed(void **state)
{
    char plan[1024];
    (void)state;
    fx_sqlite_plan("EXPLAIN QUERY PLAN " STORE_SIGNER_PAGE_SQL, plan, sizeof plan);
    assert_null(strstr(plan, "SCAN g"));
    assert_null(strstr(plan, "TEMP B-TREE"));
    assert_non_null(strstr(plan, "signatures_order"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signatures),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_signer_pages),
        cmocka_unit_test(test_signer_page_indexed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
