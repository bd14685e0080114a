/* anon.c — the messages of anonymous co-signatures and key enrollment. */
#include "proto/anon.h"

#include <stdio.h>

size_t proto_anon_message(char *buf, size_t n, const char *version_hash)
{
    int k = version_hash ? snprintf(buf, n, "dissent-anon-v1\nsign\n%s", version_hash)
                         : snprintf(buf, n, "dissent-anon-v1\nwithdraw\n");
    return k < 0 ? 0 : (size_t)k;
}

size_t proto_pop_context(char *buf, size_t n, const char *org, const char *username)
{
    int k = snprintf(buf, n, "dissent-enroll-v1\n%s\n%s", org, username);
    return k < 0 ? 0 : (size_t)k;
}
