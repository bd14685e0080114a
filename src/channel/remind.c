/* remind.c — leadership reminds the policy office of a memo under review.
 *
 * Leadership sees every submitted memo with its deadlines (find.c); when one
 * waits too long it can ask the policy office about it. The reminder is a
 * row of its own (who, when), shown in the memo's timeline to those who read
 * the memo, and a notification to every reviewer (notify.c). It is not a
 * public leaf: the public record already shows a missed deadline as a fact
 * the server writes itself, while a reminder is internal correspondence
 * whose timing could help identify who escalated (docs/architecture.md). */
#include "base/util.h"
#include "channel/chan_internal.h"
#include "channel/deadline.h"
#include "channel/notify.h"

int chan_memo_remind(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                     json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    int64_t now = now_utc(), last = 0, rid = 0;

    *out = NULL;
    if (store_begin(c->st, e))
        goto out;
    if (chan_memo_load(c, p, a, id, &x, e) ||
        chan_require_role(a, CHAN_ROLE_LEADERSHIP, "remind the policy office", e))
        goto fail;
    if (!(CHAN_DL_UNDER_REVIEW & STORE_STATE_BIT(x.m.state))) {
        rc = err_set(e, ERR_STATE,
                     "only a memo under review (submitted or acknowledged) can be reminded; "
                     "this one is %s",
                     chan_state_name(x.m.state));
        goto fail;
    }
    if (store_reminder_last(c->st, x.m.id, &last, e))
        goto fail;
    if (last && now - last < CHAN_REMIND_GAP) {
        char when[21];
        time_format_utc(when, last);
        rc = err_set(e, ERR_CONFLICT,
                     "the policy office was reminded of this memo at %s; remind again a day "
                     "later",
                     when);
        goto fail;
    }
    if (store_reminder_add(c->st, x.m.id, a->id, now, &rid, e) ||
        chan_notify_leadership_reminder(c, p, &x.m, rid, a->id, now, e))
        goto fail;
    *out = json_pack("{s:s,s:o}", "memo", x.m.public_id, "reminded_at", chan_time_json(now));
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}
