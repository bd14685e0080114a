/* Tests for the anonymous co-signature side of the CLI: argument parsing of
 * `key`, `sign|unsign --anonymous` and `verify-signatures`; the key file
 * round trip through the CLI and client/keystore.h (at the lowest Argon2id
 * cost); proxies; client/anon.h on small rings (choosing the ring and the
 * version, proving, re-verifying, catching tampering); and the commands
 * against a fake HTTP responder, which must never see the session token. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "channel/chan.h"
#include "cli/cli.h"
#include "client/anon.h"
#include "client/client.h"
#include "client/keystore.h"
#include "proto/anon.h"
#include "ring/keyfile.h"
#include "ring/triptych.h"
#include "tlog/cosignature.h"
#include "unit/client/fake_http.h"
#include "unit/client/fake_log.h"
#include "unit/test_tmp.h"

#define MEMO   "01jd0000000000000000000000"
#define ORIGIN "dissent.local/log-test0000"
#define HASH1  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH2  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* ---- running the CLI ---- */

struct run {
    int status;
    char *out;
    char *err;
};

static struct run run_argv(int argc, char **argv)
{
    struct run r;
    size_t on = 0, en = 0;
    FILE *o = open_memstream(&r.out, &on);
    FILE *e = open_memstream(&r.err, &en);
    assert_non_null(o);
    assert_non_null(e);
    cli_set_streams(o, e);
    r.status = cli_main(argc, argv);
    cli_set_streams(NULL, NULL);
    fclose(o);
    fclose(e);
    return r;
}

static struct run run(const char *first, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    argv[argc++] = (char *)"dissent";
    va_start(ap, first);
    for (const char *w = first; w && argc < 31; w = va_arg(ap, const char *))
        argv[argc++] = (char *)w;
    va_end(ap);
    argv[argc] = NULL;
    return run_argv(argc, argv);
}

static void run_free(struct run *r)
{
    free(r->out);
    free(r->err);
}

/* A scratch directory with a passphrase file; removed by cleanup. */
static char dir[TT_PATH_MAX], keyfile[TT_PATH_MAX + 32], passfile[TT_PATH_MAX + 32];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    tt_mkdtemp(dir, sizeof dir, "dissent-anon");
    snprintf(keyfile, sizeof keyfile, "%s/ring.key", dir);
    snprintf(passfile, sizeof passfile, "%s/pass", dir);
    write_file(passfile, "correct horse battery\n");
    setenv("DISSENT_CONFIG", "/tmp/dissent-cli-test-none/session.json", 1);
    setenv("DISSENT_TOKEN", "secret-session-token", 1);
    unsetenv("DISSENT_PASSPHRASE");
    keystore_set_cost(1, 8192); /* the smallest Argon2id cost: fast under ASan */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return tt_rm_tree(dir);
}

/* Makes the key file (once) and returns its public key. */
static void make_key(uint8_t pk[32])
{
    struct err e;
    err_init(&e);
    if (access(keyfile, F_OK) != 0) {
        struct run r = run("key", "new", "--key", keyfile, "--passphrase-file", passfile, NULL);
        assert_int_equal(r.status, 0);
        run_free(&r);
    }
    assert_int_equal(keystore_public(keyfile, pk, &e), 0);
}

/* ---- argument parsing ---- */

static void test_usage(void **state)
{
    (void)state;
    struct run r = run("sign", "M", "--proxy", "socks5h://127.0.0.1:9050", NULL);
    assert_int_equal(r.status, CLI_USAGE);
    assert_non_null(strstr(r.err, "--proxy goes with --anonymous"));
    run_free(&r);
    r = run("unsign", "M", "--key", "/x", NULL);
    assert_int_equal(r.status, CLI_USAGE);
    assert_non_null(strstr(r.err, "--key goes with --anonymous"));
    run_free(&r);
    r = run("sign", "--anonymous", NULL);
    assert_int_equal(r.status, CLI_USAGE);
    assert_non_null(strstr(r.err, "missing argument ID"));
    run_free(&r);
    r = run("sign", "M", "--anonymous", "--version", "0", NULL);
    assert_int_equal(r.status, CLI_USAGE);
    assert_non_null(strstr(r.err, "--version must be a whole number from 1"));
    run_free(&r);
    r = run("unsign", "M", "--anonymous", "--version", "1", NULL);
    assert_int_equal(r.status, CLI_USAGE);
    assert_non_null(strstr(r.err, "unknown option '--version'"));
    run_free(&r);
    r = run("sign", "M", "--anonymous=yes", NULL);
    assert_int_equal(r.status, CLI_USAGE);
    run_free(&r);
    r = run("verify-signatures", NULL);
    assert_int_equal(r.status, CLI_USAGE);
    run_free(&r);
    r = run("verify-signatures", "M", "N", NULL);
    assert_int_equal(r.status, CLI_USAGE);
    run_free(&r);
    r = run("key", "new", "--server", "http://x", NULL);
    assert_int_equal(r.status, CLI_USAGE); /* a local command: no --server */
    run_free(&r);
    r = run("key", "show", "--passphrase-file", "x", NULL);
    assert_int_equal(r.status, CLI_USAGE);
    run_free(&r);
    r = run("key", "nwe", NULL);
    assert_int_equal(r.status, CLI_USAGE);
    assert_non_null(strstr(r.err, "did you mean 'key new'"));
    run_free(&r);
    r = run("help", "verify-signatures", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "--no-log"));
    run_free(&r);
    r = run("sign", "--help", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "--anonymous"));
    assert_non_null(strstr(r.out, "--proxy URL"));
    run_free(&r);
}

/* ---- key files ---- */

