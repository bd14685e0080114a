/* Tests for src/channel/access.c through channel/chan.h (fixture.h): who the
 * drafters see by name; write replies carry no text and record nothing;
 * every read records a row with the reader's capacity; the drafters' view
 * counts other members per day while the auditor's names everyone. */
#include "unit/channel/fixture.h"

#include "channel/access.h"

#include <unistd.h>

/* The tests below compare the day of reads they make with today's date,
 * taken once: when UTC midnight is less than a minute away, wait until it
 * has passed, so the reads and the date fall on one day. */
static void away_from_midnight(void)
{
    int64_t left = 86400 - now_utc() % 86400;
    if (left < 60)
        sleep((unsigned)left + 1);
}

static void test_capacity(void **state)
{
    (void)state;
    assert_string_equal(chan_access_as(CHAN_ROLE_MEMBER, 1), "drafter");
    assert_string_equal(chan_access_as(CHAN_ROLE_MEMBER | CHAN_ROLE_REVIEWER, 0), "reviewer");
    assert_string_equal(chan_access_as(CHAN_ROLE_LEADERSHIP, 0), "leadership");
    assert_string_equal(chan_access_as(CHAN_ROLE_AUDITOR, 0), "auditor");
    assert_string_equal(chan_access_as(CHAN_ROLE_MEMBER, 0), "member");
    assert_true(chan_access_named(CHAN_ROLE_MEMBER, 1));
    assert_true(chan_access_named(CHAN_ROLE_REVIEWER, 0));
    assert_true(chan_access_named(CHAN_ROLE_LEADERSHIP, 0));
    assert_true(chan_access_named(CHAN_ROLE_AUDITOR, 0));
    assert_false(chan_access_named(CHAN_ROLE_MEMBER, 0));
    assert_false(chan_access_named(0, 0));
}

/* Rows of the whole access log (as the auditor sees it) read by user. */
static size_t rows_of(struct fx *f, const char *user)
{
    struct err e;
    json_t *log = NULL, *x;
    size_t i, n = 0;
    err_init(&e);
    fx_ok(chan_access_log(f->c, &f->p, &f->aud, NULL, &log, &e), &e);
    json_array_foreach(json_object_get(log, "entries"), i, x) n +=
        strcmp(json_string_value(json_object_get(x, "reader")), user) == 0;
    json_decref(log);
    return n;
}

/* Whether o holds the string s anywhere. */
static int holds(const json_t *o, const char *s)
{
    char *t = json_dumps(o, 0);
    int r = t && strstr(t, s) != NULL;
    free(t);
    return r;
}

