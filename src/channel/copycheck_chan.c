/* copycheck_chan.c — checking a copy against the transparency log on the
 * server, for the public web page. (`dissent verify` does the same on the
 * reader's own machine, trusting nothing the server computes.) */
#include "base/util.h"
#include "channel/chan_internal.h"
#include "proto/copycheck.h"
#include "tlog/proof.h"
#include "tlog/tree.h"

#include <sodium.h>
#include <string.h>

#define COPY_TEXT_MAX (4u * CHAN_BODY_MAX)
#define EXCERPT_MAX   120

static int node_get(void *ctx, unsigned level, uint64_t index, unsigned char out[TLOG_HASH_SIZE],
                    struct err *e)
{
    return store_tlog_node_get(ctx, level, (int64_t)index, out, e);
}

/* Proves and verifies that leaf `index` (data) is in the tree of `size`. */
static int check_inclusion(struct chan *c, int64_t index, int64_t size, const char *data,
                           struct err *e)
{
    struct tlog_node_source src = {.ctx = c->st, .get = node_get, .get_many = NULL};
    struct tlog_proof proof;
    unsigned char leaf[TLOG_HASH_SIZE], root[TLOG_HASH_SIZE];
    tlog_hash_leaf(leaf, data, strlen(data));
    if (tlog_root(&src, (uint64_t)size, root, e) ||
        tlog_prove_inclusion(&src, (uint64_t)index, (uint64_t)size, &proof, e) ||
        tlog_verify_inclusion((uint64_t)index, (uint64_t)size, leaf, &proof, root, e))
        return -1;
    return 0;
}

/* The first words of a paragraph, for the report. */
static json_t *excerpt(const json_t *paras, json_int_t n)
{
    const char *s = json_string_value(json_array_get(paras, (size_t)n - 1));
    size_t len = s ? strlen(s) : 0, cut = len;
    if (!s)
        return json_null();
    if (len > EXCERPT_MAX) {
        cut = EXCERPT_MAX;
        while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
            cut--; /* do not split a character */
        return json_sprintf("%.*s…", (int)cut, s);
    }
    return json_string(s);
}

/* 1 when some digest of the copy (under its key) is a paragraph digest of
 * any version leaf of the memo: the key opens a version (a version's key
 * opens that version only, so an altered key opens none). */
static int opens_any(const json_t *digests, const struct st_leaf *leaves, size_t n)
{
    int hit = 0;
    for (size_t i = 0; i < n && !hit; i++) {
        json_t *d = json_loadb(leaves[i].data, leaves[i].len, 0, NULL), *r, *c;
        size_t a, b;
        json_array_foreach(json_object_get(d, "paragraphs"), a, r)
        {
            json_array_foreach(digests, b, c) if (json_equal(r, c)) hit = 1;
        }
        json_decref(d);
    }
    return hit;
}

