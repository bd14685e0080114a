/* pages_memo.c — a memo: its text at one version, the versions, the diff
 * between two, co-signature counts and their chart, the actions the reader
 * may take, the review timeline and the message thread; the signer list and
 * the memo's access log. */
#include "http/pages.h"

#include "base/tz.h"
#include "base/util.h"
#include "channel/roles.h"
#include "channel/rules.h"

#include <stdio.h>
#include <string.h>

/* ---- small helpers ---- */

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

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
    };
    for (size_t i = 0; key && i < ARRAY_LEN(notices); i++)
        if (strcmp(notices[i][0], key) == 0)
            return notices[i][1];
    return NULL;
}

/* ---- the chart of co-signatures over time (server-rendered SVG) ---- */

#define CH_W 320
#define CH_H 150
#define CH_L 30
#define CH_R 10
#define CH_T 10
#define CH_B 24

/* "YYYY-MM-DD" of t in zone. */
static void date_only(const char *zone, int64_t t, char *out, size_t n)
{
    tz_format(zone && *zone ? zone : "UTC", t, out, n);
    if (n > 10)
        out[10] = '\0';
}

static int nice_max(int64_t m)
{
    static const int steps[] = {1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000};
    for (size_t i = 0; i < ARRAY_LEN(steps); i++)
        if (m <= steps[i])
            return steps[i];
    return (int)((m + 999) / 1000 * 1000);
}

/* Builds {points, y_ticks:[{y,label}], x_ticks:[{x,label,anchor}], summary}
 * from timeline [{at,total}], between t0 (creation) and now. NULL if empty. */
static json_t *chart_json(struct page *pg, const json_t *timeline, const char *created_at,
                          const char *zone)
{
    struct buf pts;
    struct err e;
    int64_t t0, t1 = now_utc(), tend, ymax = 0, prev = 0;
    size_t i, n = json_array_size(timeline);
    json_t *it, *out = NULL, *yt, *xt;
    double pw = CH_W - CH_L - CH_R, ph = CH_H - CH_T - CH_B;
    int top;
    char date[64];

    if (n == 0 || time_parse_utc(created_at, &t0))
        return NULL;
    json_array_foreach(timeline, i, it)
    {
        int64_t t, tot = json_integer_value(json_object_get(it, "total"));
        if (time_parse_utc(jstr(it, "at"), &t) == 0) {
            if (t < t0)
                t0 = t;
            if (t > t1)
                t1 = t;
        }
        if (tot > ymax)
            ymax = tot;
    }
    if (t1 <= t0)
        t1 = t0 + 1;
    tend = t1;
    t1 += (t1 - t0) / 12 + 1; /* room to see the latest level */
    top = nice_max(ymax < 1 ? 1 : ymax);
    err_init(&e);
    buf_init(&pts, 64 * 1024);
#define X(t) (CH_L + pw * (double)((t)-t0) / (double)(t1 - t0))
#define Y(v) (CH_T + ph - ph * (double)(v) / (double)top)
    if (buf_printf(&pts, &e, "%.1f,%.1f", X(t0), Y(0)))
        goto out;
    json_array_foreach(timeline, i, it)
    {
        int64_t t, tot = json_integer_value(json_object_get(it, "total"));
        const json_t *next = json_array_get(timeline, i + 1);
        /* Events of one instant (a signature moved) draw as one step. */
        if (next && strcmp(jstr(next, "at"), jstr(it, "at")) == 0)
            continue;
        if (time_parse_utc(jstr(it, "at"), &t))
            continue;
        if (buf_printf(&pts, &e, " %.1f,%.1f %.1f,%.1f", X(t), Y(prev), X(t), Y(tot)))
            goto out;
        prev = tot;
    }
    if (buf_printf(&pts, &e, " %.1f,%.1f", X(t1), Y(prev)))
        goto out;
    yt = json_array();
    for (int k = 0; k <= 2; k++) {
        int v = top * k / 2;
        if (k == 1 && top % 2)
            continue;
        json_array_append_new(yt, json_pack("{s:f,s:f,s:i,s:f}", "y", Y(v), "ty", Y(v) + 4.0,
                                            "label", v, "x", (double)(CH_L - 6)));
    }
    xt = json_array();
    date_only(zone, t0, date, sizeof date);
    json_array_append_new(xt,
                          json_pack("{s:f,s:s,s:s}", "x", X(t0), "label", date, "anchor", "start"));
    date_only(zone, tend, date, sizeof date);
    json_array_append_new(xt,
                          json_pack("{s:f,s:s,s:s}", "x", X(t1), "label", date, "anchor", "end"));
    out = json_pack("{s:s,s:o,s:o,s:f,s:i,s:i,s:i,s:s,s:I,s:I}", "points", buf_str(&pts), "y_ticks",
                    yt, "x_ticks", xt, "axis_y", Y(0), "axis_x0", CH_L, "axis_x1", CH_W - CH_R,
                    "label_y", CH_H - 6, "view_box",
                    pool_printf(pg->req->pool, "0 0 %d %d", CH_W, CH_H), "now_total",
                    (json_int_t)prev, "max_total", (json_int_t)ymax);
#undef X
#undef Y
out:
    buf_release(&pts);
    return out;
}

