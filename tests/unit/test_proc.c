#include "testutil.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/proc.h"
#include "core/str.h"

static int run_shell(const char *script, struct rig_proc_opts *o, struct rig_proc_result *res)
{
    struct rig_err err = RIG_ERR_INIT;
    int rc;

    o->shell = script;
    rc = rig_proc_run(o, res, &err);
    if (rc != 0)
        print_error("rig_proc_run: %s\n", err.msg);
    return rc;
}

static void test_exit_codes(void **state)
{
    const char *argv_true[] = {"true", NULL};
    const char *argv_exit[] = {"sh", "-c", "exit 3", NULL};
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;
    struct rig_err err = RIG_ERR_INIT;
    char d[64];

    (void)state;
    o.argv = argv_true;
    assert_int_equal(rig_proc_run(&o, &res, &err), 0);
    assert_true(res.exited);
    assert_int_equal(res.exit_code, 0);
    assert_true(rig_proc_ok(&res));
    assert_string_equal(res.out, "");
    assert_string_equal(res.err, "");
    assert_true(res.duration_ms >= 0);
    rig_proc_result_release(&res);

    o.argv = argv_exit;
    assert_int_equal(rig_proc_run(&o, &res, &err), 0);
    assert_true(res.exited);
    assert_int_equal(res.exit_code, 3);
    assert_false(rig_proc_ok(&res));
    assert_string_equal(rig_proc_describe(&res, d, sizeof(d)), "exit status 3");
    rig_proc_result_release(&res);
}

static void test_signal(void **state)
{
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;
    char d[64];

    (void)state;
    assert_int_equal(run_shell("kill -9 $$", &o, &res), 0);
    assert_false(res.exited);
    assert_true(res.signaled);
    assert_int_equal(res.signo, SIGKILL);
    assert_false(rig_proc_ok(&res));
    assert_string_equal(rig_proc_describe(&res, d, sizeof(d)), "killed by signal 9 (SIGKILL)");
    rig_proc_result_release(&res);
}

static void test_shell_streams(void **state)
{
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;

    (void)state;
    assert_int_equal(run_shell("echo out; echo err >&2; echo 'a b' | tr a-z A-Z", &o, &res), 0);
    assert_string_equal(res.out, "out\nA B\n");
    assert_int_equal(res.out_len, 8);
    assert_string_equal(res.err, "err\n");
    assert_false(res.out_truncated);
    rig_proc_result_release(&res);

    o.merge_stderr = true;
    assert_int_equal(run_shell("echo 1; echo 2 >&2; echo 3", &o, &res), 0);
    assert_string_equal(res.out, "1\n2\n3\n");
    assert_string_equal(res.err, "");
    rig_proc_result_release(&res);
}

static void test_cwd(void **state)
{
    char *dir = tu_mkdtemp("rig-proc");
    char *real = realpath(dir, NULL);
    char *script = tu_path(dir, "run.sh");
    char *want = xasprintf("%s\n", real);
    const char *argv_pwd[] = {"pwd", "-P", NULL};
    const char *argv_rel[] = {"./run.sh", "arg one", NULL};
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    o.argv = argv_pwd;
    o.cwd = dir;
    assert_int_equal(rig_proc_run(&o, &res, &err), 0);
    assert_string_equal(res.out, want);
    rig_proc_result_release(&res);

    /* A relative program path is found from cwd, arguments arrive verbatim. */
    tu_write_file(script, "#!/bin/sh\nprintf '%s|' \"${0##*/}\" \"$1\"\n");
    assert_int_equal(chmod(script, 0755), 0);
    o.argv = argv_rel;
    assert_int_equal(rig_proc_run(&o, &res, &err), 0);
    assert_string_equal(res.out, "run.sh|arg one|");
    rig_proc_result_release(&res);

    free(dir);
    tu_rmtree(real);
    free(real);
    free(script);
    free(want);
}

