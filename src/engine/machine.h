#ifndef RIG_ENGINE_MACHINE_H
#define RIG_ENGINE_MACHINE_H

#include <stdbool.h>

#include "core/err.h"
#include "engine/phase.h"

/*
 * The task state machine. Every phase change goes through
 * rig_machine_check(), which accepts exactly the edges of one table, so an
 * illegal transition cannot be recorded whatever the caller does.
 *
 *   queued ─► planning ─► coding ─► committing ─► [awaiting_approval] ─► deploying
 *        ─► testing ─► reporting ─► completed
 *   testing  ─(tests fail, retries left)─► analyzing ─► coding ─► ...
 *   deploying ─(deploy fails)─► analyzing ─► awaiting_approval (infra proposal)
 *                                        └─► coding (no infra_files: a code failure)
 *   (retries used up) ─► rolling_back ─► failed    (or straight to failed)
 *   any running phase ─► failed | cancelled
 *   interrupted ─► the phase it was in (resume)
 *
 * Partial runs (`rig exec --step`, workflow.steps) use the shortcut edges:
 * queued ─► coding (no plan step), queued ─► deploying / testing (a step on an
 * existing branch), committing ─► deploying | testing | reporting | completed,
 * deploying ─► reporting | completed, testing ─► completed.
 */

bool rig_machine_allowed(enum rig_phase from, enum rig_phase to);

/* 0 when allowed; otherwise -1 with "illegal transition <from> -> <to>". */
int rig_machine_check(enum rig_phase from, enum rig_phase to, struct rig_err *err);

#endif
