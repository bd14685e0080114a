/* Tests for src/channel/events.c through channel/chan.h: every operation
 * appends the leaves of its kinds (and nothing else) with the operation;
 * leaves carry hashes and public facts, never memo text, answers, reasons or
 * a signer's name; reads, messages and refused operations append none. */
#include "unit/channel/fixture.h"

/* The parsed data of the leaves from index `from` to the end. */
static json_t *leaves_since(struct fx *f, int64_t from)
{
    struct err e;
    json_t *out = NULL, *arr = json_array(), *row;
    size_t i;
    int64_t size = fx_log_size(f);
    err_init(&e);
    if (size == from)
        return arr;
    fx_ok(chan_log_leaves(f->c, from, size, &out, &e), &e);
    json_array_foreach(json_object_get(out, "leaves"), i, row)
    {
        json_t *d = json_loads(json_string_value(json_object_get(row, "data")), 0, NULL);
        assert_non_null(d);
        json_array_append_new(arr, d);
    }
    json_decref(out);
    return arr;
}

/* Asserts the kinds of the leaves appended since from, in order (a
 * NULL-terminated list), and that every leaf is a version 1 leaf with a
 * time, about memo (if not NULL); returns the leaves (caller frees). */
static json_t *expect_kinds(struct fx *f, int64_t from, const char *memo, ...)
{
    json_t *ls = leaves_since(f, from), *l;
    va_list ap;
    size_t i = 0;
    const char *kind;
    va_start(ap, memo);
    while ((kind = va_arg(ap, const char *)) != NULL) {
        l = json_array_get(ls, i++);
        assert_non_null(l);
        assert_string_equal(json_string_value(json_object_get(l, "kind")), kind);
        assert_int_equal(fx_int(l, "v", NULL), 1);
        assert_true(json_is_string(json_object_get(l, "at")));
        if (memo)
            assert_string_equal(json_string_value(json_object_get(l, "memo")), memo);
    }
    va_end(ap);
    assert_int_equal(json_array_size(ls), i);
    return ls;
}

/* Asserts that no leaf contains s. */
static void expect_absent(const json_t *ls, const char *s)
{
    char *dump = json_dumps(ls, JSON_COMPACT);
    assert_non_null(dump);
    if (strstr(dump, s))
        fail_msg("'%s' appears in the log: %s", s, dump);
    free(dump);
}

