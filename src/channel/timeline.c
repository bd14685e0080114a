/* timeline.c — every event of a memo, in order, for its page: drafted, each
 * version, the review's steps from the memo's own log leaves (their times
 * are the public record), signature milestones, messages (for those who may
 * read them), the deadlines the server found missed, and what is due next.
 *
 * Deadlines carry facts the page turns into words: a met deadline its day
 * ("met on Tue 24 Nov"), a missed one by how many working days, an open one
 * in how many working days and on which day — counted with the channel's
 * calendar in its time zone (proto/calendar.h), as the deadlines were. */
#include "base/tz.h"
#include "base/util.h"
#include "channel/can.h"
#include "channel/chan_internal.h"
#include "channel/deadline.h"
#include "proto/calendar.h"

#include <stdlib.h>
#include <string.h>

struct tl {
    const char *zone;
    struct cal_calendar cal;
    int64_t now;
    json_t *items;
};

/* "Wed 2 Dec" for a local day (with the year when not the current one). */
static json_t *day_json(const struct tl *t, int64_t day)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int y, ny;
    unsigned m, d, nm, nd;
    char buf[48];
    civil_from_days(day, &y, &m, &d);
    civil_from_days(tz_local_day(t->zone, t->now), &ny, &nm, &nd);
    if (y == ny)
        snprintf(buf, sizeof buf, "%s %u %s", wd[cal_weekday(day)], d, mo[m - 1]);
    else
        snprintf(buf, sizeof buf, "%s %u %s %d", wd[cal_weekday(day)], d, mo[m - 1], y);
    return json_string(buf);
}

/* The facts of one deadline due at due, met at met (0: not yet):
 * {deadline, due, due_day, and met: in_time, met_on_day, late_by — or open:
 * overdue, due_in, late_by}; working days in the channel's calendar. */
static json_t *deadline_json(const struct tl *t, int what, int64_t due, int64_t met)
{
    int64_t due_day = tz_local_day(t->zone, due);
    json_t *o = json_pack("{s:s,s:o,s:o}", "deadline", chan_deadline_name(what), "due",
                          chan_time_json(due), "due_day", day_json(t, due_day));
    if (!o)
        return NULL;
    if (met) {
        int64_t met_day = tz_local_day(t->zone, met);
        json_object_set_new(o, "met", json_true());
        json_object_set_new(o, "in_time", json_boolean(met <= due));
        json_object_set_new(o, "met_on_day", day_json(t, met_day));
        json_object_set_new(
            o, "late_by",
            json_integer(met <= due ? 0 : cal_working_days_between(&t->cal, due_day, met_day)));
    } else {
        int64_t today = tz_local_day(t->zone, t->now);
        json_object_set_new(o, "met", json_false());
        json_object_set_new(o, "overdue", json_boolean(t->now > due));
        json_object_set_new(o, "due_in",
                            json_integer(cal_working_days_between(&t->cal, today, due_day)));
        json_object_set_new(
            o, "late_by",
            json_integer(t->now > due ? cal_working_days_between(&t->cal, due_day, today) : 0));
    }
    return o;
}

/* Appends {at, what} plus the fields of extra (stolen; may be NULL). */
static void add(struct tl *t, const char *at, const char *what, json_t *extra)
{
    json_t *o = json_pack("{s:s,s:s}", "at", at, "what", what);
    if (o && extra)
        json_object_update(o, extra);
    json_decref(extra);
    if (o)
        json_array_append_new(t->items, o);
}

static void add_t(struct tl *t, int64_t at, const char *what, json_t *extra)
{
    char buf[21];
    time_format_utc(buf, at);
    add(t, buf, what, extra);
}

/* A leaf's time field as UTC seconds, 0 when absent (a day alone is its midnight). */
static int64_t leaf_time(const json_t *o, const char *field)
{
    int64_t t = 0;
    const char *s = json_string_value(json_object_get(o, field));
    return s && time_parse_utc(s, &t) == 0 ? t : 0;
}

