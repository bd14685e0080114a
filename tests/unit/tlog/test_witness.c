/* Tests for src/tlog/witness.c: the add-checkpoint rules of C2SP
 * tlog-witness on a real tree (tlog/memstore.h) and an in-memory store: first
 * checkpoint, consistent growth, stale old size (409 with the size), a fork
 * at the same size (409), a rewritten log (422), unknown origin (404), a
 * wrong log key (403), malformed bodies (400), a failing store (500,
 * nothing cosigned), and a damaged state. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "tlog/checkpoint.h"
#include "tlog/cosignature.h"
#include "tlog/memstore.h"
#include "tlog/tree.h"
#include "tlog/witness.h"

/* One stored note per origin (a single origin is enough here). */
struct mem_store {
    char origin[TLOG_NAME_MAX + 1];
    char note[TLOG_NOTE_MAX];
    size_t len;
    int have, fail_save, saves;
};

static int mem_load(void *ctx, const char *origin, struct buf *out, struct err *e)
{
    struct mem_store *m = ctx;
    if (!m->have || strcmp(m->origin, origin) != 0)
        return 0;
    return buf_append(out, m->note, m->len, e) == 0 ? 1 : -1;
}

static int mem_save(void *ctx, const char *origin, const char *note, size_t len, struct err *e)
{
    struct mem_store *m = ctx;
    if (m->fail_save)
        return err_set(e, ERR_IO, "disk full");
    snprintf(m->origin, sizeof m->origin, "%s", origin);
    memcpy(m->note, note, len);
    m->len = len;
    m->have = 1;
    m->saves++;
    return 0;
}

struct fixture {
    struct tlog_signer log, wkey;
    struct tlog_witness w;
    struct mem_store ms;
    struct tlog_memstore tree;
};

static struct fixture F;

static int setup(void **state)
{
    (void)state;
    struct err e;
    struct tlog_witness_store st = {.ctx = &F.ms, .load = mem_load, .save = mem_save};
    memset(&F, 0, sizeof F);
    err_init(&e);
    assert_int_equal(tlog_signer_generate(&F.log, "example.org/log", &e), 0);
    assert_int_equal(tlog_cosigner_generate(&F.wkey, "witness.example/w", &e), 0);
    tlog_witness_init(&F.w, &F.wkey, &st);
    assert_int_equal(tlog_witness_add_log(&F.w, &F.log.pub, &e), 0);
    assert_int_equal(tlog_witness_add_log(&F.w, &F.log.pub, &e), -1);
    tlog_memstore_init(&F.tree);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tlog_witness_release(&F.w);
    tlog_signer_wipe(&F.log);
    tlog_signer_wipe(&F.wkey);
    tlog_memstore_release(&F.tree);
    return 0;
}

static void grow(uint64_t to)
{
    struct err e;
    while (F.tree.size < to) {
        unsigned char leaf[TLOG_HASH_SIZE];
        char text[32];
        int n = snprintf(text, sizeof text, "leaf %llu", (unsigned long long)F.tree.size);
        tlog_hash_leaf(leaf, text, (size_t)n);
        assert_int_equal(tlog_memstore_append(&F.tree, leaf, &e), 0);
    }
}

/* The request body for the tree at size, from old (proof from old to size). */
static void request(struct buf *body, uint64_t old, uint64_t size, const struct tlog_signer *by,
                    const unsigned char *root_override)
{
    struct err e;
    struct tlog_node_source src = tlog_memstore_source(&F.tree);
    struct tlog_checkpoint cp;
    struct tlog_proof proof = {0};
    unsigned char root[TLOG_HASH_SIZE];
    struct buf note;
    buf_init(&note, TLOG_NOTE_MAX);
    assert_int_equal(tlog_root(&src, size, root, &e), 0);
    if (root_override)
        memcpy(root, root_override, TLOG_HASH_SIZE);
    assert_int_equal(tlog_checkpoint_init(&cp, by->pub.name, size, root, &e), 0);
    assert_int_equal(tlog_checkpoint_sign(&cp, by, &note, &e), 0);
    if (old > 0 && old < size)
        assert_int_equal(tlog_prove_consistency(&src, old, size, &proof, &e), 0);
    buf_reset(body);
    assert_int_equal(tlog_witness_format_request(old, &proof, note.data, note.len, body, &e), 0);
    buf_release(&note);
}

