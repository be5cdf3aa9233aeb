/* Deploying, testing, analysing failures, reporting and rolling back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/timeutil.h"
#include "engine/run_int.h"
#include "core/banned.h"

#define DEPLOY_LOG_MAX (256 * 1024)

struct line_ctx {
    struct run *r;
    const char *kind; /* "deploy", "test", "rollback" */
};

static void on_line(void *ctx, const char *step, int attempt, const char *line, size_t len)
{
    struct line_ctx *lc = ctx;
    char tag[160];
    char *text = xstrndup(line, len);

    if (attempt > 1)
        snprintf(tag, sizeof(tag), "%s:%s#%d", lc->kind, step, attempt);
    else
        snprintf(tag, sizeof(tag), "%s:%s", lc->kind, step);
    run_log_tag(lc->r, tag, RIG_LOG_INFO, text);
    free(text);
}

static void run_ctx(struct run *r, struct line_ctx *lc, struct rig_run_ctx *rc)
{
    memset(rc, 0, sizeof(*rc));
    rc->workspace = r->ws.repo;
    rc->vars = &r->vars;
    rc->on_line = on_line;
    rc->line_ctx = lc;
    rc->cancel = &r->cancel;
}

static char *results_text(const struct rig_cmd_result *items, size_t n)
{
    struct rig_buf b = RIG_BUF_INIT;
    char d[32];

    for (size_t i = 0; i < n; i++) {
        rig_buf_addf(&b, "$ %s: %s (%s)\n", items[i].name,
                     items[i].ok ? "ok" : (items[i].error ? items[i].error : "failed"),
                     rig_duration_format(items[i].duration_ms, d, sizeof(d)));
        rig_buf_adds(&b, items[i].output ? items[i].output : "");
        if (b.len && b.data[b.len - 1] != '\n')
            rig_buf_addch(&b, '\n');
    }
    if (b.len > DEPLOY_LOG_MAX)
        rig_buf_consume(&b, b.len - DEPLOY_LOG_MAX);
    return rig_buf_take(&b);
}

static void log_would_run(struct run *r, const char *what, const char *name, const char *cmd)
{
    char *expanded = NULL;
    struct rig_err err = RIG_ERR_INIT;

    if (rig_vars_expand(cmd, &r->vars, &expanded, &err) < 0)
        run_log(r, RIG_LOG_WARN, "dry run: %s %s: %s", what, name, err.msg);
    else
        run_log(r, RIG_LOG_INFO, "dry run: would run %s %s: %s", what, name, expanded);
    free(expanded);
}

static void save_deploy(struct run *r, bool ok, const char *text)
{
    struct rig_attempt a = {0};

    if (r->task.attempt < 1 || attempt_load(r, r->task.attempt, &a, NULL) < 0)
        return;
    a.deploy_ok = ok ? 1 : 0;
    free(a.deploy_log);
    a.deploy_log = xstrdup(text);
    attempt_save(r, &a, NULL);
    rig_attempt_release(&a);
}

/* docker compose: one step whose result is shaped like a command's. */
static int deploy_compose(struct run *r, const struct rig_run_ctx *rc,
                          struct rig_deploy_result *res, struct rig_err *err)
{
    int ret;

    res->items = xcalloc(1, sizeof(*res->items));
    res->len = 1;
    ret = rig_compose_deploy(r->conf->compose, rc, &res->items[0], err);
    if (!res->items[0].name)
        res->items[0].name = xstrdup("docker compose up");
    res->ok = ret == 0;
    return ret;
}

