#ifndef RIG_ADAPTERS_DEPLOY_DEPLOY_SSH_H
#define RIG_ADAPTERS_DEPLOY_DEPLOY_SSH_H

#include <stdint.h>

#include "adapters/deploy/deploy.h"
#include "core/err.h"

/*
 * SSH transport for deploy commands (libssh). One connection per attempt:
 * connect to host:port (22), verify the host key against known_hosts
 * (~/.ssh/known_hosts by default; unknown or changed keys and a missing file
 * are refused unless insecure_ignore_host_key, which warns every time),
 * authenticate (private key file, then ssh-agent when agent is set, then
 * password) and run the command.
 *
 * What runs remotely: the exec request carries only a fixed sh wrapper; the
 * script (exports of the RIG_* task variables and of the env entries,
 * `cd -- <workdir> || exit 1`, then the command text) follows on the
 * channel's stdin, so values never appear in the remote process list. The
 * wrapper runs it under timeout(1) (a little past our deadline, so the
 * command ends even when Rig or the connection is gone) and keeps a watchdog
 * on stdin: on timeout or cancel Rig sends EOF and the watchdog sends TERM to
 * the command's whole process group (KILL 5 s later). stdout and stderr are
 * streamed line by line to ctx->on_line and their interleaved tail is kept.
 * See docs/deploy-ssh.md.
 *
 * Result contract as rig_shellcmd_run: 0 when the command ran or the host
 * could not be reached (r->ok false, r->error says why, a retry may help); -1
 * when it cannot run with this configuration (host key refused, auth failed,
 * bad env name); err and r->error then say why. Thread-safe: no shared state
 * besides libssh's own initialisation.
 */

struct rig_ssh_transport {
    int64_t connect_timeout_ms; /* cap per connect/handshake/auth step; 30 s */
    int64_t kill_grace_ms;      /* after TERM, wait this long for the remote to end; 5 s */
};

/* t->run/t->impl set up; impl is a heap struct rig_ssh_transport with the
 * defaults (callers may adjust it). */
int rig_ssh_transport_init(struct rig_deploy_transport *t, struct rig_err *err);

/* NULL-safe; t is zeroed. */
void rig_ssh_transport_release(struct rig_deploy_transport *t);

#endif
