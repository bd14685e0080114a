/* Tests for src/tlog/policy.c: k of n cosignatures, the oldest time, and
 * messages naming the missing witness and its key id. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
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

/* five witnesses w0..w4 with keys for the policy-file tests */
static struct tlog_signer W[5];
static char HEX[5][2 * TLOG_PUBLIC_KEY_SIZE + 1];
static char VKEY[5][TLOG_VERIFIER_KEY_MAX];

static void make_witnesses(void)
{
    struct err e;
    err_init(&e);
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "witness.example/w%d", i);
        assert_int_equal(tlog_cosigner_generate(&W[i], name, &e), 0);
        hex_encode(HEX[i], W[i].pub.pk, TLOG_PUBLIC_KEY_SIZE);
        assert_int_equal(tlog_cosigner_key_format(&W[i].pub, VKEY[i], &e), 0);
    }
}

static int parse(struct tlog_policy *p, const char *text, struct err *e)
{
    err_init(e);
    return tlog_policy_parse(p, text, strlen(text), e);
}

/* a note of TEXT cosigned at time 100 by the witnesses in mask (bit i = w_i) */
static void cosigned(unsigned mask, struct buf *note, struct tlog_note *n)
{
    struct tlog_signer log;
    struct err e;
    err_init(&e);
    buf_reset(note);
    assert_int_equal(tlog_signer_generate(&log, "example.org/log", &e), 0);
    assert_int_equal(tlog_note_sign(TEXT, strlen(TEXT), &log, note, &e), 0);
    for (int i = 0; i < 5; i++)
        if (mask & (1u << i))
            assert_int_equal(tlog_cosign(TEXT, strlen(TEXT), 100, &W[i], note, &e), 0);
    assert_int_equal(tlog_note_parse(n, note->data, note->len, &e), 0);
    tlog_signer_wipe(&log);
}

static void expect_error(const char *text, const char *needle)
{
    struct tlog_policy p;
    struct err e;
    if (parse(&p, text, &e) != -1 || !strstr(e.msg, needle))
        fail_msg("policy\n%s\nexpected an error with \"%s\", got \"%s\"", text, needle, e.msg);
}

static void test_parse_c2sp(void **state)
{
    (void)state;
    struct tlog_policy p;
    struct err e;
    char text[4096];
    make_witnesses();
    snprintf(text, sizeof text,
             "# two levels, per C2SP tlog-policy\n"
             "log %s https://log.example/\n"
             "witness A1 %s https://a1.example/\n"
             "witness A2 %s\n"
             "\twitness  A3   %s  \n"
             "group A 2 A1 A2 A3\n"
             "witness B1 %s\n"
             "witness B2 %s\n"
             "group B any B1 B2\n"
             "group AB all A B\n"
             "quorum AB\n"
             "max-age 3600\n",
             HEX[0], HEX[0], VKEY[1], HEX[2], HEX[3], HEX[4]);
    assert_int_equal(parse(&p, text, &e), 0);
    assert_int_equal(p.n, 5);
    assert_int_equal(p.nlogs, 1);
    assert_int_equal(p.ngroups, 3);
    assert_int_equal(p.tree, 1);
    assert_int_equal(p.quorum, -3);
    assert_int_equal(p.g[0].k, 2);
    assert_int_equal(p.g[1].k, 1);
    assert_int_equal(p.g[2].k, 2);
    assert_int_equal(p.max_age, 3600);
    assert_string_equal(p.wname[1], "A2");
    assert_int_equal(p.hexkey[0], 1);
    assert_int_equal(p.hexkey[1], 0); /* a vkey: the name is the vkey's */
    assert_string_equal(p.w[1].name, "witness.example/w1");
    assert_memory_equal(p.w[3].pk, W[3].pub.pk, TLOG_PUBLIC_KEY_SIZE);

    /* quorum none: nothing needed */
    snprintf(text, sizeof text, "witness A %s\nquorum none\n", HEX[0]);
    assert_int_equal(parse(&p, text, &e), 0);
    assert_int_equal(p.tree, 0);
    assert_int_equal(p.k, 0);
    /* a quorum naming one witness */
    snprintf(text, sizeof text, "witness A %s\nwitness B %s\nquorum B\n", HEX[0], HEX[1]);
    assert_int_equal(parse(&p, text, &e), 0);
    assert_int_equal(p.tree, 1);
    assert_int_equal(p.quorum, 1);
}

