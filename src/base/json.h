/* json.h — strict JSON input over jansson.
 *
 * Bodies from outside are parsed with a byte limit and a nesting limit, must
 * be well-formed UTF-8, must not repeat a key, and must be an object. Their
 * fields are then read against a const schema table that refuses unknown
 * fields, wrong types and out-of-range values with messages that name the
 * field:
 *
 *     static const struct json_field memo_fields[] = {
 *         {.name = "title", .type = JSON_FIELD_STRING, .required = 1, .min_len = 1, .max_len =
 * 200},
 *         {.name = "body", .type = JSON_FIELD_STRING, .required = 1, .max_len = 100000},
 *         {.name = "days", .type = JSON_FIELD_INT, .min = 1, .max = 90},
 *     };
 *     struct json_value v[ARRAY_LEN(memo_fields)];
 *     if (json_read_fields(obj, memo_fields, ARRAY_LEN(memo_fields), v, e)) ...
 *     title = v[0].s;  if (v[2].present) days = v[2].i;
 */
#ifndef DISSENT_BASE_JSON_H
#define DISSENT_BASE_JSON_H

#include "base/compat.h"
#include "base/err.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_DEFAULT_DEPTH 16

/* Parses s[0..len) as one JSON object. Refuses (ERR_TOO_LARGE) more than
 * max_bytes bytes or nesting deeper than max_depth (0 = JSON_DEFAULT_DEPTH;
 * the root object is depth 1), and (ERR_INVALID) invalid UTF-8, syntax
 * errors, trailing data, duplicate keys, "\u0000" and a root that is not an
 * object. On success *out holds a new reference (json_decref it). */
int json_parse_strict(const char *s, size_t len, size_t max_bytes, size_t max_depth, json_t **out,
                      struct err *e) WUR;

enum json_field_type {
    JSON_FIELD_STRING,
    JSON_FIELD_INT,
    JSON_FIELD_BOOL,
    JSON_FIELD_ARRAY,
    JSON_FIELD_OBJECT,
};

struct json_field {
    const char *name;
    enum json_field_type type;
    int required;     /* absent → "field 'x' is required" */
    int nullable;     /* null is accepted and read as absent */
    size_t min_len;   /* strings: code points; arrays: items */
    size_t max_len;   /* strings: code points; arrays: items; 0 = no limit */
    int64_t min, max; /* ints: inclusive range; both 0 = any int64 */
};

struct json_value {
    int present;   /* the field was given (and not null) */
    const char *s; /* JSON_FIELD_STRING: borrowed from the object */
    size_t len;    /* JSON_FIELD_STRING: bytes; JSON_FIELD_ARRAY: items */
    int64_t i;     /* JSON_FIELD_INT */
    int b;         /* JSON_FIELD_BOOL: 0 or 1 */
    json_t *j;     /* any type: the borrowed value (arrays and objects to read further) */
};

/* Reads the fields of obj described by fields[0..n) into out[0..n) (same
 * order). Refuses a key not in the table, a missing required field, a wrong
 * type, a string or array outside its lengths and an int outside its range;
 * the message names the field, e.g. "field 'title' must be a string of at
 * most 200 characters". Returns 0, or -1 with ERR_INVALID. Borrowed
 * pointers in out live as long as obj. */
int json_read_fields(const json_t *obj, const struct json_field *fields, size_t n,
                     struct json_value *out, struct err *e) WUR;

#endif
