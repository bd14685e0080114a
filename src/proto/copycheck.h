/* copycheck.h — checking a copy of a memo paragraph by paragraph.
 *
 * Each version has a random 32-byte verification key, printed at the foot of
 * its official rendering. The transparency log holds, for each version, the
 * keyed digests (HMAC-SHA-256 under that key) of its whole canonical text and
 * of each paragraph — never the text. Whoever holds a copy (and so the key)
 * can tell which paragraphs match; nobody without the key can test guesses
 * of the text against the log.
 *
 * Paragraphs: the title is paragraph 1; then the body is split at blank
 * lines; inside a paragraph every run of white space (spaces, tabs, line
 * ends) counts as one space and leading/trailing space is dropped, so
 * re-wrapping and re-indenting a copy changes nothing. docs/protocol-tlog.md
 * gives the byte layouts.
 */
#ifndef DISSENT_PROTO_COPYCHECK_H
#define DISSENT_PROTO_COPYCHECK_H

#include "base/buf.h"
#include "base/err.h"
#include <jansson.h>
#include <stddef.h>

#define COPY_KEY_SIZE       32
#define COPY_DIGEST_HEX     65
#define COPY_PARAGRAPHS_MAX 10000
/* The line that carries the key in a rendering: "dissent-verify: <memo> <version> <64 hex>". */
#define COPY_VERIFY_PREFIX "dissent-verify:"

/* Splits text into normalized paragraphs: a JSON array of strings (new
 * reference). Empty paragraphs are dropped. NULL when out of memory or when
 * text is not valid UTF-8 (callers check that first). */
json_t *copy_paragraphs(const char *text);

/* The paragraphs of a version: [title] + body paragraphs. */
json_t *copy_version_paragraphs(const char *title, const char *body);

/* HMAC-SHA-256 under key of "dissent-paragraph-v1\n" ‖ paragraph, as hex. */
void copy_paragraph_digest(const unsigned char key[COPY_KEY_SIZE], const char *paragraph,
                           char out[COPY_DIGEST_HEX]);

/* HMAC-SHA-256 under key of "dissent-copy-v1\n" ‖ the paragraphs joined by "\n", as hex. */
void copy_text_digest(const unsigned char key[COPY_KEY_SIZE], const json_t *paragraphs,
                      char out[COPY_DIGEST_HEX]);

/* The digests of a version for its log leaf: {"digest": hex, "paragraphs": [hex…]}. */
json_t *copy_version_digests(const unsigned char key[COPY_KEY_SIZE], const char *title,
                             const char *body);

/* The official plain-text rendering of a version: marking banner, title,
 * body, the verification line, marking banner. Appends to out. */
int copy_render_text(const char *memo_id, int version, const char *title, const char *marking,
                     const char *body, const char *key_hex, struct buf *out, struct err *e) WUR;

/* Finds the verification line in a copy. Returns 0 and fills memo_id
 * (27 bytes), *version and key; -1 with ERR_INVALID when there is none, or
 * when there are two or more (which one is genuine cannot be told). */
int copy_find_key(const char *text, char memo_id[32], int *version,
                  unsigned char key[COPY_KEY_SIZE], struct err *e) WUR;

/* The paragraphs of a copy, without the verification line and without
 * paragraphs that are only a classification marking (the banners). */
json_t *copy_text_paragraphs(const char *text);

/* The classification banners of a copy: its paragraphs that are exactly a
 * marking name, in order (new reference; NULL when out of memory). */
json_t *copy_text_markings(const char *text);

/* How a copy's banners (copy_text_markings) compare with the registered
 * marking: "same" (at least one, all equal to it), "changed" (one differs)
 * or "missing" (none). A copy is an exact match only when "same". */
const char *copy_marking_status(const json_t *markings, const char *registered);

/* Compares the digests of a copy's paragraphs (copy, array of hex) with the
 * registered ones (reg). Returns a new object:
 * {"exact": bool (every paragraph matches, in order), "matching": n (paragraphs
 * matched in order), "moved": n, "paragraphs": [
 *   {"status": "same"|"moved"|"changed"|"removed"|"added", "registered": n|null,
 *    "copy": n|null}]}
 * with 1-based paragraph numbers. The alignment is a longest common
 * subsequence; a paragraph it leaves out on both sides with equal digests
 * is "moved" (registered paragraph r is the copy's paragraph c); other
 * unmatched paragraphs between two matches pair up as changed. */
json_t *copy_compare(const json_t *reg, const json_t *copy);

#endif
