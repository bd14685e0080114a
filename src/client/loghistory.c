/* loghistory.c — the client's checkpoint history and witness policy file. */
#include "client/loghistory.h"

#include "base/util.h"
#include "client/evidence.h"
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

int loghist_check(struct client *c, const struct tlog_verifier *v, const struct tlog_checkpoint *cp,
                  const char *note, size_t len, struct tlog_checkpoint *prev, struct err *e)
{
    int rc = -1, found = 0, fetched = 0;
    struct buf old_note;
    struct tlog_checkpoint old;
    struct tlog_proof p;
    struct err why;

    err_init(&why);
    buf_init(&old_note, TLOG_NOTE_MAX);
    /* every note seen is kept, cosignatures included: two that contradict
     * each other are evidence anyone can check */
    if (loghist_seen_add(v, note, len, e) != 0 || loghist_load(v, &old, &old_note, &found, e) != 0)
        goto out;
    if (found && old.size > 0) {
        if (cp->size == old.size) {
            if (memcmp(cp->root, old.root, TLOG_HASH_SIZE) != 0) {
                err_set(e, ERR_CRYPTO,
                        "the checkpoint of size %" PRIu64
                        " has another root than the one seen before: a fork",
                        cp->size);
                evidence_keep_notes(v, old_note.data, note, NULL, "dissent checkpoint history", e);
                goto out;
            }
        } else {
            uint64_t lo = cp->size < old.size ? cp->size : old.size;
            uint64_t hi = cp->size < old.size ? old.size : cp->size;
            const unsigned char *rlo = cp->size < old.size ? cp->root : old.root;
            const unsigned char *rhi = cp->size < old.size ? old.root : cp->root;
            if (lo > 0)
                fetched = logc_fetch_consistency(c, lo, hi, &p, &why) == 0;
            if (!fetched || logc_verify_consistency(lo, hi, rlo, rhi, &p, &why) != 0) {
                err_set(e, ERR_CRYPTO,
                        "the checkpoint of size %" PRIu64
                        " is not consistent with the one seen before (size %" PRIu64 "): %.60s",
                        cp->size, old.size, why.msg);
                evidence_keep_notes(v, old_note.data, note, fetched ? &p : NULL,
                                    "dissent checkpoint history", e);
                goto out;
            }
        }
    }
    if ((!found || cp->size > old.size) && loghist_save(v, note, len, e) != 0)
        goto out;
    if (prev) {
        if (found)
            *prev = old;
        else
            memset(prev, 0, sizeof *prev);
    }
    rc = 0;
out:
    buf_release(&old_note);
    return rc;
}

#define LEAF_CACHE_MAGIC "dissent-leaf-cache/v1 "

int loghist_leaves_load(const struct tlog_verifier *v, json_t **leaves, struct logc_range *range,
                        struct buf *note, int *found, struct err *e)
{
    char path[FILES_PATH_MAX];
    struct buf text;
    const char *p, *end, *nl;
    unsigned char root[TLOG_HASH_SIZE];
    int64_t size = 0;
    uint64_t i = 0;
    int have = 0, rc = -1;
    json_t *arr = json_array();

    *found = 0;
    *leaves = NULL;
    logc_range_init(range);
    buf_init(&text, LOGHIST_LEAVES_MAX);
    if (!arr) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (history_path_ext(v->name, "leaves", path, sizeof path, e) != 0 ||
        files_read_optional(path, &text, &have, e) != 0)
        goto out;
    if (!have)
        goto done;
    p = text.data;
    end = text.data + text.len;
    nl = memchr(p, '\n', text.len);
    {
        char num[24];
        size_t ml = strlen(LEAF_CACHE_MAGIC), nn;
        if (!nl || (size_t)(nl - p) <= ml || memcmp(p, LEAF_CACHE_MAGIC, ml) != 0 ||
            (nn = (size_t)(nl - p) - ml) >= sizeof num)
            goto damaged;
        memcpy(num, p + ml, nn);
        num[nn] = '\0';
        if (parse_i64(num, 0, (int64_t)TLOG_MAX_SIZE, &size) != 0)
            goto damaged;
    }
    for (p = nl + 1; p < end; p = nl + 1, i++) {
        unsigned char h[TLOG_HASH_SIZE];
        json_t *row;
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl || i >= (uint64_t)size)
            goto damaged;
        tlog_hash_leaf(h, p, (size_t)(nl - p));
        row = json_pack("{s:I,s:s%}", "index", (json_int_t)i, "data", p, (size_t)(nl - p));
        if (!row || json_array_append_new(arr, row) != 0 || logc_range_append(range, h, e) != 0) {
            if (!row)
                err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    if (i != (uint64_t)size)
        goto damaged;
    logc_range_root(range, root);
    /* taken only as far as a signed note of that size and root vouches */
    if (size > 0 && loghist_seen_find(v, (uint64_t)size, root, note, found, e) != 0)
        goto out;
    if (!*found) {
        json_array_clear(arr);
        logc_range_init(range);
    }
done:
    *leaves = arr;
    arr = NULL;
    rc = 0;
    goto out;
damaged:
    err_set(e, ERR_INVALID,
            "the leaf cache %.200s is damaged (delete it: the leaves are fetched again)", path);
out:
    json_decref(arr);
    buf_release(&text);
    return rc;
}

int loghist_leaves_save(const struct tlog_verifier *v, const json_t *leaves, struct err *e)
{
    char path[FILES_PATH_MAX];
    struct buf text;
    size_t i;
    const json_t *row;
    int rc = -1;

    buf_init(&text, LOGHIST_LEAVES_MAX);
    if (history_path_ext(v->name, "leaves", path, sizeof path, e) != 0 ||
        buf_printf(&text, e, "%s%zu\n", LEAF_CACHE_MAGIC, json_array_size(leaves)) != 0)
        goto out;
    json_array_foreach(leaves, i, row)
    {
        const char *data = json_string_value(json_object_get(row, "data"));
        if (!data || strchr(data, '\n') ||
            json_integer_value(json_object_get(row, "index")) != (json_int_t)i) {
            err_set(e, ERR_INVALID, "leaf %zu cannot be kept in the leaf cache", i);
            goto out;
        }
        if (buf_puts(&text, data, e) != 0 || buf_append(&text, "\n", 1, e) != 0)
            goto out;
    }
    rc = files_write_private(path, text.data, text.len, e);
out:
    buf_release(&text);
    return rc;
}