static void test_key_roundtrip(void **state)
{
    (void)state;
    uint8_t pk[32], pk2[32], sk[32], check[32];
    char hex[65], path[TT_PATH_MAX + 64], xdg[TT_PATH_MAX + 64];
    struct stat st;
    struct err e;
    err_init(&e);

    struct run r =
        run("key", "new", "--key", keyfile, "--passphrase-file", passfile, "--json", NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(stat(keyfile, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, RING_KEYFILE_LEN);
    assert_int_equal(keystore_public(keyfile, pk, &e), 0);
    hex_encode(hex, pk, 32);
    assert_non_null(strstr(r.out, hex));
    run_free(&r);

    r = run("key", "show", "--key", keyfile, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, hex));
    run_free(&r);

    /* opens with the passphrase; the secret key matches the public key */
    assert_int_equal(keystore_open(keyfile, "correct horse battery", 21, sk, pk2, &e), 0);
    assert_memory_equal(pk, pk2, 32);
    assert_int_equal(ring_public_key(check, sk, &e), 0);
    assert_memory_equal(check, pk, 32);
    sodium_memzero(sk, sizeof sk);
    assert_int_equal(keystore_open(keyfile, "wrong horse battery", 19, sk, pk2, &e), -1);
    assert_int_equal(e.code, ERR_UNAUTHORIZED);
    assert_non_null(strstr(e.msg, "wrong passphrase"));
    assert_true(sodium_is_zero(sk, sizeof sk));

    /* never overwritten */
    r = run("key", "new", "--key", keyfile, "--passphrase-file", passfile, NULL);
    assert_int_equal(r.status, CLI_FAIL);
    assert_non_null(strstr(r.err, "already exists"));
    run_free(&r);
    assert_int_equal(keystore_public(keyfile, pk2, &e), 0);
    assert_memory_equal(pk, pk2, 32);

    /* the passphrase from the environment; too short refused */
    snprintf(path, sizeof path, "%s/env.key", dir);
    setenv("DISSENT_PASSPHRASE", "short", 1);
    r = run("key", "new", "--key", path, NULL);
    assert_int_equal(r.status, CLI_FAIL);
    assert_non_null(strstr(r.err, "at least 8 characters"));
    assert_int_equal(access(path, F_OK), -1);
    run_free(&r);
    setenv("DISSENT_PASSPHRASE", "a longer passphrase", 1);
    r = run("key", "new", "--key", path, NULL);
    assert_int_equal(r.status, 0);
    run_free(&r);
    assert_int_equal(keystore_open(path, "a longer passphrase", 19, sk, pk2, &e), 0);
    sodium_memzero(sk, sizeof sk);

    /* the default path, under XDG_CONFIG_HOME, in a new 0700 directory */
    snprintf(xdg, sizeof xdg, "%s/xdg", dir);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    assert_int_equal(keystore_default_path(path, sizeof path, &e), 0);
    assert_non_null(strstr(path, "/xdg/dissent/ring.key"));
    r = run("key", "new", NULL);
    assert_int_equal(r.status, 0);
    run_free(&r);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(path, sizeof path, "%s/xdg/dissent", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    r = run("key", "show", NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(strlen(r.out), 65);
    run_free(&r);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("DISSENT_PASSPHRASE");

    /* no terminal and no passphrase: a clear message */
    snprintf(path, sizeof path, "%s/none.key", dir);
    r = run("key", "show", "--key", path, NULL);
    assert_int_equal(r.status, CLI_FAIL);
    assert_non_null(strstr(r.err, "run 'dissent key new'"));
    run_free(&r);
}

/* ---- proxies ---- */

static void test_proxy_setting(void **state)
{
    (void)state;
    struct client c;
    struct err e;
    err_init(&e);
    client_init(&c);
    assert_int_equal(client_set_proxy(&c, "socks5h://127.0.0.1:9050", &e), 0);
    assert_string_equal(c.proxy, "socks5h://127.0.0.1:9050");
    assert_int_equal(client_set_proxy(&c, "http://proxy.example:3128/", &e), 0);
    assert_string_equal(c.proxy, "http://proxy.example:3128");
    assert_int_equal(client_set_proxy(&c, "socks5://127.0.0.1:9050", &e), -1);
    assert_non_null(strstr(e.msg, "socks5h://"));
    assert_int_equal(client_set_proxy(&c, "socks4a://127.0.0.1:9050", &e), -1);
    assert_int_equal(client_set_proxy(&c, "ftp://x:1", &e), -1);
    assert_int_equal(client_set_proxy(&c, "http://user:pw@x:1", &e), -1);
    assert_int_equal(client_set_proxy(&c, "http://x:1/path", &e), -1);
    assert_int_equal(client_set_proxy(&c, "http://", &e), -1);
    assert_int_equal(client_set_proxy(&c, "http://x:1\n", &e), -1);
    /* anonymous: the token is gone and stays gone */
    assert_int_equal(client_set_token(&c, "tok", &e), 0);
    client_set_anonymous(&c);
    assert_string_equal(c.token, "");
    client_release(&c);
}

/* ---- client/anon.h on small rings ---- */

/* A public memo {memo, state, versions, rings, signatures, counts} with one
 * ring "state" #1 of n keys (ours at index mine, others random) and two
 * versions. */
static json_t *public_memo(const uint8_t pk[32], size_t n, size_t mine)
{
    json_t *keys = json_array();
    uint8_t(*k)[32] = calloc(n, 32);
    struct ring_keys *ring = NULL;
    char hex[129];
    struct err e;
    err_init(&e);
    assert_non_null(k);
    for (size_t i = 0; i < n; i++) {
        uint8_t sk[32];
        if (i == mine)
            memcpy(k[i], pk, 32);
        else
            assert_int_equal(ring_keypair(k[i], sk, &e), 0);
        hex_encode(hex, k[i], 32);
        json_array_append_new(keys, json_string(hex));
    }
    assert_int_equal(ring_keys_new(&ring, (const uint8_t(*)[32])k, n, &e), 0);
    hex_encode(hex, ring_keys_digest(ring), 64);
    ring_keys_free(ring);
    free(k);
    return json_pack("{s:s,s:s,s:s,s:[{s:i,s:s},{s:i,s:s}],s:[{s:s,s:i,s:i,s:s,s:I,s:o}],s:[],"
                     "s:{s:i,s:{s:i,s:[],s:[]}}}",
                     "origin", ORIGIN, "memo", MEMO, "state", "circulating", "versions", "number",
                     1, "hash", HASH1, "number", 2, "hash", HASH2, "rings", "organization", "state",
                     "ring", 1, "roster_size", (int)n, "digest", hex, "count", (json_int_t)n,
                     "keys", keys, "signatures", "counts", "total", 0, "anonymous", "total", 0,
                     "by_version", "by_organization");
}

/* Signs pub at version v (0: withdraw) with sk and adds the signature as
 * the server would publish it (without updating the counts). */
static void add_signature(json_t *pub, const uint8_t sk[32], const uint8_t pk[32], int v)
{
    struct anon_choice ch;
    struct ring_keys *ring = NULL;
    const char *hash = NULL;
    char *proof = NULL, tag_hex[65];
    uint8_t tag[32];
    int number = 0;
    struct err e;
    err_init(&e);
    assert_int_equal(anon_find_ring(pub, pk, &ch, &e), 0);
    assert_int_equal(anon_find_version(pub, v, &number, &hash, &e), 0);
    assert_int_equal(anon_ring_build(ch.ring_obj, &ring, &e), 0);
    assert_int_equal(anon_prove(pub, ring, &ch, sk, 0, number, hash, &proof, tag, &e), 0);
    hex_encode(tag_hex, tag, 32);
    {
        char mine[65]; /* the tag the CLI looks its signature up by */
        assert_int_equal(anon_tag(pub, sk, mine, &e), 0);
        assert_string_equal(mine, tag_hex);
    }
    json_array_append_new(json_object_get(pub, "signatures"),
                          json_pack("{s:s,s:i,s:i,s:s,s:i,s:s}", "tag", tag_hex, "seq", 0,
                                    "version", number, "organization", ch.organization, "ring",
                                    ch.ring, "proof", proof));
    free(proof);
    anon_ring_free(ring);
}

/* As add_signature, on the coalition ring. */
static void add_coalition_signature(json_t *pub, const uint8_t sk[32], const uint8_t pk[32], int v)
{
    struct anon_choice ch;
    struct ring_keys *ring = NULL;
    const char *hash = NULL;
    char *proof = NULL, tag_hex[65];
    uint8_t tag[32];
    int number = 0;
    struct err e;
    err_init(&e);
    assert_int_equal(anon_find_ring_kind(pub, pk, 1, &ch, &e), 0);
    assert_string_equal(ch.organization, "_coalition");
    assert_int_equal(anon_find_version(pub, v, &number, &hash, &e), 0);
    assert_int_equal(anon_ring_build(ch.ring_obj, &ring, &e), 0);
    assert_int_equal(anon_prove(pub, ring, &ch, sk, 0, number, hash, &proof, tag, &e), 0);
    hex_encode(tag_hex, tag, 32);
    json_array_append_new(json_object_get(pub, "signatures"),
                          json_pack("{s:s,s:i,s:i,s:s,s:i,s:s}", "tag", tag_hex, "seq", 0,
                                    "version", number, "organization", ch.organization, "ring",
                                    ch.ring, "proof", proof));
    free(proof);
    anon_ring_free(ring);
}

static void set_counts(json_t *pub, const char *anon_json)
{
    json_t *c = json_loads(anon_json, 0, NULL);
    assert_non_null(c);
    json_object_set_new(json_object_get(pub, "counts"), "anonymous", c);
}

static int report_has(const json_t *rep, const char *needle)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(rep, "problems"), i,
                       p) if (strstr(json_string_value(p), needle)) return 1;
    return 0;
}

/* The coalition ring: chosen only when asked for; a signature there
 * verifies and counts in the total and per version, in no organization;
 * its tag is the one the key has on the organization's ring. */
static void test_coalition(void **state)
{
    (void)state;
    uint8_t pk[32], sk[32];
    json_t *pub, *coal, *rep = NULL;
    struct anon_choice ch;
    char t1[65], t2[65];
    struct err e;
    err_init(&e);
    assert_int_equal(ring_keypair(pk, sk, &e), 0);
    pub = public_memo(pk, 3, 2);
    /* the coalition ring 1: here the same keys as state's ring */
    coal = json_deep_copy(json_array_get(json_object_get(pub, "rings"), 0));
    json_object_set_new(coal, "organization", json_string("_coalition"));
    json_array_append_new(json_object_get(pub, "rings"), coal);
    assert_int_equal(anon_find_ring(pub, pk, &ch, &e), 0);
    assert_string_equal(ch.organization, "state");
    assert_int_equal(anon_find_ring_kind(pub, pk, 1, &ch, &e), 0);
    assert_string_equal(ch.organization, "_coalition");
    assert_true(anon_is_coalition(ch.organization));
    assert_false(anon_is_coalition("state"));

    add_coalition_signature(pub, sk, pk, 2);
    /* the tag does not depend on the ring */
    assert_int_equal(anon_tag(pub, sk, t1, &e), 0);
    snprintf(t2, sizeof t2, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(pub, "signatures"), 0), "tag")));
    assert_string_equal(t1, t2);
    /* a server that attributes it to an organization is caught */
    set_counts(pub, "{\"total\":1,\"by_version\":[{\"version\":2,\"count\":1}],"
                    "\"by_organization\":[{\"organization\":\"_coalition\",\"count\":1}]}");
    assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
    assert_false(json_is_true(json_object_get(rep, "ok")));
    assert_true(report_has(rep, "counts per organization differ"));
    json_decref(rep);
    set_counts(pub, "{\"total\":1,\"by_version\":[{\"version\":2,\"count\":1}],"
                    "\"by_organization\":[]}");
    assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
    assert_true(json_is_true(json_object_get(rep, "ok")));
    assert_int_equal(json_integer_value(json_object_get(rep, "verified")), 1);
    json_decref(rep);
    json_decref(pub);
}

