/* cmd_account.c — `dissent account setup|password|recovery-code|show`: one's
 * own account. Setting up from a setup link chooses the password here, on
 * the member's machine; the server keeps only its hash. */
#include "cli/commands.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/input.h"
#include "cli/out.h"
#include "cli/remote.h"
#include "client/session.h"

/* A password from --NAME FILE, else $ENV, else asked on the terminal (twice
 * when confirm is set). */
static int read_password(const struct cli_ctx *ctx, const char *opt, const char *env,
                         const char *prompt, int confirm, char *out, size_t n, struct err *e)
{
    const char *file = cli_opt(ctx, opt);
    const char *v = env ? getenv(env) : NULL;
    char again[INPUT_SECRET_MAX];
    int rc = -1;

    if (file) {
        rc = input_secret_file(file, out, n, e);
    } else if (v && v[0]) {
        if (strlen(v) >= n)
            err_set(e, ERR_TOO_LARGE, "%s is too long", env);
        else {
            snprintf(out, n, "%s", v);
            rc = 0;
        }
    } else if (input_prompt(prompt, 1, out, n, e) == 0) {
        rc = 0;
        if (confirm) {
            rc = input_prompt("the same again: ", 1, again, sizeof again, e);
            if (rc == 0 && strcmp(again, out) != 0)
                rc = err_set(e, ERR_INVALID, "the two passwords differ");
        }
    }
    sodium_memzero(again, sizeof again);
    return rc;
}

/* Prints account events [{at, detail, by}] as lines. */
static void print_events(FILE *f, const json_t *events, const char *lead)
{
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev)
    {
        fputs(lead, f);
        out_text(f, out_jstr(ev, "at") ? out_jstr(ev, "at") : "?");
        fputs("  ", f);
        out_text(f, out_jstr(ev, "detail") ? out_jstr(ev, "detail") : "?");
        fputs(" (by ", f);
        out_text(f, out_jstr(ev, "by") ? out_jstr(ev, "by") : "the operator");
        fputs(")\n", f);
    }
}

void cmd_print_notices(FILE *f, const json_t *notices)
{
    if (json_array_size(notices) == 0)
        return;
    fputs("notice: your account changed since you last signed in:\n", f);
    print_events(f, notices, "  ");
    fputs("  (if you did not expect this, tell the auditors)\n", f);
}

/* Splits --token: a bare token, or a whole link ".../setup/TOKEN" whose
 * start names the server. */
static int split_link(const char *link, char *server, size_t sn, const char **token)
{
    const char *at = strstr(link, "/setup/");
    server[0] = '\0';
    if (!at) {
        *token = link;
        return 0;
    }
    if ((size_t)(at - link) >= sn)
        return -1;
    memcpy(server, link, (size_t)(at - link));
    server[at - link] = '\0';
    *token = at + 7;
    return 0;
}

