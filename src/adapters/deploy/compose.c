#include "adapters/deploy/compose.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "adapters/source/git.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/proc.h"
#include "core/str.h"
#include "core/timeutil.h"

#include "core/banned.h"

#define COMPOSE_TAIL_DEFAULT (64 * 1024)
#define COMPOSE_JSON_MAX (16 * 1024 * 1024)
#define COMPOSE_EXCERPT_MAX 600
#define COMPOSE_NAME_MAX 255

#define DOCKER_MISSING_HINT                                                                       \
    "install Docker Engine with the compose plugin, or use deploy.method custom"

/* A growable NULL-terminated vector of borrowed strings (argv, env). */
struct strvec {
    const char **v;
    size_t n, cap;
};

static void sv_push(struct strvec *s, const char *x)
{
    if (s->n + 2 > s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
    }
    s->v[s->n++] = x;
    s->v[s->n] = NULL;
}

/* One deploy or rollback: everything the steps share. */
struct compose_run {
    const struct rig_compose_opts *o;
    const struct rig_run_ctx *ctx;
    const char *dir;      /* working directory of every step */
    const char *docker;
    char *file;           /* absolute, under dir; NULL = compose's default */
    char *env_file;
    char *project;        /* -p value; NULL = none */
    char **vars_env;
    struct strvec env;
    int64_t timeout_ms;   /* whole sequence */
    int64_t start;
    bool rollback;
};

struct line_fwd {
    const struct rig_run_ctx *ctx;
    const char *step;
};

static void forward_line(void *p, enum rig_proc_stream stream, const char *line, size_t len)
{
    const struct line_fwd *f = p;

    (void)stream; /* stderr is merged: compose writes its progress there */
    f->ctx->on_line(f->ctx->line_ctx, f->step, 1, line, len);
}

static bool cancel_requested(const struct rig_run_ctx *ctx)
{
    return ctx->cancel && *ctx->cancel;
}

/* ---- option checks ---- */

/* compose's own rule for project names; checked here so a bad name is a
 * config error naming the field, not a compose failure halfway. */
static int check_project(const char *name, const char *what, struct rig_err *err)
{
    size_t n = strlen(name);

    if (n == 0 || n > COMPOSE_NAME_MAX)
        return rig_err_set(err, RIG_ECONFIG, "%s must be 1 to %d characters", what,
                           COMPOSE_NAME_MAX);
    if (!islower((unsigned char)name[0]) && !isdigit((unsigned char)name[0]))
        goto bad;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];

        if (!islower(c) && !isdigit(c) && c != '-' && c != '_')
            goto bad;
    }
    return 0;
bad:
    return rig_err_set(err, RIG_ECONFIG,
                       "%s \"%.80s\" is not a valid compose project name: use lowercase "
                       "letters, digits, '-' and '_', starting with a letter or digit",
                       what, name);
}

static int check_service(const char *name, struct rig_err *err)
{
    size_t n = strlen(name);

    if (n == 0 || n > COMPOSE_NAME_MAX || name[0] == '-' || name[0] == '.')
        goto bad;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];

        if (!isalnum(c) && c != '-' && c != '_' && c != '.')
            goto bad;
    }
    return 0;
bad:
    return rig_err_set(err, RIG_ECONFIG,
                       "compose service \"%.80s\" is not a valid service name: use letters, "
                       "digits, '.', '-' and '_', starting with a letter, digit or '_'",
                       name);
}

static int check_opts(const struct rig_compose_opts *o, struct rig_err *err)
{
    if (o->pull < RIG_COMPOSE_PULL_MISSING || o->pull > RIG_COMPOSE_PULL_NEVER)
        return rig_err_set(err, RIG_ECONFIG,
                           "compose pull policy %d is not one of missing (0), always (1), "
                           "never (2)",
                           o->pull);
    if (o->timeout_ms < 0)
        return rig_err_set(err, RIG_ECONFIG, "compose deploy timeout is negative");
    if (o->project_name && check_project(o->project_name, "compose project name", err) < 0)
        return -1;
    if (o->nservices && !o->services)
        return rig_err_set(err, RIG_EINVAL, "compose services: %zu announced, none given",
                           o->nservices);
    for (size_t i = 0; i < o->nservices; i++) {
        if (!o->services[i])
            return rig_err_set(err, RIG_EINVAL, "compose service %zu is NULL", i + 1);
        if (check_service(o->services[i], err) < 0)
            return -1;
    }
    if (o->docker_bin && !*o->docker_bin)
        return rig_err_set(err, RIG_ECONFIG, "docker binary path is empty");
    return 0;
}

