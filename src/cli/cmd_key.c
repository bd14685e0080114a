/* cmd_key.c — `dissent key new|show|enroll`: the member's ring key for
 * anonymous co-signatures (client/keystore.h), and its enrollment in the
 * organization's roster with a proof of possession. */
#include "cli/commands.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/input.h"
#include "cli/out.h"
#include "cli/remote.h"
#include "client/keystore.h"

int cmd_key_path(const struct cli_ctx *ctx, char *out, size_t n, struct err *e)
{
    const char *opt = cli_opt(ctx, "key");
    if (opt) {
        if (!opt[0])
            return err_set(e, ERR_INVALID, "--key needs a file name");
        if (strlen(opt) >= n)
            return err_set(e, ERR_INVALID, "--key is longer than %zu bytes", n - 1);
        snprintf(out, n, "%s", opt);
        return 0;
    }
    return keystore_default_path(out, n, e);
}

int cmd_key_passphrase(const struct cli_ctx *ctx, int confirm, char *out, size_t n, struct err *e)
{
    int rc = -1;
    const char *file = cli_opt(ctx, "passphrase-file");
    const char *env = getenv("DISSENT_PASSPHRASE");
    char again[INPUT_SECRET_MAX];

    again[0] = '\0';
    if (file) {
        if (input_secret_file(file, out, n, e))
            goto out;
    } else if (env && env[0]) {
        if (strlen(env) >= n) {
            err_set(e, ERR_TOO_LARGE, "DISSENT_PASSPHRASE is longer than %zu bytes", n - 1);
            goto out;
        }
        snprintf(out, n, "%s", env);
    } else {
        if (input_prompt(
                confirm ? "new passphrase for the ring key: " : "passphrase of the ring key: ", 1,
                out, n, e)) {
            if (e && strncmp(e->msg, "no terminal", 11) == 0)
                err_set(e, ERR_INVALID,
                        "no terminal to ask for the passphrase on: use "
                        "--passphrase-file FILE or DISSENT_PASSPHRASE");
            goto out;
        }
        if (confirm) {
            if (input_prompt("the same passphrase again: ", 1, again, sizeof again, e))
                goto out;
            if (strcmp(again, out) != 0) {
                err_set(e, ERR_INVALID, "the two passphrases differ");
                goto out;
            }
        }
    }
    rc = 0;
out:
    sodium_memzero(again, sizeof again);
    if (rc)
        sodium_memzero(out, n);
    return rc;
}

static void print_pk(FILE *f, const uint8_t pk[32])
{
    char hex[65];
    hex_encode(hex, pk, 32);
    fputs(hex, f);
}

int cmd_key_new(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e;
    char path[KEYSTORE_PATH_MAX], pass[INPUT_SECRET_MAX];
    uint8_t pk[32];

    err_init(&e);
    pass[0] = '\0';
    if (cmd_key_path(ctx, path, sizeof path, &e) ||
        cmd_key_passphrase(ctx, 1, pass, sizeof pass, &e) ||
        keystore_create(path, pass, strlen(pass), pk, &e))
        goto out;
    if (cli_flag(ctx, "json")) {
        char hex[65];
        json_t *o;
        hex_encode(hex, pk, 32);
        o = json_pack("{s:s,s:s}", "path", path, "public_key", hex);
        if (o)
            json_dumpf(o, ctx->out, JSON_COMPACT);
        fputc('\n', ctx->out);
        json_decref(o);
    } else {
        fputs("created a ring key in ", ctx->out);
        out_text(ctx->out, path);
        fputs("\npublic key: ", ctx->out);
        print_pk(ctx->out, pk);
        fputs("\nnext: 'dissent key enroll' adds it to your organization's roster\n", ctx->out);
    }
    status = CLI_OK;
out:
    sodium_memzero(pass, sizeof pass);
    return status == CLI_OK ? status : cli_fail(ctx, &e);
}

