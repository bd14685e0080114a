/* tmpl.c — parsing templates with an HTML context tracker, and rendering. */
#include "http/tmpl.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TMPL_NAME_MAX  64
#define TMPL_EXPR_MAX  256
#define TMPL_DEPTH_MAX 16

/* Where a value is inserted, decided at parse time. */
enum esc {
    ESC_HTML,     /* text or quoted attribute value */
    ESC_URL,      /* a whole URL at the start of a URL attribute */
    ESC_URL_PART, /* inside a URL attribute, after other text */
};

enum node_type { N_TEXT, N_VAR, N_RAW, N_SECTION, N_INVERTED, N_END, N_PARTIAL };

struct node {
    enum node_type type;
    const char *text; /* N_TEXT: points into the template's copy of its source */
    size_t len;
    char name[TMPL_NAME_MAX]; /* N_VAR, N_RAW, N_SECTION, N_INVERTED, N_PARTIAL; a helper's name */
    char expr[TMPL_EXPR_MAX]; /* a helper call "fn arg ..." (checked at parse time), or "" */
    enum esc esc;             /* N_VAR */
    size_t end;               /* N_SECTION, N_INVERTED: index of the matching N_END */
};

struct tmpl {
    char *name;
    char *source;
    struct node *nodes;
    size_t n;
};

struct tmpl_set {
    struct tmpl *t;
    size_t n;
};

/* ---- HTML context tracking ------------------------------------------- */

enum hstate {
    H_TEXT,
    H_LT, /* just after '<' */
    H_TAG_NAME,
    H_IN_TAG,
    H_ATTR_NAME,
    H_AFTER_ATTR,
    H_BEFORE_VALUE,
    H_VALUE_DQ,
    H_VALUE_SQ,
    H_VALUE_UNQ,
    H_COMMENT,
    H_RAWTEXT,
};

struct hctx {
    enum hstate st;
    char tag[16]; /* lowercase tag name (truncated) */
    size_t taglen;
    int closing;   /* </tag */
    char attr[24]; /* lowercase attribute name (truncated) */
    size_t attrlen;
    int value_started; /* something literal already in the attribute value */
    char raw_end[16];  /* "script"/"style" while in H_RAWTEXT */
};

/* Between attributes, in a name or after one: the same place for a section. */
static enum hstate hclass(enum hstate st)
{
    return st == H_ATTR_NAME || st == H_AFTER_ATTR ? H_IN_TAG : st;
}

static int hctx_same(const struct hctx *a, const struct hctx *b)
{
    return hclass(a->st) == hclass(b->st) &&
           ((a->st != H_VALUE_DQ && a->st != H_VALUE_SQ) || strcmp(a->attr, b->attr) == 0);
}

static void tag_end(struct hctx *h)
{
    if (!h->closing && (strcmp(h->tag, "script") == 0 || strcmp(h->tag, "style") == 0 ||
                        strcmp(h->tag, "textarea") == 0 || strcmp(h->tag, "title") == 0)) {
        h->st = H_RAWTEXT;
        snprintf(h->raw_end, sizeof h->raw_end, "%s", h->tag);
    } else {
        h->st = H_TEXT;
    }
}

