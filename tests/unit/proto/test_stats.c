/* Tests for src/proto/stats.c: a channel's responsiveness from log leaves
 * alone — met, missed (late or never), pending, overdue now, medians in
 * working days (holidays and the channel's zone), months by due date;
 * other channels' memos ignored; a leaf that does not check is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "proto/events.h"
#include "proto/stats.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int64_t t_(const char *s)
{
    int64_t t = 0;
    assert_int_equal(time_parse_utc(s, &t), 0);
    return t;
}

static void add(json_t *leaves, json_t *fields, const char *kind, const char *at, const char *memo)
{
    struct err e;
    char *data = NULL;
    err_init(&e);
    if (proto_leaf_encode(fields, kind, t_(at), memo, &data, &e))
        fail_msg("%s", e.msg);
    json_array_append_new(leaves, json_string(data));
    free(data);
}

/* A memo created on channel at `at`, submitted then with these deadlines. */
static void submitted(json_t *l, const char *memo, const char *channel, const char *at,
                      const char *ack_due, const char *answer_due)
{
    unsigned char key[COPY_KEY_SIZE] = {1};
    add(l, proto_leaf_version(1, H64, "SBU", channel, key, "T", "B"), "version", at, memo);
    add(l,
        proto_leaf_state("submitted", "submitted", 1, t_(ack_due), t_(answer_due), NULL, NULL,
                         NULL),
        "state", at, memo);
}

static void event(json_t *l, const char *memo, const char *ev, const char *at)
{
    unsigned char salt[32] = {2};
    add(l, proto_leaf_state(ev, ev, 1, 0, 0, "r", "a", salt), "state", at, memo);
}

#define MA "aaaaaaaaaaaaaaaaaaaaaaaaaa"
#define MB "bbbbbbbbbbbbbbbbbbbbbbbbbb"
#define MC "cccccccccccccccccccccccccc"
#define MD "dddddddddddddddddddddddddd"
#define ME "eeeeeeeeeeeeeeeeeeeeeeeeee"

static void test_figures(void **state)
{
    (void)state;
    struct err e;
    json_t *l = json_array(), *out = NULL;
    int64_t hol[] = {t_("2026-11-26T00:00:00Z") / 86400}; /* Thanksgiving */
    struct cal_calendar cal = {.holidays = hol, .nholidays = 1};
    char *dump;
    err_init(&e);

    /* A: acknowledged Tue (2 working days), answered Thu 10 Dec (13: the
     * holiday does not count) — both in time */
    submitted(l, MA, "dissent", "2026-11-20T15:00:00Z", "2026-11-25T04:59:59Z",
              "2027-01-08T04:59:59Z");
    event(l, MA, "acknowledged", "2026-11-24T15:00:00Z");
    event(l, MA, "answered", "2026-12-10T15:00:00Z");
    /* B: acknowledged late (Fri 27: 4 working days), never answered */
    submitted(l, MB, "dissent", "2026-11-20T15:00:00Z", "2026-11-25T04:59:59Z",
              "2027-01-08T04:59:59Z");
    add(l,
        proto_leaf_deadline_missed("acknowledgement", t_("2026-11-25T04:59:59Z"),
                                   t_("2026-11-25T05:00:00Z")),
        "deadline-missed", "2026-11-25T05:00:00Z", MB);
    event(l, MB, "acknowledged", "2026-11-27T15:00:00Z");
    /* C: another channel, ignored however late */
    submitted(l, MC, "eu", "2026-11-20T15:00:00Z", "2026-11-25T04:59:59Z", "2026-12-01T00:00:00Z");
    /* D: withdrawn before anything was due */
    submitted(l, MD, "dissent", "2026-11-20T15:00:00Z", "2026-11-25T04:59:59Z",
              "2027-01-08T04:59:59Z");
    event(l, MD, "withdrawn", "2026-11-23T15:00:00Z");
    /* E: submitted yesterday: both pending */
    submitted(l, ME, "dissent", "2027-01-31T15:00:00Z", "2027-02-03T04:59:59Z",
              "2027-03-15T04:59:59Z");

    if (proto_stats_compute(l, "dissent", "America/New_York", &cal, t_("2027-02-01T12:00:00Z"),
                            &out, &e))
        fail_msg("%s", e.msg);
    dump = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(
        dump, "{\"acknowledgement\":{\"median_working_days\":3.0,\"met\":1,\"missed\":1,"
              "\"overdue_now\":0,\"pending\":1},\"answer\":{\"median_working_days\":13.0,"
              "\"met\":1,\"missed\":1,\"overdue_now\":1,\"pending\":1},\"as_of\":"
              "\"2027-02-01T12:00:00Z\",\"channel\":\"dissent\",\"memos_submitted\":4,"
              "\"missed_leaves\":1,\"months\":[{\"met\":1,\"missed\":1,\"month\":\"2026-11\"},"
              "{\"met\":1,\"missed\":1,\"month\":\"2027-01\"}],\"overdue_now\":1,\"timezone\":"
              "\"America/New_York\"}");
    free(dump);
    json_decref(out);

    /* without the holiday, A's answer took 14 working days and B's ack 5 */
    if (proto_stats_compute(l, "dissent", "America/New_York", NULL, t_("2027-02-01T12:00:00Z"),
                            &out, &e))
        fail_msg("%s", e.msg);
    assert_true(json_real_value(json_object_get(json_object_get(out, "answer"),
                                                "median_working_days")) == 14.0);
    assert_true(json_real_value(json_object_get(json_object_get(out, "acknowledgement"),
                                                "median_working_days")) == 3.5);
    json_decref(out);

    /* a leaf that does not check is named */
    json_array_append_new(l, json_string("{\"kind\":\"state\",\"v\":1}"));
    assert_int_equal(proto_stats_compute(l, "dissent", "UTC", &cal, 0, &out, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_non_null(strstr(e.msg, "leaf 15:"));
    json_decref(l);
}

static void test_empty(void **state)
{
    (void)state;
    struct err e;
    json_t *l = json_array(), *out = NULL;
    err_init(&e);
    assert_int_equal(proto_stats_compute(l, "dissent", "UTC", NULL, 0, &out, &e), 0);
    assert_true(json_is_null(
        json_object_get(json_object_get(out, "acknowledgement"), "median_working_days")));
    assert_int_equal(json_array_size(json_object_get(out, "months")), 0);
    json_decref(out);
    json_decref(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures),
        cmocka_unit_test(test_empty),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
