/* stubs.c — temporary: remote commands not written yet. */
#include "cli/cli.h"
#include "cli/commands.h"

int cmd_access_log(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_admin_channel_add(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_admin_holiday_add(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_admin_member_add(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_admin_org_add(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_login(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_logout(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_memo_add_drafter(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_memo_circulate(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_memo_counts(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_memo_diff(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_memo_edit(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_memo_list(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_memo_messages(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_memo_new(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_memo_show(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_memo_signers(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_memo_versions(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_memo_withdraw(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_review_ack(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_review_answer(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_review_close(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_review_extend(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_review_message(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_review_queue(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_sign(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_submit(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_unsign(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

int cmd_whoami(struct cli_ctx *ctx)
{
    fprintf(ctx->err, "dissent %s: not built yet\n", ctx->path);
    return CLI_FAIL;
}

