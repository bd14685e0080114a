/* Tests for src/client/files.c on real files in a temporary directory:
 * private writes create their parents and are 0600; an optional read tells
 * a missing file from a present one, stops at the buffer's maximum and
 * names the path when it refuses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/files.h"
#include "unit/test_tmp.h"

static char dir[TT_PATH_MAX], path[TT_PATH_MAX + 32];

static int setup(void **state)
{
    (void)state;
    tt_mkdtemp(dir, sizeof dir, "dissent-files");
    snprintf(path, sizeof path, "%s/a/b/state.json", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return tt_rm_tree(dir);
}

static void test_write_then_read(void **state)
{
    struct err e;
    struct buf b;
    struct stat st;
    int found = 7;
    (void)state;
    err_init(&e);
    buf_init(&b, 64);

    /* missing: not an error, nothing read */
    assert_int_equal(files_read_optional(path, &b, &found, &e), 0);
    assert_int_equal(found, 0);
    assert_int_equal(b.len, 0);

    assert_int_equal(files_write_private(path, "{\"n\":1}", 7, &e), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(files_read_optional(path, &b, &found, &e), 0);
    assert_int_equal(found, 1);
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.data, "{\"n\":1}", 7);
    buf_release(&b);

    /* larger than the buffer's maximum: refused, naming the file */
    buf_init(&b, 4);
    assert_int_equal(files_read_optional(path, &b, &found, &e), -1);
    assert_int_equal(e.code, ERR_TOO_LARGE);
    assert_non_null(strstr(e.msg, "state.json"));
    assert_int_equal(found, 0);
    buf_release(&b);

    /* a directory in the way: an I/O error, not "missing" */
    buf_init(&b, 64);
    snprintf(path, sizeof path, "%s/a", dir);
    err_init(&e);
    assert_int_equal(files_read_optional(path, &b, &found, &e), -1);
    assert_int_equal(e.code, ERR_IO);
    snprintf(path, sizeof path, "%s/a/b/state.json", dir);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_then_read, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
