/* Tests for src/base/json: strict parsing and the schema reader, one test per refusal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/json.h"

static const struct json_field memo_fields[] = {
    {.name = "title", .type = JSON_FIELD_STRING, .required = 1, .min_len = 1, .max_len = 10},
    {.name = "days", .type = JSON_FIELD_INT, .min = 1, .max = 90},
    {.name = "anonymous", .type = JSON_FIELD_BOOL},
    {.name = "tags", .type = JSON_FIELD_ARRAY, .max_len = 2},
    {.name = "meta", .type = JSON_FIELD_OBJECT},
    {.name = "note", .type = JSON_FIELD_STRING, .nullable = 1},
    {.name = "any", .type = JSON_FIELD_INT},
};
#define NF (sizeof memo_fields / sizeof memo_fields[0])

static int parse(const char *s, json_t **j, struct err *e)
{
    err_init(e);
    return json_parse_strict(s, strlen(s), 1000, 4, j, e);
}

static json_t *last_doc;

/* Parses s and reads it against memo_fields; returns the reader's status.
 * The document stays alive (borrowed strings in v) until the next call. */
static int read_doc(const char *s, struct json_value *v, struct err *e)
{
    json_decref(last_doc);
    last_doc = NULL;
    assert_int_equal(parse(s, &last_doc, e), 0);
    return json_read_fields(last_doc, memo_fields, NF, v, e);
}

static void refuse_parse(const char *s, enum err_code code, const char *needle)
{
    json_t *j = (json_t *)1;
    struct err e;
    assert_int_equal(parse(s, &j, &e), -1);
    assert_null(j);
    assert_int_equal(e.code, code);
    if (!strstr(e.msg, needle))
        fail_msg("message '%s' lacks '%s'", e.msg, needle);
}

static void refuse_read(const char *s, const char *msg)
{
    struct json_value v[NF];
    struct err e;
    assert_int_equal(read_doc(s, v, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.msg, msg);
}

static void test_parse_ok(void **state)
{
    json_t *j = NULL;
    struct err e;
    (void)state;
    assert_int_equal(parse("{\"a\":[1,{\"b\":2}],\"c\":\"\xc3\xa9\"}", &j, &e), 0);
    assert_true(json_is_object(j));
    json_decref(j);
}

static void test_parse_refusals(void **state)
{
    (void)state;
    refuse_parse("", ERR_INVALID, "empty");
    refuse_parse("{\"a\":", ERR_INVALID, "not valid JSON");
    refuse_parse("{\"a\":1} x", ERR_INVALID, "not valid JSON");
    refuse_parse("[1,2]", ERR_INVALID, "must be a JSON object");
    refuse_parse("\"str\"", ERR_INVALID, "must be a JSON object");
    refuse_parse("42", ERR_INVALID, "must be a JSON object");
    refuse_parse("{\"a\":1,\"a\":2}", ERR_INVALID, "duplicate");
    refuse_parse("{\"a\":\"\xc3\x28\"}", ERR_INVALID, "UTF-8");
    refuse_parse("{\"a\":\"\xed\xa0\x80\"}", ERR_INVALID, "UTF-8"); /* surrogate */
    refuse_parse("{\"a\":\"x\\u0000y\"}", ERR_INVALID, "not valid JSON");
    refuse_parse("{\"a\":[[[[1]]]]}", ERR_TOO_LARGE, "nested deeper than 4");
    /* brackets inside strings do not count */
    {
        json_t *j = NULL;
        struct err e;
        assert_int_equal(parse("{\"a\":\"[[[[[[[[\"}", &j, &e), 0);
        json_decref(j);
    }
    {
        json_t *j = NULL;
        struct err e;
        char big[1100];
        memset(big, ' ', sizeof big - 1);
        big[0] = '{';
        big[sizeof big - 2] = '}';
        big[sizeof big - 1] = '\0';
        err_init(&e);
        assert_int_equal(json_parse_strict(big, strlen(big), 1000, 4, &j, &e), -1);
        assert_int_equal(e.code, ERR_TOO_LARGE);
    }
}

static void test_read_ok(void **state)
{
    struct json_value v[NF];
    struct err e;
    (void)state;
    assert_int_equal(read_doc("{\"title\":\"\xc3\xa9t\xc3\xa9\",\"days\":90,\"anonymous\":true,"
                              "\"tags\":[1,2],\"meta\":{},\"note\":null,\"any\":-5}",
                              v, &e),
                     0);
    assert_true(v[0].present);
    assert_string_equal(v[0].s, "\xc3\xa9t\xc3\xa9");
    assert_int_equal(v[1].i, 90);
    assert_int_equal(v[2].b, 1);
    assert_int_equal(v[3].len, 2);
    assert_true(json_is_object(v[4].j));
    assert_false(v[5].present); /* null on a nullable field reads as absent */
    assert_int_equal(v[6].i, -5);

    assert_int_equal(read_doc("{\"title\":\"0123456789\"}", v, &e), 0); /* exactly 10 */
    assert_false(v[1].present);
}

static void test_read_refusals(void **state)
{
    (void)state;
    refuse_read("{}", "field 'title' is required");
    refuse_read("{\"title\":\"x\",\"evil\":1}", "field 'evil' is not allowed here");
    refuse_read("{\"title\":5}", "field 'title' must be a string of 1 to 10 characters");
    refuse_read("{\"title\":\"\"}", "field 'title' must be a string of 1 to 10 characters");
    refuse_read("{\"title\":\"01234567890\"}",
                "field 'title' must be a string of 1 to 10 characters");
    refuse_read("{\"title\":null}", "field 'title' must be a string of 1 to 10 characters");
    refuse_read("{\"title\":\"x\",\"days\":0}", "field 'days' must be an integer from 1 to 90");
    refuse_read("{\"title\":\"x\",\"days\":91}", "field 'days' must be an integer from 1 to 90");
    refuse_read("{\"title\":\"x\",\"days\":1.5}", "field 'days' must be an integer from 1 to 90");
    refuse_read("{\"title\":\"x\",\"days\":\"3\"}", "field 'days' must be an integer from 1 to 90");
    refuse_read("{\"title\":\"x\",\"any\":true}", "field 'any' must be an integer");
    refuse_read("{\"title\":\"x\",\"anonymous\":1}", "field 'anonymous' must be true or false");
    refuse_read("{\"title\":\"x\",\"tags\":{}}",
                "field 'tags' must be an array of at most 2 items");
    refuse_read("{\"title\":\"x\",\"tags\":[1,2,3]}",
                "field 'tags' must be an array of at most 2 items");
    refuse_read("{\"title\":\"x\",\"meta\":[]}", "field 'meta' must be an object");
    refuse_read("{\"title\":\"x\",\"note\":3}", "field 'note' must be a string");
}

static void test_code_points(void **state)
{
    struct json_value v[NF];
    struct err e;
    (void)state;
    /* ten 2-byte characters: 20 bytes, 10 code points */
    assert_int_equal(read_doc("{\"title\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
                              "\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}",
                              v, &e),
                     0);
    assert_int_equal(v[0].len, 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),    cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_read_ok),     cmocka_unit_test(test_read_refusals),
        cmocka_unit_test(test_code_points),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    json_decref(last_doc);
    return rc;
}
