#include "engine/engine.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "engine/machine.h"
#include "engine/run_int.h"
#include "core/banned.h"

#define CANCEL_POLL_MS 250

static enum rig_task_status status_for(enum rig_phase p)
{
    switch (p) {
    case RIG_PHASE_AWAITING_APPROVAL: return RIG_TASK_AWAITING_APPROVAL;
    case RIG_PHASE_COMPLETED: return RIG_TASK_COMPLETED;
    case RIG_PHASE_FAILED: return RIG_TASK_FAILED;
    case RIG_PHASE_CANCELLED: return RIG_TASK_CANCELLED;
    case RIG_PHASE_INTERRUPTED: return RIG_TASK_INTERRUPTED;
    default: return RIG_TASK_RUNNING;
    }
}

void run_log_tag(struct run *r, const char *tag, enum rig_log_level level, const char *text)
{
    struct rig_err err = RIG_ERR_INIT;

    if (rig_store_log_append(r->st, r->task.id, 0, tag, level, text, NULL, &err) < 0)
        log_warn("task %s: could not store a log line: %s", r->task.id, err.msg);
    if (r->eng->echo) {
        char *clean = rig_redact(text);
        r->eng->echo(r->eng->echo_ctx, tag, level, clean);
        free(clean);
    }
}

void run_log(struct run *r, enum rig_log_level level, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = xvasprintf(fmt, ap);
    va_end(ap);
    run_log_tag(r, rig_phase_name(r->phase), level, msg);
    free(msg);
}

void run_end_step(struct run *r, enum rig_step_status status, const char *error)
{
    struct rig_step_list steps = {0};
    struct rig_err err = RIG_ERR_INIT;

    if (rig_store_step_list(r->st, r->task.id, &steps, &err) == 0) {
        for (size_t i = steps.len; i-- > 0;) {
            if (steps.items[i].status == RIG_STEP_RUNNING) {
                rig_store_step_end(r->st, r->task.id, steps.items[i].seq, status, error, &err);
                break;
            }
        }
    }
    rig_step_list_release(&steps);
}

const char *rig_event_name(enum rig_event ev)
{
    static const char *const names[] = {"phase",      "deployed",   "deploy_fail", "test_fail",
                                        "test_pass",  "pr_created", "proposal",    "failed",
                                        "completed",  "cancelled"};

    return (size_t)ev < sizeof(names) / sizeof(names[0]) ? names[ev] : "unknown";
}

void run_event(struct run *r, enum rig_event ev, const char *detail)
{
    struct rig_task t = {0};

    if (!r->eng->on_event)
        return;
    if (rig_store_task_get(r->st, r->task.id, &t, NULL) < 0)
        return;
    if (!detail)
        detail = t.error ? t.error : "";
    r->eng->on_event(r->eng->event_ctx, &t, ev, detail);
    rig_task_release(&t);
}

int run_enter(struct run *r, enum rig_phase to, struct rig_err *err)
{
    char line[64];

    if (rig_machine_check(r->phase, to, err) < 0)
        return -1;
    /* Logged before the status changes: `rig logs --follow` stops at a final
     * status and must already find every line of the task. */
    snprintf(line, sizeof(line), "phase %s", rig_phase_name(to));
    run_log_tag(r, rig_phase_name(to), RIG_LOG_INFO, line);
    if (rig_store_task_update_phase(r->st, r->task.id, to, status_for(to), err) < 0)
        return -1;
    r->phase = to;
    r->task.phase = to;
    r->task.status = status_for(to);
    run_event(r, RIG_EVENT_PHASE, rig_phase_name(to));
    if (to == RIG_PHASE_COMPLETED)
        run_event(r, RIG_EVENT_COMPLETED, NULL);
    else if (to == RIG_PHASE_CANCELLED)
        run_event(r, RIG_EVENT_CANCELLED, NULL);
    else if (to == RIG_PHASE_FAILED)
        run_event(r, RIG_EVENT_FAILED, NULL);
    else if (to == RIG_PHASE_AWAITING_APPROVAL)
        run_event(r, RIG_EVENT_PROPOSAL, NULL);
    return 0;
}

