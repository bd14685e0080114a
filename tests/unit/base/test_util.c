/* Tests for src/base: buffers, pools, parsing, UTF-8 and time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/buf.h"
#include "base/pool.h"
#include "base/util.h"

static void test_buf_limit(void **state)
{
    (void)state;
    struct buf b;
    struct err e;
    err_init(&e);
    buf_init(&b, 8);
    assert_int_equal(buf_puts(&b, "abcd", &e), 0);
    assert_int_equal(buf_printf(&b, &e, "%d", 1234), 0);
    assert_string_equal(buf_str(&b), "abcd1234");
    assert_int_equal(buf_puts(&b, "x", &e), -1);
    assert_int_equal(e.code, ERR_TOO_LARGE);
    assert_int_equal(b.len, 8); /* nothing partial appended */
    buf_release(&b);
}

static void test_pool(void **state)
{
    (void)state;
    struct pool p;
    pool_init(&p, 100000);
    char *s = pool_printf(&p, "%s-%d", "x", 42);
    assert_string_equal(s, "x-42");
    assert_non_null(pool_alloc(&p, 20000));
    assert_null(pool_alloc(&p, 200000));
    pool_release(&p);
}

static void test_parse_i64(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(parse_i64("42", 0, 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(parse_i64("-5", -10, 10, &v), 0);
    assert_int_equal(v, -5);
    assert_int_equal(parse_i64("101", 0, 100, &v), -1);
    assert_int_equal(parse_i64("4x", 0, 100, &v), -1);
    assert_int_equal(parse_i64("", 0, 100, &v), -1);
    assert_int_equal(parse_i64(" 4", 0, 100, &v), -1);
    assert_int_equal(parse_i64("99999999999999999999", 0, INT64_MAX, &v), -1);
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(utf8_valid("héllo", strlen("héllo")));
    assert_false(utf8_valid("\xc3\x28", 2));
    assert_false(utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
    assert_false(utf8_valid("\xc0\xaf", 2));     /* overlong */
    assert_false(utf8_valid("a\0b", 3));
    assert_int_equal(utf8_len("héllo", strlen("héllo")), 5);
}

/* The one test of terminal controls (text_control_len) and the copy made
 * with it: C0 (ESC included) but the kept ones, DEL and C1 (U+0080..U+009F
 * as C2 80..C2 9F, U+009B a CSI) are controls; U+00A0 (C2 A0), é, €, an
 * emoji and a lone byte are not. A cut never splits a UTF-8 character. */
static void test_text_controls(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(text_control_len("\x1b[2J", ""), 1);
    assert_int_equal(text_control_len("\x07", "\n\t"), 1);
    assert_int_equal(text_control_len("\n", "\n\t"), 0);
    assert_int_equal(text_control_len("\n", ""), 1);
    assert_int_equal(text_control_len("\t", "\n\t"), 0);
    assert_int_equal(text_control_len("\x7f", "\n\t"), 1);
    assert_int_equal(text_control_len("\xc2\x80", ""), 2);
    assert_int_equal(text_control_len("\xc2\x9b"
                                      "31m",
                                      ""),
                     2);
    assert_int_equal(text_control_len("\xc2\x9f", ""), 2);
    assert_int_equal(text_control_len("\xc2\xa0", ""), 0); /* no-break space */
    assert_int_equal(text_control_len("\xc2", ""), 0);     /* lone lead byte, at the end */
    assert_int_equal(text_control_len("\xc3\xa9", ""), 0); /* é */
    assert_int_equal(text_control_len("\xe2\x82\xac", ""), 0);
    assert_int_equal(text_control_len("\xf0\x9f\x98\x80", ""), 0);
    assert_int_equal(text_control_len("", ""), 0);

    text_clean_copy(out, sizeof out,
                    "a\x1b[31mb\xc2\x9b"
                    "31mc\x07\x7f\xc2\x85\n\t"
                    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc2\xa0z",
                    "", ' ');
    assert_string_equal(out, "a [31mb 31mc     \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc2\xa0z");
    text_clean_copy(out, sizeof out, "l1\nl2\x1b", "\n", '?');
    assert_string_equal(out, "l1\nl2?");
    /* cut at 5 bytes (n = 6): "ab" and € (3 bytes) fit, the emoji does not */
    text_clean_copy(out, 6, "ab\xe2\x82\xac\xf0\x9f\x98\x80", "", ' ');
    assert_string_equal(out, "ab\xe2\x82\xac");
    text_clean_copy(out, 5, "ab\xe2\x82\xac", "", ' ');
    assert_string_equal(out, "ab");
    text_clean_copy(out, 4, "ab\xc2\x9b", "", ' ');
    assert_string_equal(out, "ab ");
}

static void test_time(void **state)
{
    (void)state;
    int64_t t;
    char out[21];
    assert_int_equal(time_parse_utc("2026-11-03T09:30:00Z", &t), 0);
    time_format_utc(out, t);
    assert_string_equal(out, "2026-11-03T09:30:00Z");
    assert_int_equal(time_parse_utc("2024-02-29", &t), 0);
    assert_int_equal(time_parse_utc("2023-02-29", &t), -1);
    assert_int_equal(time_parse_utc("2023-13-01", &t), -1);
    assert_int_equal(time_parse_utc("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal(t, 0);
}

static void test_random_id(void **state)
{
    (void)state;
    char a[RANDOM_ID_LEN + 1], b[RANDOM_ID_LEN + 1];
    random_id(a);
    random_id(b);
    assert_int_equal(strlen(a), RANDOM_ID_LEN);
    assert_string_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_limit),     cmocka_unit_test(test_pool),
        cmocka_unit_test(test_parse_i64),     cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_text_controls), cmocka_unit_test(test_time),
        cmocka_unit_test(test_random_id),
    };
    return cmocka_run_group_tests_name("base/util", tests, NULL, NULL);
}
