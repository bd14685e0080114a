/* ringtool.c — the native side of the browser module's compatibility tests
 * and benchmark (tests/wasm/, tests/browser/wasm.test.mjs,
 * tests/bench/wasm-bench.mjs): the same src/ring functions the CLI and the
 * server call, driven from the command line with hex in and out.
 *
 *   ringtool ring N KEYS_OUT            N random keys (32 bytes each) to KEYS_OUT;
 *                                       prints "index sk_hex" of one member
 *   ringtool prove KEYS INDEX SK SCOPE MSG   prints the proof (hex) and, on
 *                                       stderr, "prove_ms <ms>"
 *   ringtool verify KEYS PROOF SCOPE MSG     prints the tag (hex); exit 1 if
 *                                       the proof does not verify
 *   ringtool open KEYFILE PASSFILE SCOPE     opens a key file as `dissent`
 *                                       does; prints "pk_hex tag_hex"
 *   ringtool seal SK PASSFILE OUT       seals sk into a key file (minimum
 *                                       Argon2id cost, for tests)
 *
 * SCOPE and MSG are text; SK and PROOF hex. Exit 0, 1 (failed check), 2
 * (usage or I/O). Built by `make wasm-test` and `make bench`. */
#include "ring/keyfile.h"
#include "ring/triptych.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int hex_in(uint8_t *out, size_t n, const char *hex)
{
    size_t got = 0;
    return sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL) == 0 && got == n ? 0 : -1;
}

static void hex_out(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
}

/* Reads a whole file (malloc'd) or NULL. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *d = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (d = malloc((size_t)n + 1)) && fread(d, 1, (size_t)n, f) == (size_t)n)
        *len = (size_t)n;
    else {
        free(d);
        d = NULL;
    }
    fclose(f);
    return d;
}

static struct ring_keys *load_ring(const char *path)
{
    size_t len = 0;
    struct err e;
    struct ring_keys *r = NULL;
    uint8_t *k = slurp(path, &len);
    err_init(&e);
    if (!k || len % 32 || ring_keys_new(&r, (const uint8_t(*)[32])k, len / 32, &e) != 0) {
        fprintf(stderr, "ringtool: cannot load the ring %s: %s\n", path, e.msg);
        r = NULL;
    }
    free(k);
    return r;
}

/* The first line of a passphrase file, without its newline. */
static char *passphrase(const char *path, size_t *len)
{
    char *p = (char *)slurp(path, len);
    if (p) {
        p[*len] = '\0';
        *len = strcspn(p, "\r\n");
    }
    return p;
}

static int cmd_ring(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    size_t n = strtoul(argv[2], NULL, 10), pick;
    uint8_t sk[32], pk[32], keep[32];
    FILE *f = fopen(argv[3], "wb");
    if (!f || n == 0)
        return 2;
    pick = n / 3;
    for (size_t i = 0; i < n; i++) {
        if (ring_keypair(pk, sk, NULL) != 0 || fwrite(pk, 1, 32, f) != 32)
            return 2;
        if (i == pick)
            memcpy(keep, sk, 32);
    }
    if (fclose(f) != 0)
        return 2;
    printf("%zu ", pick);
    hex_out(keep, 32);
    printf("\n");
    return 0;
}

static int cmd_prove(int argc, char **argv)
{
    if (argc != 7)
        return 2;
    uint8_t sk[32], *proof = NULL;
    size_t len = 0;
    struct err e;
    struct timespec t0, t1;
    struct ring_keys *r = load_ring(argv[2]);
    err_init(&e);
    if (!r || hex_in(sk, 32, argv[4]) != 0)
        return 2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = ring_prove(&proof, &len, r, strtoul(argv[3], NULL, 10), sk, (const uint8_t *)argv[5],
                        strlen(argv[5]), (const uint8_t *)argv[6], strlen(argv[6]), &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sodium_memzero(sk, sizeof sk);
    if (rc != 0) {
        fprintf(stderr, "ringtool: %s\n", e.msg);
        ring_keys_free(r);
        return 1;
    }
    hex_out(proof, len);
    printf("\n");
    fprintf(stderr, "prove_ms %.1f\n",
            (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    free(proof);
    ring_keys_free(r);
    return 0;
}

static int cmd_verify(int argc, char **argv)
{
    if (argc != 6)
        return 2;
    size_t hl = strlen(argv[3]), len = hl / 2;
    uint8_t *proof = malloc(len + 1), tag[32];
    struct err e;
    struct ring_keys *r = load_ring(argv[2]);
    err_init(&e);
    if (!r || !proof || hex_in(proof, len, argv[3]) != 0)
        return 2;
    int rc = ring_verify(r, proof, len, (const uint8_t *)argv[4], strlen(argv[4]),
                         (const uint8_t *)argv[5], strlen(argv[5]), tag, &e);
    free(proof);
    ring_keys_free(r);
    if (rc != 0) {
        fprintf(stderr, "ringtool: %s\n", e.msg);
        return 1;
    }
    hex_out(tag, 32);
    printf("\n");
    return 0;
}

static int cmd_open(int argc, char **argv)
{
    if (argc != 5)
        return 2;
    size_t flen = 0, plen = 0;
    uint8_t *file = slurp(argv[2], &flen), sk[32], pk[32], tag[32];
    char *pass = passphrase(argv[3], &plen);
    struct err e;
    err_init(&e);
    if (!file || !pass)
        return 2;
    int rc = ring_keyfile_open(sk, pk, file, flen, pass, plen, &e);
    rc = rc ? rc : ring_tag(tag, sk, (const uint8_t *)argv[4], strlen(argv[4]), &e);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(pass, plen);
    free(pass);
    free(file);
    if (rc != 0) {
        fprintf(stderr, "ringtool: %s\n", e.msg);
        return 1;
    }
    hex_out(pk, 32);
    printf(" ");
    hex_out(tag, 32);
    printf("\n");
    return 0;
}

static int cmd_seal(int argc, char **argv)
{
    if (argc != 5)
        return 2;
    size_t plen = 0;
    uint8_t sk[32], out[RING_KEYFILE_LEN];
    char *pass = passphrase(argv[3], &plen);
    struct err e;
    err_init(&e);
    if (!pass || hex_in(sk, 32, argv[2]) != 0)
        return 2;
    int rc = ring_keyfile_seal(out, sk, pass, plen, 1, 8192, &e);
    sodium_memzero(sk, sizeof sk);
    free(pass);
    if (rc != 0) {
        fprintf(stderr, "ringtool: %s\n", e.msg);
        return 1;
    }
    FILE *f = fopen(argv[4], "wb");
    if (!f || fwrite(out, 1, sizeof out, f) != sizeof out || fclose(f) != 0)
        return 2;
    return 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0 || argc < 2) {
        fprintf(stderr, "usage: ringtool ring|prove|verify|open|seal ...\n");
        return 2;
    }
    int rc = 2;
    if (strcmp(argv[1], "ring") == 0)
        rc = cmd_ring(argc, argv);
    else if (strcmp(argv[1], "prove") == 0)
        rc = cmd_prove(argc, argv);
    else if (strcmp(argv[1], "verify") == 0)
        rc = cmd_verify(argc, argv);
    else if (strcmp(argv[1], "open") == 0)
        rc = cmd_open(argc, argv);
    else if (strcmp(argv[1], "seal") == 0)
        rc = cmd_seal(argc, argv);
    if (rc == 2)
        fprintf(stderr, "ringtool: bad usage or unreadable input (see tools/wasm/ringtool.c)\n");
    return rc;
}
