#ifndef RIG_ADAPTERS_AI_AI_PARSE_H
#define RIG_ADAPTERS_AI_AI_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "adapters/ai/ai.h"
#include "core/err.h"

/*
 * Strict parsing of model answers (schemas in docs/ai-protocol.md).
 *
 * The answer may wrap the object in code fences or prose; the object is found
 * by a balanced-brace scan that respects JSON strings, then parsed strictly.
 * Error messages locate the problem in the answer ("answer line 3:14: ...")
 * and are written so they can be sent back to the model in a repair request.
 */

/* Locate the first complete top-level JSON object in text that parses. On
 * success *start and *len delimit it and the parsed object is returned (new
 * reference). NULL with err set when there is no object, when it is not closed
 * (truncated answer) or when it is not valid JSON. */
json_t *rig_ai_extract_json(const char *text, size_t *start, size_t *len, struct rig_err *err);

/* {"plan": "...", "files_to_change": ["path", ...]} */
int rig_ai_parse_plan(const char *text, char **plan_text, char ***files_to_change,
                      struct rig_err *err);

/* {"summary": "...", "test_notes": "...", "files": [change...]}; require_files:
 * an empty files array is an invalid answer. */
int rig_ai_parse_changeset(const char *text, bool require_files, struct rig_ai_changeset *out,
                           struct rig_err *err);

/* {"explanation": "...", "files": [change...]}; a change to a path listed as
 * readonly in infra is rejected. */
int rig_ai_parse_proposal(const char *text, const struct rig_ai_file *infra, size_t ninfra,
                          struct rig_ai_proposal *out, struct rig_err *err);

/* {"explanation": "...", "suggestions": ["...", ...]} -> readable text. */
int rig_ai_parse_explain(const char *text, char **out, struct rig_err *err);

#endif
