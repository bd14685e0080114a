/* util.h — small helpers used across layers: hex, random identifiers,
 * strict number parsing, UTF-8 validation, UTC time. */
#ifndef DISSENT_BASE_UTIL_H
#define DISSENT_BASE_UTIL_H

#include "base/compat.h"
#include "base/err.h"
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Writes 2*n lowercase hex digits and a NUL into out (size >= 2n+1). */
void hex_encode(char *out, const unsigned char *in, size_t n);

/* Decodes exactly n bytes from a hex string of length 2n. Returns 0 or -1. */
int hex_decode(unsigned char *out, size_t n, const char *hex) WUR;

/* Length of a random identifier, in characters (from 16 random bytes). */
#define RANDOM_ID_LEN 26
/* Writes a random, non-sequential identifier: 26 lowercase base32 characters
 * (128 bits) and a NUL. out must hold RANDOM_ID_LEN+1 bytes. */
void random_id(char out[RANDOM_ID_LEN + 1]);

/* Parses a whole decimal string into an int64 in [min, max]. No sign other
 * than a leading '-', no spaces, no trailing bytes. Returns 0 or -1. */
int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out) WUR;

/* Returns 1 if s[0..n) is well-formed UTF-8 with no NUL and no overlong or
 * surrogate sequences, else 0. */
int utf8_valid(const char *s, size_t n);

/* Number of code points in well-formed UTF-8. */
size_t utf8_len(const char *s, size_t n);

/* The one test of text that could drive a terminal: the number of bytes of
 * the control character s starts with, 0 when it starts with none (or at
 * the end). Controls are the C0 ones (below 0x20) except those in keep
 * (e.g. "\n\t"; "" keeps none), DEL (0x7f), and the C1 ones, U+0080 to
 * U+009F, in UTF-8 0xC2 0x80 to 0xC2 0x9F (2 bytes; U+009B is a CSI, like
 * ESC [). Other UTF-8, well-formed or not, is not a control. */
size_t text_control_len(const char *s, const char *keep);

/* Copies s into out (size n > 0, NUL-terminated, cut at n - 1 bytes) with
 * each control character (text_control_len) replaced by the byte repl. */
void text_clean_copy(char *out, size_t n, const char *s, const char *keep, char repl);

/* Seconds since the epoch, UTC. Tests may pin it with DISSENT_FAKE_NOW. */
int64_t now_utc(void);

/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into out (>= 21 bytes). */
void time_format_utc(char out[21], int64_t t);

/* Parses "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DD" (midnight UTC). Returns 0 or -1. */
int time_parse_utc(const char *s, int64_t *out) WUR;

/* Days since 1970-01-01 of a civil date, and back. Proleptic Gregorian. */
int64_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);

#endif
