/* events.c — the table of leaf kinds, the leaf builders and the checker. */
#include "proto/events.h"

#include "base/json_out.h"
#include "base/util.h"
#include "proto/commit.h"
#include "proto/names.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* ---- vocabulary ---- */

static const char *const signature_actions[] = {"add", "move", "withdraw", NULL};
/* v2: "retire" names the key that leaves the roster (a re-key writes a
 * retire leaf, then its rekey leaf; disabling a member writes a retire leaf), so a client can
 * recompute every roster snapshot from the log alone. */
static const char *const roster_actions[] = {"add", "rekey", "retire", NULL};
static const char *const anon_actions[] = {"added", "moved", "replaced", "withdrawn", NULL};
/* The deadlines of the policy office (channel/deadline.h's names). */
static const char *const deadline_names[] = {"acknowledgement", "answer", NULL};
static const char *const role_actions[] = {"grant", "revoke", NULL};

/* ---- the table ---- */

#define HEX64(n)                                                                                   \
    {                                                                                              \
        n, PROTO_HEX64, NULL, "64 lowercase hex digits", NULL                                      \
    }
#define END_FIELDS                                                                                 \
    {                                                                                              \
        NULL, PROTO_OBJECT, NULL, NULL, NULL                                                       \
    }

static const struct proto_field version_fields[] = {
    {"version", PROTO_NUMBER, NULL, "a version number", NULL},
    HEX64("hash"),
    {"marking", PROTO_NAME, proto_markings, "UNCLASSIFIED, SBU, CONFIDENTIAL or SECRET", NULL},
    {"channel", PROTO_SLUG, NULL, "a channel slug", NULL},
    HEX64("digest"),
    {"paragraphs", PROTO_DIGESTS, NULL, "a non-empty array of 64-hex-digit digests", NULL},
    END_FIELDS,
};
static const struct proto_field signature_fields[] = {
    {"action", PROTO_NAME, signature_actions, "add, move or withdraw", NULL},
    {"version", PROTO_NUMBER, NULL, "a version number", NULL},
    HEX64("commitment"),
    {"counts", PROTO_OBJECT, NULL, "an object", NULL},
    END_FIELDS,
};
static const struct proto_field state_fields[] = {
    {"event", PROTO_NAME, proto_state_events, "a known event", NULL},
    {"state", PROTO_NAME, proto_states, "a known state", NULL},
    {"latest_version", PROTO_NUMBER, NULL, "a version number", NULL},
    END_FIELDS,
};
static const struct proto_field submitted_fields[] = {
    {"acknowledge_due", PROTO_TIME_OR_NULL, NULL, "a UTC time or null", NULL},
    {"answer_due", PROTO_TIME_OR_NULL, NULL, "a UTC time or null", NULL},
    END_FIELDS,
};
/* v2 commitments, not hashes: named so since the leaves written under v2
 * first called them reason_hash and answer_hash (docs/protocol-tlog.md
 * `state`); those leaves stay as they are and still check. */
static const struct proto_field extended_fields[] = {
    {"answer_due", PROTO_TIME_OR_NULL, NULL, "a UTC time or null", NULL},
    {"reason_commitment", PROTO_HEX64, NULL, "64 lowercase hex digits", "reason_hash"},
    END_FIELDS,
};
static const struct proto_field answered_fields[] = {
    {"answer_commitment", PROTO_HEX64, NULL, "64 lowercase hex digits", "answer_hash"},
    END_FIELDS,
};
static const struct proto_variant state_variants[] = {
    {"submitted", submitted_fields},
    {"extended", extended_fields},
    {"answered", answered_fields},
    {NULL, NULL},
};
static const struct proto_field roster_fields[] = {
    {"organization", PROTO_SLUG, NULL, "an organization slug", NULL},
    {"action", PROTO_NAME, roster_actions, "add, rekey or retire", NULL},
    HEX64("public_key"),
    {"size", PROTO_COUNT, NULL, "a roster size", NULL},
    END_FIELDS,
};
static const struct proto_field ring_fields[] = {
    {"organization", PROTO_SLUG, NULL, "an organization slug", NULL},
    {"ring", PROTO_NUMBER, NULL, "a ring number", NULL},
    {"roster_size", PROTO_COUNT, NULL, "a roster size", NULL},
    {"digest", PROTO_HEX128, NULL, "128 lowercase hex digits", NULL},
    {"count", PROTO_NUMBER, NULL, "a number of keys", NULL},
    END_FIELDS,
};
static const struct proto_field anon_fields[] = {
    {"action", PROTO_NAME, anon_actions, "added, moved, replaced or withdrawn", NULL},
    {"version", PROTO_NUMBER, NULL, "a version number", NULL},
    {"organization", PROTO_SLUG, NULL, "an organization slug", NULL},
    {"ring", PROTO_NUMBER, NULL, "a ring number", NULL},
    HEX64("tag"),
    {"counts", PROTO_OBJECT, NULL, "an object", NULL},
    END_FIELDS,
};