static void test_parse_old_form(void **state)
{
    (void)state;
    struct tlog_policy p;
    struct err e;
    char text[2048];
    make_witnesses();
    snprintf(text, sizeof text, "# old\nwitness %s\nwitness %s\nquorum 1\nmax-age 60\n", VKEY[0],
             VKEY[1]);
    assert_int_equal(parse(&p, text, &e), 0);
    assert_int_equal(p.tree, 0);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.k, 1);
    assert_int_equal(p.max_age, 60);
    assert_string_equal(p.wname[0], "witness.example/w0");
    /* no quorum line: every witness */
    snprintf(text, sizeof text, "witness %s\nwitness %s\n", VKEY[0], VKEY[1]);
    assert_int_equal(parse(&p, text, &e), 0);
    assert_int_equal(p.k, 2);
    /* an empty policy: no witness, nothing needed */
    assert_int_equal(parse(&p, "# nothing\n\n", &e), 0);
    assert_int_equal(p.n, 0);
    assert_int_equal(p.k, 0);
}

static void test_parse_errors(void **state)
{
    (void)state;
    char text[8192];
    make_witnesses();
    expect_error("frobnicate x\n", "line 1: ");
    snprintf(text, sizeof text, "witness A %s\nwitness B %.63s\n", HEX[0], HEX[1]);
    expect_error(text, "line 2: ");
    snprintf(text, sizeof text, "witness A %s\nwitness B zz%.62s\n", HEX[0], HEX[1]);
    expect_error(text, "line 2: ");
    snprintf(text, sizeof text, "witness A %s\nwitness A %s\n", HEX[0], HEX[1]);
    expect_error(text, "line 2: the name A is defined twice");
    snprintf(text, sizeof text, "witness A %s\nwitness B %s\n", HEX[0], HEX[0]);
    expect_error(text, "line 2: the key of witness B is given twice");
    snprintf(text, sizeof text, "witness none %s\n", HEX[0]);
    expect_error(text, "line 1: ");
    snprintf(text, sizeof text, "witness A %s\ngroup G 1 A B\n", HEX[0]);
    expect_error(text, "line 2: B is not defined");
    snprintf(text, sizeof text, "witness A %s\nquorum G\ngroup G 1 A\n", HEX[0]);
    expect_error(text, "line 2: G is not defined");
    snprintf(text, sizeof text, "witness A %s\nwitness B %s\ngroup G 3 A B\n", HEX[0], HEX[1]);
    expect_error(text, "line 3: ");
    snprintf(text, sizeof text, "witness A %s\ngroup G 0 A\n", HEX[0]);
    expect_error(text, "line 2: ");
    snprintf(text, sizeof text, "witness A %s\ngroup G any A A\n", HEX[0]);
    expect_error(text, "line 2: A is a member twice");
    snprintf(text, sizeof text, "witness A %s\ngroup G any\n", HEX[0]);
    expect_error(text, "line 2: ");
    snprintf(text, sizeof text, "witness A %s\nquorum A\nquorum none\n", HEX[0]);
    expect_error(text, "line 3: a second quorum");
    snprintf(text, sizeof text, "witness A %s\nquorum A B\n", HEX[0]);
    expect_error(text, "line 2: ");
    snprintf(text, sizeof text, "witness A %s ftp://x/\n", HEX[0]);
    expect_error(text, "line 1: ");
    snprintf(text, sizeof text, "log %s\nlog\n", HEX[0]);
    expect_error(text, "line 2: ");
    expect_error("max-age -3\n", "line 1: ");
    snprintf(text, sizeof text, "witness %s\nquorum 2\n", VKEY[0]);
    expect_error(text, "line 2: ");
    expect_error("quorum 1\n", "line 1: ");
    /* a NUL byte */
    {
        struct tlog_policy p;
        struct err e;
        err_init(&e);
        assert_int_equal(tlog_policy_parse(&p, "quorum none\n\0x\n", 14, &e), -1);
        assert_non_null(strstr(e.msg, "line 2: "));
    }
    /* limits: a line too long, too many witnesses, members, a file too large */
    {
        struct tlog_policy p;
        struct err e;
        size_t n = 0;
        char *big = malloc(TLOG_POLICY_FILE_MAX + 2);
        assert_non_null(big);
        memset(big, '#', TLOG_POLICY_LINE_MAX + 1);
        big[TLOG_POLICY_LINE_MAX + 1] = '\n';
        big[TLOG_POLICY_LINE_MAX + 2] = '\0';
        expect_error(big, "line 1: longer than");
        memset(big, '\n', TLOG_POLICY_FILE_MAX + 1);
        err_init(&e);
        assert_int_equal(tlog_policy_parse(&p, big, TLOG_POLICY_FILE_MAX + 1, &e), -1);
        assert_non_null(strstr(e.msg, "larger than"));
        for (int i = 0; i <= TLOG_POLICY_WITNESSES_MAX; i++) {
            unsigned char k[TLOG_PUBLIC_KEY_SIZE];
            char hex[2 * sizeof k + 1];
            memset(k, i + 1, sizeof k);
            hex_encode(hex, k, sizeof k);
            n += (size_t)snprintf(big + n, TLOG_POLICY_FILE_MAX - n, "witness W%d %s\n", i, hex);
        }
        expect_error(big, "line 17: ");
        n = (size_t)snprintf(big, TLOG_POLICY_FILE_MAX, "witness A %s\n", HEX[0]);
        for (int i = 0; i <= TLOG_POLICY_GROUPS_MAX; i++)
            n += (size_t)snprintf(big + n, TLOG_POLICY_FILE_MAX - n, "group G%d any A\n", i);
        expect_error(big, "line 18: ");
        n = (size_t)snprintf(big, TLOG_POLICY_FILE_MAX, "witness A %s\ngroup G any", HEX[0]);
        for (int i = 0; i <= TLOG_POLICY_MEMBERS_MAX; i++)
            n += (size_t)snprintf(big + n, TLOG_POLICY_FILE_MAX - n, " A");
        expect_error(big, "line 2: ");
        memcpy(big, "witness ", 8);
        memset(big + 8, 'x', TLOG_POLICY_NAME_MAX + 1);
        snprintf(big + 8 + TLOG_POLICY_NAME_MAX + 1, 200, " %s\n", HEX[0]);
        expect_error(big, "line 1: a name has 1 to");
        memmove(big + 8, big + 9, strlen(big + 9) + 1); /* 64 characters: accepted */
        assert_int_equal(parse(&p, big, &e), 0);
        free(big);
    }
}

