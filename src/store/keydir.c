/* keydir.c — the key directory (see keydir.h). */
#include "store/keydir.h"

#include "store/db_driver.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void keydir_init(struct keydir *k)
{
    k->path[0] = '\0';
    k->fd = -1;
}

void keydir_release(struct keydir *k)
{
    if (k->fd >= 0)
        close(k->fd);
    k->fd = -1;
}

int keydir_default_path(const char *db_url, char *out, size_t n, struct err *e)
{
    size_t len;
    int k;
    if (!db_url || !*db_url)
        return err_set(e, ERR_INVALID, "no database given: a SQLite file path or postgres://…");
    if (db_url_is_pg(db_url)) {
        k = snprintf(out, n, "dissent.keys");
    } else {
        len = strlen(db_url);
        if (len > 3 && strcmp(db_url + len - 3, ".db") == 0)
            len -= 3;
        k = snprintf(out, n, "%.*s.keys", (int)len, db_url);
    }
    if (k < 0 || (size_t)k >= n)
        return err_set(e, ERR_TOO_LARGE, "the key directory's path is too long");
    return 0;
}

int keydir_open(struct keydir *k, const char *path, struct err *e)
{
    int rc = -1;
    struct stat sb;
    size_t n = strlen(path);

    keydir_release(k);
    if (n == 0 || n >= sizeof k->path) {
        rc = err_set(e, ERR_INVALID, "the key directory's path is empty or too long");
        goto out;
    }
    memcpy(k->path, path, n + 1);
    /* Create only what is missing: a read-only directory (systemd's
     * credentials) must open without a write being tried. */
    if (stat(path, &sb) != 0 && errno == ENOENT && mkdir(path, 0700) != 0 && errno != EEXIST) {
        rc = err_set(e, ERR_IO, "cannot create the key directory %s: %s", path, strerror(errno));
        goto out;
    }
    k->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (k->fd < 0) {
        rc = err_set(e, ERR_IO, "cannot open the key directory %s: %s", path, strerror(errno));
        goto out;
    }
    if (fstat(k->fd, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        rc = err_set(e, ERR_IO, "the key directory %s is not a directory", path);
        goto out;
    }
    if (sb.st_mode & 077) {
        rc = err_set(e, ERR_FORBIDDEN,
                     "the key directory %s has mode %04o: group or others may use it; run "
                     "'chmod 700 %s' (and check who could have copied its keys)",
                     path, (unsigned)(sb.st_mode & 07777), path);
        goto out;
    }
    rc = 0;
out:
    if (rc)
        keydir_release(k);
    return rc;
}

/* Refuses a key file that is not regular or that group or others may access. */
static int check_file(const struct keydir *k, const char *name, int fd, struct err *e)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return err_set(e, ERR_IO, "the key file %s/%s is not a regular file", k->path, name);
    if (sb.st_mode & 077)
        return err_set(e, ERR_FORBIDDEN,
                       "the key file %s/%s has mode %04o: group or others may read it; run "
                       "'chmod 600 %s/%s' (and check who could have copied it)",
                       k->path, name, (unsigned)(sb.st_mode & 07777), k->path, name);
    return 0;
}

int keydir_read(const struct keydir *k, const char *name, unsigned char *buf, size_t max,
                size_t *len, int *found, struct err *e)
{
    int rc = -1, fd = -1;
    size_t got = 0;
    ssize_t r;

    *found = 0;
    *len = 0;
    if (k->fd < 0) {
        rc = err_set(e, ERR_INTERNAL, "the key directory is not open");
        goto out;
    }
    fd = openat(k->fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            rc = 0;
        else
            rc = err_set(e, ERR_IO, "cannot open the key file %s/%s: %s", k->path, name,
                         strerror(errno));
        goto out;
    }
    if (check_file(k, name, fd, e))
        goto out;
    for (;;) {
        r = read(fd, buf + got, max - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = err_set(e, ERR_IO, "cannot read the key file %s/%s: %s", k->path, name,
                         strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        got += (size_t)r;
        if (got == max) {
            unsigned char extra;
            if (read(fd, &extra, 1) > 0) {
                rc = err_set(e, ERR_INVALID, "the key file %s/%s is too large", k->path, name);
                goto out;
            }
            break;
        }
    }
    *len = got;
    *found = 1;
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

int keydir_write(const struct keydir *k, const char *name, const unsigned char *data, size_t len,
                 struct err *e)
{
    int rc = -1, fd = -1;
    char tmp[256];
    size_t done = 0;

    if (k->fd < 0) {
        rc = err_set(e, ERR_INTERNAL, "the key directory is not open");
        goto out;
    }
    snprintf(tmp, sizeof tmp, ".%s.tmp", name);
    if (unlinkat(k->fd, tmp, 0) != 0 && errno != ENOENT) {
        rc = err_set(e, ERR_IO, "cannot write in the key directory %s: %s", k->path,
                     strerror(errno));
        goto out;
    }
    fd = openat(k->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = err_set(e, ERR_IO, "cannot create a key file in %s: %s", k->path, strerror(errno));
        goto out;
    }
    while (done < len) {
        ssize_t r = write(fd, data + done, len - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = err_set(e, ERR_IO, "cannot write the key file %s/%s: %s", k->path, name,
                         strerror(errno));
            goto out;
        }
        done += (size_t)r;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        fd = -1;
        rc = err_set(e, ERR_IO, "cannot write the key file %s/%s: %s", k->path, name,
                     strerror(errno));
        goto out;
    }
    fd = -1;
    /* link, not rename: a key that exists is never replaced. */
    if (linkat(k->fd, tmp, k->fd, name, 0) != 0) {
        if (errno == EEXIST)
            rc = err_set(e, ERR_CONFLICT, "the key file %s/%s exists already", k->path, name);
        else
            rc = err_set(e, ERR_IO, "cannot create the key file %s/%s: %s", k->path, name,
                         strerror(errno));
        goto out;
    }
    if (fsync(k->fd) != 0) {
        rc = err_set(e, ERR_IO, "cannot sync the key directory %s: %s", k->path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (k->fd >= 0)
        (void)unlinkat(k->fd, tmp, 0);
    return rc;
}

int keydir_replace(const struct keydir *k, const char *from, const char *to, struct err *e)
{
    if (k->fd < 0)
        return err_set(e, ERR_INTERNAL, "the key directory is not open");
    if (renameat(k->fd, from, k->fd, to) != 0)
        return err_set(e, ERR_IO, "cannot rename %s/%s to %s: %s", k->path, from, to,
                       strerror(errno));
    if (fsync(k->fd) != 0)
        return err_set(e, ERR_IO, "cannot sync the key directory %s: %s", k->path, strerror(errno));
    return 0;
}

int keydir_remove(const struct keydir *k, const char *name, struct err *e)
{
    if (k->fd < 0)
        return err_set(e, ERR_INTERNAL, "the key directory is not open");
    if (unlinkat(k->fd, name, 0) != 0 && errno != ENOENT)
        return err_set(e, ERR_IO, "cannot remove %s/%s: %s", k->path, name, strerror(errno));
    return 0;
}
