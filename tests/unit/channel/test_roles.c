/* Tests for src/channel/roles.c: names of roles, markings, states and units
 * both ways; markings and states are the protocol's wire names
 * (proto/names.h) in the order of the channel's enums. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "channel/roles.h"
#include "proto/names.h"

static void test_markings_and_states_are_wire_names(void **state)
{
    (void)state;
    int m = -1;
    for (int i = 0; i < CHAN_MARK_COUNT; i++) {
        assert_non_null(proto_markings[i]);
        assert_string_equal(chan_marking_name(i), proto_markings[i]);
        assert_int_equal(chan_marking_parse(proto_markings[i], &m), 0);
        assert_int_equal(m, i);
    }
    assert_null(proto_markings[CHAN_MARK_COUNT]);
    assert_string_equal(chan_marking_name(CHAN_MARK_SBU), "SBU");
    assert_string_equal(chan_marking_name(CHAN_MARK_COUNT), "UNKNOWN");
    assert_string_equal(chan_marking_name(-1), "UNKNOWN");
    assert_int_equal(chan_marking_parse("TOP SECRET", &m), -1);
    assert_int_equal(chan_marking_parse(NULL, &m), -1);

    for (int i = 0; i < CHAN_STATE_COUNT; i++) {
        assert_non_null(proto_states[i]);
        assert_string_equal(chan_state_name(i), proto_states[i]);
    }
    assert_null(proto_states[CHAN_STATE_COUNT]);
    assert_string_equal(chan_state_name(CHAN_STATE_CIRCULATING), "circulating");
    assert_string_equal(chan_state_name(CHAN_STATE_COUNT), "unknown");
}

static void test_roles_and_units(void **state)
{
    (void)state;
    unsigned bit = 0, bits = 0;
    int u = -1;
    assert_int_equal(chan_role_parse("reviewer", &bit), 0);
    assert_int_equal(bit, CHAN_ROLE_REVIEWER);
    assert_string_equal(chan_role_name(CHAN_ROLE_AUDITOR), "auditor");
    assert_int_equal(chan_roles_parse_list("member,admin", &bits), 0);
    assert_int_equal(bits, CHAN_ROLE_MEMBER | CHAN_ROLE_ADMIN);
    assert_int_equal(chan_roles_parse_list("member,", &bits), -1);
    assert_int_equal(chan_unit_parse("working_days", &u), 0);
    assert_int_equal(u, CHAN_UNIT_WORKING_DAYS);
    assert_string_equal(chan_unit_name(CHAN_UNIT_MONTHS), "months");
}

/* Every role bit has one name; lists refuse empty words, unknown names and
 * words too long, and leave the result untouched when they do. */
static void test_role_lists(void **state)
{
    (void)state;
    unsigned bit = 0, bits = 0;
    static const unsigned all[] = {CHAN_ROLE_MEMBER, CHAN_ROLE_REVIEWER, CHAN_ROLE_LEADERSHIP,
                                   CHAN_ROLE_AUDITOR, CHAN_ROLE_ADMIN};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        assert_non_null(chan_role_name(all[i]));
        assert_int_equal(chan_role_parse(chan_role_name(all[i]), &bit), 0);
        assert_int_equal(bit, all[i]);
    }
    assert_null(chan_role_name(CHAN_ROLE_MEMBER | CHAN_ROLE_ADMIN)); /* one bit only */
    assert_null(chan_role_name(0));
    assert_int_equal(chan_role_parse("Auditor", &bit), -1);
    assert_int_equal(chan_roles_parse_list("member", &bits), 0);
    assert_int_equal(bits, CHAN_ROLE_MEMBER);
    bits = 99;
    assert_int_equal(chan_roles_parse_list("", &bits), -1);
    assert_int_equal(chan_roles_parse_list(",member", &bits), -1);
    assert_int_equal(chan_roles_parse_list("member,,reviewer", &bits), -1);
    assert_int_equal(chan_roles_parse_list("member,boss", &bits), -1);
    assert_int_equal(
        chan_roles_parse_list("member,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &bits), -1);
    assert_int_equal(bits, 99);
    {
        int u = 7;
        assert_int_equal(chan_unit_parse("weeks", &u), -1);
        assert_int_equal(u, 7);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markings_and_states_are_wire_names),
        cmocka_unit_test(test_roles_and_units),
        cmocka_unit_test(test_role_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
