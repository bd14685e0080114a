/* remote.h — what every remote command shares: finding the server and the
 * token, sending one request, printing --json, and reading a body from
 * --body or --body-file. */
#ifndef DISSENT_CLI_REMOTE_H
#define DISSENT_CLI_REMOTE_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"
#include "cli/cli.h"
#include "client/client.h"
#include <jansson.h>

/* Prepares c for the command: the server from --server, else
 * $DISSENT_SERVER, else the saved login, else CLIENT_DEFAULT_SERVER; the
 * token from $DISSENT_TOKEN, else the saved login when it was made for that
 * same server (a saved token is never sent to another server). Sets
 * *have_token when there is one. Returns 0 or -1. The caller releases c. */
int remote_client(const struct cli_ctx *ctx, struct client *c, int *have_token, struct err *e) WUR;

/* Renders a successful reply for people. Returns 0 or -1 with e. */
typedef int (*remote_render_fn)(struct cli_ctx *ctx, const json_t *reply, struct err *e);

/* Sends method path body (body may be NULL; it is not stolen) to the
 * command's server. On success prints the raw reply with --json, else calls
 * render (if any). Returns an exit status, having printed any failure. */
int remote_run(struct cli_ctx *ctx, const char *method, const char *path, const json_t *body,
               remote_render_fn render);

/* Like remote_run without printing: fills r (initialized by the caller) and
 * returns 0 or -1 with e (a 401 gets a hint to log in). */
int remote_call(const struct cli_ctx *ctx, const char *method, const char *path, const json_t *body,
                struct client_reply *r, struct err *e) WUR;

/* Writes "/api/v1/memos/<id><suffix>" (id escaped) into out, which is
 * initialized here; the caller releases it. Returns 0 or -1. */
int remote_memo_path(struct buf *out, const char *id, const char *suffix, struct err *e) WUR;

/* Writes "/api/v1/<prefix>/<segment><suffix>" into out (initialized here). */
int remote_path(struct buf *out, const char *prefix, const char *segment, const char *suffix,
                struct err *e) WUR;

/* Sends method to /api/v1/memos/<ctx->args[0]><suffix> with body (may be
 * NULL) and renders as remote_run does. Returns an exit status. */
int remote_memo_run(struct cli_ctx *ctx, const char *method, const char *suffix, const json_t *body,
                    remote_render_fn render);

/* Takes the text from --body TEXT or --body-file FILE (exactly one unless
 * optional; then neither leaves *text NULL) into a new string (free()).
 * Files are limited to INPUT_FILE_MAX bytes of UTF-8. Returns 0, or -1
 * with e; e->code is ERR_INVALID for wrong usage. */
int remote_body_text(const struct cli_ctx *ctx, int optional, char **text, struct err *e) WUR;

/* Checks the use of --body/--body-file before anything is sent: both, or
 * neither when the text is required, print a usage error. Returns CLI_OK or
 * CLI_USAGE. */
int remote_body_usage(const struct cli_ctx *ctx, int optional);

#endif
