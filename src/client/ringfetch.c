/* ringfetch.c — fetching a log the client checks its rings against
 * (client/ringcheck.h, ringck_fetch_log): the network half of the ring
 * checks; ringcheck.c holds the checks themselves, which the browser runs
 * too (compiled to WebAssembly by tools/wasm/build.sh).
 *
 * The anonymous flow asks what every client asks at that moment: the
 * signed checkpoint and all its leaves from leaf 0, as the browser does
 * (web/static/anon/sign.js). Nothing in a request comes from what this
 * client saved: a consistency proof from the size of its history, or the
 * leaves after the size of its cache, would tell the operator where this
 * client stood (a size a named `dissent log checkpoint` left, or the one
 * its last anonymous action left), linking its actions.
 *
 * The client's log state is still checked, locally: the checkpoint history
 * every log command keeps (client/loghistory.h: the largest checkpoint
 * accepted, the notes seen, evidence of forks), the leaf cache of the
 * leaves checked before and the monitor state (--log-state). The first N
 * leaves fetched (which hash to the new signed root) must hash to the root
 * saved for size N; a log that does not extend what was checked before is
 * refused as LOG INCONSISTENT, the two signed notes kept as evidence with
 * the consistency proof the fetched leaves give. */
#include "client/evidence.h"
#include "client/loghistory.h"
#include "client/ringcheck.h"
#include "tlog/memstore.h"
#include "tlog/tree.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The tree of leaves ({data} rows, already checked against the signed
 * checkpoint) in ms, so the root of any prefix, and a proof between two
 * sizes, come from the leaves the log served. */
static int tree_of(const json_t *leaves, struct tlog_memstore *ms, struct err *e)
{
    size_t i;
    const json_t *row;
    json_array_foreach(leaves, i, row)
    {
        const char *data = json_string_value(json_object_get(row, "data"));
        unsigned char h[TLOG_HASH_SIZE];
        if (!data)
            return err_set(e, ERR_CRYPTO, "leaf %zu has no data", i);
        tlog_hash_leaf(h, data, strlen(data));
        if (tlog_memstore_append(ms, h, e))
            return -1;
    }
    return 0;
}

/* Turns ev into kind subtree (conclusive evidence) when one of the perfect
 * subtrees of frontier (the compact range of the smaller checkpoint's
 * leaves) is held differently by the tree of ms (size leaves): its first
 * leaf and that leaf's inclusion proof, both from the leaves the log
 * served. Leaves ev as it is when none is found. */
static void subtree_evidence(struct tlog_memstore *ms, const struct logc_range *frontier,
                             uint64_t size, json_t *ev)
{
    struct tlog_node_source src = tlog_memstore_source(ms);
    for (size_t j = 0; j < frontier->n; j++) {
        uint64_t s = 0;
        unsigned h = 0;
        struct tlog_proof p;
        struct err e;
        err_init(&e);
        evidence_subtree_at(frontier->size, j, &s, &h);
        if (s < ms->level[0].count && tlog_prove_inclusion(&src, s, size, &p, &e) == 0 &&
            evidence_add_subtree(ev, frontier, s, ms->level[0].hash[s], &p, &e) == 0)
            return;
    }
}

/* Checks, with the leaves of cp alone (ms), that cp (its signed note) extends
 * old, a checkpoint this client accepted before (its signed note old_note;
 * what names it in messages): the first old->size leaves hash to old's root.
 * A contradiction is ERR_CRYPTO "LOG INCONSISTENT", the evidence kept (the
 * two notes, and the consistency proof the leaves give; kind subtree,
 * conclusive, when frontier, old's compact range, is known); a checkpoint
 * smaller than old is refused: checking it would take a request naming
 * old's size. */
static int extends(const struct tlog_verifier *v, struct tlog_memstore *ms,
                   const struct tlog_checkpoint *cp, const char *note,
                   const struct tlog_checkpoint *old, const char *old_note,
                   const struct logc_range *frontier, const char *what, struct err *e)
{
    struct tlog_node_source src = tlog_memstore_source(ms);
    unsigned char root[TLOG_HASH_SIZE];
    struct tlog_proof p;
    struct err why, se;
    json_t *ev = NULL;
    int proved;

    err_init(&why);
    err_init(&se);
    if (old->size == 0)
        return 0;
    if (old->size > cp->size)
        return err_set(e, ERR_CRYPTO,
                       "the log's signed checkpoint has %" PRIu64 " leaves, fewer than the %" PRIu64
                       " of %s: the log went back, or shows this client an old view (run 'dissent "
                       "log checkpoint' to check it; nothing is signed against it)",
                       cp->size, old->size, what);
    if (tlog_root(&src, old->size, root, e))
        return -1;
    if (memcmp(root, old->root, sizeof root) == 0)
        return 0;
    proved =
        old->size < cp->size && tlog_prove_consistency(&src, old->size, cp->size, &p, &why) == 0;
    err_set(e, ERR_CRYPTO,
            "LOG INCONSISTENT: the checkpoint of size %" PRIu64 " does not extend %s (size %" PRIu64
            "): its first %" PRIu64 " leaves hash to another root",
            cp->size, what, old->size, old->size);
    if (evidence_build(v, old_note, note, proved ? &p : NULL, "dissent ring checks", &ev, &se) ==
        0) {
        if (frontier && frontier->size == old->size && old->size < cp->size)
            subtree_evidence(ms, frontier, cp->size, ev);
        evidence_keep(v, ev, e);
    }
    json_decref(ev);
    return -1;
}

