/* Tests for src/channel/rules.c: the access table as role × action, and the
 * state machine as state × event. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "channel/roles.h"
#include "channel/rules.h"

#define M  CHAN_ROLE_MEMBER
#define RV CHAN_ROLE_REVIEWER
#define L  CHAN_ROLE_LEADERSHIP
#define AU CHAN_ROLE_AUDITOR
#define AD CHAN_ROLE_ADMIN
#define D  CHAN_REL_DRAFTER
#define S  CHAN_REL_SIGNER

static void test_access_table(void **state)
{
    (void)state;
    struct {
        int action;
        unsigned roles, rel;
        int st;
        int want;
    } cases[] = {
        /* reading memo text */
        {CHAN_ACT_READ_MEMO, M, D, CHAN_STATE_DRAFT, 1},
        {CHAN_ACT_READ_MEMO, M, 0, CHAN_STATE_DRAFT, 0},
        {CHAN_ACT_READ_MEMO, M, 0, CHAN_STATE_CIRCULATING, 1},
        {CHAN_ACT_READ_MEMO, M, 0, CHAN_STATE_SUBMITTED, 0},
        {CHAN_ACT_READ_MEMO, M, S, CHAN_STATE_SUBMITTED, 1},
        {CHAN_ACT_READ_MEMO, RV, 0, CHAN_STATE_CIRCULATING, 0},
        {CHAN_ACT_READ_MEMO, RV, 0, CHAN_STATE_SUBMITTED, 1},
        {CHAN_ACT_READ_MEMO, L, 0, CHAN_STATE_ANSWERED, 1},
        {CHAN_ACT_READ_MEMO, AU, 0, CHAN_STATE_SUBMITTED, 0},
        {CHAN_ACT_READ_MEMO, AD, 0, CHAN_STATE_CIRCULATING, 0},
        {CHAN_ACT_READ_MEMO, AD, D, CHAN_STATE_DRAFT, 0}, /* admins never, even as drafters */
        /* signer lists */
        {CHAN_ACT_READ_SIGNERS, M, D, CHAN_STATE_CIRCULATING, 1},
        {CHAN_ACT_READ_SIGNERS, M, S, CHAN_STATE_CIRCULATING, 0},
        {CHAN_ACT_READ_SIGNERS, M, 0, CHAN_STATE_CIRCULATING, 0},
        {CHAN_ACT_READ_SIGNERS, RV, 0, CHAN_STATE_SUBMITTED, 1},
        {CHAN_ACT_READ_SIGNERS, AD, 0, CHAN_STATE_SUBMITTED, 0},
        {CHAN_ACT_READ_SIGNERS, AU, 0, CHAN_STATE_SUBMITTED, 0},
        /* drafting */
        {CHAN_ACT_REVISE, M, D, CHAN_STATE_DRAFT, 1},
        {CHAN_ACT_REVISE, M, S, CHAN_STATE_CIRCULATING, 0},
        {CHAN_ACT_SUBMIT, M, D, CHAN_STATE_CIRCULATING, 1},
        {CHAN_ACT_SUBMIT, RV, 0, CHAN_STATE_CIRCULATING, 0},
        {CHAN_ACT_SIGN, M, 0, CHAN_STATE_CIRCULATING, 1},
        {CHAN_ACT_SIGN, M, 0, CHAN_STATE_CLOSED, 1}, /* refused later by the state machine */
        {CHAN_ACT_SIGN, RV, 0, CHAN_STATE_CIRCULATING, 0},
        {CHAN_ACT_SIGN, AD, 0, CHAN_STATE_CIRCULATING, 0},
        /* review */
        {CHAN_ACT_ACKNOWLEDGE, RV, 0, CHAN_STATE_SUBMITTED, 1},
        {CHAN_ACT_ACKNOWLEDGE, L, 0, CHAN_STATE_SUBMITTED, 0},
        {CHAN_ACT_ACKNOWLEDGE, M, D, CHAN_STATE_SUBMITTED, 0},
        {CHAN_ACT_ANSWER, RV, 0, CHAN_STATE_ACKNOWLEDGED, 1},
        {CHAN_ACT_ANSWER, M, D, CHAN_STATE_ACKNOWLEDGED, 0},
        {CHAN_ACT_POST_MESSAGE, RV, 0, CHAN_STATE_SUBMITTED, 1},
        {CHAN_ACT_POST_MESSAGE, L, 0, CHAN_STATE_SUBMITTED, 0},
        {CHAN_ACT_POST_MESSAGE, M, D, CHAN_STATE_SUBMITTED, 1},
        {CHAN_ACT_READ_MESSAGES, L, 0, CHAN_STATE_SUBMITTED, 1},
        {CHAN_ACT_WITHDRAW, M, D, CHAN_STATE_SUBMITTED, 1},
        {CHAN_ACT_WITHDRAW, RV, 0, CHAN_STATE_SUBMITTED, 0},
        /* the access log */
        {CHAN_ACT_READ_MEMO_ACCESS_LOG, M, D, CHAN_STATE_SUBMITTED, 1},
        {CHAN_ACT_READ_MEMO_ACCESS_LOG, M, S, CHAN_STATE_SUBMITTED, 0},
        {CHAN_ACT_READ_MEMO_ACCESS_LOG, AU, 0, CHAN_STATE_SUBMITTED, 1},
        {CHAN_ACT_READ_MEMO_ACCESS_LOG, RV, 0, CHAN_STATE_SUBMITTED, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = chan_allowed(cases[i].action, cases[i].roles, cases[i].rel, cases[i].st);
        if (got != cases[i].want)
            fail_msg("case %zu: action %d roles %u rel %u state %s: got %d", i, cases[i].action,
                     cases[i].roles, cases[i].rel, chan_state_name(cases[i].st), got);
    }
}

