/* Tests for src/tlog/checkpoint.c: signed checkpoints round trip, every
 * field tampered with is rejected, wrong keys are rejected, malformed
 * checkpoint texts are rejected, and a checkpoint of a real tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "tlog/checkpoint.h"
#include "tlog/memstore.h"
#include "tlog/tree.h"

#define ORIGIN "dissent.example/log"

static struct tlog_signer signer;

static int setup(void **state)
{
    (void)state;
    struct err e;
    err_init(&e);
    if (sodium_init() < 0)
        return -1;
    return tlog_signer_generate(&signer, ORIGIN, &e);
}

static int teardown(void **state)
{
    (void)state;
    tlog_signer_wipe(&signer);
    return 0;
}

static void sample(struct tlog_checkpoint *c, uint64_t size)
{
    unsigned char root[32];
    struct err e;
    err_init(&e);
    for (int i = 0; i < 32; i++)
        root[i] = (unsigned char)(i * 7 + 1);
    assert_int_equal(tlog_checkpoint_init(c, ORIGIN, size, root, &e), 0);
}

static int open_cp(const char *msg, const struct tlog_verifier *v, struct tlog_checkpoint *out,
                   struct err *e)
{
    return tlog_checkpoint_open(out, msg, strlen(msg), v, e);
}

static void test_round_trip(void **state)
{
    (void)state;
    struct tlog_checkpoint c, got;
    struct buf out;
    struct err e;
    err_init(&e);
    buf_init(&out, TLOG_NOTE_MAX);
    const uint64_t sizes[] = {0, 1, 9, 10, 1234567, TLOG_MAX_SIZE};
    for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
        sample(&c, sizes[i]);
        buf_reset(&out);
        assert_int_equal(tlog_checkpoint_sign(&c, &signer, &out, &e), 0);
        memset(&got, 0xee, sizeof got);
        if (open_cp(buf_str(&out), &signer.pub, &got, &e) != 0)
            fail_msg("open: %s\n%s", e.msg, buf_str(&out));
        assert_string_equal(got.origin, ORIGIN);
        assert_true(got.size == sizes[i]);
        assert_memory_equal(got.root, c.root, 32);
    }
    /* the exact text layout */
    sample(&c, 10);
    buf_reset(&out);
    assert_int_equal(tlog_checkpoint_format(&c, &out, &e), 0);
    assert_string_equal(buf_str(&out),
                        ORIGIN "\n10\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n");
    /* and the signed note: text, blank line, one signature line of 4+64 bytes */
    buf_reset(&out);
    assert_int_equal(tlog_checkpoint_sign(&c, &signer, &out, &e), 0);
    const char *s = buf_str(&out);
    const char *want_prefix =
        ORIGIN "\n10\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n\n\xe2\x80\x94 " ORIGIN " ";
    assert_memory_equal(s, want_prefix, strlen(want_prefix));
    assert_int_equal(strlen(s + strlen(want_prefix)), 92 + 1); /* base64 of 68 bytes, newline */
    buf_release(&out);
}

/* Changing any single byte of a signed checkpoint makes it fail to open
 * (a flip inside the key id turns the signature into an unknown one: also a
 * failure, since no signature by the known key is left). */
