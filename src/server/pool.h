#ifndef RIG_SERVER_POOL_H
#define RIG_SERVER_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "engine/engine.h"
#include "engine/wiring.h"
#include "store/store.h"

/*
 * The worker pool that runs queued tasks, never on an HTTP thread.
 *
 * `workers` threads take tasks in arrival order, skipping a task whose
 * project already runs `per_project_limit` tasks (it waits its turn, and the
 * next task of another project goes first). A task is run with
 * rig_engine_run on its project's engine: the engine's cancel watcher, stored
 * logs and events work as in `rig exec`, and engine lines are echoed to the
 * process log with the task id.
 *
 * The queue lives in memory; the store is the truth. A task waiting in the
 * queue is "queued" there (status running, phase queued, no owner), so after
 * a restart rig_pool_push is simply called again for it.
 */

struct rig_pool;

struct rig_pool_opts {
    int workers;            /* >= 1 */
    int per_project_limit;  /* >= 1 */
    struct rig_wiring *wiring;
    struct rig_store *store;
    rig_engine_event_fn on_event; /* may be NULL */
    void *event_ctx;
};

int rig_pool_start(const struct rig_pool_opts *o, struct rig_pool **out, struct rig_err *err);

/* Queue a stored, queued task of project p (a project of the pool's wiring). */
void rig_pool_push(struct rig_pool *pool, struct rig_wiring_project *p, const char *task_id);

void rig_pool_counts(struct rig_pool *pool, size_t *queued, size_t *running);

/*
 * Stop: no queued task is started any more (they stay queued in the store);
 * running tasks get grace_ms to finish, then are asked to cancel (the engine
 * records them as cancelled) and get cancel_wait_ms more. Returns how many
 * tasks are still running after that (0 normally); their threads are then
 * left alone and the pool must not be freed.
 */
size_t rig_pool_drain(struct rig_pool *pool, int64_t grace_ms, int64_t cancel_wait_ms);

/* After a drain that returned 0. NULL-safe. */
void rig_pool_free(struct rig_pool *pool);

#endif
