/* Proposals: changes that wait for a person (before_deploy gate, AI infra fixes). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/timeutil.h"
#include "engine/diff.h"
#include "engine/run_int.h"
#include "core/banned.h"

#define INFRA_FILE_MAX (256 * 1024)
#define DEPLOY_LOG_TAIL (32 * 1024)

static int64_t expiry(struct run *r)
{
    return r->conf->approval_timeout_ms > 0 ? rig_now_ms() + r->conf->approval_timeout_ms : 0;
}

static char *base_ref(struct run *r)
{
    return xasprintf("%s/%s", r->ws.remote ? r->ws.remote : "origin",
                     r->ws.base ? r->ws.base : "HEAD");
}

int proposal_deploy(struct run *r, struct rig_err *err)
{
    struct rig_proposal p = {0};
    char *ref = base_ref(r), *diff = NULL;
    char **names = NULL;
    size_t n = 0;
    bool truncated = false;
    json_t *files = json_array();
    int rc = -1;

    if (rig_git_diff_text(&r->conf->git, r->ws.repo, ref, 0, &diff, &truncated, err) < 0 ||
        rig_git_diff_names(&r->conf->git, r->ws.repo, ref, &names, &n, err) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(files, json_pack("{s:s}", "path", names[i]));
    p.task_id = r->task.id;
    p.kind = RIG_PROPOSAL_DEPLOY;
    p.summary = xasprintf("Deploy branch %s (%zu file(s) changed against %s)%s",
                          r->task.branch, n, ref, truncated ? "; diff truncated" : "");
    p.files_json = rig_json_dump(files, false);
    p.diff = diff;
    diff = NULL;
    p.expires_at = expiry(r);
    if (rig_store_proposal_create(r->st, &p, err) < 0)
        goto out;
    run_log(r, RIG_LOG_INFO,
            "waiting for approval before deploying: rig approve %s | rig reject %s",
            r->task.id, r->task.id);
    rc = 0;
out:
    p.task_id = NULL;
    rig_proposal_release(&p);
    json_decref(files);
    rig_strv_free(names);
    free(diff);
    free(ref);
    return rc;
}

/* ------------------------------------------------------------- infra -- */

struct infra_set {
    struct rig_ai_file *files;
    size_t n;
    size_t bytes;
    struct run *r;
};

static bool matches_any(const char *const *pats, size_t n, const char *path)
{
    for (size_t i = 0; i < n; i++)
        if (rig_policy_path_matches(pats[i], path))
            return true;
    return false;
}

static int infra_visit(void *ctx, const char *rel, bool is_link)
{
    struct infra_set *s = ctx;
    const struct rig_engine_conf *c = s->r->conf;
    char *full = NULL, *data = NULL, *clean;
    size_t len = 0;

    if (is_link || !matches_any(c->infra_files, c->ninfra_files, rel))
        return 0;
    if (rig_path_join_under(s->r->ws.repo, rel, strlen(rel), &full, NULL) < 0 ||
        rig_read_file(full, INFRA_FILE_MAX, &data, &len, NULL) < 0) {
        free(full);
        return 0;
    }
    free(full);
    /* Registered secrets (tokens, keys, passwords) never reach the AI. */
    clean = rig_redact(data);
    free(data);
    s->files = xreallocarray(s->files, s->n + 1, sizeof(*s->files));
    s->files[s->n].path = xstrdup(rel);
    s->files[s->n].content = clean;
    s->files[s->n].readonly = matches_any(c->infra_readonly, c->ninfra_readonly, rel);
    s->n++;
    s->bytes += len;
    return 0;
}

static void infra_release(struct infra_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free((char *)s->files[i].path);
        free((char *)s->files[i].content);
    }
    free(s->files);
}

static const struct rig_ai_file *infra_find(const struct infra_set *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->files[i].path, path) == 0)
            return &s->files[i];
    return NULL;
}

/* The text a change would leave; NULL after = deletion. */
static int change_after(const struct rig_ai_file_change *f, const char *before, char **after,
                        struct rig_err *err)
{
    char *cur;

