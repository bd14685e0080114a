/* copycheck.c — a copy against its version's log leaf, on the reader's side. */
#include "client/copycheck.h"

#include <string.h>

int copyc_find_key(const char *text, char memo_id[32], int *version,
                   unsigned char key[COPY_KEY_SIZE], struct err *e)
{
    return copy_find_key(text, memo_id, version, key, e);
}

/* The digests of the copy's paragraphs; the first may be a Markdown heading
 * of the registered title (reg[0]), then taken without its "#"s. */
static json_t *copy_digests(const unsigned char key[COPY_KEY_SIZE], json_t *paras,
                            const json_t *reg)
{
    json_t *out = json_array(), *it;
    const char *title = json_string_value(json_array_get(reg, 0));
    size_t i;
    char hex[COPY_DIGEST_HEX], alt[COPY_DIGEST_HEX];
    json_array_foreach(paras, i, it)
    {
        const char *s = json_string_value(it), *t = s;
        copy_paragraph_digest(key, s, hex);
        while (i == 0 && *t == '#')
            t++;
        if (i == 0 && t != s && *t == ' ' && title && strcmp(hex, title) != 0) {
            copy_paragraph_digest(key, t + 1, alt);
            if (strcmp(alt, title) == 0) {
                memcpy(hex, alt, sizeof hex);
                json_array_set_new(paras, 0, json_string(t + 1));
            }
        }
        if (!out || json_array_append_new(out, json_string(hex))) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

int copyc_compare(const unsigned char key[COPY_KEY_SIZE], const char *text, const json_t *leaf,
                  json_t **paras, json_t **cmp, int *whole, struct err *e)
{
    const json_t *reg = json_object_get(leaf, "paragraphs");
    const char *digest = json_string_value(json_object_get(leaf, "digest"));
    char hex[COPY_DIGEST_HEX];
    json_t *digests;

    *cmp = NULL;
    *whole = 0;
    *paras = copy_text_paragraphs(text);
    digests = *paras ? copy_digests(key, *paras, reg) : NULL;
    *cmp = digests ? copy_compare(reg, digests) : NULL;
    json_decref(digests);
    if (!*cmp)
        return err_set(e, ERR_NOMEM, "out of memory (or more than %d paragraphs)",
                       COPY_PARAGRAPHS_MAX);
    copy_text_digest(key, *paras, hex);
    *whole = strcmp(hex, digest ? digest : "") == 0;
    /* The banners are not paragraphs; they are compared on their own. */
    {
        const char *registered = json_string_value(json_object_get(leaf, "marking"));
        json_t *marks = copy_text_markings(text);
        if (!marks ||
            json_object_set_new(*cmp, "marking",
                                json_pack("{s:s?,s:o,s:s}", "registered", registered, "copy", marks,
                                          "status", copy_marking_status(marks, registered))))
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

int copyc_opens(const unsigned char key[COPY_KEY_SIZE], const json_t *paras, const json_t *leaf)
{
    const json_t *reg = json_object_get(leaf, "paragraphs");
    size_t i, j;
    json_t *p, *r;
    char hex[COPY_DIGEST_HEX];
    json_array_foreach(paras, i, p)
    {
        copy_paragraph_digest(key, json_string_value(p), hex);
        json_array_foreach(reg, j, r) if (strcmp(json_string_value(r), hex) == 0) return 1;
    }
    return 0;
}
