/* markdown.h — memo Markdown to safe HTML (CommonMark, via libcmark 0.30).
 *
 * Safe mode is cmark's default since 0.29 (CMARK_OPT_UNSAFE is never set):
 * raw HTML blocks and inline HTML are replaced by "<!-- raw HTML omitted -->"
 * and links or images with javascript:, vbscript:, file: or data: (other than
 * data:image/png|gif|jpeg|webp) URLs get an empty destination. Input is
 * checked as UTF-8 (CMARK_OPT_VALIDATE_UTF8) and limited in size.
 */
#ifndef DISSENT_HTTP_MARKDOWN_H
#define DISSENT_HTTP_MARKDOWN_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"

#include <stddef.h>

/* Largest Markdown input accepted, in bytes. */
#define MARKDOWN_MAX (256u * 1024u)

/* Renders md[0..len) as HTML and appends it to out. Refuses input over
 * MARKDOWN_MAX bytes (ERR_TOO_LARGE) or not valid UTF-8 (ERR_INVALID).
 * The output is trusted HTML: a template may insert it with {{{raw}}}. */
int markdown_render(const char *md, size_t len, struct buf *out, struct err *e) WUR;

#endif
