/* cmd_review.c — `dissent review ...`: the policy office's side. */
#include "cli/commands.h"

#include <stdlib.h>

#include "cli/cli.h"
#include "cli/out.h"
#include "cli/remote.h"
#include "cli/render.h"

int cmd_review_ack(struct cli_ctx *ctx)
{
    return remote_memo_run(ctx, "POST", "/acknowledge", NULL, render_state_reply);
}

/* POST {key: text from --body/--body-file} to the memo's suffix. */
static int post_text(struct cli_ctx *ctx, const char *suffix, const char *key,
                     remote_render_fn render)
{
    int status;
    struct err e;
    char *text = NULL;
    json_t *body = NULL;

    err_init(&e);
    if ((status = remote_body_usage(ctx, 0)) != CLI_OK)
        return status;
    if (remote_body_text(ctx, 0, &text, &e) != 0)
        return cli_fail(ctx, &e);
    body = json_pack("{s:s}", key, text);
    if (!body) {
        err_set(&e, ERR_NOMEM, "out of memory");
        status = cli_fail(ctx, &e);
    } else {
        status = remote_memo_run(ctx, "POST", suffix, body, render);
        json_decref(body);
    }
    free(text);
    return status;
}

int cmd_review_answer(struct cli_ctx *ctx)
{
    return post_text(ctx, "/answer", "body", render_state_reply);
}

static int render_extended(struct cli_ctx *ctx, const json_t *memo, struct err *e)
{
    const json_t *rv = json_object_get(memo, "review");
    char t[40];
    (void)e;
    if (!json_is_object(rv))
        rv = memo;
    fputs("answer deadline of memo ", ctx->out);
    out_text(ctx->out, ctx->args[0]);
    fprintf(ctx->out, " extended to %s\n", out_time(out_jstr(rv, "answer_due"), t, sizeof t));
    return 0;
}

int cmd_review_extend(struct cli_ctx *ctx)
{
    int status;
    json_t *body;
    if ((status = cli_require(ctx, "reason", (const char *)NULL)) != CLI_OK)
        return status;
    body = json_pack("{s:s}", "reason", cli_opt(ctx, "reason"));
    if (!body)
        return cli_usage_error(ctx, "--reason must be UTF-8 text");
    status = remote_memo_run(ctx, "POST", "/extend", body, render_extended);
    json_decref(body);
    return status;
}

static int render_sent(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    (void)reply;
    (void)e;
    fputs("message sent on memo ", ctx->out);
    out_text(ctx->out, ctx->args[0]);
    fputc('\n', ctx->out);
    return 0;
}

int cmd_review_message(struct cli_ctx *ctx)
{
    return post_text(ctx, "/messages", "body", render_sent);
}

int cmd_review_close(struct cli_ctx *ctx)
{
    return remote_memo_run(ctx, "POST", "/close", NULL, render_state_reply);
}

int cmd_review_queue(struct cli_ctx *ctx)
{
    return remote_run(ctx, "GET", "/api/v1/memos?scope=queue", NULL, render_memo_list_due_reply);
}
