/* memo.c — memos and their immutable versions: create, read, revise, diff, list. */
#include "base/util.h"
#include "channel/access.h"
#include "channel/can.h"
#include "channel/chan_internal.h"
#include "channel/deadline.h"
#include "channel/notify.h"
#include "proto/copycheck.h"
#include "proto/commit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Copies text into p with CRLF and lone CR turned into LF, so that one text
 * has one canonical form whatever system typed it. */
static char *normalize_newlines(struct pool *p, const char *s)
{
    size_t n = strlen(s), j = 0;
    char *d = pool_alloc(p, n + 1);
    for (size_t i = 0; d && i < n; i++) {
        if (s[i] == '\r') {
            d[j++] = '\n';
            if (s[i + 1] == '\n')
                i++;
        } else {
            d[j++] = s[i];
        }
    }
    if (d)
        d[j] = '\0';
    return d;
}

/* Sets v->hash to the version's public commitment (proto/commit.h): an
 * HMAC under its verification key, so the public value confirms no guessed
 * text (protocol v2). Needs v->verify_key, title, marking and body. */
static int version_commit(struct pool *p, struct st_version *v, struct err *e)
{
    unsigned char key[PROTO_SALT_BYTES];
    char *hash = pool_alloc(p, PROTO_COMMIT_HEX);
    if (!hash || !v->verify_key || hex_decode(key, sizeof key, v->verify_key))
        return err_set(e, ERR_NOMEM, "out of memory");
    proto_version_commitment(key, v->title, chan_marking_name(v->marking), v->body, hash);
    sodium_memzero(key, sizeof key);
    v->hash = hash;
    return 0;
}

/* Validates a version's fields against the limits and the channel ceiling,
 * filling v (title, marking, body; the hash comes later, from
 * version_commit). Fields absent in `in` come from prev. */
static int version_prepare(struct pool *p, const struct chan_version_input *in,
                           const struct st_version *prev, const struct st_channel *ch,
                           struct st_version *v, struct err *e)
{
    int rc = -1;
    const char *title = in->title ? in->title : (prev ? prev->title : NULL);
    const char *body = in->body ? in->body : (prev ? prev->body : NULL);

    if (chan_check_text("title", title, CHAN_TITLE_MAX, 1, e) ||
        chan_check_text("body", body, CHAN_BODY_MAX, 1, e))
        goto out;
    if (strchr(title, '\n') || strchr(title, '\r')) {
        rc = err_set(e, ERR_INVALID, "field 'title' must be a single line");
        goto out;
    }
    if (in->marking && !*in->marking && !prev) {
        rc = err_set(e, ERR_INVALID,
                     "field 'marking' is required: choose UNCLASSIFIED, SBU, CONFIDENTIAL or "
                     "SECRET, up to the channel's ceiling");
        goto out;
    }
    if (in->marking && *in->marking) {
        if (chan_marking_parse(in->marking, &v->marking)) {
            rc = err_set(e, ERR_INVALID,
                         "field 'marking' must be one of UNCLASSIFIED, SBU, "
                         "CONFIDENTIAL, SECRET");
            goto out;
        }
    } else if (prev) {
        v->marking = prev->marking;
    } else {
        rc = err_set(e, ERR_INVALID,
                     "field 'marking' is required: choose UNCLASSIFIED, SBU, CONFIDENTIAL or "
                     "SECRET, up to the channel's ceiling");
        goto out;
    }
    if (v->marking > ch->ceiling) {
        rc = err_set(e, ERR_INVALID,
                     "the marking %s is above the ceiling of channel '%s' (%s): this channel "
                     "must not carry it",
                     chan_marking_name(v->marking), ch->slug, chan_marking_name(ch->ceiling));
        goto out;
    }
    v->title = pool_strdup(p, title);
    v->body = normalize_newlines(p, body);
    if (!v->title || !v->body) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    return rc;
}

/* Adds username as a drafter of memo_id; they must be an enabled member. */
static int drafter_add(struct chan *c, struct pool *p, int64_t memo_id, const char *username,
                       struct err *e)
{
    int rc = -1;
    int64_t n = 0;
    struct st_member m;
    if (chan_check_slug("co_drafters", username, e) ||
        store_member_by_username(c->st, p, username, &m, e))
        goto out;
    if (!(m.roles & CHAN_ROLE_MEMBER) || m.disabled) {
        rc = err_set(e, ERR_INVALID, "'%s' cannot draft memos: not an active member", username);
        goto out;
    }
    if (store_drafter_add(c->st, memo_id, m.id, e) || store_drafter_count(c->st, memo_id, &n, e))
        goto out;
    if (n > CHAN_DRAFTERS_MAX) {
        rc = err_set(e, ERR_INVALID, "a memo may have at most %d drafters", CHAN_DRAFTERS_MAX);
        goto out;
    }
    rc = 0;
out:
    return rc;
}

