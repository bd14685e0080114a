/* fuzz_policy.c — tlog_policy_parse: any input is refused with ERR_INVALID
 * or gives a policy whose references point only backwards (so evaluating
 * the quorum ends) and whose thresholds fit their groups; evaluating it
 * against a note with a cosignature-sized line never crashes. */
#include "../fuzz.h"

#include "tlog/policy.h"

static const char NOTE[] =
    "example.org/log\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n"
    "\xe2\x80\x94 w AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4"
    "OTo7PD0+P0BBQkNERUZHSElKSw==\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tlog_policy p;
    struct tlog_note n;
    struct err e;
    size_t count;

    err_init(&e);
    if (tlog_policy_parse(&p, (const char *)data, size, &e) != 0) {
        FUZZ_CHECK(e.code == ERR_INVALID);
        FUZZ_CHECK(size > TLOG_POLICY_FILE_MAX || strncmp(e.msg, "line ", 5) == 0);
        return 0;
    }
    FUZZ_CHECK(p.n <= TLOG_POLICY_WITNESSES_MAX && p.ngroups <= TLOG_POLICY_GROUPS_MAX);
    FUZZ_CHECK(p.nlogs <= TLOG_POLICY_LOGS_MAX);
    FUZZ_CHECK(p.tree || p.k <= p.n);
    for (size_t i = 0; i < p.ngroups; i++) {
        FUZZ_CHECK(p.g[i].n >= 1 && p.g[i].n <= TLOG_POLICY_MEMBERS_MAX);
        FUZZ_CHECK(p.g[i].k >= 1 && p.g[i].k <= p.g[i].n);
        for (size_t j = 0; j < p.g[i].n; j++) {
            int m = p.g[i].member[j];
            FUZZ_CHECK(m >= 0 ? (size_t)m < p.n : (size_t)(-1 - m) < i);
        }
    }
    if (p.tree)
        FUZZ_CHECK(p.quorum >= 0 ? (size_t)p.quorum < p.n : (size_t)(-1 - p.quorum) < p.ngroups);
    FUZZ_CHECK(tlog_note_parse(&n, NOTE, sizeof NOTE - 1, &e) == 0);
    if (tlog_policy_check_log(&p, &n, &e) != 0)
        FUZZ_CHECK(p.nlogs > 0 && e.code == ERR_CRYPTO);
    err_init(&e);
    if (tlog_policy_check(&p, &n, &count, NULL, &e) == 0)
        FUZZ_CHECK(p.tree || count >= p.k);
    else
        FUZZ_CHECK(e.code == ERR_CRYPTO);
    return 0;
}
