/* files.c — private files of the client, written atomically. */
#include "client/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int files_make_parents(const char *path, struct err *e)
{
    char dir[FILES_PATH_MAX];
    int rc = 0;
    size_t len = strlen(path);
    if (len >= sizeof dir)
        return err_set(e, ERR_INVALID, "the path %.80s... is longer than %d bytes", path,
                       FILES_PATH_MAX - 1);
    memcpy(dir, path, len + 1);
    for (char *p = dir + 1; *p && rc == 0; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            rc = err_set(e, ERR_IO, "cannot create the directory %s: %s", dir, strerror(errno));
        *p = '/';
    }
    return rc;
}

/* fsyncs the directory holding path, so that a rename into it is durable. */
static void sync_dir(const char *path)
{
    char dir[FILES_PATH_MAX];
    char *slash;
    int fd;
    snprintf(dir, sizeof dir, "%s", path);
    slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

int files_write_private(const char *path, const void *data, size_t len, struct err *e)
{
    int rc = -1, fd = -1, have_tmp = 0;
    char tmp[FILES_PATH_MAX + 16];
    const char *p = data;

    if (files_make_parents(path, e))
        goto out;
    if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp) {
        err_set(e, ERR_INVALID, "the path %.80s... is too long", path);
        goto out;
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        err_set(e, ERR_IO, "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    have_tmp = 1;
    if (fchmod(fd, 0600) != 0) {
        err_set(e, ERR_IO, "cannot restrict %s: %s", tmp, strerror(errno));
        goto out;
    }
    for (size_t off = 0; off < len;) {
        ssize_t k = write(fd, p + off, len - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            err_set(e, ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
            goto out;
        }
        off += (size_t)k;
    }
    if (fsync(fd) != 0) {
        err_set(e, ERR_IO, "cannot flush %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        err_set(e, ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        err_set(e, ERR_IO, "cannot save %s: %s", path, strerror(errno));
        goto out;
    }
    have_tmp = 0;
    sync_dir(path);
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (have_tmp)
        unlink(tmp);
    return rc;
}

int files_read_optional(const char *path, struct buf *out, int *found, struct err *e)
{
    int rc = -1;
    char chunk[4096];
    size_t n;
    struct err why;
    FILE *f = fopen(path, "rb");
    *found = 0;
    err_init(&why);
    if (!f) {
        if (errno == ENOENT)
            return 0;
        return err_set(e, ERR_IO, "cannot read %s: %s", path, strerror(errno));
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_append(out, chunk, n, &why) != 0) {
            if (why.code == ERR_TOO_LARGE)
                err_set(e, ERR_TOO_LARGE, "%s is larger than %zu bytes", path, out->max);
            else
                err_set(e, why.code, "%s", why.msg);
            goto out;
        }
    if (ferror(f)) {
        err_set(e, ERR_IO, "cannot read %s", path);
        goto out;
    }
    *found = 1;
    rc = 0;
out:
    fclose(f);
    return rc;
}
