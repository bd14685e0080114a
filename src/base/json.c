/* json.c — strict parsing and schema-driven reading of JSON objects. */
#include "base/json.h"

#include "base/util.h"

#include <stdio.h>
#include <string.h>

/* Deepest nesting of [ and { outside strings; stops counting past limit. */
static size_t json_depth(const char *s, size_t len, size_t limit)
{
    size_t depth = 0;
    size_t deepest = 0;
    int in_str = 0;

    for (size_t i = 0; i < len && deepest <= limit; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            depth++;
            if (depth > deepest)
                deepest = depth;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return deepest;
}

int json_parse_strict(const char *s, size_t len, size_t max_bytes, size_t max_depth, json_t **out,
                      struct err *e)
{
    int rc = -1;
    json_t *j = NULL;
    json_error_t je;

    *out = NULL;
    if (!max_depth)
        max_depth = JSON_DEFAULT_DEPTH;
    if (len > max_bytes) {
        err_set(e, ERR_TOO_LARGE, "the JSON body is larger than %zu bytes", max_bytes);
        goto out;
    }
    if (len == 0) {
        err_set(e, ERR_INVALID, "the body is empty; a JSON object is expected");
        goto out;
    }
    if (!utf8_valid(s, len)) {
        err_set(e, ERR_INVALID, "the body is not valid UTF-8");
        goto out;
    }
    if (json_depth(s, len, max_depth) > max_depth) {
        err_set(e, ERR_TOO_LARGE, "the JSON body is nested deeper than %zu levels", max_depth);
        goto out;
    }
    j = json_loadb(s, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!j) {
        err_set(e, ERR_INVALID, "the body is not valid JSON: %s (line %d, column %d)", je.text,
                je.line, je.column);
        goto out;
    }
    if (!json_is_object(j)) {
        err_set(e, ERR_INVALID, "the body must be a JSON object");
        goto out;
    }
    *out = j;
    j = NULL;
    rc = 0;
out:
    json_decref(j);
    return rc;
}

static const struct json_field *field_find(const struct json_field *fields, size_t n,
                                           const char *name, size_t *index)
{
    const struct json_field *f = NULL;
    for (size_t i = 0; i < n && !f; i++) {
        if (strcmp(fields[i].name, name) == 0) {
            f = &fields[i];
            *index = i;
        }
    }
    return f;
}

/* Describes the expected shape of a string or array field, into msg. */
static void describe_len(char *msg, size_t cap, const char *what, const char *unit,
                         const struct json_field *f)
{
    if (f->min_len && f->max_len)
        snprintf(msg, cap, "%s of %zu to %zu %s", what, f->min_len, f->max_len, unit);
    else if (f->max_len)
        snprintf(msg, cap, "%s of at most %zu %s", what, f->max_len, unit);
    else if (f->min_len)
        snprintf(msg, cap, "%s of at least %zu %s", what, f->min_len, unit);
    else
        snprintf(msg, cap, "%s", what);
}

static int read_one(const struct json_field *f, json_t *v, struct json_value *out, struct err *e)
{
    int rc = 0;
    char shape[128];

    out->j = v;
    switch (f->type) {
    case JSON_FIELD_STRING: {
        size_t cps;
        describe_len(shape, sizeof shape, "a string", "characters", f);
        if (!json_is_string(v)) {
            rc = err_set(e, ERR_INVALID, "field '%s' must be %s", f->name, shape);
            break;
        }
        out->s = json_string_value(v);
        out->len = json_string_length(v);
        cps = utf8_len(out->s, out->len);
        if (cps < f->min_len || (f->max_len && cps > f->max_len))
            rc = err_set(e, ERR_INVALID, "field '%s' must be %s", f->name, shape);
        break;
    }
    case JSON_FIELD_INT:
        if (!json_is_integer(v) || ((f->min || f->max) && (json_integer_value(v) < f->min ||
                                                           json_integer_value(v) > f->max))) {
            if (f->min || f->max)
                rc = err_set(e, ERR_INVALID, "field '%s' must be an integer from %lld to %lld",
                             f->name, (long long)f->min, (long long)f->max);
            else
                rc = err_set(e, ERR_INVALID, "field '%s' must be an integer", f->name);
            break;
        }
        out->i = json_integer_value(v);
        break;
    case JSON_FIELD_BOOL:
        if (!json_is_boolean(v)) {
            rc = err_set(e, ERR_INVALID, "field '%s' must be true or false", f->name);
            break;
        }
        out->b = json_is_true(v);
        break;
    case JSON_FIELD_ARRAY:
        describe_len(shape, sizeof shape, "an array", "items", f);
        if (!json_is_array(v) || json_array_size(v) < f->min_len ||
            (f->max_len && json_array_size(v) > f->max_len)) {
            rc = err_set(e, ERR_INVALID, "field '%s' must be %s", f->name, shape);
            break;
        }
        out->len = json_array_size(v);
        break;
    case JSON_FIELD_OBJECT:
        if (!json_is_object(v))
            rc = err_set(e, ERR_INVALID, "field '%s' must be an object", f->name);
        break;
    default:
        rc = err_set(e, ERR_INTERNAL, "field '%s' has an unknown type in the schema", f->name);
        break;
    }
    if (rc == 0)
        out->present = 1;
    return rc;
}

int json_read_fields(const json_t *obj, const struct json_field *fields, size_t n,
                     struct json_value *out, struct err *e)
{
    int rc = 0;
    const char *key;
    json_t *v;

    memset(out, 0, n * sizeof *out);
    if (!json_is_object(obj)) {
        rc = err_set(e, ERR_INVALID, "a JSON object is expected");
        goto out;
    }
    /* json_object_foreach needs a non-const object; reading does not modify it. */
    json_object_foreach((json_t *)obj, key, v)
    {
        size_t idx = 0;
        const struct json_field *f = field_find(fields, n, key, &idx);
        if (!f) {
            rc = err_set(e, ERR_INVALID, "field '%.64s' is not allowed here", key);
            goto out;
        }
        if (json_is_null(v) && f->nullable)
            continue;
        if (read_one(f, v, &out[idx], e)) {
            rc = -1;
            goto out;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (fields[i].required && !out[i].present) {
            rc = err_set(e, ERR_INVALID, "field '%s' is required", fields[i].name);
            goto out;
        }
    }
out:
    if (rc)
        memset(out, 0, n * sizeof *out);
    return rc;
}
