/* Tests for src/client/ringcheck.c: a memo's rings recomputed from the
 * roster leaves of the log — an honest log passes; a repeated key, a ring 1
 * that is not the roster snapshot, a refresh that adds a non-roster key, a
 * ring or version the log does not record, a roster that cannot be replayed
 * are each named; a re-key (retire leaf, then rekey leaf) leaves the
 * retired key out of later snapshots. ringck_log_verify (the browser's
 * check of the log it downloaded, the same function) accepts the leaves of
 * a checkpoint signed by the pinned key and refuses another key, a missing,
 * reordered or changed leaf, and a leaf_hash that is not its data's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "client/ringcheck.h"
#include "ring/triptych.h"
#include "unit/client/fake_log.h"

#define MEMO  "01jd0000000000000000000000"
#define HASH1 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* A fresh ring key, in hex. */
static void new_key(char hex[65])
{
    uint8_t pk[32], sk[32];
    struct err e;
    err_init(&e);
    assert_int_equal(ring_keypair(pk, sk, &e), 0);
    hex_encode(hex, pk, 32);
}

/* A ring object {organization, ring, roster_size, digest, count, keys}. */
static json_t *ring_obj(const char *org, int no, int roster_size, json_t *keys)
{
    size_t n = json_array_size(keys), i;
    uint8_t(*k)[32] = calloc(n + 1, 32);
    struct ring_keys *ring = NULL;
    char hex[129];
    struct err e;
    err_init(&e);
    assert_non_null(k);
    for (i = 0; i < n; i++)
        assert_int_equal(hex_decode(k[i], 32, json_string_value(json_array_get(keys, i))), 0);
    assert_int_equal(ring_keys_new(&ring, (const uint8_t(*)[32])k, n, &e), 0);
    hex_encode(hex, ring_keys_digest(ring), 64);
    ring_keys_free(ring);
    free(k);
    return json_pack("{s:s,s:i,s:i,s:s,s:I,s:o}", "organization", org, "ring", no, "roster_size",
                     roster_size, "digest", hex, "count", (json_int_t)n, "keys", keys);
}

static json_t *pub_with(json_t *rings)
{
    return json_pack("{s:s,s:[{s:i,s:s}],s:o,s:[]}", "memo", MEMO, "versions", "number", 1, "hash",
                     HASH1, "rings", rings, "signatures");
}

/* Runs the check; returns the problems (new reference) and *sets. */
static json_t *check(const json_t *pub, const json_t *leaves, json_t **sets)
{
    json_t *problems = json_array();
    struct err e;
    err_init(&e);
    assert_int_equal(ringck_check(pub, leaves, problems, sets, &e), 0);
    return problems;
}

static int has(const json_t *problems, const char *needle)
{
    size_t i;
    json_t *p;
    json_array_foreach(problems, i, p) if (strstr(json_string_value(p), needle)) return 1;
    return 0;
}

