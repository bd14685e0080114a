/* log.c — the channel's transparency log: every event becomes a leaf in the
 * same transaction as the change it records; checkpoints are signed with the
 * installation's Ed25519 log key; proofs are served to anyone.
 * Leaf format: docs/protocol-tlog.md. */
#include "base/util.h"
#include "channel/chan_internal.h"
#include "proto/events.h"
#include "store/keydir.h"
#include "tlog/checkpoint.h"
#include "tlog/note.h"
#include "tlog/tree.h"

#include <sodium.h>
#include <string.h>

static int node_get(void *ctx, unsigned level, uint64_t index, unsigned char out[TLOG_HASH_SIZE],
                    struct err *e)
{
    return store_tlog_node_get(ctx, level, (int64_t)index, out, e);
}

static struct tlog_node_source node_source(struct chan *c)
{
    struct tlog_node_source src = {.ctx = c->st, .get = node_get, .get_many = NULL};
    return src;
}

/* The log key lives in the key directory (store/keydir.h), never in the
 * database: a copy of the database must not be able to sign a rewritten
 * history. */
/* Compares the loaded key with the first one the log used (meta
 * log_first_key, recorded now if the log has none). */
static int note_first_key(struct chan *c, struct err *e)
{
    int rc = -1;
    struct pool p;
    char *first = NULL, vk[TLOG_VERIFIER_KEY_MAX];
    pool_init(&p, 4096);
    if (tlog_verifier_format(&c->log_key.pub, vk, e) ||
        store_meta_get(c->st, &p, "log_first_key", &first, e))
        goto out;
    if (!first) {
        if (store_meta_set(c->st, "log_first_key", vk, e))
            goto out;
        first = vk;
    }
    snprintf(c->log_first_key, sizeof c->log_first_key, "%s", first);
    c->log_key_changed = strcmp(first, vk) != 0;
    rc = 0;
out:
    pool_release(&p);
    return rc;
}

int chan_log_load_key(struct chan *c, const char *origin, struct err *e)
{
    int rc = -1, found = 0;
    const struct keydir *kd = store_keydir(c->st);
    unsigned char text[TLOG_SIGNER_KEY_MAX + 2];
    char fmt[TLOG_SIGNER_KEY_MAX + 1];
    char name[64], id[RANDOM_ID_LEN + 1];
    size_t len = 0;
    int64_t leaves = 0;

    /* checked at start-up, whether the log is new or not */
    if (origin && tlog_origin_check(origin, e))
        goto out;
    if (keydir_read(kd, KEYDIR_LOG_KEY, text, sizeof text, &len, &found, e))
        goto out;
    if (found) {
        while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
            len--;
        if (tlog_signer_parse(&c->log_key, (const char *)text, len, e)) {
            char why[ERR_MSG_MAX];
            snprintf(why, sizeof why, "%s", e->msg);
            err_set(e, ERR_INVALID, "the log key in %s/%s is not a signer key: %s", kd->path,
                    KEYDIR_LOG_KEY, why);
            goto out;
        }
        if (origin && strcmp(origin, c->log_key.pub.name) != 0) {
            char hex[2 * TLOG_KEY_ID_SIZE + 1];
            hex_encode(hex, c->log_key.pub.key_id, TLOG_KEY_ID_SIZE);
            err_set(e, ERR_INVALID,
                    "--log-origin %.80s differs from the origin of this log, %.80s (its key "
                    "%s/%s, key id %s): a log keeps its origin",
                    origin, c->log_key.pub.name, kd->path, KEYDIR_LOG_KEY, hex);
            goto out;
        }
        rc = note_first_key(c, e);
        goto out;
    }
    /* A log with leaves has a key already: a new one would fork its history. */
    if (store_tlog_size(c->st, &leaves, e))
        goto out;
    if (leaves > 0) {
        rc = err_set(e, ERR_NOT_FOUND,
                     "there is no %s in the key directory %s, and the log already has %lld "
                     "leaves signed with one: restore the key directory from the backup",
                     KEYDIR_LOG_KEY, kd->path, (long long)leaves);
        goto out;
    }
    /* First use: a new key; the origin names this installation. */
    if (!origin) {
        random_id(id);
        snprintf(name, sizeof name, "dissent.local/log-%.8s", id);
        origin = name;
    }
    if (tlog_signer_generate(&c->log_key, origin, e) || tlog_signer_format(&c->log_key, fmt, e))
        goto out;
    len = strlen(fmt);
    fmt[len] = '\n';
    if (keydir_write(kd, KEYDIR_LOG_KEY, (const unsigned char *)fmt, len + 1, e))
        goto out;
    rc = note_first_key(c, e);
out:
    sodium_memzero(fmt, sizeof fmt);
    sodium_memzero(text, sizeof text);
    return rc;
}

