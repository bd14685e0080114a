/* stats.h — recomputing a channel's responsiveness outside the server:
 * proto/stats.h's one definition, over leaves the caller fetched and
 * checked against a signed checkpoint, with the channel's published
 * calendar. */
#ifndef DISSENT_CLIENT_STATS_H
#define DISSENT_CLIENT_STATS_H

#include "base/compat.h"
#include "base/err.h"

#include <jansson.h>
#include <stdint.h>

/* Computes the figures of channel at now (proto_stats_compute) from leaves
 * (an array of leaf data strings, in log order) and calendar, the channel's
 * {timezone, holidays: ["YYYY-MM-DD"…]} as the public API publishes it.
 * *out: a new object. Returns 0, or -1 with ERR_INVALID for a calendar that
 * is not one (unknown zone, a malformed date) or a leaf that does not
 * check. */
int stats_recompute(const json_t *leaves, const char *channel, const json_t *calendar, int64_t now,
                    json_t **out, struct err *e) WUR;

/* The keys of the figures both sides compute (proto/stats.h), to compare a
 * server's reply with a recomputation; NULL-terminated. */
extern const char *const stats_figure_keys[];

#endif
