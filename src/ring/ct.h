/* ct.h — marks for the constant-time check of the prover (tests/ct/,
 * `make ct`, docs/testing.md).
 *
 * Built with -DRING_CTGRIND, RING_CT_SECRET makes bytes "undefined" for
 * valgrind's memcheck, which then reports every branch and every memory
 * index that depends on them: the secrets (the key, the signer's index, the
 * prover's random scalars) are marked so, and RING_CT_PUBLIC marks a value
 * derived from them that the protocol makes public anyway (the proof, the
 * challenge, the public key, "this key is not the ring's key number i").
 * Without RING_CTGRIND both are nothing. */
#ifndef DISSENT_RING_CT_H
#define DISSENT_RING_CT_H

#ifdef RING_CTGRIND
#include <valgrind/memcheck.h>
#define RING_CT_SECRET(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#define RING_CT_PUBLIC(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#else
#define RING_CT_SECRET(p, n) ((void)(p), (void)(n))
#define RING_CT_PUBLIC(p, n) ((void)(p), (void)(n))
#endif

#endif