/* A signature stored before protocol v2 (made over v1's bytes: the memo id
 * as scope, "dissent-anon-v1\nsign\n" hash as message, any radix) is
 * reported as such and not counted, and the server's counts that still
 * include it agree; a v2 signature beside it counts as before. */
static void test_pre_v2_signature(void **state)
{
    (void)state;
    uint8_t pk[32], sk[32], pk2[32], sk2[32], *proof = NULL, tag[32];
    size_t proof_len = 0;
    struct ring_keys *ring = NULL;
    struct anon_choice ch;
    char scope[PROTO_ANON_SCOPE_MAX], msg[PROTO_ANON_MESSAGE_MAX], tag_hex[65];
    size_t sl, ml;
    json_t *pub, *rep = NULL;
    struct ring_params two = {.n = 2, .m = 2};
    struct err e;
    err_init(&e);
    assert_int_equal(ring_keypair(pk, sk, &e), 0);
    assert_int_equal(ring_keypair(pk2, sk2, &e), 0);
    pub = public_memo(pk, 4, 1);
    assert_int_equal(anon_find_ring(pub, pk, &ch, &e), 0);
    assert_int_equal(anon_ring_build(ch.ring_obj, &ring, &e), 0);
    sl = proto_anon_scope_v1(scope, sizeof scope, MEMO);
    ml = proto_anon_message_v1(msg, sizeof msg, HASH1);
    /* v1 clients could choose the radix: this one took 2 */
    assert_int_equal(ring_prove_with(&proof, &proof_len, two, ring, 1, sk, (const uint8_t *)scope,
                                     sl, (const uint8_t *)msg, ml, &e),
                     0);
    assert_int_equal(ring_proof_tag(tag, proof, proof_len, &e), 0);
    hex_encode(tag_hex, tag, 32);
    {
        size_t b64len = sodium_base64_ENCODED_LEN(proof_len, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc(b64len);
        assert_non_null(b64);
        sodium_bin2base64(b64, b64len, proof, proof_len, sodium_base64_VARIANT_ORIGINAL);
        json_array_append_new(json_object_get(pub, "signatures"),
                              json_pack("{s:s,s:i,s:i,s:s,s:i,s:s}", "tag", tag_hex, "seq", 0,
                                        "version", 1, "organization", "state", "ring", 1, "proof",
                                        b64));
        free(b64);
    }
    /* a server not yet migrated counts it: refused, and the operator's
     * remedy named */
    set_counts(pub, "{\"total\":1,\"by_version\":[{\"version\":1,\"count\":1}],"
                    "\"by_organization\":[{\"organization\":\"state\",\"count\":1}]}");
    assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
    assert_false(json_is_true(json_object_get(rep, "ok")));
    assert_non_null(strstr(json_string_value(json_array_get(json_object_get(rep, "problems"), 0)),
                           "dissent migrate"));
    json_decref(rep);
    /* a migrated server sets it aside and says so */
    set_counts(pub, "{\"total\":0,\"by_version\":[],\"by_organization\":[]}");
    json_object_set_new(pub, "pre_v2", json_integer(1));
    assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
    assert_true(json_is_true(json_object_get(rep, "ok")));
    assert_int_equal(json_integer_value(json_object_get(rep, "verified")), 0);
    assert_int_equal(json_array_size(json_object_get(rep, "pre_v2")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(rep, "counts"), "total")),
                     0);
    json_decref(rep);
    /* a v2 signature beside it is counted */
    add_signature(pub, sk, pk, 2);
    set_counts(pub, "{\"total\":1,\"by_version\":[{\"version\":2,\"count\":1}],"
                    "\"by_organization\":[{\"organization\":\"state\",\"count\":1}]}");
    /* the v2 signature of the same key has another tag: the two cannot be
     * linked, which is why the v1 one is not counted */
    assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
    assert_true(json_is_true(json_object_get(rep, "ok")));
    assert_int_equal(json_integer_value(json_object_get(rep, "verified")), 1);
    assert_int_equal(json_array_size(json_object_get(rep, "pre_v2")), 1);
    json_decref(rep);
    /* the same v1 proof claimed for another version verifies with neither */
    json_object_set_new(json_array_get(json_object_get(pub, "signatures"), 0), "version",
                        json_integer(2));
    assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
    assert_false(json_is_true(json_object_get(rep, "ok")));
    assert_int_equal(json_array_size(json_object_get(rep, "pre_v2")), 0);
    json_decref(rep);
    free(proof);
    anon_ring_free(ring);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(sk2, sizeof sk2);
    json_decref(pub);
}

