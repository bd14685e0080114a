/* policy.h — a witness policy: which witnesses must cosign a checkpoint
 * (tlog/cosignature.h) for it to be trusted. Either k of n witnesses (the
 * flat form `serve --witness-policy K` builds), or a quorum of nested
 * k-of-n groups read from a policy file in the C2SP tlog-policy / Sigsum
 * policy syntax (tlog_policy_parse; docs/protocol-tlog.md "Witness
 * policy"). */
#ifndef DISSENT_TLOG_POLICY_H
#define DISSENT_TLOG_POLICY_H

#include "base/compat.h"
#include "base/err.h"
#include "tlog/note.h"

#include <stddef.h>
#include <stdint.h>

#define TLOG_POLICY_WITNESSES_MAX 16
#define TLOG_POLICY_GROUPS_MAX    16
#define TLOG_POLICY_MEMBERS_MAX   16 /* members of one group */
#define TLOG_POLICY_LOGS_MAX      16
#define TLOG_POLICY_NAME_MAX      64 /* a witness or group name in a policy file */
#define TLOG_POLICY_LINE_MAX      1024
#define TLOG_POLICY_FILE_MAX      65536

/* A group: met when at least k of its n members are. A member (and the
 * quorum) is a reference: i >= 0 is witness w[i], i < 0 is group g[-1 - i]. */
struct tlog_policy_group {
    char name[TLOG_POLICY_NAME_MAX + 1];
    size_t k, n;
    int member[TLOG_POLICY_MEMBERS_MAX];
};

/* n witness keys (type 0x04). Flat form (tree = 0): the threshold k
 * (0 <= k <= n; 0 = every checkpoint passes) of all n witnesses. Tree form
 * (tree = 1): the quorum reference `quorum` over groups g[0..ngroups).
 * wname[i] is witness i's local name in the policy file (its key name when
 * none was given); hexkey[i] is 1 when its key was given as hex, so the
 * name its cosignatures are made under is taken from the note
 * (tlog_policy_check_at). nlogs/log: the `log` keys listed
 * (tlog_policy_check_log). max_age (seconds,
 * 0 = no limit): with tlog_policy_check_at, a cosignature counts only if
 * its time is at most max_age before now, so a view frozen for longer than
 * that is refused. Plain data. */
struct tlog_policy {
    size_t n, k;
    uint64_t max_age;
    struct tlog_verifier w[TLOG_POLICY_WITNESSES_MAX];
    char wname[TLOG_POLICY_WITNESSES_MAX][TLOG_POLICY_NAME_MAX + 1];
    unsigned char hexkey[TLOG_POLICY_WITNESSES_MAX];
    int tree, quorum;
    size_t ngroups, nlogs;
    struct tlog_policy_group g[TLOG_POLICY_GROUPS_MAX];
    unsigned char log[TLOG_POLICY_LOGS_MAX][TLOG_PUBLIC_KEY_SIZE];
};

/* Empties p (no witness, k = 0: every checkpoint passes). */
void tlog_policy_init(struct tlog_policy *p);

/* Adds witness key v. Returns 0, or -1 with ERR_INVALID (same name and key
 * id twice, or more than TLOG_POLICY_WITNESSES_MAX). */
int tlog_policy_add(struct tlog_policy *p, const struct tlog_verifier *v, struct err *e) WUR;

/* Sets k. Returns 0, or -1 with ERR_INVALID unless 1 <= k <= n. */
int tlog_policy_set_k(struct tlog_policy *p, size_t k, struct err *e) WUR;

/* Parses a policy file text[0..len) (at most TLOG_POLICY_FILE_MAX bytes,
 * lines of at most TLOG_POLICY_LINE_MAX) into p. Lines, words separated by
 * spaces or tabs, '#' starts a comment line, blank lines ignored:
 *   log KEY [URL]                   a log key (hex Ed25519, 64 digits, or a vkey)
 *   witness NAME KEY [URL]          KEY: 64 hex digits (Ed25519), or our extension,
 *                                   a witness vkey NAME+KEYID+base64(0x04 || key)
 *   group NAME k|any|all MEMBER...  met when k (any = 1, all = every) members are
 *   quorum NAME|none                exactly one; names defined on earlier lines
 *   max-age SECONDS                 extension: older cosignatures do not count
 * and the old dissent form, still accepted: `witness VKEY` (its name is the
 * vkey's) and `quorum K` (a number that names nothing: K of all witnesses);
 * with no quorum line every witness is needed. Witnesses and groups share
 * one namespace; `none` is reserved. Returns 0, or -1 with ERR_INVALID and a
 * message starting "line N: " (or naming the limit exceeded). */
int tlog_policy_parse(struct tlog_policy *p, const char *text, size_t len, struct err *e) WUR;

/* Counts the witnesses of p whose cosignature on note n verifies into
 * *count, and their oldest time into *oldest (0 if none; either pointer may
 * be NULL). A witness whose key was given as hex is matched to the note's
 * cosignature lines whose key id is SHA-256(line name || 0x0a || 0x04 ||
 * key)[:4] (C2SP tlog-cosignature), so its cosignatures are checked under
 * the name it signs with. Returns 0 if the policy is met (flat: *count >= k;
 * tree: the quorum), else -1 with ERR_CRYPTO and a message naming how many
 * were needed (tree: the quorum and the first group not met) and, for the
 * first witness that failed, its name, key id and why. */
int tlog_policy_check(const struct tlog_policy *p, const struct tlog_note *n, size_t *count,
                      uint64_t *oldest, struct err *e) WUR;

/* Checks the `log` lines of p: when there are any, note n must carry a
 * signature that verifies under one of their keys (a line whose key id is
 * SHA-256(line name || 0x0a || 0x01 || key)[:4] for that line's name).
 * Returns 0 (also when p lists no log), or -1 with ERR_CRYPTO. */
int tlog_policy_check_log(const struct tlog_policy *p, const struct tlog_note *n,
                          struct err *e) WUR;

/* Like tlog_policy_check, but when p->max_age is set a cosignature older
 * than now - max_age does not count (its witness saw this checkpoint, but
 * not recently: the log may be showing a frozen view), and one more than
 * TLOG_POLICY_CLOCK_SKEW seconds in the future does not count either. The
 * message then says how old the newest cosignatures are. */
#define TLOG_POLICY_CLOCK_SKEW 600
int tlog_policy_check_at(const struct tlog_policy *p, const struct tlog_note *n, uint64_t now,
                         size_t *count, uint64_t *oldest, struct err *e) WUR;

#endif
