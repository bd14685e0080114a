/* Tests for src/channel/memo.c through channel/chan.h: creating memos and
 * revising them (immutable versions, limits, the channel's marking ceiling,
 * identical versions refused), versions, diffs, the list scopes, adding
 * drafters; every refusal changes nothing. */
#include "unit/channel/fixture.h"

/* 1 if the list reply out holds memo id. */
static int list_has(const json_t *out, const char *id)
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

/* The number of memos a lists with scope mine. */
static size_t mine_count(struct fx *f, const struct actor *a)
{
    struct err e;
    json_t *out = NULL;
    size_t n;
    err_init(&e);
    fx_ok(chan_memo_list(f->c, a, "mine", &out, &e), &e);
    n = json_array_size(json_object_get(out, "memos"));
    json_decref(out);
    return n;
}

static void test_create(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *v;
    const char *co[] = {"bob"};
    struct chan_version_input in = {
        .title = "On the cable", .marking = "SBU", .body = "Line one\r\nLine two\rLine three"};

    err_init(&e);
    fx_ok(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &in, co, 1, &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "state")), "draft");
    assert_string_equal(json_string_value(json_object_get(out, "channel")), "dissent");
    /* the reply is the memo without text: reading it is what the access log records */
    assert_null(json_object_get(out, "title"));
    assert_true(json_is_false(json_object_get(out, "text_included")));
    assert_string_equal(json_string_value(json_object_get(out, "marking")), "SBU");
    assert_int_equal(fx_int(out, "latest_version", NULL), 1);
    assert_int_equal(strlen(json_string_value(json_object_get(out, "id"))), RANDOM_ID_LEN);
    assert_int_equal(json_array_size(json_object_get(out, "drafters")), 2);
    v = json_object_get(out, "version");
    assert_int_equal(fx_int(v, "number", NULL), 1);
    assert_int_equal(strlen(json_string_value(json_object_get(v, "hash"))), 64);
    assert_null(json_object_get(v, "body"));
    assert_string_equal(json_string_value(json_object_get(v, "author")), "alice");
    assert_true(json_is_null(json_object_get(out, "my_signature")));
    {
        char id[RANDOM_ID_LEN + 1];
        snprintf(id, sizeof id, "%s", json_string_value(json_object_get(out, "id")));
        json_decref(out);
        out = fx_get(f, &f->alice, id);
    }
    assert_string_equal(json_string_value(json_object_get(out, "title")), "On the cable");
    /* One canonical form: CRLF and lone CR become LF. */
    assert_string_equal(json_string_value(json_object_get(json_object_get(out, "version"), "body")),
                        "Line one\nLine two\nLine three");
    json_decref(out);
}

