/* deadline.c — overdue, due soon, what is next, and missed, in one place. */
#include "channel/deadline.h"

#define ST(s) (1u << (s))

/* Records obligation `what` (due at due, met at met, open in the states
 * `open`) as missed when it passed unmet. An obligation ends when it is met,
 * or when the drafters withdraw the memo; until then it runs at now. */
static void check_one(const struct st_memo *m, int64_t now, int what, int64_t due, int64_t met,
                      unsigned open, struct chan_deadlines *d)
{
    int64_t end;
    if (!m->submitted_at || !due)
        return;
    if (met)
        end = met;
    else if (open & ST(m->state))
        end = now;
    else if (m->withdrawn_at)
        end = m->withdrawn_at;
    else
        return; /* closed without being met: cannot happen, nothing owed */
    if (end > due && d->n_missed < 2) {
        d->missed[d->n_missed].what = what;
        d->missed[d->n_missed].due = due;
        d->missed[d->n_missed].met_at = met;
        d->n_missed++;
    }
    if (!met && (open & ST(m->state)) && now > due && !d->overdue) {
        d->overdue = 1;
        d->overdue_what = what;
    }
}

void chan_deadlines(const struct st_memo *m, int64_t now, struct chan_deadlines *out)
{
    *out = (struct chan_deadlines){0};
    if (m->state < 0 || m->state >= CHAN_STATE_COUNT)
        return;
    if (CHAN_DL_ACK_OPEN & ST(m->state)) {
        out->next = CHAN_DL_ACK;
        out->next_due = m->ack_due;
    } else if (CHAN_DL_ANSWER_OPEN & ST(m->state)) {
        out->next = CHAN_DL_ANSWER;
        out->next_due = m->answer_due;
    }
    check_one(m, now, CHAN_DL_ACK, m->ack_due, m->acknowledged_at, CHAN_DL_ACK_OPEN, out);
    check_one(m, now, CHAN_DL_ANSWER, m->answer_due, m->answered_at, CHAN_DL_ANSWER_OPEN, out);
    out->due_soon = out->next_due && !out->overdue && out->next_due - now < CHAN_DL_SOON_SECONDS;
}

const char *chan_deadline_name(int what)
{
    return what == CHAN_DL_ACK ? "acknowledgement" : what == CHAN_DL_ANSWER ? "answer" : NULL;
}

const char *chan_deadline_action(int what)
{
    return what == CHAN_DL_ACK ? "acknowledge" : what == CHAN_DL_ANSWER ? "answer" : NULL;
}
