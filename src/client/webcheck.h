/* webcheck.h — checking the web client a server serves against the log
 * (`dissent verify-web`): the release manifest (GET /api/v1/client/release,
 * format in http/release.h and docs/protocol-tlog.md "client-release"), the
 * "client-release" leaves of the log, and the verdict. The caller fetches;
 * nothing here trusts the server: leaves come from logc_fetch_leaves
 * re-hashed to a checked checkpoint, and the manifest counts only through
 * its SHA-256 in such a leaf. */
#ifndef DISSENT_CLIENT_WEBCHECK_H
#define DISSENT_CLIENT_WEBCHECK_H

#include "base/compat.h"
#include "base/err.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define WEBCK_HEADER "dissent-client-release-v1"

/* A parsed manifest. */
struct webck_manifest {
    char version[65];
    char sha256[65]; /* of the manifest text as received */
    json_t *entries; /* [{path, sha256, served}]: served is true for "/..." paths */
};

void webck_manifest_init(struct webck_manifest *m);
void webck_manifest_release(struct webck_manifest *m);

/* Parses text[0..len): the header line, "version V" (V: 1-64 of A-Za-z0-9
 * . _ -), then lines "<64 lowercase hex> <path>" with path "/static/<name>",
 * "/static/<folder>/<name>" or "template/<name>.html" (name, folder:
 * A-Za-z0-9 . _ -, not starting with a dot), no path twice, every
 * line ended by LF. Fills m (released first). Returns 0, or -1 with
 * ERR_INVALID naming the line. */
int webck_manifest_parse(const char *text, size_t len, struct webck_manifest *m, struct err *e) WUR;

/* Looks through leaves (an array of {index, data}, as logc_fetch_leaves
 * returns them) for "client-release" leaves, each checked against the table
 * of leaf kinds: *latest (a new reference to the parsed leaf, with "index"
 * added; NULL when the log has none) is the last one, and *match the index
 * of the last one whose manifest is digest (-1 if none). Returns 0, or -1
 * (ERR_CRYPTO: a client-release leaf that is not well formed). */
int webck_releases(const json_t *leaves, const char *digest, json_t **latest, int64_t *match,
                   struct err *e) WUR;

/* Whether the release m is the log's latest (latest, match from
 * webck_releases): appends a sentence to problems for each thing wrong —
 * no release in the log, a manifest the log never recorded, an older
 * release than the latest, a version or entry count other than the leaf's.
 * Returns the number of problems added. */
size_t webck_release_problems(const json_t *latest, int64_t match, const struct webck_manifest *m,
                              json_t *problems);

/* SHA-256 of data as 64 lowercase hex digits and a NUL. */
void webck_sha256_hex(const void *data, size_t len, char out[65]);

#endif
