/* work_budget.c — per-client and global budgets of verification work. */
#include "http/work_budget.h"

#include "base/util.h"

#include <sodium.h>
#include <string.h>

void work_budget_defaults(struct work_budget_config *cfg)
{
    cfg->per_client = WORK_BUDGET_PER_CLIENT;
    cfg->global = WORK_BUDGET_GLOBAL;
    cfg->window_s = WORK_BUDGET_WINDOW_S;
    cfg->requests = WORK_BUDGET_REQUESTS;
}

int work_budget_parse(const char *s, struct work_budget_config *cfg, struct err *e)
{
    int64_t v[4];
    size_t n = 0;
    const char *p = s;
    work_budget_defaults(cfg);
    while (p && n < 4) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char num[24];
        if (len == 0 || len >= sizeof num)
            break;
        memcpy(num, p, len);
        num[len] = '\0';
        if (parse_i64(num, 1, INT64_C(1) << 40, &v[n]))
            break;
        n++;
        p = comma ? comma + 1 : NULL;
    }
    if (p || n < 3)
        return err_set(e, ERR_INVALID,
                       "the anonymous work budget is PER_CLIENT,GLOBAL,WINDOW_S[,REQUESTS] "
                       "(positive whole numbers), not '%.60s'",
                       s);
    cfg->per_client = (uint64_t)v[0];
    cfg->global = (uint64_t)v[1];
    cfg->window_s = v[2];
    if (n == 4)
        cfg->requests = v[3] > UINT32_MAX ? UINT32_MAX : (uint32_t)v[3];
    return 0;
}

void work_budget_init(struct work_budget *b, const struct work_budget_config *cfg)
{
    memset(b, 0, sizeof *b);
    randombytes_buf(b->key, sizeof b->key);
    b->cfg = *cfg;
}

void work_budget_release(struct work_budget *b)
{
    sodium_memzero(b, sizeof *b);
}

/* The slot of id for the window of now, emptied when its window has
 * turned. Two clients in one slot share its budget (rare with 4,096 slots,
 * and only ever stricter). */
static struct work_slot *slot_of(struct work_budget *b, const unsigned char id[WORK_BUDGET_ID],
                                 int64_t now)
{
    uint32_t h = (uint32_t)id[0] | (uint32_t)id[1] << 8 | (uint32_t)id[2] << 16;
    struct work_slot *s = &b->slots[h % WORK_BUDGET_SLOTS];
    int64_t window = now - now % b->cfg.window_s;
    if (s->window != window) {
        s->window = window;
        s->spent = 0;
        s->requests = 0;
    }
    return s;
}

/* Whether cost fits in a budget of max with spent used: always when nothing
 * is spent yet, so one request larger than the budget (100 proofs on a
 * very large ring) still goes through once per window. */
static int fits(uint64_t spent, uint64_t cost, uint64_t max)
{
    return spent == 0 || (cost <= max && spent <= max - cost);
}

static int busy(const struct work_budget *b, int64_t now, const char *whose, struct err *e)
{
    int64_t wait = b->cfg.window_s - now % b->cfg.window_s;
    return err_set(e, ERR_RATE,
                   "%s: try again in %lld s (nothing was counted; the same proof stays good)",
                   whose, (long long)wait);
}

int work_budget_request(struct work_budget *b, const unsigned char id[WORK_BUDGET_ID], int64_t now,
                        struct err *e)
{
    struct work_slot *s = slot_of(b, id, now);
    if (s->requests >= b->cfg.requests)
        return busy(b, now, "too many anonymous requests from your address", e);
    s->requests++;
    return 0;
}

int work_budget_spend(struct work_budget *b, const unsigned char id[WORK_BUDGET_ID], uint64_t cost,
                      int64_t now, struct err *e)
{
    struct work_slot *s = slot_of(b, id, now);
    int64_t window = now - now % b->cfg.window_s;
    if (b->window != window) {
        b->window = window;
        b->spent = 0;
    }
    if (!fits(s->spent, cost, b->cfg.per_client))
        return busy(b, now, "your address has used its share of signature verification for now", e);
    if (!fits(b->spent, cost, b->cfg.global))
        return busy(b, now, "the server is busy verifying anonymous signatures", e);
    s->spent += cost;
    b->spent += cost;
    return 0;
}
