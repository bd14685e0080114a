/* Tests for src/channel/timeline.c through the memo JSON (chan_memo_get):
 * every event in order — drafted, versions, circulated, the first
 * co-signature, submitted, acknowledged (late, in working days with the
 * channel's holidays), extended (old and new date, reason only with text),
 * messages (for those who may read them), the server's missed-deadline
 * leaves — and what is still owed last, in working days from now. */
#include "unit/channel/fixture.h"

#include "channel/chan_internal.h"
#include "proto/events.h"

#include <sqlite3.h>

/* "what" of every event, joined by spaces. */
static const char *whats(const json_t *memo)
{
    static char out[512];
    size_t i, len = 0;
    json_t *ev;
    out[0] = '\0';
    json_array_foreach(json_object_get(memo, "timeline"), i, ev) len +=
        (size_t)snprintf(out + len, sizeof out - len, "%s%s", i ? " " : "",
                         json_string_value(json_object_get(ev, "what")));
    return out;
}

/* The first event of kind what (borrowed). */
static json_t *event(const json_t *memo, const char *what)
{
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(memo, "timeline"), i,
                       ev) if (strcmp(json_string_value(json_object_get(ev, "what")), what) ==
                               0) return ev;
    fail_msg("no %s event", what);
    return NULL;
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "(none)";
}

static void test_timeline(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *m, *ev;
    char id[RANDOM_ID_LEN + 1];
    struct chan_version_input v2 = {.body = "We disagree, more firmly.",
                                    .change_note = "Firmer wording"};
    size_t written = 0;
    int64_t now = 0;
    err_init(&e);
    fx_ok(chan_holiday_add(f->c, &f->p, NULL, "dissent", "2026-11-23", "A holiday", &out, &e), &e);
    json_decref(out);

    fx_clock("2026-11-19T15:00:00Z");
    fx_memo(f, &f->alice, "dissent", "We disagree.", id);
    fx_clock("2026-11-19T16:00:00Z");
    {
        /* a change note longer than CHAN_CHANGE_NOTE_MAX is refused, nothing saved */
        char long_note[CHAN_CHANGE_NOTE_MAX + 2];
        struct chan_version_input bad = {.body = "Another text.", .change_note = long_note};
        memset(long_note, 'n', sizeof long_note - 1);
        long_note[sizeof long_note - 1] = '\0';
        fx_refused(chan_memo_revise(f->c, &f->p, &f->alice, id, &bad, &out, &e), &e, ERR_INVALID,
                   "change_note");
    }
    fx_ok(chan_memo_revise(f->c, &f->p, &f->alice, id, &v2, &out, &e), &e);
    /* the reply of a write carries no text, and no timeline: it reads every
     * leaf of the memo, which a write (made by the one writer in turn) must
     * not do on a memo with thousands of signatures */
    assert_null(json_object_get(out, "timeline"));
    json_decref(out);
    fx_act(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL);
    fx_clock("2026-11-19T17:00:00Z");
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e);
    assert_null(json_object_get(out, "timeline"));
    json_decref(out);
    fx_clock("2026-11-20T15:00:00Z"); /* Friday */
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);

    /* open: due in 2 working days (Mon 23 is a holiday), then the answer */
    fx_clock("2026-11-20T16:00:00Z");
    m = fx_get(f, &f->alice, id);
    assert_string_equal(whats(m), "drafted version circulated signatures submitted due due");
    ev = event(m, "due");
    assert_string_equal(str(ev, "deadline"), "acknowledgement");
    assert_int_equal(fx_int(ev, "due_in", NULL), 2);
    assert_string_equal(str(ev, "due_day"), "Wed 25 Nov");
    assert_false(json_is_true(json_object_get(ev, "overdue")));
    assert_int_equal(fx_int(event(m, "signatures"), "count", NULL), 1);
    assert_string_equal(str(event(m, "version"), "author"), "alice");
    assert_string_equal(str(event(m, "version"), "author_name"), "alice"); /* display name */
    assert_string_equal(str(event(m, "version"), "note"), "Firmer wording");
    assert_null(json_object_get(event(m, "drafted"), "note"));
    json_decref(m);

    /* the server writes the missed acknowledgement; it comes a working day late */
    assert_int_equal(time_parse_utc("2026-11-26T06:00:00Z", &now), 0);
    fx_ok(chan_deadline_missed_log(f->c, now, &written, &e), &e);
    assert_int_equal(written, 1);
    fx_clock("2026-11-26T15:00:00Z"); /* Thursday */
    fx_act(f, &f->rev, id, CHAN_OP_ACKNOWLEDGE, NULL);
    fx_clock("2026-11-26T15:05:00Z");
    fx_ok(chan_message_post(f->c, &f->p, &f->rev, id, "A question.", &out, &e), &e);
    json_decref(out);
    fx_clock("2026-11-26T15:10:00Z");
    fx_act(f, &f->rev, id, CHAN_OP_EXTEND, "Consultations");

    m = fx_get(f, &f->alice, id);
    assert_string_equal(whats(m), "drafted version circulated signatures submitted missed "
                                  "acknowledged message extended due");
    ev = event(m, "acknowledged");
    assert_false(json_is_true(json_object_get(ev, "in_time")));
    assert_int_equal(fx_int(ev, "late_by", NULL), 1);
    assert_string_equal(str(ev, "met_on_day"), "Thu 26 Nov");
    ev = event(m, "missed");
    assert_string_equal(str(ev, "deadline"), "acknowledgement");
    assert_string_equal(str(ev, "due_day"), "Wed 25 Nov");
    assert_true(json_is_integer(json_object_get(ev, "leaf")));
    ev = event(m, "extended");
    assert_string_equal(str(ev, "reason"), "Consultations");
    assert_string_equal(str(ev, "by"), "the policy office");
    assert_string_equal(str(ev, "by_name"), "rev"); /* a drafter reads the office's messages */
    assert_string_not_equal(str(ev, "old_due_day"), str(ev, "new_due_day"));
    assert_true(strcmp(str(ev, "old_due"), str(ev, "new_due")) < 0);
    ev = event(m, "message");
    assert_true(json_is_true(json_object_get(ev, "office")));
    assert_string_equal(str(event(m, "due"), "deadline"), "answer");
    json_decref(m);

    /* a write's reply has no timeline; a reader who may not read the
     * messages sees neither them nor who extended the deadline */
    fx_ok(chan_memo_act(f->c, &f->p, &f->rev, id, CHAN_OP_ANSWER, "Our answer.", &out, &e), &e);
    assert_null(json_object_get(out, "timeline"));
    json_decref(out);
    out = fx_get(f, &f->bob, id);
    assert_null(strstr(whats(out), "message"));
    assert_null(json_object_get(event(out, "extended"), "by_name"));
    ev = event(out, "answered");
    assert_true(json_is_true(json_object_get(ev, "in_time")));
    assert_string_equal(str(ev, "met_on_day"), "Thu 26 Nov");
    assert_null(strstr(whats(out), "due"));
    json_decref(out);
    fx_clock(NULL);
}

