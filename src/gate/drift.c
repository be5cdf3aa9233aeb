/*
 * The Drift Score: findings -> deduplicated, weighted violations -> 0..100.
 * Every decision the design document leaves open is listed in
 * docs/specgate.md ("Drift Score") and in drift.h.
 */
#include "gate/drift.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/str.h"
#include "core/banned.h"

static const double default_area_weight[SG_AREA_COUNT] = {1.0, 0.8, 0.9, 0.6, 0.7};
static const double default_points[SG_PRIORITY_COUNT] = {10.0, 5.0, 15.0};
static const char *const status_names[] = {"PASS", "WARN", "FAIL"};

const char *sg_status_name(enum sg_status s)
{
    return (unsigned)s <= SG_STATUS_FAIL ? status_names[s] : "UNKNOWN";
}

int sg_status_parse(const char *s, enum sg_status *out)
{
    for (int i = 0; i <= SG_STATUS_FAIL; i++) {
        if (s && strcmp(s, status_names[i]) == 0) {
            *out = (enum sg_status)i;
            return 0;
        }
    }
    return -1;
}

void sg_drift_opts_init(struct sg_drift_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->fail_at = SG_DRIFT_FAIL_AT;
    o->warn_at = SG_DRIFT_WARN_AT;
    memcpy(o->area_weight, default_area_weight, sizeof(o->area_weight));
    memcpy(o->points, default_points, sizeof(o->points));
}

int sg_drift_round(double v)
{
    if (!(v > 0))
        return 0;
    if (v >= 1e9)
        return 1000000000;
    return (int)floor(v + 0.5 + 1e-9);
}

enum sg_status sg_drift_status(int score, int fail_at, int warn_at)
{
    if (score >= fail_at)
        return SG_STATUS_FAIL;
    if (score >= warn_at)
        return SG_STATUS_WARN;
    return SG_STATUS_PASS;
}

double sg_drift_rule_weight(const struct sg_rule *r)
{
    if (r->has_rule_weight)
        return r->rule_weight > 0 ? r->rule_weight : 0.0;
    /* A rule without a reliability score was written by hand, not extracted:
     * nothing suggests it is less trustworthy, so it weighs in fully. */
    if (r->confidence < 0)
        return 1.0;
    if (r->confidence >= 90)
        return 1.0;
    if (r->confidence >= 70)
        return 0.7;
    return 0.3;
}

/* Weighted points carried to 1e-6 so that binary noise never accumulates. */
static double quantise(double v)
{
    return round(v * 1e6) / 1e6;
}

static int priority_rank(enum sg_priority p)
{
    return p == SG_MUST_NOT ? 0 : p == SG_MUST ? 1 : 2;
}

static int cmp_nullstr(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

/* Dedup key: rule + file + line. An unmapped finding has no rule, so its
 * tool and check id stand in; a finding without a line (class-level ArchUnit
 * locations, spec-level oasdiff changes) adds its message so that distinct
 * findings in one file are not merged. */
static int cmp_key(const struct sg_finding *a, const struct sg_finding *b)
{
    int c = cmp_nullstr(a->rule_id, b->rule_id);

    if (c)
        return c;
    if (!a->rule_id) {
        if (a->tool != b->tool)
            return a->tool < b->tool ? -1 : 1;
        if ((c = cmp_nullstr(a->check_id, b->check_id)) != 0)
            return c;
    }
    if ((c = cmp_nullstr(a->file, b->file)) != 0)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->line == 0)
        return cmp_nullstr(a->message, b->message);
    return 0;
}

static const struct sg_finding *sort_base;

static int cmp_index(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int c = cmp_key(&sort_base[a], &sort_base[b]);

    if (c)
        return c;
    return a < b ? -1 : a > b;
}

static int cmp_violation(const void *pa, const void *pb)
{
    const struct sg_violation *a = pa, *b = pb;
    int c;

    if (!a->excluded != !b->excluded)
        return a->excluded ? 1 : -1;
    if (a->points != b->points)
        return a->points > b->points ? -1 : 1;
    if ((c = priority_rank(a->rule->priority) - priority_rank(b->rule->priority)) != 0)
        return c;
    if (a->rule->area != b->rule->area)
        return a->rule->area < b->rule->area ? -1 : 1;
    if ((c = cmp_nullstr(a->rule->id, b->rule->id)) != 0)
        return c;
    if ((c = cmp_nullstr(a->finding->file, b->finding->file)) != 0)
        return c;
    if (a->finding->line != b->finding->line)
        return a->finding->line < b->finding->line ? -1 : 1;
    return cmp_nullstr(a->finding->message, b->finding->message);
}

/* keep[i] = finding i is the first of its key (in input order). */
static bool *dedup(const struct sg_findings *f, size_t *dups)
{
    size_t *idx = xcalloc(f->n + 1, sizeof(*idx));
    bool *keep = xcalloc(f->n + 1, sizeof(*keep));

    for (size_t i = 0; i < f->n; i++)
        idx[i] = i;
    sort_base = f->items;
    qsort(idx, f->n, sizeof(*idx), cmp_index);
    *dups = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (i > 0 && cmp_key(&f->items[idx[i]], &f->items[idx[i - 1]]) == 0)
            (*dups)++;
        else
            keep[idx[i]] = true;
    }
    free(idx);
    return keep;
}

