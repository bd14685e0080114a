/* Tests for src/http/cosigned.c: nothing published at first, a publication
 * replaces the previous one, and readers get a copy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/cosigned.h"

static void test_publish_get(void **state)
{
    (void)state;
    struct app_cosigned c;
    struct buf out;
    struct err e;
    err_init(&e);
    buf_init(&out, 1 << 16);
    app_cosigned_init(&c);
    assert_int_equal(app_cosigned_get(&c, &out, &e), 0);
    assert_int_equal(out.len, 0);
    assert_int_equal(app_cosigned_publish(&c, "a\n1\nx\n\n- one\n", 14, &e), 0);
    assert_int_equal(app_cosigned_get(&c, &out, &e), 1);
    assert_int_equal(out.len, 14);
    assert_int_equal(app_cosigned_publish(&c, "b\n", 2, &e), 0);
    buf_reset(&out);
    assert_int_equal(app_cosigned_get(&c, &out, &e), 1);
    assert_int_equal(out.len, 2);
    assert_memory_equal(out.data, "b\n", 2);
    app_cosigned_release(&c);
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_get),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
