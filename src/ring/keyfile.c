/* keyfile.c — passphrase-encrypted ring keys and Schnorr proofs of possession. */
#include "ring/keyfile.h"

#include "ring/group.h"
#include "ring/triptych.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const uint8_t MAGIC[4] = {'D', 'S', 'R', 'K'};
#define KDF_ARGON2ID13 1
#define OFF_OPS        6
#define OFF_MEM        10
#define OFF_SALT       18
#define OFF_NONCE      (OFF_SALT + 16)
#define OFF_PK         (OFF_NONCE + 24)
#define OFF_CT         (OFF_PK + 32)
#define CT_LEN         (32 + 16)

static const char DST_POP[] = "DISSENT-RING-V1-POP";
static const char DST_POP_NONCE[] = "DISSENT-RING-V1-POP-NONCE";

static int cost_ok(uint32_t ops, uint64_t mem)
{
    return ops >= 1 && ops <= 10 && mem >= 8192 && mem <= (1ull << 30);
}

static int derive(uint8_t key[32], const uint8_t *hdr, const char *pass, size_t pass_len,
                  uint32_t ops, uint64_t mem, struct err *e)
{
    if (crypto_pwhash(key, 32, pass, pass_len, hdr + OFF_SALT, ops, (size_t)mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return err_set(e, ERR_NOMEM, "Argon2id could not allocate %llu bytes",
                       (unsigned long long)mem);
    return 0;
}

int ring_keyfile_seal(uint8_t out[RING_KEYFILE_LEN], const uint8_t sk[32], const char *pass,
                      size_t pass_len, uint32_t opslimit, uint64_t memlimit, struct err *e)
{
    uint8_t key[32];
    int rc = -1;
    if (ring_init(e) != 0)
        return -1;
    if (!cost_ok(opslimit, memlimit))
        return err_set(e, ERR_INVALID,
                       "Argon2id cost must be 1..10 passes and 8 KiB..1 GiB of memory");
    memcpy(out, MAGIC, 4);
    out[4] = RING_KEYFILE_VERSION;
    out[5] = KDF_ARGON2ID13;
    for (int i = 0; i < 4; i++)
        out[OFF_OPS + i] = (uint8_t)(opslimit >> (24 - 8 * i));
    for (int i = 0; i < 8; i++)
        out[OFF_MEM + i] = (uint8_t)(memlimit >> (56 - 8 * i));
    randombytes_buf(out + OFF_SALT, 16);
    randombytes_buf(out + OFF_NONCE, 24);
    if (ring_public_key(out + OFF_PK, sk, e) != 0)
        goto out;
    if (derive(key, out, pass, pass_len, opslimit, memlimit, e) != 0)
        goto out;
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + OFF_CT, NULL, sk, 32, out, OFF_CT, NULL,
                                               out + OFF_NONCE, key);
    rc = 0;
out:
    sodium_memzero(key, sizeof key);
    if (rc != 0)
        sodium_memzero(out, RING_KEYFILE_LEN);
    return rc;
}

static int check_header(const uint8_t *in, size_t in_len, uint32_t *ops, uint64_t *mem,
                        struct err *e)
{
    if (in_len != RING_KEYFILE_LEN)
        return err_set(e, ERR_INVALID, "a ring key file is %d bytes, not %zu", RING_KEYFILE_LEN,
                       in_len);
    if (memcmp(in, MAGIC, 4) != 0)
        return err_set(e, ERR_INVALID, "not a dissent ring key file");
    if (in[4] != RING_KEYFILE_VERSION || in[5] != KDF_ARGON2ID13)
        return err_set(e, ERR_UNSUPPORTED,
                       "ring key file version %u / KDF %u is not supported (version 1, KDF 1)",
                       in[4], in[5]);
    *ops = 0;
    *mem = 0;
    for (int i = 0; i < 4; i++)
        *ops = (*ops << 8) | in[OFF_OPS + i];
    for (int i = 0; i < 8; i++)
        *mem = (*mem << 8) | in[OFF_MEM + i];
    if (!cost_ok(*ops, *mem))
        return err_set(e, ERR_INVALID, "the key file's Argon2id cost is out of range");
    return 0;
}

int ring_keyfile_public(uint8_t pk[32], const uint8_t *in, size_t in_len, struct err *e)
{
    uint32_t ops;
    uint64_t mem;
    if (check_header(in, in_len, &ops, &mem, e) != 0)
        return -1;
    memcpy(pk, in + OFF_PK, 32);
    return 0;
}

int ring_keyfile_open(uint8_t sk[32], uint8_t pk[32], const uint8_t *in, size_t in_len,
                      const char *pass, size_t pass_len, struct err *e)
{
    uint8_t key[32], check[32];
    uint32_t ops;
    uint64_t mem;
    int rc = -1;
    if (ring_init(e) != 0 || check_header(in, in_len, &ops, &mem, e) != 0)
        goto out;
    if (derive(key, in, pass, pass_len, ops, mem, e) != 0)
        goto out;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(sk, NULL, NULL, in + OFF_CT, CT_LEN, in, OFF_CT,
                                                   in + OFF_NONCE, key) != 0) {
        err_set(e, ERR_UNAUTHORIZED, "wrong passphrase, or the key file was altered");
        goto out;
    }
    if (ring_public_key(check, sk, e) != 0 || sodium_memcmp(check, in + OFF_PK, 32) != 0) {
        err_set(e, ERR_CRYPTO, "the key file's secret key does not match its public key");
        goto out;
    }
    if (pk)
        memcpy(pk, in + OFF_PK, 32);
    rc = 0;
out:
    sodium_memzero(key, sizeof key);
    if (rc != 0)
        sodium_memzero(sk, 32);
    return rc;
}

