/* api.h — what the WebAssembly module (build/wasm/dissent-ring.wasm)
 * exports to the browser: thin wrappers over src/ring and src/proto/anon.c,
 * so a page signs with the very code the CLI and the server run.
 *
 * Every buffer lives in the module's memory: JavaScript gets it from
 * dw_alloc, copies bytes in, calls, copies bytes out and gives it back with
 * dw_free (which wipes it). Functions return 0 or -1 unless said otherwise;
 * after -1, dw_error_message and dw_error_code say why (the message of the
 * C function's struct err, and its stable name, e.g. "invalid_input").
 * The JavaScript side is web/static/anon/dissent-ring.js; the contract for
 * page authors is in docs/architecture.md ("Anonymous signing in the
 * browser"). Only `make wasm` compiles this file (tools/wasm/build.sh). */
#ifndef DISSENT_WASM_API_H
#define DISSENT_WASM_API_H

#include <stddef.h>
#include <stdint.h>

#define DW_EXPORT(name) __attribute__((export_name(name)))

/* n bytes of zeroed memory (NULL when out of memory); n == 0 gives 1 byte. */
DW_EXPORT("dw_alloc") void *dw_alloc(size_t n);
/* Wipes the n bytes at p and frees them (p NULL is fine). */
DW_EXPORT("dw_free") void dw_free(void *p, size_t n);
/* The last failure's message (NUL-terminated, in module memory). */
DW_EXPORT("dw_error_message") const char *dw_error_message(void);
/* The last failure's code name (NUL-terminated). */
DW_EXPORT("dw_error_code") const char *dw_error_code(void);

/* ring_keypair: pk and sk (32 bytes each). */
DW_EXPORT("dw_keygen") int dw_keygen(uint8_t *pk, uint8_t *sk);
/* ring_public_key. */
DW_EXPORT("dw_public_key") int dw_public_key(uint8_t *pk, const uint8_t *sk);
/* ring_keyfile_seal into out (RING_KEYFILE_LEN = 138 bytes); memlimit in
 * bytes (at most 1 GiB, so 32 bits suffice). */
DW_EXPORT("dw_keyfile_seal")
int dw_keyfile_seal(uint8_t *out, const uint8_t *sk, const char *pass, size_t pass_len,
                    uint32_t opslimit, uint32_t memlimit);
/* ring_keyfile_open: sk and pk (32 bytes each) from a key file. */
DW_EXPORT("dw_keyfile_open")
int dw_keyfile_open(uint8_t *sk, uint8_t *pk, const uint8_t *in, size_t in_len, const char *pass,
                    size_t pass_len);
/* ring_keyfile_public. */
DW_EXPORT("dw_keyfile_public")
int dw_keyfile_public(uint8_t *pk, const uint8_t *in, size_t in_len);
/* ring_pop_sign (64-byte sig) and ring_pop_verify. */
DW_EXPORT("dw_pop_sign")
int dw_pop_sign(uint8_t *sig, const uint8_t *sk, const uint8_t *ctx, size_t ctx_len);
DW_EXPORT("dw_pop_verify")
int dw_pop_verify(const uint8_t *sig, const uint8_t *pk, const uint8_t *ctx, size_t ctx_len);
/* ring_tag: J (32 bytes) of sk on scope. */
DW_EXPORT("dw_tag")
int dw_tag(uint8_t *j, const uint8_t *sk, const uint8_t *scope, size_t scope_len);

/* ring_keys_new over count 32-byte keys: a ring handle, or NULL. */
DW_EXPORT("dw_ring_new") struct ring_keys *dw_ring_new(const uint8_t *keys, size_t count);
/* ring_keys_free. */
DW_EXPORT("dw_ring_free") void dw_ring_free(struct ring_keys *r);
/* The ring's 64-byte digest (points into the ring). */
DW_EXPORT("dw_ring_digest") const uint8_t *dw_ring_digest(const struct ring_keys *r);
/* The proof length for a ring of count keys with the prover's parameters
 * (0 when count is out of range). */
DW_EXPORT("dw_proof_len") size_t dw_proof_len(size_t count);

/* The prover in phases (src/ring/triptych.h, ring_prover_begin ..
 * ring_prover_finish), for a proof whose first fold level is split between
 * Web Workers (docs/architecture.md). dw_prover_begin: a state (free with
 * dw_prover_free), or NULL (the error). */
DW_EXPORT("dw_prover_begin")
struct ring_prover *dw_prover_begin(const struct ring_keys *r, size_t index, const uint8_t *sk,
                                    const uint8_t *scope, size_t scope_len, const uint8_t *msg,
                                    size_t msg_len);
