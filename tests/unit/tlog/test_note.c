/* Tests for src/tlog/note.c: key strings, signed notes (parse, sign, verify),
 * and interoperability with the example of Go's golang.org/x/mod/sumdb/note
 * documentation (key strings and signature, used as test data). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "tlog/note.h"

static const char GO_SKEY[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char GO_VKEY[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char GO_TEXT[] = "If you think cryptography is the answer to your problem,\n"
                              "then you don't know what your problem is.\n";
static const char GO_NOTE[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

static void test_go_interop(void **state)
{
    (void)state;
    struct tlog_signer s;
    struct tlog_verifier v;
    struct tlog_note n;
    struct err e;
    struct buf out;
    char str[TLOG_SIGNER_KEY_MAX];
    err_init(&e);
    buf_init(&out, TLOG_NOTE_MAX);

    assert_int_equal(tlog_signer_parse(&s, GO_SKEY, strlen(GO_SKEY), &e), 0);
    assert_int_equal(tlog_verifier_parse(&v, GO_VKEY, strlen(GO_VKEY), &e), 0);
    assert_string_equal(v.name, "PeterNeumann");
    assert_memory_equal(s.pub.pk, v.pk, 32);
    assert_memory_equal(s.pub.key_id, "\xc7\x4f\x20\xa3", 4);
    assert_int_equal(tlog_verifier_format(&s.pub, str, &e), 0);
    assert_string_equal(str, GO_VKEY);
    assert_int_equal(tlog_signer_format(&s, str, &e), 0);
    assert_string_equal(str, GO_SKEY);
    sodium_memzero(str, sizeof str);

    /* Ed25519 is deterministic: our note is byte for byte Go's */
    assert_int_equal(tlog_note_sign(GO_TEXT, strlen(GO_TEXT), &s, &out, &e), 0);
    assert_string_equal(buf_str(&out), GO_NOTE);
    assert_int_equal(tlog_note_parse(&n, GO_NOTE, strlen(GO_NOTE), &e), 0);
    assert_int_equal(n.text_len, strlen(GO_TEXT));
    assert_memory_equal(n.text, GO_TEXT, n.text_len);
    assert_int_equal(n.nsigs, 1);
    assert_int_equal(tlog_note_verify(&n, &v, &e), 0);

    tlog_signer_wipe(&s);
    unsigned char zero[sizeof s];
    memset(zero, 0, sizeof zero);
    assert_memory_equal(&s, zero, sizeof s);
    buf_release(&out);
}

