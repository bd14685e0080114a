/* Tests for src/client/receipts.c: receipts kept from a reply, the next
 * sequence number from pending ones, and the check against a log: kept
 * when the leaf is there, pending before publish_by (+ grace), BROKEN after
 * it, invalid when the signature does not verify; the file round-trips. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/receipts.h"
#include "proto/receipt.h"
#include "unit/test_tmp.h"

#define DUE 1772449200 /* 2026-03-02T11:00:00Z */

static unsigned char pk[32], sk[64];

/* A reply of the anonymous endpoint with one signed receipt of tag. */
static json_t *reply(const char *tag, int seq)
{
    char sig[PROTO_RECEIPT_SIG_B64];
    struct err e;
    json_t *r =
        json_pack("{s:i,s:s,s:s,s:s,s:s,s:i,s:s,s:i,s:s,s:i,s:s}", "v", 2, "kind", "receipt",
                  "origin", "o", "memo", "m1", "tag", tag, "seq", seq, "action", "added", "version",
                  1, "organization", "state", "ring", 1, "publish_by", "2026-03-02T11:00:00Z");
    err_init(&e);
    assert_int_equal(proto_receipt_sign(r, sk, sig, &e), 0);
    return json_pack("{s:[{s:s,s:{s:o,s:s}}]}", "results", "tag", tag, "receipt", "receipt", r,
                     "signature", sig);
}

/* A log with the leaf of tag's action. */
static json_t *log_with(const char *tag)
{
    char data[512];
    snprintf(data, sizeof data,
             "{\"action\":\"added\",\"at\":\"2026-03-02\",\"counts\":{},\"kind\":"
             "\"anonymous-signature\",\"memo\":\"m1\",\"organization\":\"state\",\"ring\":1,"
             "\"tag\":\"%s\",\"v\":1,\"version\":1}",
             tag);
    return json_pack("[{s:i,s:s}]", "index", 0, "data", data);
}

static void test_keep_and_check(void **state)
{
    (void)state;
    struct err e;
    size_t missing = 9;
    json_t *arr = json_array(), *rep, *log, *none = json_array(), *back = NULL;
    struct receipts_tally t;
    FILE *devnull = fopen("/dev/null", "w");
    char path[TT_PATH_MAX], file[TT_PATH_MAX + 32];

    err_init(&e);
    crypto_sign_keypair(pk, sk);
    rep = reply("aa", 0);
    assert_int_equal(receipts_add(arr, "http://s", rep, &missing, &e), 0);
    assert_int_equal(missing, 0);
    json_decref(rep);
    rep = reply("bb", 2);
    assert_int_equal(receipts_add(arr, "http://s", rep, &missing, &e), 0);
    json_decref(rep);
    assert_int_equal(receipts_next_seq(arr, "http://s", "m1", "bb"), 3);
    assert_int_equal(receipts_next_seq(arr, "http://other", "m1", "bb"), -1);
    assert_int_equal(receipts_next_seq(arr, "http://s", "m1", "cc"), -1);
    assert_int_equal(json_integer_value(json_object_get(
                         receipts_latest_pending(arr, "http://s", "m1", "bb"), "seq")),
                     2);
    assert_null(receipts_latest_pending(arr, "http://s", "m1", "cc"));

    /* before the promised time: both pending */
    receipts_check(arr, "http://s", NULL, none, pk, DUE - 10, devnull, &t);
    assert_int_equal(t.total, 2);
    assert_int_equal(t.pending, 2);
    /* after it, aa's leaf is in the log, bb's is not: kept and BROKEN */
    log = log_with("aa");
    receipts_check(arr, "http://s", NULL, log, pk, DUE + RECEIPTS_GRACE_S + 1, devnull, &t);
    assert_int_equal(t.kept, 1);
    assert_int_equal(t.broken, 1);
    /* kept stays kept (its state is saved); within the grace bb is pending */
    receipts_check(arr, "http://s", NULL, none, pk, DUE + RECEIPTS_GRACE_S, devnull, &t);
    assert_int_equal(t.kept, 1);
    assert_int_equal(t.pending, 1);
    /* another key: neither verifies */
    {
        unsigned char pk2[32], sk2[64];
        crypto_sign_keypair(pk2, sk2);
        receipts_check(arr, "http://s", NULL, log, pk2, DUE, devnull, &t);
        assert_int_equal(t.invalid, 2);
    }
    /* only one memo */
    receipts_check(arr, "http://s", "m2", log, pk, DUE, devnull, &t);
    assert_int_equal(t.total, 0);

    /* the file round-trips, mode 0600 */
    tt_mkdtemp(path, sizeof path, "dissent-receipts");
    snprintf(file, sizeof file, "%s/r.json", path);
    assert_int_equal(receipts_load(file, &back, &e), 0);
    assert_int_equal(json_array_size(back), 0);
    json_decref(back);
    assert_int_equal(receipts_save(file, arr, &e), 0);
    assert_int_equal(receipts_load(file, &back, &e), 0);
    assert_true(json_equal(back, arr));
    json_decref(back);
    assert_int_equal(tt_rm_tree(path), 0);

    /* a reply without a receipt is counted as missing */
    rep = json_pack("{s:[{s:s}]}", "results", "tag", "cc");
    assert_int_equal(receipts_add(arr, "http://s", rep, &missing, &e), 0);
    assert_int_equal(missing, 1);
    json_decref(rep);
    fclose(devnull);
    json_decref(log);
    json_decref(none);
    json_decref(arr);
}

