/* stats.c — responsiveness figures from log leaves (see stats.h). */
#include "proto/stats.h"

#include "base/tz.h"
#include "base/util.h"
#include "proto/events.h"

#include <stdlib.h>
#include <string.h>

/* What the log says about one memo of the channel. */
struct smemo {
    char id[32];
    int ours;               /* its first version leaf names the channel */
    int64_t submitted;      /* 0: not submitted */
    int64_t due[2], met[2]; /* [0] acknowledgement, [1] answer; 0 = unset */
    int64_t withdrawn;
};

/* Memos by id: open addressing, grown at half load. */
struct smap {
    struct smemo *m;
    size_t cap, n;
};

static uint64_t hash_id(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct smemo *smap_get(struct smap *t, const char *id, int create)
{
    if (create && (t->n + 1) * 2 > t->cap) {
        struct smap g = {calloc(t->cap ? t->cap * 2 : 64, sizeof *g.m), t->cap ? t->cap * 2 : 64,
                         0};
        if (!g.m)
            return NULL;
        for (size_t i = 0; i < t->cap; i++)
            if (t->m[i].id[0]) {
                size_t k = hash_id(t->m[i].id) & (g.cap - 1);
                while (g.m[k].id[0])
                    k = (k + 1) & (g.cap - 1);
                g.m[k] = t->m[i];
                g.n++;
            }
        free(t->m);
        *t = g;
    }
    if (!t->cap)
        return NULL;
    for (size_t k = hash_id(id) & (t->cap - 1);; k = (k + 1) & (t->cap - 1)) {
        if (!t->m[k].id[0]) {
            if (!create)
                return NULL;
            snprintf(t->m[k].id, sizeof t->m[k].id, "%s", id);
            t->n++;
            return &t->m[k];
        }
        if (strcmp(t->m[k].id, id) == 0)
            return &t->m[k];
    }
}

static int64_t time_of(const json_t *o, const char *field)
{
    int64_t t = 0;
    const char *s = json_string_value(json_object_get(o, field));
    return s && time_parse_utc(s, &t) == 0 ? t : 0;
}

/* Applies one checked leaf. Returns 0, or -1 when out of memory. */
static int apply(struct smap *t, const json_t *o, const char *channel, int64_t *missed_leaves)
{
    const char *kind = json_string_value(json_object_get(o, "kind"));
    const char *id = json_string_value(json_object_get(o, "memo"));
    struct smemo *m;
    if (!id)
        return 0; /* rosters: about no memo */
    m = smap_get(t, id, strcmp(kind, "version") == 0);
    if (!m) /* a memo whose first leaf is not a version is none of ours */
        return strcmp(kind, "version") == 0 ? -1 : 0;
    if (strcmp(kind, "version") == 0) {
        if (m->ours == 0)
            m->ours =
                strcmp(json_string_value(json_object_get(o, "channel")), channel) == 0 ? 1 : -1;
    } else if (m->ours == 1 && strcmp(kind, "deadline-missed") == 0) {
        (*missed_leaves)++;
    } else if (m->ours == 1 && strcmp(kind, "state") == 0) {
        const char *ev = json_string_value(json_object_get(o, "event"));
        int64_t at = time_of(o, "at");
        if (strcmp(ev, "submitted") == 0) {
            m->submitted = at;
            m->due[0] = time_of(o, "acknowledge_due");
            m->due[1] = time_of(o, "answer_due");
        } else if (strcmp(ev, "acknowledged") == 0) {
            m->met[0] = at;
        } else if (strcmp(ev, "extended") == 0) {
            m->due[1] = time_of(o, "answer_due");
        } else if (strcmp(ev, "answered") == 0) {
            m->met[1] = at;
        } else if (strcmp(ev, "withdrawn") == 0) {
            m->withdrawn = at;
        }
    }
    return 0;
}

/* One month's decided deadlines. */
struct smonth {
    int64_t key; /* y * 12 + m - 1 */
    int64_t met, missed;
};

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_month(const void *a, const void *b)
{
    return cmp_i64(&((const struct smonth *)a)->key, &((const struct smonth *)b)->key);
}

static json_t *median_json(int64_t *v, size_t n)
{
    if (n == 0)
        return json_null();
    qsort(v, n, sizeof *v, cmp_i64);
    if (n % 2)
        return json_real((double)v[n / 2]);
    return json_real((double)(v[n / 2 - 1] + v[n / 2]) / 2.0);
}

int proto_stats_compute(const json_t *leaves, const char *channel, const char *timezone,
                        const struct cal_calendar *cal, int64_t now, json_t **out, struct err *e)
{
    int rc = -1;
    struct smap t = {0};
    struct smonth *months = NULL;
    size_t nmonths = 0, i;
    int64_t *days[2] = {NULL, NULL}, missed_leaves = 0, submitted = 0, overdue_memos = 0;
    int64_t met[2] = {0}, missed[2] = {0}, pending[2] = {0}, overdue[2] = {0};
    size_t ndays[2] = {0};
    json_t *leaf, *mj = NULL;
    char asof[21];
    static const struct cal_calendar no_holidays = {0};

    *out = NULL;
    if (!cal)
        cal = &no_holidays;
    json_array_foreach(leaves, i, leaf)
    {
        json_t *o = NULL;
        const char *data = json_string_value(leaf);
        if (!data || proto_leaf_check(data, strlen(data), &o, e)) {
            char why[ERR_MSG_MAX];
            snprintf(why, sizeof why, "%s", data ? e->msg : "not a string");
            err_set(e, ERR_INVALID, "leaf %zu: %s", i, why);
            goto out;
        }
        if (apply(&t, o, channel, &missed_leaves)) {
            json_decref(o);
            err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        json_decref(o);
    }
    days[0] = calloc(t.n + 1, sizeof(int64_t));
    days[1] = calloc(t.n + 1, sizeof(int64_t));
    months = calloc(2 * t.n + 1, sizeof *months);
    if (!days[0] || !days[1] || !months) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < t.cap; k++) {
        const struct smemo *m = &t.m[k];
        int late_now = 0;
        if (!m->id[0] || m->ours != 1 || !m->submitted)
            continue;
        submitted++;
        for (int w = 0; w < 2; w++) {
            int64_t due = m->due[w], end, day0 = tz_local_day(timezone, m->submitted);
            int is_met, is_missed;
            if (!due)
                continue;
            /* as deadline.h: it ends when met, else at a withdrawal, else runs now */
            end = m->met[w] ? m->met[w] : m->withdrawn ? m->withdrawn : now;
            is_met = m->met[w] && m->met[w] <= due;
            is_missed = end > due;
            if (m->met[w])
                days[w][ndays[w]++] =
                    cal_working_days_between(cal, day0, tz_local_day(timezone, m->met[w]));
            if (is_met)
                met[w]++;
            else if (is_missed)
                missed[w]++;
            else if (!m->withdrawn)
                pending[w]++;
            if (!m->met[w] && !m->withdrawn && now > due) {
                overdue[w]++;
                late_now = 1;
            }
            if (is_met || is_missed) {
                int y;
                unsigned mo, d;
                int64_t key;
                size_t j;
                civil_from_days(tz_local_day(timezone, due), &y, &mo, &d);
                key = (int64_t)y * 12 + (mo - 1);
                for (j = 0; j < nmonths && months[j].key != key; j++)
                    ;
                if (j == nmonths)
                    months[nmonths++].key = key;
                if (is_met)
                    months[j].met++;
                else
                    months[j].missed++;
            }
        }
        overdue_memos += late_now;
    }
    qsort(months, nmonths, sizeof *months, cmp_month);
    mj = json_array();
    for (size_t j = 0; mj && j < nmonths; j++) {
        char label[48];
        snprintf(label, sizeof label, "%04lld-%02lld", (long long)(months[j].key / 12),
                 (long long)(months[j].key % 12 + 1));
        json_array_append_new(mj, json_pack("{s:s,s:I,s:I}", "month", label, "met",
                                            (json_int_t)months[j].met, "missed",
                                            (json_int_t)months[j].missed));
    }
    time_format_utc(asof, now);
    *out =
        json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:{s:I,s:I,s:I,s:I,s:o},s:{s:I,s:I,s:I,s:I,s:o},s:o}",
                  "channel", channel, "timezone", timezone, "as_of", asof, "memos_submitted",
                  (json_int_t)submitted, "overdue_now", (json_int_t)overdue_memos, "missed_leaves",
                  (json_int_t)missed_leaves, "acknowledgement", "met", (json_int_t)met[0], "missed",
                  (json_int_t)missed[0], "pending", (json_int_t)pending[0], "overdue_now",
                  (json_int_t)overdue[0], "median_working_days", median_json(days[0], ndays[0]),
                  "answer", "met", (json_int_t)met[1], "missed", (json_int_t)missed[1], "pending",
                  (json_int_t)pending[1], "overdue_now", (json_int_t)overdue[1],
                  "median_working_days", median_json(days[1], ndays[1]), "months", mj);
    mj = NULL;
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    json_decref(mj);
    free(days[0]);
    free(days[1]);
    free(months);
    free(t.m);
    return rc;
}
