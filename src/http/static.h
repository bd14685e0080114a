/* static.h — static files (CSS, images, scripts) compiled into the binary
 * from web/static/ by tools/embed.sh, served under /static/<name>; those of
 * web/static/anon/ (the browser's anonymous signing) are named
 * "anon/<file>" and served under /static/anon/<file>. A build product (the
 * signing module build/wasm/dissent-ring.wasm of `make wasm`) is added at
 * start-up with static_add_file. An operator's --static-dir may replace or
 * add top-level files (static_set_override). Every file served is listed in
 * the release manifest (static_manifest, http/release.h). */
#ifndef DISSENT_HTTP_STATIC_H
#define DISSENT_HTTP_STATIC_H

#include "http/server.h"

#include <stddef.h>

struct static_file {
    const char *name;         /* "dissent.css" */
    const char *content_type; /* "text/css; charset=utf-8" */
    const char *etag;         /* 16 hex digits of the SHA-256 of the content */
    const unsigned char *data;
    size_t len;
};

/* The embedded or added file called name, or NULL. */
const struct static_file *static_find(const char *name);

/* Most files static_add_file can add. */
#define STATIC_ADDED_MAX 4

/* Reads the file at path once (at most 16 MiB) and serves it as name with
 * content_type from then on (the ETag is made as for embedded files).
 * Call before the server starts (not thread-safe). Returns 0, or -1:
 * ERR_CONFLICT (name taken), ERR_NOT_FOUND (no such file), ERR_IO,
 * ERR_TOO_LARGE (file, or STATIC_ADDED_MAX files already), ERR_NOMEM. */
int static_add_file(const char *name, const char *path, const char *content_type,
                    struct err *e) WUR;

/* Largest override file served. */
#define STATIC_OVERRIDE_MAX (16 * 1024 * 1024)

/* Serves the regular files of dir (--static-dir; names of letters, digits,
 * '.', '_', '-'; no links) under /static/ in place of embedded files of
 * the same name, or beside them. Each file is read again on every request,
 * so an operator's edit shows at once — and is exactly what `dissent
 * verify-web` catches until a restart logs it as a new release (the
 * manifest, static_manifest, lists the files dir holds at the start). Call before the server starts
 * (not thread-safe). Returns 0, or -1 (ERR_INVALID: not a readable directory). */
int static_set_override(const char *dir, struct err *e) WUR;

/* Forgets the override directory (tests, shutdown). */
void static_clear_override(void);

/* The content type served for a file name, by its extension. */
const char *static_content_type(const char *name);

/* Whether a static file's responses may compile WebAssembly: those under
 * anon/ (the signing Worker loads the module), so their Content-Security-
 * Policy adds 'wasm-unsafe-eval' to script-src; no other file's does. */
int static_allows_wasm(const char *name);

/* Appends one line "<sha256 hex> /static/<name>\n" per file served now
 * (embedded or overridden, the override's bytes when it has the name;
 * "anon/x.js" is "/static/anon/x.js"), sorted by name in byte order;
 * *count is the number of lines. Returns 0 or -1. */
int static_manifest(struct buf *out, size_t *count, struct err *e) WUR;

/* Handler for GET /static/:file (installed by the server itself). Sends the
 * file (the override's, if there is one) with its content type and ETag, 304 on a matching
 * If-None-Match, 404 if unknown. With ?v=<etag> (see static_url) it may be cached for a year
 * (immutable); otherwise for an hour. */
void static_serve(struct http_request *req, struct http_response *res, void *app);

/* Handler for GET /static/anon/:file: static_serve of "anon/<file>". */
void static_serve_anon(struct http_request *req, struct http_response *res, void *app);

/* "/static/<name>?v=<etag>" (a cache-busting URL for pages), or "/static/<name>"
 * if the file is unknown; a pool string, NULL when out of memory. */
const char *static_url(const char *name, struct pool *pool);

#endif