/* Join rel under root; it must name an existing regular file. */
static int resolve_file(const char *root, const char *rel, const char *what, char **out,
                        struct rig_err *err)
{
    struct stat st;

    *out = NULL;
    if (!rel)
        return 0;
    if (!*rel)
        return rig_err_set(err, RIG_ECONFIG, "%s is empty", what);
    if (rig_path_join_under(root, rel, strlen(rel), out, err) < 0)
        return rig_err_prefix(err, "%s", what);
    if (stat(*out, &st) < 0 || !S_ISREG(st.st_mode)) {
        int e = errno;

        free(*out);
        *out = NULL;
        if (e == ENOENT || e == ENOTDIR)
            return rig_err_set(err, RIG_ECONFIG, "%s \"%s\" does not exist in %s", what, rel,
                               root);
        return rig_err_set(err, RIG_ECONFIG, "%s \"%s\" in %s is not a regular file", what, rel,
                           root);
    }
    return 0;
}

static int resolve_files(const struct rig_compose_opts *o, const char *root, char **file,
                         char **env_file, struct rig_err *err)
{
    if (resolve_file(root, o->file, "compose file", file, err) < 0)
        return -1;
    if (resolve_file(root, o->env_file, "compose env_file", env_file, err) < 0) {
        free(*file);
        *file = NULL;
        return -1;
    }
    return 0;
}

/* ---- environment and argv ---- */

static bool env_has(const struct rig_run_ctx *ctx, const char *name)
{
    size_t n = strlen(name);

    if (getenv(name))
        return true;
    for (size_t i = 0; ctx->env && ctx->env[i]; i++)
        if (strncmp(ctx->env[i], name, n) == 0 && ctx->env[i][n] == '=')
            return true;
    return false;
}

/* Plain progress without colour codes reads well in a stored log; a choice
 * the operator made in the environment wins. Later entries override earlier
 * ones, so ctx->env wins over the task variables. */
static void build_env(struct compose_run *cr)
{
    const struct rig_run_ctx *ctx = cr->ctx;

    if (!env_has(ctx, "COMPOSE_ANSI"))
        sv_push(&cr->env, "COMPOSE_ANSI=never");
    if (!env_has(ctx, "COMPOSE_PROGRESS"))
        sv_push(&cr->env, "COMPOSE_PROGRESS=plain");
    cr->vars_env = rig_vars_env(ctx->vars);
    for (size_t i = 0; cr->vars_env[i]; i++)
        sv_push(&cr->env, cr->vars_env[i]);
    for (size_t i = 0; ctx->env && ctx->env[i]; i++)
        sv_push(&cr->env, ctx->env[i]);
}

/* docker compose [-f FILE] [--env-file ENV] [-p NAME] */
static void base_args(struct strvec *a, const char *docker, const char *file,
                      const char *env_file, const char *project)
{
    sv_push(a, docker);
    sv_push(a, "compose");
    if (file) {
        sv_push(a, "-f");
        sv_push(a, file);
    }
    if (env_file) {
        sv_push(a, "--env-file");
        sv_push(a, env_file);
    }
    if (project) {
        sv_push(a, "-p");
        sv_push(a, project);
    }
}

static const char *pull_name(int pull)
{
    switch (pull) {
    case RIG_COMPOSE_PULL_ALWAYS:
        return "always";
    case RIG_COMPOSE_PULL_NEVER:
        return "never";
    default:
        return "missing";
    }
}

/* ---- running steps ---- */

static int64_t remaining_ms(const struct compose_run *cr)
{
    int64_t left = cr->timeout_ms - (rig_mono_ms() - cr->start);

    return left > 1 ? left : 1;
}

