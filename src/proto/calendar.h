/* calendar.h — working days, holidays and deadline arithmetic.
 *
 * In proto/ because both sides use it: the server computes deadlines with
 * it, and an outsider recomputing a channel's responsiveness from the log
 * (`dissent stats`, proto/stats.h) counts working days the same way.
 *
 * Days are counted since 1970-01-01 in the channel's time zone. A working day
 * is Monday to Friday and not a holiday. A deadline falls at the end (23:59:59
 * local) of its due day. The day of submission itself is never counted. */
#ifndef DISSENT_CHANNEL_CALENDAR_H
#define DISSENT_CHANNEL_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

/* Units of a term (the channel's policy stores these numbers). */
enum cal_unit { CAL_WORKING_DAYS = 0, CAL_DAYS, CAL_MONTHS, CAL_UNIT_COUNT };

struct cal_calendar {
    const int64_t *holidays; /* sorted ascending; not owned */
    size_t nholidays;
};

/* 0 = Sunday … 6 = Saturday. */
int cal_weekday(int64_t day);

/* 1 if day is Monday–Friday and not a holiday. */
int cal_is_working_day(const struct cal_calendar *cal, int64_t day);

/* The due day `amount` units after start_day (unit: enum cal_unit). For
 * months, the same day of the month, or the month's last day if shorter. */
int64_t cal_add(const struct cal_calendar *cal, int64_t start_day, int amount, int unit);

/* The working days after from_day up to and including to_day (0 when
 * to_day <= from_day): how cal_add counts, so that
 * cal_working_days_between(cal, d, cal_add(cal, d, n, CAL_WORKING_DAYS)) == n. */
int64_t cal_working_days_between(const struct cal_calendar *cal, int64_t from_day, int64_t to_day);

#endif