static void test_honest_and_lies(void **state)
{
    (void)state;
    char k[4][65];
    struct fake_log lg;
    struct tlog_signer s;
    json_t *pub, *problems, *sets, *keys;
    for (int i = 0; i < 4; i++)
        new_key(k[i]);
    pub =
        pub_with(json_pack("[o]", ring_obj("state", 1, 3, json_pack("[s,s,s]", k[0], k[1], k[2]))));
    assert_int_equal(fake_log_build(&lg, pub, &s), 0);

    problems = check(pub, lg.leaves, &sets);
    assert_int_equal(json_array_size(problems), 0);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(sets, 0), "members")), 3);
    assert_true(json_is_true(json_object_get(json_array_get(sets, 0), "checked")));
    json_decref(problems);
    json_decref(sets);

    /* one key five times (the log's ring leaf forged to match) */
    {
        json_t *p2 = pub_with(
            json_pack("[o]", ring_obj("state", 1, 3,
                                      json_pack("[s,s,s,s,s]", k[0], k[0], k[0], k[0], k[0]))));
        problems = check(p2, lg.leaves, &sets);
        assert_true(has(problems, "more than once"));
        assert_true(has(problems, "is not the ring the transparency log records"));
        assert_true(has(problems, "ring 1 of 'state' is not the roster of 'state' at size 3"));
        assert_int_equal(json_integer_value(json_object_get(json_array_get(sets, 0), "members")),
                         1);
        assert_false(json_is_true(json_object_get(json_array_get(sets, 0), "checked")));
        json_decref(problems);
        json_decref(sets);
        json_decref(p2);
    }

    /* a key that is not in the roster, with a log whose ring leaf agrees */
    {
        json_t *p2 = pub_with(
            json_pack("[o]", ring_obj("state", 1, 3, json_pack("[s,s,s]", k[0], k[1], k[3]))));
        struct fake_log l2;
        struct tlog_signer s2;
        assert_int_equal(fake_log_build(&l2, p2, &s2), 0);
        /* the roster leaves are the honest log's */
        json_decref(l2.leaves);
        l2.leaves = json_deep_copy(lg.leaves);
        problems = check(p2, l2.leaves, &sets);
        assert_true(has(problems, "ring 1 of 'state' is not the roster of 'state' at size 3"));
        json_decref(problems);
        json_decref(sets);
        fake_log_release(&l2);
        json_decref(p2);
    }

    /* a version the log does not record */
    json_object_set_new(
        json_array_get(json_object_get(pub, "versions"), 0), "hash",
        json_string("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
    problems = check(pub, lg.leaves, &sets);
    assert_true(has(problems, "version 1 is not the version the transparency log records"));
    json_decref(problems);
    json_decref(sets);

    /* a refresh: ring 2 adds k[3], which the roster gains later */
    json_object_set_new(json_array_get(json_object_get(pub, "versions"), 0), "hash",
                        json_string(HASH1));
    assert_int_equal(fake_log_add(&lg, proto_leaf_roster("state", "add", k[3], 4), "roster", NULL),
                     0);
    keys = json_pack("[s,s,s,s]", k[0], k[1], k[2], k[3]);
    json_array_append_new(json_object_get(pub, "rings"), ring_obj("state", 2, 4, keys));
    {
        json_t *r2 = json_array_get(json_object_get(pub, "rings"), 1);
        assert_int_equal(
            fake_log_add(
                &lg,
                proto_leaf_ring("state", 2, 4, json_string_value(json_object_get(r2, "digest")), 4),
                "ring", MEMO),
            0);
    }
    problems = check(pub, lg.leaves, &sets);
    assert_int_equal(json_array_size(problems), 0);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(sets, 1), "members")), 4);
    json_decref(problems);
    json_decref(sets);

    /* ring 2 claiming a key the roster never had */
    {
        char x[65];
        json_t *r2;
        new_key(x);
        r2 = ring_obj("state", 2, 4, json_pack("[s,s,s,s]", k[0], k[1], k[2], x));
        json_array_set_new(json_object_get(pub, "rings"), 1, r2);
        problems = check(pub, lg.leaves, &sets);
        assert_true(has(problems, "is not an active key of the roster of 'state' at size 4"));
        json_decref(problems);
        json_decref(sets);
    }
    fake_log_release(&lg);
    json_decref(pub);
}

static void test_rekey_and_unreplayable(void **state)
{
    (void)state;
    char k[4][65];
    struct fake_log lg;
    json_t *pub, *problems, *sets;
    for (int i = 0; i < 4; i++)
        new_key(k[i]);
    /* roster: add k0, add k1, add k2 (sizes 1..3), then k1 re-keys to k3:
     * retire k1 (4), rekey k3 (5). Ring 1 at size 5 is k0, k2, k3. */
    pub =
        pub_with(json_pack("[o]", ring_obj("state", 1, 5, json_pack("[s,s,s]", k[0], k[2], k[3]))));
    memset(&lg, 0, sizeof lg);
    lg.leaves = json_array();
    assert_int_equal(fake_log_add(&lg, proto_leaf_roster("state", "add", k[0], 1), "roster", NULL),
                     0);
    assert_int_equal(fake_log_add(&lg, proto_leaf_roster("state", "add", k[1], 2), "roster", NULL),
                     0);
    assert_int_equal(fake_log_add(&lg, proto_leaf_roster("state", "add", k[2], 3), "roster", NULL),
                     0);
    assert_int_equal(
        fake_log_add(&lg, proto_leaf_roster("state", "retire", k[1], 4), "roster", NULL), 0);
    assert_int_equal(
        fake_log_add(&lg, proto_leaf_roster("state", "rekey", k[3], 5), "roster", NULL), 0);
    {
        json_t *r = json_array_get(json_object_get(pub, "rings"), 0);
        assert_int_equal(
            fake_log_add(
                &lg,
                proto_leaf_ring("state", 1, 5, json_string_value(json_object_get(r, "digest")), 3),
                "ring", MEMO),
            0);
        assert_int_equal(fake_log_add(&lg,
                                      json_pack("{s:i,s:s,s:s,s:s,s:s,s:[s]}", "version", 1, "hash",
                                                HASH1, "marking", "SBU", "channel", "dissent",
                                                "digest", HASH1, "paragraphs", HASH1),
                                      "version", MEMO),
                         0);
    }
    problems = check(pub, lg.leaves, &sets);
    assert_int_equal(json_array_size(problems), 0);
    json_decref(problems);
    json_decref(sets);

    /* a v1 re-key (no retire leaf: the size jumps by 2) cannot be replayed */
    json_array_remove(lg.leaves, 3);
    problems = check(pub, lg.leaves, &sets);
    assert_true(has(problems, "jump from size 3 to 5"));
    assert_true(has(problems, "cannot be checked"));
    json_decref(problems);
    json_decref(sets);
    fake_log_release(&lg);
    json_decref(pub);
}

