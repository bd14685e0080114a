/* fuzz_json.c — json_parse_strict and json_read_fields on outside bytes. */
#include "../fuzz.h"

#include "base/json.h"
#include "base/util.h"

static const struct json_field fields[] = {
    {.name = "title", .type = JSON_FIELD_STRING, .min_len = 1, .max_len = 20},
    {.name = "body", .type = JSON_FIELD_STRING, .nullable = 1},
    {.name = "days", .type = JSON_FIELD_INT, .min = -5, .max = 90},
    {.name = "n", .type = JSON_FIELD_INT},
    {.name = "ok", .type = JSON_FIELD_BOOL},
    {.name = "list", .type = JSON_FIELD_ARRAY, .min_len = 1, .max_len = 3},
    {.name = "obj", .type = JSON_FIELD_OBJECT, .nullable = 1},
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static void read_and_check(const json_t *j)
{
    struct json_value v[NFIELDS];
    struct err e;

    err_init(&e);
    if (json_read_fields(j, fields, NFIELDS, v, &e) != 0) {
        FUZZ_CHECK(e.code == ERR_INVALID && e.msg[0]);
        for (size_t i = 0; i < NFIELDS; i++)
            FUZZ_CHECK(!v[i].present);
        return;
    }
    if (v[0].present) {
        size_t cps = utf8_len(v[0].s, v[0].len);
        FUZZ_CHECK(cps >= 1 && cps <= 20);
        FUZZ_CHECK(strlen(v[0].s) == v[0].len);
    }
    if (v[2].present)
        FUZZ_CHECK(v[2].i >= -5 && v[2].i <= 90);
    if (v[4].present)
        FUZZ_CHECK(v[4].b == 0 || v[4].b == 1);
    if (v[5].present)
        FUZZ_CHECK(v[5].len >= 1 && v[5].len <= 3 && json_is_array(v[5].j));
    if (v[6].present)
        FUZZ_CHECK(json_is_object(v[6].j));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = NULL;
    json_t *again = NULL;
    char *dumped = NULL;
    struct err e;

    err_init(&e);
    if (json_parse_strict((const char *)data, size, 65536, 0, &j, &e) != 0) {
        FUZZ_CHECK(j == NULL);
        FUZZ_CHECK(e.code == ERR_INVALID || e.code == ERR_TOO_LARGE);
        goto out;
    }
    FUZZ_CHECK(json_is_object(j));
    read_and_check(j);

    /* What was accepted must survive a round trip through jansson's encoder. */
    dumped = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    FUZZ_CHECK(dumped != NULL);
    err_init(&e);
    FUZZ_CHECK(json_parse_strict(dumped, strlen(dumped), 1u << 20, 0, &again, &e) == 0);
    FUZZ_CHECK(json_equal(j, again));

    /* A tighter nesting limit may refuse, but never crash or leak. */
    json_decref(again);
    again = NULL;
    if (json_parse_strict((const char *)data, size, 65536, 2, &again, &e) != 0)
        FUZZ_CHECK(again == NULL);
out:
    free(dumped);
    json_decref(again);
    json_decref(j);
    return 0;
}
