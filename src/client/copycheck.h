/* copycheck.h — checking a copy of a memo on the reader's own machine
 * (`dissent verify`), trusting nothing the server computes: the copy's
 * verification line, its paragraphs and their keyed digests, compared with
 * the digests registered in the version's log leaf. The formats are the
 * protocol's (proto/copycheck.h, docs/protocol-tlog.md "Copy checking"). */
#ifndef DISSENT_CLIENT_COPYCHECK_H
#define DISSENT_CLIENT_COPYCHECK_H

#include "base/compat.h"
#include "base/err.h"
#include "proto/copycheck.h"

#include <jansson.h>

/* Finds the verification line of a copy ("dissent-verify: <memo> <version>
 * <key>"): memo_id (27 bytes), *version and key. Returns 0, or -1 with
 * ERR_INVALID when there is none. */
int copyc_find_key(const char *text, char memo_id[32], int *version,
                   unsigned char key[COPY_KEY_SIZE], struct err *e) WUR;

/* Compares the copy text (with the key of its verification line) with leaf,
 * the version's log leaf as checked by logc_leaf_check (its "paragraphs"
 * and "digest"). A first paragraph written as a Markdown heading ("# Title")
 * counts as the title when that is what makes it match. On success *paras
 * is the copy's paragraphs (array of text), *cmp copy_compare's result (new
 * references) and *whole is 1 when the digest of the whole text is the
 * registered one. *cmp also holds "marking": {registered, copy: [the
 * copy's banners], status: "same"|"changed"|"missing"} (copy_marking_status):
 * a copy is an exact match only when its marking is the same. Returns 0,
 * or -1 (ERR_NOMEM: out of memory or more than COPY_PARAGRAPHS_MAX
 * paragraphs). */
int copyc_compare(const unsigned char key[COPY_KEY_SIZE], const char *text, const json_t *leaf,
                  json_t **paras, json_t **cmp, int *whole, struct err *e) WUR;

/* 1 when some paragraph of paras (text) digests under key to a paragraph
 * digest of leaf (a version leaf): the key opens that version. */
int copyc_opens(const unsigned char key[COPY_KEY_SIZE], const json_t *paras, const json_t *leaf);

#endif
