/* fuzz_keyfile.c — ring_keyfile_open and ring_keyfile_public on fuzzed key
 * files. The input is a key file (its first 138 bytes) and then the
 * passphrase. An input whose first byte is 0x00 is instead a list of patches
 * (1 byte of offset, 1 byte to xor) applied to a valid key file sealed at
 * start-up with passphrase "fuzz passphrase" (the rest after the patches is
 * empty, so that passphrase is used).
 *
 * Argon2id is run only at the cheapest cost (1 pass, at most 64 KiB): a file
 * that asks for more gets its cost fields set out of range first, so it
 * exercises the refusal path instead of spending seconds per input. */
#include "../fuzz.h"
#include "rng.h"

#include "ring/keyfile.h"
#include "ring/triptych.h"

#define OFF_OPS 6
#define OFF_MEM 10
#define OFF_PK  58
static const char pass[] = "fuzz passphrase";
static uint8_t sealed[RING_KEYFILE_LEN];
static uint8_t sealed_sk[32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct err e;
    (void)argc;
    (void)argv;
    fuzz_rng_install();
    memset(sealed_sk, 0, sizeof sealed_sk);
    sealed_sk[0] = 42;
    if (ring_keyfile_seal(sealed, sealed_sk, pass, sizeof pass - 1, 1, 8192, &e) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t file[RING_KEYFILE_LEN + 64];
    size_t flen;
    const char *pw;
    size_t pwlen;
    uint8_t sk[32], pk[32], pk2[32], check[32];
    struct err e;
    int rc;

    if (size && data[0] == 0) {
        memcpy(file, sealed, RING_KEYFILE_LEN);
        flen = RING_KEYFILE_LEN;
        for (size_t i = 1; i + 2 <= size; i += 2)
            file[data[i] % RING_KEYFILE_LEN] ^= data[i + 1];
        pw = pass;
        pwlen = sizeof pass - 1;
    } else {
        flen = size < RING_KEYFILE_LEN ? size : RING_KEYFILE_LEN;
        memcpy(file, data, flen);
        pw = (const char *)data + flen;
        pwlen = size - flen;
    }
    if (flen == RING_KEYFILE_LEN) {
        uint32_t ops = 0;
        uint64_t mem = 0;
        for (int i = 0; i < 4; i++)
            ops = ops << 8 | file[OFF_OPS + i];
        for (int i = 0; i < 8; i++)
            mem = mem << 8 | file[OFF_MEM + i];
        if (ops > 1 || mem > 65536)
            memset(file + OFF_OPS, 0, 4); /* out of range: refused before Argon2id */
    }
    err_init(&e);
    if (ring_keyfile_public(pk2, file, flen, &e) == 0)
        FUZZ_CHECK(flen == RING_KEYFILE_LEN && memcmp(pk2, file + OFF_PK, 32) == 0);
    err_init(&e);
    memset(sk, 0xa5, sizeof sk);
    rc = ring_keyfile_open(sk, pk, file, flen, pw, pwlen, &e);
    if (rc == 0) {
        FUZZ_CHECK(ring_public_key(check, sk, &e) == 0);
        FUZZ_CHECK(memcmp(check, pk, 32) == 0 && memcmp(pk, pk2, 32) == 0);
        if (size && data[0] == 0)
            FUZZ_CHECK(memcmp(sk, sealed_sk, 32) == 0);
    } else {
        static const uint8_t zero[32];
        FUZZ_CHECK(memcmp(sk, zero, 32) == 0); /* wiped on failure */
        FUZZ_CHECK(e.code == ERR_INVALID || e.code == ERR_UNSUPPORTED ||
                   e.code == ERR_UNAUTHORIZED || e.code == ERR_CRYPTO || e.code == ERR_NOMEM);
    }
    return 0;
}
