/* copycheck.c — paragraphs, keyed digests, the official rendering, and the
 * comparison of a copy with a registered version. */
#include "proto/copycheck.h"

#include "base/util.h"
#include "proto/names.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Is the line [p, end) blank (only white space)? */
static int blank_line(const char *p, const char *end)
{
    for (; p < end; p++)
        if (!is_space(*p))
            return 0;
    return 1;
}

/* Appends the normalized paragraph [start, end) to arr (if not empty). */
static int add_paragraph(json_t *arr, const char *start, const char *end)
{
    struct buf b;
    int space = 0, rc = 0;
    buf_init(&b, (size_t)(end - start) + 1);
    for (const char *p = start; p < end && rc == 0; p++) {
        if (is_space(*p)) {
            space = b.len > 0;
        } else {
            if (space)
                rc = buf_append(&b, " ", 1, NULL);
            space = 0;
            if (rc == 0)
                rc = buf_append(&b, p, 1, NULL);
        }
    }
    if (rc == 0 && b.len > 0 && json_array_size(arr) < COPY_PARAGRAPHS_MAX)
        rc = json_array_append_new(arr, json_stringn(b.data, b.len));
    buf_release(&b);
    return rc;
}

json_t *copy_paragraphs(const char *text)
{
    json_t *arr = json_array();
    const char *p = text, *start = NULL;
    while (arr && *p) {
        const char *nl = strchr(p, '\n');
        const char *end = nl ? nl : p + strlen(p);
        if (blank_line(p, end)) {
            if (start && add_paragraph(arr, start, p)) {
                json_decref(arr);
                return NULL;
            }
            start = NULL;
        } else if (!start) {
            start = p;
        }
        p = nl ? nl + 1 : end;
    }
    if (arr && start && add_paragraph(arr, start, p)) {
        json_decref(arr);
        arr = NULL;
    }
    return arr;
}

json_t *copy_version_paragraphs(const char *title, const char *body)
{
    json_t *arr = json_array(), *rest = copy_paragraphs(body);
    if (!arr || !rest || add_paragraph(arr, title, title + strlen(title)) ||
        json_array_extend(arr, rest)) {
        json_decref(arr);
        arr = NULL;
    }
    json_decref(rest);
    return arr;
}

static void hmac_hex(const unsigned char key[COPY_KEY_SIZE], const char *label, const char *msg,
                     size_t len, char out[COPY_DIGEST_HEX])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[32];
    crypto_auth_hmacsha256_init(&st, key, COPY_KEY_SIZE);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, strlen(label));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, len);
    crypto_auth_hmacsha256_final(&st, mac);
    hex_encode(out, mac, 32);
}

void copy_paragraph_digest(const unsigned char key[COPY_KEY_SIZE], const char *paragraph,
                           char out[COPY_DIGEST_HEX])
{
    hmac_hex(key, "dissent-paragraph-v1\n", paragraph, strlen(paragraph), out);
}

void copy_text_digest(const unsigned char key[COPY_KEY_SIZE], const json_t *paragraphs,
                      char out[COPY_DIGEST_HEX])
{
    struct buf b;
    size_t i;
    json_t *it;
    buf_init(&b, (size_t)1 << 30);
    json_array_foreach(paragraphs, i, it)
    {
        if ((i && buf_append(&b, "\n", 1, NULL)) || buf_puts(&b, json_string_value(it), NULL))
            break;
    }
    hmac_hex(key, "dissent-copy-v1\n", buf_str(&b), b.len, out);
    buf_release(&b);
}

json_t *copy_version_digests(const unsigned char key[COPY_KEY_SIZE], const char *title,
                             const char *body)
{
    json_t *paras = copy_version_paragraphs(title, body), *digests = json_array(), *out = NULL;
    char hex[COPY_DIGEST_HEX];
    size_t i;
    json_t *it;
    if (!paras || !digests)
        goto done;
    json_array_foreach(paras, i, it)
    {
        copy_paragraph_digest(key, json_string_value(it), hex);
        json_array_append_new(digests, json_string(hex));
    }
    copy_text_digest(key, paras, hex);
    out = json_pack("{s:s,s:O}", "digest", hex, "paragraphs", digests);
done:
    json_decref(paras);
    json_decref(digests);
    return out;
}

