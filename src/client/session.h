/* session.h — the saved login of the CLI: {server, token, username} in a JSON
 * file readable only by its owner (mode 0600, directory 0700).
 *
 * Where: $DISSENT_CONFIG if set, else ${XDG_CONFIG_HOME:-$HOME/.config}/dissent/session.json.
 */
#ifndef DISSENT_CLIENT_SESSION_H
#define DISSENT_CLIENT_SESSION_H

#include "base/compat.h"
#include "base/err.h"
#include "client/client.h"
#include <jansson.h>
#include <stddef.h>

#define SESSION_PATH_MAX 1024
#define SESSION_USER_MAX 128

struct session {
    char server[CLIENT_URL_MAX];
    char token[CLIENT_TOKEN_MAX];
    char username[SESSION_USER_MAX];
    int loose_mode; /* set by session_load: the file is readable by others */
};

/* Writes the path of the session file into out (size n), from the
 * environment as described above. Returns 0, or -1 when neither
 * DISSENT_CONFIG, XDG_CONFIG_HOME nor HOME is set. */
int session_path(char *out, size_t n, struct err *e) WUR;

/* Reads the session at path into s. *found is 0 (and s empty) when the file
 * does not exist. Returns 0, or -1 when it exists but cannot be read or is
 * not a valid session file. */
int session_load(const char *path, struct session *s, int *found, struct err *e) WUR;

/* Writes s to path atomically (a temporary file renamed over it) with mode
 * 0600, creating missing directories with mode 0700. Returns 0 or -1. */
int session_save(const char *path, const struct session *s, struct err *e) WUR;

/* Keeps the session a server granted: takes the bearer token from reply
 * (a login or account-setup reply, {"token": …}), fills s with server,
 * token and username, and saves it to path (session_save). Returns 0, or -1
 * when the reply has no usable token or the file cannot be written. */
int session_keep(const char *path, const char *server, const char *username, const json_t *reply,
                 struct session *s, struct err *e) WUR;

/* Removes the file at path. *existed tells whether there was one. Returns 0 or -1. */
int session_remove(const char *path, int *existed, struct err *e) WUR;

/* Wipes the token held in s. */
void session_wipe(struct session *s);

#endif
