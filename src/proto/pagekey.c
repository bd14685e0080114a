/* pagekey.c — the signer list's page key (pagekey.h). */
#include "proto/pagekey.h"

#include "base/util.h"

#include <stdio.h>
#include <string.h>

int proto_page_key_parse(const char *s, struct proto_page_key *k)
{
    int rc = -1;
    char at[24];
    const char *dash = s ? strchr(s, '-') : NULL;
    size_t n = dash ? (size_t)(dash - s) : 0;
    struct proto_page_key got;

    if (!dash || n == 0 || n >= sizeof at)
        goto out;
    memcpy(at, s, n);
    at[n] = '\0';
    if (parse_i64(at, 0, INT64_MAX, &got.at) != 0 ||
        parse_i64(dash + 1, 1, INT64_MAX, &got.member) != 0)
        goto out;
    *k = got;
    rc = 0;
out:
    return rc;
}

void proto_page_key_format(const struct proto_page_key *k, char out[PROTO_PAGE_KEY_MAX])
{
    snprintf(out, PROTO_PAGE_KEY_MAX, "%lld-%lld", (long long)k->at, (long long)k->member);
}

int proto_page_key_after(const struct proto_page_key *a, const struct proto_page_key *b)
{
    return a->at > b->at || (a->at == b->at && a->member > b->member);
}