/* Run one docker invocation in cr->dir. merged: stdout+stderr as one streamed
 * log; otherwise stdout is data (JSON) and not streamed. */
static int run_step(struct compose_run *cr, const char *step, const char *cwd,
                    const char *const *argv, bool merged, struct rig_proc_result *res,
                    struct rig_err *err)
{
    struct line_fwd fwd = {cr->ctx, step};
    struct rig_proc_opts po;

    memset(&po, 0, sizeof(po));
    po.argv = argv;
    po.cwd = cwd;
    po.env = cr->env.v;
    po.merge_stderr = merged;
    po.capture_max = merged ? (cr->ctx->tail_max ? cr->ctx->tail_max : COMPOSE_TAIL_DEFAULT)
                            : COMPOSE_JSON_MAX;
    po.timeout_ms = remaining_ms(cr);
    po.on_line = merged && cr->ctx->on_line ? forward_line : NULL;
    po.ctx = &fwd;
    po.cancel = cr->ctx->cancel;
    return rig_proc_run(&po, res, err);
}

/* The output as one line for an error message: trimmed, newlines as "; ",
 * capped, secrets redacted. last_line: only the last non-empty line. */
static char *excerpt(const char *out, bool last_line)
{
    struct rig_buf b;
    const char *s = out ? out : "";
    char *raw, *red;

    rig_buf_init(&b, 0);
    if (last_line) {
        const char *end = s + strlen(s), *p;

        while (end > s && isspace((unsigned char)end[-1]))
            end--;
        for (p = end; p > s && p[-1] != '\n'; p--)
            ;
        rig_buf_add(&b, p, (size_t)(end - p));
    } else {
        for (const char *p = s; *p; p++) {
            if (*p == '\r')
                continue;
            if (*p == '\n') {
                if (b.len && p[1])
                    rig_buf_adds(&b, "; ");
                continue;
            }
            rig_buf_addch(&b, *p);
        }
    }
    raw = rig_buf_take(&b);
    /* redact before cutting: a secret split by the cut would not match */
    red = rig_redact(raw);
    free(raw);
    rig_str_trim(red);
    if (strlen(red) > COMPOSE_EXCERPT_MAX) {
        red[COMPOSE_EXCERPT_MAX - 3] = '\0';
        rig_strlcpy(red + COMPOSE_EXCERPT_MAX - 3, "...", 4);
    }
    return red;
}

/* Copy what a finished step produced into r (output, exit, flags). */
static void take_result(struct compose_run *cr, struct rig_proc_result *res, bool merged,
                        struct rig_cmd_result *r)
{
    free(r->output);
    if (merged) {
        r->output = res->out;
        r->output_truncated = res->out_truncated;
        res->out = NULL;
    } else {
        r->output = res->err;
        r->output_truncated = res->err_truncated;
        res->err = NULL;
    }
    r->exit_code = res->exited ? res->exit_code : -1;
    r->timed_out = res->timed_out;
    r->cancelled = res->cancelled;
    r->attempts = 1;
    r->duration_ms = rig_mono_ms() - cr->start;
}

/* A step that was stopped: timeout or cancel, with the matching code. */
static int stopped(struct compose_run *cr, const struct rig_proc_result *res, const char *step,
                   struct rig_err *err)
{
    char d[32];

    if (res->cancelled)
        return rig_err_set(err, RIG_ECANCELLED, "docker %s was cancelled", step);
    return rig_err_set(err, RIG_ETIMEOUT,
                       "docker %s timed out after %s (the compose %s timeout)%s", step,
                       rig_duration_format(cr->timeout_ms, d, sizeof(d)),
                       cr->rollback ? "rollback" : "deploy",
                       strcmp(step, "compose up") == 0 ? "; containers may be partly updated"
                                                       : "");
}

/* Keep a finished step's merged output in r; -1 with err filled when the step
 * was stopped rather than finished. */
static int step_result(struct compose_run *cr, struct rig_proc_result *res, const char *step,
                       struct rig_cmd_result *r, struct rig_err *err)
{
    take_result(cr, res, true, r);
    if (res->timed_out || res->cancelled)
        return stopped(cr, res, step, err);
    return 0;
}

