/* Tests for src/http/tmpl_helpers: each helper through tmpl_helper_find,
 * with JSON arguments as a template would pass them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/tmpl.h"

/* Calls helper name with the JSON array args (text); returns its result. */
static json_t *call(const char *name, const char *args)
{
    const struct tmpl_helper *h = tmpl_helper_find(name, strlen(name));
    json_t *a = json_loads(args, 0, NULL), *v[12], *out = NULL;
    struct err e;
    size_t n;
    err_init(&e);
    assert_non_null(h);
    assert_non_null(a);
    n = json_array_size(a);
    assert_true(n >= h->min_args && n <= h->max_args);
    for (size_t i = 0; i < n; i++)
        v[i] = json_is_null(json_array_get(a, i)) ? NULL : json_array_get(a, i);
    if (h->fn(v, n, &out, &e))
        fail_msg("%s failed: %s", name, e.msg);
    json_decref(a);
    return out;
}

/* Expects the helper's result to equal the JSON text want ("null": nothing). */
static void call_eq(const char *name, const char *args, const char *want)
{
    json_t *got = call(name, args), *w = json_loads(want, JSON_DECODE_ANY, NULL);
    if (json_is_null(w) ? got != NULL : !json_equal(got, w)) {
        char *g = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
        fail_msg("%s %s: got %s, want %s", name, args, g ? g : "nothing", want);
    }
    json_decref(got);
    json_decref(w);
}

static void test_text(void **state)
{
    (void)state;
    call_eq("markdown", "[\"a *b*\"]", "\"<p>a <em>b</em></p>\\n\"");
    call_eq("markdown", "[\"<script>x</script>\"]", "\"<!-- raw HTML omitted -->\\n\"");
    call_eq("markdown", "[null]", "\"\"");
    call_eq("localtime", "[\"2026-11-23T14:30:00Z\", \"America/New_York\"]",
            "\"2026-11-23 09:30 EST\"");
    call_eq("localtime", "[\"2026-11-23T14:30:00Z\"]", "\"2026-11-23 14:30 UTC\"");
    call_eq("localtime", "[\"2026-11-23T14:30:00Z\", \"\"]", "\"2026-11-23 14:30 UTC\"");
    call_eq("localtime", "[\"not a time\", \"UTC\"]", "\"\"");
    call_eq("localtime", "[null]", "\"\"");
    call_eq("capitalize", "[\"draft\"]", "\"Draft\"");
    call_eq("capitalize", "[\"\"]", "\"\"");
    call_eq("lower", "[\"CONFIDENTIAL\"]", "\"confidential\"");
    call_eq("sentence", "[\"the copy matches\"]", "\"The copy matches.\"");
    call_eq("sentence", "[\"Done!\"]", "\"Done!\"");
    call_eq("sentence", "[\"\"]", "\"\"");
    call_eq("replace", "[\"working_days\", \"_\", \" \"]", "\"working days\"");
    call_eq("replace", "[\"months\", \"_\", \" \"]", "\"months\"");
    call_eq("concat", "[\"Edit: \", \"T\", 3, null]", "\"Edit: T3\"");
}

static void test_values_and_lists(void **state)
{
    (void)state;
    call_eq("or", "[null, \"\", 0, \"x\", \"y\"]", "\"x\"");
    call_eq("or", "[null, false]", "null");
    call_eq("eq", "[2, 2]", "true");
    call_eq("eq", "[\"a\", \"b\"]", "false");
    call_eq("eq", "[null, null]", "true");
    call_eq("eq", "[1, \"1\"]", "false");
    call_eq("get", "[{\"a\": 1}, \"a\"]", "1");
    call_eq("get", "[[\"x\", \"y\"], 1]", "\"y\"");
    call_eq("get", "[[\"x\"], 5]", "null");
    call_eq("get", "[null, \"a\"]", "null");
    call_eq("last", "[[1, 2, 3]]", "3");
    call_eq("last", "[[]]", "null");
    call_eq("count", "[[1, 2]]", "2");
    call_eq("count", "[null]", "0");
    call_eq("where", "[[{\"o\": true, \"n\": 1}, {\"n\": 2}, {\"o\": 0, \"n\": 3}], \"o\"]",
            "[{\"o\": true, \"n\": 1}]");
    call_eq("where", "[[{\"s\": \"a\"}, {\"s\": \"b\"}], \"s\", \"b\"]", "[{\"s\": \"b\"}]");
    call_eq("where", "[[1, 2], null]", "[1, 2]");
    /* RFC 3339 UTC strings sort as times; those without the key last, in order */
    call_eq("sort",
            "[[{\"d\": null, \"n\": 1}, {\"d\": \"2026-12-01T00:00:00Z\", \"n\": 2}, {\"n\": 3},"
            " {\"d\": \"2026-11-01T00:00:00Z\", \"n\": 4}], \"d\"]",
            "[{\"d\": \"2026-11-01T00:00:00Z\", \"n\": 4}, {\"d\": \"2026-12-01T00:00:00Z\", "
            "\"n\": 2}, {\"d\": null, \"n\": 1}, {\"n\": 3}]");
    call_eq("join", "[[\"member\", \"reviewer\"], \", \"]", "\"member, reviewer\"");
    call_eq("join", "[[], \", \"]", "\"\"");
    call_eq("obj", "[\"a\", 1, \"b\", null, \"c\", \"x\"]", "{\"a\": 1, \"c\": \"x\"}");
}

