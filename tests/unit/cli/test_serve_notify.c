/* Tests for src/cli/serve_notify.c on a real SQLite file: the ticker's
 * notification jobs (serve_jobs[]) queue no mail without a mailer; with
 * the SMTP mailer set on the connection, a mail server that does not answer
 * leaves the mail waiting without failing the jobs. Mail to a real SMTP
 * server is tested in tests/e2e/test_notify.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/pool.h"
#include "channel/chan.h"
#include "channel/notify.h"
#include "channel/roles.h"
#include "cli/serve_notify.h"
#include "cli/serve_ticker.h"
#include "unit/test_tmp.h"

static char dir[TT_PATH_MAX], db[TT_PATH_MAX + 32];

static struct chan *open_db(void)
{
    struct chan *c = NULL;
    struct err e;
    err_init(&e);
    if (chan_open(&c, db, &e))
        fail_msg("chan_open: %s", e.msg);
    return c;
}

static void test_round_and_thread(void **state)
{
    struct serve_notify sn;
    struct chan *c;
    struct pool p;
    struct err e;
    struct actor a;
    json_t *out = NULL;
    char *token = NULL;
    int64_t waiting = 0, failed = 0;
    struct chan_member_input in = {
        .username = "rita", .display_name = "Rita", .org = "state", .roles = CHAN_ROLE_REVIEWER};
    (void)state;
    err_init(&e);
    pool_init(&p, 1 << 20);
    tt_mkdtemp(dir, sizeof dir, "dissent-sn");
    snprintf(db, sizeof db, "%s/t.db", dir);
    c = open_db();
    assert_int_equal(chan_org_create(c, NULL, "state", "State", &out, &e), 0);
    json_decref(out);
    assert_int_equal(chan_member_create(c, &p, NULL, &in, &out, &e), 0);
    json_decref(out);
    assert_int_equal(chan_local_set_password(c, &p, "rita", "a long password", &e), 0);
    assert_int_equal(chan_login(c, &p, "rita", "a long password", "local", &token, &a, &e), 0);
    /* an admin-less change by rita herself: an account event, mailed at once */
    assert_int_equal(chan_mail_address_set(c, &p, &a, NULL, "rita@example.org", &out, &e), 0);
    json_decref(out);

    serve_notify_init(&sn);
    /* no mailer: every job runs, no mail is queued */
    assert_int_equal(
        serve_ticker_run_once(serve_jobs, serve_jobs_count, c, NULL, (int64_t)time(NULL), &e), 0);
    assert_int_equal(chan_mail_counts(c, &waiting, &failed, &e), 0);
    assert_int_equal(waiting, 0);

    /* a mail server that refuses: the jobs succeed, the mail waits */
    assert_int_equal(smtp_init(&sn.smtp, "smtp://127.0.0.1:1", 1, "d@example.org", NULL, NULL, &e),
                     0);
    serve_notify_use_smtp(&sn, "https://d.example");
    chan_mail_set(c, &sn.mailer);
    assert_int_equal(
        serve_ticker_run_once(serve_jobs, serve_jobs_count, c, "digests", (int64_t)time(NULL), &e),
        0);
    assert_int_equal(
        serve_ticker_run_once(serve_jobs, serve_jobs_count, c, "mail", (int64_t)time(NULL), &e), 0);
    assert_int_equal(chan_mail_counts(c, &waiting, &failed, &e), 0);
    assert_int_equal(waiting, 1);
    chan_close(c);
    serve_notify_release(&sn);
    assert_int_equal(sn.mail, 0);
    pool_release(&p);
    assert_int_equal(tt_rm_tree(dir), 0); /* the database, its side files and its keys */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_and_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
