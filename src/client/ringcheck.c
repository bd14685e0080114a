/* ringcheck.c — recomputing a memo's rings from the roster leaves of a log
 * the client checked against a signed checkpoint. */
#include "client/ringcheck.h"
#include "client/anon.h"

#include "proto/anon.h"
#include "proto/events.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static json_int_t jint(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

static void problem(json_t *problems, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void problem(json_t *problems, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    json_array_append_new(problems, json_string(text));
}

int ringck_log_verify(const struct tlog_verifier *v, const char *note, size_t note_len,
                      const json_t *leaves, struct tlog_checkpoint *cp, struct err *e)
{
    int rc = -1;
    struct logc_range range;
    unsigned char root[TLOG_HASH_SIZE];
    size_t i;
    json_t *row;
    struct err why;

    err_init(&why);
    if (tlog_checkpoint_open(cp, note, note_len, v, &why)) {
        err_set(e, ERR_CRYPTO, "the checkpoint is not signed by the pinned log key %.60s: %.120s",
                v->name, why.msg);
        goto out;
    }
    if (!json_is_array(leaves) || (uint64_t)json_array_size(leaves) != cp->size) {
        err_set(e, ERR_CRYPTO,
                "the log's signed checkpoint has %llu leaves and the server gave %zu: the log "
                "is not the one it signed",
                (unsigned long long)cp->size, json_array_size(leaves));
        goto out;
    }
    logc_range_init(&range);
    json_array_foreach(leaves, i, row)
    {
        const json_t *idx = json_object_get(row, "index");
        const char *data = jstr(row, "data"), *lh = jstr(row, "leaf_hash");
        unsigned char h[TLOG_HASH_SIZE], sent[TLOG_HASH_SIZE];
        if (!json_is_integer(idx) || json_integer_value(idx) != (json_int_t)i || !data) {
            err_set(e, ERR_CRYPTO, "the server's leaf list is out of order at leaf %zu", i);
            goto out;
        }
        tlog_hash_leaf(h, data, strlen(data));
        if (lh && (logc_hash_decode(lh, sent) || memcmp(sent, h, sizeof h) != 0)) {
            err_set(e, ERR_CRYPTO,
                    "leaf %zu: the leaf hash the server sent is not the hash of its data", i);
            goto out;
        }
        if (logc_range_append(&range, h, e))
            goto out;
    }
    logc_range_root(&range, root);
    if (memcmp(root, cp->root, sizeof root) != 0) {
        err_set(e, ERR_CRYPTO,
                "the log's leaves do not hash to the root of its signed checkpoint (size %llu): "
                "the server changed or invented a leaf",
                (unsigned long long)cp->size);
        goto out;
    }
    rc = 0;
out:
    return rc;
}

/* What the log says, indexed. */
struct logview {
    json_t *rosters;  /* org → [{action, key}] in log order */
    json_t *broken;   /* org → true: its roster cannot be replayed */
    json_t *rings;    /* "org\nring" → ring leaf */
    json_t *versions; /* "n" → version leaf */
    /* "n" → {keys, sizes, broken} for coalition ring n: every
     * organization's active keys (slugs in byte order) and the sum of
     * their roster sizes as of the ring leaf's position in the log */
    json_t *coalition;
    /* "org\nsize" → {key, index}: every retire leaf, so that a v1 re-key's
     * gap is filled by the retire leaf `dissent migrate` appended later */
    json_t *late;
    json_t *consumed; /* "index" → true: a retire leaf used to fill a gap */
};

/* Adds one roster leaf (parsed) at index i. */
static void add_roster(struct logview *lv, const json_t *leaf, size_t i, json_t *problems)
{
    const char *org = jstr(leaf, "organization"), *act = jstr(leaf, "action"),
               *key = jstr(leaf, "public_key");
    json_t *arr = json_object_get(lv->rosters, org), *x;
    size_t k;
    int active = 0, seen = 0;
    char name[96];

    if (!arr) {
        arr = json_array();
        json_object_set_new(lv->rosters, org, arr);
    }
    if (json_object_get(lv->broken, org))
        return;
    snprintf(name, sizeof name, "%zu", i);
    if (json_object_get(lv->consumed, name))
        return; /* it filled a gap already */
    if (jint(leaf, "size") == (json_int_t)json_array_size(arr) + 2 && strcmp(act, "rekey") == 0) {
        /* a v1 re-key: the retire leaf it implied, appended later */
        const json_t *late;
        snprintf(name, sizeof name, "%s\n%zu", org, json_array_size(arr) + 1);
        late = json_object_get(lv->late, name);
        if (late && (size_t)jint(late, "index") > i) {
            const char *old = jstr(late, "key");
            int live = 0;
            json_array_foreach(arr, k, x)
            {
                if (strcmp(jstr(x, "key"), old) == 0)
                    live = strcmp(jstr(x, "action"), "retire") != 0;
            }
            if (live) {
                json_array_append_new(arr, json_pack("{s:s,s:s}", "action", "retire", "key", old));
                snprintf(name, sizeof name, "%lld", (long long)jint(late, "index"));
                json_object_set_new(lv->consumed, name, json_true());
            }
        }
    }
    if (jint(leaf, "size") != (json_int_t)json_array_size(arr) + 1) {
        problem(problems,
                "the roster leaves of '%s' jump from size %zu to %lld at leaf %zu: its roster "
                "cannot be recomputed from the log (a v1 re-key without its retire leaf? the "
                "operator's 'dissent migrate' appends it)",
                org, json_array_size(arr), (long long)jint(leaf, "size"), i);
        json_object_set_new(lv->broken, org, json_true());
        return;
    }
    json_array_foreach(arr, k, x)
    {
        if (strcmp(jstr(x, "key"), key) != 0)
            continue;
        seen = 1;
        active = strcmp(jstr(x, "action"), "retire") != 0;
    }
    if (strcmp(act, "retire") == 0 ? !active : seen) {
        problem(problems, "the roster of '%s' %s key %.16s… at leaf %zu", org,
                strcmp(act, "retire") == 0 ? "retires the inactive" : "adds again the", key, i);
        json_object_set_new(lv->broken, org, json_true());
        return;
    }
    json_array_append_new(arr, json_pack("{s:s,s:s}", "action", act, "key", key));
}

static json_t *active_keys(const json_t *entries, size_t size);

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The rosters as the log stands now (at a coalition ring leaf): every
 * organization's active keys, slugs in byte order, and the sum of the
 * roster sizes; broken when one cannot be replayed. A new reference. */
static json_t *coalition_snapshot(const struct logview *lv)
{
    size_t n = json_object_size(lv->rosters), i = 0, k;
    const char **names = calloc(n + 1, sizeof *names), *name;
    json_t *keys = json_array(), *v, *x;
    json_int_t sizes = 0;
    int broken = 0;
    if (!names || !keys) {
        free(names);
        json_decref(keys);
        return NULL;
    }
    json_object_foreach(lv->rosters, name, v) names[i++] = name;
    qsort(names, n, sizeof *names, cmp_str);
    for (i = 0; i < n; i++) {
        const json_t *entries = json_object_get(lv->rosters, names[i]);
        json_t *act;
        if (json_object_get(lv->broken, names[i]))
            broken = 1;
        sizes += (json_int_t)json_array_size(entries);
        act = active_keys(entries, json_array_size(entries));
        json_array_foreach(act, k, x) json_array_append(keys, x);
        json_decref(act);
    }
    free(names);
    return json_pack("{s:o,s:I,s:b}", "keys", keys, "sizes", sizes, "broken", broken);
}

static int logview_build(struct logview *lv, const char *memo, const json_t *leaves,
                         json_t *problems)
{
    size_t i;
    json_t *row;
    char name[96];

    lv->rosters = json_object();
    lv->broken = json_object();
    lv->rings = json_object();
    lv->versions = json_object();
    lv->coalition = json_object();
    lv->late = json_object();
    lv->consumed = json_object();
    if (!lv->rosters || !lv->broken || !lv->rings || !lv->versions || !lv->coalition || !lv->late ||
        !lv->consumed)
        return -1;
    /* every retire leaf first: one appended by `dissent migrate` fills the
     * gap of a v1 re-key that comes before it in the log */
    json_array_foreach(leaves, i, row)
    {
        const char *data = jstr(row, "data");
        json_t *leaf;
        if (!data || !strstr(data, "\"retire\"") || !strstr(data, "\"roster\""))
            continue;
        leaf = json_loads(data, 0, NULL);
        if (jstr(leaf, "kind") && strcmp(jstr(leaf, "kind"), "roster") == 0 &&
            jstr(leaf, "action") && strcmp(jstr(leaf, "action"), "retire") == 0 &&
            jstr(leaf, "organization") && jstr(leaf, "public_key")) {
            snprintf(name, sizeof name, "%s\n%lld", jstr(leaf, "organization"),
                     (long long)jint(leaf, "size"));
            json_object_set_new(
                lv->late, name,
                json_pack("{s:s,s:I}", "key", jstr(leaf, "public_key"), "index", (json_int_t)i));
        }
        json_decref(leaf);
    }
    json_array_foreach(leaves, i, row)
    {
        const char *data = jstr(row, "data"), *kind, *lmemo;
        json_t *leaf = NULL;
        struct err why;
        err_init(&why);
        if (!data || proto_leaf_check(data, strlen(data), &leaf, &why)) {
            problem(problems, "leaf %zu of the log is not a well-formed event leaf: %s", i,
                    why.msg);
            continue;
        }
        kind = jstr(leaf, "kind");
        lmemo = jstr(leaf, "memo");
        if (strcmp(kind, "roster") == 0) {
            add_roster(lv, leaf, i, problems);
        } else if (lmemo && strcmp(lmemo, memo) == 0 && strcmp(kind, "ring") == 0) {
            snprintf(name, sizeof name, "%s\n%lld", jstr(leaf, "organization"),
                     (long long)jint(leaf, "ring"));
            if (json_object_get(lv->rings, name)) {
                problem(problems, "the log records ring %lld of '%s' twice",
                        (long long)jint(leaf, "ring"), jstr(leaf, "organization"));
            } else {
                json_object_set(lv->rings, name, leaf);
                /* the coalition ring is taken from every roster as the log
                 * stands at its leaf */
                if (strcmp(jstr(leaf, "organization"), PROTO_COALITION) == 0) {
                    snprintf(name, sizeof name, "%lld", (long long)jint(leaf, "ring"));
                    json_object_set_new(lv->coalition, name, coalition_snapshot(lv));
                }
            }
        } else if (lmemo && strcmp(lmemo, memo) == 0 && strcmp(kind, "version") == 0) {
            snprintf(name, sizeof name, "%lld", (long long)jint(leaf, "version"));
            if (json_object_get(lv->versions, name))
                problem(problems, "the log records version %s twice", name);
            else
                json_object_set(lv->versions, name, leaf);
        }
        json_decref(leaf);
    }
    return 0;
}

static void logview_release(struct logview *lv)
{
    json_decref(lv->rosters);
    json_decref(lv->broken);
    json_decref(lv->rings);
    json_decref(lv->versions);
    json_decref(lv->coalition);
    json_decref(lv->late);
    json_decref(lv->consumed);
}

/* The active keys (a new array of hex strings, in order of addition) of the
 * roster entries[0..size). */
static json_t *active_keys(const json_t *entries, size_t size)
{
    json_t *out = json_array(), *x;
    size_t i, k;
    for (i = 0; out && i < size && i < json_array_size(entries); i++) {
        x = json_array_get(entries, i);
        if (strcmp(jstr(x, "action"), "retire") != 0) {
            json_array_append_new(out, json_string(jstr(x, "key")));
            continue;
        }
        for (k = 0; k < json_array_size(out); k++)
            if (strcmp(json_string_value(json_array_get(out, k)), jstr(x, "key")) == 0) {
                json_array_remove(out, k);
                break;
            }
    }
    return out;
}

static int has_key(const json_t *keys, const char *k)
{
    size_t i;
    json_t *x;
    json_array_foreach(keys, i, x) if (json_string_value(x) &&
                                       strcmp(json_string_value(x), k) == 0) return 1;
    return 0;
}

/* The ring of pub numbered no of org, or NULL. */
static const json_t *pub_ring(const json_t *pub, const char *org, json_int_t no)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(pub, "rings"), i, r)
    {
        if (jint(r, "ring") == no && jstr(r, "organization") &&
            strcmp(jstr(r, "organization"), org) == 0)
            return r;
    }
    return NULL;
}

