/* Tests for src/cli/serve_ticker.c: jobs run at once, then every period on
 * the monotonic clock (not more often, whatever the wall clock says); a
 * failing job is retried after its period and does not stop the others;
 * `dissent tick` runs one job or all; the thread starts and stops; the
 * server's own table is well-formed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "cli/serve_ticker.h"

static int runs_a, runs_b, fail_b;
static int64_t seen_now;

static int job_a(struct chan *c, int64_t now, struct err *e)
{
    (void)c;
    (void)e;
    runs_a++;
    seen_now = now;
    return 0;
}

static int job_b(struct chan *c, int64_t now, struct err *e)
{
    (void)c;
    (void)now;
    runs_b++;
    return fail_b ? err_set(e, ERR_DB, "database is locked") : 0;
}

static const struct serve_job jobs[] = {
    {.name = "a", .period = 60, .run = job_a},
    {.name = "b", .period = 5, .run = job_b},
};

static void reset(void)
{
    runs_a = runs_b = fail_b = 0;
    seen_now = 0;
}

static void test_periods(void **state)
{
    (void)state;
    struct serve_ticker t;
    reset();
    serve_ticker_init(&t, jobs, 2);
    /* both run at once, with the wall-clock time given */
    assert_int_equal(serve_ticker_round(&t, NULL, 1000, 1764000000), 0);
    assert_int_equal(runs_a, 1);
    assert_int_equal(runs_b, 1);
    assert_int_equal(seen_now, 1764000000);
    /* not again before their period */
    assert_int_equal(serve_ticker_round(&t, NULL, 1004, 1764000000), 0);
    assert_int_equal(runs_a, 1);
    assert_int_equal(runs_b, 1);
    /* b every 5 s, a every 60 s, however the wall clock moves */
    assert_int_equal(serve_ticker_round(&t, NULL, 1005, 1700000000), 0);
    assert_int_equal(runs_b, 2);
    assert_int_equal(runs_a, 1);
    assert_int_equal(serve_ticker_round(&t, NULL, 1059, 1900000000), 0);
    assert_int_equal(runs_a, 1);
    assert_int_equal(runs_b, 3);
    assert_int_equal(serve_ticker_round(&t, NULL, 1060, 1900000000), 0);
    assert_int_equal(runs_a, 2);
    assert_int_equal(seen_now, 1900000000);
}

static void test_failures(void **state)
{
    (void)state;
    struct serve_ticker t;
    reset();
    fail_b = 1;
    serve_ticker_init(&t, jobs, 2);
    /* b fails: counted, a still runs (b before a would not matter either) */
    assert_int_equal(serve_ticker_round(&t, NULL, 0, 1), 1);
    assert_int_equal(runs_a, 1);
    assert_int_equal(runs_b, 1);
    /* retried after its period, not at once */
    assert_int_equal(serve_ticker_round(&t, NULL, 1, 1), 0);
    assert_int_equal(runs_b, 1);
    fail_b = 0;
    assert_int_equal(serve_ticker_round(&t, NULL, 5, 1), 0);
    assert_int_equal(runs_b, 2);
}

static void test_run_once(void **state)
{
    (void)state;
    struct err e;
    reset();
    err_init(&e);
    assert_int_equal(serve_ticker_run_once(jobs, 2, NULL, NULL, 42, &e), 0);
    assert_int_equal(runs_a, 1);
    assert_int_equal(runs_b, 1);
    assert_int_equal(serve_ticker_run_once(jobs, 2, NULL, "b", 42, &e), 0);
    assert_int_equal(runs_a, 1);
    assert_int_equal(runs_b, 2);
    assert_int_equal(serve_ticker_run_once(jobs, 2, NULL, "mail", 42, &e), -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    assert_non_null(strstr(e.msg, "no job 'mail'"));
    fail_b = 1;
    err_init(&e);
    assert_int_equal(serve_ticker_run_once(jobs, 2, NULL, NULL, 42, &e), -1);
    assert_string_equal(e.msg, "job b: database is locked");
}

static void test_thread(void **state)
{
    (void)state;
    struct serve_ticker t;
    struct err e;
    reset();
    err_init(&e);
    serve_ticker_init(&t, jobs, 1);
    assert_int_equal(serve_ticker_start(&t, NULL, &e), 0);
    /* up to a minute for the thread's first round (2 s was too short on a
     * loaded machine) */
    for (int i = 0; i < 6000 && runs_a == 0; i++)
        usleep(10000);
    serve_ticker_stop(&t);
    assert_int_equal(runs_a, 1); /* once at start; the next in 60 s */
    serve_ticker_stop(&t);       /* twice is harmless */
}

static void test_table(void **state)
{
    (void)state;
    assert_true(serve_jobs_count >= 1);
    for (size_t i = 0; i < serve_jobs_count; i++) {
        assert_non_null(serve_jobs[i].name);
        assert_non_null(serve_jobs[i].run);
        assert_true(serve_jobs[i].period >= 1);
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(serve_jobs[i].name, serve_jobs[k].name);
    }
    assert_string_equal(serve_jobs[0].name, "deadlines");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_periods),  cmocka_unit_test(test_failures),
        cmocka_unit_test(test_run_once), cmocka_unit_test(test_thread),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
