/* notify.c — notifications in the app and by mail (notify.h): who is told,
 * the members' choices, the reminder job, the outbox and its sender. */
#include "channel/notify.h"

#include "base/log.h"
#include "base/tz.h"
#include "base/util.h"
#include "channel/chan_internal.h"
#include "channel/deadline.h"
#include "proto/calendar.h"
#include "store/keydir.h"
#include "store/notify.h"

#include <sodium.h>
#include <string.h>

/* The kinds a member chooses for, with what they mean and the default.
 * Progress on memos one co-signed is opt-in: a co-signer did not ask to
 * follow the review by signing. */
static const struct kind_info {
    const char *kind, *label;
    int dflt;
} kinds[] = {
    {"new_version", "A new version of a memo you co-signed", CHAN_NOTIFY_NOW},
    {"submitted", "A memo submitted to the policy office (policy office)", CHAN_NOTIFY_NOW},
    {"review", "Acknowledgements, answers, extensions and messages on memos you draft",
     CHAN_NOTIFY_NOW},
    {"review_signed", "The same on memos you co-signed by name (off unless you opt in)",
     CHAN_NOTIFY_OFF},
    {"reminder", "Reminders before a deadline and from leadership (policy office)",
     CHAN_NOTIFY_NOW},
    {"missed", "Missed deadlines", CHAN_NOTIFY_NOW},
    {"account", "Changes to your account", CHAN_NOTIFY_NOW},
};

static const char *const mode_names[] = {
    [CHAN_NOTIFY_OFF] = "off", [CHAN_NOTIFY_NOW] = "immediately", [CHAN_NOTIFY_DIGEST] = "digest"};

/* What each event says: no title, no name, only what kind of news it is. */
static const struct {
    const char *event, *text;
} texts[] = {
    {"new_version", "A memo you co-signed has a new version: read it and move your signature if "
                    "you agree with it."},
    {"submitted", "A memo was submitted to the policy office."},
    {"acknowledged", "The policy office acknowledged a memo."},
    {"answered", "The policy office answered a memo."},
    {"extended", "The policy office extended the answer deadline of a memo."},
    {"message", "There is a new message in the review of a memo."},
    {"reminder_ack", "A memo's acknowledgement is due soon."},
    {"reminder_answer", "A memo's answer is due soon."},
    {"leadership_reminder", "Leadership asks the policy office about a memo under review."},
    {"missed_ack", "A memo's acknowledgement deadline passed without an acknowledgement."},
    {"missed_answer", "A memo's answer deadline passed without an answer."},
};