static void test_anon_helpers(void **state)
{
    (void)state;
    uint8_t pk[32], sk[32], pk2[32], sk2[32], other[32], sk3[32];
    struct anon_choice ch;
    const char *hash;
    int number;
    json_t *pub, *rep = NULL, *sig;
    struct err e;
    err_init(&e);
    assert_int_equal(ring_keypair(pk, sk, &e), 0);
    assert_int_equal(ring_keypair(other, sk3, &e), 0); /* a key in no ring */
    pub = public_memo(pk, 3, 1);
    /* put pk2 at index 2 */
    {
        char hex[65];
        struct ring_keys *ring = NULL;
        json_t *r = json_array_get(json_object_get(pub, "rings"), 0);
        uint8_t k[3][32];
        for (size_t i = 0; i < 3; i++)
            assert_int_equal(
                hex_decode(k[i], 32,
                           json_string_value(json_array_get(json_object_get(r, "keys"), i))),
                0);
        assert_int_equal(ring_keypair(pk2, sk2, &e), 0);
        memcpy(k[2], pk2, 32);
        hex_encode(hex, pk2, 32);
        json_array_set_new(json_object_get(r, "keys"), 2, json_string(hex));
        assert_int_equal(ring_keys_new(&ring, (const uint8_t(*)[32])k, 3, &e), 0);
        char d[129];
        hex_encode(d, ring_keys_digest(ring), 64);
        json_object_set_new(r, "digest", json_string(d));
        ring_keys_free(ring);
    }

    /* the ring and the version */
    assert_int_equal(anon_find_ring(pub, pk, &ch, &e), 0);
    assert_int_equal(ch.ring, 1);
    assert_int_equal(ch.index, 1);
    assert_int_equal(ch.count, 3);
    assert_string_equal(ch.organization, "state");
    assert_int_equal(anon_find_ring(pub, other, &ch, &e), -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    assert_non_null(strstr(e.msg, "your key is not in a ring of your organization"));
    assert_non_null(strstr(e.msg, "--ring coalition"));
    assert_int_equal(anon_find_version(pub, 0, &number, &hash, &e), 0);
    assert_int_equal(number, 2);
    assert_string_equal(hash, HASH2);
    assert_int_equal(anon_find_version(pub, 1, &number, &hash, &e), 0);
    assert_string_equal(hash, HASH1);
    assert_int_equal(anon_find_version(pub, 3, &number, &hash, &e), -1);
    assert_non_null(strstr(e.msg, "versions 1 to 2"));

    /* nothing signed: verifies, counts zero */
    assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
    assert_true(json_is_true(json_object_get(rep, "ok")));
    json_decref(rep);

    /* two members sign */
    add_signature(pub, sk, pk, 1);
    add_signature(pub, sk2, pk2, 2);
    set_counts(pub,
               "{\"total\":2,\"by_version\":[{\"version\":1,\"count\":1},{\"version\":2,"
               "\"count\":1}],\"by_organization\":[{\"organization\":\"state\",\"count\":2}]}");
    assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
    assert_true(json_is_true(json_object_get(rep, "ok")));
    assert_int_equal(json_integer_value(json_object_get(rep, "verified")), 2);
    assert_true(json_equal(json_object_get(rep, "counts"), json_object_get(rep, "server_counts")));
    json_decref(rep);

    /* the server claims another count */
    set_counts(pub,
               "{\"total\":3,\"by_version\":[{\"version\":1,\"count\":1},{\"version\":2,"
               "\"count\":2}],\"by_organization\":[{\"organization\":\"state\",\"count\":3}]}");
    assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
    assert_false(json_is_true(json_object_get(rep, "ok")));
    assert_true(report_has(rep, "the server counts 3 anonymous signatures; 2 verify"));
    assert_true(report_has(rep, "per version differ"));
    json_decref(rep);
    set_counts(pub,
               "{\"total\":2,\"by_version\":[{\"version\":1,\"count\":1},{\"version\":2,"
               "\"count\":1}],\"by_organization\":[{\"organization\":\"state\",\"count\":2}]}");

    /* a signature moved to another version by the server no longer verifies */
    sig = json_array_get(json_object_get(pub, "signatures"), 0);
    json_object_set_new(sig, "version", json_integer(2));
    assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
    assert_false(json_is_true(json_object_get(rep, "ok")));
    assert_true(report_has(rep, "does not verify against ring 1 of 'state'"));
    assert_int_equal(json_integer_value(json_object_get(rep, "verified")), 1);
    json_decref(rep);
    json_object_set_new(sig, "version", json_integer(1));

    /* a published signature twice (one member counted twice) */
    json_array_append(json_object_get(pub, "signatures"), sig);
    assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
    assert_true(report_has(rep, "is published twice"));
    json_decref(rep);
    json_array_remove(json_object_get(pub, "signatures"), 2);

    /* a ring whose digest is not its keys' */
    {
        json_t *r = json_array_get(json_object_get(pub, "rings"), 0);
        char *d = strdup(json_string_value(json_object_get(r, "digest")));
        json_object_set_new(
            r, "digest",
            json_string("00000000000000000000000000000000000000000000000000000000000000000000000000"
                        "000000000000000000000000000000000000000000000000000000"));
        assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
        assert_true(report_has(rep, "published digest or count does not match"));
        json_decref(rep);
        json_object_set_new(r, "digest", json_string(d));
        free(d);
    }

    /* a second ring must hold the first one's keys */
    {
        json_t *r1 = json_array_get(json_object_get(pub, "rings"), 0);
        json_t *r2 = json_deep_copy(r1);
        json_object_set_new(r2, "ring", json_integer(2));
        json_array_remove(json_object_get(r2, "keys"), 0);
        json_array_append_new(json_object_get(pub, "rings"), r2);
        assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
        assert_true(report_has(rep, "ring 2 of 'state' lacks a key of ring 1"));
        json_decref(rep);
        /* and the newest ring holding a key is chosen */
        assert_int_equal(anon_find_ring(pub, pk2, &ch, &e), 0);
        assert_int_equal(ch.ring, 2);
        assert_int_equal(ch.index, 1);
        json_array_remove(json_object_get(pub, "rings"), 1);
    }

    /* the rings against the transparency log: tests/unit/client/test_ringcheck.c */
    assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
    json_decref(rep);

    /* the request body */
    assert_int_equal(anon_find_ring(pub, pk, &ch, &e), 0);
    {
        json_t *b = anon_request(0, 3, &ch, "QUJD");
        json_t *it = json_array_get(json_object_get(b, "signatures"), 0);
        assert_true(json_is_null(json_object_get(it, "version")));
        assert_string_equal(json_string_value(json_object_get(it, "organization")), "state");
        assert_int_equal(json_integer_value(json_object_get(it, "ring")), 1);
        assert_int_equal(json_integer_value(json_object_get(it, "seq")), 3);
        json_decref(b);
    }
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(sk2, sizeof sk2);
    sodium_memzero(sk3, sizeof sk3);
    json_decref(pub);
}

/* ---- the commands against a fake server ---- */

static struct fake_http fake;
static char server[64];

static void fake_start(const char *const *replies, size_t n)
{
    static int nfake;
    char hist[TT_PATH_MAX + 64];
    /* each fake server is a log this client never read: a history and leaf
     * cache of its own (and none written under $HOME) */
    snprintf(hist, sizeof hist, "%s/history-%d", dir, ++nfake);
    setenv("DISSENT_LOG_HISTORY", hist, 1);
    assert_int_equal(fake_http_start(&fake, replies, n), 0);
    snprintf(server, sizeof server, "http://127.0.0.1:%d", fake.port);
    setenv("DISSENT_SERVER", server, 1);
}

/* The JSON body of a raw request. */
static json_t *request_body(const char *req)
{
    const char *b = strstr(req, "\r\n\r\n");
    assert_non_null(b);
    return json_loads(b + 4, 0, NULL);
}

static void test_sign_anonymous(void **state)
{
    (void)state;
    uint8_t pk[32];
    char *text, *r1, *r2, tag[65];
    json_t *pub, *body, *item;
    make_key(pk);
    struct fake_log lg;
    struct tlog_signer ls;
    char *rc, *rl;
    pub = public_memo(pk, 4, 3);
    assert_int_equal(fake_log_build(&lg, pub, &ls), 0);
    text = json_dumps(pub, JSON_COMPACT);
    r1 = fake_http_reply(200, text);
    rc = fake_http_reply(200, lg.checkpoint_json);
    rl = fake_http_reply(200, lg.leaves_json);
    r2 = fake_http_reply(200, "{\"memo\":\"" MEMO "\",\"results\":[{\"tag\":\"ab\",\"status\":"
                              "\"added\"}]}");
    const char *replies[] = {r1, rc, rl, r2};
    /* the default minimum (10) refuses a ring of 4, after the log check */
    fake_start(replies, 3);
    struct run r = run("sign", MEMO, "--anonymous", "--key", keyfile, "--passphrase-file", passfile,
                       "--version", "1", "--log-key", lg.verifier_key, NULL);
    fake_http_stop(&fake);
    assert_int_equal(r.status, CLI_FAIL);
    assert_non_null(strstr(r.err, "you are one of 4 enrolled members of state"));
    assert_non_null(strstr(r.err, "hides you among 4 members only, fewer than 10"));
    assert_int_equal(fake.served, 3);
    run_free(&r);
    fake_start(replies, 4);
    r = run("sign", MEMO, "--anonymous", "--key", keyfile, "--passphrase-file", passfile,
            "--version", "1", "--log-key", lg.verifier_key, "--min-ring", "3", NULL);
    fake_http_stop(&fake);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "anonymous signature added: version 1 of memo " MEMO
                                  " (ring 1 of state, 4 keys)"));
    /* this fake server signs no receipt: accepted, with a warning */
    assert_non_null(strstr(r.err, "sent no signed receipt"));
    assert_non_null(strstr(r.err, "you are one of 4 enrolled members of state (ring 1, checked "
                                  "against the transparency log at size 7)"));
    assert_non_null(strstr(fake.request[1], "GET /api/v1/log/checkpoint "));
    assert_non_null(strstr(fake.request[2], "GET /api/v1/log/leaves?start=0&end=7 "));
    free(rc);
    free(rl);
    /* no session token, no cookie, no version in the User-Agent */
    for (int i = 0; i < 4; i++) {
        assert_null(strstr(fake.request[i], "secret-session-token"));
        assert_null(strstr(fake.request[i], "Authorization"));
        assert_null(strstr(fake.request[i], "Cookie"));
        assert_non_null(strstr(fake.request[i], "User-Agent: dissent-cli\r\n"));
    }
    assert_non_null(strstr(fake.request[0], "GET /api/v1/public/memos/" MEMO " "));
    assert_non_null(strstr(fake.request[3], "POST /api/v1/anonymous/memos/" MEMO "/signatures "));
    /* the proof verifies for version 1 against the published ring */
    body = request_body(fake.request[3]);
    assert_non_null(body);
    item = json_array_get(json_object_get(body, "signatures"), 0);
    assert_int_equal(json_integer_value(json_object_get(item, "version")), 1);
    assert_int_equal(json_integer_value(json_object_get(item, "ring")), 1);
    json_array_append_new(json_object_get(pub, "signatures"),
                          json_pack("{s:s,s:O,s:i,s:s,s:i,s:O}", "tag", "", "seq",
                                    json_object_get(item, "seq"), "version", 1, "organization",
                                    "state", "ring", 1, "proof", json_object_get(item, "proof")));
    {
        /* fill in the tag from the proof, then re-verify as anyone would */
        uint8_t j[32], raw[4096];
        size_t len = 0;
        const char *b64 = json_string_value(json_object_get(item, "proof"));
        struct err e;
        json_t *rep = NULL;
        err_init(&e);
        assert_int_equal(sodium_base642bin(raw, sizeof raw, b64, strlen(b64), NULL, &len, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        assert_int_equal(ring_proof_tag(j, raw, len, &e), 0);
        hex_encode(tag, j, 32);
        json_object_set_new(json_array_get(json_object_get(pub, "signatures"), 0), "tag",
                            json_string(tag));
        set_counts(pub, "{\"total\":1,\"by_version\":[{\"version\":1,\"count\":1}],"
                        "\"by_organization\":[{\"organization\":\"state\",\"count\":1}]}");
        assert_int_equal(anon_verify_public(pub, &rep, &e), 0);
        assert_true(json_is_true(json_object_get(rep, "ok")));
        json_decref(rep);
    }
    json_decref(body);
    run_free(&r);
    free(r1);
    free(r2);
    free(text);

    /* unsign: the signature is there, so a withdrawal is posted */
    text = json_dumps(pub, JSON_COMPACT);
    r1 = fake_http_reply(200, text);
    r2 = fake_http_reply(200, "{\"memo\":\"" MEMO "\",\"results\":[{\"tag\":\"ab\",\"status\":"
                              "\"withdrawn\"}]}");
    rc = fake_http_reply(200, lg.checkpoint_json);
    rl = fake_http_reply(200, lg.leaves_json);
    const char *replies2[] = {r1, rc, rl, r2};
    fake_start(replies2, 4);
    r = run("unsign", MEMO, "--anonymous", "--key", keyfile, "--passphrase-file", passfile,
            "--log-key", lg.verifier_key, "--min-ring", "2", NULL);
    fake_http_stop(&fake);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "anonymous signature withdrawn of memo"));
    body = request_body(fake.request[3]);
    item = json_array_get(json_object_get(body, "signatures"), 0);
    assert_true(json_is_null(json_object_get(item, "version")));
    json_decref(body);
    run_free(&r);
    free(r1);
    free(r2);
    free(rc);
    free(rl);
    free(text);
    fake_log_release(&lg);
    json_decref(pub);
}

