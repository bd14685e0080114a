/* Vector tests for the Ed25519 that tlog checkpoints rely on (libsodium's
 * crypto_sign_*, called by src/tlog/note.c): RFC 8032 §7.1 sign + verify,
 * key derivation through tlog_signer_from_seed, and every Wycheproof
 * ed25519 verification case, whose result must agree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "tlog/note.h"

static char vec_path[1024];

static const char *vpath(const char *rel)
{
    const char *dir = getenv("DISSENT_VECTORS");
    if (!dir || !*dir)
        dir = "../shared/vectors";
    snprintf(vec_path, sizeof vec_path, "%s/%s", dir, rel);
    return vec_path;
}

/* Decodes hex into a new buffer ("-" or "" is empty); sets *n. */
static unsigned char *unhex(const char *hex, size_t *n)
{
    if (strcmp(hex, "-") == 0)
        hex = "";
    size_t len = strlen(hex);
    assert_int_equal(len % 2, 0);
    *n = len / 2;
    unsigned char *out = malloc(*n + 1);
    assert_non_null(out);
    if (*n)
        assert_int_equal(hex_decode(out, *n, hex), 0);
    return out;
}

static void test_rfc8032(void **state)
{
    (void)state;
    FILE *f = fopen(vpath("ed25519/rfc8032.txt"), "r");
    assert_non_null(f);
    static char line[8192];
    int count = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        char *fld[5], *save = NULL;
        int nf = 0;
        for (char *w = strtok_r(line, " ", &save); w && nf < 5; w = strtok_r(NULL, " ", &save))
            fld[nf++] = w;
        assert_int_equal(nf, 5);
        size_t ns, np, nm, nsig;
        unsigned char *seed = unhex(fld[1], &ns), *pk = unhex(fld[2], &np),
                      *msg = unhex(fld[3], &nm), *sig = unhex(fld[4], &nsig);
        assert_int_equal(ns, 32);
        assert_int_equal(np, 32);
        assert_int_equal(nsig, 64);

        /* the key pair as the checkpoint signer derives it */
        struct tlog_signer s;
        struct err e;
        err_init(&e);
        assert_int_equal(tlog_signer_from_seed(&s, "rfc8032.example/key", seed, &e), 0);
        assert_memory_equal(s.pub.pk, pk, 32);

        /* deterministic signature, byte for byte, and it verifies */
        unsigned char got[64];
        assert_int_equal(crypto_sign_detached(got, NULL, msg, nm, s.sk), 0);
        assert_memory_equal(got, sig, 64);
        assert_int_equal(crypto_sign_verify_detached(sig, msg, nm, pk), 0);
        /* one flipped bit anywhere in the signature is rejected */
        for (int bit = 0; bit < 512; bit += 37) {
            sig[bit / 8] ^= (unsigned char)(1u << (bit % 8));
            assert_int_not_equal(crypto_sign_verify_detached(sig, msg, nm, pk), 0);
            sig[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        }
        tlog_signer_wipe(&s);
        free(seed);
        free(pk);
        free(msg);
        free(sig);
        count++;
    }
    fclose(f);
    printf("# rfc8032: %d cases sign and verify\n", count);
    assert_int_equal(count, 5);
}

static void test_wycheproof(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *root = json_load_file(vpath("ed25519/wycheproof_ed25519_test.json"), 0, &jerr);
    if (!root)
        fail_msg("wycheproof: %s", jerr.text);
    json_t *groups = json_object_get(root, "testGroups");
    assert_true(json_is_array(groups));
    int total = 0, valid = 0, invalid = 0, bad_len = 0;
    for (size_t g = 0; g < json_array_size(groups); g++) {
        json_t *grp = json_array_get(groups, g);
        size_t npk;
        unsigned char *pk = unhex(
            json_string_value(json_object_get(json_object_get(grp, "publicKey"), "pk")), &npk);
        assert_int_equal(npk, 32);
        json_t *tests = json_object_get(grp, "tests");
        for (size_t i = 0; i < json_array_size(tests); i++) {
            json_t *t = json_array_get(tests, i);
            const char *result = json_string_value(json_object_get(t, "result"));
            int want_ok = strcmp(result, "valid") == 0;
            assert_true(want_ok ||
                        strcmp(result, "invalid") == 0); /* no "acceptable" in this file */
            size_t nm, nsig;
            unsigned char *msg = unhex(json_string_value(json_object_get(t, "msg")), &nm);
            unsigned char *sig = unhex(json_string_value(json_object_get(t, "sig")), &nsig);
            int ok = nsig == 64 && crypto_sign_verify_detached(sig, msg, nm, pk) == 0;
            if (nsig != 64)
                bad_len++;
            if (ok != want_ok)
                fail_msg("wycheproof tcId %lld: want %s, got %s",
                         (long long)json_integer_value(json_object_get(t, "tcId")), result,
                         ok ? "valid" : "invalid");
            total++;
            if (want_ok)
                valid++;
            else
                invalid++;
            free(msg);
            free(sig);
        }
        free(pk);
    }
    printf("# wycheproof ed25519: %d cases agree (%d valid, %d invalid, %d of them with a "
           "signature that is not "
           "64 bytes)\n",
           total, valid, invalid, bad_len);
    assert_int_equal(total, 151);
    json_decref(root);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8032),
        cmocka_unit_test(test_wycheproof),
    };
    return cmocka_run_group_tests_name("tlog/ed25519 vectors", tests, NULL, NULL);
}