static void test_create_refusals(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    char title[2 * 201 + 1], *body;
    const char *many[CHAN_DRAFTERS_MAX];
    size_t before = mine_count(f, &f->alice);
    int64_t leaves = fx_log_size(f);
    struct chan_version_input in = {.title = "T", .marking = "SBU", .body = "B"};
    struct chan_version_input bad;

    err_init(&e);
    /* who */
    fx_refused(chan_memo_create(f->c, &f->p, NULL, "dissent", &in, NULL, 0, &out, &e), &e,
               ERR_UNAUTHORIZED, NULL);
    fx_refused(chan_memo_create(f->c, &f->p, &f->rev, "dissent", &in, NULL, 0, &out, &e), &e,
               ERR_FORBIDDEN, "draft memos");
    fx_refused(chan_memo_create(f->c, &f->p, &f->adm, "dissent", &in, NULL, 0, &out, &e), &e,
               ERR_FORBIDDEN, NULL);
    /* where */
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, NULL, &in, NULL, 0, &out, &e), &e,
               ERR_INVALID, "'channel'");
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, "nowhere", &in, NULL, 0, &out, &e), &e,
               ERR_NOT_FOUND, "nowhere");
    /* limits, in code points: 200 two-byte characters pass, 201 do not */
    for (int i = 0; i < 200; i++)
        memcpy(title + 2 * i, "\xc3\xa9", 2);
    title[400] = '\0';
    bad = in;
    bad.title = title;
    fx_ok(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &bad, NULL, 0, &out, &e), &e);
    json_decref(out);
    before++;
    leaves++;
    memcpy(title + 400, "\xc3\xa9", 3);
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &bad, NULL, 0, &out, &e), &e,
               ERR_INVALID, "longer than 200 characters");
    bad.title = "   ";
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &bad, NULL, 0, &out, &e), &e,
               ERR_INVALID, "must not be empty");
    bad.title = "two\nlines";
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &bad, NULL, 0, &out, &e), &e,
               ERR_INVALID, "single line");
    bad.title = "bad \xff utf-8";
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &bad, NULL, 0, &out, &e), &e,
               ERR_INVALID, "UTF-8");
    bad = in;
    bad.body = NULL;
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &bad, NULL, 0, &out, &e), &e,
               ERR_INVALID, "'body' is required");
    body = malloc(CHAN_BODY_MAX + 2);
    assert_non_null(body);
    memset(body, 'x', CHAN_BODY_MAX + 1);
    body[CHAN_BODY_MAX + 1] = '\0';
    bad.body = body;
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &bad, NULL, 0, &out, &e), &e,
               ERR_INVALID, "longer than 100000");
    free(body);
    /* markings: unknown, missing, and above the channel's ceiling (SBU) */
    bad = in;
    bad.marking = "TOPSECRET";
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &bad, NULL, 0, &out, &e), &e,
               ERR_INVALID, "UNCLASSIFIED, SBU");
    bad.marking = NULL;
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &bad, NULL, 0, &out, &e), &e,
               ERR_INVALID, "'marking' is required");
    bad.marking = ""; /* the page's "Choose a marking", left as it was */
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &bad, NULL, 0, &out, &e), &e,
               ERR_INVALID, "'marking' is required: choose");
    bad.marking = "CONFIDENTIAL";
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &bad, NULL, 0, &out, &e), &e,
               ERR_INVALID, "above the ceiling of channel 'dissent'");
    /* the "eu" channel's ceiling is SECRET */
    fx_ok(chan_memo_create(f->c, &f->p, &f->alice, "eu", &bad, NULL, 0, &out, &e), &e);
    json_decref(out);
    before++;
    leaves++;
    /* co-drafters: too many, unknown, not a member */
    for (size_t i = 0; i < CHAN_DRAFTERS_MAX; i++)
        many[i] = "bob";
    fx_refused(
        chan_memo_create(f->c, &f->p, &f->alice, "dissent", &in, many, CHAN_DRAFTERS_MAX, &out, &e),
        &e, ERR_INVALID, "at most 20 drafters");
    many[0] = "nobody";
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &in, many, 1, &out, &e), &e,
               ERR_NOT_FOUND, "nobody");
    many[0] = "rev";
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &in, many, 1, &out, &e), &e,
               ERR_INVALID, "not an active member");
    many[0] = "Not A Slug";
    fx_refused(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &in, many, 1, &out, &e), &e,
               ERR_INVALID, "co_drafters");
    /* nothing of the refused requests was kept */
    assert_int_equal(mine_count(f, &f->alice), before);
    assert_int_equal(fx_log_size(f), leaves);
}