/* Advances the context over literal text p[0..n). */
static void hctx_feed(struct hctx *h, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        switch (h->st) {
        case H_TEXT:
            if (c == '<') {
                if (n - i >= 4 && memcmp(p + i, "<!--", 4) == 0) {
                    h->st = H_COMMENT;
                    i += 3;
                } else {
                    h->st = H_LT;
                }
            }
            break;
        case H_LT:
            if (isalpha((unsigned char)c) || c == '/') {
                h->st = H_TAG_NAME;
                h->closing = c == '/';
                h->tag[0] = (char)tolower((unsigned char)c);
                h->tag[1] = '\0';
                h->taglen = h->closing ? 0 : 1;
                h->tag[h->taglen] = '\0';
            } else if (c != '<') {
                h->st = H_TEXT;
            }
            break;
        case H_TAG_NAME:
            if (isspace((unsigned char)c)) {
                h->st = H_IN_TAG;
            } else if (c == '>') {
                tag_end(h);
            } else if (c == '/') {
                h->st = H_IN_TAG;
            } else if (h->taglen + 1 < sizeof h->tag) {
                h->tag[h->taglen++] = (char)tolower((unsigned char)c);
                h->tag[h->taglen] = '\0';
            }
            break;
        case H_IN_TAG:
        case H_AFTER_ATTR:
            if (c == '>') {
                tag_end(h);
            } else if (c == '=' && h->st == H_AFTER_ATTR) {
                h->st = H_BEFORE_VALUE;
            } else if (!isspace((unsigned char)c) && c != '/') {
                h->st = H_ATTR_NAME;
                h->attrlen = 0;
                h->attr[0] = (char)tolower((unsigned char)c);
                h->attr[1] = '\0';
                h->attrlen = 1;
            }
            break;
        case H_ATTR_NAME:
            if (c == '=') {
                h->st = H_BEFORE_VALUE;
            } else if (isspace((unsigned char)c)) {
                h->st = H_AFTER_ATTR;
            } else if (c == '>') {
                tag_end(h);
            } else if (c == '/') {
                h->st = H_IN_TAG;
            } else if (h->attrlen + 1 < sizeof h->attr) {
                h->attr[h->attrlen++] = (char)tolower((unsigned char)c);
                h->attr[h->attrlen] = '\0';
            }
            break;
        case H_BEFORE_VALUE:
            h->value_started = 0;
            if (c == '"') {
                h->st = H_VALUE_DQ;
            } else if (c == '\'') {
                h->st = H_VALUE_SQ;
            } else if (c == '>') {
                tag_end(h);
            } else if (!isspace((unsigned char)c)) {
                h->st = H_VALUE_UNQ;
            }
            break;
        case H_VALUE_DQ:
        case H_VALUE_SQ:
            if (c == (h->st == H_VALUE_DQ ? '"' : '\''))
                h->st = H_IN_TAG;
            else
                h->value_started = 1;
            break;
        case H_VALUE_UNQ:
            if (isspace((unsigned char)c))
                h->st = H_IN_TAG;
            else if (c == '>')
                tag_end(h);
            break;
        case H_COMMENT:
            if (n - i >= 3 && memcmp(p + i, "-->", 3) == 0) {
                h->st = H_TEXT;
                i += 2;
            }
            break;
        case H_RAWTEXT: {
            size_t k = strlen(h->raw_end);
            if (c == '<' && n - i >= k + 2 && p[i + 1] == '/' &&
                strncasecmp(p + i + 2, h->raw_end, k) == 0) {
                h->st = H_TAG_NAME;
                h->closing = 1;
                h->taglen = 0;
                h->tag[0] = '\0';
                i++;
            }
            break;
        }
        }
    }
}

static int is_url_attr(const char *a)
{
    static const char *const urls[] = {"href",   "src",     "action",     "formaction",
                                       "poster", "cite",    "background", "xlink:href",
                                       "data",   "manifest"};
    int r = 0;
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++)
        if (strcmp(a, urls[i]) == 0)
            r = 1;
    return r;
}

/* Decides the escaping of a value at context h; -1 with a reason if unsafe. */
static int choose_esc(const struct hctx *h, int raw, enum esc *out, const char **why)
{
    int rc = -1;
    switch (h->st) {
    case H_TEXT:
        *out = ESC_HTML;
        rc = 0;
        break;
    case H_VALUE_DQ:
    case H_VALUE_SQ:
        if (raw) {
            *why = "a raw {{{value}}} may only stand in text";
        } else if (strncmp(h->attr, "on", 2) == 0 || strcmp(h->attr, "style") == 0 ||
                   strcmp(h->attr, "srcdoc") == 0 || strcmp(h->attr, "srcset") == 0) {
            *why = "a value may not stand in an event handler, style, srcdoc or srcset attribute";
        } else if (is_url_attr(h->attr)) {
            *out = h->value_started ? ESC_URL_PART : ESC_URL;
            rc = 0;
        } else {
            *out = ESC_HTML;
            rc = 0;
        }
        break;
    case H_VALUE_UNQ:
    case H_BEFORE_VALUE:
        *why = "a value in an attribute must be inside quotes";
        break;
    case H_COMMENT:
        *why = "a value may not stand in an HTML comment";
        break;
    case H_RAWTEXT:
        if (strcmp(h->raw_end, "title") == 0 || strcmp(h->raw_end, "textarea") == 0) {
            *out = ESC_HTML; /* RCDATA: entities work, tags do not */
            rc = 0;
        } else {
            *why = "a value may not stand inside <script> or <style>";
        }
        break;
    default:
        *why = "a value may not stand inside a tag, outside a quoted attribute value";
        break;
    }
    if (raw && rc == 0 && (h->st != H_TEXT)) {
        *why = "a raw {{{value}}} may only stand in text";
        rc = -1;
    }
    return rc;
}

