/* store_fixture.h — runs each store test on every backend: a fresh SQLite
 * file always, and PostgreSQL when DISSENT_TEST_PG_URL names a database
 * (tests/e2e/test_postgres.sh makes one per test program). On PostgreSQL
 * each case starts from an empty schema, so the cases of one program share
 * the database without seeing each other's rows. Included by the
 * tests/unit/store/test_*.c that test the store through store.h. */
#ifndef DISSENT_TEST_STORE_FIXTURE_H
#define DISSENT_TEST_STORE_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/pool.h"
#include "store/db.h"
#include "store/db_driver.h"
#include "store/store.h"
#include "unit/test_tmp.h"

/* Room for a database path under a directory of tt_mkdtemp. */
#define FX_DB_PATH_MAX (TT_PATH_MAX + 32)

/* A new directory "<$TMPDIR>/<name>-XXXXXX" in dir and the path of a
 * database file in it, not made, in path: removing the directory
 * (tt_rm_tree) removes whatever the store made beside the file too (its
 * -wal and -shm files, its key directory, src/store/keydir.c). */
static inline void fx_db_dir(char dir[TT_PATH_MAX], char path[FX_DB_PATH_MAX], const char *name)
{
    tt_mkdtemp(dir, TT_PATH_MAX, name);
    snprintf(path, FX_DB_PATH_MAX, "%s/test.db", dir);
}

/* One test case: s is an empty, migrated store; p is released after. */
typedef void (*fx_case)(struct store *s, struct pool *p);

static inline void fx_sqlite(fx_case fn)
{
    char dir[TT_PATH_MAX], path[FX_DB_PATH_MAX];
    struct store *s = NULL;
    struct pool p;
    struct err e;
    err_init(&e);
    fx_db_dir(dir, path, "dissent-test-store");
    if (store_open(&s, path, &e))
        fail_msg("store_open(%s): %s", path, e.msg);
    pool_init(&p, 64u << 20);
    fn(s, &p);
    pool_release(&p);
    store_close(s);
    assert_int_equal(tt_rm_tree(dir), 0);
}

/* The PostgreSQL database to test on, emptied; NULL when none is configured. */
static inline const char *fx_pg_empty(void)
{
    const char *url = getenv("DISSENT_TEST_PG_URL");
    struct db *db = NULL;
    struct err e;
    if (!url || !*url)
        return NULL; /* SQLite only; test_postgres.sh sets the URL */
    err_init(&e);
    assert_true(db_url_is_pg(url));
    if (db_open(&db, url, &e) || db_exec(db, &e, "DROP SCHEMA IF EXISTS public CASCADE", NULL) ||
        db_exec(db, &e, "CREATE SCHEMA public", NULL))
        fail_msg("resetting %s: %s", url, e.msg);
    db_close(db);
    return url;
}

static inline void fx_postgres(fx_case fn)
{
    const char *url = fx_pg_empty();
    struct store *s = NULL;
    struct pool p;
    struct err e;
    char keys[TT_PATH_MAX];
    if (!url)
        return;
    err_init(&e);
    tt_mkdtemp(keys, sizeof keys, "dissent-test-keys");
    if (store_open_keys(&s, url, keys, 0, &e))
        fail_msg("store_open(%s): %s", url, e.msg);
    pool_init(&p, 64u << 20);
    fn(s, &p);
    pool_release(&p);
    store_close(s);
    assert_int_equal(tt_rm_tree(keys), 0);
}

/* Runs fn on SQLite, then (when configured) on PostgreSQL. */
static inline void fx_run(fx_case fn)
{
    fx_sqlite(fn);
    fx_postgres(fn);
}

/* Asserts that a store call succeeded, showing its message if not; the
 * call reports into the caller's `struct err e`. */
#define OK(call)                                                                                   \
    do {                                                                                           \
        if ((call) != 0)                                                                           \
            fail_msg("%s: %s", #call, e.msg);                                                      \
    } while (0)

/* Asserts that a store call failed with error code want. */
#define FAILS(call, want)                                                                          \
    do {                                                                                           \
        assert_int_equal((call), -1);                                                              \
        assert_int_equal(e.code, (want));                                                          \
    } while (0)

/* ---- rows most tests need ---- */

/* SQLite's query plan for sql on a fresh database (every migration
 * applied), its steps joined by ';' into plan: tests that a lookup made on
 * every request is found by index, not by a scan that grows with a table. */
static inline void fx_sqlite_plan(const char *sql, char *plan, size_t cap)
{
    char dir[TT_PATH_MAX], path[FX_DB_PATH_MAX];
    struct store *s = NULL;
    struct err e;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    err_init(&e);
    fx_db_dir(dir, path, "dissent-test-plan");
    OK(store_open_keys(&s, path, NULL, 0, &e));
    store_close(s);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    plan[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        size_t n = strlen(plan);
        snprintf(plan + n, cap - n, "%s;", (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_int_equal(tt_rm_tree(dir), 0);
}

static inline int64_t fx_org(struct store *s, const char *slug)
{
    int64_t id = 0;
    struct err e;
    err_init(&e);
    if (store_org_insert(s, slug, slug, 1, &id, &e))
        fail_msg("org %s: %s", slug, e.msg);
    return id;
}

static inline int64_t fx_member(struct store *s, int64_t org, const char *username, unsigned roles)
{
    int64_t id = 0;
    struct err e;
    struct st_member m = {.username = (char *)username,
                          .display_name = (char *)username,
                          .org_id = org,
                          .roles = roles,
                          .password_hash = "hash"};
    err_init(&e);
    if (store_member_insert(s, &m, 1, &id, &e))
        fail_msg("member %s: %s", username, e.msg);
    return id;
}

static inline int64_t fx_channel(struct store *s, const char *slug)
{
    int64_t id = 0;
    struct err e;
    struct st_channel c = {.slug = (char *)slug,
                           .name = "Channel",
                           .preset = "state-dissent",
                           .timezone = "UTC",
                           .ceiling = 2,
                           .ack = {2, 0},
                           .answer = {30, 0},
                           .ext = {60, 0}};
    err_init(&e);
    if (store_channel_insert(s, &c, 1, &id, &e))
        fail_msg("channel %s: %s", slug, e.msg);
    return id;
}

/* A memo in state with version 1 ("title-<public_id>"), created at `at`. */
static inline int64_t fx_memo(struct store *s, int64_t channel, int64_t author,
                              const char *public_id, int state, int64_t at)
{
    struct err e;
    char title[64];
    struct st_memo m = {.public_id = (char *)public_id,
                        .channel_id = channel,
                        .state = state,
                        .created_by = author,
                        .created_at = at,
                        .latest_version = 1};
    struct st_version v = {.number = 1,
                           .hash =
                               "0000000000000000000000000000000000000000000000000000000000000000",
                           .marking = 1,
                           .body = "body",
                           .created_at = at};
    err_init(&e);
    snprintf(title, sizeof title, "title-%s", public_id);
    v.title = title;
    v.author_id = author;
    if (store_memo_insert(s, &m, &e))
        fail_msg("memo %s: %s", public_id, e.msg);
    v.memo_id = m.id;
    if (store_version_insert(s, &v, &e))
        fail_msg("version of %s: %s", public_id, e.msg);
    return m.id;
}

#endif
