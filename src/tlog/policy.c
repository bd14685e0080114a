/* policy.c — witness policies: k of n cosignatures, or a quorum of nested
 * k-of-n groups read from a C2SP tlog-policy (Sigsum) policy file. */
#include "tlog/policy.h"

#include "base/util.h"
#include "tlog/cosignature.h"

#include <stdio.h>
#include <string.h>

void tlog_policy_init(struct tlog_policy *p)
{
    memset(p, 0, sizeof *p);
}

int tlog_policy_add(struct tlog_policy *p, const struct tlog_verifier *v, struct err *e)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->w[i].name, v->name) == 0 &&
            memcmp(p->w[i].key_id, v->key_id, TLOG_KEY_ID_SIZE) == 0)
            return err_set(e, ERR_INVALID, "witness %s is given twice", v->name);
    if (p->n == TLOG_POLICY_WITNESSES_MAX)
        return err_set(e, ERR_INVALID, "a policy names at most %d witnesses",
                       TLOG_POLICY_WITNESSES_MAX);
    p->hexkey[p->n] = 0;
    snprintf(p->wname[p->n], sizeof p->wname[p->n], "%.*s", TLOG_POLICY_NAME_MAX, v->name);
    p->w[p->n++] = *v;
    return 0;
}

/* ---- the policy file ---- */

/* Words per line: keyword, name, k and the members of a group, one more
 * to tell a line that has too many. */
#define WORDS_MAX (3 + TLOG_POLICY_MEMBERS_MAX + 1)

/* Returns the reference of the witness or group called name, or 0 with
 * *found = 0 when there is none. */
static int lookup(const struct tlog_policy *p, const char *name, int *found)
{
    *found = 1;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->wname[i], name) == 0)
            return (int)i;
    for (size_t i = 0; i < p->ngroups; i++)
        if (strcmp(p->g[i].name, name) == 0)
            return -1 - (int)i;
    *found = 0;
    return 0;
}

/* A new name: 1..TLOG_POLICY_NAME_MAX printable ASCII bytes, not "none",
 * not defined before. */
static int new_name(const struct tlog_policy *p, const char *name, struct err *e)
{
    size_t len = strlen(name);
    int found;
    if (len == 0 || len > TLOG_POLICY_NAME_MAX)
        return err_set(e, ERR_INVALID, "a name has 1 to %d characters", TLOG_POLICY_NAME_MAX);
    for (size_t i = 0; i < len; i++)
        if (name[i] <= ' ' || name[i] > '~')
            return err_set(e, ERR_INVALID, "a name is printable ASCII without spaces");
    if (strcmp(name, "none") == 0)
        return err_set(e, ERR_INVALID, "the name none is reserved (quorum none)");
    (void)lookup(p, name, &found);
    if (found)
        return err_set(e, ERR_INVALID, "the name %s is defined twice", name);
    return 0;
}

/* An optional URL: http:// or https://. */
static int check_url(const char *url, struct err *e)
{
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        return err_set(e, ERR_INVALID, "a URL starts with https:// or http://, not %.40s", url);
    return 0;
}

/* A public key: 64 hex digits (an Ed25519 key), or a vkey of type alg
 * (our extension) into v when v is not NULL. *hex says which. */
static int parse_key(const char *s, unsigned char alg, unsigned char pk[TLOG_PUBLIC_KEY_SIZE],
                     struct tlog_verifier *v, int *hex, struct err *e)
{
    *hex = strlen(s) == 2 * TLOG_PUBLIC_KEY_SIZE && hex_decode(pk, TLOG_PUBLIC_KEY_SIZE, s) == 0;
    if (*hex)
        return 0;
    if (strchr(s, '+')) {
        struct tlog_verifier tmp;
        struct tlog_verifier *out = v ? v : &tmp;
        int rc = alg == TLOG_ALG_COSIGNATURE_V1 ? tlog_cosigner_key_parse(out, s, strlen(s), e)
                                                : tlog_verifier_parse(out, s, strlen(s), e);
        if (rc != 0)
            return -1;
        memcpy(pk, out->pk, TLOG_PUBLIC_KEY_SIZE);
        return 0;
    }
    return err_set(e, ERR_INVALID,
                   "a key is 64 hex digits (an Ed25519 public key) or a vkey NAME+KEYID+KEY, "
                   "not %.40s",
                   s);
}

