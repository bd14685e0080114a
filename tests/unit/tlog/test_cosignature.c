/* Tests for src/tlog/cosignature.c: witness key strings, cosignature/v1
 * lines (layout checked byte by byte against the C2SP text, independently of
 * the code under test) and verification, with negative cases. */
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
#include "tlog/cosignature.h"
#include "tlog/note.h"

static const char CP_TEXT[] = "example.com/behind-the-sofa\n20852163\n"
                              "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

/* The example cosignature line of c2sp.org/tlog-cosignature: its timestamp
 * field (bytes 4..12) must be 1679315147 (2023-03-20), the time of the
 * example's signed message. */
static void test_spec_example_layout(void **state)
{
    (void)state;
    const char *b64 = "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZ"
                      "qhf5nNo0xUe+mbIUBkBIfZ+qnA==";
    unsigned char bin[128];
    size_t n = 0;
    uint64_t t = 0;
    assert_int_equal(sodium_base642bin(bin, sizeof bin, b64, strlen(b64), NULL, &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(n, TLOG_COSIGNATURE_SIZE);
    for (int i = 4; i < 12; i++)
        t = (t << 8) | bin[i];
    assert_int_equal(t, 1679315147);
}

static void make_note(struct buf *note, const struct tlog_signer *log, const char *text)
{
    struct err e;
    err_init(&e);
    assert_int_equal(tlog_note_sign(text, strlen(text), log, note, &e), 0);
}

static void test_sign_verify_layout(void **state)
{
    (void)state;
    struct tlog_signer log, w;
    struct tlog_note n;
    struct err e;
    struct buf note, line;
    unsigned char bin[TLOG_COSIGNATURE_SIZE + 4], id[32];
    size_t len = 0;
    uint64_t t = 0;
    char msg[512];
    err_init(&e);
    buf_init(&note, TLOG_NOTE_MAX);
    buf_init(&line, 4096);

    assert_int_equal(tlog_signer_generate(&log, "example.com/behind-the-sofa", &e), 0);
    assert_int_equal(tlog_cosigner_generate(&w, "witness.example/w1", &e), 0);
    /* key id = SHA-256(name || "\n" || 0x04 || pk)[:4] */
    {
        unsigned char pre[64];
        size_t nl = strlen("witness.example/w1");
        memcpy(pre, "witness.example/w1", nl);
        pre[nl] = '\n';
        pre[nl + 1] = 0x04;
        memcpy(pre + nl + 2, w.pub.pk, 32);
        crypto_hash_sha256(id, pre, nl + 2 + 32);
        assert_memory_equal(id, w.pub.key_id, 4);
        unsigned char logid[4];
        tlog_key_id(w.pub.name, w.pub.pk, logid); /* type 0x01 differs */
        assert_memory_not_equal(logid, w.pub.key_id, 4);
    }

    assert_int_equal(tlog_cosign(CP_TEXT, strlen(CP_TEXT), 1679315147, &w, &line, &e), 0);
    /* "— witness.example/w1 " base64 "\n" */
    const char *prefix = "\xe2\x80\x94 witness.example/w1 ";
    assert_memory_equal(line.data, prefix, strlen(prefix));
    assert_int_equal(line.data[line.len - 1], '\n');
    assert_int_equal(sodium_base642bin(bin, sizeof bin, line.data + strlen(prefix),
                                       line.len - strlen(prefix) - 1, NULL, &len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(len, 76);
    assert_memory_equal(bin, w.pub.key_id, 4);
    for (int i = 4; i < 12; i++)
        t = (t << 8) | bin[i];
    assert_int_equal(t, 1679315147);
    int ml = snprintf(msg, sizeof msg, "cosignature/v1\ntime 1679315147\n%s", CP_TEXT);
    assert_int_equal(
        crypto_sign_verify_detached(bin + 12, (unsigned char *)msg, (size_t)ml, w.pub.pk), 0);

    /* the cosigned note opens with the log key and with the witness key */
    make_note(&note, &log, CP_TEXT);
    assert_int_equal(buf_append(&note, line.data, line.len, &e), 0);
    assert_int_equal(tlog_note_parse(&n, note.data, note.len, &e), 0);
    assert_int_equal(n.nsigs, 2);
    assert_int_equal(tlog_note_verify(&n, &log.pub, &e), 0);
    t = 0;
    assert_int_equal(tlog_cosignature_verify(&n, &w.pub, &t, &e), 0);
    assert_int_equal(t, 1679315147);
    /* a log key does not pass for the witness, nor the witness for the log */
    assert_int_equal(tlog_cosignature_verify(&n, &log.pub, NULL, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    assert_int_equal(tlog_note_verify(&n, &w.pub, &e), -1);

    tlog_signer_wipe(&log);
    tlog_signer_wipe(&w);
    buf_release(&note);
    buf_release(&line);
}

static void test_negative(void **state)
{
    (void)state;
    struct tlog_signer log, w, other;
    struct tlog_note n;
    struct err e;
    struct buf note, line;
    char hex[9];
    err_init(&e);
    buf_init(&note, TLOG_NOTE_MAX);
    buf_init(&line, 4096);
    assert_int_equal(tlog_signer_generate(&log, "example.com/log", &e), 0);
    assert_int_equal(tlog_cosigner_generate(&w, "witness.example/w1", &e), 0);
    assert_int_equal(tlog_cosigner_generate(&other, "witness.example/w1", &e), 0);

    /* no cosignature at all: the message names the witness and its key id */
    make_note(&note, &log, CP_TEXT);
    assert_int_equal(tlog_note_parse(&n, note.data, note.len, &e), 0);
    assert_int_equal(tlog_cosignature_verify(&n, &w.pub, NULL, &e), -1);
    hex_encode(hex, w.pub.key_id, 4);
    assert_non_null(strstr(e.msg, hex));
    assert_non_null(strstr(e.msg, "witness.example/w1"));

    /* a cosignature over another text does not verify */
    assert_int_equal(tlog_cosign("example.com/log\n5\nAAAA\n", 23, 100, &w, &line, &e), 0);
    assert_int_equal(buf_append(&note, line.data, line.len, &e), 0);
    assert_int_equal(tlog_note_parse(&n, note.data, note.len, &e), 0);
    assert_int_equal(tlog_cosignature_verify(&n, &w.pub, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "does not verify"));

    /* same name, another key: its line is ignored, so "no cosignature" */
    buf_reset(&note);
    buf_reset(&line);
    make_note(&note, &log, CP_TEXT);
    assert_int_equal(tlog_cosign(CP_TEXT, strlen(CP_TEXT), 100, &other, &line, &e), 0);
    assert_int_equal(buf_append(&note, line.data, line.len, &e), 0);
    assert_int_equal(tlog_note_parse(&n, note.data, note.len, &e), 0);
    assert_int_equal(tlog_cosignature_verify(&n, &w.pub, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "no cosignature"));
    assert_int_equal(tlog_cosignature_verify(&n, &other.pub, NULL, &e), 0);

    /* a changed timestamp breaks the signature */
    {
        const char *sp = strrchr(note.data, ' ');
        size_t off = (size_t)(sp + 1 - note.data);
        unsigned char bin[80];
        size_t len = 0;
        char b64[128];
        assert_int_equal(sodium_base642bin(bin, sizeof bin, note.data + off, note.len - off - 1,
                                           NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL),
                         0);
        bin[11] ^= 1;
        sodium_bin2base64(b64, sizeof b64, bin, len, sodium_base64_VARIANT_ORIGINAL);
        memcpy(note.data + off, b64, strlen(b64));
        assert_int_equal(tlog_note_parse(&n, note.data, note.len, &e), 0);
        assert_int_equal(tlog_cosignature_verify(&n, &other.pub, NULL, &e), -1);
        /* a timestamp over 2^63-1 is refused */
        bin[4] = 0x80;
        sodium_bin2base64(b64, sizeof b64, bin, len, sodium_base64_VARIANT_ORIGINAL);
        memcpy(note.data + off, b64, strlen(b64));
        assert_int_equal(tlog_note_parse(&n, note.data, note.len, &e), 0);
        assert_int_equal(tlog_cosignature_verify(&n, &other.pub, NULL, &e), -1);
        assert_non_null(strstr(e.msg, "2^63"));
    }

    /* a cosignature of the wrong length (a plain note signature with the
     * witness's name and key id) is malformed */
    {
        struct tlog_signer fake = w;
        buf_reset(&note);
        assert_int_equal(tlog_note_sign(CP_TEXT, strlen(CP_TEXT), &fake, &note, &e), 0);
        assert_int_equal(tlog_note_parse(&n, note.data, note.len, &e), 0);
        assert_int_equal(tlog_cosignature_verify(&n, &w.pub, NULL, &e), -1);
        assert_non_null(strstr(e.msg, "malformed"));
        tlog_signer_wipe(&fake);
    }

    assert_int_equal(tlog_cosign(CP_TEXT, strlen(CP_TEXT), (uint64_t)INT64_MAX + 1, &w, &line, &e),
                     -1);
    assert_int_equal(tlog_cosign("no newline", 10, 1, &w, &line, &e), -1);

    tlog_signer_wipe(&log);
    tlog_signer_wipe(&w);
    tlog_signer_wipe(&other);
    buf_release(&note);
    buf_release(&line);
}

static void test_key_strings(void **state)
{
    (void)state;
    struct tlog_signer w, w2;
    struct tlog_verifier v;
    struct err e;
    char vs[TLOG_VERIFIER_KEY_MAX], ss[TLOG_SIGNER_KEY_MAX];
    err_init(&e);
    assert_int_equal(tlog_cosigner_generate(&w, "witness.example/w1", &e), 0);
    assert_int_equal(tlog_cosigner_key_format(&w.pub, vs, &e), 0);
    assert_int_equal(tlog_cosigner_key_parse(&v, vs, strlen(vs), &e), 0);
    assert_memory_equal(&v, &w.pub, sizeof v);
    assert_int_equal(tlog_cosigner_format(&w, ss, &e), 0);
    assert_int_equal(tlog_cosigner_parse(&w2, ss, strlen(ss), &e), 0);
    assert_memory_equal(&w2, &w, sizeof w);
    /* the base64 starts with type 0x04: "B" */
    assert_non_null(strstr(vs, "+B"));

    /* a witness key string is not a log key string, and vice versa */
    struct tlog_verifier lv;
    assert_int_equal(tlog_verifier_parse(&lv, vs, strlen(vs), &e), -1);
    assert_int_equal(tlog_signer_parse(&w2, ss, strlen(ss), &e), -1);
    struct tlog_signer log;
    char ls[TLOG_VERIFIER_KEY_MAX];
    assert_int_equal(tlog_signer_generate(&log, "example.com/log", &e), 0);
    assert_int_equal(tlog_verifier_format(&log.pub, ls, &e), 0);
    assert_int_equal(tlog_cosigner_key_parse(&v, ls, strlen(ls), &e), -1);

    /* a wrong key id */
    char bad[TLOG_VERIFIER_KEY_MAX];
    memcpy(bad, vs, sizeof bad);
    char *p = strchr(bad, '+') + 1;
    p[0] = p[0] == '0' ? '1' : '0';
    assert_int_equal(tlog_cosigner_key_parse(&v, bad, strlen(bad), &e), -1);
    assert_non_null(strstr(e.msg, "key id"));
    assert_int_equal(tlog_cosigner_parse(&w2, vs, strlen(vs), &e), -1);
    assert_int_equal(tlog_cosigner_generate(&w2, "bad name", &e), -1);

    sodium_memzero(ss, sizeof ss);
    tlog_signer_wipe(&w);
    tlog_signer_wipe(&w2);
    tlog_signer_wipe(&log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_example_layout),
        cmocka_unit_test(test_sign_verify_layout),
        cmocka_unit_test(test_negative),
        cmocka_unit_test(test_key_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
