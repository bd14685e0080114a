/* Tests for src/channel/can.c: what each actor may do on a memo in each
 * state, as one table of state × role → the set of "can" entries; the
 * reasons of refusals; and that chan_can never grants what the access rules
 * or the state machine refuse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "channel/can.h"
#include "channel/chan_internal.h"

#include <stdio.h>
#include <string.h>

enum who { DRAFTER, COSIGNER, COSIGNER_OLD, MEMBER, REVIEWER, LEADERSHIP, AUDITOR, ADMIN };

/* The memo (latest version 2, shown) as seen by one actor. */
static struct memo_ctx ctx(int state, enum who w, int extended, int ext_allowed)
{
    struct memo_ctx x;
    memset(&x, 0, sizeof x);
    x.m.state = state;
    x.m.latest_version = 2;
    x.m.extended = extended;
    x.m.submitted_at = state >= CHAN_STATE_SUBMITTED ? 1000 : 0; /* withdrawn: after submission */
    x.ch.ext.amount = ext_allowed ? 60 : 0;
    x.ch.slug = "c";
    x.ch.preset = "p";
    switch (w) {
    case DRAFTER:
        x.roles = CHAN_ROLE_MEMBER;
        x.rel = CHAN_REL_DRAFTER;
        break;
    case COSIGNER: /* signed the version shown */
        x.roles = CHAN_ROLE_MEMBER;
        x.rel = CHAN_REL_SIGNER;
        x.signed_version = 2;
        break;
    case COSIGNER_OLD: /* signed version 1 */
        x.roles = CHAN_ROLE_MEMBER;
        x.rel = CHAN_REL_SIGNER;
        x.signed_version = 1;
        break;
    case MEMBER:
        x.roles = CHAN_ROLE_MEMBER;
        break;
    case REVIEWER:
        x.roles = CHAN_ROLE_REVIEWER;
        break;
    case LEADERSHIP:
        x.roles = CHAN_ROLE_LEADERSHIP;
        break;
    case AUDITOR:
        x.roles = CHAN_ROLE_AUDITOR;
        break;
    case ADMIN:
        x.roles = CHAN_ROLE_ADMIN;
        x.rel = CHAN_REL_DRAFTER; /* even so */
        break;
    }
    return x;
}

/* The entries granted, as "edit submit …" in enum order. */
static void granted(const struct memo_ctx *x, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (int w = 0; w < CHAN_CAN_COUNT; w++)
        if (chan_can(x, w, 2))
            used +=
                (size_t)snprintf(out + used, n - used, "%s%s", used ? " " : "", chan_can_name(w));
}

#define DC "read_messages signers counts access_log"
#define OR "read_messages signers counts"

