/* audit.h — the auditor's access log at the HTTP edge, shared by the API
 * (api_admin.c) and the page (pages_audit.c): reading the search from a
 * query string, and writing the result as CSV. */
#ifndef DISSENT_HTTP_AUDIT_H
#define DISSENT_HTTP_AUDIT_H

#include "base/buf.h"
#include "base/json.h"
#include "channel/chan.h"
#include "http/server.h"

/* The Content-Type of the export: CSV (RFC 4180) in UTF-8, with a header row. */
#define AUDIT_CSV_TYPE "text/csv; charset=utf-8; header=present"

/* Fills q from the query parameters memo, member, from, to, page and
 * per_page (q borrows from req). ERR_INVALID when page or per_page is not a
 * whole number; the channel checks the rest. */
int audit_query(const struct http_request *req, struct chan_access_query *q, struct err *e) WUR;

/* Appends the entries of a chan_access_search reply to out as CSV: a header
 * row, then one row per read (at, memo, title, reader, display_name, as,
 * what), fields escaped and formulas defused (base/csv.h). */
int audit_csv(const json_t *log, struct buf *out, struct err *e) WUR;

/* Replies 200 with the CSV in out and Content-Disposition: attachment with a
 * file name that carries today's date (UTC). */
void audit_csv_reply(struct http_response *res, const struct buf *out);

#endif