static int submit(const struct buf *body, struct tlog_witness_result *res, struct buf *out,
                  struct err *e)
{
    buf_reset(out);
    return tlog_witness_add_checkpoint(&F.w, body->data, body->len, 1700000000, res, out, e);
}

static void test_grow_and_cosign(void **state)
{
    (void)state;
    struct err e;
    struct buf body, out, full;
    struct tlog_witness_result res;
    struct tlog_note n;
    uint64_t t = 0;
    size_t off = 0;
    buf_init(&body, 1 << 20);
    buf_init(&out, 4096);
    buf_init(&full, 1 << 20);

    grow(5);
    request(&body, 0, 5, &F.log, NULL);
    assert_int_equal(submit(&body, &res, &out, &e), 0);
    assert_int_equal(res.status, 200);
    /* the reply is one cosignature line that verifies on the checkpoint */
    {
        uint64_t old;
        struct tlog_proof p;
        assert_int_equal(tlog_witness_parse_request(body.data, body.len, &old, &p, &off, &e), 0);
        assert_int_equal(old, 0);
        assert_int_equal(p.len, 0);
    }
    assert_int_equal(buf_append(&full, body.data + off, body.len - off, &e), 0);
    assert_int_equal(buf_append(&full, out.data, out.len, &e), 0);
    assert_int_equal(tlog_note_parse(&n, full.data, full.len, &e), 0);
    assert_int_equal(tlog_cosignature_verify(&n, &F.wkey.pub, &t, &e), 0);
    assert_int_equal(t, 1700000000);
    assert_int_equal(tlog_note_verify(&n, &F.log.pub, &e), 0);
    assert_int_equal(F.ms.saves, 1);

    /* consistent growth 5 -> 13 */
    grow(13);
    request(&body, 5, 13, &F.log, NULL);
    assert_int_equal(submit(&body, &res, &out, &e), 0);
    /* the same checkpoint again: same size, same root, cosigned again */
    request(&body, 13, 13, &F.log, NULL);
    assert_int_equal(submit(&body, &res, &out, &e), 0);
    assert_int_equal(res.status, 200);

    /* a stale old size: 409 with the latest size, nothing saved */
    grow(20);
    request(&body, 5, 20, &F.log, NULL);
    assert_int_equal(submit(&body, &res, &out, &e), -1);
    assert_int_equal(res.status, 409);
    assert_true(res.size_conflict);
    assert_int_equal(res.latest_size, 13);
    assert_int_equal(out.len, 0);
    /* an old size of 0 also learns the latest size */
    request(&body, 0, 20, &F.log, NULL);
    assert_int_equal(submit(&body, &res, &out, &e), -1);
    assert_int_equal(res.latest_size, 13);
    assert_int_equal(F.ms.saves, 3);

    /* old size larger than the checkpoint: 400 */
    request(&body, 13, 12, &F.log, NULL);
    assert_int_equal(submit(&body, &res, &out, &e), -1);
    assert_int_equal(res.status, 400);
    buf_release(&body);
    buf_release(&out);
    buf_release(&full);
}

static void test_fork_and_rewrite(void **state)
{
    (void)state;
    struct err e;
    struct buf body, out;
    struct tlog_witness_result res;
    unsigned char other[TLOG_HASH_SIZE];
    buf_init(&body, 1 << 20);
    buf_init(&out, 4096);
    grow(8);
    request(&body, 0, 8, &F.log, NULL);
    assert_int_equal(submit(&body, &res, &out, &e), 0);

    /* same size, another root, signed by the log: a fork, 409 */
    memset(other, 0x42, sizeof other);
    request(&body, 8, 8, &F.log, other);
    assert_int_equal(submit(&body, &res, &out, &e), -1);
    assert_int_equal(res.status, 409);
    assert_false(res.size_conflict);
    assert_non_null(strstr(e.msg, "fork"));

    /* a larger tree whose root is not an extension: 422 */
    grow(11);
    request(&body, 8, 11, &F.log, other);
    assert_int_equal(submit(&body, &res, &out, &e), -1);
    assert_int_equal(res.status, 422);
    assert_non_null(strstr(e.msg, "not consistent"));
    assert_int_equal(F.ms.saves, 1);

    /* the genuine extension is still accepted */
    request(&body, 8, 11, &F.log, NULL);
    assert_int_equal(submit(&body, &res, &out, &e), 0);
    buf_release(&body);
    buf_release(&out);
}