static void test_table(void **state)
{
    (void)state;
    static const struct {
        int state;
        enum who who;
        int extended, ext_allowed;
        const char *want;
    } cases[] = {
        {CHAN_STATE_DRAFT, DRAFTER, 0, 1,
         "edit add_drafter circulate submit withdraw signers counts access_log"},
        {CHAN_STATE_DRAFT, MEMBER, 0, 1, ""},
        {CHAN_STATE_DRAFT, REVIEWER, 0, 1, ""},
        {CHAN_STATE_DRAFT, AUDITOR, 0, 1, "access_log"},
        {CHAN_STATE_DRAFT, ADMIN, 0, 1, ""},
        {CHAN_STATE_CIRCULATING, DRAFTER, 0, 1,
         "edit add_drafter sign submit withdraw signers counts access_log refresh_rings"},
        {CHAN_STATE_CIRCULATING, COSIGNER, 0, 1, "unsign counts"},
        {CHAN_STATE_CIRCULATING, COSIGNER_OLD, 0, 1, "move unsign counts"},
        {CHAN_STATE_CIRCULATING, MEMBER, 0, 1, "sign counts"},
        {CHAN_STATE_CIRCULATING, REVIEWER, 0, 1, ""},
        {CHAN_STATE_CIRCULATING, LEADERSHIP, 0, 1, ""},
        {CHAN_STATE_CIRCULATING, AUDITOR, 0, 1, "access_log"},
        {CHAN_STATE_CIRCULATING, ADMIN, 0, 1, ""},
        {CHAN_STATE_SUBMITTED, DRAFTER, 0, 1, "withdraw message " DC},
        {CHAN_STATE_SUBMITTED, COSIGNER, 0, 1, "counts"},
        {CHAN_STATE_SUBMITTED, MEMBER, 0, 1, ""},
        {CHAN_STATE_SUBMITTED, REVIEWER, 0, 1, "acknowledge extend message " OR},
        {CHAN_STATE_SUBMITTED, REVIEWER, 0, 0, "acknowledge message " OR},
        {CHAN_STATE_SUBMITTED, LEADERSHIP, 0, 1, OR},
        {CHAN_STATE_SUBMITTED, AUDITOR, 0, 1, "access_log"},
        {CHAN_STATE_ACKNOWLEDGED, DRAFTER, 0, 1, "withdraw message " DC},
        {CHAN_STATE_ACKNOWLEDGED, REVIEWER, 0, 1, "extend answer message " OR},
        {CHAN_STATE_ACKNOWLEDGED, REVIEWER, 1, 1, "answer message " OR},
        {CHAN_STATE_ACKNOWLEDGED, LEADERSHIP, 0, 1, OR},
        {CHAN_STATE_ANSWERED, DRAFTER, 0, 1, "close message " DC},
        {CHAN_STATE_ANSWERED, COSIGNER, 0, 1, "counts"},
        {CHAN_STATE_ANSWERED, REVIEWER, 0, 1, "close message " OR},
        {CHAN_STATE_ANSWERED, LEADERSHIP, 0, 1, OR},
        {CHAN_STATE_CLOSED, DRAFTER, 0, 1, DC},
        {CHAN_STATE_CLOSED, REVIEWER, 0, 1, OR},
        {CHAN_STATE_CLOSED, LEADERSHIP, 0, 1, OR},
        {CHAN_STATE_WITHDRAWN, DRAFTER, 0, 1, DC},
        {CHAN_STATE_WITHDRAWN, COSIGNER, 0, 1, "counts"},
        {CHAN_STATE_WITHDRAWN, REVIEWER, 0, 1, ""},
        {CHAN_STATE_WITHDRAWN, LEADERSHIP, 0, 1, ""},
        {CHAN_STATE_WITHDRAWN, AUDITOR, 0, 1, "access_log"},
    };
    char got[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct memo_ctx x =
            ctx(cases[i].state, cases[i].who, cases[i].extended, cases[i].ext_allowed);
        granted(&x, got, sizeof got);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu (state %s, who %d): got '%s', want '%s'", i,
                     chan_state_name(cases[i].state), (int)cases[i].who, got, cases[i].want);
    }
}

