/* commands.h — the functions behind the rows of the command table (cli.c).
 *
 * Each takes the parsed command line (positional arguments and options, see
 * cli/cli.h) and returns an exit status: CLI_OK, CLI_FAIL after printing
 * "dissent: <message>" on ctx->err, or CLI_USAGE. Remote commands resolve the
 * server and token (cli/remote.h), print the server's JSON as is with --json,
 * and a human-readable rendering otherwise.
 */
#ifndef DISSENT_CLI_COMMANDS_H
#define DISSENT_CLI_COMMANDS_H

#include "cli/cli.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

struct cli_ctx;
struct client;
struct client_reply;
struct err;
struct tlog_verifier;

/* Session (cmd_session.c): log in and save {server, token, username}, log
 * out and remove the saved session, show the current member. */
int cmd_login(struct cli_ctx *ctx);
/* A code of the second factor from --OPT FILE (first line), else asked on
 * the terminal with prompt (never from the command line). 0 or -1. */
int cmd_totp_code(const struct cli_ctx *ctx, const char *opt, const char *prompt, char *out,
                  size_t n, struct err *e) WUR;
/* The second step of a login whose reply r holds a pending login: reads the
 * code (--totp-code-file, else asked) and replaces r by the reply of
 * POST /api/v1/login/totp. 0 or -1 with e. */
int cmd_login_second(const struct cli_ctx *ctx, struct client *c, const char *user,
                     struct client_reply *r, struct err *e) WUR;
/* dissent account totp status|enroll|confirm|disable|recovery-codes, and
 * dissent admin settings (cmd_totp.c). */
int cmd_totp_status(struct cli_ctx *ctx);
int cmd_totp_enroll(struct cli_ctx *ctx);
int cmd_totp_confirm(struct cli_ctx *ctx);
int cmd_totp_disable(struct cli_ctx *ctx);
int cmd_totp_recovery(struct cli_ctx *ctx);
int cmd_admin_settings(struct cli_ctx *ctx);
int cmd_logout(struct cli_ctx *ctx);
int cmd_whoami(struct cli_ctx *ctx);

/* Memos (cmd_memo.c): `dissent memo ...`. */
int cmd_memo_new(struct cli_ctx *ctx);
int cmd_memo_edit(struct cli_ctx *ctx);
int cmd_memo_show(struct cli_ctx *ctx);
int cmd_memo_diff(struct cli_ctx *ctx);
int cmd_memo_list(struct cli_ctx *ctx);
int cmd_memo_versions(struct cli_ctx *ctx);
int cmd_memo_circulate(struct cli_ctx *ctx);
/* Leadership reminds the policy office of memo ID (POST /memos/ID/remind). */
int cmd_memo_remind(struct cli_ctx *ctx);
int cmd_memo_refresh_rings(struct cli_ctx *ctx);
int cmd_memo_withdraw(struct cli_ctx *ctx);
int cmd_memo_add_drafter(struct cli_ctx *ctx);
int cmd_memo_remove_drafter(struct cli_ctx *ctx);
int cmd_memo_signers(struct cli_ctx *ctx);
/* `memo receipt ID`: the salt that opens your signature's commitment in the log. */
int cmd_memo_receipt(struct cli_ctx *ctx);
int cmd_memo_counts(struct cli_ctx *ctx);
int cmd_memo_messages(struct cli_ctx *ctx);

/* Signatures and submission (cmd_sign.c): `dissent sign|unsign|submit ID`. */
int cmd_sign(struct cli_ctx *ctx);
int cmd_unsign(struct cli_ctx *ctx);
int cmd_submit(struct cli_ctx *ctx);

/* The policy office (cmd_review.c): `dissent review ...`. */
int cmd_review_ack(struct cli_ctx *ctx);
int cmd_review_answer(struct cli_ctx *ctx);
int cmd_review_extend(struct cli_ctx *ctx);
int cmd_review_message(struct cli_ctx *ctx);
int cmd_review_close(struct cli_ctx *ctx);
int cmd_review_queue(struct cli_ctx *ctx);

/* The access log (cmd_access.c): one memo's, or the whole log. */
int cmd_access_log(struct cli_ctx *ctx);

