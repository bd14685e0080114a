/* json_out.h — compact JSON output, the bytes jansson writes, faster.
 *
 * Every reply of the API and every log leaf is jansson's compact, ASCII-only
 * encoding (json_dumps with JSON_COMPACT | JSON_ENSURE_ASCII, and
 * JSON_SORT_KEYS for leaves, whose bytes are hashed and which monitors
 * re-encode with jansson to check). jansson writes it through a callback
 * per token and decodes UTF-8 per character: on the bench that was 5% of a
 * co-signature's writer and 9% of its reply. json_out writes the same bytes
 * directly; what it has no fast path for (reals, strings with non-ASCII
 * bytes, nesting past JSON_OUT_DEPTH) it hands to jansson value by value, so
 * the output is jansson's in every case (tests/unit/base/test_json_out.c
 * compares the two on random values).
 */
#ifndef DISSENT_BASE_JSON_OUT_H
#define DISSENT_BASE_JSON_OUT_H

#include "base/compat.h"

#include <jansson.h>

/* Nesting past this many levels goes to jansson whole. */
#define JSON_OUT_DEPTH 64

/* json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY, plus
 * JSON_SORT_KEYS when sort_keys), byte for byte: a new NUL-terminated string
 * (free it), or NULL when out of memory or v cannot be encoded (as
 * json_dumps). */
char *json_out_compact(const json_t *v, int sort_keys) WUR;

#endif
