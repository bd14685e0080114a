/* cmd_notify.c — `dissent notifications [--unread] [--read ID|all]` and
 * `dissent account notifications [--kind K --mode M] [--mail ADDRESS]`:
 * one's notifications and how they reach one; `dissent admin member mail
 * USER ADDRESS` (docs/cli.md). */
#include "cli/commands.h"

#include "cli/cli.h"
#include "cli/out.h"
#include "cli/remote.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int render_list(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    size_t i;
    json_t *n;
    char t[64];
    (void)e;
    fprintf(ctx->out, "%lld unread\n",
            (long long)json_integer_value(json_object_get(reply, "unread")));
    json_array_foreach(json_object_get(reply, "notifications"), i, n)
    {
        fprintf(ctx->out, "%6lld  %-6s  ", (long long)json_integer_value(json_object_get(n, "id")),
                json_is_true(json_object_get(n, "read")) ? "read" : "UNREAD");
        out_text(ctx->out, out_time(out_jstr(n, "at"), t, sizeof t));
        fputs("  ", ctx->out);
        out_text(ctx->out, out_jstr(n, "text"));
        if (out_jstr(n, "memo")) {
            fputs("  (memo ", ctx->out);
            out_text(ctx->out, out_jstr(n, "memo"));
            fputs(")", ctx->out);
        }
        fputs("\n", ctx->out);
    }
    return 0;
}

static int render_read(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    (void)e;
    fprintf(ctx->out, "marked %lld read; %lld unread\n",
            (long long)json_integer_value(json_object_get(reply, "marked")),
            (long long)json_integer_value(json_object_get(reply, "unread")));
    return 0;
}

int cmd_notifications(struct cli_ctx *ctx)
{
    const char *read = cli_opt(ctx, "read");
    json_t *body = NULL;
    long long id = 0;
    struct err e;
    int status;
    err_init(&e);
    if (!read)
        return remote_run(ctx, "GET",
                          cli_flag(ctx, "unread") ? "/api/v1/notifications?unread=1"
                                                  : "/api/v1/notifications",
                          NULL, render_list);
    if (strcmp(read, "all") == 0)
        body = json_object();
    else if (cli_arg_i64(read, "--read", 1, INT64_MAX, &id, &e) == 0)
        body = json_pack("{s:I}", "id", (json_int_t)id);
    else
        return cli_usage_error(ctx, "--read takes a notification id or 'all'");
    status = remote_run(ctx, "POST", "/api/v1/notifications/read", body, render_read);
    json_decref(body);
    return status;
}

static int render_prefs(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    size_t i;
    json_t *k;
    (void)e;
    fputs("mail address: ", ctx->out);
    out_text(ctx->out, out_jstr(reply, "address") ? out_jstr(reply, "address")
                                                  : "(none: notifications stay in the app)");
    fputs("\n", ctx->out);
    json_array_foreach(json_object_get(reply, "kinds"), i, k)
    {
        fprintf(ctx->out, "  %-14s %-12s ", out_jstr(k, "kind") ? out_jstr(k, "kind") : "?",
                out_jstr(k, "mode") ? out_jstr(k, "mode") : "?");
        out_text(ctx->out, out_jstr(k, "label"));
        fputs("\n", ctx->out);
    }
    return 0;
}

int cmd_account_notifications(struct cli_ctx *ctx)
{
    const char *kind = cli_opt(ctx, "kind"), *mode = cli_opt(ctx, "mode");
    const char *mail = cli_opt(ctx, "mail");
    json_t *body = NULL;
    int status = CLI_OK;
    if ((kind == NULL) != (mode == NULL))
        return cli_usage_error(ctx, "--kind and --mode go together");
    if (mail) {
        body = json_pack("{s:s}", "address", mail);
        status = remote_run(ctx, "POST", "/api/v1/account/mail", body, kind ? NULL : render_prefs);
        json_decref(body);
        if (status != CLI_OK || !kind)
            return status;
    }
    if (!kind)
        return remote_run(ctx, "GET", "/api/v1/account/notifications", NULL, render_prefs);
    body = json_pack("{s:s,s:s}", "kind", kind, "mode", mode);
    status = remote_run(ctx, "POST", "/api/v1/account/notifications", body, render_prefs);
    json_decref(body);
    return status;
}

static int render_mail(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    (void)e;
    fputs("member ", ctx->out);
    out_text(ctx->out, ctx->args[0]);
    fputs(out_jstr(reply, "address") ? ": mail goes to " : ": no mail address", ctx->out);
    if (out_jstr(reply, "address"))
        out_text(ctx->out, out_jstr(reply, "address"));
    fputs("\n", ctx->out);
    return 0;
}

int cmd_admin_member_mail(struct cli_ctx *ctx)
{
    int status;
    struct err e;
    struct buf path;
    json_t *body = json_pack("{s:s}", "address", ctx->args[1]);
    err_init(&e);
    if (remote_path(&path, "members", ctx->args[0], "/mail", &e) != 0) {
        json_decref(body);
        return cli_fail(ctx, &e);
    }
    status = remote_run(ctx, "POST", buf_str(&path), body, render_mail);
    buf_release(&path);
    json_decref(body);
    return status;
}
