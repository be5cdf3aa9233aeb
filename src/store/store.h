#ifndef RIG_STORE_STORE_H
#define RIG_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"
#include "core/log.h"
#include "engine/phase.h"

/*
 * Persistence for Rig: projects, tasks, their steps, attempts, proposals, log
 * lines, policy violations, settings and webhook deliveries.
 *
 * Every call is its own transaction and is durable when it returns 0: there is
 * no in-memory copy to save later, so a crash loses nothing that was reported
 * as stored, and several processes (`rig run`, `rig serve`, the CLI) can share
 * one database. A struct rig_store may be used from several threads at once.
 * After fork() a child must open its own store; it must not use the parent's.
 *
 * Identifiers:
 *   task      TEXT "t-YYYYMMDD-NNNN" (UTC day of creation, per-day counter
 *             from 0001), assigned by the store unless the caller gives one.
 *   proposal  TEXT "p-YYYYMMDD-NNNN", assigned the same way.
 *   step      (task_id, seq), seq 1, 2, 3... per task, assigned by the store.
 *   attempt   (task_id, number), number chosen by the engine (1-based).
 *   log line  (task_id, seq), seq 1, 2, 3... per task, assigned by the store,
 *             contiguous and never reused (safe for `--follow` polling).
 *   policy violation  INTEGER id (rowid).
 *   project   its name; setting its key; delivery its delivery_id.
 * Times are int64 milliseconds since the Unix epoch (UTC); 0 means "not set".
 *
 * Errors: every function returns 0 or -1 and fills err. Codes callers may act
 * on: RIG_ENOTFOUND (no such row), RIG_ECONFLICT (the row exists / is no longer
 * in the state the call requires), RIG_EINVAL (bad argument), RIG_EIO (the
 * database failed, e.g. locked by another process for longer than 30 s, disk
 * full, corrupt file).
 *
 * Strings in the structs below are malloc'd and owned by the struct; free them
 * with the matching _release (which leaves the struct zeroed, ready for reuse).
 * On input, NULL string fields mean "empty / not set".
 */

struct rig_store;

/* ---------------------------------------------------------------- enums -- */

enum rig_task_status {
    RIG_TASK_RUNNING,
    RIG_TASK_COMPLETED,
    RIG_TASK_FAILED,
    RIG_TASK_CANCELLED,
    RIG_TASK_INTERRUPTED,
    RIG_TASK_AWAITING_APPROVAL,
};
#define RIG_TASK_STATUS_COUNT (RIG_TASK_AWAITING_APPROVAL + 1)
/* Bit for struct rig_task_filter.status_mask. */
#define RIG_TASK_STATUS_BIT(s) (1u << (unsigned)(s))

enum rig_step_status { RIG_STEP_RUNNING, RIG_STEP_OK, RIG_STEP_FAILED, RIG_STEP_SKIPPED };

enum rig_proposal_kind { RIG_PROPOSAL_INFRA, RIG_PROPOSAL_DEPLOY };

enum rig_proposal_status {
    RIG_PROPOSAL_PENDING,
    RIG_PROPOSAL_APPROVED,
    RIG_PROPOSAL_REJECTED,
    RIG_PROPOSAL_EXPIRED,
};

/* Stored names: "running", "completed", "failed", "cancelled", "interrupted",
 * "awaiting_approval" / "running", "ok", "failed", "skipped" / "infra",
 * "deploy" / "pending", "approved", "rejected", "expired". The _name functions
 * return "unknown" out of range; the _parse functions return -1 for anything
 * that is not an exact name. */
const char *rig_task_status_name(enum rig_task_status s);
int rig_task_status_parse(const char *s, enum rig_task_status *out);
/* completed, failed, cancelled, interrupted. */
bool rig_task_status_is_terminal(enum rig_task_status s);
const char *rig_step_status_name(enum rig_step_status s);
int rig_step_status_parse(const char *s, enum rig_step_status *out);
const char *rig_proposal_kind_name(enum rig_proposal_kind k);
int rig_proposal_kind_parse(const char *s, enum rig_proposal_kind *out);
const char *rig_proposal_status_name(enum rig_proposal_status s);
int rig_proposal_status_parse(const char *s, enum rig_proposal_status *out);

/* ------------------------------------------------------------- entities -- */

