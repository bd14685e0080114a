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
