/* logclient.c — the public transparency log seen from outside: fetching and
 * checking checkpoints, leaves and proofs; leaf shapes (the
 * table of proto/events.h); the monitor's state file and the pinned keys of
 * `dissent verify`. */
#include "client/logclient.h"
#include "client/files.h"

#include "base/buf.h"
#include "base/util.h"
#include "proto/events.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- keys and proofs ---------------------------------------------------- */

int logc_key_parse(struct tlog_verifier *v, const char *key, struct err *e)
{
    return tlog_verifier_parse(v, key, strlen(key), e);
}

int logc_key_format(const struct tlog_verifier *v, char key[TLOG_VERIFIER_KEY_MAX], struct err *e)
{
    return tlog_verifier_format(v, key, e);
}

void logc_leaf_hash(const char *data, size_t len, unsigned char out[TLOG_HASH_SIZE])
{
    tlog_hash_leaf(out, data, len);
}

int logc_verify_inclusion(uint64_t index, uint64_t size,
                          const unsigned char leaf_hash[TLOG_HASH_SIZE], const struct tlog_proof *p,
                          const unsigned char root[TLOG_HASH_SIZE], struct err *e)
{
    return tlog_verify_inclusion(index, size, leaf_hash, p, root, e);
}

int logc_verify_consistency(uint64_t from, uint64_t to,
                            const unsigned char from_root[TLOG_HASH_SIZE],
                            const unsigned char to_root[TLOG_HASH_SIZE], const struct tlog_proof *p,
                            struct err *e)
{
    return tlog_verify_consistency(from, to, from_root, to_root, p, e);
}

/* ---- leaves ------------------------------------------------------------ */

int logc_leaf_check(const char *data, size_t len, json_t **parsed, struct err *e)
{
    /* The same table the server builds its leaves from. */
    return proto_leaf_check(data, len, parsed, e);
}

/* ---- the public log API ------------------------------------------------ */

int logc_get(struct client *c, const char *path, json_t **out, struct err *e)
{
    int rc = -1;
    struct client_reply r;
    client_reply_init(&r);
    if (client_request(c, "GET", path, NULL, &r, e))
        goto out;
    if (!json_is_object(r.json)) {
        err_set(e, ERR_IO, "the server's reply to %s is not a JSON object", path);
        goto out;
    }
    *out = r.json;
    r.json = NULL;
    rc = 0;
out:
    client_reply_release(&r);
    return rc;
}

int logc_fetch_key(struct client *c, struct tlog_verifier *v, char key[TLOG_VERIFIER_KEY_MAX],
                   struct err *e)
{
    char first[TLOG_VERIFIER_KEY_MAX];
    return logc_fetch_key_first(c, v, key, first, e);
}

int logc_fetch_key_first(struct client *c, struct tlog_verifier *v, char key[TLOG_VERIFIER_KEY_MAX],
                         char first[TLOG_VERIFIER_KEY_MAX], struct err *e)
{
    int rc = -1;
    json_t *o = NULL;
    const char *k, *f;
    if (logc_get(c, "/api/v1/log/key", &o, e))
        goto out;
    k = json_string_value(json_object_get(o, "verifier_key"));
    if (!k || strlen(k) >= TLOG_VERIFIER_KEY_MAX || tlog_verifier_parse(v, k, strlen(k), e)) {
        err_set(e, ERR_IO, "the server's log key is not a valid verifier key");
        goto out;
    }
    memcpy(key, k, strlen(k) + 1);
    f = json_string_value(json_object_get(o, "first_verifier_key"));
    if (!f || strlen(f) >= TLOG_VERIFIER_KEY_MAX)
        f = k;
    memcpy(first, f, strlen(f) + 1);
    rc = 0;
out:
    json_decref(o);
    return rc;
}

int logc_fetch_checkpoint(struct client *c, const struct tlog_verifier *v,
                          struct tlog_checkpoint *cp, struct err *e)
{
    return logc_fetch_checkpoint_note(c, v, cp, NULL, e);
}

int logc_fetch_checkpoint_note(struct client *c, const struct tlog_verifier *v,
                               struct tlog_checkpoint *cp, struct buf *note_out, struct err *e)
{
    int rc = -1;
    json_t *o = NULL;
    const char *note, *root;
    unsigned char r[TLOG_HASH_SIZE];
    struct err why;

