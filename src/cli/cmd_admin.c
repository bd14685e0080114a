/* cmd_admin.c — `dissent admin org|member|channel|holiday add` (admin token). */
#include "cli/commands.h"

#include <sodium.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/input.h"
#include "cli/out.h"
#include "cli/remote.h"

static int render_org(struct cli_ctx *ctx, const json_t *org, struct err *e)
{
    (void)e;
    fputs("organization ", ctx->out);
    out_text(ctx->out, out_jstr(org, "slug") ? out_jstr(org, "slug") : ctx->args[0]);
    fputs(" added\n", ctx->out);
    return 0;
}

int cmd_admin_org_add(struct cli_ctx *ctx)
{
    int status;
    json_t *body = json_pack("{s:s, s:s}", "slug", ctx->args[0], "name", ctx->args[1]);
    if (!body)
        return cli_usage_error(ctx, "SLUG and NAME must be UTF-8 text");
    status = remote_run(ctx, "POST", "/api/v1/organizations", body, render_org);
    json_decref(body);
    return status;
}

static int render_member(struct cli_ctx *ctx, const json_t *m, struct err *e)
{
    (void)e;
    fputs("member ", ctx->out);
    out_text(ctx->out, out_jstr(m, "username") ? out_jstr(m, "username") : ctx->args[0]);
    fputs(" added\n", ctx->out);
    return 0;
}

/* Splits "a,b" into a JSON array of role names. NULL if a role is empty. */
static json_t *split_roles(const char *s)
{
    json_t *a = json_array();
    const char *p = s;
    while (a) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == 0 || json_array_append_new(a, json_stringn(p, n)) != 0) {
            json_decref(a);
            return NULL;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return a;
}

int cmd_admin_member_add(struct cli_ctx *ctx)
{
    int status;
    struct err e;
    char password[INPUT_SECRET_MAX];
    int generated = 0;
    json_t *roles = NULL, *body = NULL;
    const char *pwfile = cli_opt(ctx, "password-file");

    err_init(&e);
    password[0] = '\0';
    if ((status = cli_require(ctx, "name", "org", "role", (const char *)NULL)) != CLI_OK)
        return status;
    roles = split_roles(cli_opt(ctx, "role"));
    if (!roles)
        return cli_usage_error(ctx, "--role must be a comma-separated list like member,reviewer");
    status = CLI_FAIL;
    if (pwfile) {
        if (input_secret_file(pwfile, password, sizeof password, &e) != 0)
            goto fail;
    } else {
        char id[RANDOM_ID_LEN + 1];
        random_id(id);
        snprintf(password, sizeof password, "%s", id);
        sodium_memzero(id, sizeof id);
        generated = 1;
    }
    body = json_pack("{s:s, s:s, s:s, s:O, s:s}", "username", ctx->args[0], "display_name",
                     cli_opt(ctx, "name"), "organization", cli_opt(ctx, "org"), "roles", roles,
                     "password", password);
    if (!body) {
        err_set(&e, ERR_INVALID, "user, name, organization and password must be UTF-8 text");
        goto fail;
    }
    status = remote_run(ctx, "POST", "/api/v1/members", body, render_member);
    if (status == CLI_OK && generated) {
        /* With --json, stdout holds the reply as is: the password goes to stderr. */
        FILE *f = cli_flag(ctx, "json") ? ctx->err : ctx->out;
        fprintf(f, "initial password (shown once, pass it on privately): %s\n", password);
    }
    goto out;
fail:
    status = cli_fail(ctx, &e);
out:
    if (body) {
        const char *pw = json_string_value(json_object_get(body, "password"));
        if (pw)
            sodium_memzero((char *)pw, strlen(pw));
        json_decref(body);
    }
    json_decref(roles);
    sodium_memzero(password, sizeof password);
    return status;
}

/* "2 working days" from {"amount","unit"}. */
static const char *policy_text(const json_t *p, char *out, size_t n)
{
    char amount[32];
    const char *unit = out_jstr(p, "unit");
    if (!json_is_object(p))
        return "-";
    out_jtext(p, "amount", amount, sizeof amount);
    snprintf(out, n, "%s %s", amount,
             unit && strcmp(unit, "working_days") == 0 ? "working days"
             : unit                                    ? unit
                                                       : "");
    return out;
}

static int render_channel(struct cli_ctx *ctx, const json_t *ch, struct err *e)
{
    const json_t *pol = json_object_get(ch, "policy");
    char a[64], b[64], c[64];
    (void)e;
    fputs("channel ", ctx->out);
    out_text(ctx->out, out_jstr(ch, "slug") ? out_jstr(ch, "slug") : ctx->args[0]);
    fputs(" added", ctx->out);
    if (json_is_object(pol)) {
        fprintf(ctx->out, ": acknowledge within %s, answer within %s, one extension up to %s",
                policy_text(json_object_get(pol, "acknowledge"), a, sizeof a),
                policy_text(json_object_get(pol, "answer"), b, sizeof b),
                policy_text(json_object_get(pol, "extension"), c, sizeof c));
    }
    if (out_jstr(ch, "ceiling")) {
        fputs("; markings up to ", ctx->out);
        out_text(ctx->out, out_jstr(ch, "ceiling"));
    }
    if (out_jstr(ch, "timezone")) {
        fputs("; time zone ", ctx->out);
        out_text(ctx->out, out_jstr(ch, "timezone"));
    }
    fputc('\n', ctx->out);
    return 0;
}

int cmd_admin_channel_add(struct cli_ctx *ctx)
{
    int status;
    json_t *body;
    if ((status = cli_require(ctx, "name", "preset", "ceiling", (const char *)NULL)) != CLI_OK)
        return status;
    body = json_pack("{s:s, s:s, s:s, s:s}", "slug", ctx->args[0], "name", cli_opt(ctx, "name"),
                     "preset", cli_opt(ctx, "preset"), "ceiling", cli_opt(ctx, "ceiling"));
    if (!body)
        return cli_usage_error(ctx, "SLUG and the options must be UTF-8 text");
    if (cli_opt(ctx, "timezone") &&
        json_object_set_new(body, "timezone", json_string(cli_opt(ctx, "timezone"))) != 0) {
        json_decref(body);
        return cli_usage_error(ctx, "--timezone must be UTF-8 text");
    }
    status = remote_run(ctx, "POST", "/api/v1/channels", body, render_channel);
    json_decref(body);
    return status;
}

static int render_holiday(struct cli_ctx *ctx, const json_t *ch, struct err *e)
{
    (void)ch;
    (void)e;
    fprintf(ctx->out, "holiday %s added to channel ", ctx->args[1]);
    out_text(ctx->out, ctx->args[0]);
    fputc('\n', ctx->out);
    return 0;
}

int cmd_admin_holiday_add(struct cli_ctx *ctx)
{
    int status;
    int64_t t;
    struct err e;
    struct buf path;
    json_t *body;

    err_init(&e);
    if (strlen(ctx->args[1]) != 10 || time_parse_utc(ctx->args[1], &t) != 0)
        return cli_usage_error(ctx, "DATE must be a date like 2026-12-25, not '%s'", ctx->args[1]);
    body = json_pack("{s:s, s:s}", "date", ctx->args[1], "name", ctx->args[2]);
    if (!body)
        return cli_usage_error(ctx, "NAME must be UTF-8 text");
    if (remote_path(&path, "channels", ctx->args[0], "/holidays", &e) != 0) {
        status = cli_fail(ctx, &e);
    } else {
        status = remote_run(ctx, "POST", buf_str(&path), body, render_holiday);
        buf_release(&path);
    }
    json_decref(body);
    return status;
}