int ring_keyfile_write(const char *path, const uint8_t data[RING_KEYFILE_LEN], struct err *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return err_set(e, ERR_CONFLICT, "%s already exists; not overwriting a key file", path);
        return err_set(e, ERR_IO, "cannot create %s: %s", path, strerror(errno));
    }
    size_t done = 0;
    int rc = 0;
    while (done < RING_KEYFILE_LEN) {
        ssize_t w = write(fd, data + done, RING_KEYFILE_LEN - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = err_set(e, ERR_IO, "cannot write %s: %s", path, strerror(errno));
            break;
        }
        done += (size_t)w;
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = err_set(e, ERR_IO, "cannot sync %s: %s", path, strerror(errno));
    if (close(fd) != 0 && rc == 0)
        rc = err_set(e, ERR_IO, "cannot close %s: %s", path, strerror(errno));
    if (rc != 0)
        unlink(path);
    return rc;
}

int ring_keyfile_read(const char *path, uint8_t data[RING_KEYFILE_LEN], struct err *e)
{
    uint8_t extra;
    int rc = -1;
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "cannot open %s: %s", path,
                       strerror(errno));
    size_t n = fread(data, 1, RING_KEYFILE_LEN, f);
    if (n != RING_KEYFILE_LEN || fread(&extra, 1, 1, f) != 0) {
        err_set(e, ERR_INVALID, "%s is not %d bytes long", path, RING_KEYFILE_LEN);
        goto out;
    }
    rc = 0;
out:
    fclose(f);
    return rc;
}

/* c = SHA-512(len || DST || pk || R || u64be(ctx_len) || ctx) mod l */
static void pop_challenge(uint8_t c[32], const uint8_t pk[32], const uint8_t r[32],
                          const uint8_t *ctx, size_t ctx_len)
{
    crypto_hash_sha512_state st;
    uint8_t h[64], lenb = (uint8_t)(sizeof DST_POP - 1), l8[8];
    for (int i = 0; i < 8; i++)
        l8[i] = (uint8_t)((uint64_t)ctx_len >> (56 - 8 * i));
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, &lenb, 1);
    crypto_hash_sha512_update(&st, (const uint8_t *)DST_POP, sizeof DST_POP - 1);
    crypto_hash_sha512_update(&st, pk, 32);
    crypto_hash_sha512_update(&st, r, 32);
    crypto_hash_sha512_update(&st, l8, 8);
    if (ctx_len)
        crypto_hash_sha512_update(&st, ctx, ctx_len);
    crypto_hash_sha512_final(&st, h);
    ring_scalar_from_hash(c, h);
}

int ring_pop_sign(uint8_t sig[RING_POP_BYTES], const uint8_t sk[32], const uint8_t *ctx,
                  size_t ctx_len, struct err *e)
{
    uint8_t pk[32], k[32], c[32], h[64], rnd[32];
    int rc = -1;
    if (ring_public_key(pk, sk, e) != 0)
        goto out;
    /* hedged nonce: k = H(DST || sk || random || ctx) mod l */
    randombytes_buf(rnd, sizeof rnd);
    crypto_hash_sha512_state st;
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, (const uint8_t *)DST_POP_NONCE, sizeof DST_POP_NONCE - 1);
    crypto_hash_sha512_update(&st, sk, 32);
    crypto_hash_sha512_update(&st, rnd, 32);
    if (ctx_len)
        crypto_hash_sha512_update(&st, ctx, ctx_len);
    crypto_hash_sha512_final(&st, h);
    ring_scalar_from_hash(k, h);
    if (ring_scalar_is_zero(k) || crypto_scalarmult_ristretto255_base(sig, k) != 0) {
        err_set(e, ERR_INTERNAL, "zero nonce");
        goto out;
    }
    pop_challenge(c, pk, sig, ctx, ctx_len);
    crypto_core_ristretto255_scalar_mul(c, c, sk);
    crypto_core_ristretto255_scalar_add(sig + 32, k, c);
    rc = 0;
out:
    sodium_memzero(k, sizeof k);
    sodium_memzero(rnd, sizeof rnd);
    sodium_memzero(h, sizeof h);
    sodium_memzero(c, sizeof c);
    sodium_memzero(&st, sizeof st);
    return rc;
}

int ring_pop_verify(const uint8_t sig[RING_POP_BYTES], const uint8_t pk[32], const uint8_t *ctx,
                    size_t ctx_len, struct err *e)
{
    ring_point pkp, rp, chk;
    uint8_t c[32], negc[32], enc[32];
    decaf_255_scalar_t ds, dc;
    if (ring_init(e) != 0)
        return -1;
    if (ring_point_decode(&pkp, pk, 0, "the public key", e) != 0 ||
        ring_point_decode(&rp, sig, 0, "the proof of possession's R", e) != 0)
        return -1;
    if (!ring_scalar_is_canonical(sig + 32))
        return err_set(e, ERR_INVALID, "the proof of possession's s is not canonical");
    pop_challenge(c, pk, sig, ctx, ctx_len);
    crypto_core_ristretto255_scalar_negate(negc, c);
    if (decaf_255_scalar_decode(ds, sig + 32) != DECAF_SUCCESS ||
        decaf_255_scalar_decode(dc, negc) != DECAF_SUCCESS)
        return err_set(e, ERR_INVALID, "bad scalar in the proof of possession");
    /* s*G - c*pk must equal R */
    decaf_255_base_double_scalarmul_non_secret(&chk, ds, &pkp, dc);
    ring_point_encode(enc, &chk);
    if (sodium_memcmp(enc, sig, 32) != 0)
        return err_set(e, ERR_CRYPTO, "the proof of possession does not verify");
    return 0;
}