static void test_revise(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    char id[RANDOM_ID_LEN + 1], hash1[65];
    struct chan_version_input body2 = {.body = "We disagree.\n\nHere is why, again."};
    struct chan_version_input same = {.title = "A dissent", .body = "We disagree.\n\nHere is why."};

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_DRAFT, id);
    out = fx_get(f, &f->alice, id);
    snprintf(hash1, sizeof hash1, "%s",
             json_string_value(json_object_get(json_object_get(out, "version"), "hash")));
    json_decref(out);

    /* identical to the latest: refused, whether fields are given or carried over */
    fx_refused(chan_memo_revise(f->c, &f->p, &f->alice, id, &same, &out, &e), &e, ERR_CONFLICT,
               "identical to version 1");
    fx_refused(
        chan_memo_revise(f->c, &f->p, &f->alice, id, &(struct chan_version_input){0}, &out, &e), &e,
        ERR_CONFLICT, "identical");

    /* a new body; title and marking carry over */
    fx_ok(chan_memo_revise(f->c, &f->p, &f->alice, id, &body2, &out, &e), &e);
    assert_int_equal(fx_int(out, "latest_version", NULL), 2);
    assert_int_equal(fx_int(out, "version", "number"), 2);
    assert_null(json_object_get(out, "title")); /* a write's reply: no text */
    assert_string_equal(json_string_value(json_object_get(out, "marking")), "SBU");
    assert_string_not_equal(
        json_string_value(json_object_get(json_object_get(out, "version"), "hash")), hash1);
    json_decref(out);
    out = fx_get(f, &f->alice, id);
    assert_string_equal(json_string_value(json_object_get(out, "title")), "A dissent");
    json_decref(out);

    /* the marking alone changes the version */
    fx_ok(chan_memo_revise(f->c, &f->p, &f->alice, id,
                           &(struct chan_version_input){.marking = "UNCLASSIFIED"}, &out, &e),
          &e);
    assert_int_equal(fx_int(out, "latest_version", NULL), 3);
    json_decref(out);

    /* refusals: above the ceiling, limits, a reader who is not a drafter */
    fx_refused(chan_memo_revise(f->c, &f->p, &f->alice, id,
                                &(struct chan_version_input){.marking = "SECRET"}, &out, &e),
               &e, ERR_INVALID, "above the ceiling");
    fx_refused(chan_memo_revise(f->c, &f->p, &f->alice, id,
                                &(struct chan_version_input){.title = ""}, &out, &e),
               &e, ERR_INVALID, "'title'");
    /* bob cannot even see a draft that is not his */
    fx_refused(chan_memo_revise(f->c, &f->p, &f->bob, id, &body2, &out, &e), &e, ERR_NOT_FOUND,
               NULL);
    fx_act(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL);
    /* now he reads it, but may not revise it */
    fx_refused(chan_memo_revise(f->c, &f->p, &f->bob, id, &same, &out, &e), &e, ERR_FORBIDDEN,
               "revise");
    /* circulating memos may still be revised by their drafters */
    fx_ok(chan_memo_revise(f->c, &f->p, &f->alice, id, &same, &out, &e), &e);
    assert_int_equal(fx_int(out, "latest_version", NULL), 4);
    json_decref(out);
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    fx_refused(chan_memo_revise(f->c, &f->p, &f->alice, id, &body2, &out, &e), &e, ERR_STATE,
               "only a draft or circulating memo");
    /* unknown or malformed ids are not found */
    fx_refused(chan_memo_revise(f->c, &f->p, &f->alice, "nope", &body2, &out, &e), &e,
               ERR_NOT_FOUND, NULL);
    fx_refused(
        chan_memo_revise(f->c, &f->p, &f->alice, "0000000000000000000000000Z", &body2, &out, &e),
        &e, ERR_NOT_FOUND, NULL);
    out = fx_get(f, &f->alice, id);
    assert_int_equal(fx_int(out, "latest_version", NULL), 4);
    json_decref(out);
}

static void test_versions_and_diff(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *vs, *lines;
    char id[RANDOM_ID_LEN + 1];

    err_init(&e);
    fx_memo(f, &f->alice, "dissent", "one\ntwo\nthree", id);
    fx_ok(chan_memo_revise(f->c, &f->p, &f->alice, id,
                           &(struct chan_version_input){.body = "one\n2\nthree\nfour"}, &out, &e),
          &e);
    json_decref(out);

    fx_ok(chan_memo_versions(f->c, &f->p, &f->alice, id, &out, &e), &e);
    vs = json_object_get(out, "versions");
    assert_int_equal(json_array_size(vs), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *v = json_array_get(vs, i);
        assert_true(fx_int(v, "number", NULL) == 1 || fx_int(v, "number", NULL) == 2);
        assert_string_equal(json_string_value(json_object_get(v, "marking")), "SBU");
        assert_int_equal(strlen(json_string_value(json_object_get(v, "hash"))), 64);
        assert_true(json_is_string(json_object_get(v, "created_at")));
    }
    json_decref(out);

    /* a chosen version, and one that does not exist */
    fx_ok(chan_memo_get(f->c, &f->p, &f->alice, id, 1, &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(json_object_get(out, "version"), "body")),
                        "one\ntwo\nthree");
    json_decref(out);
    fx_refused(chan_memo_get(f->c, &f->p, &f->alice, id, 3, &out, &e), &e, ERR_NOT_FOUND,
               "no version 3");

    fx_ok(chan_memo_diff(f->c, &f->p, &f->alice, id, 1, 2, &out, &e), &e);
    lines = json_object_get(out, "lines");
    {
        const char *want[][2] = {
            {" ", "one"}, {"-", "two"}, {"+", "2"}, {" ", "three"}, {"+", "four"}};
        assert_int_equal(json_array_size(lines), 5);
        for (size_t i = 0; i < 5; i++) {
            json_t *l = json_array_get(lines, i);
            assert_string_equal(json_string_value(json_object_get(l, "op")), want[i][0]);
            assert_string_equal(json_string_value(json_object_get(l, "text")), want[i][1]);
        }
    }
    json_decref(out);
    fx_refused(chan_memo_diff(f->c, &f->p, &f->alice, id, 1, 9, &out, &e), &e, ERR_NOT_FOUND, NULL);
    /* a member who may not read the draft gets neither versions nor diffs */
    fx_refused(chan_memo_versions(f->c, &f->p, &f->bob, id, &out, &e), &e, ERR_NOT_FOUND, NULL);
    fx_refused(chan_memo_diff(f->c, &f->p, &f->bob, id, 1, 2, &out, &e), &e, ERR_NOT_FOUND, NULL);
}

