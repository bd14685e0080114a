/* api_log.c — the public transparency log (no login): the log's key, signed
 * checkpoints, leaves, inclusion and consistency proofs; and the official
 * rendering of a version (readers only). docs/api.md, docs/protocol-tlog.md. */
#include "http/api.h"

#include "base/util.h"
#include "http/cache.h"
#include "http/cosigned.h"
#include "tlog/checkpoint.h"
#include "tlog/tile.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

/* Parses query parameter name as an integer in [min, max]; ERR_INVALID names it. */
static int query_int(struct http_request *req, const char *name, int64_t min, int64_t max,
                     int64_t *out, struct err *e)
{
    const char *s = http_query(req, name);
    if (!s || parse_i64(s, min, max, out))
        return err_set(e, ERR_INVALID, "query parameter '%s' must be a whole number from %lld",
                       name, (long long)min);
    return 0;
}

static void h_key(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = chan_log_key(c.app->chan, &c.out, &c.e);
    api_end(&c, res, rc, 200);
    http_cache_reply(req, res, HTTP_CACHE_SHORT);
}

/* The cosigned checkpoint as the JSON of chan_log_checkpoint, plus
 * "cosigned": true; with its validator in tag (the SHA-256 of the note: a
 * new cosignature is a new note) when tag is not NULL. */
static int cosigned_checkpoint(struct app_cosigned *cs, json_t **out, unsigned char *tag,
                               struct err *e)
{
    int rc = -1, have;
    struct buf note;
    struct tlog_note n;
    struct tlog_checkpoint cp;
    char root[64];
    buf_init(&note, TLOG_NOTE_MAX);
    have = app_cosigned_get(cs, &note, e);
    if (have < 0)
        goto out;
    if (have == 0) {
        err_set(e, ERR_NOT_FOUND,
                "no checkpoint has been cosigned by enough witnesses yet: try again shortly");
        goto out;
    }
    if (tag)
        crypto_hash_sha256(tag, (const unsigned char *)note.data, note.len);
    if (tlog_note_parse(&n, note.data, note.len, e) != 0 ||
        tlog_checkpoint_parse(&cp, n.text, n.text_len, e) != 0)
        goto out;
    sodium_bin2base64(root, sizeof root, cp.root, TLOG_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL);
    *out = json_pack("{s:s,s:I,s:s,s:s%,s:b}", "origin", cp.origin, "size", (json_int_t)cp.size,
                     "root", root, "note", note.data, note.len, "cosigned", 1);
    if (!*out) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    buf_release(&note);
    return rc;
}

/* The cosigned note's validator (its SHA-256), read without parsing it.
 * Returns 1, 0 when nothing is published yet, or -1 with e. */
static int cosigned_tag(struct app_cosigned *cs, unsigned char tag[CHAN_LOG_TAG_SIZE],
                        struct err *e)
{
    struct buf note;
    int have;
    buf_init(&note, TLOG_NOTE_MAX);
    have = app_cosigned_get(cs, &note, e);
    if (have == 1)
        crypto_hash_sha256(tag, (const unsigned char *)note.data, note.len);
    buf_release(&note);
    return have;
}

/* The checkpoint in JSON, or as the bare note when note_form: answers 304
 * from the validator alone (chan_log_checkpoint_tag or the cosigned note's
 * hash), before any signing or formatting, when If-None-Match names it. */
static void serve_checkpoint(struct http_request *req, struct http_response *res, void *app_,
                             int note_form)
{
    struct api_call c;
    unsigned char tag[CHAN_LOG_TAG_SIZE];
    char quoted[HTTP_ETAG_MAX];
    int rc = api_begin(&c, app_, req, API_PUBLIC), known = 0;
    const char *inm = http_header(req, "If-None-Match");
    const char *form = c.app->cosigned ? (note_form ? "cosigned note" : "cosigned json")
                                       : (note_form ? "checkpoint note" : "checkpoint json");
    /* the cheap path: only a request that names a tag pays for computing it */
    if (rc == 0 && inm) {
        if (c.app->cosigned)
            known = cosigned_tag(c.app->cosigned, tag, &c.e) == 1;
        else
            known = chan_log_checkpoint_tag(c.app->chan, tag, &c.e) == 0;
        if (known) {
            http_cache_tag(quoted, form, tag, sizeof tag);
            if (http_cache_precheck(res, inm, quoted, HTTP_CACHE_SHORT)) {
                api_release(&c);
                return;
            }
        }
        err_init(&c.e); /* the full path below reports its own errors */
    }
    if (rc == 0 && c.app->cosigned)
        rc = cosigned_checkpoint(c.app->cosigned, &c.out, tag, &c.e);
    else if (rc == 0)
        rc = chan_log_checkpoint_tagged(c.app->chan, &c.out, tag, &c.e);
    if (rc == 0 && note_form && json_is_object(c.out)) {
        /* ?format=note: the bare signed note, as C2SP tools expect it */
        const char *note = json_string_value(json_object_get(c.out, "note"));
        api_end_text(&c, res, rc, note, strlen(note));
    } else {
        api_end(&c, res, rc, 200);
    }
    /* changes with every leaf: a cache keeps it seconds, then revalidates;
     * the tag is the validator of the very checkpoint served */
    if (rc == 0) {
        http_cache_tag(quoted, form, tag, sizeof tag);
        http_cache_reply_tag(res, inm, quoted, HTTP_CACHE_SHORT);
    }
}

