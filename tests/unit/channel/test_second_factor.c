/* Tests for src/channel/second_factor.c: enrollment confirmed by a first
 * code, sign-in in two steps (a pending login is not a session, is single
 * use and takes a few tries), a code accepted once, recovery codes single
 * use, turning off only with a current code, and the policy that makes
 * privileged roles enroll. */
#include "fixture.h"

#include "channel/totp.h"

#define T0 "2026-11-20T15:00:00Z"
#define T1 "2026-11-20T15:00:30Z"
#define T2 "2026-11-20T15:01:00Z"
#define T3 "2026-11-20T15:01:30Z"

/* The base32 secret decoded (RFC 4648, upper case, no padding). */
static size_t b32_decode(const char *s, unsigned char *out, size_t max)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned buf = 0, bits = 0;
    size_t n = 0;
    for (; *s && n < max; s++) {
        const char *q = strchr(abc, *s);
        assert_non_null(q);
        buf = (buf << 5) | (unsigned)(q - abc);
        bits += 5;
        if (bits >= 8) {
            out[n++] = (unsigned char)(buf >> (bits - 8));
            bits -= 8;
        }
    }
    return n;
}

/* The code of the secret at the pinned clock time t. */
static const char *code_at(const unsigned char *secret, size_t len, const char *t)
{
    static char code[TOTP_DIGITS + 1];
    int64_t when = 0;
    struct err e;
    err_init(&e);
    assert_int_equal(time_parse_utc(t, &when), 0);
    fx_ok(totp_code(secret, len, totp_step(when), code, &e), &e);
    return code;
}

