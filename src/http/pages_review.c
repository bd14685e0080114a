/* pages_review.c — the policy office's side of a memo: acknowledge, extend
 * the answer deadline with a reason, answer, close; and the message thread
 * between the office and the drafters. The forms live on the memo page. */
#include "http/pages.h"

void page_review_acknowledge(struct http_request *req, struct http_response *res, void *app)
{
    page_memo_act_post(req, res, app, CHAN_OP_ACKNOWLEDGE, NULL, "act", "acknowledged", "review");
}

void page_review_extend(struct http_request *req, struct http_response *res, void *app)
{
    page_memo_act_post(req, res, app, CHAN_OP_EXTEND, "reason", "extend", "extended", "review");
}

void page_review_answer(struct http_request *req, struct http_response *res, void *app)
{
    page_memo_act_post(req, res, app, CHAN_OP_ANSWER, "answer", "answer", "answered", "review");
}

void page_review_close(struct http_request *req, struct http_response *res, void *app)
{
    page_memo_act_confirmed(req, res, app, CHAN_OP_CLOSE, "close", "closed", "review",
                            "Tick the box to confirm that you want to close the memo: it cannot "
                            "be undone");
}

void page_review_message(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    const char *id = req->params[0], *body;

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    body = page_field_or_empty(&pg, "message");
    if (!*body) {
        struct memo_form f = {"message", "Write your message before sending it.", body};
        page_memo_show(&pg, id, 0, 400, &f);
        goto out;
    }
    if (chan_message_post(pg.app->chan, req->pool, &pg.actor, id, body, &out, &e)) {
        struct memo_form f = {"message", http_error_message(res, &e), body};
        if (e.code == ERR_NOT_FOUND)
            page_fail(&pg, &e);
        else
            page_memo_show(&pg, id, 0, err_http_status(e.code), &f);
        goto out;
    }
    http_redirect(res, pool_printf(req->pool, "/memos/%s?done=message#messages", id));
out:
    json_decref(out);
    page_end(&pg);
}
