/* can.c — one check per thing a reader may do, used by the operations and
 * by the memo's "can" object alike. */
#include "channel/can.h"
#include "channel/chan_internal.h"

/* One entry: the access rule, the state machine's event (-1: none) and the
 * verb of the refusal ("you may not <verb> this memo"). */
struct can_row {
    const char *name;
    int action;
    int event;
    const char *verb;
};

static const struct can_row rows[] = {
    [CHAN_CAN_EDIT] = {"edit", CHAN_ACT_REVISE, CHAN_EV_REVISE, "revise"},
    [CHAN_CAN_ADD_DRAFTER] = {"add_drafter", CHAN_ACT_ADD_DRAFTER, CHAN_EV_REVISE,
                              "change the drafters of"},
    [CHAN_CAN_CIRCULATE] = {"circulate", CHAN_ACT_CIRCULATE, CHAN_EV_CIRCULATE, "circulate"},
    [CHAN_CAN_SIGN] = {"sign", CHAN_ACT_SIGN, CHAN_EV_SIGN, "co-sign"},
    [CHAN_CAN_MOVE] = {"move", CHAN_ACT_SIGN, CHAN_EV_SIGN, "co-sign"},
    [CHAN_CAN_UNSIGN] = {"unsign", CHAN_ACT_UNSIGN, CHAN_EV_SIGN, "withdraw a co-signature from"},
    [CHAN_CAN_SUBMIT] = {"submit", CHAN_ACT_SUBMIT, CHAN_EV_SUBMIT, "submit"},
    [CHAN_CAN_WITHDRAW] = {"withdraw", CHAN_ACT_WITHDRAW, CHAN_EV_WITHDRAW, "withdraw"},
    [CHAN_CAN_ACKNOWLEDGE] = {"acknowledge", CHAN_ACT_ACKNOWLEDGE, CHAN_EV_ACKNOWLEDGE,
                              "acknowledge"},
    [CHAN_CAN_EXTEND] = {"extend", CHAN_ACT_EXTEND, CHAN_EV_EXTEND, "extend the deadline of"},
    [CHAN_CAN_ANSWER] = {"answer", CHAN_ACT_ANSWER, CHAN_EV_ANSWER, "answer"},
    [CHAN_CAN_CLOSE] = {"close", CHAN_ACT_CLOSE, CHAN_EV_CLOSE, "close"},
    [CHAN_CAN_MESSAGE] = {"message", CHAN_ACT_POST_MESSAGE, CHAN_EV_MESSAGE, "send messages about"},
    [CHAN_CAN_READ_MESSAGES] = {"read_messages", CHAN_ACT_READ_MESSAGES, -1,
                                "read the messages of"},
    [CHAN_CAN_SIGNERS] = {"signers", CHAN_ACT_READ_SIGNERS, -1, "see the signers of"},
    [CHAN_CAN_COUNTS] = {"counts", CHAN_ACT_READ_COUNTS, -1, "see the counts of"},
    [CHAN_CAN_ACCESS_LOG] = {"access_log", CHAN_ACT_READ_MEMO_ACCESS_LOG, -1, "see who read"},
    /* Drafters refresh the rings of a memo open for co-signatures. */
    [CHAN_CAN_REFRESH_RINGS] = {"refresh_rings", CHAN_ACT_REVISE, CHAN_EV_SIGN,
                                "refresh the rings of"},
};

const char *chan_can_name(int what)
{
    return what >= 0 && what < CHAN_CAN_COUNT ? rows[what].name : NULL;
}

/* The conditions of single operations, checked after the rules and the state
 * machine so that a refusal names the most basic reason. */
static int extra(const struct memo_ctx *x, int what, int version, struct err *e)
{
    int rc = 0;
    switch (what) {
    case CHAN_CAN_SIGN:
    case CHAN_CAN_MOVE:
        if (version < 1 || version > x->m.latest_version)
            rc = err_set(e, ERR_INVALID, "this memo has versions 1 to %d", x->m.latest_version);
        else if (x->signed_version == version)
            rc = err_set(e, ERR_CONFLICT, "you have already co-signed version %d", version);
        else if (what == CHAN_CAN_SIGN && x->signed_version)
            rc = err_set(e, ERR_CONFLICT,
                         "you have already co-signed version %d: move your signature instead",
                         x->signed_version);
        else if (what == CHAN_CAN_MOVE && !x->signed_version)
            rc = err_set(e, ERR_CONFLICT, "you have not co-signed this memo");
        break;
    case CHAN_CAN_EXTEND:
        if (x->m.extended)
            rc = err_set(e, ERR_STATE,
                         "the deadline was already extended once: a channel allows one "
                         "extension");
        else if (x->ch.ext.amount <= 0)
            rc = err_set(e, ERR_STATE, "the policy of channel '%s' (%s) allows no extension",
                         x->ch.slug, x->ch.preset);
        break;
    case CHAN_CAN_READ_MESSAGES:
        /* The thread with the policy office opens at submission. */
        if (!x->m.submitted_at)
            rc =
                err_set(e, ERR_STATE, "this memo has no messages: they start when it is submitted");
        break;
    default:
        break;
    }
    return rc;
}

int chan_check(const struct memo_ctx *x, int what, int version, struct err *e)
{
    int rc = -1, to;
    const struct can_row *r;

    if (what < 0 || what >= CHAN_CAN_COUNT) {
        rc = err_set(e, ERR_INTERNAL, "unknown action");
        goto out;
    }
    r = &rows[what];
    /* Withdrawing a signature one does not have is a conflict, not a lack of right. */
    if (what == CHAN_CAN_UNSIGN && !x->signed_version) {
        rc = err_set(e, ERR_CONFLICT, "you have not co-signed this memo");
        goto out;
    }
    if (!chan_allowed(r->action, x->roles, x->rel, x->m.state)) {
        rc = err_set(e, ERR_FORBIDDEN, "you may not %s this memo", r->verb);
        goto out;
    }
    if ((r->event >= 0 && chan_transition(x->m.state, r->event, &to, e)) ||
        extra(x, what, version, e))
        goto out;
    rc = 0;
out:
    return rc;
}

int chan_can(const struct memo_ctx *x, int what, int version)
{
    struct err e;
    err_init(&e);
    return chan_check(x, what, version, &e) == 0;
}
