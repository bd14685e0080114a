/* fuzz_copy_compare.c — copy_compare on two fuzzed lists of paragraph
 * digests. The input is split at 0xff into the registered list and the copy;
 * each byte of a list is one "digest" (a one-character string, so that equal
 * paragraphs are frequent). Checked: every paragraph is accounted for once,
 * in order; "same" pairs are equal; "matching" is the length of a longest
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
    size_t next_reg = 1, next_copy = 1, same = 0, i;
    const json_t *it;

    if (size > 2000)
        return 0;
    reg = list_of(data, n);
    copy = list_of(b, m);
    FUZZ_CHECK(reg && copy);
    out = copy_compare(reg, copy);
    FUZZ_CHECK(out != NULL);
    json_array_foreach(json_object_get(out, "paragraphs"), i, it)
    {
        const char *st = json_string_value(json_object_get(it, "status"));
        const json_t *r = json_object_get(it, "registered"), *c = json_object_get(it, "copy");
        FUZZ_CHECK(st != NULL);
        if (json_is_integer(r)) {
            FUZZ_CHECK((size_t)json_integer_value(r) == next_reg);
            next_reg++;
        } else {
            FUZZ_CHECK(json_is_null(r) && strcmp(st, "added") == 0);
        }
        if (json_is_integer(c)) {
            FUZZ_CHECK((size_t)json_integer_value(c) == next_copy);
            next_copy++;
        } else {
            FUZZ_CHECK(json_is_null(c) && strcmp(st, "removed") == 0);
        }
        if (strcmp(st, "same") == 0) {
            FUZZ_CHECK(json_is_integer(r) && json_is_integer(c));
            FUZZ_CHECK(json_equal(json_array_get(reg, (size_t)json_integer_value(r) - 1),
                                  json_array_get(copy, (size_t)json_integer_value(c) - 1)));
            same++;
        }
    }
    FUZZ_CHECK(next_reg == n + 1 && next_copy == m + 1);
    FUZZ_CHECK((size_t)json_integer_value(json_object_get(out, "matching")) == same);
    FUZZ_CHECK(same == lcs(data, n, b, m));
    FUZZ_CHECK(json_is_true(json_object_get(out, "exact")) == (same == n && same == m));
    json_decref(out);
    json_decref(reg);
    json_decref(copy);
    return 0;
}
