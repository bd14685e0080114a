/* release.h — the release of the web client this server serves: a manifest
 * of every static file (and page template) with its SHA-256, logged as a
 * "client-release" leaf when it changes (channel/chan.h,
 * chan_client_release) and served at GET /api/v1/client/release, so
 * `dissent verify-web` can compare what is served with what the log says.
 *
 * The manifest (docs/protocol-tlog.md, "client-release") is text, LF line
 * ends:
 *
 *     dissent-client-release-v1
 *     version 0.1.0-dev
 *     <sha256 hex> /static/<name>        one per served static file, by name
 *     <sha256 hex> template/<name>.html  one per page template, by name
 *
 * A line whose path starts with "/" is served verbatim at that path (and so
 * checkable by anyone); templates are rendered with data, so their lines
 * record which templates a release had, without being fetchable. */
#ifndef DISSENT_HTTP_RELEASE_H
#define DISSENT_HTTP_RELEASE_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"
#include "http/server.h"

#include <stdint.h>

#define WEB_RELEASE_HEADER "dissent-client-release-v1"

struct web_release {
    char version[65];    /* a slug: letters, digits, '.', '_', '-' */
    char digest[65];     /* SHA-256 hex of the manifest */
    struct buf manifest; /* the manifest text */
    int64_t files;       /* entries (lines after the two header lines) */
    int64_t leaf_index;  /* the log leaf recording it, or -1 */
};

/* An empty release (leaf_index -1). */
void web_release_init(struct web_release *r);

/* Frees what r holds. */
void web_release_release(struct web_release *r);

/* Builds the manifest of what the server serves now (http/static.h:
 * embedded files, or the override directory's) and its digest, under
 * version. Returns 0, or -1 (ERR_INVALID: version is not 1-64 of
 * A-Za-z0-9 . _ -; ERR_IO: an override file cannot be read). */
int web_release_build(struct web_release *r, const char *version, struct err *e) WUR;

/* GET /api/v1/client/release: {version, manifest, sha256, files,
 * leaf_index}; public, CORS. The app's release (struct app) must be set. */
extern const struct http_route api_release_routes[];
extern const size_t api_release_routes_count;

#endif