/* Checks coalition ring r of pub against the rosters as the log stood at
 * its leaf: ring 1 is every organization's active keys (slugs in byte
 * order, roster order within), ring n+1 begins with ring n and adds active
 * keys only; the leaf's roster_size is the sum of the roster sizes. */
static void check_coalition(const json_t *pub, const json_t *r, const struct logview *lv,
                            json_t *problems)
{
    json_int_t no = jint(r, "ring");
    const json_t *keys = json_object_get(r, "keys"), *prev, *leaf;
    const json_t *snap, *active;
    char name[32], lname[96];
    size_t i;
    json_t *k;

    snprintf(name, sizeof name, "%lld", (long long)no);
    snprintf(lname, sizeof lname, "%s\n%lld", PROTO_COALITION, (long long)no);
    snap = json_object_get(lv->coalition, name);
    leaf = json_object_get(lv->rings, lname);
    if (!snap || !leaf)
        return;
    if (json_is_true(json_object_get(snap, "broken"))) {
        problem(problems,
                "coalition ring %lld cannot be checked: the roster of an organization cannot be "
                "replayed from the log",
                (long long)no);
        return;
    }
    if (jint(leaf, "roster_size") != jint(snap, "sizes"))
        problem(problems,
                "coalition ring %lld claims roster size %lld; the log's rosters had %lld entries "
                "in all at its leaf",
                (long long)no, (long long)jint(leaf, "roster_size"),
                (long long)jint(snap, "sizes"));
    active = json_object_get(snap, "keys");
    if (no == 1) {
        if (!json_equal(active, keys))
            problem(problems,
                    "coalition ring 1 is not every organization's roster as the log records it "
                    "at its leaf (%zu keys in the ring, %zu in the rosters)",
                    json_array_size(keys), json_array_size(active));
        return;
    }
    prev = pub_ring(pub, PROTO_COALITION, no - 1);
    if (!prev) {
        problem(problems, "coalition ring %lld has no ring %lld before it", (long long)no,
                (long long)(no - 1));
        return;
    }
    json_array_foreach(keys, i, k)
    {
        const json_t *pk = json_array_get(json_object_get(prev, "keys"), i);
        if (pk) {
            if (!json_equal(pk, k)) {
                problem(problems, "coalition ring %lld does not begin with ring %lld",
                        (long long)no, (long long)(no - 1));
                break;
            }
            continue;
        }
        if (!json_string_value(k) || !has_key(active, json_string_value(k)))
            problem(problems,
                    "coalition ring %lld adds key %.16s…, which is not an active key of any "
                    "roster at its leaf",
                    (long long)no, json_string_value(k) ? json_string_value(k) : "?");
    }
}