/* ---- the memo page ---- */

static int is_drafter(const struct page *pg, const json_t *memo)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(memo, "drafters"), i, d)
    {
        if (strcmp(jstr(d, "username"), pg->actor.username) == 0)
            return 1;
    }
    return 0;
}

static void event_add(struct page *pg, json_t *events, const char *label, const char *iso,
                      const char *local, const char *detail, const char *kind)
{
    const char *when = local ? local : page_time(pg, iso, NULL);
    json_array_append_new(events, json_pack("{s:s,s:s,s:s,s:s,s:s}", "label", label, "when",
                                            when ? when : "", "iso", iso ? iso : "", "detail",
                                            detail ? detail : "", "kind", kind));
}

/* The review timeline: what happened and what is due, in the channel's zone. */
static json_t *timeline_json(struct page *pg, const json_t *memo, const char *zone)
{
    json_t *ev = json_array(), *r = json_object_get(memo, "review");
    const char *created = jstr(memo, "created_at");
    event_add(pg, ev, "Drafted", created, page_time(pg, created, zone), NULL, "done");
    if (json_is_object(r) && json_string_value(json_object_get(r, "submitted_at"))) {
        const char *sub = jstr(r, "submitted_at"), *ack = jstr(r, "acknowledged_at");
        const char *ans = jstr(r, "answered_at"), *closed = jstr(r, "closed_at");
        const char *late = json_string_value(json_object_get(r, "overdue_what"));
        event_add(pg, ev, "Submitted to the policy office", sub, page_time(pg, sub, zone), NULL,
                  "done");
        if (*ack)
            event_add(pg, ev, "Acknowledged", ack, page_time(pg, ack, zone),
                      pool_printf(pg->req->pool, "Due by %s", jstr(r, "acknowledge_due_local")),
                      "done");
        else
            event_add(pg, ev, "Acknowledgement due", jstr(r, "acknowledge_due"),
                      jstr(r, "acknowledge_due_local"),
                      late && strcmp(late, "acknowledgement") == 0 ? "Overdue" : NULL,
                      late && strcmp(late, "acknowledgement") == 0 ? "overdue" : "due");
        if (json_is_true(json_object_get(r, "extended")))
            event_add(pg, ev, "Answer deadline extended", NULL, "",
                      pool_printf(pg->req->pool, "Reason: %s", jstr(r, "extension_reason")),
                      "done");
        if (*ans)
            event_add(pg, ev, "Answered", ans, page_time(pg, ans, zone),
                      pool_printf(pg->req->pool, "Due by %s", jstr(r, "answer_due_local")), "done");
        else if (!json_string_value(json_object_get(memo, "withdrawn_at")))
            event_add(pg, ev, "Answer due", jstr(r, "answer_due"), jstr(r, "answer_due_local"),
                      late && strcmp(late, "answer") == 0 ? "Overdue" : NULL,
                      late && strcmp(late, "answer") == 0 ? "overdue" : "due");
        if (*closed)
            event_add(pg, ev, "Closed", closed, page_time(pg, closed, zone), NULL, "done");
    }
    if (json_string_value(json_object_get(memo, "withdrawn_at"))) {
        const char *w = jstr(memo, "withdrawn_at");
        event_add(pg, ev, "Withdrawn by its drafters", w, page_time(pg, w, zone), NULL, "done");
    }
    return ev;
}