/* A release of the web client: the static files and templates the server
 * serves, named by the SHA-256 of their manifest (GET /api/v1/client/release,
 * docs/protocol-tlog.md "client-release"), so anyone can check that what a
 * browser runs is what the log says (`dissent verify-web`). */
static const struct proto_field client_release_fields[] = {
    {"version", PROTO_SLUG, NULL, "a version string of A-Za-z0-9 - _ .", NULL},
    HEX64("manifest"),
    {"files", PROTO_COUNT, NULL, "a number of files", NULL},
    END_FIELDS,
};

/* Written by the server itself when a deadline passes unmet: which one and
 * when it was due. Public facts only; "at" is when the server noticed. */
static const struct proto_field deadline_missed_fields[] = {
    {"deadline", PROTO_NAME, deadline_names, "acknowledgement or answer", NULL},
    {"due", PROTO_TIME, NULL, "a UTC time", NULL},
    END_FIELDS,
};

static const struct proto_field role_fields[] = {
    {"action", PROTO_NAME, role_actions, "grant or revoke", NULL},
    {"role", PROTO_NAME, proto_privileged_roles, "reviewer, leadership, auditor or admin", NULL},
    END_FIELDS,
};

const struct proto_kind proto_kinds[] = {
    {"version", PROTO_AT_SECOND, 1, version_fields, NULL, NULL},
    {"signature", PROTO_AT_SECOND, 1, signature_fields, NULL, NULL},
    {"state", PROTO_AT_SECOND, 1, state_fields, "event", state_variants},
    {"ring", PROTO_AT_SECOND, 1, ring_fields, NULL, NULL},
    /* Roster changes belong to an organization, not a memo. */
    {"roster", PROTO_AT_SECOND, 0, roster_fields, NULL, NULL},
    /* Anonymous co-signatures carry the day only. */
    {"anonymous-signature", PROTO_AT_DAY, 1, anon_fields, NULL, NULL},
    /* A web client release belongs to the installation, not a memo. */
    {"client-release", PROTO_AT_SECOND, 0, client_release_fields, NULL, NULL},
    {"deadline-missed", PROTO_AT_SECOND, 1, deadline_missed_fields, NULL, NULL},
    /* A privileged role granted or removed: the day and the role, never who
     * (so a shadow privileged account cannot appear unseen, yet nobody is
     * named). */
    {"role", PROTO_AT_DAY, 0, role_fields, NULL, NULL},
    {NULL, PROTO_AT_SECOND, 0, NULL, NULL, NULL},
};

const struct proto_kind *proto_kind_find(const char *name)
{
    for (const struct proto_kind *k = proto_kinds; name && k->kind; k++)
        if (strcmp(k->kind, name) == 0)
            return k;
    return NULL;
}

/* The fields the selector's value brings, or NULL. */
static const struct proto_field *variant_fields(const struct proto_kind *k, const json_t *leaf)
{
    const char *v = k->selector ? json_string_value(json_object_get(leaf, k->selector)) : NULL;
    for (const struct proto_variant *x = k->variants; v && x->value; x++)
        if (strcmp(x->value, v) == 0)
            return x->fields;
    return NULL;
}

/* ---- checking ---- */

static int is_hex(const char *s, size_t len)
{
    if (!s || strlen(s) != len)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return 0;
    return 1;
}

static int is_time_len(const json_t *j, size_t len)
{
    const char *s = json_string_value(j);
    int64_t t;
    return s && strlen(s) == len && time_parse_utc(s, &t) == 0;
}

