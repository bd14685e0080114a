/* pages_public.c — the public page, open to everyone without an account:
 * check a copy of a memo, the latest signed checkpoint, the rosters, and the
 * public counts of a memo. Nothing here reads a session for access. */
#include "http/pages.h"

#include "base/util.h"

/* Fills the sections every visit shows: the checkpoint and the rosters,
 * and the memo of ?memo= when given. */
static void public_fill(struct page *pg)
{
    struct err e;
    json_t *cp = NULL, *key = NULL, *rosters = NULL, *memo = NULL, *channels = NULL;
    const char *q = http_query(pg->req, "memo");
    err_init(&e);
    if (chan_log_checkpoint(pg->app->chan, &cp, &e) == 0 &&
        chan_log_key(pg->app->chan, &key, &e) == 0) {
        json_object_set(pg->data, "log", cp);
        json_object_set(pg->data, "log_key", key);
    }
    if (chan_channel_list(pg->app->chan, &channels, &e) == 0)
        json_object_set_new(pg->data, "channels", channels); /* links to their figures */
    if (chan_roster_list(pg->app->chan, &rosters, &e) == 0) {
        json_t *orgs = json_array(), *r;
        size_t i;
        json_object_set(pg->data, "rosters", rosters); /* shown: those with entries */
        /* every organization has a roster: their names, for the org_name
         * partial (a memo's co-signatures per organization) */
        json_array_foreach(json_object_get(rosters, "rosters"), i, r) json_array_append_new(
            orgs, json_pack("{s:O?,s:O?}", "slug", json_object_get(r, "organization"), "name",
                            json_object_get(r, "name")));
        json_object_set_new(pg->data, "organizations", orgs);
    }
    if (q && *q) {
        page_set_str(pg, "memo_query", q);
        if (chan_public_memo(pg->app->chan, pg->req->pool, q, &memo, &e) == 0)
            json_object_set_new(pg->data, "memo", memo);
        else
            page_set_str(pg, "error", page_sentence(pg, http_error_message(pg->res, &e)));
    }
    json_decref(cp);
    json_decref(key);
    json_decref(rosters);
}

void page_public(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    page_begin_open(&pg, req, res, app);
    page_frame(&pg, "Public record", "public", NULL);
    public_fill(&pg);
    page_render(&pg, 200, "public");
    page_end(&pg);
}

void page_public_check(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    const char *copy;
    int status = 200;

    err_init(&e);
    page_begin_open(&pg, req, res, app);
    page_frame(&pg, "Check a copy", "public", NULL);
    copy = page_field(&pg, "copy");
    page_set_str(&pg, "copy", copy);
    if (!copy || !*copy) {
        status = 400;
        page_set_str(&pg, "error", "Paste the copy to check first.");
    } else if (chan_copy_check(pg.app->chan, copy, &out, &e)) {
        status = err_http_status(e.code);
        page_set_str(&pg, "error", page_sentence(&pg, http_error_message(res, &e)));
    } else {
        json_object_set_new(pg.data, "check", out); /* findings: in the template */
        out = NULL;
    }
    public_fill(&pg);
    page_render(&pg, status, "public");
    json_decref(out);
    page_end(&pg);
}

void page_public_find(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *memo = NULL;
    const char *query;
    int status = 200;

    err_init(&e);
    page_begin_open(&pg, req, res, app);
    page_frame(&pg, "Find a memo", "public", NULL);
    query = page_field_or_empty(&pg, "query");
    page_set_str(&pg, "lookup", query);
    public_fill(&pg);
    if (chan_public_find(pg.app->chan, req->pool, query, &memo, &e)) {
        status = err_http_status(e.code);
        page_set_str(&pg, "lookup_error", page_sentence(&pg, http_error_message(res, &e)));
    } else {
        json_object_set_new(pg.data, "memo", memo); /* the facts, as for ?memo= */
    }
    page_render(&pg, status, "public");
    page_end(&pg);
}

void page_public_channel(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *st = NULL;
    err_init(&e);
    page_begin_open(&pg, req, res, app);
    if (chan_channel_stats(pg.app->chan, req->pool, req->params[0], now_utc(), &st, &e)) {
        page_frame(&pg, "Channel", "public", NULL);
        page_fail(&pg, &e);
    } else {
        page_frame(&pg, "Responsiveness", "public", NULL);
        json_object_set_new(pg.data, "stats", st);
        page_render(&pg, 200, "public_channel");
    }
    page_end(&pg);
}
