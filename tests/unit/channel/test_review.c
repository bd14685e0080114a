/* Tests for src/channel/review.c through channel/chan.h: submission and its
 * deadlines in the channel's time zone (with holidays), acknowledge, one
 * extension, answer, close, withdraw, overdue as time passes, review
 * messages and the access log. A transition from the wrong state is
 * ERR_STATE (409) with a message naming the states that allow it, and
 * changes nothing. */
#include "unit/channel/fixture.h"

/* obj.review.key as a string ("" for null). */
static const char *review_str(const json_t *memo, const char *key)
{
    const char *s = json_string_value(json_object_get(json_object_get(memo, "review"), key));
    return s ? s : "";
}

static int review_bool(const json_t *memo, const char *key)
{
    return json_is_true(json_object_get(json_object_get(memo, "review"), key));
}

/* Asserts that op by a on id is refused for its state, naming allowed. */
static void refused_state(struct fx *f, const struct actor *a, const char *id, enum chan_op op,
                          const char *text, const char *allowed)
{
    struct err e;
    json_t *out = NULL, *before = fx_get(f, &f->alice, id), *after;
    int64_t leaves = fx_log_size(f);
    err_init(&e);
    fx_refused(chan_memo_act(f->c, &f->p, a, id, op, text, &out, &e), &e, ERR_STATE, allowed);
    assert_int_equal(err_http_status(e.code), 409);
    after = fx_get(f, &f->alice, id);
    assert_string_equal(json_string_value(json_object_get(after, "state")),
                        json_string_value(json_object_get(before, "state")));
    assert_true(json_equal(json_object_get(after, "review"), json_object_get(before, "review")));
    assert_string_equal(json_string_value(json_object_get(after, "updated_at")),
                        json_string_value(json_object_get(before, "updated_at")));
    assert_int_equal(fx_log_size(f), leaves);
    json_decref(before);
    json_decref(after);
}

static void test_submit_deadlines_state_dissent(void **state)
{
    struct fx *f = *state;
    json_t *m;
    char id[RANDOM_ID_LEN + 1];

    /* Monday 2 November 2026, 22:00 in New York, already Tuesday in UTC:
     * the deadlines count from the local day. */
    fx_clock("2026-11-03T03:00:00Z");
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    assert_string_equal(fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL), "submitted");
    m = fx_get(f, &f->rev, id);
    assert_string_equal(review_str(m, "submitted_at"), "2026-11-03T03:00:00Z");
    /* 2 working days: Wednesday 4 November, 23:59:59 EST */
    assert_string_equal(review_str(m, "acknowledge_due"), "2026-11-05T04:59:59Z");
    assert_string_equal(review_str(m, "acknowledge_due_local"), "2026-11-04 23:59 EST");
    /* 30 working days: Monday 14 December */
    assert_string_equal(review_str(m, "answer_due"), "2026-12-15T04:59:59Z");
    assert_string_equal(review_str(m, "answer_due_local"), "2026-12-14 23:59 EST");
    assert_string_equal(json_string_value(json_object_get(m, "timezone")), "America/New_York");
    assert_false(review_bool(m, "overdue"));
    assert_false(review_bool(m, "extended"));
    assert_string_equal(review_str(m, "next_due"), "2026-11-05T04:59:59Z");
    assert_false(review_bool(m, "due_soon")); /* 2 days and 2 hours left */
    json_decref(m);
    fx_clock("2026-11-04T12:00:00Z");
    m = fx_get(f, &f->rev, id);
    assert_true(review_bool(m, "due_soon"));
    assert_false(review_bool(m, "overdue"));
    json_decref(m);

    /* one second after the acknowledgement was due */
    fx_clock("2026-11-05T05:00:00Z");
    m = fx_get(f, &f->rev, id);
    assert_true(review_bool(m, "overdue"));
    assert_string_equal(review_str(m, "overdue_what"), "acknowledgement");
    json_decref(m);

    /* acknowledged late: the answer is what is due next */
    assert_string_equal(fx_act(f, &f->rev, id, CHAN_OP_ACKNOWLEDGE, NULL), "acknowledged");
    m = fx_get(f, &f->rev, id);
    assert_string_equal(review_str(m, "acknowledged_at"), "2026-11-05T05:00:00Z");
    assert_false(review_bool(m, "overdue"));
    /* the missed deadline stays on record, met late */
    {
        json_t *missed = json_object_get(json_object_get(m, "review"), "missed");
        json_t *pub = fx_public(f, id), *pm;
        assert_int_equal(json_array_size(missed), 1);
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(missed, 0), "deadline")),
            "acknowledgement");
        assert_string_equal(json_string_value(json_object_get(json_array_get(missed, 0), "due")),
                            "2026-11-05T04:59:59Z");
        assert_string_equal(json_string_value(json_object_get(json_array_get(missed, 0), "met_at")),
                            "2026-11-05T05:00:00Z");
        /* and the public record shows the same */
        pm = json_object_get(json_object_get(pub, "review"), "missed");
        assert_true(json_equal(pm, missed));
        json_decref(pub);
    }
    assert_string_equal(review_str(m, "next_due"), "2026-12-15T04:59:59Z");
    assert_false(review_bool(m, "due_soon"));
    json_decref(m);
    fx_clock("2026-12-15T05:00:00Z");
    m = fx_get(f, &f->rev, id);
    assert_true(review_bool(m, "overdue"));
    assert_string_equal(review_str(m, "overdue_what"), "answer");
    json_decref(m);
    fx_clock(NULL);
}