static void test_reads_and_views(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *log = NULL, *x;
    char id[RANDOM_ID_LEN + 1], today[21];
    size_t i, bob_named = 0;
    struct chan_version_input v = {.title = "TITLE-MARK", .marking = "SBU", .body = "BODY-MARK"};

    err_init(&e);
    away_from_midnight();
    /* Writes answer without text and record nothing. */
    fx_ok(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &v, NULL, 0, &out, &e), &e);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(out, "id")));
    assert_false(holds(out, "TITLE-MARK"));
    assert_false(holds(out, "BODY-MARK"));
    assert_true(json_is_false(json_object_get(out, "text_included")));
    assert_null(json_object_get(out, "reading"));
    json_decref(out);
    fx_ok(chan_memo_add_drafter(f->c, &f->p, &f->alice, id, "carol", &out, &e), &e);
    assert_false(holds(out, "TITLE-MARK"));
    json_decref(out);
    fx_ok(chan_memo_act(f->c, &f->p, &f->alice, id, CHAN_OP_CIRCULATE, NULL, &out, &e), &e);
    assert_false(holds(out, "BODY-MARK"));
    json_decref(out);
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e);
    assert_false(holds(out, "BODY-MARK"));
    assert_int_equal(fx_int(out, "my_signature", NULL), 1);
    json_decref(out);
    assert_int_equal(rows_of(f, "alice"), 0);
    assert_int_equal(rows_of(f, "bob"), 0);

    /* Reads record a row each, and tell the reader what is kept. */
    out = fx_get(f, &f->bob, id);
    assert_true(holds(out, "BODY-MARK"));
    x = json_object_get(out, "reading");
    assert_string_equal(json_string_value(json_object_get(x, "as")), "member");
    assert_string_equal(json_string_value(json_object_get(x, "drafters_see")), "daily count");
    assert_string_equal(json_string_value(json_object_get(x, "auditors_see")), "name");
    json_decref(out);
    fx_ok(chan_memo_list(f->c, &f->bob, "signable", &out, &e), &e);
    assert_true(holds(out, "TITLE-MARK"));
    json_decref(out);
    assert_int_equal(rows_of(f, "bob"), 2);
    fx_ok(chan_memo_versions(f->c, &f->p, &f->carol, id, &out, &e), &e);
    json_decref(out);
    out = fx_get(f, &f->carol, id);
    x = json_object_get(out, "reading");
    assert_string_equal(json_string_value(json_object_get(x, "as")), "drafter");
    assert_string_equal(json_string_value(json_object_get(x, "drafters_see")), "name");
    json_decref(out);
    assert_int_equal(rows_of(f, "carol"), 2);
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    out = fx_get(f, &f->rev, id);
    assert_string_equal(json_string_value(json_object_get(json_object_get(out, "reading"), "as")),
                        "reviewer");
    json_decref(out);

    /* The drafters: rev and carol by name, bob only in the day's count. */
    fx_ok(chan_access_log(f->c, &f->p, &f->alice, id, &log, &e), &e);
    assert_string_equal(json_string_value(json_object_get(log, "view")), "drafter");
    assert_false(holds(json_object_get(log, "entries"), "\"bob\""));
    assert_true(holds(json_object_get(log, "entries"), "\"rev\""));
    assert_true(holds(json_object_get(log, "entries"), "\"carol\""));
    assert_int_equal(json_array_size(json_object_get(log, "member_reads")), 1);
    x = json_array_get(json_object_get(log, "member_reads"), 0);
    assert_int_equal(fx_int(x, "reads", NULL), 2);
    assert_int_equal(fx_int(x, "listed", NULL), 1);
    assert_int_equal(fx_int(x, "readers", NULL), 1);
    time_format_utc(today, now_utc());
    today[10] = '\0';
    assert_string_equal(json_string_value(json_object_get(x, "day")), today);
    json_decref(log);

    /* The auditor: everyone by name, with the capacity of the read. */
    fx_ok(chan_access_log(f->c, &f->p, &f->aud, id, &log, &e), &e);
    assert_string_equal(json_string_value(json_object_get(log, "view")), "auditor");
    assert_int_equal(json_array_size(json_object_get(log, "member_reads")), 0);
    json_array_foreach(json_object_get(log, "entries"), i, x)
    {
        const char *who = json_string_value(json_object_get(x, "reader"));
        const char *as = json_string_value(json_object_get(x, "as"));
        if (strcmp(who, "bob") == 0) {
            bob_named++;
            assert_string_equal(as, "member");
        } else if (strcmp(who, "carol") == 0) {
            assert_string_equal(as, "drafter");
        } else if (strcmp(who, "rev") == 0) {
            assert_string_equal(as, "reviewer");
        }
    }
    assert_int_equal(bob_named, 2);
    json_decref(log);

    /* Nobody else reads the log: bob signed (he reads the memo, not its
     * log); the whole log is the auditors' alone. */
    fx_refused(chan_access_log(f->c, &f->p, &f->bob, id, &log, &e), &e, ERR_FORBIDDEN, "");
    fx_refused(chan_access_log(f->c, &f->p, &f->alice, NULL, &log, &e), &e, ERR_FORBIDDEN,
               "only auditors");
    fx_refused(chan_access_log(f->c, &f->p, &f->rev, id, &log, &e), &e, ERR_FORBIDDEN, "");
}

/* The auditor's search: filters, pages, the total, titles, and each title
 * shown is itself a recorded read. */
