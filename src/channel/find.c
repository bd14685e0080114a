/* find.c — memo lists: the scopes each role sees, their filters, orders
 * and pages, and searching the titles and text of the memos a list holds.
 *
 * Text is sealed at rest (store/seal.c), so the database cannot search it:
 * a search opens, inside the list's transaction, the title and the latest
 * text of the memos the list selects (at most CHAN_SEARCH_SCAN_MAX of them,
 * in the list's order) and matches them here. A memo is only ever opened
 * when the scope already lets the actor read it, and every match is checked
 * again with the access rules, so a search never shows more than reading
 * would (docs/threat-model.md). Every title returned is recorded in the
 * access log like any list's. */
#include "base/util.h"
#include "channel/access.h"
#include "channel/chan_internal.h"
#include "channel/deadline.h"
#include "proto/names.h"

#include <sodium.h>
#include <string.h>

/* A scope: who may list it, which memos it holds, its default order. */
struct scope {
    const char *name;
    unsigned roles;  /* any of them may list it */
    int mine;        /* 1: only memos the actor relates to (relation) */
    int relation;    /* STORE_REL_* */
    unsigned states; /* the states it holds (0: every state) */
    int order;       /* STORE_ORDER_* by default */
    int submitted;   /* dates filter the submission, not the creation */
    const char *refused;
};

#define ST(s)        STORE_STATE_BIT(CHAN_STATE_##s)
#define SUBMITTED_ON (ST(SUBMITTED) | ST(ACKNOWLEDGED) | ST(ANSWERED) | ST(CLOSED))

static const struct scope scopes[] = {
    {"mine", CHAN_ROLE_ALL & ~CHAN_ROLE_ADMIN, 1, STORE_REL_ANY, 0, STORE_ORDER_UPDATED, 0, NULL},
    {"drafted", CHAN_ROLE_ALL & ~CHAN_ROLE_ADMIN, 1, STORE_REL_DRAFTER, 0, STORE_ORDER_UPDATED, 0,
     NULL},
    {"signed", CHAN_ROLE_ALL & ~CHAN_ROLE_ADMIN, 1, STORE_REL_SIGNER, 0, STORE_ORDER_UPDATED, 0,
     NULL},
    {"signable", CHAN_ROLE_MEMBER, 0, 0, ST(CIRCULATING), STORE_ORDER_UPDATED, 0,
     "only members co-sign memos"},
    {"queue", CHAN_ROLE_REVIEWER | CHAN_ROLE_LEADERSHIP, 0, 0, CHAN_DL_UNDER_REVIEW,
     STORE_ORDER_DEADLINE, 1, "only the policy office and leadership see submitted memos"},
    {"all", CHAN_ROLE_REVIEWER | CHAN_ROLE_LEADERSHIP, 0, 0, SUBMITTED_ON, STORE_ORDER_SUBMITTED, 1,
     "only the policy office and leadership see submitted memos"},
    {"archive", CHAN_ROLE_REVIEWER | CHAN_ROLE_LEADERSHIP, 0, 0, ST(ANSWERED) | ST(CLOSED),
     STORE_ORDER_SUBMITTED, 1, "only the policy office and leadership see the archive"},
};

static const struct {
    const char *name;
    int order;
} sorts[] = {
    {"updated", STORE_ORDER_UPDATED},   {"newest", STORE_ORDER_NEWEST},
    {"oldest", STORE_ORDER_OLDEST},     {"submitted", STORE_ORDER_SUBMITTED},
    {"deadline", STORE_ORDER_DEADLINE}, {"signatures", STORE_ORDER_SIGNATURES},
};

static const char *sort_name(int order)
{
    for (size_t i = 0; i < ARRAY_LEN(sorts); i++)
        if (sorts[i].order == order)
            return sorts[i].name;
    return "updated";
}

static int blank(const char *s)
{
    return !s || !*s;
}

/* A list of names separated by commas into a mask of their indexes in
 * names (proto_states, proto_markings); ERR_INVALID names the bad one. */