int chan_memo_create(struct chan *c, struct pool *p, const struct actor *a, const char *channel,
                     const struct chan_version_input *in, const char *const *co_drafters,
                     size_t n_co_drafters, json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x = {0};
    struct st_version v = {0};
    char *pid = pool_alloc(p, RANDOM_ID_LEN + 1);
    int64_t now = now_utc();

    if (!pid) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!a) {
        rc = err_set(e, ERR_UNAUTHORIZED, "log in to draft memos");
        goto out;
    }
    if (chan_require_role(a, CHAN_ROLE_MEMBER, "draft memos", e))
        goto out;
    if (!channel) {
        rc = err_set(e, ERR_INVALID, "field 'channel' is required");
        goto out;
    }
    if (n_co_drafters + 1 > CHAN_DRAFTERS_MAX) {
        rc = err_set(e, ERR_INVALID, "a memo may have at most %d drafters", CHAN_DRAFTERS_MAX);
        goto out;
    }
    if (store_begin(c->st, e))
        goto out;
    if (store_channel_by_slug(c->st, p, channel, &x.ch, e) ||
        version_prepare(p, in, NULL, &x.ch, &v, e))
        goto fail;
    random_id(pid);
    x.m.public_id = pid;
    x.m.channel_id = x.ch.id;
    x.m.state = CHAN_STATE_DRAFT;
    x.m.created_by = a->id;
    x.m.created_at = now;
    x.m.updated_at = now;
    x.m.latest_version = 1;
    x.rel = CHAN_REL_DRAFTER;
    x.roles = a->roles;
    if (store_memo_insert(c->st, &x.m, e) || store_drafter_add(c->st, x.m.id, a->id, e))
        goto fail;
    for (size_t i = 0; i < n_co_drafters; i++)
        if (drafter_add(c, p, x.m.id, co_drafters[i], e))
            goto fail;
    v.memo_id = x.m.id;
    v.number = 1;
    v.author_id = a->id;
    v.author = (char *)a->username;
    v.created_at = now;
    v.verify_key = chan_random_hex(p, 32);
    if (!v.verify_key || version_commit(p, &v, e)) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (store_version_insert(c->st, &v, e) || chan_event_version(c, &x, &v, e) ||
        chan_memo_json(c, &x, &v, 0, now, out, e))
        goto fail;
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}

int chan_memo_get(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                  int version, json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    struct st_version v;
    char what[32];
    int64_t now = now_utc();

    /* A read that records itself: no writers' lock (store.h). */
    if (store_begin_unordered(c->st, e))
        goto out;
    /* Without a version asked for, the memo, its latest version and its
     * counts come in one statement (store_memo_latest). */
    if (version == 0) {
        if (chan_memo_load_latest(c, p, a, id, &x, &v, e) ||
            chan_require(a, &x, CHAN_ACT_READ_MEMO, "read", e))
            goto fail;
    } else if (chan_memo_load(c, p, a, id, &x, e) ||
               chan_require(a, &x, CHAN_ACT_READ_MEMO, "read", e) ||
               store_version_get(c->st, p, x.m.id, version, &v, e)) {
        goto fail;
    }
    snprintf(what, sizeof what, "text of version %d", v.number);
    if (chan_access_record(c, a, x.m.id, what, now, e) || chan_memo_json(c, &x, &v, 1, now, out, e))
        goto fail;
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}

static json_t *versions_json(const struct st_version_info *v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_pack("{s:i,s:s,s:s,s:s,s:s,s:o,s:I}", "number", v[i].number,
                                             "hash", v[i].hash, "title", v[i].title, "marking",
                                             chan_marking_name(v[i].marking), "author", v[i].author,
                                             "created_at", chan_time_json(v[i].created_at),
                                             "signatures", (json_int_t)v[i].signatures));
    return arr;
}

int chan_memo_versions(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                       json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    struct st_version_info *v = NULL;
    size_t n = 0;
    /* A read that records itself: no writers' lock (store.h). */
    if (store_begin_unordered(c->st, e))
        goto out;
    /* The list carries every version's title: a read of memo text. */
    if (chan_memo_load(c, p, a, id, &x, e) || chan_require(a, &x, CHAN_ACT_READ_MEMO, "read", e) ||
        store_version_list(c->st, p, x.m.id, &v, &n, e) ||
        chan_access_record(c, a, x.m.id, "version list (titles)", now_utc(), e))
        goto fail;
    *out = json_pack("{s:s,s:o}", "memo", x.m.public_id, "versions", versions_json(v, n));
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}

