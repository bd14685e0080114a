/* witness_client.c — one add-checkpoint POST over libcurl. */
#include "client/witness_client.h"

#include <curl/curl.h>
#include <string.h>

int witness_client_global_init(struct err *e)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return err_set(e, ERR_INTERNAL, "cannot initialize libcurl");
    return 0;
}

static size_t on_reply(char *p, size_t size, size_t nmemb, void *arg)
{
    struct err e;
    return buf_append(arg, p, size * nmemb, &e) == 0 ? size * nmemb : 0;
}

int witness_client_post(const char *url, const char *body, size_t len, long timeout_s, long *status,
                        struct buf *reply, struct err *e)
{
    int rc = -1;
    CURL *h = NULL;
    struct curl_slist *hdrs = NULL;
    char errbuf[CURL_ERROR_SIZE];
    CURLcode cc;

    errbuf[0] = '\0';
    *status = 0;
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        err_set(e, ERR_INVALID, "witness URL %.200s must start with http:// or https://", url);
        goto out;
    }
    h = curl_easy_init();
    hdrs = curl_slist_append(NULL, "Content-Type: text/plain; charset=utf-8");
    if (hdrs)
        hdrs = curl_slist_append(hdrs, "Expect:");
    if (!h || !hdrs) {
        err_set(e, ERR_NOMEM, "cannot prepare a request to a witness");
        goto out;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout_s);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "dissent-log");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_reply);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)65536);
    cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        err_set(e, ERR_IO, "witness at %.200s did not answer: %.200s", url,
                errbuf[0] ? errbuf : curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    rc = 0;
out:
    curl_slist_free_all(hdrs);
    if (h)
        curl_easy_cleanup(h);
    return rc;
}
