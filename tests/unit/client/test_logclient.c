/* Tests for src/client/logclient.c: the compact range against the library's
 * tree (every size up to 300), canonical base64 of hashes, the shapes of
 * channel-event leaves, the key and proof wrappers the CLI calls (against
 * the library's proofs, and a changed leaf or root refused), and the
 * monitor's state file (round trip, mode 0600, damage detected) and pinned
 * keys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/logclient.h"
#include "tlog/memstore.h"
#include "tlog/tree.h"
#include "unit/test_tmp.h"

static void test_range_matches_tree(void **state)
{
    (void)state;
    struct tlog_memstore ms;
    struct logc_range r;
    struct err e;
    unsigned char leaf[TLOG_HASH_SIZE], want[TLOG_HASH_SIZE], got[TLOG_HASH_SIZE];
    static unsigned char all[300][TLOG_HASH_SIZE];

    tlog_memstore_init(&ms);
    logc_range_init(&r);
    logc_range_root(&r, got);
    tlog_hash_empty(want);
    assert_memory_equal(got, want, TLOG_HASH_SIZE);
    for (unsigned i = 0; i < 300; i++) {
        char data[32];
        snprintf(data, sizeof data, "leaf %u", i);
        tlog_hash_leaf(leaf, data, strlen(data));
        memcpy(all[i], leaf, TLOG_HASH_SIZE);
        assert_int_equal(tlog_memstore_append(&ms, leaf, &e), 0);
        assert_int_equal(logc_range_append(&r, leaf, &e), 0);
        struct tlog_node_source src = tlog_memstore_source(&ms);
        assert_int_equal(tlog_root(&src, i + 1, want, &e), 0);
        logc_range_root(&r, got);
        assert_memory_equal(got, want, TLOG_HASH_SIZE);
        assert_int_equal(r.size, i + 1);
        assert_int_equal(r.n, (size_t)__builtin_popcount(i + 1));
        logc_root_of((const unsigned char(*)[TLOG_HASH_SIZE])all, i + 1, got);
        assert_memory_equal(got, want, TLOG_HASH_SIZE);
    }
    tlog_memstore_release(&ms);
}

static void test_keys_and_proofs(void **state)
{
    (void)state;
    struct tlog_memstore ms;
    struct tlog_signer sg;
    struct tlog_verifier v;
    struct tlog_proof p;
    struct err e;
    char key[TLOG_VERIFIER_KEY_MAX], again[TLOG_VERIFIER_KEY_MAX];
    unsigned char leaf[TLOG_HASH_SIZE], want[TLOG_HASH_SIZE], r7[TLOG_HASH_SIZE],
        r20[TLOG_HASH_SIZE];

    err_init(&e);
    assert_int_equal(tlog_signer_generate(&sg, "example.org/log", &e), 0);
    assert_int_equal(tlog_verifier_format(&sg.pub, key, &e), 0);
    assert_int_equal(logc_key_parse(&v, key, &e), 0);
    assert_int_equal(logc_key_format(&v, again, &e), 0);
    assert_string_equal(again, key);
    assert_int_equal(logc_key_parse(&v, "example.org/log+nothex+AAAA", &e), -1);
    tlog_signer_wipe(&sg);

    tlog_memstore_init(&ms);
    for (unsigned i = 0; i < 20; i++) {
        char data[32];
        snprintf(data, sizeof data, "leaf %u", i);
        logc_leaf_hash(data, strlen(data), leaf);
        tlog_hash_leaf(want, data, strlen(data));
        assert_memory_equal(leaf, want, TLOG_HASH_SIZE);
        assert_int_equal(tlog_memstore_append(&ms, leaf, &e), 0);
    }
    struct tlog_node_source src = tlog_memstore_source(&ms);
    assert_int_equal(tlog_root(&src, 7, r7, &e), 0);
    assert_int_equal(tlog_root(&src, 20, r20, &e), 0);
    logc_leaf_hash("leaf 5", 6, leaf);
    assert_int_equal(tlog_prove_inclusion(&src, 5, 20, &p, &e), 0);
    assert_int_equal(logc_verify_inclusion(5, 20, leaf, &p, r20, &e), 0);
    logc_leaf_hash("leaf 6", 6, leaf);
    assert_int_equal(logc_verify_inclusion(5, 20, leaf, &p, r20, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    assert_int_equal(tlog_prove_consistency(&src, 7, 20, &p, &e), 0);
    assert_int_equal(logc_verify_consistency(7, 20, r7, r20, &p, &e), 0);
    assert_int_equal(logc_verify_consistency(7, 20, r20, r20, &p, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    tlog_memstore_release(&ms);
}

/* The left siblings of an inclusion proof of leaf i in a tree of n leaves
 * are the compact range of [0, i): for every n up to 70 and i < n, the
 * range taken from the library's proof equals the one built from the first
 * i leaves, and extended with leaves [i, n) it gives the tree's root (what
 * logc_check_range relies on). A proof one hash short or long is refused. */
