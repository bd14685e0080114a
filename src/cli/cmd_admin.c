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

/* Prints the one-time setup link of a member just added or reset. */
static void print_setup(struct cli_ctx *ctx, const json_t *m)
{
    const json_t *setup = json_object_get(m, "setup");
    const char *link = out_jstr(setup, "url") ? out_jstr(setup, "url") : out_jstr(setup, "path");
    fputs("setup link (shown once; hand it to the member privately, valid until ", ctx->out);
    out_text(ctx->out, out_jstr(setup, "expires_at") ? out_jstr(setup, "expires_at") : "?");
    fputs("):\n  ", ctx->out);
    out_text(ctx->out, link ? link : "?");
    fputs("\nthe member opens it, or runs 'dissent account setup --token LINK', and chooses the "
          "password\n",
          ctx->out);
}

static int render_member(struct cli_ctx *ctx, const json_t *m, struct err *e)
{
    (void)e;
    fputs("member ", ctx->out);
    out_text(ctx->out, out_jstr(m, "username") ? out_jstr(m, "username") : ctx->args[0]);
    fputs(" added\n", ctx->out);
    print_setup(ctx, m);
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
    json_t *roles = NULL, *body = NULL;

    if ((status = cli_require(ctx, "name", "org", "role", (const char *)NULL)) != CLI_OK)
        return status;
    roles = split_roles(cli_opt(ctx, "role"));
    if (!roles)
        return cli_usage_error(ctx, "--role must be a comma-separated list like member,reviewer");
    body = json_pack("{s:s, s:s, s:s, s:O}", "username", ctx->args[0], "display_name",
                     cli_opt(ctx, "name"), "organization", cli_opt(ctx, "org"), "roles", roles);
    if (!body)
        status = cli_usage_error(ctx, "user, name and organization must be UTF-8 text");
    else
        status = remote_run(ctx, "POST", "/api/v1/members", body, render_member);
    json_decref(body);
    json_decref(roles);
    return status;
}

static int render_reset(struct cli_ctx *ctx, const json_t *m, struct err *e)
{
    (void)e;
    fputs("password of ", ctx->out);
    out_text(ctx->out, ctx->args[0]);
    fputs(" reset: every session ended; the link works only with the member's recovery code\n",
          ctx->out);
    print_setup(ctx, m);
    return 0;
}

int cmd_admin_member_reset(struct cli_ctx *ctx)
{
    int status;
    struct err e;
    struct buf path;
    err_init(&e);
    if (remote_path(&path, "members", ctx->args[0], "/reset", &e) != 0)
        return cli_fail(ctx, &e);
    status = remote_run(ctx, "POST", buf_str(&path), NULL, render_reset);
    buf_release(&path);
    return status;
}

static int render_state(struct cli_ctx *ctx, const json_t *m, struct err *e)
{
    (void)e;
    fputs("member ", ctx->out);
    out_text(ctx->out, ctx->args[0]);
    fputs(json_is_true(json_object_get(m, "disabled")) ? " disabled: every session ended\n"
                                                       : " enabled (earlier sessions stay ended)\n",
          ctx->out);
    return 0;
}

static int member_set_disabled(struct cli_ctx *ctx, int disabled)
{
    int status;
    struct err e;
    struct buf path;
    json_t *body = json_pack("{s:b}", "disabled", disabled);
    err_init(&e);
    if (!body || remote_path(&path, "members", ctx->args[0], "", &e) != 0) {
        json_decref(body);
        return cli_fail(ctx, &e);
    }
    status = remote_run(ctx, "PATCH", buf_str(&path), body, render_state);
    buf_release(&path);
    json_decref(body);
    return status;
}

int cmd_admin_member_disable(struct cli_ctx *ctx)
{
    return member_set_disabled(ctx, 1);
}

int cmd_admin_member_enable(struct cli_ctx *ctx)
{
    return member_set_disabled(ctx, 0);
}

