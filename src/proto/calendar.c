/* calendar.c — deadline arithmetic over working days and months. */
#include "proto/calendar.h"
#include "base/util.h"

int cal_weekday(int64_t day)
{
    /* 1970-01-01 was a Thursday (4). */
    int64_t w = (day + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static int is_holiday(const struct cal_calendar *cal, int64_t day)
{
    size_t lo = 0, hi = cal->nholidays;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->holidays[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < cal->nholidays && cal->holidays[lo] == day;
}

int cal_is_working_day(const struct cal_calendar *cal, int64_t day)
{
    int w = cal_weekday(day);
    return w != 0 && w != 6 && !is_holiday(cal, day);
}

static int days_in_month(int y, unsigned m)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : mdays[m - 1];
}

int64_t cal_add(const struct cal_calendar *cal, int64_t start_day, int amount, int unit)
{
    int64_t day = start_day;
    if (unit == CAL_WORKING_DAYS) {
        int left = amount;
        while (left > 0) {
            day++;
            if (cal_is_working_day(cal, day))
                left--;
        }
    } else if (unit == CAL_DAYS) {
        day += amount;
    } else {
        int y;
        unsigned m, d;
        int64_t months;
        civil_from_days(start_day, &y, &m, &d);
        months = (int64_t)y * 12 + (m - 1) + amount;
        y = (int)(months / 12);
        m = (unsigned)(months % 12) + 1;
        if ((int)d > days_in_month(y, m))
            d = (unsigned)days_in_month(y, m);
        day = days_from_civil(y, m, d);
    }
    return day;
}

int64_t cal_working_days_between(const struct cal_calendar *cal, int64_t from_day, int64_t to_day)
{
    int64_t n = 0;
    for (int64_t d = from_day + 1; d <= to_day; d++)
        n += cal_is_working_day(cal, d);
    return n;
}
