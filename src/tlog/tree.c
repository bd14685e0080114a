/* tree.c — append, subtree hashes and proof generation over stored nodes.
 *
 * Every hash the RFC 9162 algorithms need is MTH(D[a:b]) for a range whose
 * start is aligned on a power of two at least as large as its length. Such a
 * range is a complete stored node when its length is a power of two;
 * otherwise it splits at the largest power of two below its length into a
 * complete left node and a shorter right range (RFC 9162 §2.1.1).
 *
 * Node reads go through a small fetcher. With a source that has get_many,
 * each operation runs twice: a first pass only records which nodes it would
 * read (hashing nothing), one get_many call fetches them all, and a second
 * pass replays the same reads in the same order and does the hashing.
 */
#include "tlog/tree.h"

#include <inttypes.h>
#include <string.h>

#define FETCH_MAX 192

enum fetch_mode { FETCH_DIRECT, FETCH_COLLECT, FETCH_REPLAY };

struct fetch {
    const struct tlog_node_source *src;
    enum fetch_mode mode;
    size_t n;   /* ids recorded (COLLECT) or fetched (REPLAY) */
    size_t pos; /* next id to replay */
    struct tlog_node_id ids[FETCH_MAX];
    unsigned char hashes[FETCH_MAX][TLOG_HASH_SIZE];
};

static int fetch_node(struct fetch *f, unsigned level, uint64_t index,
                      unsigned char out[TLOG_HASH_SIZE], struct err *e)
{
    switch (f->mode) {
    case FETCH_DIRECT:
        return f->src->get(f->src->ctx, level, index, out, e);
    case FETCH_COLLECT:
        if (f->n == FETCH_MAX)
            return err_set(e, ERR_INTERNAL, "tlog: more than %d node reads in one operation",
                           FETCH_MAX);
        f->ids[f->n].level = level;
        f->ids[f->n].index = index;
        f->n++;
        memset(out, 0, TLOG_HASH_SIZE);
        return 0;
    case FETCH_REPLAY:
        if (f->pos >= f->n || f->ids[f->pos].level != level || f->ids[f->pos].index != index)
            return err_set(e, ERR_INTERNAL, "tlog: node reads differ between the two passes");
        memcpy(out, f->hashes[f->pos], TLOG_HASH_SIZE);
        f->pos++;
        return 0;
    }
    return err_set(e, ERR_INTERNAL, "tlog: bad fetch mode");
}

/* Hashes two children, except in the recording pass whose values are dummies. */
static void fetch_hash(const struct fetch *f, unsigned char out[TLOG_HASH_SIZE],
                       const unsigned char l[TLOG_HASH_SIZE], const unsigned char r[TLOG_HASH_SIZE])
{
    if (f->mode != FETCH_COLLECT)
        tlog_hash_children(out, l, r);
}

typedef int (*tree_op)(struct fetch *f, void *arg, struct err *e);

/* Runs op once against src->get, or twice around one src->get_many call. */
static int run_op(const struct tlog_node_source *src, tree_op op, void *arg, struct err *e)
{
    struct fetch f;
    f.src = src;
    f.n = 0;
    f.pos = 0;
    if (!src->get_many) {
        f.mode = FETCH_DIRECT;
        return op(&f, arg, e);
    }
    f.mode = FETCH_COLLECT;
    if (op(&f, arg, e) != 0)
        return -1;
    if (f.n > 0 && src->get_many(src->ctx, f.n, f.ids, f.hashes, e) != 0)
        return -1;
    f.mode = FETCH_REPLAY;
    if (op(&f, arg, e) != 0)
        return -1;
    if (f.pos != f.n)
        return err_set(e, ERR_INTERNAL, "tlog: node reads differ between the two passes");
    return 0;
}

