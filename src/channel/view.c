/* view.c — the JSON shape of a memo, shared by every operation that returns one. */
#include "base/tz.h"
#include "channel/can.h"
#include "channel/chan_internal.h"
#include "channel/deadline.h"

static json_t *local_time(const char *zone, int64_t t)
{
    char buf[64];
    if (!t)
        return json_null();
    tz_format(zone, t, buf, sizeof buf);
    return json_string(buf);
}

/* {edit: bool, …}: chan_can of every entry, for the version shown. */
static json_t *can_json(const struct memo_ctx *x, int shown)
{
    json_t *can = json_object();
    for (int w = 0; can && w < CHAN_CAN_COUNT; w++)
        json_object_set_new(can, chan_can_name(w), json_boolean(chan_can(x, w, shown)));
    return can;
}

json_t *chan_missed_json(const struct chan_deadlines *d)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < d->n_missed; i++)
        json_array_append_new(arr, json_pack("{s:s,s:o,s:o}", "deadline",
                                             chan_deadline_name(d->missed[i].what), "due",
                                             chan_time_json(d->missed[i].due), "met_at",
                                             chan_time_json(d->missed[i].met_at)));
    return arr;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

int chan_memo_json(struct chan *c, const struct memo_ctx *x, const struct st_version *v, int text,
                   int64_t now, json_t **out, struct err *e)
{
    int rc = -1;
    const struct st_memo *m = &x->m;
    const char *zone = x->ch.timezone;
    struct chan_deadlines dl;
    json_t *drafters = NULL, *counts = NULL, *obj = NULL, *review, *ver = NULL;
    struct pool p;
    struct st_person *d = NULL;
    size_t nd = 0;

    chan_deadlines(m, now, &dl);

    pool_init(&p, 1u << 20);
    if (store_drafter_list(c->st, &p, m->id, &d, &nd, e) ||
        chan_counts_combined_with(c, m->id, x->named, &counts, e))
        goto out;
    drafters = json_array();
    for (size_t i = 0; drafters && i < nd; i++)
        json_array_append_new(drafters, json_pack("{s:s,s:s}", "username", d[i].username,
                                                  "display_name", d[i].display_name));
    review = json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:b}", "submitted_at",
        chan_time_json(m->submitted_at), "acknowledge_due", chan_time_json(m->ack_due),
        "acknowledge_due_local", local_time(zone, m->ack_due), "acknowledged_at",
        chan_time_json(m->acknowledged_at), "answer_due", chan_time_json(m->answer_due),
        "answer_due_local", local_time(zone, m->answer_due), "extended", m->extended,
        "extension_reason", m->extension_reason ? json_string(m->extension_reason) : json_null(),
        "answered_at", chan_time_json(m->answered_at), "answer",
        m->answer ? json_string(m->answer) : json_null(), "closed_at", chan_time_json(m->closed_at),
        "overdue", dl.overdue, "overdue_what", str_or_null(chan_deadline_name(dl.overdue_what)),
        "next_due", chan_time_json(dl.next_due), "due_soon", dl.due_soon);
    if (review) {
        json_object_set_new(review, "next", str_or_null(chan_deadline_action(dl.next)));
        json_object_set_new(review, "missed", chan_missed_json(&dl));
        /* Text written about the memo travels only with the memo's text. */
        if (!text) {
            json_object_del(review, "answer");
            json_object_del(review, "extension_reason");
        }
    }
    if (v)
        ver = json_pack("{s:i,s:s,s:s,s:s,s:o}", "number", v->number, "hash", v->hash, "marking",
                        chan_marking_name(v->marking), "author", v->author ? v->author : "",
                        "created_at", chan_time_json(v->created_at));
    if (v && ver && text &&
        (json_object_set_new(ver, "title", json_string(v->title)) ||
         json_object_set_new(ver, "body", json_string(v->body)) ||
         json_object_set_new(ver, "verify_key",
                             v->verify_key ? json_string(v->verify_key) : json_null()))) {
        json_decref(ver);
        ver = NULL;
    }
    obj = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:i,s:O,s:O,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
                    m->public_id, "channel", x->ch.slug, "channel_name", x->ch.name, "timezone",
                    zone, "state", chan_state_name(m->state), "text_included", text, "marking",
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
                json_object_set_new(obj, "can", can_json(x, v ? v->number : m->latest_version)) ||
                (text && (json_object_set_new(obj, "title", json_string(v ? v->title : "")) ||
                          json_object_set_new(obj, "reading", chan_reading_json(x)))))) {
        json_decref(obj);
        obj = NULL;
    }
    /* The timeline reads every log leaf of the memo: reads only. A write's
     * reply (without text) leaves it out, so that a popular memo's writes,
     * which the one writer makes in turn, do not each read thousands of
     * leaves. */
    if (obj && text) {
        json_t *tl = NULL;
        if (chan_timeline_json(c, x, text, now, &tl, e) ||
            json_object_set_new(obj, "timeline", tl)) {
            json_decref(obj);
            obj = NULL;
            goto out;
        }
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
    pool_release(&p);
    return rc;
}