static void test_list_scopes(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    char draft[RANDOM_ID_LEN + 1], circ[RANDOM_ID_LEN + 1], sub[RANDOM_ID_LEN + 1];

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_DRAFT, draft);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, circ);
    fx_memo_in(f, CHAN_STATE_SUBMITTED, sub);

    fx_ok(chan_memo_list(f->c, &f->alice, NULL, &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "scope")), "mine");
    assert_true(list_has(out, draft) && list_has(out, circ) && list_has(out, sub));
    {
        /* summaries carry names, not numbers */
        json_t *m = json_array_get(json_object_get(out, "memos"), 0);
        assert_true(json_is_string(json_object_get(m, "state")));
        assert_true(json_is_string(json_object_get(m, "marking")));
        assert_true(json_is_boolean(json_object_get(m, "overdue")));
    }
    json_decref(out);

    fx_ok(chan_memo_list(f->c, &f->bob, "mine", &out, &e), &e);
    assert_false(list_has(out, draft) || list_has(out, circ) || list_has(out, sub));
    json_decref(out);

    fx_ok(chan_memo_list(f->c, &f->bob, "signable", &out, &e), &e);
    assert_true(list_has(out, circ));
    assert_false(list_has(out, draft) || list_has(out, sub));
    json_decref(out);

    fx_ok(chan_memo_list(f->c, &f->rev, "queue", &out, &e), &e);
    assert_true(list_has(out, sub));
    assert_false(list_has(out, draft) || list_has(out, circ));
    json_decref(out);

    fx_ok(chan_memo_list(f->c, &f->lead, "all", &out, &e), &e);
    assert_true(list_has(out, sub));
    assert_false(list_has(out, circ));
    json_decref(out);

    fx_refused(chan_memo_list(f->c, &f->alice, "everything", &out, &e), &e, ERR_INVALID,
               "mine, drafted, signed, signable, queue, all, archive");
    fx_refused(chan_memo_list(f->c, &f->rev, "signable", &out, &e), &e, ERR_FORBIDDEN, NULL);
    fx_refused(chan_memo_list(f->c, &f->alice, "queue", &out, &e), &e, ERR_FORBIDDEN, NULL);
    fx_refused(chan_memo_list(f->c, &f->aud, "all", &out, &e), &e, ERR_FORBIDDEN, NULL);
    fx_refused(chan_memo_list(f->c, &f->adm, "mine", &out, &e), &e, ERR_FORBIDDEN, "admins");
}

