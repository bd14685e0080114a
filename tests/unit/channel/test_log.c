/* Tests for src/channel/log.c through channel/chan.h: the log key, signed
 * checkpoints opened with src/tlog, leaves whose hashes are recomputed,
 * inclusion proofs for every leaf and consistency proofs between sizes
 * verified with src/tlog, range refusals, and a key that survives reopening
 * the store. */
#include "unit/channel/fixture.h"

#include "tlog/checkpoint.h"
#include "tlog/hash.h"
#include "tlog/note.h"
#include "tlog/proof.h"

/* Decodes standard base64 of 32 bytes. */
static void unb64(unsigned char out[TLOG_HASH_SIZE], const char *s)
{
    size_t n = 0;
    assert_non_null(s);
    assert_int_equal(sodium_base642bin(out, TLOG_HASH_SIZE, s, strlen(s), NULL, &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(n, TLOG_HASH_SIZE);
}

static void proof_from_json(struct tlog_proof *p, const json_t *arr)
{
    p->len = json_array_size(arr);
    assert_true(p->len <= TLOG_PROOF_MAX);
    for (size_t i = 0; i < p->len; i++)
        unb64(p->hash[i], json_string_value(json_array_get(arr, i)));
}

/* Opens the current checkpoint with the log's published key; checks its
 * JSON fields against the signed note. */
static void open_checkpoint(struct fx *f, struct tlog_checkpoint *cp)
{
    struct err e;
    json_t *key = NULL, *out = NULL;
    struct tlog_verifier v;
    const char *vk, *note;
    unsigned char root[TLOG_HASH_SIZE];

    err_init(&e);
    fx_ok(chan_log_key(f->c, &key, &e), &e);
    vk = json_string_value(json_object_get(key, "verifier_key"));
    fx_ok(tlog_verifier_parse(&v, vk, strlen(vk), &e), &e);
    fx_ok(chan_log_checkpoint(f->c, &out, &e), &e);
    note = json_string_value(json_object_get(out, "note"));
    fx_ok(tlog_checkpoint_open(cp, note, strlen(note), &v, &e), &e);
    assert_string_equal(cp->origin, json_string_value(json_object_get(out, "origin")));
    assert_int_equal(cp->size, fx_int(out, "size", NULL));
    unb64(root, json_string_value(json_object_get(out, "root")));
    assert_memory_equal(root, cp->root, TLOG_HASH_SIZE);
    json_decref(out);
    json_decref(key);
}

static void test_key(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    err_init(&e);
    fx_ok(chan_log_key(f->c, &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "algorithm")), "ed25519");
    assert_int_equal(strlen(json_string_value(json_object_get(out, "public_key"))), 64);
    assert_non_null(strstr(json_string_value(json_object_get(out, "verifier_key")),
                           json_string_value(json_object_get(out, "origin"))));
    json_decref(out);
}

static void test_checkpoint_and_proofs(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct tlog_checkpoint old, cp;
    json_t *out = NULL, *row;
    char id[RANDOM_ID_LEN + 1];
    size_t i;

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_DRAFT, id);
    open_checkpoint(f, &old);
    assert_true(old.size >= 1);
    fx_act(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL);
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e);
    json_decref(out);
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    open_checkpoint(f, &cp);
    assert_true(cp.size >= old.size + 3);

    /* every leaf: its hash recomputed from its data, and proven included */
    fx_ok(chan_log_leaves(f->c, 0, (int64_t)cp.size, &out, &e), &e);
    assert_int_equal(fx_int(out, "size", NULL), (json_int_t)cp.size);
    assert_int_equal(json_array_size(json_object_get(out, "leaves")), cp.size);
    json_array_foreach(json_object_get(out, "leaves"), i, row)
    {
        const char *data = json_string_value(json_object_get(row, "data"));
        unsigned char h[TLOG_HASH_SIZE], published[TLOG_HASH_SIZE];
        json_t *inc = NULL;
        struct tlog_proof proof;
        assert_int_equal(fx_int(row, "index", NULL), (json_int_t)i);
        tlog_hash_leaf(h, data, strlen(data));
        unb64(published, json_string_value(json_object_get(row, "leaf_hash")));
        assert_memory_equal(h, published, TLOG_HASH_SIZE);
        fx_ok(chan_log_inclusion(f->c, (int64_t)i, (int64_t)cp.size, &inc, &e), &e);
        unb64(published, json_string_value(json_object_get(inc, "leaf_hash")));
        assert_memory_equal(h, published, TLOG_HASH_SIZE);
        proof_from_json(&proof, json_object_get(inc, "proof"));
        fx_ok(tlog_verify_inclusion(i, cp.size, h, &proof, cp.root, &e), &e);
        /* and not for another leaf */
        h[0] ^= 1;
        assert_int_equal(tlog_verify_inclusion(i, cp.size, h, &proof, cp.root, &e), -1);
        json_decref(inc);
    }
    json_decref(out);

    /* the old tree is a prefix of the new one */
    {
        struct tlog_proof proof;
        fx_ok(chan_log_consistency(f->c, (int64_t)old.size, (int64_t)cp.size, &out, &e), &e);
        proof_from_json(&proof, json_object_get(out, "proof"));
        fx_ok(tlog_verify_consistency(old.size, cp.size, old.root, cp.root, &proof, &e), &e);
        json_decref(out);
    }

    /* the leaves of one memo */
    fx_ok(chan_log_memo(f->c, id, &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "memo")), id);
    assert_true(json_array_size(json_object_get(out, "leaves")) >= 4);
    json_decref(out);
}

