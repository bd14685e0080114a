/* Tests for src/store/keydir.c: the key directory is made private, keys are
 * written 0600 and never overwritten, and a directory or key file that
 * group or others may access is refused with a message naming the fix. */
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

#include "store/keydir.h"
#include "unit/test_tmp.h"

static char base[TT_PATH_MAX];
static char dir[TT_PATH_MAX + 32];

static int setup(void **state)
{
    (void)state;
    tt_mkdtemp(base, sizeof base, "dissent-test-keydir");
    snprintf(dir, sizeof dir, "%s/keys", base);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return tt_rm_tree(base);
}

static unsigned file_mode(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return (unsigned)(sb.st_mode & 07777);
}

static void test_create_write_read(void **state)
{
    struct keydir k;
    struct err e;
    unsigned char buf[64];
    size_t len = 0;
    int found = -1;
    char f[2 * TT_PATH_MAX];
    (void)state;
    err_init(&e);
    keydir_init(&k);
    umask(022);
    assert_int_equal(keydir_open(&k, dir, &e), 0);
    assert_int_equal(file_mode(dir), 0700);
    assert_int_equal(keydir_read(&k, KEYDIR_LOG_KEY, buf, sizeof buf, &len, &found, &e), 0);
    assert_int_equal(found, 0);
    assert_int_equal(keydir_write(&k, KEYDIR_LOG_KEY, (const unsigned char *)"key one\n", 8, &e),
                     0);
    snprintf(f, sizeof f, "%s/%s", dir, KEYDIR_LOG_KEY);
    assert_int_equal(file_mode(f), 0600);
    assert_int_equal(keydir_read(&k, KEYDIR_LOG_KEY, buf, sizeof buf, &len, &found, &e), 0);
    assert_int_equal(found, 1);
    assert_int_equal(len, 8);
    assert_memory_equal(buf, "key one\n", 8);
    /* Never overwritten. */
    assert_int_equal(keydir_write(&k, KEYDIR_LOG_KEY, (const unsigned char *)"key two\n", 8, &e),
                     -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_int_equal(keydir_read(&k, KEYDIR_LOG_KEY, buf, sizeof buf, &len, &found, &e), 0);
    assert_memory_equal(buf, "key one\n", 8);
    /* A file larger than asked for is refused. */
    assert_int_equal(keydir_read(&k, KEYDIR_LOG_KEY, buf, 4, &len, &found, &e), -1);
    keydir_release(&k);
}

static void test_open_modes_refused(void **state)
{
    struct keydir k;
    struct err e;
    unsigned char buf[64];
    size_t len = 0;
    int found = 0;
    char f[2 * TT_PATH_MAX];
    (void)state;
    err_init(&e);
    keydir_init(&k);
    assert_int_equal(keydir_open(&k, dir, &e), 0);
    keydir_release(&k);
    /* A directory others may list: refused, naming the fix. */
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(keydir_open(&k, dir, &e), -1);
    assert_int_equal(e.code, ERR_FORBIDDEN);
    assert_non_null(strstr(e.msg, "chmod 700"));
    assert_non_null(strstr(e.msg, dir));
    assert_int_equal(chmod(dir, 0700), 0);
    /* A key file others may read: refused, naming the file and the fix. */
    snprintf(f, sizeof f, "%s/%s", dir, KEYDIR_LOG_KEY);
    assert_int_equal(chmod(f, 0644), 0);
    assert_int_equal(keydir_open(&k, dir, &e), 0);
    assert_int_equal(keydir_read(&k, KEYDIR_LOG_KEY, buf, sizeof buf, &len, &found, &e), -1);
    assert_int_equal(e.code, ERR_FORBIDDEN);
    assert_non_null(strstr(e.msg, "chmod 600"));
    assert_non_null(strstr(e.msg, f));
    assert_int_equal(chmod(f, 0640), 0);
    assert_int_equal(keydir_read(&k, KEYDIR_LOG_KEY, buf, sizeof buf, &len, &found, &e), -1);
    assert_int_equal(chmod(f, 0600), 0);
    assert_int_equal(keydir_read(&k, KEYDIR_LOG_KEY, buf, sizeof buf, &len, &found, &e), 0);
    keydir_release(&k);
    /* Not a directory: refused. */
    assert_int_equal(keydir_open(&k, f, &e), -1);
}

static void test_default_path(void **state)
{
    struct err e;
    char out[256];
    (void)state;
    err_init(&e);
    assert_int_equal(keydir_default_path("dissent.db", out, sizeof out, &e), 0);
    assert_string_equal(out, "dissent.keys");
    assert_int_equal(keydir_default_path("/var/lib/dissent/x.db", out, sizeof out, &e), 0);
    assert_string_equal(out, "/var/lib/dissent/x.keys");
    assert_int_equal(keydir_default_path("/tmp/file", out, sizeof out, &e), 0);
    assert_string_equal(out, "/tmp/file.keys");
    assert_int_equal(keydir_default_path("postgresql:///d?host=/x", out, sizeof out, &e), 0);
    assert_string_equal(out, "dissent.keys");
    assert_int_equal(keydir_default_path("dissent.db", out, 5, &e), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_write_read),
        cmocka_unit_test(test_open_modes_refused),
        cmocka_unit_test(test_default_path),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