static int check_compose(struct compose_run *cr, struct rig_cmd_result *r, struct rig_err *err)
{
    const char *argv[] = {cr->docker, "compose", "version", NULL};
    struct rig_proc_result res;
    char *ex = NULL;
    int rc = -1;

    if (run_step(cr, "compose version", cr->dir, argv, true, &res, err) < 0) {
        if (err && err->code == RIG_ENOTFOUND && !strchr(cr->docker, '/'))
            rig_err_set(err, RIG_ENOTFOUND, "%s not found on PATH: " DOCKER_MISSING_HINT,
                        cr->docker);
        else if (err && err->code == RIG_ENOTFOUND)
            rig_err_set(err, RIG_ENOTFOUND, "docker not found at %s: " DOCKER_MISSING_HINT,
                        cr->docker);
        else
            rig_err_prefix(err, "start docker");
        goto out;
    }
    if (step_result(cr, &res, "compose version", r, err) < 0)
        goto out;
    if (!rig_proc_ok(&res)) {
        char d[64];

        ex = excerpt(r->output, false);
        rig_err_set(err, RIG_ENOTFOUND,
                    "the docker compose plugin is not available (`%s compose version`: %s%s%s): "
                    "install it (package docker-compose-plugin), or use deploy.method custom",
                    cr->docker, rig_proc_describe(&res, d, sizeof(d)), *ex ? ": " : "", ex);
        goto out;
    }
    rc = 0;
out:
    free(ex);
    rig_proc_result_release(&res);
    return rc;
}

static const char *file_label(const struct compose_run *cr)
{
    return cr->o->file ? cr->o->file : "(compose's default file)";
}

static int validate_config(struct compose_run *cr, struct rig_cmd_result *r, struct rig_err *err)
{
    struct strvec a = {0};
    struct rig_proc_result res;
    char *ex = NULL;
    int rc = -1;

    base_args(&a, cr->docker, cr->file, cr->env_file, cr->project);
    sv_push(&a, "config");
    sv_push(&a, "--quiet");
    if (run_step(cr, "compose config", cr->dir, a.v, true, &res, err) < 0) {
        rig_err_prefix(err, "start docker compose config");
        goto out;
    }
    if (step_result(cr, &res, "compose config", r, err) < 0)
        goto out;
    if (!rig_proc_ok(&res)) {
        char d[64];

        ex = excerpt(r->output, false);
        rig_err_set(err, RIG_ECONFIG, "compose file %s in %s is invalid (%s): %s", file_label(cr),
                    cr->dir, rig_proc_describe(&res, d, sizeof(d)),
                    *ex ? ex : "docker compose config printed no error");
        goto out;
    }
    rc = 0;
out:
    free(ex);
    free(a.v);
    rig_proc_result_release(&res);
    return rc;
}

static int compose_up(struct compose_run *cr, struct rig_cmd_result *r, struct rig_err *err)
{
    struct strvec a = {0};
    struct rig_proc_result res;
    char *ex = NULL;
    int rc = -1;

    base_args(&a, cr->docker, cr->file, cr->env_file, cr->project);
    sv_push(&a, "up");
    sv_push(&a, "-d");
    sv_push(&a, "--wait");
    if (cr->o->build)
        sv_push(&a, "--build");
    sv_push(&a, "--pull");
    sv_push(&a, pull_name(cr->o->pull));
    if (cr->rollback)
        sv_push(&a, "--remove-orphans");
    for (size_t i = 0; i < cr->o->nservices; i++)
        sv_push(&a, cr->o->services[i]);
    if (run_step(cr, "compose up", cr->dir, a.v, true, &res, err) < 0) {
        rig_err_prefix(err, "start docker compose up");
        goto out;
    }
    if (step_result(cr, &res, "compose up", r, err) < 0)
        goto out;
    if (!rig_proc_ok(&res)) {
        char d[64], t[32];

        ex = excerpt(r->output, true);
        rig_err_set(err, RIG_EGENERIC, "docker compose up%s failed after %s: %s%s%s",
                    cr->rollback ? " (rollback)" : "",
                    rig_duration_format(r->duration_ms, t, sizeof(t)),
                    rig_proc_describe(&res, d, sizeof(d)), *ex ? ": " : "", ex);
        goto out;
    }
    r->ok = true;
    rc = 0;
out:
    free(ex);
    free(a.v);
    rig_proc_result_release(&res);
    return rc;
}

