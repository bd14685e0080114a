/* names.c — the wire names of markings, states and review events. */
#include "proto/names.h"

#include <stddef.h>
#include <string.h>

const char *const proto_markings[] = {"UNCLASSIFIED", "SBU", "CONFIDENTIAL", "SECRET", NULL};
const char *const proto_states[] = {"draft",    "circulating", "submitted", "acknowledged",
                                    "answered", "closed",      "withdrawn", NULL};
const char *const proto_state_events[] = {"circulated", "submitted", "acknowledged", "extended",
                                          "answered",   "closed",    "withdrawn",    NULL};
/* The roles whose holders can see or run more than a member: granting or
 * removing one is a public "role" leaf (events.c). Spelled as chan_role_name. */
const char *const proto_privileged_roles[] = {"reviewer", "leadership", "auditor", "admin", NULL};

int proto_name_index(const char *const *names, const char *name)
{
    for (int i = 0; name && names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}