static const struct kind_info *kind_find(const char *kind)
{
    for (size_t i = 0; kind && i < ARRAY_LEN(kinds); i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return &kinds[i];
    return NULL;
}

static const char *event_text(const char *kind, const char *event)
{
    for (size_t i = 0; i < ARRAY_LEN(texts); i++)
        if (strcmp(texts[i].event, event) == 0)
            return texts[i].text;
    if (strcmp(kind, "account") == 0)
        return "Something changed on your account: see your account page.";
    return "There is news.";
}

/* The member's mode for kind (the kind's default when never chosen). */
static int member_mode(struct chan *c, int64_t member_id, const struct kind_info *k, int *mode,
                       struct err *e)
{
    int rc = store_notify_pref_get(c->st, member_id, k->kind, mode, e);
    if (rc == 0 && (*mode < CHAN_NOTIFY_OFF || *mode > CHAN_NOTIFY_DIGEST))
        *mode = k->dflt;
    return rc;
}

/* ---- telling people ---- */

/* One event to tell about. */
struct notice {
    const struct st_memo *m; /* NULL: about no memo */
    const char *kind, *event, *dedupe;
    int action;     /* CHAN_ACT_*: the recipient must be allowed it on m */
    int64_t except; /* the member who caused it: not told */
    int64_t now;
    int read; /* the row starts read */
    /* Members considered so far by this event (each told once): an open
     * addressing set of ids (0: empty slot), at most half full, so that an
     * event for a memo's many co-signers stays linear in their number. */
    int64_t *told;
    size_t n_told, cap_told; /* cap_told: 0 or a power of two */
};

static size_t told_slot(const struct notice *n, int64_t id)
{
    /* Fibonacci hashing: member ids are dense, the slots spread them */
    size_t i = (size_t)(((uint64_t)id * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (n->cap_told - 1);
    while (n->told[i] && n->told[i] != id)
        i = (i + 1) & (n->cap_told - 1);
    return i;
}

static int told_before(const struct notice *n, int64_t id)
{
    return n->cap_told && n->told[told_slot(n, id)] == id;
}

/* Adds id (> 0, not in the set yet). */
static int told_add(struct pool *p, struct notice *n, int64_t id, struct err *e)
{
    if (2 * (n->n_told + 1) > n->cap_told) {
        struct notice grown = *n;
        grown.cap_told = n->cap_told ? 2 * n->cap_told : 64;
        grown.told = pool_alloc(p, grown.cap_told * sizeof *grown.told);
        if (!grown.told)
            return err_set(e, ERR_NOMEM, "out of memory");
        memset(grown.told, 0, grown.cap_told * sizeof *grown.told);
        for (size_t i = 0; i < n->cap_told; i++)
            if (n->told[i])
                grown.told[told_slot(&grown, n->told[i])] = n->told[i];
        n->told = grown.told;
        n->cap_told = grown.cap_told;
    }
    n->told[told_slot(n, id)] = id;
    n->n_told++;
    return 0;
}

/* Tells member_id about n under kind, if the member is active, may take
 * n->action on the memo as it is now, and did not turn the kind off. */
static int tell(struct chan *c, struct pool *p, struct notice *n, const char *kind,
                int64_t member_id, struct err *e)
{
    int rc = -1, drafter = 0, signed_v = 0, mode, added = 0;
    struct st_member mem;
    const struct kind_info *k = kind_find(kind);
    char *address = NULL;
    int64_t digest_at = 0;
    struct st_notification_new row = {0};

    if (member_id == n->except || told_before(n, member_id))
        return 0;
    if (!k) {
        rc = err_set(e, ERR_INTERNAL, "unknown notification kind '%s'", kind);
        goto out;
    }
    if (store_member_by_id(c->st, p, member_id, &mem, e))
        goto out;
    if (told_add(p, n, member_id, e))
        goto out;
    if (mem.disabled) {
        rc = 0;
        goto out;
    }
    if (n->m) {
        if (store_is_drafter(c->st, n->m->id, member_id, &drafter, e) ||
            store_signature_get(c->st, n->m->id, member_id, &signed_v, e))
            goto out;
        if (!chan_allowed(n->action, mem.roles,
                          (drafter ? CHAN_REL_DRAFTER : 0u) | (signed_v ? CHAN_REL_SIGNER : 0u),
                          n->m->state)) {
            rc = 0;
            goto out;
        }
    }
    if (member_mode(c, member_id, k, &mode, e))
        goto out;
    if (mode == CHAN_NOTIFY_OFF) {
        rc = 0;
        goto out;
    }
    if (store_member_mail_get(c->st, p, member_id, &address, &digest_at, e))
        goto out;
    row.member_id = member_id;
    row.kind = kind;
    row.event = n->event;
    row.dedupe = n->dedupe;
    row.memo_id = n->m ? n->m->id : 0;
    row.at = n->now;
    row.read_at = n->read ? n->now : 0;
    row.mail = !address ? ST_MAIL_NONE : mode == CHAN_NOTIFY_NOW ? ST_MAIL_NOW : ST_MAIL_DIGEST;
    rc = store_notification_add(c->st, &row, &added, e);
out:
    return rc;
}

static int tell_list(struct chan *c, struct pool *p, struct notice *n, const char *kind,
                     const int64_t *ids, size_t count, struct err *e)
{
    for (size_t i = 0; i < count; i++)
        if (tell(c, p, n, kind, ids[i], e))
            return -1;
    return 0;
}

static int tell_roles(struct chan *c, struct pool *p, struct notice *n, const char *kind,
                      unsigned roles, struct err *e)
{
    int64_t *ids = NULL;
    unsigned *r = NULL;
    size_t count = 0;
    return store_members_with_roles(c->st, p, roles, &ids, &r, &count, e) ||
                   tell_list(c, p, n, kind, ids, count, e)
               ? -1
               : 0;
}

static int tell_drafters(struct chan *c, struct pool *p, struct notice *n, const char *kind,
                         struct err *e)
{
    int64_t *ids = NULL;
    size_t count = 0;
    return store_drafter_ids(c->st, p, n->m->id, &ids, &count, e) ||
                   tell_list(c, p, n, kind, ids, count, e)
               ? -1
               : 0;
}

/* The named co-signers (only_older: those whose signature is on a version
 * before the latest). Anonymous co-signers are not in this table. */
static int tell_signers(struct chan *c, struct pool *p, struct notice *n, const char *kind,
                        int only_older, struct err *e)
{
    int64_t *ids = NULL;
    int *versions = NULL;
    size_t count = 0;
    const struct kind_info *k = kind_find(kind);
    if (!k)
        return err_set(e, ERR_INTERNAL, "unknown notification kind '%s'", kind);
    /* only those who have not turned the kind off: most co-signers never
     * opt in to review_signed, and need no query each */
    if (store_signer_ids(c->st, p, n->m->id, k->kind, k->dflt, CHAN_NOTIFY_OFF, &ids, &versions,
                         &count, e))
        return -1;
    for (size_t i = 0; i < count; i++)
        if ((!only_older || versions[i] < n->m->latest_version) && tell(c, p, n, kind, ids[i], e))
            return -1;
    return 0;
}

int chan_notify_version(struct chan *c, struct pool *p, const struct st_memo *m, int64_t actor_id,
                        int64_t now, struct err *e)
{
    struct notice n = {.m = m,
                       .event = "new_version",
                       .action = CHAN_ACT_READ_MEMO,
                       .except = actor_id,
                       .now = now};
    return tell_signers(c, p, &n, "new_version", 1, e);
}

int chan_notify_review(struct chan *c, struct pool *p, const struct st_memo *m, const char *event,
                       int64_t actor_id, int64_t now, struct err *e)
{
    struct notice n = {
        .m = m, .event = event, .action = CHAN_ACT_READ_MEMO, .except = actor_id, .now = now};
    int message = strcmp(event, "message") == 0;
    if (strcmp(event, "submitted") == 0)
        return tell_roles(c, p, &n, "submitted", CHAN_ROLE_REVIEWER, e);
    if (!message && strcmp(event, "acknowledged") != 0 && strcmp(event, "answered") != 0 &&
        strcmp(event, "extended") != 0)
        return 0;
    if (message)
        n.action = CHAN_ACT_READ_MESSAGES;
    if (tell_drafters(c, p, &n, "review", e) ||
        (message && tell_roles(c, p, &n, "review", CHAN_ROLE_REVIEWER, e)) ||
        tell_signers(c, p, &n, "review_signed", 0, e))
        return -1;
    return 0;
}

int chan_notify_deadline_missed(struct chan *c, struct pool *p, const struct st_memo *m, int what,
                                int64_t due, int64_t now, struct err *e)
{
    const char *w = what == CHAN_DL_ACK ? "ack" : "answer";
    struct notice n = {.m = m,
                       .event = what == CHAN_DL_ACK ? "missed_ack" : "missed_answer",
                       .action = CHAN_ACT_READ_MEMO,
                       .now = now};
    n.dedupe = pool_printf(p, "missed:%s:%lld:%lld", w, (long long)m->id, (long long)due);
    if (!n.dedupe)
        return err_set(e, ERR_NOMEM, "out of memory");
    return tell_roles(c, p, &n, "missed", CHAN_ROLE_REVIEWER | CHAN_ROLE_LEADERSHIP, e) ||
                   tell_drafters(c, p, &n, "missed", e)
               ? -1
               : 0;
}

int chan_notify_leadership_reminder(struct chan *c, struct pool *p, const struct st_memo *m,
                                    int64_t reminder_id, int64_t actor_id, int64_t now,
                                    struct err *e)
{
    struct notice n = {.m = m,
                       .event = "leadership_reminder",
                       .action = CHAN_ACT_READ_MEMO,
                       .except = actor_id,
                       .now = now};
    n.dedupe = pool_printf(p, "leadership:%lld", (long long)reminder_id);
    if (!n.dedupe)
        return err_set(e, ERR_NOMEM, "out of memory");
    return tell_roles(c, p, &n, "reminder", CHAN_ROLE_REVIEWER, e);
}

int chan_notify_account(struct chan *c, int64_t member_id, const char *kind, int read, int64_t now,
                        struct err *e)
{
    struct pool p;
    struct notice n = {.event = kind, .now = now, .read = read};
    int rc;
    pool_init(&p, 4096);
    rc = tell(c, &p, &n, "account", member_id, e);
    pool_release(&p);
    return rc;
}

/* ---- reminders ---- */

/* The start of the reminder day of a deadline due at due: lead working
 * days before the due day, in the channel's zone. */
static int64_t remind_at(const struct st_channel *ch, const struct cal_calendar *cal, int64_t due,
                         int lead)
{
    int64_t day = tz_local_day(ch->timezone, due);
    /* A lead of up to CHAN_REMIND_MAX working days lies within a year. */
    for (int k = lead, guard = 0; k > 0 && guard < 400; guard++) {
        day--;
        if (cal_is_working_day(cal, day))
            k--;
    }
    return tz_end_of_day(ch->timezone, day - 1) + 1;
}

static int remind_one(struct chan *c, struct pool *p, const struct st_open_memo *om,
                      const struct st_channel *ch, const struct cal_calendar *cal, int lead,
                      int what, int64_t due, int64_t now, struct err *e)
{
    struct st_memo m = {0};
    struct notice n = {.m = &m, .action = CHAN_ACT_READ_MEMO, .now = now};
    if (!due || now > due || now < remind_at(ch, cal, due, lead))
        return 0;
    m.id = om->id;
    m.state = om->state;
    n.event = what == CHAN_DL_ACK ? "reminder_ack" : "reminder_answer";
    n.dedupe = pool_printf(p, "reminder:%s:%lld:%lld", what == CHAN_DL_ACK ? "ack" : "answer",
                           (long long)om->id, (long long)due);
    if (!n.dedupe)
        return err_set(e, ERR_NOMEM, "out of memory");
    return tell_roles(c, p, &n, "reminder", CHAN_ROLE_REVIEWER, e);
}

int chan_notify_tick(struct chan *c, int64_t now, struct err *e)
{
    int rc = -1, lead = CHAN_REMIND_DEFAULT;
    struct pool p;
    struct st_open_memo *om = NULL;
    size_t n = 0;
    struct st_channel ch = {0};
    struct cal_calendar cal = {0};

    pool_init(&p, 1 << 16);
    if (store_begin(c->st, e))
        goto out;
    if (store_open_memos(c->st, &p, CHAN_DL_UNDER_REVIEW, &om, &n, e))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        if (ch.id != om[i].channel_id) {
            if (store_channel_by_id(c->st, &p, om[i].channel_id, &ch, e) ||
                chan_calendar_load(c, &p, ch.id, &cal, e) ||
                store_channel_reminder_get(c->st, ch.id, &lead, e))
                goto fail;
            if (lead < 0)
                lead = CHAN_REMIND_DEFAULT;
        }
        if ((CHAN_DL_ACK_OPEN & (1u << om[i].state)) && !om[i].acknowledged_at &&
            remind_one(c, &p, &om[i], &ch, &cal, lead, CHAN_DL_ACK, om[i].ack_due, now, e))
            goto fail;
        if ((CHAN_DL_ANSWER_OPEN & (1u << om[i].state)) && !om[i].answered_at &&
            remind_one(c, &p, &om[i], &ch, &cal, lead, CHAN_DL_ANSWER, om[i].answer_due, now, e))
            goto fail;
    }
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, NULL, e);
out:
    pool_release(&p);
    return rc;
}

/* ---- what members see and choose ---- */

int chan_notifications(struct chan *c, struct pool *p, const struct actor *a, int unread_only,
                       json_t **out, struct err *e)
{
    return chan_notifications_page(c, p, a, unread_only, 0, CHAN_NOTIFY_LIST_MAX, out, e);
}

int chan_notify_page_args(const char *before, const char *limit, int default_limit,
                          int64_t *before_out, int *limit_out, struct err *e)
{
    int64_t l = default_limit;
    *before_out = 0;
    if (before && *before && parse_i64(before, 1, INT64_MAX, before_out) != 0)
        return err_set(e, ERR_INVALID, "field 'before' must be a notification id");
    if (limit && *limit && parse_i64(limit, 1, CHAN_NOTIFY_LIST_MAX, &l) != 0)
        return err_set(e, ERR_INVALID, "field 'limit' must be 1 to %d", CHAN_NOTIFY_LIST_MAX);
    *limit_out = (int)l;
    return 0;
}

int chan_notifications_page(struct chan *c, struct pool *p, const struct actor *a, int unread_only,
                            int64_t before, int limit, json_t **out, struct err *e)
{
    int rc = -1;
    struct st_notification *x = NULL;
    size_t n = 0;
    int64_t unread = 0, next = 0;
    json_t *rows = NULL;

    if (limit < 1 || limit > CHAN_NOTIFY_LIST_MAX)
        return err_set(e, ERR_INVALID, "field 'limit' must be 1 to %d", CHAN_NOTIFY_LIST_MAX);
    if (before < 0)
        return err_set(e, ERR_INVALID, "field 'before' must be a notification id");
    if (store_begin_read(c->st, e))
        goto out;
    /* one more than asked: whether an older page exists */
    rc = store_notification_list(c->st, p, a->id, unread_only, before, limit + 1, &x, &n, e) ||
                 store_notification_unread(c->st, a->id, &unread, e)
             ? -1
             : 0;
    store_rollback(c->st);
    if (rc)
        goto out;
    rc = -1;
    if (n > (size_t)limit) {
        n = (size_t)limit;
        next = x[n - 1].id;
    }
    rows = json_array();
    for (size_t i = 0; rows && i < n; i++) {
        const char *link = x[i].memo ? pool_printf(p, "/memos/%s", x[i].memo) : "/account";
        json_array_append_new(rows,
                              json_pack("{s:I,s:s,s:s,s:s?,s:o,s:b,s:o,s:s,s:s}", "id",
                                        (json_int_t)x[i].id, "kind", x[i].kind, "event", x[i].event,
                                        "memo", x[i].memo, "at", chan_time_json(x[i].at), "read",
                                        x[i].read_at != 0, "read_at", chan_time_json(x[i].read_at),
                                        "text", event_text(x[i].kind, x[i].event), "link", link));
    }
    *out = json_pack("{s:I,s:o,s:o}", "unread", (json_int_t)unread, "notifications", rows,
                     "next_before", next ? json_integer(next) : json_null());
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    return rc;
}

int chan_notifications_unread(struct chan *c, const struct actor *a, int64_t *n, struct err *e)
{
    int rc;
    if (store_begin_read(c->st, e))
        return -1;
    rc = store_notification_unread(c->st, a->id, n, e);
    store_rollback(c->st);
    return rc;
}

int chan_notifications_read(struct chan *c, const struct actor *a, int64_t id, json_t **out,
                            struct err *e)
{
    int rc = -1;
    int64_t marked = 0, unread = 0;
    if (id < 0)
        return err_set(e, ERR_INVALID, "field 'id' must be a notification id");
    if (store_begin(c->st, e))
        goto out;
    if (store_notification_read(c->st, a->id, id, now_utc(), &marked, e) ||
        store_notification_unread(c->st, a->id, &unread, e))
        goto fail;
    if (id != 0 && marked == 0) {
        err_set(e, ERR_NOT_FOUND, "no unread notification %lld of yours", (long long)id);
        goto fail;
    }
    *out = json_pack("{s:I,s:I}", "marked", (json_int_t)marked, "unread", (json_int_t)unread);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}

/* {address, kinds} of member_id (kinds left out when with_kinds is 0). */
static int prefs_json(struct chan *c, struct pool *p, int64_t member_id, int with_kinds,
                      json_t **out, struct err *e)
{
    int rc = -1, mode;
    char *address = NULL;
    int64_t digest_at = 0;
    json_t *arr = json_array();
    if (!arr) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (store_member_mail_get(c->st, p, member_id, &address, &digest_at, e))
        goto out;
    for (size_t i = 0; with_kinds && i < ARRAY_LEN(kinds); i++) {
        if (member_mode(c, member_id, &kinds[i], &mode, e))
            goto out;
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "kind", kinds[i].kind, "label",
                                             kinds[i].label, "mode", mode_names[mode]));
    }
    *out = json_pack("{s:s?}", "address", address);
    if (*out && with_kinds)
        json_object_set(*out, "kinds", arr);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    json_decref(arr);
    return rc;
}

