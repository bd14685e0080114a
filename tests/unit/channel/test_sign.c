/* Tests for src/channel/sign.c through channel/chan.h: named co-signatures
 * (sign, move, withdraw), the counts exact after each step, the signer list,
 * and refusals by state and by role that leave the counts as they were. */
#include "unit/channel/fixture.h"

#include <sqlite3.h>

#include "store/store.h"

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

    fx_ok(chan_signers(f->c, &f->p, &f->alice, id, NULL, &out, &e), &e);
    assert_int_equal(json_array_size(json_object_get(out, "signatures")), 1);
    s = json_array_get(json_object_get(out, "signatures"), 0);
    assert_string_equal(json_string_value(json_object_get(s, "username")), "carol");
    assert_string_equal(json_string_value(json_object_get(s, "organization")), "usaid");
    assert_int_equal(fx_int(s, "version", NULL), 1);
    assert_true(json_is_string(json_object_get(s, "signed_at")));
    json_decref(out);

    /* a signer does not see who else signed; nor does a reader */
    fx_refused(chan_signers(f->c, &f->p, &f->carol, id, NULL, &out, &e), &e, ERR_FORBIDDEN,
               "signers");
    fx_refused(chan_signers(f->c, &f->p, &f->bob, id, NULL, &out, &e), &e, ERR_FORBIDDEN, NULL);
    fx_refused(chan_signers(f->c, &f->p, &f->rev, id, NULL, &out, &e), &e, ERR_NOT_FOUND, NULL);
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    fx_ok(chan_signers(f->c, &f->p, &f->rev, id, NULL, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_signers(f->c, &f->p, &f->lead, id, NULL, &out, &e), &e);
    json_decref(out);
    fx_refused(chan_signers(f->c, &f->p, &f->adm, id, NULL, &out, &e), &e, ERR_NOT_FOUND, NULL);

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

/* Counts the signer-list reads in memo id's access log, as alice sees it. */
static size_t signer_list_reads(struct fx *f, const char *id)
{
    struct err e;
    json_t *out = NULL, *row;
    size_t i, lists = 0;
    err_init(&e);
    fx_ok(chan_access_log(f->c, &f->p, &f->alice, id, &out, &e), &e);
    json_array_foreach(json_object_get(out, "entries"), i, row)
    {
        if (strcmp(json_string_value(json_object_get(row, "what")), "signer list") == 0)
            lists++;
    }
    json_decref(out);
    return lists;
}

/* A signer list longer than a page (450 co-signers, most at one second)
 * comes back in pages that together hold every co-signer exactly once; the
 * default page is bounded (CHAN_SIGNERS_PAGE_DEFAULT), a limit over the
 * maximum and a malformed cursor are refused, and each page read is one
 * read in the access log. The whole list was one reply: 100,000 co-signers,
 * 10 MB and 126 MB of the server's memory for one request. */
static void test_signers_paged(void **state)
{
    enum { EXTRA = 450 };
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *row;
    struct chan_signers_page pg;
    struct st_memo m;
    char id[RANDOM_ID_LEN + 1], user[32], next[64] = "";
    int64_t member = 0;
    int seen[EXTRA + 1] = {0}, pages = 0;
    size_t i, total = 0, reads;
    static const char *const bad_limits[] = {"0", "1001", "-1", "x", "2000000000000"};
    static const char *const bad_afters[] = {"x",    "5",    "-1-2",  "1-0",
                                             "1-",   "-",    "1-2-3", "1--2",
                                             " 1-2", "1-2 ", "1.5-2", "99999999999999999999-1"};

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    fx_ok(chan_sign(f->c, &f->p, &f->carol, id, 0, &out, &e), &e);
    json_decref(out);
    fx_ok(store_memo_by_public_id(chan_store(f->c), &f->p, id, &m, &e), &e);
    for (int k = 0; k < EXTRA; k++) {
        snprintf(user, sizeof user, "signer%03d", k);
        member = fx_plain_member(f, user);
        /* one second for all but a few: the key's member id orders them */
        fx_ok(store_signature_put(chan_store(f->c), m.id, member, 1, "00", k % 50 ? 1 : 2, &e), &e);
    }
    reads = signer_list_reads(f, id);

    /* the default page is bounded, and says where the next one starts */
    fx_ok(chan_signers(f->c, &f->p, &f->alice, id, NULL, &out, &e), &e);
    assert_int_equal(json_array_size(json_object_get(out, "signatures")),
                     CHAN_SIGNERS_PAGE_DEFAULT);
    assert_true(json_is_string(json_object_get(out, "next_after")));
    json_decref(out);
    fx_ok(chan_signers_page_args(NULL, NULL, &pg, &e), &e);
    assert_int_equal(pg.limit, CHAN_SIGNERS_PAGE_DEFAULT);

    for (i = 0; i < ARRAY_LEN(bad_limits); i++)
        fx_refused(chan_signers_page_args(NULL, bad_limits[i], &pg, &e), &e, ERR_INVALID, "limit");
    for (i = 0; i < ARRAY_LEN(bad_afters); i++)
        fx_refused(chan_signers_page_args(bad_afters[i], "10", &pg, &e), &e, ERR_INVALID, "after");
    pg = (struct chan_signers_page){.after_at = INT64_MIN, .limit = CHAN_SIGNERS_PAGE_MAX + 1};
    fx_refused(chan_signers(f->c, &f->p, &f->alice, id, &pg, &out, &e), &e, ERR_INVALID, "limit");
    fx_ok(chan_signers_page_args("0-1", "1000", &pg, &e), &e);

    /* pages of 170 hold every co-signer once, carol and the 450 */
    do {
        fx_ok(chan_signers_page_args(next, "170", &pg, &e), &e);
        fx_ok(chan_signers(f->c, &f->p, &f->alice, id, &pg, &out, &e), &e);
        pages++;
        assert_in_range(json_array_size(json_object_get(out, "signatures")), 1, 170);
        json_array_foreach(json_object_get(out, "signatures"), i, row)
        {
            const char *u = json_string_value(json_object_get(row, "username"));
            int k;
            if (strcmp(u, "carol") == 0)
                k = EXTRA;
            else
                assert_int_equal(sscanf(u, "signer%d", &k), 1);
            assert_in_range(k, 0, EXTRA);
            seen[k]++;
            total++;
        }
        row = json_object_get(out, "next_after");
        snprintf(next, sizeof next, "%s", json_is_string(row) ? json_string_value(row) : "");
        assert_true(json_is_string(row) || json_is_null(row));
        json_decref(out);
    } while (next[0]);
    assert_int_equal(pages, 3);
    assert_int_equal(total, EXTRA + 1);
    for (int k = 0; k <= EXTRA; k++)
        assert_int_equal(seen[k], 1);
    /* the default page and the three: each a read in the access log */
    assert_int_equal(signer_list_reads(f, id), reads + 4);
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
        cmocka_unit_test(test_signers_paged),     cmocka_unit_test(test_receipt_is_a_read),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
