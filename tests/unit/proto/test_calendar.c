/* Tests for src/proto/calendar.c and src/base/tz.c: deadline arithmetic
 * across weekends, holidays, month ends and time zones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/tz.h"
#include "base/util.h"
#include "proto/calendar.h"

static int64_t day_of(const char *date)
{
    int64_t t = 0;
    assert_int_equal(time_parse_utc(date, &t), 0);
    return t / 86400;
}

static void test_weekday(void **state)
{
    (void)state;
    assert_int_equal(cal_weekday(0), 4);                    /* 1970-01-01 Thursday */
    assert_int_equal(cal_weekday(day_of("2026-11-23")), 1); /* Monday */
    assert_int_equal(cal_weekday(day_of("2026-11-29")), 0); /* Sunday */
    assert_int_equal(cal_weekday(-1), 3);
}

/* A table of (start, amount, unit, holidays?) -> due date. */
static void test_add_table(void **state)
{
    (void)state;
    int64_t hol[] = {day_of("2026-11-26"), day_of("2026-12-25")}; /* Thanksgiving, Christmas */
    struct cal_calendar none = {0}, us = {.holidays = hol, .nholidays = 2};
    struct {
        const char *start;
        int amount, unit, with_holidays;
        const char *due;
    } cases[] = {
        {"2026-11-23", 2, CAL_WORKING_DAYS, 0, "2026-11-25"}, /* Mon + 2 = Wed */
        {"2026-11-20", 2, CAL_WORKING_DAYS, 0, "2026-11-24"}, /* Fri + 2 skips weekend */
        {"2026-11-21", 1, CAL_WORKING_DAYS, 0, "2026-11-23"}, /* Sat + 1 = Mon */
        {"2026-11-25", 2, CAL_WORKING_DAYS, 1, "2026-11-30"}, /* Wed + 2 skips Thu holiday */
        {"2026-11-25", 2, CAL_WORKING_DAYS, 0, "2026-11-27"},
        {"2026-11-23", 30, CAL_WORKING_DAYS, 1, "2027-01-06"}, /* Jan 1 is not in this list */
        {"2026-11-23", 7, CAL_DAYS, 1, "2026-11-30"},
        {"2026-11-30", 3, CAL_MONTHS, 0, "2027-02-28"}, /* clamped to month end */
        {"2027-11-30", 3, CAL_MONTHS, 0, "2028-02-29"}, /* leap year */
        {"2026-01-15", 12, CAL_MONTHS, 0, "2027-01-15"},
        {"2026-11-23", 0, CAL_WORKING_DAYS, 0, "2026-11-23"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = cal_add(cases[i].with_holidays ? &us : &none, day_of(cases[i].start),
                              cases[i].amount, cases[i].unit);
        if (got != day_of(cases[i].due))
            fail_msg("case %zu: %s + %d -> day %lld, want %s", i, cases[i].start, cases[i].amount,
                     (long long)got, cases[i].due);
        /* counting back gives the amount again (working days only) */
        if (cases[i].unit == CAL_WORKING_DAYS &&
            cal_working_days_between(cases[i].with_holidays ? &us : &none, day_of(cases[i].start),
                                     got) != cases[i].amount)
            fail_msg("case %zu: %s .. %s is not %d working days", i, cases[i].start, cases[i].due,
                     cases[i].amount);
    }
}

static void test_working_days_between(void **state)
{
    (void)state;
    int64_t hol[] = {day_of("2026-11-26")};
    struct cal_calendar us = {.holidays = hol, .nholidays = 1};
    /* the first day never counts; the last does */
    assert_int_equal(cal_working_days_between(&us, day_of("2026-11-25"), day_of("2026-11-25")), 0);
    assert_int_equal(cal_working_days_between(&us, day_of("2026-11-25"), day_of("2026-11-27")), 1);
    assert_int_equal(cal_working_days_between(&us, day_of("2026-11-20"), day_of("2026-11-23")), 1);
    assert_int_equal(cal_working_days_between(&us, day_of("2026-11-27"), day_of("2026-11-20")), 0);
    assert_int_equal(cal_working_days_between(&us, day_of("2026-11-20"), day_of("2026-12-04")), 9);
}

static void test_holiday_on_weekend_not_double_counted(void **state)
{
    (void)state;
    int64_t hol[] = {day_of("2026-11-28")}; /* a Saturday */
    struct cal_calendar cal = {.holidays = hol, .nholidays = 1};
    assert_int_equal(cal_add(&cal, day_of("2026-11-27"), 1, CAL_WORKING_DAYS),
                     day_of("2026-11-30"));
    assert_false(cal_is_working_day(&cal, day_of("2026-11-28")));
}

static void test_timezone_deadline(void **state)
{
    (void)state;
    int64_t t;
    char buf[64];
    /* 03:00 UTC on Tuesday is still Monday evening in New York. */
    assert_int_equal(time_parse_utc("2026-11-24T03:00:00Z", &t), 0);
    assert_int_equal(tz_local_day("America/New_York", t), day_of("2026-11-23"));
    assert_int_equal(tz_local_day("UTC", t), day_of("2026-11-24"));
    /* End of 2026-11-25 in New York (EST, UTC-5) is 04:59:59 UTC on the 26th. */
    int64_t end = tz_end_of_day("America/New_York", day_of("2026-11-25"));
    time_format_utc(buf, end);
    assert_string_equal(buf, "2026-11-26T04:59:59Z");
    tz_format("America/New_York", end, buf, sizeof buf);
    assert_string_equal(buf, "2026-11-25 23:59 EST");
    assert_true(tz_valid("Europe/Brussels"));
    assert_true(tz_valid("UTC"));
    assert_false(tz_valid("../etc/passwd"));
    assert_false(tz_valid("Mars/Olympus"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_add_table),
        cmocka_unit_test(test_holiday_on_weekend_not_double_counted),
        cmocka_unit_test(test_timezone_deadline),
        cmocka_unit_test(test_working_days_between),
    };
    return cmocka_run_group_tests_name("channel/calendar", tests, NULL, NULL);
}