/* Begins a write transaction and returns memo id's counts as a signature
 * leaf carries them (the caller appends leaves, commits and frees them). */
static json_t *begin_with_counts(struct fx *f, const char *id)
{
    struct err e;
    struct st_memo m;
    json_t *counts = NULL;
    err_init(&e);
    fx_ok(store_begin(chan_store(f->c), &e), &e);
    fx_ok(store_memo_by_public_id(chan_store(f->c), &f->p, id, &m, &e), &e);
    fx_ok(chan_counts_combined(f->c, m.id, &counts, &e), &e);
    return counts;
}

/* A memo with more signature leaves than a page of leaves: the review's
 * steps after them are still on its timeline, and its leaves come in pages
 * (by kind too) rather than cut at the first page without a word. */
static void test_many_signature_leaves(void **state)
{
    struct fx *f = *state;
    struct err e;
    char id[RANDOM_ID_LEN + 1], commitment[65];
    json_t *out = NULL, *counts = NULL, *leaves;
    int64_t last;

    err_init(&e);
    fx_clock(NULL);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    memset(commitment, 'a', 64);
    commitment[64] = '\0';
    counts = begin_with_counts(f, id);
    for (int i = 0; i < STORE_MEMO_LEAVES_MAX; i++)
        fx_ok(chan_log_append(f->c,
                              proto_leaf_signature(i % 2 ? "withdraw" : "add", 1, commitment,
                                                   json_incref(counts)),
                              id, "signature", 1, &e),
              &e);
    json_decref(counts);
    fx_ok(store_commit(chan_store(f->c), &e), &e);
    /* bob signs after them: his receipt finds his leaf past the first page */
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_signer_receipt(f->c, &f->p, &f->bob, id, &out, &e), &e);
    assert_int_equal(json_array_size(json_object_get(out, "leaves")), 1);
    json_decref(out);
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    fx_act(f, &f->rev, id, CHAN_OP_ACKNOWLEDGE, NULL);

    out = fx_get(f, &f->alice, id);
    assert_non_null(strstr(whats(out), "acknowledged"));
    /* bob's signature, after more signature leaves than a page, is the
     * memo's first: its milestone is there (it was cut off with the page) */
    assert_int_equal(fx_int(event(out, "signatures"), "count", NULL), 1);
    json_decref(out);

    /* the first page is full and says there is more */
    fx_ok(chan_log_memo(f->c, id, &out, &e), &e);
    leaves = json_object_get(out, "leaves");
    assert_int_equal(json_array_size(leaves), STORE_MEMO_LEAVES_MAX);
    assert_true(json_is_true(json_object_get(out, "more")));
    last = fx_int(json_array_get(leaves, STORE_MEMO_LEAVES_MAX - 1), "index", NULL);
    json_decref(out);
    /* the next page from its last index holds the rest */
    fx_ok(chan_log_memo_page(f->c, id, NULL, last, &out, &e), &e);
    assert_true(json_array_size(json_object_get(out, "leaves")) >= 2);
    assert_true(json_is_false(json_object_get(out, "more")));
    json_decref(out);
    /* one kind: the state changes, the acknowledgement among them */
    fx_ok(chan_log_memo_page(f->c, id, "state", -1, &out, &e), &e);
    {
        char *text = json_dumps(out, 0);
        assert_non_null(text);
        assert_non_null(strstr(text, "acknowledged"));
        free(text);
    }
    json_decref(out);
    fx_refused(chan_log_memo_page(f->c, id, "Not A Kind", -1, &out, &e), &e, ERR_INVALID, "kind");
}

