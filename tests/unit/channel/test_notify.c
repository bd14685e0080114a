/* Tests for src/channel/notify.c on a real SQLite file: who is told of
 * what (and who is not), preferences, marking read, the reminder job, the
 * missed-deadline hook, and the mail outbox with a sender that fails and
 * then works (retries, backoff, digests). */
#include "fixture.h"

#include "channel/deadline.h"
#include "channel/notify.h"

/* The events of a's notifications (unread only if unread), oldest first, space-separated. */
static const char *events_of(struct fx *f, const struct actor *a, int unread)
{
    static char out[512];
    struct err e;
    json_t *r = NULL, *n;
    size_t i, len = 0;
    err_init(&e);
    fx_ok(chan_notifications(f->c, &f->p, a, unread, &r, &e), &e);
    out[0] = '\0';
    for (i = json_array_size(json_object_get(r, "notifications")); i-- > 0;) {
        n = json_array_get(json_object_get(r, "notifications"), i);
        if (strcmp(json_string_value(json_object_get(n, "kind")), "account") == 0)
            continue; /* each member's own account events are tested apart */
        len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", len ? " " : "",
                                json_string_value(json_object_get(n, "event")));
    }
    json_decref(r);
    return out;
}

static void read_all(struct fx *f, const struct actor *a)
{
    struct err e;
    json_t *r = NULL;
    err_init(&e);
    fx_ok(chan_notifications_read(f->c, a, 0, &r, &e), &e);
    json_decref(r);
}

static void set_mode(struct fx *f, const struct actor *a, const char *kind, const char *mode)
{
    struct err e;
    json_t *r = NULL;
    err_init(&e);
    fx_ok(chan_notify_pref_set(f->c, &f->p, a, kind, mode, &r, &e), &e);
    json_decref(r);
}

static void set_address(struct fx *f, const struct actor *a, const char *address)
{
    struct err e;
    json_t *r = NULL;
    err_init(&e);
    fx_ok(chan_mail_address_set(f->c, &f->p, a, NULL, address, &r, &e), &e);
    json_decref(r);
}

/* A fresh store where everyone has read everything. */
static void open_quiet(struct fx *f)
{
    fx_open(f, 1);
    read_all(f, &f->alice);
    read_all(f, &f->bob);
    read_all(f, &f->carol);
    read_all(f, &f->rev);
    read_all(f, &f->lead);
}

/* ---- a mail sender that records, and fails while told to ---- */
struct outbox {
    int fail;
    int n;
    char to[8][64];
    char body[8][1024];
};

static int fake_send(void *ctx, const char *to, const char *subject, const char *body,
                     struct err *e)
{
    struct outbox *o = ctx;
    (void)subject;
    if (o->fail)
        return err_set(e, ERR_IO, "connection refused");
    if (o->n < 8) {
        snprintf(o->to[o->n], sizeof o->to[0], "%s", to);
        snprintf(o->body[o->n], sizeof o->body[0], "%s", body);
    }
    o->n++;
    return 0;
}

static void tick(struct fx *f, struct outbox *o, int64_t now)
{
    struct err e;
    struct chan_mailer m = {.send = fake_send, .ctx = o, .public_url = "https://d.example/"};
    err_init(&e);
    fx_ok(chan_mail_digest_tick(f->c, now, &e), &e);
    fx_ok(chan_mail_tick(f->c, now, &m, NULL, &e), &e);
}

static void test_version_tells_named_signers_only(void **state)
{
    struct fx f;
    char id[RANDOM_ID_LEN + 1];
    struct err e;
    json_t *out = NULL, *list = NULL;
    struct chan_version_input v2 = {.body = "We disagree, more strongly."};
    (void)state;
    open_quiet(&f);
    err_init(&e);
    fx_memo_in(&f, CHAN_STATE_CIRCULATING, id);
    fx_ok(chan_sign(f.c, &f.p, &f.bob, id, 0, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_memo_revise(f.c, &f.p, &f.alice, id, &v2, &out, &e), &e);
    json_decref(out);
    assert_string_equal(events_of(&f, &f.bob, 1), "new_version");
    assert_string_equal(events_of(&f, &f.carol, 1), "");
    assert_string_equal(events_of(&f, &f.alice, 1), "");
    /* the notification names the memo, nothing of its text or people */
    fx_ok(chan_notifications(f.c, &f.p, &f.bob, 1, &list, &e), &e);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(list, "notifications"), 0), "memo")),
                        id);
    out = json_object_get(json_array_get(json_object_get(list, "notifications"), 0), "text");
    assert_null(strstr(json_string_value(out), "A dissent"));
    assert_null(strstr(json_string_value(out), "alice"));
    /* and asks what the issue asks: move your signature? */
    assert_non_null(strstr(json_string_value(out), "move your signature"));
    json_decref(list);
    /* bob moves his signature: a third version tells him again, once */
    fx_ok(chan_sign(f.c, &f.p, &f.bob, id, 0, &out, &e), &e);
    json_decref(out);
    read_all(&f, &f.bob);
    v2.body = "Third.";
    fx_ok(chan_memo_revise(f.c, &f.p, &f.alice, id, &v2, &out, &e), &e);
    json_decref(out);
    assert_string_equal(events_of(&f, &f.bob, 1), "new_version");
    fx_close(&f);
}

