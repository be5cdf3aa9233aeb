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
 * What runs remotely: the exec request carries only a fixed wrapper,
 *   exec sh -c '... exec timeout -k 5 <T> sh -c '\''eval "$(cat)"'\'' ...'
 * and the script itself (exports of the RIG_* task variables and the
 * command's env, `cd -- <workdir> || exit 1`, then the command text) is sent on
 * the channel's stdin, so values never appear in the remote process list.
 * stdout and stderr are streamed line by line to ctx->on_line and their
 * interleaved tail is kept. On timeout or cancel the session gets a TERM
 * signal request (OpenSSH sends it to the command's whole process group) and
 * the remote timeout(1), set a little past our deadline, ends the command
 * even when the connection is lost. See docs/deploy-ssh.md.
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
