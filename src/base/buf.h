/* buf.h — a growable byte buffer that carries its length and a mandatory maximum.
 *
 * Every buffer fed from outside has a limit: appending past `max` fails with
 * ERR_TOO_LARGE instead of growing. The data is always NUL-terminated so it
 * can be used as a C string when it holds text.
 */
#ifndef DISSENT_BASE_BUF_H
#define DISSENT_BASE_BUF_H

#include "base/compat.h"
#include "base/err.h"
#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data; /* owned; NULL until the first append */
    size_t len; /* bytes used, not counting the terminating NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* most bytes len may ever reach */
};

/* Prepares an empty buffer that will refuse to grow past max bytes. */
void buf_init(struct buf *b, size_t max);

/* Frees the storage; the buffer is empty again and may be reused. */
void buf_release(struct buf *b);

/* Empties the buffer and keeps its storage. */
void buf_reset(struct buf *b);

/* Appends n bytes. Returns 0, or -1 (ERR_TOO_LARGE past max, ERR_NOMEM). */
int buf_append(struct buf *b, const void *p, size_t n, struct err *e) WUR;

/* Appends a C string. */
int buf_puts(struct buf *b, const char *s, struct err *e) WUR;

/* Appends formatted text. */
int buf_printf(struct buf *b, struct err *e, const char *fmt, ...) PRINTF_LIKE(3, 4) WUR;
int buf_vprintf(struct buf *b, struct err *e, const char *fmt, va_list ap) WUR;

/* Returns the data (a valid empty string if nothing was appended). */
const char *buf_str(const struct buf *b);

/* Hands the storage to the caller (free() it) and empties the buffer.
 * Returns a valid string even for an empty buffer, or NULL when out of memory. */
char *buf_detach(struct buf *b) WUR;

#endif