static void test_review_steps(void **state)
{
    struct fx f;
    char id[RANDOM_ID_LEN + 1];
    struct err e;
    json_t *out = NULL;
    (void)state;
    open_quiet(&f);
    err_init(&e);
    fx_memo_in(&f, CHAN_STATE_CIRCULATING, id);
    fx_ok(chan_sign(f.c, &f.p, &f.bob, id, 0, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_sign(f.c, &f.p, &f.carol, id, 0, &out, &e), &e);
    json_decref(out);
    set_mode(&f, &f.carol, "review_signed", "immediately");
    fx_act(&f, &f.alice, id, CHAN_OP_SUBMIT, NULL);
    assert_string_equal(events_of(&f, &f.rev, 1), "submitted");
    assert_string_equal(events_of(&f, &f.lead, 1), "");
    assert_string_equal(events_of(&f, &f.aud, 1), "");
    fx_act(&f, &f.rev, id, CHAN_OP_ACKNOWLEDGE, NULL);
    fx_act(&f, &f.rev, id, CHAN_OP_EXTEND, "We need time.");
    fx_ok(chan_message_post(f.c, &f.p, &f.rev, id, "A question.", &out, &e), &e);
    json_decref(out);
    fx_ok(chan_message_post(f.c, &f.p, &f.alice, id, "An answer.", &out, &e), &e);
    json_decref(out);
    fx_act(&f, &f.rev, id, CHAN_OP_ANSWER, "Our answer.");
    assert_string_equal(events_of(&f, &f.alice, 1), "acknowledged extended message answered");
    /* bob did not opt in; carol did, and may not read messages */
    assert_string_equal(events_of(&f, &f.bob, 1), "");
    assert_string_equal(events_of(&f, &f.carol, 1), "acknowledged extended answered");
    /* the office hears of alice's message, not of its own */
    assert_string_equal(events_of(&f, &f.rev, 1), "submitted message");
    fx_close(&f);
}

/* Statements the review step op (with text) on memo id runs. */
static uint64_t step_cost(struct fx *f, const char *id, int op, const char *text)
{
    uint64_t before = store_statements(chan_store(f->c));
    fx_act(f, &f->rev, id, op, text);
    return store_statements(chan_store(f->c)) - before;
}

/* A memo's review is told to the co-signers who opted in (review_signed is
 * off by default): the step's cost does not grow with the co-signers who
 * did not, who once cost a handful of queries each inside the step's write
 * transaction (with 100,000 co-signers the writer stalled ~2 s per step). */
static void test_review_fan_out(void **state)
{
    struct fx f;
    char small[RANDOM_ID_LEN + 1], big[RANDOM_ID_LEN + 1], user[32];
    struct err e;
    json_t *out = NULL;
    struct st_memo m;
    uint64_t ack_small, ack_big, answer_small, answer_big;
    (void)state;
    open_quiet(&f);
    err_init(&e);
    fx_memo_in(&f, CHAN_STATE_CIRCULATING, small);
    fx_memo_in(&f, CHAN_STATE_CIRCULATING, big);
    fx_ok(chan_sign(f.c, &f.p, &f.carol, small, 0, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_sign(f.c, &f.p, &f.carol, big, 0, &out, &e), &e);
    json_decref(out);
    set_mode(&f, &f.carol, "review_signed", "immediately");
    /* 100 more co-signers of big, put in through the store */
    fx_ok(store_memo_by_public_id(chan_store(f.c), &f.p, big, &m, &e), &e);
    for (int i = 0; i < 100; i++) {
        snprintf(user, sizeof user, "signer%d", i);
        fx_ok(store_signature_put(chan_store(f.c), m.id, fx_plain_member(&f, user), 1, "00", 1, &e),
              &e);
    }
    fx_act(&f, &f.alice, small, CHAN_OP_SUBMIT, NULL);
    fx_act(&f, &f.alice, big, CHAN_OP_SUBMIT, NULL);
    ack_small = step_cost(&f, small, CHAN_OP_ACKNOWLEDGE, NULL);
    ack_big = step_cost(&f, big, CHAN_OP_ACKNOWLEDGE, NULL);
    answer_small = step_cost(&f, small, CHAN_OP_ANSWER, "Our answer.");
    answer_big = step_cost(&f, big, CHAN_OP_ANSWER, "Our answer.");
    /* the same cost, give or take the few statements a step's order in the
     * test changes (not the 4 or more each co-signer cost: 400 here) */
    assert_in_range(ack_big, ack_small - 20, ack_small + 20);
    assert_in_range(answer_big, answer_small - 20, answer_small + 20);
    /* carol, who opted in, is told on both; the others on neither */
    assert_string_equal(events_of(&f, &f.carol, 1), "acknowledged acknowledged answered answered");
    fx_close(&f);
}

static void test_missed_is_told_once(void **state)
{
    struct fx f;
    char id[RANDOM_ID_LEN + 1];
    struct err e;
    struct st_memo m = {0};
    (void)state;
    open_quiet(&f);
    err_init(&e);
    fx_memo_in(&f, CHAN_STATE_SUBMITTED, id);
    read_all(&f, &f.rev);
    assert_int_equal(store_begin(chan_store(f.c), &e), 0);
    fx_ok(store_memo_by_public_id(chan_store(f.c), &f.p, id, &m, &e), &e);
    fx_ok(chan_notify_deadline_missed(f.c, &f.p, &m, CHAN_DL_ACK, m.ack_due, m.ack_due + 1, &e),
          &e);
    fx_ok(chan_notify_deadline_missed(f.c, &f.p, &m, CHAN_DL_ACK, m.ack_due, m.ack_due + 9, &e),
          &e);
    fx_ok(store_commit(chan_store(f.c), &e), &e);
    assert_string_equal(events_of(&f, &f.rev, 1), "missed_ack");
    assert_string_equal(events_of(&f, &f.lead, 1), "missed_ack");
    assert_string_equal(events_of(&f, &f.alice, 1), "missed_ack");
    assert_string_equal(events_of(&f, &f.bob, 1), "");
    assert_string_equal(events_of(&f, &f.aud, 1), "");
    fx_close(&f);
}

static void test_prefs_and_read(void **state)
{
    struct fx f;
    char id[RANDOM_ID_LEN + 1];
    struct err e;
    json_t *out = NULL;
    int64_t n = 0;
    (void)state;
    open_quiet(&f);
    err_init(&e);
    fx_refused(chan_notify_pref_set(f.c, &f.p, &f.rev, "submitted", "sometimes", &out, &e), &e,
               ERR_INVALID, "immediately, digest or off");
    fx_refused(chan_notify_pref_set(f.c, &f.p, &f.rev, "gossip", "off", &out, &e), &e, ERR_INVALID,
               "unknown notification kind");
    set_mode(&f, &f.rev, "submitted", "off");
    fx_memo_in(&f, CHAN_STATE_SUBMITTED, id);
    assert_string_equal(events_of(&f, &f.rev, 0), "");
    set_mode(&f, &f.rev, "submitted", "digest");
    fx_ok(chan_notify_prefs(f.c, &f.p, &f.rev, &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(out, "kinds"), 1), "mode")),
                        "digest");
    json_decref(out);
    fx_memo_in(&f, CHAN_STATE_SUBMITTED, id);
    fx_memo_in(&f, CHAN_STATE_SUBMITTED, id);
    fx_ok(chan_notifications_unread(f.c, &f.rev, &n, &e), &e);
    assert_int_equal(n, 2);
    /* nobody marks another's notification */
    fx_refused(chan_notifications_read(f.c, &f.alice, 1, &out, &e), &e, ERR_NOT_FOUND, NULL);
    fx_ok(chan_notifications(f.c, &f.p, &f.rev, 1, &out, &e), &e);
    n = json_integer_value(
        json_object_get(json_array_get(json_object_get(out, "notifications"), 0), "id"));
    json_decref(out);
    fx_ok(chan_notifications_read(f.c, &f.rev, n, &out, &e), &e);
    assert_int_equal(json_integer_value(json_object_get(out, "unread")), 1);
    json_decref(out);
    fx_refused(chan_notifications_read(f.c, &f.rev, n, &out, &e), &e, ERR_NOT_FOUND, NULL);
    fx_close(&f);
}

