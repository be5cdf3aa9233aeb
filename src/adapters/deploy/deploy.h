#ifndef RIG_ADAPTERS_DEPLOY_DEPLOY_H
#define RIG_ADAPTERS_DEPLOY_DEPLOY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/deploy/shellcmd.h"
#include "config/config.h"
#include "core/err.h"

/*
 * Custom deploy: deploy.config.commands run in order, each with its timeout
 * (default 5 minutes per attempt), workdir (relative to the workspace), env,
 * and 1 + retry attempts. The first command whose attempts all fail stops the
 * run; later commands are not started. Rollback runs
 * deploy.rollback.config.commands the same way.
 *
 * Transport: local runs `sh -c` on this host (workdir under the workspace,
 * env merged over the inherited environment, see shellcmd.h). SSH commands go
 * through the transport passed in rig_deploy_opts.ssh (an SSH module plugs in
 * there); without one they fail, unretried, with "ssh transport is not
 * available in this build".
 */


struct rig_ssh_target {
    const char *host;
    int port;                /* 0 = 22 */
    const char *user;
    const char *key;         /* private key path ("~" expanded) */
    const char *password;
    const char *known_hosts; /* path; NULL = ~/.ssh/known_hosts */
    bool insecure_ignore_host_key; /* skip host key verification (warned every time) */
    bool agent;              /* also try the keys in ssh-agent ($SSH_AUTH_SOCK) */
};

struct rig_deploy_cmd {
    const char *name;
    const char *run;
    const char *workdir;     /* relative to the workspace (ssh: a remote path); NULL = default */
    int64_t timeout_ms;      /* 0 = 5 minutes */
    int retry;               /* 0..10 extra attempts */
    const char *const *env;  /* "NAME=value", NULL-terminated; ssh exports them remotely */
    enum rig_transport_type transport;
    struct rig_ssh_target ssh;
};

#define RIG_DEPLOY_DEFAULT_TIMEOUT_MS (5 * 60 * 1000)
#define RIG_DEPLOY_MAX_RETRY 10

/* A remote transport: run one attempt of an already expanded command. Same
 * result contract as rig_shellcmd_run. */
struct rig_deploy_transport {
    int (*run)(void *impl, const struct rig_deploy_cmd *cmd, const char *expanded_run,
               const struct rig_run_ctx *ctx, int attempt, struct rig_cmd_result *r,
               struct rig_err *err);
    void *impl;
};

struct rig_deploy_opts {
    const struct rig_run_ctx *run;          /* required */
    const struct rig_deploy_transport *ssh; /* NULL: ssh commands fail clearly */
};

struct rig_deploy_result {
    struct rig_cmd_result *items; /* one per command started, in order */
    size_t len;
    bool ok;                      /* every command succeeded */
    int64_t duration_ms;
};

/* Check names, run, retry range and ssh fields; errors name the command
 * ("command 2 (\"migrate\"): retry must be between 0 and 10, got 11"). */
int rig_deploy_validate(const struct rig_deploy_cmd *cmds, size_t n, struct rig_err *err);

/*
 * Run the commands. 0 when all succeeded. -1 when the list is invalid (no
 * items), when one failed (err: "deploy command 2 (migrate) failed after 3
 * attempts (1.2s): exit status 1", code RIG_ETIMEOUT for a timeout) or was
 * cancelled (RIG_ECANCELLED); res is filled in every case (release it) so the
 * engine can show and analyse the output. A command that cannot run at all
 * (workdir outside the workspace, variable in an unsafe shell context, ssh
 * without a transport) is not retried. An empty list succeeds with no items.
 */
int rig_deploy_run(const struct rig_deploy_cmd *cmds, size_t n, const struct rig_deploy_opts *o,
                   struct rig_deploy_result *res, struct rig_err *err);

/* Same for rollback commands (errors say "rollback command ..."). */
int rig_deploy_rollback(const struct rig_deploy_cmd *cmds, size_t n,
                        const struct rig_deploy_opts *o, struct rig_deploy_result *res,
                        struct rig_err *err);

void rig_deploy_result_release(struct rig_deploy_result *res);

#endif
