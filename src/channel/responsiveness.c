/* responsiveness.c — a channel's public responsiveness: the figures of
 * proto/stats.h over every leaf of the log, with the calendar they were
 * counted with, so that anyone holding the log can recompute them. */
#include "base/util.h"
#include "channel/chan_internal.h"
#include "proto/calendar.h"
#include "proto/stats.h"

#include <string.h>

/* The holidays as "YYYY-MM-DD", ascending. */
static json_t *dates_json(const struct cal_calendar *cal)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < cal->nholidays; i++) {
        int y;
        unsigned m, d;
        char date[32];
        civil_from_days(cal->holidays[i], &y, &m, &d);
        snprintf(date, sizeof date, "%04d-%02u-%02u", y, m, d);
        json_array_append_new(arr, json_string(date));
    }
    return arr;
}

/* Every leaf's data, in log order, into leaves; its size into *size. */
static int all_leaves(struct chan *c, json_t *leaves, int64_t *size, struct err *e)
{
    if (store_tlog_size(c->st, size, e))
        return -1;
    for (int64_t at = 0; at < *size; at += CHAN_LOG_PAGE) {
        struct pool p;
        struct st_leaf *l = NULL;
        size_t n = 0;
        int64_t to = *size - at < CHAN_LOG_PAGE ? *size : at + CHAN_LOG_PAGE;
        pool_init(&p, 64u << 20);
        if (store_tlog_leaves(c->st, &p, at, to, &l, &n, e)) {
            pool_release(&p);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            json_array_append_new(leaves, json_stringn(l[i].data, l[i].len));
        pool_release(&p);
    }
    return json_array_size(leaves) == (size_t)*size
               ? 0
               : err_set(e, ERR_NOMEM, "out of memory reading the log");
}

int chan_channel_stats(struct chan *c, struct pool *p, const char *slug, int64_t now, json_t **out,
                       struct err *e)
{
    int rc = -1;
    struct st_channel ch;
    struct cal_calendar cal = {0};
    int64_t size = 0;
    json_t *leaves = json_array(), *st = NULL;

    *out = NULL;
    if (!leaves) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!slug || chan_check_slug("channel", slug, e))
        goto out;
    /* one snapshot: the calendar and the leaves of one moment */
    if (store_begin_read(c->st, e))
        goto out;
    rc = store_channel_by_slug(c->st, p, slug, &ch, e) ||
                 chan_calendar_load(c, p, ch.id, &cal, e) || all_leaves(c, leaves, &size, e)
             ? -1
             : 0;
    store_rollback(c->st);
    if (rc)
        goto out;
    rc = -1;
    if (proto_stats_compute(leaves, ch.slug, ch.timezone, &cal, now, &st, e))
        goto out;
    if (json_object_set_new(st, "channel_name", json_string(ch.name)) ||
        json_object_set_new(st, "log_size", json_integer(size)) ||
        json_object_set_new(
            st, "calendar",
            json_pack("{s:s,s:o}", "timezone", ch.timezone, "holidays", dates_json(&cal)))) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    *out = st;
    st = NULL;
    rc = 0;
out:
    json_decref(st);
    json_decref(leaves);
    return rc;
}