static int names_mask(const char *field, const char *s, const char *const *names,
                      const char *allowed, unsigned *mask, struct err *e)
{
    char one[32];
    *mask = 0;
    while (*s) {
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        int k;
        if (n == 0 || n >= sizeof one)
            return err_set(e, ERR_INVALID, "%s must be one or more of %s, separated by commas",
                           field, allowed);
        memcpy(one, s, n);
        one[n] = '\0';
        k = proto_name_index(names, one);
        if (k < 0)
            return err_set(e, ERR_INVALID, "%s '%s' is not one of %s", field, one, allowed);
        *mask |= 1u << (unsigned)k;
        s += n + (end ? 1 : 0);
        if (end && !*s)
            return err_set(e, ERR_INVALID, "%s must not end with a comma", field);
    }
    return 0;
}

/* "YYYY-MM-DD" as the UTC second its day starts. */
static int parse_day(const char *field, const char *s, int64_t *t, struct err *e)
{
    if (strlen(s) != 10 || time_parse_utc(s, t))
        return err_set(e, ERR_INVALID, "%s must be a date written YYYY-MM-DD, not '%.20s'", field,
                       s);
    return 0;
}

static int parse_bool(const char *field, const char *s, int *v, struct err *e)
{
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcmp(s, "yes") == 0)
        *v = 1;
    else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0 || strcmp(s, "no") == 0)
        *v = -1;
    else
        return err_set(e, ERR_INVALID, "%s must be true or false", field);
    return 0;
}

static int parse_int(const char *field, const char *s, int64_t lo, int64_t hi, int64_t *v,
                     struct err *e)
{
    if (parse_i64(s, lo, hi, v))
        return err_set(e, ERR_INVALID, "%s must be a whole number from %lld to %lld", field,
                       (long long)lo, (long long)hi);
    return 0;
}

/* The words of a search, each at most CHAN_SEARCH_MAX bytes, in w (room for
 * CHAN_SEARCH_WORDS pointers into buf). */
static int search_words(const char *q, char *buf, size_t cap, const char **w, size_t *nw,
                        struct err *e)
{
    size_t n = strlen(q), j = 0;
    *nw = 0;
    if (n >= cap)
        return err_set(e, ERR_INVALID, "a search is at most %d characters", CHAN_SEARCH_MAX);
    memcpy(buf, q, n + 1);
    while (j < n) {
        while (j < n && (buf[j] == ' ' || buf[j] == '\t' || buf[j] == '\r' || buf[j] == '\n'))
            buf[j++] = '\0';
        if (j >= n)
            break;
        if (*nw == CHAN_SEARCH_WORDS)
            return err_set(e, ERR_INVALID, "a search has at most %d words", CHAN_SEARCH_WORDS);
        w[(*nw)++] = buf + j;
        while (j < n && !(buf[j] == ' ' || buf[j] == '\t' || buf[j] == '\r' || buf[j] == '\n'))
            j++;
    }
    return 0;
}

static unsigned char fold(unsigned char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch - 'A' + 'a') : ch;
}

/* 1 when word occurs in s, ignoring the case of ASCII letters (other
 * characters must match exactly: no locale decides what equals what). */
