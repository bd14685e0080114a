/* version.h — the canonical form of a memo version and its hash: the id a
 * version carries in the memo JSON, the CLI and the log's version leaves
 * (docs/protocol-tlog.md, "version"). */
#ifndef DISSENT_PROTO_VERSION_H
#define DISSENT_PROTO_VERSION_H

#define PROTO_VERSION_HASH_HEX 65

/* SHA-256, as 64 lowercase hex digits and a NUL, of the canonical form
 * "dissent-memo-version-v1\n" "title: " title "\nmarking: " marking "\n\n" body,
 * with body exactly as stored (line ends already LF, no terminator added).
 * marking is the marking's wire name ("UNCLASSIFIED", "SBU", …). */
void proto_version_hash(const char *title, const char *marking, const char *body,
                        char out[PROTO_VERSION_HASH_HEX]);

#endif
