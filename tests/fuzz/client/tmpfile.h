/* tmpfile.h — the client's file parsers read paths: the harnesses write each
 * input to one file of their own under $TMPDIR (or /tmp), mode 0600. */
#ifndef DISSENT_TESTS_FUZZ_CLIENT_TMPFILE_H
#define DISSENT_TESTS_FUZZ_CLIENT_TMPFILE_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char fuzz_path[512];

static inline void fuzz_tmpfile_init(const char *what)
{
    const char *dir = getenv("TMPDIR");
    snprintf(fuzz_path, sizeof fuzz_path, "%s/dissent-fuzz-%s-%ld", dir && *dir ? dir : "/tmp",
             what, (long)getpid());
}

/* Writes data[0..n) to fuzz_path, replacing it. */
static inline void fuzz_tmpfile_write(const uint8_t *data, size_t n)
{
    int fd = open(fuzz_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t done = 0;
    if (fd < 0)
        abort();
    while (done < n) {
        ssize_t w = write(fd, data + done, n - done);
        if (w <= 0)
            abort();
        done += (size_t)w;
    }
    close(fd);
}

static void fuzz_tmpfile_remove(void)
{
    unlink(fuzz_path);
}

#endif