/* Admins can do nothing with memos, whatever the state and relation. */
static void test_admin_reads_nothing(void **state)
{
    (void)state;
    for (int act = 0; act < CHAN_ACT_COUNT; act++)
        for (int st = 0; st < CHAN_STATE_COUNT; st++)
            assert_false(chan_allowed(act, AD, D | S, st));
}

static void test_state_machine(void **state)
{
    (void)state;
    enum { X = -1 }; /* refused */
    /* want[state][event]: the state after, or X */
    static const int want[CHAN_STATE_COUNT][CHAN_EV_COUNT] = {
        /*                circ  submit ack  extend answer close withdraw revise sign  message */
        [CHAN_STATE_DRAFT] = {1, 2, X, X, X, X, 6, 0, X, X},
        [CHAN_STATE_CIRCULATING] = {X, 2, X, X, X, X, 6, 1, 1, X},
        [CHAN_STATE_SUBMITTED] = {X, X, 3, 2, X, X, 6, X, X, 2},
        [CHAN_STATE_ACKNOWLEDGED] = {X, X, X, 3, 4, X, 6, X, X, 3},
        [CHAN_STATE_ANSWERED] = {X, X, X, X, X, 5, X, X, X, 4},
        [CHAN_STATE_CLOSED] = {X, X, X, X, X, X, X, X, X, X},
        [CHAN_STATE_WITHDRAWN] = {X, X, X, X, X, X, X, X, X, X},
    };
    for (int st = 0; st < CHAN_STATE_COUNT; st++)
        for (int ev = 0; ev < CHAN_EV_COUNT; ev++) {
            int to = -5;
            struct err e;
            err_init(&e);
            int rc = chan_transition(st, ev, &to, &e);
            if (want[st][ev] == X) {
                if (rc != -1 || e.code != ERR_STATE)
                    fail_msg("%s + %s should be refused", chan_state_name(st), chan_event_name(ev));
            } else if (rc != 0 || to != want[st][ev]) {
                fail_msg("%s + %s: rc %d to %d, want %d", chan_state_name(st), chan_event_name(ev),
                         rc, to, want[st][ev]);
            }
        }
}

static void test_names(void **state)
{
    (void)state;
    unsigned bits;
    int mk;
    assert_int_equal(chan_roles_parse_list("member,reviewer", &bits), 0);
    assert_int_equal(bits, M | RV);
    assert_int_equal(chan_roles_parse_list("member,", &bits), -1);
    assert_int_equal(chan_roles_parse_list("boss", &bits), -1);
    assert_int_equal(chan_marking_parse("SECRET", &mk), 0);
    assert_int_equal(mk, CHAN_MARK_SECRET);
    assert_int_equal(chan_marking_parse("secret", &mk), -1);
    assert_true(CHAN_MARK_UNCLASSIFIED < CHAN_MARK_SBU && CHAN_MARK_SBU < CHAN_MARK_CONFIDENTIAL &&
                CHAN_MARK_CONFIDENTIAL < CHAN_MARK_SECRET);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_access_table),
        cmocka_unit_test(test_admin_reads_nothing),
        cmocka_unit_test(test_state_machine),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("channel/rules", tests, NULL, NULL);
}