static void test_sign_anonymous_refusals(void **state)
{
    (void)state;
    uint8_t pk[32], other[32], sk[32];
    char *text, *r1;
    json_t *pub;
    struct err e;
    err_init(&e);
    make_key(pk);

    /* our key in no ring: the clear message, nothing posted */
    assert_int_equal(ring_keypair(other, sk, &e), 0);
    pub = public_memo(other, 3, 0);
    text = json_dumps(pub, JSON_COMPACT);
    r1 = fake_http_reply(200, text);
    const char *replies[] = {r1};
    fake_start(replies, 1);
    struct run r =
        run("sign", MEMO, "--anonymous", "--key", keyfile, "--passphrase-file", passfile, NULL);
    fake_http_stop(&fake);
    assert_int_equal(r.status, CLI_FAIL);
    assert_non_null(strstr(r.err, "your key is not in a ring of your organization on this memo "
                                  "(enrolled after it opened? ask a drafter to refresh its rings"));
    assert_int_equal(fake.served, 1);
    run_free(&r);
    free(r1);
    free(text);
    json_decref(pub);

    /* alone in the ring: even --min-ring 2 refuses */
    struct fake_log lg;
    struct tlog_signer ls;
    char *rc, *rl;
    pub = public_memo(pk, 1, 0);
    assert_int_equal(fake_log_build(&lg, pub, &ls), 0);
    text = json_dumps(pub, JSON_COMPACT);
    r1 = fake_http_reply(200, text);
    rc = fake_http_reply(200, lg.checkpoint_json);
    rl = fake_http_reply(200, lg.leaves_json);
    const char *replies2[] = {r1, rc, rl};
    fake_start(replies2, 3);
    r = run("sign", MEMO, "--anonymous", "--key", keyfile, "--passphrase-file", passfile,
            "--log-key", lg.verifier_key, "--min-ring", "2", NULL);
    fake_http_stop(&fake);
    assert_int_equal(r.status, CLI_FAIL);
    assert_non_null(strstr(r.err, "hides you among 1 members only"));
    run_free(&r);
    free(r1);
    free(rc);
    free(rl);
    free(text);
    fake_log_release(&lg);
    json_decref(pub);

    /* nothing to withdraw: no request after the reads */
    pub = public_memo(pk, 3, 0);
    assert_int_equal(fake_log_build(&lg, pub, &ls), 0);
    text = json_dumps(pub, JSON_COMPACT);
    r1 = fake_http_reply(200, text);
    rc = fake_http_reply(200, lg.checkpoint_json);
    rl = fake_http_reply(200, lg.leaves_json);
    const char *replies3[] = {r1, rc, rl};
    fake_start(replies3, 3);
    r = run("unsign", MEMO, "--anonymous", "--key", keyfile, "--passphrase-file", passfile,
            "--log-key", lg.verifier_key, "--min-ring", "2", NULL);
    fake_http_stop(&fake);
    assert_int_equal(r.status, CLI_FAIL);
    assert_non_null(strstr(r.err, "no anonymous signature on memo " MEMO " to withdraw"));
    assert_int_equal(fake.served, 3);
    run_free(&r);

    /* a witness policy the log's checkpoint does not meet (no cosignature):
     * the ring check refuses before reading the leaves, as every client
     * command that reads a checkpoint does (a frozen view fails the same way) */
    {
        char policy[TT_PATH_MAX + 64], text2[512], wk[TLOG_VERIFIER_KEY_MAX];
        struct tlog_signer w;
        struct err we;
        err_init(&we);
        assert_int_equal(tlog_cosigner_generate(&w, "witness.example.org/w1", &we), 0);
        assert_int_equal(tlog_cosigner_key_format(&w.pub, wk, &we), 0);
        tlog_signer_wipe(&w);
        snprintf(policy, sizeof policy, "%s/policy", dir);
        snprintf(text2, sizeof text2, "witness %s\nquorum 1\nmax-age 600\n", wk);
        write_file(policy, text2);
        setenv("DISSENT_WITNESS_POLICY", policy, 1);
        fake_start(replies3, 3);
        r = run("sign", MEMO, "--anonymous", "--key", keyfile, "--passphrase-file", passfile,
                "--log-key", lg.verifier_key, "--min-ring", "2", NULL);
        fake_http_stop(&fake);
        unsetenv("DISSENT_WITNESS_POLICY");
        assert_int_equal(r.status, CLI_FAIL);
        assert_non_null(strstr(r.err, "fails the witness policy"));
        assert_int_equal(fake.served, 2); /* the memo's facts and the checkpoint only */
        run_free(&r);
    }

    /* a wrong passphrase */
    {
        char bad[TT_PATH_MAX + 64];
        snprintf(bad, sizeof bad, "%s/bad", dir);
        write_file(bad, "not the passphrase\n");
        fake_start(replies3, 3);
        r = run("sign", MEMO, "--anonymous", "--key", keyfile, "--passphrase-file", bad,
                "--log-key", lg.verifier_key, "--min-ring", "2", NULL);
        fake_http_stop(&fake);
        assert_int_equal(r.status, CLI_FAIL);
        assert_non_null(strstr(r.err, "wrong passphrase"));
        run_free(&r);
    }

    /* a ring that is not the log's (one key repeated): refused before any
     * passphrase is asked or proof made */
    {
        json_t *ring = json_array_get(json_object_get(pub, "rings"), 0);
        json_t *keys = json_object_get(ring, "keys");
        char *t2, *p2;
        json_array_set(keys, 1, json_array_get(keys, 0));
        t2 = json_dumps(pub, JSON_COMPACT);
        p2 = fake_http_reply(200, t2);
        const char *replies4[] = {p2, rc, rl};
        fake_start(replies4, 3);
        r = run("sign", MEMO, "--anonymous", "--key", keyfile, "--passphrase-file", passfile,
                "--log-key", lg.verifier_key, "--min-ring", "2", NULL);
        fake_http_stop(&fake);
        assert_int_equal(r.status, CLI_FAIL);
        assert_non_null(strstr(r.err, "more than once"));
        assert_non_null(strstr(r.err, "nothing was proved or sent"));
        assert_int_equal(fake.served, 3);
        run_free(&r);
        free(t2);
        free(p2);
    }
    free(r1);
    free(rc);
    free(rl);
    free(text);
    fake_log_release(&lg);
    json_decref(pub);
}

