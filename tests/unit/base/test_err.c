/* Tests for src/base/err.c: codes, and the mark of a database driver's text
 * (set by err_set_driver, carried by err_wrap, cleared by err_init and
 * err_set), which decides what an HTTP client may be told. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/err.h"

static void test_codes(void **state)
{
    (void)state;
    assert_string_equal(err_code_name(ERR_CONFLICT), "conflict");
    assert_int_equal(err_http_status(ERR_CONFLICT), 409);
    assert_string_equal(err_code_name(ERR_DB), "storage_error");
    assert_int_equal(err_http_status(ERR_DB), 500);
    assert_string_equal(err_code_name((enum err_code)999), "internal_error");
    assert_int_equal(err_http_status((enum err_code)999), 500);
}

static void test_driver_mark(void **state)
{
    (void)state;
    struct err e;
    err_init(&e);
    assert_int_equal(e.code, ERR_OK);
    assert_int_equal(e.driver, 0);
    assert_null(e.told);
    assert_string_equal(e.msg, "");

    /* the driver's text, kept whole for the operator, and marked */
    assert_int_equal(
        err_set_driver(&e, ERR_CONFLICT, "%s: %s", "step", "UNIQUE constraint failed: t.c"), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_int_equal(e.driver, 1);
    assert_null(e.told);
    assert_string_equal(e.msg, "step: UNIQUE constraint failed: t.c");

    /* a message of ours over it clears the mark */
    assert_int_equal(err_set(&e, ERR_INVALID, "title is empty"), -1);
    assert_int_equal(e.driver, 0);
    assert_null(e.told);
    assert_string_equal(e.msg, "title is empty");

    /* and so does err_init */
    err_set_driver(&e, ERR_DB, "query: disk I/O error");
    err_init(&e);
    assert_int_equal(e.driver, 0);
    assert_int_equal(e.code, ERR_OK);
    assert_string_equal(e.msg, "");

    /* NULL is fine for all three */
    assert_int_equal(err_set_driver(NULL, ERR_DB, "x"), -1);
    assert_int_equal(err_wrap(NULL, ERR_DB, &e, "told", "x"), -1);
    err_init(NULL);
}

static void test_wrap(void **state)
{
    (void)state;
    struct err inner, outer;
    err_init(&inner);
    err_init(&outer);

    /* a message of ours around the driver's: marked, with what to tell */
    err_set_driver(&inner, ERR_DB, "query: no such table: x");
    assert_int_equal(
        err_wrap(&outer, ERR_DB, &inner, "saved, but not read back", "saved (%s)", inner.msg), -1);
    assert_int_equal(outer.driver, 1);
    assert_string_equal(outer.told, "saved, but not read back");
    assert_string_equal(outer.msg, "saved (query: no such table: x)");

    /* around a message of ours: ours, nothing else to tell */
    err_set(&inner, ERR_DB, "the database is now at schema version 9");
    err_wrap(&outer, ERR_DB, &inner, "saved, but not read back", "saved (%s)", inner.msg);
    assert_int_equal(outer.driver, 0);
    assert_null(outer.told);
    assert_string_equal(outer.msg, "saved (the database is now at schema version 9)");

    /* a copy keeps the mark; told NULL leaves the sentence to the edge */
    err_set_driver(&inner, ERR_CONFLICT, "step: secret");
    err_wrap(&outer, inner.code, &inner, NULL, "%s", inner.msg);
    assert_int_equal(outer.code, ERR_CONFLICT);
    assert_int_equal(outer.driver, 1);
    assert_null(outer.told);

    /* and err_set after a wrap clears both */
    err_wrap(&outer, ERR_DB, &inner, "told", "x");
    assert_non_null(outer.told);
    err_set(&outer, ERR_DB, "ours");
    assert_int_equal(outer.driver, 0);
    assert_null(outer.told);

    /* no inner: ours */
    err_wrap(&outer, ERR_DB, NULL, "told", "x");
    assert_int_equal(outer.driver, 0);
    assert_null(outer.told);
}

static void test_truncation(void **state)
{
    (void)state;
    struct err e;
    char big[2 * ERR_MSG_MAX];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    err_set_driver(&e, ERR_DB, "%s", big);
    assert_int_equal(strlen(e.msg), ERR_MSG_MAX - 1);
    assert_int_equal(e.driver, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_driver_mark),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
