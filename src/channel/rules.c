/* rules.c — the access table and the state machine. */
#include "channel/rules.h"
#include "channel/roles.h"

#include <stdio.h>
#include <string.h>

#define ST(s)  (1u << (s))
#define ST_ANY 0x7fu
#define ST_SUBMITTED_ON                                                                            \
    (ST(CHAN_STATE_SUBMITTED) | ST(CHAN_STATE_ACKNOWLEDGED) | ST(CHAN_STATE_ANSWERED) |            \
     ST(CHAN_STATE_CLOSED))
#define R_OFFICE (CHAN_ROLE_REVIEWER | CHAN_ROLE_LEADERSHIP)

/* One row grants action to anyone holding one of `roles` or one of the
 * `relations`, while the memo is in one of `states`. Several rows may grant
 * one action. */
struct chan_rule {
    int action;
    unsigned roles;
    unsigned relations;
    unsigned states;
};

static const struct chan_rule rules[] = {
    /* Drafters and signers read their memo; every member reads a circulating
     * memo (that is how co-signers find it); the office and leadership read
     * what was submitted to them. */
    {.action = CHAN_ACT_READ_MEMO,
     .relations = CHAN_REL_DRAFTER | CHAN_REL_SIGNER,
     .states = ST_ANY},
    {.action = CHAN_ACT_READ_MEMO, .roles = CHAN_ROLE_MEMBER, .states = ST(CHAN_STATE_CIRCULATING)},
    {.action = CHAN_ACT_READ_MEMO, .roles = R_OFFICE, .states = ST_SUBMITTED_ON},
    {.action = CHAN_ACT_READ_COUNTS,
     .relations = CHAN_REL_DRAFTER | CHAN_REL_SIGNER,
     .states = ST_ANY},
    {.action = CHAN_ACT_READ_COUNTS,
     .roles = CHAN_ROLE_MEMBER,
     .states = ST(CHAN_STATE_CIRCULATING)},
    {.action = CHAN_ACT_READ_COUNTS, .roles = R_OFFICE, .states = ST_SUBMITTED_ON},
    {.action = CHAN_ACT_REVISE, .relations = CHAN_REL_DRAFTER, .states = ST_ANY},
    {.action = CHAN_ACT_ADD_DRAFTER, .relations = CHAN_REL_DRAFTER, .states = ST_ANY},
    {.action = CHAN_ACT_CIRCULATE, .relations = CHAN_REL_DRAFTER, .states = ST_ANY},
    /* Any member may co-sign; when is the state machine's to say. */
    {.action = CHAN_ACT_SIGN, .roles = CHAN_ROLE_MEMBER, .states = ST_ANY},
    {.action = CHAN_ACT_UNSIGN, .relations = CHAN_REL_SIGNER, .states = ST_ANY},
    {.action = CHAN_ACT_READ_SIGNERS, .relations = CHAN_REL_DRAFTER, .states = ST_ANY},
    {.action = CHAN_ACT_READ_SIGNERS, .roles = R_OFFICE, .states = ST_SUBMITTED_ON},
    {.action = CHAN_ACT_SUBMIT, .relations = CHAN_REL_DRAFTER, .states = ST_ANY},
    {.action = CHAN_ACT_ACKNOWLEDGE, .roles = CHAN_ROLE_REVIEWER, .states = ST_SUBMITTED_ON},
    {.action = CHAN_ACT_EXTEND, .roles = CHAN_ROLE_REVIEWER, .states = ST_SUBMITTED_ON},
    {.action = CHAN_ACT_ANSWER, .roles = CHAN_ROLE_REVIEWER, .states = ST_SUBMITTED_ON},
    {.action = CHAN_ACT_CLOSE, .roles = CHAN_ROLE_REVIEWER, .states = ST_SUBMITTED_ON},
    {.action = CHAN_ACT_CLOSE, .relations = CHAN_REL_DRAFTER, .states = ST_ANY},
    {.action = CHAN_ACT_WITHDRAW, .relations = CHAN_REL_DRAFTER, .states = ST_ANY},
    {.action = CHAN_ACT_READ_MESSAGES, .relations = CHAN_REL_DRAFTER, .states = ST_ANY},
    {.action = CHAN_ACT_READ_MESSAGES, .roles = R_OFFICE, .states = ST_SUBMITTED_ON},
    {.action = CHAN_ACT_POST_MESSAGE, .relations = CHAN_REL_DRAFTER, .states = ST_ANY},
    {.action = CHAN_ACT_POST_MESSAGE, .roles = CHAN_ROLE_REVIEWER, .states = ST_SUBMITTED_ON},
    {.action = CHAN_ACT_READ_MEMO_ACCESS_LOG, .relations = CHAN_REL_DRAFTER, .states = ST_ANY},
    {.action = CHAN_ACT_READ_MEMO_ACCESS_LOG, .roles = CHAN_ROLE_AUDITOR, .states = ST_ANY},
};

