/* pages_memo.c — a memo: its text at one version, the versions, the diff
 * between two, co-signature counts and their chart, the actions the reader
 * may take, the review timeline and the message thread; the signer list and
 * the memo's access log. The handlers pass the channel's JSON to the
 * templates and read none of it back. */
#include "http/pages.h"

#include "base/util.h"

#include <stdio.h>
#include <string.h>

/* ---- small helpers ---- */

static int parse_version_arg(const char *s, int *out)
{
    int64_t v;
    if (!s || !*s) {
        *out = 0;
        return 0;
    }
    if (parse_i64(s, 1, 1000000, &v))
        return -1;
    *out = (int)v;
    return 0;
}

/* Notices after a successful POST (?done=<key>): fixed texts, nothing reflected. */
static const char *done_notice(const char *key)
{
    static const char *const notices[][2] = {
        {"signed", "Your co-signature is recorded."},
        {"moved", "Your co-signature now stands on this version."},
        {"unsigned", "Your co-signature is withdrawn."},
        {"circulated", "The memo is now circulating: members may read and co-sign it."},
        {"submitted", "The memo is submitted to the policy office. Deadlines are running."},
        {"withdrawn", "The memo is withdrawn."},
        {"saved", "Saved as a new version."},
        {"created", "Draft created. It is visible only to its drafters until you circulate it."},
        {"acknowledged", "Acknowledged. The drafters can see it."},
        {"extended", "The answer deadline is extended; the reason is shown to the drafters."},
        {"answered", "The answer is recorded and shown to the drafters."},
        {"closed", "The memo is closed."},
        {"message", "Message sent."},
        {"rings", "The signing rings are up to date with the rosters."},
        {"drafter_added", "The co-drafter is added: they may now edit, circulate and submit."},
        {"drafter_removed", "The co-drafter is removed."},
    };
    for (size_t i = 0; key && i < ARRAY_LEN(notices); i++)
        if (strcmp(notices[i][0], key) == 0)
            return notices[i][1];
    return NULL;
}

/* ---- the memo page ---- */

/* The memo page hands the channel's JSON to web/templates/memo.html as it
 * is: "memo" (with "can": what the reader may do, and "review": deadlines),
 * "versions", and, when the channel lets the reader have them, "counts"
 * (with the timeline the chart is drawn from) and "messages". The template
 * derives the rest (tmpl_helpers.c). */
void page_memo_show(struct page *pg, const char *id, int version, int status,
                    const struct memo_form *form)
{
    struct chan *c = pg->app->chan;
    struct pool *p = pg->req->pool;
    struct err e;
    json_t *memo = NULL, *versions = NULL, *counts = NULL, *msgs = NULL, *d = pg->data;
    const char *notice;

    err_init(&e);
    if (chan_memo_get(c, p, &pg->actor, id, version, &memo, &e) ||
        chan_memo_versions(c, p, &pg->actor, id, &versions, &e)) {
        page_fail(pg, &e);
        goto out;
    }
    page_frame(pg, NULL, NULL, NULL); /* title and marking: the memo's, in the template */
    json_object_set(d, "memo", memo);
    json_object_set(d, "versions", versions);
    page_organizations(pg);
    /* The channel refuses these to readers who may not have them (the
     * template shows them under memo.can.counts and memo.can.read_messages). */
    if (chan_counts(c, p, &pg->actor, id, &counts, &e) == 0)
        json_object_set(d, "counts", counts);
    err_init(&e);
    if (chan_messages(c, p, &pg->actor, id, &msgs, &e) == 0)
        json_object_set(d, "messages", msgs);
    err_init(&e);

    /* A refused form, shown again with what was typed. */
    {
        json_t *forms = json_object();
        if (form && form->form) {
            const char *msg = page_sentence(pg, form->error);
            json_object_set_new(
                forms, form->form,
                json_pack("{s:s,s:s}", "error", msg, "text", form->text ? form->text : ""));
            if (*msg)
                page_set_str(pg, "error", msg);
        }
        json_object_set_new(d, "forms", forms);
    }
    notice = form ? NULL : done_notice(http_query(pg->req, "done"));
    if (notice)
        page_set_str(pg, "notice", notice);
    page_render(pg, status, "memo");
out:
    json_decref(memo);
    json_decref(versions);
    json_decref(counts);
    json_decref(msgs);
}