/* Largest power of two strictly below n, for n >= 2. */
static uint64_t split_point(uint64_t n)
{
    return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

/* MTH(D[start:end]) for a non-empty range. */
static int subtree(struct fetch *f, uint64_t start, uint64_t end, unsigned char out[TLOG_HASH_SIZE],
                   struct err *e)
{
    uint64_t len = end - start;
    if ((len & (len - 1)) == 0 && (start & (len - 1)) == 0) {
        unsigned level = (unsigned)__builtin_ctzll(len);
        return fetch_node(f, level, start >> level, out, e);
    }
    uint64_t k = split_point(len);
    unsigned char l[TLOG_HASH_SIZE], r[TLOG_HASH_SIZE];
    if (subtree(f, start, start + k, l, e) != 0 || subtree(f, start + k, end, r, e) != 0)
        return -1;
    fetch_hash(f, out, l, r);
    return 0;
}

static int proof_push(struct fetch *f, struct tlog_proof *p, uint64_t start, uint64_t end,
                      struct err *e)
{
    if (p->len >= TLOG_PROOF_MAX)
        return err_set(e, ERR_INTERNAL, "tlog: proof longer than %d hashes", TLOG_PROOF_MAX);
    if (subtree(f, start, end, p->hash[p->len], e) != 0)
        return -1;
    p->len++;
    return 0;
}

/* PATH(m, D[start:start+n]) of RFC 9162 §2.1.3.1, appended to p. */
static int path(struct fetch *f, uint64_t m, uint64_t start, uint64_t n, struct tlog_proof *p,
                struct err *e)
{
    if (n == 1)
        return 0;
    uint64_t k = split_point(n);
    if (m < k) {
        if (path(f, m, start, k, p, e) != 0)
            return -1;
        return proof_push(f, p, start + k, start + n, e);
    }
    if (path(f, m - k, start + k, n - k, p, e) != 0)
        return -1;
    return proof_push(f, p, start, start + k, e);
}

/* SUBPROOF(m, D[start:start+n], b) of RFC 9162 §2.1.4.1, appended to p. */
static int subproof(struct fetch *f, uint64_t m, uint64_t start, uint64_t n, int b,
                    struct tlog_proof *p, struct err *e)
{
    if (m == n)
        return b ? 0 : proof_push(f, p, start, start + n, e);
    uint64_t k = split_point(n);
    if (m <= k) {
        if (subproof(f, m, start, k, b, p, e) != 0)
            return -1;
        return proof_push(f, p, start + k, start + n, e);
    }
    if (subproof(f, m - k, start + k, n - k, 0, p, e) != 0)
        return -1;
    return proof_push(f, p, start, start + k, e);
}

struct range_arg {
    uint64_t a, b;
    unsigned char *out;
    struct tlog_proof *proof;
};

static int op_subtree(struct fetch *f, void *arg, struct err *e)
{
    struct range_arg *r = arg;
    return subtree(f, r->a, r->b, r->out, e);
}

static int op_inclusion(struct fetch *f, void *arg, struct err *e)
{
    struct range_arg *r = arg;
    r->proof->len = 0;
    return path(f, r->a, 0, r->b, r->proof, e);
}

static int op_consistency(struct fetch *f, void *arg, struct err *e)
{
    struct range_arg *r = arg;
    r->proof->len = 0;
    return subproof(f, r->a, 0, r->b, 1, r->proof, e);
}

static int check_size(uint64_t size, struct err *e)
{
    if (size > TLOG_MAX_SIZE)
        return err_set(e, ERR_INVALID, "tree size %" PRIu64 " is over the limit of %" PRIu64, size,
                       TLOG_MAX_SIZE);
    return 0;
}

int tlog_subtree_hash(const struct tlog_node_source *src, uint64_t start, uint64_t end,
                      unsigned char out[TLOG_HASH_SIZE], struct err *e)
{
    if (check_size(end, e) != 0)
        return -1;
    if (start >= end)
        return err_set(e, ERR_INVALID, "leaf range [%" PRIu64 ", %" PRIu64 ") is empty", start,
                       end);
    struct range_arg r = {.a = start, .b = end, .out = out};
    return run_op(src, op_subtree, &r, e);
}

int tlog_root(const struct tlog_node_source *src, uint64_t size, unsigned char out[TLOG_HASH_SIZE],
              struct err *e)
{
    if (check_size(size, e) != 0)
        return -1;
    if (size == 0) {
        tlog_hash_empty(out);
        return 0;
    }
    struct range_arg r = {.a = 0, .b = size, .out = out};
    return run_op(src, op_subtree, &r, e);
}

int tlog_prove_inclusion(const struct tlog_node_source *src, uint64_t index, uint64_t size,
                         struct tlog_proof *out, struct err *e)
{
    out->len = 0;
    if (check_size(size, e) != 0)
        return -1;
    if (index >= size)
        return err_set(e, ERR_INVALID, "leaf index %" PRIu64 " is not below the tree size %" PRIu64,
                       index, size);
    struct range_arg r = {.a = index, .b = size, .proof = out};
    if (run_op(src, op_inclusion, &r, e) != 0) {
        out->len = 0;
        return -1;
    }
    return 0;
}

int tlog_prove_consistency(const struct tlog_node_source *src, uint64_t size1, uint64_t size2,
                           struct tlog_proof *out, struct err *e)
{
    out->len = 0;
    if (check_size(size2, e) != 0)
        return -1;
    if (size1 == 0)
        return err_set(
            e, ERR_INVALID,
            "consistency from an empty tree proves nothing: old size must be at least 1");
    if (size1 > size2)
        return err_set(e, ERR_INVALID,
                       "old tree size %" PRIu64 " is larger than new tree size %" PRIu64, size1,
                       size2);
    if (size1 == size2)
        return 0;
    struct range_arg r = {.a = size1, .b = size2, .proof = out};
    if (run_op(src, op_consistency, &r, e) != 0) {
        out->len = 0;
        return -1;
    }
    return 0;
}

int tlog_append(const struct tlog_node_source *src, uint64_t size,
                const unsigned char leaf_hash[TLOG_HASH_SIZE], struct tlog_appended *out,
                struct err *e)
{
    int rc = -1;
    struct tlog_node_id ids[TLOG_APPEND_MAX];
    unsigned char left[TLOG_APPEND_MAX][TLOG_HASH_SIZE];
    unsigned ones;

    out->count = 0;
    if (size >= TLOG_MAX_SIZE) {
        err_set(e, ERR_INVALID, "the log is full (%" PRIu64 " leaves)", size);
        goto out;
    }
    /* The new leaf completes one node per trailing 1-bit of size; the left
     * sibling at level j is node (j, (size >> j) - 1). */
    ones = (unsigned)__builtin_ctzll(~size);
    for (unsigned j = 0; j < ones; j++) {
        ids[j].level = j;
        ids[j].index = (size >> j) - 1;
    }
    if (ones > 0) {
        if (src->get_many) {
            if (src->get_many(src->ctx, ones, ids, left, e) != 0)
                goto out;
        } else {
            for (unsigned j = 0; j < ones; j++)
                if (src->get(src->ctx, ids[j].level, ids[j].index, left[j], e) != 0)
                    goto out;
        }
    }
    out->nodes[0].level = 0;
    out->nodes[0].index = size;
    memcpy(out->nodes[0].hash, leaf_hash, TLOG_HASH_SIZE);
    for (unsigned j = 0; j < ones; j++) {
        struct tlog_node *up = &out->nodes[j + 1];
        up->level = j + 1;
        up->index = size >> (j + 1);
        tlog_hash_children(up->hash, left[j], out->nodes[j].hash);
    }
    out->count = (size_t)ones + 1;
    rc = 0;
out:
    return rc;
}