int chan_log_append(struct chan *c, json_t *leaf, const char *memo, const char *kind, int version,
                    struct err *e)
{
    int rc = -1;
    char *data = NULL;
    int64_t size = 0;
    unsigned char hash[TLOG_HASH_SIZE];
    struct tlog_appended app;
    struct tlog_node_source src = node_source(c);
    /* a signature leaf's total, for the memo's milestones (timeline.c) */
    const int signature =
        memo && leaf &&
        (strcmp(kind, "signature") == 0 || strcmp(kind, "anonymous-signature") == 0);
    const int64_t total =
        signature ? json_integer_value(json_object_get(json_object_get(leaf, "counts"), "total"))
                  : 0;

    /* Adds v, kind, at (the server's clock, unless the leaf brings a coarser
     * one) and memo, and refuses a leaf its kind's schema does not allow. */
    if (proto_leaf_encode(leaf, kind, now_utc(), memo, &data, e))
        goto out;
    tlog_hash_leaf(hash, data, strlen(data));
    if (store_tlog_size(c->st, &size, e) || tlog_append(&src, (uint64_t)size, hash, &app, e) ||
        store_tlog_leaf_insert(c->st, size, data, memo, kind, version, e) ||
        (signature && chan_timeline_note_signature(c, memo, size, total, e)))
        goto out;
    for (size_t i = 0; i < app.count; i++)
        if (store_tlog_node_put(c->st, app.nodes[i].level, (int64_t)app.nodes[i].index,
                                app.nodes[i].hash, e))
            goto out;
    rc = 0;
out:
    free(data);
    return rc;
}

/* Base64 (standard, padded) of 32 bytes into out (>= 45 bytes). */
static void b64(char out[48], const unsigned char h[TLOG_HASH_SIZE])
{
    sodium_bin2base64(out, 48, h, TLOG_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL);
}

int chan_log_key(struct chan *c, json_t **out, struct err *e)
{
    char vk[TLOG_VERIFIER_KEY_MAX], hex[2 * TLOG_PUBLIC_KEY_SIZE + 1];
    if (tlog_verifier_format(&c->log_key.pub, vk, e))
        return -1;
    char id[2 * TLOG_KEY_ID_SIZE + 1];
    hex_encode(hex, c->log_key.pub.pk, TLOG_PUBLIC_KEY_SIZE);
    hex_encode(id, c->log_key.pub.key_id, TLOG_KEY_ID_SIZE);
    *out =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "origin", c->log_key.pub.name, "verifier_key",
                  vk, "key_id", id, "public_key", hex, "algorithm", "ed25519", "first_verifier_key",
                  c->log_first_key[0] ? c->log_first_key : vk, "key_changed", c->log_key_changed);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

/* The checkpoint's validator: SHA-256 over the log's public key (name, key
 * id, key) and the tree's size and root. The signed note is a function of
 * exactly these (Ed25519 signatures are deterministic). */
static void checkpoint_tag(const struct chan *c, int64_t size, const unsigned char *root,
                           unsigned char tag[CHAN_LOG_TAG_SIZE])
{
    crypto_hash_sha256_state h;
    unsigned char sz[8];
    for (int i = 0; i < 8; i++)
        sz[i] = (unsigned char)((uint64_t)size >> (56 - 8 * i));
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)c->log_key.pub.name,
                              strlen(c->log_key.pub.name) + 1);
    crypto_hash_sha256_update(&h, c->log_key.pub.key_id, sizeof c->log_key.pub.key_id);
    crypto_hash_sha256_update(&h, c->log_key.pub.pk, sizeof c->log_key.pub.pk);
    crypto_hash_sha256_update(&h, sz, sizeof sz);
    crypto_hash_sha256_update(&h, root, TLOG_HASH_SIZE);
    crypto_hash_sha256_final(&h, tag);
}

