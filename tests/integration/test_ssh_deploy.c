/*
 * The SSH deploy transport against a real OpenSSH sshd that this test starts
 * on 127.0.0.1 (host keys, client keys and known_hosts files made here with
 * ssh-keygen). The login user is whoever runs the test (root in CI). When sshd
 * cannot be started (not root, no /usr/sbin/sshd) every test is skipped with
 * the reason printed.
 */
#include "testutil.h"

#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "adapters/deploy/deploy.h"
#include "adapters/deploy/deploy_ssh.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "engine/vars.h"

#define SSHD "/usr/sbin/sshd"
#define WAIT_MS 30000

/* Everything the tests share: one sshd for the whole file. */
static struct {
    char *dir;
    int port;
    pid_t sshd;
    pid_t agent;
    char *user;
    char *home;           /* login user's home on the "remote" side */
    char *client_key;     /* authorized */
    char *stranger_key;   /* not authorized */
    char *locked_key;     /* passphrase-protected */
    char *host_pub;       /* "ssh-ed25519 AAAA..." of the server */
    char *other_pub;      /* another ed25519 key */
    char *ecdsa_pub;      /* a key of another type */
    char *skip_reason;
} g;

struct lines {
    struct rig_buf log; /* "step#attempt: line\n" */
    size_t count;
    const char *cancel_on; /* set *cancel when this line is seen */
    volatile int *cancel;
};

struct fx {
    char *ws;
    struct rig_vars vars;
    struct lines seen;
    volatile int cancel;
    struct rig_run_ctx ctx;
    struct rig_deploy_transport t;
    struct rig_deploy_cmd cmd;
    struct rig_cmd_result r;
    struct rig_err err;
    char *kh; /* this test's known_hosts */
    FILE *logf;
};

/* ---- sshd lifecycle ---------------------------------------------------- */