/* "name" of `docker compose config --format json` (an object, or a
 * one-element array from older compose builds). */
static int parse_project_name(const char *json, size_t len, char **out, struct rig_err *err)
{
    json_t *root = rig_json_loadb(json, len, "docker compose config output", err);
    json_t *doc = root;
    const char *name;
    int rc = -1;

    if (!root)
        return -1;
    if (json_is_array(root) && json_array_size(root) == 1)
        doc = json_array_get(root, 0);
    name = json_is_object(doc) ? rig_json_str(doc, "name", NULL) : NULL;
    if (!name || !*name) {
        rig_err_set(err, RIG_EGENERIC, "docker compose config output has no project \"name\"");
        goto out;
    }
    if (check_project(name, "project name reported by docker compose", err) < 0)
        goto out;
    *out = xstrdup(name);
    rc = 0;
out:
    json_decref(root);
    return rc;
}

/* The project the deploy of ctx->workspace used, as compose resolves it
 * there (top-level name:, COMPOSE_PROJECT_NAME in .env, directory name). */
static int resolve_project(struct compose_run *cr, struct rig_cmd_result *r, struct rig_err *err)
{
    const char *ws = cr->ctx->workspace;
    struct strvec a = {0};
    struct rig_proc_result res;
    char *file = NULL, *env_file = NULL, *ex = NULL;
    int rc = -1;

    memset(&res, 0, sizeof(res));
    if (!ws || !*ws) {
        rig_err_set(err, RIG_ECONFIG,
                    "cannot tell which compose project to roll back: no deployed workspace to "
                    "ask; set the compose project name");
        goto out;
    }
    if (resolve_files(cr->o, ws, &file, &env_file, err) < 0)
        goto fail;
    base_args(&a, cr->docker, file, env_file, NULL);
    sv_push(&a, "config");
    sv_push(&a, "--format");
    sv_push(&a, "json");
    if (run_step(cr, "compose config", ws, a.v, false, &res, err) < 0)
        goto fail;
    if (res.timed_out || res.cancelled) {
        take_result(cr, &res, false, r);
        stopped(cr, &res, "compose config", err);
        goto out;
    }
    if (!rig_proc_ok(&res)) {
        char d[64];

        take_result(cr, &res, false, r);
        ex = excerpt(r->output, false);
        rig_err_set(err, RIG_ECONFIG, "docker compose config in %s: %s%s%s", ws,
                    rig_proc_describe(&res, d, sizeof(d)), *ex ? ": " : "", ex);
        goto fail;
    }
    if (res.out_truncated) {
        rig_err_set(err, RIG_ETOOBIG, "docker compose config output is larger than %d bytes",
                    COMPOSE_JSON_MAX);
        goto fail;
    }
    if (parse_project_name(res.out, res.out_len, &cr->project, err) < 0)
        goto fail;
    rc = 0;
    goto out;
fail:
    rig_err_prefix(err, "cannot tell which compose project to roll back (set the compose "
                        "project name to avoid this lookup)");
out:
    free(ex);
    free(a.v);
    free(file);
    free(env_file);
    rig_proc_result_release(&res);
    return rc;
}

