#include "adapters/deploy/deploy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/timeutil.h"

#include "core/banned.h"

int rig_deploy_validate(const struct rig_deploy_cmd *cmds, size_t n, struct rig_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const struct rig_deploy_cmd *c = &cmds[i];
        const char *name = c->name && *c->name ? c->name : "";

        if (!*name)
            return rig_err_set(err, RIG_ECONFIG, "command %zu: name is required", i + 1);
        if (!c->run || !*c->run)
            return rig_err_set(err, RIG_ECONFIG, "command %zu (\"%s\"): run is required", i + 1,
                               name);
        if (c->retry < 0 || c->retry > RIG_DEPLOY_MAX_RETRY)
            return rig_err_set(err, RIG_ECONFIG,
                               "command %zu (\"%s\"): retry must be between 0 and %d, got %d",
                               i + 1, name, RIG_DEPLOY_MAX_RETRY, c->retry);
        if (c->timeout_ms < 0)
            return rig_err_set(err, RIG_ECONFIG, "command %zu (\"%s\"): timeout is negative",
                               i + 1, name);
        if (c->transport == RIG_TRANSPORT_SSH) {
            if (!c->ssh.host || !*c->ssh.host)
                return rig_err_set(err, RIG_ECONFIG, "command %zu (\"%s\") ssh: host is required",
                                   i + 1, name);
            if (!c->ssh.user || !*c->ssh.user)
                return rig_err_set(err, RIG_ECONFIG, "command %zu (\"%s\") ssh: user is required",
                                   i + 1, name);
            if ((!c->ssh.key || !*c->ssh.key) && (!c->ssh.password || !*c->ssh.password) &&
                !c->ssh.agent)
                return rig_err_set(err, RIG_ECONFIG,
                                   "command %zu (\"%s\") ssh: key or password is required "
                                   "(or set agent: true)", i + 1, name);
            if (c->ssh.port < 0 || c->ssh.port > 65535)
                return rig_err_set(err, RIG_ECONFIG,
                                   "command %zu (\"%s\") ssh: port must be between 1 and 65535, "
                                   "got %d", i + 1, name, c->ssh.port);
        } else if (c->transport != RIG_TRANSPORT_LOCAL) {
            return rig_err_set(err, RIG_ECONFIG, "command %zu (\"%s\"): unknown transport %d",
                               i + 1, name, (int)c->transport);
        }
    }
    return 0;
}

void rig_deploy_result_release(struct rig_deploy_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->len; i++)
        rig_cmd_result_release(&res->items[i]);
    free(res->items);
    memset(res, 0, sizeof(*res));
}

static bool cancelled(const struct rig_run_ctx *ctx)
{
    return ctx->cancel && *ctx->cancel;
}

/* One attempt through the command's transport. */
static int run_attempt(const struct rig_deploy_cmd *c, const struct rig_deploy_opts *o,
                       int attempt, struct rig_cmd_result *r, struct rig_err *err)
{
    if (c->transport == RIG_TRANSPORT_SSH) {
        char *cmd = NULL;
        int rc;

        if (!o->ssh || !o->ssh->run) {
            free(r->error);
            r->error = xstrdup("ssh transport is not available in this build");
            if (!r->output)
                r->output = xstrdup("");
            r->ok = false;
            r->exit_code = -1;
            return rig_err_set(err, RIG_ECONFIG, "command \"%s\": %s", c->name, r->error);
        }
        if (rig_vars_expand(c->run, o->run->vars, &cmd, err) < 0)
            return rig_err_prefix(err, "command of \"%s\"", c->name);
        rc = o->ssh->run(o->ssh->impl, c, cmd, o->run, attempt, r, err);
        free(cmd);
        return rc;
    }
    struct rig_shellcmd sc = {
        c->name, c->run, c->workdir, c->env,
        c->timeout_ms > 0 ? c->timeout_ms : RIG_DEPLOY_DEFAULT_TIMEOUT_MS,
    };
    return rig_shellcmd_run(&sc, o->run, attempt, r, err);
}

/* All attempts of one command into r. -1 when it did not succeed. */
static int run_command(const char *kind, size_t idx, const struct rig_deploy_cmd *c,
                       const struct rig_deploy_opts *o, struct rig_cmd_result *r,
                       struct rig_err *err)
{
    int max = 1 + c->retry;
    int64_t total = 0;
    char d[64];

    r->name = xstrdup(c->name);
    for (int a = 1; a <= max; a++) {
        int rc;

        if (cancelled(o->run)) {
            r->cancelled = true;
            break;
        }
        log_debug("%s command %zu (%s): attempt %d of %d", kind, idx + 1, c->name, a, max);
        r->attempts = a;
        rc = run_attempt(c, o, a, r, err);
        total += r->duration_ms;
        r->duration_ms = total;
        if (rc < 0) /* could not run at all: another attempt cannot help */
            return rig_err_prefix(err, "%s command %zu (%s)", kind, idx + 1, c->name);
        if (r->ok)
            return 0;
        log_warn("%s command %zu (%s) attempt %d failed: %s", kind, idx + 1, c->name, a,
                 r->error ? r->error : "failed");
        if (r->cancelled)
            break;
    }
    if (r->cancelled) {
        free(r->error);
        r->error = xstrdup("cancelled");
        if (!r->output)
            r->output = xstrdup("");
        return rig_err_set(err, RIG_ECANCELLED, "%s command %zu (%s) was cancelled", kind,
                           idx + 1, c->name);
    }
    return rig_err_set(err, r->timed_out ? RIG_ETIMEOUT : RIG_EGENERIC,
                       "%s command %zu (%s) failed after %d attempt%s (%s): %s", kind, idx + 1,
                       c->name, r->attempts, r->attempts == 1 ? "" : "s",
                       rig_duration_format(r->duration_ms, d, sizeof(d)),
                       r->error ? r->error : "failed");
}

static int run_list(const char *kind, const struct rig_deploy_cmd *cmds, size_t n,
                    const struct rig_deploy_opts *o, struct rig_deploy_result *res,
                    struct rig_err *err)
{
    int rc = 0;

    memset(res, 0, sizeof(*res));
    if (!o || !o->run || !o->run->workspace)
        return rig_err_set(err, RIG_EINVAL, "%s: no workspace to run commands in", kind);
    if (rig_deploy_validate(cmds, n, err) < 0)
        return rig_err_prefix(err, "invalid %s configuration", kind);
    res->items = xcalloc(n ? n : 1, sizeof(*res->items));
    for (size_t i = 0; i < n; i++) {
        struct rig_cmd_result *r = &res->items[res->len++];
        rc = run_command(kind, i, &cmds[i], o, r, err);
        res->duration_ms += r->duration_ms;
        if (rc < 0)
            break;
    }
    res->ok = rc == 0;
    return rc;
}

int rig_deploy_run(const struct rig_deploy_cmd *cmds, size_t n, const struct rig_deploy_opts *o,
                   struct rig_deploy_result *res, struct rig_err *err)
{
    return run_list("deploy", cmds, n, o, res, err);
}

int rig_deploy_rollback(const struct rig_deploy_cmd *cmds, size_t n,
                        const struct rig_deploy_opts *o, struct rig_deploy_result *res,
                        struct rig_err *err)
{
    return run_list("rollback", cmds, n, o, res, err);
}
