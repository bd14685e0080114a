/* Tests for src/channel/deadline.c: what is next, overdue, due soon and
 * missed, as one table of memo state × time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "channel/deadline.h"

#include <string.h>

#define DAY 86400
/* Submitted at T0; acknowledgement due at ACK, answer due at ANS. */
#define T0  1000000000
#define ACK (T0 + 3 * DAY)
#define ANS (T0 + 30 * DAY)

struct missed_want {
    int what;
    int64_t met_at;
};

static void test_table(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int state;
        int64_t acked, answered, withdrawn, now;
        int next;
        int64_t next_due;
        int overdue_what, due_soon;
        struct missed_want missed[2];
        size_t n_missed;
    } cases[] = {
        {"draft: nothing", CHAN_STATE_DRAFT, 0, 0, 0, ANS + DAY, CHAN_DL_NONE, 0, 0, 0, {{0}}, 0},
        {"submitted, early",
         CHAN_STATE_SUBMITTED,
         0,
         0,
         0,
         T0 + 60,
         CHAN_DL_ACK,
         ACK,
         0,
         0,
         {{0}},
         0},
        {"submitted, due soon",
         CHAN_STATE_SUBMITTED,
         0,
         0,
         0,
         ACK - DAY,
         CHAN_DL_ACK,
         ACK,
         0,
         1,
         {{0}},
         0},
        {"submitted, at the last second",
         CHAN_STATE_SUBMITTED,
         0,
         0,
         0,
         ACK,
         CHAN_DL_ACK,
         ACK,
         0,
         1,
         {{0}},
         0},
        {"submitted, one second late",
         CHAN_STATE_SUBMITTED,
         0,
         0,
         0,
         ACK + 1,
         CHAN_DL_ACK,
         ACK,
         CHAN_DL_ACK,
         0,
         {{CHAN_DL_ACK, 0}},
         1},
        {"submitted, both late: the acknowledgement first",
         CHAN_STATE_SUBMITTED,
         0,
         0,
         0,
         ANS + 1,
         CHAN_DL_ACK,
         ACK,
         CHAN_DL_ACK,
         0,
         {{CHAN_DL_ACK, 0}, {CHAN_DL_ANSWER, 0}},
         2},
        {"acknowledged on time",
         CHAN_STATE_ACKNOWLEDGED,
         ACK - 60,
         0,
         0,
         ACK + DAY,
         CHAN_DL_ANSWER,
         ANS,
         0,
         0,
         {{0}},
         0},
        {"acknowledged late: missed, met late",
         CHAN_STATE_ACKNOWLEDGED,
         ACK + 60,
         0,
         0,
         ACK + DAY,
         CHAN_DL_ANSWER,
         ANS,
         0,
         0,
         {{CHAN_DL_ACK, ACK + 60}},
         1},
        {"acknowledged, answer late",
         CHAN_STATE_ACKNOWLEDGED,
         ACK - 60,
         0,
         0,
         ANS + 1,
         CHAN_DL_ANSWER,
         ANS,
         CHAN_DL_ANSWER,
         0,
         {{CHAN_DL_ANSWER, 0}},
         1},
        {"answered on time: nothing owed",
         CHAN_STATE_ANSWERED,
         ACK - 60,
         ANS - 60,
         0,
         ANS + DAY,
         CHAN_DL_NONE,
         0,
         0,
         0,
         {{0}},
         0},
        {"answered late",
         CHAN_STATE_ANSWERED,
         ACK - 60,
         ANS + 60,
         0,
         ANS + DAY,
         CHAN_DL_NONE,
         0,
         0,
         0,
         {{CHAN_DL_ANSWER, ANS + 60}},
         1},
        {"closed after both late",
         CHAN_STATE_CLOSED,
         ACK + 60,
         ANS + 60,
         0,
         ANS + 9 * DAY,
         CHAN_DL_NONE,
         0,
         0,
         0,
         {{CHAN_DL_ACK, ACK + 60}, {CHAN_DL_ANSWER, ANS + 60}},
         2},
        {"withdrawn before the deadlines: never overdue",
         CHAN_STATE_WITHDRAWN,
         0,
         0,
         T0 + DAY,
         ANS + DAY,
         CHAN_DL_NONE,
         0,
         0,
         0,
         {{0}},
         0},
        {"withdrawn after missing the acknowledgement",
         CHAN_STATE_WITHDRAWN,
         0,
         0,
         ACK + DAY,
         ANS + DAY,
         CHAN_DL_NONE,
         0,
         0,
         0,
         {{CHAN_DL_ACK, 0}},
         1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct st_memo m;
        struct chan_deadlines d;
        memset(&m, 0, sizeof m);
        m.state = cases[i].state;
        if (m.state != CHAN_STATE_DRAFT) {
            m.submitted_at = T0;
            m.ack_due = ACK;
            m.answer_due = ANS;
        }
        m.acknowledged_at = cases[i].acked;
        m.answered_at = cases[i].answered;
        m.withdrawn_at = cases[i].withdrawn;
        chan_deadlines(&m, cases[i].now, &d);
        if (d.next != cases[i].next || d.next_due != cases[i].next_due ||
            d.overdue != (cases[i].overdue_what != 0) || d.overdue_what != cases[i].overdue_what ||
            d.due_soon != cases[i].due_soon || d.n_missed != cases[i].n_missed)
            fail_msg("%s: next %d due %lld overdue %d/%d soon %d missed %zu", cases[i].name, d.next,
                     (long long)d.next_due, d.overdue, d.overdue_what, d.due_soon, d.n_missed);
        for (size_t k = 0; k < d.n_missed; k++) {
            assert_int_equal(d.missed[k].what, cases[i].missed[k].what);
            assert_int_equal(d.missed[k].met_at, cases[i].missed[k].met_at);
            assert_int_equal(d.missed[k].due, d.missed[k].what == CHAN_DL_ACK ? ACK : ANS);
        }
    }
}

/* A state in an open set is exactly one in which chan_deadlines can find
 * that obligation overdue: the store counts with the same sets. */
static void test_open_sets(void **state)
{
    (void)state;
    for (int st = 0; st < CHAN_STATE_COUNT; st++) {
        struct st_memo m;
        struct chan_deadlines d;
        memset(&m, 0, sizeof m);
        m.state = st;
        m.submitted_at = T0;
        m.ack_due = ACK;
        m.answer_due = ANS;
        chan_deadlines(&m, ANS + 1, &d);
        assert_int_equal(d.overdue, (CHAN_DL_ANSWER_OPEN >> st) & 1);
        assert_int_equal(d.overdue && d.overdue_what == CHAN_DL_ACK, (CHAN_DL_ACK_OPEN >> st) & 1);
        assert_int_equal(d.overdue, (CHAN_DL_UNDER_REVIEW >> st) & 1);
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(chan_deadline_name(CHAN_DL_ACK), "acknowledgement");
    assert_string_equal(chan_deadline_name(CHAN_DL_ANSWER), "answer");
    assert_null(chan_deadline_name(CHAN_DL_NONE));
    assert_string_equal(chan_deadline_action(CHAN_DL_ACK), "acknowledge");
    assert_string_equal(chan_deadline_action(CHAN_DL_ANSWER), "answer");
    assert_null(chan_deadline_action(CHAN_DL_NONE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_open_sets),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
