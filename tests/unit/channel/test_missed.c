/* Tests for src/channel/missed.c through channel/chan.h: the server writes
 * one "deadline-missed" leaf per memo and deadline that passed unmet —
 * never before the deadline's last second (the channel's time zone, its
 * holidays), never for a deadline met in time or ended by a withdrawal,
 * once only however often it runs, and for everything missed while it was
 * not running (downtime), met late or not. */
#include "unit/channel/fixture.h"

#include "channel/notify.h"
#include "proto/events.h"

/* How many unread notifications actor a has. */
static int64_t unread(struct fx *f, const struct actor *a)
{
    struct err e;
    int64_t n = -1;
    err_init(&e);
    fx_ok(chan_notifications_unread(f->c, a, &n, &e), &e);
    return n;
}

/* Runs the tick at t; returns how many leaves it wrote. */
static size_t tick(struct fx *f, const char *t)
{
    struct err e;
    int64_t now = 0;
    size_t n = 99;
    err_init(&e);
    assert_int_equal(time_parse_utc(t, &now), 0);
    fx_ok(chan_deadline_missed_log(f->c, now, &n, &e), &e);
    return n;
}

/* The memo's deadline-missed leaves as "deadline@due" joined by spaces. */
static const char *missed_leaves(struct fx *f, const char *id)
{
    static char out[256];
    struct err e;
    json_t *log = NULL, *l;
    size_t i, len = 0;
    err_init(&e);
    out[0] = '\0';
    fx_ok(chan_log_memo(f->c, id, &log, &e), &e);
    json_array_foreach(json_object_get(log, "leaves"), i, l)
    {
        const char *data = json_string_value(json_object_get(l, "data"));
        json_t *o = NULL;
        fx_ok(proto_leaf_check(data, strlen(data), &o, &e), &e);
        if (strcmp(json_string_value(json_object_get(o, "kind")), "deadline-missed") == 0)
            len += (size_t)snprintf(out + len, sizeof out - len, "%s%s@%s", len ? " " : "",
                                    json_string_value(json_object_get(o, "deadline")),
                                    json_string_value(json_object_get(o, "due")));
        json_decref(o);
    }
    json_decref(log);
    return out;
}

static void submitted(struct fx *f, const char *channel, char id[RANDOM_ID_LEN + 1])
{
    fx_memo(f, &f->alice, channel, "We disagree.", id);
    fx_act(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL);
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
}

static void test_missed(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    char late[RANDOM_ID_LEN + 1], ontime[RANDOM_ID_LEN + 1], gone[RANDOM_ID_LEN + 1];
    char eu[RANDOM_ID_LEN + 1];
    err_init(&e);

    /* Monday 23 November is a holiday of the dissent channel (New York) */
    fx_ok(chan_holiday_add(f->c, &f->p, NULL, "dissent", "2026-11-23", "A holiday", &out, &e), &e);
    json_decref(out);
    fx_clock("2026-11-20T15:00:00Z"); /* a Friday */
    submitted(f, "dissent", late);
    submitted(f, "dissent", ontime);
    submitted(f, "dissent", gone);
    submitted(f, "eu", eu); /* 7 calendar days, Brussels */
    fx_act(f, &f->rev, ontime, CHAN_OP_ACKNOWLEDGE, NULL);
    fx_clock("2026-11-24T12:00:00Z");
    fx_act(f, &f->alice, gone, CHAN_OP_WITHDRAW, NULL);

    /* 2 working days after Friday, skipping the holiday: Wednesday 25,
     * 23:59:59 in New York = 2026-11-26T04:59:59Z. Without the holiday it
     * would have passed on the 25th; at UTC's end of day too. */
    assert_int_equal(tick(f, "2026-11-25T12:00:00Z"), 0);
    assert_int_equal(tick(f, "2026-11-26T04:00:00Z"), 0);
    assert_int_equal(tick(f, "2026-11-26T04:59:59Z"), 0); /* its last second */
    assert_string_equal(missed_leaves(f, late), "");
    int64_t rev_before = unread(f, &f->rev), alice_before = unread(f, &f->alice);
    assert_int_equal(tick(f, "2026-11-26T05:00:00Z"), 1);
    assert_string_equal(missed_leaves(f, late), "acknowledgement@2026-11-26T04:59:59Z");
    /* the policy office and the drafter are told, with the leaf */
    assert_int_equal(unread(f, &f->rev), rev_before + 1);
    assert_int_equal(unread(f, &f->alice), alice_before + 1);
    /* once only, however often it runs */
    assert_int_equal(tick(f, "2026-11-26T05:00:01Z"), 0);
    assert_int_equal(tick(f, "2026-11-27T09:00:00Z"), 0);
    assert_int_equal(unread(f, &f->rev), rev_before + 1);
    assert_string_equal(missed_leaves(f, late), "acknowledgement@2026-11-26T04:59:59Z");
    assert_string_equal(missed_leaves(f, ontime), "");
    assert_string_equal(missed_leaves(f, gone), "");

    /* downtime: the EU memo's acknowledgement (due 27 Nov, 23:59:59 in
     * Brussels) comes late while nothing runs; the next tick still writes it */
    fx_clock("2026-11-28T10:00:00Z");
    fx_act(f, &f->rev, eu, CHAN_OP_ACKNOWLEDGE, NULL);
    fx_act(f, &f->rev, late, CHAN_OP_ACKNOWLEDGE, NULL);
    assert_int_equal(tick(f, "2026-11-29T10:00:00Z"), 1);
    assert_string_equal(missed_leaves(f, eu), "acknowledgement@2026-11-27T22:59:59Z");
    /* acknowledging late adds nothing for the deadline already written */
    assert_string_equal(missed_leaves(f, late), "acknowledgement@2026-11-26T04:59:59Z");

    /* months later, after a long downtime: every answer deadline at once
     * (the EU memo's three months, the two dissent memos' 30 working days),
     * none for the withdrawn memo */
    assert_int_equal(tick(f, "2027-06-01T00:00:00Z"), 3);
    assert_int_equal(tick(f, "2027-06-02T00:00:00Z"), 0);
    assert_non_null(strstr(missed_leaves(f, late), " answer@"));
    assert_non_null(strstr(missed_leaves(f, ontime), "answer@"));
    assert_null(strstr(missed_leaves(f, ontime), "acknowledgement"));
    assert_string_equal(missed_leaves(f, gone), "");
    fx_clock(NULL);
}

/* A memo answered in time never gets a leaf, and the tick job reports success. */
static void test_answered_in_time(void **state)
{
    struct fx *f = *state;
    struct err e;
    char id[RANDOM_ID_LEN + 1];
    int64_t now = 0;
    err_init(&e);
    fx_clock("2027-07-01T15:00:00Z");
    fx_memo_in(f, CHAN_STATE_CLOSED, id);
    assert_int_equal(time_parse_utc("2030-01-01T00:00:00Z", &now), 0);
    fx_ok(chan_deadline_tick(f->c, now, &e), &e);
    assert_string_equal(missed_leaves(f, id), "");
    fx_clock(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missed),
        cmocka_unit_test(test_answered_in_time),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