int chan_notify_prefs(struct chan *c, struct pool *p, const struct actor *a, json_t **out,
                      struct err *e)
{
    int rc;
    if (store_begin_read(c->st, e))
        return -1;
    rc = prefs_json(c, p, a->id, 1, out, e);
    store_rollback(c->st);
    return rc;
}

int chan_notify_pref_set(struct chan *c, struct pool *p, const struct actor *a, const char *kind,
                         const char *mode, json_t **out, struct err *e)
{
    int rc = -1, m = -1;
    const struct kind_info *k = kind_find(kind);
    for (int i = 0; mode && i < (int)ARRAY_LEN(mode_names); i++)
        if (strcmp(mode_names[i], mode) == 0)
            m = i;
    if (!k)
        return err_set(e, ERR_INVALID,
                       "unknown notification kind '%s' (new_version, submitted, review, "
                       "review_signed, reminder, missed, account)",
                       kind ? kind : "");
    if (m < 0)
        return err_set(e, ERR_INVALID, "mode must be immediately, digest or off (got '%s')",
                       mode ? mode : "");
    if (store_begin(c->st, e))
        goto out;
    if (store_notify_pref_set(c->st, a->id, k->kind, m, e) || prefs_json(c, p, a->id, 1, out, e))
        goto fail;
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}

