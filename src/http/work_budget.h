/* work_budget.h — rate limits by work, not by request, for the anonymous
 * co-signature endpoint (docs/protocol-ring.md, "The endpoint").
 *
 * Verifying a batch costs about (items × ring size); a request that does not
 * parse costs nothing worth counting. So the budget is spent only on proofs
 * that passed every cheap check, in units of items × ring size: a per-client
 * budget for a short window, plus a global one. Junk never spends it, so
 * junk cannot shut anonymous signing for anyone.
 *
 * A client is known only by a keyed hash of its address (BLAKE2b under a key
 * drawn at start and never written): the table, in memory only, cannot be
 * turned back into addresses, and nothing here is logged or stored. A
 * struct work_budget is not locked: its user holds a lock around each call
 * (handlers run on several workers at once). */
#ifndef DISSENT_HTTP_WORK_BUDGET_H
#define DISSENT_HTTP_WORK_BUDGET_H

#include "base/compat.h"
#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

#define WORK_BUDGET_SLOTS 4096
#define WORK_BUDGET_ID    16
#define WORK_BUDGET_KEY   32
/* Defaults: 2^20 units per client (16 signatures on a ring of 2^16 keys,
 * 1,000 on rings of 1,000), 2^24 for everyone, per 10 s; and at most 300
 * requests per client per window, so parsing stays cheap too. */
#define WORK_BUDGET_PER_CLIENT (UINT64_C(1) << 20)
#define WORK_BUDGET_GLOBAL     (UINT64_C(1) << 24)
#define WORK_BUDGET_WINDOW_S   10
#define WORK_BUDGET_REQUESTS   300

struct work_budget_config {
    uint64_t per_client, global; /* units per window */
    int64_t window_s;
    uint32_t requests; /* per client per window */
};

struct work_slot {
    int64_t window; /* start of the window its counts belong to */
    uint64_t spent;
    uint32_t requests;
};

struct work_budget {
    unsigned char key[WORK_BUDGET_KEY]; /* random, in memory only */
    struct work_budget_config cfg;
    int64_t window;
    uint64_t spent;
    struct work_slot slots[WORK_BUDGET_SLOTS];
};

/* The defaults above. */
void work_budget_defaults(struct work_budget_config *cfg);

/* Reads "PER_CLIENT,GLOBAL,WINDOW_S[,REQUESTS]" (positive whole numbers)
 * into cfg, over the defaults. Returns 0, or -1 with ERR_INVALID. */
int work_budget_parse(const char *s, struct work_budget_config *cfg, struct err *e) WUR;

/* Draws a fresh key and empties the table. */
void work_budget_init(struct work_budget *b, const struct work_budget_config *cfg);

/* Wipes the key and the table. */
void work_budget_release(struct work_budget *b);

/* Counts one request of client id at now (seconds). ERR_RATE past the
 * per-client request cap, with how long to wait. Returns 0 or -1 with e. */
int work_budget_request(struct work_budget *b, const unsigned char id[WORK_BUDGET_ID], int64_t now,
                        struct err *e) WUR;

/* Spends cost units for client id at now, from its budget and the global
 * one, or neither: ERR_RATE (with how long to wait) when either would go
 * over. Returns 0 or -1 with e. */
int work_budget_spend(struct work_budget *b, const unsigned char id[WORK_BUDGET_ID], uint64_t cost,
                      int64_t now, struct err *e) WUR;

#endif
