/* Tests for src/channel/auth.c through channel/chan.h: password rules,
 * logins, throttling per (username, address) with growing delays (with a
 * pinned clock), sessions (bearer tokens, CSRF token, logout, expiry, idle
 * timeout), disabled accounts and password changes. */
#include "unit/channel/fixture.h"

/* Creates a member (no login). */
static void account(struct fx *f, const char *username)
{
    struct err e;
    json_t *out = NULL;
    struct chan_member_input in = {.username = username,
                                   .display_name = "Someone",
                                   .org = "state",
                                   .roles = CHAN_ROLE_MEMBER | CHAN_ROLE_AUDITOR};
    err_init(&e);
    fx_ok(chan_member_create(f->c, &f->p, NULL, &in, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_local_set_password(f->c, &f->p, username, FX_PASSWORD, &e), &e);
}

static int login_from(struct fx *f, const char *client, const char *username, const char *password,
                      char **token, struct actor *a, struct err *e)
{
    err_init(e);
    return chan_login(f->c, &f->p, username, password, client, token, a, e);
}

static int login(struct fx *f, const char *username, const char *password, char **token,
                 struct actor *a, struct err *e)
{
    return login_from(f, "192.0.2.1", username, password, token, a, e);
}

static void test_login_and_session(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct actor a, b;
    char *token = NULL;
    json_t *j;

    account(f, "uma");
    fx_ok(login(f, "uma", FX_PASSWORD, &token, &a, &e), &e);
    assert_non_null(token);
    assert_true(strlen(token) >= 43); /* 32 bytes, URL-safe base64 */
    assert_string_equal(a.username, "uma");
    assert_string_equal(a.org, "state");
    assert_int_equal(a.roles, CHAN_ROLE_MEMBER | CHAN_ROLE_AUDITOR);
    assert_non_null(a.csrf);
    assert_true(strlen(a.csrf) >= 32);

    err_init(&e);
    fx_ok(chan_authenticate(f->c, &f->p, token, &b, &e), &e);
    assert_int_equal(b.id, a.id);
    assert_int_equal(b.org_id, a.org_id);
    assert_string_equal(b.csrf, a.csrf);
    assert_true(b.session_id > 0);

    j = chan_actor_json(&b);
    assert_string_equal(json_string_value(json_object_get(j, "username")), "uma");
    assert_string_equal(json_string_value(json_object_get(j, "organization")), "state");
    assert_int_equal(json_array_size(json_object_get(j, "roles")), 2);
    json_decref(j);

    /* a second login is a second session, with its own token */
    {
        char *token2 = NULL;
        struct actor c2;
        fx_ok(login(f, "uma", FX_PASSWORD, &token2, &c2, &e), &e);
        assert_string_not_equal(token, token2);
        fx_ok(chan_logout(f->c, &b, &e), &e);
        fx_refused(chan_authenticate(f->c, &f->p, token, &b, &e), &e, ERR_UNAUTHORIZED, NULL);
        fx_ok(chan_authenticate(f->c, &f->p, token2, &b, &e), &e);
    }

    /* malformed and unknown tokens */
    fx_refused(chan_authenticate(f->c, &f->p, NULL, &b, &e), &e, ERR_UNAUTHORIZED, "log in");
    fx_refused(chan_authenticate(f->c, &f->p, "not a token!", &b, &e), &e, ERR_UNAUTHORIZED,
               "malformed");
    fx_refused(
        chan_authenticate(f->c, &f->p, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &b, &e), &e,
        ERR_UNAUTHORIZED, "log in again");
}

static void test_expiry(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct actor a;
    char *token = NULL;
    char when[32];

    account(f, "vic");
    fx_clock("2026-11-02T08:00:00Z");
    fx_ok(login(f, "vic", FX_PASSWORD, &token, &a, &e), &e);
    /* used every 20 minutes, the session lasts its 12 hours */
    for (int m = 20; m < 12 * 60; m += 20) {
        snprintf(when, sizeof when, "2026-11-02T%02d:%02d:00Z", 8 + m / 60, m % 60);
        fx_clock(when);
        fx_ok(chan_authenticate(f->c, &f->p, token, &a, &e), &e);
    }
    fx_clock("2026-11-02T19:59:59Z");
    fx_ok(chan_authenticate(f->c, &f->p, token, &a, &e), &e);
    fx_clock("2026-11-02T20:00:00Z"); /* 12 hours */
    fx_refused(chan_authenticate(f->c, &f->p, token, &a, &e), &e, ERR_UNAUTHORIZED, "expired");
    fx_clock(NULL);
}

static void test_idle(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct actor a;
    char *token = NULL;

    account(f, "ida");
    fx_clock("2026-11-02T08:00:00Z");
    fx_ok(login(f, "ida", FX_PASSWORD, &token, &a, &e), &e);
    fx_clock("2026-11-02T08:29:59Z");
    fx_ok(chan_authenticate(f->c, &f->p, token, &a, &e), &e);
    /* the use at 08:29:59 counts: 30 minutes later it ends */
    fx_clock("2026-11-02T08:59:00Z");
    fx_ok(chan_authenticate(f->c, &f->p, token, &a, &e), &e);
    fx_clock("2026-11-02T09:29:01Z");
    fx_refused(chan_authenticate(f->c, &f->p, token, &a, &e), &e, ERR_UNAUTHORIZED, "without use");
    /* and it is gone, not merely refused */
    fx_refused(chan_authenticate(f->c, &f->p, token, &a, &e), &e, ERR_UNAUTHORIZED, "log in again");
    fx_clock(NULL);
}

static void test_wrong_credentials(void **state)
{
    struct fx *f = *state;
    struct err e, e2;
    struct actor a;
    char *token = NULL;

    account(f, "wes");
    fx_refused(login(f, "wes", "not the password", &token, &a, &e), &e, ERR_UNAUTHORIZED,
               "wrong username or password");
    /* an unknown name gets the very same answer */
    fx_refused(login(f, "nobody-here", "not the password", &token, &a, &e2), &e2, ERR_UNAUTHORIZED,
               NULL);
    assert_string_equal(e.msg, e2.msg);
    fx_refused(login(f, "Wes!", FX_PASSWORD, &token, &a, &e), &e, ERR_INVALID, "'username'");
    fx_refused(login(f, "wes", NULL, &token, &a, &e), &e, ERR_INVALID, "'password'");
    fx_ok(login(f, "wes", FX_PASSWORD, &token, &a, &e), &e);
}

static void test_throttling(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct actor a;
    char *token = NULL;

    account(f, "xena");
    account(f, "yuri");
    fx_clock("2026-11-02T08:00:00Z");
    for (int i = 0; i < CHAN_LOGIN_FAILURES_MAX; i++)
        fx_refused(login(f, "xena", "wrong password", &token, &a, &e), &e, ERR_UNAUTHORIZED, NULL);
    /* now this address waits, even with the right password, with 429 */
    fx_refused(login(f, "xena", FX_PASSWORD, &token, &a, &e), &e, ERR_RATE, "wait 1 seconds");
    assert_int_equal(err_http_status(e.code), 429);
    /* but never the owner from another address, nor another account */
    fx_ok(login_from(f, "198.51.100.7", "xena", FX_PASSWORD, &token, &a, &e), &e);
    fx_ok(login(f, "yuri", FX_PASSWORD, &token, &a, &e), &e);
    /* the delays grow: 1 s, then 2 s after the next failure */
    fx_clock("2026-11-02T08:00:01Z");
    fx_refused(login(f, "xena", "wrong password", &token, &a, &e), &e, ERR_UNAUTHORIZED, NULL);
    fx_clock("2026-11-02T08:00:02Z");
    fx_refused(login(f, "xena", FX_PASSWORD, &token, &a, &e), &e, ERR_RATE, "wait 1 seconds");
    fx_clock("2026-11-02T08:00:03Z");
    fx_ok(login(f, "xena", FX_PASSWORD, &token, &a, &e), &e);
    /* a success clears the failures: four more do not delay */
    for (int i = 0; i < CHAN_LOGIN_FAILURES_MAX - 1; i++)
        fx_refused(login(f, "xena", "wrong password", &token, &a, &e), &e, ERR_UNAUTHORIZED, NULL);
    fx_ok(login(f, "xena", FX_PASSWORD, &token, &a, &e), &e);
    /* unknown names are throttled too (no telling them apart) */
    for (int i = 0; i < CHAN_LOGIN_FAILURES_MAX; i++)
        fx_refused(login(f, "ghost", "wrong password", &token, &a, &e), &e, ERR_UNAUTHORIZED, NULL);
    fx_refused(login(f, "ghost", "wrong password", &token, &a, &e), &e, ERR_RATE, NULL);
    /* the longest delay is 15 minutes */
    for (int i = 0; i < 20; i++) {
        char when[32];
        snprintf(when, sizeof when, "2026-11-02T%02d:%02d:00Z", 9 + i / 4, (i % 4) * 15 + 1);
        fx_clock(when);
        fx_refused(login(f, "ghost", "wrong password", &token, &a, &e), &e, ERR_UNAUTHORIZED, NULL);
    }
    fx_refused(login(f, "ghost", "wrong password", &token, &a, &e), &e, ERR_RATE,
               "wait 900 seconds");
    fx_clock(NULL);
}

static void test_disabled_and_password_change(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct actor a, other;
    char *token = NULL, *token2 = NULL;
    json_t *out = NULL;
    int off = 1, on = 0;

    account(f, "zoe");
    fx_ok(login(f, "zoe", FX_PASSWORD, &token, &a, &e), &e);
    fx_ok(chan_member_update(f->c, &f->p, NULL, "zoe", NULL, &off, &out, &e), &e);
    json_decref(out);
    /* a disabled account neither logs in nor keeps its sessions */
    fx_refused(login(f, "zoe", FX_PASSWORD, &token, &a, &e), &e, ERR_UNAUTHORIZED, NULL);
    fx_refused(chan_authenticate(f->c, &f->p, token, &a, &e), &e, ERR_UNAUTHORIZED, NULL);
    fx_ok(chan_member_update(f->c, &f->p, NULL, "zoe", NULL, &on, &out, &e), &e);
    json_decref(out);
    /* enabling revives no session */
    fx_refused(chan_authenticate(f->c, &f->p, token, &a, &e), &e, ERR_UNAUTHORIZED, NULL);
    /* the member changes her own password; her other sessions end */
    fx_ok(login(f, "zoe", FX_PASSWORD, &token, &a, &e), &e);
    fx_ok(login(f, "zoe", FX_PASSWORD, &token2, &other, &e), &e);
    fx_ok(chan_authenticate(f->c, &f->p, token, &a, &e), &e);
    fx_refused(
        chan_password_change(f->c, &f->p, &a, "not the password", "a new passphrase", &out, &e), &e,
        ERR_FORBIDDEN, "current password");
    fx_ok(chan_password_change(f->c, &f->p, &a, FX_PASSWORD, "a new passphrase", &out, &e), &e);
    json_decref(out);
    fx_ok(chan_authenticate(f->c, &f->p, token, &a, &e), &e);
    fx_refused(chan_authenticate(f->c, &f->p, token2, &other, &e), &e, ERR_UNAUTHORIZED, NULL);
    fx_refused(login(f, "zoe", FX_PASSWORD, &token, &a, &e), &e, ERR_UNAUTHORIZED, NULL);
    fx_ok(login(f, "zoe", "a new passphrase", &token, &a, &e), &e);
    /* the operator sets her password on the console (she forgot it, or it
     * leaked): no session made with the old one goes on */
    fx_ok(chan_local_set_password(f->c, &f->p, "zoe", "the operator's passphrase", &e), &e);
    fx_refused(chan_authenticate(f->c, &f->p, token, &a, &e), &e, ERR_UNAUTHORIZED, NULL);
    fx_ok(login(f, "zoe", "the operator's passphrase", &token, &a, &e), &e);
}

static void test_password_hash(void **state)
{
    struct err e;
    char out[128];
    char longpw[CHAN_PASSWORD_MAX + 2];
    (void)state;
    err_init(&e);
    fx_refused(chan_password_hash("123456789", out, &e), &e, ERR_INVALID, "10 to 256");
    memset(longpw, 'a', sizeof longpw - 1);
    longpw[sizeof longpw - 1] = '\0';
    fx_refused(chan_password_hash(longpw, out, &e), &e, ERR_INVALID, "10 to 256");
    fx_ok(chan_password_hash("1234567890", out, &e), &e);
    assert_non_null(strstr(out, "$argon2id$"));
    assert_null(strstr(out, "1234567890"));
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    fx_open(f, 0);
    *state = f;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_and_session),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_idle),
        cmocka_unit_test(test_wrong_credentials),
        cmocka_unit_test(test_throttling),
        cmocka_unit_test(test_disabled_and_password_change),
        cmocka_unit_test(test_password_hash),
    };
    return cmocka_run_group_tests(tests, setup, fx_group_teardown);
}
