/* Tests for src/proto/copycheck.c: paragraph normalization (white space,
 * wrapping, CRLF), banners and the verification line dropped from copies,
 * the verification line found / absent / malformed, keyed digests against an
 * independent HMAC, the rendering round trip, and copy_compare: exact,
 * changed, added, removed, reordered. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "proto/copycheck.h"

static const char MEMO[] = "abcdefghijklmnopqrstuvwxyz";

static void key_of(unsigned char key[COPY_KEY_SIZE], unsigned char seed)
{
    for (size_t i = 0; i < COPY_KEY_SIZE; i++)
        key[i] = (unsigned char)(seed + i);
}

/* Asserts arr is exactly the strings of want (NULL-terminated). */
static void assert_strings(const json_t *arr, const char *const *want)
{
    size_t n = 0;
    assert_non_null(arr);
    for (; want[n]; n++) {
        const char *got = json_string_value(json_array_get(arr, n));
        assert_non_null(got);
        assert_string_equal(got, want[n]);
    }
    assert_int_equal(json_array_size(arr), n);
}

static void test_normalization(void **state)
{
    (void)state;
    json_t *p = copy_paragraphs("  One  two\tthree\n   four  \n\nFive.\n");
    static const char *const a[] = {"One two three four", "Five.", NULL};
    assert_strings(p, a);
    json_decref(p);

    /* the same text re-wrapped, re-indented, with CRLF and extra blank lines */
    p = copy_paragraphs("\r\n\r\nOne\r\n two\r\n  three four\r\n\r\n \t \r\n\r\n   Five.");
    assert_strings(p, a);
    json_decref(p);

    /* a line of white space separates paragraphs; empty input has none */
    p = copy_paragraphs("a\n \t\nb");
    static const char *const b[] = {"a", "b", NULL};
    assert_strings(p, b);
    json_decref(p);
    p = copy_paragraphs("");
    assert_int_equal(json_array_size(p), 0);
    json_decref(p);
    p = copy_paragraphs(" \n\n\t\n");
    assert_int_equal(json_array_size(p), 0);
    json_decref(p);

    /* the title is paragraph 1 of a version */
    p = copy_version_paragraphs("  A   title ", "Body one\nwrapped.\n\nBody two.");
    static const char *const c[] = {"A title", "Body one wrapped.", "Body two.", NULL};
    assert_strings(p, c);
    json_decref(p);
}

static void test_digests(void **state)
{
    (void)state;
    unsigned char key[COPY_KEY_SIZE], key2[COPY_KEY_SIZE], mac[32];
    char hex[COPY_DIGEST_HEX], hex2[COPY_DIGEST_HEX], want[COPY_DIGEST_HEX];
    static const char label[] = "dissent-paragraph-v1\nHello world.";
    key_of(key, 1);
    key_of(key2, 2);

    /* an independent HMAC-SHA-256 of label || paragraph */
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, sizeof key);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, strlen(label));
    crypto_auth_hmacsha256_final(&st, mac);
    hex_encode(want, mac, 32);
    copy_paragraph_digest(key, "Hello world.", hex);
    assert_string_equal(hex, want);

    /* keyed: another key gives another digest */
    copy_paragraph_digest(key2, "Hello world.", hex2);
    assert_string_not_equal(hex, hex2);

    /* the whole-text digest: "dissent-copy-v1\n" || paragraphs joined by "\n" */
    json_t *paras = json_pack("[s,s]", "T", "Body.");
    static const char whole[] = "dissent-copy-v1\nT\nBody.";
    crypto_auth_hmacsha256_init(&st, key, sizeof key);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)whole, strlen(whole));
    crypto_auth_hmacsha256_final(&st, mac);
    hex_encode(want, mac, 32);
    copy_text_digest(key, paras, hex);
    assert_string_equal(hex, want);

    json_t *d = copy_version_digests(key, "T", "Body.");
    assert_non_null(d);
    assert_string_equal(json_string_value(json_object_get(d, "digest")), want);
    assert_int_equal(json_array_size(json_object_get(d, "paragraphs")), 2);
    copy_paragraph_digest(key, "T", hex);
    assert_string_equal(json_string_value(json_array_get(json_object_get(d, "paragraphs"), 0)),
                        hex);
    json_decref(d);
    json_decref(paras);
}

/* Renders a version into a new string (free()). */
static char *render(const char *title, const char *marking, const char *body,
                    const unsigned char key[COPY_KEY_SIZE])
{
    struct buf b;
    struct err e;
    char hex[2 * COPY_KEY_SIZE + 1];
    hex_encode(hex, key, COPY_KEY_SIZE);
    buf_init(&b, 1 << 20);
    assert_int_equal(copy_render_text(MEMO, 3, title, marking, body, hex, &b, &e), 0);
    char *s = buf_detach(&b);
    assert_non_null(s);
    return s;
}

