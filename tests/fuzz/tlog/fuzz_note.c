/* fuzz_note.c — tlog_note_parse, then tlog_note_verify against a fixed key. */
#include "../fuzz.h"
#include "keys.h"

#include "base/util.h"

static struct tlog_signer signer;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_log_signer(&signer);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tlog_note n;
    struct err e;
    const char *msg = (const char *)data;

    err_init(&e);
    if (tlog_note_parse(&n, msg, size, &e) != 0) {
        FUZZ_CHECK(e.code == ERR_INVALID || e.code == ERR_TOO_LARGE);
        return 0;
    }
    FUZZ_CHECK(size <= TLOG_NOTE_MAX);
    FUZZ_CHECK(n.text == msg && n.text_len >= 1 && n.text_len < size);
    FUZZ_CHECK(msg[n.text_len - 1] == '\n' && msg[n.text_len] == '\n');
    FUZZ_CHECK(n.nsigs >= 1 && n.nsigs <= TLOG_NOTE_SIGS_MAX);
    FUZZ_CHECK(utf8_valid(msg, size));
    for (size_t i = 0; i < n.nsigs; i++) {
        const struct tlog_note_sig *s = &n.sigs[i];
        FUZZ_CHECK(s->name >= msg && s->name + s->name_len <= msg + size);
        FUZZ_CHECK(s->b64 >= msg && s->b64 + s->b64_len <= msg + size);
        FUZZ_CHECK(tlog_name_valid(s->name, s->name_len));
    }
    if (tlog_note_verify(&n, &signer.pub, &e) == 0) {
        /* a note that verifies, signed again with the same key, is the same
         * text followed by a signature that verifies */
        struct buf out;
        struct tlog_note n2;
        buf_init(&out, 2 * TLOG_NOTE_MAX);
        FUZZ_CHECK(tlog_note_sign(n.text, n.text_len, &signer, &out, &e) == 0);
        FUZZ_CHECK(tlog_note_parse(&n2, buf_str(&out), out.len, &e) == 0);
        FUZZ_CHECK(n2.text_len == n.text_len && memcmp(n2.text, n.text, n.text_len) == 0);
        FUZZ_CHECK(tlog_note_verify(&n2, &signer.pub, &e) == 0);
        buf_release(&out);
    } else {
        FUZZ_CHECK(e.code == ERR_CRYPTO);
    }
    return 0;
}
