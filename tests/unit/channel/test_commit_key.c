/* Tests for the commitment key (src/channel/commit_key.c): commit.key is
 * made with the installation (64 hex digits, mode 0600); the salts of answer
 * and named-signer commitments come from it and not from the log's signing
 * seed; a signer whose commitment was published under the old derivation
 * keeps it (and their receipt opens it); a missing commit.key for a
 * database that had one is refused until the key directory is restored. */
#include "unit/channel/fixture.h"

#include "channel/chan_internal.h"
#include "proto/commit.h"
#include "proto/events.h"
#include "store/keydir.h"
#include "tlog/note.h"

#include <sys/stat.h>

static void read_key(struct fx *f, const char *name, char *buf, size_t n)
{
    char path[512];
    FILE *fp;
    size_t len;
    snprintf(path, sizeof path, "%s/test.keys/%s", f->dir, name);
    fp = fopen(path, "r");
    assert_non_null(fp);
    len = fread(buf, 1, n - 1, fp);
    buf[len] = '\0';
    fclose(fp);
}

static void commit_key(struct fx *f, unsigned char key[32])
{
    char buf[128], path[512];
    struct stat st;
    read_key(f, KEYDIR_COMMIT_KEY, buf, sizeof buf);
    assert_int_equal(strlen(buf), 65);
    buf[64] = '\0';
    assert_int_equal(hex_decode(key, 32, buf), 0);
    snprintf(path, sizeof path, "%s/test.keys/%s", f->dir, KEYDIR_COMMIT_KEY);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
}

static void log_seed(struct fx *f, struct tlog_signer *s)
{
    char buf[512];
    struct err e;
    size_t len;
    err_init(&e);
    read_key(f, KEYDIR_LOG_KEY, buf, sizeof buf);
    len = strlen(buf);
    while (len && buf[len - 1] == '\n')
        len--;
    fx_ok(tlog_signer_parse(s, buf, len, &e), &e);
}

static const char *receipt_salt(struct fx *f, const struct actor *a, const char *id, json_t **keep)
{
    struct err e;
    err_init(&e);
    fx_ok(chan_signer_receipt(f->c, &f->p, a, id, keep, &e), &e);
    return json_string_value(json_object_get(*keep, "salt"));
}

static void test_salts_come_from_the_commitment_key(void **state)
{
    struct fx *f = *state;
    struct err e;
    unsigned char key[32], salt[PROTO_SALT_BYTES];
    char want[PROTO_COMMIT_HEX], old[PROTO_COMMIT_HEX], hex[PROTO_COMMIT_HEX];
    struct tlog_signer ls;
    json_t *out = NULL, *l = NULL;
    char id[RANDOM_ID_LEN + 1];
    int64_t size;

    err_init(&e);
    commit_key(f, key);
    log_seed(f, &ls);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e);
    json_decref(out);
    proto_signer_salt(key, id, "bob", want);
    proto_signer_salt(ls.sk, id, "bob", old);
    assert_string_equal(receipt_salt(f, &f->bob, id, &out), want);
    assert_string_not_equal(want, old);
    json_decref(out);

    /* the answer's commitment */
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    fx_act(f, &f->rev, id, CHAN_OP_ACKNOWLEDGE, NULL);
    fx_act(f, &f->rev, id, CHAN_OP_ANSWER, "Declined.");
    fx_ok(chan_log_checkpoint(f->c, &out, &e), &e);
    size = json_integer_value(json_object_get(out, "size"));
    json_decref(out);
    fx_ok(chan_log_leaves(f->c, size - 1, size, &out, &e), &e);
    l = json_loads(json_string_value(
                       json_object_get(json_array_get(json_object_get(out, "leaves"), 0), "data")),
                   0, NULL);
    json_decref(out);
    proto_text_salt(key, id, "answered", "", salt);
    proto_text_commitment(salt, "answer", "Declined.", hex);
    assert_string_equal(json_string_value(json_object_get(l, "answer_commitment")), hex);
    proto_text_salt(ls.sk, id, "answered", "", salt);
    proto_text_commitment(salt, "answer", "Declined.", hex);
    assert_string_not_equal(json_string_value(json_object_get(l, "answer_commitment")), hex);
    json_decref(l);
    tlog_signer_wipe(&ls);
}