static void test_rendering_round_trip(void **state)
{
    (void)state;
    unsigned char key[COPY_KEY_SIZE], got[COPY_KEY_SIZE];
    char id[32], hex[COPY_DIGEST_HEX];
    int version = 0;
    struct err e;
    key_of(key, 7);
    char *text = render("Keep the consulates", "SBU", "## Summary\n\nFirst.\n\nSecond\nline.", key);

    /* layout: banner, title, body, key line, banner */
    assert_int_equal(strncmp(text, "SBU\n\nKeep the consulates\n\n## Summary\n", 37), 0);
    assert_non_null(
        strstr(text, "\nSecond\nline.\n\ndissent-verify: abcdefghijklmnopqrstuvwxyz 3 "));
    assert_int_equal(strcmp(text + strlen(text) - 5, "\nSBU\n"), 0);

    assert_int_equal(copy_find_key(text, id, &version, got, &e), 0);
    assert_string_equal(id, MEMO);
    assert_int_equal(version, 3);
    assert_memory_equal(got, key, COPY_KEY_SIZE);

    /* the copy's paragraphs are the version's: no banners, no key line */
    json_t *copy = copy_text_paragraphs(text);
    json_t *reg =
        copy_version_paragraphs("Keep the consulates", "## Summary\n\nFirst.\n\nSecond\nline.");
    assert_true(json_equal(copy, reg));
    static const char *const want[] = {"Keep the consulates", "## Summary", "First.",
                                       "Second line.", NULL};
    assert_strings(copy, want);
    char h1[COPY_DIGEST_HEX];
    copy_text_digest(key, copy, h1);
    copy_text_digest(key, reg, hex);
    assert_string_equal(h1, hex);
    json_decref(copy);
    json_decref(reg);
    free(text);
}

static void test_banners_dropped(void **state)
{
    (void)state;
    json_t *p = copy_text_paragraphs("CONFIDENTIAL\n\nTitle\n\nBody\n\nCONFIDENTIAL\n");
    static const char *const a[] = {"Title", "Body", NULL};
    assert_strings(p, a);
    json_decref(p);
    /* a marking word inside a paragraph is text, not a banner */
    p = copy_text_paragraphs("SECRET\n\nThe SECRET plan\n\nSBU\n");
    static const char *const b[] = {"The SECRET plan", NULL};
    assert_strings(p, b);
    json_decref(p);
}

