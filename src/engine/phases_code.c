/* Planning, coding and committing: the AI's side of a task. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/timeutil.h"
#include "engine/context.h"
#include "engine/run_int.h"
#include "core/banned.h"

static void fill_ctx(struct run *r, struct rig_ai_ctx *ctx, const struct rig_repo_context *rc)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->issue_title = r->task.issue_title;
    ctx->issue_body = r->task.issue_body;
    ctx->issue_number = r->task.issue_number;
    ctx->plan = r->plan;
    ctx->repo_tree = rc->tree;
    ctx->guide = rc->guide;
    ctx->files = rc->files;
    ctx->nfiles = rc->nfiles;
    ctx->extra_instructions = r->conf->extra_instructions;
    ctx->workspace = r->ws.repo;
    ctx->budget = &r->conf->budget;
    ctx->cancel = &r->cancel;
}

static int collect_context(struct run *r, struct rig_repo_context *rc, size_t budget,
                           struct rig_err *err)
{
    struct rig_context_query q = {
        .title = r->task.issue_title,
        .body = r->task.issue_body,
        .plan = r->plan,
        .plan_files = (const char *const *)r->plan_files,
        .budget = budget,
    };

    if (rig_context_collect(&r->conf->git, r->ws.repo, &q, rc, err) < 0)
        return rig_err_prefix(err, "reading the repository for AI context");
    run_log(r, RIG_LOG_INFO, "AI context: %zu files, %zu bytes", rc->nfiles, rc->bytes);
    return 0;
}

static int save_plan(struct run *r, struct rig_err *err)
{
    struct rig_attempt a = {0};
    json_t *j = json_object(), *files = json_array();
    int rc = -1;

    json_object_set_new(j, "plan", json_string(r->plan));
    for (size_t i = 0; r->plan_files && r->plan_files[i]; i++)
        json_array_append_new(files, json_string(r->plan_files[i]));
    json_object_set_new(j, "plan_files", files);
    if (attempt_load(r, 1, &a, err) < 0)
        goto out;
    free(a.changes_json);
    a.changes_json = rig_json_dump(j, false);
    rc = attempt_save(r, &a, err);
out:
    rig_attempt_release(&a);
    json_decref(j);
    return rc;
}

int phase_planning(struct run *r, enum rig_phase *next, struct rig_err *err)
{
    struct rig_repo_context rc = {0};
    struct rig_ai_ctx ctx;
    struct rig_ai_usage before = r->usage;
    size_t budget = r->conf->context_bytes ? r->conf->context_bytes / 4 : 50000;
    int ret = -1;

    if (attempt_begin(r, 1, err) < 0 || collect_context(r, &rc, budget, err) < 0)
        goto out;
    fill_ctx(r, &ctx, &rc);
    free(r->plan);
    r->plan = NULL;
    rig_strv_free(r->plan_files);
    r->plan_files = NULL;
    run_log(r, RIG_LOG_INFO, "asking %s for a plan", rig_ai_model(r->conf->ai));
    ret = rig_ai_plan(r->conf->ai, &ctx, &r->plan, &r->plan_files, &r->usage, err);
    run_add_usage(r, &before);
    if (ret < 0)
        goto out;
    run_log_tag(r, "plan", RIG_LOG_INFO, r->plan);
    ret = save_plan(r, err);
    *next = RIG_PHASE_CODING;
out:
    rig_repo_context_release(&rc);
    return ret;
}

/* ------------------------------------------------------------- coding -- */

struct change_view {
    struct rig_ws_change *changes;
    struct rig_ws_edit *edits;
    size_t n;
};

static void view_build(const struct rig_ai_changeset *cs, struct change_view *v)
{
    size_t nedits = 0, e = 0;

    for (size_t i = 0; i < cs->nfiles; i++)
        nedits += cs->files[i].nedits;
    v->changes = xcalloc(cs->nfiles ? cs->nfiles : 1, sizeof(*v->changes));
    v->edits = xcalloc(nedits ? nedits : 1, sizeof(*v->edits));
    v->n = cs->nfiles;
    for (size_t i = 0; i < cs->nfiles; i++) {
        const struct rig_ai_file_change *f = &cs->files[i];
        struct rig_ws_change *c = &v->changes[i];

        c->path = f->path;
        c->action = f->action == RIG_AI_WRITE    ? RIG_WS_WRITE
                    : f->action == RIG_AI_DELETE ? RIG_WS_DELETE
                                                 : RIG_WS_EDIT;
        c->content = f->content;
        c->edits = &v->edits[e];
        c->nedits = f->nedits;
        for (size_t k = 0; k < f->nedits; k++, e++) {
            v->edits[e].search = f->edits[k].search;
            v->edits[e].replace = f->edits[k].replace;
        }
    }
}

static void view_release(struct change_view *v)
{
    free(v->changes);
    free(v->edits);
}