/* A plain mail address: local@domain of printable ASCII with no space,
 * quote, angle bracket, comma or semicolon — nothing that could end a
 * header line or add a recipient. */
static int address_ok(const char *s)
{
    const char *at = strchr(s, '@');
    size_t n = strlen(s);
    if (n < 3 || n > CHAN_MAIL_ADDRESS_MAX || !at || at == s || !at[1] || strchr(at + 1, '@') ||
        at[1] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= 0x20 || ch >= 0x7f || strchr("\"(),:;<>[\\]", ch))
            return 0;
    }
    return 1;
}

int chan_mail_address_set(struct chan *c, struct pool *p, const struct actor *a,
                          const char *username, const char *address, json_t **out, struct err *e)
{
    int rc = -1, self = !username || strcmp(username, a->username) == 0;
    struct st_member m;
    int64_t now = now_utc();
    if (!address || (*address && !address_ok(address)))
        return err_set(e, ERR_INVALID,
                       "field 'address' must be a mail address like name@example.org (at most "
                       "%d characters), or empty to remove it",
                       CHAN_MAIL_ADDRESS_MAX);
    if (!self && chan_require_role(a, CHAN_ROLE_ADMIN, "set another member's mail address", e))
        return -1;
    if (store_begin(c->st, e))
        goto out;
    if (self)
        m.id = a->id;
    else if (store_member_by_username(c->st, p, username, &m, e))
        goto fail;
    if (store_member_mail_set(c->st, m.id, *address ? address : NULL, e) ||
        chan_account_event(c, m.id, "mail_address_changed", a,
                           *address ? "Mail address for notifications set."
                                    : "Mail address for notifications removed.",
                           now, self, e) ||
        prefs_json(c, p, m.id, self, out, e))
        goto fail;
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}