/* Checks one ring r of pub; returns the number of problems found and sets
 * *members to its number of distinct keys. */
static size_t check_ring(const json_t *pub, const json_t *r, struct logview *lv, json_t *problems,
                         size_t *members, json_int_t *roster_size)
{
    size_t before = json_array_size(problems), i, j;
    const char *org = jstr(r, "organization");
    json_int_t no = jint(r, "ring");
    const json_t *keys = json_object_get(r, "keys"), *leaf, *prev, *entries;
    json_t *active = NULL, *k;
    struct ring_keys *ring = NULL;
    char name[96];
    struct err why;

    err_init(&why);
    *members = 0;
    *roster_size = -1;
    if (!org || !json_is_array(keys)) {
        problem(problems, "a ring has no organization or no keys");
        goto out;
    }
    json_array_foreach(keys, i, k)
    {
        int dup = 0;
        for (j = 0; j < i; j++)
            if (json_equal(k, json_array_get(keys, j)))
                dup = 1;
        if (dup)
            problem(problems,
                    "ring %lld of '%s' lists key %.16s… more than once: it hides a signer among "
                    "fewer members than it shows",
                    (long long)no, org, json_string_value(k) ? json_string_value(k) : "?");
        else
            (*members)++;
    }
    if (anon_ring_build(r, &ring, &why))
        problem(problems, "%s", why.msg);
    snprintf(name, sizeof name, "%s\n%lld", org, (long long)no);
    leaf = json_object_get(lv->rings, name);
    if (!leaf) {
        problem(problems, "ring %lld of '%s' is not in the transparency log", (long long)no, org);
        goto out;
    }
    *roster_size = jint(leaf, "roster_size");
    if (!jstr(r, "digest") || strcmp(jstr(leaf, "digest"), jstr(r, "digest")) != 0 ||
        jint(leaf, "count") != (json_int_t)json_array_size(keys))
        problem(problems,
                "ring %lld of '%s' is not the ring the transparency log records (digest or count "
                "differ)",
                (long long)no, org);
    if (strcmp(org, PROTO_COALITION) == 0) {
        check_coalition(pub, r, lv, problems);
        goto out;
    }
    entries = json_object_get(lv->rosters, org);
    if (json_object_get(lv->broken, org) || !entries) {
        problem(problems,
                "ring %lld of '%s' cannot be checked: the log has no usable roster of '%s'",
                (long long)no, org, org);
        goto out;
    }
    if (*roster_size > (json_int_t)json_array_size(entries)) {
        problem(problems,
                "ring %lld of '%s' claims roster size %lld; the log's roster of '%s' has %zu "
                "entries",
                (long long)no, org, (long long)*roster_size, org, json_array_size(entries));
        goto out;
    }
    active = active_keys(entries, (size_t)*roster_size);
    if (!active)
        goto out;
    if (no == 1) {
        if (!json_equal(active, keys))
            problem(problems,
                    "ring 1 of '%s' is not the roster of '%s' at size %lld as the log records it "
                    "(%zu keys in the ring, %zu in the roster)",
                    org, org, (long long)*roster_size, json_array_size(keys),
                    json_array_size(active));
        goto out;
    }
    prev = pub_ring(pub, org, no - 1);
    if (!prev) {
        problem(problems, "ring %lld of '%s' has no ring %lld before it", (long long)no, org,
                (long long)(no - 1));
        goto out;
    }
    json_array_foreach(keys, i, k)
    {
        const json_t *pk = json_array_get(json_object_get(prev, "keys"), i);
        if (pk) {
            if (!json_equal(pk, k)) {
                problem(problems, "ring %lld of '%s' does not begin with ring %lld", (long long)no,
                        org, (long long)(no - 1));
                break;
            }
            continue;
        }
        if (!json_string_value(k) || !has_key(active, json_string_value(k)))
            problem(problems,
                    "ring %lld of '%s' adds key %.16s…, which is not an active key of the roster "
                    "of '%s' at size %lld",
                    (long long)no, org, json_string_value(k) ? json_string_value(k) : "?", org,
                    (long long)*roster_size);
    }
out:
    anon_ring_free(ring);
    json_decref(active);
    return json_array_size(problems) - before;
}