static void test_verify_signatures_cmd(void **state)
{
    (void)state;
    uint8_t pk[32], sk[32];
    char *text, *r1, *r2, *r3;
    json_t *pub;
    struct err e;
    err_init(&e);
    assert_int_equal(ring_keypair(pk, sk, &e), 0);
    pub = public_memo(pk, 2, 0);
    add_signature(pub, sk, pk, 2);
    set_counts(pub, "{\"total\":1,\"by_version\":[{\"version\":2,\"count\":1}],"
                    "\"by_organization\":[{\"organization\":\"state\",\"count\":1}]}");
    text = json_dumps(pub, JSON_COMPACT);
    r1 = fake_http_reply(200, text);
    r2 = fake_http_reply(404, "{\"error\":{\"code\":\"not_found\",\"message\":\"no memo\"}}");
    const char *replies[] = {r1, r2};
    fake_start(replies, 2);
    struct run r = run("verify-signatures", MEMO, "--no-log", NULL);
    fake_http_stop(&fake);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "1 anonymous signatures published, 1 verify"));
    assert_non_null(strstr(r.out, "per version:       v2: 1"));
    assert_non_null(strstr(r.out, "per organization:  state: 1"));
    assert_non_null(strstr(r.out, "OK: "));
    assert_null(strstr(fake.request[0], "secret-session-token"));
    assert_int_equal(fake.served, 1); /* --no-log: one request */
    run_free(&r);

    /* protocol v2 rules re-checked by the client, not trusted to the server:
     * a ring below the published minimum, and a proof of another radix */
    {
        json_t *sig = json_array_get(json_object_get(pub, "signatures"), 0);
        char *good = strdup(json_string_value(json_object_get(sig, "proof")));
        unsigned char raw[16384];
        size_t rawlen = 0;
        char *t2, b64[22000];
        const char *rep[1];
        json_object_set_new(pub, "min_ring", json_integer(3));
        t2 = json_dumps(pub, JSON_COMPACT);
        rep[0] = fake_http_reply(200, t2);
        fake_start(rep, 1);
        r = run("verify-signatures", MEMO, "--no-log", NULL);
        fake_http_stop(&fake);
        assert_int_equal(r.status, CLI_FAIL);
        assert_non_null(strstr(r.out, "fewer than the channel's minimum of 3"));
        run_free(&r);
        free(t2);
        free((char *)rep[0]);
        json_object_del(pub, "min_ring");
        assert_int_equal(sodium_base642bin(raw, sizeof raw, good, strlen(good), NULL, &rawlen, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        raw[1] ^= 1; /* another radix */
        sodium_bin2base64(b64, sizeof b64, raw, rawlen, sodium_base64_VARIANT_ORIGINAL);
        json_object_set_new(sig, "proof", json_string(b64));
        t2 = json_dumps(pub, JSON_COMPACT);
        rep[0] = fake_http_reply(200, t2);
        fake_start(rep, 1);
        r = run("verify-signatures", MEMO, "--no-log", NULL);
        fake_http_stop(&fake);
        assert_int_equal(r.status, CLI_FAIL);
        assert_non_null(strstr(r.out, "is not made with the radix and digits of protocol v2"));
        run_free(&r);
        free(t2);
        free((char *)rep[0]);
        json_object_set_new(sig, "proof", json_string(good));
        free(good);
    }

    /* the log cannot be read: a failure, said */
    {
        struct tlog_signer s0;
        char k0[TLOG_VERIFIER_KEY_MAX];
        assert_int_equal(tlog_signer_generate(&s0, "test.example/log", &e), 0);
        assert_int_equal(tlog_verifier_format(&s0.pub, k0, &e), 0);
        fake_start(replies, 2);
        r = run("verify-signatures", MEMO, "--json", "--log-key", k0, NULL);
    }
    fake_http_stop(&fake);
    assert_int_equal(r.status, CLI_FAIL);
    assert_non_null(strstr(r.err, "no memo"));
    assert_null(strstr(r.out, "\"ok\": true"));
    run_free(&r);

    /* with the log: the rings check out, the anonymity set is shown */
    {
        struct fake_log lg;
        struct tlog_signer ls;
        char *rc, *rl;
        assert_int_equal(fake_log_build(&lg, pub, &ls), 0);
        rc = fake_http_reply(200, lg.checkpoint_json);
        rl = fake_http_reply(200, lg.leaves_json);
        const char *replies5[] = {r1, rc, rl};
        fake_start(replies5, 3);
        r = run("verify-signatures", MEMO, "--log-key", lg.verifier_key, NULL);
        fake_http_stop(&fake);
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "anonymity sets: state #1: 2 members"));
        run_free(&r);
        /* a ring leaf the checkpoint does not cover */
        {
            json_t *row = json_array_get(lg.leaves, 2);
            char *old = strdup(json_string_value(json_object_get(row, "data")));
            char *edited = strdup(old), *at = strstr(edited, "\"count\":2");
            assert_non_null(at);
            at[8] = '3';
            json_object_set_new(row, "data", json_string(edited));
            json_object_del(row, "leaf_hash");
            free(lg.leaves_json);
            {
                json_t *o = json_pack("{s:O}", "leaves", lg.leaves);
                lg.leaves_json = json_dumps(o, JSON_COMPACT);
                json_decref(o);
            }
            free(rl);
            rl = fake_http_reply(200, lg.leaves_json);
            const char *replies6[] = {r1, rc, rl};
            fake_start(replies6, 3);
            r = run("verify-signatures", MEMO, "--log-key", lg.verifier_key, NULL);
            fake_http_stop(&fake);
            assert_int_equal(r.status, CLI_FAIL);
            assert_non_null(strstr(r.err, "do not hash to the root of its signed checkpoint"));
            run_free(&r);
            free(old);
            free(edited);
        }
        /* the reply is about another memo */
        {
            json_t *other = json_deep_copy(pub);
            char *t2, *p2;
            json_object_set_new(other, "memo", json_string("01jd0000000000000000000001"));
            t2 = json_dumps(other, JSON_COMPACT);
            p2 = fake_http_reply(200, t2);
            const char *replies7[] = {p2};
            fake_start(replies7, 1);
            r = run("verify-signatures", MEMO, "--no-log", NULL);
            fake_http_stop(&fake);
            assert_int_equal(r.status, CLI_FAIL);
            assert_non_null(strstr(r.err, "the server answered for another memo"));
            run_free(&r);
            free(t2);
            free(p2);
            json_decref(other);
        }
        free(rc);
        free(rl);
        fake_log_release(&lg);
    }
    free(r1);
    free(text);

    /* the server's counts disagree */
    set_counts(pub, "{\"total\":2,\"by_version\":[{\"version\":2,\"count\":2}],"
                    "\"by_organization\":[{\"organization\":\"state\",\"count\":2}]}");
    text = json_dumps(pub, JSON_COMPACT);
    r1 = fake_http_reply(200, text);
    const char *replies2[] = {r1};
    fake_start(replies2, 1);
    r = run("verify-signatures", MEMO, "--no-log", NULL);
    fake_http_stop(&fake);
    assert_int_equal(r.status, CLI_FAIL);
    assert_non_null(strstr(r.out, "MISMATCH: the server counts 2 anonymous signatures; 1 verify"));
    assert_non_null(strstr(r.err, "do not check out"));
    run_free(&r);
    free(r1);
    free(text);

    /* through an http proxy: the fake answers as the proxy, for a server it
     * never is (the request line carries the absolute URL) */
    r3 = fake_http_reply(404, "{\"error\":{\"code\":\"not_found\",\"message\":\"no such memo\"}}");
    const char *replies3[] = {r3};
    fake_start(replies3, 1);
    {
        char proxy[64];
        snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", fake.port);
        r = run("verify-signatures", MEMO, "--server", "http://192.0.2.7:8080", "--proxy", proxy,
                NULL);
    }
    fake_http_stop(&fake);
    assert_int_equal(r.status, CLI_FAIL);
    assert_non_null(strstr(fake.request[0], "GET http://192.0.2.7:8080/api/v1/public/memos/" MEMO));
    assert_non_null(strstr(r.err, "no such memo"));
    run_free(&r);
    free(r2);
    free(r3);
    sodium_memzero(sk, sizeof sk);
    json_decref(pub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_key_roundtrip),
        cmocka_unit_test(test_pre_v2_signature),
        cmocka_unit_test(test_proxy_setting),
        cmocka_unit_test(test_anon_helpers),
        cmocka_unit_test(test_coalition),
        cmocka_unit_test(test_sign_anonymous),
        cmocka_unit_test(test_sign_anonymous_refusals),
        cmocka_unit_test(test_verify_signatures_cmd),
    };
    return cmocka_run_group_tests_name("cli anonymous", tests, setup, teardown);
}