int chan_channel_reminder_set(struct chan *c, const struct actor *a, const char *slug, int days,
                              json_t **out, struct err *e)
{
    int rc = -1;
    struct pool p;
    struct st_channel ch;
    pool_init(&p, 4096);
    if (chan_require_role(a, CHAN_ROLE_ADMIN, "set a channel's reminders", e))
        goto out;
    if (days < 0 || days > CHAN_REMIND_MAX) {
        rc =
            err_set(e, ERR_INVALID, "field 'remind_working_days' must be 0 to %d", CHAN_REMIND_MAX);
        goto out;
    }
    if (store_begin(c->st, e))
        goto out;
    if (store_channel_by_slug(c->st, &p, slug, &ch, e) ||
        store_channel_reminder_set(c->st, ch.id, days, e))
        goto fail;
    *out = json_pack("{s:s,s:i}", "channel", ch.slug, "remind_working_days", days);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    pool_release(&p);
    return rc;
}

int chan_channel_reminder_get(struct chan *c, const char *slug, json_t **out, struct err *e)
{
    int rc = -1, days = -1;
    struct pool p;
    struct st_channel ch;
    pool_init(&p, 4096);
    if (store_begin_read(c->st, e))
        goto out;
    rc = store_channel_by_slug(c->st, &p, slug, &ch, e) ||
                 store_channel_reminder_get(c->st, ch.id, &days, e)
             ? -1
             : 0;
    store_rollback(c->st);
    if (rc)
        goto out;
    *out = json_pack("{s:s,s:i}", "channel", ch.slug, "remind_working_days",
                     days < 0 ? CHAN_REMIND_DEFAULT : days);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    pool_release(&p);
    return rc;
}