/* Evaluate the policies; record every violation; fail on a blocking one. */
static int check_policies(struct run *r, const char *const *files, size_t nfiles,
                          size_t lines, struct rig_err *err)
{
    struct rig_policy_input in = {
        .files = files,
        .nfiles = nfiles,
        .lines_changed = lines,
        .attempt = r->task.attempt,
        .ntests_configured = r->conf->ntests,
    };
    struct rig_policy_result res;
    int rc = 0;

    rig_policy_evaluate(r->conf->policies, r->conf->npolicies, &in, &res);
    for (size_t i = 0; i < res.len; i++) {
        struct rig_policy_violation v = {
            .task_id = r->task.id,
            .attempt = r->task.attempt,
            .policy = res.items[i].policy,
            .rule = res.items[i].rule,
            .action = res.items[i].block ? "block" : "warn",
            .message = res.items[i].message,
        };
        rig_store_violation_add(r->st, &v, NULL);
        run_log(r, res.items[i].block ? RIG_LOG_ERROR : RIG_LOG_WARN, "policy %s (%s): %s",
                res.items[i].policy, res.items[i].rule, res.items[i].message);
    }
    if (res.blocked) {
        char *s = rig_policy_summary(&res, true);
        rig_err_set(err, RIG_EPOLICY, "policy violation: %s", s);
        free(s);
        rc = -1;
    }
    rig_policy_result_release(&res);
    return rc;
}

static int reset_worktree(struct run *r, struct rig_err *err)
{
    static const char *const reset[] = {"reset", "--hard", "-q", "HEAD", NULL};
    static const char *const clean[] = {"clean", "-fdq", NULL};

    if (rig_git_run(&r->conf->git, r->ws.repo, reset, NULL, NULL, err) < 0 ||
        rig_git_run(&r->conf->git, r->ws.repo, clean, NULL, NULL, err) < 0)
        return -1;
    return 0;
}

static void record_changes(struct run *r, const struct rig_ai_changeset *cs,
                           const char *const *files, size_t nfiles, size_t added,
                           size_t removed)
{
    struct rig_attempt a = {0};
    json_t *j, *arr = json_array();

    if (attempt_load(r, r->task.attempt, &a, NULL) < 0)
        return;
    j = json_loads(a.changes_json ? a.changes_json : "{}", 0, NULL);
    if (!j)
        j = json_object();
    for (size_t i = 0; i < nfiles; i++) {
        const char *action = "write";
        for (size_t k = 0; k < cs->nfiles; k++)
            if (strcmp(cs->files[k].path, files[i]) == 0)
                action = rig_ai_action_name(cs->files[k].action);
        json_array_append_new(arr, json_pack("{s:s,s:s}", "path", files[i], "action",
                                             cs->agent_edited ? "agent" : action));
    }
    json_object_set_new(j, "summary", json_string(cs->summary ? cs->summary : ""));
    json_object_set_new(j, "files", arr);
    json_object_set_new(j, "lines_added", json_integer((json_int_t)added));
    json_object_set_new(j, "lines_removed", json_integer((json_int_t)removed));
    json_object_set_new(j, "agent", json_boolean(cs->agent_edited));
    free(a.changes_json);
    a.changes_json = rig_json_dump(j, false);
    attempt_save(r, &a, NULL);
    json_decref(j);
    rig_attempt_release(&a);
}

static int apply_answer(struct run *r, const struct rig_ai_changeset *cs, struct rig_err *err)
{
    struct change_view v = {0};
    struct rig_ws_stats stats = {0};
    int rc = -1;

    view_build(cs, &v);
    if (rig_workspace_measure(&r->ws, v.changes, v.n, &stats, err) < 0) {
        rig_err_prefix(err, "the AI's change set was refused");
        goto out;
    }
    if (check_policies(r, (const char *const *)stats.files, stats.nfiles,
                       stats.lines_added + stats.lines_removed, err) < 0)
        goto out;
    if (rig_workspace_apply(&r->ws, v.changes, v.n, err) < 0) {
        rig_err_prefix(err, "applying the AI's change set");
        goto out;
    }
    record_changes(r, cs, (const char *const *)stats.files, stats.nfiles, stats.lines_added,
                   stats.lines_removed);
    run_log(r, RIG_LOG_INFO, "applied %zu file change(s): +%zu -%zu lines", stats.nfiles,
            stats.lines_added, stats.lines_removed);
    rc = 0;
out:
    rig_ws_stats_release(&stats);
    view_release(&v);
    return rc;
}

/* Agent providers edit the workspace themselves: what they did is read back
 * from git and judged by the same policies. */
static int collect_agent_edits(struct run *r, const struct rig_ai_changeset *cs,
                               struct rig_err *err)
{
    struct rig_git_status gs = {0};
    struct rig_git_diffstat ds = {0};
    const char **files = NULL;
    int rc = -1;

    if (rig_git_status_changed(&r->conf->git, r->ws.repo, &gs, err) < 0 ||
        rig_git_diffstat(&r->conf->git, r->ws.repo, &ds, err) < 0)
        goto out;
    files = xcalloc(gs.len + 1, sizeof(*files));
    for (size_t i = 0; i < gs.len; i++)
        files[i] = gs.items[i].path;
    if (gs.len == 0) {
        rig_err_set(err, RIG_EINVAL, "the agent finished without changing any file");
        goto out;
    }
    if (check_policies(r, files, gs.len, ds.added + ds.removed, err) < 0) {
        reset_worktree(r, NULL);
        goto out;
    }
    record_changes(r, cs, files, gs.len, ds.added, ds.removed);
    run_log(r, RIG_LOG_INFO, "agent changed %zu file(s): +%zu -%zu lines", gs.len, ds.added,
            ds.removed);
    rc = 0;
out:
    free(files);
    rig_git_status_release(&gs);
    return rc;
}

