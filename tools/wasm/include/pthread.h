/* pthread.h — the little of POSIX threads that src/ring uses, for the
 * single-threaded WebAssembly build (wasm32-wasi has no threads here).
 *
 * pthread_create always fails (EAGAIN): every caller in src/ring already
 * falls back to doing the whole job on the calling thread when a second
 * thread cannot be started, so the results are the same bytes, made on one
 * core. pthread_once runs its routine the first time only. Used only by
 * `make wasm` (tools/wasm/build.sh puts this directory first on the include
 * path); the native build uses the system's pthreads. */
#ifndef DISSENT_WASM_PTHREAD_H
#define DISSENT_WASM_PTHREAD_H

#include <errno.h>

/* wasi-libc's <bits/alltypes.h> (through errno.h's includes) declares
 * pthread_t, pthread_attr_t, pthread_once_t and the mutex types. */
#define __NEED_pthread_t
#define __NEED_pthread_attr_t
#define __NEED_pthread_once_t
#define __NEED_pthread_mutex_t
#include <bits/alltypes.h>

#define PTHREAD_ONCE_INIT 0

static inline int pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *),
                                 void *arg)
{
    (void)t;
    (void)a;
    (void)fn;
    (void)arg;
    return EAGAIN;
}

static inline int pthread_join(pthread_t t, void **ret)
{
    (void)t;
    (void)ret;
    return EINVAL;
}

static inline int pthread_once(pthread_once_t *once, void (*fn)(void))
{
    if (*once == 0) {
        *once = 1;
        fn();
    }
    return 0;
}

#endif