int phase_deploying(struct run *r, enum rig_phase *next, struct rig_err *err)
{
    const struct rig_engine_conf *c = r->conf;
    struct line_ctx lc = {r, "deploy"};
    struct rig_run_ctx rc;
    struct rig_deploy_opts o;
    struct rig_deploy_result res = {0};
    char *text;
    int ret;

    *next = run_after_deploy(r);
    if (c->ndeploy == 0 && !c->compose) {
        run_log(r, RIG_LOG_INFO, "no deploy commands configured");
        return 0;
    }
    if (r->dry_run && c->compose) {
        run_log(r, RIG_LOG_INFO, "dry run: would run docker compose up -d --wait (%s)",
                c->compose->file ? c->compose->file : "default compose file");
        return 0;
    }
    if (r->dry_run) {
        for (size_t i = 0; i < c->ndeploy; i++)
            log_would_run(r, "deploy command", c->deploy[i].name, c->deploy[i].run);
        return 0;
    }
    run_ctx(r, &lc, &rc);
    o.run = &rc;
    o.ssh = c->ssh;
    ret = c->compose ? deploy_compose(r, &rc, &res, err)
                     : rig_deploy_run(c->deploy, c->ndeploy, &o, &res, err);
    text = results_text(res.items, res.len);
    save_deploy(r, ret == 0, text);
    free(text);
    rig_deploy_result_release(&res);
    if (ret == 0) {
        run_log(r, RIG_LOG_INFO, "deploy succeeded");
        run_event(r, RIG_EVENT_DEPLOYED, NULL);
        return 0;
    }
    run_event(r, RIG_EVENT_DEPLOY_FAIL, err->msg);
    if (run_cancelled(r) || r->mode == RIG_MODE_DEPLOY)
        return -1;
    run_log(r, RIG_LOG_ERROR, "%s", err->msg);
    run_end_step(r, RIG_STEP_FAILED, err->msg);
    *next = RIG_PHASE_ANALYZING;
    return 0;
}

/* --------------------------------------------------------------- tests -- */

static void save_tests(struct run *r, const struct rig_test_report *rep)
{
    struct rig_attempt a = {0};
    json_t *arr = json_array();

    for (size_t i = 0; i < rep->len; i++) {
        const struct rig_cmd_result *t = &rep->items[i];
        json_array_append_new(arr, json_pack("{s:s,s:b,s:b,s:i,s:I,s:s,s:s?}", "name", t->name,
                                             "ok", t->ok, "skipped", t->skipped, "exit_code",
                                             t->exit_code, "duration_ms",
                                             (json_int_t)t->duration_ms, "output",
                                             t->output ? t->output : "", "error", t->error));
    }
    if (r->task.attempt >= 1 && attempt_load(r, r->task.attempt, &a, NULL) == 0) {
        free(a.tests_json);
        a.tests_json = rig_json_dump(arr, false);
        attempt_save(r, &a, NULL);
        rig_attempt_release(&a);
    }
    json_decref(arr);
}

static int changed_files(struct run *r, char ***files, size_t *n, struct rig_err *err)
{
    char *ref = xasprintf("%s/%s", r->ws.remote ? r->ws.remote : "origin",
                          r->ws.base ? r->ws.base : "HEAD");
    int rc = rig_git_diff_names(&r->conf->git, r->ws.repo, ref, files, n, err);

    free(ref);
    return rc;
}

int phase_testing(struct run *r, enum rig_phase *next, struct rig_err *err)
{
    const struct rig_engine_conf *c = r->conf;
    struct line_ctx lc = {r, "test"};
    struct rig_run_ctx rc;
    struct rig_test_report rep = {0};
    char **files = NULL;
    size_t nfiles = 0;
    int ret = -1;

    *next = run_after_test(r);
    if (c->ntests == 0) {
        run_log(r, RIG_LOG_WARN, "no tests configured: the change is not verified");
        return 0;
    }
    if (changed_files(r, &files, &nfiles, err) < 0)
        return -1;
    if (r->dry_run) {
        bool *sel = xcalloc(c->ntests, sizeof(*sel));
        rig_test_select(c->tests, c->ntests, (const char *const *)files, nfiles, sel);
        for (size_t i = 0; i < c->ntests; i++)
            if (sel[i])
                log_would_run(r, "test", c->tests[i].name, c->tests[i].run);
        free(sel);
        ret = 0;
        goto out;
    }
    run_ctx(r, &lc, &rc);
    /* AI-written code runs here: it must not see Rig's own keys and tokens. */
    rc.clean_env = true;
    ret = rig_test_run(c->tests, c->ntests, (const char *const *)files, nfiles, &rc, &rep, err);
    save_tests(r, &rep);
    run_log(r, ret == 0 ? RIG_LOG_INFO : RIG_LOG_ERROR,
            "tests: %zu passed, %zu failed, %zu skipped%s", rep.passed, rep.failed, rep.skipped,
            rep.ran_all_fallback ? " (no entry matched the changed files: ran all)" : "");
    if (!run_cancelled(r))
        run_event(r, ret == 0 ? RIG_EVENT_TEST_PASS : RIG_EVENT_TEST_FAIL,
                  ret == 0 ? NULL : err->msg);
    if (ret == 0 || run_cancelled(r) || r->mode == RIG_MODE_TEST)
        goto out;
    run_end_step(r, RIG_STEP_FAILED, err->msg);
    *next = RIG_PHASE_ANALYZING;
    ret = 0;
out:
    rig_test_report_release(&rep);
    rig_strv_free(files);
    return ret;
}