/* The log of a coalition: roster leaves of state (k0, k1) and usaid (k2),
 * coalition ring 1 (k0 k1 k2, roster_size 3), then usaid adds k3 and
 * coalition ring 2 (ring 1 + k3, roster_size 4); the rings' keys as given
 * (ring 2 when keys2 is not NULL), the leaves' sizes as given. */
static void coalition_log(struct fake_log *lg, char k[5][65], json_t *keys1, json_int_t size1,
                          json_t *keys2, json_int_t size2, json_t **pub)
{
    json_t *r1 = ring_obj("_coalition", 1, (int)size1, keys1), *r2 = NULL;
    lg->leaves = json_array();
    assert_int_equal(fake_log_add(lg, proto_leaf_roster("usaid", "add", k[2], 1), "roster", NULL),
                     0);
    assert_int_equal(fake_log_add(lg, proto_leaf_roster("state", "add", k[0], 1), "roster", NULL),
                     0);
    assert_int_equal(fake_log_add(lg, proto_leaf_roster("state", "add", k[1], 2), "roster", NULL),
                     0);
    assert_int_equal(fake_log_add(lg,
                                  proto_leaf_ring("_coalition", 1, size1,
                                                  json_string_value(json_object_get(r1, "digest")),
                                                  (int64_t)json_array_size(keys1)),
                                  "ring", MEMO),
                     0);
    assert_int_equal(fake_log_add(lg, proto_leaf_roster("usaid", "add", k[3], 2), "roster", NULL),
                     0);
    if (keys2) {
        r2 = ring_obj("_coalition", 2, (int)size2, keys2);
        assert_int_equal(
            fake_log_add(lg,
                         proto_leaf_ring("_coalition", 2, size2,
                                         json_string_value(json_object_get(r2, "digest")),
                                         (int64_t)json_array_size(keys2)),
                         "ring", MEMO),
            0);
    }
    assert_int_equal(fake_log_add(lg,
                                  json_pack("{s:i,s:s,s:s,s:s,s:s,s:[s]}", "version", 1, "hash",
                                            HASH1, "marking", "SBU", "channel", "dissent", "digest",
                                            HASH1, "paragraphs", HASH1),
                                  "version", MEMO),
                     0);
    *pub = pub_with(r2 ? json_pack("[o,o]", r1, r2) : json_pack("[o]", r1));
}

/* The coalition ring is every organization's roster as the log stands at
 * its leaf, in slug order; a refresh adds roster keys only. */
static void test_coalition(void **state)
{
    (void)state;
    char k[5][65];
    struct fake_log lg;
    json_t *pub, *problems, *sets;
    for (int i = 0; i < 5; i++)
        new_key(k[i]);

    /* honest: state's keys before usaid's (byte order of slugs, not log
     * order), sizes summed; ring 2 adds usaid's new key */
    memset(&lg, 0, sizeof lg);
    coalition_log(&lg, k, json_pack("[s,s,s]", k[0], k[1], k[2]), 3,
                  json_pack("[s,s,s,s]", k[0], k[1], k[2], k[3]), 4, &pub);
    problems = check(pub, lg.leaves, &sets);
    if (json_array_size(problems))
        fail_msg("%s", json_string_value(json_array_get(problems, 0)));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(sets, 0), "members")), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(sets, 1), "members")), 4);
    json_decref(problems);
    json_decref(sets);
    json_decref(pub);
    json_decref(lg.leaves);

    /* not the rosters' order (the log's ring leaf agrees: a lying server) */
    coalition_log(&lg, k, json_pack("[s,s,s]", k[2], k[0], k[1]), 3, NULL, 0, &pub);
    problems = check(pub, lg.leaves, &sets);
    assert_true(has(problems, "coalition ring 1 is not every organization's roster"));
    json_decref(problems);
    json_decref(sets);
    json_decref(pub);
    json_decref(lg.leaves);

    /* one organization's keys only (a smaller set than it claims to be) */
    coalition_log(&lg, k, json_pack("[s,s]", k[0], k[1]), 2, NULL, 0, &pub);
    problems = check(pub, lg.leaves, &sets);
    assert_true(has(problems, "coalition ring 1 claims roster size 2"));
    assert_true(has(problems, "coalition ring 1 is not every organization's roster"));
    json_decref(problems);
    json_decref(sets);
    json_decref(pub);
    json_decref(lg.leaves);

    /* a refresh that adds a key no roster has */
    coalition_log(&lg, k, json_pack("[s,s,s]", k[0], k[1], k[2]), 3,
                  json_pack("[s,s,s,s]", k[0], k[1], k[2], k[4]), 4, &pub);
    problems = check(pub, lg.leaves, &sets);
    assert_true(has(problems, "coalition ring 2 adds key"));
    assert_false(json_is_true(json_object_get(json_array_get(sets, 1), "checked")));
    assert_true(json_is_true(json_object_get(json_array_get(sets, 0), "checked")));
    json_decref(problems);
    json_decref(sets);
    json_decref(pub);
    json_decref(lg.leaves);
}

