/* Tests for src/channel/responsiveness.c through channel/chan.h: a
 * channel's figures come from its log leaves (proto/stats.h) with the
 * calendar they were counted with; other channels' memos do not count;
 * an unknown channel is not found. */
#include "unit/channel/fixture.h"

static json_t *stats(struct fx *f, const char *slug, const char *at)
{
    struct err e;
    json_t *out = NULL;
    int64_t now = 0;
    err_init(&e);
    assert_int_equal(time_parse_utc(at, &now), 0);
    fx_ok(chan_channel_stats(f->c, &f->p, slug, now, &out, &e), &e);
    return out;
}

static void test_figures(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *st;
    char a[RANDOM_ID_LEN + 1], b[RANDOM_ID_LEN + 1], c[RANDOM_ID_LEN + 1];
    size_t written = 0;
    err_init(&e);
    fx_ok(chan_holiday_add(f->c, &f->p, NULL, "dissent", "2026-11-23", "A holiday", &out, &e), &e);
    json_decref(out);
    fx_clock("2026-11-20T15:00:00Z");
    fx_memo_in(f, CHAN_STATE_ACKNOWLEDGED, a); /* acknowledged at once: 0 working days */
    fx_memo_in(f, CHAN_STATE_SUBMITTED, b);
    fx_memo(f, &f->alice, "eu", "Elsewhere.", c);
    fx_act(f, &f->alice, c, CHAN_OP_CIRCULATE, NULL);
    fx_act(f, &f->alice, c, CHAN_OP_SUBMIT, NULL);
    fx_clock(NULL);

    st = stats(f, "dissent", "2026-11-30T12:00:00Z");
    assert_int_equal(fx_int(st, "memos_submitted", NULL), 2);
    assert_int_equal(fx_int(st, "acknowledgement", "met"), 1);
    assert_int_equal(fx_int(st, "acknowledgement", "missed"), 1); /* b, still open */
    assert_int_equal(fx_int(st, "acknowledgement", "overdue_now"), 1);
    assert_int_equal(fx_int(st, "answer", "pending"), 2);
    assert_int_equal(fx_int(st, "overdue_now", NULL), 1);
    assert_true(json_real_value(json_object_get(json_object_get(st, "acknowledgement"),
                                                "median_working_days")) == 0.0);
    assert_int_equal(fx_int(st, "missed_leaves", NULL), 0);
    assert_string_equal(json_string_value(json_object_get(st, "channel_name")), "Dissent");
    assert_int_equal(fx_int(st, "log_size", NULL), fx_log_size(f));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(st, "calendar"), "timezone")),
        "America/New_York");
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(st, "calendar"), "holidays"), 0)),
                        "2026-11-23");
    json_decref(st);

    /* the server's own leaf counts once written */
    {
        int64_t now = 0;
        assert_int_equal(time_parse_utc("2026-11-30T12:00:00Z", &now), 0);
        fx_ok(chan_deadline_missed_log(f->c, now, &written, &e), &e);
    }
    st = stats(f, "dissent", "2026-11-30T12:00:00Z");
    assert_int_equal(fx_int(st, "missed_leaves", NULL), 1);
    json_decref(st);
    st = stats(f, "eu", "2026-11-30T12:00:00Z");
    assert_int_equal(fx_int(st, "memos_submitted", NULL), 1);
    json_decref(st);

    fx_refused(chan_channel_stats(f->c, &f->p, "nowhere", 0, &out, &e), &e, ERR_NOT_FOUND, NULL);
    fx_refused(chan_channel_stats(f->c, &f->p, "../x", 0, &out, &e), &e, ERR_INVALID, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
