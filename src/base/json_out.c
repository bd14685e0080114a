/* json_out.c — compact JSON output, jansson's bytes (json_out.h). */
#include "base/json_out.h"

#include "base/buf.h"
#include "base/err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most a reply or a leaf may take (a memo page with its text is well
 * under a megabyte). */
#define JSON_OUT_MAX (256u << 20)

/* jansson's flags for what json_out writes. */
#define JSON_OUT_FLAGS (JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY)

static int put(struct buf *b, const char *s, size_t n)
{
    struct err e;
    return buf_append(b, s, n, &e);
}

/* v as jansson encodes it on its own: reals, non-ASCII strings, deep
 * nesting. */
static int put_jansson(struct buf *b, const json_t *v, int sort_keys)
{
    char *s = json_dumps(v, JSON_OUT_FLAGS | (sort_keys ? JSON_SORT_KEYS : 0));
    int rc = s ? put(b, s, strlen(s)) : -1;
    free(s);
    return rc;
}

/* s[0..n) as a JSON string, when it is ASCII; 1 when it is not (nothing
 * written), -1 on failure. jansson escapes '"', '\\', and controls as
 * \b \f \n \r \t or \u00XX (upper-case hex); DEL and '/' stay. */
static int put_ascii_string(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 1;
    if (put(b, "\"", 1))
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[6];
        size_t len = 2;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if (put(b, s + run, i - run))
            return -1;
        run = i + 1;
        esc[0] = '\\';
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            len = 6;
        }
        if (put(b, esc, len))
            return -1;
    }
    return put(b, s + run, n - run) || put(b, "\"", 1) ? -1 : 0;
}

static int put_string(struct buf *b, const char *s, size_t n)
{
    int rc = put_ascii_string(b, s, n);
    if (rc == 1) {
        json_t *str = json_stringn(s, n);
        rc = str ? put_jansson(b, str, 0) : -1;
        json_decref(str);
    }
    return rc;
}

struct key {
    const char *s;
    size_t n;
    json_t *v;
};

/* jansson's order of sorted keys: bytes, then length. */
static int key_cmp(const void *a, const void *b)
{
    const struct key *x = a, *y = b;
    int r = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
    return r ? r : (x->n > y->n) - (x->n < y->n);
}

static int put_value(struct buf *b, const json_t *v, int sort_keys, int depth);

static int put_object(struct buf *b, const json_t *v, int sort_keys, int depth)
{
    size_t n = json_object_size(v), i = 0;
    struct key *keys = n ? malloc(n * sizeof *keys) : NULL;
    const char *k;
    json_t *val;
    int rc = -1;
    if (n && !keys)
        goto out;
    json_object_foreach((json_t *)v, k, val)
    {
        keys[i].s = k;
        keys[i].n = strlen(k);
        keys[i].v = val;
        i++;
    }
    if (sort_keys && n > 1)
        qsort(keys, n, sizeof *keys, key_cmp);
    if (put(b, "{", 1))
        goto out;
    for (i = 0; i < n; i++)
        if ((i && put(b, ",", 1)) || put_string(b, keys[i].s, keys[i].n) || put(b, ":", 1) ||
            put_value(b, keys[i].v, sort_keys, depth + 1))
            goto out;
    rc = put(b, "}", 1);
out:
    free(keys);
    return rc;
}

static int put_value(struct buf *b, const json_t *v, int sort_keys, int depth)
{
    char num[24];
    int len;
    if (depth > JSON_OUT_DEPTH)
        return put_jansson(b, v, sort_keys);
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return put_object(b, v, sort_keys, depth);
    case JSON_ARRAY:
        if (put(b, "[", 1))
            return -1;
        for (size_t i = 0; i < json_array_size(v); i++)
            if ((i && put(b, ",", 1)) || put_value(b, json_array_get(v, i), sort_keys, depth + 1))
                return -1;
        return put(b, "]", 1);
    case JSON_STRING:
        return put_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        len = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return len > 0 && (size_t)len < sizeof num ? put(b, num, (size_t)len) : -1;
    case JSON_TRUE:
        return put(b, "true", 4);
    case JSON_FALSE:
        return put(b, "false", 5);
    case JSON_NULL:
        return put(b, "null", 4);
    default: /* JSON_REAL */
        return put_jansson(b, v, sort_keys);
    }
}

char *json_out_compact(const json_t *v, int sort_keys)
{
    struct buf b;
    char *out = NULL;
    buf_init(&b, JSON_OUT_MAX);
    if (v && put_value(&b, v, sort_keys, 1) == 0) {
        out = b.data;
        b.data = NULL;
    }
    buf_release(&b);
    return out;
}
