/* stats.h — a channel's responsiveness, computed from the public log alone.
 *
 * One function, used by the server for its public page and API
 * (chan_channel_stats) and by `dissent stats` on leaves it fetched and
 * checked against the signed checkpoint itself: the same definitions on both
 * sides, so anyone can recompute the figures and compare.
 *
 * From the leaves (docs/protocol-tlog.md): a memo belongs to the channel of
 * its first "version" leaf; a "state" leaf "submitted" gives both deadlines
 * (acknowledge_due, answer_due), "extended" a new answer_due,
 * "acknowledged" / "answered" / "withdrawn" their times ("at"). A deadline
 * is met when its event came at or before it; missed when it came later,
 * or never came and the deadline passed before now (or before a
 * withdrawal); overdue now when still open and passed. Working days are
 * counted with proto/calendar.h in the channel's time zone, from the day of
 * submission (not counted) to the day of the event. */
#ifndef DISSENT_PROTO_STATS_H
#define DISSENT_PROTO_STATS_H

#include "base/compat.h"
#include "base/err.h"
#include "proto/calendar.h"

#include <jansson.h>
#include <stdint.h>

/* Computes the figures of channel (its slug) at time now from leaves, an
 * array of the log's leaf data (strings, in log order; each must pass
 * proto_leaf_check), with the channel's time zone and calendar (NULL: no
 * holidays):
 *   {channel, timezone, as_of, memos_submitted, overdue_now,
 *    acknowledgement: {met, missed, pending, overdue_now, median_working_days},
 *    answer: {…the same…},
 *    missed_leaves: the "deadline-missed" leaves about the channel's memos,
 *    months: [{month: "YYYY-MM", met, missed}] — deadlines (both kinds) by
 *    the local month they fell due, oldest first, decided ones only}.
 * pending: not due yet and not met; median_working_days: over the deadlines
 * met or missed that were met at all (null when none), a number that may end
 * in .5. *out is a new object. Returns 0, or -1 with ERR_INVALID naming the
 * first leaf that does not check. */
int proto_stats_compute(const json_t *leaves, const char *channel, const char *timezone,
                        const struct cal_calendar *cal, int64_t now, json_t **out,
                        struct err *e) WUR;

#endif