static int contains(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (; s && *s; s++) {
        size_t k = 0;
        while (k < n && s[k] && fold((unsigned char)s[k]) == fold((unsigned char)word[k]))
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

/* One memo of a list, with its deadlines for the office's queue and
 * leadership's view (deadline.h). */
static json_t *memo_info_json(const struct st_memo_info *i, int64_t now)
{
    struct chan_deadlines dl;
    struct st_memo m = {.state = i->state,
                        .submitted_at = i->submitted_at,
                        .ack_due = i->ack_due,
                        .acknowledged_at = i->acknowledged_at,
                        .answer_due = i->answer_due,
                        .answered_at = i->answered_at};
    json_t *o;
    chan_deadlines(&m, now, &dl);
    o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:b,s:o,s:b,s:o,s:o}", "id",
                  i->public_id, "channel", i->channel, "state", chan_state_name(i->state), "title",
                  i->title, "marking", chan_marking_name(i->marking), "latest_version",
                  i->latest_version, "created_at", chan_time_json(i->created_at), "submitted_at",
                  chan_time_json(i->submitted_at), "ack_due", chan_time_json(i->ack_due),
                  "acknowledged_at", chan_time_json(i->acknowledged_at), "answer_due",
                  chan_time_json(i->answer_due), "answered_at", chan_time_json(i->answered_at),
                  "signatures", (json_int_t)i->signatures, "overdue", dl.overdue, "overdue_what",
                  dl.overdue ? json_string(chan_deadline_name(dl.overdue_what)) : json_null(),
                  "due_soon", dl.due_soon, "next_due", chan_time_json(dl.next_due), "next",
                  dl.next ? json_string(chan_deadline_action(dl.next)) : json_null());
    if (o)
        json_object_set_new(o, "reminded_at", chan_time_json(i->reminded_at));
    return o;
}

/* Everything a query says, checked, as a store filter. */
struct parsed {
    const struct scope *scope;
    struct st_memo_filter f;
    const char *words[CHAN_SEARCH_WORDS];
    size_t nw;
    char qbuf[CHAN_SEARCH_MAX * 4 + 1];
    int page_given;
};

static int parse_query(struct chan *c, struct pool *p, const struct actor *a,
                       const struct chan_memo_query *q, struct parsed *r, struct err *e)
{
    const char *name = blank(q->scope) ? "mine" : q->scope;
    int64_t v;
    unsigned mask;
    r->scope = NULL;
    for (size_t i = 0; i < ARRAY_LEN(scopes); i++)
        if (strcmp(scopes[i].name, name) == 0)
            r->scope = &scopes[i];
    if (a->roles & CHAN_ROLE_ADMIN)
        return err_set(e, ERR_FORBIDDEN, "admins do not see memos");
    if (!r->scope)
        return err_set(e, ERR_INVALID,
                       "scope must be one of mine, drafted, signed, signable, "
                       "queue, all, archive");
    if (!(a->roles & r->scope->roles))
        return err_set(e, ERR_FORBIDDEN, "%s", r->scope->refused ? r->scope->refused : "forbidden");
    r->f.member_id = r->scope->mine ? a->id : 0;
    r->f.relation = r->scope->relation;
    r->f.states = r->scope->states;
    r->f.order = r->scope->order;
    r->f.date_submitted = r->scope->submitted;
    r->f.deadline_ack_states = CHAN_DL_ACK_OPEN;
    r->f.deadline_answer_states = CHAN_DL_ANSWER_OPEN & ~CHAN_DL_ACK_OPEN;
    r->f.ack_open = CHAN_DL_ACK_OPEN;
    r->f.answer_open = CHAN_DL_ANSWER_OPEN;
    r->f.now = now_utc();
    r->f.limit = CHAN_PAGE_DEFAULT;
    if (!blank(q->state)) {
        if (names_mask("state", q->state, proto_states,
                       "draft, circulating, submitted, acknowledged, answered, closed, withdrawn",
                       &mask, e))
            return -1;
        if (r->scope->states && (mask & ~r->scope->states))
            return err_set(e, ERR_INVALID, "the list '%s' holds no memo in state '%s'",
                           r->scope->name, q->state);
        r->f.states = mask;
    }
    if (!blank(q->marking) &&
        names_mask("marking", q->marking, proto_markings, "UNCLASSIFIED, SBU, CONFIDENTIAL, SECRET",
                   &r->f.markings, e))
        return -1;
    if (!blank(q->channel)) {
        struct st_channel ch;
        if (chan_check_slug("channel", q->channel, e))
            return -1;
        if (store_channel_by_slug(c->st, p, q->channel, &ch, e)) {
            if (e->code == ERR_NOT_FOUND)
                err_set(e, ERR_INVALID, "there is no channel '%s'", q->channel);
            return -1;
        }
        r->f.channel_id = ch.id;
    }
    if (!blank(q->from) && parse_day("from", q->from, &r->f.date_from, e))
        return -1;
    if (!blank(q->to)) {
        if (parse_day("to", q->to, &r->f.date_to, e))
            return -1;
        r->f.date_to += 86400; /* the whole day */
    }
    if (r->f.date_from && r->f.date_to && r->f.date_from >= r->f.date_to)
        return err_set(e, ERR_INVALID, "from must not be after to");
    if (!blank(q->overdue) && parse_bool("overdue", q->overdue, &r->f.overdue, e))
        return -1;
    if (!blank(q->sort)) {
        int found = 0;
        for (size_t i = 0; i < ARRAY_LEN(sorts); i++)
            if (strcmp(sorts[i].name, q->sort) == 0) {
                r->f.order = sorts[i].order;
                found = 1;
            }
        if (!found)
            return err_set(e, ERR_INVALID,
                           "sort must be one of updated, newest, oldest, "
                           "submitted, deadline, signatures");
    }
    if (!blank(q->limit)) {
        if (parse_int("limit", q->limit, 1, CHAN_PAGE_MAX, &v, e))
            return -1;
        r->f.limit = (int)v;
    }
    if (!blank(q->offset) && !blank(q->page))
        return err_set(e, ERR_INVALID, "give offset or page, not both");
    if (!blank(q->offset)) {
        if (parse_int("offset", q->offset, 0, CHAN_OFFSET_MAX, &v, e))
            return -1;
        r->f.offset = (int)v;
    }
    if (!blank(q->page)) {
        if (parse_int("page", q->page, 1, CHAN_OFFSET_MAX / CHAN_PAGE_MAX, &v, e))
            return -1;
        r->f.offset = (int)((v - 1) * r->f.limit);
    }
    if (!blank(q->q)) {
        if (chan_check_text("search", q->q, CHAN_SEARCH_MAX, 0, e) ||
            search_words(q->q, r->qbuf, sizeof r->qbuf, r->words, &r->nw, e))
            return -1;
    }
    return 0;
}