#include "http/tmpl.inc"

/* ---- parsing --------------------------------------------------------- */

struct parser {
    struct tmpl *t;
    size_t cap;
    const char *src;
    struct err *e;
};

static size_t line_of(const char *src, const char *at)
{
    size_t line = 1;
    for (const char *p = src; p < at; p++)
        if (*p == '\n')
            line++;
    return line;
}

static struct node *push(struct parser *ps, enum node_type type)
{
    struct node *n = NULL;
    if (ps->t->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 32;
        struct node *nn = realloc(ps->t->nodes, cap * sizeof *nn);
        if (!nn)
            return NULL;
        ps->t->nodes = nn;
        ps->cap = cap;
    }
    n = &ps->t->nodes[ps->t->n++];
    memset(n, 0, sizeof *n);
    n->type = type;
    return n;
}

static int name_ok(const char *s, size_t n)
{
    int ok = n > 0 && n < TMPL_NAME_MAX;
    if (ok && n == 1 && s[0] == '.')
        return 1;
    for (size_t i = 0; i < n && ok; i++)
        ok = isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-' ||
             (s[i] == '.' && i > 0 && i + 1 < n && s[i + 1] != '.');
    return ok;
}

/* ---- helper calls ------------------------------------------------------
 * "fn arg ...": fn names a helper (tmpl_helpers.c); an argument is a name
 * (looked up like {{name}}), a "literal" string, an integer, or a call in
 * parentheses. */

#define TMPL_ARGS_MAX 12

/* Names node n by inner[0..len): a plain name, or (call_name not NULL) a
 * helper call whose section ends with {{/call_name}}. */
static void set_name(struct node *n, const char *inner, size_t len, const char *call_name)
{
    if (call_name) {
        snprintf(n->name, sizeof n->name, "%s", call_name);
        memcpy(n->expr, inner, len);
        n->expr[len] = '\0';
    } else {
        memcpy(n->name, inner, len);
    }
}
#define TMPL_NEST_MAX 4

struct cursor {
    const char *p, *end;
};

static void skip_ws(struct cursor *c)
{
    while (c->p < c->end && isspace((unsigned char)*c->p))
        c->p++;
}

/* Length of the word at c: up to a space, a parenthesis or the end. */
static size_t word_len(const struct cursor *c)
{
    size_t n = 0;
    while (c->p + n < c->end && !isspace((unsigned char)c->p[n]) && c->p[n] != '(' &&
           c->p[n] != ')' && c->p[n] != '"')
        n++;
    return n;
}

static int is_integer(const char *s, size_t n)
{
    size_t i = n && s[0] == '-' ? 1 : 0;
    int ok = i < n && n - i < 10;
    for (; i < n && ok; i++)
        ok = isdigit((unsigned char)s[i]) != 0;
    return ok;
}

static int call_check(struct cursor *c, int nested, int depth, const char **why);

static int arg_check(struct cursor *c, int depth, const char **why)
{
    int rc = 0;
    if (*c->p == '"') {
        const char *q = memchr(c->p + 1, '"', (size_t)(c->end - c->p - 1));
        if (!q) {
            *why = "a \"literal\" is never closed";
            rc = -1;
        } else {
            c->p = q + 1;
        }
    } else if (*c->p == '(') {
        c->p++;
        if (depth >= TMPL_NEST_MAX) {
            *why = "helper calls nested too deeply";
            rc = -1;
        } else {
            rc = call_check(c, 1, depth + 1, why);
        }
    } else {
        size_t n = word_len(c);
        if (!is_integer(c->p, n) && !name_ok(c->p, n)) {
            *why = "bad argument (a name, a \"literal\", an integer or a (call))";
            rc = -1;
        }
        c->p += n;
    }
    return rc;
}

