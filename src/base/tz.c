/* tz.c — time-zone conversions through the C library, serialized because
 * they switch the process's TZ variable. */
#include "base/tz.h"
#include "base/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

int tz_valid(const char *name)
{
    char path[128];
    int ok = 0;
    size_t n = strlen(name);
    if (strcmp(name, "UTC") == 0) {
        ok = 1;
    } else if (n > 0 && n <= TZ_NAME_MAX && !strstr(name, "..") && name[0] != '/') {
        ok = 1;
        for (size_t i = 0; i < n; i++) {
            char c = name[i];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '/' || c == '_' || c == '-' || c == '+'))
                ok = 0;
        }
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
        if (ok && access(path, R_OK) != 0)
            ok = 0;
    }
    return ok;
}

/* Switches TZ to name (caller holds tz_lock); returns the previous value to restore. */
static char *tz_enter(const char *name)
{
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    setenv("TZ", strcmp(name, "UTC") == 0 ? "UTC0" : name, 1);
    tzset();
    return saved;
}

static void tz_leave(char *saved)
{
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}

int64_t tz_local_day(const char *name, int64_t t)
{
    struct tm tm;
    time_t tt = (time_t)t;
    char *saved;
    pthread_mutex_lock(&tz_lock);
    saved = tz_enter(name);
    localtime_r(&tt, &tm);
    tz_leave(saved);
    pthread_mutex_unlock(&tz_lock);
    return days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
}

int64_t tz_end_of_day(const char *name, int64_t day)
{
    struct tm tm = {0};
    int y;
    unsigned m, d;
    time_t t;
    char *saved;

    civil_from_days(day, &y, &m, &d);
    tm.tm_year = y - 1900;
    tm.tm_mon = (int)m - 1;
    tm.tm_mday = (int)d;
    tm.tm_hour = 23;
    tm.tm_min = 59;
    tm.tm_sec = 59;
    tm.tm_isdst = -1;
    pthread_mutex_lock(&tz_lock);
    saved = tz_enter(name);
    t = mktime(&tm);
    tz_leave(saved);
    pthread_mutex_unlock(&tz_lock);
    return (int64_t)t;
}

void tz_format(const char *name, int64_t t, char *out, size_t n)
{
    struct tm tm;
    time_t tt = (time_t)t;
    char *saved;
    pthread_mutex_lock(&tz_lock);
    saved = tz_enter(name);
    localtime_r(&tt, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M %Z", &tm);
    tz_leave(saved);
    pthread_mutex_unlock(&tz_lock);
}
