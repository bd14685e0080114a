/* Tests for src/http/work_budget.c: the per-client and global budgets of
 * verification work, the request cap, windows turning, one oversized
 * request per window, and the configuration string. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "http/work_budget.h"

static struct work_budget *fresh(uint64_t per_client, uint64_t global, int64_t window,
                                 uint32_t requests)
{
    struct work_budget *b = malloc(sizeof *b);
    struct work_budget_config cfg = {per_client, global, window, requests};
    assert_non_null(b);
    work_budget_init(b, &cfg);
    return b;
}

static void test_per_client_and_global(void **state)
{
    (void)state;
    unsigned char a[WORK_BUDGET_ID] = {1}, c[WORK_BUDGET_ID] = {2};
    struct work_budget *b = fresh(10, 25, 10, 100);
    struct err e;
    err_init(&e);
    assert_int_equal(work_budget_spend(b, a, 6, 1000, &e), 0);
    assert_int_equal(work_budget_spend(b, a, 4, 1000, &e), 0);
    assert_int_equal(work_budget_spend(b, a, 1, 1001, &e), -1); /* a's 10 are spent */
    assert_int_equal(e.code, ERR_RATE);
    assert_non_null(strstr(e.msg, "your address"));
    assert_non_null(strstr(e.msg, "try again in 9 s"));
    /* another client is not held back by a */
    err_init(&e);
    assert_int_equal(work_budget_spend(b, c, 10, 1001, &e), 0);
    /* a third client meets the global budget (20 of 25 spent) */
    c[0] = 3;
    assert_int_equal(work_budget_spend(b, c, 6, 1002, &e), -1);
    assert_non_null(strstr(e.msg, "the server is busy"));
    /* a refused spend spends nothing */
    err_init(&e);
    assert_int_equal(work_budget_spend(b, c, 5, 1002, &e), 0);
    /* the window turns: everything is available again */
    assert_int_equal(work_budget_spend(b, a, 10, 1010, &e), 0);
    work_budget_release(b);
    free(b);
}

static void test_oversized_request(void **state)
{
    (void)state;
    unsigned char a[WORK_BUDGET_ID] = {1};
    struct work_budget *b = fresh(10, 100, 10, 100);
    struct err e;
    err_init(&e);
    /* one request larger than the budget goes through once per window */
    assert_int_equal(work_budget_spend(b, a, 50, 2000, &e), 0);
    assert_int_equal(work_budget_spend(b, a, 50, 2001, &e), -1);
    assert_int_equal(work_budget_spend(b, a, 50, 2010, &e), 0);
    work_budget_release(b);
    free(b);
}

static void test_request_cap(void **state)
{
    (void)state;
    unsigned char a[WORK_BUDGET_ID] = {7}, c[WORK_BUDGET_ID] = {8};
    struct work_budget *b = fresh(10, 100, 10, 3);
    struct err e;
    err_init(&e);
    for (int i = 0; i < 3; i++)
        assert_int_equal(work_budget_request(b, a, 3000, &e), 0);
    assert_int_equal(work_budget_request(b, a, 3001, &e), -1);
    assert_int_equal(e.code, ERR_RATE);
    assert_int_equal(work_budget_request(b, c, 3001, &e), 0);
    assert_int_equal(work_budget_request(b, a, 3010, &e), 0);
    work_budget_release(b);
    free(b);
}

static void test_parse(void **state)
{
    (void)state;
    struct work_budget_config cfg;
    struct err e;
    err_init(&e);
    assert_int_equal(work_budget_parse("100,2000,5", &cfg, &e), 0);
    assert_true(cfg.per_client == 100 && cfg.global == 2000 && cfg.window_s == 5);
    assert_int_equal(cfg.requests, WORK_BUDGET_REQUESTS);
    assert_int_equal(work_budget_parse("1,2,3,4", &cfg, &e), 0);
    assert_int_equal(cfg.requests, 4);
    assert_int_equal(work_budget_parse("1,2", &cfg, &e), -1);
    assert_int_equal(work_budget_parse("1,2,0", &cfg, &e), -1);
    assert_int_equal(work_budget_parse("1,x,3", &cfg, &e), -1);
    assert_int_equal(work_budget_parse("1,2,3,4,5", &cfg, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_client_and_global),
        cmocka_unit_test(test_oversized_request),
        cmocka_unit_test(test_request_cap),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
