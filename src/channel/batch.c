/* batch.c — publication in shuffled batches (issue #10, break 4).
 *
 * A leaf appended at the moment of an action carries that moment, to the
 * second, and sits between second-stamped leaves of the one global log: a
 * stopwatch. So anonymous signature actions and roster changes are queued
 * when accepted (in the same transaction, so nothing accepted is lost) and
 * published together at the next multiple of the interval: in random
 * order (Fisher–Yates with randombytes_uniform), contiguous (one
 * transaction), with one time rounded to the interval. Within a batch
 * nobody can order its leaves against each other; the only order kept is
 * that of entries of one chain (one organization's roster, one tag on one
 * memo), whose leaves must replay in order and whose order is no secret.
 *
 * The state the public sees (anonymous signatures, their sequence numbers,
 * counts, rosters) changes only when the batch is published, so polling it
 * tells no more than the log. */
#include "base/util.h"
#include "channel/chan_internal.h"
#include "proto/events.h"
#include "proto/receipt.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void chan_batch_set_interval(struct chan *c, int64_t seconds)
{
    c->batch_interval = seconds < 0 ? 0 : seconds;
}

int64_t chan_batch_interval(const struct chan *c)
{
    return c->batch_interval;
}

int64_t chan_batch_due(const struct chan *c, int64_t now)
{
    int64_t i = c->batch_interval;
    return i > 0 ? (now / i + 1) * i : now;
}

/* The time a batch published at now carries: now rounded down. */
static int64_t batch_at(const struct chan *c, int64_t now)
{
    int64_t i = c->batch_interval;
    return i > 0 ? now - now % i : now;
}

json_t *chan_batch_json(const struct chan *c, int64_t now)
{
    char when[21], note[160];
    int64_t due = chan_batch_due(c, now);
    time_format_utc(when, due);
    if (c->batch_interval == 0)
        snprintf(note, sizeof note,
                 "this server publishes anonymous signatures and roster changes at once, "
                 "without batches (a test or demonstration server)");
    else
        snprintf(note, sizeof note,
                 "anonymous signatures and roster changes accepted since the last batch are "
                 "pending publication in the next batch at %.5s UTC",
                 when + 11);
    /* Without batches nothing waits: no next_at (a time that moved every
     * second would also change every public memo's facts, and so their
     * ETag, every second). */
    return json_pack("{s:I,s:o,s:s}", "interval", (json_int_t)c->batch_interval, "next_at",
                     c->batch_interval == 0 ? json_null() : chan_time_json(due), "note", note);
}

