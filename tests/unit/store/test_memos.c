/* Tests for src/store/memos.c through store.h, on every backend
 * (store_fixture.h): memos, drafters, versions and the memo lists, whose
 * state sets and orders come from the caller. */
#include "store_fixture.h"
#include "store/store_internal.h"

#define BIT(s) STORE_STATE_BIT(s)

static void memo_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_memo m;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org");
    int64_t alice = fx_member(s, org, "alice", 1);
    err_init(&e);
    int64_t id = fx_memo(s, ch, alice, "m1", 0, 5);
    OK(store_memo_by_public_id(s, p, "m1", &m, &e));
    assert_int_equal(m.id, id);
    assert_string_equal(m.public_id, "m1");
    assert_int_equal(m.channel_id, ch);
    assert_int_equal(m.state, 0);
    assert_int_equal(m.created_by, alice);
    assert_int_equal(m.created_at, 5);
    assert_int_equal(m.updated_at, 5);
    assert_int_equal(m.latest_version, 1);
    assert_int_equal(m.submitted_at, 0); /* unset times read as 0 */
    assert_null(m.answer);
    FAILS(store_memo_by_public_id(s, p, "none", &m, &e), ERR_NOT_FOUND);

    /* Save writes every mutable field; 0 stays "unset". */
    m.state = 3;
    m.submitted_at = 10;
    m.ack_due = 20;
    m.acknowledged_at = 15;
    m.answer_due = 40;
    m.extended = 1;
    m.extended_by = alice;
    m.extension_reason = "more time";
    m.answer = "the answer";
    m.answered_at = 0;
    m.updated_at = 16;
    OK(store_memo_save(s, &m, &e));
    OK(store_memo_by_public_id(s, p, "m1", &m, &e));
    assert_int_equal(m.state, 3);
    assert_int_equal(m.submitted_at, 10);
    assert_int_equal(m.ack_due, 20);
    assert_int_equal(m.acknowledged_at, 15);
    assert_int_equal(m.answer_due, 40);
    assert_int_equal(m.answered_at, 0);
    assert_int_equal(m.extended, 1);
    assert_int_equal(m.extended_by, alice);
    assert_string_equal(m.extension_reason, "more time");
    assert_string_equal(m.answer, "the answer");
    assert_int_equal(m.updated_at, 16);

    /* Touch sets updated_at and nothing else; an unknown memo is refused. */
    OK(store_memo_touch(s, id, 17, &e));
    OK(store_memo_by_public_id(s, p, "m1", &m, &e));
    assert_int_equal(m.updated_at, 17);
    assert_int_equal(m.state, 3);
    assert_int_equal(m.answer_due, 40);
    assert_string_equal(m.extension_reason, "more time");
    assert_string_equal(m.answer, "the answer");
    FAILS(store_memo_touch(s, id + 1000, 18, &e), ERR_NOT_FOUND);
}

static void test_memo(void **state)
{
    (void)state;
    fx_run(memo_case);
}