/* Runs SQL (a format) on the fixture's database file: what an operator
 * with the database, or a database from an older schema, holds. */
static void sql_exec(struct fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sql_exec(struct fx *f, const char *fmt, ...)
{
    sqlite3 *db = NULL;
    char sql[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* Appends a signature leaf of memo id whose counts say total. */
static void sig_leaf(struct fx *f, const char *id, json_t *counts, int64_t total)
{
    struct err e;
    char commitment[65];
    json_t *c = json_deep_copy(counts);
    err_init(&e);
    memset(commitment, 'b', 64);
    commitment[64] = '\0';
    assert_non_null(c);
    json_object_set_new(c, "total", json_integer(total));
    fx_ok(chan_log_append(f->c, proto_leaf_signature("add", 1, commitment, c), id, "signature", 1,
                          &e),
          &e);
}

/* The counts of every "signatures" event of the memo's timeline, joined. */
static const char *milestones(struct fx *f, const char *id)
{
    static char out[256];
    size_t i, len = 0;
    json_t *ev, *m = fx_get(f, &f->alice, id);
    out[0] = '\0';
    json_array_foreach(json_object_get(m, "timeline"), i,
                       ev) if (strcmp(str(ev, "what"), "signatures") == 0) len +=
        (size_t)snprintf(out + len, sizeof out - len, "%s%lld", len ? " " : "",
                         (long long)fx_int(ev, "count", NULL));
    json_decref(m);
    return out;
}

/* Milestones are kept as signature leaves are appended: the same ones the
 * leaves give when read one by one (a total that falls and rises again
 * reaches a mark again; a jump shows the highest mark it passes), kept for a
 * memo noted from its first signature, and replayed once, on its next
 * signature leaf, for a memo signed before they were kept. */
static void test_milestones_kept(void **state)
{
    struct fx *f = *state;
    struct err e;
    char id[RANDOM_ID_LEN + 1];
    json_t *counts = NULL;
    struct st_milestone *ms = NULL;
    size_t n = 0;
    int kept = 0;
    int64_t total = 0;
    static const int64_t totals[] = {1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 10, 30, 29};
    const char *want = "1 5 5 10 25";

    err_init(&e);
    fx_clock(NULL);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    counts = begin_with_counts(f, id);
    for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++)
        sig_leaf(f, id, counts, totals[i]);
    fx_ok(store_commit(chan_store(f->c), &e), &e);
    assert_string_equal(milestones(f, id), want);
    fx_ok(store_memo_sig_total(chan_store(f->c), id, &kept, &total, &e), &e);
    assert_true(kept);
    assert_int_equal(total, 29);
    fx_ok(store_memo_milestones(chan_store(f->c), &f->p, id, &ms, &n, &e), &e);
    assert_int_equal(n, 5);

    /* as if signed before schema 17: nothing kept, the leaves give the same */
    sql_exec(f,
             "DELETE FROM memo_milestones WHERE memo = '%s'; DELETE FROM "
             "memo_signature_totals WHERE memo = '%s';",
             id, id);
    assert_string_equal(milestones(f, id), want);
    /* its next signature leaf replays the others first, once */
    fx_ok(store_begin(chan_store(f->c), &e), &e);
    sig_leaf(f, id, counts, 50);
    fx_ok(store_commit(chan_store(f->c), &e), &e);
    json_decref(counts);
    assert_string_equal(milestones(f, id), "1 5 5 10 25 50");
    fx_ok(store_memo_milestones(chan_store(f->c), &f->p, id, &ms, &n, &e), &e);
    assert_int_equal(n, 6);
    fx_ok(store_memo_sig_total(chan_store(f->c), id, &kept, &total, &e), &e);
    assert_true(kept);
    assert_int_equal(total, 50);

    /* a kept milestone its leaf does not bear out is not shown */
    sql_exec(f, "UPDATE memo_milestones SET mark = 100 WHERE memo = '%s' AND mark = 50", id);
    assert_string_equal(milestones(f, id), "1 5 5 10 25");
    /* nor one that points at a leaf of another kind or of another memo */
    sql_exec(f,
             "INSERT INTO memo_milestones(memo, idx, mark) SELECT '%s', idx, 1 FROM tlog_leaves "
             "WHERE memo IS NULL OR (memo <> '%s') OR kind NOT IN ('signature', "
             "'anonymous-signature')",
             id, id);
    assert_string_equal(milestones(f, id), "1 5 5 10 25");

    /* its total row lost with its milestones kept: the next signature
     * replays over them instead of failing on them */
    sql_exec(f, "DELETE FROM memo_signature_totals WHERE memo = '%s'", id);
    counts = begin_with_counts(f, id);
    sig_leaf(f, id, counts, 51);
    fx_ok(store_commit(chan_store(f->c), &e), &e);
    json_decref(counts);
    assert_string_equal(milestones(f, id), "1 5 5 10 25 50");
}

/* A memo signed before milestones were kept, whose signature leaves carry
 * counts across many organizations (kilobytes each, more than a page of
 * leaves fits in memory at once): its next signature replays them and
 * the write goes through. */
static void test_replay_large_leaves(void **state)
{
    struct fx *f = *state;
    struct err e;
    char id[RANDOM_ID_LEN + 1], org[64];
    json_t *counts = NULL, *orgs;
    const int leaves = 6000;

    err_init(&e);
    fx_clock(NULL);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    counts = begin_with_counts(f, id);
    orgs = json_object_get(counts, "by_organization");
    assert_true(json_is_array(orgs));
    for (int i = 0; i < 100; i++) {
        snprintf(org, sizeof org, "organization-%03d-of-the-many-that-signed", i);
        json_array_append_new(orgs, json_pack("{s:s,s:i}", "organization", org, "n", 1));
    }
    for (int i = 0; i < leaves; i++)
        sig_leaf(f, id, counts, i + 1);
    fx_ok(store_commit(chan_store(f->c), &e), &e);
    sql_exec(f,
             "DELETE FROM memo_milestones WHERE memo = '%s'; DELETE FROM "
             "memo_signature_totals WHERE memo = '%s';",
             id, id);
    fx_ok(store_begin(chan_store(f->c), &e), &e);
    sig_leaf(f, id, counts, leaves + 1);
    fx_ok(store_commit(chan_store(f->c), &e), &e);
    json_decref(counts);
    assert_string_equal(milestones(f, id), "1 5 10 25 50 100 250 500 1000 2500 5000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeline),
        cmocka_unit_test(test_many_signature_leaves),
        cmocka_unit_test(test_milestones_kept),
        cmocka_unit_test(test_replay_large_leaves),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
