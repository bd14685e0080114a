/* Tests for src/channel/find.c: the list scopes (drafted, signed, archive),
 * filters, orders and pages, bad queries refused, and search — which finds
 * only what the searcher may read, by title or text, and records what it
 * shows in the access log. */
#include "fixture.h"

/* The list reply of a query (fails the test on an error); caller frees. */
static json_t *find(struct fx *f, const struct actor *a, const struct chan_memo_query *q)
{
    struct err e;
    json_t *out = NULL;
    err_init(&e);
    fx_ok(chan_memo_find(f->c, a, q, &out, &e), &e);
    return out;
}

static int has(const json_t *out, const char *id)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(out, "memos"), i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "id")), id) == 0)
            return 1;
    }
    return 0;
}

static size_t count(const json_t *out)
{
    return json_array_size(json_object_get(out, "memos"));
}

static void memo_titled(struct fx *f, const struct actor *a, const char *title, const char *body,
                        const char *marking, char id[RANDOM_ID_LEN + 1])
{
    struct err e;
    json_t *out = NULL;
    struct chan_version_input in = {.title = title, .marking = marking, .body = body};
    err_init(&e);
    fx_ok(chan_memo_create(f->c, &f->p, a, "dissent", &in, NULL, 0, &out, &e), &e);
    snprintf(id, RANDOM_ID_LEN + 1, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(out);
}

/* How many reads of memo id by username the access log holds. */
static int64_t reads_of(struct fx *f, const char *id, const char *username)
{
    struct err e;
    json_t *out = NULL, *r;
    size_t i;
    int64_t n = 0;
    err_init(&e);
    fx_ok(chan_access_log(f->c, &f->p, &f->aud, id, &out, &e), &e);
    json_array_foreach(json_object_get(out, "entries"), i, r)
    {
        n += strcmp(json_string_value(json_object_get(r, "reader")), username) == 0;
    }
    json_decref(out);
    return n;
}

static void test_search_reads_only_what_one_may_read(void **state)
{
    struct fx *f = *state;
    char draft[RANDOM_ID_LEN + 1], circ[RANDOM_ID_LEN + 1];
    json_t *out;
    struct chan_memo_query q = {.scope = "mine", .q = "kiwi"};

    memo_titled(f, &f->alice, "Zebra crossing plan", "The kiwi harvest.", "SBU", draft);
    memo_titled(f, &f->alice, "Open letter", "More about KIWI fruit.", "SBU", circ);
    fx_act(f, &f->alice, circ, CHAN_OP_CIRCULATE, NULL);

    /* alice finds her draft by text (any case) and by title */
    out = find(f, &f->alice, &q);
    assert_true(has(out, draft) && has(out, circ));
    assert_int_equal(fx_int(out, "total", NULL), 2);
    assert_true(fx_int(out, "searched", NULL) >= 2);
    json_decref(out);
    q.q = "zebra HARVEST";
    out = find(f, &f->alice, &q);
    assert_true(has(out, draft));
    assert_false(has(out, circ));
    json_decref(out);
    assert_true(reads_of(f, draft, "alice") >= 2);

    /* bob never finds the draft: not by text, not by title, in no scope */
    const char *scopes[] = {"mine", "drafted", "signed", "signable"};
    const char *words[] = {"kiwi", "zebra", "harvest", "crossing"};
    for (size_t s = 0; s < 4; s++)
        for (size_t w = 0; w < 4; w++) {
            struct chan_memo_query b = {.scope = scopes[s], .q = words[w]};
            out = find(f, &f->bob, &b);
            assert_false(has(out, draft));
            json_decref(out);
        }
    assert_int_equal(reads_of(f, draft, "bob"), 0);
    /* … but the circulating memo he may read, by its text */
    {
        struct chan_memo_query b = {.scope = "signable", .q = "kiwi"};
        int64_t before = reads_of(f, circ, "bob");
        out = find(f, &f->bob, &b);
        assert_true(has(out, circ));
        assert_int_equal(fx_int(out, "total", NULL), 1);
        json_decref(out);
        assert_int_equal(reads_of(f, circ, "bob"), before + 1);
    }
}

static void test_scopes_drafted_signed_archive(void **state)
{
    struct fx *f = *state;
    struct err e;
    char circ[RANDOM_ID_LEN + 1], answered[RANDOM_ID_LEN + 1], closed[RANDOM_ID_LEN + 1],
        sub[RANDOM_ID_LEN + 1];
    json_t *out = NULL;

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, circ);
    fx_ok(chan_sign(f->c, &f->p, &f->bob, circ, 0, &out, &e), &e);
    json_decref(out);
    fx_memo_in(f, CHAN_STATE_ANSWERED, answered);
    fx_memo_in(f, CHAN_STATE_CLOSED, closed);
    fx_memo_in(f, CHAN_STATE_SUBMITTED, sub);

    struct chan_memo_query q = {.scope = "signed"};
    out = find(f, &f->bob, &q);
    assert_true(has(out, circ));
    json_decref(out);
    q.scope = "drafted";
    out = find(f, &f->bob, &q);
    assert_false(has(out, circ));
    json_decref(out);
    out = find(f, &f->alice, &q);
    assert_true(has(out, circ));
    json_decref(out);
    q.scope = "signed";
    out = find(f, &f->alice, &q);
    assert_false(has(out, circ));
    json_decref(out);

    q.scope = "archive";
    out = find(f, &f->rev, &q);
    assert_true(has(out, answered) && has(out, closed));
    assert_false(has(out, sub) || has(out, circ));
    json_decref(out);
    q.state = "closed";
    out = find(f, &f->lead, &q);
    assert_true(has(out, closed));
    assert_false(has(out, answered));
    json_decref(out);
    q.state = NULL;
    fx_refused(chan_memo_find(f->c, &f->alice, &q, &out, &e), &e, ERR_FORBIDDEN, "archive");
}

