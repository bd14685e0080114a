/* review.c — the memo's life after drafting: circulate, submit (deadlines),
 * acknowledge, extend, answer, close, withdraw; messages. */
#include "base/tz.h"
#include "base/util.h"
#include "proto/calendar.h"
#include "channel/can.h"
#include "channel/chan_internal.h"
#include "channel/notify.h"

#include <string.h>

struct op_info {
    int can;            /* CHAN_CAN_*: who may, and when (can.c) */
    int event;          /* the state machine's event: where it leads */
    const char *logged; /* the event's name in the transparency log */
};

static const struct op_info ops[] = {
    [CHAN_OP_CIRCULATE] = {.can = CHAN_CAN_CIRCULATE,
                           .event = CHAN_EV_CIRCULATE,
                           .logged = "circulated"},
    [CHAN_OP_SUBMIT] = {.can = CHAN_CAN_SUBMIT, .event = CHAN_EV_SUBMIT, .logged = "submitted"},
    [CHAN_OP_ACKNOWLEDGE] = {.can = CHAN_CAN_ACKNOWLEDGE,
                             .event = CHAN_EV_ACKNOWLEDGE,
                             .logged = "acknowledged"},
    [CHAN_OP_EXTEND] = {.can = CHAN_CAN_EXTEND, .event = CHAN_EV_EXTEND, .logged = "extended"},
    [CHAN_OP_ANSWER] = {.can = CHAN_CAN_ANSWER, .event = CHAN_EV_ANSWER, .logged = "answered"},
    [CHAN_OP_CLOSE] = {.can = CHAN_CAN_CLOSE, .event = CHAN_EV_CLOSE, .logged = "closed"},
    [CHAN_OP_WITHDRAW] = {.can = CHAN_CAN_WITHDRAW,
                          .event = CHAN_EV_WITHDRAW,
                          .logged = "withdrawn"},
};

/* The end of the due day `term` after the local day of `from`, in the channel's zone. */
static int64_t deadline(const struct st_channel *ch, const struct cal_calendar *cal, int64_t from,
                        const struct st_term *term)
{
    int64_t day = tz_local_day(ch->timezone, from);
    return tz_end_of_day(ch->timezone, cal_add(cal, day, term->amount, term->unit));
}

/* Applies the effects of op beyond the state change itself. */
static int op_effects(struct chan *c, struct pool *p, struct memo_ctx *x, enum chan_op op,
                      const char *text, int64_t now, struct err *e)
{
    int rc = -1;
    struct cal_calendar cal;
    struct st_memo *m = &x->m;

    switch (op) {
    case CHAN_OP_SUBMIT:
        if (chan_calendar_load(c, p, x->ch.id, &cal, e))
            goto out;
        m->submitted_at = now;
        m->ack_due = deadline(&x->ch, &cal, now, &x->ch.ack);
        m->answer_due = deadline(&x->ch, &cal, now, &x->ch.answer);
        break;
    case CHAN_OP_ACKNOWLEDGE:
        m->acknowledged_at = now;
        break;
    case CHAN_OP_EXTEND:
        /* One extension, if the channel allows it: chan_check saw to it. */
        if (chan_check_text("reason", text, CHAN_TEXT_MAX, 1, e) ||
            chan_calendar_load(c, p, x->ch.id, &cal, e))
            goto out;
        m->extended = 1;
        m->extension_reason = (char *)text;
        m->answer_due = deadline(&x->ch, &cal, m->submitted_at, &x->ch.ext);
        break;
    case CHAN_OP_ANSWER:
        if (chan_check_text("body", text, CHAN_TEXT_MAX, 1, e))
            goto out;
        m->answer = (char *)text;
        m->answered_at = now;
        break;
    case CHAN_OP_CLOSE:
        m->closed_at = now;
        break;
    case CHAN_OP_WITHDRAW:
        m->withdrawn_at = now;
        break;
    case CHAN_OP_CIRCULATE: {
        /* Bind the memo to the roster snapshots of the moment it opens. */
        int made = 0;
        if (chan_rings_open(c, x, &made, e))
            goto out;
        break;
    }
    }
    rc = 0;
out:
    return rc;
}

int chan_memo_act(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                  enum chan_op op, const char *text, json_t **out, struct err *e)
{
    int rc = -1, to;
    struct memo_ctx x;
    int64_t now = now_utc();

    if ((unsigned)op >= ARRAY_LEN(ops)) {
        rc = err_set(e, ERR_INTERNAL, "unknown operation");
        goto out;
    }
    if (store_begin(c->st, e))
        goto out;
    if (chan_memo_load(c, p, a, id, &x, e) || chan_check(&x, ops[op].can, 0, e) ||
        chan_transition(x.m.state, ops[op].event, &to, e) || op_effects(c, p, &x, op, text, now, e))
        goto fail;
    if (op == CHAN_OP_EXTEND && a)
        x.m.extended_by = a->id; /* named on the timeline to those who read the messages */
    x.m.state = to;
    x.m.updated_at = now;
    if (store_memo_save(c->st, &x.m, e) || chan_event_state(c, &x, ops[op].logged, e) ||
        chan_notify_review(c, p, &x.m, ops[op].logged, a->id, now, e) ||
        chan_memo_view(c, p, &x, now, out, e))
        goto fail;
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}

int chan_messages(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                  json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    struct st_message *m = NULL;
    size_t n = 0;
    json_t *rows;
    /* A read that records itself: no writers' lock (store.h). */
    if (store_begin_unordered(c->st, e))
        goto out;
    if (chan_memo_load(c, p, a, id, &x, e) || chan_check(&x, CHAN_CAN_READ_MESSAGES, 0, e) ||
        store_message_list(c->st, p, x.m.id, &m, &n, e) ||
        chan_access_record(c, a, x.m.id, "messages", now_utc(), e))
        goto fail;
    rows = json_array();
    for (size_t i = 0; rows && i < n; i++)
        json_array_append_new(rows, json_pack("{s:s,s:s,s:o,s:s,s:o}", "author", m[i].author,
                                              "display_name", m[i].display_name, "roles",
                                              chan_roles_json(m[i].roles), "body", m[i].body,
                                              "created_at", chan_time_json(m[i].created_at)));
    *out = json_pack("{s:s,s:o}", "memo", x.m.public_id, "messages", rows);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}

int chan_message_post(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                      const char *body, json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    int64_t now = now_utc();

    if (chan_check_text("body", body, CHAN_TEXT_MAX, 1, e) || store_begin(c->st, e))
        goto out;
    if (chan_memo_load(c, p, a, id, &x, e) || chan_check(&x, CHAN_CAN_MESSAGE, 0, e) ||
        store_message_insert(c->st, x.m.id, a->id, body, now, e) ||
        chan_notify_review(c, p, &x.m, "message", a->id, now, e))
        goto fail;
    /* Like every write reply, no text: the poster has it (docs/api.md). */
    *out = json_pack("{s:s,s:s,s:o,s:o}", "memo", x.m.public_id, "author", a->username, "roles",
                     chan_roles_json(a->roles), "created_at", chan_time_json(now));
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}
