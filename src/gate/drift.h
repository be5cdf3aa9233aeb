#ifndef RIG_GATE_DRIFT_H
#define RIG_GATE_DRIFT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/err.h"
#include "gate/findings.h"
#include "gate/inputs.h"
#include "gate/spec.h"

/*
 * The Drift Score (docs/specgate.md, "Drift Score"):
 *
 *   points(v)   = violation_points[priority] x rule_weight x area_weight
 *   raw_total   = sum of points over the deduplicated, counted violations
 *   total_score = round_half_up(min(100, raw_total))
 *   status      = FAIL if total_score >= fail_at, WARN if >= warn_at, else PASS
 *
 * violation_points: the rule's ci_info.drift_calculation.violation_points, else
 * the --weights file, else MUST 10 / SHOULD 5 / MUST NOT 15. rule_weight: the
 * rule's explicit value, else from reliability.total_score (>= 90 -> 1.0,
 * 70..89 -> 0.7, < 70 -> 0.3, absent -> 1.0). area_weight: the rule's, else
 * the --weights file, else API 1.0, ARCH 0.8, SEC 0.9, PERF 0.6, DATA 0.7.
 */

enum sg_status { SG_STATUS_PASS = 0, SG_STATUS_WARN, SG_STATUS_FAIL };

#define SG_DRIFT_FAIL_AT 50
#define SG_DRIFT_WARN_AT 30

struct sg_drift_opts {
    int fail_at;
    int warn_at;
    double area_weight[SG_AREA_COUNT];
    double points[SG_PRIORITY_COUNT];
    bool gate_only;      /* rules below their gate_threshold are listed, not scored */
    size_t max_per_rule; /* score at most this many violations per rule; 0 = all */
};

struct sg_violation {
    const struct sg_rule *rule;
    const struct sg_finding *finding; /* borrowed from the sg_findings */
    double base_points;
    double rule_weight;
    double area_weight;
    double points;       /* what it adds to the score; 0 when excluded */
    const char *excluded; /* NULL when scored, else why not ("repeat-cap", "below-gate") */
};

struct sg_area_score {
    double raw;
    int score;           /* round_half_up(min(100, raw)) */
    size_t violations;   /* scored ones */
    size_t blocking;     /* scored MUST / MUST NOT ones */
};

struct sg_fix_step {
    enum sg_area area;
    double points;
    int score_after;     /* total after fixing this area and every earlier step */
    enum sg_status status_after;
};

struct sg_drift {
    double raw_total;
    int total_score;
    enum sg_status status;
    int fail_at, warn_at;
    bool complete;       /* no check failed to run (no fatal tool error) */
    struct sg_area_score areas[SG_AREA_COUNT];
    struct sg_violation *v; /* ordered: points desc, MUST NOT > MUST > SHOULD, area, rule, file, line */
    size_t nv;
    const struct sg_finding **unmapped;
    size_t nunmapped;
    size_t duplicates;
    struct sg_fix_step plan[SG_AREA_COUNT]; /* areas by points, biggest first */
    size_t nplan;
};

const char *sg_status_name(enum sg_status s); /* "PASS", "WARN", "FAIL" */
int sg_status_parse(const char *s, enum sg_status *out);

void sg_drift_opts_init(struct sg_drift_opts *o);
/* Overrides from a weights object: {"area_weights": {"API": 1.0, ...},
 * "violation_points": {"MUST": 10, ...}} (either key optional). */
int sg_drift_weights_apply(const json_t *w, const char *name, struct sg_drift_opts *o,
                           struct rig_err *err);

/* Half-up rounding with a 1e-9 tolerance, so 29.5 -> 30 and sums such as
 * 0.7 * 0.8 * 10 carried in binary floating point do not flip a threshold. */
int sg_drift_round(double v);
enum sg_status sg_drift_status(int score, int fail_at, int warn_at);
double sg_drift_rule_weight(const struct sg_rule *r);

int sg_drift_compute(const struct sg_ruleset *rules, const struct sg_findings *f,
                     const struct sg_drift_opts *o, struct sg_drift *out, struct rig_err *err);
void sg_drift_release(struct sg_drift *d);

/* drift-score.json (format in docs/specgate.md). rules_path may be NULL. */
json_t *sg_drift_to_json(const struct sg_drift *d, const struct sg_findings *f,
                         const struct sg_drift_opts *o, const char *rules_path);

/*
 * Everything `specgate drift score` and the drift_score MCP tool do: load the
 * rules, read every input, score, build the JSON. Inputs that are missing,
 * unreadable or not in the tool's format are errors (-1), never an empty PASS.
 */
struct sg_drift_request {
    const char *rules_path;
    const char *const *semgrep; /* result files */
    size_t nsemgrep;
    const char *const *junit;   /* files, directories or globs */
    size_t njunit;
    const char *const *oasdiff;
    size_t noasdiff;
    const char *weights_path;   /* NULL = none */
    bool allow_missing;         /* a --junit pattern matching nothing is not an error */
    struct sg_drift_opts opts;
    struct sg_input_opts input;
};

void sg_drift_request_init(struct sg_drift_request *r);
int sg_drift_run(const struct sg_drift_request *req, json_t **result, struct rig_err *err);

/* Load a rules file into set; every loader problem is folded into err. */
int sg_rules_load(const char *path, struct sg_ruleset *set, struct rig_err *err);

#endif
