#ifndef RIG_ADAPTERS_DEPLOY_SHELLCMD_H
#define RIG_ADAPTERS_DEPLOY_SHELLCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "engine/vars.h"

/*
 * Shared runner for user commands (deploy, rollback, tests): `sh -c <run>`
 * after variable expansion (engine/vars.h), in a directory under the task
 * workspace, in its own process group (timeouts kill grandchildren too),
 * stdout+stderr interleaved into one captured tail and streamed line by line.
 */

/* Live output: step = command/test name, attempt counts from 1. */
typedef void (*rig_cmd_line_fn)(void *ctx, const char *step, int attempt, const char *line,
                                size_t len);

struct rig_run_ctx {
    const char *workspace;        /* required: commands run here (workdir is relative to it) */
    const struct rig_vars *vars;  /* NULL: no task variables (rollback after a failed setup) */
    const char *const *env;       /* extra "NAME=value" for every command, NULL-terminated */
    /* Start from an empty environment (PATH and HOME kept) instead of Rig's
     * own: tests run AI-written code, which must not see Rig's API keys. */
    bool clean_env;
    size_t tail_max;              /* bytes of output kept per command; 0 = 64 KiB */
    rig_cmd_line_fn on_line;
    void *line_ctx;
    const volatile int *cancel;   /* non-zero stops the running command and the rest */
};

struct rig_cmd_result {
    char *name;
    bool ok;
    bool skipped;      /* tests only: not selected by affected_paths */
    bool timed_out;
    bool cancelled;
    int exit_code;     /* -1 when the command did not exit normally or did not start */
    int attempts;      /* attempts made (0 when skipped or refused before running) */
    int64_t duration_ms; /* total over all attempts */
    char *output;      /* tail of the last attempt's output, never NULL */
    bool output_truncated;
    char *error;       /* one line for a person when !ok (e.g. "exit status 2",
                        * "timed out after 5m"), NULL when ok */
};

void rig_cmd_result_release(struct rig_cmd_result *r);

/*
 * One attempt of `sh -c <expanded run>`. workdir (NULL/"" = workspace) is
 * joined under ctx->workspace with rig_path_join_under and must be an
 * existing directory. env entries override the inherited environment after
 * the RIG_* variables. timeout_ms 0 = none. Fills r (r->name not set).
 * Returns 0 when the command ran (r->ok says how it went), -1 when it could
 * not be run (bad workdir, variable in an unsafe context, spawn failure);
 * r->error then says why as well.
 */
struct rig_shellcmd {
    const char *name;
    const char *run;
    const char *workdir;
    const char *const *env;
    int64_t timeout_ms;
};

int rig_shellcmd_run(const struct rig_shellcmd *c, const struct rig_run_ctx *ctx, int attempt,
                     struct rig_cmd_result *r, struct rig_err *err);

#endif
