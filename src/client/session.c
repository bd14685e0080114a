/* session.c — load, save and remove the CLI's saved login. */
#include "client/session.h"
#include "client/files.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SESSION_FILE_MAX (64 * 1024)

int session_path(char *out, size_t n, struct err *e)
{
    const char *cfg = getenv("DISSENT_CONFIG");
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int w;

    if (cfg && cfg[0])
        w = snprintf(out, n, "%s", cfg);
    else if (xdg && xdg[0] == '/')
        w = snprintf(out, n, "%s/dissent/session.json", xdg);
    else if (home && home[0])
        w = snprintf(out, n, "%s/.config/dissent/session.json", home);
    else
        return err_set(e, ERR_INVALID,
                       "cannot tell where to keep the session: set DISSENT_CONFIG or HOME");
    if (w < 0 || (size_t)w >= n)
        return err_set(e, ERR_INVALID, "the session file path is longer than %zu bytes", n - 1);
    return 0;
}

void session_wipe(struct session *s)
{
    sodium_memzero(s->token, sizeof s->token);
}

/* Copies a string field of the session object; missing is allowed for none. */
static int get_field(json_t *root, const char *key, char *out, size_t n, const char *path,
                     struct err *e)
{
    json_t *v = json_object_get(root, key);
    const char *s = json_string_value(v);
    if (!s || strlen(s) >= n)
        return err_set(e, ERR_INVALID, "%s: field '%s' is missing or too long", path, key);
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

int session_load(const char *path, struct session *s, int *found, struct err *e)
{
    int rc = -1;
    int fd = -1;
    struct stat st;
    char *data = NULL;
    ssize_t got = 0;
    json_t *root = NULL;
    json_error_t je;

    memset(s, 0, sizeof *s);
    *found = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) {
            rc = 0;
        } else {
            err_set(e, ERR_IO, "cannot read the session file %s: %s", path, strerror(errno));
        }
        goto out;
    }
    *found = 1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        err_set(e, ERR_IO, "the session file %s is not a regular file", path);
        goto out;
    }
    if (st.st_size > SESSION_FILE_MAX) {
        err_set(e, ERR_TOO_LARGE, "the session file %s is larger than %d bytes", path,
                SESSION_FILE_MAX);
        goto out;
    }
    s->loose_mode = (st.st_mode & 077) != 0;
    data = malloc((size_t)st.st_size + 1);
    if (!data) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    while (got < st.st_size) {
        ssize_t k = read(fd, data + got, (size_t)(st.st_size - got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += k;
    }
    root = json_loadb(data, (size_t)got, JSON_REJECT_DUPLICATES, &je);
    if (!root || !json_is_object(root)) {
        err_set(e, ERR_INVALID, "the session file %s is not valid; run 'dissent login' again",
                path);
        goto out;
    }
    if (get_field(root, "server", s->server, sizeof s->server, path, e) != 0 ||
        get_field(root, "token", s->token, sizeof s->token, path, e) != 0 ||
        get_field(root, "username", s->username, sizeof s->username, path, e) != 0)
        goto out;
    rc = 0;
out:
    if (rc != 0)
        session_wipe(s);
    if (root) {
        /* Wipe the token inside jansson's copy before freeing it. */
        const char *t = json_string_value(json_object_get(root, "token"));
        if (t)
            sodium_memzero((char *)t, strlen(t));
        json_decref(root);
    }
    if (data) {
        sodium_memzero(data, (size_t)st.st_size);
        free(data);
    }
    if (fd >= 0)
        close(fd);
    return rc;
}

int session_save(const char *path, const struct session *s, struct err *e)
{
    int rc = -1;
    char *text = NULL, *line = NULL;
    size_t len = 0;
    json_t *root = NULL;

    root = json_pack("{s:s, s:s, s:s}", "server", s->server, "token", s->token, "username",
                     s->username);
    if (!root || !(text = json_dumps(root, JSON_INDENT(2)))) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    len = strlen(text);
    line = malloc(len + 1);
    if (!line) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    memcpy(line, text, len);
    line[len] = '\n';
    if (files_write_private(path, line, len + 1, e))
        goto out;
    rc = 0;
out:
    if (line) {
        sodium_memzero(line, len + 1);
        free(line);
    }
    if (text) {
        sodium_memzero(text, len);
        free(text);
    }
    if (root) {
        const char *t = json_string_value(json_object_get(root, "token"));
        if (t)
            sodium_memzero((char *)t, strlen(t));
        json_decref(root);
    }
    return rc;
}

int session_remove(const char *path, int *existed, struct err *e)
{
    *existed = 0;
    if (unlink(path) == 0) {
        *existed = 1;
        return 0;
    }
    if (errno == ENOENT)
        return 0;
    return err_set(e, ERR_IO, "cannot remove the session file %s: %s", path, strerror(errno));
}

int session_keep(const char *path, const char *server, const char *username, const json_t *reply,
                 struct session *s, struct err *e)
{
    const char *token = json_string_value(json_object_get(reply, "token"));
    if (!token || strlen(token) >= sizeof s->token)
        return err_set(e, ERR_IO, "the server's reply has no usable session token");
    if (strlen(server) >= sizeof s->server || strlen(username) >= sizeof s->username)
        return err_set(e, ERR_INVALID, "the server address or user name is too long to keep");
    snprintf(s->server, sizeof s->server, "%s", server);
    snprintf(s->token, sizeof s->token, "%s", token);
    snprintf(s->username, sizeof s->username, "%s", username);
    return session_save(path, s, e);
}