static void test_memo_life(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *ls, *l;
    char id[RANDOM_ID_LEN + 1], hash[65];
    int64_t n;
    struct chan_version_input in = {
        .title = "Secret title words", .marking = "SBU", .body = "Private body words."};

    err_init(&e);
    n = fx_log_size(f);
    fx_ok(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &in, NULL, 0, &out, &e), &e);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(out, "id")));
    snprintf(hash, sizeof hash, "%s",
             json_string_value(json_object_get(json_object_get(out, "version"), "hash")));
    json_decref(out);
    ls = expect_kinds(f, n, id, "version", NULL);
    l = json_array_get(ls, 0);
    assert_int_equal(fx_int(l, "version", NULL), 1);
    assert_string_equal(json_string_value(json_object_get(l, "hash")), hash);
    assert_string_equal(json_string_value(json_object_get(l, "channel")), "dissent");
    assert_string_equal(json_string_value(json_object_get(l, "marking")), "SBU");
    assert_true(json_is_string(json_object_get(l, "digest")));
    assert_true(json_is_array(json_object_get(l, "paragraphs")));
    expect_absent(ls, "Secret title");
    expect_absent(ls, "Private body");
    expect_absent(ls, "alice");
    json_decref(ls);

    n = fx_log_size(f);
    fx_ok(chan_memo_revise(f->c, &f->p, &f->alice, id,
                           &(struct chan_version_input){.body = "More private words."}, &out, &e),
          &e);
    json_decref(out);
    ls = expect_kinds(f, n, id, "version", NULL);
    assert_int_equal(fx_int(json_array_get(ls, 0), "version", NULL), 2);
    expect_absent(ls, "private words");
    json_decref(ls);

    /* no ring keys enrolled in this program: circulating is one state leaf */
    n = fx_log_size(f);
    fx_act(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL);
    ls = expect_kinds(f, n, id, "state", NULL);
    l = json_array_get(ls, 0);
    assert_string_equal(json_string_value(json_object_get(l, "event")), "circulated");
    assert_string_equal(json_string_value(json_object_get(l, "state")), "circulating");
    assert_int_equal(fx_int(l, "latest_version", NULL), 2);
    json_decref(ls);

    /* co-signatures: a salted commitment, never the name */
    n = fx_log_size(f);
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 1, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 2, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_unsign(f->c, &f->p, &f->bob, id, &out, &e), &e);
    json_decref(out);
    ls = expect_kinds(f, n, id, "signature", "signature", "signature", NULL);
    {
        static const char *const actions[] = {"add", "move", "withdraw"};
        static const int versions[] = {1, 2, 2};
        static const int totals[] = {1, 1, 0};
        const char *c0 = json_string_value(json_object_get(json_array_get(ls, 0), "commitment"));
        for (size_t i = 0; i < 3; i++) {
            l = json_array_get(ls, i);
            assert_string_equal(json_string_value(json_object_get(l, "action")), actions[i]);
            assert_int_equal(fx_int(l, "version", NULL), versions[i]);
            assert_int_equal(fx_int(l, "counts", "total"), totals[i]);
            assert_int_equal(strlen(json_string_value(json_object_get(l, "commitment"))), 64);
            /* a moved or withdrawn signature keeps its commitment */
            assert_string_equal(json_string_value(json_object_get(l, "commitment")), c0);
        }
    }
    expect_absent(ls, "bob");
    json_decref(ls);
    /* a signature made anew gets a fresh salt */
    n = fx_log_size(f);
    fx_ok(chan_sign(f->c, &f->p, &f->carol, id, 2, &out, &e), &e);
    json_decref(out);
    ls = expect_kinds(f, n, id, "signature", NULL);
    expect_absent(ls, "carol");
    json_decref(ls);

    n = fx_log_size(f);
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    ls = expect_kinds(f, n, id, "state", NULL);
    l = json_array_get(ls, 0);
    assert_string_equal(json_string_value(json_object_get(l, "event")), "submitted");
    assert_true(json_is_string(json_object_get(l, "acknowledge_due")));
    assert_true(json_is_string(json_object_get(l, "answer_due")));
    json_decref(ls);

    n = fx_log_size(f);
    fx_act(f, &f->rev, id, CHAN_OP_EXTEND, "A private reason.");
    fx_act(f, &f->rev, id, CHAN_OP_ACKNOWLEDGE, NULL);
    fx_act(f, &f->rev, id, CHAN_OP_ANSWER, "A private answer.");
    fx_act(f, &f->alice, id, CHAN_OP_CLOSE, NULL);
    ls = expect_kinds(f, n, id, "state", "state", "state", "state", NULL);
    {
        static const char *const events[] = {"extended", "acknowledged", "answered", "closed"};
        for (size_t i = 0; i < 4; i++)
            assert_string_equal(json_string_value(json_object_get(json_array_get(ls, i), "event")),
                                events[i]);
    }
    assert_int_equal(
        strlen(json_string_value(json_object_get(json_array_get(ls, 0), "reason_commitment"))), 64);
    assert_int_equal(
        strlen(json_string_value(json_object_get(json_array_get(ls, 2), "answer_commitment"))), 64);
    expect_absent(ls, "private reason");
    expect_absent(ls, "private answer");
    json_decref(ls);

    /* withdrawal */
    fx_memo_in(f, CHAN_STATE_SUBMITTED, id);
    n = fx_log_size(f);
    fx_act(f, &f->alice, id, CHAN_OP_WITHDRAW, NULL);
    ls = expect_kinds(f, n, id, "state", NULL);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ls, 0), "state")),
                        "withdrawn");
    json_decref(ls);
}