static void h_checkpoint(struct http_request *req, struct http_response *res, void *app_)
{
    serve_checkpoint(req, res, app_, http_query(req, "format") != NULL);
}

static void h_leaves(struct http_request *req, struct http_response *res, void *app_)
{
    int64_t start = 0, end = 0;
    int full = 0;
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = query_int(req, "start", 0, INT64_MAX, &start, &c.e);
    if (rc == 0)
        rc = query_int(req, "end", 1, INT64_MAX, &end, &c.e);
    if (rc == 0)
        rc = chan_log_leaves(c.app->chan, start, end, &c.out, &c.e);
    /* A range wholly below the tree size never changes (the log only
     * grows); "size" in it then says the size when it was first served. A
     * range cut short by the tree's end grows with the log. */
    if (rc == 0)
        full = (int64_t)json_array_size(json_object_get(c.out, "leaves")) == end - start;
    api_end(&c, res, rc, 200);
    http_cache_reply(req, res, full ? HTTP_CACHE_IMMUTABLE : HTTP_CACHE_SHORT);
}

static void h_memo_leaves(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int64_t after = -1;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0 && http_query(req, "after"))
        rc = query_int(req, "after", 0, INT64_MAX, &after, &c.e);
    if (rc == 0)
        rc = chan_log_memo_page(c.app->chan, req->params[0], http_query(req, "kind"), after, &c.out,
                                &c.e);
    api_end(&c, res, rc, 200);
    http_cache_reply(req, res, HTTP_CACHE_SHORT);
}

static void h_inclusion(struct http_request *req, struct http_response *res, void *app_)
{
    int64_t index = 0, size = 0;
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = query_int(req, "index", 0, INT64_MAX, &index, &c.e);
    if (rc == 0)
        rc = query_int(req, "size", 1, INT64_MAX, &size, &c.e);
    if (rc == 0)
        rc = chan_log_inclusion(c.app->chan, index, size, &c.out, &c.e);
    api_end(&c, res, rc, 200);
    /* a proof for fixed sizes is a function of the append-only tree */
    http_cache_reply(req, res, HTTP_CACHE_IMMUTABLE);
}

static void h_consistency(struct http_request *req, struct http_response *res, void *app_)
{
    int64_t from = 0, to = 0;
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = query_int(req, "from", 1, INT64_MAX, &from, &c.e);
    if (rc == 0)
        rc = query_int(req, "to", 1, INT64_MAX, &to, &c.e);
    if (rc == 0)
        rc = chan_log_consistency(c.app->chan, from, to, &c.out, &c.e);
    api_end(&c, res, rc, 200);
    http_cache_reply(req, res, HTTP_CACHE_IMMUTABLE);
}

/* GET /checkpoint: the bare signed note at the root of the tiles prefix
 * (C2SP tlog-tiles), the same one as /api/v1/log/checkpoint?format=note. */
static void h_tiles_checkpoint(struct http_request *req, struct http_response *res, void *app_)
{
    serve_checkpoint(req, res, app_, 1);
}

/* Serves the tile named by segs (the path elements after /tile/). */
static void serve_tile(struct http_request *req, struct http_response *res, void *app_,
                       const char *const *segs, size_t n)
{
    struct app *app = app_; /* public: nothing about the caller is read */
    struct tlog_tile t;
    struct buf tile;
    struct err e;
    int rc;
    err_init(&e);
    buf_init(&tile, (size_t)TLOG_TILE_WIDTH * (2 + 65535));
    rc = tlog_tile_parse(segs, n, &t, &e);
    if (rc == 0)
        rc = chan_log_tile(app->chan, &t, &tile, &e);
    if (rc == 0)
        http_reply_bytes(res, 200, "application/octet-stream", tile.data, tile.len);
    else
        http_reply_error(res, &e);
    /* a full tile never changes; a partial one is replaced by a wider one */
    http_cache_reply(
        req, res, rc == 0 && t.width == TLOG_TILE_WIDTH ? HTTP_CACHE_IMMUTABLE : HTTP_CACHE_SHORT);
    buf_release(&tile);
}

static void h_tile(struct http_request *req, struct http_response *res, void *app_)
{
    serve_tile(req, res, app_, req->params, req->nparams);
}

