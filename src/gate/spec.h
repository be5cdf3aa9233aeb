#ifndef RIG_GATE_SPEC_H
#define RIG_GATE_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/err.h"

/*
 * DesignRuleSpec: the normalised in-memory form of a rules file. Three input
 * shapes are accepted (see docs/specgate.md): a single rule object,
 * {"rules": [...]} / {"examples": [...]}, and the document-level container
 * with must_rules / should_rules / must_not_rules.
 */

enum sg_priority { SG_MUST = 0, SG_SHOULD = 1, SG_MUST_NOT = 2, SG_PRIORITY_COUNT };

enum sg_area {
    SG_AREA_API = 0,
    SG_AREA_ARCH,
    SG_AREA_SEC,
    SG_AREA_PERF,
    SG_AREA_DATA,
    SG_AREA_COUNT
};

struct sg_rule {
    char *id;                  /* rule_id, e.g. "RULE-API-001" */
    enum sg_priority priority;
    enum sg_area area;
    char *title;
    char *description;
    int confidence;            /* reliability.total_score 0..100, -1 when absent */
    int gate_threshold;        /* reliability.gate_threshold, -1 when absent */
    bool has_rule_weight;      /* ci_info.drift_calculation.rule_weight given */
    double rule_weight;
    bool has_area_weight;      /* ci_info.drift_calculation.area_weight given */
    double area_weight;
    bool has_points[SG_PRIORITY_COUNT]; /* ci_info.drift_calculation.violation_points */
    double points[SG_PRIORITY_COUNT];
    json_t *json;              /* the rule object as given (borrowed from the ruleset):
                                  generators read scope, ci_info.* etc. from here */
    char *pointer;             /* JSON pointer of the rule in the source, for messages */
    int line;                  /* line of the rule in the source file, 0 when unknown */
};

struct sg_ruleset {
    struct sg_rule *rules;
    size_t n;
    char *source;              /* file name */
    json_t *root;              /* owned */
};

/* Load and validate. Every problem is appended to errs as
 * "<file>:<line>:<col>: <json pointer>: <message>" (file/line/col in the
 * rig_err fields). Returns 0 when the set is usable, -1 when errs got an error.
 * Unknown fields are errors (with a "did you mean" hint) so typos never pass
 * silently; unknown rule ids referenced in related_rules are warnings only. */
int sg_ruleset_load_file(const char *path, struct sg_ruleset *out, struct rig_errlist *errs);
int sg_ruleset_load_string(const char *name, const char *text, size_t len, struct sg_ruleset *out,
                           struct rig_errlist *errs);

/* Rules files larger than this are refused (RIG_ETOOBIG). */
#define SG_SPEC_MAX_BYTES (8u * 1024u * 1024u)

/* After a load, entries of errs that are warnings (unknown related_rules,
 * enabled tools without their ci_info block) rather than errors: their message
 * reads "<pointer>: warning: ...". A load that returns 0 may still have added
 * warnings. */
bool sg_err_is_warning(const struct rig_err *e);

const struct sg_rule *sg_ruleset_find(const struct sg_ruleset *set, const char *id);
void sg_ruleset_release(struct sg_ruleset *set);

/* "MUST", "SHOULD", "MUST NOT" */
const char *sg_priority_name(enum sg_priority p);
/* "API", "ARCH", "SEC", "PERF", "DATA" */
const char *sg_area_name(enum sg_area a);
/* Accepts the codes and the aliases (api, architecture, arch, security, sec,
 * performance, perf, data, case-insensitive); -1 when unknown. */
int sg_area_parse(const char *s, enum sg_area *out);
int sg_priority_parse(const char *s, enum sg_priority *out);

#endif
