/* keystore.c — the CLI's ring key file: default path, creation, opening. */
#include "client/keystore.h"
#include "client/files.h"

#include "base/util.h"
#include "proto/anon.h"
#include "ring/keyfile.h"
#include "ring/triptych.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint32_t cost_ops = RING_KEYFILE_OPSLIMIT;
static uint64_t cost_mem = RING_KEYFILE_MEMLIMIT;

void keystore_set_cost(uint32_t opslimit, uint64_t memlimit)
{
    cost_ops = opslimit ? opslimit : RING_KEYFILE_OPSLIMIT;
    cost_mem = memlimit ? memlimit : RING_KEYFILE_MEMLIMIT;
}

int keystore_default_path(char *out, size_t n, struct err *e)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int w;
    if (xdg && xdg[0] == '/')
        w = snprintf(out, n, "%s/dissent/ring.key", xdg);
    else if (home && home[0])
        w = snprintf(out, n, "%s/.config/dissent/ring.key", home);
    else
        return err_set(e, ERR_INVALID,
                       "cannot tell where to keep the ring key: give --key FILE "
                       "or set HOME");
    if (w < 0 || (size_t)w >= n)
        return err_set(e, ERR_INVALID, "the key file path is longer than %zu bytes", n - 1);
    return 0;
}

int keystore_create(const char *path, const char *pass, size_t pass_len, uint8_t pk[32],
                    struct err *e)
{
    int rc = -1;
    uint8_t sk[32], file[RING_KEYFILE_LEN];
    struct stat st;

    if (pass_len < KEYSTORE_PASS_MIN) {
        err_set(e, ERR_INVALID, "the passphrase must be at least %d characters", KEYSTORE_PASS_MIN);
        goto out;
    }
    if (stat(path, &st) == 0) {
        err_set(e, ERR_CONFLICT,
                "%s already exists; not overwriting a key file (give another "
                "--key FILE to make a new key)",
                path);
        goto out;
    }
    if (files_make_parents(path, e) || ring_keypair(pk, sk, e) ||
        ring_keyfile_seal(file, sk, pass, pass_len, cost_ops, cost_mem, e) ||
        ring_keyfile_write(path, file, e))
        goto out;
    rc = 0;
out:
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(file, sizeof file);
    return rc;
}

int keystore_open(const char *path, const char *pass, size_t pass_len, uint8_t sk[32],
                  uint8_t pk[32], struct err *e)
{
    int rc = -1;
    uint8_t file[RING_KEYFILE_LEN];
    if (ring_keyfile_read(path, file, e)) {
        if (e && e->code == ERR_NOT_FOUND)
            err_set(e, ERR_NOT_FOUND,
                    "no ring key at %s (run 'dissent key new', or give --key "
                    "FILE)",
                    path);
        goto out;
    }
    if (ring_keyfile_open(sk, pk, file, sizeof file, pass, pass_len, e)) {
        if (e && e->code == ERR_UNAUTHORIZED)
            err_set(e, ERR_UNAUTHORIZED,
                    "cannot open %s: wrong passphrase, or the file was "
                    "altered",
                    path);
        goto out;
    }
    rc = 0;
out:
    if (rc)
        sodium_memzero(sk, 32);
    sodium_memzero(file, sizeof file);
    return rc;
}

int keystore_public(const char *path, uint8_t pk[32], struct err *e)
{
    uint8_t file[RING_KEYFILE_LEN];
    if (ring_keyfile_read(path, file, e)) {
        if (e && e->code == ERR_NOT_FOUND)
            err_set(e, ERR_NOT_FOUND,
                    "no ring key at %s (run 'dissent key new', or give --key "
                    "FILE)",
                    path);
        return -1;
    }
    return ring_keyfile_public(pk, file, sizeof file, e);
}

_Static_assert(KEYSTORE_PROOF_HEX == 2 * RING_POP_BYTES + 1, "proof hex size");

int keystore_enroll_proof(const uint8_t sk[32], const char *origin, const char *org,
                          const char *username, const char *challenge,
                          char proof_hex[KEYSTORE_PROOF_HEX], struct err *e)
{
    char pctx[PROTO_POP_CONTEXT_MAX];
    uint8_t pop[RING_POP_BYTES];
    size_t pctx_len = proto_pop_context(pctx, sizeof pctx, origin, org, username, challenge);
    if (pctx_len == 0 || pctx_len >= sizeof pctx)
        return err_set(e, ERR_INVALID, "the user or organization name is too long");
    if (ring_pop_sign(pop, sk, (const uint8_t *)pctx, pctx_len, e))
        return -1;
    hex_encode(proof_hex, pop, sizeof pop);
    return 0;
}