/* witness NAME KEY [URL], or the old form witness VKEY. */
static int parse_witness(struct tlog_policy *p, char **w, size_t nw, struct err *e)
{
    struct tlog_verifier v;
    unsigned char pk[TLOG_PUBLIC_KEY_SIZE];
    int hex = 0, found;
    const char *name = NULL;
    if (nw == 2) { /* the old form: the vkey names the witness */
        if (tlog_cosigner_key_parse(&v, w[1], strlen(w[1]), e) != 0)
            return -1;
        memcpy(pk, v.pk, sizeof pk);
    } else if (nw == 3 || nw == 4) {
        name = w[1];
        if (new_name(p, name, e) != 0 || parse_key(w[2], TLOG_ALG_COSIGNATURE_V1, pk, &v, &hex, e))
            return -1;
        if (nw == 4 && check_url(w[3], e) != 0)
            return -1;
        if (hex && tlog_verifier_init(&v, name, pk, e) != 0)
            return -1;
        if (hex) /* the key id it would have under its local name, for messages */
            tlog_key_id_alg(v.name, TLOG_ALG_COSIGNATURE_V1, pk, v.key_id);
    } else {
        return err_set(e, ERR_INVALID, "expected \"witness NAME KEY [URL]\"");
    }
    for (size_t i = 0; i < p->n; i++)
        if (memcmp(p->w[i].pk, pk, sizeof pk) == 0)
            return err_set(e, ERR_INVALID, "the key of witness %s is given twice",
                           name ? name : v.name);
    if (tlog_policy_add(p, &v, e) != 0)
        return -1;
    p->hexkey[p->n - 1] = (unsigned char)hex;
    p->wname[p->n - 1][0] = '\0';
    if (name) {
        snprintf(p->wname[p->n - 1], sizeof p->wname[0], "%s", name);
    } else {
        /* the old form: the key's name, when it is short and free, names the witness */
        size_t len = strlen(v.name);
        if (len <= TLOG_POLICY_NAME_MAX) {
            (void)lookup(p, v.name, &found);
            if (!found)
                memcpy(p->wname[p->n - 1], v.name, len + 1);
        }
    }
    return 0;
}

/* group NAME k|any|all MEMBER... */
static int parse_group(struct tlog_policy *p, char **w, size_t nw, struct err *e)
{
    struct tlog_policy_group *g;
    int64_t k;
    size_t m;
    if (nw < 4)
        return err_set(e, ERR_INVALID, "expected \"group NAME k|any|all MEMBER...\"");
    m = nw - 3;
    if (m > TLOG_POLICY_MEMBERS_MAX)
        return err_set(e, ERR_INVALID, "a group has at most %d members", TLOG_POLICY_MEMBERS_MAX);
    if (p->ngroups == TLOG_POLICY_GROUPS_MAX)
        return err_set(e, ERR_INVALID, "a policy has at most %d groups", TLOG_POLICY_GROUPS_MAX);
    if (new_name(p, w[1], e) != 0)
        return -1;
    if (strcmp(w[2], "any") == 0)
        k = 1;
    else if (strcmp(w[2], "all") == 0)
        k = (int64_t)m;
    else if (parse_i64(w[2], 1, (int64_t)m, &k) != 0)
        return err_set(e, ERR_INVALID, "group %s needs any, all or a number from 1 to %zu", w[1],
                       m);
    g = &p->g[p->ngroups];
    memset(g, 0, sizeof *g);
    for (size_t i = 0; i < m; i++) {
        int found, ref = lookup(p, w[3 + i], &found);
        if (!found)
            return err_set(e, ERR_INVALID, "%.64s is not defined (define it on an earlier line)",
                           w[3 + i]);
        for (size_t j = 0; j < i; j++)
            if (g->member[j] == ref)
                return err_set(e, ERR_INVALID, "%.64s is a member twice", w[3 + i]);
        g->member[i] = ref;
    }
    snprintf(g->name, sizeof g->name, "%s", w[1]);
    g->n = m;
    g->k = (size_t)k;
    p->ngroups++;
    return 0;
}

