/* deadline.h — the one definition of the policy office's deadlines: what it
 * owes next, what is overdue or due soon, and which deadlines were missed.
 *
 * The memo view, the memo lists, the leadership banner, the /metrics figures
 * and the public record all read it from here, so they cannot disagree. */
#ifndef DISSENT_CHANNEL_DEADLINE_H
#define DISSENT_CHANNEL_DEADLINE_H

#include "channel/roles.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* A deadline the policy office must meet. */
enum chan_deadline { CHAN_DL_NONE = 0, CHAN_DL_ACK, CHAN_DL_ANSWER };

/* The states in which each obligation is still open (bit 1 << CHAN_STATE_x):
 * the store counts overdue memos with these very sets. */
#define CHAN_DL_ACK_OPEN    (1u << CHAN_STATE_SUBMITTED)
#define CHAN_DL_ANSWER_OPEN ((1u << CHAN_STATE_SUBMITTED) | (1u << CHAN_STATE_ACKNOWLEDGED))
/* Memos under review: the office owes an acknowledgement or an answer. */
#define CHAN_DL_UNDER_REVIEW (CHAN_DL_ACK_OPEN | CHAN_DL_ANSWER_OPEN)

/* How long before a deadline it counts as due soon. */
#define CHAN_DL_SOON_SECONDS (2 * 86400)

/* One deadline that passed unmet: met late (met_at > due) or still open
 * (met_at 0) — including one left open when the memo was withdrawn. */
struct chan_missed {
    int what;       /* CHAN_DL_ACK or CHAN_DL_ANSWER */
    int64_t due;    /* UTC seconds */
    int64_t met_at; /* when it was met, 0 if never */
};

struct chan_deadlines {
    int next;         /* CHAN_DL_*: what the office owes next */
    int64_t next_due; /* its deadline, 0 if none */
    int overdue;      /* an open obligation is past its deadline */
    int overdue_what; /* CHAN_DL_*: which one (the acknowledgement first) */
    int due_soon;     /* not overdue, and next_due within CHAN_DL_SOON_SECONDS */
    struct chan_missed missed[2];
    size_t n_missed;
};

/* Computes the deadlines of memo m at time now (UTC seconds). Reads only
 * state, submitted_at, ack_due, acknowledged_at, answer_due, answered_at and
 * withdrawn_at; deadlines are passed strictly after their second. */
void chan_deadlines(const struct st_memo *m, int64_t now, struct chan_deadlines *out);

/* "acknowledgement" or "answer" (the deadline), NULL for CHAN_DL_NONE. */
const char *chan_deadline_name(int what);
/* "acknowledge" or "answer" (what the office must do), NULL for CHAN_DL_NONE. */
const char *chan_deadline_action(int what);

#endif
