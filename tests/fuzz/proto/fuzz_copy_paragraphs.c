/* fuzz_copy_paragraphs.c — copy_text_paragraphs (and copy_paragraphs) on a
 * fuzzed copy: every paragraph is normalized, and splitting the paragraphs
 * joined by blank lines gives them back. Both callers (the channel's copy
 * check and 'dissent verify') refuse text that is not UTF-8 first, and the
 * paragraphs are JSON strings, so only valid UTF-8 is fed in. */
#include "../fuzz.h"

#include "base/buf.h"
#include "base/util.h"
#include "proto/copycheck.h"

static int is_sp(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static void check_normalized(const json_t *arr)
{
    size_t i;
    const json_t *it;
    FUZZ_CHECK(json_is_array(arr) && json_array_size(arr) <= COPY_PARAGRAPHS_MAX);
    json_array_foreach(arr, i, it)
    {
        const char *s = json_string_value(it);
        size_t n;
        FUZZ_CHECK(s != NULL);
        n = strlen(s);
        FUZZ_CHECK(n > 0 && !is_sp(s[0]) && !is_sp(s[n - 1]));
        for (size_t k = 0; k < n; k++) {
            FUZZ_CHECK(s[k] == ' ' || !is_sp(s[k]));
            FUZZ_CHECK(!(s[k] == ' ' && s[k + 1] == ' '));
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;
    json_t *paras, *plain, *again = NULL;
    struct buf b;
    struct err e;
    size_t i;
    const json_t *it;

    text = fuzz_cstr(data, size);
    if (!utf8_valid(text, strlen(text))) {
        free(text);
        return 0;
    }
    paras = copy_text_paragraphs(text);
    plain = copy_paragraphs(text);

    FUZZ_CHECK(paras != NULL && plain != NULL);
    check_normalized(paras);
    check_normalized(plain);

    buf_init(&b, 2 * size + 16);
    json_array_foreach(plain, i, it)
    {
        FUZZ_CHECK(buf_puts(&b, json_string_value(it), &e) == 0);
        FUZZ_CHECK(buf_puts(&b, "\n\n", &e) == 0);
    }
    again = copy_paragraphs(buf_str(&b));
    FUZZ_CHECK(again != NULL && json_equal(again, plain));
    buf_release(&b);
    json_decref(again);
    json_decref(plain);
    json_decref(paras);
    free(text);
    return 0;
}
