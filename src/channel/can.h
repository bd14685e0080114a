/* can.h — the one answer to "may this actor do this on this memo now".
 *
 * It combines the access rules and the state machine (rules.h) with the few
 * conditions of single operations (one extension per memo, a channel that
 * allows one, which version a co-signature stands on). The operations call
 * chan_check before they change anything, and the memo JSON's "can" object
 * is chan_can of every entry: what a reader is offered is exactly what the
 * channel would accept. */
#ifndef DISSENT_CHANNEL_CAN_H
#define DISSENT_CHANNEL_CAN_H

#include "base/err.h"

struct memo_ctx;

/* What a reader may do; the names are the keys of the memo JSON's "can". */
enum chan_can {
    CHAN_CAN_EDIT = 0, /* save a new version */
    CHAN_CAN_ADD_DRAFTER,
    CHAN_CAN_CIRCULATE,
    CHAN_CAN_SIGN, /* no co-signature yet: sign the version shown */
    CHAN_CAN_MOVE, /* a co-signature on another version: move it to the one shown */
    CHAN_CAN_UNSIGN,
    CHAN_CAN_SUBMIT,
    CHAN_CAN_WITHDRAW,
    CHAN_CAN_ACKNOWLEDGE,
    CHAN_CAN_EXTEND,
    CHAN_CAN_ANSWER,
    CHAN_CAN_CLOSE,
    CHAN_CAN_MESSAGE, /* post a review message */
    CHAN_CAN_READ_MESSAGES,
    CHAN_CAN_SIGNERS, /* read the signer list */
    CHAN_CAN_COUNTS,
    CHAN_CAN_ACCESS_LOG,
    CHAN_CAN_REFRESH_RINGS,
    CHAN_CAN_COUNT
};

/* The JSON key of one entry ("edit", …), or NULL. */
const char *chan_can_name(int what);

/* 0 if the actor of x (x->roles, x->rel, x->signed_version) may do `what` on
 * the memo of x now, with version the one it acts on (sign, move: the version
 * to sign; ignored otherwise). Else -1 with the reason: ERR_FORBIDDEN (the
 * access rules), ERR_STATE (the state machine, or an extension already used
 * or not allowed by the channel), ERR_CONFLICT (already signed that version,
 * or not signed at all), ERR_INVALID (no such version). Messages are read
 * from submission on (ERR_STATE before). */
int chan_check(const struct memo_ctx *x, int what, int version, struct err *e) WUR;

/* 1 if chan_check would pass, else 0. */
int chan_can(const struct memo_ctx *x, int what, int version);

#endif