/* ---- mail ---- */

int chan_mail_text(const char *public_url, int64_t count, int digest, struct buf *subject,
                   struct buf *body, struct err *e)
{
    const char *url = public_url ? public_url : "";
    size_t ul = strlen(url);
    while (ul > 0 && url[ul - 1] == '/')
        ul--;
    buf_reset(subject);
    buf_reset(body);
    if (buf_puts(subject, digest ? "dissent: your daily digest" : "dissent: there is news", e) ||
        buf_printf(body, e,
                   "%s %lld new notification%s for you on dissent.\r\n\r\n"
                   "Read %s at %.*s/notifications (after you log in).\r\n\r\n"
                   "This mail says nothing more on purpose: what happened stays on the "
                   "server, where only those allowed may read it.\r\n"
                   "You can choose which news reaches you by mail on your account page.\r\n",
                   digest ? "Since your last digest, there are" : "There", (long long)count,
                   count == 1 ? " is" : "s are", count == 1 ? "it" : "them", (int)ul, url))
        return -1;
    return 0;
}

/* Queues mails for the rows waiting in state wait; digests only for members due one. */
static int mail_queue(struct chan *c, int64_t now, int wait, struct err *e)
{
    int rc = -1;
    struct pool p;
    struct st_mail_pending *x = NULL;
    size_t n = 0;
    int digest = wait == ST_MAIL_DIGEST;
    pool_init(&p, 4096);
    if (store_begin(c->st, e))
        goto out;
    if (store_mail_pending(c->st, &p, wait, &x, &n, e))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        if (digest &&
            (now - x[i].oldest < CHAN_DIGEST_SECONDS || now - x[i].digest_at < CHAN_DIGEST_SECONDS))
            continue;
        if (store_mail_queue(c->st, x[i].member_id, wait, x[i].count, digest, now, e))
            goto fail;
    }
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, NULL, e);
out:
    pool_release(&p);
    return rc;
}