int chan_allowed(int action, unsigned roles, unsigned relation, int state)
{
    int ok = 0;
    if (roles & CHAN_ROLE_ADMIN)
        return 0; /* separation of duties: the operator reads no memo */
    for (size_t i = 0; i < ARRAY_LEN(rules); i++) {
        const struct chan_rule *r = &rules[i];
        if (r->action == action && (r->states & ST(state)) &&
            ((r->roles & roles) || (r->relations & relation)))
            ok = 1;
    }
    return ok;
}

/* One row: event ev is allowed from the states in `from` and leads to `to`
 * (-1: stays in its state). */
struct chan_step {
    const char *name;
    unsigned from;
    int to;
    const char *allowed; /* for the error message */
};

static const struct chan_step steps[] = {
    [CHAN_EV_CIRCULATE] = {.name = "circulate",
                           .from = ST(CHAN_STATE_DRAFT),
                           .to = CHAN_STATE_CIRCULATING,
                           .allowed = "a draft"},
    [CHAN_EV_SUBMIT] = {.name = "submit",
                        .from = ST(CHAN_STATE_DRAFT) | ST(CHAN_STATE_CIRCULATING),
                        .to = CHAN_STATE_SUBMITTED,
                        .allowed = "a draft or circulating memo"},
    [CHAN_EV_ACKNOWLEDGE] = {.name = "acknowledge",
                             .from = ST(CHAN_STATE_SUBMITTED),
                             .to = CHAN_STATE_ACKNOWLEDGED,
                             .allowed = "a submitted memo"},
    [CHAN_EV_EXTEND] = {.name = "extend the deadline of",
                        .from = ST(CHAN_STATE_SUBMITTED) | ST(CHAN_STATE_ACKNOWLEDGED),
                        .to = -1,
                        .allowed = "a submitted or acknowledged memo"},
    [CHAN_EV_ANSWER] = {.name = "answer",
                        .from = ST(CHAN_STATE_ACKNOWLEDGED),
                        .to = CHAN_STATE_ANSWERED,
                        .allowed = "an acknowledged memo (acknowledge it first)"},
    [CHAN_EV_CLOSE] = {.name = "close",
                       .from = ST(CHAN_STATE_ANSWERED),
                       .to = CHAN_STATE_CLOSED,
                       .allowed = "an answered memo"},
    [CHAN_EV_WITHDRAW] = {.name = "withdraw",
                          .from = ST(CHAN_STATE_DRAFT) | ST(CHAN_STATE_CIRCULATING) |
                                  ST(CHAN_STATE_SUBMITTED) | ST(CHAN_STATE_ACKNOWLEDGED),
                          .to = CHAN_STATE_WITHDRAWN,
                          .allowed = "a memo not yet answered"},
    [CHAN_EV_REVISE] = {.name = "revise",
                        .from = ST(CHAN_STATE_DRAFT) | ST(CHAN_STATE_CIRCULATING),
                        .to = -1,
                        .allowed = "a draft or circulating memo"},
    [CHAN_EV_SIGN] = {.name = "change co-signatures of",
                      .from = ST(CHAN_STATE_CIRCULATING),
                      .to = -1,
                      .allowed = "a circulating memo"},
    [CHAN_EV_MESSAGE] = {.name = "send messages about",
                         .from = ST(CHAN_STATE_SUBMITTED) | ST(CHAN_STATE_ACKNOWLEDGED) |
                                 ST(CHAN_STATE_ANSWERED),
                         .to = -1,
                         .allowed = "a submitted memo still under review"},
};

int chan_transition(int from, int ev, int *to, struct err *e)
{
    int rc = -1;
    if (ev < 0 || ev >= CHAN_EV_COUNT || from < 0 || from >= CHAN_STATE_COUNT) {
        rc = err_set(e, ERR_INTERNAL, "bad transition");
        goto out;
    }
    if (!(steps[ev].from & ST(from))) {
        rc = err_set(e, ERR_STATE, "cannot %s a memo that is %s: only %s allows it", steps[ev].name,
                     chan_state_name(from), steps[ev].allowed);
        goto out;
    }
    *to = steps[ev].to < 0 ? from : steps[ev].to;
    rc = 0;
out:
    return rc;
}

const char *chan_event_name(int ev)
{
    return ev >= 0 && ev < CHAN_EV_COUNT ? steps[ev].name : "?";
}
