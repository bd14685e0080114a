/* markdown.c — cmark in its default safe mode. */
#include "http/markdown.h"

#include "base/util.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

int markdown_render(const char *md, size_t len, struct buf *out, struct err *e)
{
    int rc = -1;
    char *html = NULL;

    if (len > MARKDOWN_MAX) {
        err_set(e, ERR_TOO_LARGE, "the memo text is longer than %u bytes", MARKDOWN_MAX);
        goto out;
    }
    if (!utf8_valid(md, len)) {
        err_set(e, ERR_INVALID, "the memo text is not valid UTF-8");
        goto out;
    }
    /* Never CMARK_OPT_UNSAFE: raw HTML and dangerous URLs are suppressed. */
    html = cmark_markdown_to_html(md, len, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
    if (!html) {
        err_set(e, ERR_NOMEM, "out of memory while rendering Markdown");
        goto out;
    }
    rc = buf_puts(out, html, e);
out:
    free(html);
    return rc;
}