/* Checks the call at c (just after its '(' when nested): a known helper, the
 * number of arguments it takes, well-formed arguments. */
static int call_check(struct cursor *c, int nested, int depth, const char **why)
{
    const struct tmpl_helper *h;
    size_t n, args = 0;
    skip_ws(c);
    n = word_len(c);
    h = tmpl_helper_find(c->p, n);
    if (!h) {
        *why = "unknown helper";
        return -1;
    }
    c->p += n;
    for (;;) {
        skip_ws(c);
        if (c->p == c->end) {
            if (nested) {
                *why = "'(' is never closed";
                return -1;
            }
            break;
        }
        if (*c->p == ')') {
            if (!nested) {
                *why = "')' closes nothing";
                return -1;
            }
            c->p++;
            break;
        }
        if (arg_check(c, depth, why))
            return -1;
        args++;
    }
    if (args < h->min_args || args > h->max_args) {
        *why = "wrong number of arguments for this helper";
        return -1;
    }
    return 0;
}

/* Checks inner[0..n) as a helper call; copies the helper's name to name. */
static int expr_check(const char *inner, size_t n, char name[TMPL_NAME_MAX], const char **why)
{
    struct cursor c = {inner, inner + n};
    size_t w;
    if (n >= TMPL_EXPR_MAX) {
        *why = "helper call too long";
        return -1;
    }
    w = word_len(&c);
    if (w == 0 || w >= TMPL_NAME_MAX) {
        *why = "bad helper name";
        return -1;
    }
    memcpy(name, inner, w);
    name[w] = '\0';
    return call_check(&c, 0, 0, why);
}

#define STACK_MAX 32