/* A repeated action (the same tag re-signing the same version: the same
 * leaf text) is kept only by a leaf of its own: the tag's leaf for sequence
 * number s is at least its (s+1)-th, so an earlier identical leaf does not
 * count for a later receipt (a server could otherwise accept the re-sign,
 * never publish it, and pass the check). */
static void test_repeated_action(void **state)
{
    (void)state;
    struct err e;
    size_t missing = 0;
    json_t *arr = json_array(), *rep, *one = log_with("aa"), *two = log_with("aa"), *l;
    struct receipts_tally t;
    FILE *devnull = fopen("/dev/null", "w");

    err_init(&e);
    crypto_sign_keypair(pk, sk);
    rep = reply("aa", 1); /* aa's second action, the same leaf text as its first */
    assert_int_equal(receipts_add(arr, "http://s", rep, &missing, &e), 0);
    json_decref(rep);
    /* only the first action's leaf: not kept, broken once due */
    receipts_check(arr, "http://s", NULL, one, pk, DUE - 10, devnull, &t);
    assert_int_equal(t.kept, 0);
    assert_int_equal(t.pending, 1);
    receipts_check(arr, "http://s", NULL, one, pk, DUE + RECEIPTS_GRACE_S + 1, devnull, &t);
    assert_int_equal(t.broken, 1);
    /* its own leaf too: kept */
    l = json_deep_copy(json_array_get(one, 0));
    json_object_set_new(l, "index", json_integer(1));
    json_array_append_new(two, l);
    receipts_check(arr, "http://s", NULL, two, pk, DUE + RECEIPTS_GRACE_S + 1, devnull, &t);
    assert_int_equal(t.kept, 1);
    assert_int_equal(t.broken, 0);
    fclose(devnull);
    json_decref(one);
    json_decref(two);
    json_decref(arr);
}

static void test_path(void **state)
{
    (void)state;
    char p[256];
    struct err e;
    err_init(&e);
    setenv("DISSENT_RECEIPTS", "/x/own.json", 1);
    assert_int_equal(receipts_path(p, sizeof p, &e), 0);
    assert_string_equal(p, "/x/own.json");
    unsetenv("DISSENT_RECEIPTS");
    setenv("DISSENT_CONFIG", "/x/session-bob.json", 1);
    assert_int_equal(receipts_path(p, sizeof p, &e), 0);
    assert_string_equal(p, "/x/session-bob.json.receipts.json");
    unsetenv("DISSENT_CONFIG");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keep_and_check),
        cmocka_unit_test(test_repeated_action),
        cmocka_unit_test(test_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