static void h_tile_entries(struct http_request *req, struct http_response *res, void *app_)
{
    const char *segs[HTTP_MAX_PARAMS + 1] = {"entries"};
    for (size_t i = 0; i < req->nparams; i++)
        segs[i + 1] = req->params[i];
    serve_tile(req, res, app_, segs, req->nparams + 1);
}

/* The official rendering of a version: plain text, for readers of the memo. */
static void h_rendering(struct http_request *req, struct http_response *res, void *app_)
{
    struct buf text;
    int64_t n = 0;
    struct api_call c;
    int rc;
    buf_init(&text, 4u << 20);
    rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0 && parse_i64(req->params[1], 1, 1000000, &n))
        rc = err_set(&c.e, ERR_INVALID, "the version in the path must be a number (1, 2, …)");
    if (rc == 0)
        rc = chan_memo_rendering(c.app->chan, req->pool, &c.actor, req->params[0], (int)n, &text,
                                 &c.e);
    api_end_text(&c, res, rc, text.data, text.len);
    buf_release(&text);
}

/* A channel's responsiveness, from the log's leaves (proto/stats.h). */
static void h_channel_stats(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = chan_channel_stats(c.app->chan, req->pool, req->params[0], now_utc(), &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

/* The channels and their published policy and calendar. */
static void h_public_channels(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    json_t *list = NULL;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = chan_channel_list(c.app->chan, &list, &c.e);
    if (rc == 0)
        c.out = json_pack("{s:o}", "channels", list);
    api_end(&c, res, rc, 200);
}

const struct http_route api_log_routes[] = {
    {.method = "GET", .pattern = "/api/v1/log/key", .handler = h_key, .flags = ROUTE_CORS},
    {.method = "GET",
     .pattern = "/api/v1/log/checkpoint",
     .handler = h_checkpoint,
     .flags = ROUTE_CORS},
    {.method = "GET", .pattern = "/api/v1/log/leaves", .handler = h_leaves, .flags = ROUTE_CORS},
    {.method = "GET",
     .pattern = "/api/v1/log/memos/:id",
     .handler = h_memo_leaves,
     .flags = ROUTE_CORS},
    {.method = "GET",
     .pattern = "/api/v1/log/proof/inclusion",
     .handler = h_inclusion,
     .flags = ROUTE_CORS},
    {.method = "GET",
     .pattern = "/api/v1/log/proof/consistency",
     .handler = h_consistency,
     .flags = ROUTE_CORS},
    {.method = "GET", .pattern = "/api/v1/memos/:id/versions/:n/rendering", .handler = h_rendering},
    {.method = "GET",
     .pattern = "/api/v1/public/channels",
     .handler = h_public_channels,
     .flags = ROUTE_CORS},
    {.method = "GET",
     .pattern = "/api/v1/public/channels/:slug/stats",
     .handler = h_channel_stats,
     .flags = ROUTE_CORS},
};
const size_t api_log_routes_count = ARRAY_LEN(api_log_routes);

/* Outside /api/v1: the tiles spec puts them under the log's prefix URL. */
const struct http_route log_tile_routes[] = {
    /* at the site's root; an index takes 1 to 6 path
     * elements, and a partial tile one more (the router has no wildcard) */
    {.method = "GET", .pattern = "/checkpoint", .handler = h_tiles_checkpoint},
    {.method = "GET", .pattern = "/tile/entries/:a", .handler = h_tile_entries},
    {.method = "GET", .pattern = "/tile/entries/:a/:b", .handler = h_tile_entries},
    {.method = "GET", .pattern = "/tile/entries/:a/:b/:c", .handler = h_tile_entries},
    {.method = "GET", .pattern = "/tile/entries/:a/:b/:c/:d", .handler = h_tile_entries},
    {.method = "GET", .pattern = "/tile/entries/:a/:b/:c/:d/:e", .handler = h_tile_entries},
    {.method = "GET", .pattern = "/tile/entries/:a/:b/:c/:d/:e/:f", .handler = h_tile_entries},
    {.method = "GET", .pattern = "/tile/entries/:a/:b/:c/:d/:e/:f/:g", .handler = h_tile_entries},
    {.method = "GET", .pattern = "/tile/:l/:a", .handler = h_tile},
    {.method = "GET", .pattern = "/tile/:l/:a/:b", .handler = h_tile},
    {.method = "GET", .pattern = "/tile/:l/:a/:b/:c", .handler = h_tile},
    {.method = "GET", .pattern = "/tile/:l/:a/:b/:c/:d", .handler = h_tile},
    {.method = "GET", .pattern = "/tile/:l/:a/:b/:c/:d/:e", .handler = h_tile},
    {.method = "GET", .pattern = "/tile/:l/:a/:b/:c/:d/:e/:f", .handler = h_tile},
    {.method = "GET", .pattern = "/tile/:l/:a/:b/:c/:d/:e/:f/:g", .handler = h_tile},
};
const size_t log_tile_routes_count = ARRAY_LEN(log_tile_routes);
