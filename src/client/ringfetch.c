/* ringfetch.c — fetching a log the client checks its rings against
 * (client/ringcheck.h, ringck_fetch_log): the network half of the ring
 * checks; ringcheck.c holds the checks themselves, which the browser runs
 * too (compiled to WebAssembly by tools/wasm/build.sh).
 *
 * The client's log state is reused: the checkpoint history every log
 * command keeps (client/loghistory.h: the largest checkpoint accepted, the
 * notes seen, evidence of forks) and the leaf cache of the leaves already
 * checked. A log that extends what was checked before is checked by a
 * consistency proof and only its new leaves are fetched; one that does not
 * is refused, with the two signed notes kept as evidence. */
#include "client/evidence.h"
#include "client/loghistory.h"
#include "client/ringcheck.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Root of the data of the first n rows of leaves ({data}). */
static int prefix_root(const json_t *leaves, uint64_t n, unsigned char root[TLOG_HASH_SIZE],
                       struct err *e)
{
    struct logc_range r;
    logc_range_init(&r);
    for (uint64_t i = 0; i < n; i++) {
        const char *data = json_string_value(json_object_get(json_array_get(leaves, i), "data"));
        unsigned char h[TLOG_HASH_SIZE];
        if (!data)
            return err_set(e, ERR_CRYPTO, "leaf %" PRIu64 " has no data", i);
        tlog_hash_leaf(h, data, strlen(data));
        if (logc_range_append(&r, h, e))
            return -1;
    }
    logc_range_root(&r, root);
    return 0;
}

/* Checks that the checkpoint cp (its note) extends the cached tree range
 * (its signed note old): same root at the same size, else a consistency
 * proof from c that verifies (not asked again when the history check
 * already verified one from that very checkpoint, prev). A contradiction
 * is ERR_CRYPTO with the evidence kept. */
static int extends_cache(struct client *c, const struct tlog_verifier *v,
                         const struct tlog_checkpoint *cp, const char *note,
                         const struct logc_range *range, const char *old,
                         const struct tlog_checkpoint *prev, struct err *e)
{
    unsigned char root[TLOG_HASH_SIZE];
    struct tlog_proof p;
    struct err why;
    int fetched = 0;

    err_init(&why);
    logc_range_root(range, root);
    if (range->size == 0 || (cp->size == range->size && memcmp(cp->root, root, sizeof root) == 0))
        return 0;
    if (prev->size == range->size && memcmp(prev->root, root, sizeof root) == 0 &&
        cp->size >= prev->size)
        return 0;
    if (cp->size > range->size) {
        fetched = logc_fetch_consistency(c, range->size, cp->size, &p, &why) == 0;
        if (fetched &&
            logc_verify_consistency(range->size, cp->size, root, cp->root, &p, &why) == 0)
            return 0;
    } else {
        snprintf(why.msg, sizeof why.msg, "%s",
                 cp->size < range->size ? "the log shrank" : "another root for the same size");
    }
    err_set(e, ERR_CRYPTO,
            "LOG INCONSISTENT: the checkpoint of size %" PRIu64 " does not extend the %" PRIu64
            " leaves this client checked before: %.60s",
            cp->size, range->size, why.msg);
    evidence_keep_notes(v, old, note, fetched ? &p : NULL, "dissent ring checks", e);
    return -1;
}

int ringck_fetch_log(struct client *c, const struct tlog_verifier *v, const struct logc_state *st,
                     json_t **leaves, uint64_t *size, struct err *e)
{
    int rc = -1, cached = 0;
    struct tlog_checkpoint cp, prev;
    struct logc_range *range = NULL;
    unsigned char root[TLOG_HASH_SIZE];
    json_t *all = NULL, *fresh = NULL;
    struct buf note, old;

    *leaves = NULL;
    buf_init(&note, TLOG_NOTE_MAX);
    buf_init(&old, TLOG_NOTE_MAX);
    range = calloc(1, sizeof *range);
    if (!range) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    /* the witness policy too: a frozen or unwitnessed view is refused here
     * as in every other client command that reads a checkpoint */
    if (logc_fetch_checkpoint_note(c, v, &cp, &note, e) ||
        loghist_policy_check(note.data, note.len, cp.size, e))
        goto out;
    if (st && cp.size < st->size) {
        err_set(e, ERR_CRYPTO,
                "the log's signed checkpoint has %llu leaves, fewer than the %llu the monitor "
                "state saw: the log was rewritten",
                (unsigned long long)cp.size, (unsigned long long)st->size);
        goto out;
    }
    /* the checkpoint history shared with verify, log checkpoint and log
     * monitor: consistent with the largest checkpoint accepted, or refused
     * with evidence */
    if (loghist_check(c, v, &cp, note.data, note.len, &prev, e)) {
        char why[ERR_MSG_MAX];
        memcpy(why, e->msg, sizeof why);
        err_set(e, ERR_CRYPTO, "LOG INCONSISTENT: %.220s", why);
        goto out;
    }
    /* the leaves checked before: kept if the new checkpoint extends them */
    if (loghist_leaves_load(v, &all, range, &old, &cached, e) ||
        extends_cache(c, v, &cp, note.data, range, old.data, &prev, e))
        goto out;
    if (cp.size > range->size) {
        if (logc_fetch_leaves(c, range->size, cp.size, &fresh, NULL, e) ||
            json_array_extend(all, fresh) != 0)
            goto out;
    }
    /* the same check of leaves against the signed root as the browser's
     * (ringck_log_verify, compiled to WebAssembly), over cached and new
     * leaves alike */
    if (ringck_log_verify(v, note.data, note.len, all, &cp, e))
        goto out;
    if (st) {
        if (prefix_root(all, st->size, root, e))
            goto out;
        if (memcmp(root, st->root, sizeof root) != 0) {
            err_set(e, ERR_CRYPTO,
                    "the first %llu leaves of the log no longer hash to the root the monitor "
                    "state saved: the log was rewritten",
                    (unsigned long long)st->size);
            goto out;
        }
    }
    if (cp.size > range->size && loghist_leaves_save(v, all, e))
        goto out;
    *leaves = all;
    all = NULL;
    *size = cp.size;
    rc = 0;
out:
    buf_release(&note);
    buf_release(&old);
    free(range);
    json_decref(fresh);
    json_decref(all);
    return rc;
}