static void test_missing_cwd_and_not_found(void **state)
{
    const char *argv_true[] = {"true", NULL};
    const char *argv_missing[] = {"rig-no-such-command-xyz", NULL};
    const char *argv_slash[] = {"./rig-no-such-command-xyz", NULL};
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;
    struct rig_err err = RIG_ERR_INIT;
    char *dir = tu_mkdtemp("rig-proc");
    char *file = tu_path(dir, "plain");

    (void)state;
    o.argv = argv_true;
    o.cwd = "/nonexistent/rig-proc-dir";
    assert_int_equal(rig_proc_run(&o, &res, &err), -1);
    assert_string_equal(err.msg, "working directory /nonexistent/rig-proc-dir does not exist");
    assert_non_null(res.out);
    assert_non_null(res.err);
    rig_proc_result_release(&res);

    tu_write_file(file, "x");
    o.cwd = file;
    assert_int_equal(rig_proc_run(&o, &res, &err), -1);
    assert_non_null(strstr(err.msg, "is not a directory"));
    rig_proc_result_release(&res);

    o.cwd = NULL;
    o.argv = argv_missing;
    assert_int_equal(rig_proc_run(&o, &res, &err), -1);
    assert_string_equal(err.msg, "command \"rig-no-such-command-xyz\" not found on PATH");
    assert_int_equal(err.code, RIG_ENOTFOUND);
    rig_proc_result_release(&res);

    o.argv = argv_slash;
    assert_int_equal(rig_proc_run(&o, &res, &err), -1);
    assert_non_null(strstr(err.msg, "not found"));
    rig_proc_result_release(&res);

    /* The lookup uses the child's PATH. */
    {
        const char *env[] = {"PATH=/nonexistent-rig-bin", NULL};

        o.argv = argv_true;
        o.env = env;
        assert_int_equal(rig_proc_run(&o, &res, &err), -1);
        assert_non_null(strstr(err.msg, "not found on PATH"));
        rig_proc_result_release(&res);
    }

    o.argv = NULL;
    o.env = NULL;
    assert_int_equal(rig_proc_run(&o, &res, &err), -1);
    rig_proc_result_release(&res);

    free(file);
    tu_rmtree(dir);
    free(dir);
}

static void test_env(void **state)
{
    const char *env[] = {"RIG_T_NEW=hello world", "RIG_T_OLD=new", NULL};
    const char *bad[] = {"NOEQUALS", NULL};
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    setenv("RIG_T_OLD", "old", 1);
    setenv("RIG_T_KEEP", "kept", 1);
    o.env = env;
    assert_int_equal(run_shell("printf '%s|%s|%s' \"$RIG_T_NEW\" \"$RIG_T_OLD\" \"$RIG_T_KEEP\"",
                               &o, &res), 0);
    assert_string_equal(res.out, "hello world|new|kept");
    rig_proc_result_release(&res);

    o.clear_env = true;
    assert_int_equal(run_shell("printf '%s|%s|%s|%s' \"$RIG_T_NEW\" \"${RIG_T_KEEP-unset}\" "
                               "\"${PATH:+path}\" \"${HOME:+home}\"", &o, &res), 0);
    assert_string_equal(res.out, "hello world|unset|path|home");
    rig_proc_result_release(&res);

    o.env = bad;
    o.shell = "true";
    assert_int_equal(rig_proc_run(&o, &res, &err), -1);
    assert_non_null(strstr(err.msg, "\"NOEQUALS\""));
    rig_proc_result_release(&res);
    unsetenv("RIG_T_OLD");
    unsetenv("RIG_T_KEEP");
}

static void test_stdin(void **state)
{
    const char *argv_cat[] = {"cat", NULL};
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;
    struct rig_err err = RIG_ERR_INIT;
    size_t big = 3 * 1024 * 1024;
    char *data = xmalloc(big);

    (void)state;
    o.argv = argv_cat;
    o.stdin_data = "line1\nline2\n";
    o.stdin_len = 12;
    assert_int_equal(rig_proc_run(&o, &res, &err), 0);
    assert_string_equal(res.out, "line1\nline2\n");
    rig_proc_result_release(&res);

    /* Larger than any pipe buffer: needs writing and reading interleaved. */
    for (size_t i = 0; i < big; i++)
        data[i] = (char)('a' + i % 26);
    o.stdin_data = data;
    o.stdin_len = big;
    o.capture_max = big;
    assert_int_equal(rig_proc_run(&o, &res, &err), 0);
    assert_int_equal(res.out_len, big);
    assert_memory_equal(res.out, data, big);
    assert_false(res.out_truncated);
    rig_proc_result_release(&res);

    /* A child that never reads stdin: EPIPE, not a crash or a hang. */
    o.argv = NULL;
    assert_int_equal(run_shell("exit 0", &o, &res), 0);
    assert_true(rig_proc_ok(&res));
    rig_proc_result_release(&res);

    /* No stdin_data: stdin is /dev/null, so cat ends at once. */
    o.stdin_data = NULL;
    o.stdin_len = 0;
    o.argv = argv_cat;
    assert_int_equal(rig_proc_run(&o, &res, &err), 0);
    assert_string_equal(res.out, "");
    rig_proc_result_release(&res);
    free(data);
}

