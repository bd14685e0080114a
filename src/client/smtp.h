/* smtp.h — sending one plain-text mail through libcurl's SMTP, for the
 * server's notification mails (`dissent serve --smtp URL`, docs/operations.md
 * "Mail").
 *
 * smtp://HOST[:PORT] must upgrade with STARTTLS (the mail is refused if the
 * server does not offer it); smtps://HOST[:PORT] is TLS from the start.
 * Certificates are verified. Only with insecure set, and only to a loopback
 * host, may smtp:// go in clear (tests). Credentials are never part of the
 * URL. */
#ifndef DISSENT_CLIENT_SMTP_H
#define DISSENT_CLIENT_SMTP_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"

#include <stdint.h>

#define SMTP_URL_MAX     512
#define SMTP_ADDRESS_MAX 254
#define SMTP_SECRET_MAX  512
#define SMTP_TIMEOUT_S   30

struct smtp {
    char url[SMTP_URL_MAX];
    char from[SMTP_ADDRESS_MAX + 1];
    char user[SMTP_SECRET_MAX];     /* "" for none */
    char password[SMTP_SECRET_MAX]; /* wiped by smtp_release */
    int insecure;                   /* clear text allowed (loopback only) */
    long timeout_s;
};

/* Checks and keeps url (smtp:// or smtps://, no user information, a
 * loopback host when insecure) and from (a plain address). user and
 * password may be NULL. Returns 0, or -1 with ERR_INVALID saying what is
 * wrong. */
int smtp_init(struct smtp *s, const char *url, int insecure, const char *from, const char *user,
              const char *password, struct err *e) WUR;
/* Wipes the password. */
void smtp_release(struct smtp *s);

/* 1 if the host of an smtp(s) URL is a loopback address (127.x.y.z, ::1, localhost). */
int smtp_url_loopback(const char *url);

/* Writes the message: Date (from now, UTC), From, To, Subject,
 * Message-ID (a random id at the sender's domain), MIME headers and
 * Auto-Submitted, then body with every line ending in CRLF. Refuses
 * addresses and a subject holding CR, LF or other control characters. */
int smtp_message(const char *from, const char *to, const char *subject, const char *body,
                 int64_t now, struct buf *out, struct err *e) WUR;

/* Sends one mail to `to`. Returns 0, or -1 with ERR_IO and the server's or
 * libcurl's reason. Safe to call from one thread at a time per struct. */
int smtp_send(const struct smtp *s, const char *to, const char *subject, const char *body,
              struct err *e) WUR;

#endif
