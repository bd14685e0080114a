/* log.h — a tiny leveled logger to standard error.
 *
 * Log lines must never carry memo text, names of signers, cookies, or (on
 * anonymous endpoints) addresses: callers log events and identifiers only. */
#ifndef DISSENT_BASE_LOG_H
#define DISSENT_BASE_LOG_H

#include "base/compat.h"

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Sets the most verbose level that is printed (default LOG_INFO). */
void log_set_level(enum log_level level);

/* Parses "error", "warn", "info" or "debug". Returns 0, or -1 if unknown. */
int log_parse_level(const char *name, enum log_level *out) WUR;

/* Prints one line "LEVEL message" when level is enabled. */
void log_msg(enum log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