int copy_render_text(const char *memo_id, int version, const char *title, const char *marking,
                     const char *body, const char *key_hex, struct buf *out, struct err *e)
{
    size_t n = strlen(body);
    return buf_printf(out, e, "%s\n\n%s\n\n%s%s\n%s %s %d %s\n\n%s\n", marking, title, body,
                      n && body[n - 1] == '\n' ? "" : "\n", COPY_VERIFY_PREFIX, memo_id, version,
                      key_hex, marking);
}

/* Is [p, p+n) the verification line? Fills the fields if so. */
static int parse_verify_line(const char *p, size_t n, char memo_id[32], int *version,
                             unsigned char key[COPY_KEY_SIZE])
{
    char line[256], id[32] = "", num[16] = "", hex[80] = "";
    const char *s;
    size_t plen = strlen(COPY_VERIFY_PREFIX);
    int64_t v;
    while (n && is_space(*p)) {
        p++;
        n--;
    }
    while (n && is_space(p[n - 1]))
        n--;
    if (n < plen || n >= sizeof line || memcmp(p, COPY_VERIFY_PREFIX, plen) != 0)
        return 0;
    memcpy(line, p, n);
    line[n] = '\0';
    s = line + plen;
    /* three fields separated by single runs of spaces */
    for (int f = 0; f < 3; f++) {
        char *dst = f == 0 ? id : f == 1 ? num : hex;
        size_t cap = f == 0 ? sizeof id : f == 1 ? sizeof num : sizeof hex, k = 0;
        while (*s == ' ' || *s == '\t')
            s++;
        while (*s && *s != ' ' && *s != '\t') {
            if (k + 1 >= cap)
                return 0;
            dst[k++] = *s++;
        }
        dst[k] = '\0';
    }
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s || strlen(id) != RANDOM_ID_LEN || parse_i64(num, 1, 1000000, &v) ||
        hex_decode(key, COPY_KEY_SIZE, hex))
        return 0;
    memcpy(memo_id, id, RANDOM_ID_LEN + 1);
    *version = (int)v;
    return 1;
}

int copy_find_key(const char *text, char memo_id[32], int *version,
                  unsigned char key[COPY_KEY_SIZE], struct err *e)
{
    const char *p = text;
    char id2[32];
    int v2, found = 0;
    unsigned char k2[COPY_KEY_SIZE];
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        /* A second line is refused, not skipped: which one is genuine
         * cannot be told, and a checker that took the first would let a
         * forger choose what is checked. */
        if (found && parse_verify_line(p, n, id2, &v2, k2)) {
            sodium_memzero(k2, sizeof k2);
            sodium_memzero(key, COPY_KEY_SIZE);
            return err_set(e, ERR_INVALID,
                           "this copy has more than one verification line ('%s …'): it cannot "
                           "be checked (an official rendering has exactly one)",
                           COPY_VERIFY_PREFIX);
        }
        if (!found && parse_verify_line(p, n, memo_id, version, key))
            found = 1;
        p += n + (nl ? 1 : 0);
    }
    if (found)
        return 0;
    return err_set(e, ERR_INVALID,
                   "no verification line ('%s <memo> <version> <key>') in this copy: it cannot "
                   "be checked",
                   COPY_VERIFY_PREFIX);
}

json_t *copy_text_markings(const char *text)
{
    json_t *raw = copy_paragraphs(text), *out = json_array(), *it;
    size_t i;
    if (!raw || !out) {
        json_decref(raw);
        json_decref(out);
        return NULL;
    }
    json_array_foreach(raw, i, it)
    {
        if (proto_name_index(proto_markings, json_string_value(it)) >= 0)
            json_array_append(out, it);
    }
    json_decref(raw);
    return out;
}