/* The versions, with which is shown and which are preselected for a diff. */
static json_t *versions_json(struct page *pg, const json_t *versions, int shown, int latest,
                             const char *zone, int mine)
{
    static const char *const keys[] = {"created_at"};
    json_t *arr = json_deep_copy(versions);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        int n = (int)json_integer_value(json_object_get(v, "number"));
        page_localize(pg, v, keys, 1, zone);
        json_object_set_new(v, "shown", json_boolean(n == shown));
        json_object_set_new(v, "latest", json_boolean(n == latest));
        json_object_set_new(v, "mine", json_boolean(n == mine));
        json_object_set_new(v, "from_selected", json_boolean(shown > 1 ? n == shown - 1 : n == 1));
        json_object_set_new(v, "to_selected", json_boolean(shown > 1 ? n == shown : n == latest));
        json_object_set_new(v, "marking_class",
                            json_string(page_marking_class(jstr(v, "marking"))));
    }
    return arr;
}

void page_memo_show(struct page *pg, const char *id, int version, int status,
                    const struct memo_form *form)
{
    struct chan *c = pg->app->chan;
    struct pool *p = pg->req->pool;
    struct err e;
    json_t *memo = NULL, *versions = NULL, *counts = NULL, *msgs = NULL, *ver, *d = pg->data;
    json_t *can, *body;
    const char *zone, *marking;
    int st, shown, latest, mine_sig;
    unsigned rel = 0, roles = pg->actor.roles;

    err_init(&e);
    if (chan_memo_get(c, p, &pg->actor, id, version, &memo, &e) ||
        chan_memo_versions(c, p, &pg->actor, id, &versions, &e)) {
        page_fail(pg, &e);
        goto out;
    }
    ver = json_object_get(memo, "version");
    zone = jstr(memo, "timezone");
    marking = jstr(ver, "marking");
    st = page_state_index(jstr(memo, "state"));
    shown = (int)json_integer_value(json_object_get(ver, "number"));
    latest = (int)json_integer_value(json_object_get(memo, "latest_version"));
    mine_sig = (int)json_integer_value(json_object_get(memo, "my_signature"));
    if (is_drafter(pg, memo))
        rel |= CHAN_REL_DRAFTER;
    if (mine_sig)
        rel |= CHAN_REL_SIGNER;

    page_frame(pg, jstr(ver, "title"), NULL, marking);
    json_object_set(d, "memo", memo);
    body = page_markdown(jstr(ver, "body"), &e);
    if (!body) {
        page_fail(pg, &e);
        goto out;
    }
    json_object_set_new(d, "body_html", body);
    json_object_set_new(d, "shown", json_integer(shown));
    json_object_set_new(d, "is_latest", json_boolean(shown == latest));
    json_object_set_new(d, "state_label", json_string(jstr(memo, "state")));
    json_object_set_new(d, "version_created",
                        json_string(page_time(pg, jstr(ver, "created_at"), zone)));
    json_object_set_new(
        d, "versions",
        versions_json(pg, json_object_get(versions, "versions"), shown, latest, zone, mine_sig));
    json_object_set_new(d, "many_versions", json_boolean(latest > 1));

    /* Counts are in the memo; the timeline needs chan_counts (no text, not logged). */
    if (chan_allowed(CHAN_ACT_READ_COUNTS, roles, rel, st) &&
        chan_counts(c, p, &pg->actor, id, &counts, &e) == 0) {
        json_t *chart =
            chart_json(pg, json_object_get(counts, "timeline"), jstr(memo, "created_at"), zone);
        if (chart)
            json_object_set_new(d, "chart", chart);
    }
    err_init(&e);

    /* What the reader may do here. */
    can = json_object();
    {
        int circulating = st == CHAN_STATE_CIRCULATING;
        int may_sign = circulating && chan_allowed(CHAN_ACT_SIGN, roles, rel, st);
        json_object_set_new(can, "sign", json_boolean(may_sign && !mine_sig));
        json_object_set_new(can, "move", json_boolean(may_sign && mine_sig && mine_sig != shown));
        json_object_set_new(can, "signed_here", json_boolean(mine_sig && mine_sig == shown));
        json_object_set_new(
            can, "unsign",
            json_boolean(circulating && mine_sig && chan_allowed(CHAN_ACT_UNSIGN, roles, rel, st)));
        json_object_set_new(can, "edit",
                            json_boolean((st == CHAN_STATE_DRAFT || circulating) &&
                                         chan_allowed(CHAN_ACT_REVISE, roles, rel, st)));
        json_object_set_new(can, "circulate",
                            json_boolean(st == CHAN_STATE_DRAFT &&
                                         chan_allowed(CHAN_ACT_CIRCULATE, roles, rel, st)));
        json_object_set_new(can, "submit",
                            json_boolean((st == CHAN_STATE_DRAFT || circulating) &&
                                         chan_allowed(CHAN_ACT_SUBMIT, roles, rel, st)));
        json_object_set_new(
            can, "refresh_rings",
            json_boolean(circulating && chan_allowed(CHAN_ACT_REVISE, roles, rel, st)));
        json_object_set_new(can, "withdraw",
                            json_boolean(st >= 0 && st < CHAN_STATE_ANSWERED &&
                                         chan_allowed(CHAN_ACT_WITHDRAW, roles, rel, st)));
        json_object_set_new(can, "acknowledge",
                            json_boolean(st == CHAN_STATE_SUBMITTED &&
                                         chan_allowed(CHAN_ACT_ACKNOWLEDGE, roles, rel, st)));
        json_object_set_new(
            can, "extend",
            json_boolean(
                (st == CHAN_STATE_SUBMITTED || st == CHAN_STATE_ACKNOWLEDGED) &&
                !json_is_true(json_object_get(json_object_get(memo, "review"), "extended")) &&
                chan_allowed(CHAN_ACT_EXTEND, roles, rel, st)));
        json_object_set_new(can, "answer",
                            json_boolean(st == CHAN_STATE_ACKNOWLEDGED &&
                                         chan_allowed(CHAN_ACT_ANSWER, roles, rel, st)));
        json_object_set_new(can, "close",
                            json_boolean(st == CHAN_STATE_ANSWERED &&
                                         chan_allowed(CHAN_ACT_CLOSE, roles, rel, st)));
        json_object_set_new(can, "message",
                            json_boolean(st >= CHAN_STATE_SUBMITTED && st != CHAN_STATE_WITHDRAWN &&
                                         chan_allowed(CHAN_ACT_POST_MESSAGE, roles, rel, st)));
        json_object_set_new(can, "office",
                            json_boolean(json_is_true(json_object_get(can, "acknowledge")) ||
                                         json_is_true(json_object_get(can, "answer"))));
        json_object_set_new(can, "signers",
                            json_boolean(chan_allowed(CHAN_ACT_READ_SIGNERS, roles, rel, st)));
        json_object_set_new(
            can, "access_log",
            json_boolean(chan_allowed(CHAN_ACT_READ_MEMO_ACCESS_LOG, roles, rel, st)));
    }
    json_object_set_new(d, "can", can);
    json_object_set_new(d, "my_signature", json_integer(mine_sig));
    json_object_set_new(d, "drafter", json_boolean(rel & CHAN_REL_DRAFTER));

    /* Review: the timeline, the answer, the messages. */
    json_object_set_new(d, "timeline", timeline_json(pg, memo, zone));
    {
        json_t *r = json_object_get(memo, "review");
        if (json_is_object(r) && json_string_value(json_object_get(r, "answer"))) {
            json_t *html = page_markdown(jstr(r, "answer"), &e);
            if (html)
                json_object_set_new(d, "answer_html", html);
            err_init(&e);
        }
        if (json_is_object(r) && json_is_true(json_object_get(r, "overdue")))
            json_object_set_new(d, "overdue_what", json_string(jstr(r, "overdue_what")));
    }
    if (st >= CHAN_STATE_SUBMITTED && chan_allowed(CHAN_ACT_READ_MESSAGES, roles, rel, st) &&
        chan_messages(c, p, &pg->actor, id, &msgs, &e) == 0) {
        static const char *const keys[] = {"created_at"};
        size_t i;
        json_t *m, *arr = json_object_get(msgs, "messages");
        json_array_foreach(arr, i, m)
        {
            json_t *roles_arr = json_object_get(m, "roles");
            page_localize(pg, m, keys, 1, zone);
            json_object_set_new(m, "office",
                                json_boolean(json_array_size(roles_arr) > 0 &&
                                             strcmp(json_string_value(json_array_get(roles_arr, 0)),
                                                    "member") != 0));
        }
        json_object_set(d, "messages", arr);
        json_object_set_new(d, "show_messages", json_true());
    }
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
    if (!form && http_query(pg->req, "done"))
        page_set_str(pg, "notice", done_notice(http_query(pg->req, "done")));
    if (!json_object_get(d, "notice") || !*json_string_value(json_object_get(d, "notice")))
        json_object_del(d, "notice");
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
        struct memo_form f = {form_name, e.msg, text};
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
        struct memo_form f = {"act", e.msg, NULL};
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
    page_memo_act_post(req, res, app, CHAN_OP_SUBMIT, NULL, "act", "submitted", "top");
}