struct rig_project {
    char *name; /* primary key */
    char *platform; /* "github", "gitlab", ... */
    char *repo;     /* "owner/name" */
    char *base_branch;
    int64_t created_at; /* set by the store on first insert */
};
void rig_project_release(struct rig_project *p);

struct rig_task {
    char *id;
    char *project; /* must name a project stored with rig_store_project_upsert */
    char *issue_id; /* the platform's issue id, as text */
    int64_t issue_number;
    char *issue_title;
    char *issue_body;
    char *issue_url;
    char *branch;
    char *base_branch;
    char *workspace; /* directory the task works in */
    enum rig_phase phase;
    enum rig_task_status status;
    int attempt;   /* current attempt number, 0 before the first */
    int max_retry;
    char *result; /* human summary of the outcome */
    char *error;  /* why it failed, when it did */
    char *pr_url;
    int64_t pr_number;
    char *pr_title;
    char *pr_body;
    int64_t tokens_in;
    int64_t tokens_out;
    double cost_usd;
    int64_t created_at;
    int64_t updated_at; /* every store call that changes the task sets it */
    int64_t started_at; /* first rig_store_task_update_phase out of queued */
    int64_t ended_at;   /* when the status became terminal */
    bool dry_run;
    pid_t owner_pid; /* process running the task; 0 = none claimed it */
    bool cancel_requested;
};
void rig_task_release(struct rig_task *t);

struct rig_task_list {
    struct rig_task *items;
    size_t len;
};
void rig_task_list_release(struct rig_task_list *l);

/* All conditions are ANDed; zero/NULL fields do not filter. Results are newest
 * first (created_at, then id, descending). */
struct rig_task_filter {
    const char *project;
    const char *issue_id;
    unsigned status_mask; /* RIG_TASK_STATUS_BIT(..) | ...; 0 = any status */
    size_t limit;         /* 0 = no limit */
    size_t offset;
};

struct rig_step {
    char *task_id;
    int64_t seq;
    enum rig_phase phase;
    int attempt; /* the task's attempt when the step began */
    enum rig_step_status status;
    int64_t started_at;
    int64_t ended_at;    /* 0 while running */
    int64_t duration_ms; /* ended_at - started_at, 0 while running */
    char *error;
};
void rig_step_release(struct rig_step *s);

struct rig_step_list {
    struct rig_step *items;
    size_t len;
};
void rig_step_list_release(struct rig_step_list *l);

/*
 * One self-heal attempt. The JSON columns are checked to be valid JSON by the
 * store (RIG_EINVAL otherwise); their shape belongs to the engine:
 *   changes_json  the AI change set, e.g. {"plan":..,"files":[{"path":..,"action":..}]}
 *   tests_json    [{"name":..,"ok":true,"exit_code":0,"duration_ms":12,"output_tail":".."}]
 */
struct rig_attempt {
    char *task_id;
    int number; /* 1-based */
    char *changes_json;
    int deploy_ok; /* -1 not deployed (yet), 0 failed, 1 succeeded */
    char *deploy_log;
    char *tests_json;
    int64_t tokens_in;
    int64_t tokens_out;
    double cost_usd;
    int64_t created_at;
    int64_t updated_at;
};
void rig_attempt_release(struct rig_attempt *a);

struct rig_attempt_list {
    struct rig_attempt *items;
    size_t len;
};
void rig_attempt_list_release(struct rig_attempt_list *l);

/*
 * A change that needs a person's decision.
 *   files_json  [{"path":..,"before":..,"after":..,"diff":..}] (valid JSON)
 *   diff        the whole change as one unified diff
 */
struct rig_proposal {
    char *id;
    char *task_id;
    enum rig_proposal_kind kind;
    enum rig_proposal_status status;
    char *summary;
    char *files_json;
    char *diff;
    int64_t created_at;
    int64_t expires_at; /* 0 = never expires */
    char *decided_by;
    int64_t decided_at;
    char *reason;
};
void rig_proposal_release(struct rig_proposal *p);

struct rig_proposal_list {
    struct rig_proposal *items;
    size_t len;
};
void rig_proposal_list_release(struct rig_proposal_list *l);

struct rig_log_line {
    char *task_id;
    int64_t seq;
    int64_t ts;
    char *tag; /* step / phase name the line belongs to, may be NULL */
    enum rig_log_level level;
    char *text;
};
void rig_log_line_release(struct rig_log_line *l);

struct rig_log_list {
    struct rig_log_line *items;
    size_t len;
};
void rig_log_list_release(struct rig_log_list *l);

