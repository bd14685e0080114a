/* Tests for src/client/stats.c: the published calendar is read (holidays in
 * any order, as dates) and used for the same figures the server computes;
 * a calendar that is not one is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "client/stats.h"
#include "proto/events.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define MA  "aaaaaaaaaaaaaaaaaaaaaaaaaa"

static int64_t t_(const char *s)
{
    int64_t t = 0;
    assert_int_equal(time_parse_utc(s, &t), 0);
    return t;
}

static void add(json_t *l, json_t *fields, const char *kind, const char *at)
{
    struct err e;
    char *data = NULL;
    err_init(&e);
    if (proto_leaf_encode(fields, kind, t_(at), MA, &data, &e))
        fail_msg("%s", e.msg);
    json_array_append_new(l, json_string(data));
    free(data);
}

/* A memo submitted Wed 25 Nov 2026, acknowledged Tue 1 Dec. */
static json_t *leaves(void)
{
    unsigned char key[COPY_KEY_SIZE] = {1};
    json_t *l = json_array();
    add(l, proto_leaf_version(1, H64, "SBU", "dissent", key, "T", "B"), "version",
        "2026-11-25T15:00:00Z");
    add(l,
        proto_leaf_state("submitted", "submitted", 1, t_("2026-12-01T04:59:59Z"),
                         t_("2027-01-08T04:59:59Z"), NULL, NULL, NULL),
        "state", "2026-11-25T15:00:00Z");
    add(l, proto_leaf_state("acknowledged", "acknowledged", 1, 0, 0, NULL, NULL, NULL), "state",
        "2026-12-01T15:00:00Z");
    return l;
}

static double ack_median(const char *calendar)
{
    struct err e;
    json_t *l = leaves(), *cal = json_loads(calendar, 0, NULL), *out = NULL;
    double v;
    err_init(&e);
    assert_non_null(cal);
    if (stats_recompute(l, "dissent", cal, t_("2026-12-02T00:00:00Z"), &out, &e))
        fail_msg("%s", e.msg);
    v = json_real_value(
        json_object_get(json_object_get(out, "acknowledgement"), "median_working_days"));
    json_decref(out);
    json_decref(cal);
    json_decref(l);
    return v;
}

static void test_calendar(void **state)
{
    (void)state;
    /* Thu 26, Fri 27, Mon 30, Tue 1: 4 working days, 3 with Thanksgiving */
    assert_true(ack_median("{\"timezone\": \"America/New_York\", \"holidays\": []}") == 4.0);
    assert_true(ack_median("{\"timezone\": \"America/New_York\", \"holidays\": "
                           "[\"2026-12-25\", \"2026-11-26\"]}") == 3.0);
    /* the zone decides the days: in Tokyo the memo came on Thursday 26 (not
     * counted, holiday or not) and the acknowledgement on Wednesday 2 */
    assert_true(ack_median("{\"timezone\": \"Asia/Tokyo\", \"holidays\": [\"2026-11-26\"]}") ==
                4.0);
}

static void test_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"holidays\": []}",
        "{\"timezone\": \"Mars/Olympus\", \"holidays\": []}",
        "{\"timezone\": \"UTC\", \"holidays\": [\"26/11/2026\"]}",
        "{\"timezone\": \"UTC\", \"holidays\": [3]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct err e;
        json_t *l = leaves(), *cal = json_loads(bad[i], 0, NULL), *out = NULL;
        err_init(&e);
        assert_int_equal(stats_recompute(l, "dissent", cal, 0, &out, &e), -1);
        assert_int_equal(e.code, ERR_INVALID);
        assert_null(out);
        json_decref(cal);
        json_decref(l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calendar),
        cmocka_unit_test(test_refused),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