static int parse(struct parser *ps)
{
    const char *src = ps->src;
    const char *p = src;
    struct hctx h;
    size_t open[STACK_MAX];
    struct hctx open_ctx[STACK_MAX];
    size_t depth = 0;
    int rc = -1;
    const char *at = p;

    memset(&h, 0, sizeof h);
    h.st = H_TEXT;
    while (*p) {
        const char *tag = strstr(p, "{{");
        const char *close;
        const char *inner;
        size_t ilen;
        int raw = 0, is_call;
        char kind = 0, call_name[TMPL_NAME_MAX];
        struct node *n;

        if (!tag)
            tag = p + strlen(p);
        if (tag > p) {
            n = push(ps, N_TEXT);
            if (!n)
                goto nomem;
            n->text = p;
            n->len = (size_t)(tag - p);
            hctx_feed(&h, p, n->len);
        }
        if (!*tag)
            break;
        at = tag;
        if (tag[2] == '{') {
            raw = 1;
            inner = tag + 3;
            close = strstr(inner, "}}}");
        } else {
            inner = tag + 2;
            close = strstr(inner, "}}");
        }
        if (!close) {
            err_set(ps->e, ERR_INVALID, "template '%s' line %zu: '{{' is never closed", ps->t->name,
                    line_of(src, at));
            goto out;
        }
        p = close + (raw ? 3 : 2);
        /* trim and take the sigil */
        while (inner < close && isspace((unsigned char)*inner))
            inner++;
        if (!raw && inner < close && strchr("#^/>!", *inner)) {
            kind = *inner++;
            while (inner < close && isspace((unsigned char)*inner))
                inner++;
        }
        ilen = (size_t)(close - inner);
        while (ilen && isspace((unsigned char)inner[ilen - 1]))
            ilen--;
        if (kind == '!')
            continue;
        if (memchr(inner, '{', ilen) || memchr(inner, '}', ilen)) {
            err_set(ps->e, ERR_INVALID,
                    "template '%s' line %zu: bad name in tag (letters, digits, _ - and . only)",
                    ps->t->name, line_of(src, at));
            goto out;
        }
        is_call = kind != '/' && kind != '>' && ilen > 0 &&
                  word_len(&(struct cursor){inner, inner + ilen}) < ilen;
        if (is_call) {
            const char *why = "";
            if (expr_check(inner, ilen, call_name, &why)) {
                err_set(ps->e, ERR_INVALID, "template '%s' line %zu: {{%.*s}}: %s", ps->t->name,
                        line_of(src, at), (int)ilen, inner, why);
                goto out;
            }
        } else if (!name_ok(inner, ilen)) {
            err_set(ps->e, ERR_INVALID,
                    "template '%s' line %zu: bad name in tag (letters, digits, _ - and . only)",
                    ps->t->name, line_of(src, at));
            goto out;
        }
        if (kind == '#' || kind == '^') {
            if (depth == STACK_MAX) {
                err_set(ps->e, ERR_INVALID, "template '%s' line %zu: sections nested too deeply",
                        ps->t->name, line_of(src, at));
                goto out;
            }
            n = push(ps, kind == '#' ? N_SECTION : N_INVERTED);
            if (!n)
                goto nomem;
            set_name(n, inner, ilen, is_call ? call_name : NULL);
            open_ctx[depth] = h;
            open[depth++] = ps->t->n - 1;
        } else if (kind == '/') {
            struct node *o;
            if (!depth) {
                err_set(ps->e, ERR_INVALID, "template '%s' line %zu: '{{/%.*s}}' closes nothing",
                        ps->t->name, line_of(src, at), (int)ilen, inner);
                goto out;
            }
            o = &ps->t->nodes[open[depth - 1]];
            if (strlen(o->name) != ilen || memcmp(o->name, inner, ilen) != 0) {
                err_set(ps->e, ERR_INVALID,
                        "template '%s' line %zu: '{{/%.*s}}' does not match the open section "
                        "'%s'",
                        ps->t->name, line_of(src, at), (int)ilen, inner, o->name);
                goto out;
            }
            if (!hctx_same(&open_ctx[depth - 1], &h)) {
                err_set(ps->e, ERR_INVALID,
                        "template '%s' line %zu: section '%s' ends in another HTML context than "
                        "it starts (close tags and quotes inside the section)",
                        ps->t->name, line_of(src, at), o->name);
                goto out;
            }
            n = push(ps, N_END);
            if (!n)
                goto nomem;
            depth--;
            ps->t->nodes[open[depth]].end = ps->t->n - 1;
        } else if (kind == '>') {
            if (h.st != H_TEXT) {
                err_set(ps->e, ERR_INVALID,
                        "template '%s' line %zu: a partial may only be included in text",
                        ps->t->name, line_of(src, at));
                goto out;
            }
            n = push(ps, N_PARTIAL);
            if (!n)
                goto nomem;
            memcpy(n->name, inner, ilen);
        } else {
            enum esc esc = ESC_HTML;
            const char *why = "";
            if (choose_esc(&h, raw, &esc, &why)) {
                err_set(ps->e, ERR_INVALID, "template '%s' line %zu: {{%.*s}}: %s", ps->t->name,
                        line_of(src, at), (int)ilen, inner, why);
                goto out;
            }
            n = push(ps, raw ? N_RAW : N_VAR);
            if (!n)
                goto nomem;
            set_name(n, inner, ilen, is_call ? call_name : NULL);
            n->esc = esc;
            /* a value in an attribute counts as content for later values */
            if (h.st == H_VALUE_DQ || h.st == H_VALUE_SQ)
                h.value_started = 1;
        }
    }
    if (depth) {
        err_set(ps->e, ERR_INVALID, "template '%s' line %zu: section '%s' is never closed",
                ps->t->name, line_of(src, src + strlen(src)), ps->t->nodes[open[depth - 1]].name);
        goto out;
    }
    rc = 0;
    goto out;
nomem:
    err_set(ps->e, ERR_NOMEM, "out of memory");
out:
    return rc;
}

static void tmpl_release(struct tmpl *t)
{
    free(t->name);
    free(t->source);
    free(t->nodes);
    memset(t, 0, sizeof *t);
}

int tmpl_set_new(struct tmpl_set **out, struct err *e)
{
    int rc = 0;
    *out = calloc(1, sizeof **out);
    if (!*out)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    return rc;
}

