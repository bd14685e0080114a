/* Tests for src/base/form (x-www-form-urlencoded and query strings); lives
 * under tests/unit/http because forms are an HTTP concern. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/form.h"

static void test_parse_ok(void **state)
{
    struct pool p;
    struct form f;
    struct err e;
    static const char s[] = "title=Hello+world%21&empty=&flag&&x=%C3%A9&x=2&";
    (void)state;
    pool_init(&p, 1 << 20);
    err_init(&e);
    assert_int_equal(form_parse(&f, s, sizeof s - 1, NULL, &p, &e), 0);
    assert_int_equal(f.n, 5);
    assert_string_equal(form_get(&f, "title"), "Hello world!");
    assert_string_equal(form_get(&f, "empty"), "");
    assert_string_equal(form_get(&f, "flag"), "");
    assert_string_equal(form_get(&f, "x"), "\xc3\xa9");
    assert_int_equal(form_count(&f, "x"), 2);
    assert_null(form_get(&f, "nope"));
    assert_int_equal(form_parse(&f, "", 0, NULL, &p, &e), 0);
    assert_int_equal(f.n, 0);
    pool_release(&p);
}

static void refuse(const char *s, const struct form_limits *lim, enum err_code code,
                   const char *needle)
{
    struct pool p;
    struct form f;
    struct err e;
    pool_init(&p, 1 << 20);
    err_init(&e);
    assert_int_equal(form_parse(&f, s, strlen(s), lim, &p, &e), -1);
    assert_int_equal(e.code, code);
    if (!strstr(e.msg, needle))
        fail_msg("message '%s' lacks '%s'", e.msg, needle);
    assert_int_equal(f.n, 0);
    pool_release(&p);
}

static void test_refusals(void **state)
{
    struct form_limits lim = {.max_fields = 2, .max_name = 4, .max_value = 5};
    (void)state;
    refuse("a=%", NULL, ERR_INVALID, "percent");
    refuse("a=%4", NULL, ERR_INVALID, "percent");
    refuse("a=%zz", NULL, ERR_INVALID, "percent");
    refuse("a=%00", NULL, ERR_INVALID, "UTF-8");
    refuse("a=%C3%28", NULL, ERR_INVALID, "UTF-8");
    refuse("a=%ED%A0%80", NULL, ERR_INVALID, "UTF-8"); /* surrogate */
    refuse("a=%C0%AF", NULL, ERR_INVALID, "UTF-8");    /* overlong */
    refuse("=x", NULL, ERR_INVALID, "empty name");
    refuse("a=1&b=2&c=3", &lim, ERR_TOO_LARGE, "too many");
    refuse("abcde=1", &lim, ERR_TOO_LARGE, "name");
    refuse("a=123456", &lim, ERR_TOO_LARGE, "'a'");
}

static void test_decode_encode(void **state)
{
    struct pool p;
    char *out = NULL;
    size_t n = 0;
    (void)state;
    pool_init(&p, 1 << 20);
    assert_int_equal(form_decode("a+b%2B", 6, 0, &p, &out, &n, NULL), 0);
    assert_string_equal(out, "a+b+");
    assert_int_equal(form_decode("a+b%2B", 6, 1, &p, &out, &n, NULL), 0);
    assert_string_equal(out, "a b+");
    assert_int_equal(n, 4);
    assert_string_equal(form_encode("a b/\xc3\xa9~", &p), "a%20b%2F%C3%A9~");
    pool_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_decode_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