static void test_ranges(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    int64_t size = fx_log_size(f);

    err_init(&e);
    fx_refused(chan_log_leaves(f->c, -1, 1, &out, &e), &e, ERR_INVALID, "start <= i < end");
    fx_refused(chan_log_leaves(f->c, 2, 2, &out, &e), &e, ERR_INVALID, NULL);
    fx_refused(chan_log_leaves(f->c, 0, CHAN_LOG_PAGE + 1, &out, &e), &e, ERR_INVALID, "1000");
    /* an end past the log is cut to its size */
    fx_ok(chan_log_leaves(f->c, size - 1, size + 50, &out, &e), &e);
    assert_int_equal(json_array_size(json_object_get(out, "leaves")), 1);
    json_decref(out);
    fx_refused(chan_log_inclusion(f->c, size, size, &out, &e), &e, ERR_INVALID, "index < size");
    fx_refused(chan_log_inclusion(f->c, 0, size + 1, &out, &e), &e, ERR_INVALID, NULL);
    fx_refused(chan_log_inclusion(f->c, -1, size, &out, &e), &e, ERR_INVALID, NULL);
    fx_refused(chan_log_consistency(f->c, 0, size, &out, &e), &e, ERR_INVALID, "0 < from");
    fx_refused(chan_log_consistency(f->c, 2, 1, &out, &e), &e, ERR_INVALID, NULL);
    fx_refused(chan_log_consistency(f->c, 1, size + 1, &out, &e), &e, ERR_INVALID, NULL);
    fx_refused(chan_log_memo(f->c, "00000000000000000000000000", &out, &e), &e, ERR_NOT_FOUND,
               NULL);
    fx_refused(chan_log_memo(f->c, "short", &out, &e), &e, ERR_NOT_FOUND, NULL);
}

/* The log key is created once and kept: reopening the store signs with it. */
static void test_reopen(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *k1 = NULL, *k2 = NULL;
    struct tlog_checkpoint a, b;

    err_init(&e);
    open_checkpoint(f, &a);
    fx_ok(chan_log_key(f->c, &k1, &e), &e);
    chan_close(f->c);
    f->c = NULL;
    fx_ok(chan_open(&f->c, f->db, &e), &e);
    fx_ok(chan_log_key(f->c, &k2, &e), &e);
    assert_true(json_equal(k1, k2));
    open_checkpoint(f, &b);
    assert_int_equal(a.size, b.size);
    assert_memory_equal(a.root, b.root, TLOG_HASH_SIZE);
    json_decref(k1);
    json_decref(k2);
}

/* The checkpoint's validator, read without signing: the same as the one of
 * the checkpoint served from the same state, the same while nothing is
 * appended, another once a leaf is (a stale 304 otherwise). */
static void test_checkpoint_tag(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *again = NULL;
    char id[RANDOM_ID_LEN + 1];
    unsigned char t0[CHAN_LOG_TAG_SIZE], t1[CHAN_LOG_TAG_SIZE], served[CHAN_LOG_TAG_SIZE];

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_DRAFT, id);
    fx_ok(chan_log_checkpoint_tag(f->c, t0, &e), &e);
    fx_ok(chan_log_checkpoint_tag(f->c, t1, &e), &e);
    assert_memory_equal(t0, t1, sizeof t0);
    fx_ok(chan_log_checkpoint_tagged(f->c, &out, served, &e), &e);
    assert_memory_equal(t0, served, sizeof t0);
    /* equal tags, equal bodies: the note is signed deterministically */
    fx_ok(chan_log_checkpoint_tagged(f->c, &again, NULL, &e), &e);
    assert_true(json_equal(out, again));
    json_decref(out);
    json_decref(again);

    fx_act(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL); /* a new leaf */
    fx_ok(chan_log_checkpoint_tag(f->c, t1, &e), &e);
    assert_memory_not_equal(t0, t1, sizeof t0);
    fx_ok(chan_log_checkpoint_tagged(f->c, &out, served, &e), &e);
    assert_memory_equal(t1, served, sizeof t1);
    json_decref(out);
}

