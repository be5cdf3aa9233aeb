/*
 * drift-score.json writer and the weights file reader.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "gate/drift.h"
#include "core/banned.h"

#define SG_DRIFT_SCHEMA "specgate.drift-score/v1"

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *area_json(const struct sg_drift *d, const struct sg_drift_opts *o)
{
    json_t *areas = json_object();

    for (int a = 0; a < SG_AREA_COUNT; a++) {
        const struct sg_area_score *s = &d->areas[a];

        json_object_set_new(areas, sg_area_name((enum sg_area)a),
                            json_pack("{s:i, s:f, s:I, s:I, s:f}", "score", s->score, "raw", s->raw,
                                      "violations", (json_int_t)s->violations, "blocking",
                                      (json_int_t)s->blocking, "weight", o->area_weight[a]));
    }
    return areas;
}

static json_t *violation_json(const struct sg_violation *v)
{
    const struct sg_finding *f = v->finding;
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:s, s:f, s:f, s:f, s:f, s:b}",
                          "rule", v->rule->id, "area", sg_area_name(v->rule->area), "priority",
                          sg_priority_name(v->rule->priority), "tool", sg_tool_name(f->tool),
                          "check_id", f->check_id, "file", str_or_null(f->file), "line", f->line,
                          "message", f->message, "points", v->points, "base_points",
                          v->base_points, "rule_weight", v->rule_weight, "area_weight",
                          v->area_weight, "counted", v->excluded == NULL);

    if (v->excluded)
        json_object_set_new(o, "excluded", json_string(v->excluded));
    return o;
}

static json_t *unmapped_json(const struct sg_finding *f)
{
    json_t *o = json_pack("{s:s, s:s, s:o, s:i, s:s, s:o}", "tool", sg_tool_name(f->tool),
                          "check_id", f->check_id, "file", str_or_null(f->file), "line", f->line,
                          "message", f->message, "source", str_or_null(f->source));

    if (f->unknown_rule)
        json_object_set_new(o, "unknown_rule", json_string(f->unknown_rule));
    return o;
}

static json_t *errors_json(const struct sg_findings *f)
{
    json_t *a = json_array();

    for (size_t i = 0; i < f->nerr; i++) {
        const struct sg_tool_error *e = &f->errors[i];

        json_array_append_new(a, json_pack("{s:s, s:b, s:s, s:s, s:s, s:o, s:o}", "tool",
                                           sg_tool_name(e->tool), "fatal", e->fatal, "level",
                                           e->level, "type", e->type, "message", e->message,
                                           "path", str_or_null(e->path), "source",
                                           str_or_null(e->source)));
    }
    return a;
}

static json_t *inputs_json(const struct sg_findings *f)
{
    json_t *a = json_array();

    for (size_t i = 0; i < f->ninputs; i++) {
        const struct sg_input_info *in = &f->inputs[i];

        json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I}", "tool", sg_tool_name(in->tool),
                                           "path", in->path, "findings", (json_int_t)in->findings,
                                           "tool_errors", (json_int_t)in->errors));
    }
    return a;
}

static json_t *weights_json(const struct sg_drift_opts *o)
{
    json_t *area = json_object(), *pts = json_object();

    for (int a = 0; a < SG_AREA_COUNT; a++)
        json_object_set_new(area, sg_area_name((enum sg_area)a), json_real(o->area_weight[a]));
    for (int p = 0; p < SG_PRIORITY_COUNT; p++)
        json_object_set_new(pts, sg_priority_name((enum sg_priority)p), json_real(o->points[p]));
    return json_pack("{s:o, s:o, s:b, s:I}", "area_weights", area, "violation_points", pts,
                     "gate_only", o->gate_only, "max_per_rule", (json_int_t)o->max_per_rule);
}

json_t *sg_drift_to_json(const struct sg_drift *d, const struct sg_findings *f,
                         const struct sg_drift_opts *o, const char *rules_path)
{
    json_t *viol = json_array(), *unm = json_array(), *plan = json_array();
    size_t counted = 0;

    for (size_t i = 0; i < d->nv; i++) {
        json_array_append_new(viol, violation_json(&d->v[i]));
        counted += d->v[i].excluded == NULL;
    }
    for (size_t i = 0; i < d->nunmapped; i++)
        json_array_append_new(unm, unmapped_json(d->unmapped[i]));
    for (size_t i = 0; i < d->nplan; i++) {
        const struct sg_fix_step *s = &d->plan[i];

        json_array_append_new(plan, json_pack("{s:s, s:f, s:i, s:s}", "area",
                                              sg_area_name(s->area), "points", s->points,
                                              "score_after", s->score_after, "status_after",
                                              sg_status_name(s->status_after)));
    }
    return json_pack("{s:s, s:i, s:f, s:s, s:b, s:{s:i, s:i}, s:o, s:o, s:I, s:I, s:o, s:o, "
                     "s:o, s:o, s:o, s:o, s:s}",
                     "schema", SG_DRIFT_SCHEMA, "total_score", d->total_score, "raw_total",
                     d->raw_total, "status", sg_status_name(d->status), "complete", d->complete,
                     "thresholds", "fail", d->fail_at, "warn", d->warn_at, "weights",
                     weights_json(o), "areas", area_json(d, o), "scored_violations",
                     (json_int_t)counted, "duplicates", (json_int_t)d->duplicates, "violations",
                     viol, "fix_plan", plan, "unmapped", unm, "tool_errors", errors_json(f),
                     "inputs", inputs_json(f), "rules", str_or_null(rules_path), "generator",
                     "specgate " RIG_VERSION);
}

static int weight_value(const json_t *v, const char *name, const char *where, const char *key,
                        double max, double *out, struct rig_err *err)
{
    double x;

    if (!json_is_number(v))
        return rig_err_set(err, RIG_EINVAL, "%s: %s.%s must be a number", name, where, key);
    x = json_number_value(v);
    if (!(x >= 0 && x <= max) || isnan(x))
        return rig_err_set(err, RIG_EINVAL, "%s: %s.%s = %g is outside 0..%g", name, where, key,
                           x, max);
    *out = x;
    return 0;
}

int sg_drift_weights_apply(const json_t *w, const char *name, struct sg_drift_opts *o,
                           struct rig_err *err)
{
    const char *key;
    json_t *v;

    if (!json_is_object(w))
        return rig_err_set(err, RIG_EINVAL, "%s: expected an object with \"area_weights\" "
                                            "and/or \"violation_points\"", name);
    json_object_foreach((json_t *)w, key, v) {
        const char *k2;
        json_t *v2;
        bool areas = strcmp(key, "area_weights") == 0;

        if (!areas && strcmp(key, "violation_points") != 0)
            return rig_err_set(err, RIG_EINVAL, "%s: unknown key \"%s\" (expected "
                                                "\"area_weights\" or \"violation_points\")",
                               name, key);
        if (!json_is_object(v))
            return rig_err_set(err, RIG_EINVAL, "%s: \"%s\" must be an object", name, key);
        json_object_foreach(v, k2, v2) {
            enum sg_area a;
            enum sg_priority p;

            if (areas && sg_area_parse(k2, &a) == 0) {
                if (weight_value(v2, name, key, k2, 10.0, &o->area_weight[a], err) < 0)
                    return -1;
            } else if (!areas && sg_priority_parse(k2, &p) == 0) {
                if (weight_value(v2, name, key, k2, 100.0, &o->points[p], err) < 0)
                    return -1;
            } else {
                return rig_err_set(err, RIG_EINVAL, "%s: %s: unknown %s \"%s\" (expected %s)",
                                   name, key, areas ? "area" : "priority", k2,
                                   areas ? "API, ARCH, SEC, PERF or DATA"
                                         : "MUST, SHOULD or MUST NOT");
            }
        }
    }
    return 0;
}
