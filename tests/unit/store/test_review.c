/* Tests for src/store/review.c through store.h, on every backend
 * (store_fixture.h): review messages and the /metrics
 * figures, whose state sets come from the caller. */
#include "store_fixture.h"

#define BIT(s) STORE_STATE_BIT(s)

static void messages_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_message *m = NULL;
    size_t n = 9;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org");
    int64_t amy = fx_member(s, org, "amy", 1), rita = fx_member(s, org, "rita", 2 | 4);
    err_init(&e);
    int64_t id = fx_memo(s, ch, amy, "m1", 2, 1), other = fx_memo(s, ch, amy, "m2", 2, 1);
    OK(store_message_list(s, p, id, &m, &n, &e));
    assert_int_equal(n, 0);
    OK(store_message_insert(s, id, rita, "first", 20, &e));
    OK(store_message_insert(s, id, amy, "second", 10, &e));
    OK(store_message_insert(s, other, amy, "elsewhere", 10, &e));
    OK(store_message_list(s, p, id, &m, &n, &e));
    assert_int_equal(n, 2);
    assert_string_equal(m[0].author, "rita"); /* in the order written */
    assert_string_equal(m[0].display_name, "rita");
    assert_int_equal(m[0].roles, 6);
    assert_string_equal(m[0].body, "first");
    assert_int_equal(m[0].created_at, 20);
    assert_string_equal(m[1].body, "second");
}

static void test_messages(void **state)
{
    (void)state;
    fx_run(messages_case);
}

/* Sets the state and deadlines of memo public_id. */
static void deadlines(struct store *s, struct pool *p, const char *id, int state, int64_t ack_due,
                      int64_t answer_due)
{
    struct err e;
    struct st_memo m;
    err_init(&e);
    OK(store_memo_by_public_id(s, p, id, &m, &e));
    m.state = state;
    m.ack_due = ack_due;
    m.answer_due = answer_due;
    OK(store_memo_save(s, &m, &e));
}

static void stats_case(struct store *s, struct pool *p)
{
    struct err e;
    int64_t leaves = 9, review = 9, overdue = 9;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org");
    int64_t amy = fx_member(s, org, "amy", 1);
    struct store_due_states sets = {
        .under_review = BIT(2) | BIT(3), .ack_open = BIT(2), .answer_open = BIT(2) | BIT(3)};
    struct store_due_states none = {0, 0, 0};
    err_init(&e);
    OK(store_stats(s, 100, &sets, &leaves, &review, &overdue, &e));
    assert_int_equal(leaves, 0);
    assert_int_equal(review, 0);
    assert_int_equal(overdue, 0);
    fx_memo(s, ch, amy, "late-ack", 2, 1);
    fx_memo(s, ch, amy, "late-answer", 3, 1);
    fx_memo(s, ch, amy, "in-time", 2, 1);
    fx_memo(s, ch, amy, "answered", 4, 1);
    deadlines(s, p, "late-ack", 2, 50, 500);
    deadlines(s, p, "late-answer", 3, 50, 80); /* acknowledged: only the answer counts */
    deadlines(s, p, "in-time", 2, 150, 500);
    deadlines(s, p, "answered", 4, 50, 80);
    OK(store_tlog_leaf_insert(s, 0, "{}", NULL, "roster", 0, &e));
    OK(store_stats(s, 100, &sets, &leaves, &review, &overdue, &e));
    assert_int_equal(leaves, 1);
    assert_int_equal(review, 3);
    assert_int_equal(overdue, 2);
    /* The sets decide, not numbers in the store. */
    sets.answer_open = BIT(2) | BIT(3) | BIT(4);
    OK(store_stats(s, 100, &sets, &leaves, &review, &overdue, &e));
    assert_int_equal(overdue, 3);
    sets.ack_open = BIT(3);
    sets.answer_open = 0;
    OK(store_stats(s, 100, &sets, &leaves, &review, &overdue, &e));
    assert_int_equal(overdue, 1);
    OK(store_stats(s, 100, &none, &leaves, &review, &overdue, &e));
    assert_int_equal(review, 0);
    assert_int_equal(overdue, 0);
}

static void test_stats(void **state)
{
    (void)state;
    fx_run(stats_case);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
