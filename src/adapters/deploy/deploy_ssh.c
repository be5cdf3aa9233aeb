#include "adapters/deploy/deploy_ssh.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "core/timeutil.h"

#include "core/banned.h"

#define SSH_DEFAULT_PORT 22
#define SSH_CONNECT_TIMEOUT_MS (30 * 1000)
#define SSH_KILL_GRACE_MS (5 * 1000)
#define SSH_CLOSE_TIMEOUT_MS 2000
#define SSH_TAIL_DEFAULT (64 * 1024)
#define SSH_POLL_MS 100
/* The script travels remotely in one environment variable: Linux caps a
 * single one at 128 KiB. */
#define SSH_SCRIPT_MAX (100 * 1024)
/* The remote timeout(1) fires this long after our own deadline, so our stop
 * (and the "timed out" we report) normally comes first; it matters when the
 * connection is gone. Then KILL after SSH_REMOTE_KILL_S more. */
#define SSH_REMOTE_EXTRA_S 2
#define SSH_REMOTE_KILL_S 5

/* Outcome of one stage of an attempt. */
enum stage { STAGE_OK = 0, STAGE_FATAL = -1, STAGE_FAILED = 1 };

enum stop_reason { STOP_NONE, STOP_TIMEOUT, STOP_CANCEL };

struct attempt {
    const struct rig_ssh_transport *tr;
    const struct rig_deploy_cmd *cmd;
    const struct rig_run_ctx *ctx;
    int attempt;
    const char *step;
    const char *host;
    int port;
    char *known_hosts;
    int64_t start;
    int64_t deadline;
    int64_t timeout_ms;
    ssh_session s;
    ssh_channel ch;
    struct rig_buf tail;
    size_t tail_max;
    bool truncated;
    struct rig_buf line[2]; /* partial line per stream (stdout, stderr) */
    bool exit_seen;
    bool signal_seen;
    char signal[32];
    bool closed;
};

static bool is_cancelled(const struct attempt *a)
{
    return a->ctx->cancel && *a->ctx->cancel;
}

static int64_t remaining_ms(const struct attempt *a)
{
    return a->deadline - rig_mono_ms();
}

/* libssh's blocking calls (connect, key exchange, auth, channel setup) wait at
 * most this long each. */
