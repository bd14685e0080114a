/* rules.h — who may do what (access rules) and when (the memo state machine).
 *
 * Both are const tables, so that a reader (or an auditor) can check them in
 * one place and tests can run them as a table of role × action. */
#ifndef DISSENT_CHANNEL_RULES_H
#define DISSENT_CHANNEL_RULES_H

#include "base/err.h"

enum chan_action {
    CHAN_ACT_READ_MEMO = 0, /* read text and versions */
    CHAN_ACT_REVISE,        /* save a new version */
    CHAN_ACT_ADD_DRAFTER,
    CHAN_ACT_CIRCULATE,
    CHAN_ACT_SIGN,
    CHAN_ACT_UNSIGN,
    CHAN_ACT_READ_SIGNERS,
    CHAN_ACT_READ_COUNTS,
    CHAN_ACT_SUBMIT,
    CHAN_ACT_ACKNOWLEDGE,
    CHAN_ACT_EXTEND,
    CHAN_ACT_ANSWER,
    CHAN_ACT_CLOSE,
    CHAN_ACT_WITHDRAW,
    CHAN_ACT_READ_MESSAGES,
    CHAN_ACT_POST_MESSAGE,
    CHAN_ACT_READ_MEMO_ACCESS_LOG,
    CHAN_ACT_COUNT
};

/* How the actor relates to the memo. */
enum chan_relation {
    CHAN_REL_DRAFTER = 1 << 0,
    CHAN_REL_SIGNER = 1 << 1,
};

/* 1 if an actor with these roles and relation bits may take action on a memo
 * in state; else 0. Admins (CHAN_ROLE_ADMIN) never pass a memo rule. */
int chan_allowed(int action, unsigned roles, unsigned relation, int state);

/* Events of the state machine. */
enum chan_event {
    CHAN_EV_CIRCULATE = 0,
    CHAN_EV_SUBMIT,
    CHAN_EV_ACKNOWLEDGE,
    CHAN_EV_EXTEND, /* stays in its state */
    CHAN_EV_ANSWER,
    CHAN_EV_CLOSE,
    CHAN_EV_WITHDRAW,
    CHAN_EV_REVISE, /* new version: stays */
    CHAN_EV_SIGN,   /* sign, move or withdraw a co-signature: stays */
    CHAN_EV_MESSAGE,
    CHAN_EV_COUNT
};

/* Computes the state after ev from state `from`. Returns 0 and sets *to, or -1
 * with ERR_STATE and a message that says which states allow it. */
int chan_transition(int from, int ev, int *to, struct err *e) WUR;

/* Name of an event for messages ("submit"). */
const char *chan_event_name(int ev);

#endif