static void test_capture_keeps_tail(void **state)
{
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;
    char *full = NULL;
    size_t cap = 64 * 1024;
    size_t flen;

    (void)state;
    assert_int_equal(tu_sh(&full, "yes 0123456789 2>/dev/null | head -c 5000000; printf TAIL"), 0);
    flen = strlen(full);
    assert_int_equal(flen, 5000004);
    o.capture_max = cap;
    assert_int_equal(run_shell("yes 0123456789 | head -c 5000000; printf TAIL; echo small >&2",
                               &o, &res), 0);
    assert_int_equal(res.out_len, cap);
    assert_true(res.out_truncated);
    assert_true(rig_str_endswith(res.out, "TAIL"));
    assert_memory_equal(res.out, full + flen - cap, cap);
    assert_int_equal(strlen(res.out), cap);
    assert_string_equal(res.err, "small\n");
    assert_false(res.err_truncated);
    rig_proc_result_release(&res);
    free(full);
}

struct lines {
    struct rig_buf out;
    struct rig_buf err;
    volatile int *cancel_on_ready;
};

static void on_line(void *ctx, enum rig_proc_stream stream, const char *line, size_t len)
{
    struct lines *l = ctx;

    assert_int_equal(strlen(line), len);
    rig_buf_addf(stream == RIG_PROC_STDOUT ? &l->out : &l->err, "[%s]", line);
    if (l->cancel_on_ready && strcmp(line, "ready") == 0)
        *l->cancel_on_ready = 1;
}

static void test_line_callback(void **state)
{
    struct lines l = {RIG_BUF_INIT, RIG_BUF_INIT, NULL};
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;

    (void)state;
    o.on_line = on_line;
    o.ctx = &l;
    assert_int_equal(run_shell("echo a; echo b >&2; echo; echo c; printf 'x\\ny'; "
                               "printf 'partial' >&2", &o, &res), 0);
    assert_string_equal(rig_buf_str(&l.out), "[a][][c][x][y]");
    assert_string_equal(rig_buf_str(&l.err), "[b][partial]");
    rig_proc_result_release(&res);

    /* Lines longer than the cap arrive in pieces; the capture keeps the tail. */
    rig_buf_reset(&l.out);
    rig_buf_reset(&l.err);
    o.capture_max = 16;
    assert_int_equal(run_shell("printf '%040d\\nend\\n' 0", &o, &res), 0);
    assert_string_equal(rig_buf_str(&l.out),
                        "[0000000000000000][0000000000000000][00000000][end]");
    assert_string_equal(res.out, "00000000000\nend\n");
    assert_true(res.out_truncated);
    rig_proc_result_release(&res);

    rig_buf_reset(&l.out);
    o.capture_max = 0;
    o.merge_stderr = true;
    assert_int_equal(run_shell("echo 1; echo 2 >&2; echo 3", &o, &res), 0);
    assert_string_equal(rig_buf_str(&l.out), "[1][2][3]");
    assert_string_equal(rig_buf_str(&l.err), "");
    rig_proc_result_release(&res);

    rig_buf_release(&l.out);
    rig_buf_release(&l.err);
}

/* Gone, or a zombie nobody reaps yet (PID 1 in a container may not). */
static bool pid_gone(pid_t pid)
{
    char path[64];
    char *stat;
    char *p;
    bool gone;

    if (kill(pid, 0) < 0 && errno == ESRCH)
        return true;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    stat = tu_read_file(path);
    if (!stat)
        return true;
    p = strrchr(stat, ')');
    gone = p && (p[2] == 'Z' || p[2] == 'X');
    free(stat);
    return gone;
}

