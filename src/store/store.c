/*
 * Backend-independent part of the store: names of enums, _release functions,
 * argument checks, and dispatch through the ops vtable.
 */
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/str.h"
#include "store/backends.h"
#include "core/banned.h"

/* ---------------------------------------------------------------- names -- */

static const char *const task_status_names[] = {
    "running", "completed", "failed", "cancelled", "interrupted", "awaiting_approval",
};
static const char *const step_status_names[] = {"running", "ok", "failed", "skipped"};
static const char *const proposal_kind_names[] = {"infra", "deploy"};
static const char *const proposal_status_names[] = {"pending", "approved", "rejected",
                                                    "expired"};

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *name_of(const char *const *names, int n, int v)
{
    return v >= 0 && v < n ? names[v] : "unknown";
}

static int parse_of(const char *const *names, int n, const char *s, int *out)
{
    if (!s)
        return -1;
    for (int i = 0; i < n; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    return -1;
}

const char *rig_task_status_name(enum rig_task_status s)
{
    return name_of(task_status_names, NELEM(task_status_names), (int)s);
}

int rig_task_status_parse(const char *s, enum rig_task_status *out)
{
    int v;

    if (parse_of(task_status_names, NELEM(task_status_names), s, &v) < 0)
        return -1;
    *out = (enum rig_task_status)v;
    return 0;
}

bool rig_task_status_is_terminal(enum rig_task_status s)
{
    return s == RIG_TASK_COMPLETED || s == RIG_TASK_FAILED || s == RIG_TASK_CANCELLED ||
           s == RIG_TASK_INTERRUPTED;
}

const char *rig_step_status_name(enum rig_step_status s)
{
    return name_of(step_status_names, NELEM(step_status_names), (int)s);
}

int rig_step_status_parse(const char *s, enum rig_step_status *out)
{
    int v;

    if (parse_of(step_status_names, NELEM(step_status_names), s, &v) < 0)
        return -1;
    *out = (enum rig_step_status)v;
    return 0;
}

const char *rig_proposal_kind_name(enum rig_proposal_kind k)
{
    return name_of(proposal_kind_names, NELEM(proposal_kind_names), (int)k);
}

int rig_proposal_kind_parse(const char *s, enum rig_proposal_kind *out)
{
    int v;

    if (parse_of(proposal_kind_names, NELEM(proposal_kind_names), s, &v) < 0)
        return -1;
    *out = (enum rig_proposal_kind)v;
    return 0;
}

const char *rig_proposal_status_name(enum rig_proposal_status s)
{
    return name_of(proposal_status_names, NELEM(proposal_status_names), (int)s);
}

int rig_proposal_status_parse(const char *s, enum rig_proposal_status *out)
{
    int v;

    if (parse_of(proposal_status_names, NELEM(proposal_status_names), s, &v) < 0)
        return -1;
    *out = (enum rig_proposal_status)v;
    return 0;
}

/* ------------------------------------------------------------- releases -- */

void rig_project_release(struct rig_project *p)
{
    if (!p)
        return;
    free(p->name);
    free(p->platform);
    free(p->repo);
    free(p->base_branch);
    memset(p, 0, sizeof(*p));
}

void rig_task_release(struct rig_task *t)
{
    if (!t)
        return;
    free(t->id);
    free(t->project);
    free(t->issue_id);
    free(t->issue_title);
    free(t->issue_body);
    free(t->issue_url);
    free(t->branch);
    free(t->base_branch);
    free(t->workspace);
    free(t->result);
    free(t->error);
    free(t->pr_url);
    free(t->pr_title);
    free(t->pr_body);
    memset(t, 0, sizeof(*t));
}

void rig_task_list_release(struct rig_task_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->len; i++)
        rig_task_release(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->len = 0;
}

void rig_step_release(struct rig_step *s)
{
    if (!s)
        return;
    free(s->task_id);
    free(s->error);
    memset(s, 0, sizeof(*s));
}

void rig_step_list_release(struct rig_step_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->len; i++)
        rig_step_release(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->len = 0;
}

void rig_attempt_release(struct rig_attempt *a)
{
    if (!a)
        return;
    free(a->task_id);
    free(a->changes_json);
    free(a->deploy_log);
    free(a->tests_json);
    memset(a, 0, sizeof(*a));
}

void rig_attempt_list_release(struct rig_attempt_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->len; i++)
        rig_attempt_release(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->len = 0;
}

void rig_proposal_release(struct rig_proposal *p)
{
    if (!p)
        return;
    free(p->id);
    free(p->task_id);
    free(p->summary);
    free(p->files_json);
    free(p->diff);
    free(p->decided_by);
    free(p->reason);
    memset(p, 0, sizeof(*p));
}

void rig_proposal_list_release(struct rig_proposal_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->len; i++)
        rig_proposal_release(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->len = 0;
}

void rig_log_line_release(struct rig_log_line *l)
{
    if (!l)
        return;
    free(l->task_id);
    free(l->tag);
    free(l->text);
    memset(l, 0, sizeof(*l));
}

void rig_log_list_release(struct rig_log_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->len; i++)
        rig_log_line_release(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->len = 0;
}

void rig_policy_violation_release(struct rig_policy_violation *v)
{
    if (!v)
        return;
    free(v->task_id);
    free(v->policy);
    free(v->rule);
    free(v->action);
    free(v->message);
    memset(v, 0, sizeof(*v));
}

void rig_policy_violation_list_release(struct rig_policy_violation_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->len; i++)
        rig_policy_violation_release(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->len = 0;
}

void rig_delivery_release(struct rig_delivery *d)
{
    if (!d)
        return;
    free(d->delivery_id);
    free(d->event);
    free(d->status);
    free(d->task_id);
    memset(d, 0, sizeof(*d));
}

/* ----------------------------------------------------------- open/close -- */

static char *expand_home(const char *p)
{
    const char *home;

    if (p[0] != '~' || (p[1] != '/' && p[1] != '\0'))
        return xstrdup(p);
    home = getenv("HOME");
    if (!home || !*home)
        return NULL;
    return xasprintf("%s%s", home, p + 1);
}

int rig_store_open(const char *url_or_path, struct rig_store **out, struct rig_err *err)
{
    const char *path = url_or_path;
    const char *scheme_end;
    char *expanded = NULL;
    int rc;

    if (!out)
        return rig_err_set(err, RIG_EINVAL, "rig_store_open: out is NULL");
    *out = NULL;
    if (!url_or_path || !*url_or_path)
        return rig_err_set(err, RIG_EINVAL,
                           "no database given; use a file path or sqlite:PATH "
                           "(for example sqlite:~/.rig/rig.db)");
    if (rig_str_startswith(url_or_path, "postgres://") ||
        rig_str_startswith(url_or_path, "postgresql://"))
        return rig_err_set(err, RIG_ECONFIG,
                           "PostgreSQL storage is not supported yet by this rig; use a SQLite "
                           "file instead (for example sqlite:~/.rig/rig.db)");
    if (rig_str_startswith(url_or_path, "sqlite://"))
        path = url_or_path + strlen("sqlite://");
    else if (rig_str_startswith(url_or_path, "sqlite:"))
        path = url_or_path + strlen("sqlite:");
    else if ((scheme_end = strstr(url_or_path, "://")) != NULL &&
             !memchr(url_or_path, '/', (size_t)(scheme_end - url_or_path)))
        return rig_err_set(err, RIG_EINVAL,
                           "unknown database URL scheme in '%.*s://...'; use a file path, "
                           "sqlite:PATH or postgres://",
                           (int)(scheme_end - url_or_path), url_or_path);
    if (!*path)
        return rig_err_set(err, RIG_EINVAL, "database URL '%s' has no file path",
                           url_or_path);
    if (!(expanded = expand_home(path)))
        return rig_err_set(err, RIG_EINVAL,
                           "database path '%s' starts with ~ but $HOME is not set; give an "
                           "absolute path",
                           path);
    rc = rig_store_sqlite_open(expanded, out, err);
    free(expanded);
    return rc;
}

void rig_store_close(struct rig_store *st)
{
    if (st)
        st->ops->close(st);
}

const char *rig_store_backend(const struct rig_store *st)
{
    return st ? st->ops->name : "none";
}

/* ------------------------------------------------------- argument checks -- */

static int need_store(struct rig_store *st, struct rig_err *err)
{
    if (!st)
        return rig_err_set(err, RIG_EINVAL, "store is not open");
    return 0;
}

static int need_str(const char *s, const char *what, struct rig_err *err)
{
    if (!s || !*s)
        return rig_err_set(err, RIG_EINVAL, "%s is empty", what);
    return 0;
}

static int need_ptr(const void *p, const char *what, struct rig_err *err)
{
    if (!p)
        return rig_err_set(err, RIG_EINVAL, "%s is NULL", what);
    return 0;
}

static int check_st_id(struct rig_store *st, const char *id, const char *what,
                       struct rig_err *err)
{
    return need_store(st, err) < 0 || need_str(id, what, err) < 0 ? -1 : 0;
}

static int check_phase(enum rig_phase p, struct rig_err *err)
{
    if ((int)p < 0 || (int)p >= RIG_PHASE_COUNT)
        return rig_err_set(err, RIG_EINVAL, "phase %d is not a known phase", (int)p);
    return 0;
}

static int check_status(enum rig_task_status s, struct rig_err *err)
{
    if ((int)s < 0 || (int)s >= RIG_TASK_STATUS_COUNT)
        return rig_err_set(err, RIG_EINVAL, "task status %d is not a known status", (int)s);
    return 0;
}

static int check_amount(double v, const char *what, struct rig_err *err)
{
    if (!isfinite(v) || v < 0)
        return rig_err_set(err, RIG_EINVAL, "%s must be a finite number >= 0", what);
    return 0;
}

/* --------------------------------------------------------------- dispatch -- */

int rig_store_schema_version(struct rig_store *st, int *out, struct rig_err *err)
{
    if (need_store(st, err) < 0 || need_ptr(out, "out", err) < 0)
        return -1;
    return st->ops->schema_version(st, out, err);
}

int rig_store_project_upsert(struct rig_store *st, const struct rig_project *p,
                             struct rig_err *err)
{
    if (need_store(st, err) < 0 || need_ptr(p, "project", err) < 0 ||
        need_str(p->name, "project name", err) < 0)
        return -1;
    return st->ops->project_upsert(st, p, err);
}

int rig_store_project_get(struct rig_store *st, const char *name, struct rig_project *out,
                          struct rig_err *err)
{
    if (check_st_id(st, name, "project name", err) < 0 || need_ptr(out, "out", err) < 0)
        return -1;
    return st->ops->project_get(st, name, out, err);
}

int rig_store_task_create(struct rig_store *st, struct rig_task *t, struct rig_err *err)
{
    if (need_store(st, err) < 0 || need_ptr(t, "task", err) < 0 ||
        need_str(t->project, "task project", err) < 0 || check_phase(t->phase, err) < 0 ||
        check_status(t->status, err) < 0 ||
        check_amount(t->cost_usd, "task cost_usd", err) < 0)
        return -1;
    if (t->id && !*t->id)
        return rig_err_set(err, RIG_EINVAL, "task id is empty; pass NULL to have one assigned");
    if (t->attempt < 0 || t->max_retry < 0 || t->tokens_in < 0 || t->tokens_out < 0 ||
        t->owner_pid < 0)
        return rig_err_set(err, RIG_EINVAL,
                           "task attempt, max_retry, tokens and owner_pid must be >= 0");
    return st->ops->task_create(st, t, err);
}

int rig_store_task_get(struct rig_store *st, const char *id, struct rig_task *out,
                       struct rig_err *err)
{
    if (check_st_id(st, id, "task id", err) < 0 || need_ptr(out, "out", err) < 0)
        return -1;
    return st->ops->task_get(st, id, out, err);
}

int rig_store_task_list(struct rig_store *st, const struct rig_task_filter *filter,
                        struct rig_task_list *out, struct rig_err *err)
{
    static const struct rig_task_filter all;

    if (need_store(st, err) < 0 || need_ptr(out, "out", err) < 0)
        return -1;
    if (!filter)
        filter = &all;
    if (filter->status_mask >> RIG_TASK_STATUS_COUNT)
        return rig_err_set(err, RIG_EINVAL, "task filter: status_mask 0x%x has unknown bits",
                           filter->status_mask);
    return st->ops->task_list(st, filter, out, err);
}

int rig_store_task_update_phase(struct rig_store *st, const char *id, enum rig_phase phase,
                                enum rig_task_status status, struct rig_err *err)
{
    if (check_st_id(st, id, "task id", err) < 0 || check_phase(phase, err) < 0 ||
        check_status(status, err) < 0)
        return -1;
    return st->ops->task_update_phase(st, id, phase, status, err);
}

int rig_store_task_set_result(struct rig_store *st, const char *id, const char *result,
                              const char *error, struct rig_err *err)
{
    if (check_st_id(st, id, "task id", err) < 0)
        return -1;
    return st->ops->task_set_result(st, id, result, error, err);
}

int rig_store_task_set_pr(struct rig_store *st, const char *id, const char *url,
                          int64_t number, const char *title, const char *body,
                          struct rig_err *err)
{
    if (check_st_id(st, id, "task id", err) < 0)
        return -1;
    if (number < 0)
        return rig_err_set(err, RIG_EINVAL, "pull request number %lld is negative",
                           (long long)number);
    return st->ops->task_set_pr(st, id, url, number, title, body, err);
}

int rig_store_task_set_branch(struct rig_store *st, const char *id, const char *branch,
                              struct rig_err *err)
{
    if (check_st_id(st, id, "task id", err) < 0)
        return -1;
    return st->ops->task_set_branch(st, id, branch, err);
}

int rig_store_task_set_workspace(struct rig_store *st, const char *id, const char *path,
                                 struct rig_err *err)
{
    if (check_st_id(st, id, "task id", err) < 0)
        return -1;
    return st->ops->task_set_workspace(st, id, path, err);
}

int rig_store_task_set_owner(struct rig_store *st, const char *id, pid_t pid,
                             struct rig_err *err)
{
    if (check_st_id(st, id, "task id", err) < 0)
        return -1;
    if (pid < 0)
        return rig_err_set(err, RIG_EINVAL, "owner pid %d is negative", (int)pid);
    return st->ops->task_set_owner(st, id, pid, err);
}

int rig_store_task_set_attempt(struct rig_store *st, const char *id, int attempt,
                               struct rig_err *err)
{
    if (check_st_id(st, id, "task id", err) < 0)
        return -1;
    if (attempt < 0)
        return rig_err_set(err, RIG_EINVAL, "attempt %d is negative", attempt);
    return st->ops->task_set_attempt(st, id, attempt, err);
}

int rig_store_task_add_usage(struct rig_store *st, const char *id, int64_t tokens_in,
                             int64_t tokens_out, double cost_usd, struct rig_err *err)
{
    if (check_st_id(st, id, "task id", err) < 0 || check_amount(cost_usd, "cost", err) < 0)
        return -1;
    if (tokens_in < 0 || tokens_out < 0)
        return rig_err_set(err, RIG_EINVAL, "token counts must be >= 0");
    return st->ops->task_add_usage(st, id, tokens_in, tokens_out, cost_usd, err);
}

int rig_store_task_request_cancel(struct rig_store *st, const char *id, struct rig_err *err)
{
    if (check_st_id(st, id, "task id", err) < 0)
        return -1;
    return st->ops->task_request_cancel(st, id, err);
}

int rig_store_task_is_cancel_requested(struct rig_store *st, const char *id, bool *out,
                                       struct rig_err *err)
{
    if (check_st_id(st, id, "task id", err) < 0 || need_ptr(out, "out", err) < 0)
        return -1;
    return st->ops->task_is_cancel_requested(st, id, out, err);
}

static bool pid_alive_here(pid_t pid, void *ctx)
{
    (void)ctx;
    /* EPERM: the process exists but belongs to someone else. */
    return kill(pid, 0) == 0 || errno == EPERM;
}

int rig_store_task_find_interrupted(struct rig_store *st, rig_store_pid_alive_fn alive,
                                    void *ctx, struct rig_task_list *out,
                                    struct rig_err *err)
{
    struct rig_task_list l = {NULL, 0};
    size_t keep = 0;

    if (need_store(st, err) < 0 || need_ptr(out, "out", err) < 0)
        return -1;
    if (!alive)
        alive = pid_alive_here;
    if (st->ops->task_list_owned_running(st, &l, err) < 0)
        return -1;
    for (size_t i = 0; i < l.len; i++) {
        if (alive(l.items[i].owner_pid, ctx)) {
            rig_task_release(&l.items[i]);
            continue;
        }
        if (keep != i)
            l.items[keep] = l.items[i];
        keep++;
    }
    l.len = keep;
    *out = l;
    return 0;
}

int rig_store_task_mark_interrupted(struct rig_store *st, const char *id, struct rig_err *err)
{
    if (check_st_id(st, id, "task id", err) < 0)
        return -1;
    return st->ops->task_mark_interrupted(st, id, err);
}

int rig_store_step_begin(struct rig_store *st, const char *task_id, enum rig_phase phase,
                         int64_t *seq_out, struct rig_err *err)
{
    if (check_st_id(st, task_id, "task id", err) < 0 || check_phase(phase, err) < 0)
        return -1;
    return st->ops->step_begin(st, task_id, phase, seq_out, err);
}

int rig_store_step_end(struct rig_store *st, const char *task_id, int64_t seq,
                       enum rig_step_status status, const char *error, struct rig_err *err)
{
    if (check_st_id(st, task_id, "task id", err) < 0)
        return -1;
    if (status != RIG_STEP_OK && status != RIG_STEP_FAILED && status != RIG_STEP_SKIPPED)
        return rig_err_set(err, RIG_EINVAL, "a step must end as ok, failed or skipped");
    return st->ops->step_end(st, task_id, seq, status, error, err);
}

int rig_store_step_list(struct rig_store *st, const char *task_id, struct rig_step_list *out,
                        struct rig_err *err)
{
    if (check_st_id(st, task_id, "task id", err) < 0 || need_ptr(out, "out", err) < 0)
        return -1;
    return st->ops->step_list(st, task_id, out, err);
}

static int check_attempt(struct rig_store *st, const struct rig_attempt *a,
                         struct rig_err *err)
{
    if (need_store(st, err) < 0 || need_ptr(a, "attempt", err) < 0 ||
        need_str(a->task_id, "attempt task id", err) < 0 ||
        check_amount(a->cost_usd, "attempt cost_usd", err) < 0)
        return -1;
    if (a->number < 1)
        return rig_err_set(err, RIG_EINVAL, "attempt number %d must be >= 1", a->number);
    if (a->deploy_ok < -1 || a->deploy_ok > 1)
        return rig_err_set(err, RIG_EINVAL, "attempt deploy_ok must be -1, 0 or 1");
    if (a->tokens_in < 0 || a->tokens_out < 0)
        return rig_err_set(err, RIG_EINVAL, "attempt token counts must be >= 0");
    return 0;
}

int rig_store_attempt_add(struct rig_store *st, const struct rig_attempt *a,
                          struct rig_err *err)
{
    if (check_attempt(st, a, err) < 0)
        return -1;
    return st->ops->attempt_add(st, a, err);
}

int rig_store_attempt_update(struct rig_store *st, const struct rig_attempt *a,
                             struct rig_err *err)
{
    if (check_attempt(st, a, err) < 0)
        return -1;
    return st->ops->attempt_update(st, a, err);
}

int rig_store_attempt_list(struct rig_store *st, const char *task_id,
                           struct rig_attempt_list *out, struct rig_err *err)
{
    if (check_st_id(st, task_id, "task id", err) < 0 || need_ptr(out, "out", err) < 0)
        return -1;
    return st->ops->attempt_list(st, task_id, out, err);
}

int rig_store_proposal_create(struct rig_store *st, struct rig_proposal *p,
                              struct rig_err *err)
{
    if (need_store(st, err) < 0 || need_ptr(p, "proposal", err) < 0 ||
        need_str(p->task_id, "proposal task id", err) < 0)
        return -1;
    if (p->id && !*p->id)
        return rig_err_set(err, RIG_EINVAL,
                           "proposal id is empty; pass NULL to have one assigned");
    if (p->kind != RIG_PROPOSAL_INFRA && p->kind != RIG_PROPOSAL_DEPLOY)
        return rig_err_set(err, RIG_EINVAL, "proposal kind %d is not infra or deploy",
                           (int)p->kind);
    if (p->expires_at < 0)
        return rig_err_set(err, RIG_EINVAL, "proposal expires_at is negative");
    return st->ops->proposal_create(st, p, err);
}

int rig_store_proposal_get(struct rig_store *st, const char *id, struct rig_proposal *out,
                           struct rig_err *err)
{
    if (check_st_id(st, id, "proposal id", err) < 0 || need_ptr(out, "out", err) < 0)
        return -1;
    return st->ops->proposal_get(st, id, out, err);
}

int rig_store_proposal_get_pending(struct rig_store *st, const char *task_id,
                                   struct rig_proposal *out, struct rig_err *err)
{
    if (check_st_id(st, task_id, "task id", err) < 0 || need_ptr(out, "out", err) < 0)
        return -1;
    return st->ops->proposal_get_pending(st, task_id, out, err);
}

int rig_store_proposal_list(struct rig_store *st, const char *task_id, bool pending_only,
                            struct rig_proposal_list *out, struct rig_err *err)
{
    if (need_store(st, err) < 0 || need_ptr(out, "out", err) < 0)
        return -1;
    if (task_id && !*task_id)
        return rig_err_set(err, RIG_EINVAL, "task id is empty; pass NULL for all tasks");
    return st->ops->proposal_list(st, task_id, pending_only, out, err);
}

int rig_store_proposal_decide(struct rig_store *st, const char *id,
                              enum rig_proposal_status decision, const char *decided_by,
                              const char *reason, struct rig_err *err)
{
    if (check_st_id(st, id, "proposal id", err) < 0)
        return -1;
    if (decision != RIG_PROPOSAL_APPROVED && decision != RIG_PROPOSAL_REJECTED)
        return rig_err_set(err, RIG_EINVAL, "a proposal can only be approved or rejected");
    return st->ops->proposal_decide(st, id, decision, decided_by, reason, err);
}

int rig_store_proposal_expire(struct rig_store *st, int64_t now, size_t *count,
                              struct rig_err *err)
{
    if (need_store(st, err) < 0)
        return -1;
    return st->ops->proposal_expire(st, now, count, err);
}

int rig_store_log_append(struct rig_store *st, const char *task_id, int64_t ts,
                         const char *tag, enum rig_log_level level, const char *text,
                         int64_t *seq_out, struct rig_err *err)
{
    char *clean;
    int rc;

    if (check_st_id(st, task_id, "task id", err) < 0 || need_ptr(text, "log text", err) < 0)
        return -1;
    if ((int)level < RIG_LOG_DEBUG || (int)level > RIG_LOG_ERROR)
        return rig_err_set(err, RIG_EINVAL, "log level %d is not known", (int)level);
    clean = rig_redact(text);
    rc = st->ops->log_append(st, task_id, ts, tag, level, clean, seq_out, err);
    free(clean);
    return rc;
}

int rig_store_log_list(struct rig_store *st, const char *task_id, int64_t after_seq,
                       size_t limit, struct rig_log_list *out, struct rig_err *err)
{
    if (check_st_id(st, task_id, "task id", err) < 0 || need_ptr(out, "out", err) < 0)
        return -1;
    return st->ops->log_list(st, task_id, after_seq, limit, out, err);
}

int rig_store_violation_add(struct rig_store *st, struct rig_policy_violation *v,
                            struct rig_err *err)
{
    if (need_store(st, err) < 0 || need_ptr(v, "violation", err) < 0 ||
        need_str(v->task_id, "violation task id", err) < 0 ||
        need_str(v->policy, "violation policy name", err) < 0)
        return -1;
    return st->ops->violation_add(st, v, err);
}

int rig_store_violation_list(struct rig_store *st, const char *task_id,
                             struct rig_policy_violation_list *out, struct rig_err *err)
{
    if (check_st_id(st, task_id, "task id", err) < 0 || need_ptr(out, "out", err) < 0)
        return -1;
    return st->ops->violation_list(st, task_id, out, err);
}

int rig_store_setting_get(struct rig_store *st, const char *key, char **value,
                          struct rig_err *err)
{
    if (check_st_id(st, key, "setting key", err) < 0 || need_ptr(value, "value", err) < 0)
        return -1;
    return st->ops->setting_get(st, key, value, err);
}

int rig_store_setting_set(struct rig_store *st, const char *key, const char *value,
                          struct rig_err *err)
{
    if (check_st_id(st, key, "setting key", err) < 0 || need_ptr(value, "value", err) < 0)
        return -1;
    return st->ops->setting_set(st, key, value, err);
}

int rig_store_setting_delete(struct rig_store *st, const char *key, struct rig_err *err)
{
    if (check_st_id(st, key, "setting key", err) < 0)
        return -1;
    return st->ops->setting_delete(st, key, err);
}

int rig_store_delivery_record(struct rig_store *st, const struct rig_delivery *d,
                              bool *duplicate, struct rig_err *err)
{
    if (need_store(st, err) < 0 || need_ptr(d, "delivery", err) < 0 ||
        need_str(d->delivery_id, "delivery id", err) < 0 ||
        need_ptr(duplicate, "duplicate", err) < 0)
        return -1;
    return st->ops->delivery_record(st, d, duplicate, err);
}

int rig_store_delivery_update(struct rig_store *st, const char *delivery_id,
                              const char *status, const char *task_id, struct rig_err *err)
{
    if (check_st_id(st, delivery_id, "delivery id", err) < 0)
        return -1;
    return st->ops->delivery_update(st, delivery_id, status, task_id, err);
}

int rig_store_delivery_get(struct rig_store *st, const char *delivery_id,
                           struct rig_delivery *out, struct rig_err *err)
{
    if (check_st_id(st, delivery_id, "delivery id", err) < 0 || need_ptr(out, "out", err) < 0)
        return -1;
    return st->ops->delivery_get(st, delivery_id, out, err);
}
