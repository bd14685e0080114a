/* fuzz_markdown.c — markdown_render: never crashes, and its output only ever
 * holds the tags cmark itself writes (safe mode: no raw HTML gets through). */
#include "../fuzz.h"

#include "http/markdown.h"

#include <strings.h>

static const char *const tags[] = {
    "p>",
    "/p>",
    "em>",
    "/em>",
    "strong>",
    "/strong>",
    "a href=\"",
    "/a>",
    "img src=\"",
    "code>",
    "code class=\"",
    "/code>",
    "pre>",
    "/pre>",
    "blockquote>",
    "/blockquote>",
    "ul>",
    "/ul>",
    "ol>",
    "ol start=\"",
    "/ol>",
    "li>",
    "/li>",
    "hr />",
    "br />",
    "h1>",
    "h2>",
    "h3>",
    "h4>",
    "h5>",
    "h6>",
    "/h1>",
    "/h2>",
    "/h3>",
    "/h4>",
    "/h5>",
    "/h6>",
    "!-- raw HTML omitted -->",
};

static int known_tag(const char *p)
{
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strncmp(p, tags[i], strlen(tags[i])) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf out;
    struct err e;

    buf_init(&out, 8u << 20);
    err_init(&e);
    if (markdown_render((const char *)data, size, &out, &e) == 0) {
        const char *s = buf_str(&out);
        for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<'))
            FUZZ_CHECK(known_tag(p + 1));
        for (const char *p = strstr(s, "href=\""); p; p = strstr(p + 1, "href=\""))
            FUZZ_CHECK(strncasecmp(p + 6, "javascript:", 11) != 0);
    } else {
        FUZZ_CHECK(e.code == ERR_INVALID || e.code == ERR_TOO_LARGE || e.code == ERR_NOMEM);
    }
    buf_release(&out);
    return 0;
}
