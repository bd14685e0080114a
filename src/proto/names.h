/* names.h — the wire names both sides of the protocol spell the same way:
 * markings, memo states and the events of a memo's review, as they appear
 * in log leaves, the canonical form of a version and official renderings. */
#ifndef DISSENT_PROTO_NAMES_H
#define DISSENT_PROTO_NAMES_H

/* NULL-terminated; proto_markings and proto_states are in the order of the
 * channel's enum chan_marking and enum chan_state (channel/roles.h). */
extern const char *const proto_markings[];
extern const char *const proto_states[];
extern const char *const proto_state_events[];
/* The privileged roles, whose grant or removal is a public "role" leaf:
 * reviewer, leadership, auditor, admin. */
extern const char *const proto_privileged_roles[];

/* Index of name in a NULL-terminated list of names, or -1 (also for NULL). */
int proto_name_index(const char *const *names, const char *name);

#endif
