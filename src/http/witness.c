/* witness.c — POST /add-checkpoint: the request body goes to the witness
 * core; its status and reply are sent as C2SP tlog-witness defines them. */
#include "http/witness.h"

#include "base/log.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void h_add_checkpoint(struct http_request *req, struct http_response *res, void *app)
{
    struct tlog_witness *w = app;
    struct tlog_witness_result r;
    struct err e;
    struct buf out;
    time_t now = time(NULL);

    err_init(&e);
    buf_init(&out, 4096);
    if (tlog_witness_add_checkpoint(w, req->body, req->body_len, now < 0 ? 0 : (uint64_t)now, &r,
                                    &out, &e) == 0) {
        http_reply_bytes(res, 200, "text/plain; charset=utf-8", out.data, out.len);
    } else if (r.size_conflict) {
        char size[24];
        int n = snprintf(size, sizeof size, "%" PRIu64 "\n", r.latest_size);
        http_reply_bytes(res, 409, "text/x.tlog.size", size, (size_t)n);
    } else if (r.status == 500) {
        /* the detail names files of this machine: for the operator only */
        static const char msg[] = "the witness could not read or record its state; nothing was "
                                  "cosigned\n";
        log_error("witness: %s", e.msg);
        http_reply_bytes(res, 500, "text/plain; charset=utf-8", msg, sizeof msg - 1);
    } else {
        struct buf msg;
        buf_init(&msg, 1024);
        if (buf_printf(&msg, &e, "%s\n", e.msg) == 0)
            http_reply_bytes(res, r.status, "text/plain; charset=utf-8", msg.data, msg.len);
        buf_release(&msg);
    }
    buf_release(&out);
}

static const struct http_route routes[] = {
    {.method = "POST", .pattern = "/add-checkpoint", .handler = h_add_checkpoint},
};

const struct http_route *http_witness_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}
