/* Tests for src/store/channels.c through store.h, on every backend
 * (store_fixture.h): channels, their policies and holiday calendars. */
#include "store_fixture.h"

static void channels_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_channel c, *list = NULL;
    size_t n = 0;
    int64_t id = 0;
    err_init(&e);
    int64_t b = fx_channel(s, "beta");
    int64_t a = fx_channel(s, "alpha");
    OK(store_channel_by_slug(s, p, "beta", &c, &e));
    assert_int_equal(c.id, b);
    assert_string_equal(c.slug, "beta");
    assert_string_equal(c.name, "Channel");
    assert_string_equal(c.preset, "state-dissent");
    assert_string_equal(c.timezone, "UTC");
    assert_int_equal(c.ceiling, 2);
    assert_int_equal(c.ack.amount, 2);
    assert_int_equal(c.answer.amount, 30);
    assert_int_equal(c.ext.amount, 60);
    OK(store_channel_by_id(s, p, a, &c, &e));
    assert_string_equal(c.slug, "alpha");
    FAILS(store_channel_by_slug(s, p, "none", &c, &e), ERR_NOT_FOUND);
    FAILS(store_channel_by_id(s, p, a + b, &c, &e), ERR_NOT_FOUND);
    FAILS(store_channel_insert(s, &c, 1, &id, &e), ERR_CONFLICT);

    OK(store_channel_list(s, p, &list, &n, &e));
    assert_int_equal(n, 2);
    assert_string_equal(list[0].slug, "alpha"); /* by slug */
    assert_int_equal(list[0].id, a);
    assert_string_equal(list[1].slug, "beta");
    assert_int_equal(list[1].answer.amount, 30);
}

static void test_channels(void **state)
{
    (void)state;
    fx_run(channels_case);
}

static void holidays_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_holiday *h = NULL;
    int64_t *days = NULL;
    size_t n = 9;
    err_init(&e);
    int64_t a = fx_channel(s, "a"), b = fx_channel(s, "b");
    OK(store_holiday_list(s, p, a, &h, &n, &e));
    assert_int_equal(n, 0);
    OK(store_holiday_days(s, p, a, &days, &n, &e));
    assert_int_equal(n, 0);
    OK(store_holiday_add(s, a, 300, "later", &e));
    OK(store_holiday_add(s, a, 100, "old name", &e));
    OK(store_holiday_add(s, a, 100, "new name", &e)); /* an upsert on (channel, day) */
    OK(store_holiday_add(s, b, 200, "other channel", &e));
    OK(store_holiday_list(s, p, a, &h, &n, &e));
    assert_int_equal(n, 2);
    assert_int_equal(h[0].day, 100);
    assert_string_equal(h[0].name, "new name");
    assert_int_equal(h[1].day, 300);
    OK(store_holiday_days(s, p, a, &days, &n, &e));
    assert_int_equal(n, 2);
    assert_int_equal(days[0], 100);
    assert_int_equal(days[1], 300);
}

static void test_holidays(void **state)
{
    (void)state;
    fx_run(holidays_case);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_channels),
        cmocka_unit_test(test_holidays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
