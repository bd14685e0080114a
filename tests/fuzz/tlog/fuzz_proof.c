/* fuzz_proof.c — inclusion and consistency proof verification with fuzzed
 * proofs. Three input forms:
 *   - a JSON object in the layout of the shared Merkle vectors (leafIdx,
 *     treeSize, leafHash, root, proof / size1, size2, root1, root2, proof;
 *     hashes in base64), so ../shared/vectors/merkle seeds it directly;
 *   - binary: 1 byte kind, 8 bytes a, 8 bytes b, 32-byte hash x, 32-byte hash
 *     y, then up to 64 proof hashes of 32 bytes;
 * and, for every input, a round trip: a tree of 1..64 leaves is built in a
 * memstore from the input's first bytes, a proof generated for it must
 * verify, and the same proof with one bit flipped must not. */
#include "../fuzz.h"

#include "tlog/memstore.h"
#include "tlog/proof.h"
#include "tlog/tree.h"

#include <jansson.h>
#include <sodium.h>

static int b64_hash(const json_t *v, unsigned char out[TLOG_HASH_SIZE])
{
    unsigned char tmp[256];
    size_t n = 0;
    const char *s = json_string_value(v);
    if (!s ||
        sodium_base642bin(tmp, sizeof tmp, s, strlen(s), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != TLOG_HASH_SIZE)
        return -1;
    memcpy(out, tmp, TLOG_HASH_SIZE);
    return 0;
}

static uint64_t u64_of(const json_t *v)
{
    return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

static void check(int kind, uint64_t a, uint64_t b, const unsigned char x[32],
                  const unsigned char y[32], const struct tlog_proof *p)
{
    struct err e;
    unsigned char root[TLOG_HASH_SIZE];
    err_init(&e);
    if (kind == 0) {
        int ok = tlog_verify_inclusion(a, b, x, p, y, &e) == 0;
        int have = tlog_root_from_inclusion(a, b, x, p, root, &e) == 0;
        FUZZ_CHECK(!ok || have);
        if (have)
            FUZZ_CHECK(ok == (memcmp(root, y, TLOG_HASH_SIZE) == 0));
        if (ok)
            FUZZ_CHECK(a < b && p->len <= 63);
    } else {
        if (tlog_verify_consistency(a, b, x, y, p, &e) == 0) {
            FUZZ_CHECK(a >= 1 && a <= b && p->len <= TLOG_PROOF_MAX);
            if (a == b)
                FUZZ_CHECK(p->len == 0 && memcmp(x, y, TLOG_HASH_SIZE) == 0);
        } else {
            FUZZ_CHECK(e.code == ERR_INVALID || e.code == ERR_CRYPTO);
        }
    }
}

static void from_json(const uint8_t *data, size_t size, struct tlog_proof *p)
{
    json_t *j = json_loadb((const char *)data, size, 0, NULL);
    const json_t *arr;
    unsigned char x[32] = {0}, y[32] = {0};
    int kind;

    if (!json_is_object(j))
        goto out;
    kind = json_object_get(j, "size1") ? 1 : 0;
    arr = json_object_get(j, "proof");
    p->len = 0;
    for (size_t i = 0; i < json_array_size(arr) && i < TLOG_PROOF_MAX; i++) {
        if (b64_hash(json_array_get(arr, i), p->hash[i]) != 0)
            goto out;
        p->len++;
    }
    if (kind == 0) {
        if (b64_hash(json_object_get(j, "leafHash"), x) || b64_hash(json_object_get(j, "root"), y))
            goto out;
        check(0, u64_of(json_object_get(j, "leafIdx")), u64_of(json_object_get(j, "treeSize")), x,
              y, p);
    } else {
        if (b64_hash(json_object_get(j, "root1"), x) || b64_hash(json_object_get(j, "root2"), y))
            goto out;
        check(1, u64_of(json_object_get(j, "size1")), u64_of(json_object_get(j, "size2")), x, y, p);
    }
out:
    json_decref(j);
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void round_trip(const uint8_t *data, size_t size, struct tlog_proof *p)
{
    struct tlog_memstore ms;
    struct tlog_node_source src;
    struct err e;
    unsigned char leaf[32], root[32], root1[32];
    uint64_t n, i, m;

    if (size < 4)
        return;
    n = 1 + data[0] % 64;
    i = data[1] % n;
    m = 1 + data[2] % n;
    tlog_memstore_init(&ms);
    for (uint64_t k = 0; k < n; k++) {
        tlog_hash_leaf(leaf, &k, sizeof k);
        FUZZ_CHECK(tlog_memstore_append(&ms, leaf, &e) == 0);
    }
    src = tlog_memstore_source(&ms);
    FUZZ_CHECK(tlog_root(&src, n, root, &e) == 0);
    FUZZ_CHECK(tlog_root(&src, m, root1, &e) == 0);
    tlog_hash_leaf(leaf, &i, sizeof i);

    FUZZ_CHECK(tlog_prove_inclusion(&src, i, n, p, &e) == 0);
    FUZZ_CHECK(tlog_verify_inclusion(i, n, leaf, p, root, &e) == 0);
    if (p->len) {
        size_t bit = data[3] % (p->len * 256);
        p->hash[bit / 256][(bit % 256) / 8] ^= (unsigned char)(1u << (bit % 8));
        FUZZ_CHECK(tlog_verify_inclusion(i, n, leaf, p, root, &e) != 0);
    }
    FUZZ_CHECK(tlog_prove_consistency(&src, m, n, p, &e) == 0);
    FUZZ_CHECK(tlog_verify_consistency(m, n, root1, root, p, &e) == 0);
    if (p->len) {
        size_t bit = data[3] % (p->len * 256);
        p->hash[bit / 256][(bit % 256) / 8] ^= (unsigned char)(1u << (bit % 8));
        FUZZ_CHECK(tlog_verify_consistency(m, n, root1, root, p, &e) != 0);
    }
    tlog_memstore_release(&ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tlog_proof p;

    memset(&p, 0, sizeof p);
    if (size && data[0] == '{') {
        from_json(data, size, &p);
    } else if (size >= 81) {
        size_t n = (size - 81) / 32;
        p.len = n > TLOG_PROOF_MAX ? TLOG_PROOF_MAX : n;
        memcpy(p.hash, data + 81, p.len * 32);
        check(data[0] & 1, get64(data + 1), get64(data + 9), data + 17, data + 49, &p);
    }
    round_trip(data, size, &p);
    return 0;
}
