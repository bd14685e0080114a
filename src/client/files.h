/* files.h — the client's private files (saved session, monitor state, log-key
 * pins, ring key files): directories created 0700, files written atomically
 * with mode 0600 and flushed before they replace the old ones. */
#ifndef DISSENT_CLIENT_FILES_H
#define DISSENT_CLIENT_FILES_H

#include "base/err.h"
#include <stddef.h>

/* Longest path the client accepts for its files. */
#define FILES_PATH_MAX 1024

/* Creates every missing directory above path's last component (mode 0700).
 * Returns 0 or -1 (ERR_INVALID: path too long; ERR_IO). */
int files_make_parents(const char *path, struct err *e) WUR;

/* Writes len bytes of data to path atomically: a 0600 temporary file in the
 * same directory, fsync, rename, fsync of the directory. The parents are
 * created first. On failure the old file, if any, is untouched.
 * Returns 0 or -1 (ERR_INVALID, ERR_IO). */
int files_write_private(const char *path, const void *data, size_t len, struct err *e) WUR;

#endif
