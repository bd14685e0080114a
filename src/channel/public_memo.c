/* public_memo.c — the public facts of a memo open for signatures: its
 * version hashes, its rings with their keys, the anonymous signatures and
 * the counts; enough for anyone to re-verify every anonymous signature. */
#include "base/util.h"
#include "channel/chan_internal.h"
#include "channel/deadline.h"
#include "proto/anon.h"
#include "proto/copycheck.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static json_t *versions_json(const struct st_version_info *v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(arr,
                              json_pack("{s:i,s:s}", "number", v[i].number, "hash", v[i].hash));
    return arr;
}

static int rings_json(struct chan *c, int64_t memo_id, const struct st_ring *r, size_t n,
                      int with_keys, json_t **out, struct err *e)
{
    int rc = -1;
    json_t *arr = json_array();
    struct st_keys keys;
    st_keys_init(&keys);
    if (!arr) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *ring;
        if (with_keys && store_ring_keys(c->st, memo_id, r[i].org_id, r[i].ring, &keys, e))
            goto out;
        ring = json_pack("{s:s,s:i,s:I,s:s,s:I}", "organization",
                         r[i].org_id ? r[i].organization : PROTO_COALITION, "ring", r[i].ring,
                         "roster_size", (json_int_t)r[i].roster_size, "digest", r[i].digest,
                         "count", (json_int_t)r[i].count);
        if (ring && with_keys)
            json_object_set_new(ring, "keys", chan_keys_json(&keys));
        json_array_append_new(arr, ring);
        st_keys_release(&keys);
    }
    *out = arr;
    arr = NULL;
    rc = 0;
out:
    st_keys_release(&keys);
    json_decref(arr);
    return rc;
}

/* [{tag, next}]: the sequence number each tag's next action must carry,
 * withdrawn tags included (protocol v2). */
static json_t *sequences_json(const struct st_anon_seq *q, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        char tag[65];
        hex_encode(tag, q[i].tag, 32);
        json_array_append_new(arr,
                              json_pack("{s:s,s:I}", "tag", tag, "next", (json_int_t)q[i].next));
    }
    return arr;
}

/* [{tag (hex), seq, version, organization, ring, proof (base64)}] */
static int signatures_json(const struct st_anon *a, size_t n, json_t **out, struct err *e)
{
    int rc = -1;
    json_t *arr = json_array();
    char *b64 = NULL;
    if (!arr) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char tag[65];
        size_t b64len = sodium_base64_ENCODED_LEN(a[i].proof_len, sodium_base64_VARIANT_ORIGINAL);
        b64 = malloc(b64len);
        if (!b64) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        sodium_bin2base64(b64, b64len, a[i].proof, a[i].proof_len, sodium_base64_VARIANT_ORIGINAL);
        hex_encode(tag, a[i].tag, 32);
        json_array_append_new(
            arr, json_pack("{s:s,s:I,s:i,s:s,s:i,s:s}", "tag", tag, "seq", (json_int_t)a[i].seq,
                           "version", a[i].version, "organization",
                           a[i].organization[0] ? a[i].organization : PROTO_COALITION, "ring",
                           a[i].ring, "proof", b64));
        free(b64);
        b64 = NULL;
    }
    *out = arr;
    arr = NULL;
    rc = 0;
out:
    free(b64);
    json_decref(arr);
    return rc;
}

/* The "deadline-missed" leaves the server wrote about a memo (missed.c):
 * [{index, deadline, due, at}]. */
static int missed_leaves_json(struct chan *c, struct pool *p, const char *memo, json_t **out,
                              struct err *e)
{
    struct st_leaf *l = NULL;
    size_t n = 0;
    json_t *arr = json_array();
    if (!arr || store_tlog_memo_leaves(c->st, p, memo, "deadline-missed", &l, &n, e)) {
        json_decref(arr);
        return arr ? -1 : err_set(e, ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_loadb(l[i].data, l[i].len, 0, NULL);
        json_array_append_new(arr,
                              json_pack("{s:I,s:O,s:O,s:O}", "index", (json_int_t)l[i].index,
                                        "deadline", json_object_get(o, "deadline"), "due",
                                        json_object_get(o, "due"), "at", json_object_get(o, "at")));
        json_decref(o);
    }
    *out = arr;
    return 0;
}

/* The public facts of a memo's review: its deadlines and the ones the
 * policy office missed, from the same definition as the memo view, and
 * the leaves that record them (missed_leaves, stolen). */
static json_t *public_review(const struct st_memo *m, int64_t now, json_t *missed_leaves)
{
    struct chan_deadlines dl;
    const char *late;
    chan_deadlines(m, now, &dl);
    late = chan_deadline_name(dl.overdue_what);
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o}", "submitted_at",
                     chan_time_json(m->submitted_at), "acknowledge_due", chan_time_json(m->ack_due),
                     "answer_due", chan_time_json(m->answer_due), "acknowledged_at",
                     chan_time_json(m->acknowledged_at), "answered_at",
                     chan_time_json(m->answered_at), "overdue", dl.overdue, "overdue_what",
                     late ? json_string(late) : json_null(), "missed", chan_missed_json(&dl),
                     "missed_leaves", missed_leaves);
}

int chan_public_memo(struct chan *c, struct pool *p, const char *id, json_t **out, struct err *e)
{
    return chan_public_memo_keys(c, p, id, 1, out, e);
}