/* ring_prover_free. */
DW_EXPORT("dw_prover_free") void dw_prover_free(struct ring_prover *st);
/* Groups of the first level; rows of progress of the whole fold. */
DW_EXPORT("dw_prover_groups") size_t dw_prover_groups(const struct ring_prover *st);
DW_EXPORT("dw_prover_rows") size_t dw_prover_rows(const struct ring_prover *st);
/* RING_LEVEL_BYTES, and ring_prover_level into out (that many bytes). */
DW_EXPORT("dw_level_len") size_t dw_level_len(void);
DW_EXPORT("dw_prover_level") void dw_prover_level(const struct ring_prover *st, uint8_t *out);
/* ring_fold_part_len. */
DW_EXPORT("dw_fold_part_len")
size_t dw_fold_part_len(const uint8_t *level, size_t r0, size_t r1);
/* ring_fold_part, reporting rows of the part to dissent.progress (nonzero
 * stops: -1, code "state"). */
DW_EXPORT("dw_fold_part")
int dw_fold_part(uint8_t *out, size_t out_len, const struct ring_keys *r, const uint8_t *level,
                 size_t r0, size_t r1);
/* ring_prover_finish into out (dw_proof_len bytes), progress as dw_prove:
 * 0, 1 (a zero response: begin again), or -1 (the error). */
DW_EXPORT("dw_prover_finish")
int dw_prover_finish(struct ring_prover *st, uint8_t *out, size_t out_len, const uint8_t *parts,
                     size_t parts_len);

/* ring_prove_progress into out (dw_proof_len(count) bytes), reporting
 * progress to the imported function dissent.progress(done, total), which
 * returns nonzero to stop (then -1, code "state"). */
DW_EXPORT("dw_prove")
int dw_prove(uint8_t *out, size_t out_len, const struct ring_keys *r, size_t index,
             const uint8_t *sk, const uint8_t *scope, size_t scope_len, const uint8_t *msg,
             size_t msg_len);
/* ring_verify; tag (32 bytes) receives J when not NULL. */
DW_EXPORT("dw_verify")
int dw_verify(const struct ring_keys *r, const uint8_t *proof, size_t proof_len,
              const uint8_t *scope, size_t scope_len, const uint8_t *msg, size_t msg_len,
              uint8_t *tag);
/* ring_proof_tag. */
DW_EXPORT("dw_proof_tag")
int dw_proof_tag(uint8_t *j, const uint8_t *proof, size_t proof_len);

/* proto_anon_scope, proto_anon_message (version_hash NULL: a withdrawal)
 * and proto_pop_context, from NUL-terminated strings: the length written
 * to buf (at most n - 1 bytes, NUL-terminated), or -1 when cut. */
DW_EXPORT("dw_anon_scope")
int dw_anon_scope(char *buf, size_t n, const char *origin, const char *memo);
DW_EXPORT("dw_anon_message")
int dw_anon_message(char *buf, size_t n, uint64_t seq, int version, const char *version_hash);
DW_EXPORT("dw_pop_context")
int dw_pop_context(char *buf, size_t n, const char *origin, const char *org, const char *username,
                   const char *challenge);

/* For the shared test vectors: ring_point_decode (0 if in is a canonical
 * encoding; the identity only when allow_identity), the RFC 9496 one-way
 * map of 64 bytes, ring_hash_to_group, ring_expand_message_xmd, and s*B for
 * a canonical scalar (the identity for 0). */
DW_EXPORT("dw_point_check") int dw_point_check(const uint8_t *in, int allow_identity);
DW_EXPORT("dw_one_way_map") int dw_one_way_map(uint8_t *out, const uint8_t *in64);
DW_EXPORT("dw_hash_to_group")
int dw_hash_to_group(uint8_t *out, const uint8_t *msg, size_t msg_len, const uint8_t *dst,
                     size_t dst_len);
DW_EXPORT("dw_expand_xmd")
int dw_expand_xmd(uint8_t *out, size_t out_len, const uint8_t *msg, size_t msg_len,
                  const uint8_t *dst, size_t dst_len);
DW_EXPORT("dw_scalarmult_base") int dw_scalarmult_base(uint8_t *out, const uint8_t *s);

/* The CLI's checks of a memo's rings against the transparency log
 * (client/ringcheck.h) and of kept receipts (client/receipts.h), over what
 * the page fetched. request (len bytes) is the JSON text
 *   {"verifier_key": pinned key "name+id+base64", "note": the signed
 *    checkpoint, "leaves": [{index, data, leaf_hash}] from 0 to its size,
 *    "public": GET /api/v1/public/memos/:id, "server": the page's origin,
 *    "now": Unix seconds, "receipts": [{server, receipt, signature, state}]}
 * (receipts may be absent). The answer, a NUL-terminated JSON text in
 * module memory (give it back with dw_free(p, strlen(p) + 1)), is
 *   {"size", "problems": [text], "sets": [{organization, ring, members,
 *    roster_size, checked}], "receipts": the receipts with their states,
 *    "tally": {total, kept, pending, broken, invalid}, "report": text}
 * NULL when the log itself contradicts its checkpoint or the pinned key
 * (dw_error_* say how): then no ring can be checked at all. */
DW_EXPORT("dw_ring_check") char *dw_ring_check(const char *request, size_t len);

#endif
