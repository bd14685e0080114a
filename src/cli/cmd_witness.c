/* cmd_witness.c — `dissent witness new-key|serve`: run a C2SP tlog-witness
 * for other installations' logs (its own key in a file, its own state
 * directory, one signed checkpoint per followed log). */
#include "base/util.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "client/files.h"
#include "http/server.h"
#include "http/witness.h"
#include "tlog/cosignature.h"
#include "tlog/witness.h"

#include <errno.h>
#include <stdlib.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t witness_stop;

static void on_stop(int sig)
{
    (void)sig;
    witness_stop = 1;
}

/* Reads at most max-1 bytes of path into out (NUL-terminated), trailing
 * newlines removed. Returns 0, or -1 with e (ERR_NOT_FOUND if absent). */
static int read_small(const char *path, char *out, size_t max, size_t *len, struct err *e)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f)
        return err_set(e, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "cannot read %s: %s", path,
                       strerror(errno));
    n = fread(out, 1, max, f);
    if (ferror(f) || n == max) {
        fclose(f);
        sodium_memzero(out, max);
        return err_set(e, ERR_INVALID, "%s is unreadable or larger than %zu bytes", path, max - 1);
    }
    fclose(f);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        n--;
    out[n] = '\0';
    *len = n;
    return 0;
}

static int load_key(const char *path, struct tlog_signer *key, struct err *e)
{
    char s[TLOG_SIGNER_KEY_MAX + 8];
    size_t len = 0;
    int rc = -1;
    if (read_small(path, s, sizeof s, &len, e) != 0)
        goto out;
    if (tlog_cosigner_parse(key, s, len, e) != 0)
        goto out;
    rc = 0;
out:
    sodium_memzero(s, sizeof s);
    return rc;
}

int cmd_witness_new_key(struct cli_ctx *ctx)
{
    struct tlog_signer key;
    struct err e;
    char s[TLOG_SIGNER_KEY_MAX], v[TLOG_VERIFIER_KEY_MAX];
    const char *path = cli_opt(ctx, "key");
    int status = CLI_FAIL;

    err_init(&e);
    if (cli_require(ctx, "key", NULL) != CLI_OK)
        return CLI_USAGE;
    if (access(path, F_OK) == 0) {
        err_set(&e, ERR_CONFLICT, "%s exists already: a witness key is never overwritten", path);
        return cli_fail(ctx, &e);
    }
    if (tlog_cosigner_generate(&key, ctx->args[0], &e) != 0 ||
        tlog_cosigner_format(&key, s, &e) != 0 || tlog_cosigner_key_format(&key.pub, v, &e) != 0)
        goto out;
    size_t n = strlen(s);
    s[n] = '\n';
    if (files_write_private(path, s, n + 1, &e) != 0)
        goto out;
    fprintf(ctx->out, "%s\n", v);
    status = CLI_OK;
out:
    sodium_memzero(s, sizeof s);
    tlog_signer_wipe(&key);
    return status == CLI_OK ? CLI_OK : cli_fail(ctx, &e);
}

int cmd_witness_public_key(struct cli_ctx *ctx)
{
    struct tlog_signer key;
    struct err e;
    char v[TLOG_VERIFIER_KEY_MAX];
    err_init(&e);
    if (cli_require(ctx, "key", NULL) != CLI_OK)
        return CLI_USAGE;
    if (load_key(cli_opt(ctx, "key"), &key, &e) != 0 ||
        tlog_cosigner_key_format(&key.pub, v, &e) != 0) {
        tlog_signer_wipe(&key);
        return cli_fail(ctx, &e);
    }
    tlog_signer_wipe(&key);
    fprintf(ctx->out, "%s\n", v);
    return CLI_OK;
}

/* The state directory: one file per origin, named by the hex SHA-256 of
 * the origin (origins hold '/'), holding the last cosigned note. */
struct dir_store {
    const char *dir;
};

static int state_path(const struct dir_store *d, const char *origin, char *out, size_t n,
                      struct err *e)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof h + 1];
    crypto_hash_sha256(h, (const unsigned char *)origin, strlen(origin));
    hex_encode(hex, h, sizeof h);
    if (snprintf(out, n, "%s/%s.checkpoint", d->dir, hex) >= (int)n)
        return err_set(e, ERR_INVALID, "the state directory path is too long");
    return 0;
}

static int dir_load(void *ctx, const char *origin, struct buf *out, struct err *e)
{
    char path[FILES_PATH_MAX];
    int found = 0;
    if (state_path(ctx, origin, path, sizeof path, e) != 0 ||
        files_read_optional(path, out, &found, e) != 0)
        return -1;
    return found;
}

static int dir_save(void *ctx, const char *origin, const char *note, size_t len, struct err *e)
{
    char path[FILES_PATH_MAX];
    if (state_path(ctx, origin, path, sizeof path, e) != 0)
        return -1;
    return files_write_private(path, note, len, e);
}

/* "HOST:PORT" into host and port. */
static int listen_split(const char *s, char *host, size_t n, unsigned short *port)
{
    const char *colon = strrchr(s, ':');
    int64_t v;
    size_t hl;
    if (!colon || parse_i64(colon + 1, 0, 65535, &v) != 0)
        return -1;
    hl = (size_t)(colon - s);
    if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
        s++;
        hl -= 2;
    }
    if (hl == 0 || hl >= n)
        return -1;
    memcpy(host, s, hl);
    host[hl] = '\0';
    *port = (unsigned short)v;
    return 0;
}

