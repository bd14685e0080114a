/* serve_release.h — what `dissent serve` does at start about the web client
 * release (http/release.h): applies --static-dir, builds the manifest of
 * what it will serve, and appends a "client-release" leaf to the log when
 * the log's last release differs (chan_client_release): a new build, or
 * other files in the override directory. Restarting the same build appends
 * nothing. */
#ifndef DISSENT_CLI_SERVE_RELEASE_H
#define DISSENT_CLI_SERVE_RELEASE_H

#include "base/compat.h"
#include "base/err.h"
#include "http/release.h"

struct chan;

/* Serves static_dir's files in place of the embedded ones (NULL: none),
 * builds r (web_release_init'ed by the caller) under version and logs it
 * through c. *appended says whether a leaf was added. Returns 0, or -1
 * with e (nothing is served then: the caller stops). */
int serve_release_start(struct chan *c, const char *static_dir, const char *version,
                        struct web_release *r, int *appended, struct err *e) WUR;

#endif