static void test_range_from_inclusion(void **state)
{
    (void)state;
    struct tlog_memstore ms;
    struct logc_range want, got;
    struct tlog_proof p;
    struct err e;
    static unsigned char all[70][TLOG_HASH_SIZE];
    unsigned char root[TLOG_HASH_SIZE], r[TLOG_HASH_SIZE];

    err_init(&e);
    tlog_memstore_init(&ms);
    for (unsigned i = 0; i < 70; i++) {
        char data[32];
        snprintf(data, sizeof data, "leaf %u", i);
        tlog_hash_leaf(all[i], data, strlen(data));
        assert_int_equal(tlog_memstore_append(&ms, all[i], &e), 0);
    }
    struct tlog_node_source src = tlog_memstore_source(&ms);
    for (uint64_t n = 1; n <= 70; n++) {
        assert_int_equal(tlog_root(&src, n, root, &e), 0);
        logc_range_init(&want);
        for (uint64_t i = 0; i < n; i++) {
            assert_int_equal(tlog_prove_inclusion(&src, i, n, &p, &e), 0);
            assert_int_equal(logc_range_from_inclusion(i, n, &p, &got, &e), 0);
            assert_int_equal(got.size, i);
            assert_int_equal(got.n, want.n);
            assert_memory_equal(got.hash, want.hash, want.n * TLOG_HASH_SIZE);
            for (uint64_t k = i; k < n; k++)
                assert_int_equal(logc_range_append(&got, all[k], &e), 0);
            logc_range_root(&got, r);
            assert_memory_equal(r, root, TLOG_HASH_SIZE);
            if (p.len > 0) {
                p.len--;
                assert_int_equal(logc_range_from_inclusion(i, n, &p, &got, &e), -1);
                p.len += 2;
                assert_int_equal(logc_range_from_inclusion(i, n, &p, &got, &e), -1);
                assert_int_equal(e.code, ERR_INVALID);
            }
            assert_int_equal(logc_range_append(&want, all[i], &e), 0);
        }
        p.len = 0;
        assert_int_equal(logc_range_from_inclusion(n, n, &p, &got, &e), -1);
    }
    tlog_memstore_release(&ms);
}

static void test_hash_base64(void **state)
{
    (void)state;
    unsigned char h[TLOG_HASH_SIZE], back[TLOG_HASH_SIZE];
    char s[48];
    for (int i = 0; i < TLOG_HASH_SIZE; i++)
        h[i] = (unsigned char)(i * 7 + 1);
    logc_hash_encode(h, s);
    assert_int_equal(strlen(s), 44);
    assert_int_equal(logc_hash_decode(s, back), 0);
    assert_memory_equal(h, back, TLOG_HASH_SIZE);
    /* non-canonical last character (stray bits), wrong length, not base64 */
    s[42] = s[42] == 'A' ? 'B' : 'A';
    assert_int_equal(logc_hash_decode(s, back) == 0 && memcmp(back, h, 32) == 0, 0);
    assert_int_equal(logc_hash_decode("AAAA", back), -1);
    assert_int_equal(logc_hash_decode("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!=", back), -1);
    assert_int_equal(logc_hash_decode(NULL, back), -1);
}

