/* Tests for src/channel/remind.c: leadership reminds the policy office of a
 * memo under review; every reviewer is notified, the memo's timeline and the
 * lists show it, at most once a day; nobody else may, and not in other states. */
#include "fixture.h"

#include "channel/notify.h"

/* How many unread notifications of event a has. */
static int unread_events(struct fx *f, const struct actor *a, const char *event)
{
    struct err e;
    json_t *r = NULL, *n;
    size_t i;
    int k = 0;
    err_init(&e);
    fx_ok(chan_notifications(f->c, &f->p, a, 1, &r, &e), &e);
    json_array_foreach(json_object_get(r, "notifications"), i, n)
    {
        k += strcmp(json_string_value(json_object_get(n, "event")), event) == 0;
    }
    json_decref(r);
    return k;
}

/* 1 when the memo's timeline (as a reads it) holds an event what. */
static int timeline_has(struct fx *f, const struct actor *a, const char *id, const char *what)
{
    json_t *m = fx_get(f, a, id), *t;
    size_t i;
    int found = 0;
    json_array_foreach(json_object_get(m, "timeline"), i, t)
    {
        found |= strcmp(json_string_value(json_object_get(t, "what")), what) == 0;
    }
    json_decref(m);
    return found;
}

static void test_remind(void **state)
{
    struct fx *f = *state;
    struct err e;
    char sub[RANDOM_ID_LEN + 1], answered[RANDOM_ID_LEN + 1], draft[RANDOM_ID_LEN + 1];
    json_t *out = NULL;
    int before;

    err_init(&e);
    fx_clock("2026-03-02T12:00:00Z");
    fx_memo_in(f, CHAN_STATE_SUBMITTED, sub);
    fx_memo_in(f, CHAN_STATE_ANSWERED, answered);
    fx_memo_in(f, CHAN_STATE_DRAFT, draft);
    before = unread_events(f, &f->rev, "leadership_reminder");
    assert_false(timeline_has(f, &f->rev, sub, "reminded"));

    fx_ok(chan_memo_remind(f->c, &f->p, &f->lead, sub, &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "reminded_at")),
                        "2026-03-02T12:00:00Z");
    json_decref(out);
    assert_int_equal(unread_events(f, &f->rev, "leadership_reminder"), before + 1);
    assert_int_equal(unread_events(f, &f->alice, "leadership_reminder"), 0);
    assert_true(timeline_has(f, &f->rev, sub, "reminded"));
    assert_true(timeline_has(f, &f->alice, sub, "reminded"));
    {
        struct chan_memo_query q = {.scope = "all"};
        size_t i;
        json_t *m;
        const char *at = NULL;
        fx_ok(chan_memo_find(f->c, &f->lead, &q, &out, &e), &e);
        json_array_foreach(json_object_get(out, "memos"), i, m)
        {
            if (strcmp(json_string_value(json_object_get(m, "id")), sub) == 0)
                at = json_string_value(json_object_get(m, "reminded_at"));
        }
        assert_non_null(at);
        assert_string_equal(at, "2026-03-02T12:00:00Z");
        json_decref(out);
    }

    /* once a day; then again */
    fx_refused(chan_memo_remind(f->c, &f->p, &f->lead, sub, &out, &e), &e, ERR_CONFLICT,
               "reminded");
    fx_clock("2026-03-03T12:00:01Z");
    fx_ok(chan_memo_remind(f->c, &f->p, &f->lead, sub, &out, &e), &e);
    json_decref(out);
    assert_int_equal(unread_events(f, &f->rev, "leadership_reminder"), before + 2);

    /* only leadership; only under review; a draft stays unknown */
    fx_refused(chan_memo_remind(f->c, &f->p, &f->rev, sub, &out, &e), &e, ERR_FORBIDDEN, "remind");
    fx_refused(chan_memo_remind(f->c, &f->p, &f->alice, sub, &out, &e), &e, ERR_FORBIDDEN, NULL);
    fx_refused(chan_memo_remind(f->c, &f->p, &f->lead, answered, &out, &e), &e, ERR_STATE,
               "under review");
    fx_refused(chan_memo_remind(f->c, &f->p, &f->lead, draft, &out, &e), &e, ERR_NOT_FOUND, NULL);
    fx_clock(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_remind),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