/* nested groups: (2 of A1 A2 A3) and (any of B1 B2), witnesses w0..w4 */
static void test_quorum_nested(void **state)
{
    (void)state;
    struct tlog_policy p;
    struct tlog_note n;
    struct buf note;
    struct err e;
    char text[4096];
    size_t count;
    make_witnesses();
    buf_init(&note, TLOG_NOTE_MAX);
    snprintf(text, sizeof text,
             "witness A1 %s\nwitness A2 %s\nwitness A3 %s\ngroup A 2 A1 A2 A3\n"
             "witness B1 %s\nwitness B2 %s\ngroup B any B1 B2\n"
             "group AB all A B\nquorum AB\n",
             HEX[0], VKEY[1], HEX[2], HEX[3], HEX[4]);
    assert_int_equal(parse(&p, text, &e), 0);
    /* met: two of A (one by hex key, its name from the note), one of B */
    cosigned(0x1 | 0x4 | 0x10, &note, &n);
    assert_int_equal(tlog_policy_check(&p, &n, &count, NULL, &e), 0);
    assert_int_equal(count, 3);
    cosigned(0x2 | 0x4 | 0x8, &note, &n);
    assert_int_equal(tlog_policy_check(&p, &n, &count, NULL, &e), 0);
    /* three cosignatures, all in A: B is not met */
    cosigned(0x7, &note, &n);
    assert_int_equal(tlog_policy_check(&p, &n, &count, NULL, &e), -1);
    assert_int_equal(count, 3);
    assert_non_null(strstr(e.msg, "quorum AB"));
    assert_non_null(strstr(e.msg, "group B has 0 of the 1"));
    /* one of A and both of B: A is not met */
    cosigned(0x1 | 0x18, &note, &n);
    assert_int_equal(tlog_policy_check(&p, &n, &count, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "group A has 1 of the 2"));
    /* every witness */
    cosigned(0x1f, &note, &n);
    assert_int_equal(tlog_policy_check(&p, &n, &count, NULL, &e), 0);
    assert_int_equal(count, 5);
    /* frozen: the same cosignatures, too old for max-age */
    p.max_age = 10;
    assert_int_equal(tlog_policy_check_at(&p, &n, 200, &count, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "frozen"));
    assert_int_equal(tlog_policy_check_at(&p, &n, 105, &count, NULL, &e), 0);

    /* a hex key cosigning under another name still counts (the key id is
     * derived from the line's name); a line with a wrong key id does not */
    {
        struct tlog_signer other;
        assert_int_equal(tlog_cosigner_generate(&other, "other.example/w", &e), 0);
        memcpy(other.sk, W[0].sk, sizeof other.sk);
        memcpy(other.pub.pk, W[0].pub.pk, sizeof other.pub.pk);
        tlog_key_id_alg(other.pub.name, TLOG_ALG_COSIGNATURE_V1, other.pub.pk, other.pub.key_id);
        snprintf(text, sizeof text, "witness A %s\nquorum A\n", HEX[0]);
        assert_int_equal(parse(&p, text, &e), 0);
        cosigned(0, &note, &n);
        assert_int_equal(tlog_cosign(TEXT, strlen(TEXT), 100, &other, &note, &e), 0);
        assert_int_equal(tlog_note_parse(&n, note.data, note.len, &e), 0);
        assert_int_equal(tlog_policy_check(&p, &n, &count, NULL, &e), 0);
        /* by another key: refused */
        cosigned(0x2, &note, &n);
        assert_int_equal(tlog_policy_check(&p, &n, &count, NULL, &e), -1);
        assert_int_equal(count, 0);
        tlog_signer_wipe(&other);
    }
    /* k of n and all */
    snprintf(text, sizeof text,
             "witness A %s\nwitness B %s\nwitness C %s\ngroup G all A B C\nquorum G\n", HEX[0],
             HEX[1], HEX[2]);
    assert_int_equal(parse(&p, text, &e), 0);
    cosigned(0x3, &note, &n);
    assert_int_equal(tlog_policy_check(&p, &n, &count, NULL, &e), -1);
    cosigned(0x7, &note, &n);
    assert_int_equal(tlog_policy_check(&p, &n, &count, NULL, &e), 0);
    /* none: a note with no cosignature passes */
    snprintf(text, sizeof text, "witness A %s\nquorum none\n", HEX[0]);
    assert_int_equal(parse(&p, text, &e), 0);
    cosigned(0, &note, &n);
    assert_int_equal(tlog_policy_check(&p, &n, &count, NULL, &e), 0);
    assert_int_equal(count, 0);
    buf_release(&note);
    for (int i = 0; i < 5; i++)
        tlog_signer_wipe(&W[i]);
}