struct rig_policy_violation {
    int64_t id;
    char *task_id;
    int attempt;
    char *policy;  /* policy name from rig.yaml */
    char *rule;    /* which rule of it */
    char *action;  /* "block", "warn", "require_approval", ... */
    char *message;
    int64_t created_at;
};
void rig_policy_violation_release(struct rig_policy_violation *v);

struct rig_policy_violation_list {
    struct rig_policy_violation *items;
    size_t len;
};
void rig_policy_violation_list_release(struct rig_policy_violation_list *l);

struct rig_delivery {
    char *delivery_id; /* e.g. X-GitHub-Delivery */
    char *event;
    int64_t received_at;
    char *status; /* free text owned by the webhook server: "accepted", "ignored", ... */
    char *task_id; /* task it started, NULL if none */
};
void rig_delivery_release(struct rig_delivery *d);

/* ----------------------------------------------------------- open/close -- */

/*
 * Open a store.
 *   "PATH", "sqlite:PATH" or "sqlite://PATH"  SQLite database file; "~/" at the
 *       start of PATH is expanded with $HOME. Missing directories are created
 *       (0700) and a new file is created with mode 0600. Pending schema
 *       migrations are applied.
 *   "postgres://..." / "postgresql://..."  refused with RIG_ECONFIG: this build
 *       has no PostgreSQL backend yet.
 * Any other "scheme://" is refused with RIG_EINVAL.
 */
int rig_store_open(const char *url_or_path, struct rig_store **out, struct rig_err *err);

/* Finish all statements and close. NULL-safe. */
void rig_store_close(struct rig_store *st);

/* "sqlite", for messages. */
const char *rig_store_backend(const struct rig_store *st);

/* Highest applied schema migration. */
int rig_store_schema_version(struct rig_store *st, int *out, struct rig_err *err);

/* ------------------------------------------------------------- projects -- */

/* Insert, or update platform/repo/base_branch of the project with that name
 * (created_at is kept). */
int rig_store_project_upsert(struct rig_store *st, const struct rig_project *p,
                             struct rig_err *err);
int rig_store_project_get(struct rig_store *st, const char *name, struct rig_project *out,
                          struct rig_err *err);

/* ---------------------------------------------------------------- tasks -- */

/*
 * Insert t. When t->id is NULL an id is assigned and stored in t->id
 * (malloc'd); a given id that exists already gives RIG_ECONFLICT. created_at
 * and updated_at are set to now when 0 and written back into t; tokens, cost,
 * result/error and PR fields start as given (normally zero/NULL).
 * RIG_ENOTFOUND when t->project is not a stored project.
 */
int rig_store_task_create(struct rig_store *st, struct rig_task *t, struct rig_err *err);
int rig_store_task_get(struct rig_store *st, const char *id, struct rig_task *out,
                       struct rig_err *err);
/* filter may be NULL (everything, newest first). out is overwritten. */
int rig_store_task_list(struct rig_store *st, const struct rig_task_filter *filter,
                        struct rig_task_list *out, struct rig_err *err);

/*
 * Move a task to a new phase and status in one transaction:
 *  - every step of the task still running is ended: status failed (with
 *    error "task failed" / "task cancelled" / "task interrupted") when the new
 *    phase is one of those, ok otherwise;
 *  - unless the new phase is terminal, a running step for it is begun (with
 *    the task's current attempt number);
 *  - phase, status and updated_at are written; started_at is set the first time
 *    the phase leaves queued; ended_at when the status is terminal.
 * The store does not judge transitions; that is the engine's state machine.
 */
int rig_store_task_update_phase(struct rig_store *st, const char *id, enum rig_phase phase,
                                enum rig_task_status status, struct rig_err *err);

/* Setters: each writes its columns plus updated_at. RIG_ENOTFOUND for an
 * unknown id. NULL strings store NULL. */
int rig_store_task_set_result(struct rig_store *st, const char *id, const char *result,
                              const char *error, struct rig_err *err);
int rig_store_task_set_pr(struct rig_store *st, const char *id, const char *url,
                          int64_t number, const char *title, const char *body,
                          struct rig_err *err);
int rig_store_task_set_branch(struct rig_store *st, const char *id, const char *branch,
                              struct rig_err *err);
int rig_store_task_set_workspace(struct rig_store *st, const char *id, const char *path,
                                 struct rig_err *err);
