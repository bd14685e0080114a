/* Tests for src/channel/account.c (and the sign-in parts of auth.c) on a
 * temporary SQLite file: the admin never sets or learns a password, setup
 * links work once, a reset is completed only with the member's recovery
 * code, reset and disable end sessions, account events reach the member
 * and the auditor, and sign-in is throttled per (username, address). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel/chan.h"
#include "channel/roles.h"
#include "unit/test_tmp.h"

static struct chan *chan;
static struct pool pool;
static char dir[TT_PATH_MAX], dbpath[TT_PATH_MAX + 32];

static int setup(void **state)
{
    struct err e;
    json_t *out = NULL;
    struct chan_member_input admin = {"admin", "Ada Admin", "ops", CHAN_ROLE_ADMIN};
    struct chan_member_input ian = {"ian", "Ian", "ops", CHAN_ROLE_AUDITOR};
    (void)state;
    err_init(&e);
    pool_init(&pool, 8 << 20);
    tt_mkdtemp(dir, sizeof dir, "dissent-test-account");
    snprintf(dbpath, sizeof dbpath, "%s/test.db", dir);
    assert_int_equal(chan_open(&chan, dbpath, &e), 0);
    assert_int_equal(chan_org_create(chan, NULL, "ops", "Operations", &out, &e), 0);
    json_decref(out);
    assert_int_equal(chan_member_create(chan, &pool, NULL, &admin, &out, &e), 0);
    json_decref(out);
    assert_int_equal(chan_local_set_password(chan, &pool, "admin", "admin-test-pass", &e), 0);
    assert_int_equal(chan_member_create(chan, &pool, NULL, &ian, &out, &e), 0);
    json_decref(out);
    assert_int_equal(chan_local_set_password(chan, &pool, "ian", "ian-test-pass", &e), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    chan_close(chan);
    pool_release(&pool);
    return tt_rm_tree(dir); /* the database, its side files and its keys */
}

static void login(const char *user, const char *pw, const char *client, struct actor *a, int want)
{
    struct err e;
    char *tok = NULL;
    err_init(&e);
    int rc = chan_login(chan, &pool, user, pw, client, &tok, a, &e);
    if (want == 0 && rc != 0)
        fail_msg("login %s: %s", user, e.msg);
    if (want != 0)
        assert_int_equal(e.code, want);
}

/* A setup token from a create or reset reply. */
static const char *token_of(json_t *out)
{
    const char *t = json_string_value(json_object_get(json_object_get(out, "setup"), "token"));
    assert_non_null(t);
    return pool_strdup(&pool, t);
}