static void test_memo_presentation(void **state)
{
    (void)state;
    call_eq("markings", "[\"SBU\", \"SBU\"]",
            "[{\"value\": \"UNCLASSIFIED\", \"label\": \"UNCLASSIFIED\", \"selected\": false},"
            " {\"value\": \"SBU\", \"label\": \"SBU\", \"selected\": true}]");
    {
        json_t *all = call("markings", "[\"\", \"\"]");
        assert_int_equal(json_array_size(all), 4); /* up to SECRET */
        json_decref(all);
    }
    /* A refused choice above the ceiling stays chosen, said to be above it. */
    call_eq("markings", "[\"UNCLASSIFIED\", \"SECRET\"]",
            "[{\"value\": \"UNCLASSIFIED\", \"label\": \"UNCLASSIFIED\", \"selected\": false},"
            " {\"value\": \"SECRET\", \"label\": \"SECRET (above this channel's ceiling)\","
            " \"selected\": true}]");
    call_eq("higher_marking", "[\"SBU\", \"CONFIDENTIAL\"]", "\"CONFIDENTIAL\"");
    call_eq("higher_marking", "[\"SECRET\", \"UNCLASSIFIED\"]", "\"SECRET\"");
    call_eq("higher_marking", "[\"bogus\", \"SBU\"]", "\"SBU\"");
    call_eq("higher_marking", "[null, null]", "null");
    call_eq("diff_pair", "[3, 5]", "{\"from\": 2, \"to\": 3}");
    call_eq("diff_pair", "[1, 5]", "{\"from\": 1, \"to\": 5}");
    call_eq("diff_rows",
            "[[{\"op\": \" \", \"text\": \"a\"}, {\"op\": \"-\", \"text\": \"b\"},"
            " {\"op\": \"+\", \"text\": \"c\"}]]",
            "{\"rows\": [{\"text\": \"a\", \"ln\": 1, \"rn\": 1, \"cls\": \"same\"},"
            " {\"text\": \"b\", \"ln\": 2, \"del\": true, \"cls\": \"del\"},"
            " {\"text\": \"c\", \"rn\": 2, \"add\": true, \"cls\": \"add\"}],"
            " \"added\": 1, \"removed\": 1, \"unchanged\": false}");
    call_eq("diff_rows", "[[{\"op\": \" \", \"text\": \"a\"}]]",
            "{\"rows\": [{\"text\": \"a\", \"ln\": 1, \"rn\": 1, \"cls\": \"same\"}],"
            " \"added\": 0, \"removed\": 0, \"unchanged\": true}");
    /* two removed lines face one added line */
    call_eq("diff_side",
            "[[{\"op\": \"-\", \"text\": \"b\"}, {\"op\": \"-\", \"text\": \"c\"},"
            " {\"op\": \"+\", \"text\": \"d\"}, {\"op\": \" \", \"text\": \"e\"}]]",
            "[{\"left\": \"b\", \"ln\": 1, \"lcls\": \"del\", \"ldel\": true, \"right\": \"d\","
            " \"rn\": 1, \"rcls\": \"add\", \"radd\": true},"
            " {\"left\": \"c\", \"ln\": 2, \"lcls\": \"del\", \"ldel\": true, \"rcls\": \"empty\"},"
            " {\"left\": \"e\", \"right\": \"e\", \"ln\": 3, \"rn\": 2, \"lcls\": \"same\","
            " \"rcls\": \"same\"}]");
}

