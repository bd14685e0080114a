/* serve_witness.h — `dissent serve --witness ... --witness-policy K`: a
 * background thread that sends each new checkpoint of this server's log,
 * with a consistency proof, to the configured witnesses (C2SP
 * tlog-witness), and publishes it (http/cosigned.h) only once at least K of
 * them cosigned it; until then the previous cosigned checkpoint stays
 * published. The same checkpoint is sent again every
 * SERVE_WITNESS_REFRESH_S seconds so that its cosignature times stay fresh.
 *
 * The thread has its own database connection (its own struct chan), so it
 * never runs inside the HTTP server's handler lock.
 */
#ifndef DISSENT_CLI_SERVE_WITNESS_H
#define DISSENT_CLI_SERVE_WITNESS_H

#include "base/compat.h"
#include "base/err.h"
#include "client/client.h"
#include "http/cosigned.h"
#include "tlog/policy.h"

#include <pthread.h>
#include <stdint.h>

#define SERVE_WITNESS_REFRESH_S 60

struct chan;

struct serve_witness {
    struct tlog_policy policy;                           /* keys and K */
    char url[TLOG_POLICY_WITNESSES_MAX][CLIENT_URL_MAX]; /* submission prefixes */
    uint64_t known[TLOG_POLICY_WITNESSES_MAX];           /* size each last cosigned, as seen */
    struct chan *chan;                                   /* the thread's own connection */
    struct app_cosigned *pub;                            /* where to publish */
    uint64_t pub_size, pub_time;                         /* the published checkpoint */
    unsigned char pub_root[32];
    int have_pub;
    pthread_t thread;
    int running;
    volatile int stop;
};

/* Zeroes sw. */
void serve_witness_init(struct serve_witness *sw);

/* Adds one --witness value: NAME+KEYID+KEY+URL, where NAME+KEYID+KEY is the
 * witness's verifier key (type 0x04) and URL its submission prefix
 * (http:// or https://; "/add-checkpoint" is appended). Returns 0, or -1
 * with ERR_INVALID. */
int serve_witness_add(struct serve_witness *sw, const char *arg, struct err *e) WUR;

/* Runs one round: reads the current checkpoint from chan, and unless it is
 * the published one (and not due for a refresh) collects cosignatures and
 * publishes it if the policy is met. Returns 0 if the published checkpoint
 * is the current one afterwards, else -1 with why in e. */
int serve_witness_round(struct serve_witness *sw, struct err *e) WUR;

/* Starts the thread: it owns chan (closed by serve_witness_stop) and runs a
 * round every second. Returns 0 or -1. */
int serve_witness_start(struct serve_witness *sw, struct chan *chan, struct app_cosigned *pub,
                        struct err *e) WUR;

/* Stops and joins the thread, closes its connection. */
void serve_witness_stop(struct serve_witness *sw);

#endif
