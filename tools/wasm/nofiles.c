/* nofiles.c — client/files.h for the WebAssembly module: a page has no
 * file system, and the module only checks receipts (client/receipts.c),
 * never saves them (the page keeps them in localStorage). Saving fails
 * with a clear error rather than linking the POSIX file code. */
#include "client/files.h"

int files_make_parents(const char *path, struct err *e)
{
    (void)path;
    return err_set(e, ERR_STATE, "the signing module has no files");
}

int files_write_private(const char *path, const void *data, size_t len, struct err *e)
{
    (void)path;
    (void)data;
    (void)len;
    return err_set(e, ERR_STATE, "the signing module has no files");
}

int files_read_optional(const char *path, struct buf *out, int *found, struct err *e)
{
    (void)path;
    (void)out;
    *found = 0;
    return err_set(e, ERR_STATE, "the signing module has no files");
}
