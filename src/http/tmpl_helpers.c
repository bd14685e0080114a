/* tmpl_helpers.c — the functions templates may call ({{fn arg ...}}, tmpl.h).
 *
 * Pages hand the channel's JSON to templates as it is; what a page shows that
 * is not a field of that JSON is derived here, from the values the template
 * passes: text (Markdown, local times, capitals), lists (filter, sort, count),
 * and the presentation of memo data (the marking list of a form, the diff
 * rows, the chart of co-signatures over time). No helper decides policy: what
 * a reader may do and what is overdue come from the channel ("can",
 * "review"). */
#include "base/tz.h"
#include "base/util.h"
#include "channel/roles.h"
#include "http/markdown.h"
#include "http/tmpl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small shared pieces ---- */

static const char *str_of(const json_t *v)
{
    const char *s = json_string_value(v);
    return s ? s : "";
}

/* A string result; -1 when out of memory. */
static int set_str(json_t **out, const char *s, struct err *e)
{
    *out = json_string(s);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

static int is_truthy(const json_t *v)
{
    int t = 0;
    if (json_is_true(v))
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

/* Appends v as the template would print it (strings, integers). */
static int append_value(struct buf *b, const json_t *v, struct err *e)
{
    int rc = 0;
    if (json_is_string(v))
        rc = buf_append(b, json_string_value(v), json_string_length(v), e);
    else if (json_is_integer(v))
        rc = buf_printf(b, e, "%lld", (long long)json_integer_value(v));
    return rc;
}

/* ---- text ---- */

/* markdown TEXT: the memo Markdown TEXT as safe HTML (insert with {{{…}}}). */
static int h_markdown(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    struct buf b;
    const char *md = str_of(a[0]);
    int rc;
    (void)n;
    buf_init(&b, 4u * MARKDOWN_MAX);
    rc = markdown_render(md, strlen(md), &b, e);
    if (rc == 0) {
        *out = json_stringn(buf_str(&b), b.len);
        if (!*out)
            rc = err_set(e, ERR_NOMEM, "out of memory");
    }
    buf_release(&b);
    return rc;
}

/* localtime TIME [ZONE]: "2026-11-23 09:30 EST", the RFC 3339 UTC TIME in
 * ZONE (default UTC); "" when TIME is not a time. */
static int h_localtime(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    int64_t t;
    char s[64] = "";
    const char *zone = n > 1 ? str_of(a[1]) : "";
    if (time_parse_utc(str_of(a[0]), &t) == 0)
        tz_format(*zone ? zone : "UTC", t, s, sizeof s);
    return set_str(out, s, e);
}

/* when TIME ZONE: "YYYY-MM-DD HH:MM" of TIME in ZONE, without the zone's
 * name: for pages that name their one time zone once. */
static int h_when(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    int64_t t;
    char s[64] = "";
    const char *zone = n > 1 ? str_of(a[1]) : "";
    if (time_parse_utc(str_of(a[0]), &t) == 0) {
        char *sp;
        tz_format(*zone ? zone : "UTC", t, s, sizeof s);
        sp = strrchr(s, ' ');
        if (sp && sp > s + 10)
            *sp = '\0';
    }
    return set_str(out, s, e);
}

/* capitalize TEXT: the first letter in capitals ("draft" → "Draft"). */
static int h_capitalize(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    char *s = strdup(str_of(a[0]));
    int rc;
    (void)n;
    if (!s)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (s[0] >= 'a' && s[0] <= 'z')
        s[0] = (char)(s[0] - 'a' + 'A');
    rc = set_str(out, s, e);
    free(s);
    return rc;
}

/* days N: a number of working days in words ("3.5 working days", "1
 * working day"); "none yet" for null. */
static int h_days(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    char text[64];
    double v = json_is_real(a[0])      ? json_real_value(a[0])
               : json_is_integer(a[0]) ? (double)json_integer_value(a[0])
                                       : -1.0;
    (void)n;
    if (v < 0)
        snprintf(text, sizeof text, "none yet");
    else if (v == (double)(int64_t)v)
        snprintf(text, sizeof text, "%lld working day%s", (long long)v, v == 1.0 ? "" : "s");
    else
        snprintf(text, sizeof text, "%.1f working days", v);
    return set_str(out, text, e);
}

/* plural N SINGULAR [PLURAL]: "1 line", "2 lines", "0 lines" (PLURAL defaults
 * to SINGULAR with an s), so that no page says "1 lines". */
static int h_plural(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    char text[160];
    json_int_t v = json_is_integer(a[0]) ? json_integer_value(a[0]) : 0;
    const char *one = str_of(a[1]);
    if (v == 1)
        snprintf(text, sizeof text, "1 %s", one);
    else if (n > 2)
        snprintf(text, sizeof text, "%lld %s", (long long)v, str_of(a[2]));
    else
        snprintf(text, sizeof text, "%lld %ss", (long long)v, one);
    return set_str(out, text, e);
}

/* add A B: the sum of two whole numbers ("version {{add n 1}}"). */
static int h_add(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    (void)n;
    *out = json_integer((json_is_integer(a[0]) ? json_integer_value(a[0]) : 0) +
                        (json_is_integer(a[1]) ? json_integer_value(a[1]) : 0));
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

/* lower TEXT: ASCII letters in lower case ("SECRET" → "secret", for CSS classes). */
static int h_lower(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    char *s = strdup(str_of(a[0]));
    int rc;
    (void)n;
    if (!s)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    rc = set_str(out, s, e);
    free(s);
    return rc;
}

/* sentence TEXT: first letter capitalized, a final period added when it
 * ends with none of . ! ? ("" stays ""). */
static int h_sentence(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    const char *m = str_of(a[0]);
    size_t len = strlen(m);
    char *s = malloc(len + 2);
    int rc;
    (void)n;
    if (!s)
        return err_set(e, ERR_NOMEM, "out of memory");
    memcpy(s, m, len + 1);
    if (len) {
        if (s[0] >= 'a' && s[0] <= 'z')
            s[0] = (char)(s[0] - 'a' + 'A');
        if (s[len - 1] != '.' && s[len - 1] != '!' && s[len - 1] != '?') {
            s[len] = '.';
            s[len + 1] = '\0';
        }
    }
    rc = set_str(out, s, e);
    free(s);
    return rc;
}

/* replace TEXT FROM TO: every FROM in TEXT replaced by TO ("working_days"
 * "_" " " → "working days"). */
static int h_replace(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    const char *s = str_of(a[0]), *from = str_of(a[1]), *to = str_of(a[2]);
    size_t fl = strlen(from);
    struct buf b;
    int rc = 0;
    (void)n;
    buf_init(&b, 1u << 20);
    while (*s && rc == 0) {
        if (fl && strncmp(s, from, fl) == 0) {
            rc = buf_puts(&b, to, e);
            s += fl;
        } else {
            rc = buf_append(&b, s++, 1, e);
        }
    }
    rc = rc ? rc : set_str(out, buf_str(&b), e);
    buf_release(&b);
    return rc;
}

/* concat A B ...: the values printed one after the other. */
static int h_concat(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    struct buf b;
    int rc = 0;
    buf_init(&b, 1u << 20);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = append_value(&b, a[i], e);
    rc = rc ? rc : set_str(out, buf_str(&b), e);
    buf_release(&b);
    return rc;
}

/* ---- values and lists ---- */

/* or A B ...: the first truthy argument, else nothing. */
static int h_or(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    (void)e;
    for (size_t i = 0; i < n && !*out; i++)
        if (is_truthy(a[i]))
            *out = json_incref(a[i]);
    return 0;
}

/* eq A B: true when A and B are equal JSON values (a missing name equals null). */
static int h_eq(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    const json_t *x = a[0] ? a[0] : json_null(), *y = a[1] ? a[1] : json_null();
    (void)n;
    (void)e;
    *out = json_boolean(json_equal(x, y));
    return 0;
}

/* get X KEY: member KEY of object X, or item KEY (an integer) of array X. */
static int h_get(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    json_t *v = NULL;
    (void)n;
    (void)e;
    if (json_is_object(a[0]) && json_is_string(a[1]))
        v = json_object_get(a[0], json_string_value(a[1]));
    else if (json_is_array(a[0]) && json_is_integer(a[1]) && json_integer_value(a[1]) >= 0)
        v = json_array_get(a[0], (size_t)json_integer_value(a[1]));
    *out = json_incref(v);
    return 0;
}

/* last LIST: its last item. */
static int h_last(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    size_t len = json_array_size(a[0]);
    (void)n;
    (void)e;
    *out = len ? json_incref(json_array_get(a[0], len - 1)) : NULL;
    return 0;
}

/* count LIST: how many items (0 for anything else). */
static int h_count(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    (void)n;
    *out = json_integer((json_int_t)json_array_size(a[0]));
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

/* where LIST KEY [VALUE]: the items whose KEY is truthy (or equals VALUE).
 * A missing KEY keeps every item. */
static int h_where(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    size_t i;
    json_t *it, *arr;
    if (!json_is_string(a[1])) {
        *out = json_incref(a[0]);
        return 0;
    }
    arr = json_array();
    if (!arr)
        return err_set(e, ERR_NOMEM, "out of memory");
    json_array_foreach(a[0], i, it)
    {
        json_t *v = json_object_get(it, json_string_value(a[1]));
        int keep = n > 2 ? v && a[2] && json_equal(v, a[2]) : is_truthy(v);
        if (keep)
            json_array_append(arr, it);
    }
    *out = arr;
    return 0;
}

struct sort_item {
    json_t *v;
    const char *key;
    size_t pos;
};

static int cmp_item(const void *pa, const void *pb)
{
    const struct sort_item *x = pa, *y = pb;
    int c;
    if (!x->key || !y->key)
        c = x->key ? -1 : y->key ? 1 : 0;
    else
        c = strcmp(x->key, y->key);
    if (c == 0)
        c = x->pos < y->pos ? -1 : x->pos > y->pos;
    return c;
}

/* sort LIST KEY: the items by the string KEY, ascending (RFC 3339 UTC times
 * sort as times), those without it last, otherwise in their order. */
static int h_sort(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    size_t len = json_array_size(a[0]);
    struct sort_item *v = len ? calloc(len, sizeof *v) : NULL;
    json_t *arr = json_array();
    (void)n;
    if ((len && !v) || !arr) {
        free(v);
        json_decref(arr);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < len; i++) {
        v[i].v = json_array_get(a[0], i);
        v[i].key = json_string_value(json_object_get(v[i].v, str_of(a[1])));
        v[i].pos = i;
    }
    if (len)
        qsort(v, len, sizeof *v, cmp_item);
    for (size_t i = 0; i < len; i++)
        json_array_append(arr, v[i].v);
    free(v);
    *out = arr;
    return 0;
}

/* join LIST SEP: the items printed, separated by SEP. */
static int h_join(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    struct buf b;
    size_t i;
    json_t *it;
    int rc = 0;
    (void)n;
    buf_init(&b, 1u << 20);
    json_array_foreach(a[0], i, it)
    {
        if (rc == 0 && i)
            rc = buf_puts(&b, str_of(a[1]), e);
        if (rc == 0)
            rc = append_value(&b, it, e);
    }
    rc = rc ? rc : set_str(out, buf_str(&b), e);
    buf_release(&b);
    return rc;
}

/* obj "K1" V1 "K2" V2 ...: an object (a missing V leaves its key out); a
 * section over it shadows those names, e.g. the frame's title and marking
 * for the header partial. */
static int h_obj(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    json_t *o = json_object();
    if (!o)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i + 1 < n; i += 2)
        if (json_is_string(a[i]) && a[i + 1])
            json_object_set(o, json_string_value(a[i]), a[i + 1]);
    *out = o;
    return 0;
}

/* ---- memo data, presented ---- */

/* markings CEILING SELECTED: the markings up to CEILING (all when missing)
 * as [{value, label, selected}], for a <select>. */
static int h_markings(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    json_t *arr = json_array();
    int top = CHAN_MARK_COUNT - 1, chosen = -1;
    (void)n;
    if (!arr)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (json_is_string(a[0]) && chan_marking_parse(json_string_value(a[0]), &top))
        top = CHAN_MARK_COUNT - 1;
    for (int i = 0; i <= top && i < CHAN_MARK_COUNT; i++) {
        const char *m = chan_marking_name(i);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:b}", "value", m, "label", m, "selected",
                                             strcmp(str_of(a[1]), m) == 0));
    }
    /* A refused choice above the ceiling is shown as chosen, so the drafter
     * sees what was refused and corrects it. */
    if (!chan_marking_parse(str_of(a[1]), &chosen) && chosen > top) {
        char label[64];
        snprintf(label, sizeof label, "%s (above this channel's ceiling)", str_of(a[1]));
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:b}", "value", str_of(a[1]), "label", label, "selected", 1));
    }
    *out = arr;
    return 0;
}

