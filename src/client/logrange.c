/* logrange.c — compact ranges of leaf hashes and the base64 of hashes
 * (client/logclient.h): roots of a log from its leaves alone. Apart from the fetching
 * code so that the WebAssembly build (tools/wasm/build.sh) can check a log
 * the page downloaded with the very code the CLI uses. */
#include "client/logclient.h"

#include <sodium.h>
#include <string.h>

void logc_range_init(struct logc_range *r)
{
    memset(r, 0, sizeof *r);
}

int logc_range_append(struct logc_range *r, const unsigned char leaf_hash[TLOG_HASH_SIZE],
                      struct err *e)
{
    unsigned char h[TLOG_HASH_SIZE];
    if (r->size >= TLOG_MAX_SIZE)
        return err_set(e, ERR_INVALID, "the log is full");
    memcpy(h, leaf_hash, sizeof h);
    /* Each trailing 1-bit of the old size closes a perfect subtree. */
    for (uint64_t s = r->size; (s & 1) && r->n > 0; s >>= 1) {
        tlog_hash_children(h, r->hash[r->n - 1], h);
        r->n--;
    }
    memcpy(r->hash[r->n++], h, sizeof h);
    r->size++;
    return 0;
}

void logc_range_root(const struct logc_range *r, unsigned char out[TLOG_HASH_SIZE])
{
    unsigned char h[TLOG_HASH_SIZE];
    if (r->n == 0) {
        tlog_hash_empty(out);
        return;
    }
    memcpy(h, r->hash[r->n - 1], sizeof h);
    for (size_t i = r->n - 1; i-- > 0;)
        tlog_hash_children(h, r->hash[i], h);
    memcpy(out, h, sizeof h);
}

void logc_root_of(const unsigned char (*hashes)[TLOG_HASH_SIZE], uint64_t m,
                  unsigned char out[TLOG_HASH_SIZE])
{
    struct logc_range r;
    logc_range_init(&r);
    for (uint64_t i = 0; i < m; i++)
        if (logc_range_append(&r, hashes[i], NULL))
            break;
    logc_range_root(&r, out);
}

int logc_range_from_inclusion(uint64_t index, uint64_t size, const struct tlog_proof *p,
                              struct logc_range *r, struct err *e)
{
    /* RFC 9162 §2.1.3.2 walked without hashing: the hashes it puts on the
     * left are the left siblings of the path, the perfect subtrees that
     * make up [0, index), smallest first. */
    uint64_t fn = index, sn = size - 1;
    size_t left[64], nl = 0;

    logc_range_init(r);
    if (index >= size || size > TLOG_MAX_SIZE)
        return err_set(e, ERR_INVALID, "leaf %llu is not in a tree of %llu leaves",
                       (unsigned long long)index, (unsigned long long)size);
    for (size_t i = 0; i < p->len; i++) {
        if (sn == 0)
            return err_set(e, ERR_INVALID,
                           "the inclusion proof of leaf %llu in %llu leaves is too long",
                           (unsigned long long)index, (unsigned long long)size);
        if ((fn & 1) || fn == sn) {
            if (nl == sizeof left / sizeof left[0])
                return err_set(e, ERR_INVALID, "the inclusion proof is too long");
            left[nl++] = i;
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0 || nl != (size_t)__builtin_popcountll(index))
        return err_set(e, ERR_INVALID,
                       "the inclusion proof of leaf %llu in %llu leaves is too short",
                       (unsigned long long)index, (unsigned long long)size);
    for (size_t j = 0; j < nl; j++)
        memcpy(r->hash[j], p->hash[left[nl - 1 - j]], TLOG_HASH_SIZE);
    r->n = nl;
    r->size = index;
    return 0;
}

/* ---- base64 ------------------------------------------------------------ */

int logc_hash_decode(const char *b64, unsigned char out[TLOG_HASH_SIZE])
{
    size_t n = 0;
    char again[48];
    if (!b64 || strlen(b64) != 44 ||
        sodium_base642bin(out, TLOG_HASH_SIZE, b64, 44, NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != TLOG_HASH_SIZE)
        return -1;
    logc_hash_encode(out, again);
    return strcmp(again, b64) == 0 ? 0 : -1; /* canonical only */
}

void logc_hash_encode(const unsigned char h[TLOG_HASH_SIZE], char out[48])
{
    sodium_bin2base64(out, 48, h, TLOG_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL);
}