int rig_store_task_set_owner(struct rig_store *st, const char *id, pid_t pid,
                             struct rig_err *err);
int rig_store_task_set_attempt(struct rig_store *st, const char *id, int attempt,
                               struct rig_err *err);
/* Atomic increments (safe against concurrent writers); negative deltas are
 * refused with RIG_EINVAL. */
int rig_store_task_add_usage(struct rig_store *st, const char *id, int64_t tokens_in,
                             int64_t tokens_out, double cost_usd, struct rig_err *err);

/* Ask the process running the task to stop; it polls is_cancel_requested.
 * RIG_ECONFLICT when the task is already in a terminal status. */
int rig_store_task_request_cancel(struct rig_store *st, const char *id, struct rig_err *err);
int rig_store_task_is_cancel_requested(struct rig_store *st, const char *id, bool *out,
                                       struct rig_err *err);

/* Says whether a process is alive; ctx is passed through. */
typedef bool (*rig_store_pid_alive_fn)(pid_t pid, void *ctx);

/*
 * Tasks whose status is running, that were claimed by a process
 * (owner_pid > 0) and whose process is gone: a crash or a kill. alive NULL
 * uses kill(pid, 0) on this machine (EPERM counts as alive). Oldest first.
 * Pids can be reused by the system, so a task whose pid was reused by an
 * unrelated process is not reported; the next check after that process exits
 * reports it.
 */
int rig_store_task_find_interrupted(struct rig_store *st, rig_store_pid_alive_fn alive,
                                    void *ctx, struct rig_task_list *out,
                                    struct rig_err *err);

/* Status and phase become interrupted, ended_at is set and running steps end
 * as failed, only if the task is still running (RIG_ECONFLICT otherwise). */
int rig_store_task_mark_interrupted(struct rig_store *st, const char *id, struct rig_err *err);

/* ---------------------------------------------------------------- steps -- */

/* Begin a running step outside update_phase (e.g. a sub-step of deploying).
 * *seq_out (may be NULL) receives its seq. */
int rig_store_step_begin(struct rig_store *st, const char *task_id, enum rig_phase phase,
                         int64_t *seq_out, struct rig_err *err);
/* End a running step; RIG_ECONFLICT if it has ended already. status must not
 * be RIG_STEP_RUNNING. error may be NULL. */
int rig_store_step_end(struct rig_store *st, const char *task_id, int64_t seq,
                       enum rig_step_status status, const char *error, struct rig_err *err);
/* All steps of a task in seq order. */
int rig_store_step_list(struct rig_store *st, const char *task_id, struct rig_step_list *out,
                        struct rig_err *err);

/* ------------------------------------------------------------- attempts -- */

/* Insert; RIG_ECONFLICT if (task_id, number) exists. created_at/updated_at set
 * to now when 0. */
int rig_store_attempt_add(struct rig_store *st, const struct rig_attempt *a,
                          struct rig_err *err);
/* Overwrite changes_json, deploy_ok, deploy_log, tests_json, tokens and cost
 * of (a->task_id, a->number) with a's values; updated_at = now. */
int rig_store_attempt_update(struct rig_store *st, const struct rig_attempt *a,
                             struct rig_err *err);
/* In number order. */
int rig_store_attempt_list(struct rig_store *st, const char *task_id,
                           struct rig_attempt_list *out, struct rig_err *err);

/* ------------------------------------------------------------ proposals -- */

/* Insert with status pending; p->id assigned when NULL (written back), and
 * p->created_at set when 0. p->status is ignored. */
int rig_store_proposal_create(struct rig_store *st, struct rig_proposal *p,
                              struct rig_err *err);
int rig_store_proposal_get(struct rig_store *st, const char *id, struct rig_proposal *out,
                           struct rig_err *err);
/* The newest pending, unexpired proposal of a task; RIG_ENOTFOUND if none. */
int rig_store_proposal_get_pending(struct rig_store *st, const char *task_id,
                                   struct rig_proposal *out, struct rig_err *err);
/* task_id NULL = all tasks. Newest first. */
int rig_store_proposal_list(struct rig_store *st, const char *task_id, bool pending_only,
                            struct rig_proposal_list *out, struct rig_err *err);
/*
 * Approve or reject (decision must be RIG_PROPOSAL_APPROVED or _REJECTED).
 * Atomic: succeeds only while the proposal is pending and not past expires_at.
 * Otherwise RIG_ECONFLICT naming the current status (a pending proposal found
 * past its expiry is marked expired first), so a second decision is refused.
 */