void run_add_usage(struct run *r, const struct rig_ai_usage *before)
{
    struct rig_err err = RIG_ERR_INIT;
    long long din = r->usage.tokens_in - before->tokens_in;
    long long dout = r->usage.tokens_out - before->tokens_out;
    double dusd = r->usage.cost_usd - before->cost_usd;

    if (din <= 0 && dout <= 0 && dusd <= 0)
        return;
    if (rig_store_task_add_usage(r->st, r->task.id, din > 0 ? din : 0, dout > 0 ? dout : 0,
                                 dusd > 0 ? dusd : 0, &err) < 0)
        log_warn("task %s: could not record AI usage: %s", r->task.id, err.msg);
    attempt_add_usage(r, din > 0 ? din : 0, dout > 0 ? dout : 0, dusd > 0 ? dusd : 0);
    run_log(r, RIG_LOG_INFO, "AI usage: %lld in / %lld out tokens, $%.4f (task total %lld / %lld, $%.4f)",
            din, dout, dusd, r->usage.tokens_in, r->usage.tokens_out, r->usage.cost_usd);
}

void run_set_vars(struct run *r)
{
    snprintf(r->issue_number, sizeof(r->issue_number), "%lld", (long long)r->task.issue_number);
    r->vars.branch_name = r->task.branch;
    r->vars.commit_sha = r->sha[0] ? r->sha : NULL;
    r->vars.issue_id = r->task.issue_id;
    r->vars.issue_number = r->issue_number;
    r->vars.issue_title = r->task.issue_title;
    r->vars.repo_owner = r->conf->source ? r->conf->source->repo_owner : NULL;
    r->vars.repo_name = r->conf->source ? r->conf->source->repo_name : NULL;
    r->vars.workspace = r->ws.repo;
}

bool run_cancelled(struct run *r)
{
    return r->cancel != 0;
}

static unsigned run_steps(struct run *r)
{
    return r->conf->steps ? r->conf->steps : RIG_WF_ALL;
}

enum rig_phase run_after_commit(struct run *r)
{
    unsigned s = run_steps(r);

    if (r->mode == RIG_MODE_CODE)
        return RIG_PHASE_COMPLETED;
    if (r->conf->before_deploy && (s & RIG_STEP_DEPLOY) && r->task.attempt <= 1)
        return RIG_PHASE_AWAITING_APPROVAL;
    if (s & RIG_STEP_DEPLOY)
        return RIG_PHASE_DEPLOYING;
    if (s & RIG_STEP_TEST)
        return RIG_PHASE_TESTING;
    return (s & RIG_STEP_REPORT) ? RIG_PHASE_REPORTING : RIG_PHASE_COMPLETED;
}

enum rig_phase run_after_deploy(struct run *r)
{
    unsigned s = run_steps(r);

    if (r->mode == RIG_MODE_DEPLOY)
        return RIG_PHASE_COMPLETED;
    if (s & RIG_STEP_TEST)
        return RIG_PHASE_TESTING;
    return (s & RIG_STEP_REPORT) ? RIG_PHASE_REPORTING : RIG_PHASE_COMPLETED;
}

enum rig_phase run_after_test(struct run *r)
{
    if (r->mode == RIG_MODE_TEST)
        return RIG_PHASE_COMPLETED;
    return (run_steps(r) & RIG_STEP_REPORT) ? RIG_PHASE_REPORTING : RIG_PHASE_COMPLETED;
}

/* ---------------------------------------------------------------- submit -- */

static int ensure_project(struct rig_engine *eng, struct rig_err *err)
{
    const struct rig_engine_conf *c = eng->conf;
    struct rig_project p = {
        .name = (char *)c->project,
        .platform = (char *)(c->platform ? c->platform : "local"),
        .repo = (char *)(c->repo ? c->repo : ""),
        .base_branch = (char *)(c->base_branch ? c->base_branch : ""),
    };

    return rig_store_project_upsert(eng->store, &p, err);
}