static void test_second_factor(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *codes;
    struct actor a, b;
    char *tok = NULL, *pending = NULL, recovery[32], recovery2[32];
    unsigned char secret[64];
    size_t slen;
    int off = 0, on = 1;

    err_init(&e);
    fx_clock(T0);
    /* The policy is on in a new installation: the reviewer must enroll,
     * a plain member need not. */
    fx_ok(chan_login(f->c, &f->p, "rev", FX_PASSWORD, "10.0.0.1", &tok, &a, &e), &e);
    assert_int_equal(a.second_factor, 0);
    assert_int_equal(a.must_enroll, 1);
    fx_ok(chan_authenticate(f->c, &f->p, tok, &b, &e), &e);
    assert_int_equal(b.must_enroll, 1);
    fx_ok(chan_login(f->c, &f->p, "alice", FX_PASSWORD, "10.0.0.1", &tok, &b, &e), &e);
    assert_int_equal(b.must_enroll, 0);
    fx_ok(chan_totp_status(f->c, &f->p, &a, &out, &e), &e);
    assert_true(json_is_true(json_object_get(out, "required")));
    assert_false(json_is_true(json_object_get(out, "enabled")));
    json_decref(out);

    /* enrollment: nothing in force until a first code confirms it */
    fx_refused(chan_totp_confirm(f->c, &f->p, &a, "123456", &out, &e), &e, ERR_STATE, "start");
    fx_ok(chan_totp_enroll(f->c, &f->p, &a, &out, &e), &e);
    slen = b32_decode(json_string_value(json_object_get(out, "secret")), secret, sizeof secret);
    assert_int_equal(slen, 20);
    assert_non_null(strstr(json_string_value(json_object_get(out, "otpauth_uri")),
                           "otpauth://totp/dissent%20"));
    assert_non_null(strstr(json_string_value(json_object_get(out, "otpauth_uri")), ":rev?secret="));
    json_decref(out);
    fx_ok(chan_login(f->c, &f->p, "rev", FX_PASSWORD, "10.0.0.1", &tok, &b, &e), &e);
    assert_int_equal(b.second_factor, 0); /* not confirmed: no second step yet */
    fx_refused(chan_totp_confirm(f->c, &f->p, &a, "000000", &out, &e), &e, ERR_FORBIDDEN,
               "does not match");
    fx_ok(chan_totp_confirm(f->c, &f->p, &a, code_at(secret, slen, T0), &out, &e), &e);
    codes = json_object_get(out, "recovery_codes");
    assert_int_equal(json_array_size(codes), CHAN_TOTP_RECOVERY_CODES);
    snprintf(recovery, sizeof recovery, "%s", json_string_value(json_array_get(codes, 0)));
    snprintf(recovery2, sizeof recovery2, "%s", json_string_value(json_array_get(codes, 1)));
    json_decref(out);
    fx_refused(chan_totp_enroll(f->c, &f->p, &a, &out, &e), &e, ERR_CONFLICT, "turn it off");

    /* sign-in: the password gives a pending login, not a session */
    fx_ok(chan_login(f->c, &f->p, "rev", FX_PASSWORD, "10.0.0.1", &pending, &b, &e), &e);
    assert_int_equal(b.second_factor, 1);
    fx_refused(chan_authenticate(f->c, &f->p, pending, &b, &e), &e, ERR_UNAUTHORIZED, NULL);
    /* the code that confirmed the enrollment is used up */
    fx_refused(chan_login_second(f->c, &f->p, pending, code_at(secret, slen, T0), "10.0.0.1", &tok,
                                 &b, &e),
               &e, ERR_UNAUTHORIZED, "wrong code");
    fx_clock(T1);
    fx_ok(chan_login_second(f->c, &f->p, pending, code_at(secret, slen, T1), "10.0.0.1", &tok, &b,
                            &e),
          &e);
    assert_int_equal(b.must_enroll, 0);
    fx_ok(chan_authenticate(f->c, &f->p, tok, &b, &e), &e);
    assert_string_equal(b.username, "rev");
    assert_int_equal(b.must_enroll, 0);
    /* a pending login is single use */
    fx_refused(chan_login_second(f->c, &f->p, pending, code_at(secret, slen, T1), "10.0.0.1", &tok,
                                 &b, &e),
               &e, ERR_UNAUTHORIZED, "start again");
    /* the same code on a new pending login: refused (used once) */
    fx_ok(chan_login(f->c, &f->p, "rev", FX_PASSWORD, "10.0.0.1", &pending, &b, &e), &e);
    fx_refused(chan_login_second(f->c, &f->p, pending, code_at(secret, slen, T1), "10.0.0.1", &tok,
                                 &b, &e),
               &e, ERR_UNAUTHORIZED, "wrong code");
    /* a recovery code works once */
    fx_ok(chan_login_second(f->c, &f->p, pending, recovery, "10.0.0.1", &tok, &b, &e), &e);
    fx_ok(chan_login(f->c, &f->p, "rev", FX_PASSWORD, "10.0.0.1", &pending, &b, &e), &e);
    fx_refused(chan_login_second(f->c, &f->p, pending, recovery, "10.0.0.1", &tok, &b, &e), &e,
               ERR_UNAUTHORIZED, "wrong code");
    /* CHAN_TOTP_TRIES_MAX wrong codes end the pending login (from another
     * address, so the throttling of the first does not answer first) */
    for (int i = 1; i < CHAN_TOTP_TRIES_MAX; i++)
        fx_refused(chan_login_second(f->c, &f->p, pending, "000000", "10.0.0.2", &tok, &b, &e), &e,
                   ERR_UNAUTHORIZED, i + 1 < CHAN_TOTP_TRIES_MAX ? "wrong code" : "too many");
    fx_refused(chan_login_second(f->c, &f->p, pending, code_at(secret, slen, T1), "10.0.0.3", &tok,
                                 &b, &e),
               &e, ERR_UNAUTHORIZED, "start again");

    /* A right password does not reset the throttling of wrong codes: the
     * delays keep growing for whoever knows the password but not the code. */
    fx_clock("2026-11-20T15:00:40Z");
    fx_ok(chan_login(f->c, &f->p, "rev", FX_PASSWORD, "10.0.0.9", &pending, &b, &e), &e);
    for (int i = 0; i < CHAN_TOTP_TRIES_MAX; i++)
        fx_refused(chan_login_second(f->c, &f->p, pending, "000000", "10.0.0.9", &tok, &b, &e), &e,
                   ERR_UNAUTHORIZED, NULL);
    fx_clock("2026-11-20T15:00:45Z"); /* the 1-second delay has passed */
    fx_ok(chan_login(f->c, &f->p, "rev", FX_PASSWORD, "10.0.0.9", &pending, &b, &e), &e);
    fx_refused(chan_login_second(f->c, &f->p, pending, "000000", "10.0.0.9", &tok, &b, &e), &e,
               ERR_UNAUTHORIZED, "wrong code");
    fx_refused(chan_login_second(f->c, &f->p, pending, "000000", "10.0.0.9", &tok, &b, &e), &e,
               ERR_RATE, "wait 2 seconds");

    /* new recovery codes need a current app code; the old ones stop working */
    fx_clock(T2);
    fx_refused(chan_totp_recovery_new(f->c, &f->p, &a, recovery2, &out, &e), &e, ERR_FORBIDDEN,
               "wrong code");
    fx_ok(chan_totp_recovery_new(f->c, &f->p, &a, code_at(secret, slen, T2), &out, &e), &e);
    assert_int_equal(json_array_size(json_object_get(out, "recovery_codes")), 10);
    json_decref(out);
    fx_ok(chan_login(f->c, &f->p, "rev", FX_PASSWORD, "10.0.0.4", &pending, &b, &e), &e);
    fx_refused(chan_login_second(f->c, &f->p, pending, recovery2, "10.0.0.4", &tok, &b, &e), &e,
               ERR_UNAUTHORIZED, "wrong code");

    /* turning it off takes a current code */
    fx_clock(T3);
    fx_refused(chan_totp_disable(f->c, &f->p, &a, "000000", &out, &e), &e, ERR_FORBIDDEN,
               "wrong code");
    fx_ok(chan_totp_disable(f->c, &f->p, &a, code_at(secret, slen, T3), &out, &e), &e);
    json_decref(out);
    fx_ok(chan_login(f->c, &f->p, "rev", FX_PASSWORD, "10.0.0.5", &tok, &b, &e), &e);
    assert_int_equal(b.second_factor, 0);
    assert_int_equal(b.must_enroll, 1);

    /* the policy: admins only; off, nobody must enroll */
    fx_refused(chan_totp_policy(f->c, &f->p, &f->rev, &off, &out, &e), &e, ERR_FORBIDDEN, NULL);
    fx_ok(chan_totp_policy(f->c, &f->p, &f->adm, &off, &out, &e), &e);
    assert_false(json_is_true(json_object_get(out, "totp_required")));
    json_decref(out);
    fx_ok(chan_authenticate(f->c, &f->p, tok, &b, &e), &e);
    assert_int_equal(b.must_enroll, 0);
    fx_ok(chan_totp_policy(f->c, &f->p, &f->adm, &on, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_authenticate(f->c, &f->p, tok, &b, &e), &e);
    assert_int_equal(b.must_enroll, 1);
    /* the auditors see who changed it */
    fx_ok(chan_account_events(f->c, &f->p, &f->aud, 0, CHAN_EVENTS_PAGE_DEFAULT, &out, &e), &e);
    {
        size_t i, n = 0;
        json_t *ev;
        json_array_foreach(json_object_get(out, "events"), i, ev)
        {
            if (strcmp(json_string_value(json_object_get(ev, "kind")), "settings_changed") == 0) {
                assert_string_equal(json_string_value(json_object_get(ev, "by")), "adm");
                n++;
            }
        }
        assert_int_equal(n, 2);
    }
    json_decref(out);
    fx_clock(NULL);
}

/* An admin's reset keeps the second factor: completing the reset link
 * (with the member's recovery code) sets the password but gives a pending
 * login, not a session. */
static void test_reset_keeps_second_factor(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    struct actor a, b;
    char *tok = NULL, *link = NULL, account_code[64];
    unsigned char secret[64];
    size_t slen;

    err_init(&e);
    fx_clock("2026-11-21T10:00:00Z");
    fx_member(f, &a, "sara", "state", CHAN_ROLE_MEMBER);
    fx_ok(chan_totp_enroll(f->c, &f->p, &a, &out, &e), &e);
    slen = b32_decode(json_string_value(json_object_get(out, "secret")), secret, sizeof secret);
    json_decref(out);
    fx_ok(
        chan_totp_confirm(f->c, &f->p, &a, code_at(secret, slen, "2026-11-21T10:00:00Z"), &out, &e),
        &e);
    json_decref(out);
    fx_ok(chan_recovery_code_new(f->c, &f->p, &a, FX_PASSWORD, &out, &e), &e);
    snprintf(account_code, sizeof account_code, "%s",
             json_string_value(json_object_get(out, "recovery_code")));
    json_decref(out);

    fx_ok(chan_member_reset(f->c, &f->p, &f->adm, "sara", &out, &e), &e);
    link = pool_strdup(&f->p,
                       json_string_value(json_object_get(json_object_get(out, "setup"), "token")));
    json_decref(out);
    fx_ok(chan_setup_complete(f->c, &f->p, link, "a new password for sara", account_code, &tok, &b,
                              &out, &e),
          &e);
    json_decref(out);
    assert_int_equal(b.second_factor, 1);
    fx_refused(chan_authenticate(f->c, &f->p, tok, &b, &e), &e, ERR_UNAUTHORIZED, NULL);
    fx_clock("2026-11-21T10:00:30Z");
    fx_ok(chan_login_second(f->c, &f->p, tok, code_at(secret, slen, "2026-11-21T10:00:30Z"),
                            "10.1.0.1", &tok, &b, &e),
          &e);
    fx_ok(chan_authenticate(f->c, &f->p, tok, &b, &e), &e);
    assert_string_equal(b.username, "sara");
    fx_clock(NULL);
}

/* Enrolls the member in the second factor, confirmed at the clock time t;
 * the secret goes to secret (its length is returned). */
static size_t enroll_at(struct fx *f, struct actor *a, const char *t, unsigned char *secret)
{
    struct err e;
    json_t *out = NULL;
    size_t slen;
    err_init(&e);
    fx_clock(t);
    fx_ok(chan_totp_enroll(f->c, &f->p, a, &out, &e), &e);
    slen = b32_decode(json_string_value(json_object_get(out, "secret")), secret, 64);
    json_decref(out);
    fx_ok(chan_totp_confirm(f->c, &f->p, a, code_at(secret, slen, t), &out, &e), &e);
    json_decref(out);
    return slen;
}

/* A pending login (the password was right, the code is awaited) ends
 * wherever the member's sessions end: a password change, an admin's reset,
 * disabling the account (enabling it again revives nothing), the operator
 * setting the password, and turning the second factor off. Otherwise
 * whoever had the old password would get a session after the change with
 * one current code. */
static void test_pending_ends_with_sessions(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    struct actor a, b;
    char *tok = NULL, *pending = NULL, *link = NULL, account_code[64];
    unsigned char secret[64];
    size_t slen;
    int on = 1, off = 0;

    err_init(&e);
    fx_member(f, &a, "lena", "state", CHAN_ROLE_MEMBER);
    slen = enroll_at(f, &a, "2026-11-22T10:00:00Z", secret);

    /* the member changes her password */
    fx_ok(chan_login(f->c, &f->p, "lena", FX_PASSWORD, "10.2.0.1", &pending, &b, &e), &e);
    assert_int_equal(b.second_factor, 1);
    fx_ok(chan_password_change(f->c, &f->p, &a, FX_PASSWORD, "a new password for lena", &out, &e),
          &e);
    json_decref(out);
    fx_clock("2026-11-22T10:00:30Z");
    fx_refused(chan_login_second(f->c, &f->p, pending,
                                 code_at(secret, slen, "2026-11-22T10:00:30Z"), "10.2.0.1", &tok,
                                 &b, &e),
               &e, ERR_UNAUTHORIZED, "start again");

    /* an admin resets the account */
    fx_ok(chan_recovery_code_new(f->c, &f->p, &a, "a new password for lena", &out, &e), &e);
    snprintf(account_code, sizeof account_code, "%s",
             json_string_value(json_object_get(out, "recovery_code")));
    json_decref(out);
    fx_ok(chan_login(f->c, &f->p, "lena", "a new password for lena", "10.2.0.1", &pending, &b, &e),
          &e);
    fx_ok(chan_member_reset(f->c, &f->p, &f->adm, "lena", &out, &e), &e);
    link = pool_strdup(&f->p,
                       json_string_value(json_object_get(json_object_get(out, "setup"), "token")));
    json_decref(out);
    fx_refused(chan_login_second(f->c, &f->p, pending,
                                 code_at(secret, slen, "2026-11-22T10:00:30Z"), "10.2.0.1", &tok,
                                 &b, &e),
               &e, ERR_UNAUTHORIZED, "start again");
    /* the setup link's own pending login is made after, and stands */
    fx_ok(chan_setup_complete(f->c, &f->p, link, FX_PASSWORD, account_code, &tok, &b, &out, &e),
          &e);
    json_decref(out);
    assert_int_equal(b.second_factor, 1);
    fx_ok(chan_login_second(f->c, &f->p, tok, code_at(secret, slen, "2026-11-22T10:00:30Z"),
                            "10.2.0.1", &tok, &b, &e),
          &e);

    /* an admin disables the account, then enables it again */
    fx_ok(chan_login(f->c, &f->p, "lena", FX_PASSWORD, "10.2.0.1", &pending, &b, &e), &e);
    fx_ok(chan_member_update(f->c, &f->p, &f->adm, "lena", NULL, &on, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_member_update(f->c, &f->p, &f->adm, "lena", NULL, &off, &out, &e), &e);
    json_decref(out);
    fx_clock("2026-11-22T10:01:00Z");
    fx_refused(chan_login_second(f->c, &f->p, pending,
                                 code_at(secret, slen, "2026-11-22T10:01:00Z"), "10.2.0.1", &tok,
                                 &b, &e),
               &e, ERR_UNAUTHORIZED, "start again");

    /* the operator sets the password on the console */
    fx_ok(chan_login(f->c, &f->p, "lena", FX_PASSWORD, "10.2.0.1", &pending, &b, &e), &e);
    fx_ok(chan_local_set_password(f->c, &f->p, "lena", FX_PASSWORD, &e), &e);
    fx_refused(chan_login_second(f->c, &f->p, pending,
                                 code_at(secret, slen, "2026-11-22T10:01:00Z"), "10.2.0.1", &tok,
                                 &b, &e),
               &e, ERR_UNAUTHORIZED, "start again");

    /* she turns the second factor off and enrolls again */
    fx_ok(chan_login(f->c, &f->p, "lena", FX_PASSWORD, "10.2.0.1", &pending, &b, &e), &e);
    fx_ok(
        chan_totp_disable(f->c, &f->p, &a, code_at(secret, slen, "2026-11-22T10:01:00Z"), &out, &e),
        &e);
    json_decref(out);
    slen = enroll_at(f, &a, "2026-11-22T10:01:30Z", secret);
    fx_clock("2026-11-22T10:02:00Z");
    fx_refused(chan_login_second(f->c, &f->p, pending,
                                 code_at(secret, slen, "2026-11-22T10:02:00Z"), "10.2.0.1", &tok,
                                 &b, &e),
               &e, ERR_UNAUTHORIZED, "start again");

    /* and a pending login made after all that completes */
    fx_ok(chan_login(f->c, &f->p, "lena", FX_PASSWORD, "10.2.0.1", &pending, &b, &e), &e);
    fx_ok(chan_login_second(f->c, &f->p, pending, code_at(secret, slen, "2026-11-22T10:02:00Z"),
                            "10.2.0.1", &tok, &b, &e),
          &e);
    fx_ok(chan_authenticate(f->c, &f->p, tok, &b, &e), &e);
    assert_string_equal(b.username, "lena");
    fx_clock(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_second_factor),
        cmocka_unit_test(test_reset_keeps_second_factor),
        cmocka_unit_test(test_pending_ends_with_sessions),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
