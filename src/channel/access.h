/* access.h — the access log's rules: which reads the drafters of a memo see
 * by name and which only as a count per day. Every response that carries
 * memo text, titles or signer identities records a read (docs/api.md, "The
 * access log"); write replies carry none of these, so they record nothing.
 *
 * Drafters see by name the reads of the policy office, leadership, auditors
 * and their co-drafters — the people accountable to them — and the reads of
 * other members only as a number per day, so that reading a memo one might
 * co-sign does not put one's name before its authors. Auditors see every
 * read by name. A read keeps the capacity of its moment: a member who later
 * becomes a reviewer or a co-drafter is not named for earlier reads. */
#ifndef DISSENT_CHANNEL_ACCESS_H
#define DISSENT_CHANNEL_ACCESS_H

#include "channel/roles.h"

/* Readers the drafters see by name, besides their co-drafters. */
#define CHAN_ACCESS_NAMED_ROLES (CHAN_ROLE_REVIEWER | CHAN_ROLE_LEADERSHIP | CHAN_ROLE_AUDITOR)

/* What the access log records when a memo list shows a memo's title. */
#define CHAN_ACCESS_LISTED "title in a memo list"

/* What the access log records when the auditor's search shows a memo's
 * title, and when an export of it carries the title (once per memo shown). */
#define CHAN_ACCESS_AUDITED  "title in the access log"
#define CHAN_ACCESS_EXPORTED "title in an access-log export"

/* The capacity of a read by a holder of roles, a drafter of the memo or not:
 * "drafter", "reviewer", "leadership", "auditor" or "member". */
const char *chan_access_as(unsigned roles, int drafter);

/* 1 when the memo's drafters see this read by name, 0 when only counted. */
int chan_access_named(unsigned roles, int drafter);

#endif
