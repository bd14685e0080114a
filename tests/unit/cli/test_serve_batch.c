/* Tests for src/cli/serve_batch.c: the thread, on its own connection,
 * publishes a queued entry once it is due (here: queued with a batch time
 * already past, as after downtime) and stops cleanly. */
#include "unit/channel/fixture.h"

#include "cli/serve_batch.h"

static void test_thread_publishes_what_is_due(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct fx_key k;
    struct chan *bc = NULL;
    struct serve_batch sb = {0};
    json_t *out = NULL;
    int64_t count = 0;

    err_init(&e);
    /* accepted two hours ago, with an hourly interval: overdue */
    fx_clock("2026-03-02T10:15:07Z");
    chan_batch_set_interval(f->c, 3600);
    fx_keypair(&k);
    fx_ok(fx_enroll(f, &f->alice, &k, &e), &e);
    fx_clock(NULL);
    fx_ok(chan_roster_get(f->c, &f->p, "state", 0, &out, &e), &e);
    assert_int_equal(fx_int(out, "count", NULL), 0);
    json_decref(out);

    fx_ok(chan_open(&bc, f->db, &e), &e);
    chan_batch_set_interval(bc, 3600);
    assert_int_equal(serve_batch_start(&sb, bc, &e), 0);
    for (int i = 0; i < 50 && count == 0; i++) {
        usleep(100000);
        fx_ok(chan_roster_get(f->c, &f->p, "state", 0, &out, &e), &e);
        count = fx_int(out, "count", NULL);
        json_decref(out);
    }
    serve_batch_stop(&sb);
    assert_int_equal(count, 1);
    assert_null(sb.chan);
    chan_batch_set_interval(f->c, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thread_publishes_what_is_due),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
