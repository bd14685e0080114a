/* Tests for src/http/markdown: safe rendering of memo text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http/markdown.h"

static char *render(const char *md)
{
    struct buf out;
    struct err e;
    err_init(&e);
    buf_init(&out, 1 << 20);
    assert_int_equal(markdown_render(md, strlen(md), &out, &e), 0);
    return buf_detach(&out);
}

static void test_basic(void **state)
{
    char *h = render("# Title\n\nSome *emphasis* and a [link](https://example.org).\n");
    (void)state;
    assert_non_null(strstr(h, "<h1>Title</h1>"));
    assert_non_null(strstr(h, "<em>emphasis</em>"));
    assert_non_null(strstr(h, "<a href=\"https://example.org\">link</a>"));
    free(h);
}

static void test_no_raw_html(void **state)
{
    char *h = render("Hello <script>alert(1)</script>\n\n<script>\nalert(2)\n</script>\n\n"
                     "<img src=x onerror=alert(3)>\n");
    (void)state;
    assert_null(strstr(h, "<script"));
    assert_null(strstr(h, "<img"));
    assert_null(strstr(h, "onerror"));
    assert_non_null(strstr(h, "raw HTML omitted"));
    free(h);
}

static void test_no_unsafe_links(void **state)
{
    char *h = render("[x](javascript:alert(1)) [y](JAVASCRIPT:alert(1)) [z](vbscript:x) "
                     "![i](data:text/html;base64,PHNjcmlwdD4=) <javascript:alert(1)>\n");
    (void)state;
    /* the text of an autolink may show the URL, but no destination keeps it */
    assert_null(strstr(h, "href=\"javascript"));
    assert_null(strstr(h, "href=\"JAVASCRIPT"));
    assert_null(strstr(h, "href=\"vbscript"));
    assert_null(strstr(h, "src=\"data:text"));
    assert_non_null(strstr(h, "<a href=\"\">x</a>"));
    free(h);
}

static void test_text_is_escaped(void **state)
{
    char *h = render("a < b & \"c\"\n");
    (void)state;
    assert_non_null(strstr(h, "a &lt; b &amp; &quot;c&quot;"));
    free(h);
}

static void test_limits(void **state)
{
    struct buf out;
    struct err e;
    char *big = malloc(MARKDOWN_MAX + 2);
    (void)state;
    err_init(&e);
    buf_init(&out, 1 << 20);
    memset(big, 'a', MARKDOWN_MAX + 1);
    big[MARKDOWN_MAX + 1] = '\0';
    assert_int_equal(markdown_render(big, MARKDOWN_MAX + 1, &out, &e), -1);
    assert_int_equal(e.code, ERR_TOO_LARGE);
    assert_int_equal(markdown_render("\xc3\x28", 2, &out, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    free(big);
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),           cmocka_unit_test(test_no_raw_html),
        cmocka_unit_test(test_no_unsafe_links), cmocka_unit_test(test_text_is_escaped),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