int phase_coding(struct run *r, enum rig_phase *next, struct rig_err *err)
{
    struct rig_repo_context rc = {0};
    struct rig_ai_changeset cs = {0};
    struct rig_ai_ctx ctx;
    struct rig_ai_usage before = r->usage;
    char *failure = NULL, *history = NULL;
    int n, ret = -1;

    if (r->task.attempt < 1 && attempt_begin(r, 1, err) < 0)
        return -1;
    n = r->task.attempt;
    /* A resumed or repeated coding round starts from the last commit. */
    if (reset_worktree(r, err) < 0 || collect_context(r, &rc, r->conf->context_bytes, err) < 0)
        goto out;
    fill_ctx(r, &ctx, &rc);
    if (n == 1) {
        run_log(r, RIG_LOG_INFO, "asking %s for the code change", rig_ai_model(r->conf->ai));
        ret = rig_ai_code(r->conf->ai, &ctx, &cs, &r->usage, err);
    } else {
        failure = attempt_failure_log(r, n - 1);
        history = attempt_history(r, n);
        ctx.failure_log = failure;
        ctx.previous_changes = history;
        ctx.attempt = n - 1;
        run_log(r, RIG_LOG_INFO, "self-heal round %d of %d: asking %s for a fix", n - 1,
                r->task.max_retry, rig_ai_model(r->conf->ai));
        ret = rig_ai_fix(r->conf->ai, &ctx, &cs, &r->usage, err);
    }
    run_add_usage(r, &before);
    if (ret < 0)
        goto out;
    ret = -1;
    if (cs.summary && *cs.summary)
        run_log(r, RIG_LOG_INFO, "AI: %s", cs.summary);
    if (cs.agent_edited ? collect_agent_edits(r, &cs, err) < 0 : apply_answer(r, &cs, err) < 0)
        goto out;
    *next = RIG_PHASE_COMMITTING;
    ret = 0;
out:
    free(failure);
    free(history);
    rig_ai_changeset_release(&cs);
    rig_repo_context_release(&rc);
    return ret;
}

/* --------------------------------------------------------- committing -- */

static char *commit_message(struct run *r)
{
    struct rig_attempt a = {0};
    struct rig_buf b = RIG_BUF_INIT;
    json_t *j = NULL;

    rig_buf_addf(&b, "rig: %s (#%lld", r->task.issue_title, (long long)r->task.issue_number);
    if (r->task.attempt > 1)
        rig_buf_addf(&b, ", self-heal %d", r->task.attempt - 1);
    rig_buf_adds(&b, ")\n\n");
    if (attempt_load(r, r->task.attempt, &a, NULL) == 0)
        j = json_loads(a.changes_json ? a.changes_json : "{}", 0, NULL);
    rig_buf_addf(&b, "%s\n\nTask: %s\n", rig_json_str(j, "summary", "AI change"), r->task.id);
    json_decref(j);
    rig_attempt_release(&a);
    return rig_buf_take(&b);
}

int phase_committing(struct run *r, enum rig_phase *next, struct rig_err *err)
{
    char *msg = NULL;
    bool committed = false;
    int rc = -1;

    if (rig_git_add_all(&r->conf->git, r->ws.repo, err) < 0)
        goto out;
    msg = commit_message(r);
    if (rig_git_commit(&r->conf->git, r->ws.repo, msg, &r->conf->ident, &committed, r->sha,
                       err) < 0)
        goto out;
    if (!committed && !r->resumed) {
        rig_err_set(err, RIG_EINVAL, "the AI's change left the repository unchanged");
        goto out;
    }
    if (!committed && rig_git_head(&r->conf->git, r->ws.repo, r->sha, err) < 0)
        goto out;
    run_set_vars(r);
    run_log(r, RIG_LOG_INFO, "committed %.12s on %s", r->sha, r->task.branch);
    if (rig_store_task_set_branch(r->st, r->task.id, r->task.branch, err) < 0)
        goto out;
    if (r->dry_run) {
        run_log(r, RIG_LOG_INFO, "dry run: not pushing %s", r->task.branch);
    } else {
        if (r->conf->source->ops->push_branch(r->conf->source, &r->ws, err) < 0)
            goto out;
        run_log(r, RIG_LOG_INFO, "pushed %s", r->task.branch);
    }
    *next = run_after_commit(r);
    if (*next == RIG_PHASE_AWAITING_APPROVAL) {
        if (r->dry_run) {
            run_log(r, RIG_LOG_INFO, "dry run: would wait for approval before deploying");
            *next = RIG_PHASE_DEPLOYING;
        } else if (proposal_deploy(r, err) < 0) {
            goto out;
        }
    }
    rc = 0;
out:
    free(msg);
    return rc;
}