static void stop_children(void)
{
    pid_t pids[2] = {g.sshd, g.agent};

    for (int i = 0; i < 2; i++) {
        if (pids[i] <= 0)
            continue;
        kill(pids[i], SIGTERM);
        waitpid(pids[i], NULL, 0);
    }
    g.sshd = g.agent = 0;
}

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static bool port_open(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    bool ok;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Child dies with us (PDEATHSIG) even if the test crashes; its output goes to
 * logname in g.dir. */
static pid_t spawn(const char *logname, char *const argv[])
{
    char *log = tu_path(g.dir, logname);
    pid_t pid;

    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    free(log);
    return pid;
}

static void keygen(const char *type, const char *name, const char *pass)
{
    assert_int_equal(tu_sh(NULL, "ssh-keygen -q -t %s -N '%s' -C rig-test -f '%s/%s' </dev/null",
                           type, pass, g.dir, name), 0);
}

static char *pub_of(const char *name)
{
    char *p = xasprintf("%s/%s.pub", g.dir, name);
    char *s = tu_read_file(p);

    assert_non_null(s);
    free(p);
    return s;
}

static int skip_all(const char *why)
{
    g.skip_reason = xstrdup(why);
    print_message("SKIP ssh tests: %s\n", why);
    return 0;
}

/* sshd's own log says when it listens, so a port another process took
 * between free_port() and the bind is noticed (and another port tried)
 * instead of talking to that process. Returns 1 when listening, 0 when sshd
 * exited (*log = its output), -1 on timeout. */
static int wait_listening(int port, char **log)
{
    char *lp = tu_path(g.dir, "sshd.log");
    char *want = xasprintf("Server listening on 127.0.0.1 port %d.", port);
    int rc = -1;

    for (int waited = 0; waited < WAIT_MS; waited += 50) {
        char *text = tu_read_file(lp);
        bool up = text && strstr(text, want);
        int st;

        free(text);
        if (up && port_open(port)) {
            rc = 1;
            break;
        }
        if (waitpid(g.sshd, &st, WNOHANG) == g.sshd) {
            g.sshd = 0;
            *log = tu_read_file(lp);
            rc = 0;
            break;
        }
        sleep_ms(50);
    }
    free(want);
    free(lp);
    return rc;
}

static int start_sshd(void)
{
    char *cfg, *conf, *log = NULL;
    int up = 0;

    if (access(SSHD, X_OK) < 0)
        return skip_all(SSHD " is not installed (apt-get install openssh-server)");
    if (geteuid() == 0)
        mkdir("/run/sshd", 0755); /* privilege separation directory */
    keygen("ed25519", "host_ed25519", "");
    cfg = tu_path(g.dir, "sshd_config");
    conf = xasprintf("ListenAddress 127.0.0.1\n"
                     "HostKey %s/host_ed25519\n"
                     "PidFile %s/sshd.pid\n"
                     "AuthorizedKeysFile %s/authorized_keys\n"
                     "StrictModes no\n"
                     "UsePAM no\n"
                     "PermitRootLogin yes\n"
                     "PasswordAuthentication yes\n"
                     "KbdInteractiveAuthentication no\n"
                     "LogLevel VERBOSE\n",
                     g.dir, g.dir, g.dir);
    tu_write_file(cfg, conf);
    for (int tries = 0; tries < 5 && up != 1; tries++) {
        char *portstr;

        free(log);
        log = NULL;
        g.port = free_port();
        portstr = xasprintf("%d", g.port);
        {
            char *argv[] = {SSHD, "-D", "-e", "-f", cfg, "-p", portstr, NULL};
            g.sshd = spawn("sshd.log", argv);
        }
        free(portstr);
        up = wait_listening(g.port, &log);
        if (up == 0 && !(log && strstr(log, "Address already in use")))
            break;
    }
    free(cfg);
    free(conf);
    if (up != 1) {
        char *why = xasprintf("sshd did not start%s: %s", geteuid() ? " (not root)" : "",
                              log ? log : "no log");
        bool root = geteuid() == 0;

        free(log);
        stop_children();
        if (!root) {
            skip_all(why);
            free(why);
            return 0;
        }
        print_message("%s\n", why);
        free(why);
        return -1;
    }
    free(log);
    return 0;
}

/* A non-root sshd may run but be unable to log anyone in (or the user has no
 * shell): ask the OpenSSH client, not the code under test, and skip if so. */
static int probe_login(void)
{
    char *out = NULL;
    int rc = tu_sh(&out, "ssh -o BatchMode=yes -o StrictHostKeyChecking=no "
                         "-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=20 "
                         "-i '%s' -p %d '%s'@127.0.0.1 echo ok 2>&1",
                   g.client_key, g.port, g.user);

    if (rc != 0) {
        char *why = xasprintf("not root, and %s cannot log in to the test sshd: %s", g.user,
                              out ? out : "");
        skip_all(why);
        free(why);
    }
    free(out);
    return 0;
}

static int group_setup(void **state)
{
    struct passwd *pw = getpwuid(getuid());

    (void)state;
    atexit(stop_children);
    g.dir = tu_mkdtemp("rig-sshd");
    chmod(g.dir, 0700);
    assert_non_null(pw);
    g.user = xstrdup(pw->pw_name);
    g.home = xstrdup(pw->pw_dir);
    if (start_sshd() < 0)
        return -1;
    if (g.skip_reason)
        return 0;
    keygen("ed25519", "client", "");
    keygen("ed25519", "stranger", "");
    keygen("ed25519", "locked", "correct horse");
    keygen("ed25519", "other_host", "");
    keygen("ecdsa", "ecdsa_host", "");
    g.client_key = tu_path(g.dir, "client");
    g.stranger_key = tu_path(g.dir, "stranger");
    g.locked_key = tu_path(g.dir, "locked");
    g.host_pub = pub_of("host_ed25519");
    g.other_pub = pub_of("other_host");
    g.ecdsa_pub = pub_of("ecdsa_host");
    {
        char *ak = tu_path(g.dir, "authorized_keys");
        char *cp = pub_of("client");
        tu_write_file(ak, cp);
        free(cp);
        free(ak);
    }
    return geteuid() == 0 ? 0 : probe_login();
}

static int group_teardown(void **state)
{
    (void)state;
    stop_children();
    if (g.dir)
        tu_rmtree(g.dir);
    free(g.dir);
    free(g.user);
    free(g.home);
    free(g.client_key);
    free(g.stranger_key);
    free(g.locked_key);
    free(g.host_pub);
    free(g.other_pub);
    free(g.ecdsa_pub);
    free(g.skip_reason);
    memset(&g, 0, sizeof(g));
    return 0;
}

/* ---- per test ------------------------------------------------------------ */

static void on_line(void *p, const char *step, int attempt, const char *line, size_t len)
{
    struct lines *s = p;

    assert_int_equal(strlen(line), len);
    s->count++;
    if (s->log.len < 64 * 1024)
        rig_buf_addf(&s->log, "%s#%d: %.*s\n", step, attempt, (int)len, line);
    if (s->cancel_on && strcmp(line, s->cancel_on) == 0)
        *s->cancel = 1;
}

/* known_hosts content for our server with the given key line. */
static void write_known_hosts(struct fx *f, const char *pub)
{
    char *line = pub ? xasprintf("[127.0.0.1]:%d %s", g.port, pub) : xstrdup("");

    tu_write_file(f->kh, line);
    free(line);
}

static int setup(void **state)
{
    struct fx *f;

    *state = NULL;
    if (g.skip_reason) /* cmocka cannot skip from a setup: fx() does it */
        return 0;
    f = xcalloc(1, sizeof(*f));
    f->ws = tu_mkdtemp("rig-ssh-ws");
    f->kh = tu_path(f->ws, "known_hosts");
    write_known_hosts(f, g.host_pub);
    f->vars.branch_name = "rig/issue-9-ssh";
    f->vars.issue_id = "9";
    f->vars.issue_number = "9";
    f->vars.issue_title = "it's \"$(touch PWNED)\" `touch PWNED2` $HOME ${X} \\n;";
    f->vars.repo_owner = "acme";
    f->vars.repo_name = "app";
    f->vars.workspace = f->ws;
    f->ctx.workspace = f->ws;
    f->ctx.vars = &f->vars;
    f->ctx.on_line = on_line;
    f->ctx.line_ctx = &f->seen;
    f->ctx.cancel = &f->cancel;
    f->seen.cancel = &f->cancel;
    f->cmd.name = "remote";
    f->cmd.timeout_ms = 60000;
    f->cmd.transport = RIG_TRANSPORT_SSH;
    f->cmd.ssh.host = "127.0.0.1";
    f->cmd.ssh.port = g.port;
    f->cmd.ssh.user = g.user;
    f->cmd.ssh.key = g.client_key;
    f->cmd.ssh.known_hosts = f->kh;
    f->err = (struct rig_err)RIG_ERR_INIT;
    f->logf = tmpfile();
    assert_non_null(f->logf);
    rig_log_setup(RIG_LOG_DEBUG, RIG_LOG_TEXT, f->logf);
    assert_int_equal(rig_ssh_transport_init(&f->t, &f->err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    if (!f)
        return 0;
    rig_log_setup(RIG_LOG_INFO, RIG_LOG_TEXT, stderr);
    fclose(f->logf);
    rig_ssh_transport_release(&f->t);
    rig_cmd_result_release(&f->r);
    tu_rmtree(f->ws);
    free(f->ws);
    free(f->kh);
    rig_buf_release(&f->seen.log);
    free(f);
    return 0;
}

static char *log_text(struct fx *f)
{
    struct rig_buf b = RIG_BUF_INIT;
    char chunk[4096];
    size_t n;

    fflush(f->logf);
    rewind(f->logf);
    while ((n = fread(chunk, 1, sizeof(chunk), f->logf)) > 0)
        rig_buf_add(&b, chunk, n);
    return rig_buf_take(&b);
}

/* One attempt; a line per run so a failure shows what each run did. */
static int run(struct fx *f, const char *cmd)
{
    struct timespec t0, t1;
    int rc;

    rig_err_clear(&f->err);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = f->t.run(f->t.impl, &f->cmd, cmd, &f->ctx, 1, &f->r, &f->err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    print_message("  run \"%.40s\": rc=%d ok=%d exit=%d error=%s (%ld ms)\n", cmd, rc, f->r.ok,
                  f->r.exit_code, f->r.error ? f->r.error : "-",
                  (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
    return rc;
}

static bool ws_exists(struct fx *f, const char *rel)
{
    char *p = tu_path(f->ws, rel);
    bool e = access(p, F_OK) == 0;

    free(p);
    return e;
}

static void assert_has(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("expected \"%s\" in:\n%s", needle, hay ? hay : "(null)");
}

static struct fx *fx(void **state)
{
    if (!*state) {
        print_message("skipped: %s\n", g.skip_reason ? g.skip_reason : "no fixture");
        skip();
    }
    return *state;
}

/* ---- cases ----------------------------------------------------------------- */

static void test_key_auth_exit_status_and_output(void **state)
{
    struct fx *f = fx(state);

    assert_int_equal(run(f, "echo hello; echo oops >&2; exit 3"), 0);
    assert_false(f->r.ok);
    assert_int_equal(f->r.exit_code, 3);
    assert_string_equal(f->r.error, "exit status 3");
    assert_false(f->r.timed_out);
    assert_has(f->r.output, "hello\n");
    assert_has(f->r.output, "oops\n");
    assert_has(rig_buf_str(&f->seen.log), "remote#1: hello\n");
    assert_has(rig_buf_str(&f->seen.log), "remote#1: oops\n");
    assert_true(f->r.duration_ms >= 0);

    assert_int_equal(run(f, "printf 'a\\nb'"), 0); /* last line without newline */
    assert_true(f->r.ok);
    assert_int_equal(f->r.exit_code, 0);
    assert_null(f->r.error);
    assert_string_equal(f->r.output, "a\nb");
    assert_has(rig_buf_str(&f->seen.log), "remote#1: b\n");
}

static void test_nonzero_exit_and_signal(void **state)
{
    struct fx *f = fx(state);

    assert_int_equal(run(f, "false"), 0);
    assert_false(f->r.ok);
    assert_int_equal(f->r.exit_code, 1);
    assert_string_equal(f->r.error, "exit status 1");

    /* killed by a signal: reported as a shell would (128 + 9) */
    assert_int_equal(run(f, "echo before; kill -KILL $$"), 0);
    assert_false(f->r.ok);
    assert_int_equal(f->r.exit_code, 137);
    assert_string_equal(f->r.error, "exit status 137");
    assert_has(f->r.output, "before\n");
}

static void test_unknown_host_refused_then_keyscan_hint_works(void **state)
{
    struct fx *f = fx(state);
    char *want, *hint;

    write_known_hosts(f, NULL);
    assert_int_equal(run(f, "touch RAN"), -1);
    want = xasprintf("host key for 127.0.0.1:%d is not in %s: add it with ssh-keyscan -p %d "
                     "127.0.0.1 >> %s", g.port, f->kh, g.port, f->kh);
    assert_has(f->err.msg, want);
    assert_has(f->err.msg, "or set insecure_ignore_host_key: true");
    assert_has(f->err.msg, "ssh-ed25519 key SHA256:");
    assert_int_equal(f->err.code, RIG_ECONFIG);
    assert_string_equal(f->r.error, f->err.msg);
    assert_false(f->r.ok);
    assert_false(ws_exists(f, "RAN"));
    free(want);

    /* Doing what the message says makes the next attempt work. */
    hint = xasprintf("ssh-keyscan -p %d 127.0.0.1 >> '%s' 2>/dev/null", g.port, f->kh);
    assert_int_equal(tu_sh(NULL, "%s", hint), 0);
    free(hint);
    assert_int_equal(run(f, "echo trusted"), 0);
    assert_true(f->r.ok);
    assert_string_equal(f->r.output, "trusted\n");

    /* hashed entries (HashKnownHosts) match too */
    assert_int_equal(tu_sh(NULL, "ssh-keygen -H -f '%s' >/dev/null 2>&1", f->kh), 0);
    hint = tu_read_file(f->kh);
    assert_true(rig_str_startswith(hint, "|1|"));
    free(hint);
    assert_int_equal(run(f, "echo hashed"), 0);
    assert_true(f->r.ok);
}

static void test_changed_host_key_refused(void **state)
{
    struct fx *f = fx(state);
    char *log;

    write_known_hosts(f, g.other_pub);
    assert_int_equal(run(f, "touch RAN"), -1);
    assert_has(f->err.msg, "host key for 127.0.0.1:");
    assert_has(f->err.msg, "does NOT match the one in ");
    assert_has(f->err.msg, f->kh);
    assert_has(f->err.msg, "ssh-keygen -R '[127.0.0.1]:");
    assert_false(ws_exists(f, "RAN"));
    log = log_text(f);
    assert_null(strstr(log, "NOT verified"));
    free(log);
}

static void test_other_key_type_refused(void **state)
{
    struct fx *f = fx(state);

    write_known_hosts(f, g.ecdsa_pub);
    assert_int_equal(run(f, "touch RAN"), -1);
    assert_has(f->err.msg, "is of another type than the one in");
    assert_false(ws_exists(f, "RAN"));
}

static void test_missing_known_hosts_is_an_error(void **state)
{
    struct fx *f = fx(state);
    char *home = tu_path(f->ws, "home"), *want;
    char *old_home = xstrdup(getenv("HOME"));

    f->cmd.ssh.known_hosts = "/nonexistent/known_hosts";
    assert_int_equal(run(f, "touch RAN"), -1);
    assert_has(f->err.msg, "known_hosts file /nonexistent/known_hosts does not exist");
    assert_has(f->err.msg, "insecure_ignore_host_key: true");

    /* default: ~/.ssh/known_hosts of the user running rig */
    mkdir(home, 0700);
    setenv("HOME", home, 1);
    f->cmd.ssh.known_hosts = NULL;
    assert_int_equal(run(f, "touch RAN"), -1);
    want = xasprintf("known_hosts file %s/.ssh/known_hosts does not exist", home);
    assert_has(f->err.msg, want);
    if (old_home)
        setenv("HOME", old_home, 1);
    assert_false(ws_exists(f, "RAN"));
    free(want);
    free(home);
    free(old_home);
}

static void test_insecure_ignore_host_key_warns(void **state)
{
    struct fx *f = fx(state);
    char *log;

    f->cmd.ssh.known_hosts = "/nonexistent/known_hosts";
    f->cmd.ssh.insecure_ignore_host_key = true;
    assert_int_equal(run(f, "echo insecure"), 0);
    assert_true(f->r.ok);
    write_known_hosts(f, g.other_pub); /* even a wrong key is ignored */
    f->cmd.ssh.known_hosts = f->kh;
    assert_int_equal(run(f, "echo again"), 0);
    assert_true(f->r.ok);
    log = log_text(f);
    assert_has(log, "host key NOT verified (insecure_ignore_host_key: true)");
    /* warned every time */
    assert_non_null(strstr(strstr(log, "NOT verified") + 1, "NOT verified"));
    free(log);
}

static bool remote_process(const char *pattern)
{
    return tu_sh(NULL, "pgrep -f '%s' >/dev/null", pattern) == 0;
}

static bool wait_gone(const char *pattern)
{
    char *ps = NULL;

    for (int waited = 0; waited < WAIT_MS; waited += 100) {
        if (!remote_process(pattern))
            return true;
        sleep_ms(100);
    }
    tu_sh(&ps, "ps -eo pid,pgid,sid,etime,args | grep '%s'; tail -n 30 '%s/sshd.log'", pattern,
          g.dir);
    print_message("still running after %d ms:\n%s\n", WAIT_MS, ps ? ps : "");
    free(ps);
    return false;
}

static void test_timeout_ends_remote_command(void **state)
{
    struct fx *f = fx(state);
    int n = 30000 + (int)(getpid() % 10000);
    /* [p] keeps pgrep from matching the shell that runs it */
    char *pattern = xasprintf("slee[p] %d", n);
    char *cmd = xasprintf("echo started; sleep %d & sleep %d; touch AFTER", n, n);
    char *log;

    f->cmd.timeout_ms = 5000;
    f->cmd.workdir = f->ws;
    assert_int_equal(run(f, cmd), 0);
    assert_false(f->r.ok);
    assert_true(f->r.timed_out);
    assert_string_equal(f->r.error, "timed out after 5s");
    assert_has(f->r.output, "started\n");
    /* both the foreground sleep and the background one are gone */
    assert_true(wait_gone(pattern));
    sleep_ms(200);
    assert_false(ws_exists(f, "AFTER"));
    log = log_text(f);
    assert_null(strstr(log, "could not ask"));
    free(log);
    free(pattern);
    free(cmd);
}

static void test_cancel_ends_remote_command(void **state)
{
    struct fx *f = fx(state);
    int n = 20000 + (int)(getpid() % 10000);
    char *pattern = xasprintf("slee[p] %d", n);
    char *cmd = xasprintf("echo started; sleep %d; touch AFTER", n);

    f->seen.cancel_on = "started";
    f->cmd.workdir = f->ws;
    assert_int_equal(run(f, cmd), 0);
    assert_true(f->r.cancelled);
    assert_false(f->r.timed_out);
    assert_string_equal(f->r.error, "cancelled");
    assert_true(wait_gone(pattern));
    assert_false(ws_exists(f, "AFTER"));
    free(pattern);
    free(cmd);
}

/* A command that ignores TERM gets KILL from the remote timeout(1). */
static void test_stop_kills_what_ignores_term(void **state)
{
    struct fx *f = fx(state);
    int n = 40000 + (int)(getpid() % 10000);
    char *pattern = xasprintf("slee[p] %d", n);
    char *cmd = xasprintf("trap '' TERM; echo started; sleep %d; touch AFTER", n);

    f->seen.cancel_on = "started";
    f->cmd.workdir = f->ws;
    assert_int_equal(run(f, cmd), 0);
    assert_true(f->r.cancelled);
    assert_true(wait_gone(pattern));
    assert_false(ws_exists(f, "AFTER"));
    free(pattern);
    free(cmd);
}

/* Rig itself dies mid-command: sshd closes the command's stdin and the remote
 * watchdog ends it, long before the 2-minute timeout would. */
static void test_remote_command_ends_when_rig_dies(void **state)
{
    struct fx *f = fx(state);
    int n = 10000 + (int)(getpid() % 10000);
    char *pattern = xasprintf("slee[p] %d", n);
    char *cmd = xasprintf("sleep %d; touch AFTER", n);
    bool started = false;
    pid_t pid;

    f->cmd.timeout_ms = 120000;
    f->cmd.workdir = f->ws;
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        run(f, cmd);
        _exit(0);
    }
    for (int waited = 0; !started && waited < WAIT_MS; waited += 100) {
        started = remote_process(pattern);
        if (!started)
            sleep_ms(100);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_true(started);
    assert_true(wait_gone(pattern));
    assert_false(ws_exists(f, "AFTER"));
    free(pattern);
    free(cmd);
}

/* The remote timeout(1) guard is there with a limit a bit past ours, and
 * neither the command nor the variables show in the remote process list. */
static void test_remote_guard_and_private_script(void **state)
{
    struct fx *f = fx(state);
    long secs;
    char *end;

    f->cmd.timeout_ms = 10000;
    f->vars.issue_title = "private-title-4711";
    f->ctx.tail_max = 4 << 20;
    assert_int_equal(run(f, "tr '\\0' ' ' < /proc/$PPID/cmdline; echo; ps -eo args"), 0);
    assert_true(f->r.ok);
    assert_true(rig_str_startswith(f->r.output, "timeout -k 5 "));
    secs = strtol(f->r.output + strlen("timeout -k 5 "), &end, 10);
    assert_true(secs >= 3 && secs <= 12);
    assert_true(rig_str_startswith(end, " sh -c "));
    assert_null(strstr(f->r.output, "private-title-4711"));
    assert_null(strstr(f->r.output, "/proc/$PPID/cmdline"));
}

static void test_workdir_vars_and_env_arrive_literally(void **state)
{
    struct fx *f = fx(state);
    const char *env[] = {"DEPLOY_ENV=it's staging", "RIG_ISSUE_NUMBER=overridden", NULL};
    char *wd = tu_path(f->ws, "dir with 'quote'");
    char *real, *want, *out = NULL;

    mkdir(wd, 0755);
    real = realpath(wd, NULL);
    f->cmd.workdir = wd;
    f->cmd.env = env;
    assert_int_equal(run(f, "pwd -P; printf '%s|%s|%s|%s\\n' \"$RIG_ISSUE_TITLE\" "
                            "\"$RIG_BRANCH_NAME\" \"$DEPLOY_ENV\" \"$RIG_ISSUE_NUMBER\""),
                     0);
    assert_true(f->r.ok);
    want = xasprintf("%s\n%s|rig/issue-9-ssh|it's staging|overridden\n", real,
                     f->vars.issue_title);
    assert_string_equal(f->r.output, want);
    tu_sh(&out, "find '%s' -name 'PWNED*'; ls '%s' | grep PWNED", f->ws, g.home);
    assert_string_equal(out, "");
    free(out);
    free(want);

    /* "~" is the remote home */
    f->cmd.workdir = "~";
    f->cmd.env = NULL;
    assert_int_equal(run(f, "pwd"), 0);
    want = xasprintf("%s\n", g.home);
    assert_string_equal(f->r.output, want);
    free(want);

    /* a missing workdir fails before the command runs */
    f->cmd.workdir = "/nonexistent/rig-dir";
    assert_int_equal(run(f, "echo SHOULD-NOT-RUN"), 0);
    assert_false(f->r.ok);
    assert_int_equal(f->r.exit_code, 1);
    assert_null(strstr(f->r.output, "SHOULD-NOT-RUN"));
    free(real);
    free(wd);
}

static void test_bad_env_name_refused(void **state)
{
    struct fx *f = fx(state);
    const char *env[] = {"BAD NAME=x", NULL};

    f->cmd.env = env;
    assert_int_equal(run(f, "true"), -1);
    assert_has(f->err.msg, "environment entry \"BAD NAME=x\" is not NAME=value");
}

static void test_long_output_keeps_tail(void **state)
{
    struct fx *f = fx(state);

    f->ctx.tail_max = 1000;
    assert_int_equal(run(f, "head -c 300000 /dev/zero | tr '\\0' x; echo; echo end"), 0);
    assert_true(f->r.ok);
    assert_true(f->r.output_truncated);
    assert_int_equal(strlen(f->r.output), 1000);
    assert_true(strcmp(f->r.output + 996, "end\n") == 0);
    /* 300 pieces of 1000 bytes, then "end" */
    assert_int_equal(f->seen.count, 301);
}

static void test_auth_failures_list_what_was_tried(void **state)
{
    struct fx *f = fx(state);
    const char *secret = "hunter2-not-the-password";
    char *log, *want, *sock = xstrdup(getenv("SSH_AUTH_SOCK"));

    unsetenv("SSH_AUTH_SOCK");
    f->cmd.ssh.key = g.stranger_key;
    f->cmd.ssh.agent = true;
    f->cmd.ssh.password = secret;
    assert_int_equal(run(f, "touch RAN"), -1);
    want = xasprintf("ssh authentication as %s at 127.0.0.1:%d failed: key %s: refused by the "
                     "server; agent: SSH_AUTH_SOCK is not set", g.user, g.port, g.stranger_key);
    assert_has(f->err.msg, want);
    assert_has(f->err.msg, "; password: refused by the server");
    assert_null(strstr(f->err.msg, secret));
    assert_null(strstr(f->r.error, secret));
    log = log_text(f);
    assert_null(strstr(log, secret));
    free(log);
    free(want);

    f->cmd.ssh.agent = false;
    f->cmd.ssh.password = NULL;
    f->cmd.ssh.key = g.locked_key;
    assert_int_equal(run(f, "touch RAN"), -1);
    assert_has(f->err.msg, "protected by a passphrase");

    f->cmd.ssh.key = "/nonexistent/id_ed25519";
    assert_int_equal(run(f, "touch RAN"), -1);
    assert_has(f->err.msg, "key /nonexistent/id_ed25519: cannot read it (No such file");
    assert_false(ws_exists(f, "RAN"));
    if (sock)
        setenv("SSH_AUTH_SOCK", sock, 1);
    free(sock);
}

static void test_agent_auth(void **state)
{
    struct fx *f = fx(state);
    char *sock = tu_path(g.dir, "agent.sock");
    char *old = xstrdup(getenv("SSH_AUTH_SOCK"));
    char *argv[] = {"/usr/bin/ssh-agent", "-D", "-a", sock, NULL};

    if (access(argv[0], X_OK) < 0) {
        free(sock);
        free(old);
        print_message("skipped: /usr/bin/ssh-agent is not installed\n");
        skip();
    }
    unlink(sock);
    g.agent = spawn("agent.log", argv);
    for (int waited = 0; access(sock, F_OK) < 0 && waited < WAIT_MS; waited += 50)
        sleep_ms(50);
    assert_int_equal(tu_sh(NULL, "SSH_AUTH_SOCK='%s' ssh-add '%s' 2>/dev/null", sock,
                           g.client_key), 0);
    setenv("SSH_AUTH_SOCK", sock, 1);
    f->cmd.ssh.key = NULL;
    f->cmd.ssh.agent = true;
    assert_int_equal(run(f, "echo via-agent"), 0);
    assert_true(f->r.ok);
    assert_string_equal(f->r.output, "via-agent\n");
    if (old)
        setenv("SSH_AUTH_SOCK", old, 1);
    else
        unsetenv("SSH_AUTH_SOCK");
    kill(g.agent, SIGTERM);
    waitpid(g.agent, NULL, 0);
    g.agent = 0;
    free(old);
    free(sock);
}

static void test_unreachable_port_is_a_retryable_failure(void **state)
{
    struct fx *f = fx(state);

    f->cmd.ssh.port = free_port(); /* nothing listens there */
    assert_int_equal(run(f, "true"), 0);
    assert_false(f->r.ok);
    assert_has(f->r.error, "ssh: cannot connect to 127.0.0.1:");
}

/* Through rig_deploy_run: variables expanded by the caller, ssh commands go to
 * the transport, local ones stay local, retries and refusals as for local. */
static void test_deploy_run_uses_ssh_transport(void **state)
{
    struct fx *f = fx(state);
    struct rig_deploy_cmd cmds[3];
    struct rig_deploy_opts o = {&f->ctx, &f->t};
    struct rig_deploy_result res;
    char *want, *probe, *marker = tu_path(f->ws, "local-ran");

    memset(cmds, 0, sizeof(cmds));
    cmds[0].name = "local";
    cmds[0].run = "touch local-ran";
    cmds[0].transport = RIG_TRANSPORT_LOCAL;
    cmds[1] = f->cmd;
    cmds[1].name = "remote-title";
    cmds[1].run = "printf '%s\\n' ${ISSUE_TITLE}; echo \"ws=$RIG_WORKSPACE\"";
    cmds[2] = f->cmd;
    cmds[2].name = "flaky";
    cmds[2].run = "echo try; exit 4";
    cmds[2].retry = 1;
    assert_int_equal(rig_deploy_run(cmds, 3, &o, &res, &f->err), -1);
    assert_int_equal(res.len, 3);
    assert_true(res.items[0].ok);
    assert_int_equal(access(marker, F_OK), 0);
    assert_true(res.items[1].ok);
    want = xasprintf("%s\nws=%s\n", f->vars.issue_title, f->ws);
    assert_string_equal(res.items[1].output, want);
    assert_false(res.items[2].ok);
    assert_int_equal(res.items[2].attempts, 2);
    assert_int_equal(res.items[2].exit_code, 4);
    assert_has(f->err.msg, "deploy command 3 (flaky) failed after 2 attempts");
    assert_has(rig_buf_str(&f->seen.log), "flaky#2: try\n");
    rig_deploy_result_release(&res);
    free(want);

    /* a refused host key is not retried */
    write_known_hosts(f, g.other_pub);
    cmds[2].run = "true";
    assert_int_equal(rig_deploy_run(&cmds[2], 1, &o, &res, &f->err), -1);
    assert_int_equal(res.items[0].attempts, 1);
    assert_has(f->err.msg, "does NOT match");
    rig_deploy_result_release(&res);

    /* without a transport, ssh commands are refused */
    o.ssh = NULL;
    assert_int_equal(rig_deploy_run(&cmds[1], 1, &o, &res, &f->err), -1);
    assert_has(f->err.msg, "ssh transport is not available");
    rig_deploy_result_release(&res);
    probe = tu_path(f->ws, "PWNED");
    assert_int_equal(access(probe, F_OK), -1);
    free(probe);
    free(marker);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_auth_exit_status_and_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nonzero_exit_and_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_host_refused_then_keyscan_hint_works, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_changed_host_key_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_key_type_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_known_hosts_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insecure_ignore_host_key_warns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_ends_remote_command, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_ends_remote_command, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_kills_what_ignores_term, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remote_command_ends_when_rig_dies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remote_guard_and_private_script, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workdir_vars_and_env_arrive_literally, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_env_name_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_output_keeps_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_failures_list_what_was_tried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agent_auth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable_port_is_a_retryable_failure, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_deploy_run_uses_ssh_transport, setup, teardown),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