static int is_memo_id(const char *s)
{
    if (!s || strlen(s) != RANDOM_ID_LEN)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

static int is_slug(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

static int is_number(const json_t *j)
{
    return json_is_integer(j) && json_integer_value(j) >= 1 && json_integer_value(j) <= 1000000;
}

static int is_digests(const json_t *j)
{
    size_t i;
    json_t *it;
    if (!json_is_array(j) || json_array_size(j) == 0)
        return 0;
    json_array_foreach(j, i, it) if (!is_hex(json_string_value(it), 64)) return 0;
    return 1;
}

/* Does value j have the field's type? */
static int value_ok(const struct proto_field *f, const json_t *j)
{
    const char *s = json_string_value(j);
    switch (f->type) {
    case PROTO_TIME:
        return is_time_len(j, 20);
    case PROTO_TIME_OR_NULL:
        return json_is_null(j) || is_time_len(j, 20);
    case PROTO_DAY:
        return is_time_len(j, 10);
    case PROTO_MEMO_ID:
        return is_memo_id(s);
    case PROTO_NUMBER:
        return is_number(j);
    case PROTO_COUNT:
        return json_is_integer(j) && json_integer_value(j) >= 0;
    case PROTO_SLUG:
        return is_slug(s);
    case PROTO_HEX64:
        return is_hex(s, 64);
    case PROTO_HEX128:
        return is_hex(s, 128);
    case PROTO_DIGESTS:
        return is_digests(j);
    case PROTO_OBJECT:
        return json_is_object(j);
    case PROTO_NAME:
        return proto_name_index(f->names, s) >= 0;
    }
    return 0;
}

static const struct proto_field at_second = {"at", PROTO_TIME, NULL,
                                             "a UTC time YYYY-MM-DDTHH:MM:SSZ", NULL};
static const struct proto_field at_day = {"at", PROTO_DAY, NULL, "a UTC day YYYY-MM-DD", NULL};
static const struct proto_field memo_field = {"memo", PROTO_MEMO_ID, NULL,
                                              "a memo id of 26 lowercase letters and digits", NULL};

/* Checks one field; counts it in *seen. */
static int check_field(const json_t *o, const struct proto_field *f, size_t *seen, struct err *e)
{
    const json_t *v = json_object_get(o, f->name);
    const json_t *old = f->old_name ? json_object_get(o, f->old_name) : NULL;
    if (v && old)
        return err_set(e, ERR_INVALID, "fields '%s' and '%s' (its old name) are both present",
                       f->name, f->old_name);
    if (!v)
        v = old;
    if (!v)
        return err_set(e, ERR_INVALID, "field '%s' is missing", f->name);
    if (!value_ok(f, v))
        return err_set(e, ERR_INVALID, "field '%s' is not %s", f->name, f->what);
    (*seen)++;
    return 0;
}

static int check_fields(const json_t *o, const struct proto_field *fields, size_t *seen,
                        struct err *e)
{
    for (const struct proto_field *f = fields; f && f->name; f++)
        if (check_field(o, f, seen, e))
            return -1;
    return 0;
}

static int in_fields(const struct proto_field *fields, const char *name)
{
    for (const struct proto_field *f = fields; f && f->name; f++)
        if (strcmp(f->name, name) == 0 || (f->old_name && strcmp(f->old_name, name) == 0))
            return 1;
    return 0;
}

/* Is name a field a leaf of kind k (with extra fields x) may have? */
static int known_field(const struct proto_kind *k, const struct proto_field *x, const char *name)
{
    return strcmp(name, "v") == 0 || strcmp(name, "kind") == 0 || strcmp(name, "at") == 0 ||
           (k->memo && strcmp(name, "memo") == 0) || in_fields(k->fields, name) ||
           in_fields(x, name);
}

/* Does leaf object o follow its kind's schema (v, kind, at, memo, the
 * kind's fields and no other)? The rules of proto_leaf_check past the
 * encoding, in one place for the reader and the writer. */
static int leaf_schema_check(json_t *o, struct err *e)
{
    int rc = -1;
    const char *name;
    const struct proto_kind *k;
    const struct proto_field *extra;
    size_t seen = 2; /* v and kind */

    if (!json_is_integer(json_object_get(o, "v")) ||
        json_integer_value(json_object_get(o, "v")) != 1) {
        err_set(e, ERR_INVALID, "field 'v' is not 1");
        goto out;
    }
    name = json_string_value(json_object_get(o, "kind"));
    if (!name) {
        err_set(e, ERR_INVALID, "field 'kind' is missing");
        goto out;
    }
    k = proto_kind_find(name);
    if (!k) {
        err_set(e, ERR_INVALID, "unknown kind '%.40s'", name);
        goto out;
    }
    if (check_field(o, k->at == PROTO_AT_DAY ? &at_day : &at_second, &seen, e) ||
        (k->memo && check_field(o, &memo_field, &seen, e)) || check_fields(o, k->fields, &seen, e))
        goto out;
    extra = variant_fields(k, o);
    if (check_fields(o, extra, &seen, e))
        goto out;
    if (json_object_size(o) != seen) {
        const char *key, *unknown = "?";
        json_t *v;
        json_object_foreach(o, key, v)
        {
            if (!known_field(k, extra, key)) {
                unknown = key;
                break;
            }
        }
        err_set(e, ERR_INVALID, "unexpected field '%.40s' in a %s leaf", unknown, name);
        goto out;
    }
    rc = 0;
out:
    return rc;
}

int proto_leaf_check(const char *data, size_t len, json_t **parsed, struct err *e)
{
    int rc = -1;
    json_t *o = NULL;
    char *again = NULL;
    json_error_t je;

    o = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!o || !json_is_object(o)) {
        err_set(e, ERR_INVALID, "not a JSON object");
        goto out;
    }
    again = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    if (!again || strlen(again) != len || memcmp(again, data, len) != 0) {
        err_set(e, ERR_INVALID, "not in canonical form (compact JSON, sorted keys, ASCII)");
        goto out;
    }
    if (leaf_schema_check(o, e))
        goto out;
    if (parsed) {
        *parsed = o;
        o = NULL;
    }
    rc = 0;
out:
    free(again);
    json_decref(o);
    return rc;
}

/* ---- encoding ---- */

/* "at" at the kind's precision. */
static json_t *at_json(enum proto_at at, int64_t t)
{
    char buf[21];
    time_format_utc(buf, at == PROTO_AT_DAY ? t - t % 86400 : t);
    if (at == PROTO_AT_DAY)
        buf[10] = '\0';
    return json_string(buf);
}

int proto_leaf_encode(json_t *fields, const char *kind, int64_t now, const char *memo, char **data,
                      struct err *e)
{
    int rc = -1;
    struct err why;
    const struct proto_kind *k = proto_kind_find(kind);

    *data = NULL;
    if (!fields) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!k) {
        rc = err_set(e, ERR_INTERNAL, "no leaf kind '%.40s'", kind);
        goto out;
    }
    json_object_set_new(fields, "v", json_integer(1));
    json_object_set_new(fields, "kind", json_string(kind));
    if (!json_object_get(fields, "at"))
        json_object_set_new(fields, "at", at_json(k->at, now));
    if (memo)
        json_object_set_new(fields, "memo", json_string(memo));
    /* The writer holds itself to the monitor's rules: a leaf the table does
     * not allow is a bug, and must never reach the log. The schema is
     * checked on the object; the bytes are canonical by construction (the
     * one encoder, with proto_leaf_check's flags), which the unit tests
     * check by reading every kind back with proto_leaf_check. */
    if (leaf_schema_check(fields, &why)) {
        rc = err_set(e, ERR_INTERNAL, "a %s leaf does not fit its schema: %s", kind, why.msg);
        goto out;
    }
    *data = json_out_compact(fields, 1);
    if (!*data) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    json_decref(fields);
    return rc;
}