static int run_sequence(struct compose_run *cr, struct rig_cmd_result *r, struct rig_err *err)
{
    struct stat st;

    if (check_opts(cr->o, err) < 0)
        return -1;
    if (!cr->dir || !*cr->dir)
        return rig_err_set(err, RIG_EINVAL, "no directory to run docker compose in");
    if (stat(cr->dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return rig_err_set(err, RIG_ECONFIG, "%s directory %s does not exist",
                           cr->rollback ? "previous revision" : "workspace", cr->dir);
    if (resolve_files(cr->o, cr->dir, &cr->file, &cr->env_file, err) < 0)
        return -1;
    if (cr->o->project_name)
        cr->project = xstrdup(cr->o->project_name);
    build_env(cr);
    if (cancel_requested(cr->ctx))
        return rig_err_set(err, RIG_ECANCELLED, "docker compose was cancelled before it started");
    if (check_compose(cr, r, err) < 0)
        return -1;
    if (cr->rollback && !cr->project && resolve_project(cr, r, err) < 0)
        return -1;
    if (validate_config(cr, r, err) < 0)
        return -1;
    return compose_up(cr, r, err);
}

static int compose_main(const struct rig_compose_opts *o, const char *dir, bool rollback,
                        const struct rig_run_ctx *ctx, struct rig_cmd_result *r,
                        struct rig_err *err)
{
    struct rig_err local = RIG_ERR_INIT;
    struct compose_run cr;
    int rc;

    if (!err)
        err = &local; /* the codes steer the messages below, so keep them */
    memset(r, 0, sizeof(*r));
    r->name = xstrdup(rollback ? "docker compose rollback" : "docker compose up");
    r->exit_code = -1;
    memset(&cr, 0, sizeof(cr));
    cr.o = o;
    cr.ctx = ctx;
    cr.dir = dir;
    cr.docker = o->docker_bin ? o->docker_bin : "docker";
    cr.rollback = rollback;
    cr.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : RIG_COMPOSE_DEFAULT_TIMEOUT_MS;
    cr.start = rig_mono_ms();
    rc = run_sequence(&cr, r, err);
    r->duration_ms = rig_mono_ms() - cr.start;
    if (rc < 0) {
        r->ok = false;
        if (err->code == RIG_ECANCELLED)
            r->cancelled = true;
        free(r->error);
        r->error = xstrdup(err->msg);
        if (!r->output)
            r->output = xstrdup("");
    }
    free(cr.file);
    free(cr.env_file);
    free(cr.project);
    free(cr.env.v);
    rig_strv_free(cr.vars_env);
    return rc;
}

int rig_compose_deploy(const struct rig_compose_opts *o, const struct rig_run_ctx *ctx,
                       struct rig_cmd_result *r, struct rig_err *err)
{
    return compose_main(o, ctx->workspace, false, ctx, r, err);
}

int rig_compose_rollback(const struct rig_compose_opts *o, const char *prev_dir,
                         const struct rig_run_ctx *ctx, struct rig_cmd_result *r,
                         struct rig_err *err)
{
    return compose_main(o, prev_dir, true, ctx, r, err);
}

/* ---- previous revision checkout ---- */

int rig_compose_prepare_previous(const char *repo, const char *rev, const char *dest,
                                 struct rig_err *err)
{
    const struct rig_git g = {0};

    if (!repo || !*repo || !dest || !*dest)
        return rig_err_set(err, RIG_EINVAL, "previous revision: repository and destination "
                                            "are required");
    if (!rev || !*rev || rev[0] == '-')
        return rig_err_set(err, RIG_EINVAL,
                           "previous revision \"%s\" is not a revision (empty or starts with "
                           "'-')",
                           rev ? rev : "");
    {
        const char *argv[] = {"-C", repo, "worktree", "add", "--detach", "--", dest, rev, NULL};

        if (rig_git_run(&g, NULL, argv, NULL, NULL, err) < 0)
            return rig_err_prefix(err, "check out previous revision %s at %s", rev, dest);
    }
    return 0;
}

int rig_compose_remove_previous(const char *repo, const char *dest, struct rig_err *err)
{
    const struct rig_git g = {0};
    const char *prune[] = {"-C", repo, "worktree", "prune", NULL};
    struct stat st;

    if (!repo || !*repo || !dest || !*dest)
        return rig_err_set(err, RIG_EINVAL, "previous revision: repository and destination "
                                            "are required");
    if (lstat(dest, &st) == 0) {
        const char *argv[] = {"-C", repo, "worktree", "remove", "--force", "--", dest, NULL};

        if (rig_git_run(&g, NULL, argv, NULL, NULL, err) < 0)
            return rig_err_prefix(err, "remove previous revision checkout %s", dest);
    }
    if (rig_git_run(&g, NULL, prune, NULL, NULL, err) < 0)
        return rig_err_prefix(err, "prune worktrees of %s", repo);
    return 0;
}