int rig_store_proposal_decide(struct rig_store *st, const char *id,
                              enum rig_proposal_status decision, const char *decided_by,
                              const char *reason, struct rig_err *err);
/* Mark every pending proposal with 0 < expires_at <= now as expired;
 * *count (may be NULL) receives how many. */
int rig_store_proposal_expire(struct rig_store *st, int64_t now, size_t *count,
                              struct rig_err *err);

/* ------------------------------------------------------------ task logs -- */

/*
 * Append a line; the store assigns the next seq of the task atomically (also
 * across processes) and returns it in *seq_out (may be NULL). ts 0 = now.
 * The text is passed through rig_redact() so registered secrets never reach
 * the database.
 */
int rig_store_log_append(struct rig_store *st, const char *task_id, int64_t ts,
                         const char *tag, enum rig_log_level level, const char *text,
                         int64_t *seq_out, struct rig_err *err);
/* Lines with seq > after_seq in seq order, at most limit (0 = all). Poll with
 * the last seq seen to follow a running task. */
int rig_store_log_list(struct rig_store *st, const char *task_id, int64_t after_seq,
                       size_t limit, struct rig_log_list *out, struct rig_err *err);

/* ----------------------------------------------------- policy violations -- */

/* v->id and v->created_at (when 0) are written back. */
int rig_store_violation_add(struct rig_store *st, struct rig_policy_violation *v,
                            struct rig_err *err);
/* In insertion order. */
int rig_store_violation_list(struct rig_store *st, const char *task_id,
                             struct rig_policy_violation_list *out, struct rig_err *err);

/* ------------------------------------------------------------- settings -- */

/* *value malloc'd; RIG_ENOTFOUND when the key is not set. */
int rig_store_setting_get(struct rig_store *st, const char *key, char **value,
                          struct rig_err *err);
int rig_store_setting_set(struct rig_store *st, const char *key, const char *value,
                          struct rig_err *err);
/* RIG_ENOTFOUND when the key is not set. */
int rig_store_setting_delete(struct rig_store *st, const char *key, struct rig_err *err);

/* --------------------------------------------------- webhook deliveries -- */

/* Record a delivery once. *duplicate = true (and nothing changes) when that
 * delivery_id was recorded before: the caller must not process it again.
 * received_at 0 = now. task_id may be NULL. */
int rig_store_delivery_record(struct rig_store *st, const struct rig_delivery *d,
                              bool *duplicate, struct rig_err *err);
/* Later outcome of a recorded delivery (task_id may be NULL). */
int rig_store_delivery_update(struct rig_store *st, const char *delivery_id,
                              const char *status, const char *task_id, struct rig_err *err);
int rig_store_delivery_get(struct rig_store *st, const char *delivery_id,
                           struct rig_delivery *out, struct rig_err *err);

/* ------------------------------------------------------ backend vtable -- */

/*
 * A backend fills one of these and embeds struct rig_store as the FIRST member
 * of its own handle. The rig_store_* wrappers check arguments before calling
 * an op (non-empty ids, non-NULL outputs, enum values in range, non-negative
 * counts and amounts; log text already redacted), so backends may assume
 * them. JSON validity is the backend's job. Each op must be atomic and durable on
 * return, and follow the semantics documented on its wrapper above,
 * including the error codes. See docs/store.md.
 */
struct rig_store_ops {
    const char *name;
    void (*close)(struct rig_store *st);
    int (*schema_version)(struct rig_store *st, int *out, struct rig_err *err);

    int (*project_upsert)(struct rig_store *st, const struct rig_project *p,
                          struct rig_err *err);
    int (*project_get)(struct rig_store *st, const char *name, struct rig_project *out,
                       struct rig_err *err);

