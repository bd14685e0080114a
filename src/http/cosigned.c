/* cosigned.c — the published, witness-cosigned checkpoint, behind a mutex. */
#include "http/cosigned.h"

#include "tlog/note.h"

void app_cosigned_init(struct app_cosigned *c)
{
    pthread_mutex_init(&c->mu, NULL);
    buf_init(&c->note, TLOG_NOTE_MAX);
    c->have = 0;
}

void app_cosigned_release(struct app_cosigned *c)
{
    buf_release(&c->note);
    pthread_mutex_destroy(&c->mu);
}

int app_cosigned_publish(struct app_cosigned *c, const char *note, size_t len, struct err *e)
{
    int rc;
    pthread_mutex_lock(&c->mu);
    buf_reset(&c->note);
    rc = buf_append(&c->note, note, len, e);
    c->have = rc == 0;
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int app_cosigned_get(struct app_cosigned *c, struct buf *out, struct err *e)
{
    int rc = 0;
    pthread_mutex_lock(&c->mu);
    if (c->have)
        rc = buf_append(out, c->note.data, c->note.len, e) == 0 ? 1 : -1;
    pthread_mutex_unlock(&c->mu);
    return rc;
}
