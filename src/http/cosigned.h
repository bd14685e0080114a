/* cosigned.h — the checkpoint a server publishes when it has witnesses:
 * the latest signed note that carries at least k witness cosignatures.
 *
 * Filled by whoever collects cosignatures (the serve command's witnessing
 * thread, client/witnessing.h) and read by GET /api/v1/log/checkpoint
 * (api_log.c), from different threads: every access takes the mutex.
 */
#ifndef DISSENT_HTTP_COSIGNED_H
#define DISSENT_HTTP_COSIGNED_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"

#include <pthread.h>
#include <stddef.h>

struct app_cosigned {
    pthread_mutex_t mu;
    struct buf note; /* the published note, cosignatures included */
    int have;        /* 0 until the first checkpoint reaches the policy */
};

/* Starts empty: nothing is published until app_cosigned_publish. */
void app_cosigned_init(struct app_cosigned *c);

/* Frees what c holds. */
void app_cosigned_release(struct app_cosigned *c);

/* Replaces the published note by note[0..len) (copied). The caller has
 * checked it against the log key and the witness policy. Returns 0 or -1. */
int app_cosigned_publish(struct app_cosigned *c, const char *note, size_t len, struct err *e) WUR;

/* Appends the published note to out. Returns 1, 0 if nothing has been
 * published yet, or -1 with e. */
int app_cosigned_get(struct app_cosigned *c, struct buf *out, struct err *e) WUR;

#endif
