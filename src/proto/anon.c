/* anon.c — the scope and messages of anonymous co-signatures and the context
 * of key enrollment (protocol v2). */
#include "proto/anon.h"

#include <inttypes.h>
#include <stdio.h>

/* snprintf's result as a length (0 on an encoding error). */
static size_t len_of(int k)
{
    return k < 0 ? 0 : (size_t)k;
}

size_t proto_anon_scope(char *buf, size_t n, const char *origin, const char *memo)
{
    return len_of(snprintf(buf, n, "dissent-anon-v2\n%s\n%s", origin, memo));
}

size_t proto_anon_scope_v1(char *buf, size_t n, const char *memo)
{
    return len_of(snprintf(buf, n, "%s", memo));
}

size_t proto_anon_message_v1(char *buf, size_t n, const char *version_hash)
{
    return len_of(snprintf(buf, n, "dissent-anon-v1\nsign\n%s", version_hash));
}

size_t proto_anon_message(char *buf, size_t n, uint64_t seq, int version, const char *version_hash)
{
    if (version_hash)
        return len_of(snprintf(buf, n, "dissent-anon-v2\nsign\n%" PRIu64 "\n%d\n%s", seq, version,
                               version_hash));
    return len_of(snprintf(buf, n, "dissent-anon-v2\nwithdraw\n%" PRIu64, seq));
}

size_t proto_pop_context(char *buf, size_t n, const char *origin, const char *org,
                         const char *username, const char *challenge)
{
    return len_of(
        snprintf(buf, n, "dissent-enroll-v2\n%s\n%s\n%s\n%s", origin, org, username, challenge));
}
