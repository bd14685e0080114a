/* counts.c — the co-signature counts of a memo: named and anonymous
 * together, and each on its own. */
#include "channel/chan_internal.h"

#include <stdlib.h>
#include <string.h>

/* Counts of one kind as {total, by_version:[{version,count}],
 * by_organization:[{organization,count}]}. */
static json_t *counts_json(const struct st_counts *k)
{
    json_t *byv = json_array(), *byo = json_array();
    for (size_t i = 0; byv && i < k->n_version; i++)
        json_array_append_new(byv, json_pack("{s:i,s:I}", "version", k->by_version[i].version,
                                             "count", (json_int_t)k->by_version[i].count));
    for (size_t i = 0; byo && i < k->n_org; i++)
        json_array_append_new(byo, json_pack("{s:s,s:I}", "organization", k->by_org[i].organization,
                                             "count", (json_int_t)k->by_org[i].count));
    return json_pack("{s:I,s:o,s:o}", "total", (json_int_t)k->total, "by_version", byv,
                     "by_organization", byo);
}

static int cmp_version(const void *a, const void *b)
{
    int x = ((const struct st_version_count *)a)->version;
    int y = ((const struct st_version_count *)b)->version;
    return (x > y) - (x < y);
}

/* Named plus anonymous into *sum (arrays from p): per version sorted by
 * version; per organization the named ones first, in their order, then
 * organizations with anonymous signatures only. */
static int counts_add(struct pool *p, const struct st_counts *named, const struct st_counts *anon,
                      struct st_counts *sum, struct err *e)
{
    size_t nv = named->n_version + anon->n_version, no = named->n_org + anon->n_org;
    sum->total = named->total + anon->total;
    sum->n_version = sum->n_org = 0;
    sum->by_version = pool_alloc(p, (nv ? nv : 1) * sizeof *sum->by_version);
    sum->by_org = pool_alloc(p, (no ? no : 1) * sizeof *sum->by_org);
    if (!sum->by_version || !sum->by_org)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < nv; i++) {
        const struct st_version_count *r =
            i < named->n_version ? &named->by_version[i] : &anon->by_version[i - named->n_version];
        size_t j = 0;
        while (j < sum->n_version && sum->by_version[j].version != r->version)
            j++;
        if (j == sum->n_version)
            sum->by_version[sum->n_version++] = (struct st_version_count){r->version, 0};
        sum->by_version[j].count += r->count;
    }
    for (size_t i = 0; i < no; i++) {
        const struct st_org_count *r =
            i < named->n_org ? &named->by_org[i] : &anon->by_org[i - named->n_org];
        size_t j = 0;
        while (j < sum->n_org && strcmp(sum->by_org[j].organization, r->organization) != 0)
            j++;
        if (j == sum->n_org)
            sum->by_org[sum->n_org++] = (struct st_org_count){r->organization, 0};
        sum->by_org[j].count += r->count;
    }
    if (sum->n_version)
        qsort(sum->by_version, sum->n_version, sizeof *sum->by_version, cmp_version);
    return 0;
}

int chan_counts_combined(struct chan *c, int64_t memo_id, json_t **out, struct err *e)
{
    return chan_counts_combined_with(c, memo_id, NULL, out, e);
}

int chan_counts_combined_with(struct chan *c, int64_t memo_id, const struct st_counts *named,
                              json_t **out, struct err *e)
{
    int rc = -1;
    struct pool p;
    struct st_counts read, anon, sum;
    json_t *all = NULL;

    pool_init(&p, 16u << 20);
    if (!named) {
        if (store_counts(c->st, &p, memo_id, &read, e))
            goto out;
        named = &read;
    }
    if (store_anon_counts(c->st, &p, memo_id, &anon, e) || counts_add(&p, named, &anon, &sum, e))
        goto out;
    all = counts_json(&sum);
    if (all && json_object_set_new(all, "named", counts_json(named)) == 0 &&
        json_object_set_new(all, "anonymous", counts_json(&anon)) == 0) {
        *out = all;
        all = NULL;
        rc = 0;
    } else {
        rc = err_set(e, ERR_NOMEM, "out of memory");
    }
out:
    json_decref(all);
    pool_release(&p);
    return rc;
}
