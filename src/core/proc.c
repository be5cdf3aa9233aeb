#include "core/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/banned.h"

extern char **environ;

#define CAPTURE_DEFAULT ((size_t)1024 * 1024)
#define GRACE_DEFAULT_MS 5000
#define CANCEL_TICK_MS 100
#define KILL_DRAIN_MS 500 /* after SIGKILL, only escaped processes hold the pipes */
#define READ_CHUNK 65536
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

struct stream {
    int fd; /* -1 once at EOF (or never opened) */
    enum rig_proc_stream id;
    size_t max;
    struct rig_buf cap;  /* tail capture; may reach 2*max before compaction */
    bool truncated;
    struct rig_buf line; /* current partial line for on_line */
};

struct run {
    const struct rig_proc_opts *o;
    pid_t pid;
    int pidfd;
    struct stream out, err;
    int in_fd;
    const char *in_p;
    size_t in_left;
    int64_t grace;
    int64_t start, kill_at, exited_at;
    bool term_sent, kill_sent, exited, lost;
    int status;
};

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pthread_once_t sigpipe_once = PTHREAD_ONCE_INIT;

/* Writing stdin to a child that exited must give EPIPE, not kill us. A
 * handler the application installed is left alone. */
static void sigpipe_ignore(void)
{
    struct sigaction old;

    if (sigaction(SIGPIPE, NULL, &old) == 0 && !(old.sa_flags & SA_SIGINFO) &&
        old.sa_handler == SIG_DFL) {
        struct sigaction sa;

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = SIG_IGN;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGPIPE, &sa, NULL);
    }
}

/* ---- environment and command lookup ---- */

struct strv {
    char **v;
    size_t n, cap;
};

static void strv_push(struct strv *s, char *item)
{
    if (s->n + 2 > s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
    }
    s->v[s->n++] = item;
    s->v[s->n] = NULL;
}

static void strv_set(struct strv *s, const char *entry, size_t namelen)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strncmp(s->v[i], entry, namelen + 1) == 0) {
            free(s->v[i]);
            s->v[i] = xstrdup(entry);
            return;
        }
    }
    strv_push(s, xstrdup(entry));
}

static const char *env_get(char *const *envp, const char *name)
{
    size_t n = strlen(name);

    for (; *envp; envp++) {
        if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
            return *envp + n + 1;
    }
    return NULL;
}

static char **build_env(const struct rig_proc_opts *o, struct rig_err *err)
{
    struct strv s = {xcalloc(64, sizeof(char *)), 0, 64};

    if (o->clear_env) {
        static const char *const keep[] = {"PATH", "HOME"};

        for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
            const char *v = getenv(keep[i]);

            if (v)
                strv_push(&s, xasprintf("%s=%s", keep[i], v));
        }
    } else {
        for (char **e = environ; e && *e; e++)
            strv_push(&s, xstrdup(*e));
    }
    for (const char *const *e = o->env; e && *e; e++) {
        const char *eq = strchr(*e, '=');

        if (!eq || eq == *e) {
            rig_err_set(err, RIG_EINVAL,
                        "environment entry \"%s\" is not of the form NAME=value", *e);
            rig_strv_free(s.v);
            return NULL;
        }
        strv_set(&s, *e, (size_t)(eq - *e));
    }
    return s.v;
}

/* posix_spawn execs after the chdir file action, so a relative program path
 * must be made absolute from the parent's point of view first. */
static char *absolutize(char *p)
{
    char cwd[4096];
    char *abs;

    if (p[0] == '/' || !getcwd(cwd, sizeof(cwd)))
        return p;
    abs = xasprintf("%s/%s", cwd, p);
    free(p);
    return abs;
}

