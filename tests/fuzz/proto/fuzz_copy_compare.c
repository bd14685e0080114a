/* fuzz_copy_compare.c — copy_compare on two fuzzed lists of paragraph
 * digests. The input is split at 0xff into the registered list and the copy;
 * each byte of a list is one "digest" (a one-character string, so that equal
 * paragraphs are frequent). Checked: every paragraph of either side is
 * accounted for exactly once; "same" pairs are equal and in order on both
 * sides; "moved" pairs are equal and counted in "moved"; "matching" is the length of a longest
 * common subsequence; "exact" means both lists are equal. */
#include "../fuzz.h"

#include "proto/copycheck.h"

static json_t *list_of(const uint8_t *p, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        char s[4];
        snprintf(s, sizeof s, "%02x", p[i] & 0x0f);
        json_array_append_new(a, json_string(s));
    }
    return a;
}

static size_t lcs(const uint8_t *a, size_t n, const uint8_t *b, size_t m)
{
    size_t *row = calloc((m + 1) * 2, sizeof *row), r;
    if (!row)
        abort();
    for (size_t i = 1; i <= n; i++) {
        size_t *cur = row + (i % 2) * (m + 1), *prev = row + ((i - 1) % 2) * (m + 1);
        cur[0] = 0;
        for (size_t j = 1; j <= m; j++)
            cur[j] = (a[i - 1] & 0x0f) == (b[j - 1] & 0x0f)
                         ? prev[j - 1] + 1
                         : (prev[j] > cur[j - 1] ? prev[j] : cur[j - 1]);
    }
    r = row[(n % 2) * (m + 1) + m];
    free(row);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep = memchr(data, 0xff, size);
    size_t n = sep ? (size_t)(sep - data) : size;
    const uint8_t *b = sep ? sep + 1 : data + size;
    size_t m = sep ? size - n - 1 : 0;
    json_t *reg, *copy, *out;
    size_t same = 0, moved = 0, last_same_reg = 0, last_same_copy = 0, i;
    static unsigned char seen_reg[2001], seen_copy[2001];
    const json_t *it;

    if (size > 2000)
        return 0;
    memset(seen_reg, 0, n);
    memset(seen_copy, 0, m);
    reg = list_of(data, n);
    copy = list_of(b, m);
    FUZZ_CHECK(reg && copy);
    out = copy_compare(reg, copy);
    FUZZ_CHECK(out != NULL);
    json_array_foreach(json_object_get(out, "paragraphs"), i, it)
    {
        const char *st = json_string_value(json_object_get(it, "status"));
        const json_t *r = json_object_get(it, "registered"), *c = json_object_get(it, "copy");
        size_t ri = json_is_integer(r) ? (size_t)json_integer_value(r) : 0;
        size_t ci = json_is_integer(c) ? (size_t)json_integer_value(c) : 0;
        FUZZ_CHECK(st != NULL);
        FUZZ_CHECK(ri || (json_is_null(r) && strcmp(st, "added") == 0));
        FUZZ_CHECK(ci || (json_is_null(c) && strcmp(st, "removed") == 0));
        FUZZ_CHECK(ri <= n && ci <= m);
        /* Every paragraph of either side is accounted for exactly once. */
        if (ri) {
            FUZZ_CHECK(!seen_reg[ri - 1]);
            seen_reg[ri - 1] = 1;
        }
        if (ci) {
            FUZZ_CHECK(!seen_copy[ci - 1]);
            seen_copy[ci - 1] = 1;
        }
        if (strcmp(st, "same") == 0 || strcmp(st, "moved") == 0) {
            FUZZ_CHECK(ri && ci);
            FUZZ_CHECK(json_equal(json_array_get(reg, ri - 1), json_array_get(copy, ci - 1)));
        }
        if (strcmp(st, "same") == 0) {
            /* The matches are a common subsequence: in order on both sides. */
            FUZZ_CHECK(ri > last_same_reg && ci > last_same_copy);
            last_same_reg = ri;
            last_same_copy = ci;
            same++;
        } else if (strcmp(st, "moved") == 0) {
            moved++;
        }
    }
    for (i = 0; i < n; i++)
        FUZZ_CHECK(seen_reg[i]);
    for (i = 0; i < m; i++)
        FUZZ_CHECK(seen_copy[i]);
    FUZZ_CHECK((size_t)json_integer_value(json_object_get(out, "moved")) == moved);
    FUZZ_CHECK((size_t)json_integer_value(json_object_get(out, "matching")) == same);
    FUZZ_CHECK(same == lcs(data, n, b, m));
    FUZZ_CHECK(json_is_true(json_object_get(out, "exact")) == (same == n && same == m));
    json_decref(out);
    json_decref(reg);
    json_decref(copy);
    return 0;
}
