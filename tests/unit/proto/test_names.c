/* Tests for src/proto/names.c: the wire names, their order, and lookups. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "proto/names.h"

static size_t count(const char *const *names)
{
    size_t n = 0;
    while (names[n])
        n++;
    return n;
}

static void test_lists(void **state)
{
    (void)state;
    assert_int_equal(count(proto_markings), 4);
    assert_int_equal(count(proto_states), 7);
    assert_int_equal(count(proto_state_events), 7);
    assert_string_equal(proto_markings[0], "UNCLASSIFIED");
    assert_string_equal(proto_markings[3], "SECRET");
    assert_string_equal(proto_states[0], "draft");
    assert_string_equal(proto_states[6], "withdrawn");
}

static void test_index(void **state)
{
    (void)state;
    assert_int_equal(proto_name_index(proto_markings, "SBU"), 1);
    assert_int_equal(proto_name_index(proto_states, "closed"), 5);
    assert_int_equal(proto_name_index(proto_state_events, "extended"), 3);
    assert_int_equal(proto_name_index(proto_markings, "sbu"), -1); /* exact spelling */
    assert_int_equal(proto_name_index(proto_markings, ""), -1);
    assert_int_equal(proto_name_index(proto_markings, NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