/* One line, split into words. *legacy_k gets the old `quorum K`. */
static int parse_line(struct tlog_policy *p, char **w, size_t nw, int *have_quorum,
                      int64_t *legacy_k, struct err *e)
{
    int found;
    if (strcmp(w[0], "witness") == 0)
        return parse_witness(p, w, nw, e);
    if (strcmp(w[0], "group") == 0)
        return parse_group(p, w, nw, e);
    if (strcmp(w[0], "log") == 0) {
        int hex;
        if (nw < 2 || nw > 3)
            return err_set(e, ERR_INVALID, "expected \"log KEY [URL]\"");
        if (p->nlogs == TLOG_POLICY_LOGS_MAX)
            return err_set(e, ERR_INVALID, "a policy has at most %d logs", TLOG_POLICY_LOGS_MAX);
        if (parse_key(w[1], TLOG_ALG_ED25519, p->log[p->nlogs], NULL, &hex, e) != 0 ||
            (nw == 3 && check_url(w[2], e) != 0))
            return -1;
        p->nlogs++;
        return 0;
    }
    if (strcmp(w[0], "quorum") == 0) {
        int ref;
        if (nw != 2)
            return err_set(e, ERR_INVALID, "expected \"quorum NAME\" or \"quorum none\"");
        if (*have_quorum)
            return err_set(e, ERR_INVALID, "a second quorum line (a policy has exactly one)");
        *have_quorum = 1;
        if (strcmp(w[1], "none") == 0) {
            p->tree = 0;
            p->k = 0;
            *legacy_k = 0;
            return 0;
        }
        ref = lookup(p, w[1], &found);
        if (found) {
            p->tree = 1;
            p->quorum = ref;
            return 0;
        }
        if (parse_i64(w[1], 1, TLOG_POLICY_WITNESSES_MAX, legacy_k) == 0) {
            if ((size_t)*legacy_k > p->n)
                return err_set(e, ERR_INVALID,
                               "quorum %s: more cosignatures than the %zu witnesses given", w[1],
                               p->n);
            return 0;
        }
        return err_set(e, ERR_INVALID, "%.64s is not defined (define it on an earlier line)", w[1]);
    }
    if (strcmp(w[0], "max-age") == 0) {
        int64_t a;
        if (nw != 2 || parse_i64(w[1], 1, INT64_MAX / 2, &a) != 0)
            return err_set(e, ERR_INVALID, "max-age must be a number of seconds");
        p->max_age = (uint64_t)a;
        return 0;
    }
    return err_set(e, ERR_INVALID, "expected log, witness, group, quorum or max-age, not \"%.40s\"",
                   w[0]);
}

int tlog_policy_parse(struct tlog_policy *p, const char *text, size_t len, struct err *e)
{
    size_t pos = 0;
    int lineno = 0, have_quorum = 0;
    int64_t legacy_k = -1;
    tlog_policy_init(p);
    if (len > TLOG_POLICY_FILE_MAX)
        return err_set(e, ERR_INVALID, "a policy file is no larger than %d bytes",
                       TLOG_POLICY_FILE_MAX);
    while (pos < len) {
        char line[TLOG_POLICY_LINE_MAX + 1], *w[WORDS_MAX], *s;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos, nw = 0;
        lineno++;
        if (n > TLOG_POLICY_LINE_MAX)
            return err_set(e, ERR_INVALID, "line %d: longer than %d bytes", lineno,
                           TLOG_POLICY_LINE_MAX);
        memcpy(line, text + pos, n);
        line[n] = '\0';
        pos += n + (nl ? 1 : 0);
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        if (strlen(line) != n)
            return err_set(e, ERR_INVALID, "line %d: a NUL byte", lineno);
        for (s = line; *s;) {
            while (*s == ' ' || *s == '\t')
                *s++ = '\0';
            if (!*s)
                break;
            if (nw == WORDS_MAX)
                return err_set(e, ERR_INVALID, "line %d: too many words", lineno);
            w[nw++] = s;
            while (*s && *s != ' ' && *s != '\t')
                s++;
        }
        if (nw == 0 || w[0][0] == '#')
            continue;
        if (parse_line(p, w, nw, &have_quorum, &legacy_k, e) != 0) {
            char why[ERR_MSG_MAX];
            memcpy(why, e->msg, sizeof why);
            return err_set(e, ERR_INVALID, "line %d: %.200s", lineno, why);
        }
    }
    if (!have_quorum)
        p->k = p->n; /* no quorum line (the old form): every witness */
    else if (legacy_k > 0)
        p->k = (size_t)legacy_k;
    return 0;
}

