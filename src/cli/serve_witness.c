/* serve_witness.c — collect witness cosignatures for this server's log and
 * publish the checkpoints that meet the policy. */
#include "cli/serve_witness.h"

#include "base/log.h"
#include "base/util.h"
#include "channel/chan.h"
#include "client/witness_client.h"
#include "tlog/checkpoint.h"
#include "tlog/cosignature.h"

#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define VKEY_B64_LEN 44

void serve_witness_init(struct serve_witness *sw)
{
    memset(sw, 0, sizeof *sw);
    tlog_policy_init(&sw->policy);
}

int serve_witness_add(struct serve_witness *sw, const char *arg, struct err *e)
{
    /* NAME '+' 8 hex '+' 44 base64 '+' URL: base64 holds '+', so cut by length */
    const char *p1 = strchr(arg, '+'), *p2 = p1 ? strchr(p1 + 1, '+') : NULL;
    const char *url;
    struct tlog_verifier v;
    size_t klen;
    if (!p2 || strlen(p2 + 1) < VKEY_B64_LEN + 2 || p2[1 + VKEY_B64_LEN] != '+')
        return err_set(e, ERR_INVALID,
                       "--witness must be NAME+KEYID+KEY+URL (the witness's public key, then its "
                       "URL)");
    klen = (size_t)(p2 + 1 + VKEY_B64_LEN - arg);
    url = arg + klen + 1;
    if (tlog_cosigner_key_parse(&v, arg, klen, e) != 0)
        return -1;
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return err_set(e, ERR_INVALID, "witness URL must start with http:// or https://");
    if (strlen(url) + sizeof "/add-checkpoint" > CLIENT_URL_MAX)
        return err_set(e, ERR_INVALID, "witness URL is longer than %d bytes", CLIENT_URL_MAX - 16);
    if (tlog_policy_add(&sw->policy, &v, e) != 0)
        return -1;
    size_t ul = strlen(url);
    while (ul > 0 && url[ul - 1] == '/')
        ul--;
    snprintf(sw->url[sw->policy.n - 1], CLIENT_URL_MAX, "%.*s/add-checkpoint", (int)ul, url);
    return 0;
}

/* Builds the request for witness i: old size, proof lines, blank, note. */
static int make_request(struct serve_witness *sw, size_t i, const char *note, uint64_t size,
                        struct buf *body, struct err *e)
{
    int rc = -1;
    json_t *proof = NULL;
    uint64_t old = sw->known[i];
    buf_reset(body);
    if (buf_printf(body, e, "old %" PRIu64 "\n", old) != 0)
        goto out;
    if (old > 0 && old < size) {
        size_t k;
        json_t *h;
        if (chan_log_consistency(sw->chan, (int64_t)old, (int64_t)size, &proof, e) != 0)
            goto out;
        json_array_foreach(json_object_get(proof, "proof"), k, h)
        {
            if (buf_printf(body, e, "%s\n", json_string_value(h)) != 0)
                goto out;
        }
    }
    if (buf_puts(body, "\n", e) != 0 || buf_puts(body, note, e) != 0)
        goto out;
    rc = 0;
out:
    json_decref(proof);
    return rc;
}

/* Asks witness i to cosign note (size leaves); appends its verified
 * cosignature line to cosigs. Returns 0 or -1 with e. */
static int ask(struct serve_witness *sw, size_t i, const char *note, uint64_t size,
               struct buf *cosigs, struct err *e)
{
    int rc = -1;
    struct buf body, reply, full;
    const struct tlog_verifier *w = &sw->policy.w[i];
    long status = 0;
    buf_init(&body, TLOG_NOTE_MAX + 4096);
    buf_init(&reply, 65536);
    buf_init(&full, TLOG_NOTE_MAX + 65536);
    for (int attempt = 0; attempt < 2; attempt++) {
        int64_t latest;
        if (make_request(sw, i, note, size, &body, e) != 0)
            goto out;
        buf_reset(&reply);
        if (witness_client_post(sw->url[i], body.data, body.len, 10, &status, &reply, e) != 0)
            goto out;
        if (status != 409 || attempt > 0)
            break;
        /* 409 with text/x.tlog.size: our idea of its state was stale */
        if (reply.len < 2 || reply.data[reply.len - 1] != '\n')
            break;
        reply.data[reply.len - 1] = '\0';
        if (parse_i64(reply.data, 0, INT64_MAX, &latest) != 0 || (uint64_t)latest > size)
            break;
        sw->known[i] = (uint64_t)latest;
    }
    if (status != 200) {
        size_t n = reply.len < 200 ? reply.len : 200;
        while (n > 0 && (reply.data[n - 1] == '\n'))
            n--;
        err_set(e, ERR_CRYPTO, "witness %s refused the checkpoint of size %" PRIu64 " (%ld): %.*s",
                w->name, size, status, (int)n, reply.data ? reply.data : "");
        goto out;
    }
    {
        struct tlog_note n;
        if (buf_puts(&full, note, e) != 0 || buf_append(&full, reply.data, reply.len, e) != 0 ||
            tlog_note_parse(&n, full.data, full.len, e) != 0 ||
            tlog_cosignature_verify(&n, w, NULL, e) != 0)
            goto out;
        /* keep only the lines of this witness's key */
        for (size_t k = 0; k < n.nsigs; k++) {
            const struct tlog_note_sig *s = &n.sigs[k];
            if (s->name_len == strlen(w->name) && memcmp(s->name, w->name, s->name_len) == 0 &&
                memcmp(s->key_id, w->key_id, TLOG_KEY_ID_SIZE) == 0) {
                const char *start = s->name - 4; /* "— " */
                if (buf_append(cosigs, start, (size_t)(s->b64 + s->b64_len - start), e) != 0 ||
                    buf_puts(cosigs, "\n", e) != 0)
                    goto out;
            }
        }
    }
    sw->known[i] = size;
    rc = 0;
out:
    buf_release(&body);
    buf_release(&reply);
    buf_release(&full);
    return rc;
}

