/* cmd_sign.c — `dissent sign`, `dissent unsign`, `dissent submit`. */
#include "cli/commands.h"

#include "cli/cli.h"
#include "cli/out.h"
#include "cli/remote.h"
#include "cli/render.h"

static int render_signed(struct cli_ctx *ctx, const json_t *sig, struct err *e)
{
    char v[32];
    (void)e;
    /* The reply is the signature, or the memo with "my_signature". */
    if (json_is_integer(json_object_get(sig, "my_signature")))
        out_jtext(sig, "my_signature", v, sizeof v);
    else
        out_jtext(sig, "version", v, sizeof v);
    fprintf(ctx->out, "signed version %s of memo ", v[0] != '-' ? v : "(latest)");
    out_text(ctx->out, ctx->args[0]);
    fputc('\n', ctx->out);
    return 0;
}

int cmd_sign(struct cli_ctx *ctx)
{
    int status;
    struct err e;
    long long n = 0;
    const char *vopt = cli_opt(ctx, "version");
    json_t *body;

    err_init(&e);
    if (vopt && cli_arg_i64(vopt, "--version", 1, 1000000, &n, &e) != 0)
        return cli_usage_error(ctx, "%s", e.msg);
    body = vopt ? json_pack("{s:I}", "version", (json_int_t)n) : json_object();
    if (!body) {
        err_set(&e, ERR_NOMEM, "out of memory");
        return cli_fail(ctx, &e);
    }
    status = remote_memo_run(ctx, "POST", "/signatures", body, render_signed);
    json_decref(body);
    return status;
}

static int render_unsigned(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    (void)reply;
    (void)e;
    fputs("your signature on memo ", ctx->out);
    out_text(ctx->out, ctx->args[0]);
    fputs(" is withdrawn\n", ctx->out);
    return 0;
}

int cmd_unsign(struct cli_ctx *ctx)
{
    return remote_memo_run(ctx, "DELETE", "/signatures", NULL, render_unsigned);
}

int cmd_submit(struct cli_ctx *ctx)
{
    return remote_memo_run(ctx, "POST", "/submit", NULL, render_state_reply);
}
