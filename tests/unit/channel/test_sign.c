/* Tests for src/channel/sign.c through channel/chan.h: named co-signatures
 * (sign, move, withdraw), the counts exact after each step, the signer list,
 * and refusals by state and by role that leave the counts as they were. */
#include "unit/channel/fixture.h"

#include <sqlite3.h>

/* The counts of memo id as the drafter alice reads them. */
static json_t *counts(struct fx *f, const char *id)
{
    struct err e;
    json_t *out = NULL;
    err_init(&e);
    fx_ok(chan_counts(f->c, &f->p, &f->alice, id, &out, &e), &e);
    return out;
}

/* Asserts the total and the counts of versions 1 and 2 and of both orgs. */
static void expect_counts(struct fx *f, const char *id, int total, int v1, int v2, int state_n,
                          int usaid_n)
{
    json_t *c = counts(f, id);
    assert_int_equal(fx_int(c, "total", NULL), total);
    assert_int_equal(fx_count_of(c, "by_version", "version", 1, NULL), v1);
    assert_int_equal(fx_count_of(c, "by_version", "version", 2, NULL), v2);
    assert_int_equal(fx_count_of(c, "by_organization", "organization", 0, "state"), state_n);
    assert_int_equal(fx_count_of(c, "by_organization", "organization", 0, "usaid"), usaid_n);
    assert_int_equal(fx_int(c, "named", "total"), total); /* no anonymous signatures here */
    json_decref(c);
}

static void test_sign_move_unsign(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    char id[RANDOM_ID_LEN + 1];

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    expect_counts(f, id, 0, 0, 0, 0, 0);

    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e);
    assert_int_equal(fx_int(out, "my_signature", NULL), 1);
    assert_int_equal(fx_int(out, "counts", "total"), 1);
    json_decref(out);
    expect_counts(f, id, 1, 1, 0, 1, 0);

    fx_ok(chan_sign(f->c, &f->p, &f->carol, id, 1, &out, &e), &e);
    json_decref(out);
    expect_counts(f, id, 2, 2, 0, 1, 1);

    /* a new version; bob moves his signature to it (0: the latest) */
    fx_ok(chan_memo_revise(f->c, &f->p, &f->alice, id,
                           &(struct chan_version_input){.body = "Sharper."}, &out, &e),
          &e);
    json_decref(out);
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e);
    assert_int_equal(fx_int(out, "my_signature", NULL), 2);
    json_decref(out);
    expect_counts(f, id, 2, 1, 1, 1, 1);

    /* refusals that change nothing */
    fx_refused(chan_sign(f->c, &f->p, &f->bob, id, 2, &out, &e), &e, ERR_CONFLICT,
               "already co-signed version 2");
    fx_refused(chan_sign(f->c, &f->p, &f->bob, id, 3, &out, &e), &e, ERR_INVALID,
               "versions 1 to 2");
    fx_refused(chan_sign(f->c, &f->p, &f->bob, id, -1, &out, &e), &e, ERR_INVALID,
               "versions 1 to 2");
    expect_counts(f, id, 2, 1, 1, 1, 1);

    /* moving back */
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 1, &out, &e), &e);
    json_decref(out);
    expect_counts(f, id, 2, 2, 0, 1, 1);

    fx_ok(chan_unsign(f->c, &f->p, &f->bob, id, &out, &e), &e);
    assert_true(json_is_null(json_object_get(out, "my_signature")));
    json_decref(out);
    expect_counts(f, id, 1, 1, 0, 0, 1);
    fx_refused(chan_unsign(f->c, &f->p, &f->bob, id, &out, &e), &e, ERR_CONFLICT, "not co-signed");
    expect_counts(f, id, 1, 1, 0, 0, 1);

    /* signing again after withdrawing */
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 2, &out, &e), &e);
    json_decref(out);
    expect_counts(f, id, 2, 1, 1, 1, 1);
    /* a drafter may co-sign their own memo */
    fx_ok(chan_sign(f->c, &f->p, &f->alice, id, 2, &out, &e), &e);
    json_decref(out);
    expect_counts(f, id, 3, 1, 2, 2, 1);
    /* the timeline ends at the total */
    {
        json_t *c = counts(f, id), *tl = json_object_get(c, "timeline");
        assert_true(json_array_size(tl) >= 1);
        assert_int_equal(fx_int(json_array_get(tl, json_array_size(tl) - 1), "total", NULL), 3);
        json_decref(c);
    }
}

static void test_refusals_by_role(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    char id[RANDOM_ID_LEN + 1];

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e);
    json_decref(out);
    /* the office, leadership and admins do not see a circulating memo */
    fx_refused(chan_sign(f->c, &f->p, &f->rev, id, 0, &out, &e), &e, ERR_NOT_FOUND, NULL);
    fx_refused(chan_sign(f->c, &f->p, &f->lead, id, 0, &out, &e), &e, ERR_NOT_FOUND, NULL);
    /* auditors know every memo (they read its access log) but do not co-sign */
    fx_refused(chan_sign(f->c, &f->p, &f->aud, id, 0, &out, &e), &e, ERR_FORBIDDEN, "co-sign");
    fx_refused(chan_sign(f->c, &f->p, &f->adm, id, 0, &out, &e), &e, ERR_NOT_FOUND, NULL);
    fx_refused(chan_unsign(f->c, &f->p, &f->carol, id, &out, &e), &e, ERR_CONFLICT, NULL);
    expect_counts(f, id, 1, 1, 0, 1, 0);

    /* after submission the office reads it but does not co-sign */
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    fx_refused(chan_sign(f->c, &f->p, &f->rev, id, 0, &out, &e), &e, ERR_FORBIDDEN, "co-sign");
    expect_counts(f, id, 1, 1, 0, 1, 0);
}