/* The counts at which a signature milestone is shown. */
static int milestone(int64_t before, int64_t after, int64_t *reached)
{
    static const int64_t marks[] = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
    for (size_t i = sizeof marks / sizeof marks[0]; i-- > 0;)
        if (before < marks[i] && after >= marks[i]) {
            *reached = marks[i];
            return 1;
        }
    return 0;
}

static int is_signature_kind(const char *kind)
{
    return strcmp(kind, "signature") == 0 || strcmp(kind, "anonymous-signature") == 0;
}

/* The signature total a leaf carries (its counts' total; 0 without). */
static int64_t leaf_total(const json_t *o)
{
    return json_integer_value(json_object_get(json_object_get(o, "counts"), "total"));
}

/* Signature leaves read at a time by a replay: a leaf carries its counts
 * per organization, several kilobytes on a memo signed across many. */
#define REPLAY_PAGE 500

/* Replays memo's signature leaves with an index below `before` from the
 * start: notes each milestone reached and returns the last total. Once per
 * memo signed before its milestones were kept (schema 17), on the writer. */
static int replay_signatures(struct chan *c, const char *memo, int64_t before, int64_t *total,
                             struct err *e)
{
    int rc = 0;
    int64_t after = -1, reached = 0;
    size_t n;
    *total = 0;
    do {
        struct pool p;
        struct st_leaf *l = NULL;
        pool_init(&p, 8u << 20);
        rc = store_tlog_memo_signatures(c->st, &p, memo, after, before, REPLAY_PAGE, &l, &n, e);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            json_t *o = json_loadb(l[i].data, l[i].len, 0, NULL);
            int64_t now_total = leaf_total(o);
            if (milestone(*total, now_total, &reached))
                rc = store_milestone_add(c->st, memo, l[i].index, reached, e);
            *total = now_total;
            json_decref(o);
        }
        if (rc == 0 && n)
            after = l[n - 1].index;
        pool_release(&p);
    } while (rc == 0 && n == REPLAY_PAGE);
    return rc;
}

int chan_timeline_note_signature(struct chan *c, const char *memo, int64_t index, int64_t total,
                                 struct err *e)
{
    int found = 0;
    int64_t before = 0, reached = 0;
    if (store_memo_sig_total(c->st, memo, &found, &before, e) ||
        (!found && replay_signatures(c, memo, index, &before, e)))
        return -1;
    if (milestone(before, total, &reached) && store_milestone_add(c->st, memo, index, reached, e))
        return -1;
    return store_memo_sig_total_set(c->st, memo, total, e);
}

/* The timeline's event of one leaf. A signature leaf gives a milestone:
 * `mark` when it comes from the kept milestones (mark >= 0), else the one
 * its total reaches from *total (a memo not yet noted: every signature leaf
 * is read). */
