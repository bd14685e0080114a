/* form.h — application/x-www-form-urlencoded bodies and query strings.
 *
 * Strict: a '%' must be followed by two hex digits, decoded text must be
 * well-formed UTF-8 without NUL, and the number and lengths of fields are
 * limited. Everything is allocated from a caller's pool.
 */
#ifndef DISSENT_BASE_FORM_H
#define DISSENT_BASE_FORM_H

#include "base/compat.h"
#include "base/err.h"
#include "base/pool.h"
#include <stddef.h>

struct form_field {
    const char *name;  /* decoded, NUL-terminated */
    const char *value; /* decoded, NUL-terminated; "" for "name" without '=' */
};

struct form {
    struct form_field *fields; /* in input order; pool memory */
    size_t n;
};

struct form_limits {
    size_t max_fields; /* 0 = 64 */
    size_t max_name;   /* decoded bytes, 0 = 128 */
    size_t max_value;  /* decoded bytes, 0 = 65536 */
};

/* Parses s[0..len) ("a=1&b=x+y%21"; '+' is a space). Empty pieces ("a=1&&b=2",
 * a trailing '&') are skipped; an empty name is refused. lim may be NULL for
 * the defaults. On success out->fields lives in pool. Returns 0, or -1 with
 * ERR_INVALID (bad encoding, bad UTF-8, empty name) or ERR_TOO_LARGE (too
 * many or too long fields) and a message naming the field when known. */
int form_parse(struct form *out, const char *s, size_t len, const struct form_limits *lim,
               struct pool *pool, struct err *e) WUR;

/* Value of the first field called name, or NULL. */
const char *form_get(const struct form *f, const char *name);

/* Number of fields called name (for repeated checkboxes). */
size_t form_count(const struct form *f, const char *name);

/* Percent-decodes s[0..n) into a new pool string (*out, length *out_len,
 * which may be NULL). plus_is_space turns '+' into ' ' (forms and queries,
 * not path segments). Refuses bad escapes, NUL and invalid UTF-8 (ERR_INVALID). */
int form_decode(const char *s, size_t n, int plus_is_space, struct pool *pool, char **out,
                size_t *out_len, struct err *e) WUR;

/* Appends the percent-encoding of s (unreserved characters A-Z a-z 0-9 - . _ ~
 * stay, everything else becomes %XX) to a pool string. NULL when out of memory. */
char *form_encode(const char *s, struct pool *pool) WUR;

#endif