/* 1 when memo i matches every word in its title or its latest text; the
 * text is opened only when the title does not already match, and only
 * when the access rules let a read it. */
static int search_one(struct chan *c, const struct actor *a, const struct st_memo_info *i,
                      const struct parsed *r, int *match, struct err *e)
{
    int rc = -1, drafter = 0, signed_v = 0;
    struct pool sp;
    struct st_version v;
    size_t k;

    *match = 0;
    for (k = 0; k < r->nw && contains(i->title, r->words[k]); k++)
        ;
    if (store_is_drafter(c->st, i->id, a->id, &drafter, e) ||
        store_signature_get(c->st, i->id, a->id, &signed_v, e))
        return -1;
    /* the scope selected only readable memos; the rules have the last word */
    if (!chan_allowed(CHAN_ACT_READ_MEMO, a->roles,
                      (drafter ? CHAN_REL_DRAFTER : 0u) | (signed_v ? CHAN_REL_SIGNER : 0u),
                      i->state))
        return 0;
    if (k == r->nw) {
        *match = 1;
        return 0;
    }
    pool_init(&sp, (size_t)CHAN_BODY_MAX * 8);
    if (store_version_get(c->st, &sp, i->id, i->latest_version, &v, e))
        goto out;
    *match = 1;
    for (k = 0; k < r->nw; k++)
        if (!contains(i->title, r->words[k]) && !contains(v.body, r->words[k]))
            *match = 0;
    if (v.body)
        sodium_memzero(v.body, strlen(v.body));
    rc = 0;
out:
    pool_release(&sp);
    return rc;
}