    int (*task_create)(struct rig_store *st, struct rig_task *t, struct rig_err *err);
    int (*task_get)(struct rig_store *st, const char *id, struct rig_task *out,
                    struct rig_err *err);
    int (*task_list)(struct rig_store *st, const struct rig_task_filter *f,
                     struct rig_task_list *out, struct rig_err *err);
    int (*task_update_phase)(struct rig_store *st, const char *id, enum rig_phase phase,
                             enum rig_task_status status, struct rig_err *err);
    int (*task_set_result)(struct rig_store *st, const char *id, const char *result,
                           const char *error, struct rig_err *err);
    int (*task_set_pr)(struct rig_store *st, const char *id, const char *url, int64_t number,
                       const char *title, const char *body, struct rig_err *err);
    int (*task_set_branch)(struct rig_store *st, const char *id, const char *branch,
                           struct rig_err *err);
    int (*task_set_workspace)(struct rig_store *st, const char *id, const char *path,
                              struct rig_err *err);
    int (*task_set_owner)(struct rig_store *st, const char *id, pid_t pid,
                          struct rig_err *err);
    int (*task_set_attempt)(struct rig_store *st, const char *id, int attempt,
                            struct rig_err *err);
    int (*task_add_usage)(struct rig_store *st, const char *id, int64_t tokens_in,
                          int64_t tokens_out, double cost_usd, struct rig_err *err);
    int (*task_request_cancel)(struct rig_store *st, const char *id, struct rig_err *err);
    int (*task_is_cancel_requested)(struct rig_store *st, const char *id, bool *out,
                                    struct rig_err *err);
    /* Backends list candidates (running, owner_pid > 0, oldest first); the
     * wrapper applies the alive check. */
    int (*task_list_owned_running)(struct rig_store *st, struct rig_task_list *out,
                                   struct rig_err *err);
    int (*task_mark_interrupted)(struct rig_store *st, const char *id, struct rig_err *err);

    int (*step_begin)(struct rig_store *st, const char *task_id, enum rig_phase phase,
                      int64_t *seq_out, struct rig_err *err);
    int (*step_end)(struct rig_store *st, const char *task_id, int64_t seq,
                    enum rig_step_status status, const char *error, struct rig_err *err);
    int (*step_list)(struct rig_store *st, const char *task_id, struct rig_step_list *out,
                     struct rig_err *err);

    int (*attempt_add)(struct rig_store *st, const struct rig_attempt *a, struct rig_err *err);
    int (*attempt_update)(struct rig_store *st, const struct rig_attempt *a,
                          struct rig_err *err);
    int (*attempt_list)(struct rig_store *st, const char *task_id,
                        struct rig_attempt_list *out, struct rig_err *err);

    int (*proposal_create)(struct rig_store *st, struct rig_proposal *p, struct rig_err *err);
    int (*proposal_get)(struct rig_store *st, const char *id, struct rig_proposal *out,
                        struct rig_err *err);
    int (*proposal_get_pending)(struct rig_store *st, const char *task_id,
                                struct rig_proposal *out, struct rig_err *err);
    int (*proposal_list)(struct rig_store *st, const char *task_id, bool pending_only,
                         struct rig_proposal_list *out, struct rig_err *err);
    int (*proposal_decide)(struct rig_store *st, const char *id,
                           enum rig_proposal_status decision, const char *decided_by,
                           const char *reason, struct rig_err *err);
    int (*proposal_expire)(struct rig_store *st, int64_t now, size_t *count,
                           struct rig_err *err);

    int (*log_append)(struct rig_store *st, const char *task_id, int64_t ts, const char *tag,
                      enum rig_log_level level, const char *text, int64_t *seq_out,
                      struct rig_err *err);
    int (*log_list)(struct rig_store *st, const char *task_id, int64_t after_seq,
                    size_t limit, struct rig_log_list *out, struct rig_err *err);

    int (*violation_add)(struct rig_store *st, struct rig_policy_violation *v,
                         struct rig_err *err);
    int (*violation_list)(struct rig_store *st, const char *task_id,
                          struct rig_policy_violation_list *out, struct rig_err *err);

    int (*setting_get)(struct rig_store *st, const char *key, char **value,
                       struct rig_err *err);
    int (*setting_set)(struct rig_store *st, const char *key, const char *value,
                       struct rig_err *err);
    int (*setting_delete)(struct rig_store *st, const char *key, struct rig_err *err);

    int (*delivery_record)(struct rig_store *st, const struct rig_delivery *d,
                           bool *duplicate, struct rig_err *err);
    int (*delivery_update)(struct rig_store *st, const char *delivery_id, const char *status,
                           const char *task_id, struct rig_err *err);
    int (*delivery_get)(struct rig_store *st, const char *delivery_id,
                        struct rig_delivery *out, struct rig_err *err);
};

struct rig_store {
    const struct rig_store_ops *ops;
};

#endif
