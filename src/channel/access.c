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
    for (size_t i = 0; rows && i < n; i++) {
        json_t *row = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "memo", r[i].memo, "reader",
                                r[i].reader, "display_name", r[i].display_name, "as",
                                chan_access_as(r[i].roles, r[i].drafter), "what", r[i].what, "at",
                                chan_time_json(r[i].at));
        if (row && r[i].title)
            json_object_set_new(row, "title", json_string(r[i].title));
        json_array_append_new(rows, row);
    }
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
    struct st_access_filter f = {.limit = ACCESS_ROWS_MAX + 1}; /* one more: cut or not */
    int truncated;
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
    truncated = n > ACCESS_ROWS_MAX;
    if (truncated)
        n = ACCESS_ROWS_MAX;
    if (!auditor) {
        struct st_access_filter fd = f;
        fd.limit = ACCESS_DAYS_MAX;
        if (store_access_days(c->st, p, &fd, CHAN_ACCESS_LISTED, &d, &nd, e))
            goto out;
    }
    *out = json_pack("{s:s,s:o,s:o,s:b,s:i}", "view", auditor ? "auditor" : "drafter", "entries",
                     entries_json(r, n), "member_reads", days_json(d, nd), "truncated", truncated,
                     "shown_max", ACCESS_ROWS_MAX);
    if (*out && id)
        json_object_set_new(*out, "memo", json_string(x.m.public_id));
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    return rc;
}

static int blank(const char *s)
{
    return !s || !*s;
}

/* A UTC day "YYYY-MM-DD" as the instant it starts; *t is left alone for a
 * blank one. */
static int parse_day(const char *s, const char *which, int64_t *t, struct err *e)
{
    int64_t v;
    if (blank(s))
        return 0;
    if (strlen(s) != 10 || time_parse_utc(s, &v))
        return err_set(e, ERR_INVALID, "the %s date must be a day as YYYY-MM-DD, not \"%.40s\"",
                       which, s);
    *t = v;
    return 0;
}

/* Checks q and turns it into a store filter. */
static int query_filter(struct chan *c, struct pool *p, const struct chan_access_query *q,
                        struct st_access_filter *f, struct err *e)
{
    int64_t from = 0, to = 0;
    if (parse_day(q->from, "start", &from, e) || parse_day(q->to, "end", &to, e))
        return -1;
    if (!blank(q->from) && !blank(q->to) && from > to)
        return err_set(e, ERR_INVALID, "the start date %s is after the end date %s", q->from,
                       q->to);
    if (q->page < 0)
        return err_set(e, ERR_INVALID, "the page must be 1 or more");
    if (q->per_page < 0 || q->per_page > CHAN_ACCESS_PAGE_MAX)
        return err_set(e, ERR_INVALID, "a page holds at most %d reads", CHAN_ACCESS_PAGE_MAX);
    if (!blank(q->memo)) {
        struct st_memo m;
        if (store_memo_by_public_id(c->st, p, q->memo, &m, e))
            return e->code == ERR_NOT_FOUND
                       ? err_set(e, ERR_NOT_FOUND, "no memo has the id \"%.64s\"", q->memo)
                       : -1;
        f->memo_id = m.id;
    }
    if (!blank(q->member)) {
        struct st_member m;
        if (store_member_by_username(c->st, p, q->member, &m, e))
            return e->code == ERR_NOT_FOUND
                       ? err_set(e, ERR_NOT_FOUND, "no member is called \"%.64s\"", q->member)
                       : -1;
        f->reader = q->member;
    }
    f->from = blank(q->from) ? 0 : from;
    f->to = blank(q->to) ? 0 : to + 86400; /* the end day is included */
    f->titles = 1;
    return 0;
}

/* One row per memo whose title the reply shows. */
static int record_titles(struct chan *c, const struct actor *a, const struct st_access *r, size_t n,
                         const char *what, int64_t now, struct err *e)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && r[j].memo_id != r[i].memo_id)
            j++;
        if (j == i && r[i].title && chan_access_record(c, a, r[i].memo_id, what, now, e))
            return -1;
    }
    return 0;
}

static json_t *opt_str(const char *s)
{
    return blank(s) ? json_null() : json_string(s);
}

int chan_access_search(struct chan *c, struct pool *p, const struct actor *a,
                       const struct chan_access_query *q, json_t **out, struct err *e)
{
    int rc = -1;
    struct st_access_filter f = {0};
    struct st_access *r = NULL;
    size_t n = 0;
    int64_t total = 0, page = q->page > 0 ? q->page : 1;
    int64_t per = q->per_page > 0 ? q->per_page : CHAN_ACCESS_PAGE_DEFAULT;

    *out = NULL;
    if (!(a->roles & CHAN_ROLE_AUDITOR))
        return err_set(e, ERR_FORBIDDEN, "only auditors read the whole access log");
    if (store_begin(c->st, e))
        return -1;
    if (query_filter(c, p, q, &f, e) || store_access_count(c->st, &f, &total, e))
        goto fail;
    if (q->export) {
        if (total > CHAN_ACCESS_EXPORT_MAX) {
            err_set(e, ERR_INVALID,
                    "%lld reads match; an export holds at most %d: narrow the dates or choose "
                    "a memo or a member",
                    (long long)total, CHAN_ACCESS_EXPORT_MAX);
            goto fail;
        }
        page = 1;
        per = total;
        f.limit = (int)total;
    } else {
        if (page > INT64_MAX / per)
            page = INT64_MAX / per;
        f.limit = (int)per;
        f.offset = (page - 1) * per;
    }
    if (f.limit > 0 && store_access_list(c->st, p, &f, &r, &n, e))
        goto fail;
    if (record_titles(c, a, r, n, q->export ? CHAN_ACCESS_EXPORTED : CHAN_ACCESS_AUDITED, now_utc(),
                      e))
        goto fail;
    *out = json_pack("{s:s,s:{s:o,s:o,s:o,s:o},s:I,s:I,s:I,s:I,s:o,s:[]}", "view", "auditor",
                     "filters", "memo", opt_str(q->memo), "member", opt_str(q->member), "from",
                     opt_str(q->from), "to", opt_str(q->to), "total", (json_int_t)total, "page",
                     (json_int_t)page, "per_page", (json_int_t)per, "pages",
                     (json_int_t)(per > 0 ? (total + per - 1) / per : 0), "entries",
                     entries_json(r, n), "member_reads");
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
fail:
    rc = chan_tx_end(c, rc, out, e);
    return rc;
}
