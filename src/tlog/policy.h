/* policy.h — a k-of-n witness policy (after C2SP tlog-policy's simplest
 * form): a checkpoint is trusted only if at least k of n named witnesses
 * cosigned it (tlog/cosignature.h). */
#ifndef DISSENT_TLOG_POLICY_H
#define DISSENT_TLOG_POLICY_H

#include "base/compat.h"
#include "base/err.h"
#include "tlog/note.h"

#include <stddef.h>
#include <stdint.h>

#define TLOG_POLICY_WITNESSES_MAX 16

/* n witness keys (type 0x04) and the threshold k (1 <= k <= n). max_age
 * (seconds, 0 = no limit): with tlog_policy_check_at, a cosignature counts
 * only if its time is at most max_age before now, so a view frozen for
 * longer than that is refused. Plain data. */
struct tlog_policy {
    size_t n, k;
    uint64_t max_age;
    struct tlog_verifier w[TLOG_POLICY_WITNESSES_MAX];
};

/* Empties p (no witness, k = 0: every checkpoint passes). */
void tlog_policy_init(struct tlog_policy *p);

/* Adds witness key v. Returns 0, or -1 with ERR_INVALID (same name and key
 * id twice, or more than TLOG_POLICY_WITNESSES_MAX). */
int tlog_policy_add(struct tlog_policy *p, const struct tlog_verifier *v, struct err *e) WUR;

/* Sets k. Returns 0, or -1 with ERR_INVALID unless 1 <= k <= n. */
int tlog_policy_set_k(struct tlog_policy *p, size_t k, struct err *e) WUR;

/* Counts the witnesses of p whose cosignature on note n verifies into
 * *count, and their oldest time into *oldest (0 if none; either pointer may
 * be NULL). Returns 0 if *count >= k, else -1 with ERR_CRYPTO and a message
 * naming how many were needed and, for the first witness that failed, its
 * name, key id and why. */
int tlog_policy_check(const struct tlog_policy *p, const struct tlog_note *n, size_t *count,
                      uint64_t *oldest, struct err *e) WUR;

/* Like tlog_policy_check, but when p->max_age is set a cosignature older
 * than now - max_age does not count (its witness saw this checkpoint, but
 * not recently: the log may be showing a frozen view), and one more than
 * TLOG_POLICY_CLOCK_SKEW seconds in the future does not count either. The
 * message then says how old the newest cosignatures are. */
#define TLOG_POLICY_CLOCK_SKEW 600
int tlog_policy_check_at(const struct tlog_policy *p, const struct tlog_note *n, uint64_t now,
                         size_t *count, uint64_t *oldest, struct err *e) WUR;

#endif
