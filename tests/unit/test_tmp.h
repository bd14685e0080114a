/* test_tmp.h — where tests put their files, and how they take them away.
 * Every temporary file or directory of a test is made under tt_dir() ($TMPDIR
 * when set, else /tmp) from a template made by tt_template(), and removed
 * whole by tt_rm_tree(): a fixture that lists the files it expects to remove
 * goes stale when the code makes one more (the store's key directory,
 * src/store/keydir.c, did). scripts/run-tests.sh runs each program with
 * TMPDIR a fresh directory and fails it when anything is left there.
 * nftw needs _XOPEN_SOURCE (the Makefile sets it for tests). */
#ifndef DISSENT_TESTS_UNIT_TEST_TMP_H
#define DISSENT_TESTS_UNIT_TEST_TMP_H

#include <errno.h>
#include <ftw.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Room for a temporary path: tt_dir() and a name, with room for suffixes. */
#define TT_PATH_MAX 256

/* The directory temporary files go under: $TMPDIR, else /tmp. */
static inline const char *tt_dir(void)
{
    const char *d = getenv("TMPDIR");
    return d && *d ? d : "/tmp";
}

/* Writes "<tt_dir()>/<name>-XXXXXX" to buf, for mkstemp or mkdtemp; aborts
 * when it does not fit (a cut template would name another place). */
static inline char *tt_template(char *buf, size_t cap, const char *name)
{
    int n = snprintf(buf, cap, "%s/%s-XXXXXX", tt_dir(), name);
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, "test_tmp: %s/%s-XXXXXX does not fit in %zu bytes\n", tt_dir(), name, cap);
        abort();
    }
    return buf;
}

/* A new directory "<tt_dir()>/<name>-XXXXXX", its path in buf; aborts on failure. */
static inline char *tt_mkdtemp(char *buf, size_t cap, const char *name)
{
    tt_template(buf, cap, name);
    if (!mkdtemp(buf)) {
        perror(buf);
        abort();
    }
    return buf;
}

static inline int tt_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

/* Removes path and everything under it (a file or a directory; symbolic
 * links are removed, not followed). Returns 0, also when path is absent;
 * -1 when something could not be removed. */
static inline int tt_rm_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    return nftw(path, tt_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