/* Chains: order of entries by (chain, id). */
static int cmp_chain(const void *a, const void *b)
{
    const struct st_batch_entry *x = *(struct st_batch_entry *const *)a;
    const struct st_batch_entry *y = *(struct st_batch_entry *const *)b;
    int c = strcmp(x->chain, y->chain);
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* Puts the n entries in random order into out: a uniform shuffle of the
 * positions, then each chain's entries, in order of acceptance, into the
 * positions its members drew. */
static int batch_shuffle(struct pool *p, struct st_batch_entry *b, size_t n,
                         struct st_batch_entry **out, struct err *e)
{
    struct st_batch_entry **mix = pool_alloc(p, n * sizeof *mix);
    struct st_batch_entry **sorted = pool_alloc(p, n * sizeof *sorted);
    size_t *start = pool_alloc(p, n * sizeof *start), *next = pool_alloc(p, n * sizeof *next);
    if (!mix || !sorted || !start || !next)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        mix[i] = sorted[i] = &b[i];
    for (size_t i = n; i > 1; i--) {
        size_t j = randombytes_uniform((uint32_t)i);
        struct st_batch_entry *t = mix[i - 1];
        mix[i - 1] = mix[j];
        mix[j] = t;
    }
    qsort(sorted, n, sizeof *sorted, cmp_chain);
    /* start[k]: where sorted[k]'s chain begins; next[s]: its next entry. */
    for (size_t k = 0; k < n; k++) {
        start[k] = k > 0 && strcmp(sorted[k]->chain, sorted[k - 1]->chain) == 0 ? start[k - 1] : k;
        next[k] = k;
    }
    for (size_t i = 0; i < n; i++) {
        /* the chain of mix[i]: find it among the chain starts (chains are
         * few per batch; a binary search would do for large ones) */
        size_t k = 0;
        while (sorted[k] != mix[i])
            k++;
        out[i] = sorted[next[start[k]]++];
    }
    return 0;
}

/* Publishes one anonymous action: the public state changes, then its leaf. */
static int publish_anon(struct chan *c, const struct st_batch_entry *b, json_t *fields, int64_t at,
                        struct err *e)
{
    json_t *counts = NULL, *leaf;
    const char *action = json_string_value(json_object_get(fields, "action"));
    const char *org = json_string_value(json_object_get(fields, "organization"));
    const char *tag = json_string_value(json_object_get(fields, "tag"));
    json_t *ver = json_object_get(fields, "version");

    if (!action || !org || !tag || !json_is_integer(ver) || !b->has_tag)
        return err_set(e, ERR_DB, "queued entry %lld is damaged", (long long)b->id);
    if (b->version == 0 ? store_anon_delete(c->st, b->memo_id, b->tag, e)
                        : store_anon_put(c->st, b->memo_id, b->tag, b->version, b->org_id,
                                         b->ring_no, b->proof, b->proof_len, at / 86400, e))
        return -1;
    if (store_anon_pub_seq_set(c->st, b->memo_id, b->tag, b->seq + 1, e) ||
        chan_counts_combined(c, b->memo_id, &counts, e))
        return -1;
    leaf = proto_leaf_anon_signature(at, action, (int)json_integer_value(ver), org, b->ring_no, tag,
                                     counts);
    return chan_log_append(c, leaf, b->memo, "anonymous-signature", b->version, e);
}

/* Publishes one named signature's count leaf: the counts as of now (its
 * queued row is gone, so they include it). */
static int publish_signature(struct chan *c, const struct st_batch_entry *b, json_t *fields,
                             int64_t at, struct err *e)
{
    char when[21];
    json_t *counts = NULL;
    time_format_utc(when, at);
    if (chan_counts_combined(c, b->memo_id, &counts, e))
        return -1;
    json_object_set_new(fields, "counts", counts);
    json_object_set_new(fields, "at", json_string(when));
    json_incref(fields);
    return chan_log_append(c, fields, b->memo, "signature",
                           (int)json_integer_value(json_object_get(fields, "version")), e);
}

/* Publishes one roster change: its leaf, at the batch's time. */
static int publish_roster(struct chan *c, json_t *fields, int64_t at, struct err *e)
{
    char when[21];
    time_format_utc(when, at);
    json_object_set_new(fields, "at", json_string(when));
    json_incref(fields);
    return chan_log_append(c, fields, NULL, "roster", 0, e);
}

/* Inside the caller's transaction: publishes what is due by due_by. */
static int batch_publish_tx(struct chan *c, int64_t due_by, int64_t at, size_t *published,
                            struct err *e)
{
    int rc = -1;
    struct pool p;
    struct st_batch_entry *b = NULL, **order = NULL;
    size_t n = 0;

    pool_init(&p, 64u << 20);
    if (store_batch_due(c->st, &p, due_by, &b, &n, e))
        goto out;
    if (n && !(order = pool_alloc(&p, n * sizeof *order))) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (n && batch_shuffle(&p, b, n, order, e))
        goto out;
    for (size_t i = 0; i < n; i++) {
        json_error_t je;
        json_t *fields = json_loads(order[i]->fields, 0, &je);
        int r;
        if (!json_is_object(fields)) {
            json_decref(fields);
            rc = err_set(e, ERR_DB, "queued entry %lld is damaged", (long long)order[i]->id);
            goto out;
        }
        /* Out of the queue first: counts computed now include it. */
        if (store_batch_delete(c->st, order[i], e))
            r = -1;
        else if (strcmp(order[i]->kind, "anonymous-signature") == 0)
            r = publish_anon(c, order[i], fields, at, e);
        else if (strcmp(order[i]->kind, "roster") == 0)
            r = publish_roster(c, fields, at, e);
        else if (strcmp(order[i]->kind, "signature") == 0)
            r = publish_signature(c, order[i], fields, at, e);
        else
            r = err_set(e, ERR_DB, "queued entry %lld has an unknown kind",
                        (long long)order[i]->id);
        json_decref(fields);
        if (r)
            goto out;
    }
    if (published)
        *published = n;
    rc = 0;
out:
    pool_release(&p);
    return rc;
}

int chan_batch_queue(struct chan *c, struct st_batch_entry *b, int64_t now, struct err *e)
{
    b->due = chan_batch_due(c, now);
    if (store_batch_put(c->st, b, e))
        return -1;
    return c->batch_interval > 0 ? 0 : batch_publish_tx(c, INT64_MAX, now, NULL, e);
}

int chan_batch_publish(struct chan *c, int64_t now, int all, size_t *published, struct err *e)
{
    int rc = -1;
    if (published)
        *published = 0;
    if (store_begin(c->st, e))
        return -1;
    rc = batch_publish_tx(c, all ? INT64_MAX : now, batch_at(c, now), published, e);
    return chan_tx_end(c, rc, NULL, e);
}

int chan_batch_tick(struct chan *c, int64_t now, struct err *e)
{
    return chan_batch_publish(c, now, 0, NULL, e);
}

int chan_roster_published_size(struct chan *c, int64_t org_id, int64_t *size, struct err *e)
{
    int64_t have = 0, pending = 0;
    if (store_roster_size(c->st, org_id, &have, e) ||
        store_batch_roster_pending(c->st, org_id, &pending, e))
        return -1;
    /* Queued entries are always the newest ones of their roster. */
    *size = have - pending;
    return 0;
}

json_t *chan_batch_receipt(struct chan *c, const char *memo, const char *tag, int64_t seq,
                           const char *action, int version, const char *org, int ring, int64_t due)
{
    char sig[PROTO_RECEIPT_SIG_B64];
    struct err e;
    json_t *r = json_pack("{s:i,s:s,s:s,s:s,s:s,s:I,s:s,s:i,s:s,s:i,s:o}", "v", 2, "kind",
                          "receipt", "origin", c->log_key.pub.name, "memo", memo, "tag", tag, "seq",
                          (json_int_t)seq, "action", action, "version", version, "organization",
                          org, "ring", ring, "publish_by", chan_time_json(due));
    err_init(&e);
    if (!r || proto_receipt_sign(r, c->log_key.sk, sig, &e)) {
        json_decref(r);
        return NULL;
    }
    return json_pack("{s:o,s:s}", "receipt", r, "signature", sig);
}
