/* pool.h — a memory pool (arena): many small allocations, one release.
 *
 * One pool per HTTP request (h2o style): handlers allocate freely from it and
 * everything is freed when the request ends. Allocations are 16-byte aligned.
 */
#ifndef DISSENT_BASE_POOL_H
#define DISSENT_BASE_POOL_H

#include "base/compat.h"
#include <stddef.h>

struct pool_chunk;

struct pool {
    struct pool_chunk *head; /* newest chunk first */
    size_t used;             /* total bytes handed out */
    size_t max;              /* most bytes the pool may hand out */
};

/* Prepares an empty pool that refuses to hand out more than max bytes. */
void pool_init(struct pool *p, size_t max);

/* Frees every allocation made from the pool; it may be reused. */
void pool_release(struct pool *p);

/* Returns n zeroed bytes owned by the pool, or NULL (out of memory or over max). */
void *pool_alloc(struct pool *p, size_t n) WUR;

/* Copies s (n bytes, then a NUL) into the pool; NULL on failure. */
char *pool_strndup(struct pool *p, const char *s, size_t n) WUR;
char *pool_strdup(struct pool *p, const char *s) WUR;

/* printf into the pool; NULL on failure. */
char *pool_printf(struct pool *p, const char *fmt, ...) PRINTF_LIKE(2, 3) WUR;

#endif
