/* pages.h — the web interface: server-rendered HTML pages over the channel.
 *
 * Every page is a template of web/templates/ (header and footer are the
 * layout partials) filled with the channel's JSON as it is, plus what the
 * request says (typed fields, notices). Handlers read no field of that JSON
 * back and decide no policy: what a reader may do is the memo's "can", what
 * is due its "review"; templates derive the rest with helper calls
 * (tmpl_helpers.c). Pages work without JavaScript: forms POST with the session's CSRF
 * token, a successful POST answers 303 to a page, and a refused one renders
 * its form again with the message and with what the person typed.
 *
 * The route table `page_routes` (app.h) lives in pages.c; the handlers live
 * by concept in pages_home.c (login, home, public), pages_memo.c (a memo, its
 * versions, diff, signatures, access log), pages_edit.c (new memo, edit,
 * preview), pages_review.c (acknowledge, extend, answer, close, messages),
 * pages_account.c (setup links, the account page) and pages_admin.c
 * (organizations, members and their resets, channels, holidays). docs/ui.md
 * describes the pages and who sees what.
 */
#ifndef DISSENT_HTTP_PAGES_H
#define DISSENT_HTTP_PAGES_H

#include "http/app.h"

#include <jansson.h>
#include <stdint.h>

/* One request to a page: who is asking, and the data the template will see. */
struct page {
    struct http_request *req;
    struct http_response *res;
    struct app *app;
    struct actor actor; /* valid when logged_in */
    int logged_in;
    int framed;   /* page_frame was called */
    json_t *data; /* the template's data (owned; page_end frees it) */
};

/* Starts a page for a logged-in person. Returns 0 when the handler may go
 * on. Otherwise the response is already sent and the handler must return:
 * a GET without a session gets 303 to /login?next=<path>; a POST without a
 * valid session or CSRF token gets 403 (or 303 to /login) and changes nothing. */
int page_begin(struct page *pg, struct http_request *req, struct http_response *res, void *app) WUR;

/* Starts a page that anyone may see (login, public). A session, if there is
 * one, is used for the navigation. Never fails. */
void page_begin_open(struct page *pg, struct http_request *req, struct http_response *res,
                     void *app);

/* Frees what the page holds. */
void page_end(struct page *pg);

/* Sets the page title, the navigation (current = nav key of this page:
 * "home", "new", "public" or NULL) and the classification marking shown as a
 * banner at top and bottom (NULL for none). A page whose title or marking
 * comes from the channel's JSON passes NULL and its template sets them
 * around the header and footer partials:
 * {{#obj "page_title" memo.version.title "marking" ...}}{{>header}}{{/obj}}. */
void page_frame(struct page *pg, const char *title, const char *current, const char *marking);

/* Renders template name with pg->data and replies with status. On a
 * template failure replies 500. */
void page_render(struct page *pg, int status, const char *name);

/* Replies with the error page for e (401 becomes 303 to /login). */
void page_fail(struct page *pg, const struct err *e);

/* Replies with the error page: status, and message for people. */
void page_error(struct page *pg, int status, const char *message);

/* A form field of the request, or NULL. Text of textareas has CRLF turned
 * into LF (a pool string). */
const char *page_field(struct page *pg, const char *name);

/* Like page_field, "" when absent. */
const char *page_field_or_empty(struct page *pg, const char *name);

/* msg as a sentence for people: first letter capitalized, a final period
 * added when it has none (a pool string; msg itself if out of memory). */
const char *page_sentence(struct page *pg, const char *msg);

/* Sets key on pg->data to the string s ("" for NULL). */
void page_set_str(struct page *pg, const char *key, const char *s);

/* Renders Markdown md as HTML into a new JSON string (NULL on failure, with e). */
json_t *page_markdown(const char *md, struct err *e);

/* Sets data.organizations to the organizations ({slug, name}), so that
 * templates name an organization rather than show its slug:
 * {{>org_name}} with `organization` (a slug) in context. Leaves it unset if
 * they cannot be read (the slug is shown then). */
void page_organizations(struct page *pg);
/* 1 if the actor holds role bit r. */
int page_has_role(const struct page *pg, unsigned r);

/* Redirects (303) to the page of memo id, with an optional "#anchor". */
void page_redirect_memo(struct page *pg, const char *id, const char *anchor);

