/* pages_help.c — help pages open to everyone, without an account: what an
 * anonymous signer's connection still shows, and how to sign through Tor. */
#include "http/pages.h"

void page_help_anonymous(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    page_begin_open(&pg, req, res, app);
    page_frame(&pg, "Signing anonymously", NULL, NULL);
    page_render(&pg, 200, "help_anonymous");
    page_end(&pg);
}
