/* view.c — the JSON shape of a memo, shared by every operation that returns one. */
#include "base/tz.h"
#include "channel/chan_internal.h"

static json_t *local_time(const char *zone, int64_t t)
{
    char buf[64];
    if (!t)
        return json_null();
    tz_format(zone, t, buf, sizeof buf);
    return json_string(buf);
}

/* Which deadline, if any, has passed unmet at time now. */
static const char *overdue_what(const struct st_memo *m, int64_t now)
{
    const char *what = NULL;
    if (m->state == CHAN_STATE_SUBMITTED && m->ack_due && now > m->ack_due)
        what = "acknowledgement";
    else if ((m->state == CHAN_STATE_SUBMITTED || m->state == CHAN_STATE_ACKNOWLEDGED) &&
             m->answer_due && now > m->answer_due)
        what = "answer";
    return what;
}

/* Seconds left before the next deadline, or 0 when none is pending. */
static int64_t next_due(const struct st_memo *m)
{
    int64_t due = 0;
    if (m->state == CHAN_STATE_SUBMITTED)
        due = m->ack_due;
    else if (m->state == CHAN_STATE_ACKNOWLEDGED)
        due = m->answer_due;
    return due;
}

/* placeholder until chan_can lands (D1) */
/* What the actor of x may do now on the memo shown at version v: the
 * contract's "can" keys, computed as the memo page did. */
static json_t *can_json(const struct memo_ctx *x, const struct st_version *v)
{
    unsigned roles = x->roles, rel = x->rel;
    int st = x->m.state, mine = x->signed_version, shown = v ? v->number : 0;
    int open = st == CHAN_STATE_DRAFT || st == CHAN_STATE_CIRCULATING;
    int circulating = st == CHAN_STATE_CIRCULATING;
    int may_sign = circulating && chan_allowed(CHAN_ACT_SIGN, roles, rel, st);
    return json_pack(
        "{s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b}", "edit",
        open && chan_allowed(CHAN_ACT_REVISE, roles, rel, st), "add_drafter",
        open && chan_allowed(CHAN_ACT_ADD_DRAFTER, roles, rel, st), "circulate",
        st == CHAN_STATE_DRAFT && chan_allowed(CHAN_ACT_CIRCULATE, roles, rel, st), "sign",
        may_sign && !mine, "move", may_sign && mine && mine != shown, "unsign",
        circulating && mine && chan_allowed(CHAN_ACT_UNSIGN, roles, rel, st), "submit",
        open && chan_allowed(CHAN_ACT_SUBMIT, roles, rel, st), "withdraw",
        st < CHAN_STATE_ANSWERED && chan_allowed(CHAN_ACT_WITHDRAW, roles, rel, st), "acknowledge",
        st == CHAN_STATE_SUBMITTED && chan_allowed(CHAN_ACT_ACKNOWLEDGE, roles, rel, st), "extend",
        (st == CHAN_STATE_SUBMITTED || st == CHAN_STATE_ACKNOWLEDGED) && !x->m.extended &&
            chan_allowed(CHAN_ACT_EXTEND, roles, rel, st),
        "answer", st == CHAN_STATE_ACKNOWLEDGED && chan_allowed(CHAN_ACT_ANSWER, roles, rel, st),
        "close", st == CHAN_STATE_ANSWERED && chan_allowed(CHAN_ACT_CLOSE, roles, rel, st),
        "message",
        st >= CHAN_STATE_SUBMITTED && st != CHAN_STATE_WITHDRAWN &&
            chan_allowed(CHAN_ACT_POST_MESSAGE, roles, rel, st),
        "read_messages",
        st >= CHAN_STATE_SUBMITTED && chan_allowed(CHAN_ACT_READ_MESSAGES, roles, rel, st),
        "signers", chan_allowed(CHAN_ACT_READ_SIGNERS, roles, rel, st), "counts",
        chan_allowed(CHAN_ACT_READ_COUNTS, roles, rel, st), "access_log",
        chan_allowed(CHAN_ACT_READ_MEMO_ACCESS_LOG, roles, rel, st), "refresh_rings",
        circulating && chan_allowed(CHAN_ACT_REVISE, roles, rel, st));
}

int chan_memo_json(struct chan *c, const struct memo_ctx *x, const struct st_version *v,
                   int64_t now, json_t **out, struct err *e)
{
    int rc = -1;
    const struct st_memo *m = &x->m;
    const char *zone = x->ch.timezone;
    const char *late = overdue_what(m, now);
    json_t *drafters = NULL, *counts = NULL, *obj = NULL, *review, *ver = NULL;
    int64_t due = next_due(m);

    if (store_drafter_list(c->st, m->id, &drafters, e) ||
        chan_counts_combined(c, m->id, &counts, e))
        goto out;
    review = json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:b}", "submitted_at",
        chan_time_json(m->submitted_at), "acknowledge_due", chan_time_json(m->ack_due),
        "acknowledge_due_local", local_time(zone, m->ack_due), "acknowledged_at",
        chan_time_json(m->acknowledged_at), "answer_due", chan_time_json(m->answer_due),
        "answer_due_local", local_time(zone, m->answer_due), "extended", m->extended,
        "extension_reason", m->extension_reason ? json_string(m->extension_reason) : json_null(),
        "answered_at", chan_time_json(m->answered_at), "answer",
        m->answer ? json_string(m->answer) : json_null(), "closed_at", chan_time_json(m->closed_at),
        "overdue", late != NULL, "overdue_what", late ? json_string(late) : json_null(), "next_due",
        chan_time_json(due), "due_soon", due && !late && due - now < 2 * 86400);
    if (v)
        ver = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "number", v->number, "hash", v->hash,
                        "title", v->title, "marking", chan_marking_name(v->marking), "body",
                        v->body, "author", v->author ? v->author : "", "created_at",
                        chan_time_json(v->created_at), "verify_key",
                        v->verify_key ? json_string(v->verify_key) : json_null());
    obj = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:O,s:O,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
                    m->public_id, "channel", x->ch.slug, "channel_name", x->ch.name, "timezone",
                    zone, "state", chan_state_name(m->state), "title", v ? v->title : "", "marking",
                    v ? chan_marking_name(v->marking) : "", "latest_version", m->latest_version,
                    "drafters", drafters, "counts", counts, "version", ver ? ver : json_null(),
                    "review", review ? review : json_null(), "my_signature",
                    x->signed_version ? json_integer(x->signed_version) : json_null(),
                    "withdrawn_at", chan_time_json(m->withdrawn_at), "created_at",
                    chan_time_json(m->created_at), "updated_at", chan_time_json(m->updated_at));
    /* For the reader's page: the reader's relation, what they may do, and
     * the channel's ceiling (the edit form offers markings up to it). */
    if (obj && (json_object_set_new(obj, "is_drafter", json_boolean(x->rel & CHAN_REL_DRAFTER)) ||
                json_object_set_new(obj, "channel_ceiling",
                                    json_string(chan_marking_name(x->ch.ceiling))) ||
                json_object_set_new(obj, "can", can_json(x, v)))) {
        json_decref(obj);
        obj = NULL;
    }
    if (!obj) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    *out = obj;
    rc = 0;
out:
    json_decref(drafters);
    json_decref(counts);
    return rc;
}
