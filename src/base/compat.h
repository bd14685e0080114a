/* compat.h — compiler attributes used across dissent. */
#ifndef DISSENT_BASE_COMPAT_H
#define DISSENT_BASE_COMPAT_H

/* The caller must look at the result (libsodium style): statuses, allocations. */
#define WUR               __attribute__((warn_unused_result))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define UNUSED            __attribute__((unused))
#define ARRAY_LEN(a)      (sizeof(a) / sizeof((a)[0]))

#endif