void tmpl_set_free(struct tmpl_set *s)
{
    if (s) {
        for (size_t i = 0; i < s->n; i++)
            tmpl_release(&s->t[i]);
        free(s->t);
        free(s);
    }
}

static const struct tmpl *find(const struct tmpl_set *s, const char *name)
{
    const struct tmpl *t = NULL;
    for (size_t i = 0; i < s->n && !t; i++)
        if (strcmp(s->t[i].name, name) == 0)
            t = &s->t[i];
    return t;
}

int tmpl_add(struct tmpl_set *s, const char *name, const char *source, struct err *e)
{
    int rc = -1;
    struct tmpl t = {0};
    struct parser ps = {0};
    struct tmpl *nt;

    if (find(s, name)) {
        err_set(e, ERR_INVALID, "template '%s' is defined twice", name);
        goto out;
    }
    t.name = strdup(name);
    t.source = strdup(source);
    if (!t.name || !t.source) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    ps.t = &t;
    ps.src = t.source;
    ps.e = e;
    if (parse(&ps))
        goto out;
    nt = realloc(s->t, (s->n + 1) * sizeof *nt);
    if (!nt) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    s->t = nt;
    s->t[s->n++] = t;
    memset(&t, 0, sizeof t);
    rc = 0;
out:
    tmpl_release(&t);
    return rc;
}

int tmpl_check(const struct tmpl_set *s, struct err *e)
{
    int rc = 0;
    for (size_t i = 0; i < s->n && rc == 0; i++)
        for (size_t k = 0; k < s->t[i].n && rc == 0; k++)
            if (s->t[i].nodes[k].type == N_PARTIAL && !find(s, s->t[i].nodes[k].name))
                rc = err_set(e, ERR_INVALID, "template '%s' includes unknown partial '%s'",
                             s->t[i].name, s->t[i].nodes[k].name);
    return rc;
}

int tmpl_add_all(struct tmpl_set *s, const struct tmpl_source *srcs, size_t n, struct err *e)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = tmpl_add(s, srcs[i].name, srcs[i].text, e);
    if (rc == 0)
        rc = tmpl_check(s, e);
    return rc;
}

/* ---- rendering ------------------------------------------------------- */

int html_escape(struct buf *out, const char *s, size_t n, struct err *e)
{
    int rc = 0;
    size_t run = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            break;
        }
        if (rep) {
            rc = buf_append(out, s + run, i - run, e);
            rc = rc ? rc : buf_puts(out, rep, e);
            run = i + 1;
        }
    }
    if (rc == 0)
        rc = buf_append(out, s + run, n - run, e);
    return rc;
}

static int url_part(struct buf *out, const char *s, size_t n, struct err *e)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
            rc = buf_append(out, &s[i], 1, e);
        else
            rc = buf_printf(out, e, "%%%c%c", hex[c >> 4], hex[c & 15]);
    }
    return rc;
}

/* Is the scheme of URL s (if any) one we allow? Control characters and
 * spaces that browsers ignore inside a scheme are skipped. */
static int url_scheme_ok(const char *s, size_t n)
{
    char scheme[16];
    size_t k = 0;
    int ok = 1;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f)
            continue; /* browsers strip these */
        if (c == ':') {
            scheme[k] = '\0';
            ok = k > 0 && (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0 ||
                           strcmp(scheme, "mailto") == 0);
            break;
        }
        if (c == '/' || c == '?' || c == '#')
            break; /* relative: no scheme */
        if (!isalnum(c) && c != '+' && c != '-' && c != '.') {
            ok = 0; /* not a scheme, and odd enough to refuse (e.g. "&#106;avascript:") */
            break;
        }
        if (k + 1 >= sizeof scheme) {
            ok = 0;
            break;
        }
        scheme[k++] = (char)tolower(c);
    }
    return ok;
}

static int url_whole(struct buf *out, const char *s, size_t n, struct err *e)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    if (!url_scheme_ok(s, n))
        return buf_puts(out, "#blocked", e);
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || strchr("\"'<>\\`{}|^", c))
            rc = buf_printf(out, e, "%%%c%c", hex[c >> 4], hex[c & 15]);
        else if (c == '&')
            rc = buf_puts(out, "&amp;", e);
        else
            rc = buf_append(out, &s[i], 1, e);
    }
    return rc;
}