#define H64  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define MEMO "\"memo\":\"abcdefghijklmnopqrstuvwxyz\""

static int check(const char *s)
{
    struct err e;
    return logc_leaf_check(s, strlen(s), NULL, &e);
}

static void test_leaf_shapes(void **state)
{
    (void)state;
    struct err e;
    json_t *o = NULL;
    const char *version =
        "{\"at\":\"2026-11-20T15:00:00Z\",\"channel\":\"dissent\",\"digest\":\"" H64
        "\",\"hash\":\"" H64 "\",\"kind\":\"version\",\"marking\":\"SBU\"," MEMO
        ",\"paragraphs\":[\"" H64 "\"],\"v\":1,\"version\":2}";
    assert_int_equal(logc_leaf_check(version, strlen(version), &o, &e), 0);
    assert_int_equal(json_integer_value(json_object_get(o, "version")), 2);
    json_decref(o);
    assert_int_equal(
        check("{\"action\":\"move\",\"at\":\"2026-11-20T15:00:00Z\",\"commitment\":\"" H64
              "\",\"counts\":{\"total\":2},\"kind\":\"signature\"," MEMO ",\"v\":1,\"version\":1}"),
        0);
    assert_int_equal(
        check("{\"at\":\"2026-11-20T15:00:00Z\",\"event\":\"circulated\",\"kind\":\"state\","
              "\"latest_version\":1," MEMO ",\"state\":\"circulating\",\"v\":1}"),
        0);
    assert_int_equal(
        check("{\"acknowledge_due\":\"2026-11-25T04:59:59Z\",\"answer_due\":null,\"at\":"
              "\"2026-11-20T15:00:00Z\",\"event\":\"submitted\",\"kind\":\"state\","
              "\"latest_version\":1," MEMO ",\"state\":\"submitted\",\"v\":1}"),
        0);
    assert_int_equal(check("{\"answer_commitment\":\"" H64 "\",\"at\":\"2026-11-20T15:00:00Z\","
                           "\"event\":\"answered\",\"kind\":\"state\",\"latest_version\":1," MEMO
                           ",\"state\":\"answered\",\"v\":1}"),
                     0);
    /* a leaf written before the rename keeps its old field name: still valid */
    assert_int_equal(check("{\"answer_hash\":\"" H64 "\",\"at\":\"2026-11-20T15:00:00Z\",\"event\":"
                           "\"answered\",\"kind\":\"state\",\"latest_version\":1," MEMO
                           ",\"state\":\"answered\",\"v\":1}"),
                     0);
    assert_int_equal(check("{\"answer_due\":null,\"at\":\"2026-11-20T15:00:00Z\",\"event\":"
                           "\"extended\",\"kind\":\"state\",\"latest_version\":1," MEMO
                           ",\"reason_hash\":\"" H64 "\",\"state\":\"acknowledged\",\"v\":1}"),
                     0);
    /* but not both names in one leaf */
    assert_int_equal(check("{\"answer_commitment\":\"" H64 "\",\"answer_hash\":\"" H64
                           "\",\"at\":\"2026-11-20T15:00:00Z\",\"event\":\"answered\",\"kind\":"
                           "\"state\",\"latest_version\":1," MEMO
                           ",\"state\":\"answered\",\"v\":1}"),
                     -1);
    /* nor neither */
    assert_int_equal(check("{\"at\":\"2026-11-20T15:00:00Z\",\"event\":\"answered\",\"kind\":"
                           "\"state\",\"latest_version\":1," MEMO
                           ",\"state\":\"answered\",\"v\":1}"),
                     -1);

    /* not canonical: spaces, unsorted keys */
    assert_int_equal(check("{\"v\": 1}"), -1);
    assert_int_equal(check("{\"v\":1,\"kind\":\"state\"}"), -1);
    /* not an object, duplicate key, wrong v, unknown kind */
    assert_int_equal(check("[1]"), -1);
    assert_int_equal(check("{\"v\":1,\"v\":1}"), -1);
    assert_int_equal(check("{\"kind\":\"state\",\"v\":2}"), -1);
    const char *unknown = "{\"kind\":\"gossip\",\"v\":1}";
    assert_int_equal(logc_leaf_check(unknown, strlen(unknown), NULL, &e), -1);
    assert_non_null(strstr(e.msg, "unknown kind"));
    /* the kinds of rosters and anonymous signatures */
    assert_int_equal(
        check("{\"action\":\"add\",\"at\":\"2026-11-23T10:00:00Z\",\"kind\":\"roster\","
              "\"organization\":\"state\",\"public_key\":\"" H64 "\",\"size\":1,\"v\":1}"),
        0);
    assert_int_equal(
        check("{\"action\":\"add\",\"at\":\"2026-11-23T10:00:00Z\",\"kind\":\"roster\","
              "" MEMO ",\"organization\":\"state\",\"public_key\":\"" H64 "\",\"size\":1,\"v\":1}"),
        -1); /* a roster leaf is about no memo */
    assert_int_equal(check("{\"action\":\"added\",\"at\":\"2026-11-23\",\"counts\":{},\"kind\":"
                           "\"anonymous-signature\"," MEMO ",\"organization\":\"state\","
                           "\"ring\":1,\"tag\":\"" H64 "\",\"v\":1,\"version\":2}"),
                     0);
    assert_int_equal(check("{\"action\":\"added\",\"at\":\"2026-11-23T10:00:00Z\",\"counts\":{},"
                           "\"kind\":\"anonymous-signature\"," MEMO ",\"organization\":"
                           "\"state\",\"ring\":1,\"tag\":\"" H64 "\",\"v\":1,\"version\":2}"),
                     -1); /* an anonymous leaf with a time of day */
    /* a missing field, a bad value, an unexpected field: each named */
    const char *missing =
        "{\"at\":\"2026-11-20T15:00:00Z\",\"event\":\"circulated\",\"kind\":\"state\"," MEMO
        ",\"state\":\"circulating\",\"v\":1}";
    assert_int_equal(logc_leaf_check(missing, strlen(missing), NULL, &e), -1);
    assert_non_null(strstr(e.msg, "latest_version"));
    const char *badtime = "{\"at\":\"yesterday\",\"event\":\"circulated\",\"kind\":\"state\","
                          "\"latest_version\":1," MEMO ",\"state\":\"circulating\",\"v\":1}";
    assert_int_equal(logc_leaf_check(badtime, strlen(badtime), NULL, &e), -1);
    assert_non_null(strstr(e.msg, "'at'"));
    const char *extra =
        "{\"at\":\"2026-11-20T15:00:00Z\",\"event\":\"circulated\",\"kind\":\"state\","
        "\"latest_version\":1," MEMO ",\"signer\":\"alice\",\"state\":\"circulating\",\"v\":1}";
    assert_int_equal(logc_leaf_check(extra, strlen(extra), NULL, &e), -1);
    assert_non_null(strstr(e.msg, "signer"));
    /* the extra fields of one event are not allowed on another */
    assert_int_equal(check("{\"answer_hash\":\"" H64 "\",\"at\":\"2026-11-20T15:00:00Z\",\"event\":"
                           "\"closed\",\"kind\":\"state\",\"latest_version\":1," MEMO
                           ",\"state\":\"closed\",\"v\":1}"),
                     -1);
    assert_int_equal(
        check("{\"action\":\"steal\",\"at\":\"2026-11-20T15:00:00Z\",\"commitment\":\"" H64
              "\",\"counts\":{},\"kind\":\"signature\"," MEMO ",\"v\":1,\"version\":1}"),
        -1);
}