/* Did the task get through a committing step (commit and push) at least once?
 * A deploy/test-only run of its branch needs the branch on the remote. */
static bool pushed_branch(struct rig_store *st, const char *id)
{
    struct rig_step_list steps = {0};
    bool pushed = false;

    if (rig_store_step_list(st, id, &steps, NULL) == 0)
        for (size_t i = 0; i < steps.len && !pushed; i++)
            pushed = steps.items[i].phase == RIG_PHASE_COMMITTING &&
                     steps.items[i].status == RIG_STEP_OK;
    rig_step_list_release(&steps);
    return pushed;
}

static int submit_from_task(struct rig_engine *eng, const struct rig_submit *s,
                            struct rig_task *t, struct rig_err *err)
{
    struct rig_task src = {0};

    if (rig_store_task_get(eng->store, s->from_task, &src, err) < 0)
        return rig_err_prefix(err, "--task %s", s->from_task);
    if (!src.branch || !*src.branch || src.dry_run || !pushed_branch(eng->store, src.id)) {
        rig_err_set(err, RIG_EINVAL,
                    "task %s never pushed its branch%s: deploy or test a task whose commit "
                    "step succeeded (see 'rig explain %s')",
                    s->from_task, src.dry_run ? " (it was a dry run)" : "", s->from_task);
        rig_task_release(&src);
        return -1;
    }
    t->issue_id = src.issue_id;
    t->issue_number = src.issue_number;
    t->issue_title = src.issue_title;
    t->issue_body = src.issue_body;
    t->issue_url = src.issue_url;
    t->branch = src.branch;
    src.issue_id = src.issue_title = src.issue_body = src.issue_url = src.branch = NULL;
    rig_task_release(&src);
    return 0;
}

/* A task variable where no value can be quoted safely (inside backquotes, a
 * here-document, ...) makes every run of that command fail whatever the task:
 * refuse the task before any AI work rather than fail deploy after deploy. */
static int check_command(const char *what, const char *name, const char *run,
                         struct rig_err *err)
{
    static const struct rig_vars probe = {
        .branch_name = "b", .commit_sha = "c", .issue_id = "1", .issue_number = "1",
        .issue_title = "t", .repo_owner = "o", .repo_name = "n", .workspace = "/w",
    };
    char *out = NULL;

    if (!run || rig_vars_expand(run, &probe, &out, err) == 0) {
        free(out);
        return 0;
    }
    return rig_err_prefix(err, "rig.yaml: %s \"%s\"", what, name ? name : "");
}

static int check_commands(const struct rig_engine_conf *c, enum rig_step_mode mode,
                          struct rig_err *err)
{
    if (mode == RIG_MODE_CODE)
        return 0;
    for (size_t i = 0; mode != RIG_MODE_TEST && i < c->ndeploy; i++)
        if (check_command("deploy command", c->deploy[i].name, c->deploy[i].run, err) < 0)
            return -1;
    for (size_t i = 0; mode == RIG_MODE_ALL && c->rollback_enabled && i < c->nrollback; i++)
        if (check_command("rollback command", c->rollback[i].name, c->rollback[i].run,
                          err) < 0)
            return -1;
    for (size_t i = 0; mode != RIG_MODE_DEPLOY && i < c->ntests; i++)
        if (check_command("test", c->tests[i].name, c->tests[i].run, err) < 0)
            return -1;
    return 0;
}

int rig_engine_submit(struct rig_engine *eng, const struct rig_submit *s, char **task_id,
                      struct rig_err *err)
{
    struct rig_task t = {0};
    int rc = -1;