int chan_memo_find(struct chan *c, const struct actor *a, const struct chan_memo_query *q,
                   json_t **out, struct err *e)
{
    int rc = -1;
    struct parsed *r = NULL;
    struct pool p;
    struct st_memo_info *m = NULL;
    size_t n = 0, first = 0, last = 0;
    int64_t total = 0, searched = 0, candidates = 0;
    json_t *rows = NULL, *filters = NULL;
    unsigned char *keep = NULL;

    pool_init(&p, 64u << 20);
    *out = NULL;
    r = pool_alloc(&p, sizeof *r);
    if (!r) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    memset(r, 0, sizeof *r);
    /* A read that records itself: no writers' lock (store.h). */
    if (store_begin_unordered(c->st, e))
        goto out;
    if (parse_query(c, &p, a, q, r, e))
        goto fail;
    if (r->nw == 0) {
        if (store_memo_count(c->st, &r->f, &total, e) ||
            store_memo_list(c->st, &p, &r->f, &m, &n, e))
            goto fail;
        first = 0;
        last = n;
    } else {
        /* Search: the list's memos in its order, up to the scan limit,
         * then the page among those that match. */
        struct st_memo_filter all = r->f;
        size_t seen = 0;
        all.limit = CHAN_SEARCH_SCAN_MAX;
        all.offset = 0;
        if (store_memo_count(c->st, &all, &candidates, e) ||
            store_memo_list(c->st, &p, &all, &m, &n, e))
            goto fail;
        keep = pool_alloc(&p, n + 1);
        if (!keep) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto fail;
        }
        for (size_t i = 0; i < n; i++) {
            int match = 0;
            if (search_one(c, a, &m[i], r, &match, e))
                goto fail;
            keep[i] = (unsigned char)match;
            total += match;
        }
        searched = (int64_t)n;
        /* keep only the page: compact the matches in order */
        for (size_t i = 0; i < n; i++) {
            if (!keep[i])
                continue;
            if (seen >= (size_t)r->f.offset && last - first < (size_t)r->f.limit)
                m[last++] = m[i];
            seen++;
        }
        n = last;
    }
    /* Every title shown is a read of that memo's text: one row each, in
     * one statement for the page (store_access_insert_many). */
    if (last > first) {
        int64_t *ids = pool_alloc(&p, (last - first) * sizeof *ids);
        struct st_read rd = {
            .reader_id = a->id, .roles = a->roles, .what = CHAN_ACCESS_LISTED, .at = r->f.now};
        if (!ids) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto fail;
        }
        for (size_t i = first; i < last; i++)
            ids[i - first] = m[i].id;
        if (store_access_insert_many(c->st, &rd, ids, last - first, e))
            goto fail;
    }
    rows = json_array();
    for (size_t i = first; rows && i < last; i++)
        json_array_append_new(rows, memo_info_json(&m[i], r->f.now));
    filters = json_pack("{s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?}", "q", blank(q->q) ? NULL : q->q,
                        "state", blank(q->state) ? NULL : q->state, "channel",
                        blank(q->channel) ? NULL : q->channel, "marking",
                        blank(q->marking) ? NULL : q->marking, "from",
                        blank(q->from) ? NULL : q->from, "to", blank(q->to) ? NULL : q->to,
                        "overdue", r->f.overdue ? (r->f.overdue > 0 ? "true" : "false") : NULL);
    *out = json_pack("{s:s,s:o,s:I,s:i,s:i,s:i,s:I,s:s,s:s,s:o}", "scope", r->scope->name, "memos",
                     rows, "total", (json_int_t)total, "limit", r->f.limit, "offset", r->f.offset,
                     "page", r->f.offset / r->f.limit + 1, "pages",
                     (json_int_t)((total + r->f.limit - 1) / r->f.limit), "sort",
                     sort_name(r->f.order), "date_field",
                     r->f.date_submitted ? "submitted" : "created", "filters", filters);
    rows = filters = NULL;
    if (*out && r->nw) {
        json_object_set_new(*out, "searched", json_integer(searched));
        json_object_set_new(*out, "search_limited", json_boolean(candidates > searched));
    }
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    json_decref(rows);
    json_decref(filters);
    pool_release(&p);
    return rc;
}

int chan_memo_list(struct chan *c, const struct actor *a, const char *scope, json_t **out,
                   struct err *e)
{
    struct chan_memo_query q = {.scope = scope};
    return chan_memo_find(c, a, &q, out, e);
}