static bool below_gate(const struct sg_rule *r)
{
    int threshold = r->gate_threshold >= 0 ? r->gate_threshold : 90;

    return r->confidence >= 0 && r->confidence < threshold;
}

static void score_violation(struct sg_violation *v, const struct sg_drift_opts *o)
{
    const struct sg_rule *r = v->rule;

    v->base_points = r->has_points[r->priority] ? r->points[r->priority] : o->points[r->priority];
    v->rule_weight = sg_drift_rule_weight(r);
    v->area_weight = r->has_area_weight ? r->area_weight : o->area_weight[r->area];
    v->points = quantise(v->base_points * v->rule_weight * v->area_weight);
}

/* Exclusions after ordering, so the repeat cap keeps the first locations. */
static void apply_exclusions(struct sg_drift *d, const struct sg_ruleset *rules,
                             const struct sg_drift_opts *o)
{
    size_t *scored;

    if (!d->nv)
        return;
    scored = xcalloc(rules->n + 1, sizeof(*scored));
    for (size_t i = 0; i < d->nv; i++) {
        struct sg_violation *v = &d->v[i];
        size_t r = (size_t)(v->rule - rules->rules);

        if (o->gate_only && below_gate(v->rule))
            v->excluded = "below-gate";
        else if (o->max_per_rule && scored[r] >= o->max_per_rule)
            v->excluded = "repeat-cap";
        if (v->excluded)
            v->points = 0;
        else
            scored[r]++;
    }
    free(scored);
    qsort(d->v, d->nv, sizeof(*d->v), cmp_violation);
}

static int cmp_area_raw(const void *pa, const void *pb)
{
    const struct sg_fix_step *a = pa, *b = pb;

    if (a->points != b->points)
        return a->points > b->points ? -1 : 1;
    return a->area < b->area ? -1 : a->area > b->area;
}

static void build_plan(struct sg_drift *d)
{
    d->nplan = 0;
    for (int a = 0; a < SG_AREA_COUNT; a++) {
        if (d->areas[a].violations) {
            d->plan[d->nplan].area = (enum sg_area)a;
            d->plan[d->nplan].points = d->areas[a].raw;
            d->nplan++;
        }
    }
    qsort(d->plan, d->nplan, sizeof(*d->plan), cmp_area_raw);
    for (size_t i = 0; i < d->nplan; i++) {
        double rest = 0;

        for (size_t j = i + 1; j < d->nplan; j++)
            rest += d->plan[j].points;
        d->plan[i].score_after = sg_drift_round(fmin(100.0, rest));
        d->plan[i].status_after = sg_drift_status(d->plan[i].score_after, d->fail_at, d->warn_at);
    }
}

int sg_drift_compute(const struct sg_ruleset *rules, const struct sg_findings *f,
                     const struct sg_drift_opts *o, struct sg_drift *d, struct rig_err *err)
{
    bool *keep;

    memset(d, 0, sizeof(*d));
    if (o->fail_at < 0 || o->warn_at < 0 || o->warn_at > o->fail_at || o->fail_at > 100)
        return rig_err_set(err, RIG_EINVAL, "thresholds must satisfy 0 <= warn (%d) <= fail "
                                            "(%d) <= 100", o->warn_at, o->fail_at);
    d->fail_at = o->fail_at;
    d->warn_at = o->warn_at;
    d->complete = sg_findings_fatal_count(f) == 0;
    keep = dedup(f, &d->duplicates);
    d->v = xcalloc(f->n + 1, sizeof(*d->v));
    d->unmapped = xcalloc(f->n + 1, sizeof(*d->unmapped));
    for (size_t i = 0; i < f->n; i++) {
        const struct sg_rule *r = f->items[i].rule_id ? sg_rules_by_id(rules, f->items[i].rule_id)
                                                      : NULL;

        if (!keep[i])
            continue;
        if (!r) {
            d->unmapped[d->nunmapped++] = &f->items[i];
            continue;
        }
        d->v[d->nv].rule = r;
        d->v[d->nv].finding = &f->items[i];
        score_violation(&d->v[d->nv], o);
        d->nv++;
    }
    free(keep);
    qsort(d->v, d->nv, sizeof(*d->v), cmp_violation);
    apply_exclusions(d, rules, o);
    for (size_t i = 0; i < d->nv; i++) {
        const struct sg_violation *v = &d->v[i];
        struct sg_area_score *a = &d->areas[v->rule->area];

        if (v->excluded)
            continue;
        a->raw += v->points;
        a->violations++;
        a->blocking += v->rule->priority != SG_SHOULD;
        d->raw_total += v->points;
    }
    d->raw_total = quantise(d->raw_total);
    for (int a = 0; a < SG_AREA_COUNT; a++) {
        d->areas[a].raw = quantise(d->areas[a].raw);
        d->areas[a].score = sg_drift_round(fmin(100.0, d->areas[a].raw));
    }
    d->total_score = sg_drift_round(fmin(100.0, d->raw_total));
    d->status = sg_drift_status(d->total_score, d->fail_at, d->warn_at);
    build_plan(d);
    return 0;
}

void sg_drift_release(struct sg_drift *d)
{
    if (!d)
        return;
    free(d->v);
    free(d->unmapped);
    memset(d, 0, sizeof(*d));
}
