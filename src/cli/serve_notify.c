/* serve_notify.c — the SMTP client as the channel's mailer (serve_notify.h). */
#include "cli/serve_notify.h"

#include <string.h>

void serve_notify_init(struct serve_notify *sn)
{
    memset(sn, 0, sizeof *sn);
}

static int send_mail(void *ctx, const char *to, const char *subject, const char *body,
                     struct err *e)
{
    return smtp_send(ctx, to, subject, body, e);
}

void serve_notify_use_smtp(struct serve_notify *sn, const char *public_url)
{
    sn->mailer.send = send_mail;
    sn->mailer.ctx = &sn->smtp;
    sn->mailer.public_url = public_url;
    sn->mail = 1;
}

void serve_notify_release(struct serve_notify *sn)
{
    if (sn->mail)
        smtp_release(&sn->smtp);
    memset(&sn->mailer, 0, sizeof sn->mailer);
    sn->mail = 0;
}
