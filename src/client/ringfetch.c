/* ringfetch.c — fetching a log the client checks its rings against
 * (client/ringcheck.h, ringck_fetch_log): the network half of the ring
 * checks; ringcheck.c holds the checks themselves, which the browser runs
 * too (compiled to WebAssembly by tools/wasm/build.sh). */
#include "client/loghistory.h"
#include "client/ringcheck.h"

#include <stdlib.h>
#include <string.h>

int ringck_fetch_log(struct client *c, const struct tlog_verifier *v, const struct logc_state *st,
                     json_t **leaves, uint64_t *size, struct err *e)
{
    int rc = -1;
    struct tlog_checkpoint cp;
    unsigned char(*hashes)[TLOG_HASH_SIZE] = NULL, root[TLOG_HASH_SIZE];
    json_t *all = NULL;
    struct buf note;

    *leaves = NULL;
    buf_init(&note, TLOG_NOTE_MAX);
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
    hashes = calloc(cp.size ? cp.size : 1, sizeof *hashes);
    if (!hashes) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    /* the same check of leaves against the signed root as the browser's
     * (ringck_log_verify, compiled to WebAssembly) */
    if (logc_fetch_leaves(c, 0, cp.size, &all, hashes, e) ||
        ringck_log_verify(v, note.data, note.len, all, &cp, e))
        goto out;
    if (st) {
        logc_root_of((const unsigned char(*)[TLOG_HASH_SIZE])hashes, st->size, root);
        if (memcmp(root, st->root, sizeof root) != 0) {
            err_set(e, ERR_CRYPTO,
                    "the first %llu leaves of the log no longer hash to the root the monitor "
                    "state saved: the log was rewritten",
                    (unsigned long long)st->size);
            goto out;
        }
    }
    *leaves = all;
    all = NULL;
    *size = cp.size;
    rc = 0;
out:
    buf_release(&note);
    free(hashes);
    json_decref(all);
    return rc;
}
