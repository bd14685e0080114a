/* cmd_totp.c — `dissent account totp …` (one's own second factor) and
 * `dissent admin settings` (the installation's policy). Codes come from a
 * file (--code-file) or the terminal, never from the command line. */
#include "cli/commands.h"

#include <sodium.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/out.h"
#include "cli/remote.h"

static int render_status(struct cli_ctx *ctx, const json_t *r, struct err *e)
{
    (void)e;
    if (json_is_true(json_object_get(r, "enabled")))
        fprintf(ctx->out, "second factor: on (%lld unused recovery codes)\n",
                (long long)json_integer_value(json_object_get(r, "recovery_codes_left")));
    else if (json_is_true(json_object_get(r, "enrollment_pending")))
        fputs("second factor: set up started, not confirmed (dissent account totp confirm)\n",
              ctx->out);
    else
        fputs("second factor: off\n", ctx->out);
    if (json_is_true(json_object_get(r, "required")))
        fputs("your roles require one on this installation\n", ctx->out);
    return 0;
}

int cmd_totp_status(struct cli_ctx *ctx)
{
    return remote_run(ctx, "GET", "/api/v1/account/totp", NULL, render_status);
}

static int render_enroll(struct cli_ctx *ctx, const json_t *r, struct err *e)
{
    (void)e;
    fputs("add this key to your authenticator app (TOTP, SHA1, 6 digits, 30 s):\n  ", ctx->out);
    out_text(ctx->out, out_jstr(r, "secret") ? out_jstr(r, "secret") : "?");
    fputs("\nor this address:\n  ", ctx->out);
    out_text(ctx->out, out_jstr(r, "otpauth_uri") ? out_jstr(r, "otpauth_uri") : "?");
    fputs("\nthen confirm with a first code: dissent account totp confirm\n", ctx->out);
    return 0;
}

int cmd_totp_enroll(struct cli_ctx *ctx)
{
    return remote_run(ctx, "POST", "/api/v1/account/totp", NULL, render_enroll);
}

static int render_codes(struct cli_ctx *ctx, const json_t *r, struct err *e)
{
    size_t i;
    json_t *v;
    (void)e;
    if (json_is_true(json_object_get(r, "enabled")))
        fputs("second factor: on\n", ctx->out);
    if (json_array_size(json_object_get(r, "recovery_codes")) > 0) {
        fputs("recovery codes (each works once; shown only now):\n", ctx->out);
        json_array_foreach(json_object_get(r, "recovery_codes"), i, v)
        {
            fputs("  ", ctx->out);
            out_text(ctx->out, json_string_value(v));
            fputc('\n', ctx->out);
        }
    }
    if (json_is_false(json_object_get(r, "enabled")))
        fputs("second factor: off\n", ctx->out);
    return 0;
}

/* POSTs {code} (from --code-file or asked) to path. */
static int with_code(struct cli_ctx *ctx, const char *path, const char *prompt)
{
    int status;
    struct err e;
    char code[64];
    json_t *body = NULL;
    err_init(&e);
    code[0] = '\0';
    if (cmd_totp_code(ctx, "code-file", prompt, code, sizeof code, &e))
        return cli_fail(ctx, &e);
    body = json_pack("{s:s}", "code", code);
    sodium_memzero(code, sizeof code);
    if (!body) {
        err_set(&e, ERR_INVALID, "the code must be UTF-8 text");
        return cli_fail(ctx, &e);
    }
    status = remote_run(ctx, "POST", path, body, render_codes);
    json_decref(body);
    return status;
}

int cmd_totp_confirm(struct cli_ctx *ctx)
{
    return with_code(ctx, "/api/v1/account/totp/confirm", "code your app shows now: ");
}

int cmd_totp_disable(struct cli_ctx *ctx)
{
    return with_code(ctx, "/api/v1/account/totp/disable",
                     "code your app shows now (or a recovery code): ");
}

int cmd_totp_recovery(struct cli_ctx *ctx)
{
    return with_code(ctx, "/api/v1/account/totp/recovery-codes", "code your app shows now: ");
}

static int render_settings(struct cli_ctx *ctx, const json_t *r, struct err *e)
{
    (void)e;
    fprintf(ctx->out, "second factor required of reviewers, leadership, auditors, admins: %s\n",
            json_is_true(json_object_get(r, "totp_required")) ? "yes" : "no");
    return 0;
}

int cmd_admin_settings(struct cli_ctx *ctx)
{
    int status;
    struct err e;
    const char *v = cli_opt(ctx, "totp-required");
    json_t *body = NULL;
    err_init(&e);
    if (!v)
        return remote_run(ctx, "GET", "/api/v1/settings", NULL, render_settings);
    if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0)
        return cli_usage_error(ctx, "--totp-required takes on or off");
    body = json_pack("{s:b}", "totp_required", strcmp(v, "on") == 0);
    status = remote_run(ctx, "PATCH", "/api/v1/settings", body, render_settings);
    json_decref(body);
    return status;
}