static void test_holidays_and_extension(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *m;
    char id[RANDOM_ID_LEN + 1];
    struct chan_channel_input in = {
        .slug = "dissent-h", .name = "With holidays", .preset = "state-dissent", .ceiling = "SBU"};

    err_init(&e);
    fx_ok(chan_channel_create(f->c, &f->p, NULL, &in, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_holiday_add(f->c, &f->p, NULL, "dissent-h", "2026-11-04", "A holiday", &out, &e),
          &e);
    assert_int_equal(json_array_size(json_object_get(out, "holidays")), 1);
    json_decref(out);

    fx_clock("2026-11-03T03:00:00Z");
    fx_memo(f, &f->alice, "dissent-h", "Text.", id);
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL); /* straight from draft */
    m = fx_get(f, &f->rev, id);
    /* Wednesday is a holiday: Thursday 5 November */
    assert_string_equal(review_str(m, "acknowledge_due"), "2026-11-06T04:59:59Z");
    /* 30 working days, one of them a holiday: Tuesday 15 December */
    assert_string_equal(review_str(m, "answer_due"), "2026-12-16T04:59:59Z");
    json_decref(m);

    /* an extension needs a reason, is counted from submission (60 working
     * days), and is granted once */
    fx_clock("2026-11-04T12:00:00Z");
    fx_refused(chan_memo_act(f->c, &f->p, &f->rev, id, CHAN_OP_EXTEND, " ", &out, &e), &e,
               ERR_INVALID, "'reason'");
    fx_refused(chan_memo_act(f->c, &f->p, &f->alice, id, CHAN_OP_EXTEND, "why", &out, &e), &e,
               ERR_FORBIDDEN, "extend");
    fx_ok(chan_memo_act(f->c, &f->p, &f->rev, id, CHAN_OP_EXTEND, "Consulting posts.", &out, &e),
          &e);
    assert_string_equal(json_string_value(json_object_get(out, "state")), "submitted");
    assert_true(review_bool(out, "extended"));
    assert_null(json_object_get(json_object_get(out, "review"), "extension_reason")); /* no text */
    assert_string_equal(review_str(out, "answer_due"), "2027-01-27T04:59:59Z");
    assert_string_equal(review_str(out, "acknowledge_due"), "2026-11-06T04:59:59Z");
    json_decref(out);
    out = fx_get(f, &f->alice, id);
    assert_string_equal(review_str(out, "extension_reason"), "Consulting posts.");
    json_decref(out);
    refused_state(f, &f->rev, id, CHAN_OP_EXTEND, "Again.", "already extended once");
    fx_act(f, &f->rev, id, CHAN_OP_ACKNOWLEDGE, NULL);
    refused_state(f, &f->rev, id, CHAN_OP_EXTEND, "Again.", "already extended once");
    fx_clock(NULL);
}

static void test_eu_directive(void **state)
{
    struct fx *f = *state;
    json_t *m;
    char id[RANDOM_ID_LEN + 1];

    /* 23:30 UTC on Monday is 00:30 on Tuesday in Brussels. */
    fx_clock("2026-11-02T23:30:00Z");
    fx_memo(f, &f->alice, "eu", "Text.", id);
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    m = fx_get(f, &f->rev, id);
    assert_string_equal(json_string_value(json_object_get(m, "timezone")), "Europe/Brussels");
    /* 7 calendar days after Tuesday 3 November: Tuesday 10 November, 23:59:59 CET */
    assert_string_equal(review_str(m, "acknowledge_due"), "2026-11-10T22:59:59Z");
    /* 3 months: 3 February 2027 */
    assert_string_equal(review_str(m, "answer_due"), "2027-02-03T22:59:59Z");
    json_decref(m);
    refused_state(f, &f->rev, id, CHAN_OP_EXTEND, "More time.", "allows no extension");
    fx_clock(NULL);
}

