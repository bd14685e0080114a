/* buf.c — bounded growable buffers. */
#include "base/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void buf_release(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Makes room for n more bytes plus the NUL. */
static int buf_grow(struct buf *b, size_t n, struct err *e)
{
    int rc = 0;
    size_t need;

    if (n > b->max || b->len > b->max - n) {
        rc = err_set(e, ERR_TOO_LARGE, "input is larger than the limit of %zu bytes", b->max);
        goto out;
    }
    need = b->len + n + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char *p;
        while (cap < need)
            cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
        p = realloc(b->data, cap);
        if (!p) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        b->data = p;
        b->cap = cap;
    }
out:
    return rc;
}

int buf_append(struct buf *b, const void *p, size_t n, struct err *e)
{
    int rc = buf_grow(b, n, e);
    if (rc == 0) {
        if (n)
            memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
    }
    return rc;
}

int buf_puts(struct buf *b, const char *s, struct err *e)
{
    return buf_append(b, s, strlen(s), e);
}

int buf_vprintf(struct buf *b, struct err *e, const char *fmt, va_list ap)
{
    int rc = 0;
    int n;
    va_list ap2;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        rc = err_set(e, ERR_INTERNAL, "bad format");
        goto out;
    }
    rc = buf_grow(b, (size_t)n, e);
    if (rc)
        goto out;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
out:
    return rc;
}

int buf_printf(struct buf *b, struct err *e, const char *fmt, ...)
{
    int rc;
    va_list ap;
    va_start(ap, fmt);
    rc = buf_vprintf(b, e, fmt, ap);
    va_end(ap);
    return rc;
}

const char *buf_str(const struct buf *b)
{
    return b->data ? b->data : "";
}

char *buf_detach(struct buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
