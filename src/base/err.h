/* err.h — the one error convention of dissent.
 *
 * A function that can fail returns int: 0 on success, -1 on failure, and on
 * failure fills the caller-provided struct err with a code and a message that
 * can be shown to a person. The code maps to a stable machine-readable name
 * (used in JSON errors) and to an HTTP status.
 *
 * A message that carries a database driver's text (SQLite's or
 * PostgreSQL's: table and column names, constraint names, key values) is
 * marked where it is made, with err_set_driver: it is for the operator (the
 * server's log, the CLI at the console) and never for an HTTP client, to
 * whom the server says a sentence of its own instead (http/server.h,
 * http_error_message).
 */
#ifndef DISSENT_BASE_ERR_H
#define DISSENT_BASE_ERR_H

#include "base/compat.h"
#include <stddef.h>

enum err_code {
    ERR_OK = 0,
    ERR_INVALID,      /* malformed or out-of-range input            400 */
    ERR_TOO_LARGE,    /* a size or length over its limit             413 */
    ERR_UNAUTHORIZED, /* no or bad credentials                       401 */
    ERR_FORBIDDEN,    /* authenticated but not allowed               403 */
    ERR_NOT_FOUND,    /* no such thing (or not visible to you)       404 */
    ERR_CONFLICT,     /* already exists / duplicate                  409 */
    ERR_STATE,        /* wrong state for this transition             409 */
    ERR_RATE,         /* too many attempts                           429 */
    ERR_CRYPTO,       /* a signature or proof did not verify         400 */
    ERR_UNSUPPORTED,  /* media type or method not supported          415 */
    ERR_IO,           /* file or network failure                     500 */
    ERR_DB,           /* storage failure                             500 */
    ERR_NOMEM,        /* out of memory                               500 */
    ERR_INTERNAL,     /* a bug                                       500 */
    ERR_TIMEOUT,      /* a request that did not arrive in time       408 */
};

#define ERR_MSG_MAX 256

struct err {
    enum err_code code;
    /* 1: msg carries a database driver's text (err_set_driver, err_wrap);
     * 0: msg is ours, for people. */
    int driver;
    /* With driver: what a client is told instead of msg (a static string of
     * ours, err_wrap), or NULL for the HTTP edge's sentence for the code. */
    const char *told;
    char msg[ERR_MSG_MAX];
};

/* Sets code to ERR_OK, the message to empty, and no driver's text. */
void err_init(struct err *e);

/* Records a failure in e (which may be NULL) and returns -1, so that callers
 * can write `return err_set(e, ERR_INVALID, "title is empty");`. The message
 * is truncated to ERR_MSG_MAX-1 bytes. It is ours: the driver mark is
 * cleared. */
int err_set(struct err *e, enum err_code code, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Like err_set, for a message that carries a database driver's text
 * (sqlite3_errmsg, PQerrorMessage, PQresultErrorMessage): marks it so (and
 * told NULL). Every place that copies a driver's text into an err uses it. */
int err_set_driver(struct err *e, enum err_code code, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Like err_set, for a message of ours that embeds inner's message (fmt has
 * it as an argument): when inner carries a driver's text so does e, and a
 * client is told `told` (a static sentence, e.g. fmt's without inner's
 * part; NULL: the edge's sentence for the code) instead. inner may be e's
 * own storage only if its message is not an argument. */
int err_wrap(struct err *e, enum err_code code, const struct err *inner, const char *told,
             const char *fmt, ...) PRINTF_LIKE(5, 6);

/* Stable lowercase name of a code, e.g. "invalid_input"; never NULL. */
const char *err_code_name(enum err_code code);

/* HTTP status that a code maps to (400..500). */
int err_http_status(enum err_code code);

#endif
