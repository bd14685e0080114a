/* loghistory.c — the client's checkpoint history and witness policy file. */
#include "client/loghistory.h"

#include "base/util.h"
#include "client/files.h"
#include "client/logclient.h"
#include "tlog/cosignature.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int loghist_policy_load(struct tlog_policy *p, struct err *e)
{
    const char *path = getenv("DISSENT_WITNESS_POLICY");
    FILE *f;
    char *text = NULL;
    size_t len;
    int rc = -1;
    tlog_policy_init(p);
    if (!path || !path[0])
        return 0;
    f = fopen(path, "r");
    if (!f)
        return err_set(e, ERR_IO, "cannot read the witness policy %s: %s", path, strerror(errno));
    /* one byte over the limit, so the parser sees a file that is too large */
    text = malloc(TLOG_POLICY_FILE_MAX + 1);
    if (!text) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    len = fread(text, 1, TLOG_POLICY_FILE_MAX + 1, f);
    if (ferror(f)) {
        err_set(e, ERR_IO, "cannot read the witness policy %s", path);
        goto out;
    }
    if (tlog_policy_parse(p, text, len, e) != 0) {
        char why[ERR_MSG_MAX];
        memcpy(why, e->msg, sizeof why);
        err_set(e, ERR_INVALID, "witness policy %.100s, %.200s", path, why);
        goto out;
    }
    rc = 0;
out:
    free(text);
    fclose(f);
    return rc;
}

int loghist_policy_check(const char *note, size_t len, uint64_t size, struct err *e)
{
    struct tlog_policy policy;
    struct tlog_note n;
    struct err why;
    err_init(&why);
    if (loghist_policy_load(&policy, e) != 0)
        return -1;
    if (policy.n == 0 && policy.nlogs == 0)
        return 0;
    if (tlog_note_parse(&n, note, len, e) != 0)
        return -1;
    if (tlog_policy_check_log(&policy, &n, &why) != 0 ||
        tlog_policy_check_at(&policy, &n, (uint64_t)time(NULL), NULL, NULL, &why) != 0)
        return err_set(e, ERR_CRYPTO,
                       "the checkpoint of size %" PRIu64 " fails the witness policy: %s", size,
                       why.msg);
    return 0;
}

static int history_path_ext(const char *origin, const char *ext, char *out, size_t n,
                            struct err *e);

static int history_path(const char *origin, char *out, size_t n, struct err *e)
{
    return history_path_ext(origin, "note", out, n, e);
}

static int history_path_ext(const char *origin, const char *ext, char *out, size_t n, struct err *e)
{
    const char *env = getenv("DISSENT_LOG_HISTORY");
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof h + 1], pins[FILES_PATH_MAX];
    int k;
    crypto_hash_sha256(h, (const unsigned char *)origin, strlen(origin));
    hex_encode(hex, h, sizeof h);
    if (env && env[0]) {
        k = snprintf(out, n, "%s/%s.%s", env, hex, ext);
    } else {
        /* beside the pinned keys */
        char *slash;
        if (logc_pins_path(pins, sizeof pins, e) != 0)
            return -1;
        slash = strrchr(pins, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(pins, sizeof pins, ".");
        k = snprintf(out, n, "%s/checkpoints/%s.%s", pins, hex, ext);
    }
    if (k < 0 || (size_t)k >= n)
        return err_set(e, ERR_INVALID, "the checkpoint history path is too long");
    return 0;
}

int loghist_load(const struct tlog_verifier *v, struct tlog_checkpoint *cp, struct buf *note,
                 int *found, struct err *e)
{
    char path[FILES_PATH_MAX];
    struct err why;
    *found = 0;
    err_init(&why);
    if (history_path(v->name, path, sizeof path, e) != 0 ||
        files_read_optional(path, note, found, e) != 0)
        return -1;
    if (*found && tlog_checkpoint_open(cp, note->data, note->len, v, &why) != 0) {
        *found = 0;
        return err_set(e, ERR_CRYPTO,
                       "the checkpoint history %s does not open with the log key: %s", path,
                       why.msg);
    }
    return 0;
}

int loghist_save(const struct tlog_verifier *v, const char *note, size_t len, struct err *e)
{
    char path[FILES_PATH_MAX];
    if (history_path(v->name, path, sizeof path, e) != 0)
        return -1;
    return files_write_private(path, note, len, e);
}

/* The file of one seen note: <hex>.seen/<size>-<root prefix>.note. */
static int seen_path(const struct tlog_verifier *v, uint64_t size,
                     const unsigned char root[TLOG_HASH_SIZE], char *path, size_t n, struct err *e)
{
    char ext[64], rh[17];
    hex_encode(rh, root, 8);
    snprintf(ext, sizeof ext, "seen/%" PRIu64 "-%s.note", size, rh);
    return history_path_ext(v->name, ext, path, n, e);
}

int loghist_seen_add(const struct tlog_verifier *v, const char *note, size_t len, struct err *e)
{
    struct tlog_checkpoint cp;
    char path[FILES_PATH_MAX];
    struct err why;
    err_init(&why);
    if (tlog_checkpoint_open(&cp, note, len, v, &why) != 0)
        return err_set(e, ERR_INVALID, "a note to keep does not open with the log key: %s",
                       why.msg);
    if (seen_path(v, cp.size, cp.root, path, sizeof path, e) != 0)
        return -1;
    if (access(path, F_OK) == 0)
        return 0; /* kept as first seen */
    return files_write_private(path, note, len, e);
}

int loghist_seen_find(const struct tlog_verifier *v, uint64_t size,
                      const unsigned char root[TLOG_HASH_SIZE], struct buf *note, int *found,
                      struct err *e)
{
    char path[FILES_PATH_MAX];
    *found = 0;
    if (seen_path(v, size, root, path, sizeof path, e) != 0)
        return -1;
    return files_read_optional(path, note, found, e);
}

int loghist_evidence_path(const struct tlog_verifier *v, uint64_t a, uint64_t b, char *path,
                          size_t n, struct err *e)
{
    char ext[64];
    char full[FILES_PATH_MAX], *slash;
    /* beside the history, named shortly: the path goes into messages */
    if (history_path_ext(v->name, "note", full, sizeof full, e) != 0)
        return -1;
    slash = strrchr(full, '/');
    snprintf(ext, sizeof ext, "evidence-%.16s-%" PRIu64 "-%" PRIu64 ".json",
             slash ? slash + 1 : full, a, b);
    if (slash)
        slash[1] = '\0';
    else
        full[0] = '\0';
    if (snprintf(path, n, "%s%s", full, ext) >= (int)n)
        return err_set(e, ERR_INVALID, "the evidence path is too long");
    return 0;
}