static bool is_exec_file(const char *p)
{
    struct stat st;

    return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

/* Find the program like execvp would, with the child's PATH, so "not found"
 * is a clear error here instead of an exit status 127 from a child. */
static char *resolve_cmd(const char *name, const char *cwd, char *const *envp,
                         struct rig_err *err)
{
    const char *path;
    const char *p;

    if (!name || !*name) {
        rig_err_set(err, RIG_EINVAL, "empty command name");
        return NULL;
    }
    if (strchr(name, '/')) {
        char *c = (name[0] != '/' && cwd) ? xasprintf("%s/%s", cwd, name) : xstrdup(name);

        if (access(c, F_OK) < 0) {
            rig_err_set(err, RIG_ENOTFOUND, "command \"%s\" not found", name);
            free(c);
            return NULL;
        }
        if (!is_exec_file(c)) {
            rig_err_set(err, RIG_EINVAL, "command \"%s\" is not an executable file", name);
            free(c);
            return NULL;
        }
        return absolutize(c);
    }
    path = env_get(envp, "PATH");
    if (!path)
        path = DEFAULT_PATH;
    for (p = path;; p++) {
        const char *e = strchrnul(p, ':');
        int dl = (int)(e - p);
        char *c;

        if (dl == 0)
            c = xstrdup(name); /* empty PATH entry = current directory */
        else
            c = xasprintf("%.*s/%s", dl, p, name);
        if (c[0] != '/' && cwd) {
            char *t = xasprintf("%s/%s", cwd, c);

            free(c);
            c = t;
        }
        if (is_exec_file(c))
            return absolutize(c);
        free(c);
        if (!*e)
            break;
        p = e;
    }
    rig_err_set(err, RIG_ENOTFOUND, "command \"%s\" not found on PATH", name);
    return NULL;
}

/* ---- spawning ---- */

/* A pipe end that landed on 0..2 (parent started with closed std fds) would be
 * clobbered by the dup2 file actions; move it up. */
static int fd_above_std(int fd)
{
    int n;

    if (fd > 2)
        return fd;
    n = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return n;
}

static int make_pipe(int p[2], struct rig_err *err)
{
    if (pipe2(p, O_CLOEXEC) < 0)
        return rig_err_errno(err, errno, "cannot create a pipe");
    p[0] = fd_above_std(p[0]);
    p[1] = fd_above_std(p[1]);
    if (p[0] < 0 || p[1] < 0) {
        int e = errno;

        if (p[0] >= 0)
            close(p[0]);
        if (p[1] >= 0)
            close(p[1]);
        p[0] = p[1] = -1;
        return rig_err_errno(err, e, "cannot create a pipe");
    }
    return 0;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void spawn_attrs(posix_spawnattr_t *attr)
{
    static const int sigs[] = {SIGPIPE, SIGINT,  SIGTERM, SIGQUIT, SIGHUP,  SIGCHLD, SIGALRM,
                               SIGUSR1, SIGUSR2, SIGTSTP, SIGTTIN, SIGTTOU, SIGXFSZ};
    sigset_t def, none;

    sigemptyset(&def);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaddset(&def, sigs[i]);
    sigemptyset(&none);
    posix_spawnattr_init(attr);
    /* Own process group, so kill(-pgid) reaches every grandchild. Dispositions
     * and the mask are reset: we ignore SIGPIPE, threads may block signals. */
    posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                       POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setpgroup(attr, 0);
    posix_spawnattr_setsigdefault(attr, &def);
    posix_spawnattr_setsigmask(attr, &none);
}

static int spawn_child(struct run *r, const char *prog, char *const *argv, char *const *envp,
                       struct rig_err *err)
{
    const struct rig_proc_opts *o = r->o;
    int in[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int rc = -1;
    int e;

    if ((o->stdin_data && make_pipe(in, err) < 0) || make_pipe(out, err) < 0 ||
        (!o->merge_stderr && make_pipe(er, err) < 0))
        goto out_fds;
    posix_spawn_file_actions_init(&fa);
    if (o->stdin_data)
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    else
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, o->merge_stderr ? out[1] : er[1], 2);
    if (o->cwd)
        posix_spawn_file_actions_addchdir_np(&fa, o->cwd);
    /* Descriptors another thread opened without O_CLOEXEC must not leak into
     * the child, or its pipes would never see EOF. */
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    spawn_attrs(&attr);
    e = posix_spawn(&r->pid, prog, &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (e != 0) {
        if (e == ENOENT && access(prog, F_OK) == 0)
            rig_err_set(err, RIG_ENOTFOUND,
                        "cannot start \"%s\": its #! interpreter was not found", argv[0]);
        else
            rig_err_errno(err, e, "cannot start \"%s\"", argv[0]);
        goto out_fds;
    }
    r->out.fd = out[0];
    r->err.fd = er[0];
    r->in_fd = in[1];
    out[0] = er[0] = in[1] = -1;
    if (r->out.fd >= 0)
        fcntl(r->out.fd, F_SETFL, O_NONBLOCK);
    if (r->err.fd >= 0)
        fcntl(r->err.fd, F_SETFL, O_NONBLOCK);
    if (r->in_fd >= 0)
        fcntl(r->in_fd, F_SETFL, O_NONBLOCK);
    rc = 0;
out_fds:
    for (int i = 0; i < 2; i++) {
        close_fd(&in[i]);
        close_fd(&out[i]);
        close_fd(&er[i]);
    }
    return rc;
}

/* ---- output handling ---- */

static void capture_add(struct stream *s, const char *p, size_t n)
{
    if (n >= s->max) {
        if (s->cap.len || n > s->max)
            s->truncated = true;
        rig_buf_reset(&s->cap);
        rig_buf_add(&s->cap, p + n - s->max, s->max);
        return;
    }
    /* Compact only past twice the cap so keeping the tail stays linear. */
    if (s->cap.len + n > s->max && s->cap.len + n - s->max > s->max) {
        rig_buf_consume(&s->cap, s->cap.len + n - s->max);
        s->truncated = true;
    }
    rig_buf_add(&s->cap, p, n);
}

static void line_emit(struct run *r, struct stream *s)
{
    r->o->on_line(r->o->ctx, s->id, rig_buf_str(&s->line), s->line.len);
    rig_buf_reset(&s->line);
}

/* Lines longer than the capture cap are handed over in cap-sized pieces so a
 * child printing without newlines cannot grow memory without bound. */
static void lines_feed(struct run *r, struct stream *s, const char *p, size_t n)
{
    if (!r->o->on_line)
        return;
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        size_t room = s->max - s->line.len;

        if (take > room) {
            rig_buf_add(&s->line, p, room);
            line_emit(r, s);
            p += room;
            n -= room;
            continue;
        }
        rig_buf_add(&s->line, p, take);
        p += take;
        n -= take;
        if (nl) {
            line_emit(r, s);
            p++;
            n--;
        }
    }
}

static void stream_eof(struct run *r, struct stream *s)
{
    close_fd(&s->fd);
    if (r->o->on_line && s->line.len)
        line_emit(r, s);
}

static void stream_read(struct run *r, struct stream *s, char *chunk)
{
    ssize_t n = read(s->fd, chunk, READ_CHUNK);

    if (n > 0) {
        capture_add(s, chunk, (size_t)n);
        lines_feed(r, s, chunk, (size_t)n);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        stream_eof(r, s);
    }
}

static void stdin_write(struct run *r)
{
    size_t want = r->in_left < READ_CHUNK ? r->in_left : READ_CHUNK;
    ssize_t n = write(r->in_fd, r->in_p, want);

    if (n > 0) {
        r->in_p += n;
        r->in_left -= (size_t)n;
        if (r->in_left == 0)
            close_fd(&r->in_fd);
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        /* EPIPE: the child stopped reading; the rest of stdin is dropped. */
        close_fd(&r->in_fd);
    }
}

/* ---- the wait loop ---- */

static void reap(struct run *r, int64_t now)
{
    int st;
    pid_t w = waitpid(r->pid, &st, WNOHANG);

    if (w == r->pid) {
        r->exited = true;
        r->status = st;
        r->exited_at = now;
    } else if (w < 0 && errno == ECHILD) {
        /* Someone else reaped it (SIGCHLD ignored, or waitpid(-1) elsewhere). */
        r->exited = true;
        r->lost = true;
        r->exited_at = now;
    }
}

static void terminate(struct run *r, int64_t now)
{
    kill(-r->pid, SIGTERM);
    r->term_sent = true;
    r->kill_at = now + r->grace;
}

static int64_t min_wait(int64_t cur, int64_t deadline, int64_t now)
{
    int64_t d = deadline - now;

    if (d < 0)
        d = 0;
    return (cur < 0 || d < cur) ? d : cur;
}

/* When the loop should stop once the child is gone: output written by what it
 * left behind is collected for a bounded time only. */
static int64_t drain_until(const struct run *r)
{
    if (r->term_sent)
        return (r->exited_at > r->kill_at ? r->exited_at : r->kill_at) + KILL_DRAIN_MS;
    return r->exited_at + r->grace;
}

static void wait_loop(struct run *r, struct rig_proc_result *res)
{
    const struct rig_proc_opts *o = r->o;
    char *chunk = xmalloc(READ_CHUNK);

    for (;;) {
        int64_t now = mono_ms();
        int64_t wait = -1;
        struct pollfd pf[4];
        int np = 0, rc;

        if (!r->exited)
            reap(r, now);
        if (!r->exited && !r->term_sent) {
            if (o->cancel && *o->cancel) {
                res->cancelled = true;
                terminate(r, now);
            } else if (o->timeout_ms > 0 && now - r->start >= o->timeout_ms) {
                res->timed_out = true;
                terminate(r, now);
            }
        }
        if (r->term_sent && !r->kill_sent && now >= r->kill_at) {
            kill(-r->pid, SIGKILL);
            r->kill_sent = true;
        }
        if (r->exited) {
            if (r->out.fd < 0 && r->err.fd < 0)
                break;
            /* A cancel while draining just stops the wait: the child is done. */
            if (now >= drain_until(r) || (o->cancel && *o->cancel))
                break;
            wait = min_wait(wait, drain_until(r), now);
            if (o->cancel)
                wait = min_wait(wait, now + CANCEL_TICK_MS, now);
        } else {
            if (o->cancel && !r->term_sent)
                wait = CANCEL_TICK_MS;
            if (o->timeout_ms > 0 && !r->term_sent)
                wait = min_wait(wait, r->start + o->timeout_ms, now);
            if (r->pidfd < 0) /* no exit notification: look again soon */
                wait = min_wait(wait, now + (r->out.fd < 0 && r->err.fd < 0 ? 10 : 100), now);
        }
        if (r->term_sent && !r->kill_sent)
            wait = min_wait(wait, r->kill_at, now);

        pf[np++] = (struct pollfd){.fd = r->out.fd, .events = POLLIN};
        pf[np++] = (struct pollfd){.fd = r->err.fd, .events = POLLIN};
        pf[np++] = (struct pollfd){.fd = r->in_fd, .events = POLLOUT};
        pf[np++] = (struct pollfd){.fd = r->exited ? -1 : r->pidfd, .events = POLLIN};
        rc = poll(pf, (nfds_t)np, wait > 0x7fffffff ? 0x7fffffff : (int)wait);
        if (rc < 0)
            continue; /* EINTR */
        if (pf[0].revents)
            stream_read(r, &r->out, chunk);
        if (pf[1].revents)
            stream_read(r, &r->err, chunk);
        if (pf[2].revents & POLLOUT)
            stdin_write(r);
        else if (pf[2].revents)
            close_fd(&r->in_fd);
    }
    free(chunk);
}

/* Whether a process of group pgid is still running. kill(-pgid, 0) alone also
 * succeeds for zombies, and in a container PID 1 may never reap orphans, so
 * /proc is consulted when it can be read. */
static bool group_alive(pid_t pgid)
{
    DIR *d;
    struct dirent *de;
    bool alive = false;

    if (kill(-pgid, 0) < 0)
        return false;
    d = opendir("/proc");
    if (!d)
        return true;
    while (!alive && (de = readdir(d)) != NULL) {
        char path[300], buf[512], *p;
        int fd, pgrp = 0;
        char state = 0;
        ssize_t n;

        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        /* "pid (comm) state ppid pgrp ...": comm may contain anything. */
        p = strrchr(buf, ')');
        if (!p || sscanf(p + 1, " %c %*d %d", &state, &pgrp) != 2)
            continue;
        if (pgrp == pgid && state != 'Z' && state != 'X')
            alive = true;
    }
    closedir(d);
    return alive;
}

/* After a timeout or cancel the group got SIGTERM; whatever of it survives the
 * grace period gets SIGKILL, even if the child itself already exited. */
static void finish_termination(struct run *r)
{
    if (!r->term_sent || r->kill_sent)
        return;
    while (group_alive(r->pid) && mono_ms() < r->kill_at) {
        struct timespec ts = {0, 20 * 1000000};

        nanosleep(&ts, NULL);
    }
    if (group_alive(r->pid))
        kill(-r->pid, SIGKILL);
    r->kill_sent = true;
}

static void stream_finish(struct run *r, struct stream *s, char **out, size_t *len,
                          bool *truncated)
{
    if (s->fd >= 0)
        stream_eof(r, s);
    if (s->cap.len > s->max) {
        rig_buf_consume(&s->cap, s->cap.len - s->max);
        s->truncated = true;
    }
    *len = s->cap.len;
    *truncated = s->truncated;
    *out = rig_buf_take(&s->cap);
    rig_buf_release(&s->line);
}

static void stream_init(struct stream *s, enum rig_proc_stream id, size_t max)
{
    memset(s, 0, sizeof(*s));
    s->fd = -1;
    s->id = id;
    s->max = max;
}

int rig_proc_run(const struct rig_proc_opts *o, struct rig_proc_result *res, struct rig_err *err)
{
    const char *sh_argv[] = {"sh", "-c", o->shell, NULL};
    const char *const *argv = o->shell ? sh_argv : o->argv;
    struct run r;
    char **envp = NULL;
    char *prog = NULL;
    size_t cap = o->capture_max ? o->capture_max : CAPTURE_DEFAULT;
    int rc = -1;

    memset(res, 0, sizeof(*res));
    memset(&r, 0, sizeof(r));
    r.o = o;
    r.pidfd = r.in_fd = -1;
    r.grace = o->kill_grace_ms > 0 ? o->kill_grace_ms : GRACE_DEFAULT_MS;
    stream_init(&r.out, RIG_PROC_STDOUT, cap);
    stream_init(&r.err, RIG_PROC_STDERR, cap);
    res->timeout_ms = o->timeout_ms;
    pthread_once(&sigpipe_once, sigpipe_ignore);

    if (!argv || !argv[0]) {
        rig_err_set(err, RIG_EINVAL, "no command given");
        goto out;
    }
    if (o->cwd) {
        struct stat st;

        if (stat(o->cwd, &st) < 0) {
            if (errno == ENOENT)
                rig_err_set(err, RIG_ENOTFOUND, "working directory %s does not exist", o->cwd);
            else
                rig_err_errno(err, errno, "working directory %s", o->cwd);
            goto out;
        }
        if (!S_ISDIR(st.st_mode)) {
            rig_err_set(err, RIG_EINVAL, "working directory %s is not a directory", o->cwd);
            goto out;
        }
    }
    envp = build_env(o, err);
    if (!envp)
        goto out;
    prog = o->shell ? xstrdup("/bin/sh") : resolve_cmd(argv[0], o->cwd, envp, err);
    if (!prog)
        goto out;
    r.start = mono_ms();
    if (spawn_child(&r, prog, (char *const *)argv, envp, err) < 0)
        goto out;
    r.pidfd = pidfd_open(r.pid, 0);
    if (o->stdin_data) {
        r.in_p = o->stdin_data;
        r.in_left = o->stdin_len;
        if (r.in_left == 0)
            close_fd(&r.in_fd);
    }
    if (o->on_start)
        o->on_start(o->ctx, r.pid);
    wait_loop(&r, res);
    finish_termination(&r);
    res->duration_ms = r.exited_at - r.start;
    if (!r.lost && WIFEXITED(r.status)) {
        res->exited = true;
        res->exit_code = WEXITSTATUS(r.status);
    } else if (!r.lost && WIFSIGNALED(r.status)) {
        res->signaled = true;
        res->signo = WTERMSIG(r.status);
    }
    rc = 0;
out:
    close_fd(&r.in_fd);
    close_fd(&r.pidfd);
    stream_finish(&r, &r.out, &res->out, &res->out_len, &res->out_truncated);
    stream_finish(&r, &r.err, &res->err, &res->err_len, &res->err_truncated);
    rig_strv_free(envp);
    free(prog);
    return rc;
}

bool rig_proc_ok(const struct rig_proc_result *res)
{
    return res->exited && res->exit_code == 0 && !res->timed_out && !res->cancelled;
}

const char *rig_proc_describe(const struct rig_proc_result *res, char *buf, size_t n)
{
    if (res->cancelled) {
        snprintf(buf, n, "cancelled");
    } else if (res->timed_out) {
        char d[40];

        if (res->timeout_ms > 0)
            snprintf(buf, n, "timed out after %s",
                     rig_duration_format(res->timeout_ms, d, sizeof(d)));
        else
            snprintf(buf, n, "timed out");
    } else if (res->signaled) {
        const char *abbr = sigabbrev_np(res->signo);

        if (abbr)
            snprintf(buf, n, "killed by signal %d (SIG%s)", res->signo, abbr);
        else
            snprintf(buf, n, "killed by signal %d", res->signo);
    } else if (res->exited) {
        snprintf(buf, n, "exit status %d", res->exit_code);
    } else {
        snprintf(buf, n, "exit status unknown");
    }
    return buf;
}

void rig_proc_result_release(struct rig_proc_result *res)
{
    if (!res)
        return;
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
    res->out_len = res->err_len = 0;
}