int serve_witness_round(struct serve_witness *sw, struct err *e)
{
    int rc = -1;
    json_t *cp = NULL;
    const char *note, *root_b64;
    uint64_t size;
    unsigned char root[32];
    size_t rlen = 0, count = 0;
    uint64_t now = (uint64_t)time(NULL);
    struct buf cosigs, full;
    struct tlog_note n;
    buf_init(&cosigs, 65536);
    buf_init(&full, TLOG_NOTE_MAX);

    if (chan_log_checkpoint(sw->chan, &cp, e) != 0)
        goto out;
    note = json_string_value(json_object_get(cp, "note"));
    root_b64 = json_string_value(json_object_get(cp, "root"));
    size = (uint64_t)json_integer_value(json_object_get(cp, "size"));
    if (!note || !root_b64 ||
        sodium_base642bin(root, sizeof root, root_b64, strlen(root_b64), NULL, &rlen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        rlen != sizeof root) {
        err_set(e, ERR_INTERNAL, "the log's checkpoint is malformed");
        goto out;
    }
    if (sw->have_pub && sw->pub_size == size && memcmp(sw->pub_root, root, sizeof root) == 0 &&
        now < sw->pub_time + SERVE_WITNESS_REFRESH_S) {
        rc = 0;
        goto out;
    }
    for (size_t i = 0; i < sw->policy.n; i++) {
        struct err we;
        err_init(&we);
        if (ask(sw, i, note, size, &cosigs, &we) != 0)
            log_warn("witnessing: %s", we.msg);
    }
    if (buf_puts(&full, note, e) != 0 || buf_append(&full, cosigs.data, cosigs.len, e) != 0 ||
        tlog_note_parse(&n, full.data, full.len, e) != 0)
        goto out;
    if (tlog_policy_check(&sw->policy, &n, &count, NULL, e) != 0) {
        if (sw->have_pub)
            log_warn("witnessing: checkpoint of size %" PRIu64
                     " not published (%zu of %zu cosignatures); still publishing size %" PRIu64,
                     size, count, sw->policy.k, sw->pub_size);
        goto out;
    }
    if (app_cosigned_publish(sw->pub, full.data, full.len, e) != 0)
        goto out;
    if (!sw->have_pub || sw->pub_size != size)
        log_info("witnessing: published checkpoint of size %" PRIu64 " with %zu cosignatures", size,
                 count);
    sw->have_pub = 1;
    sw->pub_size = size;
    sw->pub_time = now;
    memcpy(sw->pub_root, root, sizeof root);
    rc = 0;
out:
    json_decref(cp);
    buf_release(&cosigs);
    buf_release(&full);
    return rc;
}

static void *run(void *arg)
{
    struct serve_witness *sw = arg;
    while (!sw->stop) {
        struct err e;
        err_init(&e);
        if (serve_witness_round(sw, &e) != 0 && e.msg[0])
            log_debug("witnessing: %s", e.msg);
        for (int i = 0; i < 10 && !sw->stop; i++)
            usleep(100000);
    }
    return NULL;
}

int serve_witness_start(struct serve_witness *sw, struct chan *chan, struct app_cosigned *pub,
                        struct err *e)
{
    if (sw->policy.k == 0 && tlog_policy_set_k(&sw->policy, sw->policy.n, e) != 0)
        return -1;
    if (witness_client_global_init(e) != 0)
        return -1;
    sw->chan = chan;
    sw->pub = pub;
    sw->stop = 0;
    if (pthread_create(&sw->thread, NULL, run, sw) != 0)
        return err_set(e, ERR_INTERNAL, "cannot start the witnessing thread");
    sw->running = 1;
    return 0;
}

void serve_witness_stop(struct serve_witness *sw)
{
    if (sw->running) {
        sw->stop = 1;
        pthread_join(sw->thread, NULL);
        sw->running = 0;
    }
    chan_close(sw->chan);
    sw->chan = NULL;
}