/* "2 working days", "1 month" from {"amount","unit"} (units are plural:
 * "days", "working_days", "months"; one of them is said in the singular). */
static const char *policy_text(const json_t *p, char *out, size_t n)
{
    char amount[32];
    const char *unit = out_jstr(p, "unit");
    size_t len;
    if (!json_is_object(p))
        return "-";
    out_jtext(p, "amount", amount, sizeof amount);
    snprintf(out, n, "%s %s", amount,
             unit && strcmp(unit, "working_days") == 0 ? "working days"
             : unit                                    ? unit
                                                       : "");
    len = strlen(out);
    if (strcmp(amount, "1") == 0 && len > 0 && out[len - 1] == 's')
        out[len - 1] = '\0';
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
        const json_t *ext = json_object_get(pol, "extension");
        fprintf(ctx->out, ": acknowledge within %s, answer within %s",
                policy_text(json_object_get(pol, "acknowledge"), a, sizeof a),
                policy_text(json_object_get(pol, "answer"), b, sizeof b));
        /* a policy without extensions (eu-directive: amount 0) says so */
        if (json_integer_value(json_object_get(ext, "amount")) > 0)
            fprintf(ctx->out, ", one extension up to %s", policy_text(ext, c, sizeof c));
        else
            fputs(", no extension", ctx->out);
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

/* method /api/v1/channels/<SLUG, the first argument><suffix> with body
 * (may be NULL), rendered by render: an exit status. */
static int channel_call(struct cli_ctx *ctx, const char *method, const char *suffix,
                        const json_t *body, remote_render_fn render)
{
    struct err e;
    struct buf path;
    int status;
    err_init(&e);
    if (remote_path(&path, "channels", ctx->args[0], suffix, &e) != 0)
        return cli_fail(ctx, &e);
    status = remote_run(ctx, method, buf_str(&path), body, render);
    buf_release(&path);
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
    json_t *body;

    if (strlen(ctx->args[1]) != 10 || time_parse_utc(ctx->args[1], &t) != 0)
        return cli_usage_error(ctx, "DATE must be a date like 2026-12-25, not '%s'", ctx->args[1]);
    body = json_pack("{s:s, s:s}", "date", ctx->args[1], "name", ctx->args[2]);
    if (!body)
        return cli_usage_error(ctx, "NAME must be UTF-8 text");
    status = channel_call(ctx, "POST", "/holidays", body, render_holiday);
    json_decref(body);
    return status;
}

/* "channel dissent reminds the policy office 1 working day before each
 * deadline" (0: "on the day each deadline falls due"). */
static int render_reminder(struct cli_ctx *ctx, const json_t *r, struct err *e)
{
    json_int_t days = json_integer_value(json_object_get(r, "remind_working_days"));
    (void)e;
    fputs("channel ", ctx->out);
    out_text(ctx->out, out_jstr(r, "channel") ? out_jstr(r, "channel") : ctx->args[0]);
    if (days <= 0)
        fputs(" reminds the policy office on the day each deadline falls due\n", ctx->out);
    else
        fprintf(ctx->out, " reminds the policy office %lld working day%s before each deadline\n",
                (long long)days, days == 1 ? "" : "s");
    return 0;
}

int cmd_admin_channel_reminder(struct cli_ctx *ctx)
{
    int status;
    int64_t days;
    struct err e;
    json_t *body = NULL;

    err_init(&e);
    if (ctx->nargs > 1) {
        if (parse_i64(ctx->args[1], 0, INT32_MAX, &days) != 0)
            return cli_usage_error(ctx, "DAYS must be a whole number of working days, not '%s'",
                                   ctx->args[1]);
        body = json_pack("{s:I}", "remind_working_days", (json_int_t)days);
        if (!body) {
            (void)err_set(&e, ERR_NOMEM, "out of memory");
            return cli_fail(ctx, &e);
        }
    }
    status = channel_call(ctx, body ? "POST" : "GET", "/reminder", body, render_reminder);
    json_decref(body);
    return status;
}