static void test_key_line(void **state)
{
    (void)state;
    unsigned char key[COPY_KEY_SIZE];
    char id[32];
    int v = 0;
    struct err e;
    static const char k64[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    char text[512];

    /* found anywhere, with surrounding white space and tabs */
    snprintf(text, sizeof text, "Title\n\n  dissent-verify:\t%s   12  %s  \r\nSBU\n", MEMO, k64);
    assert_int_equal(copy_find_key(text, id, &v, key, &e), 0);
    assert_int_equal(v, 12);
    assert_int_equal(key[0], 0x00);
    assert_int_equal(key[31], 0xff);
    /* and dropped from the paragraphs */
    json_t *p = copy_text_paragraphs(text);
    static const char *const a[] = {"Title", NULL};
    assert_strings(p, a);
    json_decref(p);

    /* absent */
    assert_int_equal(copy_find_key("Title\n\nBody.\n", id, &v, key, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_non_null(strstr(e.msg, "cannot be checked"));
    assert_int_equal(copy_find_key("", id, &v, key, &e), -1);

    /* malformed: each is not a key line (and so stays a paragraph) */
    static const struct {
        const char *head, *tail; /* the line is head, the 64-hex key if tail, then tail */
    } bad[] = {
        {"dissent-verify: abcdefghijklmnopqrstuvwxyz 1 0011", NULL}, /* short key */
        {"dissent-verify: abcdefghijklmnopqrstuvwxyz 0 ", ""},       /* version 0 */
        {"dissent-verify: abcdefghijklmnopqrstuvwxyz x ", ""},       /* not a number */
        {"dissent-verify: abcdefghijklmnopqrstuvwxy 1 ", ""},        /* id too short */
        {"dissent-verify: abcdefghijklmnopqrstuvwxyz 1 ", " extra"}, /* extra field */
        {"dissent-verify: abcdefghijklmnopqrstuvwxyz 1", NULL},      /* no key */
        {"dissent-verify abcdefghijklmnopqrstuvwxyz 1 ", ""},        /* no colon */
        {"see: dissent-verify: abcdefghijklmnopqrstuvwxyz 1 ", ""},  /* not at the start */
        {"dissent-verify: abcdefghijklmnopqrstuvwxyz 1 zz", "zz"},   /* not hex, too long */
        {"dissent-verify: abcdefghijklmnopqrstuvwxyz 1 ", "00"},     /* key too long */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, "%s%s%s", bad[i].head, bad[i].tail ? k64 : "",
                 bad[i].tail ? bad[i].tail : "");
        assert_int_equal(copy_find_key(text, id, &v, key, &e), -1);
        p = copy_text_paragraphs(text);
        assert_int_equal(json_array_size(p), 1);
        json_decref(p);
    }
}

/* copy_compare of two string arrays given as NULL-terminated lists. */
static json_t *compare(const char *const *reg, const char *const *copy)
{
    json_t *r = json_array(), *c = json_array();
    for (; *reg; reg++)
        json_array_append_new(r, json_string(*reg));
    for (; *copy; copy++)
        json_array_append_new(c, json_string(*copy));
    json_t *out = copy_compare(r, c);
    json_decref(r);
    json_decref(c);
    assert_non_null(out);
    return out;
}

/* Asserts the paragraphs list: "status:reg:copy" strings, 0 for null. */
static void assert_pairs(const json_t *cmp, const char *const *want)
{
    const json_t *list = json_object_get(cmp, "paragraphs");
    size_t n = 0;
    for (; want[n]; n++) {
        const json_t *it = json_array_get(list, n);
        char got[64];
        assert_non_null(it);
        snprintf(got, sizeof got, "%s:%lld:%lld", json_string_value(json_object_get(it, "status")),
                 (long long)json_integer_value(json_object_get(it, "registered")),
                 (long long)json_integer_value(json_object_get(it, "copy")));
        assert_string_equal(got, want[n]);
    }
    assert_int_equal(json_array_size(list), n);
}

static void test_compare(void **state)
{
    (void)state;
    static const char *const reg[] = {"A", "B", "C", "D", NULL};

    json_t *c = compare(reg, reg);
    assert_true(json_is_true(json_object_get(c, "exact")));
    assert_int_equal(json_integer_value(json_object_get(c, "matching")), 4);
    static const char *const same[] = {"same:1:1", "same:2:2", "same:3:3", "same:4:4", NULL};
    assert_pairs(c, same);
    json_decref(c);

    static const char *const changed_copy[] = {"A", "B'", "C", "D", NULL};
    c = compare(reg, changed_copy);
    assert_false(json_is_true(json_object_get(c, "exact")));
    assert_int_equal(json_integer_value(json_object_get(c, "matching")), 3);
    static const char *const changed[] = {"same:1:1", "changed:2:2", "same:3:3", "same:4:4", NULL};
    assert_pairs(c, changed);
    json_decref(c);

    static const char *const added_copy[] = {"A", "B", "X", "C", "D", "Y", NULL};
    c = compare(reg, added_copy);
    static const char *const added[] = {"same:1:1", "same:2:2",  "added:0:3", "same:3:4",
                                        "same:4:5", "added:0:6", NULL};
    assert_pairs(c, added);
    json_decref(c);

    static const char *const removed_copy[] = {"B", "C", NULL};
    c = compare(reg, removed_copy);
    static const char *const removed[] = {"removed:1:0", "same:2:1", "same:3:2", "removed:4:0",
                                          NULL};
    assert_pairs(c, removed);
    assert_int_equal(json_integer_value(json_object_get(c, "matching")), 2);
    json_decref(c);

    /* reordered: C moved before B; one of them stays matched, the other is
     * reported as moved (registered 2 is the copy's 3), not removed and added */
    static const char *const reordered_copy[] = {"A", "C", "B", "D", NULL};
    c = compare(reg, reordered_copy);
    assert_false(json_is_true(json_object_get(c, "exact")));
    assert_int_equal(json_integer_value(json_object_get(c, "matching")), 3);
    assert_int_equal(json_integer_value(json_object_get(c, "moved")), 1);
    static const char *const reordered[] = {"same:1:1", "same:3:2", "moved:2:3", "same:4:4", NULL};
    assert_pairs(c, reordered);
    json_decref(c);

    /* a paragraph moved far, one changed and one added around it */
    static const char *const far_copy[] = {"D", "A", "B'", "C", "X", NULL};
    c = compare(reg, far_copy);
    assert_int_equal(json_integer_value(json_object_get(c, "moved")), 1);
    static const char *const far[] = {"moved:4:1", "same:1:2",  "changed:2:3",
                                      "same:3:4",  "added:0:5", NULL};
    assert_pairs(c, far);
    json_decref(c);

    /* two changed in a row, and a longer copy stretch: pairs, then added */
    static const char *const stretch_copy[] = {"A", "x", "y", "z", "D", NULL};
    c = compare(reg, stretch_copy);
    static const char *const stretch[] = {"same:1:1",  "changed:2:2", "changed:3:3",
                                          "added:0:4", "same:4:5",    NULL};
    assert_pairs(c, stretch);
    json_decref(c);

    /* nothing in common, and empty sides */
    static const char *const other[] = {"P", "Q", NULL};
    static const char *const none[] = {NULL};
    c = compare(reg, other);
    assert_int_equal(json_integer_value(json_object_get(c, "matching")), 0);
    json_decref(c);
    c = compare(none, none);
    assert_true(json_is_true(json_object_get(c, "exact")));
    json_decref(c);
    c = compare(reg, none);
    static const char *const all_removed[] = {"removed:1:0", "removed:2:0", "removed:3:0",
                                              "removed:4:0", NULL};
    assert_pairs(c, all_removed);
    json_decref(c);
}

/* The banners are compared, not dropped silently; two verification lines
 * are refused. */
static void test_markings_and_two_lines(void **state)
{
    (void)state;
    unsigned char key[COPY_KEY_SIZE];
    char id[32], line[160], text[512];
    int v;
    struct err e;
    json_t *m;
    err_init(&e);

    m = copy_text_markings("CONFIDENTIAL\n\nTitle\n\nBody\n\nCONFIDENTIAL\n");
    assert_int_equal(json_array_size(m), 2);
    assert_string_equal(copy_marking_status(m, "CONFIDENTIAL"), "same");
    assert_string_equal(copy_marking_status(m, "SECRET"), "changed");
    json_decref(m);
    m = copy_text_markings("UNCLASSIFIED\n\nTitle\n\nBody\n\nCONFIDENTIAL\n");
    assert_string_equal(copy_marking_status(m, "CONFIDENTIAL"), "changed");
    json_decref(m);
    m = copy_text_markings("Title\n\nBody\n");
    assert_string_equal(copy_marking_status(m, "CONFIDENTIAL"), "missing");
    json_decref(m);

    snprintf(line, sizeof line, "dissent-verify: %s 3 %s", "0123456789abcdefghijklmnop",
             "0101010101010101010101010101010101010101010101010101010101010101");
    snprintf(text, sizeof text, "SBU\n\nTitle\n\nBody.\n\n%s\n\nSBU\n", line);
    assert_int_equal(copy_find_key(text, id, &v, key, &e), 0);
    snprintf(text, sizeof text, "SBU\n\nTitle\n\n%s\n\nBody.\n\n%s\n\nSBU\n", line, line);
    assert_int_equal(copy_find_key(text, id, &v, key, &e), -1);
    assert_non_null(strstr(e.msg, "more than one verification line"));
}

/* The whole path of `dissent verify`: a rendering, edited, digested with
 * the key from its own line, compared with the registered digests. */
static void test_copy_check_end_to_end(void **state)
{
    (void)state;
    unsigned char key[COPY_KEY_SIZE], got[COPY_KEY_SIZE];
    char id[32];
    int v;
    struct err e;
    const char *body = "First paragraph\nof the memo.\n\nSecond one.\n\nThird one.";
    key_of(key, 42);
    json_t *d = copy_version_digests(key, "Title", body);
    char *text = render("Title", "SECRET", body, key);

    /* re-wrap the first paragraph and change the third */
    char *p = strstr(text, "First paragraph\nof");
    p[15] = ' ';
    p = strstr(text, "Third one.");
    p[0] = 't';
    assert_int_equal(copy_find_key(text, id, &v, got, &e), 0);
    json_t *paras = copy_text_paragraphs(text), *dig = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(paras, i, it)
    {
        char hex[COPY_DIGEST_HEX];
        copy_paragraph_digest(got, json_string_value(it), hex);
        json_array_append_new(dig, json_string(hex));
    }
    json_t *c = copy_compare(json_object_get(d, "paragraphs"), dig);
    static const char *const want[] = {"same:1:1", "same:2:2", "same:3:3", "changed:4:4", NULL};
    assert_pairs(c, want);
    json_decref(c);
    json_decref(dig);
    json_decref(paras);
    json_decref(d);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalization),
        cmocka_unit_test(test_digests),
        cmocka_unit_test(test_rendering_round_trip),
        cmocka_unit_test(test_banners_dropped),
        cmocka_unit_test(test_key_line),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_markings_and_two_lines),
        cmocka_unit_test(test_copy_check_end_to_end),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