    *after = NULL;
    if (f->action == RIG_AI_DELETE)
        return 0;
    if (f->action == RIG_AI_WRITE) {
        *after = xstrdup(f->content ? f->content : "");
        return 0;
    }
    if (!before)
        return rig_err_set(err, RIG_EINVAL, "%s: edit of a file that does not exist", f->path);
    cur = xstrdup(before);
    for (size_t k = 0; k < f->nedits; k++) {
        const char *s = f->edits[k].search;
        char *hit = *s ? strstr(cur, s) : NULL;
        struct rig_buf b = RIG_BUF_INIT;

        if (!hit || strstr(hit + 1, s)) {
            free(cur);
            return rig_err_set(err, RIG_EINVAL, "%s: edit %zu must match exactly once",
                               f->path, k + 1);
        }
        rig_buf_add(&b, cur, (size_t)(hit - cur));
        rig_buf_adds(&b, f->edits[k].replace ? f->edits[k].replace : "");
        rig_buf_adds(&b, hit + strlen(s));
        free(cur);
        cur = rig_buf_take(&b);
    }
    *after = cur;
    return 0;
}

static int build_files(struct run *r, const struct infra_set *set,
                       const struct rig_ai_proposal *ap, json_t *files, struct rig_buf *all,
                       struct rig_err *err)
{
    const struct rig_engine_conf *c = r->conf;