static void assert_pid_gone(pid_t pid)
{
    for (int i = 0; i < 1000 && !pid_gone(pid); i++) {
        struct timespec ts = {0, 10 * 1000000};

        nanosleep(&ts, NULL);
    }
    if (!pid_gone(pid))
        fail_msg("process %d still running", (int)pid);
}

static pid_t first_pid(const char *out)
{
    long long v = 0;
    char *line = xstrndup(out, strcspn(out, "\n"));

    assert_int_equal(rig_str_to_ll(line, 1, INT_MAX, &v), 0);
    free(line);
    return (pid_t)v;
}

static void record_pid(void *ctx, pid_t pid)
{
    *(pid_t *)ctx = pid;
}

static void test_timeout_kills_group(void **state)
{
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;
    pid_t child = 0, bg;
    char d[64];

    (void)state;
    /* Generous: the script must get to "echo $!" before the timeout. */
    o.timeout_ms = 2000;
    o.kill_grace_ms = 2000;
    o.on_start = record_pid;
    o.ctx = &child;
    assert_int_equal(run_shell("sleep 100 & echo $!; sleep 100", &o, &res), 0);
    assert_true(res.timed_out);
    assert_false(rig_proc_ok(&res));
    assert_string_equal(rig_proc_describe(&res, d, sizeof(d)), "timed out after 2s");
    assert_true(child > 0);
    bg = first_pid(res.out);
    assert_pid_gone(bg);
    assert_pid_gone(child);
    rig_proc_result_release(&res);
}

static void test_cancel(void **state)
{
    volatile int cancel = 0;
    struct lines l = {RIG_BUF_INIT, RIG_BUF_INIT, &cancel};
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;
    char d[64];

    (void)state;
    o.cancel = &cancel;
    o.on_line = on_line;
    o.ctx = &l;
    o.kill_grace_ms = 2000;
    assert_int_equal(run_shell("sleep 100 & echo $!; echo ready; sleep 100", &o, &res), 0);
    assert_true(res.cancelled);
    assert_false(res.timed_out);
    assert_false(rig_proc_ok(&res));
    assert_string_equal(rig_proc_describe(&res, d, sizeof(d)), "cancelled");
    assert_true(res.signaled);
    assert_int_equal(res.signo, SIGTERM);
    assert_pid_gone(first_pid(res.out));
    rig_proc_result_release(&res);
    rig_buf_release(&l.out);
    rig_buf_release(&l.err);
}

static void test_sigterm_ignored_gets_sigkill(void **state)
{
    volatile int cancel = 0;
    struct lines l = {RIG_BUF_INIT, RIG_BUF_INIT, &cancel};
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;

    (void)state;
    o.cancel = &cancel;
    o.on_line = on_line;
    o.ctx = &l;
    o.kill_grace_ms = 200;
    /* "ready" comes after the trap, so the cancel always meets an ignored TERM. */
    assert_int_equal(run_shell("trap '' TERM; echo ready; while :; do sleep 1; done", &o, &res),
                     0);
    assert_true(res.cancelled);
    assert_true(res.signaled);
    assert_int_equal(res.signo, SIGKILL);
    rig_proc_result_release(&res);

    /* A background member ignoring TERM and not holding our pipes: the child
     * dies on TERM at once, the straggler still gets SIGKILL after the grace. */
    cancel = 0;
    /* The inner sh ignores TERM before it forks the sleeper, which inherits
     * that; $(...) returns once the inner sh exits (the sleeper's output goes
     * to /dev/null), so "ready" is only printed when the sleeper is immune. */
    assert_int_equal(run_shell("p=$(sh -c 'trap \"\" TERM; sleep 100 >/dev/null 2>&1 & "
                               "echo $!'); echo $p; echo ready; sleep 100", &o, &res), 0);
    assert_true(res.cancelled);
    assert_pid_gone(first_pid(res.out));
    rig_proc_result_release(&res);
    rig_buf_release(&l.out);
    rig_buf_release(&l.err);
}