/* Opens the checkpoint of l against key and checks leaves; returns the
 * error code (ERR_OK on success). */
static int log_verify(const struct fake_log *l, const char *key, const json_t *leaves)
{
    struct tlog_verifier v;
    struct tlog_checkpoint cp;
    json_t *o = json_loads(l->checkpoint_json, 0, NULL);
    const char *note = json_string_value(json_object_get(o, "note"));
    struct err e;
    int rc;
    err_init(&e);
    assert_non_null(note);
    assert_int_equal(tlog_verifier_parse(&v, key, strlen(key), &e), 0);
    rc = ringck_log_verify(&v, note, strlen(note), leaves, &cp, &e);
    if (rc == 0)
        assert_int_equal(cp.size, json_array_size(leaves));
    else
        assert_true(e.msg[0] != '\0');
    json_decref(o);
    return rc ? (int)e.code : ERR_OK;
}

static void test_log_verify(void **state)
{
    char k[3][65];
    struct fake_log lg, other;
    struct tlog_signer s, s2;
    json_t *pub, *copy;
    (void)state;
    for (int i = 0; i < 3; i++)
        new_key(k[i]);
    pub =
        pub_with(json_pack("[o]", ring_obj("state", 1, 3, json_pack("[s,s,s]", k[0], k[1], k[2]))));
    assert_int_equal(fake_log_build(&lg, pub, &s), 0);
    assert_int_equal(fake_log_build(&other, pub, &s2), 0);
    assert_int_equal(log_verify(&lg, lg.verifier_key, lg.leaves), ERR_OK);
    /* a checkpoint signed by another key than the pinned one */
    assert_int_equal(log_verify(&lg, other.verifier_key, lg.leaves), ERR_CRYPTO);
    /* a leaf left out (the last roster change hidden) */
    copy = json_deep_copy(lg.leaves);
    assert_int_equal(json_array_remove(copy, json_array_size(copy) - 1), 0);
    assert_int_equal(log_verify(&lg, lg.verifier_key, copy), ERR_CRYPTO);
    json_decref(copy);
    /* two leaves swapped, indices kept in order */
    copy = json_deep_copy(lg.leaves);
    {
        json_t *a = json_object_get(json_array_get(copy, 0), "data");
        json_t *b = json_object_get(json_array_get(copy, 1), "data");
        json_t *ta = json_incref(a), *tb = json_incref(b);
        json_object_set_new(json_array_get(copy, 0), "data", tb);
        json_object_set_new(json_array_get(copy, 1), "data", ta);
        json_object_del(json_array_get(copy, 0), "leaf_hash");
        json_object_del(json_array_get(copy, 1), "leaf_hash");
    }
    assert_int_equal(log_verify(&lg, lg.verifier_key, copy), ERR_CRYPTO);
    json_decref(copy);
    /* a leaf_hash that is not its data's */
    copy = json_deep_copy(lg.leaves);
    json_object_set(json_array_get(copy, 0), "leaf_hash",
                    json_object_get(json_array_get(copy, 1), "leaf_hash"));
    assert_int_equal(log_verify(&lg, lg.verifier_key, copy), ERR_CRYPTO);
    json_decref(copy);
    /* an index out of order */
    copy = json_deep_copy(lg.leaves);
    json_object_set_new(json_array_get(copy, 1), "index", json_integer(7));
    assert_int_equal(log_verify(&lg, lg.verifier_key, copy), ERR_CRYPTO);
    json_decref(copy);
    fake_log_release(&lg);
    fake_log_release(&other);
    tlog_signer_wipe(&s);
    tlog_signer_wipe(&s2);
    json_decref(pub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_honest_and_lies),
        cmocka_unit_test(test_rekey_and_unreplayable),
        cmocka_unit_test(test_coalition),
        cmocka_unit_test(test_log_verify),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