int chan_mail_digest_tick(struct chan *c, int64_t now, struct err *e)
{
    return mail_queue(c, now, ST_MAIL_DIGEST, e);
}

/* The wait before try number tries + 1. */
static int64_t retry_delay(int64_t tries)
{
    int64_t d = CHAN_MAIL_RETRY_FIRST;
    for (int64_t i = 1; i < tries && d < CHAN_MAIL_RETRY_MAX; i++)
        d *= 2;
    return d < CHAN_MAIL_RETRY_MAX ? d : CHAN_MAIL_RETRY_MAX;
}

/* Sends one queued mail and records the outcome. */
static int mail_send_one(struct chan *c, struct pool *p, const struct st_mail *mail, int64_t now,
                         const struct chan_mailer *m, int *sent, struct err *e)
{
    int rc = -1;
    char *address = NULL;
    int64_t digest_at = 0;
    struct st_member mem;
    struct buf subject, body;
    struct err se;
    char why[sizeof se.msg + 32];

    buf_init(&subject, 256);
    buf_init(&body, 4096);
    err_init(&se);
    if (store_begin_read(c->st, e))
        goto out;
    rc = store_member_mail_get(c->st, p, mail->member_id, &address, &digest_at, e) ||
                 store_member_by_id(c->st, p, mail->member_id, &mem, e)
             ? -1
             : 0;
    store_rollback(c->st);
    if (rc)
        goto out;
    rc = -1;
    if (!address || mem.disabled) {
        /* The address went away (or the account did): the in-app rows stay. */
        if (store_begin(c->st, e))
            goto out;
        rc = chan_tx_end(c, store_mail_done(c->st, mail->id, now, "no address", e), NULL, e);
        goto out;
    }
    if (chan_mail_text(m->public_url, mail->count, mail->digest, &subject, &body, e))
        goto out;
    if (m->send(m->ctx, address, buf_str(&subject), buf_str(&body), &se) == 0) {
        if (store_begin(c->st, e))
            goto out;
        rc = chan_tx_end(c, store_mail_done(c->st, mail->id, now, "sent", e), NULL, e);
        if (rc == 0 && sent)
            (*sent)++;
        goto out;
    }
    snprintf(why, sizeof why, "failed: %s", se.msg);
    log_warn("mail %lld: try %lld of %d failed: %s", (long long)mail->id,
             (long long)mail->attempts + 1, CHAN_MAIL_TRIES, se.msg);
    if (store_begin(c->st, e))
        goto out;
    if (mail->attempts + 1 >= CHAN_MAIL_TRIES)
        rc = store_mail_done(c->st, mail->id, now, why, e);
    else
        rc = store_mail_retry(c->st, mail->id, now + retry_delay(mail->attempts + 1), why, e);
    rc = chan_tx_end(c, rc, NULL, e);
out:
    buf_release(&subject);
    buf_release(&body);
    return rc;
}