static void test_filters_pages_and_bad_queries(void **state)
{
    struct fx *f = *state;
    struct err e;
    char id[4][RANDOM_ID_LEN + 1];
    json_t *out = NULL;
    struct chan_memo_query q = {.scope = "drafted", .q = "pager"};

    err_init(&e);
    for (int i = 0; i < 4; i++)
        memo_titled(f, &f->carol, "pager memo", "pages", i == 3 ? "UNCLASSIFIED" : "SBU", id[i]);
    /* pages: newest first, 3 of them with 2 a page */
    q.sort = "newest";
    q.limit = "2";
    out = find(f, &f->carol, &q);
    assert_int_equal(count(out), 2);
    assert_int_equal(fx_int(out, "total", NULL), 4);
    assert_int_equal(fx_int(out, "pages", NULL), 2);
    assert_true(has(out, id[3]) && has(out, id[2]));
    json_decref(out);
    q.page = "2";
    out = find(f, &f->carol, &q);
    assert_true(has(out, id[1]) && has(out, id[0]));
    assert_int_equal(fx_int(out, "page", NULL), 2);
    json_decref(out);
    q.q = NULL; /* the same pages without a search */
    q.page = NULL;
    q.offset = "3";
    out = find(f, &f->carol, &q);
    assert_int_equal(count(out), 1);
    assert_true(has(out, id[0]));
    json_decref(out);
    q.offset = NULL;
    q.limit = NULL;

    /* marking, state, channel, dates, overdue */
    q.marking = "UNCLASSIFIED";
    out = find(f, &f->carol, &q);
    assert_int_equal(count(out), 1);
    assert_true(has(out, id[3]));
    json_decref(out);
    q.marking = "SBU,UNCLASSIFIED";
    q.state = "draft";
    q.channel = "dissent";
    q.from = "2000-01-01";
    q.to = "2999-12-31";
    q.overdue = "false";
    out = find(f, &f->carol, &q);
    assert_int_equal(count(out), 4);
    json_decref(out);
    q.channel = "eu";
    out = find(f, &f->carol, &q);
    assert_int_equal(count(out), 0);
    json_decref(out);
    q.channel = NULL;
    q.to = "2000-01-02";
    out = find(f, &f->carol, &q);
    assert_int_equal(count(out), 0);
    json_decref(out);
    q = (struct chan_memo_query){.scope = "drafted"};

    /* bad input: 400 with a message naming the field */
    struct {
        struct chan_memo_query q;
        const char *want;
    } bad[] = {
        {{.scope = "mine", .state = "pending"}, "state 'pending'"},
        {{.scope = "signable", .state = "draft"}, "holds no memo in state"},
        {{.scope = "mine", .marking = "TOP"}, "marking 'TOP'"},
        {{.scope = "mine", .channel = "nowhere"}, "no channel 'nowhere'"},
        {{.scope = "mine", .from = "2026-13-01"}, "from must be a date"},
        {{.scope = "mine", .to = "yesterday"}, "to must be a date"},
        {{.scope = "mine", .from = "2026-02-02", .to = "2026-02-01"}, "from must not be after"},
        {{.scope = "mine", .overdue = "maybe"}, "overdue must be"},
        {{.scope = "mine", .sort = "random"}, "sort must be"},
        {{.scope = "mine", .limit = "201"}, "limit must be"},
        {{.scope = "mine", .limit = "0"}, "limit must be"},
        {{.scope = "mine", .offset = "-1"}, "offset must be"},
        {{.scope = "mine", .page = "0"}, "page must be"},
        {{.scope = "mine", .page = "1", .offset = "0"}, "not both"},
        {{.scope = "mine", .state = "draft,"}, "comma"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        fx_refused(chan_memo_find(f->c, &f->carol, &bad[i].q, &out, &e), &e, ERR_INVALID,
                   bad[i].want);
    {
        char longq[CHAN_SEARCH_MAX + 2];
        memset(longq, 'a', sizeof longq - 1);
        longq[sizeof longq - 1] = '\0';
        struct chan_memo_query l = {.scope = "mine", .q = longq};
        fx_refused(chan_memo_find(f->c, &f->carol, &l, &out, &e), &e, ERR_INVALID, "search");
    }
}

static void test_overdue_for_leadership(void **state)
{
    struct fx *f = *state;
    char sub[RANDOM_ID_LEN + 1];
    json_t *out;
    struct chan_memo_query q = {.scope = "all", .overdue = "true"};

    fx_clock("2026-03-02T12:00:00Z"); /* a Monday */
    fx_memo_in(f, CHAN_STATE_SUBMITTED, sub);
    out = find(f, &f->lead, &q);
    assert_false(has(out, sub));
    json_decref(out);
    fx_clock("2026-03-10T12:00:00Z"); /* the acknowledgement was due on the 4th */
    out = find(f, &f->lead, &q);
    assert_true(has(out, sub));
    json_decref(out);
    q.overdue = "false";
    out = find(f, &f->lead, &q);
    assert_false(has(out, sub));
    json_decref(out);
    q.overdue = NULL;
    q.sort = "deadline";
    out = find(f, &f->rev, &q);
    assert_true(has(out, sub));
    assert_string_equal(json_string_value(json_object_get(out, "sort")), "deadline");
    json_decref(out);
    fx_clock(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_search_reads_only_what_one_may_read),
        cmocka_unit_test(test_scopes_drafted_signed_archive),
        cmocka_unit_test(test_filters_pages_and_bad_queries),
        cmocka_unit_test(test_overdue_for_leadership),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