/* ----------------------------------------------------------- analysing -- */

bool run_anything_deployed(struct run *r)
{
    struct rig_attempt_list l = {0};
    bool any = false;

    if (rig_store_attempt_list(r->st, r->task.id, &l, NULL) == 0)
        for (size_t i = 0; i < l.len; i++)
            any |= l.items[i].deploy_ok >= 0;
    rig_attempt_list_release(&l);
    return any;
}

int phase_analyzing(struct run *r, enum rig_phase *next, struct rig_err *err)
{
    int n = r->task.attempt;
    bool deploy_failed = attempt_deploy_failed(r, n);

    if (deploy_failed && r->conf->ninfra_files > 0) {
        if (proposal_infra(r, err) < 0)
            return -1;
        *next = RIG_PHASE_AWAITING_APPROVAL;
        return 0;
    }
    if (n - 1 >= r->task.max_retry) {
        free(r->fail_reason);
        r->fail_reason = xasprintf("%s still failing after %d self-heal round(s) (ai.max_retry = %d)",
                                   deploy_failed ? "deploy" : "tests", n - 1, r->task.max_retry);
        if (r->conf->rollback_enabled && run_anything_deployed(r)) {
            run_log(r, RIG_LOG_ERROR, "%s: rolling back", r->fail_reason);
            *next = RIG_PHASE_ROLLING_BACK;
            return 0;
        }
        return rig_err_set(err, RIG_EGENERIC, "%s", r->fail_reason);
    }
    if (attempt_begin(r, n + 1, err) < 0)
        return -1;
    run_log(r, RIG_LOG_INFO, "%s failed: starting self-heal round %d of %d",
            deploy_failed ? "deploy" : "tests", n, r->task.max_retry);
    *next = RIG_PHASE_CODING;
    return 0;
}

/* ----------------------------------------------------------- reporting -- */

static char *pr_body(struct run *r)
{
    struct rig_attempt_list l = {0};
    struct rig_buf b = RIG_BUF_INIT;
    char *hist, *clean;

    if (r->task.issue_url && *r->task.issue_url)
        rig_buf_addf(&b, "Closes #%lld\n\n", (long long)r->task.issue_number);
    else
        rig_buf_addf(&b, "Issue #%lld: %s\n\n", (long long)r->task.issue_number,
                     r->task.issue_title);
    if (r->plan)
        rig_buf_addf(&b, "## Plan\n\n%s\n\n", r->plan);
    hist = attempt_history(r, r->task.attempt + 1);
    rig_buf_addf(&b, "## Attempts\n\n%s\n", hist);
    free(hist);
    if (rig_store_attempt_list(r->st, r->task.id, &l, NULL) == 0 && l.len) {
        json_t *tests = json_loads(l.items[l.len - 1].tests_json, 0, NULL);
        size_t i;
        json_t *t;
        if (json_array_size(tests))
            rig_buf_adds(&b, "## Tests\n\n");
        json_array_foreach(tests, i, t)
            rig_buf_addf(&b, "- %s %s\n",
                         json_is_true(json_object_get(t, "skipped")) ? "⏭"
                         : json_is_true(json_object_get(t, "ok"))    ? "✅"
                                                                     : "❌",
                         rig_json_str(t, "name", "?"));
        json_decref(tests);
    }
    rig_attempt_list_release(&l);
    rig_buf_addf(&b, "\n---\nOpened by Rig, task %s. AI usage: %lld input / %lld output tokens, $%.4f.\n",
                 r->task.id, r->usage.tokens_in, r->usage.tokens_out, r->usage.cost_usd);
    /* The plan and test names are the AI's and the project's words: a secret
     * they echo must not be published with the pull request. */
    clean = rig_redact(rig_buf_str(&b));
    rig_buf_release(&b);
    return clean;
}

