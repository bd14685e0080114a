/* Tests for src/client/evidence.c: evidence of a fork built from two
 * contradicting notes and checked with no server — same size with two roots
 * (conclusive), a failing consistency proof (valid, not conclusive), a
 * subtree of the old frontier that the new tree holds differently
 * (conclusive); and everything that is not evidence refused: the same
 * checkpoint twice, consistent trees, another key, a tampered note, a
 * frontier or subtree that does not prove anything, an unknown format. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "client/evidence.h"
#include "tlog/checkpoint.h"
#include "tlog/cosignature.h"
#include "tlog/memstore.h"
#include "tlog/tree.h"
#include "unit/test_tmp.h"

#define ORIGIN "example.org/log"

/* A tree of n leaves "leaf i" (leaf `changed`, if < n, reads "CHANGED"). */
static void build(struct tlog_memstore *ms, uint64_t n, uint64_t changed)
{
    struct err e;
    err_init(&e);
    tlog_memstore_init(ms);
    for (uint64_t i = 0; i < n; i++) {
        char data[32];
        unsigned char h[TLOG_HASH_SIZE];
        snprintf(data, sizeof data, i == changed ? "CHANGED" : "leaf %llu", (unsigned long long)i);
        tlog_hash_leaf(h, data, strlen(data));
        assert_int_equal(tlog_memstore_append(ms, h, &e), 0);
    }
}

/* The signed note of the first n leaves of ms into note (a C string). */
static void sign_at(struct tlog_memstore *ms, uint64_t n, const struct tlog_signer *s,
                    struct buf *note)
{
    struct tlog_node_source src = tlog_memstore_source(ms);
    struct tlog_checkpoint cp;
    unsigned char root[TLOG_HASH_SIZE];
    struct err e;
    err_init(&e);
    buf_reset(note);
    assert_int_equal(tlog_root(&src, n, root, &e), 0);
    assert_int_equal(tlog_checkpoint_init(&cp, s->pub.name, n, root, &e), 0);
    assert_int_equal(tlog_checkpoint_sign(&cp, s, note, &e), 0);
    assert_non_null(buf_str(note));
}

/* The compact range of the first n leaves of ms. */
static void frontier_of(struct tlog_memstore *ms, uint64_t n, struct logc_range *r)
{
    struct tlog_node_source src = tlog_memstore_source(ms);
    struct err e;
    err_init(&e);
    logc_range_init(r);
    r->size = n;
    for (size_t j = 0; j < (size_t)__builtin_popcountll(n); j++) {
        uint64_t s;
        unsigned h;
        evidence_subtree_at(n, j, &s, &h);
        assert_int_equal(tlog_subtree_hash(&src, s, s + ((uint64_t)1 << h), r->hash[j], &e), 0);
        r->n++;
    }
}

static void test_same_size(void **state)
{
    (void)state;
    struct tlog_signer log;
    struct tlog_memstore a, b;
    struct buf na, nb;
    struct err e;
    json_t *ev = NULL;
    struct evidence_verdict vd;
    err_init(&e);
    buf_init(&na, TLOG_NOTE_MAX);
    buf_init(&nb, TLOG_NOTE_MAX);
    assert_int_equal(tlog_signer_generate(&log, ORIGIN, &e), 0);
    build(&a, 10, UINT64_MAX);
    build(&b, 10, 3);
    sign_at(&a, 10, &log, &na);
    sign_at(&b, 10, &log, &nb);

    assert_int_equal(evidence_build(&log.pub, nb.data, na.data, NULL, "test", &ev, &e), 0);
    assert_string_equal(json_string_value(json_object_get(ev, "kind")), "same-size");
    assert_int_equal(evidence_check(ev, &vd, &e), 0);
    assert_int_equal(vd.conclusive, 1);
    assert_int_equal(vd.a.size, 10);
    assert_non_null(strstr(vd.why, "two different roots for the same tree size 10"));

    /* a note tampered with after signing: not evidence */
    {
        json_t *bad = json_deep_copy(ev);
        char *t = strdup(nb.data);
        t[strlen(ORIGIN) + 1] = '9'; /* the size line */
        json_array_set_new(json_object_get(bad, "notes"), 1, json_string(t));
        assert_int_equal(evidence_check(bad, &vd, &e), -1);
        assert_non_null(strstr(e.msg, "does not open with the log key"));
        free(t);
        json_decref(bad);
    }
    /* another log key: the notes do not open with it */
    {
        struct tlog_signer other;
        char vk[TLOG_VERIFIER_KEY_MAX];
        json_t *bad = json_deep_copy(ev);
        assert_int_equal(tlog_signer_generate(&other, ORIGIN, &e), 0);
        assert_int_equal(tlog_verifier_format(&other.pub, vk, &e), 0);
        json_object_set_new(bad, "log_key", json_string(vk));
        assert_int_equal(evidence_check(bad, &vd, &e), -1);
        json_decref(bad);
        tlog_signer_wipe(&other);
    }
    /* the same checkpoint twice is no contradiction */
    json_decref(ev);
    ev = NULL;
    assert_int_equal(evidence_build(&log.pub, na.data, na.data, NULL, "test", &ev, &e), -1);
    /* an unknown format */
    {
        json_t *bad = json_pack("{s:s}", "format", "something/v0");
        assert_int_equal(evidence_check(bad, &vd, &e), -1);
        assert_non_null(strstr(e.msg, "format"));
        json_decref(bad);
    }

    tlog_memstore_release(&a);
    tlog_memstore_release(&b);
    buf_release(&na);
    buf_release(&nb);
    tlog_signer_wipe(&log);
}

