/* proof.c — RFC 9162 §2.1.3.2 and §2.1.4.2 proof verification. */
#include "tlog/proof.h"

#include <inttypes.h>
#include <sodium.h>
#include <string.h>

/* Roots are public, so a plain comparison would do; sodium_memcmp costs nothing here. */
static int same_hash(const unsigned char a[TLOG_HASH_SIZE], const unsigned char b[TLOG_HASH_SIZE])
{
    return sodium_memcmp(a, b, TLOG_HASH_SIZE) == 0;
}

int tlog_root_from_inclusion(uint64_t index, uint64_t size,
                             const unsigned char leaf_hash[TLOG_HASH_SIZE],
                             const struct tlog_proof *proof, unsigned char root_out[TLOG_HASH_SIZE],
                             struct err *e)
{
    int rc = -1;
    unsigned char r[TLOG_HASH_SIZE];
    uint64_t fn, sn;

    if (size > TLOG_MAX_SIZE) {
        err_set(e, ERR_INVALID, "tree size %" PRIu64 " is over the limit of %" PRIu64, size,
                TLOG_MAX_SIZE);
        goto out;
    }
    if (index >= size) {
        err_set(e, ERR_INVALID, "leaf index %" PRIu64 " is not below the tree size %" PRIu64, index,
                size);
        goto out;
    }
    if (proof->len > TLOG_PROOF_MAX) {
        err_set(e, ERR_INVALID, "inclusion proof has %zu hashes, at most %d are allowed",
                proof->len, TLOG_PROOF_MAX);
        goto out;
    }
    fn = index;
    sn = size - 1;
    memcpy(r, leaf_hash, TLOG_HASH_SIZE);
    for (size_t i = 0; i < proof->len; i++) {
        const unsigned char *p = proof->hash[i];
        if (sn == 0) {
            err_set(e, ERR_INVALID,
                    "inclusion proof is longer than the %zu hashes that index %" PRIu64
                    " in a tree of %" PRIu64 " needs",
                    i, index, size);
            goto out;
        }
        if ((fn & 1) || fn == sn) {
            tlog_hash_children(r, p, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            tlog_hash_children(r, r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) {
        err_set(e, ERR_INVALID,
                "inclusion proof has %zu hashes, too few for index %" PRIu64
                " in a tree of %" PRIu64,
                proof->len, index, size);
        goto out;
    }
    memcpy(root_out, r, TLOG_HASH_SIZE);
    rc = 0;
out:
    return rc;
}

int tlog_verify_inclusion(uint64_t index, uint64_t size,
                          const unsigned char leaf_hash[TLOG_HASH_SIZE],
                          const struct tlog_proof *proof, const unsigned char root[TLOG_HASH_SIZE],
                          struct err *e)
{
    unsigned char computed[TLOG_HASH_SIZE];
    if (tlog_root_from_inclusion(index, size, leaf_hash, proof, computed, e) != 0)
        return -1;
    if (!same_hash(computed, root))
        return err_set(e, ERR_CRYPTO, "inclusion proof does not lead to the expected root");
    return 0;
}

int tlog_verify_consistency(uint64_t size1, uint64_t size2,
                            const unsigned char root1[TLOG_HASH_SIZE],
                            const unsigned char root2[TLOG_HASH_SIZE],
                            const struct tlog_proof *proof, struct err *e)
{
    int rc = -1;
    unsigned char fr[TLOG_HASH_SIZE], sr[TLOG_HASH_SIZE];
    uint64_t fn, sn;
    size_t i;

    if (size2 > TLOG_MAX_SIZE) {
        err_set(e, ERR_INVALID, "tree size %" PRIu64 " is over the limit of %" PRIu64, size2,
                TLOG_MAX_SIZE);
        goto out;
    }
    if (size1 > size2) {
        err_set(e, ERR_INVALID, "old tree size %" PRIu64 " is larger than new tree size %" PRIu64,
                size1, size2);
        goto out;
    }
    if (size1 == 0) {
        err_set(e, ERR_INVALID,
                "consistency with an empty tree proves nothing: old size must be at least 1");
        goto out;
    }
    if (proof->len > TLOG_PROOF_MAX) {
        err_set(e, ERR_INVALID, "consistency proof has %zu hashes, at most %d are allowed",
                proof->len, TLOG_PROOF_MAX);
        goto out;
    }
    if (size1 == size2) {
        if (proof->len != 0) {
            err_set(e, ERR_INVALID,
                    "consistency proof between equal sizes must be empty, it has %zu hashes",
                    proof->len);
            goto out;
        }
        if (!same_hash(root1, root2)) {
            err_set(e, ERR_CRYPTO, "trees of equal size %" PRIu64 " have different roots", size1);
            goto out;
        }
        rc = 0;
        goto out;
    }
    if (proof->len == 0) {
        err_set(e, ERR_INVALID, "consistency proof from size %" PRIu64 " to %" PRIu64 " is empty",
                size1, size2);
        goto out;
    }

    /* RFC 9162 §2.1.4.2. When size1 is a power of two, the old root itself
     * is the first element of the path and the proof omits it. */
    fn = size1 - 1;
    sn = size2 - 1;
    i = 0;
    if ((size1 & (size1 - 1)) == 0) {
        memcpy(fr, root1, TLOG_HASH_SIZE);
    } else {
        memcpy(fr, proof->hash[0], TLOG_HASH_SIZE);
        i = 1;
    }
    memcpy(sr, fr, TLOG_HASH_SIZE);
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    for (; i < proof->len; i++) {
        const unsigned char *c = proof->hash[i];
        if (sn == 0) {
            err_set(e, ERR_INVALID,
                    "consistency proof from size %" PRIu64 " to %" PRIu64 " is too long", size1,
                    size2);
            goto out;
        }
        if ((fn & 1) || fn == sn) {
            tlog_hash_children(fr, c, fr);
            tlog_hash_children(sr, c, sr);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            tlog_hash_children(sr, sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0) {
        err_set(e, ERR_INVALID,
                "consistency proof from size %" PRIu64 " to %" PRIu64 " is too short", size1,
                size2);
        goto out;
    }
    if (!same_hash(fr, root1)) {
        err_set(e, ERR_CRYPTO, "consistency proof does not lead to the old root");
        goto out;
    }
    if (!same_hash(sr, root2)) {
        err_set(e, ERR_CRYPTO, "consistency proof does not lead to the new root");
        goto out;
    }
    rc = 0;
out:
    return rc;
}