/* The tree's size and root, read in one snapshot. */
static int log_head(struct chan *c, int64_t *size, unsigned char root[TLOG_HASH_SIZE],
                    struct err *e)
{
    int rc = -1;
    struct tlog_node_source src = node_source(c);
    /* One read transaction: the size and the nodes come from one snapshot. */
    if (store_begin_read(c->st, e))
        goto out;
    if (store_tlog_size(c->st, size, e) || tlog_root(&src, (uint64_t)*size, root, e)) {
        store_rollback(c->st);
        goto out;
    }
    store_rollback(c->st);
    rc = 0;
out:
    return rc;
}

int chan_log_checkpoint_tag(struct chan *c, unsigned char tag[CHAN_LOG_TAG_SIZE], struct err *e)
{
    int64_t size = 0;
    unsigned char root[TLOG_HASH_SIZE];
    int rc = log_head(c, &size, root, e);
    if (rc == 0)
        checkpoint_tag(c, size, root, tag);
    return rc;
}

int chan_log_checkpoint_tagged(struct chan *c, json_t **out, unsigned char *tag, struct err *e)
{
    int rc = -1;
    int64_t size = 0;
    unsigned char root[TLOG_HASH_SIZE];
    struct tlog_checkpoint cp;
    struct buf note;
    char r64[48];

    buf_init(&note, 1 << 16);
    if (log_head(c, &size, root, e))
        goto out;
    /* the same size and root: the note this connection signed last */
    if (c->cp_note.len == 0 || c->cp_size != size ||
        sodium_memcmp(c->cp_root, root, TLOG_HASH_SIZE) != 0) {
        buf_reset(&c->cp_note);
        if (tlog_checkpoint_init(&cp, c->log_key.pub.name, (uint64_t)size, root, e) ||
            tlog_checkpoint_sign(&cp, &c->log_key, &note, e) ||
            buf_append(&c->cp_note, note.data, note.len, e))
            goto out;
        c->cp_size = size;
        memcpy(c->cp_root, root, TLOG_HASH_SIZE);
    }
    b64(r64, root);
    *out = json_pack("{s:s,s:I,s:s,s:s%}", "origin", c->log_key.pub.name, "size", (json_int_t)size,
                     "root", r64, "note", c->cp_note.data, c->cp_note.len);
    if (!*out) {
        buf_reset(&c->cp_note);
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (tag)
        checkpoint_tag(c, size, root, tag);
    rc = 0;
out:
    buf_release(&note);
    return rc;
}

int chan_log_checkpoint(struct chan *c, json_t **out, struct err *e)
{
    return chan_log_checkpoint_tagged(c, out, NULL, e);
}

/* The leaves as [{index, data, leaf_hash}], the hash in base64. */
static json_t *leaves_json(const struct st_leaf *l, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        unsigned char h[TLOG_HASH_SIZE];
        char h64[48];
        tlog_hash_leaf(h, l[i].data, l[i].len);
        b64(h64, h);
        json_array_append_new(arr, json_pack("{s:I,s:s%,s:s}", "index", (json_int_t)l[i].index,
                                             "data", l[i].data, l[i].len, "leaf_hash", h64));
    }
    return arr;
}

int chan_log_leaves(struct chan *c, int64_t start, int64_t end, json_t **out, struct err *e)
{
    int rc = -1;
    int64_t size = 0;
    struct pool p;
    struct st_leaf *l = NULL;
    size_t n = 0;
    pool_init(&p, 64u << 20);
    if (store_tlog_size(c->st, &size, e))
        goto out;
    if (start < 0 || end <= start || end - start > CHAN_LOG_PAGE) {
        rc = err_set(e, ERR_INVALID, "ask for leaves start <= i < end, at most %d at a time",
                     CHAN_LOG_PAGE);
        goto out;
    }
    if (end > size)
        end = size;
    if (store_tlog_leaves(c->st, &p, start, end, &l, &n, e))
        goto out;
    *out = json_pack("{s:I,s:o}", "size", (json_int_t)size, "leaves", leaves_json(l, n));
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    pool_release(&p);
    return rc;
}