struct render {
    const struct tmpl_set *set;
    const json_t *stack[STACK_MAX + TMPL_DEPTH_MAX + 2];
    size_t depth;
    size_t partials;
    struct buf *out;
    struct err *e;
};

static const json_t *lookup(const struct render *r, const char *name)
{
    const json_t *v = NULL;
    char first[TMPL_NAME_MAX];
    const char *dot;
    size_t flen;

    if (strcmp(name, ".") == 0)
        return r->depth ? r->stack[r->depth - 1] : NULL;
    dot = strchr(name, '.');
    flen = dot ? (size_t)(dot - name) : strlen(name);
    memcpy(first, name, flen);
    first[flen] = '\0';
    for (size_t i = r->depth; i > 0 && !v; i--)
        if (json_is_object(r->stack[i - 1]))
            v = json_object_get(r->stack[i - 1], first);
    while (v && dot) {
        const char *next = strchr(dot + 1, '.');
        size_t len = next ? (size_t)(next - dot - 1) : strlen(dot + 1);
        memcpy(first, dot + 1, len);
        first[len] = '\0';
        v = json_is_object(v) ? json_object_get(v, first) : NULL;
        dot = next;
    }
    return v;
}

static int eval_call(struct render *r, struct cursor *c, json_t **out);

/* Evaluates the argument at c into *out (a new reference, or NULL: missing). */
static int eval_arg(struct render *r, struct cursor *c, json_t **out)
{
    int rc = 0;
    *out = NULL;
    if (*c->p == '"') {
        const char *q = memchr(c->p + 1, '"', (size_t)(c->end - c->p - 1));
        *out = json_stringn(c->p + 1, (size_t)(q - c->p - 1));
        c->p = q + 1;
    } else if (*c->p == '(') {
        c->p++;
        rc = eval_call(r, c, out);
    } else {
        char name[TMPL_NAME_MAX];
        size_t n = word_len(c);
        memcpy(name, c->p, n);
        name[n] = '\0';
        c->p += n;
        if (is_integer(name, n))
            *out = json_integer(strtol(name, NULL, 10));
        else
            *out = json_incref((json_t *)lookup(r, name));
    }
    return rc;
}

/* Evaluates the call at c (checked at parse time) into *out. */
static int eval_call(struct render *r, struct cursor *c, json_t **out)
{
    json_t *args[TMPL_ARGS_MAX];
    size_t n = 0, w;
    const struct tmpl_helper *h;
    int rc = 0;

    *out = NULL;
    skip_ws(c);
    w = word_len(c);
    h = tmpl_helper_find(c->p, w);
    c->p += w;
    for (;;) {
        skip_ws(c);
        if (c->p == c->end || *c->p == ')')
            break;
        if (n == TMPL_ARGS_MAX) {
            rc = err_set(r->e, ERR_INTERNAL, "too many arguments to a helper");
            break;
        }
        rc = eval_arg(r, c, &args[n++]);
        if (rc)
            break;
    }
    if (c->p < c->end && *c->p == ')')
        c->p++;
    if (rc == 0 && h)
        rc = h->fn(args, n, out, r->e);
    for (size_t i = 0; i < n; i++)
        json_decref(args[i]);
    return rc;
}

/* The value of node nd: a new reference (NULL when missing), or -1 when a
 * helper failed. */
static int node_value(struct render *r, const struct node *nd, json_t **out)
{
    struct cursor c = {nd->expr, nd->expr + strlen(nd->expr)};
    if (!nd->expr[0]) {
        *out = json_incref((json_t *)lookup(r, nd->name));
        return 0;
    }
    return eval_call(r, &c, out);
}

static int truthy(const json_t *v)
{
    int t = 0;
    if (!v)
        t = 0;
    else if (json_is_true(v))
        t = 1;
    else if (json_is_string(v))
        t = json_string_length(v) > 0;
    else if (json_is_integer(v))
        t = json_integer_value(v) != 0;
    else if (json_is_real(v))
        t = json_real_value(v) != 0.0;
    else if (json_is_array(v))
        t = json_array_size(v) > 0;
    else if (json_is_object(v))
        t = 1;
    return t;
}

