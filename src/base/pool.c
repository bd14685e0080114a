/* pool.c — arena allocation. */
#include "base/pool.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_CHUNK 8192
#define POOL_ALIGN 16

struct pool_chunk {
    struct pool_chunk *next;
    size_t size; /* usable bytes after the header */
    size_t off;  /* bytes used */
    _Alignas(POOL_ALIGN) unsigned char mem[];
};

void pool_init(struct pool *p, size_t max)
{
    p->head = NULL;
    p->used = 0;
    p->max = max;
}

void pool_release(struct pool *p)
{
    struct pool_chunk *c = p->head;
    while (c) {
        struct pool_chunk *next = c->next;
        free(c);
        c = next;
    }
    p->head = NULL;
    p->used = 0;
}

void *pool_alloc(struct pool *p, size_t n)
{
    void *mem = NULL;
    size_t need = (n + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
    struct pool_chunk *c = p->head;

    if (need < n || need > p->max || p->used > p->max - need)
        goto out;
    if (!c || c->size - c->off < need) {
        size_t size = need > POOL_CHUNK ? need : POOL_CHUNK;
        c = malloc(sizeof *c + size);
        if (!c)
            goto out;
        c->size = size;
        c->off = 0;
        c->next = p->head;
        p->head = c;
    }
    mem = c->mem + c->off;
    c->off += need;
    p->used += need;
    memset(mem, 0, n);
out:
    return mem;
}

char *pool_strndup(struct pool *p, const char *s, size_t n)
{
    char *d = n + 1 > n ? pool_alloc(p, n + 1) : NULL;
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *pool_strdup(struct pool *p, const char *s)
{
    return pool_strndup(p, s, strlen(s));
}

char *pool_printf(struct pool *p, const char *fmt, ...)
{
    char *d = NULL;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && (d = pool_alloc(p, (size_t)n + 1)) != NULL) {
        va_start(ap, fmt);
        vsnprintf(d, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return d;
}
