/* policy.c — k of n witness cosignatures. */
#include "tlog/policy.h"

#include "tlog/cosignature.h"

#include <stdio.h>
#include <string.h>

void tlog_policy_init(struct tlog_policy *p)
{
    memset(p, 0, sizeof *p);
}

int tlog_policy_add(struct tlog_policy *p, const struct tlog_verifier *v, struct err *e)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->w[i].name, v->name) == 0 &&
            memcmp(p->w[i].key_id, v->key_id, TLOG_KEY_ID_SIZE) == 0)
            return err_set(e, ERR_INVALID, "witness %s is given twice", v->name);
    if (p->n == TLOG_POLICY_WITNESSES_MAX)
        return err_set(e, ERR_INVALID, "a policy names at most %d witnesses",
                       TLOG_POLICY_WITNESSES_MAX);
    p->w[p->n++] = *v;
    return 0;
}

int tlog_policy_set_k(struct tlog_policy *p, size_t k, struct err *e)
{
    if (k < 1 || k > p->n)
        return err_set(e, ERR_INVALID,
                       "the witness policy needs 1 to %zu cosignatures (one per witness given), "
                       "not %zu",
                       p->n, k);
    p->k = k;
    return 0;
}

int tlog_policy_check(const struct tlog_policy *p, const struct tlog_note *n, size_t *count,
                      uint64_t *oldest, struct err *e)
{
    struct tlog_policy q = *p;
    q.max_age = 0;
    return tlog_policy_check_at(&q, n, 0, count, oldest, e);
}

int tlog_policy_check_at(const struct tlog_policy *p, const struct tlog_note *n, uint64_t now,
                         size_t *count, uint64_t *oldest, struct err *e)
{
    size_t ok = 0, stale = 0;
    uint64_t old = 0, newest_stale = 0;
    char first[ERR_MSG_MAX] = "";
    for (size_t i = 0; i < p->n; i++) {
        struct err we;
        uint64_t t = 0;
        err_init(&we);
        if (tlog_cosignature_verify(n, &p->w[i], &t, &we) == 0 && p->max_age &&
            (t + p->max_age < now || t > now + TLOG_POLICY_CLOCK_SKEW)) {
            if (t <= now && (stale == 0 || t > newest_stale))
                newest_stale = t;
            stale++;
            if (!first[0])
                snprintf(first, sizeof first,
                         "the cosignature by %s is %llu seconds old, over the %llu allowed",
                         p->w[i].name, (unsigned long long)(t <= now ? now - t : 0),
                         (unsigned long long)p->max_age);
        } else if (we.code == ERR_OK) {
            if (ok == 0 || t < old)
                old = t;
            ok++;
        } else if (!first[0]) {
            memcpy(first, we.msg, sizeof first);
        }
    }
    if (count)
        *count = ok;
    if (oldest)
        *oldest = old;
    if (ok < p->k && ok + stale >= p->k)
        return err_set(
            e, ERR_CRYPTO,
            "the log's view may be frozen: %zu cosignatures are older than %llu seconds, "
            "the newest %llu seconds old (%.120s)",
            stale, (unsigned long long)p->max_age,
            (unsigned long long)(newest_stale ? now - newest_stale : 0), first);
    if (ok < p->k)
        return err_set(
            e, ERR_CRYPTO,
            "checkpoint has %zu of the %zu witness cosignatures the policy needs (%.180s)", ok,
            p->k, first);
    return 0;
}
