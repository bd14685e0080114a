/* Tests for src/store/deadlines.c through store.h, on every backend
 * (store_fixture.h): which memos have a deadline passed unmet and no
 * "deadline-missed" leaf for it yet; and the unique record (schema 8) that
 * refuses a second leaf for the same memo and deadline. */
#include "store_fixture.h"

/* A memo whose review times are set as given (0: unset). */
static void review(struct store *s, struct pool *p, const char *id, int64_t submitted,
                   int64_t ack_due, int64_t acked, int64_t answer_due, int64_t answered,
                   int64_t withdrawn)
{
    struct err e;
    struct st_memo m;
    err_init(&e);
    OK(store_memo_by_public_id(s, p, id, &m, &e));
    m.submitted_at = submitted;
    m.ack_due = ack_due;
    m.acknowledged_at = acked;
    m.answer_due = answer_due;
    m.answered_at = answered;
    m.withdrawn_at = withdrawn;
    OK(store_memo_save(s, &m, &e));
}

/* The ids unlogged at now, joined by spaces. */
static const char *unlogged(struct store *s, struct pool *p, int64_t now, int limit)
{
    static char out[256];
    struct err e;
    char **ids = NULL;
    size_t n = 0, len = 0;
    err_init(&e);
    OK(store_deadline_unlogged(s, p, now, limit, &ids, &n, &e));
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", i ? " " : "", ids[i]);
    return out;
}

static void unlogged_case(struct store *s, struct pool *p)
{
    struct err e;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org");
    int64_t alice = fx_member(s, org, "alice", 1);
    err_init(&e);
    fx_memo(s, ch, alice, "draft", 0, 1);
    fx_memo(s, ch, alice, "open", 0, 1);     /* ack due 100, never acknowledged */
    fx_memo(s, ch, alice, "ontime", 0, 1);   /* acknowledged at 100: in time */
    fx_memo(s, ch, alice, "late", 0, 1);     /* acknowledged at 150: late */
    fx_memo(s, ch, alice, "gone", 0, 1);     /* withdrawn at 90, before the deadline */
    fx_memo(s, ch, alice, "answered", 0, 1); /* both in time */
    review(s, p, "open", 10, 100, 0, 1000, 0, 0);
    review(s, p, "ontime", 10, 100, 100, 1000, 0, 0);
    review(s, p, "late", 10, 100, 150, 1000, 0, 0);
    review(s, p, "gone", 10, 100, 0, 1000, 0, 90);
    review(s, p, "answered", 10, 100, 50, 1000, 900, 0);

    assert_string_equal(unlogged(s, p, 100, 10), ""); /* its last second */
    assert_string_equal(unlogged(s, p, 101, 10), "open late");
    assert_string_equal(unlogged(s, p, 101, 1), "open");
    /* the ack leaf of "open" is written: it stays listed only for its answer */
    OK(store_tlog_leaf_insert(s, 0, "{}", "open", "deadline-missed", STORE_DL_ACK, &e));
    assert_string_equal(unlogged(s, p, 101, 10), "late");
    assert_string_equal(unlogged(s, p, 1001, 10), "open ontime late");
    /* a second leaf for the same deadline is refused by the database */
    assert_int_equal(
        store_tlog_leaf_insert(s, 1, "{}", "open", "deadline-missed", STORE_DL_ACK, &e), -1);
    /* other kinds may share the index column freely */
    OK(store_tlog_leaf_insert(s, 1, "{}", "open", "version", 1, &e));
    OK(store_tlog_leaf_insert(s, 2, "{}", "open", "version", 1, &e));
    OK(store_tlog_leaf_insert(s, 3, "{}", "open", "deadline-missed", STORE_DL_ANSWER, &e));
    assert_string_equal(unlogged(s, p, 1001, 10), "ontime late");
}

static void test_unlogged(void **state)
{
    (void)state;
    fx_run(unlogged_case);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unlogged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