const char *copy_marking_status(const json_t *markings, const char *registered)
{
    size_t i;
    json_t *it;
    if (json_array_size(markings) == 0)
        return "missing";
    json_array_foreach(markings, i, it)
    {
        if (!registered || strcmp(json_string_value(it), registered) != 0)
            return "changed";
    }
    return "same";
}

json_t *copy_text_paragraphs(const char *text)
{
    struct buf b;
    json_t *raw = NULL, *out = json_array();
    const char *p = text;
    size_t i;
    json_t *it;
    char id[32];
    int v;
    unsigned char key[COPY_KEY_SIZE];

    buf_init(&b, strlen(text) + 1);
    /* drop the verification line (keeping a blank line in its place) */
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (!parse_verify_line(p, n, id, &v, key) && buf_append(&b, p, n, NULL))
            goto fail;
        if (buf_append(&b, "\n", 1, NULL))
            goto fail;
        p += n + (nl ? 1 : 0);
    }
    raw = copy_paragraphs(buf_str(&b));
    if (!raw || !out)
        goto fail;
    json_array_foreach(raw, i, it)
    {
        if (proto_name_index(proto_markings, json_string_value(it)) >= 0)
            continue; /* a banner */
        json_array_append(out, it);
    }
    json_decref(raw);
    buf_release(&b);
    return out;
fail:
    json_decref(raw);
    json_decref(out);
    buf_release(&b);
    return NULL;
}

/* Appends the pairs of one unmatched stretch: registered [i0, i1) against
 * copy [j0, j1); as many as possible pair up as changed. */
static void emit_stretch(json_t *list, size_t i0, size_t i1, size_t j0, size_t j1)
{
    while (i0 < i1 && j0 < j1)
        json_array_append_new(list, json_pack("{s:s,s:I,s:I}", "status", "changed", "registered",
                                              (json_int_t)++i0, "copy", (json_int_t)++j0));
    while (i0 < i1)
        json_array_append_new(list, json_pack("{s:s,s:I,s:n}", "status", "removed", "registered",
                                              (json_int_t)++i0, "copy"));
    while (j0 < j1)
        json_array_append_new(list, json_pack("{s:s,s:n,s:I}", "status", "added", "registered",
                                              "copy", (json_int_t)++j0));
}

/* Rewrites *list (copy_compare's rows) so that a registered paragraph left
 * unmatched by the alignment whose digest equals an unmatched paragraph of
 * the copy is reported as "moved" {registered, copy} (at the copy's
 * position) instead of removed here and added or changed there; what is left
 * of a changed pair becomes removed or added. Returns the number moved;
 * *list is NULL when out of memory. */
