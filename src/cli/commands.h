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

struct cli_ctx;

/* Session (cmd_session.c): log in and save {server, token, username}, log
 * out and remove the saved session, show the current member. */
int cmd_login(struct cli_ctx *ctx);
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
int cmd_memo_withdraw(struct cli_ctx *ctx);
int cmd_memo_add_drafter(struct cli_ctx *ctx);
int cmd_memo_signers(struct cli_ctx *ctx);
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

/* Administration (cmd_admin.c): `dissent admin org|member|channel|holiday add`. */
int cmd_admin_org_add(struct cli_ctx *ctx);
int cmd_admin_member_add(struct cli_ctx *ctx);
int cmd_admin_channel_add(struct cli_ctx *ctx);
int cmd_admin_holiday_add(struct cli_ctx *ctx);

#endif
