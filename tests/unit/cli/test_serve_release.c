/* Tests for src/cli/serve_release.c: the first start logs the release, a
 * restart of the same build logs nothing, other files in --static-dir log
 * a new release, and a --static-dir that is not a directory stops the
 * start with a message naming the option. */
#include "unit/channel/fixture.h"

#include "cli/serve_release.h"
#include "http/static.h"
#include "unit/test_tmp.h"

#include <unistd.h>

static void test_start(void **state)
{
    struct fx f;
    struct web_release r;
    struct err e;
    int appended = 0;
    int64_t size, first;
    char dir[TT_PATH_MAX], path[TT_PATH_MAX + 64];
    FILE *fp;
    (void)state;
    err_init(&e);
    fx_open(&f, 0);
    size = fx_log_size(&f);

    web_release_init(&r);
    fx_ok(serve_release_start(f.c, NULL, "0.1.0-dev", &r, &appended, &e), &e);
    assert_int_equal(appended, 1);
    assert_int_equal(r.leaf_index, size);
    first = r.leaf_index;
    assert_int_equal(fx_log_size(&f), size + 1);
    web_release_release(&r);

    /* a restart of the same build */
    web_release_init(&r);
    fx_ok(serve_release_start(f.c, NULL, "0.1.0-dev", &r, &appended, &e), &e);
    assert_int_equal(appended, 0);
    assert_int_equal(r.leaf_index, first);
    assert_int_equal(fx_log_size(&f), size + 1);
    web_release_release(&r);

    /* the operator's own stylesheet: a new release */
    tt_mkdtemp(dir, sizeof dir, "dissent-serve-rel");
    snprintf(path, sizeof path, "%s/ui.css", dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("body{}", fp);
    fclose(fp);
    web_release_init(&r);
    fx_ok(serve_release_start(f.c, dir, "0.1.0-dev", &r, &appended, &e), &e);
    assert_int_equal(appended, 1);
    assert_int_equal(fx_log_size(&f), size + 2);
    web_release_release(&r);

    /* not a directory */
    web_release_init(&r);
    assert_int_equal(serve_release_start(f.c, path, "0.1.0-dev", &r, &appended, &e), -1);
    assert_non_null(strstr(e.msg, "--static-dir"));
    assert_int_equal(fx_log_size(&f), size + 2);
    web_release_release(&r);

    static_clear_override();
    assert_int_equal(tt_rm_tree(dir), 0);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