static size_t find_moved(const json_t *reg, const json_t *copy, json_t **list)
{
    size_t n = json_array_size(reg), m = json_array_size(copy), k, moved = 0, r, c;
    json_int_t *reg_to = calloc(n + 1, sizeof *reg_to), *copy_to = calloc(m + 1, sizeof *copy_to);
    json_t *row, *out = json_array();

    if (!reg_to || !copy_to || !out)
        goto fail;
    /* unmatched on each side: 0 = matched, -1 = unmatched, > 0 = moved to (1-based) */
    json_array_foreach(*list, k, row)
    {
        const char *st = json_string_value(json_object_get(row, "status"));
        json_int_t a = json_integer_value(json_object_get(row, "registered"));
        json_int_t b = json_integer_value(json_object_get(row, "copy"));
        if (strcmp(st, "same") == 0)
            continue;
        if (a > 0)
            reg_to[a - 1] = -1;
        if (b > 0)
            copy_to[b - 1] = -1;
    }
    for (c = 0; c < m; c++) {
        if (copy_to[c] != -1)
            continue;
        for (r = 0; r < n; r++)
            if (reg_to[r] == -1 && strcmp(json_string_value(json_array_get(reg, r)),
                                          json_string_value(json_array_get(copy, c))) == 0) {
                reg_to[r] = (json_int_t)c + 1;
                copy_to[c] = (json_int_t)r + 1;
                moved++;
                break;
            }
    }
    json_array_foreach(*list, k, row)
    {
        const char *st = json_string_value(json_object_get(row, "status"));
        json_int_t a = json_integer_value(json_object_get(row, "registered"));
        json_int_t b = json_integer_value(json_object_get(row, "copy"));
        int a_moved = a > 0 && strcmp(st, "same") != 0 && reg_to[a - 1] > 0;
        int b_moved = b > 0 && strcmp(st, "same") != 0 && copy_to[b - 1] > 0;
        if (!a_moved && !b_moved) {
            json_array_append(out, row);
            continue;
        }
        if (b_moved)
            json_array_append_new(out, json_pack("{s:s,s:I,s:I}", "status", "moved", "registered",
                                                 copy_to[b - 1], "copy", b));
        if (a > 0 && !a_moved)
            json_array_append_new(
                out, json_pack("{s:s,s:I,s:n}", "status", "removed", "registered", a, "copy"));
        if (b > 0 && !b_moved)
            json_array_append_new(
                out, json_pack("{s:s,s:n,s:I}", "status", "added", "registered", "copy", b));
    }
    free(reg_to);
    free(copy_to);
    json_decref(*list);
    *list = out;
    return moved;
fail:
    free(reg_to);
    free(copy_to);
    json_decref(out);
    json_decref(*list);
    *list = NULL;
    return 0;
}

json_t *copy_compare(const json_t *reg, const json_t *copy)
{
    size_t n = json_array_size(reg), m = json_array_size(copy);
    uint32_t *t = NULL;
    json_t *list = json_array(), *out = NULL;
    size_t i = 0, j = 0, i0 = 0, j0 = 0, same = 0, moved = 0;
#define EQ(a, b)                                                                                   \
    (strcmp(json_string_value(json_array_get(reg, a)),                                             \
            json_string_value(json_array_get(copy, b))) == 0)
#define T(a, b) t[(a) * (m + 1) + (b)]
    if (!list || n > COPY_PARAGRAPHS_MAX || m > COPY_PARAGRAPHS_MAX)
        goto done;
    t = calloc((n + 1) * (m + 1), sizeof *t);
    if (!t)
        goto done;
    for (size_t a = n; a-- > 0;)
        for (size_t b = m; b-- > 0;)
            T(a, b) = EQ(a, b) ? T(a + 1, b + 1) + 1
                               : (T(a + 1, b) > T(a, b + 1) ? T(a + 1, b) : T(a, b + 1));
    /* Walk the table; a match closes the unmatched stretch before it. */
    while (i < n || j < m) {
        if (i < n && j < m && EQ(i, j) && T(i, j) == T(i + 1, j + 1) + 1) {
            emit_stretch(list, i0, i, j0, j);
            json_array_append_new(list, json_pack("{s:s,s:I,s:I}", "status", "same", "registered",
                                                  (json_int_t)i + 1, "copy", (json_int_t)j + 1));
            i++, j++, same++;
            i0 = i, j0 = j;
        } else if (i < n && (j == m || T(i + 1, j) >= T(i, j + 1))) {
            i++;
        } else {
            j++;
        }
    }
    emit_stretch(list, i0, n, j0, m);
    moved = find_moved(reg, copy, &list);
    if (!list)
        goto done;
    out = json_pack("{s:b,s:I,s:I,s:O}", "exact", same == n && same == m, "matching",
                    (json_int_t)same, "moved", (json_int_t)moved, "paragraphs", list);
done:
#undef EQ
#undef T
    free(t);
    json_decref(list);
    return out;
}
