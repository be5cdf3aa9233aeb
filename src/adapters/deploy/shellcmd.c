#include "adapters/deploy/shellcmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/mem.h"
#include "core/path.h"
#include "core/proc.h"

#include "core/banned.h"

#define SHELLCMD_TAIL_DEFAULT (64 * 1024)
#define SHELLCMD_MAX_ENV 256

void rig_cmd_result_release(struct rig_cmd_result *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->output);
    free(r->error);
    memset(r, 0, sizeof(*r));
}

struct line_fwd {
    const struct rig_run_ctx *ctx;
    const char *step;
    int attempt;
};

static void forward_line(void *p, enum rig_proc_stream stream, const char *line, size_t len)
{
    const struct line_fwd *f = p;

    (void)stream; /* stderr is merged: one interleaved log */
    f->ctx->on_line(f->ctx->line_ctx, f->step, f->attempt, line, len);
}

/* Add entry, replacing an earlier one with the same name (later wins). */
static int env_put(const char **env, size_t *n, const char *entry, const char *step,
                   struct rig_err *err)
{
    const char *eq = strchr(entry, '=');
    size_t nl;

    if (!eq || eq == entry)
        return rig_err_set(err, RIG_ECONFIG, "%s: environment entry \"%.60s\" is not NAME=value",
                           step, entry);
    nl = (size_t)(eq - entry) + 1;
    for (size_t i = 0; i < *n; i++)
        if (strncmp(env[i], entry, nl) == 0) {
            env[i] = entry;
            return 0;
        }
    if (*n >= SHELLCMD_MAX_ENV)
        return rig_err_set(err, RIG_ECONFIG, "%s: more than %d environment entries", step,
                           SHELLCMD_MAX_ENV);
    env[(*n)++] = entry;
    return 0;
}

static int build_env(const struct rig_shellcmd *c, const struct rig_run_ctx *ctx, char **vars_env,
                     const char **env, struct rig_err *err)
{
    size_t n = 0;
    const char *step = c->name ? c->name : "command";

    for (size_t i = 0; vars_env[i]; i++)
        if (env_put(env, &n, vars_env[i], step, err) < 0)
            return -1;
    for (size_t i = 0; ctx->env && ctx->env[i]; i++)
        if (env_put(env, &n, ctx->env[i], step, err) < 0)
            return -1;
    for (size_t i = 0; c->env && c->env[i]; i++)
        if (env_put(env, &n, c->env[i], step, err) < 0)
            return -1;
    env[n] = NULL;
    return 0;
}

static int resolve_dir(const struct rig_shellcmd *c, const struct rig_run_ctx *ctx, char **dir,
                       struct rig_err *err)
{
    struct stat st;

    if (!c->workdir || !*c->workdir) {
        *dir = xstrdup(ctx->workspace);
        return 0;
    }
    if (rig_path_join_under(ctx->workspace, c->workdir, strlen(c->workdir), dir, err) < 0)
        return rig_err_prefix(err, "workdir of \"%s\"", c->name ? c->name : "command");
    if (stat(*dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        free(*dir);
        *dir = NULL;
        return rig_err_set(err, RIG_ECONFIG,
                           "workdir \"%s\" of \"%s\" is not a directory in the workspace",
                           c->workdir, c->name ? c->name : "command");
    }
    return 0;
}

int rig_shellcmd_run(const struct rig_shellcmd *c, const struct rig_run_ctx *ctx, int attempt,
                     struct rig_cmd_result *r, struct rig_err *err)
{
    const char *env[SHELLCMD_MAX_ENV + 1];
    char **vars_env = NULL;
    char *dir = NULL, *cmd = NULL;
    struct line_fwd fwd = {ctx, c->name ? c->name : "", attempt};
    struct rig_proc_opts po;
    struct rig_proc_result res;
    char desc[128];
    int rc = -1;

    free(r->output);
    free(r->error);
    r->output = r->error = NULL;
    r->ok = r->timed_out = r->cancelled = r->output_truncated = false;
    r->exit_code = -1;
    r->duration_ms = 0;
    memset(&res, 0, sizeof(res));
    if (!ctx->workspace || !*ctx->workspace) {
        rig_err_set(err, RIG_EINVAL, "no workspace to run \"%s\" in", fwd.step);
        goto out;
    }
    if (!c->run || !*c->run) {
        rig_err_set(err, RIG_ECONFIG, "\"%s\" has no command to run", fwd.step);
        goto out;
    }
    if (resolve_dir(c, ctx, &dir, err) < 0)
        goto out;
    if (rig_vars_expand(c->run, ctx->vars, &cmd, err) < 0) {
        rig_err_prefix(err, "command of \"%s\"", fwd.step);
        goto out;
    }
    vars_env = rig_vars_env(ctx->vars);
    if (build_env(c, ctx, vars_env, env, err) < 0)
        goto out;

    memset(&po, 0, sizeof(po));
    po.shell = cmd;
    po.cwd = dir;
    po.env = env;
    po.clear_env = ctx->clean_env;
    po.merge_stderr = true;
    po.capture_max = ctx->tail_max ? ctx->tail_max : SHELLCMD_TAIL_DEFAULT;
    po.timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : 0;
    po.on_line = ctx->on_line ? forward_line : NULL;
    po.ctx = &fwd;
    po.cancel = ctx->cancel;
    if (rig_proc_run(&po, &res, err) < 0) {
        rig_err_prefix(err, "start \"%s\"", fwd.step);
        goto out;
    }
    r->ok = rig_proc_ok(&res);
    r->exit_code = res.exited ? res.exit_code : -1;
    r->timed_out = res.timed_out;
    r->cancelled = res.cancelled;
    r->duration_ms = res.duration_ms;
    r->output = res.out;
    r->output_truncated = res.out_truncated;
    res.out = NULL;
    if (!r->ok)
        r->error = xstrdup(rig_proc_describe(&res, desc, sizeof(desc)));
    rc = 0;
out:
    if (rc < 0) {
        r->error = xstrdup(err ? err->msg : "could not run the command");
        if (!r->output)
            r->output = xstrdup("");
    }
    rig_proc_result_release(&res);
    rig_strv_free(vars_env);
    free(cmd);
    free(dir);
    return rc;
}
