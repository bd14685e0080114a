/* stats.c — a channel's figures recomputed from checked leaves. */
#include "client/stats.h"

#include "base/tz.h"
#include "base/util.h"
#include "proto/calendar.h"
#include "proto/stats.h"

#include <stdlib.h>
#include <string.h>

const char *const stats_figure_keys[] = {
    "memos_submitted", "overdue_now", "missed_leaves", "acknowledgement", "answer", "months", NULL};

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int stats_recompute(const json_t *leaves, const char *channel, const json_t *calendar, int64_t now,
                    json_t **out, struct err *e)
{
    int rc = -1;
    const char *tz = json_string_value(json_object_get(calendar, "timezone"));
    const json_t *hol = json_object_get(calendar, "holidays");
    size_t n = json_array_size(hol), i;
    int64_t *days = calloc(n + 1, sizeof *days);
    struct cal_calendar cal = {.holidays = days, .nholidays = n};
    json_t *h;

    *out = NULL;
    if (!days) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!tz || !tz_valid(tz) || (hol && !json_is_array(hol))) {
        rc = err_set(e, ERR_INVALID, "the channel's calendar has no valid time zone");
        goto out;
    }
    json_array_foreach(hol, i, h)
    {
        const char *d = json_string_value(h);
        int64_t t = 0;
        if (!d || strlen(d) != 10 || time_parse_utc(d, &t)) {
            rc = err_set(e, ERR_INVALID,
                         "the channel's calendar has a holiday that is not a date "
                         "written YYYY-MM-DD");
            goto out;
        }
        days[i] = t / 86400;
    }
    qsort(days, n, sizeof *days, cmp_i64); /* the calendar searches them in order */
    rc = proto_stats_compute(leaves, channel, tz, &cal, now, out, e);
out:
    free(days);
    return rc;
}
