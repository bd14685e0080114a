/* tz.h — time zones by IANA name (from the system's tzdata), for showing
 * times and computing deadlines in a channel's zone. Times are stored in UTC. */
#ifndef DISSENT_BASE_TZ_H
#define DISSENT_BASE_TZ_H

#include "base/compat.h"
#include <stddef.h>
#include <stdint.h>

/* Longest zone name accepted. */
#define TZ_NAME_MAX 64

/* Returns 1 if name is "UTC" or a zone in /usr/share/zoneinfo, else 0. */
int tz_valid(const char *name);

/* The local calendar day (days since 1970-01-01) of the UTC instant t in zone name. */
int64_t tz_local_day(const char *name, int64_t t);

/* The UTC instant of 23:59:59 local time on the given local day in zone name. */
int64_t tz_end_of_day(const char *name, int64_t day);

/* Writes "YYYY-MM-DD HH:MM ZZZ" for t in zone name into out (size n). */
void tz_format(const char *name, int64_t t, char *out, size_t n);

#endif