/* higher_marking A B: the higher of two marking names (the one that parses
 * when the other does not). */
static int h_higher_marking(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    int x = -1, y = -1;
    (void)n;
    if (chan_marking_parse(str_of(a[0]), &x))
        x = -1;
    if (chan_marking_parse(str_of(a[1]), &y))
        y = -1;
    if (x < 0 && y < 0)
        return 0;
    return set_str(out, chan_marking_name(x > y ? x : y), e);
}

/* diff_pair SHOWN LATEST: the versions a comparison from the memo page
 * starts with: {from: SHOWN-1, to: SHOWN}, or {from: 1, to: LATEST} when
 * SHOWN is the first. */
static int h_diff_pair(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    json_int_t shown = json_integer_value(a[0]), latest = json_integer_value(a[1]);
    (void)n;
    *out = shown > 1 ? json_pack("{s:I,s:I}", "from", shown - 1, "to", shown)
                     : json_pack("{s:I,s:I}", "from", (json_int_t)1, "to", latest);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

static char line_op(const json_t *l)
{
    return str_of(json_object_get(l, "op"))[0];
}

static const char *line_text(const json_t *l)
{
    return str_of(json_object_get(l, "text"));
}

/* diff_rows LINES: the line diff [{op, text}] of the channel as
 * {rows:[{text, ln, rn, cls, del|add}], added, removed, unchanged}, with
 * line numbers on each side. */
static int h_diff_rows(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    json_t *rows = json_array();
    size_t i;
    const json_t *l;
    int ln = 0, rn = 0, added = 0, removed = 0;
    (void)n;
    if (!rows)
        return err_set(e, ERR_NOMEM, "out of memory");
    json_array_foreach(a[0], i, l)
    {
        char op = line_op(l);
        json_t *row = json_pack("{s:s}", "text", line_text(l));
        if (op == '-') {
            json_object_set_new(row, "ln", json_integer(++ln));
            json_object_set_new(row, "del", json_true());
            json_object_set_new(row, "cls", json_string("del"));
            removed++;
        } else if (op == '+') {
            json_object_set_new(row, "rn", json_integer(++rn));
            json_object_set_new(row, "add", json_true());
            json_object_set_new(row, "cls", json_string("add"));
            added++;
        } else {
            json_object_set_new(row, "ln", json_integer(++ln));
            json_object_set_new(row, "rn", json_integer(++rn));
            json_object_set_new(row, "cls", json_string("same"));
        }
        json_array_append_new(rows, row);
    }
    *out = json_pack("{s:o,s:i,s:i,s:b}", "rows", rows, "added", added, "removed", removed,
                     "unchanged", added == 0 && removed == 0);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

/* diff_side LINES: the line diff side by side, runs of removed lines facing
 * the added lines that follow them: [{left, ln, lcls, ldel, right, rn, rcls,
 * radd}]. */
static int h_diff_side(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    const json_t *lines = a[0];
    json_t *rows = json_array();
    size_t len = json_array_size(lines), i = 0;
    int ln = 0, rn = 0;
    (void)n;
    if (!rows)
        return err_set(e, ERR_NOMEM, "out of memory");
    while (i < len) {
        const json_t *l = json_array_get(lines, i);
        size_t ds = i, de = i, as, ae;
        if (line_op(l) == ' ') {
            ln++;
            rn++;
            json_array_append_new(rows, json_pack("{s:s,s:s,s:i,s:i,s:s,s:s}", "left", line_text(l),
                                                  "right", line_text(l), "ln", ln, "rn", rn, "lcls",
                                                  "same", "rcls", "same"));
            i++;
            continue;
        }
        while (de < len && line_op(json_array_get(lines, de)) == '-')
            de++;
        as = ae = de;
        while (ae < len && line_op(json_array_get(lines, ae)) == '+')
            ae++;
        for (size_t k = 0; k < (de - ds > ae - as ? de - ds : ae - as); k++) {
            json_t *row = json_object();
            if (ds + k < de) {
                json_object_set_new(row, "left",
                                    json_string(line_text(json_array_get(lines, ds + k))));
                json_object_set_new(row, "ln", json_integer(++ln));
                json_object_set_new(row, "lcls", json_string("del"));
                json_object_set_new(row, "ldel", json_true());
            } else {
                json_object_set_new(row, "lcls", json_string("empty"));
            }
            if (as + k < ae) {
                json_object_set_new(row, "right",
                                    json_string(line_text(json_array_get(lines, as + k))));
                json_object_set_new(row, "rn", json_integer(++rn));
                json_object_set_new(row, "rcls", json_string("add"));
                json_object_set_new(row, "radd", json_true());
            } else {
                json_object_set_new(row, "rcls", json_string("empty"));
            }
            json_array_append_new(rows, row);
        }
        i = ae > i ? ae : i + 1;
    }
    *out = rows;
    return 0;
}

/* ---- the chart of co-signatures over time (server-rendered SVG) ---- */

#define CH_W 320
#define CH_H 166
#define CH_L 40 /* room for the y labels and the y axis title */
#define CH_R 10
#define CH_T 10
#define CH_B 40 /* room for the dates and the x axis title */

/* "YYYY-MM-DD" of t in zone. */
static void date_only(const char *zone, int64_t t, char *out, size_t n)
{
    tz_format(*zone ? zone : "UTC", t, out, n);
    if (n > 10)
        out[10] = '\0';
}

static int nice_max(int64_t m)
{
    static const int steps[] = {1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000};
    for (size_t i = 0; i < ARRAY_LEN(steps); i++)
        if (m <= steps[i])
            return steps[i];
    return (int)((m + 999) / 1000 * 1000);
}

/* chart TIMELINE CREATED ZONE: the geometry of the step chart of TIMELINE
 * [{at, total}] from CREATED to now (dates in ZONE): {points, y_ticks:[{y,
 * ty, label, x}], x_ticks:[{x, label, anchor}], axis_y, axis_x0, axis_x1,
 * label_y, y_title_x, y_title_y, x_title_x, x_title_y, view_box, now_total,
 * max_total}; nothing when TIMELINE is empty. The titles' places are for
 * the axis titles the template writes (what is counted, and the dates' zone). */
static int h_chart(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    const json_t *timeline = a[0];
    const char *zone = str_of(a[2]);
    struct buf pts;
    int64_t t0, t1 = now_utc(), tend, ymax = 0, prev = 0;
    size_t i, len = json_array_size(timeline);
    json_t *it, *yt, *xt;
    double pw = CH_W - CH_L - CH_R, ph = CH_H - CH_T - CH_B;
    int top, rc = -1;
    char date[64], view_box[32];

    (void)n;
    if (len == 0 || time_parse_utc(str_of(a[1]), &t0))
        return 0;
    json_array_foreach(timeline, i, it)
    {
        int64_t t, tot = json_integer_value(json_object_get(it, "total"));
        if (time_parse_utc(str_of(json_object_get(it, "at")), &t) == 0) {
            if (t < t0)
                t0 = t;
            if (t > t1)
                t1 = t;
        }
        if (tot > ymax)
            ymax = tot;
    }
    if (t1 <= t0)
        t1 = t0 + 1;
    tend = t1;
    t1 += (t1 - t0) / 12 + 1; /* room to see the latest level */
    top = nice_max(ymax < 1 ? 1 : ymax);
    buf_init(&pts, 64 * 1024);
#define X(t) (CH_L + pw * (double)((t)-t0) / (double)(t1 - t0))
#define Y(v) (CH_T + ph - ph * (double)(v) / (double)top)
    if (buf_printf(&pts, e, "%.1f,%.1f", X(t0), Y(0)))
        goto out;
    json_array_foreach(timeline, i, it)
    {
        int64_t t, tot = json_integer_value(json_object_get(it, "total"));
        const char *at = str_of(json_object_get(it, "at"));
        const json_t *next = json_array_get(timeline, i + 1);
        /* Events of one instant (a signature moved) draw as one step. */
        if (next && strcmp(str_of(json_object_get(next, "at")), at) == 0)
            continue;
        if (time_parse_utc(at, &t))
            continue;
        if (buf_printf(&pts, e, " %.1f,%.1f %.1f,%.1f", X(t), Y(prev), X(t), Y(tot)))
            goto out;
        prev = tot;
    }
    if (buf_printf(&pts, e, " %.1f,%.1f", X(t1), Y(prev)))
        goto out;
    yt = json_array();
    for (int k = 0; k <= 2; k++) {
        int v = top * k / 2;
        if (k == 1 && top % 2)
            continue;
        json_array_append_new(yt, json_pack("{s:f,s:f,s:i,s:f}", "y", Y(v), "ty", Y(v) + 4.0,
                                            "label", v, "x", (double)(CH_L - 6)));
    }
    xt = json_array();
    date_only(zone, t0, date, sizeof date);
    json_array_append_new(xt,
                          json_pack("{s:f,s:s,s:s}", "x", X(t0), "label", date, "anchor", "start"));
    date_only(zone, tend, date, sizeof date);
    json_array_append_new(xt,
                          json_pack("{s:f,s:s,s:s}", "x", X(t1), "label", date, "anchor", "end"));
    snprintf(view_box, sizeof view_box, "0 0 %d %d", CH_W, CH_H);
    *out =
        json_pack("{s:s,s:o,s:o,s:f,s:i,s:i,s:i,s:i,s:f,s:f,s:i,s:s,s:I,s:I}", "points",
                  buf_str(&pts), "y_ticks", yt, "x_ticks", xt, "axis_y", Y(0), "axis_x0", CH_L,
                  "axis_x1", CH_W - CH_R, "label_y", CH_H - 22, "y_title_x", 10, "y_title_y",
                  CH_T + ph / 2.0, "x_title_x", CH_L + pw / 2.0, "x_title_y", CH_H - 4, "view_box",
                  view_box, "now_total", (json_int_t)prev, "max_total", (json_int_t)ymax);
#undef X
#undef Y
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    buf_release(&pts);
    return rc;
}

/* ---- the chart of deadlines met and missed per month (server-rendered SVG) ---- */

#define BC_W      480
#define BC_H      216
#define BC_L      44 /* room for the y labels and the y axis title */
#define BC_R      10
#define BC_T      14 /* room for the value above the highest bar */
#define BC_B      46 /* room for the month names and the x axis title */
#define BC_MONTHS 12

/* "Nov 2026" of "2026-11"; the input itself when it is not one. */
static void month_label(const char *ym, char *out, size_t n)
{
    static const char *const names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t m = 0;
    if (strlen(ym) == 7 && ym[4] == '-' && parse_i64(ym + 5, 1, 12, &m) == 0)
        snprintf(out, n, "%s %.4s", names[m - 1], ym);
    else
        snprintf(out, n, "%s", ym);
}

/* bars MONTHS: the geometry of a grouped bar chart of MONTHS [{month, met,
 * missed}] (the last BC_MONTHS): {view_box, axis_x0, axis_x1, axis_y,
 * label_y, y_title_x, y_title_y, x_title_x, x_title_y, y_ticks:[{y, ty, label, x}],
 * groups:[{label, label_x, bars:[{x, y, w, h, value, value_x, value_y, kind}]}]}.
 * kind is "met" or "missed": the template draws them differently in shape
 * (solid, hatched) and names them, never by colour alone. Nothing when
 * MONTHS is empty. */
static int h_bars(json_t *const *a, size_t n, json_t **out, struct err *e)
{
    const json_t *months = a[0];
    size_t len = json_array_size(months), first = len > BC_MONTHS ? len - BC_MONTHS : 0, i;
    int64_t ymax = 0;
    int top;
    double pw = BC_W - BC_L - BC_R, ph = BC_H - BC_T - BC_B, gw, bw;
    json_t *groups, *yt;
    char view_box[32];

    (void)n;
    if (len == 0)
        return 0;
    for (i = first; i < len; i++) {
        const json_t *m = json_array_get(months, i);
        int64_t met = json_integer_value(json_object_get(m, "met"));
        int64_t missed = json_integer_value(json_object_get(m, "missed"));
        if (met > ymax)
            ymax = met;
        if (missed > ymax)
            ymax = missed;
    }
    top = nice_max(ymax < 1 ? 1 : ymax);
    gw = pw / (double)(len - first);
    bw = gw * 0.32;
#define Y(v) (BC_T + ph - ph * (double)(v) / (double)top)
    groups = json_array();
    for (i = first; groups && i < len; i++) {
        const json_t *m = json_array_get(months, i);
        static const char *const kinds[] = {"met", "missed"};
        double gx = BC_L + gw * (double)(i - first);
        char label[32];
        json_t *bars = json_array();
        for (int k = 0; bars && k < 2; k++) {
            int64_t v = json_integer_value(json_object_get(m, kinds[k]));
            double x = gx + gw * 0.16 + bw * k;
            json_array_append_new(bars, json_pack("{s:f,s:f,s:f,s:f,s:I,s:f,s:f,s:s}", "x", x, "y",
                                                  Y(v), "w", bw - 2.0, "h", Y(0) - Y(v), "value",
                                                  (json_int_t)v, "value_x", x + (bw - 2.0) / 2.0,
                                                  "value_y", Y(v) - 3.0, "kind", kinds[k]));
        }
        month_label(str_of(json_object_get(m, "month")), label, sizeof label);
        json_array_append_new(groups, json_pack("{s:s,s:f,s:o}", "label", label, "label_x",
                                                gx + gw / 2.0, "bars", bars));
    }
    yt = json_array();
    for (int k = 0; yt && k <= 2; k++) {
        int v = top * k / 2;
        if (k == 1 && top % 2)
            continue;
        json_array_append_new(yt, json_pack("{s:f,s:f,s:i,s:f}", "y", Y(v), "ty", Y(v) + 4.0,
                                            "label", v, "x", (double)(BC_L - 6)));
    }
    snprintf(view_box, sizeof view_box, "0 0 %d %d", BC_W, BC_H);
    *out = json_pack("{s:s,s:i,s:i,s:f,s:i,s:i,s:f,s:f,s:i,s:o,s:o}", "view_box", view_box,
                     "axis_x0", BC_L, "axis_x1", BC_W - BC_R, "axis_y", Y(0), "label_y", BC_H - 26,
                     "y_title_x", 12, "y_title_y", BC_T + ph / 2.0, "x_title_x", BC_L + pw / 2.0,
                     "x_title_y", BC_H - 4, "y_ticks", yt, "groups", groups);
#undef Y
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

/* ---- the table ---- */

static const struct tmpl_helper helpers[] = {
    {"markdown", 1, 1, h_markdown},
    {"localtime", 1, 2, h_localtime},
    {"when", 1, 2, h_when},
    {"capitalize", 1, 1, h_capitalize},
    {"lower", 1, 1, h_lower},
    {"sentence", 1, 1, h_sentence},
    {"replace", 3, 3, h_replace},
    {"concat", 1, 12, h_concat},
    {"or", 1, 12, h_or},
    {"eq", 2, 2, h_eq},
    {"get", 2, 2, h_get},
    {"last", 1, 1, h_last},
    {"count", 1, 1, h_count},
    {"where", 2, 3, h_where},
    {"sort", 2, 2, h_sort},
    {"join", 2, 2, h_join},
    {"obj", 2, 12, h_obj},
    {"markings", 2, 2, h_markings},
    {"higher_marking", 2, 2, h_higher_marking},
    {"diff_pair", 2, 2, h_diff_pair},
    {"diff_rows", 1, 1, h_diff_rows},
    {"diff_side", 1, 1, h_diff_side},
    {"chart", 3, 3, h_chart},
    {"bars", 1, 1, h_bars},
    {"days", 1, 1, h_days},
    {"plural", 2, 3, h_plural},
    {"add", 2, 2, h_add},
};

const struct tmpl_helper *tmpl_helper_find(const char *name, size_t len)
{
    const struct tmpl_helper *h = NULL;
    for (size_t i = 0; i < ARRAY_LEN(helpers) && !h; i++)
        if (strlen(helpers[i].name) == len && memcmp(helpers[i].name, name, len) == 0)
            h = &helpers[i];
    return h;
}
