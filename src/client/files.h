/* files.h — the client's private files (saved session, monitor state, log-key
 * pins, ring key files): directories created 0700, files written atomically
 * with mode 0600 and flushed before they replace the old ones. */
#ifndef DISSENT_CLIENT_FILES_H
#define DISSENT_CLIENT_FILES_H

#include "base/buf.h"
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

/* Appends the whole file at path to out (out's max bounds it: a larger file
 * is ERR_TOO_LARGE, naming the path). *found is 0 and nothing is read when
 * the file does not exist, which is not an error. Returns 0 or -1 (ERR_IO,
 * ERR_TOO_LARGE, ERR_NOMEM); on -1 out may hold part of the file. */
int files_read_optional(const char *path, struct buf *out, int *found, struct err *e) WUR;

#endif
