/* Tests for src/base/csv.c: RFC 4180 quoting and defused formulas. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/csv.h"

/* The record made of the n fields. */
static const char *record(struct buf *b, const char *const *f, size_t n)
{
    struct err e;
    err_init(&e);
    buf_reset(b);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(csv_field(b, f[i], i == 0, &e), 0);
    assert_int_equal(csv_end(b, &e), 0);
    return buf_str(b);
}

static void test_quoting(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 4096);
    const char *plain[] = {"a", "b c", NULL, "2026-12-01T02:00:00Z"};
    assert_string_equal(record(&b, plain, 4), "a,b c,,2026-12-01T02:00:00Z\r\n");
    const char *odd[] = {"a,b", "say \"no\"", "two\r\nlines", "\"", "x\ny"};
    assert_string_equal(record(&b, odd, 5),
                        "\"a,b\",\"say \"\"no\"\"\",\"two\r\nlines\",\"\"\"\",\"x\ny\"\r\n");
    const char *utf8[] = {"Zoë — über"};
    assert_string_equal(record(&b, utf8, 1), "Zoë — über\r\n");
    buf_release(&b);
}

static void test_formulas(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 4096);
    const char *f[] = {"=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"};
    assert_string_equal(record(&b, f, 6), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\"'+1\","
                                          "\"'-2+3\",\"'@SUM(A1)\",\"'\tx\",\"'\rx\"\r\n");
    /* Only the first character counts. */
    const char *g[] = {"a=b", "x-y"};
    assert_string_equal(record(&b, g, 2), "a=b,x-y\r\n");
    buf_release(&b);
}

static void test_limit(void **state)
{
    (void)state;
    struct buf b;
    struct err e;
    err_init(&e);
    buf_init(&b, 4);
    assert_int_equal(csv_field(&b, "abcdef", 1, &e), -1);
    assert_int_equal(e.code, ERR_TOO_LARGE);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_formulas),
        cmocka_unit_test(test_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