    if ((s->mode == RIG_MODE_DEPLOY || s->mode == RIG_MODE_TEST) && !s->from_task)
        return rig_err_set(err, RIG_EINVAL,
                           "--step deploy and --step test work on an existing task's branch: "
                           "pass --task <id>");
    if (s->from_task && s->mode != RIG_MODE_DEPLOY && s->mode != RIG_MODE_TEST)
        return rig_err_set(err, RIG_EINVAL, "--task is only used with --step deploy or test");
    if (!s->from_task && (!s->issue || !s->issue->title || !*s->issue->title))
        return rig_err_set(err, RIG_EINVAL, "an issue needs a title");
    if (check_commands(eng->conf, s->mode, err) < 0 || ensure_project(eng, err) < 0)
        return -1;

    t.project = xstrdup(eng->conf->project);
    if (s->from_task) {
        if (submit_from_task(eng, s, &t, err) < 0)
            goto out;
    } else {
        t.issue_id = xstrdup(s->issue->id);
        t.issue_number = s->issue->number;
        t.issue_title = xstrdup(s->issue->title);
        t.issue_body = xstrdup(s->issue->body ? s->issue->body : "");
        t.issue_url = xstrdup(s->issue->url);
        t.branch = rig_workspace_branch_name(s->issue->number, s->issue->title);
    }
    t.base_branch = xstrdup(eng->conf->base_branch);
    t.phase = RIG_PHASE_QUEUED;
    t.status = RIG_TASK_RUNNING;
    t.max_retry = s->mode == RIG_MODE_ALL ? eng->conf->max_retry : 0;
    t.dry_run = s->dry_run;
    if (rig_store_task_create(eng->store, &t, err) < 0)
        goto out;
    /* The mode is part of the task so a resume continues the same kind of run. */
    {
        static const char *const modes[] = {"all", "code", "deploy", "test"};
        char key[160];
        snprintf(key, sizeof(key), "task/%s/mode", t.id);
        if (rig_store_setting_set(eng->store, key, modes[s->mode], err) < 0)
            goto out;
    }
    *task_id = xstrdup(t.id);
    rc = 0;
out:
    rig_task_release(&t);
    return rc;
}

static enum rig_step_mode load_mode(struct rig_store *st, const char *id)
{
    char key[160];
    char *v = NULL;
    enum rig_step_mode m = RIG_MODE_ALL;

    snprintf(key, sizeof(key), "task/%s/mode", id);
    if (rig_store_setting_get(st, key, &v, NULL) == 0) {
        if (strcmp(v, "code") == 0)
            m = RIG_MODE_CODE;
        else if (strcmp(v, "deploy") == 0)
            m = RIG_MODE_DEPLOY;
        else if (strcmp(v, "test") == 0)
            m = RIG_MODE_TEST;
    }
    free(v);
    return m;
}

/* ------------------------------------------------------------ the runner -- */