static void test_auditor_search(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *log = NULL, *x;
    char id[RANDOM_ID_LEN + 1], today[21];
    struct chan_version_input v = {.title = "SEARCH-TITLE", .marking = "SBU", .body = "b"};

    err_init(&e);
    away_from_midnight();
    fx_ok(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &v, NULL, 0, &out, &e), &e);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(out);
    fx_act(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL);
    for (int i = 0; i < 3; i++)
        json_decref(fx_get(f, &f->bob, id));
    json_decref(fx_get(f, &f->alice, id));

    struct chan_access_query q = {.memo = id, .member = "bob", .per_page = 2};
    fx_ok(chan_access_search(f->c, &f->p, &f->aud, &q, &log, &e), &e);
    assert_int_equal(fx_int(log, "total", NULL), 3);
    assert_int_equal(fx_int(log, "page", NULL), 1);
    assert_int_equal(fx_int(log, "per_page", NULL), 2);
    assert_int_equal(fx_int(log, "pages", NULL), 2);
    assert_int_equal(json_array_size(json_object_get(log, "entries")), 2);
    x = json_array_get(json_object_get(log, "entries"), 0);
    assert_string_equal(json_string_value(json_object_get(x, "title")), "SEARCH-TITLE");
    assert_string_equal(json_string_value(json_object_get(x, "memo")), id);
    assert_string_equal(json_string_value(json_object_get(x, "reader")), "bob");
    json_decref(log);
    q.page = 2;
    fx_ok(chan_access_search(f->c, &f->p, &f->aud, &q, &log, &e), &e);
    assert_int_equal(json_array_size(json_object_get(log, "entries")), 1);
    json_decref(log);

    /* The titles the auditor saw are reads by the auditor, one per memo
     * and page, which the drafters see by name. */
    struct chan_access_query mine = {.memo = id, .member = "aud"};
    fx_ok(chan_access_search(f->c, &f->p, &f->aud, &mine, &log, &e), &e);
    assert_int_equal(fx_int(log, "total", NULL), 2);
    x = json_array_get(json_object_get(log, "entries"), 0);
    assert_string_equal(json_string_value(json_object_get(x, "what")), CHAN_ACCESS_AUDITED);
    assert_string_equal(json_string_value(json_object_get(x, "as")), "auditor");
    json_decref(log);
    mine.export = 1;
    fx_ok(chan_access_search(f->c, &f->p, &f->aud, &mine, &log, &e), &e);
    assert_int_equal(fx_int(log, "total", NULL), 3); /* the search just above */
    json_decref(log);
    fx_ok(chan_access_search(f->c, &f->p, &f->aud, &mine, &log, &e), &e);
    x = json_array_get(json_object_get(log, "entries"), 0);
    assert_string_equal(json_string_value(json_object_get(x, "what")), CHAN_ACCESS_EXPORTED);
    json_decref(log);

    /* Dates are UTC days, both ends included. */
    time_format_utc(today, now_utc());
    today[10] = '\0';
    struct chan_access_query day = {.memo = id, .from = today, .to = today};
    fx_ok(chan_access_search(f->c, &f->p, &f->aud, &day, &log, &e), &e);
    assert_true(fx_int(log, "total", NULL) >= 6);
    json_decref(log);
    day.from = "2000-01-01";
    day.to = "2000-01-02";
    fx_ok(chan_access_search(f->c, &f->p, &f->aud, &day, &log, &e), &e);
    assert_int_equal(fx_int(log, "total", NULL), 0);
    assert_int_equal(fx_int(log, "pages", NULL), 0);
    json_decref(log);

    /* Bad filters say what is wrong; nobody else searches. */
    struct chan_access_query bad = {.from = "2026-13-01"};
    fx_refused(chan_access_search(f->c, &f->p, &f->aud, &bad, &log, &e), &e, ERR_INVALID,
               "YYYY-MM-DD");
    bad.from = "2026-02-02";
    bad.to = "2026-02-01";
    fx_refused(chan_access_search(f->c, &f->p, &f->aud, &bad, &log, &e), &e, ERR_INVALID, "after");
    struct chan_access_query big = {.per_page = CHAN_ACCESS_PAGE_MAX + 1};
    fx_refused(chan_access_search(f->c, &f->p, &f->aud, &big, &log, &e), &e, ERR_INVALID,
               "at most");
    struct chan_access_query who = {.member = "nobody-here"};
    fx_refused(chan_access_search(f->c, &f->p, &f->aud, &who, &log, &e), &e, ERR_NOT_FOUND,
               "nobody-here");
    struct chan_access_query which = {.memo = "no-such-memo"};
    fx_refused(chan_access_search(f->c, &f->p, &f->aud, &which, &log, &e), &e, ERR_NOT_FOUND,
               "no-such-memo");
    struct chan_access_query any = {0};
    fx_refused(chan_access_search(f->c, &f->p, &f->alice, &any, &log, &e), &e, ERR_FORBIDDEN,
               "only auditors");
    fx_refused(chan_access_search(f->c, &f->p, &f->rev, &any, &log, &e), &e, ERR_FORBIDDEN,
               "only auditors");
}

/* The unpaged views (the auditor's home, a memo's page) show the newest
 * 1,000 reads and say when there are more, rather than cutting silently. */
static void test_views_say_when_cut(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *log = NULL;
    char id[RANDOM_ID_LEN + 1];
    err_init(&e);
    fx_memo(f, &f->alice, "dissent", "many reads", id);
    fx_ok(chan_access_log(f->c, &f->p, &f->alice, id, &log, &e), &e);
    assert_true(json_is_false(json_object_get(log, "truncated")));
    json_decref(log);
    for (int i = 0; i < 1001; i++)
        json_decref(fx_get(f, &f->alice, id));
    fx_ok(chan_access_log(f->c, &f->p, &f->alice, id, &log, &e), &e);
    assert_int_equal(json_array_size(json_object_get(log, "entries")), 1000);
    assert_true(json_is_true(json_object_get(log, "truncated")));
    assert_int_equal(json_integer_value(json_object_get(log, "shown_max")), 1000);
    json_decref(log);
    fx_ok(chan_access_log(f->c, &f->p, &f->aud, NULL, &log, &e), &e);
    assert_int_equal(json_array_size(json_object_get(log, "entries")), 1000);
    assert_true(json_is_true(json_object_get(log, "truncated")));
    json_decref(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capacity), cmocka_unit_test(test_reads_and_views),
        cmocka_unit_test(test_auditor_search),
        cmocka_unit_test(test_views_say_when_cut), /* last: it adds 1,001 reads */
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