static void test_older_commitments_keep_their_salt(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct tlog_signer ls;
    char old[PROTO_COMMIT_HEX], commitment[65], id[RANDOM_ID_LEN + 1];
    json_t *out = NULL, *counts = NULL;
    struct memo_ctx x;

    err_init(&e);
    log_seed(f, &ls);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    /* carol signed (and withdrew) before commit.key existed: her leaves
     * carry the commitment of the log-seed salt */
    proto_signer_salt(ls.sk, id, "carol", old);
    proto_signer_commitment(old, id, "carol", commitment);
    memset(&x, 0, sizeof x);
    fx_ok(store_begin(chan_store(f->c), &e), &e);
    fx_ok(store_memo_by_public_id(chan_store(f->c), &f->p, id, &x.m, &e), &e);
    fx_ok(chan_counts_combined(f->c, x.m.id, &counts, &e), &e);
    fx_ok(chan_log_append(f->c, proto_leaf_signature("add", 1, commitment, counts), id, "signature",
                          1, &e),
          &e);
    fx_ok(store_commit(chan_store(f->c), &e), &e);
    /* Only leaves below the log size at which the key came into use are
     * searched for older commitments (a new installation searches none):
     * a leaf added after it is not taken as older. */
    fx_ok(chan_sign(f->c, &f->p, &f->carol, id, 0, &out, &e), &e);
    json_decref(out);
    assert_string_not_equal(receipt_salt(f, &f->carol, id, &out), old);
    json_decref(out);
    fx_ok(chan_unsign(f->c, &f->p, &f->carol, id, &out, &e), &e);
    json_decref(out);
    /* An installation upgraded from before the key: its bound is the log's
     * size when it first opened with the key, after the older leaves. */
    int64_t size = 0;
    char num[24];
    struct chan *upgraded = NULL, *kept = f->c;
    fx_ok(store_begin(chan_store(f->c), &e), &e);
    fx_ok(store_tlog_size(chan_store(f->c), &size, &e), &e);
    snprintf(num, sizeof num, "%lld", (long long)size);
    fx_ok(store_meta_set(chan_store(f->c), "commit_key_since", num, &e), &e);
    fx_ok(store_commit(chan_store(f->c), &e), &e);
    fx_ok(chan_open(&upgraded, f->db, &e), &e);
    chan_batch_set_interval(upgraded, 0); /* as the fixture's: publish at once */
    f->c = upgraded;
    /* she signs again now: the same commitment, and her receipt opens it */
    fx_ok(chan_sign(f->c, &f->p, &f->carol, id, 0, &out, &e), &e);
    json_decref(out);
    assert_string_equal(receipt_salt(f, &f->carol, id, &out), old);
    assert_int_equal(json_array_size(json_object_get(out, "leaves")), 2);
    json_decref(out);
    f->c = kept;
    chan_close(upgraded);
    tlog_signer_wipe(&ls);
}

static void test_a_lost_key_is_refused(void **state)
{
    struct fx *f = *state;
    struct err e;
    char path[512], moved[512];
    struct chan *c2 = NULL;

    err_init(&e);
    snprintf(path, sizeof path, "%s/test.keys/%s", f->dir, KEYDIR_COMMIT_KEY);
    snprintf(moved, sizeof moved, "%s/commit.key.saved", f->dir);
    assert_int_equal(rename(path, moved), 0);
    fx_refused(chan_open(&c2, f->db, &e), &e, ERR_NOT_FOUND, "restore the key directory");
    assert_int_equal(rename(moved, path), 0);
    fx_ok(chan_open(&c2, f->db, &e), &e);
    chan_close(c2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_salts_come_from_the_commitment_key),
        cmocka_unit_test(test_older_commitments_keep_their_salt),
        cmocka_unit_test(test_a_lost_key_is_refused),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
