#ifndef RIG_ENGINE_ENGINE_H
#define RIG_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/ai/ai.h"
#include "adapters/deploy/compose.h"
#include "adapters/deploy/deploy.h"
#include "adapters/source/git.h"
#include "adapters/source/source.h"
#include "adapters/test/testrun.h"
#include "core/err.h"
#include "engine/policy.h"
#include "store/store.h"

/*
 * The pipeline engine: one task = one issue worked to a pull request.
 *
 * Everything a task does is written to the store the moment it happens (phase
 * changes, steps, attempts, log lines, usage), so another process can follow a
 * running task and a crashed one can be resumed. Each task works in its own
 * clone under <data_dir>/workspaces/<task-id>/repo.
 *
 * The engine is configured with a struct rig_engine_conf (built from rig.yaml
 * by the CLI or the server); the adapters in it are owned by the caller.
 */

/* workflow.steps bits are config's RIG_STEP_* (enum rig_workflow_step). */
#define RIG_WF_ALL (RIG_STEP_PLAN | RIG_STEP_CODE | RIG_STEP_DEPLOY | RIG_STEP_TEST | RIG_STEP_REPORT)

/* `rig exec --step`: a partial run. */
enum rig_step_mode {
    RIG_MODE_ALL = 0,
    RIG_MODE_CODE,   /* plan, code, commit, push; stop */
    RIG_MODE_DEPLOY, /* deploy an existing task's branch; no AI */
    RIG_MODE_TEST,   /* test an existing task's branch; no AI */
};

struct rig_engine_conf {
    const char *project;              /* project name (stored) */
    const char *platform;             /* "local", "github" */
    const char *repo;                 /* source.repo, for the project record */
    const char *data_dir;             /* workspaces live under it */
    struct rig_source *source;
    const char *base_branch;          /* NULL: the repository's default branch */
    struct rig_git git;
    struct rig_git_ident ident;

    struct rig_ai *ai;
    int max_retry;                    /* self-heal rounds after the first attempt */
    struct rig_ai_budget budget;
    size_t context_bytes;
    const char *extra_instructions;   /* ai.context */

    const struct rig_deploy_cmd *deploy;
    size_t ndeploy;
    const struct rig_deploy_transport *ssh; /* NULL: ssh commands fail clearly */
    const struct rig_compose_opts *compose; /* deploy.method docker-compose, else NULL */
    const struct rig_compose_opts *rollback_compose; /* rollback with compose, else NULL */
    bool rollback_enabled;
    const struct rig_deploy_cmd *rollback;
    size_t nrollback;
    const char *const *infra_files;   /* globs, relative to the workspace */
    size_t ninfra_files;
    const char *const *infra_readonly;
    size_t ninfra_readonly;
    int64_t approval_timeout_ms;      /* 0 = never expires */

    const struct rig_test_entry *tests;
    size_t ntests;

    unsigned steps;                   /* RIG_STEP_* bits; 0 = all */
    bool before_deploy;               /* workflow.approval.before_deploy */

    const struct rig_policy_config *policies;
    size_t npolicies;
};

/* Progress for a person watching (the CLI prints it). May be NULL. */
typedef void (*rig_engine_echo_fn)(void *ctx, const char *tag, enum rig_log_level level,
                                   const char *line);

/* Events for notifiers and status comments (notify.on names in brackets). */
enum rig_event {
    RIG_EVENT_PHASE,       /* every phase change; detail = the phase name */
    RIG_EVENT_DEPLOYED,    /* [deploy] a deploy succeeded */
    RIG_EVENT_DEPLOY_FAIL, /* [deploy] a deploy failed; detail = the error */
    RIG_EVENT_TEST_FAIL,   /* [test_fail] detail = summary */
    RIG_EVENT_TEST_PASS,   /* [test_pass] */
    RIG_EVENT_PR_CREATED,  /* [pr_created] detail = PR URL or branch */
    RIG_EVENT_PROPOSAL,    /* [proposal] waiting for approval; detail = summary */
    RIG_EVENT_FAILED,      /* [failed] detail = the error */
    RIG_EVENT_COMPLETED,
    RIG_EVENT_CANCELLED,
};

const char *rig_event_name(enum rig_event ev);

/* Called synchronously from the thread running the task, after the store was
 * updated; it must not block for long (queue network work). task is the
 * stored task as of the event. */
typedef void (*rig_engine_event_fn)(void *ctx, const struct rig_task *task, enum rig_event ev,
                                    const char *detail);

struct rig_engine {
    const struct rig_engine_conf *conf;
    struct rig_store *store;
    rig_engine_echo_fn echo;
    void *echo_ctx;
    rig_engine_event_fn on_event; /* may be NULL */
    void *event_ctx;
};

struct rig_submit {
    const struct rig_issue *issue;    /* required unless from_task is set */
    bool dry_run;
    enum rig_step_mode mode;
    const char *from_task;            /* MODE_DEPLOY/TEST: the task whose branch to use */
};

/* Create a queued task (no work done yet). *task_id malloc'd. */
int rig_engine_submit(struct rig_engine *eng, const struct rig_submit *s, char **task_id,
                      struct rig_err *err);

/*
 * Run a task until it completes, fails, is cancelled or waits for approval.
 * Returns 0 when the task completed or is awaiting approval (see the stored
 * status), -1 when it failed or was cancelled (err says why, and so does the
 * task's stored error).
 */
int rig_engine_run(struct rig_engine *eng, const char *task_id, struct rig_err *err);

/* Resume an interrupted task from the phase it was in. */
int rig_engine_resume(struct rig_engine *eng, const char *task_id, struct rig_err *err);

/*
 * Decide the pending proposal of a task waiting for approval. Approve applies
 * an infra proposal's files in the task's workspace, commits and pushes them,
 * then redeploys and continues the pipeline (a before_deploy proposal simply
 * continues to deploying). Reject fails the task, rolling back first when
 * deploy.rollback is enabled and something was deployed. A proposal that was
 * already decided or has expired is refused (RIG_ECONFLICT). `who` is
 * recorded as decided_by ("cli:alice", "web", "slack:U123").
 * Both return like rig_engine_run once the task has moved on.
 */
int rig_engine_approve(struct rig_engine *eng, const char *task_id, const char *who,
                       struct rig_err *err);
int rig_engine_reject(struct rig_engine *eng, const char *task_id, const char *who,
                      const char *reason, struct rig_err *err);

/* Fail every task whose proposal passed deploy.approval.timeout (rolling back
 * as on a rejection). *n (may be NULL) = how many tasks were failed. */
int rig_engine_expire(struct rig_engine *eng, size_t *n, struct rig_err *err);

/* Ask a running task to stop (its process polls the flag). A task waiting for
 * approval has no process: it is cancelled at once and its proposal rejected. */
int rig_engine_cancel(struct rig_store *st, const char *task_id, struct rig_err *err);

/* Mark tasks whose process died as interrupted; *n (may be NULL) = how many. */
int rig_engine_recover(struct rig_store *st, size_t *n, struct rig_err *err);

/* The phase an interrupted task was in when it stopped (its last step). */
int rig_engine_interrupted_phase(struct rig_store *st, const char *task_id,
                                 enum rig_phase *out, struct rig_err *err);

#endif