static void test_state_file(void **state)
{
    (void)state;
    char dir[TT_PATH_MAX], path[TT_PATH_MAX + 64], pins[TT_PATH_MAX + 64],
        key[TLOG_VERIFIER_KEY_MAX];
    struct tlog_signer s;
    struct logc_state a, b;
    struct err e;
    struct stat st;
    int found = 0;
    unsigned char leaf[TLOG_HASH_SIZE];

    tt_mkdtemp(dir, sizeof dir, "dissent-logc");
    snprintf(path, sizeof path, "%s/sub/state.json", dir);
    assert_int_equal(logc_state_load(path, &a, &found, &e), 0);
    assert_int_equal(found, 0);

    assert_int_equal(tlog_signer_generate(&s, "example.org/log", &e), 0);
    memset(&a, 0, sizeof a);
    assert_int_equal(tlog_verifier_format(&s.pub, a.verifier_key, &e), 0);
    snprintf(a.server, sizeof a.server, "http://127.0.0.1:1");
    snprintf(a.checked_at, sizeof a.checked_at, "2026-11-20T15:00:00Z");
    for (int i = 0; i < 13; i++) {
        tlog_hash_leaf(leaf, &i, sizeof i);
        assert_int_equal(logc_range_append(&a.range, leaf, &e), 0);
    }
    a.size = 13;
    logc_range_root(&a.range, a.root);
    assert_int_equal(logc_state_save(path, &a, &e), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(logc_state_load(path, &b, &found, &e), 0);
    assert_int_equal(found, 1);
    assert_int_equal(b.size, 13);
    assert_int_equal(b.range.n, 3);
    assert_memory_equal(b.root, a.root, TLOG_HASH_SIZE);
    assert_memory_equal(b.range.hash, a.range.hash, 3 * TLOG_HASH_SIZE);
    assert_string_equal(b.verifier.name, "example.org/log");

    /* a damaged file: the size no longer matches the frontier */
    b.size = 12;
    assert_int_equal(logc_state_save(path, &b, &e), 0);
    assert_int_equal(logc_state_load(path, &b, &found, &e), -1);
    assert_non_null(strstr(e.msg, "frontier"));
    FILE *f = fopen(path, "w");
    fputs("{\"v\":1}", f);
    fclose(f);
    assert_int_equal(logc_state_load(path, &b, &found, &e), -1);

    /* pins */
    snprintf(pins, sizeof pins, "%s/pins.json", dir);
    assert_int_equal(logc_pin_get(pins, "http://a", key, &found, &e), 0);
    assert_int_equal(found, 0);
    assert_int_equal(logc_pin_set(pins, "http://a", a.verifier_key, &e), 0);
    assert_int_equal(logc_pin_set(pins, "http://b", "other", &e), 0);
    assert_int_equal(logc_pin_get(pins, "http://a", key, &found, &e), 0);
    assert_int_equal(found, 1);
    assert_string_equal(key, a.verifier_key);
    assert_int_equal(stat(pins, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    tlog_signer_wipe(&s);
    assert_int_equal(tt_rm_tree(dir), 0);
}

/* Found by fuzzing (tests/fuzz/client/fuzz_state.c): a state file that exists
 * but is empty or not JSON was loaded as "no state" (0, found 0), so the
 * monitor would start over and pin whatever key the server offers. */
static void test_state_file_unreadable(void **state)
{
    (void)state;
    char dir[TT_PATH_MAX], path[TT_PATH_MAX + 64];
    static const char *const bad[] = {"", "not json", "[1,2]", "{\"v\":1"};
    struct logc_state s;
    struct err e;

    tt_mkdtemp(dir, sizeof dir, "dissent-logc");
    snprintf(path, sizeof path, "%s/state.json", dir);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int found = -1;
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(bad[i], f);
        fclose(f);
        err_init(&e);
        assert_int_equal(logc_state_load(path, &s, &found, &e), -1);
        assert_int_equal(e.code, ERR_INVALID);
    }
    assert_int_equal(tt_rm_tree(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_matches_tree),    cmocka_unit_test(test_range_from_inclusion),
        cmocka_unit_test(test_hash_base64),           cmocka_unit_test(test_keys_and_proofs),
        cmocka_unit_test(test_leaf_shapes),           cmocka_unit_test(test_state_file),
        cmocka_unit_test(test_state_file_unreadable),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
