/* fuzz_tmpl.c — the template parser on fuzzed templates, rendered with fixed
 * data. The data's strings carry < > " ' and &; a second copy of the data has
 * each of those replaced by '('. Unless the template asks for raw output
 * ({{{...}}}), escaping must make both renderings hold the same number of
 * < > " and ' characters: none of them may come from the data. */
#include "../fuzz.h"

#include "http/tmpl.h"

#include <ctype.h>

static json_t *data_obj;
static json_t *data_plain;

/* Replaces the HTML-special bytes of every string in j (in place) by '('. */
static void plain(json_t *j)
{
    if (json_is_string(j)) {
        char *s = strdup(json_string_value(j));
        if (!s)
            abort();
        for (char *p = s; *p; p++)
            if (strchr("<>\"'&", *p))
                *p = '(';
        if (json_string_set(j, s) != 0)
            abort();
        free(s);
    } else if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++)
            plain(json_array_get(j, i));
    } else if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v)
        {
            plain(v);
        }
    }
}

static size_t count_specials(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

static const char data_json[] =
    "{\"name\":\"<xss>&'\\\"\",\"url\":\"javascript:alert('<xss>')\","
    "\"link\":\"https://example.org/"
    "?q=<xss>\",\"list\":[{\"name\":\"a<xss>\"},{\"name\":\"b\",\"n\":2}],"
    "\"obj\":{\"name\":\"<xss>\",\"n\":3,\"deep\":{\"name\":\"<xss>d\"}},\"n\":0,\"t\":true,\"f\":"
    "false,"
    "\"z\":null,\"e\":\"\",\"r\":1.5,\"big\":-9223372036854775808,\"empty\":[]}";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    data_obj = json_loads(data_json, 0, NULL);
    data_plain = json_deep_copy(data_obj);
    if (!data_obj || !data_plain)
        abort();
    plain(data_plain);
    return 0;
}

/* Counts section tags and tells whether the template includes itself ("t"):
 * both could make a render take exponential time, which a template (trusted,
 * compiled in) may do, so such inputs are parsed but not rendered. */
static void scan(const char *s, size_t *sections, int *self)
{
    *sections = 0;
    *self = 0;
    for (const char *p = strstr(s, "{{"); p; p = strstr(p + 2, "{{")) {
        const char *q = p + 2;
        while (isspace((unsigned char)*q))
            q++;
        if (*q == '#' || *q == '^')
            (*sections)++;
        if (*q == '>') {
            q++;
            while (isspace((unsigned char)*q))
                q++;
            if (*q == 't' && (q[1] == '}' || isspace((unsigned char)q[1])))
                *self = 1;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tmpl_set *set = NULL;
    struct err e;
    struct buf out, out2;
    char *src;
    size_t sections;
    int self;

    if (size > 4096)
        return 0;
    src = fuzz_cstr(data, size);
    buf_init(&out, 1u << 20);
    buf_init(&out2, 1u << 20);
    err_init(&e);
    if (tmpl_set_new(&set, &e) != 0)
        abort();
    FUZZ_CHECK(
        tmpl_add(set, "p", "<b title=\"{{name}}\">{{name}}</b><a href=\"{{url}}\">x</a>", &e) == 0);
    if (tmpl_add(set, "t", src, &e) != 0) {
        FUZZ_CHECK(e.code == ERR_INVALID || e.code == ERR_NOMEM);
        goto out;
    }
    FUZZ_CHECK(tmpl_add(set, "t", "again", &e) != 0);
    scan(src, &sections, &self);
    if (self || sections > 8)
        goto out;
    err_init(&e);
    if (tmpl_render(set, "t", data_obj, &out, &e) == 0 &&
        tmpl_render(set, "t", data_plain, &out2, &e) == 0 && !strstr(src, "{{{")) {
        for (const char *c = "<>\"'"; *c; c++)
            FUZZ_CHECK(count_specials(buf_str(&out), *c) == count_specials(buf_str(&out2), *c));
    }
    buf_reset(&out);
    if (tmpl_render(set, "t", NULL, &out, &e) != 0)
        FUZZ_CHECK(e.code != ERR_OK);
out:
    buf_release(&out);
    buf_release(&out2);
    tmpl_set_free(set);
    free(src);
    return 0;
}
