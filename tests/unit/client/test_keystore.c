/* Tests for src/client/keystore.c: the proof of possession that enrolls a
 * key verifies over exactly the protocol's context for that organization
 * and member (and not another's), and names too long are refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "base/util.h"
#include "client/keystore.h"
#include "proto/anon.h"
#include "ring/keyfile.h"
#include "ring/triptych.h"

#define CH  "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define CH2 "10112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static void test_enroll_proof(void **state)
{
    (void)state;
    uint8_t pk[32], sk[32], pop[RING_POP_BYTES];
    char hex[KEYSTORE_PROOF_HEX], ctx[PROTO_POP_CONTEXT_MAX], longname[700];
    size_t n;
    struct err e;

    err_init(&e);
    assert_int_equal(ring_keypair(pk, sk, &e), 0);
    assert_int_equal(keystore_enroll_proof(sk, "o", "state", "bob", CH, hex, &e), 0);
    assert_int_equal(strlen(hex), 2 * RING_POP_BYTES);
    assert_int_equal(hex_decode(pop, sizeof pop, hex), 0);
    n = proto_pop_context(ctx, sizeof ctx, "o", "state", "bob", CH);
    assert_int_equal(ring_pop_verify(pop, pk, (const uint8_t *)ctx, n, &e), 0);
    /* bound to the organization and the member */
    n = proto_pop_context(ctx, sizeof ctx, "o", "state", "alice", CH);
    assert_int_equal(ring_pop_verify(pop, pk, (const uint8_t *)ctx, n, &e), -1);
    n = proto_pop_context(ctx, sizeof ctx, "o", "defense", "bob", CH);
    assert_int_equal(ring_pop_verify(pop, pk, (const uint8_t *)ctx, n, &e), -1);
    /* and to the installation and the challenge */
    n = proto_pop_context(ctx, sizeof ctx, "p", "state", "bob", CH);
    assert_int_equal(ring_pop_verify(pop, pk, (const uint8_t *)ctx, n, &e), -1);
    n = proto_pop_context(ctx, sizeof ctx, "o", "state", "bob", CH2);
    assert_int_equal(ring_pop_verify(pop, pk, (const uint8_t *)ctx, n, &e), -1);

    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    err_init(&e);
    assert_int_equal(keystore_enroll_proof(sk, "o", "state", longname, CH, hex, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    sodium_memzero(sk, sizeof sk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enroll_proof),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