/* --log-origin: a new log's key is named by it (a C2SP origin, checked);
 * an existing log keeps its origin; the first key is recorded, and a key
 * substituted later is flagged on the key's JSON. */
static void test_origin_and_key_change(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct chan *c = NULL;
    json_t *k = NULL;
    char db[TT_PATH_MAX + 64], keyfile[TT_PATH_MAX + 64], first[TLOG_VERIFIER_KEY_MAX],
        fmt[TLOG_SIGNER_KEY_MAX];
    struct tlog_signer other;
    unsigned char tag_first[CHAN_LOG_TAG_SIZE], tag_other[CHAN_LOG_TAG_SIZE];
    FILE *out;

    err_init(&e);
    snprintf(db, sizeof db, "%s/origin.db", f->dir);
    snprintf(keyfile, sizeof keyfile, "%s/origin.keys/log.key", f->dir);
    fx_refused(chan_open_origin(&c, db, NULL, "https://example.gov/dissent", &e), &e, ERR_INVALID,
               "scheme");
    assert_null(c);
    fx_ok(chan_open_origin(&c, db, NULL, "example.gov/dissent", &e), &e);
    fx_ok(chan_log_key(c, &k, &e), &e);
    assert_string_equal(json_string_value(json_object_get(k, "origin")), "example.gov/dissent");
    assert_false(json_is_true(json_object_get(k, "key_changed")));
    assert_string_equal(json_string_value(json_object_get(k, "first_verifier_key")),
                        json_string_value(json_object_get(k, "verifier_key")));
    assert_int_equal(strlen(json_string_value(json_object_get(k, "key_id"))), 8);
    snprintf(first, sizeof first, "%s", json_string_value(json_object_get(k, "verifier_key")));
    fx_ok(chan_log_checkpoint_tag(c, tag_first, &e), &e);
    json_decref(k);
    k = NULL;
    chan_close(c);
    c = NULL;

    /* the same origin again, or none: the log opens; another: refused */
    fx_ok(chan_open_origin(&c, db, NULL, "example.gov/dissent", &e), &e);
    chan_close(c);
    c = NULL;
    fx_ok(chan_open_keys(&c, db, NULL, &e), &e);
    chan_close(c);
    c = NULL;
    fx_refused(chan_open_origin(&c, db, NULL, "other.example.gov/dissent", &e), &e, ERR_INVALID,
               "a log keeps its origin");
    {
        char id[9];
        memcpy(id, first + strlen("example.gov/dissent+"), 8);
        id[8] = '\0';
        assert_non_null(strstr(e.msg, id)); /* the key id of the log's key */
    }

    /* the operator substitutes another key of the same name */
    fx_ok(tlog_signer_generate(&other, "example.gov/dissent", &e), &e);
    fx_ok(tlog_signer_format(&other, fmt, &e), &e);
    out = fopen(keyfile, "w");
    assert_non_null(out);
    fprintf(out, "%s\n", fmt);
    fclose(out);
    tlog_signer_wipe(&other);
    fx_ok(chan_open_origin(&c, db, NULL, "example.gov/dissent", &e), &e);
    fx_ok(chan_log_key(c, &k, &e), &e);
    assert_true(json_is_true(json_object_get(k, "key_changed")));
    assert_string_equal(json_string_value(json_object_get(k, "first_verifier_key")), first);
    assert_string_not_equal(json_string_value(json_object_get(k, "verifier_key")), first);
    /* the same tree under another key: another checkpoint, another tag */
    fx_ok(chan_log_checkpoint_tag(c, tag_other, &e), &e);
    assert_memory_not_equal(tag_first, tag_other, sizeof tag_first);
    json_decref(k);
    chan_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key),
        cmocka_unit_test(test_checkpoint_and_proofs),
        cmocka_unit_test(test_checkpoint_tag),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_reopen),
        cmocka_unit_test(test_origin_and_key_change),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
