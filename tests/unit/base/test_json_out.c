/* Tests for src/base/json_out: its bytes are jansson's (json_dumps with the
 * same flags), on fixed cases and on random values of every kind: strings
 * with quotes, backslashes, every control byte, DEL, non-ASCII UTF-8 (BMP
 * and beyond), keys in any order, integers at their limits, reals, nesting
 * past JSON_OUT_DEPTH. A log leaf's bytes are hashed and re-encoded by
 * monitors with jansson: one byte of difference forks the log. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_out.h"

#define FLAGS (JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY)

/* json_out_compact and json_dumps agree on v in both key orders; v is
 * released. */
static void same(json_t *v)
{
    for (int sort = 0; sort < 2; sort++) {
        char *want = json_dumps(v, FLAGS | (sort ? JSON_SORT_KEYS : 0));
        char *got = json_out_compact(v, sort);
        assert_non_null(want);
        assert_non_null(got);
        if (strcmp(want, got) != 0)
            fail_msg("sort %d:\n jansson  %s\n json_out %s", sort, want, got);
        free(want);
        free(got);
    }
    json_decref(v);
}

static void test_fixed(void **state)
{
    (void)state;
    same(json_pack("{s:i,s:s,s:b,s:n,s:[i,s,{}],s:{}}", "z", 1, "a", "x\"y\\z\n\t\x01\x7f/", "m", 1,
                   "b", "c", (json_int_t)-5, "", "e", "d"));
    same(json_pack("{s:s,s:s}", "\xc3\xa9t\xc3\xa9", "caf\xc3\xa9 \xe2\x82\xac", "emoji",
                   "\xf0\x9f\x98\x80!"));
    same(json_pack("[I,I,f,f,f]", (json_int_t)INT64_MAX, (json_int_t)INT64_MIN, 0.1, 1e300, -0.0));
    same(json_pack("{s:s,s:s,s:s}", "ab", "1", "a", "2", "b", "3"));
    same(json_stringn("nul\0inside", 10));
    same(json_array());
    same(json_object());
    same(json_true());
}

/* A random byte string of up to 24 bytes that is valid UTF-8: ASCII of
 * every kind, and now and then 2-, 3- and 4-byte sequences. */
static size_t random_text(char *out, unsigned *seed)
{
    size_t n = 0, len = (size_t)(rand_r(seed) % 25);
    static const char *const multi[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                        "\xef\xbf\xbf", "\xc2\x80"};
    while (n < len) {
        int r = rand_r(seed) % 10;
        if (r == 0) {
            const char *m = multi[rand_r(seed) % 5];
            memcpy(out + n, m, strlen(m));
            n += strlen(m);
        } else if (r == 1) {
            out[n++] = (char)(rand_r(seed) % 0x20); /* controls, NUL too */
        } else if (r == 2) {
            out[n++] = "\"\\/\x7f"[rand_r(seed) % 4];
        } else {
            out[n++] = (char)(0x20 + rand_r(seed) % 0x5f);
        }
    }
    out[n] = '\0';
    return n;
}

static json_t *random_value(unsigned *seed, int depth)
{
    char text[128];
    size_t n;
    int kind = rand_r(seed) % (depth > 5 ? 6 : 8);
    switch (kind) {
    case 0:
        return json_null();
    case 1:
        return json_boolean(rand_r(seed) % 2);
    case 2: {
        /* all 64 bits, through unsigned arithmetic (a signed shift would overflow) */
        json_int_t v = (json_int_t)(((uint64_t)rand_r(seed) << 33) ^ ((uint64_t)rand_r(seed) << 2));
        if (rand_r(seed) % 8 == 0)
            v = rand_r(seed) % 2 ? INT64_MAX : INT64_MIN;
        return json_integer(rand_r(seed) % 2 ? v : v % 1000);
    }
    case 3:
        return json_real((double)rand_r(seed) / (rand_r(seed) + 1) * (rand_r(seed) % 2 ? 1 : -1));
    case 4:
    case 5:
        n = random_text(text, seed);
        return json_stringn(text, n);
    case 6: {
        json_t *a = json_array();
        int k = rand_r(seed) % 5;
        for (int i = 0; i < k; i++)
            json_array_append_new(a, random_value(seed, depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        int k = rand_r(seed) % 6;
        for (int i = 0; i < k; i++) {
            random_text(text, seed); /* keys end at their first NUL, as C strings */
            json_object_set_new(o, text, random_value(seed, depth + 1));
        }
        return o;
    }
    }
}

static void test_random(void **state)
{
    unsigned seed = 12345;
    (void)state;
    for (int i = 0; i < 20000; i++) {
        json_t *v = random_value(&seed, 0);
        assert_non_null(v);
        same(v);
    }
}

/* Past JSON_OUT_DEPTH the rest goes to jansson, which writes it the same. */
static void test_deep(void **state)
{
    json_t *v = json_integer(7);
    (void)state;
    for (int i = 0; i < 3 * JSON_OUT_DEPTH; i++) {
        json_t *o = json_object();
        json_object_set_new(o, i % 2 ? "b" : "a", v);
        json_object_set_new(o, "k", json_string("\xc3\xa9"));
        v = i % 3 ? o : json_pack("[o,i]", o, i);
    }
    same(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_deep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