int chan_memo_revise(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                     const struct chan_version_input *in, json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    struct st_version prev, v = {0};
    int64_t now = now_utc();

    if (store_begin(c->st, e))
        goto out;
    if (chan_memo_load(c, p, a, id, &x, e) || chan_check(&x, CHAN_CAN_EDIT, 0, e) ||
        store_version_get(c->st, p, x.m.id, x.m.latest_version, &prev, e) ||
        version_prepare(p, in, &prev, &x.ch, &v, e))
        goto fail;
    /* Compared as text: the public hashes are salted commitments now. */
    if (strcmp(v.title, prev.title) == 0 && v.marking == prev.marking &&
        strcmp(v.body, prev.body) == 0) {
        err_set(e, ERR_CONFLICT, "nothing changed: this text is identical to version %d",
                prev.number);
        goto fail;
    }
    if (chan_check_text("change_note", in->change_note, CHAN_CHANGE_NOTE_MAX, 0, e))
        goto fail;
    v.change_note = in->change_note && *in->change_note ? (char *)in->change_note : NULL;
    v.memo_id = x.m.id;
    v.number = x.m.latest_version + 1;
    v.author_id = a->id;
    v.author = (char *)a->username;
    v.created_at = now;
    v.verify_key = chan_random_hex(p, 32);
    x.m.latest_version = v.number;
    x.m.updated_at = now;
    if (!v.verify_key || version_commit(p, &v, e)) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (store_version_insert(c->st, &v, e) || store_memo_save(c->st, &x.m, e) ||
        chan_event_version(c, &x, &v, e) || chan_notify_version(c, p, &x.m, a->id, now, e) ||
        chan_memo_json(c, &x, &v, 0, now, out, e))
        goto fail;
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}

int chan_memo_diff(struct chan *c, struct pool *p, const struct actor *a, const char *id, int from,
                   int to, json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    struct st_version va, vb;
    json_t *lines = NULL, *words = NULL;
    char what[48];

    /* A read that records itself: no writers' lock (store.h). */
    if (store_begin_unordered(c->st, e))
        goto out;
    if (chan_memo_load(c, p, a, id, &x, e) || chan_require(a, &x, CHAN_ACT_READ_MEMO, "read", e) ||
        store_version_get(c->st, p, x.m.id, from, &va, e) ||
        store_version_get(c->st, p, x.m.id, to, &vb, e) ||
        chan_diff_lines(va.body, vb.body, &lines, e) ||
        chan_diff_words(va.body, vb.body, &words, e))
        goto fail;
    snprintf(what, sizeof what, "diff of versions %d and %d", from, to);
    if (chan_access_record(c, a, x.m.id, what, now_utc(), e))
        goto fail;
    *out = json_pack("{s:s,s:i,s:i,s:{s:s,s:s},s:{s:s,s:s},s:o}", "memo", x.m.public_id, "from",
                     from, "to", to, "title", "from", va.title, "to", vb.title, "marking", "from",
                     chan_marking_name(va.marking), "to", chan_marking_name(vb.marking), "lines",
                     lines);
    lines = NULL;
    if (*out)
        json_object_set_new(*out, "words", words);
    else
        json_decref(words);
    words = NULL;
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    json_decref(lines);
    json_decref(words);
    return rc;
}

int chan_memo_remove_drafter(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                             const char *username, json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    struct st_member m;
    int64_t now = now_utc(), n = 0;

    if (store_begin(c->st, e))
        goto out;
    if (chan_memo_load(c, p, a, id, &x, e) || chan_check(&x, CHAN_CAN_ADD_DRAFTER, 0, e) ||
        chan_check_slug("username", username, e))
        goto fail;
    if (store_member_by_username(c->st, p, username, &m, e) ||
        store_drafter_count(c->st, x.m.id, &n, e) || store_drafter_remove(c->st, x.m.id, m.id, e)) {
        if (e->code == ERR_NOT_FOUND)
            err_set(e, ERR_NOT_FOUND, "%s is not a drafter of this memo", username);
        goto fail;
    }
    if (n <= 1) {
        err_set(e, ERR_CONFLICT,
                "%s is the last drafter: a memo keeps at least one (add another drafter first, "
                "or withdraw the memo)",
                username);
        goto fail;
    }
    x.m.updated_at = now;
    if (store_memo_save(c->st, &x.m, e) || chan_memo_view(c, p, &x, now, out, e))
        goto fail;
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}

int chan_memo_add_drafter(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                          const char *username, json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    int64_t now = now_utc();

    if (store_begin(c->st, e))
        goto out;
    if (chan_memo_load(c, p, a, id, &x, e) || chan_check(&x, CHAN_CAN_ADD_DRAFTER, 0, e) ||
        drafter_add(c, p, x.m.id, username, e))
        goto fail;
    x.m.updated_at = now;
    if (store_memo_save(c->st, &x.m, e) || chan_memo_view(c, p, &x, now, out, e))
        goto fail;
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, out, e);
out:
    return rc;
}

int chan_memo_rendering(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                        int version, struct buf *out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    struct st_version v;
    char what[48];

    /* A read that records itself: no writers' lock (store.h). */
    if (store_begin_unordered(c->st, e))
        goto out;
    if (chan_memo_load(c, p, a, id, &x, e) || chan_require(a, &x, CHAN_ACT_READ_MEMO, "read", e) ||
        store_version_get(c->st, p, x.m.id, version ? version : x.m.latest_version, &v, e) ||
        copy_render_text(x.m.public_id, v.number, v.title, chan_marking_name(v.marking), v.body,
                         v.verify_key ? v.verify_key : "", out, e))
        goto fail;
    snprintf(what, sizeof what, "official rendering of version %d", v.number);
    if (chan_access_record(c, a, x.m.id, what, now_utc(), e))
        goto fail;
    rc = 0;
fail:
    rc = chan_tx_end(c, rc, NULL, e);
out:
    return rc;
}