/* Administration (cmd_admin.c): `dissent admin org|member|channel|holiday add`,
 * `dissent admin member reset|disable|enable USER`. Adding a member and a
 * reset print the one-time setup link the admin hands over. */
int cmd_admin_org_add(struct cli_ctx *ctx);
int cmd_admin_member_add(struct cli_ctx *ctx);
int cmd_admin_member_reset(struct cli_ctx *ctx);
int cmd_admin_member_disable(struct cli_ctx *ctx);
int cmd_admin_member_enable(struct cli_ctx *ctx);

/* One's own account (cmd_account.c): `dissent account setup --token LINK`
 * chooses the password from a setup link and saves the session like login;
 * `password` changes it (current one required); `recovery-code` makes a new
 * recovery code; `show` prints the account and its events. */
int cmd_account_setup(struct cli_ctx *ctx);
int cmd_account_password(struct cli_ctx *ctx);
int cmd_account_recovery_code(struct cli_ctx *ctx);
int cmd_account_show(struct cli_ctx *ctx);
/* Notifications (cmd_notify.c): `dissent notifications [--unread] [--read
 * ID|all]`, `dissent account notifications [--kind K --mode M] [--mail A]`. */
int cmd_admin_member_mail(struct cli_ctx *ctx);
int cmd_notifications(struct cli_ctx *ctx);
int cmd_account_notifications(struct cli_ctx *ctx);
/* Prints account events not shown before ("notices" of a login reply) on f. */
void cmd_print_notices(FILE *f, const json_t *notices);
int cmd_admin_channel_add(struct cli_ctx *ctx);
int cmd_admin_holiday_add(struct cli_ctx *ctx);
/* `admin channel reminder SLUG [DAYS]`: how many working days before a
 * deadline the channel reminds the policy office; sets it with DAYS. */
int cmd_admin_channel_reminder(struct cli_ctx *ctx);

/* Copy checking (cmd_verify.c): `dissent verify FILE`. Exit status 0 for an
 * exact match with a registered version, 1 for a difference, no match or any
 * failure, 2 for wrong usage. */
int cmd_verify(struct cli_ctx *ctx);

/* The transparency log (cmd_log.c): `dissent log monitor|checkpoint|leaves|proof`. */
int cmd_log_monitor(struct cli_ctx *ctx);
int cmd_log_checkpoint(struct cli_ctx *ctx);
int cmd_log_leaves(struct cli_ctx *ctx);
int cmd_log_proof(struct cli_ctx *ctx);
/* `dissent log evidence FILE [--check] [--json]`: checks a fork evidence
 * file (client/evidence.h) with no server and prints what it shows; exit 0
 * when it is valid evidence, 1 when not. */
int cmd_log_evidence(struct cli_ctx *ctx);

/* `dissent stats [--channel SLUG] [--at TIME] [--log-key KEY]` (cmd_stats.c):
 * each channel's responsiveness recomputed from every leaf of the log,
 * checked against the signed checkpoint, with proto/stats.h's definitions;
 * compared with the server's published figures. Exit 1 when they differ. */
int cmd_stats(struct cli_ctx *ctx);

/* The official rendering of a version (cmd_verify.c):
 * `dissent memo render ID [--version N]` prints it as the server makes it. */
int cmd_memo_render(struct cli_ctx *ctx);

/* Shared by cmd_verify.c and cmd_log.c (defined in cmd_log.c).
 * cmd_log_client prepares c for the command's server without a session
 * (cmd_anon_client: the log is public; no token, no cookie).
 * cmd_log_trusted_key fills v with the log key to trust: --log-key if given,
 * else the key pinned for c's server (logc_pins_path), else the server's own
 * key, which is then pinned (trust on first use, said on ctx->err).
 * Both return 0 or -1 with e. */
int cmd_log_client(const struct cli_ctx *ctx, struct client *c, struct err *e);
int cmd_log_trusted_key(const struct cli_ctx *ctx, struct client *c, struct tlog_verifier *v,
                        struct err *e);
/* cmd_anon_trusted_key is cmd_log_trusted_key for the anonymous flows: it
 * asks GET /api/v1/log/key every time, pinned key or not, so whether this
 * client pinned the key before (local state) does not show in its requests
 * (with --log-key KEY, a fixed choice of the caller's, nothing is asked). */
int cmd_anon_trusted_key(const struct cli_ctx *ctx, struct client *c, struct tlog_verifier *v,
                         struct err *e);

