/* calendar.h — working days, holidays and deadline arithmetic.
 *
 * Days are counted since 1970-01-01 in the channel's time zone. A working day
 * is Monday to Friday and not a holiday. A deadline falls at the end (23:59:59
 * local) of its due day. The day of submission itself is never counted. */
#ifndef DISSENT_CHANNEL_CALENDAR_H
#define DISSENT_CHANNEL_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

struct chan_calendar {
    const int64_t *holidays; /* sorted ascending; not owned */
    size_t nholidays;
};

/* 0 = Sunday … 6 = Saturday. */
int cal_weekday(int64_t day);

/* 1 if day is Monday–Friday and not a holiday. */
int cal_is_working_day(const struct chan_calendar *cal, int64_t day);

/* The due day `amount` units after start_day (unit: CHAN_UNIT_*). For
 * months, the same day of the month, or the month's last day if shorter. */
int64_t cal_add(const struct chan_calendar *cal, int64_t start_day, int amount, int unit);

#endif
