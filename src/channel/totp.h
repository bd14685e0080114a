/* totp.h — time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second
 * steps, 6 digits, as authenticator apps expect), computed with liboath;
 * the otpauth:// URI apps scan; recovery codes for the second factor.
 * Pure functions: no store, no clock of their own. */
#ifndef DISSENT_CHANNEL_TOTP_H
#define DISSENT_CHANNEL_TOTP_H

#include "base/compat.h"
#include "base/err.h"
#include "base/pool.h"
#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET_BYTES 20 /* 160 bits, RFC 4226's recommendation */
#define TOTP_DIGITS       6
#define TOTP_PERIOD       30
#define TOTP_WINDOW       1 /* steps accepted either side of now (clock drift) */
/* A recovery code: 80 random bits as 16 base32 letters, shown in groups of
 * four ("abcd-efgh-ijkl-mnop"). */
#define TOTP_RECOVERY_BYTES 10
#define TOTP_RECOVERY_CHARS 16
#define TOTP_RECOVERY_TEXT  (TOTP_RECOVERY_CHARS + 3)

/* The time step of unix time now. */
int64_t totp_step(int64_t now);

/* The code of time step step for secret into out ("012345"). 0 or -1. */
int totp_code(const unsigned char *secret, size_t len, int64_t step, char out[TOTP_DIGITS + 1],
              struct err *e) WUR;

/* Checks code (6 digits, spaces ignored) against secret at now, within
 * TOTP_WINDOW steps, accepting only steps after last_step (a code is used
 * once). *step: the step matched, 0 when none. Every candidate is computed
 * and compared in constant time. 0, or -1 when liboath fails. */
int totp_check(const unsigned char *secret, size_t len, int64_t now, int64_t last_step,
               const char *code, int64_t *step, struct err *e) WUR;

/* The secret in base32 (RFC 4648, upper case, no padding), from p; NULL
 * when out of memory. */
char *totp_base32(struct pool *p, const unsigned char *secret, size_t len);

/* otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30,
 * issuer and account percent-encoded; from p (NULL: out of memory). */
char *totp_uri(struct pool *p, const unsigned char *secret, size_t len, const char *issuer,
               const char *account);

/* A new recovery code, "abcd-efgh-ijkl-mnop" (random), and the SHA-256 of its
 * normalized form into hash. */
void totp_recovery_new(char out[TOTP_RECOVERY_TEXT + 1], unsigned char hash[32]);

/* The SHA-256 of a recovery code as typed (case, spaces and dashes
 * ignored). 0, or -1 when it cannot be one (wrong length or letters). */
int totp_recovery_hash(const char *typed, unsigned char hash[32]);

#endif