static void test_address(void **state)
{
    struct fx f;
    struct err e;
    json_t *out = NULL;
    static const char *const bad[] = {
        "no-at", "a@", "@b", "a b@c.d", "a@b@c", "a@b.c\r\nBcc: x", "<a@b.c>", "a@b.c,d@e.f"};
    (void)state;
    fx_open(&f, 1);
    err_init(&e);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        fx_refused(chan_mail_address_set(f.c, &f.p, &f.bob, NULL, bad[i], &out, &e), &e,
                   ERR_INVALID, "mail address");
    fx_refused(chan_mail_address_set(f.c, &f.p, &f.bob, "alice", "b@example.org", &out, &e), &e,
               ERR_FORBIDDEN, NULL);
    fx_ok(chan_mail_address_set(f.c, &f.p, &f.adm, "alice", "a@example.org", &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "address")), "a@example.org");
    json_decref(out);
    /* alice is told her account changed (an admin did it: unread) */
    fx_ok(chan_notifications(f.c, &f.p, &f.alice, 1, &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(out, "notifications"), 0), "event")),
                        "mail_address_changed");
    json_decref(out);
    fx_ok(chan_mail_address_set(f.c, &f.p, &f.alice, NULL, "", &out, &e), &e);
    assert_true(json_is_null(json_object_get(out, "address")));
    json_decref(out);
    fx_close(&f);
}