    err_init(&why);
    if (logc_get(c, "/api/v1/log/checkpoint", &o, e))
        goto out;
    note = json_string_value(json_object_get(o, "note"));
    if (!note) {
        err_set(e, ERR_IO, "the server's checkpoint reply has no signed note");
        goto out;
    }
    if (tlog_checkpoint_open(cp, note, strlen(note), v, &why)) {
        char hex[2 * TLOG_KEY_ID_SIZE + 1], got[96] = "";
        struct tlog_note n;
        hex_encode(hex, v->key_id, TLOG_KEY_ID_SIZE);
        /* name the key ids the note carries: expected vs got */
        if (tlog_note_parse(&n, note, strlen(note), NULL) == 0)
            for (size_t i = 0; i < n.nsigs && strlen(got) + 12 < sizeof got; i++) {
                char h[2 * TLOG_KEY_ID_SIZE + 1];
                size_t at = strlen(got);
                hex_encode(h, n.sigs[i].key_id, TLOG_KEY_ID_SIZE);
                snprintf(got + at, sizeof got - at, "%s%s", at ? ", " : "", h);
            }
        err_set(e, ERR_CRYPTO,
                "the checkpoint is not signed by the log key %.60s (expected key id %s; the note "
                "carries key ids %.40s): %.80s",
                v->name, hex, got[0] ? got : "none", why.msg);
        goto out;
    }
    root = json_string_value(json_object_get(o, "root"));
    if (!json_is_integer(json_object_get(o, "size")) ||
        (uint64_t)json_integer_value(json_object_get(o, "size")) != cp->size || !root ||
        logc_hash_decode(root, r) || memcmp(r, cp->root, sizeof r) != 0) {
        err_set(e, ERR_CRYPTO, "the checkpoint reply's size or root differ from its signed note");
        goto out;
    }
    if (note_out && buf_puts(note_out, note, e) != 0)
        goto out;
    rc = 0;
out:
    json_decref(o);
    return rc;
}

