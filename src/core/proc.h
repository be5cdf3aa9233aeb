#ifndef RIG_CORE_PROC_H
#define RIG_CORE_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"

/*
 * Run a child process without a shell (argv) or, when asked, with `sh -c`.
 * The child leads a new process group so a timeout or a cancel reaches every
 * grandchild. stdout and stderr are captured separately, each capped at
 * capture_max bytes keeping the *tail* (the end of a log is what explains a
 * failure). A line callback sees every complete line live, stream by stream.
 *
 * Termination (timeout or cancel): SIGTERM to the whole group, SIGKILL to
 * what is left of it kill_grace_ms later (also to grandchildren that outlive
 * the child).
 * Leftovers: when the child exits but something it started still holds its
 * stdout/stderr, that output is collected for at most kill_grace_ms more, then
 * the pipes are closed; such a process is not killed on a normal exit (a
 * deploy step may start a daemon on purpose). After a SIGKILL the pipes are
 * read for at most 500 ms more, so an escaped (setsid) grandchild cannot hang
 * the caller.
 * Thread safety: several threads may run processes at once; there is no
 * global state except that the first call sets SIGPIPE to SIG_IGN process-wide
 * when it is still SIG_DFL (writing stdin to a child that exited must give
 * EPIPE, not kill us; children get SIGPIPE back as default). The environment is
 * read while building the child's one, so nobody may setenv() meanwhile, and
 * no other code may reap arbitrary children (waitpid(-1), SIGCHLD=SIG_IGN).
 * The child's stdin is /dev/null or the stdin_data pipe, never our terminal,
 * and every descriptor above 2 is closed in the child.
 */

enum rig_proc_stream { RIG_PROC_STDOUT = 1, RIG_PROC_STDERR = 2 };

typedef void (*rig_proc_line_fn)(void *ctx, enum rig_proc_stream stream, const char *line,
                                 size_t len);

struct rig_proc_opts {
    /* argv[0] searched on PATH (the child's PATH, after env/clear_env) before
     * spawning, so a missing command is an error, not exit 127; a name with '/'
     * is taken relative to cwd. Ignored when shell is set. */
    const char *const *argv;
    const char *shell;       /* run as /bin/sh -c <shell> when not NULL */
    const char *cwd;         /* NULL: inherit; must exist (checked before spawning) */
    const char *const *env;  /* extra "NAME=value" entries over the inherited env, NULL-terminated */
    bool clear_env;          /* start from an empty environment (PATH/HOME kept) */
    const char *stdin_data;  /* NULL: /dev/null */
    size_t stdin_len;
    bool merge_stderr;       /* stderr into the stdout capture (one interleaved log) */
    size_t capture_max;      /* per stream; 0 = 1 MiB. Also the longest line given to
                              * on_line: longer ones arrive in capture_max pieces. */
    int64_t timeout_ms;      /* 0 = none */
    int64_t kill_grace_ms;   /* SIGTERM -> SIGKILL delay; 0 = 5000 */
    /* Each complete line without its '\n' (line[len] is '\0'), as it arrives,
     * in order within a stream; a last line without '\n' is delivered at EOF.
     * With merge_stderr everything is RIG_PROC_STDOUT. Runs on the caller's
     * thread. */
    rig_proc_line_fn on_line;
    void *ctx;
    /* Polled about every 100 ms; when it becomes non-zero the group is terminated
     * like on a timeout and the result says cancelled. */
    const volatile int *cancel;
    /* Called once the child runs, with its pid (== process group id). */
    void (*on_start)(void *ctx, pid_t pid);
};

struct rig_proc_result {
    bool exited;       /* normal exit: exit_code valid */
    int exit_code;
    bool signaled;     /* killed by a signal: signo valid */
    int signo;
    bool timed_out;
    bool cancelled;
    char *out;         /* captured stdout tail, NUL-terminated, never NULL after run */
    size_t out_len;
    bool out_truncated;
    char *err;         /* captured stderr tail (empty when merge_stderr) */
    size_t err_len;
    bool err_truncated;
    int64_t duration_ms; /* spawn to exit, monotonic clock */
    int64_t timeout_ms;  /* the timeout that applied (for rig_proc_describe) */
};

/* 0 when the child ran (whatever its exit status), -1 when it could not be
 * started (err says why: `command "foo" not found on PATH`, `working directory
 * /x does not exist`, ...). res is filled in both cases (out/err are "" on -1)
 * and must be released with rig_proc_result_release. */
int rig_proc_run(const struct rig_proc_opts *opts, struct rig_proc_result *res, struct rig_err *err);

/* true when the child exited with status 0 and was not killed. */
bool rig_proc_ok(const struct rig_proc_result *res);

/* "exit status 2", "killed by signal 9 (SIGKILL)", "timed out after 5s",
 * "timed out after 1m30s" (rig_duration_format), "cancelled". Returns buf. */
const char *rig_proc_describe(const struct rig_proc_result *res, char *buf, size_t n);

void rig_proc_result_release(struct rig_proc_result *res);

#endif
