/* Tests for src/cli/out.c: text from the server reaches the terminal without
 * its controls — C0 (ESC included), DEL and C1 (U+0080..U+009F; U+009B is a
 * CSI, like ESC [) — through out_text, every table cell, the banner and an
 * unparsable time, all by the one test of base/util.h (text_control_len);
 * valid multi-byte UTF-8 (U+00A0, é, €, an emoji) comes through whole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/out.h"

#define C1_CSI "\xc2\x9b"
#define C1_NEL "\xc2\x85"
#define UTF8   "\xc2\xa0\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" /* U+00A0 é € 😀 */

/* The bytes f wrote, after fclose (the caller frees them). */
static char *written(FILE *f, char **text)
{
    fclose(f);
    return *text;
}

static void test_out_text(void **state)
{
    (void)state;
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    out_text(f, "a\x1b[31mb" C1_CSI "31mc\x07\x7f" C1_NEL "\n\t" UTF8 "z");
    assert_string_equal(written(f, &text), "a?[31mb?31mc???\n\t" UTF8 "z");
    free(text);
}

static void test_table_cells(void **state)
{
    (void)state;
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    struct out_table t;
    static const char *const head[] = {"ID", "TITLE"};
    static const char *const row1[] = {"m1", "Visa" C1_CSI "31m policy"};
    static const char *const row2[] = {"m2\x1b", "a\nb\x7f" C1_NEL UTF8};
    out_table_init(&t, 2, head);
    out_table_add(&t, row1);
    out_table_add(&t, row2);
    out_table_print(&t, f);
    out_table_release(&t);
    /* one space per control, C1 included (one character: columns stay aligned) */
    assert_string_equal(written(f, &text), "ID   TITLE\n"
                                           "m1   Visa 31m policy\n"
                                           "m2   a b  " UTF8 "\n");
    assert_null(strstr(text, C1_CSI));
    free(text);

    /* a cut cell keeps whole characters and drops the C1 control */
    text = NULL;
    f = open_memstream(&text, &n);
    static const char *const row3[] = {"m3", C1_CSI "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9x"};
    out_table_init(&t, 2, head);
    out_table_max_width(&t, 1, 6);
    out_table_add(&t, row3);
    out_table_print(&t, f);
    out_table_release(&t);
    assert_string_equal(written(f, &text), "ID  TITLE\n"
                                           "m3   \xc3\xa9\xc3\xa9...\n");
    free(text);
}

static void test_banner_and_time(void **state)
{
    (void)state;
    char *text = NULL, tm[40];
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    out_banner(f, "SBU" C1_CSI "2J\x1b");
    written(f, &text);
    assert_non_null(strstr(text, " SBU?2J? "));
    assert_null(strstr(text, C1_CSI));
    assert_null(strchr(text, 0x1b));
    free(text);
    assert_string_equal(out_time("soon" C1_CSI "31m\x1b", tm, sizeof tm), "soon?31m?");
    assert_string_equal(out_time("\xc3\xa9t\xc3\xa9", tm, sizeof tm), "\xc3\xa9t\xc3\xa9");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_text),
        cmocka_unit_test(test_table_cells),
        cmocka_unit_test(test_banner_and_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