static void test_add_drafter(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    char id[RANDOM_ID_LEN + 1];
    struct chan_version_input v2 = {.body = "Bob's words too."};

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_DRAFT, id);
    /* bob may neither see nor add himself */
    fx_refused(chan_memo_add_drafter(f->c, &f->p, &f->bob, id, "bob", &out, &e), &e, ERR_NOT_FOUND,
               NULL);
    fx_refused(chan_memo_add_drafter(f->c, &f->p, &f->alice, id, "rev", &out, &e), &e, ERR_INVALID,
               "not an active member");
    fx_refused(chan_memo_add_drafter(f->c, &f->p, &f->alice, id, "ghost", &out, &e), &e,
               ERR_NOT_FOUND, NULL);
    fx_ok(chan_memo_add_drafter(f->c, &f->p, &f->alice, id, "bob", &out, &e), &e);
    assert_int_equal(json_array_size(json_object_get(out, "drafters")), 2);
    json_decref(out);
    /* now bob drafts */
    fx_ok(chan_memo_revise(f->c, &f->p, &f->bob, id, &v2, &out, &e), &e);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(out, "version"), "author")), "bob");
    json_decref(out);
    fx_ok(chan_memo_add_drafter(f->c, &f->p, &f->bob, id, "carol", &out, &e), &e);
    json_decref(out);
    /* and removed again: carol by bob, then bob leaves himself; the last
     * drafter stays */
    fx_ok(chan_memo_remove_drafter(f->c, &f->p, &f->bob, id, "carol", &out, &e), &e);
    assert_int_equal(json_array_size(json_object_get(out, "drafters")), 2);
    json_decref(out);
    fx_refused(chan_memo_remove_drafter(f->c, &f->p, &f->carol, id, "bob", &out, &e), &e,
               ERR_NOT_FOUND, NULL);
    fx_refused(chan_memo_remove_drafter(f->c, &f->p, &f->alice, id, "carol", &out, &e), &e,
               ERR_NOT_FOUND, "carol is not a drafter");
    fx_refused(chan_memo_remove_drafter(f->c, &f->p, &f->alice, id, "ghost", &out, &e), &e,
               ERR_NOT_FOUND, NULL);
    fx_ok(chan_memo_remove_drafter(f->c, &f->p, &f->bob, id, "bob", &out, &e), &e);
    json_decref(out);
    fx_refused(chan_memo_revise(f->c, &f->p, &f->bob, id, &v2, &out, &e), &e, ERR_NOT_FOUND, NULL);
    fx_refused(chan_memo_remove_drafter(f->c, &f->p, &f->alice, id, "alice", &out, &e), &e,
               ERR_CONFLICT, "last drafter");
    fx_ok(chan_memo_add_drafter(f->c, &f->p, &f->alice, id, "bob", &out, &e), &e);
    json_decref(out);
    fx_ok(chan_memo_add_drafter(f->c, &f->p, &f->bob, id, "carol", &out, &e), &e);
    json_decref(out);
    /* after submission nobody is added */
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    fx_refused(chan_memo_add_drafter(f->c, &f->p, &f->alice, id, "bob", &out, &e), &e, ERR_STATE,
               "only a draft or circulating memo");
    out = fx_get(f, &f->alice, id);
    assert_int_equal(json_array_size(json_object_get(out, "drafters")), 3);
    json_decref(out);
}

static void test_drafter_limit(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    char id[RANDOM_ID_LEN + 1];
    const char *co[CHAN_DRAFTERS_MAX - 1];
    char names[CHAN_DRAFTERS_MAX][16];

    err_init(&e);
    /* Members x0..x19: alice and 19 co-drafters make 20, the limit. */
    for (int i = 0; i < CHAN_DRAFTERS_MAX; i++) {
        struct chan_member_input in = {
            .username = names[i], .display_name = "X", .org = "state", .roles = CHAN_ROLE_MEMBER};
        snprintf(names[i], sizeof names[i], "x%d", i);
        fx_ok(chan_member_create(f->c, &f->p, NULL, &in, &out, &e), &e);
        json_decref(out);
        if (i < CHAN_DRAFTERS_MAX - 1)
            co[i] = names[i];
    }
    fx_ok(
        chan_memo_create(f->c, &f->p, &f->alice, "dissent",
                         &(struct chan_version_input){.title = "T", .marking = "SBU", .body = "B"},
                         co, CHAN_DRAFTERS_MAX - 1, &out, &e),
        &e);
    assert_int_equal(json_array_size(json_object_get(out, "drafters")), CHAN_DRAFTERS_MAX);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(out);
    fx_refused(
        chan_memo_add_drafter(f->c, &f->p, &f->alice, id, names[CHAN_DRAFTERS_MAX - 1], &out, &e),
        &e, ERR_INVALID, "at most 20 drafters");
    out = fx_get(f, &f->alice, id);
    assert_int_equal(json_array_size(json_object_get(out, "drafters")), CHAN_DRAFTERS_MAX);
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create),        cmocka_unit_test(test_create_refusals),
        cmocka_unit_test(test_revise),        cmocka_unit_test(test_versions_and_diff),
        cmocka_unit_test(test_list_scopes),   cmocka_unit_test(test_add_drafter),
        cmocka_unit_test(test_drafter_limit),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
