/* missed.c — the server writes a "deadline-missed" leaf when one of the
 * policy office's deadlines passes unmet, so that being ignored becomes a
 * public fact nobody has to go looking for.
 *
 * What counts as missed is deadline.h's rule (chan_deadlines), the same the
 * memo page, the lists and the public record use; the store only narrows
 * the memos to look at. Each memo is handled in its own short transaction
 * (the HTTP writers wait for one memo at most), and each (memo, deadline)
 * gets one leaf: checked here, and refused by a unique index (schema 9) if
 * two servers ever raced. */
#include "base/log.h"
#include "base/util.h"
#include "channel/chan_internal.h"
#include "channel/notify.h"
#include "channel/deadline.h"
#include "proto/events.h"

#include <string.h>

_Static_assert(CHAN_DL_ACK == STORE_DL_ACK && CHAN_DL_ANSWER == STORE_DL_ANSWER,
               "the store's index column names deadlines as deadline.h does");

/* Memos looked at per query; a tick repeats until it has caught up. */
#define MISSED_BATCH 100

/* Sets logged[what] for each deadline of memo that has its leaf already. */
static int logged_deadlines(struct chan *c, struct pool *p, const char *memo, int logged[3],
                            struct err *e)
{
    struct st_leaf *l = NULL;
    size_t n = 0;
    if (store_tlog_memo_leaves(c->st, p, memo, "deadline-missed", &l, &n, e))
        return -1;
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_loadb(l[i].data, l[i].len, 0, NULL);
        const char *d = json_string_value(json_object_get(o, "deadline"));
        for (int w = CHAN_DL_ACK; d && w <= CHAN_DL_ANSWER; w++)
            if (strcmp(d, chan_deadline_name(w)) == 0)
                logged[w] = 1;
        json_decref(o);
    }
    return 0;
}

/* Writes the missing leaves of one memo, in one transaction. */
static int log_memo(struct chan *c, const char *id, int64_t now, size_t *written, struct err *e)
{
    int rc = -1, logged[3] = {0};
    struct pool p;
    struct st_memo m;
    struct chan_deadlines dl;
    size_t added = 0;
    pool_init(&p, 1u << 20);
    if (store_begin(c->st, e))
        goto out;
    if (store_memo_by_public_id(c->st, &p, id, &m, e) || logged_deadlines(c, &p, id, logged, e))
        goto end;
    chan_deadlines(&m, now, &dl);
    for (size_t i = 0; i < dl.n_missed; i++) {
        const struct chan_missed *x = &dl.missed[i];
        if (logged[x->what])
            continue;
        if (chan_log_append(c, proto_leaf_deadline_missed(chan_deadline_name(x->what), x->due, now),
                            id, "deadline-missed", x->what, e))
            goto end;
        /* the policy office, leadership and the drafters hear of it in the
         * same transaction: a leaf without its notifications cannot be */
        if (chan_notify_deadline_missed(c, &p, &m, x->what, x->due, now, e))
            goto end;
        added++;
    }
    rc = 0;
end:
    rc = chan_tx_end(c, rc, NULL, e);
    if (rc == 0)
        *written += added;
out:
    pool_release(&p);
    return rc;
}

int chan_deadline_missed_log(struct chan *c, int64_t now, size_t *written, struct err *e)
{
    int rc = -1;
    *written = 0;
    for (;;) {
        struct pool p;
        char **ids = NULL;
        size_t n = 0, before = *written;
        pool_init(&p, 1u << 20);
        if (store_begin_read(c->st, e)) {
            pool_release(&p);
            goto out;
        }
        rc = store_deadline_unlogged(c->st, &p, now, MISSED_BATCH, &ids, &n, e);
        store_rollback(c->st);
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = log_memo(c, ids[i], now, written, e);
        pool_release(&p);
        if (rc)
            goto out;
        /* caught up, or nothing this batch could write (the store's filter
         * and deadline.h agree, but never loop on a disagreement) */
        if (n < MISSED_BATCH || *written == before)
            break;
    }
out:
    return rc;
}

int chan_deadline_tick(struct chan *c, int64_t now, struct err *e)
{
    size_t written = 0;
    int rc = chan_deadline_missed_log(c, now, &written, e);
    if (rc == 0 && written > 0)
        log_info("deadlines: %zu missed deadline%s written to the log", written,
                 written == 1 ? "" : "s");
    return rc;
}
