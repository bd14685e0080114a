/* smtp.c — one mail through libcurl's SMTP (smtp.h). */
#include "client/smtp.h"

#include "base/util.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* A plain address: printable ASCII, one '@', nothing that ends a header or adds a recipient. */
static int address_ok(const char *s)
{
    const char *at = s ? strchr(s, '@') : NULL;
    size_t n = s ? strlen(s) : 0;
    if (n < 3 || n > SMTP_ADDRESS_MAX || !at || at == s || !at[1] || strchr(at + 1, '@'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= 0x20 || ch >= 0x7f || strchr("\"(),:;<>[\\]", ch))
            return 0;
    }
    return 1;
}

/* The host part of an smtp(s) URL into host (without brackets); -1 if malformed. */
static int url_host(const char *url, char *host, size_t n)
{
    const char *a = strstr(url, "://"), *end;
    size_t len;
    if (!a)
        return -1;
    a += 3;
    if (*a == '[') {
        end = strchr(a, ']');
        if (!end)
            return -1;
        a++;
    } else {
        end = a + strcspn(a, ":/?#");
    }
    len = (size_t)(end - a);
    if (len == 0 || len >= n)
        return -1;
    memcpy(host, a, len);
    host[len] = '\0';
    return 0;
}

int smtp_url_loopback(const char *url)
{
    char host[256];
    if (url_host(url, host, sizeof host))
        return 0;
    return strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
           strncmp(host, "127.", 4) == 0;
}

int smtp_init(struct smtp *s, const char *url, int insecure, const char *from, const char *user,
              const char *password, struct err *e)
{
    char host[256];
    const char *auth;
    memset(s, 0, sizeof *s);
    s->timeout_s = SMTP_TIMEOUT_S;
    if (!url || (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0))
        return err_set(e, ERR_INVALID, "--smtp must start with smtp:// or smtps://");
    auth = strstr(url, "://") + 3;
    if (memchr(auth, '@', strcspn(auth, "/?#")))
        return err_set(e, ERR_INVALID,
                       "--smtp must not hold credentials: put them in the key directory "
                       "(smtp.credentials) or in DISSENT_SMTP_USER and DISSENT_SMTP_PASSWORD");
    if (url_host(url, host, sizeof host) || strlen(url) >= sizeof s->url)
        return err_set(e, ERR_INVALID, "--smtp must be smtp://HOST[:PORT] or smtps://HOST[:PORT]");
    if (insecure && !smtp_url_loopback(url))
        return err_set(e, ERR_INVALID,
                       "--smtp-insecure is for a mail server on this machine only (127.0.0.1, "
                       "::1 or localhost), not %s",
                       host);
    if (!address_ok(from))
        return err_set(e, ERR_INVALID,
                       "--mail-from must be a plain address like "
                       "dissent@example.org");
    if ((user && strlen(user) >= sizeof s->user) ||
        (password && strlen(password) >= sizeof s->password))
        return err_set(e, ERR_INVALID, "the SMTP user or password is longer than %d bytes",
                       SMTP_SECRET_MAX - 1);
    snprintf(s->url, sizeof s->url, "%s", url);
    snprintf(s->from, sizeof s->from, "%s", from);
    snprintf(s->user, sizeof s->user, "%s", user ? user : "");
    snprintf(s->password, sizeof s->password, "%s", password ? password : "");
    s->insecure = insecure;
    return 0;
}

void smtp_release(struct smtp *s)
{
    sodium_memzero(s->password, sizeof s->password);
}

static int header_ok(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

int smtp_message(const char *from, const char *to, const char *subject, const char *body,
                 int64_t now, struct buf *out, struct err *e)
{
    static const char *const days[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t day = now >= 0 ? now / 86400 : (now - 86399) / 86400, sec = now - day * 86400;
    int y;
    unsigned m, d;
    unsigned char rnd[16];
    char id[33];
    const char *domain = from ? strchr(from, '@') : NULL;

    if (!address_ok(from) || !address_ok(to) || !header_ok(subject))
        return err_set(e, ERR_INVALID, "a mail address or the subject is not a plain line");
    civil_from_days(day, &y, &m, &d);
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(id, sizeof id, rnd, sizeof rnd);
    buf_reset(out);
    if (buf_printf(out, e,
                   "Date: %s, %02u %s %04d %02d:%02d:%02d +0000\r\n"
                   "From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\nMessage-ID: <%s%s>\r\n"
                   "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                   "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n",
                   days[((day % 7) + 7) % 7], d, months[m - 1], y, (int)(sec / 3600),
                   (int)(sec / 60 % 60), (int)(sec % 60), from, to, subject, id, domain))
        return -1;
    for (const char *p = body; *p; p++) {
        if (*p == '\r')
            continue;
        if (*p == '\n' ? buf_puts(out, "\r\n", e) : buf_append(out, p, 1, e))
            return -1;
    }
    if (out->len < 2 || strcmp(buf_str(out) + out->len - 2, "\r\n") != 0)
        return buf_puts(out, "\r\n", e);
    return 0;
}

struct upload {
    const char *data;
    size_t len, at;
};

static size_t on_read(char *dst, size_t size, size_t nmemb, void *arg)
{
    struct upload *u = arg;
    size_t n = size * nmemb, left = u->len - u->at;
    if (n > left)
        n = left;
    memcpy(dst, u->data + u->at, n);
    u->at += n;
    return n;
}

int smtp_send(const struct smtp *s, const char *to, const char *subject, const char *body,
              struct err *e)
{
    int rc = -1;
    CURL *h = NULL;
    struct curl_slist *rcpt = NULL;
    struct buf msg;
    struct upload up;
    char errbuf[CURL_ERROR_SIZE], from[SMTP_ADDRESS_MAX + 3], rc_to[SMTP_ADDRESS_MAX + 3];
    CURLcode cc;

    buf_init(&msg, 1 << 16);
    errbuf[0] = '\0';
    if (smtp_message(s->from, to, subject, body, now_utc(), &msg, e))
        goto out;
    snprintf(from, sizeof from, "<%s>", s->from);
    snprintf(rc_to, sizeof rc_to, "<%s>", to);
    h = curl_easy_init();
    rcpt = curl_slist_append(NULL, rc_to);
    if (!h || !rcpt) {
        err_set(e, ERR_NOMEM, "cannot prepare a mail");
        goto out;
    }
    up.data = buf_str(&msg);
    up.len = msg.len;
    up.at = 0;
    curl_easy_setopt(h, CURLOPT_URL, s->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    /* STARTTLS is required, unless clear text was allowed (loopback tests). */
    curl_easy_setopt(h, CURLOPT_USE_SSL, s->insecure ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, s->timeout_s);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, s->timeout_s);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up.len);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (s->user[0]) {
        curl_easy_setopt(h, CURLOPT_USERNAME, s->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, s->password);
    }
    cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        err_set(e, ERR_IO, "the mail server did not take the mail: %.200s",
                errbuf[0] ? errbuf : curl_easy_strerror(cc));
        goto out;
    }
    rc = 0;
out:
    curl_slist_free_all(rcpt);
    if (h)
        curl_easy_cleanup(h);
    buf_release(&msg);
    return rc;
}