static void test_mail_retry_and_digest(void **state)
{
    struct fx f;
    char id[RANDOM_ID_LEN + 1];
    struct err e;
    struct outbox o = {0};
    int64_t t0 = now_utc(), waiting = 0, failed = 0;
    (void)state;
    open_quiet(&f);
    err_init(&e);
    set_address(&f, &f.rev, "rev@example.org");
    set_address(&f, &f.alice, "alice@example.org");
    tick(&f, &o, t0); /* the account events of setting them */
    o.n = 0;
    set_mode(&f, &f.alice, "review", "digest");
    fx_memo_in(&f, CHAN_STATE_ANSWERED, id); /* rev: submitted; alice: ack, answer */
    /* the mail server is down: nothing lost, retried after a minute */
    o.fail = 1;
    tick(&f, &o, t0);
    assert_int_equal(o.n, 0);
    fx_ok(chan_mail_counts(f.c, &waiting, &failed, &e), &e);
    assert_int_equal(waiting, 1);
    assert_string_equal(events_of(&f, &f.rev, 1), "submitted");
    o.fail = 0;
    tick(&f, &o, t0 + CHAN_MAIL_RETRY_FIRST - 1);
    assert_int_equal(o.n, 0);
    tick(&f, &o, t0 + CHAN_MAIL_RETRY_FIRST);
    assert_int_equal(o.n, 1);
    assert_string_equal(o.to[0], "rev@example.org");
    assert_non_null(strstr(o.body[0], "https://d.example/notifications"));
    assert_non_null(strstr(o.body[0], "1 new notification is"));
    assert_null(strstr(o.body[0], id));
    assert_null(strstr(o.body[0], "A dissent"));
    /* alice's two come in one digest, a day after the first */
    tick(&f, &o, t0 + CHAN_DIGEST_SECONDS - 1);
    assert_int_equal(o.n, 1);
    tick(&f, &o, t0 + CHAN_DIGEST_SECONDS + 60);
    assert_int_equal(o.n, 2);
    assert_string_equal(o.to[1], "alice@example.org");
    assert_non_null(strstr(o.body[1], "2 new notifications"));
    tick(&f, &o, t0 + 2 * CHAN_DIGEST_SECONDS);
    assert_int_equal(o.n, 2);
    fx_ok(chan_mail_counts(f.c, &waiting, &failed, &e), &e);
    assert_int_equal(waiting, 0);
    assert_int_equal(failed, 0);
    fx_close(&f);
}