int cmd_key_show(struct cli_ctx *ctx)
{
    struct err e;
    char path[KEYSTORE_PATH_MAX], hex[65];
    uint8_t pk[32];

    err_init(&e);
    if (cmd_key_path(ctx, path, sizeof path, &e) || keystore_public(path, pk, &e))
        return cli_fail(ctx, &e);
    hex_encode(hex, pk, 32);
    if (cli_flag(ctx, "json")) {
        json_t *o = json_pack("{s:s,s:s}", "path", path, "public_key", hex);
        if (o)
            json_dumpf(o, ctx->out, JSON_COMPACT);
        fputc('\n', ctx->out);
        json_decref(o);
    } else {
        fprintf(ctx->out, "%s\n", hex);
    }
    return CLI_OK;
}

static int render_enrolled(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    char size[32];
    (void)e;
    if (json_is_true(json_object_get(reply, "rekeyed")))
        fputs("re-keyed: your new key replaces the old one in the roster of ", ctx->out);
    else
        fputs("enrolled your ring key in the roster of ", ctx->out);
    out_text(ctx->out, out_jstr(reply, "organization") ? out_jstr(reply, "organization") : "?");
    fprintf(ctx->out, " (%s active keys)\n", out_jtext(reply, "count", size, sizeof size));
    if (json_is_true(json_object_get(reply, "rekeyed")))
        fputs("memos already open for signatures keep your old key in their rings: sign those\n"
              "with the old key file (--key FILE); a second key never gives a second signature\n",
              ctx->out);
    return 0;
}

int cmd_key_enroll(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e;
    struct client_reply me, chal;
    char path[KEYSTORE_PATH_MAX], pass[INPUT_SECRET_MAX], pk_hex[65];
    char pop_hex[KEYSTORE_PROOF_HEX];
    uint8_t sk[32], pk[32];
    const json_t *member;
    const char *user, *org;
    json_t *body = NULL;

    err_init(&e);
    client_reply_init(&me);
    client_reply_init(&chal);
    pass[0] = '\0';
    sodium_memzero(sk, sizeof sk);
    if (cmd_key_path(ctx, path, sizeof path, &e) || keystore_public(path, pk, &e) ||
        remote_call(ctx, "GET", "/api/v1/me", NULL, &me, &e))
        goto out;
    member = json_object_get(me.json, "member");
    user = out_jstr(member, "username");
    org = out_jstr(member, "organization");
    if (!user || !org) {
        err_set(&e, ERR_IO, "the server did not say who you are (GET /api/v1/me)");
        goto out;
    }
    if (cmd_key_passphrase(ctx, 0, pass, sizeof pass, &e) ||
        keystore_open(path, pass, strlen(pass), sk, pk, &e))
        goto out;
    /* The server's single-use challenge, asked for after the passphrase so
     * it does not expire while the member types. */
    if (remote_call(ctx, "POST", "/api/v1/rosters/challenge", NULL, &chal, &e))
        goto out;
    if (!out_jstr(chal.json, "challenge") || !out_jstr(chal.json, "origin")) {
        err_set(&e, ERR_IO,
                "the server gave no enrollment challenge (POST /api/v1/rosters/challenge)");
        goto out;
    }
    if (keystore_enroll_proof(sk, out_jstr(chal.json, "origin"), org, user,
                              out_jstr(chal.json, "challenge"), pop_hex, &e))
        goto out;
    hex_encode(pk_hex, pk, sizeof pk);
    body = json_pack("{s:s,s:s,s:s}", "public_key", pk_hex, "proof", pop_hex, "challenge",
                     out_jstr(chal.json, "challenge"));
    if (!body) {
        err_set(&e, ERR_NOMEM, "out of memory");
        goto out;
    }
    status = remote_run(ctx, "POST", "/api/v1/rosters/keys", body, render_enrolled);
    json_decref(body);
    body = NULL;
    goto done;
out:
    cli_fail(ctx, &e);
done:
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(pass, sizeof pass);
    client_reply_release(&me);
    client_reply_release(&chal);
    return status;
}
