/* Tests for src/tlog/tree.c, memstore.c and proof.c: every root, inclusion
 * proof and (many) consistency proofs of randomized trees against a naive
 * recursive recomputation from the RFC 9162 definitions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlog/memstore.h"
#include "tlog/proof.h"
#include "tlog/tree.h"

#define MAXN 4200

static unsigned char leaves[MAXN][TLOG_HASH_SIZE];

/* xorshift64*: reproducible randomness (the seed is printed). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static void make_leaves(void)
{
    for (uint64_t i = 0; i < MAXN; i++) {
        unsigned char data[17] = {0};
        for (int k = 0; k < 8; k++)
            data[k] = (unsigned char)(i >> (8 * k));
        uint64_t r = rnd();
        memcpy(data + 8, &r, 8);
        tlog_hash_leaf(leaves[i], data,
                       9 + (size_t)(i % 9)); /* distinct inputs of varying length */
    }
}

/* ---- naive reference: RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1 over the array ---- */

static uint64_t k_of(uint64_t n)
{
    uint64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

static void naive_mth(uint64_t a, uint64_t n, unsigned char out[32])
{
    if (n == 0) {
        tlog_hash_empty(out);
        return;
    }
    if (n == 1) {
        memcpy(out, leaves[a], 32);
        return;
    }
    uint64_t k = k_of(n);
    unsigned char l[32], r[32];
    naive_mth(a, k, l);
    naive_mth(a + k, n - k, r);
    tlog_hash_children(out, l, r);
}

static void naive_path(uint64_t m, uint64_t a, uint64_t n, struct tlog_proof *p)
{
    if (n <= 1)
        return;
    uint64_t k = k_of(n);
    if (m < k) {
        naive_path(m, a, k, p);
        naive_mth(a + k, n - k, p->hash[p->len++]);
    } else {
        naive_path(m - k, a + k, n - k, p);
        naive_mth(a, k, p->hash[p->len++]);
    }
}

static void naive_subproof(uint64_t m, uint64_t a, uint64_t n, int b, struct tlog_proof *p)
{
    if (m == n) {
        if (!b)
            naive_mth(a, n, p->hash[p->len++]);
        return;
    }
    uint64_t k = k_of(n);
    if (m <= k) {
        naive_subproof(m, a, k, b, p);
        naive_mth(a + k, n - k, p->hash[p->len++]);
    } else {
        naive_subproof(m - k, a + k, n - k, 0, p);
        naive_mth(a, k, p->hash[p->len++]);
    }
}

/* Naive roots, computed once per size. */
static unsigned char root_cache[MAXN + 1][32];
static unsigned char root_known[MAXN + 1];

static const unsigned char *naive_root(uint64_t n)
{
    if (!root_known[n]) {
        naive_mth(0, n, root_cache[n]);
        root_known[n] = 1;
    }
    return root_cache[n];
}

static void assert_proof_equal(const struct tlog_proof *a, const struct tlog_proof *b)
{
    assert_int_equal(a->len, b->len);
    for (size_t i = 0; i < a->len; i++)
        assert_memory_equal(a->hash[i], b->hash[i], 32);
}

/* ---- one store shared by the tests, grown leaf by leaf ---- */

static struct tlog_memstore store;
static struct tlog_node_source src;

static int setup(void **state)
{
    (void)state;
    const char *seed = getenv("TLOG_TEST_SEED");
    if (seed)
        rng_state = strtoull(seed, NULL, 0) | 1;
    printf("# tlog tree tests, seed 0x%016llx\n", (unsigned long long)rng_state);
    make_leaves();
    tlog_memstore_init(&store);
    src = tlog_memstore_source(&store);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tlog_memstore_release(&store);
    return 0;
}

static void grow_to(uint64_t n)
{
    struct err e;
    err_init(&e);
    while (store.size < n) {
        int rc = tlog_memstore_append(&store, leaves[store.size], &e);
        if (rc != 0)
            fail_msg("append: %s", e.msg);
    }
}

/* Checks one consistency proof (size m to n) against the naive one, that it
 * verifies, and that a tampered copy does not. */
static void check_consistency(uint64_t m, uint64_t n, const unsigned char rm[32],
                              const unsigned char rn[32], int compare_naive)
{
    struct err e;
    struct tlog_proof p, want;
    err_init(&e);
    assert_int_equal(tlog_prove_consistency(&src, m, n, &p, &e), 0);
    if (compare_naive) {
        want.len = 0;
        if (m < n)
            naive_subproof(m, 0, n, 1, &want);
        assert_proof_equal(&p, &want);
    }
    if (tlog_verify_consistency(m, n, rm, rn, &p, &e) != 0)
        fail_msg("consistency %llu -> %llu: %s", (unsigned long long)m, (unsigned long long)n,
                 e.msg);
    if (p.len > 0) {
        size_t i = (size_t)(rnd() % p.len);
        p.hash[i][rnd() % 32] ^= (unsigned char)(1u << (rnd() % 8));
        assert_int_equal(tlog_verify_consistency(m, n, rm, rn, &p, &e), -1);
    }
}

static void check_inclusion(uint64_t i, uint64_t n, const unsigned char root[32], int compare_naive)
{
    struct err e;
    struct tlog_proof p, want;
    err_init(&e);
    if (tlog_prove_inclusion(&src, i, n, &p, &e) != 0)
        fail_msg("prove inclusion %llu in %llu: %s", (unsigned long long)i, (unsigned long long)n,
                 e.msg);
    if (compare_naive) {
        want.len = 0;
        naive_path(i, 0, n, &want);
        assert_proof_equal(&p, &want);
    }
    if (tlog_verify_inclusion(i, n, leaves[i], &p, root, &e) != 0)
        fail_msg("verify inclusion %llu in %llu: %s", (unsigned long long)i, (unsigned long long)n,
                 e.msg);
    if (!compare_naive && rnd() % 8 != 0)
        return; /* tampering checks on a sample of the large trees */
    /* the same proof does not prove another leaf or index */
    assert_int_equal(tlog_verify_inclusion(i, n, leaves[(i + 1) % MAXN], &p, root, &e), -1);
    if (n > 1)
        assert_int_equal(tlog_verify_inclusion((i + 1) % n, n, leaves[i], &p, root, &e), -1);
    if (p.len > 0) {
        size_t k = (size_t)(rnd() % p.len);
        p.hash[k][rnd() % 32] ^= (unsigned char)(1u << (rnd() % 8));
        assert_int_equal(tlog_verify_inclusion(i, n, leaves[i], &p, root, &e), -1);
        assert_int_equal(e.code, ERR_CRYPTO);
        p.len--; /* too short */
        assert_int_equal(tlog_verify_inclusion(i, n, leaves[i], &p, root, &e), -1);
        assert_int_equal(e.code, ERR_INVALID);
    }
}

/* Every size up to 130: root, every inclusion proof and every consistency
 * proof, each compared with the naive construction. */
static void test_small_exhaustive(void **state)
{
    (void)state;
    static unsigned char roots[131][32];
    struct err e;
    err_init(&e);
    unsigned char r[32];
    assert_int_equal(tlog_root(&src, 0, r, &e), 0);
    naive_mth(0, 0, roots[0]);
    assert_memory_equal(r, roots[0], 32);
    for (uint64_t n = 1; n <= 130; n++) {
        grow_to(n);
        naive_mth(0, n, roots[n]);
        assert_int_equal(tlog_root(&src, n, r, &e), 0);
        assert_memory_equal(r, roots[n], 32);
        for (uint64_t i = 0; i < n; i++)
            check_inclusion(i, n, roots[n], 1);
        for (uint64_t m = 1; m <= n; m++)
            check_consistency(m, n, roots[m], roots[n], 1);
    }
}

/* Randomized sizes up to 4200 (plus powers of two and their neighbours):
 * every inclusion proof verifies against the naive root, a sample is
 * compared with the naive proofs, and 60 random consistency proofs per size
 * (verified, tampered, and one in six compared with the naive proof). */
static void test_random_sizes(void **state)
{
    (void)state;
    uint64_t sizes[24];
    size_t ns = 0;
    const uint64_t fixed[] = {255,  256,  257,  1023, 1024, 1025, 2047,
                              2048, 2049, 4095, 4096, 4097, MAXN};
    for (size_t i = 0; i < ARRAY_LEN(fixed); i++)
        sizes[ns++] = fixed[i];
    while (ns < ARRAY_LEN(sizes))
        sizes[ns++] = 131 + rnd() % (MAXN - 131);
    grow_to(MAXN);
    struct err e;
    err_init(&e);
    for (size_t s = 0; s < ns; s++) {
        uint64_t n = sizes[s];
        unsigned char root[32], r[32];
        naive_mth(0, n, root);
        assert_int_equal(tlog_root(&src, n, r, &e), 0);
        assert_memory_equal(r, root, 32);
        for (uint64_t i = 0; i < n; i++)
            check_inclusion(i, n, root, rnd() % 256 == 0 || i == 0 || i == n - 1);
        for (int t = 0; t < 60; t++) {
            uint64_t m = 1 + rnd() % n;
            check_consistency(m, n, naive_root(m), root, t % 6 == 0);
        }
        /* the subtree hash of a random range equals the naive one */
        for (int t = 0; t < 20; t++) {
            uint64_t a = rnd() % n, b = a + 1 + rnd() % (n - a);
            naive_mth(a, b - a, root);
            assert_int_equal(tlog_subtree_hash(&src, a, b, r, &e), 0);
            assert_memory_equal(r, root, 32);
        }
    }
}

/* ---- sources that count reads, batch them, or fail ---- */

struct counting {
    struct tlog_node_source inner;
    size_t gets, many_calls, many_ids;
    int fail_after; /* < 0: never */
};

static int counting_get(void *ctx, unsigned level, uint64_t index, unsigned char out[32],
                        struct err *e)
{
    struct counting *c = ctx;
    if (c->fail_after >= 0 && (int)c->gets >= c->fail_after)
        return err_set(e, ERR_DB, "injected storage failure");
    c->gets++;
    return c->inner.get(c->inner.ctx, level, index, out, e);
}

static int counting_get_many(void *ctx, size_t n, const struct tlog_node_id *ids,
                             unsigned char (*out)[32], struct err *e)
{
    struct counting *c = ctx;
    c->many_calls++;
    c->many_ids += n;
    for (size_t i = 0; i < n; i++)
        if (c->inner.get(c->inner.ctx, ids[i].level, ids[i].index, out[i], e) != 0)
            return -1;
    return 0;
}

static void test_get_many_and_read_bounds(void **state)
{
    (void)state;
    grow_to(MAXN);
    struct counting c = {.inner = src, .fail_after = -1};
    struct tlog_node_source one = {.ctx = &c, .get = counting_get, .get_many = NULL};
    struct tlog_node_source many = {.ctx = &c, .get = counting_get, .get_many = counting_get_many};
    struct err e;
    err_init(&e);
    for (int t = 0; t < 300; t++) {
        uint64_t n = 1 + rnd() % MAXN, i = rnd() % n, m = 1 + rnd() % n;
        struct tlog_proof a, b;
        unsigned char ra[32], rb[32];

        c.gets = c.many_calls = 0;
        assert_int_equal(tlog_prove_inclusion(&one, i, n, &a, &e), 0);
        assert_true(c.gets <= 2 * 13); /* 2·ceil(log2 4200) */
        assert_int_equal(tlog_prove_inclusion(&many, i, n, &b, &e), 0);
        assert_int_equal(c.many_calls, n > 1 ? 1 : 0);
        assert_proof_equal(&a, &b);

        c.gets = c.many_calls = 0;
        assert_int_equal(tlog_prove_consistency(&one, m, n, &a, &e), 0);
        assert_true(c.gets <= 2 * 13 + 1);
        assert_int_equal(tlog_prove_consistency(&many, m, n, &b, &e), 0);
        assert_int_equal(c.many_calls, m < n ? 1 : 0);
        assert_proof_equal(&a, &b);

        c.gets = c.many_calls = 0;
        assert_int_equal(tlog_root(&one, n, ra, &e), 0);
        assert_int_equal(c.gets, (size_t)__builtin_popcountll(n));
        assert_int_equal(tlog_root(&many, n, rb, &e), 0);
        assert_int_equal(c.many_calls, 1);
        assert_memory_equal(ra, rb, 32);
    }

    /* appends through get_many give the same nodes as through get */
    struct tlog_memstore a, b;
    struct counting ca = {.fail_after = -1}, cb = {.fail_after = -1};
    tlog_memstore_init(&a);
    tlog_memstore_init(&b);
    ca.inner = tlog_memstore_source(&a);
    cb.inner = tlog_memstore_source(&b);
    struct tlog_node_source sa = {.ctx = &ca, .get = counting_get, .get_many = NULL};
    struct tlog_node_source sb = {.ctx = &cb, .get = counting_get, .get_many = counting_get_many};
    for (uint64_t n = 0; n < 1000; n++) {
        struct tlog_appended x, y;
        assert_int_equal(tlog_append(&sa, n, leaves[n], &x, &e), 0);
        assert_int_equal(tlog_append(&sb, n, leaves[n], &y, &e), 0);
        assert_int_equal(x.count, 1 + (size_t)__builtin_ctzll(~n));
        assert_int_equal(x.count, y.count);
        for (size_t k = 0; k < x.count; k++) {
            assert_int_equal(x.nodes[k].level, k);
            assert_int_equal(x.nodes[k].index, n >> k);
            assert_int_equal(y.nodes[k].index, x.nodes[k].index);
            assert_memory_equal(x.nodes[k].hash, y.nodes[k].hash, 32);
            assert_int_equal(tlog_memstore_put(&a, &x.nodes[k], &e), 0);
            assert_int_equal(tlog_memstore_put(&b, &y.nodes[k], &e), 0);
        }
    }
    /* about one read per append, amortized */
    assert_true(ca.gets < 1000);
    unsigned char r1[32], r2[32];
    assert_int_equal(tlog_root(&sa, 1000, r1, &e), 0);
    naive_mth(0, 1000, r2);
    assert_memory_equal(r1, r2, 32);
    tlog_memstore_release(&a);
    tlog_memstore_release(&b);
}

static void test_source_failure(void **state)
{
    (void)state;
    grow_to(MAXN);
    struct counting c = {.inner = src, .fail_after = 3};
    struct tlog_node_source s = {.ctx = &c, .get = counting_get, .get_many = NULL};
    struct tlog_proof p;
    unsigned char r[32];
    struct err e;
    err_init(&e);
    assert_int_equal(tlog_prove_inclusion(&s, 5, 4000, &p, &e), -1);
    assert_int_equal(e.code, ERR_DB);
    assert_int_equal(p.len, 0);
    c.gets = 0;
    assert_int_equal(tlog_prove_consistency(&s, 5, 4000, &p, &e), -1);
    assert_int_equal(p.len, 0);
    c.gets = 0;
    assert_int_equal(tlog_root(&s, 4095, r, &e), -1);
    /* a node that was never stored */
    assert_int_equal(tlog_root(&src, MAXN + 1, r, &e), -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    grow_to(MAXN);
    struct tlog_proof p;
    unsigned char r[32] = {0};
    struct err e;
    err_init(&e);
    assert_int_equal(tlog_prove_inclusion(&src, 10, 10, &p, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(tlog_prove_inclusion(&src, 0, 0, &p, &e), -1);
    assert_int_equal(tlog_prove_consistency(&src, 0, 10, &p, &e), -1);
    assert_int_equal(tlog_prove_consistency(&src, 11, 10, &p, &e), -1);
    assert_int_equal(tlog_prove_consistency(&src, 10, 10, &p, &e), 0);
    assert_int_equal(p.len, 0);
    assert_int_equal(tlog_root(&src, TLOG_MAX_SIZE + 1, r, &e), -1);
    assert_int_equal(tlog_subtree_hash(&src, 5, 5, r, &e), -1);
    p.len = 0;
    assert_int_equal(tlog_verify_inclusion(0, 0, r, &p, r, &e), -1);
    assert_int_equal(tlog_verify_inclusion(0, 1, r, &p, r, &e),
                     0); /* a one-leaf tree: root = leaf hash */
    assert_int_equal(tlog_verify_consistency(0, 0, r, r, &p, &e), -1);
    assert_int_equal(tlog_verify_consistency(1, 1, r, r, &p, &e), 0);
    p.len = TLOG_PROOF_MAX + 1;
    assert_int_equal(tlog_verify_inclusion(0, 2, r, &p, r, &e), -1);

    /* the memstore keeps levels in order and nodes immutable */
    struct tlog_node node = {.level = 0, .index = MAXN + 5};
    assert_int_equal(tlog_memstore_put(&store, &node, &e), -1);
    node.index = 3;
    assert_int_equal(tlog_memstore_put(&store, &node, &e), -1); /* different hash */
    memcpy(node.hash, leaves[3], 32);
    assert_int_equal(tlog_memstore_put(&store, &node, &e), 0); /* same hash: no-op */
    node.level = 63;
    assert_int_equal(tlog_memstore_put(&store, &node, &e), -1);
}

/* A source for a tree of identical leaves: node (level, index) is the same
 * for every index, so the tree is consistent at any size and proofs for trees
 * near TLOG_MAX_SIZE leaves can be generated and verified without storage. */
static unsigned char uniform[64][32];

static int synthetic_get(void *ctx, unsigned level, uint64_t index, unsigned char out[32],
                         struct err *e)
{
    (void)ctx;
    (void)index;
    if (level >= 64)
        return err_set(e, ERR_NOT_FOUND, "no level %u", level);
    memcpy(out, uniform[level], 32);
    return 0;
}

static void test_huge_trees(void **state)
{
    (void)state;
    struct tlog_node_source s = {.ctx = NULL, .get = synthetic_get, .get_many = NULL};
    struct err e;
    err_init(&e);
    tlog_hash_leaf(uniform[0], "x", 1);
    for (int l = 1; l < 64; l++)
        tlog_hash_children(uniform[l], uniform[l - 1], uniform[l - 1]);
    const uint64_t sizes[] = {TLOG_MAX_SIZE, TLOG_MAX_SIZE - 1, (uint64_t)1 << 62,
                              ((uint64_t)1 << 62) + 1, ((uint64_t)1 << 40) + 12345};
    for (size_t k = 0; k < ARRAY_LEN(sizes); k++) {
        uint64_t n = sizes[k];
        unsigned char root[32], leaf[32];
        struct tlog_proof p;
        assert_int_equal(tlog_root(&s, n, root, &e), 0);
        for (int t = 0; t < 50; t++) {
            uint64_t i = t == 0 ? n - 1 : t == 1 ? 0 : rnd() % n;
            assert_int_equal(tlog_prove_inclusion(&s, i, n, &p, &e), 0);
            assert_int_equal(synthetic_get(NULL, 0, i, leaf, &e), 0);
            if (tlog_verify_inclusion(i, n, leaf, &p, root, &e) != 0)
                fail_msg("huge inclusion: %s", e.msg);
            uint64_t m = t == 0 ? n - 1 : t == 1 ? 1 : 1 + rnd() % n;
            unsigned char rm[32];
            assert_int_equal(tlog_root(&s, m, rm, &e), 0);
            assert_int_equal(tlog_prove_consistency(&s, m, n, &p, &e), 0);
            assert_true(p.len <= TLOG_PROOF_MAX);
            if (tlog_verify_consistency(m, n, rm, root, &p, &e) != 0)
                fail_msg("huge consistency: %s", e.msg);
        }
    }
    struct tlog_appended out;
    unsigned char leaf[32] = {0};
    assert_int_equal(tlog_append(&s, TLOG_MAX_SIZE, leaf, &out, &e), -1);
    assert_int_equal(tlog_append(&s, ((uint64_t)1 << 62) - 1, leaf, &out, &e), 0);
    assert_int_equal(out.count, 63);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_exhaustive),
        cmocka_unit_test(test_random_sizes),
        cmocka_unit_test(test_get_many_and_read_bounds),
        cmocka_unit_test(test_source_failure),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_huge_trees),
    };
    return cmocka_run_group_tests_name("tlog/tree", tests, setup, teardown);
}