int tlog_policy_set_k(struct tlog_policy *p, size_t k, struct err *e)
{
    if (k < 1 || k > p->n)
        return err_set(e, ERR_INVALID,
                       "the witness policy needs 1 to %zu cosignatures (one per witness given), "
                       "not %zu",
                       p->n, k);
    p->k = k;
    return 0;
}

int tlog_policy_check(const struct tlog_policy *p, const struct tlog_note *n, size_t *count,
                      uint64_t *oldest, struct err *e)
{
    struct tlog_policy q = *p;
    q.max_age = 0;
    return tlog_policy_check_at(&q, n, 0, count, oldest, e);
}

/* Is reference ref met when good[i] says whether witness i counts?
 * References point only to earlier groups, so this ends. */
static int met(const struct tlog_policy *p, int ref, const unsigned char *good, size_t *have)
{
    const struct tlog_policy_group *g;
    size_t c = 0, sub;
    if (ref >= 0) {
        *have = good[ref];
        return good[ref];
    }
    g = &p->g[-1 - ref];
    for (size_t i = 0; i < g->n; i++)
        c += (size_t)met(p, g->member[i], good, &sub);
    *have = c;
    return c >= g->k;
}

/* Writes into out what keeps ref from being met: the deepest group not met
 * on the way down (the first member group not met, at each level). */
static void why_not(const struct tlog_policy *p, int ref, const unsigned char *good, char *out,
                    size_t n)
{
    size_t have;
    for (;;) {
        const struct tlog_policy_group *g;
        if (ref >= 0) {
            snprintf(out, n, "witness %s did not cosign", p->wname[ref]);
            return;
        }
        g = &p->g[-1 - ref];
        (void)met(p, ref, good, &have);
        int next = 0, down = 0;
        for (size_t i = 0; i < g->n && !down; i++)
            if (g->member[i] < 0 && !met(p, g->member[i], good, &(size_t){0})) {
                next = g->member[i];
                down = 1;
            }
        if (!down) {
            snprintf(out, n, "group %s has %zu of the %zu cosignatures it needs", g->name, have,
                     g->k);
            return;
        }
        ref = next;
    }
}

/* Verifies witness i's cosignature on n. A witness given by a hex key is
 * looked for under the name of each signature line whose key id is that of
 * its key under that name (C2SP tlog-cosignature). */
static int verify_witness(const struct tlog_policy *p, size_t i, const struct tlog_note *n,
                          uint64_t *t, struct err *e)
{
    if (!p->hexkey[i])
        return tlog_cosignature_verify(n, &p->w[i], t, e);
    for (size_t j = 0; j < n->nsigs; j++) {
        struct tlog_verifier v = p->w[i];
        const struct tlog_note_sig *s = &n->sigs[j];
        if (s->name_len == 0 || s->name_len > TLOG_NAME_MAX)
            continue;
        memcpy(v.name, s->name, s->name_len);
        v.name[s->name_len] = '\0';
        tlog_key_id_alg(v.name, TLOG_ALG_COSIGNATURE_V1, v.pk, v.key_id);
        if (memcmp(v.key_id, s->key_id, TLOG_KEY_ID_SIZE) == 0)
            return tlog_cosignature_verify(n, &v, t, e);
    }
    return tlog_cosignature_verify(n, &p->w[i], t, e); /* none: its message */
}