/* Why a refusal: the most basic reason first. */
static void test_reasons(void **state)
{
    (void)state;
    static const struct {
        int state;
        enum who who;
        int extended, ext_allowed;
        int what, version;
        enum err_code want;
    } cases[] = {
        {CHAN_STATE_DRAFT, MEMBER, 0, 1, CHAN_CAN_EDIT, 0, ERR_FORBIDDEN},
        {CHAN_STATE_SUBMITTED, DRAFTER, 0, 1, CHAN_CAN_EDIT, 0, ERR_STATE},
        {CHAN_STATE_SUBMITTED, REVIEWER, 1, 1, CHAN_CAN_EXTEND, 0, ERR_STATE},
        {CHAN_STATE_SUBMITTED, REVIEWER, 0, 0, CHAN_CAN_EXTEND, 0, ERR_STATE},
        {CHAN_STATE_CLOSED, REVIEWER, 0, 1, CHAN_CAN_EXTEND, 0, ERR_STATE},
        {CHAN_STATE_SUBMITTED, LEADERSHIP, 0, 1, CHAN_CAN_EXTEND, 0, ERR_FORBIDDEN},
        {CHAN_STATE_CIRCULATING, MEMBER, 0, 1, CHAN_CAN_SIGN, 3, ERR_INVALID},
        {CHAN_STATE_CIRCULATING, MEMBER, 0, 1, CHAN_CAN_SIGN, 0, ERR_INVALID},
        {CHAN_STATE_CIRCULATING, COSIGNER, 0, 1, CHAN_CAN_MOVE, 2, ERR_CONFLICT},
        {CHAN_STATE_CIRCULATING, COSIGNER, 0, 1, CHAN_CAN_SIGN, 1, ERR_CONFLICT},
        {CHAN_STATE_CIRCULATING, MEMBER, 0, 1, CHAN_CAN_MOVE, 2, ERR_CONFLICT},
        {CHAN_STATE_CIRCULATING, MEMBER, 0, 1, CHAN_CAN_UNSIGN, 0, ERR_CONFLICT},
        {CHAN_STATE_SUBMITTED, MEMBER, 0, 1, CHAN_CAN_SIGN, 2, ERR_STATE},
        {CHAN_STATE_CIRCULATING, ADMIN, 0, 1, CHAN_CAN_EDIT, 0, ERR_FORBIDDEN},
        {CHAN_STATE_CIRCULATING, DRAFTER, 0, 1, CHAN_CAN_READ_MESSAGES, 0, ERR_STATE},
        {CHAN_STATE_CIRCULATING, MEMBER, 0, 1, CHAN_CAN_READ_MESSAGES, 0, ERR_FORBIDDEN},
        {CHAN_STATE_CIRCULATING, DRAFTER, 0, 1, CHAN_CAN_COUNT, 0, ERR_INTERNAL},
        {CHAN_STATE_CIRCULATING, DRAFTER, 0, 1, -1, 0, ERR_INTERNAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct memo_ctx x =
            ctx(cases[i].state, cases[i].who, cases[i].extended, cases[i].ext_allowed);
        struct err e;
        err_init(&e);
        if (chan_check(&x, cases[i].what, cases[i].version, &e) != -1 || e.code != cases[i].want)
            fail_msg("case %zu: code %d (%s), want %d", i, (int)e.code, e.msg, (int)cases[i].want);
        assert_true(e.msg[0] != '\0');
        assert_int_equal(chan_can(&x, cases[i].what, cases[i].version), 0);
    }
}

/* Over every state, actor and entry: chan_can grants nothing that the
 * access rules refuse (the "can" object never offers a forbidden action). */
static void test_never_beyond_rules(void **state)
{
    (void)state;
    static const int action[CHAN_CAN_COUNT] = {
        [CHAN_CAN_EDIT] = CHAN_ACT_REVISE,
        [CHAN_CAN_ADD_DRAFTER] = CHAN_ACT_ADD_DRAFTER,
        [CHAN_CAN_CIRCULATE] = CHAN_ACT_CIRCULATE,
        [CHAN_CAN_SIGN] = CHAN_ACT_SIGN,
        [CHAN_CAN_MOVE] = CHAN_ACT_SIGN,
        [CHAN_CAN_UNSIGN] = CHAN_ACT_UNSIGN,
        [CHAN_CAN_SUBMIT] = CHAN_ACT_SUBMIT,
        [CHAN_CAN_WITHDRAW] = CHAN_ACT_WITHDRAW,
        [CHAN_CAN_ACKNOWLEDGE] = CHAN_ACT_ACKNOWLEDGE,
        [CHAN_CAN_EXTEND] = CHAN_ACT_EXTEND,
        [CHAN_CAN_ANSWER] = CHAN_ACT_ANSWER,
        [CHAN_CAN_CLOSE] = CHAN_ACT_CLOSE,
        [CHAN_CAN_MESSAGE] = CHAN_ACT_POST_MESSAGE,
        [CHAN_CAN_READ_MESSAGES] = CHAN_ACT_READ_MESSAGES,
        [CHAN_CAN_SIGNERS] = CHAN_ACT_READ_SIGNERS,
        [CHAN_CAN_COUNTS] = CHAN_ACT_READ_COUNTS,
        [CHAN_CAN_ACCESS_LOG] = CHAN_ACT_READ_MEMO_ACCESS_LOG,
        [CHAN_CAN_REFRESH_RINGS] = CHAN_ACT_REVISE,
    };
    for (int st = 0; st < CHAN_STATE_COUNT; st++)
        for (int w = DRAFTER; w <= ADMIN; w++)
            for (int k = 0; k < CHAN_CAN_COUNT; k++) {
                struct memo_ctx x = ctx(st, (enum who)w, 0, 1);
                if (chan_can(&x, k, 2))
                    assert_true(chan_allowed(action[k], x.roles, x.rel, st));
            }
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(chan_can_name(CHAN_CAN_EDIT), "edit");
    assert_string_equal(chan_can_name(CHAN_CAN_REFRESH_RINGS), "refresh_rings");
    assert_null(chan_can_name(CHAN_CAN_COUNT));
    assert_null(chan_can_name(-1));
    for (int k = 0; k < CHAN_CAN_COUNT; k++)
        for (int j = k + 1; j < CHAN_CAN_COUNT; j++)
            assert_true(strcmp(chan_can_name(k), chan_can_name(j)) != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_never_beyond_rules),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
