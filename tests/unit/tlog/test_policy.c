/* Tests for src/tlog/policy.c: k of n cosignatures, the oldest time, and
 * messages naming the missing witness and its key id. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "tlog/cosignature.h"
#include "tlog/policy.h"

static const char TEXT[] = "example.org/log\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

static void test_k_of_n(void **state)
{
    (void)state;
    struct tlog_signer log, w[3];
    struct tlog_policy p;
    struct tlog_note n;
    struct buf note;
    struct err e;
    size_t count = 9;
    uint64_t oldest = 0;
    char hex[9];
    err_init(&e);
    buf_init(&note, TLOG_NOTE_MAX);
    assert_int_equal(tlog_signer_generate(&log, "example.org/log", &e), 0);
    tlog_policy_init(&p);
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "witness.example/w%d", i);
        assert_int_equal(tlog_cosigner_generate(&w[i], name, &e), 0);
        assert_int_equal(tlog_policy_add(&p, &w[i].pub, &e), 0);
    }
    assert_int_equal(tlog_policy_add(&p, &w[1].pub, &e), -1);
    assert_int_equal(tlog_policy_set_k(&p, 0, &e), -1);
    assert_int_equal(tlog_policy_set_k(&p, 4, &e), -1);
    assert_int_equal(tlog_policy_set_k(&p, 2, &e), 0);

    /* one cosignature: refused, naming a missing witness and its key id */
    assert_int_equal(tlog_note_sign(TEXT, strlen(TEXT), &log, &note, &e), 0);
    assert_int_equal(tlog_cosign(TEXT, strlen(TEXT), 200, &w[0], &note, &e), 0);
    assert_int_equal(tlog_note_parse(&n, note.data, note.len, &e), 0);
    assert_int_equal(tlog_policy_check(&p, &n, &count, &oldest, &e), -1);
    assert_int_equal(count, 1);
    assert_non_null(strstr(e.msg, "1 of the 2"));
    hex_encode(hex, w[1].pub.key_id, 4);
    assert_non_null(strstr(e.msg, hex));

    /* two: accepted, oldest time reported */
    assert_int_equal(tlog_cosign(TEXT, strlen(TEXT), 100, &w[2], &note, &e), 0);
    assert_int_equal(tlog_note_parse(&n, note.data, note.len, &e), 0);
    assert_int_equal(tlog_policy_check(&p, &n, &count, &oldest, &e), 0);
    assert_int_equal(count, 2);
    assert_int_equal(oldest, 100);

    /* with a maximum age, old cosignatures do not count: a frozen view */
    p.max_age = 50;
    assert_int_equal(tlog_policy_check_at(&p, &n, 140, &count, NULL, &e), 0);
    assert_int_equal(tlog_policy_check_at(&p, &n, 151, &count, NULL, &e), -1);
    assert_int_equal(count, 1);
    assert_non_null(strstr(e.msg, "frozen"));
    assert_non_null(strstr(e.msg, "51 seconds old"));
    /* far in the future does not count either */
    assert_int_equal(tlog_policy_check_at(&p, &n, 0, &count, NULL, &e), 0);
    p.max_age = 1;
    assert_int_equal(tlog_policy_check_at(&p, &n, 0, &count, NULL, &e), 0); /* within the skew */
    /* tlog_policy_check ignores the age */
    p.max_age = 50;
    assert_int_equal(tlog_policy_check(&p, &n, &count, NULL, &e), 0);
    p.max_age = 0;

    /* a bad cosignature by one witness does not count */
    {
        struct buf bad;
        buf_init(&bad, TLOG_NOTE_MAX);
        assert_int_equal(tlog_note_sign(TEXT, strlen(TEXT), &log, &bad, &e), 0);
        assert_int_equal(tlog_cosign(TEXT, strlen(TEXT), 100, &w[0], &bad, &e), 0);
        assert_int_equal(
            tlog_cosign("example.org/log\n4\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
                        strlen(TEXT), 100, &w[1], &bad, &e),
            0);
        assert_int_equal(tlog_note_parse(&n, bad.data, bad.len, &e), 0);
        assert_int_equal(tlog_policy_check(&p, &n, &count, NULL, &e), -1);
        assert_int_equal(count, 1);
        buf_release(&bad);
    }
    tlog_signer_wipe(&log);
    for (int i = 0; i < 3; i++)
        tlog_signer_wipe(&w[i]);
    buf_release(&note);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_k_of_n),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
