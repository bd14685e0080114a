/* Tests for src/store/at_rest.c, on every backend (store_fixture.h): memo
 * text is stored sealed and read back in clear, a sealed value moved to
 * another row no longer opens, and a database of before (plaintext rows,
 * the log key in meta) is refused until migrated, then reads back. */
#include "store_fixture.h"

#include "store/keydir.h"
#include "store/store_internal.h"
#include "unit/test_tmp.h"

#include <fcntl.h>

#define MARK "zebra-marker-7731"

/* The one text value sql selects, raw. */
static char *raw(struct store *s, struct pool *p, const char *sql, int64_t id)
{
    struct err e;
    char *v = NULL;
    struct db_stmt *st;
    err_init(&e);
    st = db_query(s->db, &e, sql, "i", id);
    assert_non_null(st);
    assert_int_equal(db_next(st, &e), 1);
    OK(store_col_text(p, st, 0, &v, &e));
    db_finish(st);
    return v;
}

static void sealed_case(struct store *s, struct pool *p)
{
    struct err e;
    int64_t org = fx_org(s, "org"), who = fx_member(s, org, "alice", 1), ch = fx_channel(s, "c");
    int64_t id = fx_memo(s, ch, who, "aaaaaaaaaaaaaaaaaaaaaaaaaa", 1, 10);
    struct st_memo m;
    struct st_version v = {.memo_id = id,
                           .number = 2,
                           .hash =
                               "1111111111111111111111111111111111111111111111111111111111111111",
                           .title = "title " MARK,
                           .marking = 1,
                           .body = "body " MARK,
                           .author_id = who,
                           .created_at = 11,
                           .verify_key = "vk " MARK};
    struct st_version back;
    struct st_message *msgs = NULL;
    struct st_memo_info *list = NULL;
    struct st_version_info *vers = NULL;
    struct st_memo_filter f = {.limit = 10};
    size_t n = 0;
    char *t;

    err_init(&e);
    OK(store_version_insert(s, &v, &e));
    OK(store_memo_by_public_id(s, p, "aaaaaaaaaaaaaaaaaaaaaaaaaa", &m, &e));
    m.answer = "answer " MARK;
    m.extension_reason = "reason " MARK;
    m.latest_version = 2;
    OK(store_memo_save(s, &m, &e));
    OK(store_message_insert(s, id, who, "message " MARK, 12, &e));

    /* Stored sealed: no marker in any column. */
    t = raw(s, p, "SELECT title FROM versions WHERE memo_id = ? AND number = 2", id);
    assert_true(seal_is_sealed(t));
    assert_null(strstr(t, MARK));
    t = raw(s, p, "SELECT body FROM versions WHERE memo_id = ? AND number = 2", id);
    assert_true(seal_is_sealed(t));
    t = raw(s, p, "SELECT verify_key FROM versions WHERE memo_id = ? AND number = 2", id);
    assert_true(seal_is_sealed(t));
    t = raw(s, p, "SELECT answer FROM memos WHERE id = ?", id);
    assert_true(seal_is_sealed(t));
    t = raw(s, p, "SELECT extension_reason FROM memos WHERE id = ?", id);
    assert_true(seal_is_sealed(t));
    t = raw(s, p, "SELECT body FROM messages WHERE memo_id = ?", id);
    assert_true(seal_is_sealed(t));
    assert_null(strstr(t, MARK));
    t = raw(s, p, "SELECT data_key FROM memos WHERE id = ?", id);
    assert_true(seal_is_sealed(t));

    /* Read back in clear through every reader. */
    OK(store_version_get(s, p, id, 2, &back, &e));
    assert_string_equal(back.title, "title " MARK);
    assert_string_equal(back.body, "body " MARK);
    assert_string_equal(back.verify_key, "vk " MARK);
    /* the head: the public facts, no text, and no key to open any: it
     * reads even with the memo's wrapped key made unreadable */
    {
        char *key = raw(s, p, "SELECT data_key FROM memos WHERE id = ?", id);
        OK(db_exec(s->db, &e, "UPDATE memos SET data_key = 'unreadable' WHERE id = ?", "i", id));
        memset(&back, 0, sizeof back);
        OK(store_version_head(s, p, id, 2, &back, &e));
        assert_int_equal(back.number, 2);
        assert_non_null(back.hash);
        assert_non_null(back.author);
        assert_null(back.title);
        assert_null(back.body);
        assert_null(back.verify_key);
        assert_int_not_equal(store_version_get(s, p, id, 2, &back, &e), 0);
        OK(db_exec(s->db, &e, "UPDATE memos SET data_key = ? WHERE id = ?", "si", key, id));
        OK(store_version_get(s, p, id, 2, &back, &e));
    }
    OK(store_memo_by_public_id(s, p, "aaaaaaaaaaaaaaaaaaaaaaaaaa", &m, &e));
    assert_string_equal(m.answer, "answer " MARK);
    assert_string_equal(m.extension_reason, "reason " MARK);
    OK(store_message_list(s, p, id, &msgs, &n, &e));
    assert_int_equal(n, 1);
    assert_string_equal(msgs[0].body, "message " MARK);
    OK(store_version_list(s, p, id, &vers, &n, &e));
    assert_int_equal(n, 2);
    assert_string_equal(vers[0].title, "title-aaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_string_equal(vers[1].title, "title " MARK);
    OK(store_memo_list(s, p, &f, &list, &n, &e));
    assert_int_equal(n, 1);
    assert_string_equal(list[0].title, "title " MARK);

    /* A ciphertext moved to another row or field does not open. */
    OK(db_exec(s->db, &e,
               "UPDATE versions SET body = (SELECT body FROM versions WHERE memo_id = ?1 AND "
               "number = 2) WHERE memo_id = ?1 AND number = 1",
               "i", id));
    FAILS(store_version_get(s, p, id, 1, &back, &e), ERR_CRYPTO);
    OK(db_exec(s->db, &e, "UPDATE memos SET answer = extension_reason WHERE id = ?", "i", id));
    FAILS(store_memo_by_public_id(s, p, "aaaaaaaaaaaaaaaaaaaaaaaaaa", &m, &e), ERR_CRYPTO);
}

static void test_sealed(void **state)
{
    (void)state;
    fx_run(sealed_case);
}

/* Turns the store's rows back into the format of before: plaintext text,
 * no memo keys, the log key in meta, no 'at_rest' flag. */
static void make_old(struct store *s, int64_t id)
{
    struct err e;
    err_init(&e);
    OK(db_exec(s->db, &e,
               "UPDATE versions SET title = 'old title " MARK "', body = 'old body " MARK
               "', verify_key = NULL WHERE memo_id = ?",
               "i", id));
    OK(db_exec(s->db, &e,
               "UPDATE memos SET data_key = NULL, answer = 'old answer " MARK
               "', extension_reason = NULL WHERE id = ?",
               "i", id));
    OK(db_exec(s->db, &e,
               "INSERT INTO messages(memo_id, author_id, body, created_at) VALUES(?, 1, 'old "
               "message " MARK "', 5)",
               "i", id));
    OK(db_exec(s->db, &e, "DELETE FROM meta WHERE key = 'at_rest'", NULL));
    OK(db_exec(s->db, &e, "INSERT INTO meta(key, value) VALUES('log_signer', 'PRIVATE+KEY+x')",
               NULL));
}

static void test_migrate(void **state)
{
    char dir[TT_PATH_MAX], path[FX_DB_PATH_MAX], keys[FX_DB_PATH_MAX + 8], f[FX_DB_PATH_MAX + 32];
    struct store *s = NULL;
    struct pool p;
    struct err e;
    struct st_version v;
    struct st_memo m;
    struct st_message *msgs = NULL;
    struct store_migration r;
    unsigned char buf[64];
    size_t n = 0, len = 0;
    int fd, found = 0;
    int64_t org, who, ch, id;
    (void)state;

    err_init(&e);
    pool_init(&p, 1 << 22);
    fx_db_dir(dir, path, "dissent-test-atrest");
    OK(keydir_default_path(path, keys, sizeof keys, &e)); /* <dir>/test.keys */
    OK(store_open(&s, path, &e));
    org = fx_org(s, "org");
    who = fx_member(s, org, "alice", 1);
    ch = fx_channel(s, "c");
    id = fx_memo(s, ch, who, "bbbbbbbbbbbbbbbbbbbbbbbbbb", 1, 10);
    make_old(s, id);
    store_close(s);

    /* Refused until migrated, saying what to run. */
    assert_int_equal(store_open(&s, path, &e), -1);
    assert_int_equal(e.code, ERR_STATE);
    assert_non_null(strstr(e.msg, "dissent migrate"));

    OK(store_open_keys(&s, path, NULL, STORE_OPEN_UNMIGRATED, &e));
    OK(store_at_rest_migrate(s, &r, &e));
    assert_false(r.already);
    assert_true(r.log_key_moved);
    assert_int_equal(r.memo_keys, 1);
    assert_int_equal(r.values, 4); /* title, body, answer, message */
    /* Again: nothing to do. */
    OK(store_at_rest_migrate(s, &r, &e));
    assert_true(r.already);
    store_close(s);

    OK(store_open(&s, path, &e));
    OK(store_version_get(s, &p, id, 1, &v, &e));
    assert_string_equal(v.title, "old title " MARK);
    assert_string_equal(v.body, "old body " MARK);
    assert_null(v.verify_key);
    OK(store_memo_by_public_id(s, &p, "bbbbbbbbbbbbbbbbbbbbbbbbbb", &m, &e));
    assert_string_equal(m.answer, "old answer " MARK);
    assert_null(m.extension_reason);
    OK(store_message_list(s, &p, id, &msgs, &n, &e));
    assert_int_equal(n, 1);
    assert_string_equal(msgs[0].body, "old message " MARK);
    assert_null(strstr(raw(s, &p, "SELECT body FROM versions WHERE memo_id = ?", id), MARK));
    /* The log key left the database for the key directory. */
    OK(store_meta_get(s, &p, "log_signer", &msgs[0].body, &e));
    assert_null(msgs[0].body);
    OK(keydir_read(store_keydir(s), KEYDIR_LOG_KEY, buf, sizeof buf, &len, &found, &e));
    assert_true(found);
    assert_int_equal(len, 14);
    assert_memory_equal(buf, "PRIVATE+KEY+x\n", 14);

    /* Rotation: a new data key, every memo key re-wrapped, text unchanged. */
    unsigned char old_key[80], new_key[80];
    size_t old_len = 0, new_len = 0;
    int64_t rewrapped = 0;
    OK(keydir_read(store_keydir(s), KEYDIR_DATA_KEY, old_key, sizeof old_key, &old_len, &found,
                   &e));
    OK(store_rotate_data_key(s, &rewrapped, &e));
    assert_int_equal(rewrapped, 1);
    OK(store_version_get(s, &p, id, 1, &v, &e));
    assert_string_equal(v.body, "old body " MARK);
    store_close(s);
    OK(store_open(&s, path, &e));
    OK(keydir_read(store_keydir(s), KEYDIR_DATA_KEY, new_key, sizeof new_key, &new_len, &found,
                   &e));
    assert_int_equal(new_len, old_len);
    assert_memory_not_equal(new_key, old_key, old_len);
    OK(store_memo_by_public_id(s, &p, "bbbbbbbbbbbbbbbbbbbbbbbbbb", &m, &e));
    assert_string_equal(m.answer, "old answer " MARK);
    store_close(s);
    /* A rotation stopped after its commit, before the rename: the next
     * open finishes it; the old key alone is refused. */
    snprintf(f, sizeof f, "%s/data.key", keys);
    char f2[2 * TT_PATH_MAX];
    snprintf(f2, sizeof f2, "%s/data.key.new", keys);
    assert_int_equal(rename(f, f2), 0);
    fd = open(f, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, old_key, old_len), (ssize_t)old_len);
    close(fd);
    OK(store_open(&s, path, &e));
    OK(store_version_get(s, &p, id, 1, &v, &e));
    assert_string_equal(v.title, "old title " MARK);
    store_close(s);
    assert_int_equal(access(f2, F_OK), -1);
    unlink(f);
    fd = open(f, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, old_key, old_len), (ssize_t)old_len);
    close(fd);
    assert_int_equal(store_open(&s, path, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);

    /* Another installation's data key is refused. */
    snprintf(f, sizeof f, "%s/data.key", keys);
    unlink(f);
    assert_int_equal(store_open(&s, path, &e), -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    fd = open(f, O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd,
                           "00000000000000000000000000000000000000000000000000000000000000"
                           "00\n",
                           65),
                     65);
    close(fd);
    assert_int_equal(store_open(&s, path, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);

    assert_int_equal(tt_rm_tree(dir), 0);
    pool_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sealed),
        cmocka_unit_test(test_migrate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