/* ---- builders ---- */

/* A commitment (proto/commit.h) as a JSON string; NULL without a salt. */
static json_t *commitment_json(const unsigned char *salt, const char *label, const char *text)
{
    char hex[PROTO_COMMIT_HEX];
    if (!salt)
        return NULL;
    proto_text_commitment(salt, label, text, hex);
    return json_string(hex);
}

static json_t *time_or_null(int64_t t)
{
    char buf[21];
    if (!t)
        return json_null();
    time_format_utc(buf, t);
    return json_string(buf);
}

json_t *proto_leaf_version(int version, const char *hash, const char *marking, const char *channel,
                           const unsigned char key[COPY_KEY_SIZE], const char *title,
                           const char *body)
{
    json_t *dig = copy_version_digests(key, title, body);
    json_t *leaf =
        dig ? json_pack("{s:i,s:s,s:s,s:s,s:O,s:O}", "version", version, "hash", hash, "marking",
                        marking, "channel", channel, "digest", json_object_get(dig, "digest"),
                        "paragraphs", json_object_get(dig, "paragraphs"))
            : NULL;
    json_decref(dig);
    return leaf;
}

void proto_signer_commitment(const char *salt, const char *memo, const char *username, char out[65])
{
    crypto_hash_sha256_state st;
    unsigned char h[32];
    static const char label[] = "dissent-signer-v1\n";

    /* A salted commitment: the signer can later prove it was them (by
     * revealing the salt); nobody can test names against the log. */
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)label, sizeof label - 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)salt, strlen(salt));
    crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)memo, strlen(memo));
    crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)username, strlen(username));
    crypto_hash_sha256_final(&st, h);
    hex_encode(out, h, 32);
}