static void drafters_versions_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_person *d = NULL;
    struct st_version v;
    struct st_version_info *vi = NULL;
    size_t n = 0;
    int yes = 1;
    int64_t count = 0;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org");
    int64_t zed = fx_member(s, org, "zed", 1), amy = fx_member(s, org, "amy", 1);
    err_init(&e);
    int64_t id = fx_memo(s, ch, zed, "m1", 1, 5);
    OK(store_is_drafter(s, id, zed, &yes, &e));
    assert_int_equal(yes, 0);
    OK(store_drafter_add(s, id, zed, &e));
    OK(store_drafter_add(s, id, amy, &e));
    OK(store_drafter_add(s, id, amy, &e)); /* twice: nothing */
    OK(store_is_drafter(s, id, amy, &yes, &e));
    assert_int_equal(yes, 1);
    OK(store_drafter_count(s, id, &count, &e));
    assert_int_equal(count, 2);
    OK(store_drafter_list(s, p, id, &d, &n, &e));
    assert_int_equal(n, 2);
    assert_string_equal(d[0].username, "amy"); /* by username */
    assert_string_equal(d[0].display_name, "amy");
    assert_string_equal(d[1].username, "zed");

    struct st_version v2 = {.memo_id = id,
                            .number = 2,
                            .hash = "ab",
                            .title = "Second",
                            .marking = 3,
                            .body = "text\n",
                            .author_id = amy,
                            .created_at = 9,
                            .verify_key = "key"};
    OK(store_version_insert(s, &v2, &e));
    FAILS(store_version_insert(s, &v2, &e), ERR_CONFLICT);
    OK(store_version_get(s, p, id, 2, &v, &e));
    assert_int_equal(v.number, 2);
    assert_string_equal(v.hash, "ab");
    assert_string_equal(v.title, "Second");
    assert_int_equal(v.marking, 3);
    assert_string_equal(v.body, "text\n");
    assert_string_equal(v.author, "amy");
    assert_int_equal(v.author_id, amy);
    assert_int_equal(v.created_at, 9);
    assert_string_equal(v.verify_key, "key");
    OK(store_version_get(s, p, id, 1, &v, &e));
    assert_null(v.verify_key);
    FAILS(store_version_get(s, p, id, 3, &v, &e), ERR_NOT_FOUND);

    OK(store_count_adjust(s, id, 2, org, 2, 10, &e));
    OK(store_version_list(s, p, id, &vi, &n, &e));
    assert_int_equal(n, 2);
    assert_int_equal(vi[0].number, 1);
    assert_string_equal(vi[0].author, "zed");
    assert_int_equal(vi[0].signatures, 0);
    assert_int_equal(vi[1].number, 2);
    assert_string_equal(vi[1].title, "Second");
    assert_string_equal(vi[1].hash, "ab");
    assert_int_equal(vi[1].marking, 3);
    assert_int_equal(vi[1].created_at, 9);
    assert_int_equal(vi[1].signatures, 2);
}

static void test_drafters_versions(void **state)
{
    (void)state;
    fx_run(drafters_versions_case);
}

/* Sets the state and deadlines of memo public_id, and its updated time. */
static void set_memo(struct store *s, struct pool *p, const char *id, int state, int64_t submitted,
                     int64_t ack_due, int64_t answer_due, int64_t updated)
{
    struct err e;
    struct st_memo m;
    err_init(&e);
    OK(store_memo_by_public_id(s, p, id, &m, &e));
    m.state = state;
    m.submitted_at = submitted;
    m.ack_due = ack_due;
    m.answer_due = answer_due;
    m.updated_at = updated;
    OK(store_memo_save(s, &m, &e));
}

/* The public ids of a list, joined by spaces. */
static const char *ids(struct pool *p, const struct st_memo_info *m, size_t n)
{
    char *out = pool_strdup(p, "");
    for (size_t i = 0; out && i < n; i++)
        out = pool_printf(p, "%s%s%s", out, i ? " " : "", m[i].public_id);
    return out;
}

/* The filters, orders and pages of every list (issue #13, "Finding
 * things"), on the memos of list_case. */
