/* Tests for src/channel/log_tiles.c: C2SP tiles read from the stored tree —
 * every hash of a level-0 tile is the leaf hash of the matching entry in
 * the entry bundle, entries are the leaves' bytes, tiles beyond the tree
 * are not found. */
#include "unit/channel/fixture.h"

#include "tlog/hash.h"
#include "tlog/tile.h"

static void test_level0_and_entries(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *leaves;
    char id[RANDOM_ID_LEN + 1];
    struct buf hashes, bundle;
    size_t n, at = 0;

    err_init(&e);
    buf_init(&hashes, 1u << 20);
    buf_init(&bundle, 1u << 24);
    fx_memo_in(f, CHAN_STATE_DRAFT, id);
    fx_act(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL);
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_log_leaves(f->c, 0, 1000, &out, &e), &e);
    leaves = json_object_get(out, "leaves");
    n = json_array_size(leaves);
    assert_true(n >= 3 && n < 256);

    struct tlog_tile t = {.entries = 0, .level = 0, .index = 0, .width = (unsigned)n};
    fx_ok(chan_log_tile(f->c, &t, &hashes, &e), &e);
    assert_int_equal(hashes.len, 32 * n);
    t.entries = 1;
    fx_ok(chan_log_tile(f->c, &t, &bundle, &e), &e);
    for (size_t i = 0; i < n; i++) {
        const char *data = json_string_value(json_object_get(json_array_get(leaves, i), "data"));
        const unsigned char *b = (const unsigned char *)bundle.data + at;
        size_t len = (size_t)b[0] << 8 | b[1];
        unsigned char h[TLOG_HASH_SIZE];
        assert_true(at + 2 + len <= bundle.len);
        assert_int_equal(len, strlen(data));
        assert_memory_equal(b + 2, data, len);
        tlog_hash_leaf(h, b + 2, len);
        assert_memory_equal(h, hashes.data + 32 * i, 32);
        at += 2 + len;
    }
    assert_int_equal(at, bundle.len);

    /* beyond the tree: a wider partial, a full tile, a level-1 tile */
    t.width = (unsigned)n + 1;
    assert_int_equal(chan_log_tile(f->c, &t, &bundle, &e), -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    t.entries = 0;
    t.width = TLOG_TILE_WIDTH;
    assert_int_equal(chan_log_tile(f->c, &t, &hashes, &e), -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    t.level = 1;
    t.width = 1;
    assert_int_equal(chan_log_tile(f->c, &t, &hashes, &e), -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    json_decref(out);
    buf_release(&hashes);
    buf_release(&bundle);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level0_and_entries),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
