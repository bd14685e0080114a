/* roles.h — the vocabulary of the channel: roles, markings, memo states,
 * deadline units; with their names for JSON and the CLI. */
#ifndef DISSENT_CHANNEL_ROLES_H
#define DISSENT_CHANNEL_ROLES_H

#include "base/compat.h"
#include "proto/calendar.h"

enum chan_role {
    CHAN_ROLE_MEMBER = 1 << 0,
    CHAN_ROLE_REVIEWER = 1 << 1, /* the policy office */
    CHAN_ROLE_LEADERSHIP = 1 << 2,
    CHAN_ROLE_AUDITOR = 1 << 3, /* e.g. the inspector general */
    CHAN_ROLE_ADMIN = 1 << 4,   /* runs the system; reads no memo, sees no signer */
};
#define CHAN_ROLE_ALL 0x1f

enum chan_marking {
    CHAN_MARK_UNCLASSIFIED = 0,
    CHAN_MARK_SBU,
    CHAN_MARK_CONFIDENTIAL,
    CHAN_MARK_SECRET,
    CHAN_MARK_COUNT
};

enum chan_state {
    CHAN_STATE_DRAFT = 0,
    CHAN_STATE_CIRCULATING,
    CHAN_STATE_SUBMITTED,
    CHAN_STATE_ACKNOWLEDGED,
    CHAN_STATE_ANSWERED,
    CHAN_STATE_CLOSED,
    CHAN_STATE_WITHDRAWN,
    CHAN_STATE_COUNT
};

/* The units of proto/calendar.h, under the channel's names. */
enum chan_unit {
    CHAN_UNIT_WORKING_DAYS = CAL_WORKING_DAYS,
    CHAN_UNIT_DAYS = CAL_DAYS,
    CHAN_UNIT_MONTHS = CAL_MONTHS,
    CHAN_UNIT_COUNT = CAL_UNIT_COUNT
};

/* Name of one role bit ("member", …), or NULL. */
const char *chan_role_name(unsigned role_bit);
/* Parses one role name into its bit. Returns 0 or -1. */
int chan_role_parse(const char *name, unsigned *bit) WUR;
/* Parses "member,reviewer" into bits. Returns 0 or -1 (unknown or empty). */
int chan_roles_parse_list(const char *list, unsigned *bits) WUR;

const char *chan_marking_name(int marking);
int chan_marking_parse(const char *name, int *marking) WUR;

const char *chan_state_name(int state);
const char *chan_unit_name(int unit);
int chan_unit_parse(const char *name, int *unit) WUR;

#endif
