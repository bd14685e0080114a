/* Tests for src/client/copycheck.c: an official rendering found and
 * compared with its version's leaf (exact, whole-text digest equal), a copy
 * whose title became a Markdown heading (still matching paragraph by
 * paragraph), a changed paragraph (not exact, named changed), a copy with
 * no verification line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "client/copycheck.h"
#include "proto/events.h"

#define MEMO "abcdefghijklmnopqrstuvwxyz"
#define H64  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char TITLE[] = "On the river";
static const char BODY[] = "The first paragraph,\nwrapped.\n\nThe second one.";

/* The rendering of version 2 and the fields of its leaf. */
static void setup_copy(unsigned char key[COPY_KEY_SIZE], struct buf *text, json_t **leaf)
{
    char key_hex[65];
    struct err e;
    err_init(&e);
    for (size_t i = 0; i < COPY_KEY_SIZE; i++)
        key[i] = (unsigned char)(3 * i + 1);
    hex_encode(key_hex, key, COPY_KEY_SIZE);
    buf_init(text, 1024);
    assert_int_equal(copy_render_text(MEMO, 2, TITLE, "SBU", BODY, key_hex, text, &e), 0);
    *leaf = proto_leaf_version(2, H64, "SBU", "dissent", key, TITLE, BODY);
    assert_non_null(*leaf);
}

static void test_exact_and_heading(void **state)
{
    (void)state;
    unsigned char key[COPY_KEY_SIZE], found[COPY_KEY_SIZE];
    struct buf text, md;
    json_t *leaf, *paras = NULL, *cmp = NULL;
    char memo[32];
    int version = 0, whole = -1;
    struct err e;

    err_init(&e);
    setup_copy(key, &text, &leaf);
    assert_int_equal(copyc_find_key(buf_str(&text), memo, &version, found, &e), 0);
    assert_string_equal(memo, MEMO);
    assert_int_equal(version, 2);
    assert_memory_equal(found, key, COPY_KEY_SIZE);
    assert_int_equal(copyc_compare(found, buf_str(&text), leaf, &paras, &cmp, &whole, &e), 0);
    assert_int_equal(whole, 1);
    assert_true(json_is_true(json_object_get(cmp, "exact")));
    assert_int_equal(json_integer_value(json_object_get(cmp, "matching")), 3);
    json_decref(paras);
    json_decref(cmp);

    /* the title line written as a Markdown heading still matches */
    {
        const char *t = strstr(buf_str(&text), TITLE);
        assert_non_null(t);
        buf_init(&md, 1024);
        assert_int_equal(buf_append(&md, buf_str(&text), (size_t)(t - buf_str(&text)), &e), 0);
        assert_int_equal(buf_puts(&md, "# ", &e), 0);
        assert_int_equal(buf_puts(&md, t, &e), 0);
    }
    assert_int_equal(copyc_compare(key, buf_str(&md), leaf, &paras, &cmp, &whole, &e), 0);
    assert_true(json_is_true(json_object_get(cmp, "exact")));
    assert_string_equal(json_string_value(json_array_get(paras, 0)), TITLE);
    json_decref(paras);
    json_decref(cmp);
    buf_release(&md);
    buf_release(&text);
    json_decref(leaf);
}

static void test_changed_and_unverifiable(void **state)
{
    (void)state;
    unsigned char key[COPY_KEY_SIZE], found[COPY_KEY_SIZE];
    struct buf text;
    json_t *leaf, *paras = NULL, *cmp = NULL;
    char memo[32], *p;
    int version = 0, whole = -1;
    struct err e;

    err_init(&e);
    setup_copy(key, &text, &leaf);
    p = strstr(text.data, "second");
    assert_non_null(p);
    memcpy(p, "SECOND", 6);
    assert_int_equal(copyc_compare(key, buf_str(&text), leaf, &paras, &cmp, &whole, &e), 0);
    assert_int_equal(whole, 0);
    assert_false(json_is_true(json_object_get(cmp, "exact")));
    assert_int_equal(json_integer_value(json_object_get(cmp, "matching")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(cmp, "paragraphs"), 2), "status")),
                        "changed");
    json_decref(paras);
    json_decref(cmp);

    err_init(&e);
    assert_int_equal(copyc_find_key("just some text\n", memo, &version, found, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    buf_release(&text);
    json_decref(leaf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_and_heading),
        cmocka_unit_test(test_changed_and_unverifiable),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