void page_memo_withdraw(struct http_request *req, struct http_response *res, void *app)
{
    page_memo_act_post(req, res, app, CHAN_OP_WITHDRAW, NULL, "act", "withdrawn", "top");
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
        struct memo_form f = {"sign", e.msg, NULL};
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
        struct memo_form f = {"sign", e.msg, NULL};
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

/* Side by side: runs of removed lines face the added lines that follow them. */
static json_t *side_by_side(const json_t *lines)
{
    json_t *rows = json_array();
    size_t n = json_array_size(lines), i = 0;
    int ln = 0, rn = 0;
    while (i < n) {
        const json_t *l = json_array_get(lines, i);
        const char *op = jstr(l, "op");
        if (op[0] == ' ') {
            ln++;
            rn++;
            json_array_append_new(rows, json_pack("{s:s,s:s,s:i,s:i,s:s,s:s}", "left",
                                                  jstr(l, "text"), "right", jstr(l, "text"), "ln",
                                                  ln, "rn", rn, "lcls", "same", "rcls", "same"));
            i++;
            continue;
        }
        {
            size_t ds = i, de = i, as, ae;
            while (de < n && jstr(json_array_get(lines, de), "op")[0] == '-')
                de++;
            as = ae = de;
            while (ae < n && jstr(json_array_get(lines, ae), "op")[0] == '+')
                ae++;
            for (size_t k = 0; k < (de - ds > ae - as ? de - ds : ae - as); k++) {
                json_t *row = json_object();
                if (ds + k < de) {
                    json_object_set_new(row, "left",
                                        json_string(jstr(json_array_get(lines, ds + k), "text")));
                    json_object_set_new(row, "ln", json_integer(++ln));
                    json_object_set_new(row, "lcls", json_string("del"));
                    json_object_set_new(row, "ldel", json_true());
                } else {
                    json_object_set_new(row, "lcls", json_string("empty"));
                }
                if (as + k < ae) {
                    json_object_set_new(row, "right",
                                        json_string(jstr(json_array_get(lines, as + k), "text")));
                    json_object_set_new(row, "rn", json_integer(++rn));
                    json_object_set_new(row, "rcls", json_string("add"));
                    json_object_set_new(row, "radd", json_true());
                } else {
                    json_object_set_new(row, "rcls", json_string("empty"));
                }
                json_array_append_new(rows, row);
            }
            i = ae > i ? ae : i + 1;
        }
    }
    return rows;
}

static json_t *inline_rows(const json_t *lines, int *added, int *removed)
{
    json_t *rows = json_array();
    size_t i;
    const json_t *l;
    int ln = 0, rn = 0;
    json_array_foreach(lines, i, l)
    {
        char op = jstr(l, "op")[0];
        json_t *row = json_pack("{s:s}", "text", jstr(l, "text"));
        if (op == '-') {
            json_object_set_new(row, "ln", json_integer(++ln));
            json_object_set_new(row, "del", json_true());
            json_object_set_new(row, "cls", json_string("del"));
            (*removed)++;
        } else if (op == '+') {
            json_object_set_new(row, "rn", json_integer(++rn));
            json_object_set_new(row, "add", json_true());
            json_object_set_new(row, "cls", json_string("add"));
            (*added)++;
        } else {
            json_object_set_new(row, "ln", json_integer(++ln));
            json_object_set_new(row, "rn", json_integer(++rn));
            json_object_set_new(row, "cls", json_string("same"));
        }
        json_array_append_new(rows, row);
    }
    return rows;
}

void page_memo_diff(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *diff = NULL, *versions = NULL, *vs, *lines, *d;
    const char *id = req->params[0], *view = http_query(req, "view");
    int from = 0, to = 0, added = 0, removed = 0, side = view && strcmp(view, "side") == 0;
    int top = 0;
    const char *marking = "UNCLASSIFIED", *title = "";

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
    vs = json_object_get(versions, "versions");
    {
        size_t i;
        json_t *v;
        json_array_foreach(vs, i, v)
        {
            int n = (int)json_integer_value(json_object_get(v, "number"));
            int m;
            if ((n == from || n == to) && chan_marking_parse(jstr(v, "marking"), &m) == 0 &&
                m >= top) {
                top = m;
                marking = chan_marking_name(m);
            }
            if (n == to)
                title = jstr(v, "title");
            json_object_set_new(v, "from_selected", json_boolean(n == from));
            json_object_set_new(v, "to_selected", json_boolean(n == to));
        }
    }
    page_frame(&pg, pool_printf(req->pool, "Changes from version %d to %d", from, to), NULL,
               marking);
    lines = json_object_get(diff, "lines");
    json_object_set_new(d, "id", json_string(id));
    json_object_set_new(d, "title", json_string(title));
    json_object_set_new(d, "from", json_integer(from));
    json_object_set_new(d, "to", json_integer(to));
    json_object_set(d, "versions", vs);
    json_object_set_new(d, "side", json_boolean(side));
    if (side)
        json_object_set_new(d, "rows", side_by_side(lines));
    json_object_set_new(d, "lines", inline_rows(lines, &added, &removed));
    json_object_set_new(d, "added", json_integer(added));
    json_object_set_new(d, "removed", json_integer(removed));
    json_object_set_new(d, "unchanged", json_boolean(added == 0 && removed == 0));
    {
        json_t *t = json_object_get(diff, "title"), *m = json_object_get(diff, "marking");
        if (strcmp(jstr(t, "from"), jstr(t, "to")) != 0)
            json_object_set(d, "title_change", t);
        if (strcmp(jstr(m, "from"), jstr(m, "to")) != 0)
            json_object_set(d, "marking_change", m);
    }
    page_render(&pg, 200, "diff");
out:
    json_decref(diff);
    json_decref(versions);
    page_end(&pg);
}

/* ---- who signed, who read ---- */

/* Title and marking of the latest version, from the version list (which
 * reads no text and is not logged). */
static void memo_heading(struct page *pg, const json_t *versions, const char *what)
{
    const json_t *vs = json_object_get(versions, "versions");
    const json_t *last = json_array_get(vs, json_array_size(vs) - 1);
    const char *title = jstr(last, "title");
    page_frame(pg, pool_printf(pg->req->pool, "%s: %s", what, title), NULL, jstr(last, "marking"));
    json_object_set_new(pg->data, "title", json_string(title));
}

void page_memo_signers(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL, *versions = NULL;
    const char *id = req->params[0];

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    if (chan_memo_versions(pg.app->chan, req->pool, &pg.actor, id, &versions, &e) ||
        chan_signers(pg.app->chan, req->pool, &pg.actor, id, &out, &e)) {
        page_fail(&pg, &e);
        goto out;
    }
    memo_heading(&pg, versions, "Co-signers");
    {
        static const char *const keys[] = {"signed_at"};
        json_t *arr = json_object_get(out, "signatures"), *s;
        size_t i;
        json_array_foreach(arr, i, s)
        {
            page_localize(&pg, s, keys, 1, "UTC");
        }
        json_object_set(pg.data, "signatures", arr);
        json_object_set_new(pg.data, "count", json_integer((json_int_t)json_array_size(arr)));
    }
    json_object_set_new(pg.data, "id", json_string(id));
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
    if (chan_memo_versions(pg.app->chan, req->pool, &pg.actor, id, &versions, &e) ||
        chan_access_log(pg.app->chan, req->pool, &pg.actor, id, &out, &e)) {
        page_fail(&pg, &e);
        goto out;
    }
    memo_heading(&pg, versions, "Who read this memo");
    {
        static const char *const keys[] = {"at"};
        json_t *arr = json_object_get(out, "entries"), *s;
        size_t i;
        json_array_foreach(arr, i, s)
        {
            page_localize(&pg, s, keys, 1, "UTC");
        }
        json_object_set(pg.data, "entries", arr);
    }
    json_object_set_new(pg.data, "id", json_string(id));
    page_render(&pg, 200, "access");
out:
    json_decref(out);
    json_decref(versions);
    page_end(&pg);
}
