/* access.c — the access log: recording a read, and the view of the log each
 * reader of it may have (access.h). */
#include "channel/access.h"

#include "base/util.h"
#include "channel/can.h"
#include "channel/chan_internal.h"

#include <string.h>

#define ACCESS_ROWS_MAX 1000
#define ACCESS_DAYS_MAX 366

const char *chan_access_as(unsigned roles, int drafter)
{
    if (drafter)
        return "drafter";
    if (roles & CHAN_ROLE_REVIEWER)
        return "reviewer";
    if (roles & CHAN_ROLE_LEADERSHIP)
        return "leadership";
    if (roles & CHAN_ROLE_AUDITOR)
        return "auditor";
    return "member";
}

int chan_access_named(unsigned roles, int drafter)
{
    return drafter || (roles & CHAN_ACCESS_NAMED_ROLES) != 0;
}

int chan_access_record(struct chan *c, const struct actor *a, int64_t memo_id, const char *what,
                       int64_t now, struct err *e)
{
    struct st_read r = {
        .memo_id = memo_id, .reader_id = a->id, .roles = a->roles, .what = what, .at = now};
    return store_access_insert(c->st, &r, e);
}

json_t *chan_reading_json(const struct memo_ctx *x)
{
    int drafter = (x->rel & CHAN_REL_DRAFTER) != 0;
    return json_pack("{s:b,s:s,s:s,s:s}", "recorded", 1, "as", chan_access_as(x->roles, drafter),
                     "drafters_see", chan_access_named(x->roles, drafter) ? "name" : "daily count",
                     "auditors_see", "name");
}

static json_t *entries_json(const struct st_access *r, size_t n)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < n; i++)
        json_array_append_new(rows,
                              json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "memo", r[i].memo, "reader",
                                        r[i].reader, "display_name", r[i].display_name, "as",
                                        chan_access_as(r[i].roles, r[i].drafter), "what", r[i].what,
                                        "at", chan_time_json(r[i].at)));
    return rows;
}

static json_t *days_json(const struct st_access_day *d, size_t n)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < n; i++) {
        char t[21];
        time_format_utc(t, d[i].day * 86400);
        t[10] = '\0'; /* the date */
        json_array_append_new(rows,
                              json_pack("{s:s,s:I,s:I,s:I}", "day", t, "reads",
                                        (json_int_t)d[i].reads, "listed", (json_int_t)d[i].listed,
                                        "readers", (json_int_t)d[i].readers));
    }
    return rows;
}

int chan_access_log(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                    json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    struct st_access *r = NULL;
    struct st_access_day *d = NULL;
    size_t n = 0, nd = 0;
    struct st_access_filter f = {.limit = ACCESS_ROWS_MAX};
    int auditor = (a->roles & CHAN_ROLE_AUDITOR) != 0;

    if (id) {
        if (chan_memo_load(c, p, a, id, &x, e) || chan_check(&x, CHAN_CAN_ACCESS_LOG, 0, e))
            goto out;
        f.memo_id = x.m.id;
    } else if (!auditor) {
        rc = err_set(e, ERR_FORBIDDEN, "only auditors read the whole access log");
        goto out;
    }
    /* Auditors see every read by name; drafters the accountable readers by
     * name and the other members' reads as counts per day. */
    if (!auditor)
        f.named_roles = CHAN_ACCESS_NAMED_ROLES;
    if (store_access_list(c->st, p, &f, &r, &n, e))
        goto out;
    if (!auditor) {
        struct st_access_filter fd = f;
        fd.limit = ACCESS_DAYS_MAX;
        if (store_access_days(c->st, p, &fd, CHAN_ACCESS_LISTED, &d, &nd, e))
            goto out;
    }
    *out = json_pack("{s:s,s:o,s:o}", "view", auditor ? "auditor" : "drafter", "entries",
                     entries_json(r, n), "member_reads", days_json(d, nd));
    if (*out && id)
        json_object_set_new(*out, "memo", json_string(x.m.public_id));
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    return rc;
}
