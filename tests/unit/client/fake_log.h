/* fake_log.h — a transparency log that agrees with a memo's public facts,
 * for the client and CLI tests of client/ringcheck.h: one roster "add" leaf
 * per key of each organization's ring 1 (in ring order), one "ring" leaf per
 * ring, one "version" leaf per version, and a checkpoint over them signed
 * by a fresh log key. Test scaffolding, built with the protocol's own leaf
 * encoder (proto/events.h), not a server of dissent. */
#ifndef DISSENT_TESTS_FAKE_LOG_H
#define DISSENT_TESTS_FAKE_LOG_H

#include "base/buf.h"
#include "client/logclient.h"
#include "proto/events.h"
#include "tlog/checkpoint.h"
#include "tlog/note.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fake_log {
    json_t *leaves;                           /* [{index, data, leaf_hash}] */
    char verifier_key[TLOG_VERIFIER_KEY_MAX]; /* pass as --log-key */
    char *checkpoint_json;                    /* body of GET /log/checkpoint */
    char *leaves_json;                        /* body of GET /log/leaves */
};

static inline int fake_log_add(struct fake_log *l, json_t *fields, const char *kind,
                               const char *memo)
{
    char *data = NULL, h64[48];
    unsigned char h[TLOG_HASH_SIZE];
    struct err e;
    err_init(&e);
    if (proto_leaf_encode(fields, kind, 1764000000, memo, &data, &e)) {
        fprintf(stderr, "fake_log: %s\n", e.msg);
        return -1;
    }
    logc_leaf_hash(data, strlen(data), h);
    logc_hash_encode(h, h64);
    json_array_append_new(l->leaves, json_pack("{s:I,s:s,s:s}", "index",
                                               (json_int_t)json_array_size(l->leaves), "data", data,
                                               "leaf_hash", h64));
    free(data);
    return 0;
}

/* Re-signs l's checkpoint over its current leaves (after a test edits them,
 * the checkpoint is the one an honest log would sign). Returns 0 or -1. */
static inline int fake_log_sign(struct fake_log *l, const struct tlog_signer *s)
{
    size_t n = json_array_size(l->leaves), i;
    unsigned char(*hs)[TLOG_HASH_SIZE] = calloc(n + 1, TLOG_HASH_SIZE), root[TLOG_HASH_SIZE];
    struct tlog_checkpoint cp;
    struct buf note;
    char r64[48];
    json_t *o;
    struct err e;
    int rc = -1;
    err_init(&e);
    buf_init(&note, 4096);
    if (!hs)
        return -1;
    for (i = 0; i < n; i++) {
        const char *d = json_string_value(json_object_get(json_array_get(l->leaves, i), "data"));
        logc_leaf_hash(d, strlen(d), hs[i]);
    }
    logc_root_of((const unsigned char(*)[TLOG_HASH_SIZE])hs, n, root);
    if (tlog_checkpoint_init(&cp, s->pub.name, n, root, &e) ||
        tlog_checkpoint_sign(&cp, s, &note, &e))
        goto out;
    logc_hash_encode(root, r64);
    o = json_pack("{s:s,s:I,s:s}", "note", buf_str(&note), "size", (json_int_t)n, "root", r64);
    free(l->checkpoint_json);
    l->checkpoint_json = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    o = json_pack("{s:O}", "leaves", l->leaves);
    free(l->leaves_json);
    l->leaves_json = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    rc = l->checkpoint_json && l->leaves_json ? 0 : -1;
out:
    free(hs);
    buf_release(&note);
    return rc;
}

/* Builds the log that agrees with pub; *s receives its signer. Returns 0 or -1. */
static inline int fake_log_build(struct fake_log *l, const json_t *pub, struct tlog_signer *s)
{
    const char *memo = json_string_value(json_object_get(pub, "memo"));
    size_t i, j;
    json_t *r, *k, *v;
    struct err e;
    err_init(&e);
    memset(l, 0, sizeof *l);
    l->leaves = json_array();
    if (tlog_signer_generate(s, "test.example/log", &e) ||
        tlog_verifier_format(&s->pub, l->verifier_key, &e))
        return -1;
    json_array_foreach(json_object_get(pub, "rings"), i, r)
    {
        const char *org = json_string_value(json_object_get(r, "organization"));
        /* the coalition's keys are the organizations' (no roster of its own) */
        if (json_integer_value(json_object_get(r, "ring")) != 1 || strcmp(org, "_coalition") == 0)
            continue;
        json_array_foreach(json_object_get(r, "keys"), j, k)
        {
            if (fake_log_add(l, proto_leaf_roster(org, "add", json_string_value(k), (int64_t)j + 1),
                             "roster", NULL))
                return -1;
        }
    }
    json_array_foreach(json_object_get(pub, "rings"), i, r)
    {
        if (fake_log_add(l,
                         proto_leaf_ring(json_string_value(json_object_get(r, "organization")),
                                         (int)json_integer_value(json_object_get(r, "ring")),
                                         json_integer_value(json_object_get(r, "roster_size")),
                                         json_string_value(json_object_get(r, "digest")),
                                         (int64_t)json_array_size(json_object_get(r, "keys"))),
                         "ring", memo))
            return -1;
    }
    json_array_foreach(json_object_get(pub, "versions"), i, v)
    {
        char d64[65];
        memset(d64, 'c', 64);
        d64[64] = '\0';
        if (fake_log_add(l,
                         json_pack("{s:I,s:s,s:s,s:s,s:s,s:[s]}", "version",
                                   json_integer_value(json_object_get(v, "number")), "hash",
                                   json_string_value(json_object_get(v, "hash")), "marking", "SBU",
                                   "channel", "dissent", "digest", d64, "paragraphs", d64),
                         "version", memo))
            return -1;
    }
    return fake_log_sign(l, s);
}

static inline void fake_log_release(struct fake_log *l)
{
    json_decref(l->leaves);
    free(l->checkpoint_json);
    free(l->leaves_json);
    memset(l, 0, sizeof *l);
}

#endif
