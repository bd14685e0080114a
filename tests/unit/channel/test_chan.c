/* Tests for src/channel/chan.c through channel/chan.h: opening a store
 * (and failing to), the demo marker, the figures for /metrics (memos under
 * review and overdue, with a pinned clock), and memo ids that do not leak
 * whether a memo exists. */
#include "unit/channel/fixture.h"

static void test_open_failure(void **state)
{
    struct err e;
    struct chan *c = NULL;
    (void)state;
    err_init(&e);
    assert_int_equal(chan_open(&c, "/nonexistent-dir-for-dissent/x/test.db", &e), -1);
    assert_null(c);
    assert_true(e.code != ERR_OK);
    assert_true(strlen(e.msg) > 0);
    chan_close(NULL); /* harmless */
}

static void test_demo_marker(void **state)
{
    struct fx *f = *state;
    struct err e;
    int demo = -1;
    err_init(&e);
    assert_non_null(chan_store(f->c));
    fx_ok(chan_demo_marker(f->c, &demo, &e), &e);
    assert_int_equal(demo, 0);
    fx_ok(chan_mark_demo(f->c, &e), &e);
    fx_ok(chan_demo_marker(f->c, &demo, &e), &e);
    assert_int_equal(demo, 1);
}

static void test_stats(void **state)
{
    struct fx *f = *state;
    struct err e;
    int64_t leaves = 0, review0 = 0, overdue0 = 0, review = 0, overdue = 0;
    char a[RANDOM_ID_LEN + 1], b[RANDOM_ID_LEN + 1];

    err_init(&e);
    fx_clock("2026-11-02T15:00:00Z");
    fx_ok(chan_stats(f->c, &leaves, &review0, &overdue0, &e), &e);
    assert_int_equal(leaves, fx_log_size(f));
    fx_memo_in(f, CHAN_STATE_SUBMITTED, a);
    fx_memo_in(f, CHAN_STATE_ACKNOWLEDGED, b);
    fx_memo_in(f, CHAN_STATE_CLOSED, b);
    fx_ok(chan_stats(f->c, &leaves, &review, &overdue, &e), &e);
    assert_int_equal(leaves, fx_log_size(f));
    assert_int_equal(review, review0 + 2);
    assert_int_equal(overdue, overdue0);
    /* after the acknowledgement deadline (Wednesday 23:59:59 EST) one is overdue */
    fx_clock("2026-11-05T05:00:00Z");
    fx_ok(chan_stats(f->c, &leaves, &review, &overdue, &e), &e);
    assert_int_equal(overdue, overdue0 + 1);
    /* after the answer deadline both are */
    fx_clock("2026-12-30T00:00:00Z");
    fx_ok(chan_stats(f->c, &leaves, &review, &overdue, &e), &e);
    assert_int_equal(overdue, overdue0 + 2);
    fx_clock(NULL);
}

/* Malformed, unknown and invisible memos get the same answer. */
static void test_not_found_alike(void **state)
{
    struct fx *f = *state;
    struct err e1, e2, e3;
    json_t *out = NULL;
    char id[RANDOM_ID_LEN + 1];

    fx_memo_in(f, CHAN_STATE_DRAFT, id);
    err_init(&e1);
    err_init(&e2);
    err_init(&e3);
    fx_refused(chan_memo_get(f->c, &f->p, &f->bob, id, 0, &out, &e1), &e1, ERR_NOT_FOUND, id);
    fx_refused(chan_memo_get(f->c, &f->p, &f->bob, "00000000000000000000000000", 0, &out, &e2), &e2,
               ERR_NOT_FOUND, "no memo '00000000000000000000000000'");
    fx_refused(chan_memo_get(f->c, &f->p, &f->bob, "x", 0, &out, &e3), &e3, ERR_NOT_FOUND,
               "no memo 'x'");
    fx_refused(chan_memo_get(f->c, &f->p, &f->bob, NULL, 0, &out, &e3), &e3, ERR_NOT_FOUND, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_failure),
        cmocka_unit_test(test_demo_marker),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_not_found_alike),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