static void test_keys_and_origins(void **state)
{
    (void)state;
    struct err e;
    struct buf body, out;
    struct tlog_witness_result res;
    struct tlog_signer impostor, stranger;
    buf_init(&body, 1 << 20);
    buf_init(&out, 4096);
    grow(3);
    assert_int_equal(tlog_signer_generate(&impostor, "example.org/log", &e), 0);
    assert_int_equal(tlog_signer_generate(&stranger, "example.org/other", &e), 0);

    request(&body, 0, 3, &impostor, NULL);
    assert_int_equal(submit(&body, &res, &out, &e), -1);
    assert_int_equal(res.status, 403);
    {
        char hex[9];
        hex_encode(hex, F.log.pub.key_id, 4);
        assert_non_null(strstr(e.msg, hex));
        /* expected vs got: the impostor's key id is named too */
        hex_encode(hex, impostor.pub.key_id, 4);
        assert_non_null(strstr(e.msg, hex));
    }
    request(&body, 0, 3, &stranger, NULL);
    assert_int_equal(submit(&body, &res, &out, &e), -1);
    assert_int_equal(res.status, 404);
    assert_int_equal(F.ms.saves, 0);

    /* a failing store: 500 and no cosignature */
    F.ms.fail_save = 1;
    request(&body, 0, 3, &F.log, NULL);
    assert_int_equal(submit(&body, &res, &out, &e), -1);
    assert_int_equal(res.status, 500);
    assert_int_equal(out.len, 0);
    F.ms.fail_save = 0;

    /* a damaged state is refused rather than trusted */
    assert_int_equal(submit(&body, &res, &out, &e), 0);
    F.ms.note[0] ^= 1;
    request(&body, 3, 3, &F.log, NULL);
    assert_int_equal(submit(&body, &res, &out, &e), -1);
    assert_int_equal(res.status, 500);
    assert_non_null(strstr(e.msg, "damaged"));

    tlog_signer_wipe(&impostor);
    tlog_signer_wipe(&stranger);
    buf_release(&body);
    buf_release(&out);
}

static void test_malformed(void **state)
{
    (void)state;
    struct err e;
    struct buf out;
    struct tlog_witness_result res;
    uint64_t old;
    struct tlog_proof p;
    size_t off;
    const char *bad[] = {
        "",
        "old 01\n\nx\n",
        "old -1\n\n",
        "new 1\n\n",
        "old 1\nAAAA\n\n",
        "old 1\nnot base64 at all, not at all, not at all!!\n\n",
        "old 1\n",
        "old 0\n\nexample.org/log\n1\n",
    };
    buf_init(&out, 4096);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(
            tlog_witness_add_checkpoint(&F.w, bad[i], strlen(bad[i]), 1, &res, &out, &e), -1);
        assert_int_equal(res.status, 400);
    }
    /* 64 proof lines are too many */
    {
        struct buf b;
        buf_init(&b, 1 << 16);
        assert_int_equal(buf_puts(&b, "old 1\n", &e), 0);
        for (int i = 0; i < 64; i++)
            assert_int_equal(buf_puts(&b, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", &e), 0);
        assert_int_equal(buf_puts(&b, "\n", &e), 0);
        assert_int_equal(tlog_witness_parse_request(b.data, b.len, &old, &p, &off, &e), -1);
        assert_non_null(strstr(e.msg, "63"));
        buf_release(&b);
    }
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_grow_and_cosign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fork_and_rewrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_and_origins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
