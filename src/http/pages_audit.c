/* pages_audit.c — the auditor's access log: GET /audit searches it by memo,
 * member and dates, a page at a time, with each memo's title; GET /audit.csv
 * downloads every read the same search finds. Both are auditors' only (the
 * channel refuses everyone else) and both record the titles they show. */
#include "http/pages.h"

#include "channel/roles.h"
#include "http/audit.h"

void page_audit(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    struct chan_access_query q = {0};
    json_t *log = NULL;
    int status = 200;

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    if (!page_has_role(&pg, CHAN_ROLE_AUDITOR)) {
        page_error(&pg, 403, "Only auditors read the whole access log.");
        goto out;
    }
    if (audit_query(req, &q, &e) ||
        chan_access_search(pg.app->chan, req->pool, &pg.actor, &q, &log, &e)) {
        if (e.code != ERR_INVALID && e.code != ERR_NOT_FOUND) {
            page_fail(&pg, &e);
            goto out;
        }
        /* A filter that cannot be used: the form again, as typed. */
        status = err_http_status(e.code);
        page_set_str(&pg, "filter_error", page_sentence(&pg, http_error_message(res, &e)));
    }
    page_frame(&pg, "Access log", "audit", NULL);
    json_object_set_new(pg.data, "form",
                        json_pack("{s:s,s:s,s:s,s:s,s:I}", "memo", q.memo ? q.memo : "", "member",
                                  q.member ? q.member : "", "from", q.from ? q.from : "", "to",
                                  q.to ? q.to : "", "per_page", (json_int_t)q.per_page));
    if (log) {
        json_int_t page = json_integer_value(json_object_get(log, "page"));
        json_int_t pages = json_integer_value(json_object_get(log, "pages"));
        if (page > 1)
            json_object_set_new(pg.data, "prev_page", json_integer(page - 1));
        if (page < pages)
            json_object_set_new(pg.data, "next_page", json_integer(page + 1));
        /* one page needs no "page 1 of 1" nor a navigation */
        json_object_set_new(pg.data, "paged", json_boolean(pages > 1));
        json_object_set(pg.data, "log", log);
    }
    json_object_set_new(pg.data, "page_max", json_integer(CHAN_ACCESS_PAGE_MAX));
    json_object_set_new(pg.data, "export_max", json_integer(CHAN_ACCESS_EXPORT_MAX));
    page_render(&pg, status, "audit");
out:
    json_decref(log);
    page_end(&pg);
}

void page_audit_csv(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    struct chan_access_query q = {0};
    json_t *log = NULL;
    struct buf csv;

    err_init(&e);
    buf_init(&csv, 32u << 20);
    if (page_begin(&pg, req, res, app))
        goto out;
    q.export = 1;
    if (audit_query(req, &q, &e) ||
        chan_access_search(pg.app->chan, req->pool, &pg.actor, &q, &log, &e) ||
        audit_csv(log, &csv, &e)) {
        page_frame(&pg, "Access log", NULL, NULL);
        page_fail(&pg, &e);
        goto out;
    }
    audit_csv_reply(res, &csv);
out:
    buf_release(&csv);
    json_decref(log);
    page_end(&pg);
}
