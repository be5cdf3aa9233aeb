#ifndef RIG_GATE_SARIF_H
#define RIG_GATE_SARIF_H

#include <stddef.h>

#include <jansson.h>

#include "core/err.h"
#include "gate/spec.h"

/* SARIF 2.1.0 log of the scored violations in drift-score.json, for GitHub
 * code scanning: one result per violation that has a file (MUST / MUST NOT
 * -> "error", SHOULD -> "warning"; line 0 becomes line 1), one rule
 * descriptor per rule that has results. Violations without a file cannot be
 * located and are counted in *unlocated. */
int sg_sarif_from_score(const json_t *score, const char *name, const struct sg_ruleset *rules,
                        json_t **out, size_t *unlocated, struct rig_err *err);

#endif