static void test_refusals_by_state(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    char id[RANDOM_ID_LEN + 1];

    err_init(&e);
    /* a draft: private to its drafters, and not open for signatures */
    fx_memo_in(f, CHAN_STATE_DRAFT, id);
    fx_refused(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e, ERR_NOT_FOUND, NULL);
    fx_refused(chan_sign(f->c, &f->p, &f->alice, id, 0, &out, &e), &e, ERR_STATE,
               "only a circulating memo");
    expect_counts(f, id, 0, 0, 0, 0, 0);

    /* submitted: signatures are frozen, for signers too */
    fx_act(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL);
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e);
    json_decref(out);
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    fx_refused(chan_unsign(f->c, &f->p, &f->bob, id, &out, &e), &e, ERR_STATE,
               "only a circulating memo");
    fx_refused(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e, ERR_STATE, NULL);
    fx_refused(chan_sign(f->c, &f->p, &f->carol, id, 0, &out, &e), &e, ERR_NOT_FOUND, NULL);
    expect_counts(f, id, 1, 1, 0, 1, 0);
    /* bob still reads the memo he signed, and his signature is on it */
    out = fx_get(f, &f->bob, id);
    assert_int_equal(fx_int(out, "my_signature", NULL), 1);
    json_decref(out);

    /* withdrawn memos take no signatures */
    fx_memo_in(f, CHAN_STATE_WITHDRAWN, id);
    fx_refused(chan_sign(f->c, &f->p, &f->alice, id, 0, &out, &e), &e, ERR_STATE,
               "only a circulating memo");
}

static void test_signers(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *s;
    char id[RANDOM_ID_LEN + 1];

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    fx_ok(chan_sign(f->c, &f->p, &f->carol, id, 0, &out, &e), &e);
    json_decref(out);

    fx_ok(chan_signers(f->c, &f->p, &f->alice, id, &out, &e), &e);
    assert_int_equal(json_array_size(json_object_get(out, "signatures")), 1);
    s = json_array_get(json_object_get(out, "signatures"), 0);
    assert_string_equal(json_string_value(json_object_get(s, "username")), "carol");
    assert_string_equal(json_string_value(json_object_get(s, "organization")), "usaid");
    assert_int_equal(fx_int(s, "version", NULL), 1);
    assert_true(json_is_string(json_object_get(s, "signed_at")));
    json_decref(out);

    /* a signer does not see who else signed; nor does a reader */
    fx_refused(chan_signers(f->c, &f->p, &f->carol, id, &out, &e), &e, ERR_FORBIDDEN, "signers");
    fx_refused(chan_signers(f->c, &f->p, &f->bob, id, &out, &e), &e, ERR_FORBIDDEN, NULL);
    fx_refused(chan_signers(f->c, &f->p, &f->rev, id, &out, &e), &e, ERR_NOT_FOUND, NULL);
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    fx_ok(chan_signers(f->c, &f->p, &f->rev, id, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_signers(f->c, &f->p, &f->lead, id, &out, &e), &e);
    json_decref(out);
    fx_refused(chan_signers(f->c, &f->p, &f->adm, id, &out, &e), &e, ERR_NOT_FOUND, NULL);

    /* every read of the list is in the memo's access log */
    fx_ok(chan_access_log(f->c, &f->p, &f->alice, id, &out, &e), &e);
    {
        size_t i, lists = 0;
        json_t *row;
        json_array_foreach(json_object_get(out, "entries"), i, row)
        {
            if (strcmp(json_string_value(json_object_get(row, "what")), "signer list") == 0)
                lists++;
        }
        assert_int_equal(lists, 3);
    }
    json_decref(out);
}

/* A signer's receipt is a read: it answers while another connection holds
 * the database's write lock (a long group commit, another server's writer),
 * where it used to queue behind every writer and fail after the lock wait. */
static void test_receipt_is_a_read(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    char id[RANDOM_ID_LEN + 1];
    sqlite3 *db = NULL;

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e);
    json_decref(out);
    out = NULL;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    fx_ok(chan_signer_receipt(f->c, &f->p, &f->bob, id, &out, &e), &e);
    assert_int_equal(json_array_size(json_object_get(out, "leaves")), 1);
    json_decref(out);
    assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_move_unsign),  cmocka_unit_test(test_refusals_by_role),
        cmocka_unit_test(test_refusals_by_state), cmocka_unit_test(test_signers),
        cmocka_unit_test(test_receipt_is_a_read),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
