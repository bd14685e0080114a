/* fake_http.h — a tiny HTTP responder on loopback for the client and CLI
 * tests: it accepts one connection per canned reply, records each request
 * (headers and body) and answers with the reply bytes as given. It is test
 * scaffolding, not a server of dissent. */
#ifndef DISSENT_TESTS_FAKE_HTTP_H
#define DISSENT_TESTS_FAKE_HTTP_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define FAKE_HTTP_MAX     8
#define FAKE_HTTP_REQ_MAX 65536

struct fake_http {
    int fd;
    int port;
    pthread_t thread;
    size_t n;                         /* replies to give */
    const char *reply[FAKE_HTTP_MAX]; /* raw HTTP responses */
    size_t reply_len[FAKE_HTTP_MAX];
    char request[FAKE_HTTP_MAX][FAKE_HTTP_REQ_MAX];
    size_t served;
};

/* Finds a header value (case-insensitive name) in a raw request. */
static inline long fake_http_content_length(const char *req)
{
    const char *p = req;
    while ((p = strchr(p, '\n')) != NULL) {
        p++;
        if (strncasecmp(p, "content-length:", 15) == 0)
            return strtol(p + 15, NULL, 10);
    }
    return 0;
}

static inline void *fake_http_main(void *arg)
{
    struct fake_http *f = arg;
    for (size_t i = 0; i < f->n; i++) {
        int c = accept(f->fd, NULL, NULL);
        size_t len = 0;
        char *end = NULL;
        if (c < 0)
            break;
        while (len + 1 < FAKE_HTTP_REQ_MAX) {
            ssize_t k = recv(c, f->request[i] + len, FAKE_HTTP_REQ_MAX - 1 - len, 0);
            if (k <= 0)
                break;
            len += (size_t)k;
            f->request[i][len] = '\0';
            end = strstr(f->request[i], "\r\n\r\n");
            if (end && (size_t)(end + 4 - f->request[i]) +
                               (size_t)fake_http_content_length(f->request[i]) <=
                           len)
                break;
        }
        for (size_t off = 0; off < f->reply_len[i];) {
            ssize_t k = send(c, f->reply[i] + off, f->reply_len[i] - off, MSG_NOSIGNAL);
            if (k <= 0)
                break;
            off += (size_t)k;
        }
        shutdown(c, SHUT_RDWR);
        close(c);
        f->served++;
    }
    return NULL;
}

/* Listens on 127.0.0.1 (any free port) and serves replies[0..n) in order,
 * one per connection, in a thread. Returns 0 or -1. */
static inline int fake_http_start(struct fake_http *f, const char *const *replies, size_t n)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int one = 1;
    memset(f, 0, sizeof *f);
    f->n = n;
    for (size_t i = 0; i < n; i++) {
        f->reply[i] = replies[i];
        f->reply_len[i] = strlen(replies[i]);
    }
    f->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (f->fd < 0)
        return -1;
    setsockopt(f->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(f->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(f->fd, 8) != 0 ||
        getsockname(f->fd, (struct sockaddr *)&a, &alen) != 0)
        return -1;
    f->port = ntohs(a.sin_port);
    return pthread_create(&f->thread, NULL, fake_http_main, f) == 0 ? 0 : -1;
}

/* Waits until every reply was served (or a client gave up) and closes. */
static inline void fake_http_stop(struct fake_http *f)
{
    /* Unblock accept() if fewer requests came than replies were planned. */
    shutdown(f->fd, SHUT_RDWR);
    pthread_join(f->thread, NULL);
    close(f->fd);
}

/* Builds "HTTP/1.1 <status>\r\nContent-Type...\r\n\r\n<body>" in a new string. */
static inline char *fake_http_reply(int status, const char *body)
{
    size_t n = strlen(body) + 256;
    char *r = malloc(n);
    if (r)
        snprintf(r, n,
                 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n%s",
                 status, strlen(body), body);
    return r;
}

#endif
