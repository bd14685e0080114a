/* fuzz_checkpoint.c — tlog_checkpoint_parse (the note text) and
 * tlog_checkpoint_open (a whole signed note against a fixed key). */
#include "../fuzz.h"
#include "keys.h"

#include "tlog/checkpoint.h"
#include "tlog/proof.h"

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
    struct tlog_checkpoint c, c2;
    struct err e;
    struct buf out;
    const char *text = (const char *)data;

    buf_init(&out, 1u << 20);
    err_init(&e);
    if (tlog_checkpoint_parse(&c, text, size, &e) == 0) {
        /* strict parsing: formatting gives back exactly the input */
        FUZZ_CHECK(c.size <= TLOG_MAX_SIZE);
        FUZZ_CHECK(tlog_name_valid(c.origin, strlen(c.origin)));
        FUZZ_CHECK(tlog_checkpoint_format(&c, &out, &e) == 0);
        FUZZ_CHECK(out.len == size && memcmp(out.data, text, size) == 0);
        FUZZ_CHECK(tlog_checkpoint_init(&c2, c.origin, c.size, c.root, &e) == 0);
    } else {
        FUZZ_CHECK(e.code == ERR_INVALID);
    }
    buf_reset(&out);
    err_init(&e);
    if (tlog_checkpoint_open(&c, text, size, &signer.pub, &e) == 0) {
        FUZZ_CHECK(strcmp(c.origin, FUZZ_LOG_NAME) == 0);
        /* signing the opened checkpoint again opens to the same */
        FUZZ_CHECK(tlog_checkpoint_sign(&c, &signer, &out, &e) == 0);
        FUZZ_CHECK(tlog_checkpoint_open(&c2, out.data, out.len, &signer.pub, &e) == 0);
        FUZZ_CHECK(c2.size == c.size && memcmp(c2.root, c.root, TLOG_HASH_SIZE) == 0);
    } else {
        FUZZ_CHECK(e.code == ERR_INVALID || e.code == ERR_TOO_LARGE || e.code == ERR_CRYPTO);
    }
    buf_release(&out);
    return 0;
}
