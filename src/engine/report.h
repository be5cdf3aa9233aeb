#ifndef RIG_ENGINE_REPORT_H
#define RIG_ENGINE_REPORT_H

#include "core/err.h"
#include "store/store.h"

/*
 * A plain-text account of what happened to a task, for `rig explain` and as
 * the input of the AI's root-cause analysis: the phase that failed and its
 * error, every attempt (what changed, deploy result, failing tests with their
 * output tail), policy violations, proposals and the last error log lines.
 */
int rig_report_task(struct rig_store *st, const char *task_id, char **out, struct rig_err *err);

#endif