/* log lines: the note must be signed by one of the logs listed */
static void test_log_lines(void **state)
{
    (void)state;
    struct tlog_signer log, other;
    struct tlog_policy p;
    struct tlog_note n;
    struct buf note;
    struct err e;
    char text[1024], hex[2 * TLOG_PUBLIC_KEY_SIZE + 1], ohex[sizeof hex],
        vkey[TLOG_VERIFIER_KEY_MAX];
    err_init(&e);
    buf_init(&note, TLOG_NOTE_MAX);
    assert_int_equal(tlog_signer_generate(&log, "example.org/log", &e), 0);
    assert_int_equal(tlog_signer_generate(&other, "example.org/log", &e), 0);
    hex_encode(hex, log.pub.pk, TLOG_PUBLIC_KEY_SIZE);
    hex_encode(ohex, other.pub.pk, TLOG_PUBLIC_KEY_SIZE);
    assert_int_equal(tlog_verifier_format(&log.pub, vkey, &e), 0);
    assert_int_equal(tlog_note_sign(TEXT, strlen(TEXT), &log, &note, &e), 0);
    assert_int_equal(tlog_note_parse(&n, note.data, note.len, &e), 0);

    assert_int_equal(parse(&p, "quorum none\n", &e), 0);
    assert_int_equal(tlog_policy_check_log(&p, &n, &e), 0); /* no log line: not checked */
    snprintf(text, sizeof text, "log %s\nlog %s https://log.example/\nquorum none\n", ohex, hex);
    assert_int_equal(parse(&p, text, &e), 0);
    assert_int_equal(tlog_policy_check_log(&p, &n, &e), 0);
    snprintf(text, sizeof text, "log %s\nquorum none\n", vkey);
    assert_int_equal(parse(&p, text, &e), 0);
    assert_int_equal(tlog_policy_check_log(&p, &n, &e), 0);
    snprintf(text, sizeof text, "log %s\nquorum none\n", ohex);
    assert_int_equal(parse(&p, text, &e), 0);
    assert_int_equal(tlog_policy_check_log(&p, &n, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    assert_non_null(strstr(e.msg, "none of the 1 log"));
    tlog_signer_wipe(&log);
    tlog_signer_wipe(&other);
    buf_release(&note);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_k_of_n),         cmocka_unit_test(test_parse_c2sp),
        cmocka_unit_test(test_parse_old_form), cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_quorum_nested),  cmocka_unit_test(test_log_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
