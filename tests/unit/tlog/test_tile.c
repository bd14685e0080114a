/* test_tile.c — C2SP tlog-tiles paths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "tlog/tile.h"

/* Splits path at '/' into segs (pointers into buf). */
static size_t split(char *buf, const char **segs, size_t max)
{
    size_t n = 0;
    for (char *p = buf; p && n < max;) {
        char *slash = strchr(p, '/');
        segs[n++] = p;
        if (slash)
            *slash = '\0';
        p = slash ? slash + 1 : NULL;
    }
    return n;
}

static int parse(const char *path, struct tlog_tile *t)
{
    char buf[128];
    const char *segs[16];
    struct err e;
    err_init(&e);
    snprintf(buf, sizeof buf, "%s", path);
    int rc = tlog_tile_parse(segs, split(buf, segs, 16), t, &e);
    if (rc)
        assert_int_equal(e.code, ERR_NOT_FOUND);
    return rc;
}

static void roundtrip(const char *path)
{
    struct tlog_tile t;
    char back[64];
    assert_int_equal(parse(path, &t), 0);
    assert_int_equal(tlog_tile_path(&t, back, sizeof back), 0);
    assert_string_equal(back + strlen("tile/"), path);
}

static void test_spec_examples(void **state)
{
    (void)state;
    struct tlog_tile t;
    assert_int_equal(parse("0/x001/x234/067", &t), 0);
    assert_int_equal(t.entries, 0);
    assert_int_equal(t.level, 0);
    assert_int_equal(t.index, 1234067);
    assert_int_equal(t.width, 256);
    assert_int_equal(parse("1/x001/x234/067.p/8", &t), 0);
    assert_int_equal(t.level, 1);
    assert_int_equal(t.index, 1234067);
    assert_int_equal(t.width, 8);
    assert_int_equal(parse("entries/000", &t), 0);
    assert_int_equal(t.entries, 1);
    assert_int_equal(t.index, 0);
    assert_int_equal(parse("entries/x001/000.p/255", &t), 0);
    assert_int_equal(t.index, 1000);
    assert_int_equal(t.width, 255);
    roundtrip("0/x001/x234/067");
    roundtrip("2/000.p/1");
    roundtrip("entries/x018/x014/x398/x509/x481/983");
    roundtrip("6/999");
}

static void test_not_canonical(void **state)
{
    (void)state;
    struct tlog_tile t;
    const char *bad[] = {
        "0/1",                                 /* not three digits */
        "0/0001",                              /* four digits */
        "0/001/234",                           /* missing x */
        "0/x001",                              /* x on the last element */
        "0/x000/001",                          /* leading zero group */
        "0/001.p/0",                           /* width 0 */
        "0/001.p/256",                         /* a full tile is not partial */
        "0/001.p/08",                          /* leading zero in width */
        "0/001.p",                             /* no width */
        "0/001/8",                             /* width without .p */
        "7/000",                               /* level above 6 */
        "00/000",                              /* level with a leading zero */
        "/000",                                /* empty level */
        "0",                                   /* no index */
        "0/x001/x002/x003/x004/x005/x006/007", /* index too large */
        "0/0a1",                               /* not a digit */
        "entries/000.p/1/2",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (parse(bad[i], &t) == 0)
            fail_msg("accepted %s", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_examples),
        cmocka_unit_test(test_not_canonical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