    for (size_t i = 0; i < ap->nfiles; i++) {
        const struct rig_ai_file_change *f = &ap->files[i];
        const struct rig_ai_file *known = infra_find(set, f->path);
        char *full = NULL, *before = NULL, *after = NULL, *diff = NULL, *rel;
        size_t len = 0;
        int rc = 0;

        if (rig_path_join_under(r->ws.repo, f->path, strlen(f->path), &full, err) < 0)
            return rig_err_prefix(err, "AI proposal");
        /* The globs are matched against the normalised path: "./x" or "a//x"
         * must not slip past them, nor a file the AI was never shown. */
        rel = rig_path_normalize_rel(f->path);
        if (!matches_any(c->infra_files, c->ninfra_files, rel ? rel : "")) {
            rc = rig_err_set(err, RIG_EPOLICY, "AI proposal changes %s, which is not one of "
                             "deploy.infra_files", f->path);
        } else if ((known && known->readonly) ||
                   matches_any(c->infra_readonly, c->ninfra_readonly, rel)) {
            rc = rig_err_set(err, RIG_EPOLICY, "AI proposal changes %s, which is read-only "
                             "(deploy.infra_readonly)", f->path);
        }
        free(rel);
        if (rc < 0) {
            free(full);
            return -1;
        }
        if (rig_read_file(full, INFRA_FILE_MAX, &before, &len, NULL) < 0)
            before = NULL;
        free(full);
        rc = change_after(f, before, &after, err);
        if (rc == 0)
            rc = rig_diff_unified(f->path, before, after, &diff, err);
        if (rc == 0) {
            json_array_append_new(files, json_pack("{s:s,s:s,s:s?,s:s?,s:s}", "path", f->path,
                                                   "action", rig_ai_action_name(f->action),
                                                   "before", before, "after", after, "diff",
                                                   diff));
            rig_buf_adds(all, diff);
        }
        free(before);
        free(after);
        free(diff);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int proposal_infra(struct run *r, struct rig_err *err)
{
    struct infra_set set = {.r = r};
    struct rig_attempt a = {0};
    struct rig_ai_proposal ap = {0};
    struct rig_ai_ctx ctx = {0};
    struct rig_ai_usage before = r->usage;
    struct rig_proposal p = {0};
    struct rig_buf all = RIG_BUF_INIT;
    json_t *files = json_array();
    const char *log;
    int rc = -1;

    if (rig_path_walk(r->ws.repo, infra_visit, &set, err) < 0 ||
        attempt_load(r, r->task.attempt, &a, err) < 0)
        goto out;
    log = a.deploy_log ? a.deploy_log : "";
    if (strlen(log) > DEPLOY_LOG_TAIL)
        log += strlen(log) - DEPLOY_LOG_TAIL;
    run_log(r, RIG_LOG_INFO, "asking %s to analyse the deploy failure (%zu infra file(s))",
            rig_ai_model(r->conf->ai), set.n);
    ctx.issue_title = r->task.issue_title;
    ctx.issue_body = r->task.issue_body;
    ctx.issue_number = r->task.issue_number;
    ctx.plan = r->plan;
    ctx.deploy_log = log;
    ctx.infra_files = set.files;
    ctx.ninfra_files = set.n;
    ctx.workspace = r->ws.repo;
    ctx.budget = &r->conf->budget;
    ctx.cancel = &r->cancel;
    rc = rig_ai_infra(r->conf->ai, &ctx, &ap, &r->usage, err);
    run_add_usage(r, &before);
    if (rc < 0)
        goto out;
    rc = -1;
    if (build_files(r, &set, &ap, files, &all, err) < 0)
        goto out;
    p.task_id = r->task.id;
    p.kind = RIG_PROPOSAL_INFRA;
    p.summary = xstrdup(ap.explanation);
    p.files_json = rig_json_dump(files, false);
    p.diff = rig_buf_take(&all);
    p.expires_at = expiry(r);
    if (rig_store_proposal_create(r->st, &p, err) < 0)
        goto out;
    run_log(r, RIG_LOG_INFO, "proposal %s: %s", p.id, ap.explanation);
    run_log(r, RIG_LOG_INFO, "review with 'rig proposals %s', then rig approve/reject %s",
            r->task.id, r->task.id);
    rc = 0;
out:
    p.task_id = NULL;
    rig_proposal_release(&p);
    rig_buf_release(&all);
    json_decref(files);
    rig_ai_proposal_release(&ap);
    rig_attempt_release(&a);
    infra_release(&set);
    return rc;
}

/* --------------------------------------------------------------- apply -- */

static int apply_files(struct run *r, json_t *files, struct rig_err *err)
{
    size_t n = json_array_size(files), i;
    struct rig_ws_change *ch = xcalloc(n ? n : 1, sizeof(*ch));
    json_t *f;
    int rc;

    json_array_foreach(files, i, f) {
        const char *after = rig_json_str(f, "after", NULL);
        ch[i].path = rig_json_str(f, "path", "");
        ch[i].action = after ? RIG_WS_WRITE : RIG_WS_DELETE;
        ch[i].content = after;
    }
    rc = rig_workspace_apply(&r->ws, ch, n, err);
    free(ch);
    return rc;
}

int proposal_apply(struct run *r, const struct rig_proposal *p, struct rig_err *err)
{
    json_t *files = NULL;
    char *msg = NULL;
    bool committed = false;
    int rc = -1;

    files = rig_json_loadb(p->files_json, strlen(p->files_json), "proposal files", err);
    if (!files)
        return -1;
    if (apply_files(r, files, err) < 0) {
        rig_err_prefix(err, "applying proposal %s", p->id);
        goto out;
    }
    msg = xasprintf("rig: apply approved infra proposal %s (#%lld)\n\n%s\n\nTask: %s\n", p->id,
                    (long long)r->task.issue_number, p->summary ? p->summary : "", r->task.id);
    if (rig_git_add_all(&r->conf->git, r->ws.repo, err) < 0 ||
        rig_git_commit(&r->conf->git, r->ws.repo, msg, &r->conf->ident, &committed, r->sha,
                       err) < 0)
        goto out;
    if (committed) {
        run_set_vars(r);
        if (!r->dry_run && r->conf->source->ops->push_branch(r->conf->source, &r->ws, err) < 0)
            goto out;
        run_log(r, RIG_LOG_INFO, "applied proposal %s as %.12s", p->id, r->sha);
    } else {
        run_log(r, RIG_LOG_WARN, "proposal %s changed nothing in the workspace", p->id);
    }
    rc = 0;
out:
    free(msg);
    json_decref(files);
    return rc;
}