int tlog_policy_check_at(const struct tlog_policy *p, const struct tlog_note *n, uint64_t now,
                         size_t *count, uint64_t *oldest, struct err *e)
{
    size_t ok = 0, stale = 0, have;
    uint64_t old = 0, newest_stale = 0;
    char first[ERR_MSG_MAX] = "";
    unsigned char good[TLOG_POLICY_WITNESSES_MAX] = {0}, any[TLOG_POLICY_WITNESSES_MAX] = {0};
    int ok_met, any_met;
    for (size_t i = 0; i < p->n; i++) {
        struct err we;
        uint64_t t = 0;
        err_init(&we);
        if (verify_witness(p, i, n, &t, &we) == 0 && p->max_age &&
            (t + p->max_age < now || t > now + TLOG_POLICY_CLOCK_SKEW)) {
            if (t <= now && (stale == 0 || t > newest_stale))
                newest_stale = t;
            stale++;
            any[i] = 1;
            if (!first[0])
                snprintf(first, sizeof first,
                         "the cosignature by %s is %llu seconds old, over the %llu allowed",
                         p->w[i].name, (unsigned long long)(t <= now ? now - t : 0),
                         (unsigned long long)p->max_age);
        } else if (we.code == ERR_OK) {
            if (ok == 0 || t < old)
                old = t;
            ok++;
            good[i] = any[i] = 1;
        } else if (!first[0]) {
            memcpy(first, we.msg, sizeof first);
        }
    }
    if (count)
        *count = ok;
    if (oldest)
        *oldest = old;
    if (p->tree) {
        ok_met = met(p, p->quorum, good, &have);
        any_met = met(p, p->quorum, any, &have);
    } else {
        ok_met = ok >= p->k;
        any_met = ok + stale >= p->k;
    }
    if (!ok_met && any_met)
        return err_set(
            e, ERR_CRYPTO,
            "the log's view may be frozen: %zu cosignatures are older than %llu seconds, "
            "the newest %llu seconds old (%.120s)",
            stale, (unsigned long long)p->max_age,
            (unsigned long long)(newest_stale ? now - newest_stale : 0), first);
    if (!ok_met && p->tree) {
        char why[200];
        why_not(p, p->quorum, good, why, sizeof why);
        return err_set(e, ERR_CRYPTO,
                       "checkpoint does not meet the witness policy's quorum %s: %s; %zu "
                       "witnesses cosigned (%.160s)",
                       p->quorum < 0 ? p->g[-1 - p->quorum].name : p->wname[p->quorum], why, ok,
                       first);
    }
    if (!ok_met)
        return err_set(
            e, ERR_CRYPTO,
            "checkpoint has %zu of the %zu witness cosignatures the policy needs (%.180s)", ok,
            p->k, first);
    return 0;
}

int tlog_policy_check_log(const struct tlog_policy *p, const struct tlog_note *n, struct err *e)
{
    if (p->nlogs == 0)
        return 0;
    for (size_t i = 0; i < p->nlogs; i++)
        for (size_t j = 0; j < n->nsigs; j++) {
            const struct tlog_note_sig *s = &n->sigs[j];
            struct tlog_verifier v;
            char name[TLOG_NAME_MAX + 1];
            struct err ve;
            err_init(&ve);
            if (s->name_len == 0 || s->name_len > TLOG_NAME_MAX)
                continue;
            memcpy(name, s->name, s->name_len);
            name[s->name_len] = '\0';
            if (tlog_verifier_init(&v, name, p->log[i], &ve) != 0 ||
                memcmp(v.key_id, s->key_id, TLOG_KEY_ID_SIZE) != 0)
                continue;
            if (tlog_note_verify(n, &v, &ve) == 0)
                return 0;
        }
    return err_set(e, ERR_CRYPTO, "the checkpoint is signed by none of the %zu log%s of the policy",
                   p->nlogs, p->nlogs == 1 ? "" : "s");
}
