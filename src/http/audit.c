/* audit.c — the auditor's access log: its query and its CSV (audit.h). */
#include "http/audit.h"

#include "base/csv.h"
#include "base/util.h"

#include <stdio.h>

/* A whole number from the query, or 0 when absent or blank. */
static int query_int(const struct http_request *req, const char *name, int64_t *out, struct err *e)
{
    const char *s = http_query(req, name);
    *out = 0;
    if (!s || !*s)
        return 0;
    if (parse_i64(s, 1, INT32_MAX, out))
        return err_set(e, ERR_INVALID, "%s must be a whole number from 1, not \"%.20s\"", name, s);
    return 0;
}

int audit_query(const struct http_request *req, struct chan_access_query *q, struct err *e)
{
    q->memo = http_query(req, "memo");
    q->member = http_query(req, "member");
    q->from = http_query(req, "from");
    q->to = http_query(req, "to");
    return query_int(req, "page", &q->page, e) || query_int(req, "per_page", &q->per_page, e) ? -1
                                                                                              : 0;
}

int audit_csv(const json_t *log, struct buf *out, struct err *e)
{
    static const char *const cols[] = {"at",           "memo", "title", "reader",
                                       "display_name", "as",   "what"};
    size_t i;
    json_t *x;
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
        if (csv_field(out, cols[k], k == 0, e))
            return -1;
    if (csv_end(out, e))
        return -1;
    json_array_foreach(json_object_get(log, "entries"), i, x)
    {
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
            if (csv_field(out, json_string_value(json_object_get(x, cols[k])), k == 0, e))
                return -1;
        if (csv_end(out, e))
            return -1;
    }
    return 0;
}

void audit_csv_reply(struct http_response *res, const struct buf *out)
{
    char day[21], disp[96];
    time_format_utc(day, now_utc());
    day[10] = '\0';
    snprintf(disp, sizeof disp, "attachment; filename=\"dissent-access-log-%s.csv\"", day);
    http_reply_bytes(res, 200, AUDIT_CSV_TYPE, buf_str(out), out->len);
    if (res->status == 200 && http_set_header(res, "Content-Disposition", disp))
        http_reply_errorf(res, ERR_NOMEM, "out of memory");
}
