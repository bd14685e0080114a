/* channels.c — channels, their policies and holiday calendars. */
#include "store/store_internal.h"

#include <stdio.h>

#define CHANNEL_COLS                                                                               \
    "id, slug, name, preset, timezone, ceiling, ack_amount, ack_unit, answer_amount, "             \
    "answer_unit, ext_amount, ext_unit, min_ring"

int store_channel_insert(struct store *s, const struct st_channel *c, int64_t now, int64_t *id,
                         struct err *e)
{
    int rc = db_exec(s->db, e,
                     "INSERT INTO channels(slug, name, preset, timezone, ceiling, ack_amount, "
                     "ack_unit, answer_amount, answer_unit, ext_amount, ext_unit, min_ring, "
                     "created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "ssssiiiiiiiii", c->slug, c->name, c->preset, c->timezone, (int64_t)c->ceiling,
                     (int64_t)c->ack.amount, (int64_t)c->ack.unit, (int64_t)c->answer.amount,
                     (int64_t)c->answer.unit, (int64_t)c->ext.amount, (int64_t)c->ext.unit,
                     (int64_t)c->min_ring, now);
    if (rc == 0)
        *id = db_last_id(s->db);
    else if (e && e->code == ERR_CONFLICT)
        err_set(e, ERR_CONFLICT, "a channel with the slug '%s' already exists", c->slug);
    return rc;
}

static int channel_fill(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_channel *c = item;
    c->id = db_int(st, 0);
    c->slug = store_col_dup(p, st, 1);
    c->name = store_col_dup(p, st, 2);
    c->preset = store_col_dup(p, st, 3);
    c->timezone = store_col_dup(p, st, 4);
    c->ceiling = (int)db_int(st, 5);
    c->ack.amount = (int)db_int(st, 6);
    c->ack.unit = (int)db_int(st, 7);
    c->answer.amount = (int)db_int(st, 8);
    c->answer.unit = (int)db_int(st, 9);
    c->ext.amount = (int)db_int(st, 10);
    c->ext.unit = (int)db_int(st, 11);
    c->min_ring = (int)db_int(st, 12);
    return (c->slug && c->name && c->preset && c->timezone)
               ? 0
               : err_set(e, ERR_NOMEM, "out of memory");
}

static int channel_one(struct store *s, struct pool *p, struct st_channel *c, struct err *e,
                       const char *where, const char *types, int64_t id, const char *slug)
{
    int rc = -1, r;
    char sql[256];
    struct db_stmt *st;

    snprintf(sql, sizeof sql, "SELECT " CHANNEL_COLS " FROM channels WHERE %s", where);
    st =
        types[0] == 'i' ? db_query(s->db, e, sql, types, id) : db_query(s->db, e, sql, types, slug);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r == 0) {
        rc = err_set(e, ERR_NOT_FOUND, "no channel '%s'", slug ? slug : "?");
        goto out;
    }
    rc = channel_fill(p, st, c, e);
out:
    db_finish(st);
    return rc;
}

int store_channel_by_slug(struct store *s, struct pool *p, const char *slug, struct st_channel *c,
                          struct err *e)
{
    return channel_one(s, p, c, e, "slug = ?", "s", 0, slug);
}

int store_channel_by_id(struct store *s, struct pool *p, int64_t id, struct st_channel *c,
                        struct err *e)
{
    return channel_one(s, p, c, e, "id = ?", "i", id, NULL);
}

int store_channel_list(struct store *s, struct pool *p, struct st_channel **out, size_t *n,
                       struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof **out, channel_fill, e,
                        "SELECT " CHANNEL_COLS " FROM channels ORDER BY slug", NULL);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_holiday_add(struct store *s, int64_t channel_id, int64_t day, const char *name,
                      struct err *e)
{
    return db_exec(s->db, e,
                   "INSERT INTO holidays(channel_id, day, name) VALUES(?, ?, ?) ON "
                   "CONFLICT(channel_id, day) DO UPDATE SET name = excluded.name",
                   "iis", channel_id, day, name);
}

static int day_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    (void)p;
    (void)e;
    *(int64_t *)item = db_int(st, 0);
    return 0;
}

/* One statement (every memo page reads the days: a round trip each on
 * PostgreSQL), the list grown as the rows come. */
int store_holiday_days(struct store *s, struct pool *p, int64_t channel_id, int64_t **days,
                       size_t *n, struct err *e)
{
    struct store_vec v = {0};
    int rc =
        store_rows(s, p, &v, sizeof **days, day_row, e,
                   "SELECT day FROM holidays WHERE channel_id = ? ORDER BY day", "i", channel_id);
    *days = v.items;
    *n = v.n;
    return rc;
}

static int holiday_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_holiday *h = item;
    h->day = db_int(st, 0);
    return store_col_text(p, st, 1, &h->name, e);
}

int store_holiday_list(struct store *s, struct pool *p, int64_t channel_id, struct st_holiday **out,
                       size_t *n, struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof **out, holiday_row, e,
                        "SELECT day, name FROM holidays WHERE channel_id = ? ORDER BY day", "i",
                        channel_id);
    *out = v.items;
    *n = v.n;
    return rc;
}