static int copy_check(struct chan *c, const char *text, json_t **out, struct err *e)
{
    int rc = -1, version = 0;
    char memo[32];
    unsigned char key[COPY_KEY_SIZE];
    json_t *leaf = NULL, *paras = NULL, *digests = NULL, *cmp = NULL, *marks = NULL;
    struct pool p;
    struct st_leaf *leaves = NULL;
    size_t nleaves = 0;
    int64_t size = 0, index = -1;
    char whole[COPY_DIGEST_HEX], hex[COPY_DIGEST_HEX];
    size_t i;
    json_t *it;

    pool_init(&p, 64u << 20);
    if (!text || strlen(text) > COPY_TEXT_MAX) {
        rc = err_set(e, ERR_TOO_LARGE, "a copy may be at most %u bytes", COPY_TEXT_MAX);
        goto out;
    }
    if (!utf8_valid(text, strlen(text))) {
        rc = err_set(e, ERR_INVALID, "the copy is not UTF-8 text");
        goto out;
    }
    if (copy_find_key(text, memo, &version, key, e))
        goto out;
    if (store_tlog_memo_leaves(c->st, &p, memo, "version", &leaves, &nleaves, e) ||
        store_tlog_size(c->st, &size, e))
        goto out;
    for (i = 0; i < nleaves; i++) {
        json_t *d = json_loadb(leaves[i].data, leaves[i].len, 0, NULL);
        if (d && json_integer_value(json_object_get(d, "version")) == version) {
            leaf = d;
            index = leaves[i].index;
            if (check_inclusion(c, index, size, leaves[i].data, e))
                goto out;
            break;
        }
        json_decref(d);
    }
    if (!leaf) {
        *out = json_pack("{s:s,s:i,s:b,s:s}", "memo", memo, "version", version, "found", 0,
                         "result", "no match: the log holds no such version of that memo");
        rc = 0;
        goto out;
    }
    paras = copy_text_paragraphs(text);
    digests = json_array();
    if (!paras || !digests) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    json_array_foreach(paras, i, it)
    {
        copy_paragraph_digest(key, json_string_value(it), hex);
        json_array_append_new(digests, json_string(hex));
    }
    copy_text_digest(key, paras, whole);
    cmp = copy_compare(json_object_get(leaf, "paragraphs"), digests);
    if (!cmp) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    json_array_foreach(json_object_get(cmp, "paragraphs"), i, it)
    {
        const char *st = json_string_value(json_object_get(it, "status"));
        if (strcmp(st, "changed") == 0 || strcmp(st, "added") == 0)
            json_object_set_new(it, "excerpt",
                                excerpt(paras, json_integer_value(json_object_get(it, "copy"))));
    }
    marks = copy_text_markings(text);
    if (!marks) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    {
        const char *registered = json_string_value(json_object_get(leaf, "marking"));
        const char *mstatus = copy_marking_status(marks, registered);
        int text_exact = json_is_true(json_object_get(cmp, "exact")) &&
                         strcmp(whole, json_string_value(json_object_get(leaf, "digest"))) == 0;
        int exact = text_exact && strcmp(mstatus, "same") == 0;
        json_int_t matching = json_integer_value(json_object_get(cmp, "matching"));
        json_int_t moved = json_integer_value(json_object_get(cmp, "moved"));
        const char *result =
            exact                ? "exact match"
            : text_exact         ? (strcmp(mstatus, "missing") == 0
                                        ? "the text matches, but the copy has no classification banner"
                                        : "the text matches, but the classification banner was changed")
            : moved && !matching ? "partial match: paragraphs were moved or changed"
            : matching           ? "partial match: some paragraphs differ"
            : opens_any(digests, leaves, nleaves)
                ? "no match: no paragraph matches this version"
                : "no match: this key does not open any version of this memo (the key was "
                  "altered, or the text is not this memo's)";
        *out = json_pack(
            "{s:s,s:i,s:b,s:s,s:b,s:O,s:I,s:I,s:b,s:I,s:I,s:O,s:I,s:{s:s?,s:O,s:s,s:b}}", "memo",
            memo, "version", version, "found", 1, "result", result, "exact", exact, "registered_at",
            json_object_get(leaf, "at"), "leaf_index", (json_int_t)index, "log_size",
            (json_int_t)size, "inclusion_verified", 1, "registered_paragraphs",
            (json_int_t)json_array_size(json_object_get(leaf, "paragraphs")), "copy_paragraphs",
            (json_int_t)json_array_size(paras), "paragraphs", json_object_get(cmp, "paragraphs"),
            "moved", moved, "marking", "registered", registered, "copy", marks, "status", mstatus,
            "same", strcmp(mstatus, "same") == 0);
    }
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    sodium_memzero(key, sizeof key);
    pool_release(&p);
    json_decref(leaf);
    json_decref(paras);
    json_decref(digests);
    json_decref(cmp);
    json_decref(marks);
    return rc;
}

int chan_copy_check(struct chan *c, const char *text, json_t **out, struct err *e)
{
    /* One snapshot: the leaf, the log's size and its nodes of one moment. */
    int rc = store_begin_read(c->st, e);
    if (rc == 0) {
        rc = copy_check(c, text, out, e);
        store_rollback(c->st);
    }
    return rc;
}
