/* Tests for src/store/db_sqlite.c: whatever the umask, the database file
 * is created 0600 and SQLite gives its -wal and -shm the same mode; a file
 * left 0644 by an older dissent is tightened when opened. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db.h"
#include "store_fixture.h"
#include "unit/test_tmp.h"

static unsigned mode_of(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        fail_msg("%s does not exist", path);
    return (unsigned)(sb.st_mode & 07777);
}

/* Opens path, writes a row in a transaction (so -wal and -shm exist), and
 * checks the modes of the three files while the connection is open. */
static void open_write_check(const char *path)
{
    struct db *db = NULL;
    struct err e;
    char side[FX_DB_PATH_MAX + 8];
    err_init(&e);
    if (db_open(&db, path, &e))
        fail_msg("db_open: %s", e.msg);
    assert_int_equal(db_exec_script(db, "CREATE TABLE IF NOT EXISTS t(x TEXT)", &e), 0);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_exec(db, &e, "INSERT INTO t(x) VALUES('secret')", NULL), 0);
    assert_int_equal(db_commit(db, &e), 0);
    assert_int_equal(mode_of(path), 0600);
    snprintf(side, sizeof side, "%s-wal", path);
    assert_int_equal(mode_of(side), 0600);
    snprintf(side, sizeof side, "%s-shm", path);
    assert_int_equal(mode_of(side), 0600);
    db_close(db);
}

static void test_new_files_private(void **state)
{
    char dir[TT_PATH_MAX], path[FX_DB_PATH_MAX];
    mode_t old = umask(022);
    (void)state;
    fx_db_dir(dir, path, "dissent-test-dbsq");
    open_write_check(path);
    assert_int_equal(tt_rm_tree(dir), 0);
    umask(old);
}

static void test_old_file_tightened(void **state)
{
    char dir[TT_PATH_MAX], path[FX_DB_PATH_MAX];
    mode_t old = umask(022);
    int fd;
    (void)state;
    fx_db_dir(dir, path, "dissent-test-dbsq");
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(chmod(path, 0644), 0);
    open_write_check(path);
    assert_int_equal(tt_rm_tree(dir), 0);
    umask(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_files_private),
        cmocka_unit_test(test_old_file_tightened),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
