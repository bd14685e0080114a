/* client.h — the CLI's HTTP client for the dissent JSON API (libcurl).
 *
 * One request at a time, JSON in and out. The client sends
 * `Authorization: Bearer <token>` when it has a token, never follows
 * redirects (a token must not travel to another host), speaks only http and
 * https, and refuses replies larger than a limit. Error replies of the form
 * {"error":{"code","message"}} become a struct err carrying the server's
 * message; connection failures become "cannot reach the server at URL: ...".
 */
#ifndef DISSENT_CLIENT_CLIENT_H
#define DISSENT_CLIENT_CLIENT_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"
#include <jansson.h>
#include <stddef.h>

#define CLIENT_DEFAULT_SERVER "http://127.0.0.1:8080"
#define CLIENT_URL_MAX        512
#define CLIENT_TOKEN_MAX      512
/* Largest reply accepted by default. */
#define CLIENT_MAX_RESPONSE (8u * 1024u * 1024u)

struct client {
    char server[CLIENT_URL_MAX];  /* base URL, no trailing slash */
    char token[CLIENT_TOKEN_MAX]; /* bearer token, "" for none */
    size_t max_response;          /* bytes */
    long timeout;                 /* seconds for the whole request */
    long connect_timeout;         /* seconds to connect */
    char proxy[CLIENT_URL_MAX];   /* socks5h:// or http:// proxy, "" for none */
    int anonymous;                /* never send a token (client_set_anonymous) */
};

/* A reply: status, the raw body and its JSON (NULL when the body was empty). */
struct client_reply {
    long status;
    struct buf raw;
    json_t *json; /* owned: one reference */
};

/* Prepares a client for CLIENT_DEFAULT_SERVER without a token. */
void client_init(struct client *c);

/* Wipes the token. The client holds nothing else to free. */
void client_release(struct client *c);

/* Checks and sets the server URL: http:// or https://, a host, no
 * credentials, query or fragment, no control characters; a trailing slash is
 * dropped. Returns 0, or -1 (ERR_INVALID) with a message. */
int client_set_server(struct client *c, const char *url, struct err *e) WUR;

/* Writes the normalized form of url (as client_set_server stores it) into
 * out, so that two spellings of one server compare equal. Returns 0 or -1. */
int client_normalize_server(const char *url, char *out, size_t n, struct err *e) WUR;

/* Sets the bearer token (printable ASCII, no spaces). Returns 0 or -1. */
int client_set_token(struct client *c, const char *token, struct err *e) WUR;

/* Makes every later request of c anonymous: the token is wiped and none is
 * ever sent again (even if one is set later), and the User-Agent carries no
 * version. The client keeps no cookies in any case. */
void client_set_anonymous(struct client *c);

/* Sends every request of c through a proxy (CURLOPT_PROXY): socks5h://HOST:PORT
 * (names resolved by the proxy, as Tor needs) or http://HOST:PORT. socks5://
 * is refused because it resolves names locally, leaking them; credentials,
 * paths and control characters are refused. Returns 0, or -1 (ERR_INVALID). */
int client_set_proxy(struct client *c, const char *url, struct err *e) WUR;

void client_reply_init(struct client_reply *r);

/* Frees the body and JSON; the reply may be reused. */
void client_reply_release(struct client_reply *r);

/* Sends method (GET, POST, PATCH, DELETE) to server+path (path starts with
 * '/', already escaped) with body serialized as JSON (NULL: no body), and
 * fills r (which the caller releases). A 2xx reply must be empty or JSON.
 * Returns 0 on a 2xx reply; -1 otherwise, with the server's error message
 * (code mapped from the reply's "code") or a transport error (ERR_IO) in e;
 * r->status and r->raw are set whenever a reply arrived. */
int client_request(struct client *c, const char *method, const char *path, const json_t *body,
                   struct client_reply *r, struct err *e) WUR;

/* GETs server+path like client_request but keeps a 2xx body as raw bytes in
 * r->raw (text/plain replies such as an official rendering or a bare signed
 * note); r->json stays NULL. Error replies are read as client_request does.
 * Returns 0 on a 2xx reply, else -1 with e. */
int client_get_text(struct client *c, const char *path, struct client_reply *r, struct err *e) WUR;

/* Turns an error reply (status, body) into e: the "message" and "code" of
 * {"error":{...}}, else a description of the status. Always returns -1. */
int client_error_from_reply(long status, const char *body, size_t len, struct err *e);

/* Maps an API error code name ("wrong_state") to an err_code; unknown names
 * map by the HTTP status. */
enum err_code client_code_from_name(const char *name, long status);

/* Appends s to out percent-encoded as one path segment (RFC 3986 unreserved
 * characters pass through). Returns 0 or -1. */
int client_path_segment(struct buf *out, const char *s, struct err *e) WUR;

#endif
