/* cmd_session.c — `dissent login`, `dissent logout`, `dissent whoami`. */
#include "cli/commands.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/input.h"
#include "cli/out.h"
#include "cli/remote.h"
#include "client/session.h"

/* "alice (Alice Example, org state; roles: member, reviewer)" */
static void print_member(FILE *f, const json_t *m)
{
    const json_t *roles = json_object_get(m, "roles");
    size_t i;
    json_t *r;
    out_text(f, out_jstr(m, "username") ? out_jstr(m, "username") : "?");
    fputs(" (", f);
    out_text(f, out_jstr(m, "display_name") ? out_jstr(m, "display_name") : "?");
    if (out_jstr(m, "organization")) {
        fputs(", organization ", f);
        out_text(f, out_jstr(m, "organization"));
    }
    fputs("; roles: ", f);
    json_array_foreach(roles, i, r)
    {
        if (i)
            fputs(", ", f);
        out_text(f, json_string_value(r) ? json_string_value(r) : "?");
    }
    fputs(")", f);
}

int cmd_totp_code(const struct cli_ctx *ctx, const char *opt, const char *prompt, char *out,
                  size_t n, struct err *e)
{
    const char *file = cli_opt(ctx, opt);
    if (file)
        return input_secret_file(file, out, n, e);
    return input_prompt(prompt, 0, out, n, e);
}

int cmd_login_second(const struct cli_ctx *ctx, struct client *c, const char *user,
                     struct client_reply *r, struct err *e)
{
    int rc = -1;
    char code[64], prompt[SESSION_USER_MAX + 64];
    json_t *body = NULL;
    snprintf(prompt, sizeof prompt,
             "code from your authenticator app for %s (or a recovery code): ", user);
    code[0] = '\0';
    if (cmd_totp_code(ctx, "totp-code-file", prompt, code, sizeof code, e))
        goto out;
    body = json_pack("{s:s,s:s}", "pending", json_string_value(json_object_get(r->json, "pending")),
                     "code", code);
    if (!body) {
        err_set(e, ERR_INVALID, "the code must be UTF-8 text");
        goto out;
    }
    client_reply_release(r);
    client_reply_init(r);
    rc = client_request(c, "POST", "/api/v1/login/totp", body, r, e);
out:
    json_decref(body);
    sodium_memzero(code, sizeof code);
    return rc;
}

int cmd_login(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e;
    struct client c;
    struct client_reply r;
    struct session s;
    char user[SESSION_USER_MAX];
    char password[INPUT_SECRET_MAX];
    char path[SESSION_PATH_MAX];
    const char *opt_user = cli_opt(ctx, "user");
    const char *pwfile = cli_opt(ctx, "password-file");
    const char *pwenv = getenv("DISSENT_PASSWORD");
    json_t *body = NULL;
    int have_token;

    err_init(&e);
    client_init(&c);
    client_reply_init(&r);
    memset(&s, 0, sizeof s);
    password[0] = '\0';
    if (session_path(path, sizeof path, &e) != 0 || remote_client(ctx, &c, &have_token, &e) != 0)
        goto fail;
    client_release(&c); /* never send an old token along with a password */
    c.token[0] = '\0';
    if (opt_user) {
        if (strlen(opt_user) >= sizeof user) {
            err_set(&e, ERR_INVALID, "user name is longer than %zu characters", sizeof user - 1);
            goto fail;
        }
        snprintf(user, sizeof user, "%s", opt_user);
    } else if (input_prompt("username: ", 0, user, sizeof user, &e) != 0) {
        goto fail;
    }
    if (pwfile) {
        if (input_secret_file(pwfile, password, sizeof password, &e) != 0)
            goto fail;
    } else if (pwenv && pwenv[0]) {
        if (strlen(pwenv) >= sizeof password) {
            err_set(&e, ERR_TOO_LARGE, "DISSENT_PASSWORD is too long");
            goto fail;
        }
        snprintf(password, sizeof password, "%s", pwenv);
    } else {
        char prompt[CLIENT_URL_MAX + SESSION_USER_MAX + 32];
        snprintf(prompt, sizeof prompt, "password for %s at %s: ", user, c.server);
        if (input_prompt(prompt, 1, password, sizeof password, &e) != 0)
            goto fail;
    }
    body = json_pack("{s:s, s:s}", "username", user, "password", password);
    if (!body) {
        err_set(&e, ERR_INVALID, "user name or password is not UTF-8 text");
        goto fail;
    }
    if (client_request(&c, "POST", "/api/v1/login", body, &r, &e) != 0)
        goto fail;
    /* The account has a second factor: the password gave a pending login. */
    if (json_is_string(json_object_get(r.json, "pending")) &&
        cmd_login_second(ctx, &c, user, &r, &e) != 0)
        goto fail;
    if (session_keep(path, c.server, user, r.json, &s, &e) != 0)
        goto fail;
    if (cli_flag(ctx, "json")) {
        fwrite(buf_str(&r.raw), 1, r.raw.len, ctx->out);
        fputc('\n', ctx->out);
    } else {
        fputs("logged in to ", ctx->out);
        out_text(ctx->out, c.server);
        fputs(" as ", ctx->out);
        if (json_is_object(json_object_get(r.json, "member")))
            print_member(ctx->out, json_object_get(r.json, "member"));
        else
            out_text(ctx->out, user);
        fprintf(ctx->out, "\nsession saved to %s\n", path);
        cmd_print_notices(ctx->out, json_object_get(r.json, "notices"));
    }
    status = CLI_OK;
    goto out;
fail:
    cli_fail(ctx, &e);
out:
    if (body) {
        const char *pw = json_string_value(json_object_get(body, "password"));
        if (pw)
            sodium_memzero((char *)pw, strlen(pw));
        json_decref(body);
    }
    if (r.raw.data)
        sodium_memzero(r.raw.data, r.raw.len);
    sodium_memzero(password, sizeof password);
    session_wipe(&s);
    client_reply_release(&r);
    client_release(&c);
    return status;
}

int cmd_logout(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e;
    struct client c;
    struct client_reply r;
    char path[SESSION_PATH_MAX];
    int have_token = 0, existed = 0;

    err_init(&e);
    client_init(&c);
    client_reply_init(&r);
    if (session_path(path, sizeof path, &e) != 0 || remote_client(ctx, &c, &have_token, &e) != 0)
        goto fail;
    if (have_token && client_request(&c, "POST", "/api/v1/logout", NULL, &r, &e) != 0)
        fprintf(ctx->err, "dissent: warning: the server did not end the session: %s\n", e.msg);
    err_init(&e);
    if (session_remove(path, &existed, &e) != 0)
        goto fail;
    if (cli_flag(ctx, "json")) {
        fprintf(ctx->out, "{\"logged_out\": %s}\n", (existed || have_token) ? "true" : "false");
    } else if (!existed && !have_token) {
        fputs("not logged in\n", ctx->out);
    } else {
        fputs("logged out of ", ctx->out);
        out_text(ctx->out, c.server);
        fputs(existed ? "; saved session removed\n" : "\n", ctx->out);
    }
    status = CLI_OK;
    goto out;
fail:
    cli_fail(ctx, &e);
out:
    client_reply_release(&r);
    client_release(&c);
    return status;
}

static int render_me(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    (void)e;
    const json_t *m =
        json_is_object(json_object_get(reply, "member")) ? json_object_get(reply, "member") : reply;
    print_member(ctx->out, m);
    fputc('\n', ctx->out);
    return 0;
}

int cmd_whoami(struct cli_ctx *ctx)
{
    return remote_run(ctx, "GET", "/api/v1/me", NULL, render_me);
}