static void test_rewritten_and_grown(void **state)
{
    (void)state;
    struct tlog_signer log;
    struct tlog_memstore a, b;
    struct buf na, nb;
    struct err e;
    json_t *ev = NULL;
    struct evidence_verdict vd;
    struct tlog_proof p;
    struct tlog_node_source srcb;
    struct logc_range fr;
    int proven = 0;
    err_init(&e);
    buf_init(&na, TLOG_NOTE_MAX);
    buf_init(&nb, TLOG_NOTE_MAX);
    assert_int_equal(tlog_signer_generate(&log, ORIGIN, &e), 0);
    build(&a, 13, UINT64_MAX); /* 13 = 8 + 4 + 1: three subtrees */
    build(&b, 20, 9);          /* leaf 9 rewritten, the tree rehashed, grown */
    srcb = tlog_memstore_source(&b);
    sign_at(&a, 13, &log, &na);
    sign_at(&b, 20, &log, &nb);

    /* the log's consistency proof (from its rewritten tree) fails */
    assert_int_equal(tlog_prove_consistency(&srcb, 13, 20, &p, &e), 0);
    assert_int_equal(evidence_build(&log.pub, na.data, nb.data, &p, "test", &ev, &e), 0);
    assert_string_equal(json_string_value(json_object_get(ev, "kind")), "consistency");
    assert_int_equal(evidence_check(ev, &vd, &e), 0);
    assert_int_equal(vd.conclusive, 0);
    assert_int_equal(vd.a.size, 13);
    assert_int_equal(vd.b.size, 20);
    assert_non_null(strstr(vd.why, "from=13&to=20"));

    /* subtrees: [0,8) and [12,13) are the same in both, [8,12) is not */
    frontier_of(&a, 13, &fr);
    for (size_t j = 0; j < fr.n; j++) {
        uint64_t s;
        unsigned h;
        unsigned char lh[TLOG_HASH_SIZE];
        struct tlog_proof incl;
        evidence_subtree_at(13, j, &s, &h);
        assert_int_equal(tlog_subtree_hash(&srcb, s, s + 1, lh, &e), 0);
        assert_int_equal(tlog_prove_inclusion(&srcb, s, 20, &incl, &e), 0);
        if (s == 8) {
            assert_int_equal(evidence_add_subtree(ev, &fr, s, lh, &incl, &e), 0);
            proven = 1;
        } else {
            assert_int_equal(evidence_add_subtree(ev, &fr, s, lh, &incl, &e), -1);
            assert_non_null(strstr(e.msg, "the same in both trees"));
        }
    }
    assert_true(proven);
    assert_string_equal(json_string_value(json_object_get(ev, "kind")), "subtree");
    assert_int_equal(evidence_check(ev, &vd, &e), 0);
    assert_int_equal(vd.conclusive, 1);

    /* a frontier edited to match the new tree no longer hashes to A's root */
    {
        json_t *bad = json_deep_copy(ev);
        json_t *sub = json_object_get(bad, "subtree");
        json_array_set_new(json_object_get(sub, "frontier"), 0,
                           json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        assert_int_equal(evidence_check(bad, &vd, &e), -1);
        assert_non_null(strstr(e.msg, "does not hash to the root of note A"));
        json_decref(bad);
    }
    json_decref(ev);

    /* consistent trees: the log's proof verifies, no evidence */
    {
        struct tlog_memstore c;
        struct buf nc;
        struct tlog_node_source srcc;
        buf_init(&nc, TLOG_NOTE_MAX);
        build(&c, 20, UINT64_MAX);
        srcc = tlog_memstore_source(&c);
        sign_at(&c, 20, &log, &nc);
        assert_int_equal(tlog_prove_consistency(&srcc, 13, 20, &p, &e), 0);
        assert_int_equal(evidence_build(&log.pub, na.data, nc.data, &p, "test", &ev, &e), 0);
        assert_int_equal(evidence_check(ev, &vd, &e), -1);
        assert_non_null(strstr(e.msg, "consistent"));
        json_decref(ev);
        tlog_memstore_release(&c);
        buf_release(&nc);
    }

    tlog_memstore_release(&a);
    tlog_memstore_release(&b);
    buf_release(&na);
    buf_release(&nb);
    tlog_signer_wipe(&log);
}

/* Appends a cosignature of w (at time t) to a signed note. */
static void cosign(struct buf *note, const struct tlog_signer *w, uint64_t t)
{
    struct tlog_note n;
    struct buf text, line;
    struct err e;
    err_init(&e);
    buf_init(&text, TLOG_NOTE_MAX);
    buf_init(&line, 1024);
    assert_int_equal(tlog_note_parse(&n, note->data, note->len, &e), 0);
    assert_int_equal(buf_append(&text, n.text, n.text_len, &e), 0);
    assert_int_equal(tlog_cosign(text.data, text.len, t, w, &line, &e), 0);
    assert_int_equal(buf_append(note, line.data, line.len, &e), 0);
    assert_non_null(buf_str(note));
    buf_release(&text);
    buf_release(&line);
}

/* The signers of each note are listed; the witnesses of a policy that
 * cosigned are verified, and one that cosigned both notes is counted. */
static void test_witnesses(void **state)
{
    (void)state;
    struct tlog_signer log, honest, liar;
    struct tlog_memstore a, b;
    struct buf na, nb;
    struct err e;
    json_t *ev = NULL;
    struct evidence_verdict vd;
    struct tlog_policy p;
    err_init(&e);
    buf_init(&na, TLOG_NOTE_MAX);
    buf_init(&nb, TLOG_NOTE_MAX);
    assert_int_equal(tlog_signer_generate(&log, ORIGIN, &e), 0);
    assert_int_equal(tlog_cosigner_generate(&honest, "w.example.org/honest", &e), 0);
    assert_int_equal(tlog_cosigner_generate(&liar, "w.example.org/liar", &e), 0);
    build(&a, 6, UINT64_MAX);
    build(&b, 6, 2);
    sign_at(&a, 6, &log, &na);
    sign_at(&b, 6, &log, &nb);
    cosign(&na, &honest, 1764000000);
    cosign(&na, &liar, 1764000001);
    cosign(&nb, &liar, 1764000002);
    assert_int_equal(evidence_build(&log.pub, na.data, nb.data, NULL, "test", &ev, &e), 0);
    assert_int_equal(evidence_check(ev, &vd, &e), 0);
    assert_int_equal(vd.nsigners[0], 3);
    assert_int_equal(vd.nsigners[1], 2);
    assert_string_equal(vd.signers[0][0].name, ORIGIN);
    assert_string_equal(vd.signers[0][1].name, "w.example.org/honest");

    tlog_policy_init(&p);
    assert_int_equal(evidence_witnesses(ev, &p, &vd), 0); /* no policy: nothing verified */
    assert_int_equal(vd.signers[0][1].witness, 0);
    assert_int_equal(tlog_policy_add(&p, &honest.pub, &e), 0);
    assert_int_equal(tlog_policy_add(&p, &liar.pub, &e), 0);
    assert_int_equal(evidence_witnesses(ev, &p, &vd), 1); /* the liar cosigned both */
    assert_int_equal(vd.signers[0][1].witness, 1);
    assert_int_equal(vd.signers[0][1].time, 1764000000);
    assert_int_equal(vd.signers[1][1].witness, 1);
    assert_int_equal(vd.signers[1][1].time, 1764000002);
    assert_int_equal(vd.signers[0][0].witness, 0); /* the log's own signature */

    json_decref(ev);
    tlog_memstore_release(&a);
    tlog_memstore_release(&b);
    buf_release(&na);
    buf_release(&nb);
    tlog_signer_wipe(&log);
    tlog_signer_wipe(&honest);
    tlog_signer_wipe(&liar);
}

static void test_file(void **state)
{
    (void)state;
    struct tlog_signer log;
    struct tlog_memstore a, b;
    struct buf na, nb;
    struct err e;
    json_t *ev = NULL, *back = NULL;
    struct evidence_verdict vd;
    char dir[TT_PATH_MAX], path[TT_PATH_MAX + 32];
    err_init(&e);
    buf_init(&na, TLOG_NOTE_MAX);
    buf_init(&nb, TLOG_NOTE_MAX);
    tt_mkdtemp(dir, sizeof dir, "dissent-evidence");
    snprintf(path, sizeof path, "%s/x.json", dir);
    assert_int_equal(tlog_signer_generate(&log, ORIGIN, &e), 0);
    build(&a, 5, UINT64_MAX);
    build(&b, 5, 0);
    sign_at(&a, 5, &log, &na);
    sign_at(&b, 5, &log, &nb);
    assert_int_equal(evidence_build(&log.pub, na.data, nb.data, NULL, "test", &ev, &e), 0);
    assert_int_equal(evidence_save(path, ev, &e), 0);
    assert_int_equal(evidence_load(path, &back, &e), 0);
    assert_int_equal(evidence_check(back, &vd, &e), 0);
    assert_int_equal(vd.conclusive, 1);
    json_decref(back);
    snprintf(path, sizeof path, "%s/missing.json", dir);
    assert_int_equal(evidence_load(path, &back, &e), -1);
    assert_int_equal(tt_rm_tree(dir), 0);
    json_decref(ev);
    tlog_memstore_release(&a);
    tlog_memstore_release(&b);
    buf_release(&na);
    buf_release(&nb);
    tlog_signer_wipe(&log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_size),
        cmocka_unit_test(test_rewritten_and_grown),
        cmocka_unit_test(test_witnesses),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