static void leaf_event(struct tl *t, struct chan *c, struct pool *p, const struct memo_ctx *x,
                       int text, const struct st_leaf *l, int64_t mark, int64_t *total,
                       int64_t *answer_due, struct err *e)
{
    const struct st_memo *m = &x->m;
    json_t *o = json_loadb(l->data, l->len, 0, NULL);
    const char *kind = json_string_value(json_object_get(o, "kind"));
    const char *at = json_string_value(json_object_get(o, "at"));
    if (!kind || !at) {
        json_decref(o);
        return;
    }
    if (is_signature_kind(kind)) {
        int64_t now_total = leaf_total(o), reached = mark;
        /* a kept milestone is shown only if its leaf says as much: the
         * table is the database's, the leaf is the public record */
        if ((mark > 0 && now_total >= mark) || (mark < 0 && milestone(*total, now_total, &reached)))
            add(t, at, "signatures", json_pack("{s:I}", "count", (json_int_t)reached));
        *total = now_total;
    } else if (strcmp(kind, "deadline-missed") == 0) {
        int what = strcmp(json_string_value(json_object_get(o, "deadline")), "answer") == 0
                       ? CHAN_DL_ANSWER
                       : CHAN_DL_ACK;
        int64_t due = leaf_time(o, "due");
        json_t *d =
            deadline_json(t, what, due, what == CHAN_DL_ACK ? m->acknowledged_at : m->answered_at);
        if (d)
            json_object_set_new(d, "leaf", json_integer(l->index));
        add(t, at, "missed", d);
    } else if (strcmp(kind, "state") == 0) {
        const char *ev = json_string_value(json_object_get(o, "event"));
        json_t *extra = NULL;
        int64_t at_t = leaf_time(o, "at");
        if (strcmp(ev, "submitted") == 0) {
            *answer_due = leaf_time(o, "answer_due");
        } else if (strcmp(ev, "acknowledged") == 0 && m->ack_due) {
            extra = deadline_json(t, CHAN_DL_ACK, m->ack_due, at_t);
        } else if (strcmp(ev, "answered") == 0 && m->answer_due) {
            extra = deadline_json(t, CHAN_DL_ANSWER, m->answer_due, at_t);
        } else if (strcmp(ev, "extended") == 0) {
            int64_t nd = leaf_time(o, "answer_due");
            extra = json_pack(
                "{s:o,s:o,s:o,s:o,s:s}", "old_due", chan_time_json(*answer_due), "old_due_day",
                *answer_due ? day_json(t, tz_local_day(t->zone, *answer_due)) : json_null(),
                "new_due", chan_time_json(nd), "new_due_day",
                nd ? day_json(t, tz_local_day(t->zone, nd)) : json_null(), "by",
                "the policy office");
            if (extra && text && m->extension_reason)
                json_object_set_new(extra, "reason", json_string(m->extension_reason));
            /* who: named to those who see the office's names in the messages */
            if (extra && text && m->extended_by && chan_can(x, CHAN_CAN_READ_MESSAGES, 0)) {
                struct st_member who;
                if (store_member_by_id(c->st, p, m->extended_by, &who, e) == 0 && who.display_name)
                    json_object_set_new(extra, "by_name", json_string(who.display_name));
            }
            *answer_due = nd;
        }
        add(t, at, ev, extra);
    }
    json_decref(o);
}

/* The events of the memo's leaves: its review's leaves and its kept
 * milestones, in the log's order; for a memo whose milestones were never
 * noted, its leaves with signature leaves up to the cap
 * (store_tlog_memo_events). */
static int from_leaves(struct tl *t, struct chan *c, struct pool *p, const struct memo_ctx *x,
                       int text, struct err *e)
{
    const char *memo = x->m.public_id;
    struct st_leaf *l = NULL;
    struct st_milestone *ms = NULL;
    size_t n = 0, nms = 0, i = 0, j = 0;
    int64_t total = 0, answer_due = 0;
    int kept = 0;
    if (store_memo_sig_total(c->st, memo, &kept, &total, e))
        return -1;
    total = 0;
    if (kept ? store_tlog_memo_review(c->st, p, memo, &l, &n, e) ||
                   store_memo_milestones(c->st, p, memo, &ms, &nms, e)
             : store_tlog_memo_events(c->st, p, memo, &l, &n, e))
        return -1;
    while (i < n || j < nms) {
        if (j < nms && (i == n || ms[j].leaf.index < l[i].index)) {
            leaf_event(t, c, p, x, text, &ms[j].leaf, ms[j].mark, &total, &answer_due, e);
            j++;
        } else {
            leaf_event(t, c, p, x, text, &l[i], -1, &total, &answer_due, e);
            i++;
        }
    }
    return 0;
}

/* Orders by time; same times keep their order (qsort is not stable). */
struct tl_item {
    const char *at;
    size_t i;
    json_t *o;
};

