/* tmpl.h — dissent's own small HTML template language, escaping by context.
 *
 * Syntax (mustache-like):
 *
 *     {{name}}  {{a.b}}  {{.}}     a value, escaped for where it stands
 *     {{#name}} ... {{/name}}      section: repeated for each item of an array
 *                                  (the item becomes the innermost context),
 *                                  entered once for an object (likewise) or a
 *                                  truthy value; skipped for a missing key,
 *                                  null, false, "", 0 and []
 *     {{^name}} ... {{/name}}      inverted section: only when name is falsy
 *     {{>partial}}                 another template of the same set, same data
 *     {{{name}}}                   raw, unescaped: only for trusted HTML that
 *                                  the server itself rendered (Markdown output)
 *     {{! comment }}               nothing
 *     {{fn arg ...}}               a helper call (also {{{fn ...}}}, {{#fn ...}}
 *                                  ... {{/fn}} and {{^fn ...}} ... {{/fn}}):
 *                                  the helper's result stands where a looked-up
 *                                  value would. An argument is a name (looked up
 *                                  as usual), a "literal" string, an integer, or
 *                                  a call in parentheses: {{#eq (get roles 0)
 *                                  "member"}}. The helpers are listed in
 *                                  tmpl_helpers.c; an unknown helper or a wrong
 *                                  number of arguments is refused at parse time.
 *
 * Names are looked up from the innermost context outwards; a missing key
 * renders empty. Strings render as themselves, integers and reals in
 * decimal, true as "true"; null, false, objects and arrays render empty.
 *
 * Escaping is decided at parse time from the HTML around the tag:
 *   - text, and quoted attribute values: & < > " ' become entities;
 *   - quoted URL attributes (href, src, action, formaction, poster, cite,
 *     background, xlink:href): a value that starts the attribute is a whole
 *     URL: only relative URLs and http, https and mailto schemes pass
 *     (anything else, e.g. "javascript:" or "data:", becomes "#blocked"),
 *     and unsafe bytes are percent-encoded; a value after other text in the
 *     attribute ("/memos/{{id}}") is a URL component: everything but
 *     A-Z a-z 0-9 - . _ ~ is percent-encoded.
 * These are refused when the template is parsed (with the line number):
 * values in unquoted attributes, between attributes or in tag names, in
 * on* event handler and style attributes, in <script>, <style> and
 * comments; raw values anywhere but text; a section whose end is in another
 * HTML context than its start; unbalanced or unterminated tags.
 *
 * Templates are C string constants compiled into the binary (web/templates/
 * is embedded by tools/embed.sh into src/http/tmpl.inc). Parse them all once
 * at start-up into a tmpl_set; rendering never modifies the set, so it may be
 * shared by threads.
 */
#ifndef DISSENT_HTTP_TMPL_H
#define DISSENT_HTTP_TMPL_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"

#include <jansson.h>
#include <stddef.h>

struct tmpl_set;

struct tmpl_source {
    const char *name; /* "memo", "layout", ... (a partial is referred to by this name) */
    const char *text;
};

/* Creates an empty set. Returns 0 or -1 (ERR_NOMEM). */
int tmpl_set_new(struct tmpl_set **out, struct err *e) WUR;

/* Frees the set and its templates. NULL is fine. */
void tmpl_set_free(struct tmpl_set *s);

/* Parses source (copied) and adds it as name, replacing nothing: a second
 * template with the same name is refused. Returns 0, or -1 with ERR_INVALID
 * and "template 'name' line N: ..." for a malformed or unsafe template. */
int tmpl_add(struct tmpl_set *s, const char *name, const char *source, struct err *e) WUR;

/* Adds every source of a table, then checks the set (tmpl_check). */
int tmpl_add_all(struct tmpl_set *s, const struct tmpl_source *srcs, size_t n, struct err *e) WUR;

/* Checks that every {{>partial}} names a template of the set. Returns 0 or -1. */
int tmpl_check(const struct tmpl_set *s, struct err *e) WUR;

/* The templates compiled from web/templates/ (may be empty). */
extern const struct tmpl_source tmpl_builtin[];
extern const size_t tmpl_builtin_count;

/* Renders template name with data (an object; NULL for none) and appends
 * the result to out. Returns 0, or -1 (unknown template or partial, partials
 * nested deeper than 16, ERR_TOO_LARGE past out's maximum). */
int tmpl_render(const struct tmpl_set *s, const char *name, const json_t *data, struct buf *out,
                struct err *e) WUR;

/* A function templates may call. It reads args[0..n) (an argument is NULL
 * when its name is missing) and sets *out to a new reference (NULL: nothing,
 * which renders empty and is falsy). Returns 0, or -1 with e (the rendering
 * fails). */
struct tmpl_helper {
    const char *name;
    size_t min_args, max_args;
    int (*fn)(json_t *const *args, size_t n, json_t **out, struct err *e);
};

/* The helper called name[0..len) (tmpl_helpers.c), or NULL. */
const struct tmpl_helper *tmpl_helper_find(const char *name, size_t len);

/* Appends s HTML-escaped (& < > " ' as entities) to out. */
int html_escape(struct buf *out, const char *s, size_t n, struct err *e) WUR;

#endif