int cmd_witness_serve(struct cli_ctx *ctx)
{
    struct tlog_signer key;
    struct tlog_witness *w = NULL;
    struct dir_store ds = {.dir = cli_opt(ctx, "state")};
    struct tlog_witness_store st = {.ctx = &ds, .load = dir_load, .save = dir_save};
    struct http_server *srv = NULL;
    struct http_server_config cfg = {0};
    struct err e;
    char host[64], probe[FILES_PATH_MAX];
    unsigned short port;
    const char *logkey, *port_file = cli_opt(ctx, "port-file");
    int status = CLI_FAIL;

    err_init(&e);
    memset(&key, 0, sizeof key);
    if (cli_require(ctx, "listen", "state", "key", "log", NULL) != CLI_OK)
        return CLI_USAGE;
    if (listen_split(cli_opt(ctx, "listen"), host, sizeof host, &port) != 0)
        return cli_usage_error(ctx, "--listen must be HOST:PORT, e.g. 127.0.0.1:8090");
    if (load_key(cli_opt(ctx, "key"), &key, &e) != 0)
        goto out;
    w = calloc(1, sizeof *w);
    if (!w) {
        err_set(&e, ERR_NOMEM, "out of memory");
        goto out;
    }
    tlog_witness_init(w, &key, &st);
    for (size_t i = 0; (logkey = cli_opt_nth(ctx, "log", i)) != NULL; i++) {
        struct tlog_verifier v;
        if (tlog_verifier_parse(&v, logkey, strlen(logkey), &e) != 0 ||
            tlog_witness_add_log(w, &v, &e) != 0)
            goto out;
    }
    /* the state directory must be writable before anything is cosigned */
    if (snprintf(probe, sizeof probe, "%s/.probe", ds.dir) >= (int)sizeof probe) {
        err_set(&e, ERR_INVALID, "the state directory path is too long");
        goto out;
    }
    if (files_write_private(probe, "", 0, &e) != 0)
        goto out;
    unlink(probe);
    cfg.listen_addr = host;
    cfg.port = port;
    cfg.max_body = HTTP_WITNESS_MAX_BODY;
    cfg.routes = http_witness_routes(&cfg.nroutes);
    cfg.app = w;
    if (http_server_start(&srv, &cfg, &e) != 0)
        goto out;
    port = http_server_port(srv);
    if (port_file) {
        FILE *f = fopen(port_file, "w");
        if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0) {
            err_set(&e, ERR_IO, "cannot write %s", port_file);
            goto out;
        }
    }
    {
        char v[TLOG_VERIFIER_KEY_MAX];
        if (tlog_cosigner_key_format(&key.pub, v, &e) != 0)
            goto out;
        fprintf(ctx->out, "dissent: witness %s on http://%s:%u (Ctrl-C stops)\n", v, host, port);
        fflush(ctx->out);
    }
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    while (!witness_stop)
        sleep(1);
    fprintf(ctx->out, "dissent: stopping\n");
    status = CLI_OK;
out:
    http_server_stop(srv);
    if (w) {
        tlog_witness_release(w);
        free(w);
    }
    tlog_signer_wipe(&key);
    return status == CLI_OK ? CLI_OK : cli_fail(ctx, &e);
}

static const struct cli_opt opts_new_key[] = {
    {.name = "key", .arg = "FILE", .help = "where to write the new witness key (mode 0600)"},
    {0},
};

static const struct cli_opt opts_public_key[] = {
    {.name = "key", .arg = "FILE", .help = "the witness key file"},
    {0},
};

static const struct cli_opt opts_serve[] = {
    {.name = "listen", .arg = "HOST:PORT", .help = "address to listen on (port 0: any free port)"},
    {.name = "state",
     .arg = "DIR",
     .help = "directory of the last checkpoint cosigned per log (created 0700)"},
    {.name = "key", .arg = "FILE", .help = "the witness key file (dissent witness new-key)"},
    {.name = "log",
     .arg = "KEY",
     .help = "verifier key of a log to witness, ORIGIN+KEYID+KEY (repeatable)",
     .flags = CLI_OPT_MULTI},
    {.name = "port-file", .arg = "FILE", .help = "write the port actually bound to FILE"},
    {0},
};

const struct cli_cmd cmd_witness_cmds[] = {
    {.name = "new-key",
     .summary = "make a witness key (cosignature/v1, Ed25519) and print its public key",
     .usage = "NAME --key FILE",
     .args = "NAME",
     .details = "NAME names the witness, e.g. witness.example.org/w1. FILE must not exist.",
     .opts = opts_new_key,
     .run = cmd_witness_new_key},
    {.name = "public-key",
     .summary = "print the public key of a witness key file",
     .usage = "--key FILE",
     .opts = opts_public_key,
     .run = cmd_witness_public_key},
    {.name = "serve",
     .summary = "run a C2SP tlog-witness (POST /add-checkpoint) for the given logs",
     .usage = "--listen HOST:PORT --state DIR --key FILE --log KEY [--log KEY...]",
     .details = "Cosigns a log's checkpoint only if it is signed by the log's key and is\n"
                "consistent with the last one it cosigned for that log, which it keeps in\n"
                "DIR (written atomically before answering). A fork or a rewritten log is\n"
                "refused (409, 422) and never cosigned.",
     .opts = opts_serve,
     .run = cmd_witness_serve},
    {0},
};