int phase_reporting(struct run *r, enum rig_phase *next, struct rig_err *err)
{
    struct rig_pr_request req;
    struct rig_pr pr = {0};
    char *raw = xasprintf("rig: %s", r->task.issue_title);
    char *title = rig_redact(raw);
    char *body = pr_body(r);
    int rc = -1;

    req.branch = r->task.branch;
    req.base = r->ws.base;
    req.title = title;
    req.body = body;
    req.issue_number = r->task.issue_url && *r->task.issue_url ? r->task.issue_number : 0;
    if (r->dry_run) {
        run_log(r, RIG_LOG_INFO, "dry run: would open a pull request %s -> %s: %s", req.branch,
                req.base ? req.base : "(default)", title);
        *next = RIG_PHASE_COMPLETED;
        rig_store_task_set_result(r->st, r->task.id, "dry run completed", NULL, NULL);
        rc = 0;
        goto out;
    }
    if (r->conf->source->ops->open_pr(r->conf->source, &req, &pr, err) < 0)
        goto out;
    if (rig_store_task_set_pr(r->st, r->task.id, pr.url, pr.number, title, body, err) < 0)
        goto out;
    if (pr.url)
        run_log(r, RIG_LOG_INFO, "pull request opened: %s", pr.url);
    else
        run_log(r, RIG_LOG_INFO, "pull request recorded: %s -> %s (%s)", pr.branch, pr.base,
                pr.remote ? pr.remote : "local");
    rig_store_task_set_result(r->st, r->task.id, "pull request opened", NULL, NULL);
    run_event(r, RIG_EVENT_PR_CREATED, pr.url ? pr.url : pr.branch);
    *next = RIG_PHASE_COMPLETED;
    rc = 0;
out:
    rig_pr_release(&pr);
    free(raw);
    free(title);
    free(body);
    return rc;
}

/* ---------------------------------------------------------- rolling back -- */

/* Bring back the revision the task branched from: a detached worktree of
 * <remote>/<base> next to the workspace, deployed with the same project name. */
static int rollback_compose(struct run *r, const struct rig_run_ctx *rc, struct rig_err *err)
{
    char *rev = xasprintf("%s/%s", r->ws.remote ? r->ws.remote : "origin",
                          r->ws.base ? r->ws.base : "HEAD");
    char *dest = xasprintf("%s/previous", r->ws.root);
    struct rig_cmd_result res = {0};
    int ret = -1;

    rig_compose_remove_previous(r->ws.repo, dest, NULL);
    if (rig_compose_prepare_previous(r->ws.repo, rev, dest, err) == 0) {
        run_log(r, RIG_LOG_INFO, "rolling back to %s", rev);
        ret = rig_compose_rollback(r->conf->rollback_compose, dest, rc, &res, err);
        rig_compose_remove_previous(r->ws.repo, dest, NULL);
    }
    rig_cmd_result_release(&res);
    free(rev);
    free(dest);
    return ret;
}

int phase_rolling_back(struct run *r, enum rig_phase *next, struct rig_err *err)
{
    const struct rig_engine_conf *c = r->conf;
    struct line_ctx lc = {r, "rollback"};
    struct rig_run_ctx rc;
    struct rig_deploy_opts o;
    struct rig_deploy_result res = {0};
    struct rig_err rerr = RIG_ERR_INIT;
    const char *why = r->fail_reason ? r->fail_reason : "task failed";
    char *msg;
    int ret;

    (void)err;
    run_ctx(r, &lc, &rc);
    o.run = &rc;
    o.ssh = c->ssh;
    ret = c->rollback_compose ? rollback_compose(r, &rc, &rerr)
                              : rig_deploy_rollback(c->rollback, c->nrollback, &o, &res, &rerr);
    rig_deploy_result_release(&res);
    if (ret == 0) {
        msg = xasprintf("%s; rollback succeeded", why);
        run_log(r, RIG_LOG_INFO, "rollback succeeded");
    } else {
        msg = xasprintf("%s; rollback FAILED: %s", why, rerr.msg);
        run_log(r, RIG_LOG_ERROR, "rollback failed: %s", rerr.msg);
        run_end_step(r, RIG_STEP_FAILED, rerr.msg);
    }
    rig_store_task_set_result(r->st, r->task.id, "failed", msg, NULL);
    free(r->fail_reason);
    r->fail_reason = msg;
    *next = RIG_PHASE_FAILED;
    return 0;
}