/* next if it is a plain path on this site ("/…" of path characters only:
 * no "//", backslash, control character or percent-encoding), else "/". */
const char *page_safe_next(const char *next);

/* ---- handlers (routes in pages.c) ---- */
void page_login_form(struct http_request *req, struct http_response *res, void *app);
void page_login(struct http_request *req, struct http_response *res, void *app);
void page_logout(struct http_request *req, struct http_response *res, void *app);
void page_home(struct http_request *req, struct http_response *res, void *app);
/* pages_find.c: the memo list page (GET /memos) and leadership's reminder. */
void page_memo_list(struct http_request *req, struct http_response *res, void *app);
void page_memo_remind(struct http_request *req, struct http_response *res, void *app);
/* pages_public.c: the public lookup by id or verification line (POST /public/find). */
void page_public_find(struct http_request *req, struct http_response *res, void *app);
void page_public(struct http_request *req, struct http_response *res, void *app);
/* POST /memos/:id/refresh-rings: drafters add members who enrolled since. */
void page_memo_refresh_rings(struct http_request *req, struct http_response *res, void *app);
/* GET /public/channels/:slug: a channel's responsiveness from the log (no login). */
void page_public_channel(struct http_request *req, struct http_response *res, void *app);
/* POST /public/check: checks a pasted copy against the log (no login). */
void page_public_check(struct http_request *req, struct http_response *res, void *app);
/* GET /help/anonymous (pages_help.c): what an anonymous signer's connection
 * still shows the server, and how to sign through Tor. Open to everyone. */
void page_help_anonymous(struct http_request *req, struct http_response *res, void *app);

void page_memo(struct http_request *req, struct http_response *res, void *app);
void page_memo_diff(struct http_request *req, struct http_response *res, void *app);
void page_memo_signers(struct http_request *req, struct http_response *res, void *app);
void page_memo_access(struct http_request *req, struct http_response *res, void *app);
/* GET /audit and GET /audit.csv (pages_audit.c): the auditor's access log,
 * searched by memo, member and dates, a page at a time or every matching
 * read as CSV. */
void page_audit(struct http_request *req, struct http_response *res, void *app);
void page_audit_csv(struct http_request *req, struct http_response *res, void *app);
void page_memo_sign(struct http_request *req, struct http_response *res, void *app);
void page_memo_unsign(struct http_request *req, struct http_response *res, void *app);
void page_memo_circulate(struct http_request *req, struct http_response *res, void *app);
void page_memo_submit(struct http_request *req, struct http_response *res, void *app);
void page_memo_withdraw(struct http_request *req, struct http_response *res, void *app);
/* POST /memos/:id/drafters (username) and /memos/:id/drafters/:username/remove:
 * drafters add and remove co-drafters (pages_memo.c). */
void page_memo_drafter_add(struct http_request *req, struct http_response *res, void *app);
void page_memo_drafter_remove(struct http_request *req, struct http_response *res, void *app);

/* Notifications (pages_notify.c): the list, opening one (marks it read),
 * marking read, the choices on the account page. */
void page_notifications(struct http_request *req, struct http_response *res, void *app);
void page_notification_open(struct http_request *req, struct http_response *res, void *app);
void page_notifications_read(struct http_request *req, struct http_response *res, void *app);
void page_account_notifications(struct http_request *req, struct http_response *res, void *app);

void page_new_form(struct http_request *req, struct http_response *res, void *app);
void page_new(struct http_request *req, struct http_response *res, void *app);
void page_edit_form(struct http_request *req, struct http_response *res, void *app);
void page_edit(struct http_request *req, struct http_response *res, void *app);

void page_review_acknowledge(struct http_request *req, struct http_response *res, void *app);
void page_review_extend(struct http_request *req, struct http_response *res, void *app);
void page_review_answer(struct http_request *req, struct http_response *res, void *app);
void page_review_close(struct http_request *req, struct http_response *res, void *app);
void page_review_message(struct http_request *req, struct http_response *res, void *app);