/* One request for leaves [start, end); appends the rows to all. */
static int fetch_page(struct client *c, uint64_t start, uint64_t end, json_t *all,
                      unsigned char (*hashes)[TLOG_HASH_SIZE], uint64_t base, struct err *e)
{
    int rc = -1;
    char path[96];
    json_t *o = NULL, *rows, *row;
    size_t i;

    snprintf(path, sizeof path, "/api/v1/log/leaves?start=%llu&end=%llu", (unsigned long long)start,
             (unsigned long long)end);
    if (logc_get(c, path, &o, e))
        goto out;
    rows = json_object_get(o, "leaves");
    if (!json_is_array(rows) || json_array_size(rows) != end - start) {
        err_set(e, ERR_CRYPTO,
                "asked for leaves %llu..%llu, the server gave %zu: the log is smaller than "
                "its checkpoint says",
                (unsigned long long)start, (unsigned long long)end - 1, json_array_size(rows));
        goto out;
    }
    json_array_foreach(rows, i, row)
    {
        const json_t *idx = json_object_get(row, "index");
        const char *data = json_string_value(json_object_get(row, "data"));
        const char *lh = json_string_value(json_object_get(row, "leaf_hash"));
        unsigned char h[TLOG_HASH_SIZE], sent[TLOG_HASH_SIZE];
        uint64_t want = start + i;
        if (!json_is_integer(idx) || (uint64_t)json_integer_value(idx) != want || !data) {
            err_set(e, ERR_CRYPTO, "the server's leaf list is out of order at leaf %llu",
                    (unsigned long long)want);
            goto out;
        }
        tlog_hash_leaf(h, data, strlen(data));
        if (lh && (logc_hash_decode(lh, sent) || memcmp(sent, h, sizeof h) != 0)) {
            err_set(e, ERR_CRYPTO,
                    "leaf %llu: the leaf hash the server sent is not the hash of "
                    "its data",
                    (unsigned long long)want);
            goto out;
        }
        if (hashes)
            memcpy(hashes[want - base], h, sizeof h);
        if (json_array_append(all, row)) {
            err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    rc = 0;
out:
    json_decref(o);
    return rc;
}

int logc_fetch_leaves(struct client *c, uint64_t start, uint64_t end, json_t **leaves,
                      unsigned char (*hashes)[TLOG_HASH_SIZE], struct err *e)
{
    int rc = -1;
    json_t *all = json_array();
    uint64_t page = LOGC_PAGE, at = start;
    size_t saved = c->max_response;

    if (!all) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (c->max_response < LOGC_MAX_RESPONSE)
        c->max_response = LOGC_MAX_RESPONSE;
    while (at < end) {
        uint64_t to = end - at < page ? end : at + page;
        struct err pe;
        err_init(&pe);
        if (fetch_page(c, at, to, all, hashes, start, &pe)) {
            if (pe.code == ERR_TOO_LARGE && page > 1) {
                page /= 2; /* very long leaves: ask for fewer at a time */
                continue;
            }
            *e = pe;
            goto out;
        }
        at = to;
    }
    *leaves = all;
    all = NULL;
    rc = 0;
out:
    c->max_response = saved;
    json_decref(all);
    return rc;
}

static int proof_from_json(const json_t *arr, struct tlog_proof *p, struct err *e)
{
    size_t i;
    json_t *it;
    if (!json_is_array(arr) || json_array_size(arr) > TLOG_PROOF_MAX)
        return err_set(e, ERR_CRYPTO, "the server's proof is not a list of at most %d hashes",
                       TLOG_PROOF_MAX);
    p->len = json_array_size(arr);
    json_array_foreach(arr, i, it)
    {
        if (logc_hash_decode(json_string_value(it), p->hash[i]))
            return err_set(e, ERR_CRYPTO,
                           "hash %zu of the server's proof is not base64 of 32 bytes", i + 1);
    }
    return 0;
}

int logc_fetch_inclusion(struct client *c, uint64_t index, uint64_t size, struct tlog_proof *p,
                         struct err *e)
{
    int rc = -1;
    char path[112];
    json_t *o = NULL;
    snprintf(path, sizeof path, "/api/v1/log/proof/inclusion?index=%llu&size=%llu",
             (unsigned long long)index, (unsigned long long)size);
    if (logc_get(c, path, &o, e) || proof_from_json(json_object_get(o, "proof"), p, e))
        goto out;
    rc = 0;
out:
    json_decref(o);
    return rc;
}

int logc_fetch_consistency(struct client *c, uint64_t from, uint64_t to, struct tlog_proof *p,
                           struct err *e)
{
    int rc = -1;
    char path[112];
    json_t *o = NULL;
    snprintf(path, sizeof path, "/api/v1/log/proof/consistency?from=%llu&to=%llu",
             (unsigned long long)from, (unsigned long long)to);
    if (logc_get(c, path, &o, e) || proof_from_json(json_object_get(o, "proof"), p, e))
        goto out;
    rc = 0;
out:
    json_decref(o);
    return rc;
}

int logc_check_range(struct client *c, const struct tlog_checkpoint *cp, uint64_t start,
                     uint64_t end, const unsigned char (*hashes)[TLOG_HASH_SIZE], int *ok,
                     struct err *e)
{
    struct logc_range r;
    struct tlog_proof p;
    unsigned char root[TLOG_HASH_SIZE];
    struct err why;

    *ok = 0;
    err_init(&why);
    if (start >= end || end > cp->size)
        return err_set(e, ERR_INVALID, "leaves %llu..%llu are not in the signed log of %llu leaves",
                       (unsigned long long)start, (unsigned long long)end,
                       (unsigned long long)cp->size);
    logc_range_init(&r);
    if (start > 0) {
        if (logc_fetch_inclusion(c, start, end, &p, e))
            return -1;
        if (logc_range_from_inclusion(start, end, &p, &r, &why))
            return 0;
    }
    for (uint64_t i = start; i < end; i++)
        if (logc_range_append(&r, hashes[i - start], &why))
            return 0;
    logc_range_root(&r, root);
    if (end == cp->size) {
        *ok = sodium_memcmp(root, cp->root, sizeof root) == 0;
        return 0;
    }
    if (logc_fetch_consistency(c, end, cp->size, &p, e))
        return -1;
    *ok = logc_verify_consistency(end, cp->size, root, cp->root, &p, &why) == 0;
    return 0;
}

int logc_check_leaves(struct client *c, const struct tlog_checkpoint *cp, uint64_t start,
                      uint64_t end, const unsigned char (*hashes)[TLOG_HASH_SIZE],
                      unsigned char *bad, uint64_t *nbad, struct err *e)
{
    /* Halving keeps the cost at two requests for a range that checks, and
     * about two per level for each leaf that does not. */
    struct {
        uint64_t lo, hi;
    } todo[130];
    size_t n = 0;
    int ok = 0;

    *nbad = 0;
    if (end > start)
        memset(bad, 0, end - start);
    todo[n].lo = start;
    todo[n++].hi = end;
    while (n > 0) {
        uint64_t lo = todo[n - 1].lo, hi = todo[n - 1].hi, mid;
        n--;
        if (logc_check_range(c, cp, lo, hi, hashes + (lo - start), &ok, e))
            return -1;
        if (ok)
            continue;
        if (hi - lo == 1) {
            bad[lo - start] = 1;
            (*nbad)++;
            continue;
        }
        mid = lo + (hi - lo) / 2;
        /* the right half first on the stack, so the left is checked first */
        todo[n].lo = mid;
        todo[n++].hi = hi;
        todo[n].lo = lo;
        todo[n++].hi = mid;
    }
    return 0;
}

/* ---- files ------------------------------------------------------------- */

/* Writes text (and a final newline if nl) to path atomically, mode 0600. */
static int write_atomic(const char *path, const char *text, int nl, struct err *e)
{
    struct buf b;
    int rc;
    buf_init(&b, strlen(text) + 2);
    rc = buf_puts(&b, text, e);
    if (rc == 0 && nl)
        rc = buf_puts(&b, "\n", e);
    if (rc == 0)
        rc = files_write_private(path, b.data, b.len, e);
    buf_release(&b);
    return rc;
}

/* Reads the JSON file at path (at most max bytes). *found 0 if missing. */
static int read_json_file(const char *path, size_t max, json_t **out, int *found, struct err *e)
{
    int rc = -1, have = 0;
    struct buf b;
    json_error_t je;

    buf_init(&b, max);
    *found = 0;
    *out = NULL;
    if (files_read_optional(path, &b, &have, e) != 0)
        goto out;
    if (!have) {
        rc = 0;
        goto out;
    }
    *out = json_loadb(buf_str(&b), b.len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        err_set(e, ERR_INVALID, "%s is not a JSON object (line %d: %.80s)", path, je.line, je.text);
        goto out;
    }
    *found = 1;
    rc = 0;
out:
    buf_release(&b);
    return rc;
}

/* ---- the monitor's state file ------------------------------------------ */

int logc_state_load(const char *path, struct logc_state *s, int *found, struct err *e)
{
    int rc = -1;
    json_t *o = NULL, *fr, *it;
    const char *key, *root, *server, *at;
    json_int_t size;
    unsigned char h[TLOG_HASH_SIZE];
    size_t i;

    memset(s, 0, sizeof *s);
    if (read_json_file(path, LOGC_STATE_MAX, &o, found, e))
        goto out; /* a file that exists but is not a JSON object is an error, not "no state" */
    if (!*found) {
        rc = 0;
        goto out;
    }
    key = json_string_value(json_object_get(o, "verifier_key"));
    root = json_string_value(json_object_get(o, "root"));
    server = json_string_value(json_object_get(o, "server"));
    at = json_string_value(json_object_get(o, "checked_at"));
    fr = json_object_get(o, "frontier");
    size = json_integer_value(json_object_get(o, "size"));
    if (json_integer_value(json_object_get(o, "v")) != 1 || !key ||
        strlen(key) >= sizeof s->verifier_key ||
        tlog_verifier_parse(&s->verifier, key, strlen(key), NULL)) {
        err_set(e, ERR_INVALID, "%s: not a dissent log monitor state (no valid verifier_key)",
                path);
        goto out;
    }
    memcpy(s->verifier_key, key, strlen(key) + 1);
    if (!json_is_integer(json_object_get(o, "size")) || size < 0 || !root ||
        logc_hash_decode(root, s->root) || !json_is_array(fr) || json_array_size(fr) > 64) {
        err_set(e, ERR_INVALID, "%s: size, root or frontier missing or malformed", path);
        goto out;
    }
    s->size = (uint64_t)size;
    s->range.size = s->size;
    s->range.n = json_array_size(fr);
    json_array_foreach(fr, i, it)
    {
        if (logc_hash_decode(json_string_value(it), s->range.hash[i])) {
            err_set(e, ERR_INVALID, "%s: frontier hash %zu is not base64 of 32 bytes", path, i + 1);
            goto out;
        }
    }
    logc_range_root(&s->range, h);
    if (s->range.n != (size_t)__builtin_popcountll(s->size) || memcmp(h, s->root, sizeof h) != 0) {
        err_set(e, ERR_INVALID,
                "%s: the frontier does not match the saved size and root (the "
                "file was damaged or edited)",
                path);
        goto out;
    }
    if (server)
        snprintf(s->server, sizeof s->server, "%s", server);
    if (at)
        snprintf(s->checked_at, sizeof s->checked_at, "%s", at);
    rc = 0;
out:
    json_decref(o);
    return rc;
}

int logc_state_save(const char *path, const struct logc_state *s, struct err *e)
{
    int rc = -1;
    json_t *o = NULL, *fr = json_array();
    char *text = NULL, r64[48];

    for (size_t i = 0; fr && i < s->range.n; i++) {
        logc_hash_encode(s->range.hash[i], r64);
        json_array_append_new(fr, json_string(r64));
    }
    logc_hash_encode(s->root, r64);
    o = fr ? json_pack("{s:i,s:s,s:s,s:I,s:s,s:O,s:s}", "v", 1, "verifier_key", s->verifier_key,
                       "server", s->server, "size", (json_int_t)s->size, "root", r64, "frontier",
                       fr, "checked_at", s->checked_at)
           : NULL;
    text = o ? json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    if (!text) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (write_atomic(path, text, 1, e))
        goto out;
    rc = 0;
out:
    free(text);
    json_decref(o);
    json_decref(fr);
    return rc;
}

/* ---- pinned keys ------------------------------------------------------- */

int logc_pins_path(char *out, size_t n, struct err *e)
{
    const char *env = getenv("DISSENT_LOG_KEYS"), *xdg = getenv("XDG_CONFIG_HOME"),
               *home = getenv("HOME");
    int k;
    if (env && env[0])
        k = snprintf(out, n, "%s", env);
    else if (xdg && xdg[0])
        k = snprintf(out, n, "%s/dissent/log-keys.json", xdg);
    else if (home && home[0])
        k = snprintf(out, n, "%s/.config/dissent/log-keys.json", home);
    else
        return err_set(e, ERR_INVALID,
                       "cannot tell where to keep pinned log keys: set "
                       "DISSENT_LOG_KEYS or HOME, or pass --log-key");
    if (k < 0 || (size_t)k >= n)
        return err_set(e, ERR_INVALID, "the pinned-keys path is too long");
    return 0;
}

int logc_pin_get(const char *path, const char *server, char key[TLOG_VERIFIER_KEY_MAX], int *found,
                 struct err *e)
{
    json_t *o = NULL;
    const char *k;
    int rc = -1;
    if (read_json_file(path, LOGC_STATE_MAX, &o, found, e))
        goto out;
    k = *found ? json_string_value(json_object_get(o, server)) : NULL;
    *found = k != NULL;
    if (k && strlen(k) >= TLOG_VERIFIER_KEY_MAX) {
        err_set(e, ERR_INVALID, "%s: the key pinned for %s is too long", path, server);
        goto out;
    }
    if (k)
        memcpy(key, k, strlen(k) + 1);
    rc = 0;
out:
    json_decref(o);
    return rc;
}

int logc_pin_set(const char *path, const char *server, const char *key, struct err *e)
{
    json_t *o = NULL;
    int found = 0, rc = -1;
    char *text = NULL;
    if (read_json_file(path, LOGC_STATE_MAX, &o, &found, e))
        goto out;
    if (!o)
        o = json_object();
    if (!o || json_object_set_new(o, server, json_string(key)) ||
        !(text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS))) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = write_atomic(path, text, 1, e);
out:
    free(text);
    json_decref(o);
    return rc;
}
