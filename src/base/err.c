/* err.c — error codes, names and statuses. */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>

struct err_info {
    const char *name;
    int status;
};

static const struct err_info err_table[] = {
    [ERR_OK] = {.name = "ok", .status = 200},
    [ERR_INVALID] = {.name = "invalid_input", .status = 400},
    [ERR_TOO_LARGE] = {.name = "too_large", .status = 413},
    [ERR_UNAUTHORIZED] = {.name = "unauthorized", .status = 401},
    [ERR_FORBIDDEN] = {.name = "forbidden", .status = 403},
    [ERR_NOT_FOUND] = {.name = "not_found", .status = 404},
    [ERR_CONFLICT] = {.name = "conflict", .status = 409},
    [ERR_STATE] = {.name = "wrong_state", .status = 409},
    [ERR_RATE] = {.name = "too_many_requests", .status = 429},
    [ERR_CRYPTO] = {.name = "verification_failed", .status = 400},
    [ERR_UNSUPPORTED] = {.name = "unsupported", .status = 415},
    [ERR_IO] = {.name = "io_error", .status = 500},
    [ERR_DB] = {.name = "storage_error", .status = 500},
    [ERR_NOMEM] = {.name = "out_of_memory", .status = 500},
    [ERR_INTERNAL] = {.name = "internal_error", .status = 500},
    [ERR_TIMEOUT] = {.name = "timeout", .status = 408},
};

void err_init(struct err *e)
{
    if (e) {
        e->code = ERR_OK;
        e->driver = 0;
        e->told = NULL;
        e->msg[0] = '\0';
    }
}

static void err_vset(struct err *e, enum err_code code, int driver, const char *told,
                     const char *fmt, va_list ap)
{
    if (e) {
        e->code = code;
        e->driver = driver;
        e->told = driver ? told : NULL;
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    }
}

int err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, code, 0, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int err_set_driver(struct err *e, enum err_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, code, 1, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int err_wrap(struct err *e, enum err_code code, const struct err *inner, const char *told,
             const char *fmt, ...)
{
    int driver = inner && inner->driver;
    va_list ap;
    va_start(ap, fmt);
    err_vset(e, code, driver, told, fmt, ap);
    va_end(ap);
    return -1;
}

const char *err_code_name(enum err_code code)
{
    const char *name = "internal_error";
    if ((size_t)code < ARRAY_LEN(err_table) && err_table[code].name)
        name = err_table[code].name;
    return name;
}

int err_http_status(enum err_code code)
{
    int status = 500;
    if ((size_t)code < ARRAY_LEN(err_table) && err_table[code].status)
        status = err_table[code].status;
    return status;
}
