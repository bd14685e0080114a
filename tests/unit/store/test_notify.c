/* Tests for src/store/notify.c (store/notify.h), on every backend
 * (store_fixture.h): notification rows (once per dedupe key, per member),
 * unread counts and marking read, preferences, mail addresses, recipients
 * by role, drafters and signers, open memos, reminder leads, and the mail
 * outbox (queue, due, retry, done). */
#include "store_fixture.h"

#include "store/notify.h"

static void notify_case(struct store *s, struct pool *p)
{
    struct err e;
    int added = 0, mode = 0, days = 0;
    int64_t n = 0, changed = 0, digest_at = 0, waiting = 0, failed = 0;
    struct st_notification *x = NULL;
    size_t cnt = 0;
    char *addr = NULL;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org");
    int64_t amy = fx_member(s, org, "amy", 1), rita = fx_member(s, org, "rita", 2);
    int64_t lena = fx_member(s, org, "lena", 4);
    int64_t m1 = fx_memo(s, ch, amy, "m1", 2, 1);
    struct st_notification_new a = {
        .member_id = rita, .kind = "submitted", .event = "submitted", .memo_id = m1, .at = 10};
    struct st_notification_new r = {.member_id = rita,
                                    .kind = "reminder",
                                    .event = "reminder_ack",
                                    .dedupe = "reminder:ack:1:99",
                                    .memo_id = m1,
                                    .at = 11,
                                    .mail = ST_MAIL_NOW};
    struct st_notification_new acct = {
        .member_id = amy, .kind = "account", .event = "created", .at = 12, .read_at = 12};
    err_init(&e);

    OK(store_notification_add(s, &a, &added, &e));
    assert_int_equal(added, 1);
    OK(store_notification_add(s, &r, &added, &e));
    assert_int_equal(added, 1);
    OK(store_notification_add(s, &r, &added, &e)); /* the same reminder again */
    assert_int_equal(added, 0);
    r.member_id = lena; /* the same key for another member is another row */
    OK(store_notification_add(s, &r, &added, &e));
    assert_int_equal(added, 1);
    OK(store_notification_add(s, &acct, &added, &e));

    OK(store_notification_list(s, p, rita, 0, 0, 10, &x, &cnt, &e));
    assert_int_equal(cnt, 2);
    assert_string_equal(x[0].event, "reminder_ack"); /* newest first */
    assert_string_equal(x[1].memo, "m1");
    assert_int_equal(x[1].read_at, 0);
    OK(store_notification_list(s, p, amy, 0, 0, 10, &x, &cnt, &e));
    assert_int_equal(cnt, 1);
    assert_null(x[0].memo);
    assert_int_equal(x[0].read_at, 12);
    OK(store_notification_unread(s, rita, &n, &e));
    assert_int_equal(n, 2);
    OK(store_notification_unread(s, amy, &n, &e));
    assert_int_equal(n, 0);
    /* one of another member's rows is not marked */
    OK(store_notification_list(s, p, rita, 1, 0, 10, &x, &cnt, &e));
    OK(store_notification_read(s, amy, x[0].id, 50, &changed, &e));
    assert_int_equal(changed, 0);
    OK(store_notification_read(s, rita, x[0].id, 50, &changed, &e));
    assert_int_equal(changed, 1);
    OK(store_notification_list(s, p, rita, 1, 0, 10, &x, &cnt, &e));
    assert_int_equal(cnt, 1);
    OK(store_notification_read(s, rita, 0, 51, &changed, &e));
    assert_int_equal(changed, 1);
    OK(store_notification_unread(s, rita, &n, &e));
    assert_int_equal(n, 0);

    OK(store_notify_pref_get(s, rita, "submitted", &mode, &e));
    assert_int_equal(mode, -1);
    OK(store_notify_pref_set(s, rita, "submitted", 2, &e));
    OK(store_notify_pref_set(s, rita, "submitted", 0, &e));
    OK(store_notify_pref_get(s, rita, "submitted", &mode, &e));
    assert_int_equal(mode, 0);

    OK(store_member_mail_get(s, p, rita, &addr, &digest_at, &e));
    assert_null(addr);
    OK(store_member_mail_set(s, rita, "rita@example.org", &e));
    OK(store_member_mail_set(s, lena, "lena@example.org", &e));
    OK(store_member_mail_get(s, p, rita, &addr, &digest_at, &e));
    assert_string_equal(addr, "rita@example.org");

    int64_t *ids = NULL;
    unsigned *roles = NULL;
    int *versions = NULL;
    OK(store_members_with_roles(s, p, 2 | 4, &ids, &roles, &cnt, &e));
    assert_int_equal(cnt, 2);
    assert_int_equal(ids[0], rita);
    assert_int_equal(roles[1], 4);
    OK(store_drafter_add(s, m1, amy, &e));
    OK(store_drafter_ids(s, p, m1, &ids, &cnt, &e));
    assert_int_equal(cnt, 1);
    assert_int_equal(ids[0], amy);
    OK(store_signature_put(s, m1, lena, 1, "00", 5, &e));
    /* a kind on by default (1; 0 is off): every co-signer who did not turn it off */
    OK(store_signer_ids(s, p, m1, "new_version", 1, 0, &ids, &versions, &cnt, &e));
    assert_int_equal(cnt, 1);
    assert_int_equal(versions[0], 1);
    OK(store_notify_pref_set(s, lena, "new_version", 0, &e));
    OK(store_signer_ids(s, p, m1, "new_version", 1, 0, &ids, &versions, &cnt, &e));
    assert_int_equal(cnt, 0);
    /* a kind off by default: only those who opted in (another kind's choice does not count) */
    OK(store_signer_ids(s, p, m1, "review_signed", 0, 0, &ids, &versions, &cnt, &e));
    assert_int_equal(cnt, 0);
    OK(store_notify_pref_set(s, lena, "review_signed", 2, &e));
    OK(store_signer_ids(s, p, m1, "review_signed", 0, 0, &ids, &versions, &cnt, &e));
    assert_int_equal(cnt, 1);
    assert_int_equal(ids[0], lena);

    struct st_open_memo *om = NULL;
    OK(store_open_memos(s, p, 1u << 2, &om, &cnt, &e));
    assert_int_equal(cnt, 1);
    assert_int_equal(om[0].channel_id, ch);
    OK(store_open_memos(s, p, 1u << 3, &om, &cnt, &e));
    assert_int_equal(cnt, 0);

    OK(store_channel_reminder_get(s, ch, &days, &e));
    assert_int_equal(days, -1);
    OK(store_channel_reminder_set(s, ch, 3, &e));
    OK(store_channel_reminder_get(s, ch, &days, &e));
    assert_int_equal(days, 3);

    /* the outbox: lena's reminder waits for mail (rita's was read, yet waits too) */
    struct st_mail_pending *pend = NULL;
    struct st_mail *mail = NULL;
    OK(store_mail_pending(s, p, ST_MAIL_NOW, &pend, &cnt, &e));
    assert_int_equal(cnt, 2);
    assert_int_equal(pend[0].count, 1);
    OK(store_mail_queue(s, lena, ST_MAIL_NOW, 1, 0, 100, &e));
    OK(store_mail_pending(s, p, ST_MAIL_NOW, &pend, &cnt, &e));
    assert_int_equal(cnt, 1);
    OK(store_mail_due(s, p, 99, 10, &mail, &cnt, &e));
    assert_int_equal(cnt, 0);
    OK(store_mail_due(s, p, 100, 10, &mail, &cnt, &e));
    assert_int_equal(cnt, 1);
    assert_int_equal(mail[0].member_id, lena);
    OK(store_mail_retry(s, mail[0].id, 160, "failed: down", &e));
    OK(store_mail_due(s, p, 159, 10, &mail, &cnt, &e));
    assert_int_equal(cnt, 0);
    OK(store_mail_due(s, p, 160, 10, &mail, &cnt, &e));
    assert_int_equal(mail[0].attempts, 1);
    OK(store_mail_counts(s, &waiting, &failed, &e));
    assert_int_equal(waiting, 1);
    OK(store_mail_done(s, mail[0].id, 160, "sent", &e));
    OK(store_mail_counts(s, &waiting, &failed, &e));
    assert_int_equal(waiting, 0);
    assert_int_equal(failed, 0);
    /* a digest stamps the member's digest time */
    OK(store_mail_queue(s, rita, ST_MAIL_NOW, 1, 1, 200, &e));
    OK(store_member_mail_get(s, p, rita, &addr, &digest_at, &e));
    assert_int_equal(digest_at, 200);
}

static void test_notify(void **state)
{
    (void)state;
    fx_run(notify_case);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