int chan_mail_tick(struct chan *c, int64_t now, const struct chan_mailer *m, int *sent,
                   struct err *e)
{
    int rc = -1;
    struct pool p;
    struct st_mail *x = NULL;
    size_t n = 0;
    pool_init(&p, 1 << 14);
    if (mail_queue(c, now, ST_MAIL_NOW, e))
        goto out;
    if (store_begin_read(c->st, e))
        goto out;
    rc = store_mail_due(c->st, &p, now, CHAN_MAIL_BATCH, &x, &n, e);
    store_rollback(c->st);
    if (rc)
        goto out;
    for (size_t i = 0; i < n; i++)
        if ((rc = mail_send_one(c, &p, &x[i], now, m, sent, e)) != 0)
            goto out;
    rc = 0;
out:
    pool_release(&p);
    return rc;
}

int chan_mail_credentials(struct chan *c, struct pool *p, char **user, char **password, int *found,
                          struct err *e)
{
    int rc = -1;
    unsigned char buf[CHAN_SMTP_CREDENTIALS_MAX + 1];
    size_t len = 0;
    char *colon;
    *user = *password = NULL;
    if (keydir_read(store_keydir(c->st), CHAN_SMTP_CREDENTIALS, buf, CHAN_SMTP_CREDENTIALS_MAX,
                    &len, found, e))
        goto out;
    if (!*found) {
        rc = 0;
        goto out;
    }
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        len--;
    buf[len] = 0;
    colon = memchr(buf, ':', len);
    if (!colon || colon == (char *)buf || memchr(buf, '\n', len)) {
        rc = err_set(e, ERR_INVALID, "%s in the key directory must be one line 'user:password'",
                     CHAN_SMTP_CREDENTIALS);
        goto out;
    }
    *user = pool_strndup(p, (char *)buf, (size_t)(colon - (char *)buf));
    *password = pool_strdup(p, colon + 1);
    rc = *user && *password ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    sodium_memzero(buf, sizeof buf);
    return rc;
}

int chan_mail_counts(struct chan *c, int64_t *waiting, int64_t *failed, struct err *e)
{
    int rc;
    if (store_begin_read(c->st, e))
        return -1;
    rc = store_mail_counts(c->st, waiting, failed, e);
    store_rollback(c->st);
    return rc;
}

void chan_mail_set(struct chan *c, const struct chan_mailer *m)
{
    c->mailer = m;
}

int chan_mail_digest_job(struct chan *c, int64_t now, struct err *e)
{
    if (!c->mailer)
        return 0;
    return chan_mail_digest_tick(c, now, e);
}

int chan_mail_job(struct chan *c, int64_t now, struct err *e)
{
    int sent = 0;
    if (!c->mailer)
        return 0;
    if (chan_mail_tick(c, now, c->mailer, &sent, e) != 0)
        return -1;
    if (sent > 0)
        log_info("mail: %d sent", sent);
    return 0;
}