/* The checks every log client makes on a checkpoint (cmd_log.c).
 * cmd_log_fetch_checkpoint fetches and opens it with v
 * (logc_fetch_checkpoint_note: note receives the signed note) and checks the
 * witness policy of $DISSENT_WITNESS_POLICY, if any (client/loghistory.h).
 * cmd_log_history_check refuses (ERR_CRYPTO) a checkpoint not consistent
 * with the largest one accepted before (same size and another root, or a
 * failing consistency proof either way) and records a larger one, note
 * included, as the new history. cmd_log_checked_checkpoint does both,
 * its refusals starting "LOG INCONSISTENT: ". Each returns 0 or -1. */
struct buf;
struct tlog_checkpoint;
int cmd_log_fetch_checkpoint(struct client *c, const struct tlog_verifier *v,
                             struct tlog_checkpoint *cp, struct buf *note, struct err *e);
int cmd_log_history_check(struct client *c, const struct tlog_verifier *v,
                          const struct tlog_checkpoint *cp, const struct buf *note, struct err *e);
int cmd_log_checked_checkpoint(struct client *c, const struct tlog_verifier *v,
                               struct tlog_checkpoint *cp, struct err *e);

/* Ring keys (cmd_key.c): `dissent key new|show|enroll`. */
int cmd_key_new(struct cli_ctx *ctx);
int cmd_key_show(struct cli_ctx *ctx);
int cmd_key_enroll(struct cli_ctx *ctx);

/* Shared by cmd_key.c and cmd_anon.c (defined in cmd_key.c).
 * cmd_key_path writes the key file path (--key FILE, else the default of
 * client/keystore.h) into out; cmd_key_passphrase reads the passphrase from
 * --passphrase-file FILE, else $DISSENT_PASSPHRASE, else the terminal without
 * echo (asked twice when confirm is set) into out, wiped on failure.
 * Both return 0 or -1 with e. */
int cmd_key_path(const struct cli_ctx *ctx, char *out, size_t n, struct err *e);
int cmd_key_passphrase(const struct cli_ctx *ctx, int confirm, char *out, size_t n, struct err *e);

/* Anonymous co-signatures (cmd_anon.c). cmd_sign_any and cmd_unsign_any are
 * the rows of `dissent sign|unsign`: with --anonymous they prove locally with
 * the ring key and post to the anonymous endpoint without the session (and
 * through --proxy if given); without it they are cmd_sign and cmd_unsign.
 * cmd_verify_signatures re-verifies every anonymous signature of a memo from
 * its public facts and compares the counts (exit 1 on any mismatch). */
int cmd_sign_any(struct cli_ctx *ctx);
int cmd_unsign_any(struct cli_ctx *ctx);
int cmd_verify_signatures(struct cli_ctx *ctx);
/* `dissent receipts check`: checks every kept receipt of the server's
 * anonymous endpoint against its transparency log (client/receipts.h);
 * exit 1 on a broken promise or a receipt that does not verify. */
int cmd_receipts_check(struct cli_ctx *ctx);

/* `dissent verify-web` (cmd_web.c): fetches the server's client release
 * manifest and every file it lists, and compares them with the latest
 * client-release leaf of the log (checked like every log client: pinned
 * key, witness policy, checkpoint history; all leaves re-hashed to the
 * checkpoint). Exit 0 when they match, 1 naming each file that differs, or
 * when the release is not the log's latest or not in the log at all. */
int cmd_verify_web(struct cli_ctx *ctx);

/* Prepares c like remote_client but anonymous: no token is ever sent
 * (client_set_anonymous), and --proxy is applied. Returns 0 or -1 with e. */
int cmd_anon_client(const struct cli_ctx *ctx, struct client *c, struct err *e);

/* Witness (cmd_witness.c): `dissent witness new-key|public-key|serve`, a
 * C2SP tlog-witness for other logs (tlog/witness.h, http/witness.h).
 * cmd_witness_cmds is the group's subcommand table. */
int cmd_witness_new_key(struct cli_ctx *ctx);
int cmd_witness_public_key(struct cli_ctx *ctx);
int cmd_witness_serve(struct cli_ctx *ctx);
extern const struct cli_cmd cmd_witness_cmds[];

#endif
