/* Tests for src/store/db_sqlite.c: whatever the umask, the database file
 * is created 0600 and SQLite gives its -wal and -shm the same mode; a file
 * left 0644 by an older dissent is tightened when opened; a transaction
 * SQLite rolls back on its own (a full disk) is not followed by statements
 * that commit one by one. */
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

/* Deleted rows are zeroed (secure_delete=ON), whatever the SQLite build's
 * default: an anonymous action's queue row, in the order of arrival, is not
 * left on its page after its batch is published. */
static void test_secure_delete(void **state)
{
    char dir[TT_PATH_MAX], path[FX_DB_PATH_MAX];
    struct db *db = NULL;
    struct err e;
    int64_t v = -1;
    (void)state;
    fx_db_dir(dir, path, "dissent-test-dbsq");
    err_init(&e);
    if (db_open(&db, path, &e))
        fail_msg("db_open: %s", e.msg);
    assert_int_equal(db_scalar(db, &e, -1, &v, "PRAGMA secure_delete", NULL), 0);
    assert_int_equal(v, 1);
    db_close(db);
    assert_int_equal(tt_rm_tree(dir), 0);
}

/* One operation of a group (as the writer runs each request): 0 when it
 * ran and was released into the group, -1 when it failed and was rolled
 * back to its savepoint. big: a row the database has no room for. */
static int group_op(struct db *db, const char *name, int big)
{
    struct err e;
    err_init(&e);
    if (db_begin(db, &e))
        return -1;
    if (db_exec(db, &e,
                big ? "INSERT INTO t(x) VALUES(zeroblob(2000000))" : "INSERT INTO t(x) VALUES(?)",
                big ? NULL : "s", name) ||
        db_commit(db, &e)) {
        db_rollback(db);
        return -1;
    }
    return 0;
}

/* The rows of t, space-separated, in a fresh connection. */
static void rows_of(const char *path, char *out, size_t n)
{
    struct db *db = NULL;
    struct err e;
    struct db_stmt *st;
    size_t len = 0;
    err_init(&e);
    out[0] = '\0';
    if (db_open(&db, path, &e))
        fail_msg("db_open: %s", e.msg);
    st = db_query(db, &e, "SELECT x FROM t ORDER BY rowid", NULL);
    assert_non_null(st);
    while (db_next(st, &e) == 1 && len < n)
        len += (size_t)snprintf(out + len, n - len, "%s%s", len ? " " : "", db_text(st, 0));
    db_finish(st);
    db_close(db);
}

/* A statement whose journal outgrows memory: SQLite 3.40 failed such a
 * statement with "database or disk is full" when its statement journal
 * spilled to a file above a threshold of 256 KiB or more (ours was 8 MiB),
 * so migration 26 (a table copied, then dropped with secure_delete) could
 * not run on a database with 100,000 anonymous sequence numbers. */
static void test_big_statement_journal(void **state)
{
    char dir[TT_PATH_MAX], path[FX_DB_PATH_MAX];
    struct db *db = NULL;
    struct err e;
    (void)state;
    fx_db_dir(dir, path, "dissent-test-dbsq");
    err_init(&e);
    if (db_open(&db, path, &e))
        fail_msg("db_open: %s", e.msg);
    assert_int_equal(db_exec_script(db,
                                    "CREATE TABLE t(k BLOB PRIMARY KEY, v INTEGER);"
                                    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM "
                                    "c WHERE i < 100000) INSERT INTO t SELECT randomblob(32), i "
                                    "FROM c;",
                                    &e),
                     0);
    assert_int_equal(db_begin(db, &e), 0);
    if (db_exec_script(db,
                       "CREATE TABLE t2(k BLOB PRIMARY KEY, v INTEGER) WITHOUT ROWID;"
                       "INSERT INTO t2 SELECT k, v FROM t ORDER BY k; DROP TABLE t;"
                       "ALTER TABLE t2 RENAME TO t;",
                       &e))
        fail_msg("the copy failed: %s", e.msg);
    assert_int_equal(db_commit(db, &e), 0);
    db_close(db);
    assert_int_equal(tt_rm_tree(dir), 0);
}

/* A new database with an empty table t and room for few pages (a disk that
 * fills up), in a directory of its own. */
static struct db *small_db(char dir[TT_PATH_MAX], char path[FX_DB_PATH_MAX])
{
    struct db *db = NULL;
    struct err e;
    fx_db_dir(dir, path, "dissent-test-dbsq");
    err_init(&e);
    if (db_open(&db, path, &e))
        fail_msg("db_open: %s", e.msg);
    assert_int_equal(db_exec_script(db, "CREATE TABLE t(x); PRAGMA max_page_count = 40;", &e), 0);
    return db;
}

/* A full disk (here max_page_count) makes SQLite roll the whole group's
 * transaction back on its own. The operations after it once each began a
 * transaction of their own with SAVEPOINT and committed it with RELEASE,
 * while the group's COMMIT failed and every request of the group was told
 * that nothing was kept: C and D were on disk, reported lost. Now every
 * operation after the loss fails, the group's commit fails, and nothing of
 * the group is in the database, as its requests are told. */
static void test_group_lost_to_full_disk(void **state)
{
    char dir[TT_PATH_MAX], path[FX_DB_PATH_MAX], rows[256];
    struct db *db = small_db(dir, path);
    struct err e;
    (void)state;
    err_init(&e);
    assert_int_equal(db_group_begin(db, &e), 0);
    assert_int_equal(group_op(db, "A", 0), 0);
    assert_int_equal(group_op(db, "B", 1), -1);
    assert_int_equal(group_op(db, "C", 0), -1);
    assert_int_equal(group_op(db, "D", 0), -1);
    assert_int_equal(db_group_end(db, 1, &e), -1);
    assert_int_equal(e.code, ERR_DB);
    /* the connection works again afterwards */
    assert_int_equal(db_group_begin(db, &e), 0);
    assert_int_equal(group_op(db, "E", 0), 0);
    assert_int_equal(db_group_end(db, 1, &e), 0);
    db_close(db);
    rows_of(path, rows, sizeof rows);
    assert_string_equal(rows, "E");
    assert_int_equal(tt_rm_tree(dir), 0);
}

/* The same outside a group: after the failed statement, the transaction's
 * later statements fail rather than commit one by one, and so does COMMIT. */
static void test_transaction_lost_to_full_disk(void **state)
{
    char dir[TT_PATH_MAX], path[FX_DB_PATH_MAX], rows[256];
    struct db *db = small_db(dir, path);
    struct err e;
    (void)state;
    err_init(&e);
    assert_int_equal(db_begin(db, &e), 0);
    assert_int_equal(db_exec(db, &e, "INSERT INTO t(x) VALUES('A')", NULL), 0);
    assert_int_equal(db_exec(db, &e, "INSERT INTO t(x) VALUES(zeroblob(2000000))", NULL), -1);
    assert_int_equal(db_exec(db, &e, "INSERT INTO t(x) VALUES('C')", NULL), -1);
    assert_int_equal(e.code, ERR_DB);
    assert_int_equal(db_commit(db, &e), -1);
    db_rollback(db);
    db_close(db);
    rows_of(path, rows, sizeof rows);
    assert_string_equal(rows, "");
    assert_int_equal(tt_rm_tree(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_files_private),
        cmocka_unit_test(test_old_file_tightened),
        cmocka_unit_test(test_secure_delete),
        cmocka_unit_test(test_big_statement_journal),
        cmocka_unit_test(test_group_lost_to_full_disk),
        cmocka_unit_test(test_transaction_lost_to_full_disk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
