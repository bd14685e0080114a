/* Tests for src/http/tmpl: context-aware escaping, sections, partials, refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http/tmpl.h"

/* Renders one template src with data (JSON text) and compares with want. */
static void render_eq(const char *src, const char *data, const char *want)
{
    struct tmpl_set *s = NULL;
    struct buf out;
    struct err e;
    json_t *j = data ? json_loads(data, 0, NULL) : NULL;

    err_init(&e);
    buf_init(&out, 1 << 20);
    assert_int_equal(tmpl_set_new(&s, &e), 0);
    if (tmpl_add(s, "t", src, &e))
        fail_msg("parse failed: %s", e.msg);
    assert_int_equal(tmpl_render(s, "t", j, &out, &e), 0);
    assert_string_equal(buf_str(&out), want);
    buf_release(&out);
    json_decref(j);
    tmpl_set_free(s);
}

/* Expects src to be refused with a message containing needle. */
static void refuse(const char *src, const char *needle)
{
    struct tmpl_set *s = NULL;
    struct err e;
    err_init(&e);
    assert_int_equal(tmpl_set_new(&s, &e), 0);
    assert_int_equal(tmpl_add(s, "bad", src, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    if (!strstr(e.msg, needle))
        fail_msg("message '%s' lacks '%s'", e.msg, needle);
    tmpl_set_free(s);
}

static void test_text_escaping(void **state)
{
    (void)state;
    render_eq("<p>{{x}}</p>", "{\"x\":\"<script>alert(1)</script>\"}",
              "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    render_eq("{{x}}", "{\"x\":\"a & b 'c' \\\"d\\\"\"}", "a &amp; b &#39;c&#39; &quot;d&quot;");
    render_eq("{{{x}}}", "{\"x\":\"<em>ok</em>\"}", "<em>ok</em>");
    render_eq("<title>{{t}} - dissent</title>", "{\"t\":\"</title><script>\"}",
              "<title>&lt;/title&gt;&lt;script&gt; - dissent</title>");
    render_eq("<textarea name=\"b\">{{t}}</textarea>", "{\"t\":\"</textarea>x\"}",
              "<textarea name=\"b\">&lt;/textarea&gt;x</textarea>");
}

static void test_attr_escaping(void **state)
{
    (void)state;
    render_eq("<input value=\"{{v}}\">", "{\"v\":\"\\\" onfocus=\\\"alert(1)\"}",
              "<input value=\"&quot; onfocus=&quot;alert(1)\">");
    render_eq("<input value='{{v}}'>", "{\"v\":\"' x='1\"}", "<input value='&#39; x=&#39;1'>");
    render_eq("<div class=\"a {{c}}\" title=\"{{t}}\">", "{\"c\":\"b<\",\"t\":\"&\"}",
              "<div class=\"a b&lt;\" title=\"&amp;\">");
}

static void test_url_escaping(void **state)
{
    (void)state;
    render_eq("<a href=\"{{u}}\">x</a>", "{\"u\":\"javascript:alert(1)\"}",
              "<a href=\"#blocked\">x</a>");
    render_eq("<a href=\"{{u}}\">x</a>", "{\"u\":\"JaVaScRiPt:alert(1)\"}",
              "<a href=\"#blocked\">x</a>");
    render_eq("<a href=\"{{u}}\">x</a>", "{\"u\":\" java\\tscript:alert(1)\"}",
              "<a href=\"#blocked\">x</a>");
    render_eq("<img src=\"{{u}}\">", "{\"u\":\"data:text/html;base64,PHNjcmlwdD4=\"}",
              "<img src=\"#blocked\">");
    render_eq("<form action=\"{{u}}\"></form>", "{\"u\":\"vbscript:x\"}",
              "<form action=\"#blocked\"></form>");
    render_eq("<a href=\"{{u}}\">x</a>", "{\"u\":\"https://example.org/a?b=1&c=\\\"2\\\" 3\"}",
              "<a href=\"https://example.org/a?b=1&amp;c=%222%22%203\">x</a>");
    render_eq("<a href=\"{{u}}\">x</a>", "{\"u\":\"/memos/abc#v2\"}",
              "<a href=\"/memos/abc#v2\">x</a>");
    render_eq("<a href=\"{{u}}\">x</a>", "{\"u\":\"mailto:po@example.org\"}",
              "<a href=\"mailto:po@example.org\">x</a>");
    /* a value after other text in the URL is a component */
    render_eq("<a href=\"/memos/{{id}}?q={{q}}\">x</a>",
              "{\"id\":\"javascript:alert(1)\",\"q\":\"a b&c/d\"}",
              "<a href=\"/memos/javascript%3Aalert%281%29?q=a%20b%26c%2Fd\">x</a>");
}

static void test_sections(void **state)
{
    (void)state;
    /* loops over arrays of objects and of strings, nested */
    render_eq(
        "<ul>{{#memos}}<li>{{title}}:{{#tags}}[{{.}}]{{/tags}}</li>{{/memos}}</ul>",
        "{\"memos\":[{\"title\":\"A\",\"tags\":[\"x\",\"<y>\"]},{\"title\":\"B\",\"tags\":[]}]}",
        "<ul><li>A:[x][&lt;y&gt;]</li><li>B:</li></ul>");
    /* outer names are visible inside; objects push a context */
    render_eq("{{#m}}{{title}} by {{org}}{{/m}}", "{\"org\":\"State\",\"m\":{\"title\":\"T\"}}",
              "T by State");
    /* conditionals and inverted sections */
    render_eq("{{#ok}}yes{{/ok}}{{^ok}}no{{/ok}}", "{\"ok\":true}", "yes");
    render_eq("{{#ok}}yes{{/ok}}{{^ok}}no{{/ok}}", "{\"ok\":false}", "no");
    render_eq("{{#ok}}yes{{/ok}}{{^ok}}no{{/ok}}", "{}", "no");
    render_eq("{{#list}}x{{/list}}{{^list}}empty{{/list}}", "{\"list\":[]}", "empty");
    render_eq("{{#s}}[{{s}}]{{/s}}", "{\"s\":\"\"}", "");
    /* dotted names, numbers, booleans */
    render_eq("{{a.b.c}} {{n}} {{r}} {{t}} {{f}} {{z}}",
              "{\"a\":{\"b\":{\"c\":\"deep\"}},\"n\":42,\"r\":1.5,\"t\":true,\"f\":false,"
              "\"z\":null}",
              "deep 42 1.5 true  ");
    /* sections inside attributes, as long as the context is the same at both ends */
    render_eq("<li class=\"memo{{#late}} late{{/late}}\">", "{\"late\":1}",
              "<li class=\"memo late\">");
    render_eq("<input type=\"checkbox\"{{#on}} checked{{/on}}>", "{\"on\":true}",
              "<input type=\"checkbox\" checked>");
    /* comments */
    render_eq("a{{! this is ignored }}b", NULL, "ab");
}

static void test_missing_keys(void **state)
{
    (void)state;
    render_eq("<p>{{nope}}</p><a href=\"{{nope}}\">{{a.b.c}}</a>", "{\"a\":1}",
              "<p></p><a href=\"\"></a>");
    render_eq("[{{x}}]", NULL, "[]");
    render_eq("{{ spaced }}", "{\"spaced\":\"ok\"}", "ok");
}

static void test_partials(void **state)
{
    struct tmpl_set *s = NULL;
    struct buf out;
    struct err e;
    json_t *j =
        json_pack("{s:s,s:[{s:s},{s:s}]}", "title", "<T>", "items", "name", "a", "name", "b");
    static const struct tmpl_source srcs[] = {
        {.name = "page", .text = "{{>header}}<ul>{{#items}}{{>item}}{{/items}}</ul>"},
        {.name = "header", .text = "<h1>{{title}}</h1>"},
        {.name = "item", .text = "<li>{{name}} of {{title}}</li>"},
    };
    (void)state;
    err_init(&e);
    buf_init(&out, 4096);
    assert_int_equal(tmpl_set_new(&s, &e), 0);
    assert_int_equal(tmpl_add_all(s, srcs, 3, &e), 0);
    assert_int_equal(tmpl_render(s, "page", j, &out, &e), 0);
    assert_string_equal(
        buf_str(&out), "<h1>&lt;T&gt;</h1><ul><li>a of &lt;T&gt;</li><li>b of &lt;T&gt;</li></ul>");
    /* unknown template and duplicate names */
    assert_int_equal(tmpl_render(s, "nope", j, &out, &e), -1);
    assert_int_equal(tmpl_add(s, "item", "x", &e), -1);
    /* an unknown partial is found by tmpl_check */
    assert_int_equal(tmpl_add(s, "broken", "{{>missing}}", &e), 0);
    assert_int_equal(tmpl_check(s, &e), -1);
    assert_non_null(strstr(e.msg, "missing"));
    /* self-inclusion stops at the depth limit */
    assert_int_equal(tmpl_add(s, "loop", "x{{>loop}}", &e), 0);
    buf_reset(&out);
    assert_int_equal(tmpl_render(s, "loop", j, &out, &e), -1);
    /* output limit */
    {
        struct buf small;
        buf_init(&small, 10);
        assert_int_equal(tmpl_render(s, "page", j, &small, &e), -1);
        assert_int_equal(e.code, ERR_TOO_LARGE);
        buf_release(&small);
    }
    buf_release(&out);
    json_decref(j);
    tmpl_set_free(s);
}

/* Renders built-in template name with data (JSON text) into a new string. */
static char *render_builtin(const char *name, const char *data)
{
    struct tmpl_set *s = NULL;
    struct err e;
    struct buf out;
    json_t *j = json_loads(data, 0, NULL);
    char *r;
    err_init(&e);
    assert_non_null(j);
    assert_int_equal(tmpl_set_new(&s, &e), 0);
    assert_int_equal(tmpl_add_all(s, tmpl_builtin, tmpl_builtin_count, &e), 0);
    buf_init(&out, 1 << 20);
    if (tmpl_render(s, name, j, &out, &e))
        fail_msg("render %s: %s", name, e.msg);
    r = strdup(buf_str(&out));
    buf_release(&out);
    json_decref(j);
    tmpl_set_free(s);
    return r;
}

/* The templates read what readers may do and the deadlines from the
 * channel's JSON (memo.can, memo.review, the public memo's review.missed). */
static void test_builtin_templates_follow_the_channel(void **state)
{
    char *html;
    (void)state;
    html = render_builtin(
        "public", "{\"memo\":{\"memo\":\"m1\",\"state\":\"answered\",\"timezone\":"
                  "\"America/New_York\",\"review\":{\"missed\":[{\"deadline\":\"answer\","
                  "\"due\":\"2026-03-01T04:59:59Z\",\"met_at\":\"2026-03-02T12:00:00Z\"}]}}}");
    assert_non_null(strstr(html, "The policy office missed a deadline on this memo"));
    /* in the channel's zone, named once */
    assert_non_null(strstr(html, "times in America/New_York"));
    assert_non_null(strstr(html, "the answer was due 2026-02-28 23:59, and came 2026-03-02 07:00"));
    free(html);
    html = render_builtin("public", "{\"memo\":{\"memo\":\"m1\",\"review\":{\"missed\":[]}}}");
    assert_null(strstr(html, "missed a deadline"));
    free(html);

    html = render_builtin(
        "memo", "{\"memo\":{\"id\":\"m1\",\"state\":\"circulating\",\"latest_version\":2,"
                "\"my_signature\":1,\"timezone\":\"UTC\",\"version\":{\"number\":2,\"title\":\"T\","
                "\"marking\":\"SBU\",\"body\":\"b\"},\"review\":{},\"can\":{\"move\":true,"
                "\"unsign\":true}}}");
    assert_non_null(strstr(html, "Move my signature to version 2"));
    assert_non_null(strstr(html, "Your signature is on version 1"));
    assert_non_null(strstr(html, "Withdraw my signature"));
    assert_null(strstr(html, "Co-sign version 2"));
    assert_null(strstr(html, "You co-signed this version"));
    assert_non_null(strstr(html, "banner-top banner-sbu"));
    assert_non_null(strstr(html, "<title>T · dissent</title>"));
    free(html);
    html = render_builtin(
        "memo", "{\"memo\":{\"id\":\"m1\",\"state\":\"acknowledged\",\"latest_version\":1,"
                "\"timezone\":\"UTC\",\"version\":{\"number\":1,\"title\":\"T\",\"marking\":"
                "\"SBU\",\"body\":\"b\"},\"review\":{\"submitted_at\":\"2026-01-01T00:00:00Z\","
                "\"acknowledged_at\":\"2026-01-02T00:00:00Z\",\"overdue\":true,\"overdue_what\":"
                "\"answer\"},\"can\":{\"answer\":true},\"timeline\":[{\"at\":"
                "\"2026-01-02T00:00:00Z\",\"what\":\"acknowledged\",\"in_time\":true,"
                "\"met_on_day\":\"Fri 2 Jan\",\"late_by\":0},{\"at\":\"2026-02-01T00:00:00Z\","
                "\"what\":\"due\",\"deadline\":\"answer\",\"due_day\":\"Sat 31 Jan\","
                "\"overdue\":true,\"late_by\":3}]}}");
    assert_non_null(strstr(html, "The answer is overdue."));
    assert_non_null(strstr(
        html, "<li class=\"tl-overdue\" data-what=\"due\"><span class=\"tl-label\">Answer</span>"));
    /* the label and its words read as one sentence: "Answer missed by …", never "due due" */
    assert_null(strstr(html, "Answer due"));
    assert_non_null(strstr(html, "missed by 3 working days (was due Sat 31 Jan)"));
    assert_non_null(strstr(html, "met on Fri 2 Jan"));
    assert_non_null(strstr(html, "Times in UTC"));
    assert_null(strstr(html, "Due by"));
    assert_non_null(strstr(html, "Send the answer"));
    assert_null(strstr(html, "Acknowledge receipt"));
    free(html);
}

/* A list row names the deadline owed from the channel's "next", not from
 * the state's name. */
static void test_memo_row_next(void **state)
{
    char *html;
    (void)state;
    html = render_builtin("memo_row", "{\"deadlines\":true,\"channels\":[{\"slug\":\"d\","
                                      "\"timezone\":\"UTC\"}],\"id\":\"m1\",\"channel\":\"d\","
                                      "\"state\":\"submitted\",\"next\":\"answer\",\"next_due\":"
                                      "\"2026-01-02T00:00:00Z\"}");
    assert_non_null(strstr(html, "Answer by <time"));
    assert_null(strstr(html, "Acknowledge by"));
    free(html);
    html = render_builtin("memo_row", "{\"deadlines\":true,\"channels\":[{\"slug\":\"d\","
                                      "\"timezone\":\"UTC\"}],\"id\":\"m1\",\"channel\":\"d\","
                                      "\"state\":\"acknowledged\",\"next\":\"acknowledge\","
                                      "\"next_due\":\"2026-01-02T00:00:00Z\"}");
    assert_non_null(strstr(html, "Acknowledge by <time"));
    free(html);
}

static void test_builtin_templates_parse(void **state)
{
    struct tmpl_set *s = NULL;
    struct err e;
    (void)state;
    err_init(&e);
    assert_int_equal(tmpl_set_new(&s, &e), 0);
    if (tmpl_add_all(s, tmpl_builtin, tmpl_builtin_count, &e))
        fail_msg("built-in templates: %s", e.msg);
    {
        struct buf out;
        json_t *j = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s}", "status", 404, "title", "Not found",
                              "message", "<b>gone</b>", "page_title", "Not found", "marking",
                              "Unclassified", "marking_class", "unclassified");
        buf_init(&out, 1 << 20);
        assert_int_equal(tmpl_render(s, "error", j, &out, &e), 0);
        assert_non_null(strstr(buf_str(&out), "<h1>404 Not found</h1>"));
        assert_non_null(strstr(buf_str(&out), "&lt;b&gt;gone&lt;/b&gt;"));
        assert_non_null(strstr(buf_str(&out), "class=\"banner banner-top banner-unclassified\""));
        assert_non_null(strstr(buf_str(&out), "</html>"));
        buf_release(&out);
        json_decref(j);
    }
    tmpl_set_free(s);
}

static void test_malformed(void **state)
{
    (void)state;
    refuse("line one\nline two {{x", "line 2: '{{' is never closed");
    refuse("a\nb\n{{#s}}never closed", "line 3: section 's' is never closed");
    refuse("{{/s}}", "line 1: '{{/s}}' closes nothing");
    refuse("{{#a}}{{#b}}\n{{/a}}{{/b}}", "line 2: '{{/a}}' does not match the open section 'b'");
    refuse("{{bad name}}", "bad name");
    refuse("{{}}", "bad name");
    refuse("{{a..b}}", "bad name");
    refuse("{{{x}}", "never closed");
}

static void test_unsafe_contexts(void **state)
{
    (void)state;
    refuse("<a href={{u}}>", "inside quotes");
    refuse("<div {{attrs}}>", "inside a tag");
    refuse("<{{tag}}>", "inside a tag");
    refuse("<a onclick=\"{{js}}\">", "event handler");
    refuse("<p style=\"color: {{c}}\">", "style");
    refuse("<script>var x = {{x}};</script>", "<script>");
    refuse("<style>p { color: {{c}} }</style>", "<style>");
    refuse("<!-- {{x}} -->", "comment");
    refuse("<a title=\"{{{x}}}\">", "raw");
    refuse("<div class=\"{{#a}}\">{{/a}}\">", "another HTML context");
    refuse("{{#a}}<a href=\"{{/a}}\">", "another HTML context");
    refuse("<{{tag}}>", "inside a tag");
    refuse("</{{tag}}>", "inside a tag");
    refuse("<a title=\"{{>p}}\">", "partial may only be included in text");
    /* after a script ends, text is text again */
    render_eq("<script src=\"/static/a.js\"></script><p>{{x}}</p>", "{\"x\":\"<\"}",
              "<script src=\"/static/a.js\"></script><p>&lt;</p>");
}

static void test_helper_calls(void **state)
{
    (void)state;
    /* a value, escaped for where it stands */
    render_eq("<p>{{concat a \"<b>\"}}</p>", "{\"a\":\"x&\"}", "<p>x&amp;&lt;b&gt;</p>");
    render_eq("<a href=\"/m/{{concat a b}}\">", "{\"a\":\"x y\",\"b\":1}",
              "<a href=\"/m/x%20y1\">");
    /* raw, for trusted HTML */
    render_eq("{{{markdown t}}}", "{\"t\":\"**b**\"}", "<p><strong>b</strong></p>\n");
    /* sections over a result: a boolean, an object, an array */
    render_eq("{{#eq a 2}}two{{/eq}}{{^eq a 2}}not{{/eq}}", "{\"a\":2}", "two");
    render_eq("{{#eq a 2}}two{{/eq}}{{^eq a 2}}not{{/eq}}", "{\"a\":3}", "not");
    render_eq("{{#obj \"k\" a}}{{k}}-{{b}}{{/obj}}", "{\"a\":\"A\",\"b\":\"B\"}", "A-B");
    render_eq("{{#where xs \"on\"}}{{n}}{{/where}}",
              "{\"xs\":[{\"n\":1,\"on\":true},{\"n\":2},{\"n\":3,\"on\":1}]}", "13");
    /* nested calls, integers, names inside sections */
    render_eq("{{#xs}}{{#eq n (get (last ys) \"n\")}}*{{/eq}}{{n}}{{/xs}}",
              "{\"xs\":[{\"n\":1},{\"n\":2}],\"ys\":[{\"n\":0},{\"n\":2}]}", "1*2");
    render_eq("{{count (where xs \"on\")}}", "{\"xs\":[{\"on\":true},{\"on\":false}]}", "1");
    /* a missing argument is null */
    render_eq("[{{or a b \"dflt\"}}]", "{}", "[dflt]");
    render_eq("{{#eq a b}}same{{/eq}}", "{}", "same");
}

static void test_helper_calls_refused(void **state)
{
    (void)state;
    refuse("{{nosuch a}}", "unknown helper");
    refuse("{{eq a}}", "wrong number of arguments");
    refuse("{{eq a b c}}", "wrong number of arguments");
    refuse("{{eq a (get b}}", "never closed");
    refuse("{{eq a b)}}", "closes nothing");
    refuse("{{eq a \"b}}", "never closed");
    refuse("{{eq a b!}}", "bad argument");
    refuse("{{#eq a b}}x{{/a}}", "does not match");
    refuse("<p {{concat a b}}>", "inside a tag");
    refuse("<a href=\"{{{concat a b}}}\">", "raw");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_escaping),
        cmocka_unit_test(test_attr_escaping),
        cmocka_unit_test(test_url_escaping),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_missing_keys),
        cmocka_unit_test(test_partials),
        cmocka_unit_test(test_builtin_templates_parse),
        cmocka_unit_test(test_memo_row_next),
        cmocka_unit_test(test_builtin_templates_follow_the_channel),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_unsafe_contexts),
        cmocka_unit_test(test_helper_calls),
        cmocka_unit_test(test_helper_calls_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