static void test_mail_given_up(void **state)
{
    struct fx f;
    struct err e;
    struct outbox o = {.fail = 1};
    int64_t t = now_utc(), waiting = 0, failed = 0;
    (void)state;
    open_quiet(&f);
    err_init(&e);
    set_address(&f, &f.rev, "rev@example.org");
    for (int i = 0; i < CHAN_MAIL_TRIES + 2; i++) {
        tick(&f, &o, t);
        t += CHAN_MAIL_RETRY_MAX;
    }
    fx_ok(chan_mail_counts(f.c, &waiting, &failed, &e), &e);
    assert_int_equal(waiting, 0);
    assert_int_equal(failed, 1);
    fx_close(&f);
}

static void test_reminders(void **state)
{
    struct fx f;
    char id[RANDOM_ID_LEN + 1];
    struct err e;
    json_t *out = NULL;
    int64_t sun, mon, mon2;
    (void)state;
    open_quiet(&f);
    err_init(&e);
    /* Submitted Friday 20 Nov: the acknowledgement is due Tuesday 24 Nov
     * (New York); one working day before is Monday. */
    fx_clock("2026-11-20T15:00:00Z");
    fx_memo_in(&f, CHAN_STATE_SUBMITTED, id);
    read_all(&f, &f.rev);
    assert_int_equal(time_parse_utc("2026-11-23T04:00:00Z", &sun), 0); /* Sun 23:00 NY */
    assert_int_equal(time_parse_utc("2026-11-23T05:00:00Z", &mon), 0); /* Mon 00:00 NY */
    assert_int_equal(time_parse_utc("2026-11-23T20:00:00Z", &mon2), 0);
    fx_ok(chan_notify_tick(f.c, sun, &e), &e);
    assert_string_equal(events_of(&f, &f.rev, 1), "");
    fx_ok(chan_notify_tick(f.c, mon, &e), &e);
    fx_ok(chan_notify_tick(f.c, mon2, &e), &e);
    assert_string_equal(events_of(&f, &f.rev, 1), "reminder_ack");
    assert_string_equal(events_of(&f, &f.lead, 1), "");
    /* a lead of 0: the due day itself */
    fx_refused(chan_channel_reminder_set(f.c, &f.alice, "dissent", 0, &out, &e), &e, ERR_FORBIDDEN,
               NULL);
    fx_refused(chan_channel_reminder_set(f.c, &f.adm, "dissent", 99, &out, &e), &e, ERR_INVALID,
               NULL);
    fx_ok(chan_channel_reminder_set(f.c, &f.adm, "dissent", 0, &out, &e), &e);
    json_decref(out);
    fx_memo_in(&f, CHAN_STATE_SUBMITTED, id);
    read_all(&f, &f.rev);
    fx_ok(chan_notify_tick(f.c, mon2, &e), &e);
    assert_string_equal(events_of(&f, &f.rev, 1), "");
    assert_int_equal(time_parse_utc("2026-11-24T15:00:00Z", &mon2), 0);
    fx_ok(chan_notify_tick(f.c, mon2, &e), &e);
    assert_string_equal(events_of(&f, &f.rev, 1), "reminder_ack");
    fx_ok(chan_channel_reminder_get(f.c, "dissent", &out, &e), &e);
    assert_int_equal(json_integer_value(json_object_get(out, "remind_working_days")), 0);
    json_decref(out);
    fx_close(&f);
}

static void test_mail_text(void **state)
{
    struct buf s, b;
    struct err e;
    (void)state;
    err_init(&e);
    buf_init(&s, 256);
    buf_init(&b, 4096);
    fx_ok(chan_mail_text("https://x.example//", 3, 1, &s, &b, &e), &e);
    assert_string_equal(buf_str(&s), "dissent: your daily digest");
    assert_non_null(strstr(buf_str(&b), "https://x.example/notifications"));
    assert_non_null(strstr(buf_str(&b), "3 new notifications are"));
    buf_release(&s);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_tells_named_signers_only),
        cmocka_unit_test(test_review_steps),
        cmocka_unit_test(test_review_fan_out),
        cmocka_unit_test(test_missed_is_told_once),
        cmocka_unit_test(test_prefs_and_read),
        cmocka_unit_test(test_address),
        cmocka_unit_test(test_mail_retry_and_digest),
        cmocka_unit_test(test_mail_given_up),
        cmocka_unit_test(test_reminders),
        cmocka_unit_test(test_mail_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