static int cmp_item(const void *a, const void *b)
{
    const struct tl_item *x = a, *y = b;
    int c = strcmp(x->at, y->at);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int sort_items(json_t *arr, struct err *e)
{
    size_t n = json_array_size(arr), i;
    struct tl_item *v = calloc(n + 1, sizeof *v);
    json_t *o;
    if (!v)
        return err_set(e, ERR_NOMEM, "out of memory");
    json_array_foreach(arr, i, o)
    {
        v[i].at = json_string_value(json_object_get(o, "at"));
        v[i].i = i;
        v[i].o = json_incref(o);
    }
    qsort(v, n, sizeof *v, cmp_item);
    json_array_clear(arr);
    for (i = 0; i < n; i++)
        json_array_append_new(arr, v[i].o);
    free(v);
    return 0;
}

int chan_timeline_json(struct chan *c, const struct memo_ctx *x, int text, int64_t now,
                       json_t **out, struct err *e)
{
    int rc = -1;
    struct pool p;
    struct tl t = {.zone = x->ch.timezone, .now = now, .items = json_array()};
    struct st_version_info *v = NULL;
    size_t nv = 0;

    pool_init(&p, 32u << 20); /* up to STORE_MEMO_LEAVES_MAX leaves (a chunk at a time) */
    *out = NULL;
    if (!t.items) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (chan_calendar_load(c, &p, x->ch.id, &t.cal, e) ||
        store_version_list(c->st, &p, x->m.id, &v, &nv, e))
        goto out;
    for (size_t i = 0; i < nv; i++) {
        json_t *o = json_pack("{s:i,s:s,s:s}", "number", v[i].number, "author",
                              v[i].author ? v[i].author : "", "author_name",
                              v[i].author_name ? v[i].author_name : "");
        /* the change note is the memo's text: with text only */
        if (o && text && v[i].change_note)
            json_object_set_new(o, "note", json_string(v[i].change_note));
        add_t(&t, v[i].created_at, v[i].number == 1 ? "drafted" : "version", o);
    }
    if (from_leaves(&t, c, &p, x, text, e))
        goto out;
    if (text && chan_can(x, CHAN_CAN_READ_MESSAGES, 0)) {
        struct st_message *msg = NULL;
        size_t nm = 0;
        if (store_message_list(c->st, &p, x->m.id, &msg, &nm, e))
            goto out;
        for (size_t i = 0; i < nm; i++)
            add_t(&t, msg[i].created_at, "message",
                  json_pack("{s:s,s:b}", "from", msg[i].display_name ? msg[i].display_name : "",
                            "office", (msg[i].roles & CHAN_ROLE_REVIEWER) != 0));
    }
    {
        /* leadership's reminders to the policy office (remind.c) */
        int64_t *rt = NULL;
        size_t nr = 0;
        if (store_reminder_times(c->st, &p, x->m.id, &rt, &nr, e))
            goto out;
        for (size_t i = 0; i < nr; i++)
            add_t(&t, rt[i], "reminded", json_pack("{s:s}", "by", "leadership"));
    }
    if (sort_items(t.items, e))
        goto out;
    /* what is still owed comes last, in order of its deadline */
    if (!x->m.withdrawn_at && (CHAN_DL_ACK_OPEN & (1u << x->m.state)) && x->m.ack_due)
        add_t(&t, x->m.ack_due, "due", deadline_json(&t, CHAN_DL_ACK, x->m.ack_due, 0));
    if (!x->m.withdrawn_at && (CHAN_DL_ANSWER_OPEN & (1u << x->m.state)) && x->m.answer_due)
        add_t(&t, x->m.answer_due, "due", deadline_json(&t, CHAN_DL_ANSWER, x->m.answer_due, 0));
    *out = t.items;
    t.items = NULL;
    rc = 0;
out:
    json_decref(t.items);
    pool_release(&p);
    return rc;
}