void page_memo(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    int v = 0;
    if (page_begin(&pg, req, res, app))
        goto out;
    if (parse_version_arg(http_query(req, "version"), &v)) {
        page_error(&pg, 400, "The version must be a number: 1, 2, …");
        goto out;
    }
    page_memo_show(&pg, req->params[0], v, 200, NULL);
out:
    page_end(&pg);
}

/* ---- actions on the memo page ---- */

/* Redirects to the memo (at version v when not 0) with a done notice. */
static void redirect_done(struct page *pg, const char *id, int v, const char *done,
                          const char *anchor)
{
    const char *loc;
    if (v)
        loc = pool_printf(pg->req->pool, "/memos/%s?version=%d&done=%s#%s", id, v, done, anchor);
    else
        loc = pool_printf(pg->req->pool, "/memos/%s?done=%s#%s", id, done, anchor);
    http_redirect(pg->res, loc ? loc : "/");
}

void page_memo_act_post(struct http_request *req, struct http_response *res, void *app,
                        enum chan_op op, const char *field, const char *form_name, const char *done,
                        const char *anchor)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    const char *id = req->params[0], *text = NULL;
    int shown = 0;

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    (void)parse_version_arg(page_field(&pg, "shown"), &shown);
    if (field) {
        text = page_field_or_empty(&pg, field);
        if (!*text) {
            struct memo_form f = {form_name, "Write something in the box before sending.", text};
            page_memo_show(&pg, id, shown, 400, &f);
            goto out;
        }
    }
    if (chan_memo_act(pg.app->chan, req->pool, &pg.actor, id, op, text, &out, &e)) {
        struct memo_form f = {form_name, http_error_message(res, &e), text};
        if (e.code == ERR_NOT_FOUND || e.code == ERR_UNAUTHORIZED)
            page_fail(&pg, &e);
        else
            page_memo_show(&pg, id, shown, err_http_status(e.code), &f);
        goto out;
    }
    redirect_done(&pg, id, 0, done, anchor);
out:
    json_decref(out);
    page_end(&pg);
}

void page_memo_act_confirmed(struct http_request *req, struct http_response *res, void *app,
                             enum chan_op op, const char *form_name, const char *done,
                             const char *anchor, const char *unconfirmed)
{
    struct page pg;
    const char *ok;
    int shown = 0;

    if ((ok = http_form(req, "confirm")) != NULL && strcmp(ok, "yes") == 0) {
        /* A refusal by the channel shows at the top of the drafters' panel
         * ("act"), which stays on the page whatever the memo's state. */
        page_memo_act_post(req, res, app, op, NULL, "act", done, anchor);
        return;
    }
    if (page_begin(&pg, req, res, app))
        goto out;
    (void)parse_version_arg(page_field(&pg, "shown"), &shown);
    {
        struct memo_form f = {form_name, unconfirmed, NULL};
        page_memo_show(&pg, req->params[0], shown, 400, &f);
    }
out:
    page_end(&pg);
}

/* Adds (params: id) or removes (params: id, username) a co-drafter; a
 * refusal shows the memo page again with the drafters' form and its error. */