static void test_tamper_every_byte(void **state)
{
    (void)state;
    struct tlog_checkpoint c, got;
    struct buf out;
    struct err e;
    err_init(&e);
    buf_init(&out, TLOG_NOTE_MAX);
    sample(&c, 4242);
    assert_int_equal(tlog_checkpoint_sign(&c, &signer, &out, &e), 0);
    char m[1024];
    size_t len = out.len;
    assert_true(len < sizeof m);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(m, out.data, len + 1);
            m[i] = (char)(m[i] ^ (1 << bit));
            if (tlog_checkpoint_open(&got, m, len, &signer.pub, &e) == 0)
                fail_msg("tampered checkpoint accepted (byte %zu bit %d)", i, bit);
        }
    }
    /* field by field, re-signed by another key under the same name */
    struct tlog_signer other;
    assert_int_equal(tlog_signer_generate(&other, ORIGIN, &e), 0);
    buf_reset(&out);
    assert_int_equal(tlog_checkpoint_sign(&c, &other, &out, &e), 0);
    assert_int_equal(open_cp(buf_str(&out), &signer.pub, &got, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    tlog_signer_wipe(&other);
    buf_release(&out);
}

static void test_fields_tampered(void **state)
{
    (void)state;
    struct tlog_checkpoint c, got;
    struct buf out;
    struct err e;
    err_init(&e);
    buf_init(&out, TLOG_NOTE_MAX);
    sample(&c, 77);
    assert_int_equal(tlog_checkpoint_sign(&c, &signer, &out, &e), 0);
    const char *sigline = strstr(buf_str(&out), "\n\n") + 2;
    char m[1024];

    /* size changed */
    snprintf(m, sizeof m, ORIGIN "\n78\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n\n%s",
             sigline);
    assert_int_equal(open_cp(m, &signer.pub, &got, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    /* root changed */
    snprintf(m, sizeof m, ORIGIN "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09k=\n\n%s",
             sigline);
    assert_int_equal(open_cp(m, &signer.pub, &got, &e), -1);
    /* origin changed */
    snprintf(m, sizeof m,
             "dissent.example/lag\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n\n%s",
             sigline);
    assert_int_equal(open_cp(m, &signer.pub, &got, &e), -1);
    /* the genuine one still opens */
    snprintf(m, sizeof m, ORIGIN "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n\n%s",
             sigline);
    assert_int_equal(open_cp(m, &signer.pub, &got, &e), 0);
    /* an extension line appended to the text (and so not covered) */
    snprintf(m, sizeof m, ORIGIN "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\next\n\n%s",
             sigline);
    assert_int_equal(open_cp(m, &signer.pub, &got, &e), -1);
    /* signature line name changed */
    snprintf(m, sizeof m, ORIGIN "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n\n%s",
             sigline);
    char *name = strstr(m, "\xe2\x80\x94 ") + 4;
    name[0] = 'D';
    assert_int_equal(open_cp(m, &signer.pub, &got, &e), -1);
    /* signature stripped */
    snprintf(m, sizeof m, ORIGIN "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n\n");
    assert_int_equal(open_cp(m, &signer.pub, &got, &e), -1);
    buf_release(&out);
}

static void test_origin_must_match_key(void **state)
{
    (void)state;
    struct tlog_checkpoint c, got;
    struct tlog_signer other;
    struct buf out;
    struct err e;
    unsigned char root[32] = {1};
    err_init(&e);
    buf_init(&out, TLOG_NOTE_MAX);
    assert_int_equal(tlog_checkpoint_init(&c, "other.example/log", 5, root, &e), 0);
    assert_int_equal(tlog_checkpoint_sign(&c, &signer, &out, &e),
                     -1); /* origin differs from key name */
    /* a note whose text names another origin, validly signed: rejected */
    assert_int_equal(tlog_signer_generate(&other, "other.example/log", &e), 0);
    buf_reset(&out);
    assert_int_equal(tlog_checkpoint_sign(&c, &other, &out, &e), 0);
    assert_int_equal(open_cp(buf_str(&out), &other.pub, &got, &e), 0);
    assert_int_equal(open_cp(buf_str(&out), &signer.pub, &got, &e), -1);
    {
        struct buf text;
        buf_init(&text, 4096);
        assert_int_equal(tlog_checkpoint_format(&c, &text, &e), 0);
        buf_reset(&out);
        assert_int_equal(tlog_note_sign(text.data, text.len, &signer, &out, &e), 0);
        assert_int_equal(open_cp(buf_str(&out), &signer.pub, &got, &e),
                         -1); /* signed by us, wrong origin */
        assert_int_equal(e.code, ERR_INVALID);
        buf_release(&text);
    }
    tlog_signer_wipe(&other);
    buf_release(&out);

    /* invalid parts */
    assert_int_equal(tlog_checkpoint_init(&c, "", 1, root, &e), -1);
    assert_int_equal(tlog_checkpoint_init(&c, "has space", 1, root, &e), -1);
    assert_int_equal(tlog_checkpoint_init(&c, ORIGIN, TLOG_MAX_SIZE + 1, root, &e), -1);
}

static void test_malformed_texts(void **state)
{
    (void)state;
    struct tlog_checkpoint c;
    struct err e;
    err_init(&e);
    const char *good = ORIGIN "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n";
    assert_int_equal(tlog_checkpoint_parse(&c, good, strlen(good), &e), 0);
    assert_true(c.size == 77);
    const char *bad[] = {
        "",
        ORIGIN "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=",    /* no final newline */
        ORIGIN "\n77\n",                                                /* two lines */
        "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n",         /* empty origin */
        "a b\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n",      /* space in origin */
        ORIGIN "\n077\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n", /* leading zero */
        ORIGIN "\n00\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n",  /* leading zero */
        ORIGIN "\n-1\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n",  /* sign */
        ORIGIN "\n+1\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n",  /* sign */
        ORIGIN "\n 77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n", /* space */
        ORIGIN "\n\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n",    /* empty size */
        ORIGIN "\n7e1\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n", /* not decimal */
        ORIGIN "\n9223372036854775808\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n", /* over the
                                                                                           limit */
        ORIGIN
        "\n99999999999999999999\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n", /* over 2^64 */
        ORIGIN "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09p=\n",    /* non-canonical base64 */
        ORIGIN "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o\n",     /* no padding */
        ORIGIN "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM\n",        /* 30 bytes */
        ORIGIN "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o==\n",   /* padding */
        ORIGIN "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM0-o=\n",    /* url alphabet */
        ORIGIN "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\n\n",  /* empty extension line */
        ORIGIN "\n77\nAQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM09o=\nx\n", /* extension line */
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        if (tlog_checkpoint_parse(&c, bad[i], strlen(bad[i]), &e) == 0)
            fail_msg("malformed checkpoint text %zu accepted", i);
}

/* A checkpoint of a real tree, then proofs checked against opened checkpoints. */
static void test_with_tree(void **state)
{
    (void)state;
    struct tlog_memstore ms;
    struct tlog_node_source src;
    struct err e;
    struct buf n1, n2;
    struct tlog_checkpoint c1, c2, o1, o2;
    unsigned char r[32], lh[32];
    struct tlog_proof p;
    err_init(&e);
    tlog_memstore_init(&ms);
    src = tlog_memstore_source(&ms);
    buf_init(&n1, TLOG_NOTE_MAX);
    buf_init(&n2, TLOG_NOTE_MAX);
    for (int i = 0; i < 1000; i++) {
        char leaf[32];
        int len = snprintf(leaf, sizeof leaf, "event %d", i);
        tlog_hash_leaf(lh, leaf, (size_t)len);
        assert_int_equal(tlog_memstore_append(&ms, lh, &e), 0);
        if (i == 599) {
            assert_int_equal(tlog_root(&src, 600, r, &e), 0);
            assert_int_equal(tlog_checkpoint_init(&c1, ORIGIN, 600, r, &e), 0);
            assert_int_equal(tlog_checkpoint_sign(&c1, &signer, &n1, &e), 0);
        }
    }
    assert_int_equal(tlog_root(&src, 1000, r, &e), 0);
    assert_int_equal(tlog_checkpoint_init(&c2, ORIGIN, 1000, r, &e), 0);
    assert_int_equal(tlog_checkpoint_sign(&c2, &signer, &n2, &e), 0);

    /* a monitor: opens both, checks consistency, and an inclusion */
    assert_int_equal(open_cp(buf_str(&n1), &signer.pub, &o1, &e), 0);
    assert_int_equal(open_cp(buf_str(&n2), &signer.pub, &o2, &e), 0);
    assert_int_equal(tlog_prove_consistency(&src, o1.size, o2.size, &p, &e), 0);
    assert_int_equal(tlog_verify_consistency(o1.size, o2.size, o1.root, o2.root, &p, &e), 0);
    tlog_hash_leaf(lh, "event 123", 9);
    assert_int_equal(tlog_prove_inclusion(&src, 123, o1.size, &p, &e), 0);
    assert_int_equal(tlog_verify_inclusion(123, o1.size, lh, &p, o1.root, &e), 0);
    assert_int_equal(tlog_verify_inclusion(123, o2.size, lh, &p, o2.root, &e), -1);

    tlog_memstore_release(&ms);
    buf_release(&n1);
    buf_release(&n2);
}

/* --log-origin: a C2SP origin naming the installation (schema-less URL). */
static void test_origin_check(void **state)
{
    (void)state;
    static const char *const good[] = {"example.gov/dissent", "dissent.example.org",
                                       "state.example.gov:8443/dissent/log-1",
                                       "a-b.example.eu/x_y~z.1"};
    static const struct {
        const char *origin, *why;
    } bad[] = {
        {"", "empty"},
        {"https://example.gov/dissent", "scheme"},
        {"example.gov/dis sent", "no space"},
        {"example.gov/a+b", "no space, '+'"},
        {"localhost/dissent", "with a dot"},
        {"Example.gov/dissent", "lowercase DNS name"},
        {"-bad.example.gov", "lowercase DNS name"},
        {"example..gov", "lowercase DNS name"},
        {"example.gov:/x", "port"},
        {"example.gov:123456/x", "port"},
        {"example.gov/dissent/", "end with '/'"},
        {"example.gov/what?x", "'?'"},
        {"example.gov/caf\xc3\xa9", "printable ASCII"},
    };
    char longest[TLOG_NAME_MAX + 2];
    struct err e;
    err_init(&e);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (tlog_origin_check(good[i], &e) != 0)
            fail_msg("%s refused: %s", good[i], e.msg);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_init(&e);
        if (tlog_origin_check(bad[i].origin, &e) == 0)
            fail_msg("%s accepted", bad[i].origin);
        if (!strstr(e.msg, bad[i].why))
            fail_msg("%s: \"%s\" does not say %s", bad[i].origin, e.msg, bad[i].why);
    }
    memset(longest, 'a', sizeof longest - 1);
    memcpy(longest, "example.gov/", 12);
    longest[sizeof longest - 1] = '\0';
    assert_int_equal(tlog_origin_check(longest, &e), -1);
    assert_non_null(strstr(e.msg, "longer than"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_origin_check),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_tamper_every_byte),
        cmocka_unit_test(test_fields_tampered),
        cmocka_unit_test(test_origin_must_match_key),
        cmocka_unit_test(test_malformed_texts),
        cmocka_unit_test(test_with_tree),
    };
    return cmocka_run_group_tests_name("tlog/checkpoint", tests, setup, teardown);
}
