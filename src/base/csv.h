/* csv.h — writing CSV (RFC 4180) that is safe to open in a spreadsheet.
 *
 * RFC 4180: records end with CRLF; a field holding a comma, a double quote,
 * CR or LF is enclosed in double quotes, and a double quote inside it is
 * doubled. Spreadsheets also run a cell that starts with = + - @ (or a tab
 * or CR, which some of them skip first) as a formula, so a title such as
 * =HYPERLINK(…) could act when an auditor opens the export: such a field is
 * written with a leading apostrophe, which spreadsheets show as text, and
 * quoted. The apostrophe is visible in the raw file; that is the price of
 * opening it safely (OWASP, "CSV injection"). */
#ifndef DISSENT_BASE_CSV_H
#define DISSENT_BASE_CSV_H

#include "base/buf.h"

/* Appends s (NULL: an empty field) as one field, preceded by a comma unless
 * it is the first of its record (first != 0). Returns 0 or -1 (buf errors). */
int csv_field(struct buf *b, const char *s, int first, struct err *e) WUR;

/* Ends the record (CRLF). */
int csv_end(struct buf *b, struct err *e) WUR;

#endif