static void drafter_change(struct http_request *req, struct http_response *res, void *app, int add)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    const char *id = req->params[0], *who;
    int rc;

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    who = add ? page_field_or_empty(&pg, "username") : req->params[1];
    if (add && !*who) {
        struct memo_form f = {"drafters", "Write the username of the member to add.", who};
        page_memo_show(&pg, id, 0, 400, &f);
        goto out;
    }
    rc = add ? chan_memo_add_drafter(pg.app->chan, req->pool, &pg.actor, id, who, &out, &e)
             : chan_memo_remove_drafter(pg.app->chan, req->pool, &pg.actor, id, who, &out, &e);
    if (rc) {
        struct memo_form f = {"drafters", http_error_message(res, &e), add ? who : ""};
        if (e.code == ERR_UNAUTHORIZED || (e.code == ERR_NOT_FOUND && !pg.logged_in))
            page_fail(&pg, &e);
        else
            page_memo_show(&pg, id, 0, err_http_status(e.code), &f);
        goto out;
    }
    /* Whoever leaves a draft no longer reads it: home instead. */
    if (!add && strcmp(who, pg.actor.username) == 0)
        http_redirect(res, "/?done=1");
    else
        redirect_done(&pg, id, 0, add ? "drafter_added" : "drafter_removed", "drafters");
out:
    json_decref(out);
    page_end(&pg);
}

void page_memo_drafter_add(struct http_request *req, struct http_response *res, void *app)
{
    drafter_change(req, res, app, 1);
}

void page_memo_drafter_remove(struct http_request *req, struct http_response *res, void *app)
{
    drafter_change(req, res, app, 0);
}

void page_memo_refresh_rings(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    const char *id = req->params[0];
    int shown = 0;

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    (void)parse_version_arg(page_field(&pg, "shown"), &shown);
    if (chan_memo_refresh_rings(pg.app->chan, req->pool, &pg.actor, id, &out, &e)) {
        struct memo_form f = {"act", http_error_message(res, &e), NULL};
        if (e.code == ERR_NOT_FOUND || e.code == ERR_UNAUTHORIZED)
            page_fail(&pg, &e);
        else
            page_memo_show(&pg, id, shown, err_http_status(e.code), &f);
        goto out;
    }
    redirect_done(&pg, id, 0, "rings", "drafting");
out:
    json_decref(out);
    page_end(&pg);
}

void page_memo_circulate(struct http_request *req, struct http_response *res, void *app)
{
    page_memo_act_post(req, res, app, CHAN_OP_CIRCULATE, NULL, "act", "circulated", "top");
}

void page_memo_submit(struct http_request *req, struct http_response *res, void *app)
{
    page_memo_act_confirmed(req, res, app, CHAN_OP_SUBMIT, "submit", "submitted", "top",
                            "Tick the box to confirm that you want to submit the memo: it cannot "
                            "be undone");
}

void page_memo_withdraw(struct http_request *req, struct http_response *res, void *app)
{
    page_memo_act_confirmed(req, res, app, CHAN_OP_WITHDRAW, "withdraw", "withdrawn", "top",
                            "Tick the box to confirm that you want to withdraw the memo: it cannot "
                            "be undone");
}

void page_memo_sign(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    const char *id = req->params[0];
    int v = 0, moved;

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    if (parse_version_arg(page_field(&pg, "version"), &v)) {
        page_error(&pg, 400, "The version must be a number: 1, 2, …");
        goto out;
    }
    moved = page_field(&pg, "move") != NULL;
    if (chan_sign(pg.app->chan, req->pool, &pg.actor, id, v, &out, &e)) {
        struct memo_form f = {"sign", http_error_message(res, &e), NULL};
        if (e.code == ERR_NOT_FOUND)
            page_fail(&pg, &e);
        else
            page_memo_show(&pg, id, v, err_http_status(e.code), &f);
        goto out;
    }
    redirect_done(&pg, id, v, moved ? "moved" : "signed", "signatures");
out:
    json_decref(out);
    page_end(&pg);
}

