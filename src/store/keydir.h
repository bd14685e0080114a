/* keydir.h — the key directory: the installation's secrets, kept out of the
 * database (docs/operations.md, "Keys").
 *
 * A directory of mode 0700 (no access for group or others) holding files
 * of mode 0600: KEYDIR_LOG_KEY, the transparency log's Ed25519 signing key
 * (a "PRIVATE+KEY+…" line), and KEYDIR_DATA_KEY, the data-encryption key
 * that wraps every memo's key (64 hex digits), and KEYDIR_COMMIT_KEY, the
 * commitment key (64 hex digits). Anything more open is
 * refused with a message naming the file and the chmod that fixes it. The
 * directory may be read-only (systemd's $CREDENTIALS_DIRECTORY): then every
 * key must exist already. Files are read and written relative to the open
 * directory, never through symbolic links. */
#ifndef DISSENT_STORE_KEYDIR_H
#define DISSENT_STORE_KEYDIR_H

#include "base/err.h"
#include <stddef.h>

#define KEYDIR_LOG_KEY  "log.key"
#define KEYDIR_DATA_KEY "data.key"
/* The commitment key: 32 random bytes (64 hex digits) from which the salts
 * of commitments to answers, reasons and named signers are derived
 * (channel/commit_key.c). */
#define KEYDIR_COMMIT_KEY "commit.key"
/* A new data key while a rotation is under way (store_rotate_data_key). */
#define KEYDIR_DATA_KEY_NEW "data.key.new"
#define KEYDIR_PATH_MAX     4096

struct keydir {
    char path[KEYDIR_PATH_MAX];
    int fd; /* the open directory, -1 when none */
};

/* An unopened key directory. */
void keydir_init(struct keydir *k);
/* Closes the directory. */
void keydir_release(struct keydir *k);

/* The key directory used when none is named: beside a SQLite database,
 * its path with a final ".db" replaced by ".keys" (dissent.db ->
 * dissent.keys; other names get ".keys" appended); for a PostgreSQL URL,
 * "dissent.keys" in the working directory. Returns 0, or -1 (ERR_TOO_LARGE). */
int keydir_default_path(const char *db_url, char *out, size_t n, struct err *e) WUR;

/* Opens the directory at path, creating it 0700 when missing, and refuses
 * one that is not a directory or that group or others may access. */
int keydir_open(struct keydir *k, const char *path, struct err *e) WUR;

/* Reads key file name into buf (at most max bytes; a larger file is
 * refused) and sets *len; *found = 0 (and 0 returned) when there is no such
 * file. Refuses a file that is not regular or that group or others may
 * access. The caller wipes buf. */
int keydir_read(const struct keydir *k, const char *name, unsigned char *buf, size_t max,
                size_t *len, int *found, struct err *e) WUR;

/* Creates key file name, mode 0600, holding len bytes of data, durably
 * (written to a temporary name, synced, then linked into place). Refuses
 * (ERR_CONFLICT) when the file exists already: keys are never overwritten. */
int keydir_write(const struct keydir *k, const char *name, const unsigned char *data, size_t len,
                 struct err *e) WUR;

/* Renames key file from to name to, replacing to, durably. */
int keydir_replace(const struct keydir *k, const char *from, const char *to, struct err *e) WUR;

/* Removes key file name; 0 also when it does not exist. */
int keydir_remove(const struct keydir *k, const char *name, struct err *e) WUR;

#endif