static void test_key_strings(void **state)
{
    (void)state;
    struct tlog_signer s, s2;
    struct tlog_verifier v;
    struct err e;
    char vs[TLOG_VERIFIER_KEY_MAX], ss[TLOG_SIGNER_KEY_MAX];
    err_init(&e);
    assert_int_equal(tlog_signer_generate(&s, "dissent.example/log", &e), 0);
    assert_int_equal(tlog_verifier_format(&s.pub, vs, &e), 0);
    assert_int_equal(tlog_verifier_parse(&v, vs, strlen(vs), &e), 0);
    assert_memory_equal(&v, &s.pub, sizeof v);
    assert_int_equal(tlog_signer_format(&s, ss, &e), 0);
    assert_int_equal(tlog_signer_parse(&s2, ss, strlen(ss), &e), 0);
    assert_memory_equal(&s2, &s, sizeof s);
    sodium_memzero(ss, sizeof ss);
    tlog_signer_wipe(&s2);

    /* bad names */
    const char *bad_names[] = {"",
                               "a b",
                               "a+b",
                               "tab\there",
                               "nl\nx",
                               "nbsp\xc2\xa0x",
                               "em\xe2\x80\x83space",
                               "\xff\xfe",
                               "ideo\xe3\x80\x80x"};
    for (size_t i = 0; i < ARRAY_LEN(bad_names); i++) {
        assert_int_equal(tlog_signer_generate(&s2, bad_names[i], &e), -1);
        assert_int_equal(e.code, ERR_INVALID);
    }
    char long_name[TLOG_NAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(tlog_signer_generate(&s2, long_name, &e), -1);
    long_name[TLOG_NAME_MAX] = '\0';
    assert_int_equal(tlog_signer_generate(&s2, long_name, &e), 0);
    tlog_signer_wipe(&s2);
    assert_int_equal(tlog_signer_generate(&s2,
                                          "gr\xc3\xbc\xc3\x9f"
                                          "e/log",
                                          &e),
                     0); /* non-ASCII is fine */
    tlog_signer_wipe(&s2);

    /* every single-character change of a verifier key string is rejected
     * (key ids are lowercase hex only) */
    size_t len = strlen(vs);
    for (size_t i = 0; i < len; i++) {
        char m[TLOG_VERIFIER_KEY_MAX];
        memcpy(m, vs, len + 1);
        m[i] = m[i] == 'A' ? 'B' : 'A';
        struct tlog_verifier w;
        if (tlog_verifier_parse(&w, m, len, &e) == 0)
            fail_msg("mutated verifier key accepted at %zu: %s", i, m);
    }
    /* truncations and extensions */
    for (size_t cut = 0; cut < len; cut++) {
        struct tlog_verifier w;
        assert_int_equal(tlog_verifier_parse(&w, vs, cut, &e), -1);
    }
    char ext[TLOG_VERIFIER_KEY_MAX + 8];
    snprintf(ext, sizeof ext, "%s=", vs);
    assert_int_equal(tlog_verifier_parse(&v, ext, strlen(ext), &e), -1);
    snprintf(ext, sizeof ext, "%s\n", vs);
    assert_int_equal(tlog_verifier_parse(&v, ext, strlen(ext), &e), -1);
    /* a signer string is not a verifier string and the reverse */
    assert_int_equal(tlog_verifier_parse(&v, GO_SKEY, strlen(GO_SKEY), &e), -1);
    assert_int_equal(tlog_signer_parse(&s2, GO_VKEY, strlen(GO_VKEY), &e), -1);
    /* another key type byte (0x02, ECDSA) with a correct-looking layout */
    const char ecdsa[] = "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    assert_int_equal(tlog_verifier_parse(&v, ecdsa, strlen(ecdsa), &e), -1);
    /* wrong key id */
    const char upper_id[] = "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    assert_int_equal(tlog_verifier_parse(&v, upper_id, strlen(upper_id), &e), -1);
    const char wrong_id[] = "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    assert_int_equal(tlog_verifier_parse(&v, wrong_id, strlen(wrong_id), &e), -1);
    /* same key under another name: the id no longer matches */
    const char renamed[] = "PeterNeumanm+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    assert_int_equal(tlog_verifier_parse(&v, renamed, strlen(renamed), &e), -1);
    tlog_signer_wipe(&s);
}

/* Builds a signed note of text by s into out (reset first). */
static void sign_into(struct buf *out, const char *text, const struct tlog_signer *s)
{
    struct err e;
    err_init(&e);
    buf_reset(out);
    if (tlog_note_sign(text, strlen(text), s, out, &e) != 0)
        fail_msg("sign: %s", e.msg);
}

static int open_note(const char *msg, const struct tlog_verifier *v, struct err *e)
{
    struct tlog_note n;
    if (tlog_note_parse(&n, msg, strlen(msg), e) != 0)
        return -1;
    return tlog_note_verify(&n, v, e);
}

static void test_sign_verify(void **state)
{
    (void)state;
    struct tlog_signer a, b, a2;
    struct err e;
    struct buf out, two;
    err_init(&e);
    buf_init(&out, TLOG_NOTE_MAX + 1024);
    buf_init(&two, TLOG_NOTE_MAX + 1024);
    assert_int_equal(tlog_signer_generate(&a, "log.example/a", &e), 0);
    assert_int_equal(tlog_signer_generate(&b, "witness.example/b", &e), 0);
    assert_int_equal(tlog_signer_generate(&a2, "log.example/a", &e), 0); /* same name, other key */

    sign_into(&out, "hello\nworld\n", &a);
    assert_int_equal(open_note(buf_str(&out), &a.pub, &e), 0);
    assert_int_equal(open_note(buf_str(&out), &b.pub, &e), -1); /* wrong key */
    assert_int_equal(e.code, ERR_CRYPTO);
    assert_int_equal(open_note(buf_str(&out), &a2.pub, &e), -1); /* same name, other key id */

    /* cosigned: text, a's line, b's line; each key accepts it */
    buf_reset(&two);
    assert_int_equal(buf_puts(&two, buf_str(&out), &e), 0);
    {
        struct buf tmp;
        buf_init(&tmp, TLOG_NOTE_MAX);
        sign_into(&tmp, "hello\nworld\n", &b);
        const char *line = strstr(buf_str(&tmp), "\n\n") + 2;
        assert_int_equal(buf_puts(&two, line, &e), 0);
        buf_release(&tmp);
    }
    assert_int_equal(open_note(buf_str(&two), &a.pub, &e), 0);
    assert_int_equal(open_note(buf_str(&two), &b.pub, &e), 0);

    /* a known key's failing signature rejects the note even beside a good one */
    {
        char bad[1024];
        const char *orig = buf_str(&two);
        snprintf(bad, sizeof bad, "%s", orig);
        /* flip a base64 character in b's signature, keeping a's intact */
        char *bline = strstr(bad, "witness.example/b ") + strlen("witness.example/b ");
        bline[10] = bline[10] == 'A' ? 'B' : 'A';
        assert_int_equal(open_note(bad, &a.pub, &e), 0);
        assert_int_equal(open_note(bad, &b.pub, &e), -1);
        /* a's good line repeated with a bad copy */
        snprintf(bad, sizeof bad, "%s", buf_str(&out));
        size_t l = strlen(bad);
        const char *aline = strstr(buf_str(&out), "\n\n") + 2;
        snprintf(bad + l, sizeof bad - l, "%s", aline);
        char *second = strrchr(bad, '\xe2');
        second[40] = second[40] == 'A' ? 'B' : 'A'; /* in the signature, past the key id */
        assert_int_equal(open_note(bad, &a.pub, &e), -1);
    }

    /* text with an empty line in it: split at the last blank line */
    sign_into(&out, "para one\n\npara two\n", &a);
    assert_int_equal(open_note(buf_str(&out), &a.pub, &e), 0);
    struct tlog_note n;
    assert_int_equal(tlog_note_parse(&n, buf_str(&out), out.len, &e), 0);
    assert_int_equal(n.text_len, strlen("para one\n\npara two\n"));

    /* texts that cannot be signed */
    const char *bad_texts[] = {"", "no newline", "tab\there\n", "cr\r\n", "\xff\n"};
    for (size_t i = 0; i < ARRAY_LEN(bad_texts); i++)
        assert_int_equal(tlog_note_sign(bad_texts[i], strlen(bad_texts[i]), &a, &out, &e), -1);

    tlog_signer_wipe(&a);
    tlog_signer_wipe(&b);
    tlog_signer_wipe(&a2);
    buf_release(&out);
    buf_release(&two);
}

static void test_malformed_notes(void **state)
{
    (void)state;
    struct tlog_verifier v;
    struct err e;
    err_init(&e);
    assert_int_equal(tlog_verifier_parse(&v, GO_VKEY, strlen(GO_VKEY), &e), 0);
    assert_int_equal(open_note(GO_NOTE, &v, &e), 0);

    const char *sig =
        "x08go/ZJkuBS9UG/"
        "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
    char m[2048];
    const char *fmts[] = {
        "%s\n\xe2\x80\x94 PeterNeumann %s",          /* no final newline */
        "%s\xe2\x80\x94 PeterNeumann %s\n",          /* no blank line */
        "%s\n-- PeterNeumann %s\n",                  /* not an em dash */
        "%s\n\xe2\x80\x94PeterNeumann %s\n",         /* no space after the dash */
        "%s\n\xe2\x80\x94  PeterNeumann %s\n",       /* empty name */
        "%s\n\xe2\x80\x94 PeterNeumann  %s\n",       /* two spaces */
        "%s\n\xe2\x80\x94 PeterNeumann %s \n",       /* trailing space */
        "%s\n\xe2\x80\x94 PeterNeumann %s\n\n",      /* blank line after the signatures */
        "%s\n\xe2\x80\x94 PeterNeumann %s\nextra\n", /* junk line */
        "%s\n\xe2\x80\x94 PeterNeumann %s\r\n",      /* CR */
        "%s\n\xe2\x80\x94 Peter+Neumann %s\n",       /* '+' in name */
        "%s\n\xe2\x80\x94 PeterNeumann %sAAAA\n",    /* base64 after padding */
        "%s\n\xe2\x80\x94 PeterNeumann %.91s\n",     /* truncated base64 */
        "%s\n\xe2\x80\x94 PeterNeumann %s\n\xe2\x80\x94 PeterNeumann AAAA\n", /* too-short second
                                                                                 signature */
        "%s\n",                                   /* no signature at all (ends "\n\n") */
        "%s\x01\n\xe2\x80\x94 PeterNeumann %s\n", /* control character */
    };
    for (size_t i = 0; i < ARRAY_LEN(fmts); i++) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* the formats are the table above */
        int n = snprintf(m, sizeof m, fmts[i], GO_TEXT, sig);
#pragma GCC diagnostic pop
        assert_true(n > 0 && (size_t)n < sizeof m);
        if (open_note(m, &v, &e) == 0)
            fail_msg("malformed note %zu accepted", i);
    }
    /* the signature with non-canonical base64: last char 'M' -> 'N' changes only padding bits */
    snprintf(m, sizeof m, "%s\n\xe2\x80\x94 PeterNeumann %s\n", GO_TEXT, sig);
    char *eq = strrchr(m, '=');
    assert_int_equal(eq[-1], 'M');
    eq[-1] = 'N';
    assert_int_equal(open_note(m, &v, &e), -1);
    /* tampered text */
    snprintf(m, sizeof m, "%s\n\xe2\x80\x94 PeterNeumann %s\n", GO_TEXT, sig);
    m[3] = 'Y';
    assert_int_equal(open_note(m, &v, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    /* invalid UTF-8 in the text */
    snprintf(m, sizeof m, "\xc3\x28\n\n\xe2\x80\x94 PeterNeumann %s\n", sig);
    assert_int_equal(open_note(m, &v, &e), -1);
    /* NUL inside */
    {
        char z[512];
        int n = snprintf(z, sizeof z, "%s\n\xe2\x80\x94 PeterNeumann %s\n", GO_TEXT, sig);
        z[5] = '\0';
        struct tlog_note note;
        assert_int_equal(tlog_note_parse(&note, z, (size_t)n, &e), -1);
    }
    /* unknown signers only: parsed, but not verified */
    snprintf(m, sizeof m, "%s\n\xe2\x80\x94 Someone %s\n", GO_TEXT, sig);
    struct tlog_note note;
    assert_int_equal(tlog_note_parse(&note, m, strlen(m), &e), 0);
    assert_int_equal(tlog_note_verify(&note, &v, &e), -1);
    /* an unknown signature (other name) beside the good one is ignored */
    snprintf(m, sizeof m, "%s\n\xe2\x80\x94 Someone AAAAAAAA\n\xe2\x80\x94 PeterNeumann %s\n",
             GO_TEXT, sig);
    assert_int_equal(open_note(m, &v, &e), 0);

    /* too many signatures */
    {
        static char big[TLOG_NOTE_MAX + 4096];
        size_t pos = (size_t)snprintf(big, sizeof big, "%s\n", GO_TEXT);
        for (int i = 0; i <= TLOG_NOTE_SIGS_MAX; i++)
            pos += (size_t)snprintf(big + pos, sizeof big - pos, "\xe2\x80\x94 PeterNeumann %s\n",
                                    sig);
        assert_int_equal(tlog_note_parse(&note, big, pos, &e), -1);
        assert_int_equal(e.code, ERR_TOO_LARGE);
        /* too long */
        memset(big, 'a', TLOG_NOTE_MAX);
        big[TLOG_NOTE_MAX - 1] = '\n';
        pos = TLOG_NOTE_MAX;
        pos +=
            (size_t)snprintf(big + pos, sizeof big - pos, "\n\xe2\x80\x94 PeterNeumann %s\n", sig);
        assert_int_equal(tlog_note_parse(&note, big, pos, &e), -1);
        assert_int_equal(e.code, ERR_TOO_LARGE);
    }
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_go_interop),
        cmocka_unit_test(test_key_strings),
        cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_malformed_notes),
    };
    return cmocka_run_group_tests_name("tlog/note", tests, NULL, NULL);
}