static void test_wrong_states(void **state)
{
    struct fx *f = *state;
    char id[RANDOM_ID_LEN + 1];

    fx_memo_in(f, CHAN_STATE_DRAFT, id);
    refused_state(f, &f->alice, id, CHAN_OP_CLOSE, NULL, "only an answered memo");
    fx_act(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL);
    refused_state(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL, "only a draft allows it");
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    refused_state(f, &f->alice, id, CHAN_OP_SUBMIT, NULL, "only a draft or circulating memo");
    refused_state(f, &f->rev, id, CHAN_OP_ANSWER, "An answer.", "acknowledge it first");
    refused_state(f, &f->rev, id, CHAN_OP_CLOSE, NULL, "only an answered memo");
    fx_act(f, &f->rev, id, CHAN_OP_ACKNOWLEDGE, NULL);
    refused_state(f, &f->rev, id, CHAN_OP_ACKNOWLEDGE, NULL, "only a submitted memo");
    assert_string_equal(fx_act(f, &f->rev, id, CHAN_OP_ANSWER, "Considered."), "answered");
    refused_state(f, &f->alice, id, CHAN_OP_WITHDRAW, NULL, "a memo not yet answered");
    refused_state(f, &f->rev, id, CHAN_OP_EXTEND, "Late.", "a submitted or acknowledged memo");
    refused_state(f, &f->rev, id, CHAN_OP_ANSWER, "Again.", "an acknowledged memo");
    /* a drafter may close an answered memo */
    assert_string_equal(fx_act(f, &f->alice, id, CHAN_OP_CLOSE, NULL), "closed");
    refused_state(f, &f->rev, id, CHAN_OP_CLOSE, NULL, "only an answered memo");
    refused_state(f, &f->alice, id, CHAN_OP_WITHDRAW, NULL, "not yet answered");
}

static void test_roles(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    char id[RANDOM_ID_LEN + 1];

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    /* a co-signer reads the memo but drives none of its states */
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e);
    json_decref(out);
    fx_refused(chan_memo_act(f->c, &f->p, &f->bob, id, CHAN_OP_SUBMIT, NULL, &out, &e), &e,
               ERR_FORBIDDEN, "you may not submit this memo");
    fx_refused(chan_memo_act(f->c, &f->p, &f->bob, id, CHAN_OP_WITHDRAW, NULL, &out, &e), &e,
               ERR_FORBIDDEN, "withdraw");
    /* the office does not see a memo before it is submitted */
    fx_refused(chan_memo_act(f->c, &f->p, &f->rev, id, CHAN_OP_ACKNOWLEDGE, NULL, &out, &e), &e,
               ERR_NOT_FOUND, NULL);
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    /* leadership reads, but only the office acknowledges and answers */
    fx_refused(chan_memo_act(f->c, &f->p, &f->lead, id, CHAN_OP_ACKNOWLEDGE, NULL, &out, &e), &e,
               ERR_FORBIDDEN, "acknowledge");
    fx_refused(chan_memo_act(f->c, &f->p, &f->alice, id, CHAN_OP_ACKNOWLEDGE, NULL, &out, &e), &e,
               ERR_FORBIDDEN, "acknowledge");
    fx_refused(chan_memo_act(f->c, &f->p, &f->rev, id, CHAN_OP_WITHDRAW, NULL, &out, &e), &e,
               ERR_FORBIDDEN, "withdraw");
    fx_refused(chan_memo_act(f->c, &f->p, &f->adm, id, CHAN_OP_ACKNOWLEDGE, NULL, &out, &e), &e,
               ERR_NOT_FOUND, NULL);
    fx_refused(chan_memo_act(f->c, &f->p, &f->carol, id, CHAN_OP_WITHDRAW, NULL, &out, &e), &e,
               ERR_NOT_FOUND, NULL);
    fx_refused(chan_memo_act(f->c, &f->p, &f->rev, id, (enum chan_op)99, NULL, &out, &e), &e,
               ERR_INTERNAL, NULL);
    /* the drafter withdraws a submitted memo */
    assert_string_equal(fx_act(f, &f->alice, id, CHAN_OP_WITHDRAW, NULL), "withdrawn");
    out = fx_get(f, &f->alice, id);
    assert_true(json_is_string(json_object_get(out, "withdrawn_at")));
    json_decref(out);
}

static void test_answer_and_close(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    char id[RANDOM_ID_LEN + 1];

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_ACKNOWLEDGED, id);
    fx_refused(chan_memo_act(f->c, &f->p, &f->rev, id, CHAN_OP_ANSWER, NULL, &out, &e), &e,
               ERR_INVALID, "'body'");
    fx_ok(
        chan_memo_act(f->c, &f->p, &f->rev, id, CHAN_OP_ANSWER, "We will change course.", &out, &e),
        &e);
    assert_string_equal(json_string_value(json_object_get(out, "state")), "answered");
    assert_null(json_object_get(json_object_get(out, "review"), "answer")); /* no text */
    assert_true(json_is_string(json_object_get(json_object_get(out, "review"), "answered_at")));
    assert_false(review_bool(out, "overdue"));
    assert_true(json_is_null(json_object_get(json_object_get(out, "review"), "next_due")));
    json_decref(out);
    assert_string_equal(fx_act(f, &f->rev, id, CHAN_OP_CLOSE, NULL), "closed");
    out = fx_get(f, &f->lead, id);
    assert_true(json_is_string(json_object_get(json_object_get(out, "review"), "closed_at")));
    assert_string_equal(review_str(out, "answer"), "We will change course."); /* with the text */
    json_decref(out);
}