int ringck_fetch_log(struct client *c, const struct tlog_verifier *v, const struct logc_state *st,
                     json_t **leaves, uint64_t *size, struct err *e)
{
    int rc = -1, found = 0, cached = 0;
    struct tlog_checkpoint cp, old, cc;
    struct logc_range *range = NULL;
    struct tlog_memstore *ms = NULL;
    unsigned char root[TLOG_HASH_SIZE];
    json_t *all = NULL, *kept = NULL;
    struct buf note, old_note, cache_note;
    struct err why;

    *leaves = NULL;
    memset(&cc, 0, sizeof cc);
    err_init(&why);
    buf_init(&note, TLOG_NOTE_MAX);
    buf_init(&old_note, TLOG_NOTE_MAX);
    buf_init(&cache_note, TLOG_NOTE_MAX);
    range = calloc(1, sizeof *range);
    ms = calloc(1, sizeof *ms);
    if (!range || !ms) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    tlog_memstore_init(ms);
    /* the requests: the checkpoint, then leaves [0, its size), the same for
     * every client at the same moment; the witness policy applies as in
     * every other client command that reads a checkpoint */
    if (logc_fetch_checkpoint_note(c, v, &cp, &note, e) ||
        loghist_policy_check(note.data, note.len, cp.size, e) ||
        loghist_seen_add(v, note.data, note.len, e) ||
        logc_fetch_leaves(c, 0, cp.size, &all, NULL, e))
        goto out;
    /* the same check of leaves against the signed root as the browser's
     * (ringck_log_verify, compiled to WebAssembly) */
    if (ringck_log_verify(v, note.data, note.len, all, &cp, e) || tree_of(all, ms, e))
        goto out;
    /* the checkpoint history shared with verify, log checkpoint and log
     * monitor: cp must extend the largest checkpoint accepted, checked with
     * the leaves just fetched (no proof asked from the saved size) */
    if (loghist_load(v, &old, &old_note, &found, e) ||
        loghist_leaves_load(v, &kept, range, &cache_note, &cached, e))
        goto out;
    if (cached) {
        if (tlog_checkpoint_open(&cc, cache_note.data, cache_note.len, v, &why)) {
            err_set(e, ERR_CRYPTO, "the leaf cache's note does not open with the log key: %s",
                    why.msg);
            goto out;
        }
    }
    /* the history's compact range is known when the cache is of its size */
    if (found &&
        extends(v, ms, &cp, note.data, &old, old_note.data,
                cached && cc.size == old.size && memcmp(cc.root, old.root, sizeof cc.root) == 0
                    ? range
                    : NULL,
                "the largest checkpoint this client accepted", e))
        goto out;
    /* the leaves checked before (the leaf cache), likewise */
    if (cached && extends(v, ms, &cp, note.data, &cc, cache_note.data, range,
                          "the leaves this client checked before", e))
        goto out;
    if (st) {
        if (st->size > cp.size) {
            err_set(e, ERR_CRYPTO,
                    "the log's signed checkpoint has %llu leaves, fewer than the %llu the monitor "
                    "state saw: the log was rewritten",
                    (unsigned long long)cp.size, (unsigned long long)st->size);
            goto out;
        }
        {
            struct tlog_node_source src = tlog_memstore_source(ms);
            if (tlog_root(&src, st->size, root, e))
                goto out;
        }
        if (memcmp(root, st->root, sizeof root) != 0) {
            err_set(e, ERR_CRYPTO,
                    "the first %llu leaves of the log no longer hash to the root the monitor "
                    "state saved: the log was rewritten",
                    (unsigned long long)st->size);
            goto out;
        }
    }
    /* what was checked is kept, locally */
    if ((!found || cp.size > old.size) && loghist_save(v, note.data, note.len, e))
        goto out;
    if (cp.size > range->size && loghist_leaves_save(v, all, e))
        goto out;
    *leaves = all;
    all = NULL;
    *size = cp.size;
    rc = 0;
out:
    buf_release(&note);
    buf_release(&old_note);
    buf_release(&cache_note);
    free(range);
    if (ms)
        tlog_memstore_release(ms);
    free(ms);
    json_decref(kept);
    json_decref(all);
    return rc;
}