static void test_setup_reset_disable(void **state)
{
    struct err e;
    struct actor admin, mona, mona2, ian;
    json_t *out = NULL, *info = NULL;
    struct chan_member_input in = {"mona", "Mona Mills", "ops", CHAN_ROLE_MEMBER};
    const char *tok, *code;
    char *session = NULL;
    unsigned reviewer = CHAN_ROLE_MEMBER | CHAN_ROLE_REVIEWER;
    int yes = 1, no = 0;
    size_t unseen = 9;
    (void)state;
    err_init(&e);
    login("admin", "admin-test-pass", "10.0.0.1", &admin, 0);

    assert_int_equal(chan_member_create(chan, &pool, &admin, &in, &out, &e), 0);
    tok = token_of(out);
    assert_int_equal(strlen(tok), 43);
    json_decref(out);
    /* No password yet: nothing signs in. */
    login("mona", "", "10.0.0.2", &mona, ERR_INVALID);
    assert_int_equal(chan_setup_info(chan, &pool, tok, &info, &e), 0);
    assert_false(json_is_true(json_object_get(info, "needs_recovery_code")));
    json_decref(info);
    assert_int_equal(
        chan_setup_complete(chan, &pool, tok, "short", NULL, &session, &mona, &out, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(
        chan_setup_complete(chan, &pool, tok, "mona-first-pass", NULL, &session, &mona, &out, &e),
        0);
    code = pool_strdup(&pool, json_string_value(json_object_get(out, "recovery_code")));
    assert_int_equal(strlen(code), 29);
    json_decref(out);
    assert_int_equal(chan_authenticate(chan, &pool, session, &mona, &e), 0);
    /* Single use. */
    assert_int_equal(
        chan_setup_complete(chan, &pool, tok, "mona-other-pass", NULL, &session, &mona2, &out, &e),
        -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);

    /* A reset: sessions end, the old password too, and only the code completes it. */
    assert_int_equal(chan_member_reset(chan, &pool, &admin, "mona", &out, &e), 0);
    tok = token_of(out);
    json_decref(out);
    assert_int_equal(chan_authenticate(chan, &pool, session, &mona, &e), -1);
    login("mona", "mona-first-pass", "10.0.0.2", &mona, ERR_UNAUTHORIZED);
    assert_int_equal(
        chan_setup_complete(chan, &pool, tok, "admin-chosen-pw", NULL, &session, &mona, &out, &e),
        -1);
    assert_int_equal(e.code, ERR_FORBIDDEN);
    assert_int_equal(chan_setup_complete(chan, &pool, tok, "admin-chosen-pw",
                                         "aaaaa-aaaaa-aaaaa-aaaaa-aaaaa", &session, &mona, &out,
                                         &e),
                     -1);
    assert_int_equal(e.code, ERR_FORBIDDEN);
    login("mona", "admin-chosen-pw", "10.0.0.3", &mona, ERR_UNAUTHORIZED);
    /* Case, dashes and spaces of the code do not matter. */
    char upper[40];
    snprintf(upper, sizeof upper, "%s", code);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    assert_int_equal(
        chan_setup_complete(chan, &pool, tok, "mona-second-pass", upper, &session, &mona, &out, &e),
        0);
    assert_string_not_equal(json_string_value(json_object_get(out, "recovery_code")), code);
    json_decref(out);

    /* Disable ends the session; enable revives nothing. */
    assert_int_equal(chan_member_update(chan, &pool, &admin, "mona", &reviewer, &yes, &out, &e), 0);
    json_decref(out);
    assert_int_equal(chan_authenticate(chan, &pool, session, &mona2, &e), -1);
    assert_int_equal(chan_member_update(chan, &pool, &admin, "mona", NULL, &no, &out, &e), 0);
    json_decref(out);
    assert_int_equal(chan_authenticate(chan, &pool, session, &mona2, &e), -1);

    /* The member is told at next sign-in, once. */
    login("mona", "mona-second-pass", "10.0.0.2", &mona, 0);
    assert_int_equal(chan_account_unseen(chan, &pool, &mona, &unseen, &e), 0);
    assert_int_equal(unseen, 3); /* roles changed, disabled, enabled */
    assert_int_equal(chan_account_notices(chan, &pool, &mona, &out, &e), 0);
    assert_int_equal(json_array_size(out), 3);
    json_decref(out);
    assert_int_equal(chan_account_unseen(chan, &pool, &mona, &unseen, &e), 0);
    assert_int_equal(unseen, 0);

    /* Own password: the current one is required; other sessions end. */
    login("mona", "mona-second-pass", "10.0.0.2", &mona2, 0);
    assert_int_equal(
        chan_password_change(chan, &pool, &mona, "wrong-current", "mona-third-pass", &out, &e), -1);
    assert_int_equal(e.code, ERR_FORBIDDEN);
    assert_int_equal(
        chan_password_change(chan, &pool, &mona, "mona-second-pass", "mona-third-pass", &out, &e),
        0);
    json_decref(out);
    login("mona", "mona-third-pass", "10.0.0.2", &mona2, 0);

    /* Auditors read every account event; admins do not. */
    login("ian", "ian-test-pass", "10.0.0.4", &ian, 0);
    assert_int_equal(chan_account_events(chan, &pool, &ian, 0, CHAN_EVENTS_PAGE_DEFAULT, &out, &e),
                     0);
    assert_true(json_array_size(json_object_get(out, "events")) >= 8);
    json_decref(out);
    assert_int_equal(chan_account_events(chan, &pool, &admin, 0, 10, &out, &e), -1);
    assert_int_equal(e.code, ERR_FORBIDDEN);
}

static void test_throttle_per_address(void **state)
{
    struct err e;
    struct actor a;
    (void)state;
    err_init(&e);
    /* A pinned clock: delays count whole seconds, a real one may tick between tries. */
    setenv("DISSENT_FAKE_NOW", "2026-11-02T08:00:00Z", 1);
    for (int i = 0; i < CHAN_LOGIN_FAILURES_MAX; i++)
        login("ian", "wrong-password", "192.0.2.1", &a, ERR_UNAUTHORIZED);
    /* That address now waits, even with the right password... */
    login("ian", "ian-test-pass", "192.0.2.1", &a, ERR_RATE);
    /* ...while the owner signs in from another. */
    login("ian", "ian-test-pass", "192.0.2.2", &a, 0);
    /* An unknown name costs a failure like a known one, and is throttled alike. */
    for (int i = 0; i < CHAN_LOGIN_FAILURES_MAX; i++)
        login("nobody", "wrong-password", "192.0.2.3", &a, ERR_UNAUTHORIZED);
    login("nobody", "wrong-password", "192.0.2.3", &a, ERR_RATE);
    unsetenv("DISSENT_FAKE_NOW");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setup_reset_disable),
        cmocka_unit_test(test_throttle_per_address),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