static void set_op_timeout(struct attempt *a, int64_t ms)
{
    long sec, usec;

    if (ms < 1)
        ms = 1;
    sec = (long)(ms / 1000);
    usec = (long)(ms % 1000) * 1000;
    ssh_options_set(a->s, SSH_OPTIONS_TIMEOUT, &sec);
    ssh_options_set(a->s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

static void step_timeout(struct attempt *a)
{
    int64_t left = remaining_ms(a);

    set_op_timeout(a, left < a->tr->connect_timeout_ms ? left : a->tr->connect_timeout_ms);
}

/* A failure a later attempt may not repeat (network, timeout, cancel). */
static int failed(struct attempt *a, struct rig_cmd_result *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int failed(struct attempt *a, struct rig_cmd_result *r, const char *fmt, ...)
{
    char d[32];
    va_list ap;

    free(r->error);
    if (is_cancelled(a)) {
        r->cancelled = true;
        r->error = xstrdup("cancelled");
    } else if (remaining_ms(a) <= 0) {
        r->timed_out = true;
        r->error = xasprintf("timed out after %s while connecting to %s:%d",
                             rig_duration_format(a->timeout_ms, d, sizeof(d)), a->host, a->port);
    } else {
        va_start(ap, fmt);
        r->error = xvasprintf(fmt, ap);
        va_end(ap);
    }
    return STAGE_FAILED;
}

static int stop_requested(struct attempt *a, struct rig_cmd_result *r)
{
    if (is_cancelled(a) || remaining_ms(a) <= 0)
        return failed(a, r, "stopped");
    return STAGE_OK;
}

/* ---- output ---------------------------------------------------------- */

static void add_tail(struct attempt *a, const char *p, size_t n)
{
    if (n >= a->tail_max) {
        a->truncated = a->truncated || n > a->tail_max || a->tail.len > 0;
        rig_buf_reset(&a->tail);
        rig_buf_add(&a->tail, p + (n - a->tail_max), a->tail_max);
        return;
    }
    rig_buf_add(&a->tail, p, n);
    if (a->tail.len > a->tail_max) {
        rig_buf_consume(&a->tail, a->tail.len - a->tail_max);
        a->truncated = true;
    }
}

static void emit_line(struct attempt *a, struct rig_buf *l)
{
    a->ctx->on_line(a->ctx->line_ctx, a->step, a->attempt, rig_buf_str(l), l->len);
    rig_buf_reset(l);
}

/* Lines longer than the tail are delivered in tail-sized pieces, as for local
 * commands. A full piece waits for the next byte so that a line of exactly
 * tail_max bytes is not followed by an empty one. */
static void split_lines(struct attempt *a, struct rig_buf *l, const char *p, size_t n)
{
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        size_t room = a->tail_max - l->len;

        if (take > room)
            take = room;
        rig_buf_add(l, p, take);
        p += take;
        n -= take;
        if (n > 0 && *p == '\n') {
            p++;
            n--;
            emit_line(a, l);
        } else if (n > 0 && l->len >= a->tail_max) {
            emit_line(a, l);
        }
    }
}

static int on_data(ssh_session s, ssh_channel ch, void *data, uint32_t len, int is_stderr,
                   void *ud)
{
    struct attempt *a = ud;

    (void)s;
    (void)ch;
    add_tail(a, data, len);
    if (a->ctx->on_line)
        split_lines(a, &a->line[is_stderr ? 1 : 0], data, len);
    return (int)len;
}

/* The status itself is read with ssh_channel_get_exit_status. */
static void on_exit_status(ssh_session s, ssh_channel ch, int status, void *ud)
{
    struct attempt *a = ud;

    (void)s;
    (void)ch;
    (void)status;
    a->exit_seen = true;
}

static void on_exit_signal(ssh_session s, ssh_channel ch, const char *sig, int core,
                           const char *errmsg, const char *lang, void *ud)
{
    struct attempt *a = ud;

    (void)s;
    (void)ch;
    (void)core;
    (void)errmsg;
    (void)lang;
    a->signal_seen = true;
    snprintf(a->signal, sizeof(a->signal), "%s", sig ? sig : "?");
}

static void on_close(ssh_session s, ssh_channel ch, void *ud)
{
    struct attempt *a = ud;

    (void)s;
    (void)ch;
    a->closed = true;
}

/* ---- what runs remotely ---------------------------------------------- */

static bool is_shell_name(const char *s, size_t n)
{
    if (n == 0 || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static int add_exports(struct rig_buf *b, const char *const *env, const char *step,
                       struct rig_err *err)
{
    for (size_t i = 0; env && env[i]; i++) {
        const char *eq = strchr(env[i], '=');

        if (!eq || !is_shell_name(env[i], (size_t)(eq - env[i])))
            return rig_err_set(err, RIG_ECONFIG,
                               "%s: environment entry \"%.60s\" is not NAME=value with a shell "
                               "variable name", step, env[i]);
        rig_buf_addf(b, "export %.*s=", (int)(eq - env[i]), env[i]);
        rig_shell_quote(b, eq + 1);
        rig_buf_addch(b, '\n');
    }
    return 0;
}

/* "~" and "~/x" mean the remote home; everything else is taken literally. */
static void add_cd(struct rig_buf *b, const char *wd)
{
    rig_buf_adds(b, "cd -- ");
    if (strcmp(wd, "~") == 0) {
        rig_buf_adds(b, "\"$HOME\"");
    } else if (rig_str_startswith(wd, "~/")) {
        rig_buf_adds(b, "\"$HOME\"/");
        rig_shell_quote(b, wd + 2);
    } else {
        rig_shell_quote(b, wd);
    }
    rig_buf_adds(b, " || exit 1\n");
}

/* The script sent on stdin: exports (RIG_* first, then the run-wide and the
 * command's env, later ones win), the directory change, the command. */
static int build_script(const struct attempt *a, const char *run, char **out,
                        struct rig_err *err)
{
    struct rig_buf b = RIG_BUF_INIT;
    char **vars = rig_vars_env(a->ctx->vars);
    int rc = -1;

    if (add_exports(&b, (const char *const *)vars, a->step, err) < 0 ||
        add_exports(&b, a->ctx->env, a->step, err) < 0 ||
        add_exports(&b, a->cmd->env, a->step, err) < 0)
        goto out;
    if (a->cmd->workdir && *a->cmd->workdir)
        add_cd(&b, a->cmd->workdir);
    rig_buf_adds(&b, run);
    rig_buf_addch(&b, '\n');
    if (b.len > SSH_SCRIPT_MAX) {
        rig_err_set(err, RIG_ECONFIG, "%s: the command with its variables and env is %zu bytes, "
                    "more than the %d that can be passed over ssh", a->step, b.len,
                    SSH_SCRIPT_MAX);
        goto out;
    }
    *out = rig_buf_take(&b);
    rc = 0;
out:
    rig_buf_release(&b);
    rig_strv_free(vars);
    return rc;
}

/*
 * The exec request: a fixed wrapper (no values in it, so nothing secret shows
 * in the remote process list) run by `sh -c` as the session leader sshd made.
 * It reads the script from stdin up to a random end marker, then:
 *  - runs it under timeout(1) with stdin from /dev/null and the script in an
 *    environment variable the inner shell unsets (the environment is private
 *    to the user, argv is not); timeout(1) puts the command in a process group
 *    of its own, ends it a little after our deadline even when Rig is gone,
 *    and KILLs what ignores the TERM SSH_REMOTE_KILL_S later;
 *  - keeps a watchdog reading the rest of stdin: Rig stops a command by
 *    sending EOF, and sshd closes that pipe too when the connection drops;
 *    either way the watchdog sends TERM to the command's group, then KILL
 *    SSH_REMOTE_KILL_S later to whatever ignored it (timeout(1)'s own -k
 *    covers only its deadline, and was seen to miss a TERM-immune command
 *    stopped early).
 * Why not the "signal" channel request: OpenSSH refuses it for root logins
 * ("session signalling requires privilege separation") and otherwise sends it
 * to the wrapper's group, not timeout's, killing the watchdog first.
 * Why not setsid(1): sshd already made a new session, and a session leader
 * calling setsid(1) forks and returns at once.
 * The wrapper exits with the command's status (a command killed by signal N
 * reports 128+N, as a shell would). Written without newlines so any login
 * shell passes it to sh intact.
 */
static char *remote_wrapper(const char *marker, int64_t secs)
{
    static const char runner[] = "__rig_s=$__RIG_SCRIPT; unset __RIG_SCRIPT; eval \"$__rig_s\"";
    struct rig_buf w = RIG_BUF_INIT, cmd = RIG_BUF_INIT;

    rig_buf_addf(&w, "m=%s; nl=$(printf '\\n_'); nl=${nl%%_}; s=; l=; exec 3<&0; "
                     "while IFS= read -r l; do [ \"$l\" = \"$m\" ] && break; s=$s$l$nl; done; "
                     "if [ \"$l\" != \"$m\" ]; then "
                     "echo 'rig: the command did not arrive completely' >&2; exit 255; fi; r=",
                 marker);
    rig_shell_quote(&w, runner);
    rig_buf_addf(&w, "; if command -v timeout >/dev/null 2>&1; then "
                     "__RIG_SCRIPT=$s timeout -k %d %lld sh -c \"$r\" </dev/null 3<&- & "
                     "else echo 'rig: timeout(1) not found on this host: no remote deadline' >&2; "
                     "__RIG_SCRIPT=$s sh -c \"$r\" </dev/null 3<&- & fi; c=$!; "
                     "(read -r _ <&3; kill -s TERM -- -\"$c\" 2>/dev/null || kill -s TERM 0; "
                     "sleep %d; kill -s KILL -- -\"$c\" 2>/dev/null) "
                     ">/dev/null 2>&1 & w=$!; exec 3<&-; "
                     "wait \"$c\"; st=$?; kill \"$w\" 2>/dev/null; exit \"$st\"",
                 SSH_REMOTE_KILL_S, (long long)secs, SSH_REMOTE_KILL_S);
    rig_buf_adds(&cmd, "exec sh -c ");
    rig_shell_quote(&cmd, rig_buf_str(&w));
    rig_buf_release(&w);
    return rig_buf_take(&cmd);
}

/* Unpredictable, so no variable value can end the script early. */
static int make_marker(const char *script, char *out, size_t n, struct rig_err *err)
{
    unsigned char rnd[16];

    do {
        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
            return rig_err_errno(err, errno, "ssh: reading random bytes");
        snprintf(out, n, "RIG-END-");
        for (size_t i = 0; i < sizeof(rnd); i++)
            snprintf(out + 8 + 2 * i, n - 8 - 2 * i, "%02x", rnd[i]);
    } while (strstr(script, out));
    return 0;
}

/* ---- connection ------------------------------------------------------ */

static char *server_key_desc(ssh_session s)
{
    ssh_key key = NULL;
    unsigned char *hash = NULL;
    size_t hlen = 0;
    char *fp = NULL, *out;

    if (ssh_get_server_publickey(s, &key) != SSH_OK)
        return xstrdup("a key libssh could not read");
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0)
        fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
    out = xasprintf("%s key %s", ssh_key_type_to_char(ssh_key_type(key)),
                    fp ? fp : "(fingerprint unavailable)");
    ssh_string_free_char(fp);
    ssh_clean_pubkey_hash(&hash);
    ssh_key_free(key);
    return out;
}

static void keyscan_hint(const struct attempt *a, char *buf, size_t n)
{
    if (a->port == SSH_DEFAULT_PORT)
        snprintf(buf, n, "ssh-keyscan %s >> %s", a->host, a->known_hosts);
    else
        snprintf(buf, n, "ssh-keyscan -p %d %s >> %s", a->port, a->host, a->known_hosts);
}

static int missing_known_hosts(const struct attempt *a, struct rig_err *err)
{
    char hint[600];

    keyscan_hint(a, hint, sizeof(hint));
    return rig_err_set(err, RIG_ECONFIG,
                       "known_hosts file %s does not exist, so the host key of %s:%d cannot be "
                       "verified: create it with %s (and compare the fingerprint with the "
                       "host's own), or set insecure_ignore_host_key: true",
                       a->known_hosts, a->host, a->port, hint);
}

/* Checked before connecting: a target we would refuse anyway costs no
 * network round trip. */
static int check_target(struct attempt *a, struct rig_err *err)
{
    const struct rig_ssh_target *t = &a->cmd->ssh;
    struct stat st;

    if (!t->host || !*t->host || strchr(t->host, '@'))
        return rig_err_set(err, RIG_ECONFIG, "ssh: host \"%s\" is not a host name or address%s",
                           t->host ? t->host : "",
                           t->host && strchr(t->host, '@') ? " (put the user in ssh.user)" : "");
    if (!t->user || !*t->user)
        return rig_err_set(err, RIG_ECONFIG, "ssh %s: user is required", t->host);
    if (t->port < 0 || t->port > 65535)
        return rig_err_set(err, RIG_ECONFIG, "ssh %s: port must be between 1 and 65535, got %d",
                           t->host, t->port);
    a->known_hosts = rig_path_expand_home(t->known_hosts && *t->known_hosts ? t->known_hosts
                                                                            : "~/.ssh/known_hosts");
    /* libssh expands %d, %u, ... in this path */
    if (strchr(a->known_hosts, '%'))
        return rig_err_set(err, RIG_ECONFIG, "ssh %s: known_hosts path %s must not contain '%%'",
                           t->host, a->known_hosts);
    if (!t->insecure_ignore_host_key && stat(a->known_hosts, &st) < 0) {
        if (errno == ENOENT)
            return missing_known_hosts(a, err);
        return rig_err_errno(err, errno, "ssh %s: known_hosts file %s", t->host, a->known_hosts);
    }
    return 0;
}

static int connect_host(struct attempt *a, struct rig_cmd_result *r, struct rig_err *err)
{
    bool no = false;
    int quiet = SSH_LOG_NOLOG;

    a->s = ssh_new();
    if (!a->s)
        return rig_err_set(err, RIG_EGENERIC, "ssh %s:%d: libssh could not create a session",
                           a->host, a->port);
    /* Only rig.yaml decides: ~/.ssh/config and the system known_hosts would
     * make the target and the trust decision depend on the machine. */
    if (ssh_options_set(a->s, SSH_OPTIONS_PROCESS_CONFIG, &no) < 0 ||
        ssh_options_set(a->s, SSH_OPTIONS_LOG_VERBOSITY, &quiet) < 0 ||
        ssh_options_set(a->s, SSH_OPTIONS_HOST, a->host) < 0 ||
        ssh_options_set(a->s, SSH_OPTIONS_PORT, &a->port) < 0 ||
        ssh_options_set(a->s, SSH_OPTIONS_USER, a->cmd->ssh.user) < 0 ||
        ssh_options_set(a->s, SSH_OPTIONS_KNOWNHOSTS, a->known_hosts) < 0 ||
        ssh_options_set(a->s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") < 0)
        return rig_err_set(err, RIG_ECONFIG, "ssh %s:%d: %s", a->host, a->port,
                           ssh_get_error(a->s));
    step_timeout(a);
    if (ssh_connect(a->s) != SSH_OK)
        return failed(a, r, "ssh: cannot connect to %s:%d: %s", a->host, a->port,
                      ssh_get_error(a->s));
    return stop_requested(a, r);
}

static int verify_host(struct attempt *a, struct rig_err *err)
{
    char *desc = server_key_desc(a->s);
    char hint[600], pattern[300];
    int rc = -1;

    if (a->port == SSH_DEFAULT_PORT)
        snprintf(pattern, sizeof(pattern), "%s", a->host);
    else
        snprintf(pattern, sizeof(pattern), "[%s]:%d", a->host, a->port);
    keyscan_hint(a, hint, sizeof(hint));
    if (a->cmd->ssh.insecure_ignore_host_key) {
        log_warn("ssh %s:%d: host key NOT verified (insecure_ignore_host_key: true); the server "
                 "presents %s", a->host, a->port, desc);
        rc = 0;
        goto out;
    }
    switch (ssh_session_is_known_server(a->s)) {
    case SSH_KNOWN_HOSTS_OK:
        rc = 0;
        break;
    case SSH_KNOWN_HOSTS_UNKNOWN:
        rig_err_set(err, RIG_ECONFIG,
                    "host key for %s:%d is not in %s: add it with %s (the server presents %s; "
                    "compare it with the host's own), or set insecure_ignore_host_key: true",
                    a->host, a->port, a->known_hosts, hint, desc);
        break;
    case SSH_KNOWN_HOSTS_CHANGED:
        rig_err_set(err, RIG_ECONFIG,
                    "host key for %s:%d does NOT match the one in %s (the server presents %s): "
                    "the connection may be intercepted; if the host's key really changed, "
                    "remove the old one with ssh-keygen -R '%s' -f %s and add the new one",
                    a->host, a->port, a->known_hosts, desc, pattern, a->known_hosts);
        break;
    case SSH_KNOWN_HOSTS_OTHER:
        rig_err_set(err, RIG_ECONFIG,
                    "host key for %s:%d is of another type than the one in %s (the server "
                    "presents %s): the connection may be intercepted; if the host's keys really "
                    "changed, remove the old entry with ssh-keygen -R '%s' -f %s and add the new "
                    "one", a->host, a->port, a->known_hosts, desc, pattern, a->known_hosts);
        break;
    case SSH_KNOWN_HOSTS_NOT_FOUND:
        missing_known_hosts(a, err);
        break;
    case SSH_KNOWN_HOSTS_ERROR:
    default:
        rig_err_set(err, RIG_ECONFIG, "cannot check the host key of %s:%d against %s: %s",
                    a->host, a->port, a->known_hosts, ssh_get_error(a->s));
        break;
    }
out:
    free(desc);
    return rc;
}

/* ---- authentication -------------------------------------------------- */

/* SSH_AUTH_* result; what happened is appended to tried. */
static int auth_key(struct attempt *a, struct rig_buf *tried)
{
    char *path = rig_path_expand_home(a->cmd->ssh.key);
    ssh_key key = NULL;
    int rc = SSH_AUTH_DENIED;

    if (access(path, R_OK) < 0) {
        rig_buf_addf(tried, "key %s: cannot read it (%s)", path, strerror(errno));
        goto out;
    }
    if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK) {
        rig_buf_addf(tried, "key %s: not a private key libssh can load, or protected by a "
                            "passphrase (only keys without one are read; use agent: true for "
                            "a protected key)", path);
        goto out;
    }
    step_timeout(a);
    rc = ssh_userauth_publickey(a->s, NULL, key);
    if (rc == SSH_AUTH_DENIED)
        rig_buf_addf(tried, "key %s: refused by the server", path);
    else if (rc == SSH_AUTH_PARTIAL)
        rig_buf_addf(tried, "key %s: accepted, but the server wants another method too", path);
out:
    ssh_key_free(key);
    free(path);
    return rc;
}

static int auth_agent(struct attempt *a, struct rig_buf *tried)
{
    const char *sock = getenv("SSH_AUTH_SOCK");
    int rc;

    if (!sock || !*sock) {
        rig_buf_adds(tried, "agent: SSH_AUTH_SOCK is not set (start ssh-agent and ssh-add the "
                            "key for the user running rig)");
        return SSH_AUTH_DENIED;
    }
    step_timeout(a);
    rc = ssh_userauth_agent(a->s, NULL);
    if (rc == SSH_AUTH_DENIED)
        rig_buf_addf(tried, "agent at %s: no key it holds was accepted", sock);
    else if (rc == SSH_AUTH_PARTIAL)
        rig_buf_adds(tried, "agent: accepted, but the server wants another method too");
    return rc;
}

static int auth_password(struct attempt *a, struct rig_buf *tried)
{
    int rc;

    step_timeout(a);
    rc = ssh_userauth_password(a->s, NULL, a->cmd->ssh.password);
    if (rc == SSH_AUTH_DENIED)
        rig_buf_adds(tried, "password: refused by the server (is PasswordAuthentication on?)");
    else if (rc == SSH_AUTH_PARTIAL)
        rig_buf_adds(tried, "password: accepted, but the server wants another method too");
    return rc;
}

/* Methods in order: key file, agent, password; the first success wins. */
static int authenticate(struct attempt *a, struct rig_cmd_result *r, struct rig_err *err)
{
    const struct rig_ssh_target *t = &a->cmd->ssh;
    struct rig_buf tried = RIG_BUF_INIT;
    int rc = SSH_AUTH_DENIED;
    int ret;

    static int (*const methods[])(struct attempt *, struct rig_buf *) = {
        auth_key, auth_agent, auth_password,
    };

    for (int m = 0; m < 3 && rc != SSH_AUTH_SUCCESS && rc != SSH_AUTH_ERROR; m++) {
        bool use = m == 0 ? t->key && *t->key : m == 1 ? t->agent : t->password && *t->password;

        if (!use)
            continue;
        if (tried.len)
            rig_buf_adds(&tried, "; ");
        rc = methods[m](a, &tried);
    }
    if (rc == SSH_AUTH_SUCCESS) {
        ret = stop_requested(a, r);
    } else if (rc == SSH_AUTH_ERROR || rc == SSH_AUTH_AGAIN) {
        ret = failed(a, r, "ssh %s:%d: connection failed during authentication: %s", a->host,
                     a->port, ssh_get_error(a->s));
    } else {
        ret = rig_err_set(err, RIG_ECONFIG, "ssh authentication as %s at %s:%d failed: %s",
                          t->user, a->host, a->port,
                          tried.len ? rig_buf_str(&tried)
                                    : "no method configured (set key, password or agent: true)");
    }
    rig_buf_release(&tried);
    return ret;
}

/* ---- running --------------------------------------------------------- */

static int write_all(ssh_channel ch, const char *p, size_t n)
{
    while (n > 0) {
        int w = ssh_channel_write(ch, p, n > 32768 ? 32768 : (uint32_t)n);

        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* EOF on the command's stdin wakes the remote watchdog (see remote_wrapper). */
static void request_stop(struct attempt *a, enum stop_reason why, enum stop_reason *stop,
                         int64_t *give_up)
{
    *stop = why;
    *give_up = rig_mono_ms() + a->tr->kill_grace_ms;
    if (ssh_channel_send_eof(a->ch) != SSH_OK)
        log_warn("ssh %s:%d: could not ask \"%s\" to stop (%s); the remote timeout(1) ends it",
                 a->host, a->port, a->step, ssh_get_error(a->s));
}

/* Pump the channel until the remote closes it, or a grace period after the
 * command exited (a daemon it started may hold the output open) or after we
 * asked it to stop. */
static int pump(struct attempt *a, enum stop_reason *stop)
{
    ssh_event ev = ssh_event_new();
    int64_t give_up = 0;
    int rc = 0;

    if (!ev || ssh_event_add_session(ev, a->s) != SSH_OK) {
        rc = -1;
        goto out;
    }
    while (!a->closed) {
        int64_t now = rig_mono_ms();
        bool ended = a->exit_seen || a->signal_seen;

        if (*stop == STOP_NONE && !ended && is_cancelled(a))
            request_stop(a, STOP_CANCEL, stop, &give_up);
        else if (*stop == STOP_NONE && !ended && now >= a->deadline)
            request_stop(a, STOP_TIMEOUT, stop, &give_up);
        else if (ended && !give_up)
            give_up = now + a->tr->kill_grace_ms;
        if (give_up && now >= give_up)
            break;
        if (ssh_event_dopoll(ev, SSH_POLL_MS) == SSH_ERROR && !a->closed) {
            rc = -1;
            break;
        }
    }
out:
    if (ev) {
        ssh_event_remove_session(ev, a->s);
        ssh_event_free(ev);
    }
    return rc;
}

static void flush_lines(struct attempt *a)
{
    for (int i = 0; i < 2; i++)
        if (a->ctx->on_line && a->line[i].len)
            emit_line(a, &a->line[i]);
}

static void describe_end(struct attempt *a, enum stop_reason stop, struct rig_cmd_result *r)
{
    char d[32];

    free(r->error);
    r->error = NULL;
    if (stop == STOP_CANCEL) {
        r->cancelled = true;
        r->error = xstrdup("cancelled");
    } else if (stop == STOP_TIMEOUT) {
        r->timed_out = true;
        r->error = xasprintf("timed out after %s",
                             rig_duration_format(a->timeout_ms, d, sizeof(d)));
    } else if (a->exit_seen) {
        r->exit_code = ssh_channel_get_exit_status(a->ch);
        r->ok = r->exit_code == 0;
        if (!r->ok)
            r->error = xasprintf("exit status %d", r->exit_code);
    } else if (a->signal_seen) {
        r->error = xasprintf("killed by signal SIG%s on %s", a->signal, a->host);
    } else {
        r->error = xasprintf("the command on %s ended without an exit status", a->host);
    }
}

static int run_remote(struct attempt *a, const char *script, const char *marker,
                      struct rig_cmd_result *r)
{
    struct ssh_channel_callbacks_struct cb;
    enum stop_reason stop = STOP_NONE;
    char *wrapper = NULL;
    int64_t left;
    int rc;

    a->ch = ssh_channel_new(a->s);
    step_timeout(a);
    if (!a->ch || ssh_channel_open_session(a->ch) != SSH_OK) {
        rc = failed(a, r, "ssh %s:%d: cannot open a session: %s", a->host, a->port,
                    ssh_get_error(a->s));
        goto out;
    }
    memset(&cb, 0, sizeof(cb));
    cb.userdata = a;
    cb.channel_data_function = on_data;
    cb.channel_exit_status_function = on_exit_status;
    cb.channel_exit_signal_function = on_exit_signal;
    cb.channel_close_function = on_close;
    ssh_callbacks_init(&cb);
    ssh_set_channel_callbacks(a->ch, &cb);
    left = remaining_ms(a);
    wrapper = remote_wrapper(marker, (left > 0 ? (left + 999) / 1000 : 1) + SSH_REMOTE_EXTRA_S);
    step_timeout(a);
    if (ssh_channel_request_exec(a->ch, wrapper) != SSH_OK ||
        write_all(a->ch, script, strlen(script)) < 0 ||
        write_all(a->ch, marker, strlen(marker)) < 0 || write_all(a->ch, "\n", 1) < 0) {
        rc = failed(a, r, "ssh %s:%d: cannot start the command: %s", a->host, a->port,
                    ssh_get_error(a->s));
        goto out;
    }
    log_debug("ssh %s@%s:%d: \"%s\" attempt %d started", a->cmd->ssh.user, a->host, a->port,
              a->step, a->attempt);
    if (pump(a, &stop) < 0 && stop == STOP_NONE) {
        flush_lines(a);
        rc = failed(a, r, "ssh connection to %s:%d lost: %s", a->host, a->port,
                    ssh_get_error(a->s));
        goto out;
    }
    flush_lines(a);
    describe_end(a, stop, r);
    rc = STAGE_OK;
out:
    free(wrapper);
    return rc;
}

/* ---- the transport --------------------------------------------------- */

static void attempt_release(struct attempt *a)
{
    if (a->s)
        set_op_timeout(a, SSH_CLOSE_TIMEOUT_MS);
    if (a->ch) {
        if (!a->closed && ssh_channel_is_open(a->ch))
            ssh_channel_close(a->ch);
        ssh_channel_free(a->ch);
    }
    if (a->s) {
        if (ssh_is_connected(a->s))
            ssh_disconnect(a->s);
        ssh_free(a->s);
    }
    rig_buf_release(&a->tail);
    rig_buf_release(&a->line[0]);
    rig_buf_release(&a->line[1]);
    free(a->known_hosts);
}

static void result_reset(struct rig_cmd_result *r)
{
    free(r->output);
    free(r->error);
    r->output = r->error = NULL;
    r->ok = r->timed_out = r->cancelled = r->output_truncated = false;
    r->exit_code = -1;
    r->duration_ms = 0;
}

static int ssh_run(void *impl, const struct rig_deploy_cmd *cmd, const char *expanded_run,
                   const struct rig_run_ctx *ctx, int attempt, struct rig_cmd_result *r,
                   struct rig_err *err)
{
    struct attempt a;
    char *script = NULL;
    char marker[48];
    int st = STAGE_FATAL;

    result_reset(r);
    memset(&a, 0, sizeof(a));
    a.tr = impl;
    a.cmd = cmd;
    a.ctx = ctx;
    a.attempt = attempt;
    a.step = cmd->name && *cmd->name ? cmd->name : "command";
    a.host = cmd->ssh.host ? cmd->ssh.host : "";
    a.port = cmd->ssh.port > 0 ? cmd->ssh.port : SSH_DEFAULT_PORT;
    a.timeout_ms = cmd->timeout_ms > 0 ? cmd->timeout_ms : RIG_DEPLOY_DEFAULT_TIMEOUT_MS;
    a.start = rig_mono_ms();
    a.deadline = a.start + a.timeout_ms;
    a.tail_max = ctx->tail_max ? ctx->tail_max : SSH_TAIL_DEFAULT;
    if (!expanded_run || !*expanded_run) {
        rig_err_set(err, RIG_ECONFIG, "\"%s\" has no command to run", a.step);
        goto out;
    }
    if (check_target(&a, err) < 0 || build_script(&a, expanded_run, &script, err) < 0 ||
        make_marker(script, marker, sizeof(marker), err) < 0)
        goto out;
    rig_secret_add(cmd->ssh.password);
    st = connect_host(&a, r, err);
    if (st != STAGE_OK)
        goto out;
    if (verify_host(&a, err) < 0) {
        st = STAGE_FATAL;
        goto out;
    }
    st = authenticate(&a, r, err);
    if (st != STAGE_OK)
        goto out;
    st = run_remote(&a, script, marker, r);
out:
    r->duration_ms = rig_mono_ms() - a.start;
    r->output = rig_buf_take(&a.tail);
    r->output_truncated = a.truncated;
    if (st == STAGE_FATAL) {
        free(r->error);
        r->error = xstrdup(err && err->msg[0] ? err->msg : "the ssh command could not be run");
        r->ok = false;
    }
    attempt_release(&a);
    free(script);
    return st == STAGE_FATAL ? -1 : 0;
}

int rig_ssh_transport_init(struct rig_deploy_transport *t, struct rig_err *err)
{
    struct rig_ssh_transport *impl;

    memset(t, 0, sizeof(*t));
    if (ssh_init() != SSH_OK)
        return rig_err_set(err, RIG_EGENERIC, "libssh could not be initialised (its crypto "
                                              "library failed to start)");
    impl = xcalloc(1, sizeof(*impl));
    impl->connect_timeout_ms = SSH_CONNECT_TIMEOUT_MS;
    impl->kill_grace_ms = SSH_KILL_GRACE_MS;
    t->run = ssh_run;
    t->impl = impl;
    return 0;
}

void rig_ssh_transport_release(struct rig_deploy_transport *t)
{
    if (!t || !t->impl)
        return;
    free(t->impl);
    ssh_finalize();
    memset(t, 0, sizeof(*t));
}