json_t *proto_leaf_signature(const char *action, int version, const char *commitment,
                             json_t *counts)
{
    if (!counts)
        return NULL;
    return json_pack("{s:s,s:i,s:s,s:o}", "action", action, "version", version, "commitment",
                     commitment, "counts", counts);
}

json_t *proto_leaf_state(const char *event, const char *state, int latest_version,
                         int64_t acknowledge_due, int64_t answer_due, const char *reason,
                         const char *answer, const unsigned char *salt)
{
    json_t *leaf = json_pack("{s:s,s:s,s:i}", "event", event, "state", state, "latest_version",
                             latest_version);
    if (!leaf)
        return NULL;
    /* The extra fields of the event, as the table lists them. */
    for (const struct proto_field *f = variant_fields(proto_kind_find("state"), leaf); f && f->name;
         f++) {
        json_t *v = NULL;
        if (strcmp(f->name, "acknowledge_due") == 0)
            v = time_or_null(acknowledge_due);
        else if (strcmp(f->name, "answer_due") == 0)
            v = time_or_null(answer_due);
        else if (strcmp(f->name, "reason_commitment") == 0)
            v = commitment_json(salt, "reason", reason ? reason : "");
        else if (strcmp(f->name, "answer_commitment") == 0)
            v = commitment_json(salt, "answer", answer ? answer : "");
        if (!v || json_object_set_new(leaf, f->name, v)) {
            json_decref(leaf);
            return NULL;
        }
    }
    return leaf;
}

json_t *proto_leaf_roster(const char *organization, const char *action, const char *public_key,
                          int64_t size)
{
    return json_pack("{s:s,s:s,s:s,s:I}", "organization", organization, "action", action,
                     "public_key", public_key, "size", (json_int_t)size);
}

json_t *proto_leaf_ring(const char *organization, int ring, int64_t roster_size, const char *digest,
                        int64_t count)
{
    return json_pack("{s:s,s:i,s:I,s:s,s:I}", "organization", organization, "ring", ring,
                     "roster_size", (json_int_t)roster_size, "digest", digest, "count",
                     (json_int_t)count);
}

json_t *proto_leaf_anon_signature(int64_t at, const char *action, int version,
                                  const char *organization, int ring, const char *tag,
                                  json_t *counts)
{
    json_t *when = at_json(proto_kind_find("anonymous-signature")->at, at);
    if (!counts || !when) {
        json_decref(counts);
        json_decref(when);
        return NULL;
    }
    return json_pack("{s:o,s:s,s:i,s:s,s:i,s:s,s:o}", "at", when, "action", action, "version",
                     version, "organization", organization, "ring", ring, "tag", tag, "counts",
                     counts);
}

json_t *proto_leaf_client_release(const char *version, const char *manifest, int64_t files)
{
    return json_pack("{s:s,s:s,s:I}", "version", version, "manifest", manifest, "files",
                     (json_int_t)files);
}

json_t *proto_leaf_deadline_missed(const char *deadline, int64_t due, int64_t at)
{
    char d[21];
    json_t *when = at_json(proto_kind_find("deadline-missed")->at, at);
    if (!when || !deadline || due <= 0) {
        json_decref(when);
        return NULL;
    }
    time_format_utc(d, due);
    return json_pack("{s:o,s:s,s:s}", "at", when, "deadline", deadline, "due", d);
}

json_t *proto_leaf_role(int64_t at, const char *action, const char *role)
{
    json_t *when = at_json(proto_kind_find("role")->at, at);
    if (!when)
        return NULL;
    return json_pack("{s:o,s:s,s:s}", "at", when, "action", action, "role", role);
}