void page_admin_org(struct http_request *req, struct http_response *res, void *app);
void page_admin_member(struct http_request *req, struct http_response *res, void *app);
void page_admin_channel(struct http_request *req, struct http_response *res, void *app);
void page_admin_holiday(struct http_request *req, struct http_response *res, void *app);
void page_admin_reminder(struct http_request *req, struct http_response *res, void *app);
/* POST /admin/members/:username/reset|disable|enable. */
void page_admin_member_reset(struct http_request *req, struct http_response *res, void *app);
void page_admin_member_disable(struct http_request *req, struct http_response *res, void *app);
void page_admin_member_enable(struct http_request *req, struct http_response *res, void *app);
/* POST /admin/settings: the installation's settings (totp_required = "on" or absent). */
void page_admin_settings(struct http_request *req, struct http_response *res, void *app);

/* One's own account (pages_account.c): the setup link's form and its
 * completion, the account page with its events, changing the password, a
 * new recovery code. */
void page_setup_form(struct http_request *req, struct http_response *res, void *app);
void page_setup(struct http_request *req, struct http_response *res, void *app);
void page_account(struct http_request *req, struct http_response *res, void *app);
void page_account_password(struct http_request *req, struct http_response *res, void *app);
void page_account_recovery(struct http_request *req, struct http_response *res, void *app);

/* The second factor (pages_totp.c): POST /login/totp, the second step of a
 * sign-in; GET /account/totp and its forms (POST /account/totp starts an
 * enrollment, …/confirm, …/disable, …/recovery-codes). */
void page_login_totp(struct http_request *req, struct http_response *res, void *app);
void page_totp(struct http_request *req, struct http_response *res, void *app);
void page_totp_enroll(struct http_request *req, struct http_response *res, void *app);
void page_totp_confirm(struct http_request *req, struct http_response *res, void *app);
void page_totp_disable(struct http_request *req, struct http_response *res, void *app);
void page_totp_recovery(struct http_request *req, struct http_response *res, void *app);
/* Renders the form of the second step of a sign-in for the pending login
 * (from chan_login or chan_setup_complete), with next and an error (NULL). */
void page_login_totp_show(struct page *pg, int status, const char *pending, const char *next,
                          const char *error);

/* ---- shared between files ---- */

/* Form state of a refused POST on the memo page: which form, its message,
 * and the text typed (NULL when none). */
struct memo_form {
    const char *form; /* "sign", "extend", "answer", "message", "act", ... */
    const char *error;
    const char *text;
};

/* Renders the memo page of id at version (0: latest) with status; form, if
 * not NULL, is a refused form to show again. */
void page_memo_show(struct page *pg, const char *id, int version, int status,
                    const struct memo_form *form);

/* Handles a POST of a state change on the memo params[0]: op with the text
 * of form field `field` (NULL: none); on success 303 to the memo with notice
 * `done` at #anchor, on refusal the memo page again with form `form_name`. */
void page_memo_act_post(struct http_request *req, struct http_response *res, void *app,
                        enum chan_op op, const char *field, const char *form_name, const char *done,
                        const char *anchor);
/* Like page_memo_act_post for the steps that cannot be undone (submit,
 * withdraw, close): the form's "confirm" checkbox must be ticked, else the
 * memo page comes back (400) with unconfirmed as the form's error and
 * nothing changes. The checkbox is `required`, so browsers ask first; the
 * check here holds without them (docs/ui.md, "Confirmations"). */
void page_memo_act_confirmed(struct http_request *req, struct http_response *res, void *app,
                             enum chan_op op, const char *form_name, const char *done,
                             const char *anchor, const char *unconfirmed);

/* A refused admin form: which ("org", "member", "channel", "holiday"), the
 * message, and the typed fields {name: text} (borrowed). */
struct admin_form {
    const char *form;
    const char *error;
    json_t *typed;
    json_t *setup; /* a setup link just made ({username, setup:{url,…}}), shown once, or NULL */
};

/* Fills pg->data for the home page (the sections of every role the actor
 * holds). admin_form, if not NULL, is a refused admin form to show again. */
void page_home_show(struct page *pg, int status, const struct admin_form *admin_form);

/* Fills the admin section of home into pg->data; admin_form as above. */
void pages_admin_section(struct page *pg, const struct admin_form *admin_form);

/* The server's HTML error hook (http_server_config.html_error): renders the
 * error template for 404, 405, 413, ... with the site's frame. */
void pages_html_error(struct http_request *req, struct http_response *res, int status,
                      const char *message, void *app);

#endif