void page_memo_unsign(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    const char *id = req->params[0];
    int v = 0;

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    (void)parse_version_arg(page_field(&pg, "shown"), &v);
    if (chan_unsign(pg.app->chan, req->pool, &pg.actor, id, &out, &e)) {
        struct memo_form f = {"sign", http_error_message(res, &e), NULL};
        if (e.code == ERR_NOT_FOUND)
            page_fail(&pg, &e);
        else
            page_memo_show(&pg, id, v, err_http_status(e.code), &f);
        goto out;
    }
    redirect_done(&pg, id, v, "unsigned", "signatures");
out:
    json_decref(out);
    page_end(&pg);
}

/* ---- the diff between two versions ---- */

void page_memo_diff(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *diff = NULL, *versions = NULL, *d;
    const char *id = req->params[0], *view = http_query(req, "view");
    int from = 0, to = 0, side = view && strcmp(view, "side") == 0;

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    d = pg.data;
    if (parse_version_arg(http_query(req, "from"), &from) ||
        parse_version_arg(http_query(req, "to"), &to) || !from || !to) {
        page_error(&pg, 400, "Choose two versions to compare: from and to are version numbers.");
        goto out;
    }
    if (chan_memo_versions(pg.app->chan, req->pool, &pg.actor, id, &versions, &e) ||
        chan_memo_diff(pg.app->chan, req->pool, &pg.actor, id, from, to, &diff, &e)) {
        page_fail(&pg, &e);
        goto out;
    }
    /* The banner: the higher marking of the two (in the template). */
    page_frame(&pg, pool_printf(req->pool, "Changes from version %d to %d", from, to), NULL, NULL);
    json_object_set_new(d, "id", json_string(id));
    json_object_set_new(d, "from", json_integer(from));
    json_object_set_new(d, "to", json_integer(to));
    json_object_set(d, "versions", versions);
    json_object_set(d, "diff", diff);
    json_object_set_new(d, "side", json_boolean(side));
    page_render(&pg, 200, "diff");
out:
    json_decref(diff);
    json_decref(versions);
    page_end(&pg);
}

/* ---- who signed, who read ---- */

/* The heading of both pages is the title and marking of the latest version,
 * from the version list (which reads no text and is not logged): see
 * signers.html and access.html. */

void page_memo_signers(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL, *versions = NULL;
    const char *id = req->params[0];
    const char *after = http_query(req, "after");
    struct chan_signers_page at;

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    /* one page (CHAN_SIGNERS_PAGE_DEFAULT) with a link to the next */
    if (chan_signers_page_args(after, http_query(req, "limit"), &at, &e) ||
        chan_memo_versions(pg.app->chan, req->pool, &pg.actor, id, &versions, &e) ||
        chan_signers(pg.app->chan, req->pool, &pg.actor, id, &at, &out, &e)) {
        page_fail(&pg, &e);
        goto out;
    }
    page_frame(&pg, NULL, NULL, NULL);
    page_organizations(&pg);
    json_object_set(pg.data, "versions", versions);
    json_object_set(pg.data, "signers", out);
    json_object_set_new(pg.data, "id", json_string(id));
    json_object_set_new(pg.data, "later_page", json_boolean(after && *after));
    json_object_set_new(pg.data, "page_limit", json_integer(at.limit));
    page_render(&pg, 200, "signers");
out:
    json_decref(out);
    json_decref(versions);
    page_end(&pg);
}

void page_memo_access(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL, *versions = NULL;
    const char *id = req->params[0];

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    if (chan_access_log(pg.app->chan, req->pool, &pg.actor, id, &out, &e)) {
        page_fail(&pg, &e);
        goto out;
    }
    /* The title, for those who may read it: an auditor reads the access log
     * of any memo but not the memo itself, and gets the page without it. */
    if (chan_memo_versions(pg.app->chan, req->pool, &pg.actor, id, &versions, &e))
        err_init(&e);
    page_frame(&pg, NULL, NULL, NULL);
    json_object_set(pg.data, "versions", versions);
    json_object_set(pg.data, "log", out);
    json_object_set_new(pg.data, "id", json_string(id));
    page_render(&pg, 200, "access");
out:
    json_decref(out);
    json_decref(versions);
    page_end(&pg);
}
