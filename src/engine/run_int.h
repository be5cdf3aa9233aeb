#ifndef RIG_ENGINE_RUN_INT_H
#define RIG_ENGINE_RUN_INT_H

/* Engine internals shared by engine.c and the phase handlers (phases_*.c). */

#include <pthread.h>
#include <stdbool.h>

#include "adapters/ai/ai.h"
#include "adapters/source/workspace.h"
#include "engine/engine.h"
#include "engine/vars.h"

struct run {
    struct rig_engine *eng;
    const struct rig_engine_conf *conf;
    struct rig_store *st;
    struct rig_task task;          /* as stored; refreshed by run_reload */
    enum rig_phase phase;          /* current phase */
    enum rig_step_mode mode;
    bool dry_run;
    bool resumed;                  /* this run re-entered an interrupted phase */
    struct rig_workspace ws;
    bool ws_ready;
    struct rig_vars vars;
    char sha[41];
    char issue_number[32];
    char *plan;
    char **plan_files;
    struct rig_ai_usage usage;     /* whole task, including earlier runs */
    volatile int cancel;
    volatile int watcher_stop;
    pthread_t watcher;
    bool watcher_started;
    char *fail_reason;             /* set by a handler that ends in failed */
};

/* How run_task starts: fresh, resumed, or after a decision on a proposal. */
struct run_start {
    bool resume;
    const struct rig_proposal *approved; /* apply it, then deploy */
    const char *rejected;                /* reason: roll back (if enabled) and fail */
};

int run_task(struct rig_engine *eng, const char *task_id, const struct run_start *how,
             struct rig_err *err);
/* Apply an approved proposal's files in the workspace, commit and push (proposal.c). */
int proposal_apply(struct run *r, const struct rig_proposal *p, struct rig_err *err);
bool run_anything_deployed(struct run *r);

/* Log to the store (tag = current phase) and echo to the CLI. */
void run_log(struct run *r, enum rig_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void run_log_tag(struct run *r, const char *tag, enum rig_log_level level, const char *text);

/* Tell the engine's event hook (reloads the task so the hook sees it as stored). */
void run_event(struct run *r, enum rig_event ev, const char *detail);

/* Move to `to` through the state machine; status derived from the phase. */
int run_enter(struct run *r, enum rig_phase to, struct rig_err *err);
/* End the running step of the current phase with status/error (before run_enter). */
void run_end_step(struct run *r, enum rig_step_status status, const char *error);
/* Add the usage of one AI operation to the task (store + accumulator). */
void run_add_usage(struct run *r, const struct rig_ai_usage *before);
/* Fill r->vars from the task and the workspace. */
void run_set_vars(struct run *r);
bool run_cancelled(struct run *r);

/* Next phase after the current one in this run's configuration. */
enum rig_phase run_after_commit(struct run *r);
enum rig_phase run_after_deploy(struct run *r);
enum rig_phase run_after_test(struct run *r);

/* Phase handlers: each does its work and returns the next phase, or -1 with
 * err set when the task must fail. */
int phase_planning(struct run *r, enum rig_phase *next, struct rig_err *err);
int phase_coding(struct run *r, enum rig_phase *next, struct rig_err *err);
int phase_committing(struct run *r, enum rig_phase *next, struct rig_err *err);
int phase_deploying(struct run *r, enum rig_phase *next, struct rig_err *err);
int phase_testing(struct run *r, enum rig_phase *next, struct rig_err *err);
int phase_analyzing(struct run *r, enum rig_phase *next, struct rig_err *err);
int phase_reporting(struct run *r, enum rig_phase *next, struct rig_err *err);
int phase_rolling_back(struct run *r, enum rig_phase *next, struct rig_err *err);

/* Attempts (attempt.c). */
int attempt_begin(struct run *r, int number, struct rig_err *err);
int attempt_load(struct run *r, int number, struct rig_attempt *out, struct rig_err *err);
int attempt_save(struct run *r, const struct rig_attempt *a, struct rig_err *err);
/* Add AI usage to the current attempt's record (the task's total is kept apart). */
void attempt_add_usage(struct run *r, long long tokens_in, long long tokens_out, double usd);
/* Plan of the task (kept in attempt 1's changes_json). */
int attempt_restore_plan(struct run *r, struct rig_err *err);
/* Failure text for the AI: failed tests' or deploy's output of attempt n. */
char *attempt_failure_log(struct run *r, int number);
/* One line per earlier attempt: what it changed and how it ended. */
char *attempt_history(struct run *r, int upto);
/* Does attempt n have a deploy failure (true) rather than a test failure? */
bool attempt_deploy_failed(struct run *r, int number);

/* Proposals (proposal.c): create a pending proposal for this task. */
int proposal_deploy(struct run *r, struct rig_err *err);   /* before_deploy gate */
int proposal_infra(struct run *r, struct rig_err *err);    /* AI infra fix after a deploy failure */

#endif