int cmd_account_setup(struct cli_ctx *ctx)
{
    int status = CLI_FAIL, have_token = 0;
    struct err e;
    struct client c;
    struct client_reply r;
    struct session s;
    char password[INPUT_SECRET_MAX], server[CLIENT_URL_MAX], path[SESSION_PATH_MAX];
    const char *token = NULL, *code = cli_opt(ctx, "recovery-code"), *user;
    struct buf api;
    json_t *body = NULL, *done = NULL;

    err_init(&e);
    client_init(&c);
    client_reply_init(&r);
    buf_init(&api, 1024);
    memset(&s, 0, sizeof s);
    password[0] = '\0';
    if ((status = cli_require(ctx, "token", (const char *)NULL)) != CLI_OK)
        return status;
    status = CLI_FAIL;
    if (split_link(cli_opt(ctx, "token"), server, sizeof server, &token) != 0 || !*token) {
        err_set(&e, ERR_INVALID, "--token must be the setup link or its token");
        goto fail;
    }
    if (session_path(path, sizeof path, &e) != 0 || remote_client(ctx, &c, &have_token, &e) != 0)
        goto fail;
    client_release(&c); /* a setup never sends an old session along */
    c.token[0] = '\0';
    if (server[0] && !cli_opt(ctx, "server") && client_set_server(&c, server, &e) != 0)
        goto fail;
    if (remote_path(&api, "setup", token, "", &e) != 0 ||
        client_request(&c, "GET", buf_str(&api), NULL, &r, &e) != 0)
        goto fail;
    user = out_jstr(r.json, "username");
    if (!user || strlen(user) >= sizeof s.username) {
        err_set(&e, ERR_IO, "the server's reply names no account");
        goto fail;
    }
    snprintf(s.username, sizeof s.username, "%s", user);
    if (json_is_true(json_object_get(r.json, "needs_recovery_code")) && !code) {
        err_set(&e, ERR_INVALID,
                "this is a reset link: give your recovery code with --recovery-code CODE");
        goto fail;
    }
    fprintf(ctx->err, "setting up the account %s\n", s.username);
    if (read_password(ctx, "password-file", "DISSENT_PASSWORD", "new password: ", 1, password,
                      sizeof password, &e) != 0)
        goto fail;
    body = json_pack("{s:s}", "password", password);
    if (!body || (code && json_object_set_new(body, "recovery_code", json_string(code)) != 0)) {
        err_set(&e, ERR_INVALID, "the password and recovery code must be UTF-8 text");
        goto fail;
    }
    client_reply_release(&r);
    client_reply_init(&r);
    if (client_request(&c, "POST", buf_str(&api), body, &r, &e) != 0)
        goto fail;
    /* The account has a second factor: the password is set, and signing in
     * takes its code; the recovery code and notices are in this first reply. */
    done = json_incref(r.json);
    if (json_is_string(json_object_get(r.json, "pending")) &&
        cmd_login_second(ctx, &c, s.username, &r, &e) != 0)
        goto fail;
    if (session_keep(path, c.server, s.username, r.json, &s, &e) != 0)
        goto fail;
    if (cli_flag(ctx, "json")) {
        fwrite(buf_str(&r.raw), 1, r.raw.len, ctx->out);
        fputc('\n', ctx->out);
    } else {
        fputs("password set; logged in to ", ctx->out);
        out_text(ctx->out, c.server);
        fputs(" as ", ctx->out);
        out_text(ctx->out, s.username);
        fputs("\nrecovery code (shown once; keep it apart from your password, a reset needs "
              "it): ",
              ctx->out);
        out_text(ctx->out, out_jstr(done, "recovery_code") ? out_jstr(done, "recovery_code") : "?");
        fputc('\n', ctx->out);
        print_events(ctx->out, json_object_get(done, "notices"), "  ");
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
    buf_release(&api);
    json_decref(done);
    client_reply_release(&r);
    client_release(&c);
    return status;
}

static int render_password(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    (void)reply;
    (void)e;
    fputs("password changed; your other sessions were ended\n", ctx->out);
    return 0;
}

int cmd_account_password(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e;
    char cur[INPUT_SECRET_MAX], pw[INPUT_SECRET_MAX];
    json_t *body = NULL;

    err_init(&e);
    cur[0] = pw[0] = '\0';
    if (read_password(ctx, "password-file", NULL, "current password: ", 0, cur, sizeof cur, &e) ||
        read_password(ctx, "new-password-file", NULL, "new password: ", 1, pw, sizeof pw, &e))
        goto fail;
    body = json_pack("{s:s,s:s}", "current_password", cur, "new_password", pw);
    if (!body) {
        err_set(&e, ERR_INVALID, "passwords must be UTF-8 text");
        goto fail;
    }
    status = remote_run(ctx, "POST", "/api/v1/account/password", body, render_password);
    goto out;
fail:
    status = cli_fail(ctx, &e);
out:
    if (body) {
        const char *k[] = {"current_password", "new_password"};
        for (size_t i = 0; i < 2; i++) {
            const char *v = json_string_value(json_object_get(body, k[i]));
            if (v)
                sodium_memzero((char *)v, strlen(v));
        }
        json_decref(body);
    }
    sodium_memzero(cur, sizeof cur);
    sodium_memzero(pw, sizeof pw);
    return status;
}

static int render_recovery(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    (void)e;
    fputs("new recovery code (shown once; the old one no longer works): ", ctx->out);
    out_text(ctx->out, out_jstr(reply, "recovery_code") ? out_jstr(reply, "recovery_code") : "?");
    fputc('\n', ctx->out);
    return 0;
}

int cmd_account_recovery_code(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e;
    char cur[INPUT_SECRET_MAX];
    json_t *body = NULL;

    err_init(&e);
    cur[0] = '\0';
    if (read_password(ctx, "password-file", NULL, "current password: ", 0, cur, sizeof cur, &e))
        goto fail;
    body = json_pack("{s:s}", "current_password", cur);
    if (!body) {
        err_set(&e, ERR_INVALID, "the password must be UTF-8 text");
        goto fail;
    }
    status = remote_run(ctx, "POST", "/api/v1/account/recovery-code", body, render_recovery);
    goto out;
fail:
    status = cli_fail(ctx, &e);
out:
    if (body) {
        const char *v = json_string_value(json_object_get(body, "current_password"));
        if (v)
            sodium_memzero((char *)v, strlen(v));
        json_decref(body);
    }
    sodium_memzero(cur, sizeof cur);
    return status;
}

static int render_account(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    const json_t *m = json_object_get(reply, "member");
    (void)e;
    out_text(ctx->out, out_jstr(m, "username") ? out_jstr(m, "username") : "?");
    fputs(json_is_true(json_object_get(reply, "has_recovery_code"))
              ? " (has a recovery code)\n"
              : " (no recovery code: make one with 'dissent account recovery-code')\n",
          ctx->out);
    fputs("account events, newest first:\n", ctx->out);
    print_events(ctx->out, json_object_get(reply, "events"), "  ");
    return 0;
}

int cmd_account_show(struct cli_ctx *ctx)
{
    return remote_run(ctx, "GET", "/api/v1/account", NULL, render_account);
}