static void filters(struct store *s, struct pool *p, int64_t ch, int64_t org, int64_t amy,
                    int64_t bob)
{
    struct err e;
    struct st_memo_info *m = NULL;
    size_t n = 0;
    int64_t total = 0, at = -1, rid = 0, *times = NULL;
    int64_t ch2 = fx_channel(s, "ch2");
    err_init(&e);
    fx_memo(s, ch2, bob, "other", 0, 0);
    set_memo(s, p, "other", 0, 0, 0, 0, 0);
    /* amy also co-signed her own draft: "signed" still leaves out what she drafts */
    int64_t draft_id;
    {
        struct st_memo d;
        OK(store_memo_by_public_id(s, p, "draft", &d, &e));
        draft_id = d.id;
    }
    OK(store_signature_put(s, draft_id, amy, 1, "00", 8, &e));
    (void)org;

    struct st_memo_filter f = {.member_id = amy, .relation = STORE_REL_DRAFTER, .limit = 10};
    OK(store_memo_list(s, p, &f, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "draft");
    f.relation = STORE_REL_SIGNER;
    OK(store_memo_list(s, p, &f, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "sub");
    f.relation = STORE_REL_ANY;
    OK(store_memo_count(s, &f, &total, &e));
    assert_int_equal(total, 2);

    /* one channel; markings of the latest version */
    f = (struct st_memo_filter){.channel_id = ch2, .limit = 10};
    OK(store_memo_list(s, p, &f, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "other");
    f = (struct st_memo_filter){.channel_id = ch, .markings = 1u << 2, .limit = 10};
    OK(store_memo_list(s, p, &f, &m, &n, &e));
    assert_int_equal(n, 0);
    f.markings = 1u << 1;
    OK(store_memo_count(s, &f, &total, &e));
    assert_int_equal(total, 5);

    /* created in [3, 5); submitted in [10, 21) */
    f = (struct st_memo_filter){
        .date_from = 3, .date_to = 5, .order = STORE_ORDER_NEWEST, .limit = 10};
    OK(store_memo_list(s, p, &f, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "ack sub");
    f = (struct st_memo_filter){.date_submitted = 1,
                                .date_from = 10,
                                .date_to = 21,
                                .order = STORE_ORDER_OLDEST,
                                .limit = 10};
    OK(store_memo_list(s, p, &f, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "sub ack");

    /* overdue at 40: ack's answer (due 30); sub's deadlines are ahead */
    f = (struct st_memo_filter){
        .overdue = 1, .now = 40, .ack_open = BIT(2), .answer_open = BIT(2) | BIT(3), .limit = 10};
    OK(store_memo_list(s, p, &f, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "ack");
    f.overdue = -1;
    f.states = BIT(2) | BIT(3);
    OK(store_memo_list(s, p, &f, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "sub");
    f.now = 60; /* sub's acknowledgement (due 50) is late too */
    f.overdue = 1;
    OK(store_memo_count(s, &f, &total, &e));
    assert_int_equal(total, 2);

    /* orders: most signatures; oldest; pages of the newest first */
    f = (struct st_memo_filter){.channel_id = ch, .order = STORE_ORDER_SIGNATURES, .limit = 1};
    OK(store_memo_list(s, p, &f, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "sub");
    f.order = STORE_ORDER_OLDEST;
    f.limit = 10;
    OK(store_memo_list(s, p, &f, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "draft circ sub ack done");
    f.order = STORE_ORDER_NEWEST;
    f.limit = 2;
    f.offset = 2;
    OK(store_memo_list(s, p, &f, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "sub circ");
    f.offset = 4;
    OK(store_memo_list(s, p, &f, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "draft");
    OK(store_memo_count(s, &f, &total, &e));
    assert_int_equal(total, 5);
    /* the nearest deadline first, memos owing nothing last */
    f = (struct st_memo_filter){.channel_id = ch,
                                .order = STORE_ORDER_DEADLINE,
                                .deadline_ack_states = BIT(2),
                                .deadline_answer_states = BIT(3),
                                .states = BIT(2) | BIT(3) | BIT(5),
                                .limit = 10};
    OK(store_memo_list(s, p, &f, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "ack sub done");

    /* leadership's reminders: listed, and read back */
    OK(store_reminder_last(s, draft_id, &at, &e));
    assert_int_equal(at, 0);
    {
        struct st_memo sub;
        size_t nt = 0;
        OK(store_memo_by_public_id(s, p, "sub", &sub, &e));
        OK(store_reminder_add(s, sub.id, bob, 41, &rid, &e));
        OK(store_reminder_add(s, sub.id, bob, 42, &rid, &e));
        assert_true(rid > 0);
        OK(store_reminder_last(s, sub.id, &at, &e));
        assert_int_equal(at, 42);
        OK(store_reminder_times(s, p, sub.id, &times, &nt, &e));
        assert_int_equal(nt, 2);
        assert_int_equal(times[0], 41);
        f = (struct st_memo_filter){.states = BIT(2), .limit = 10};
        OK(store_memo_list(s, p, &f, &m, &n, &e));
        assert_string_equal(ids(p, m, n), "sub");
        assert_int_equal(m[0].reminded_at, 42);
    }
}

static void list_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_memo_info *m = NULL;
    size_t n = 0;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org");
    int64_t amy = fx_member(s, org, "amy", 1), bob = fx_member(s, org, "bob", 1);
    err_init(&e);
    int64_t draft = fx_memo(s, ch, amy, "draft", 0, 1);
    fx_memo(s, ch, amy, "circ", 1, 2);
    int64_t sub = fx_memo(s, ch, bob, "sub", 2, 3);
    fx_memo(s, ch, bob, "ack", 3, 4);
    fx_memo(s, ch, bob, "done", 5, 5);
    OK(store_drafter_add(s, draft, amy, &e));
    OK(store_signature_put(s, sub, amy, 1, "00", 7, &e));
    OK(store_count_adjust(s, sub, 1, org, 1, 7, &e));
    /* sub: acknowledgement due at 50; ack: answer due at 30 (nearer). */
    set_memo(s, p, "sub", 2, 10, 50, 100, 10);
    set_memo(s, p, "ack", 3, 20, 25, 30, 20);
    set_memo(s, p, "done", 5, 5, 6, 7, 30);

    /* A member: what they draft or signed, most recently changed first. */
    struct st_memo_filter mine = {.member_id = amy, .order = STORE_ORDER_UPDATED, .limit = 10};
    OK(store_memo_list(s, p, &mine, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "sub draft");
    assert_string_equal(m[0].channel, "ch");
    assert_string_equal(m[0].title, "title-sub");
    assert_int_equal(m[0].state, 2);
    assert_int_equal(m[0].marking, 1);
    assert_int_equal(m[0].latest_version, 1);
    assert_int_equal(m[0].created_at, 3);
    assert_int_equal(m[0].submitted_at, 10);
    assert_int_equal(m[0].ack_due, 50);
    assert_int_equal(m[0].answer_due, 100);
    assert_int_equal(m[0].acknowledged_at, 0);
    assert_int_equal(m[0].signatures, 1);

    /* A state set. */
    struct st_memo_filter circ = {.states = BIT(1), .limit = 10};
    OK(store_memo_list(s, p, &circ, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "circ");

    /* The queue: each by the deadline its state awaits. */
    struct st_memo_filter queue = {.states = BIT(2) | BIT(3),
                                   .order = STORE_ORDER_DEADLINE,
                                   .deadline_ack_states = BIT(2),
                                   .limit = 10};
    OK(store_memo_list(s, p, &queue, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "ack sub");
    /* … and with every state ordered by its acknowledgement deadline. */
    queue.deadline_ack_states = BIT(2) | BIT(3);
    OK(store_memo_list(s, p, &queue, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "ack sub");
    set_memo(s, p, "ack", 3, 20, 60, 30, 20);
    OK(store_memo_list(s, p, &queue, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "sub ack");

    /* Every submitted memo, newest submission first; and the limit. */
    struct st_memo_filter all = {
        .states = BIT(2) | BIT(3) | BIT(4) | BIT(5), .order = STORE_ORDER_SUBMITTED, .limit = 10};
    OK(store_memo_list(s, p, &all, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "ack sub done");
    all.limit = 1;
    OK(store_memo_list(s, p, &all, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "ack");

    /* No state set is every state; a member filter and a state set combine. */
    struct st_memo_filter any = {.limit = 10};
    OK(store_memo_list(s, p, &any, &m, &n, &e));
    assert_int_equal(n, 5);
    mine.states = BIT(0);
    OK(store_memo_list(s, p, &mine, &m, &n, &e));
    assert_string_equal(ids(p, m, n), "draft");
    filters(s, p, ch, org, amy, bob);
}

static void test_list(void **state)
{
    (void)state;
    fx_run(list_case);
}

/* A member's memo list starts from the member's drafts and signatures, by
 * index, for each relation: never a scan of every memo, draft or
 * signature. */
static void test_member_list_indexed(void **state)
{
    static const char *const rel[] = {STORE_MEMO_REL_DRAFTER_SQL, STORE_MEMO_REL_SIGNER_SQL,
                                      STORE_MEMO_REL_ANY_SQL};
    char sql[1024], plan[2048];
    (void)state;
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        snprintf(sql, sizeof sql,
                 "EXPLAIN QUERY PLAN SELECT x.id FROM memos x WHERE (%s) ORDER BY x.updated_at "
                 "DESC",
                 rel[i]);
        fx_sqlite_plan(sql, plan, sizeof plan);
        assert_null(strstr(plan, "SCAN "));
        assert_non_null(strstr(plan, "member_id=?"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memo),
        cmocka_unit_test(test_drafters_versions),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_member_list_indexed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
