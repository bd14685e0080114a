/* receipts.c — keeping and checking the receipts of anonymous actions. */
#include "client/receipts.h"

#include "base/util.h"
#include "client/files.h"
#include "proto/receipt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int receipts_path(char *out, size_t n, struct err *e)
{
    const char *own = getenv("DISSENT_RECEIPTS"), *cfg = getenv("DISSENT_CONFIG");
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    int w;
    if (own && own[0])
        w = snprintf(out, n, "%s", own);
    else if (cfg && cfg[0])
        w = snprintf(out, n, "%s.receipts.json", cfg);
    else if (xdg && xdg[0] == '/')
        w = snprintf(out, n, "%s/dissent/receipts.json", xdg);
    else if (home && home[0])
        w = snprintf(out, n, "%s/.config/dissent/receipts.json", home);
    else
        return err_set(e, ERR_INVALID,
                       "cannot tell where to keep receipts: set DISSENT_RECEIPTS or HOME");
    if (w < 0 || (size_t)w >= n)
        return err_set(e, ERR_INVALID, "the receipts file path is longer than %zu bytes", n - 1);
    return 0;
}

int receipts_load(const char *path, json_t **out, struct err *e)
{
    json_error_t je;
    FILE *f = fopen(path, "r");
    *out = NULL;
    if (!f) {
        if (errno != ENOENT)
            return err_set(e, ERR_IO, "cannot read %s: %s", path, strerror(errno));
        *out = json_array();
        return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    }
    *out = json_loadf(f, 0, &je);
    fclose(f);
    if (!json_is_array(*out)) {
        json_decref(*out);
        *out = NULL;
        return err_set(e, ERR_INVALID, "%s is not a list of receipts (line %d: %s)", path, je.line,
                       je.text);
    }
    return 0;
}

int receipts_save(const char *path, const json_t *arr, struct err *e)
{
    char *text = json_dumps(arr, JSON_INDENT(2) | JSON_SORT_KEYS);
    int rc;
    if (!text)
        return err_set(e, ERR_NOMEM, "out of memory");
    rc = files_write_private(path, text, strlen(text), e);
    free(text);
    return rc;
}

int receipts_add(json_t *arr, const char *server, const json_t *reply, size_t *missing,
                 struct err *e)
{
    size_t i;
    *missing = 0;
    json_t *r;
    json_array_foreach(json_object_get(reply, "results"), i, r)
    {
        json_t *rc = json_object_get(r, "receipt");
        json_t *body = json_object_get(rc, "receipt");
        const char *sig = json_string_value(json_object_get(rc, "signature"));
        if (!json_is_object(body) || !sig) {
            (*missing)++;
            continue;
        }
        if (json_array_append_new(arr, json_pack("{s:s,s:O,s:s,s:s}", "server", server, "receipt",
                                                 body, "signature", sig, "state", "pending")))
            return err_set(e, ERR_NOMEM, "out of memory");
    }
    return 0;
}

static int str_is(const json_t *o, const char *key, const char *want)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v && want && strcmp(v, want) == 0;
}

const json_t *receipts_latest_pending(const json_t *arr, const char *server, const char *memo,
                                      const char *tag)
{
    const json_t *best = NULL;
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it)
    {
        const json_t *r = json_object_get(it, "receipt");
        if (str_is(it, "server", server) && str_is(it, "state", "pending") &&
            str_is(r, "memo", memo) && str_is(r, "tag", tag) &&
            (!best || json_integer_value(json_object_get(r, "seq")) >
                          json_integer_value(json_object_get(best, "seq"))))
            best = r;
    }
    return best;
}

int64_t receipts_next_seq(const json_t *arr, const char *server, const char *memo, const char *tag)
{
    const json_t *r = receipts_latest_pending(arr, server, memo, tag);
    return r ? json_integer_value(json_object_get(r, "seq")) + 1 : -1;
}

/* Is the leaf r promises in leaves (the log in index order)? It must be
 * the tag's own: the leaves of one tag on one memo follow its accepted
 * actions in order, one each, so the leaf of sequence number seq is at
 * least the tag's (seq+1)-th (exactly that one for a tag that began under
 * protocol v2; later for one carried over from v1, whose sequence started at
 * 1 or 0 after leaves of its own). An earlier leaf with the same text (a
 * re-signature of the same version) does not keep a later promise. */
static int in_log(const json_t *r, const json_t *leaves)
{
    size_t i;
    json_t *l;
    json_int_t seq = json_integer_value(json_object_get(r, "seq")), nth = 0;
    json_array_foreach(leaves, i, l)
    {
        const char *data = json_string_value(json_object_get(l, "data"));
        json_t *d;
        int hit;
        if (!data || !strstr(data, "\"anonymous-signature\""))
            continue;
        d = json_loads(data, 0, NULL);
        if (!d || !str_is(d, "kind", "anonymous-signature") ||
            !str_is(d, "memo", json_string_value(json_object_get(r, "memo"))) ||
            !str_is(d, "tag", json_string_value(json_object_get(r, "tag")))) {
            json_decref(d);
            continue;
        }
        /* the tag's nth leaf (from 0) */
        hit = nth++ >= seq &&
              str_is(d, "action", json_string_value(json_object_get(r, "action"))) &&
              str_is(d, "organization", json_string_value(json_object_get(r, "organization"))) &&
              json_integer_value(json_object_get(d, "version")) ==
                  json_integer_value(json_object_get(r, "version")) &&
              json_integer_value(json_object_get(d, "ring")) ==
                  json_integer_value(json_object_get(r, "ring"));
        json_decref(d);
        if (hit)
            return 1;
    }
    return 0;
}

static void evidence(FILE *err, const json_t *it)
{
    char *text = json_dumps(it, JSON_INDENT(2) | JSON_SORT_KEYS);
    fprintf(err, "%s\n", text ? text : "(out of memory)");
    free(text);
}

void receipts_check(json_t *arr, const char *server, const char *memo, const json_t *leaves,
                    const unsigned char pk[32], int64_t now, FILE *err, struct receipts_tally *t)
{
    size_t i;
    json_t *it;
    memset(t, 0, sizeof *t);
    json_array_foreach(arr, i, it)
    {
        const json_t *r = json_object_get(it, "receipt");
        const char *by = json_string_value(json_object_get(r, "publish_by"));
        int64_t due = 0;
        struct err why;
        if (!str_is(it, "server", server) || (memo && !str_is(r, "memo", memo)))
            continue;
        t->total++;
        err_init(&why);
        if (proto_receipt_verify(r, json_string_value(json_object_get(it, "signature")), pk,
                                 &why) ||
            !by || time_parse_utc(by, &due)) {
            t->invalid++;
            fprintf(err, "dissent: a kept receipt is not valid: %s:\n", why.msg);
            evidence(err, it);
            continue;
        }
        if (str_is(it, "state", "kept") || in_log(r, leaves)) {
            t->kept++;
            json_object_set_new(it, "state", json_string("kept"));
        } else if (now > due + RECEIPTS_GRACE_S) {
            t->broken++;
            fprintf(err,
                    "dissent: BROKEN PROMISE: the server signed that this anonymous action "
                    "would be in its transparency log by %s, and it is not. The signed receipt "
                    "(evidence, verifiable with the log key):\n",
                    by);
            evidence(err, it);
        } else {
            t->pending++;
        }
    }
}