static void test_chart(void **state)
{
    json_t *c;
    (void)state;
    call_eq("chart", "[[], \"2026-01-01T00:00:00Z\", \"UTC\"]", "null");
    call_eq("chart", "[[{\"at\": \"2026-01-02T00:00:00Z\", \"total\": 1}], \"nope\", \"UTC\"]",
            "null");
    c = call("chart", "[[{\"at\": \"2026-01-02T00:00:00Z\", \"total\": 1},"
                      " {\"at\": \"2026-01-03T00:00:00Z\", \"total\": 2},"
                      " {\"at\": \"2026-01-03T00:00:00Z\", \"total\": 3}],"
                      " \"2026-01-01T00:00:00Z\", \"America/New_York\"]");
    assert_non_null(c);
    assert_int_equal(json_integer_value(json_object_get(c, "now_total")), 3);
    assert_int_equal(json_integer_value(json_object_get(c, "max_total")), 3);
    assert_string_equal(json_string_value(json_object_get(c, "view_box")), "0 0 320 166");
    /* the axis titles sit below the dates and left of the numbers */
    assert_true(json_integer_value(json_object_get(c, "x_title_y")) >
                json_integer_value(json_object_get(c, "label_y")));
    assert_true(
        json_integer_value(json_object_get(c, "y_title_x")) <
        json_real_value(json_object_get(json_array_get(json_object_get(c, "y_ticks"), 0), "x")) -
            10);
    /* the first tick is the creation date in the zone (midnight UTC is the day before) */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(c, "x_ticks"), 0), "label")),
                        "2025-12-31");
    /* one instant draws one step: start, two steps of two points, the end */
    {
        const char *pts = json_string_value(json_object_get(c, "points"));
        size_t pairs = 0;
        for (const char *p = pts; *p; p++)
            pairs += *p == ',';
        assert_int_equal(pairs, 1 + 2 * 2 + 1);
    }
    json_decref(c);
}

/* Working days in words; the bar chart of deadlines by month. */
static void test_days_and_bars(void **state)
{
    json_t *c, *g, *b;
    (void)state;
    call_eq("days", "[null]", "\"none yet\"");
    call_eq("days", "[1.0]", "\"1 working day\"");
    call_eq("days", "[0]", "\"0 working days\"");
    call_eq("days", "[3.5]", "\"3.5 working days\"");
    /* Counted words agree with their number; sums for "version N+1". */
    call_eq("plural", "[1, \"line\"]", "\"1 line\"");
    call_eq("plural", "[0, \"line\"]", "\"0 lines\"");
    call_eq("plural", "[2, \"read matches\", \"reads match\"]", "\"2 reads match\"");
    call_eq("plural", "[1, \"read matches\", \"reads match\"]", "\"1 read matches\"");
    call_eq("add", "[1, 1]", "2");
    call_eq("add", "[7, 1]", "8");
    call_eq("bars", "[[]]", "null");
    call_eq("bars", "[null]", "null");
    c = call("bars", "[[{\"month\": \"2026-11\", \"met\": 3, \"missed\": 1},"
                     " {\"month\": \"2027-01\", \"met\": 0, \"missed\": 2}]]");
    assert_non_null(c);
    assert_string_equal(json_string_value(json_object_get(c, "view_box")), "0 0 480 216");
    assert_true(json_integer_value(json_object_get(c, "x_title_y")) >
                json_integer_value(json_object_get(c, "label_y")));
    g = json_object_get(c, "groups");
    assert_int_equal(json_array_size(g), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(g, 0), "label")),
                        "Nov 2026");
    assert_string_equal(json_string_value(json_object_get(json_array_get(g, 1), "label")),
                        "Jan 2027");
    b = json_object_get(json_array_get(g, 0), "bars");
    assert_string_equal(json_string_value(json_object_get(json_array_get(b, 0), "kind")), "met");
    assert_string_equal(json_string_value(json_object_get(json_array_get(b, 1), "kind")), "missed");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 0), "value")), 3);
    /* the tallest bar reaches the top of a scale of 4; a bar of 0 has no height */
    assert_true(json_real_value(json_object_get(json_array_get(b, 0), "h")) >
                json_real_value(json_object_get(json_array_get(b, 1), "h")));
    b = json_object_get(json_array_get(g, 1), "bars");
    assert_true(json_real_value(json_object_get(json_array_get(b, 0), "h")) == 0.0);
    /* y labels 0, 2, 4 */
    assert_int_equal(json_array_size(json_object_get(c, "y_ticks")), 3);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(c, "y_ticks"), 2), "label")),
                     4);
    json_decref(c);
}

static void test_lookup(void **state)
{
    (void)state;
    assert_non_null(tmpl_helper_find("eq", 2));
    assert_non_null(tmpl_helper_find("equal", 2)); /* a prefix of the name given */
    assert_null(tmpl_helper_find("equal", 5));
    assert_null(tmpl_helper_find("", 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_values_and_lists),
        cmocka_unit_test(test_memo_presentation),
        cmocka_unit_test(test_chart),
        cmocka_unit_test(test_days_and_bars),
        cmocka_unit_test(test_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