static void *cancel_watcher(void *arg)
{
    struct run *r = arg;
    struct timespec ts = {0, CANCEL_POLL_MS * 1000000L};

    while (!r->watcher_stop) {
        bool req = false;
        if (rig_store_task_is_cancel_requested(r->st, r->task.id, &req, NULL) == 0 && req) {
            r->cancel = 1;
            break;
        }
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static int prepare_workspace(struct run *r, bool resume, struct rig_err *err)
{
    const struct rig_engine_conf *c = r->conf;
    char *start = NULL;
    int rc = -1;

    if (rig_workspace_init(&r->ws, c->data_dir, r->task.id, err) < 0)
        return -1;
    rig_workspace_set_branch(&r->ws, r->task.branch);
    r->ws_ready = true;
    if (c->source->ops->prepare_workspace(c->source, &r->ws, resume, err) < 0)
        return rig_err_prefix(err, "preparing the workspace");
    if (!r->task.workspace || strcmp(r->task.workspace, r->ws.repo) != 0)
        rig_store_task_set_workspace(r->st, r->task.id, r->ws.repo, NULL);
    /* A deploy/test-only run works on the branch an earlier task pushed; a new
     * task for an issue that already has a branch continues on top of it, so
     * its commits push without force and the pull request keeps every round. */
    if (!resume) {
        char sha[41];
        bool step_only = r->mode == RIG_MODE_DEPLOY || r->mode == RIG_MODE_TEST;

        start = xasprintf("%s/%s", r->ws.remote ? r->ws.remote : "origin", r->task.branch);
        if (step_only || rig_git_rev_parse(&c->git, r->ws.repo, start, sha, NULL) == 0) {
            if (rig_git_checkout_new(&c->git, r->ws.repo, r->task.branch, start, err) < 0) {
                rig_err_prefix(err, "branch %s is not on the remote", r->task.branch);
                goto out;
            }
            if (!step_only)
                run_log(r, RIG_LOG_INFO, "%s exists on the remote: continuing on top of it",
                        r->task.branch);
        }
    }
    if (rig_git_head(&c->git, r->ws.repo, r->sha, err) < 0)
        goto out;
    run_set_vars(r);
    rc = 0;
out:
    free(start);
    return rc;
}

static int dispatch(struct run *r, enum rig_phase *next, struct rig_err *err)
{
    switch (r->phase) {
    case RIG_PHASE_QUEUED:
        /* Attempt 1 exists before the first step, so every step of the first
         * round (planning included) is recorded against it; a deploy/test-only
         * run is one attempt too, keeping its deploy log and test results. */
        if (r->task.attempt < 1 && attempt_begin(r, 1, err) < 0)
            return -1;
        if (r->mode == RIG_MODE_DEPLOY)
            *next = RIG_PHASE_DEPLOYING;
        else if (r->mode == RIG_MODE_TEST)
            *next = RIG_PHASE_TESTING;
        else if ((r->conf->steps ? r->conf->steps : RIG_WF_ALL) & RIG_STEP_PLAN)
            *next = RIG_PHASE_PLANNING;
        else
            *next = RIG_PHASE_CODING;
        return 0;
    case RIG_PHASE_PLANNING: return phase_planning(r, next, err);
    case RIG_PHASE_CODING: return phase_coding(r, next, err);
    case RIG_PHASE_COMMITTING: return phase_committing(r, next, err);
    case RIG_PHASE_DEPLOYING: return phase_deploying(r, next, err);
    case RIG_PHASE_TESTING: return phase_testing(r, next, err);
    case RIG_PHASE_ANALYZING: return phase_analyzing(r, next, err);
    case RIG_PHASE_REPORTING: return phase_reporting(r, next, err);
    case RIG_PHASE_ROLLING_BACK: return phase_rolling_back(r, next, err);
    default:
        return rig_err_set(err, RIG_EINVAL, "task is %s: nothing to run",
                           rig_phase_name(r->phase));
    }
}

/* Record the failure on the task and move it to failed (or cancelled). */
static void run_fail(struct run *r, const struct rig_err *cause)
{
    struct rig_err err = RIG_ERR_INIT;
    enum rig_phase to = cause->code == RIG_ECANCELLED || run_cancelled(r) ? RIG_PHASE_CANCELLED
                                                                          : RIG_PHASE_FAILED;
    char *msg = xasprintf("%s failed: %s", rig_phase_name(r->phase), cause->msg);

    run_log(r, RIG_LOG_ERROR, "%s", msg);
    run_end_step(r, RIG_STEP_FAILED, cause->msg);
    rig_store_task_set_result(r->st, r->task.id,
                              to == RIG_PHASE_CANCELLED ? "cancelled" : "failed", msg, &err);
    if (run_enter(r, to, &err) < 0)
        log_error("task %s: %s", r->task.id, err.msg);
    free(msg);
}

static int run_loop(struct run *r, struct rig_err *err)
{
    for (;;) {
        enum rig_phase next = r->phase;

        if (run_cancelled(r))
            return rig_err_set(err, RIG_ECANCELLED, "cancelled on request");
        if (dispatch(r, &next, err) < 0)
            return -1;
        if (next == RIG_PHASE_COMPLETED && r->phase != RIG_PHASE_REPORTING)
            rig_store_task_set_result(r->st, r->task.id,
                                      r->dry_run ? "dry run completed" : "completed", NULL,
                                      NULL);
        if (run_enter(r, next, err) < 0)
            return -1;
        r->resumed = false;
        if (next == RIG_PHASE_FAILED) {
            /* Reached through rolling_back: the reason is already recorded. */
            rig_err_set(err, RIG_EGENERIC, "%s", r->fail_reason ? r->fail_reason : "failed");
            return 1;
        }
        if (next == RIG_PHASE_AWAITING_APPROVAL || rig_phase_is_terminal(next))
            return 0;
    }
}

static void run_release(struct run *r)
{
    if (r->watcher_started) {
        r->watcher_stop = 1;
        pthread_join(r->watcher, NULL);
    }
    rig_task_release(&r->task);
    if (r->ws_ready)
        rig_workspace_release(&r->ws);
    free(r->plan);
    rig_strv_free(r->plan_files);
    free(r->fail_reason);
}

static int run_decided(struct run *r, const struct run_start *how, struct rig_err *err)
{
    if (how->approved) {
        if (how->approved->kind == RIG_PROPOSAL_INFRA && proposal_apply(r, how->approved, err) < 0)
            return -1;
        return run_enter(r, RIG_PHASE_DEPLOYING, err);
    }
    free(r->fail_reason);
    r->fail_reason = xasprintf("proposal rejected%s%s", *how->rejected ? ": " : "",
                               how->rejected);
    run_log(r, RIG_LOG_WARN, "%s", r->fail_reason);
    if (r->conf->rollback_enabled && run_anything_deployed(r))
        return run_enter(r, RIG_PHASE_ROLLING_BACK, err);
    return rig_err_set(err, RIG_EGENERIC, "%s", r->fail_reason);
}

int run_task(struct rig_engine *eng, const char *task_id, const struct run_start *how,
             struct rig_err *err)
{
    bool decided = how->approved != NULL || how->rejected != NULL;
    bool resume = how->resume || decided;
    struct run r;
    int rc = -1;

    memset(&r, 0, sizeof(r));
    r.eng = eng;
    r.conf = eng->conf;
    r.st = eng->store;
    if (rig_store_task_get(r.st, task_id, &r.task, err) < 0)
        return -1;
    r.phase = r.task.phase;
    r.mode = load_mode(r.st, task_id);
    r.dry_run = r.task.dry_run;
    r.resumed = resume;
    r.usage.tokens_in = r.task.tokens_in;
    r.usage.tokens_out = r.task.tokens_out;
    r.usage.cost_usd = r.task.cost_usd;
    if (decided ? r.task.status != RIG_TASK_AWAITING_APPROVAL
                : r.task.status != RIG_TASK_RUNNING) {
        rig_err_set(err, RIG_ECONFLICT, "task %s is %s, not runnable", task_id,
                    rig_task_status_name(r.task.status));
        goto out;
    }
    if (rig_store_task_set_owner(r.st, task_id, getpid(), err) < 0)
        goto out;
    if (pthread_create(&r.watcher, NULL, cancel_watcher, &r) == 0)
        r.watcher_started = true;
    if (r.dry_run)
        run_log(&r, RIG_LOG_INFO, "dry run: no push, no deploy, no pull request");
    if (prepare_workspace(&r, resume, err) < 0 || attempt_restore_plan(&r, err) < 0 ||
        (decided && run_decided(&r, how, err) < 0)) {
        run_fail(&r, err);
        goto out;
    }
    rc = run_loop(&r, err);
    if (rc < 0)
        run_fail(&r, err);
    else if (rc > 0)
        rc = -1;
out:
    run_release(&r);
    return rc;
}

int rig_engine_run(struct rig_engine *eng, const char *task_id, struct rig_err *err)
{
    struct run_start how = {0};

    return run_task(eng, task_id, &how, err);
}

int rig_engine_interrupted_phase(struct rig_store *st, const char *task_id,
                                 enum rig_phase *out, struct rig_err *err)
{
    struct rig_step_list steps = {0};
    int rc = -1;

    if (rig_store_step_list(st, task_id, &steps, err) < 0)
        return -1;
    for (size_t i = steps.len; i-- > 0;) {
        enum rig_phase p = steps.items[i].phase;
        if (!rig_phase_is_terminal(p) && p != RIG_PHASE_QUEUED) {
            *out = p;
            rc = 0;
            break;
        }
    }
    if (rc < 0) {
        *out = RIG_PHASE_QUEUED;
        rc = 0;
    }
    rig_step_list_release(&steps);
    return rc;
}

int rig_engine_resume(struct rig_engine *eng, const char *task_id, struct rig_err *err)
{
    struct rig_task t = {0};
    enum rig_phase at;
    int rc = -1;

    if (rig_store_task_get(eng->store, task_id, &t, err) < 0)
        return -1;
    if (t.status != RIG_TASK_INTERRUPTED) {
        rig_err_set(err, RIG_ECONFLICT,
                    "task %s is %s: only an interrupted task can be resumed", task_id,
                    rig_task_status_name(t.status));
        goto out;
    }
    if (rig_engine_interrupted_phase(eng->store, task_id, &at, err) < 0)
        goto out;
    if (at == RIG_PHASE_QUEUED)
        at = RIG_PHASE_PLANNING;
    if (rig_machine_check(RIG_PHASE_INTERRUPTED, at, err) < 0 ||
        rig_store_task_update_phase(eng->store, task_id, at, RIG_TASK_RUNNING, err) < 0)
        goto out;
    rig_store_log_append(eng->store, task_id, 0, rig_phase_name(at), RIG_LOG_INFO,
                         "resuming from phase after an interruption", NULL, NULL);
    {
        struct run_start how = {.resume = true};
        rc = run_task(eng, task_id, &how, err);
    }
out:
    rig_task_release(&t);
    return rc;
}

int rig_engine_cancel(struct rig_store *st, const char *task_id, struct rig_err *err)
{
    static const char why[] = "cancelled while waiting for approval";
    struct rig_task t = {0};
    struct rig_proposal p = {0};
    int rc = -1;

    if (rig_store_task_request_cancel(st, task_id, err) < 0 ||
        rig_store_task_get(st, task_id, &t, err) < 0)
        return -1;
    if (t.status != RIG_TASK_AWAITING_APPROVAL) {
        rc = 0; /* the process running it sees the flag */
        goto out;
    }
    /* No process runs a waiting task: end it here, closing its proposal so it
     * can no longer be approved. */
    if (rig_store_proposal_get_pending(st, task_id, &p, NULL) == 0)
        rig_store_proposal_decide(st, p.id, RIG_PROPOSAL_REJECTED, "cancel", why, NULL);
    rig_store_log_append(st, task_id, 0, rig_phase_name(RIG_PHASE_CANCELLED), RIG_LOG_WARN,
                         why, NULL, NULL);
    if (rig_machine_check(t.phase, RIG_PHASE_CANCELLED, err) < 0 ||
        rig_store_task_set_result(st, task_id, "cancelled", why, err) < 0 ||
        rig_store_task_update_phase(st, task_id, RIG_PHASE_CANCELLED, RIG_TASK_CANCELLED,
                                    err) < 0)
        goto out;
    rc = 0;
out:
    rig_proposal_release(&p);
    rig_task_release(&t);
    return rc;
}

int rig_engine_recover(struct rig_store *st, size_t *n, struct rig_err *err)
{
    struct rig_task_list l = {0};
    size_t count = 0;

    if (rig_store_task_find_interrupted(st, NULL, NULL, &l, err) < 0)
        return -1;
    for (size_t i = 0; i < l.len; i++) {
        if (rig_store_task_mark_interrupted(st, l.items[i].id, NULL) == 0) {
            rig_store_log_append(st, l.items[i].id, 0, "interrupted", RIG_LOG_WARN,
                                 "the process running this task stopped; resume with "
                                 "'rig exec --resume <task>'",
                                 NULL, NULL);
            count++;
        }
    }
    rig_task_list_release(&l);
    if (n)
        *n = count;
    return 0;
}