static void test_messages(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *msgs;
    char id[RANDOM_ID_LEN + 1];

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    fx_refused(chan_message_post(f->c, &f->p, &f->alice, id, "Hello?", &out, &e), &e, ERR_STATE,
               "a submitted memo still under review");
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    fx_refused(chan_message_post(f->c, &f->p, &f->alice, id, "", &out, &e), &e, ERR_INVALID,
               "'body'");
    fx_ok(chan_message_post(f->c, &f->p, &f->alice, id, "Any news?", &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "author")), "alice");
    json_decref(out);
    fx_ok(chan_message_post(f->c, &f->p, &f->rev, id, "Soon.", &out, &e), &e);
    json_decref(out);
    fx_refused(chan_message_post(f->c, &f->p, &f->lead, id, "Hm.", &out, &e), &e, ERR_FORBIDDEN,
               "send messages");
    fx_refused(chan_message_post(f->c, &f->p, &f->bob, id, "Hi.", &out, &e), &e, ERR_NOT_FOUND,
               NULL);

    fx_ok(chan_messages(f->c, &f->p, &f->lead, id, &out, &e), &e);
    msgs = json_object_get(out, "messages");
    assert_int_equal(json_array_size(msgs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 0), "body")),
                        "Any news?");
    assert_string_equal(json_string_value(json_object_get(json_array_get(msgs, 1), "body")),
                        "Soon.");
    assert_true(json_is_string(json_object_get(json_array_get(msgs, 1), "created_at")));
    json_decref(out);
    fx_refused(chan_messages(f->c, &f->p, &f->aud, id, &out, &e), &e, ERR_FORBIDDEN, NULL);

    fx_act(f, &f->rev, id, CHAN_OP_ACKNOWLEDGE, NULL);
    fx_act(f, &f->rev, id, CHAN_OP_ANSWER, "Done.");
    fx_act(f, &f->rev, id, CHAN_OP_CLOSE, NULL);
    fx_refused(chan_message_post(f->c, &f->p, &f->alice, id, "Thanks.", &out, &e), &e, ERR_STATE,
               "still under review");
    fx_ok(chan_messages(f->c, &f->p, &f->alice, id, &out, &e), &e);
    assert_int_equal(json_array_size(json_object_get(out, "messages")), 2);
    json_decref(out);
}

static void test_access_log(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *row;
    char id[RANDOM_ID_LEN + 1];
    size_t i, by_rev = 0;

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_SUBMITTED, id);
    json_decref(fx_get(f, &f->rev, id));
    json_decref(fx_get(f, &f->lead, id));
    fx_ok(chan_access_log(f->c, &f->p, &f->alice, id, &out, &e), &e);
    json_array_foreach(json_object_get(out, "entries"), i, row)
    {
        if (strcmp(json_string_value(json_object_get(row, "reader")), "rev") == 0) {
            by_rev++;
            assert_string_equal(json_string_value(json_object_get(row, "what")),
                                "text of version 1");
            assert_true(json_is_string(json_object_get(row, "at")));
        }
    }
    assert_int_equal(by_rev, 1);
    json_decref(out);
    /* the auditor reads every memo's log and the whole log; others do not */
    fx_ok(chan_access_log(f->c, &f->p, &f->aud, id, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_access_log(f->c, &f->p, &f->aud, NULL, &out, &e), &e);
    assert_true(json_array_size(json_object_get(out, "entries")) >= 3);
    json_decref(out);
    fx_refused(chan_access_log(f->c, &f->p, &f->alice, NULL, &out, &e), &e, ERR_FORBIDDEN,
               "only auditors");
    fx_refused(chan_access_log(f->c, &f->p, &f->rev, id, &out, &e), &e, ERR_FORBIDDEN, NULL);
    fx_refused(chan_access_log(f->c, &f->p, &f->adm, NULL, &out, &e), &e, ERR_FORBIDDEN, NULL);
    /* the auditor reads who read, not what was written */
    fx_refused(chan_memo_get(f->c, &f->p, &f->aud, id, 0, &out, &e), &e, ERR_FORBIDDEN, "read");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submit_deadlines_state_dissent),
        cmocka_unit_test(test_holidays_and_extension),
        cmocka_unit_test(test_eu_directive),
        cmocka_unit_test(test_wrong_states),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_answer_and_close),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_access_log),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