int chan_log_memo(struct chan *c, const char *memo, json_t **out, struct err *e)
{
    return chan_log_memo_page(c, memo, NULL, -1, out, e);
}

/* 1 if kind could name a leaf kind: 1 to 32 of a-z and '-'. */
static int kind_ok(const char *kind)
{
    size_t n = strlen(kind);
    if (n == 0 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((kind[i] >= 'a' && kind[i] <= 'z') || kind[i] == '-'))
            return 0;
    return 1;
}

int chan_log_memo_page(struct chan *c, const char *memo, const char *kind, int64_t after,
                       json_t **out, struct err *e)
{
    int rc = -1;
    struct pool p;
    struct st_leaf *l = NULL;
    size_t n = 0;
    pool_init(&p, 64u << 20);
    if (!memo || strlen(memo) != RANDOM_ID_LEN) {
        rc = err_set(e, ERR_NOT_FOUND, "no memo '%s' in the log", memo ? memo : "");
        goto out;
    }
    if (kind && !kind_ok(kind)) {
        rc = err_set(e, ERR_INVALID, "a leaf kind is 1 to 32 lower-case letters and dashes");
        goto out;
    }
    if (after < -1)
        after = -1;
    if (store_tlog_memo_range(c->st, &p, memo, kind, after, INT64_MAX, &l, &n, e))
        goto out;
    /* nothing at all about the memo: not found; an empty page is a page */
    if (n == 0 && !kind && after < 0) {
        rc = err_set(e, ERR_NOT_FOUND, "no memo '%s' in the log", memo);
        goto out;
    }
    *out = json_pack("{s:s,s:o,s:b}", "memo", memo, "leaves", leaves_json(l, n), "more",
                     n == STORE_MEMO_LEAVES_MAX);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    pool_release(&p);
    return rc;
}

static json_t *proof_json(const struct tlog_proof *p)
{
    json_t *arr = json_array();
    char h64[48];
    for (size_t i = 0; arr && i < p->len; i++) {
        b64(h64, p->hash[i]);
        json_array_append_new(arr, json_string(h64));
    }
    return arr;
}

int chan_log_inclusion(struct chan *c, int64_t index, int64_t size, json_t **out, struct err *e)
{
    int rc = -1;
    int64_t have = 0;
    struct tlog_proof proof;
    struct tlog_node_source src = node_source(c);
    unsigned char leaf[TLOG_HASH_SIZE];
    char l64[48];

    if (store_begin_read(c->st, e))
        goto out;
    if (store_tlog_size(c->st, &have, e))
        goto done;
    if (size <= 0 || size > have || index < 0 || index >= size) {
        err_set(e, ERR_INVALID, "need 0 <= index < size <= %lld (the log's size)", (long long)have);
        goto done;
    }
    if (store_tlog_node_get(c->st, 0, index, leaf, e) ||
        tlog_prove_inclusion(&src, (uint64_t)index, (uint64_t)size, &proof, e))
        goto done;
    b64(l64, leaf);
    *out = json_pack("{s:I,s:I,s:s,s:o}", "index", (json_int_t)index, "size", (json_int_t)size,
                     "leaf_hash", l64, "proof", proof_json(&proof));
    rc = 0;
done:
    store_rollback(c->st);
out:
    return rc;
}

int chan_log_consistency(struct chan *c, int64_t from, int64_t to, json_t **out, struct err *e)
{
    int rc = -1;
    int64_t have = 0;
    struct tlog_proof proof;
    struct tlog_node_source src = node_source(c);

    if (store_begin_read(c->st, e))
        goto out;
    if (store_tlog_size(c->st, &have, e))
        goto done;
    if (from <= 0 || from > to || to > have) {
        err_set(e, ERR_INVALID, "need 0 < from <= to <= %lld (the log's size)", (long long)have);
        goto done;
    }
    if (tlog_prove_consistency(&src, (uint64_t)from, (uint64_t)to, &proof, e))
        goto done;
    *out = json_pack("{s:I,s:I,s:o}", "from", (json_int_t)from, "to", (json_int_t)to, "proof",
                     proof_json(&proof));
    rc = 0;
done:
    store_rollback(c->st);
out:
    return rc;
}
