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
 */

enum rig_proc_stream { RIG_PROC_STDOUT = 1, RIG_PROC_STDERR = 2 };

typedef void (*rig_proc_line_fn)(void *ctx, enum rig_proc_stream stream, const char *line,
                                 size_t len);

struct rig_proc_opts {
    const char *const *argv; /* argv[0] searched on PATH; ignored when shell is set */
    const char *shell;       /* run as /bin/sh -c <shell> when not NULL */
    const char *cwd;         /* NULL: inherit */
    const char *const *env;  /* extra "NAME=value" entries over the inherited env, NULL-terminated */
    bool clear_env;          /* start from an empty environment (PATH/HOME kept) */
    const char *stdin_data;  /* NULL: /dev/null */
    size_t stdin_len;
    bool merge_stderr;       /* stderr into the stdout capture (one interleaved log) */
    size_t capture_max;      /* per stream; 0 = 1 MiB */
    int64_t timeout_ms;      /* 0 = none */
    int64_t kill_grace_ms;   /* SIGTERM -> SIGKILL delay; 0 = 5000 */
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
    int64_t duration_ms;
};

/* 0 when the child ran (whatever its exit status), -1 when it could not be
 * started (err says why: not found, cwd missing, ...). */
int rig_proc_run(const struct rig_proc_opts *opts, struct rig_proc_result *res, struct rig_err *err);

/* true when the child exited with status 0 and was not killed. */
bool rig_proc_ok(const struct rig_proc_result *res);

/* "exit status 2", "killed by signal 9 (SIGKILL)", "timed out after 5s" ... */
const char *rig_proc_describe(const struct rig_proc_result *res, char *buf, size_t n);

void rig_proc_result_release(struct rig_proc_result *res);

#endif