/* Reads, messages and drafters leave no leaf; nor does any refused request. */
static void test_no_leaf(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    struct buf b;
    char id[RANDOM_ID_LEN + 1], draft[RANDOM_ID_LEN + 1];
    int64_t n;

    err_init(&e);
    buf_init(&b, 1 << 20);
    fx_memo_in(f, CHAN_STATE_SUBMITTED, id);
    fx_memo_in(f, CHAN_STATE_DRAFT, draft);
    n = fx_log_size(f);
    json_decref(fx_get(f, &f->rev, id));
    fx_ok(chan_memo_versions(f->c, &f->p, &f->rev, id, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_memo_rendering(f->c, &f->p, &f->rev, id, 0, &b, &e), &e);
    fx_ok(chan_signers(f->c, &f->p, &f->rev, id, NULL, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_counts(f->c, &f->p, &f->rev, id, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_message_post(f->c, &f->p, &f->rev, id, "A message.", &out, &e), &e);
    json_decref(out);
    fx_ok(chan_memo_add_drafter(f->c, &f->p, &f->alice, draft, "bob", &out, &e), &e);
    json_decref(out);
    assert_int_equal(fx_log_size(f), n);

    /* refusals of every kind */
    fx_refused(chan_memo_act(f->c, &f->p, &f->rev, id, CHAN_OP_ANSWER, "x", &out, &e), &e,
               ERR_STATE, NULL);
    fx_refused(chan_memo_act(f->c, &f->p, &f->rev, id, CHAN_OP_SUBMIT, NULL, &out, &e), &e,
               ERR_FORBIDDEN, NULL);
    fx_refused(chan_memo_act(f->c, &f->p, &f->carol, draft, CHAN_OP_SUBMIT, NULL, &out, &e), &e,
               ERR_NOT_FOUND, NULL);
    fx_refused(chan_memo_act(f->c, &f->p, &f->rev, id, CHAN_OP_EXTEND, "", &out, &e), &e,
               ERR_INVALID, NULL);
    fx_refused(chan_memo_revise(f->c, &f->p, &f->alice, id,
                                &(struct chan_version_input){.body = "New."}, &out, &e),
               &e, ERR_STATE, NULL);
    fx_refused(chan_memo_revise(f->c, &f->p, &f->alice, draft,
                                &(struct chan_version_input){.marking = "SECRET"}, &out, &e),
               &e, ERR_INVALID, NULL);
    fx_refused(chan_sign(f->c, &f->p, &f->alice, id, 0, &out, &e), &e, ERR_STATE, NULL);
    fx_refused(chan_sign(f->c, &f->p, &f->alice, draft, 0, &out, &e), &e, ERR_STATE, NULL);
    fx_refused(chan_unsign(f->c, &f->p, &f->alice, draft, &out, &e), &e, ERR_CONFLICT, NULL);
    fx_refused(chan_memo_create(
                   f->c, &f->p, &f->alice, "dissent",
                   &(struct chan_version_input){.title = "T", .marking = "SECRET", .body = "B"},
                   NULL, 0, &out, &e),
               &e, ERR_INVALID, NULL);
    {
        struct fx_key k;
        fx_keypair(&k);
        fx_refused(fx_enroll(f, &f->rev, &k, &e), &e, ERR_FORBIDDEN, NULL);
        fx_refused(chan_roster_enroll(f->c, &f->p, &f->alice, k.pk_hex,
                                      "00000000000000000000000000000000000000000000000000000000000"
                                      "00000000000000000000000000000000000000000000000000000000000"
                                      "0000000000",
                                      fx_chal, &out, &e),
                   &e, ERR_INVALID, NULL);
    }
    assert_int_equal(fx_log_size(f), n);
    buf_release(&b);
}

/* Roster, ring and anonymous leaves. */
static void test_anonymous_kinds(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct fx_key ka, kb;
    json_t *ls, *l, *pub;
    char id[RANDOM_ID_LEN + 1], status[16];
    int64_t n;

    err_init(&e);
    fx_keypair(&ka);
    fx_keypair(&kb);
    n = fx_log_size(f);
    fx_ok(fx_enroll(f, &f->alice, &ka, &e), &e);
    fx_ok(fx_enroll(f, &f->bob, &kb, &e), &e);
    ls = expect_kinds(f, n, NULL, "roster", "roster", NULL);
    l = json_array_get(ls, 1);
    assert_string_equal(json_string_value(json_object_get(l, "organization")), "state");
    assert_string_equal(json_string_value(json_object_get(l, "action")), "add");
    assert_string_equal(json_string_value(json_object_get(l, "public_key")), kb.pk_hex);
    assert_int_equal(fx_int(l, "size", NULL), 2);
    assert_null(json_object_get(l, "memo"));
    expect_absent(ls, "alice");
    expect_absent(ls, "bob");
    json_decref(ls);

    fx_memo_in(f, CHAN_STATE_DRAFT, id);
    n = fx_log_size(f);
    fx_act(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL);
    /* the ring is bound before the state changes (only state has keys:
     * no coalition of one organization) */
    ls = expect_kinds(f, n, id, "ring", "state", NULL);
    l = json_array_get(ls, 0);
    assert_string_equal(json_string_value(json_object_get(l, "organization")), "state");
    assert_int_equal(fx_int(l, "ring", NULL), 1);
    assert_int_equal(fx_int(l, "count", NULL), 2);
    assert_int_equal(fx_int(l, "roster_size", NULL), 2);
    assert_int_equal(strlen(json_string_value(json_object_get(l, "digest"))),
                     2 * RING_DIGEST_BYTES);
    json_decref(ls);

    pub = fx_public(f, id);
    n = fx_log_size(f);
    fx_ok(fx_anon_submit1(f, id, fx_anon_item(pub, id, &ka, "state", 1, 1), status, &e), &e);
    fx_ok(fx_anon_submit1(f, id, fx_anon_item(pub, id, &ka, "state", 1, 0), status, &e), &e);
    ls = expect_kinds(f, n, id, "anonymous-signature", "anonymous-signature", NULL);
    l = json_array_get(ls, 0);
    assert_string_equal(json_string_value(json_object_get(l, "action")), "added");
    assert_int_equal(fx_int(l, "version", NULL), 1);
    assert_int_equal(fx_int(l, "counts", "total"), 1);
    assert_int_equal(strlen(json_string_value(json_object_get(l, "tag"))), 64);
    /* the day only, not the moment */
    assert_int_equal(strlen(json_string_value(json_object_get(l, "at"))), 10);
    l = json_array_get(ls, 1);
    assert_string_equal(json_string_value(json_object_get(l, "action")), "withdrawn");
    assert_int_equal(fx_int(l, "version", NULL), 1);
    assert_int_equal(fx_int(l, "counts", "total"), 0);
    json_decref(ls);

    /* a refused anonymous request appends nothing */
    n = fx_log_size(f);
    fx_refused(fx_anon_submit1(f, id,
                               fx_anon_item_with(pub, id, &kb, "state", 1, 1, NULL,
                                                 "00000000000000000000000000"),
                               status, &e),
               &e, ERR_CRYPTO, NULL);
    assert_int_equal(fx_log_size(f), n);
    json_decref(pub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memo_life),
        cmocka_unit_test(test_no_leaf),
        cmocka_unit_test(test_anonymous_kinds),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