static void test_leftover_holding_pipe(void **state)
{
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;
    pid_t bg;

    (void)state;
    /* The child exits at once but its background job keeps stdout open: we
     * return after the grace period with the child's status. */
    o.kill_grace_ms = 300;
    assert_int_equal(run_shell("sleep 100 & echo $!; exit 4", &o, &res), 0);
    assert_true(res.exited);
    assert_int_equal(res.exit_code, 4);
    assert_false(res.timed_out);
    bg = first_pid(res.out);
    kill(bg, SIGKILL);
    assert_pid_gone(bg);
    rig_proc_result_release(&res);

    /* An escaped grandchild (own session) survives the group kill and holds
     * the pipe: the timeout path still returns. */
    o.timeout_ms = 2000;
    assert_int_equal(run_shell("setsid sleep 100 & echo $!; sleep 100", &o, &res), 0);
    assert_true(res.timed_out);
    bg = first_pid(res.out);
    kill(bg, SIGKILL);
    assert_pid_gone(bg);
    rig_proc_result_release(&res);
}

static void test_on_start_pid_is_group(void **state)
{
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;
    pid_t child = 0;
    char *want;

    (void)state;
    o.on_start = record_pid;
    o.ctx = &child;
    assert_int_equal(run_shell("echo $$ $(cut -d' ' -f5 /proc/$$/stat)", &o, &res), 0);
    want = xasprintf("%d %d\n", (int)child, (int)child);
    assert_string_equal(res.out, want);
    free(want);
    rig_proc_result_release(&res);
}

struct thread_job {
    int id;
    int ok;
};

static void *thread_main(void *arg)
{
    struct thread_job *j = arg;
    struct rig_proc_opts o = {0};
    struct rig_proc_result res;
    struct rig_err err = RIG_ERR_INIT;
    char *script = xasprintf("for i in 1 2 3 4 5 6 7 8 9 10; do echo job%d-$i; done", j->id);
    struct rig_buf want = RIG_BUF_INIT;

    for (int i = 1; i <= 10; i++)
        rig_buf_addf(&want, "job%d-%d\n", j->id, i);
    o.shell = script;
    for (int round = 0; round < 10; round++) {
        j->ok = rig_proc_run(&o, &res, &err) == 0 && rig_proc_ok(&res) &&
                strcmp(res.out, rig_buf_str(&want)) == 0;
        rig_proc_result_release(&res);
        if (!j->ok)
            break;
    }
    rig_buf_release(&want);
    free(script);
    return NULL;
}

static void test_threads(void **state)
{
    pthread_t t[4];
    struct thread_job jobs[4];

    (void)state;
    for (int i = 0; i < 4; i++) {
        jobs[i] = (struct thread_job){i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, thread_main, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_true(jobs[i].ok);
    }
}

static void test_describe(void **state)
{
    struct rig_proc_result r;
    char d[64];

    (void)state;
    memset(&r, 0, sizeof(r));
    r.exited = true;
    r.exit_code = 2;
    assert_string_equal(rig_proc_describe(&r, d, sizeof(d)), "exit status 2");
    memset(&r, 0, sizeof(r));
    r.signaled = true;
    r.signo = SIGSEGV;
    assert_string_equal(rig_proc_describe(&r, d, sizeof(d)), "killed by signal 11 (SIGSEGV)");
    r.timed_out = true;
    r.timeout_ms = 5000;
    assert_string_equal(rig_proc_describe(&r, d, sizeof(d)), "timed out after 5s");
    r.timeout_ms = 1500;
    assert_string_equal(rig_proc_describe(&r, d, sizeof(d)), "timed out after 1.5s");
    r.timeout_ms = 600000;
    assert_string_equal(rig_proc_describe(&r, d, sizeof(d)), "timed out after 10m");
    r.cancelled = true;
    assert_string_equal(rig_proc_describe(&r, d, sizeof(d)), "cancelled");
    memset(&r, 0, sizeof(r));
    assert_string_equal(rig_proc_describe(&r, d, sizeof(d)), "exit status unknown");
    rig_proc_result_release(&r);
    rig_proc_result_release(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_signal),
        cmocka_unit_test(test_shell_streams),
        cmocka_unit_test(test_cwd),
        cmocka_unit_test(test_missing_cwd_and_not_found),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_capture_keeps_tail),
        cmocka_unit_test(test_line_callback),
        cmocka_unit_test(test_timeout_kills_group),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_sigterm_ignored_gets_sigkill),
        cmocka_unit_test(test_leftover_holding_pipe),
        cmocka_unit_test(test_on_start_pid_is_group),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
