/* roles.c — names of roles, markings, states and units. */
#include "channel/roles.h"
#include "proto/names.h"

#include <stddef.h>
#include <string.h>

static const char *const role_names[] = {"member", "reviewer", "leadership", "auditor", "admin"};
static const char *const unit_names[] = {
    [CHAN_UNIT_WORKING_DAYS] = "working_days",
    [CHAN_UNIT_DAYS] = "days",
    [CHAN_UNIT_MONTHS] = "months",
};

/* Index of name in a table, or -1. */
static int lookup(const char *const *table, size_t n, const char *name)
{
    int found = -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i], name) == 0)
            found = (int)i;
    return found;
}

const char *chan_role_name(unsigned role_bit)
{
    const char *name = NULL;
    for (size_t i = 0; i < ARRAY_LEN(role_names); i++)
        if (role_bit == 1u << i)
            name = role_names[i];
    return name;
}

int chan_role_parse(const char *name, unsigned *bit)
{
    int i = lookup(role_names, ARRAY_LEN(role_names), name);
    if (i < 0)
        return -1;
    *bit = 1u << i;
    return 0;
}

int chan_roles_parse_list(const char *list, unsigned *bits)
{
    char word[32];
    size_t n = 0;
    unsigned acc = 0, bit;
    for (const char *p = list;; p++) {
        if (*p == ',' || *p == '\0') {
            word[n] = '\0';
            if (n == 0 || chan_role_parse(word, &bit))
                return -1;
            acc |= bit;
            n = 0;
            if (*p == '\0')
                break;
        } else if (n + 1 < sizeof word) {
            word[n++] = *p;
        } else {
            return -1;
        }
    }
    *bits = acc;
    return 0;
}

/* Markings and states are spelled as on the wire (proto/names.h), whose
 * lists follow the order of the enums. */
const char *chan_marking_name(int marking)
{
    return marking >= 0 && marking < CHAN_MARK_COUNT ? proto_markings[marking] : "UNKNOWN";
}

int chan_marking_parse(const char *name, int *marking)
{
    int i = proto_name_index(proto_markings, name);
    if (i < 0 || i >= CHAN_MARK_COUNT)
        return -1;
    *marking = i;
    return 0;
}

const char *chan_state_name(int state)
{
    return state >= 0 && state < CHAN_STATE_COUNT ? proto_states[state] : "unknown";
}

const char *chan_unit_name(int unit)
{
    return unit >= 0 && unit < CHAN_UNIT_COUNT ? unit_names[unit] : "unknown";
}

int chan_unit_parse(const char *name, int *unit)
{
    int i = lookup(unit_names, ARRAY_LEN(unit_names), name);
    if (i < 0)
        return -1;
    *unit = i;
    return 0;
}