int ringck_check(const json_t *pub, const json_t *leaves, json_t *problems, json_t **sets,
                 struct err *e)
{
    int rc = -1;
    struct logview lv;
    const char *memo = jstr(pub, "memo");
    size_t i, members;
    json_int_t roster_size;
    json_t *r, *v, *out = json_array();

    memset(&lv, 0, sizeof lv);
    *sets = NULL;
    if (!out || !memo || logview_build(&lv, memo, leaves, problems)) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    json_array_foreach(json_object_get(pub, "rings"), i, r)
    {
        size_t bad = check_ring(pub, r, &lv, problems, &members, &roster_size);
        json_array_append_new(out, json_pack("{s:s?,s:I,s:I,s:I,s:b}", "organization",
                                             jstr(r, "organization"), "ring", jint(r, "ring"),
                                             "members", (json_int_t)members, "roster_size",
                                             roster_size, "checked", bad == 0));
    }
    json_array_foreach(json_object_get(pub, "versions"), i, v)
    {
        char name[32];
        const json_t *leaf;
        snprintf(name, sizeof name, "%lld", (long long)jint(v, "number"));
        leaf = json_object_get(lv.versions, name);
        if (!leaf || !jstr(v, "hash") || strcmp(jstr(leaf, "hash"), jstr(v, "hash")) != 0)
            problem(problems, "version %s is not the version the transparency log records", name);
    }
    *sets = out;
    out = NULL;
    rc = 0;
out:
    logview_release(&lv);
    json_decref(out);
    return rc;
}