int chan_public_memo_keys(struct chan *c, struct pool *p, const char *id, int with_keys,
                          json_t **out, struct err *e)
{
    int rc = -1;
    struct st_memo m;
    struct st_channel ch;
    struct st_version_info *versions = NULL;
    struct st_ring *rings = NULL;
    struct st_anon *sigs = NULL;
    struct st_anon_seq *seqs = NULL;
    size_t nv = 0, nr = 0, ns = 0, nq = 0;
    int64_t pre_v2 = 0;
    json_t *rj = NULL, *sj = NULL, *counts = NULL, *ml = NULL;

    if (!id || strlen(id) != RANDOM_ID_LEN || store_memo_by_public_id(c->st, p, id, &m, e) ||
        m.state == CHAN_STATE_DRAFT) {
        rc = err_set(e, ERR_NOT_FOUND, "no memo '%s' open for signatures", id ? id : "");
        goto out;
    }
    if (store_channel_by_id(c->st, p, m.channel_id, &ch, e) ||
        store_version_list(c->st, p, m.id, &versions, &nv, e) ||
        store_ring_list(c->st, p, m.id, &rings, &nr, e) ||
        store_anon_list(c->st, p, m.id, &sigs, &ns, e) ||
        store_anon_seq_list(c->st, p, m.id, &seqs, &nq, e) ||
        store_anon_pre_v2(c->st, m.id, &pre_v2, e) ||
        rings_json(c, m.id, rings, nr, with_keys, &rj, e) || signatures_json(sigs, ns, &sj, e) ||
        chan_counts_combined(c, m.id, &counts, e) || missed_leaves_json(c, p, m.public_id, &ml, e))
        goto out;
    /* "batch": when what was accepted since the last batch shows (the
     * signatures, sequences and counts here are as published). "pre_v2":
     * how many of the signatures listed were made before protocol v2 and
     * are not counted (docs/protocol-ring.md §15). timezone: the
     * channel's, in which its deadlines fall (days end at midnight there) */
    *out = json_pack("{s:i,s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:o}", "protocol", 2,
                     "origin", c->log_key.pub.name, "memo", m.public_id, "state",
                     chan_state_name(m.state), "timezone", ch.timezone, "min_ring",
                     (json_int_t)chan_min_ring(&ch), "versions", versions_json(versions, nv),
                     "rings", rj, "signatures", sj, "sequences", sequences_json(seqs, nq), "counts",
                     counts, "pre_v2", (json_int_t)pre_v2, "review",
                     public_review(&m, now_utc(), ml), "batch", chan_batch_json(c, now_utc()));
    rj = sj = counts = ml = NULL;
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    json_decref(rj);
    json_decref(sj);
    json_decref(counts);
    json_decref(ml);
    return rc;
}

int chan_public_ring(struct chan *c, const char *digest, struct buf *out, struct err *e)
{
    int rc = -1, ring_no = 0, found = 0;
    int64_t memo_id = 0, org_id = 0;
    size_t len = digest ? strlen(digest) : 0;
    struct st_keys keys;
    st_keys_init(&keys);
    if (len != 128 || strspn(digest, "0123456789abcdef") != len) {
        err_set(e, ERR_INVALID, "a ring is named by its digest: 128 lowercase hex digits");
        goto out;
    }
    if (store_ring_by_digest(c->st, digest, &found, &memo_id, &org_id, &ring_no, e))
        goto out;
    if (!found) {
        err_set(e, ERR_NOT_FOUND, "no memo's ring has the digest %.16s…", digest);
        goto out;
    }
    if (store_ring_keys(c->st, memo_id, org_id, ring_no, &keys, e))
        goto out;
    for (size_t i = 0; i < keys.n; i++)
        if (buf_append(out, keys.pk[i], 32, e))
            goto out;
    rc = 0;
out:
    st_keys_release(&keys);
    return rc;
}

int chan_public_find(struct chan *c, struct pool *p, const char *query, json_t **out, struct err *e)
{
    int rc = -1, version = 0, line = 0;
    char id[32] = "";
    unsigned char key[COPY_KEY_SIZE];
    const char *s = query ? query : "";
    size_t n;

    *out = NULL;
    /* leading and trailing white space of a pasted id is not part of it */
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (n == 0)
        return err_set(e, ERR_INVALID, "enter a memo's identifier or paste a verification line");
    if (!utf8_valid(s, n))
        return err_set(e, ERR_INVALID, "the lookup is not valid UTF-8 text");
    if (strstr(s, COPY_VERIFY_PREFIX)) {
        if (copy_find_key(s, id, &version, key, e))
            goto out;
        line = 1;
    } else if (n == RANDOM_ID_LEN) {
        memcpy(id, s, n);
        id[n] = '\0';
        for (size_t i = 0; i < n; i++)
            if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '2' && id[i] <= '7'))) {
                rc = err_set(e, ERR_INVALID,
                             "a memo identifier has %d letters and digits (a-z, 2-7)",
                             RANDOM_ID_LEN);
                goto out;
            }
    } else {
        rc = err_set(e, ERR_INVALID,
                     "that is neither a memo identifier (%d letters and digits) nor a "
                     "verification line ('%s <memo> <version> <key>')",
                     RANDOM_ID_LEN, COPY_VERIFY_PREFIX);
        goto out;
    }
    if (chan_public_memo(c, p, id, out, e))
        goto out;
    json_object_set_new(*out, "found_by", json_string(line ? "verification line" : "id"));
    if (line) {
        size_t i;
        json_t *v;
        int registered = 0;
        json_array_foreach(json_object_get(*out, "versions"), i, v)
        {
            registered |= json_integer_value(json_object_get(v, "number")) == version;
        }
        json_object_set_new(*out, "version", json_integer(version));
        json_object_set_new(*out, "version_registered", json_boolean(registered));
    }
    rc = 0;
out:
    sodium_memzero(key, sizeof key);
    return rc;
}
