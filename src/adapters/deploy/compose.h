#ifndef RIG_ADAPTERS_DEPLOY_COMPOSE_H
#define RIG_ADAPTERS_DEPLOY_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/deploy/shellcmd.h"
#include "core/err.h"

/*
 * deploy.method docker-compose: a real `docker compose up` of the task
 * workspace (docs/deploy-compose.md). Everything runs as argv (no shell),
 * with the task variables exported as RIG_* so compose files can interpolate
 * ${RIG_BRANCH_NAME} and friends. The sequence is:
 *
 *   docker compose version                       (is the compose plugin there?)
 *   docker compose [G] config --quiet            (validate before touching anything)
 *   docker compose [G] up -d --wait [--build] --pull P [SERVICES...]
 *
 * with G = [-f FILE] [--env-file ENV] [-p NAME]. FILE and ENV are relative to
 * the directory deployed (joined with rig_path_join_under: absolute paths and
 * escapes are refused) and must exist; they are passed as absolute paths.
 * Output (stdout and stderr interleaved) streams through ctx->on_line with the
 * step names "compose version", "compose config", "compose up" (attempt 1) and
 * its tail is kept in r->output. COMPOSE_ANSI=never and COMPOSE_PROGRESS=plain
 * are set unless the environment already chooses.
 */

/* Values of rig_compose_opts.pull; the same numbers as enum rig_compose_pull
 * of config/config.h (RIG_PULL_MISSING, _ALWAYS, _NEVER), so the engine can
 * pass the configured value through. */
enum {
    RIG_COMPOSE_PULL_MISSING = 0,
    RIG_COMPOSE_PULL_ALWAYS = 1,
    RIG_COMPOSE_PULL_NEVER = 2,
};

/* deploy.config.timeout default for the whole compose run (config agrees). */
#define RIG_COMPOSE_DEFAULT_TIMEOUT_MS (10 * 60 * 1000)

struct rig_compose_opts {
    const char *file;              /* NULL: compose's default lookup in the directory */
    const char *env_file;          /* NULL: compose's default (.env next to the file) */
    const char *project_name;      /* NULL: compose decides (name:, COMPOSE_PROJECT_NAME, dir) */
    const char *const *services;   /* NULL/0: every service */
    size_t nservices;
    bool build;                    /* --build */
    int pull;                      /* RIG_COMPOSE_PULL_*: --pull missing|always|never */
    int64_t timeout_ms;            /* whole sequence; 0 = RIG_COMPOSE_DEFAULT_TIMEOUT_MS */
    const char *docker_bin;        /* NULL = "docker" on PATH */
};

/*
 * Deploy ctx->workspace. 0 when `up` succeeded. -1 otherwise, err saying why
 * and r filled in every case (release it): r->ok false, r->error one line,
 * r->output the tail of the step that failed. Codes: RIG_ENOTFOUND (docker or
 * its compose plugin missing), RIG_ECONFIG (bad option, file missing, compose
 * file invalid), RIG_EPOLICY (file path outside the directory), RIG_ETIMEOUT,
 * RIG_ECANCELLED, RIG_EGENERIC (up failed).
 */
int rig_compose_deploy(const struct rig_compose_opts *o, const struct rig_run_ctx *ctx,
                       struct rig_cmd_result *r, struct rig_err *err);

/*
 * Bring back the previous revision: the same sequence with prev_dir (a
 * checkout of that revision, see rig_compose_prepare_previous) as the working
 * directory, FILE/ENV resolved under prev_dir, and `--remove-orphans` so
 * services that only the failed revision had are removed. The project must be
 * the one the deploy used so compose replaces its containers: o->project_name
 * when set, otherwise the name compose resolves for ctx->workspace (`docker
 * compose [G] config --format json` there, its "name"), passed as -p. Same
 * result contract as rig_compose_deploy.
 */
int rig_compose_rollback(const struct rig_compose_opts *o, const char *prev_dir,
                         const struct rig_run_ctx *ctx, struct rig_cmd_result *r,
                         struct rig_err *err);

/* `git -C repo worktree add --detach -- dest rev`: a checkout of rev at dest
 * (must not exist or be empty) sharing repo's objects. rev must not start
 * with '-'. */
int rig_compose_prepare_previous(const char *repo, const char *rev, const char *dest,
                                 struct rig_err *err);

/* `git -C repo worktree remove --force -- dest`, then prune the registration.
 * A dest that no longer exists is not an error. */
int rig_compose_remove_previous(const char *repo, const char *dest, struct rig_err *err);

#endif
