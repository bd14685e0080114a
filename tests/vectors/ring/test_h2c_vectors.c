/* Vector tests for src/ring: RFC 9380 expand_message_xmd (SHA-512),
 * hash_to_ristretto255, RFC 9496 encodings, the one-way map and bad encodings. */
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
#include "ring/group.h"
#include "ring/h2c.h"

static char vec_path[1024];

static const char *vpath(const char *rel)
{
    const char *dir = getenv("DISSENT_VECTORS");
    if (!dir || !*dir)
        dir = "../shared/vectors";
    snprintf(vec_path, sizeof vec_path, "%s/%s", dir, rel);
    return vec_path;
}

/* Reads the data lines (not '#', not empty) of a vector file, splitting on
 * spaces. Calls fn for each line with its fields. Returns the line count. */
typedef void (*line_fn)(char **fields, int nf);

static int each_line(const char *rel, line_fn fn)
{
    FILE *f = fopen(vpath(rel), "r");
    assert_non_null(f);
    char line[4096];
    int count = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        char *fields[8];
        int nf = 0;
        char *p = line;
        while (*p && nf < 8) {
            fields[nf++] = p;
            char *sp = strchr(p, ' ');
            if (!sp)
                break;
            *sp = '\0';
            p = sp + 1;
        }
        fn(fields, nf);
        count++;
    }
    fclose(f);
    return count;
}

static unsigned char *hex_alloc(const char *hex, size_t *n)
{
    size_t len = strlen(hex);
    assert_int_equal(len % 2, 0);
    *n = len / 2;
    unsigned char *out = malloc(*n + 1);
    assert_non_null(out);
    if (*n)
        assert_int_equal(hex_decode(out, *n, hex), 0);
    return out;
}

static void test_xmd(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *root = json_load_file(vpath("h2c/expand_message_xmd_sha512.json"), 0, &jerr);
    assert_non_null(root);
    const char *dst = json_string_value(json_object_get(root, "DST"));
    assert_non_null(dst);
    json_t *tests = json_object_get(root, "tests");
    size_t i;
    json_t *t;
    int count = 0;
    json_array_foreach(tests, i, t)
    {
        const char *msg = json_string_value(json_object_get(t, "msg"));
        const char *lenhex = json_string_value(json_object_get(t, "len_in_bytes"));
        const char *want = json_string_value(json_object_get(t, "uniform_bytes"));
        size_t outlen = strtoul(lenhex, NULL, 16), wlen;
        unsigned char *w = hex_alloc(want, &wlen);
        assert_int_equal(wlen, outlen);
        unsigned char *got = malloc(outlen);
        struct err e;
        assert_int_equal(ring_expand_message_xmd(got, outlen, (const uint8_t *)msg, strlen(msg),
                                                 (const uint8_t *)dst, strlen(dst), &e),
                         0);
        assert_memory_equal(got, w, outlen);
        free(got);
        free(w);
        count++;
    }
    assert_int_equal(count, 10);
    json_decref(root);
}

static int h2g_count;
static void h2g_line(char **f, int nf)
{
    assert_int_equal(nf, 3);
    size_t dl, ml, pl;
    unsigned char *dst = hex_alloc(f[0], &dl), *msg = hex_alloc(f[1], &ml),
                  *pt = hex_alloc(f[2], &pl);
    uint8_t out[32];
    struct err e;
    assert_int_equal(ring_hash_to_group(out, msg, ml, dst, dl, &e), 0);
    assert_memory_equal(out, pt, 32);
    free(dst);
    free(msg);
    free(pt);
    h2g_count++;
}

static void test_hash_to_ristretto255(void **state)
{
    (void)state;
    assert_int_equal(each_line("h2c/hash_to_ristretto255.txt", h2g_line), 6);
    assert_int_equal(h2g_count, 6);
}

static int enc_index;
static void enc_line(char **f, int nf)
{
    assert_int_equal(nf, 1);
    size_t n;
    unsigned char *want = hex_alloc(f[0], &n);
    assert_int_equal(n, 32);
    /* i*B through libdecaf */
    decaf_255_scalar_t s;
    decaf_255_scalar_set_unsigned(s, (uint64_t)enc_index);
    ring_point p, q;
    decaf_255_point_scalarmul(&p, decaf_255_point_base, s);
    uint8_t got[32];
    ring_point_encode(got, &p);
    assert_memory_equal(got, want, 32);
    /* our decoder: identity only when allowed */
    struct err e;
    assert_int_equal(ring_point_decode(&q, want, 1, "point", &e), 0);
    assert_true(decaf_255_point_eq(&p, &q) == DECAF_TRUE);
    assert_int_equal(ring_point_decode(&q, want, 0, "point", &e), enc_index == 0 ? -1 : 0);
    /* libsodium agrees */
    if (enc_index > 0) {
        uint8_t sc[32] = {0}, so[32];
        sc[0] = (uint8_t)enc_index;
        assert_int_equal(crypto_scalarmult_ristretto255_base(so, sc), 0);
        assert_memory_equal(so, want, 32);
    }
    assert_int_equal(crypto_core_ristretto255_is_valid_point(want), 1);
    free(want);
    enc_index++;
}

static void test_encodings(void **state)
{
    (void)state;
    assert_int_equal(each_line("ristretto255/encodings.txt", enc_line), 16);
}

static void bad_line(char **f, int nf)
{
    assert_int_equal(nf, 1);
    size_t n;
    unsigned char *b = hex_alloc(f[0], &n);
    assert_int_equal(n, 32);
    ring_point p;
    struct err e;
    assert_int_equal(ring_point_decode(&p, b, 1, "point", &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(crypto_core_ristretto255_is_valid_point(b), 0);
    assert_true(decaf_255_point_decode(&p, b, DECAF_TRUE) != DECAF_SUCCESS);
    free(b);
}

static void test_bad_encodings(void **state)
{
    (void)state;
    assert_int_equal(each_line("ristretto255/bad_encodings.txt", bad_line), 30);
}

static void map_line(char **f, int nf)
{
    assert_int_equal(nf, 2);
    size_t n, m;
    unsigned char *in = hex_alloc(f[0], &n), *want = hex_alloc(f[1], &m);
    assert_int_equal(n, 64);
    uint8_t got[32];
    crypto_core_ristretto255_from_hash(got, in);
    assert_memory_equal(got, want, 32);
    ring_point p;
    decaf_255_point_from_hash_uniform(&p, in);
    ring_point_encode(got, &p);
    assert_memory_equal(got, want, 32);
    free(in);
    free(want);
}

static void test_map(void **state)
{
    (void)state;
    assert_int_equal(each_line("ristretto255/map.txt", map_line), 11);
}

int main(void)
{
    struct err e;
    if (ring_init(&e) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xmd),       cmocka_unit_test(test_hash_to_ristretto255),
        cmocka_unit_test(test_encodings), cmocka_unit_test(test_bad_encodings),
        cmocka_unit_test(test_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