static int put_value(struct render *r, const struct node *nd, const json_t *v)
{
    char num[64];
    const char *s = "";
    size_t n = 0;
    int rc = 0;

    if (json_is_string(v)) {
        s = json_string_value(v);
        n = json_string_length(v);
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        s = num;
        n = strlen(num);
    } else if (json_is_real(v)) {
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        s = num;
        n = strlen(num);
    } else if (json_is_true(v)) {
        s = "true";
        n = 4;
    }
    if (nd->type == N_RAW)
        rc = buf_append(r->out, s, n, r->e);
    else if (nd->esc == ESC_HTML)
        rc = html_escape(r->out, s, n, r->e);
    else if (nd->esc == ESC_URL)
        rc = url_whole(r->out, s, n, r->e);
    else
        rc = url_part(r->out, s, n, r->e);
    return rc;
}

static int render_range(struct render *r, const struct tmpl *t, size_t from, size_t to);

static int render_section(struct render *r, const struct tmpl *t, const struct node *nd, size_t i)
{
    int rc = 0;
    json_t *v = NULL;

    if (r->depth >= sizeof r->stack / sizeof r->stack[0])
        return err_set(r->e, ERR_INTERNAL, "sections nested too deeply in '%s'", t->name);
    if (node_value(r, nd, &v))
        return -1;
    if (nd->type == N_INVERTED) {
        if (!truthy(v))
            rc = render_range(r, t, i + 1, nd->end);
    } else if (json_is_array(v)) {
        for (size_t k = 0; k < json_array_size(v) && rc == 0; k++) {
            r->stack[r->depth++] = json_array_get(v, k);
            rc = render_range(r, t, i + 1, nd->end);
            r->depth--;
        }
    } else if (json_is_object(v)) {
        r->stack[r->depth++] = v;
        rc = render_range(r, t, i + 1, nd->end);
        r->depth--;
    } else if (truthy(v)) {
        rc = render_range(r, t, i + 1, nd->end);
    }
    json_decref(v);
    return rc;
}

static int render_tmpl(struct render *r, const struct tmpl *t)
{
    return render_range(r, t, 0, t->n);
}

static int render_range(struct render *r, const struct tmpl *t, size_t from, size_t to)
{
    int rc = 0;
    size_t i = from;
    while (i < to && rc == 0) {
        const struct node *nd = &t->nodes[i];
        switch (nd->type) {
        case N_TEXT:
            rc = buf_append(r->out, nd->text, nd->len, r->e);
            i++;
            break;
        case N_VAR:
        case N_RAW: {
            json_t *v = NULL;
            rc = node_value(r, nd, &v);
            rc = rc ? rc : put_value(r, nd, v);
            json_decref(v);
            i++;
            break;
        }
        case N_SECTION:
        case N_INVERTED:
            rc = render_section(r, t, nd, i);
            i = nd->end + 1;
            break;
        case N_PARTIAL: {
            const struct tmpl *p = find(r->set, nd->name);
            if (!p) {
                rc = err_set(r->e, ERR_INTERNAL, "template '%s' includes unknown partial '%s'",
                             t->name, nd->name);
            } else if (r->partials >= TMPL_DEPTH_MAX) {
                rc = err_set(r->e, ERR_INTERNAL, "partials nested deeper than %d in '%s'",
                             TMPL_DEPTH_MAX, t->name);
            } else {
                r->partials++;
                rc = render_tmpl(r, p);
                r->partials--;
            }
            i++;
            break;
        }
        case N_END:
        default:
            i++;
            break;
        }
    }
    return rc;
}

int tmpl_render(const struct tmpl_set *s, const char *name, const json_t *data, struct buf *out,
                struct err *e)
{
    int rc = -1;
    const struct tmpl *t = find(s, name);
    struct render r = {.set = s, .out = out, .e = e};

    if (!t) {
        err_set(e, ERR_INTERNAL, "no template called '%s'", name);
        goto out;
    }
    if (data)
        r.stack[r.depth++] = data;
    rc = render_tmpl(&r, t);
out:
    return rc;
}
