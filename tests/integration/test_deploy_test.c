#include "testutil.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "adapters/deploy/deploy.h"
#include "adapters/test/testrun.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "engine/vars.h"

#define INJECT_TITLE "$(touch pwned1)'; touch pwned2; echo \"`touch pwned3`"

struct lines_seen {
    struct rig_buf log; /* "step#attempt: line\n" */
    size_t count;
};

struct fx {
    char *ws;
    struct rig_vars vars;
    struct lines_seen seen;
    struct rig_run_ctx ctx;
};

static void on_line(void *p, const char *step, int attempt, const char *line, size_t len)
{
    struct lines_seen *s = p;

    s->count++;
    if (s->log.len < 4096)
        rig_buf_addf(&s->log, "%s#%d: %.*s\n", step, attempt, (int)len, line);
}

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof(*f));
    char *app;

    f->ws = tu_mkdtemp("rig-deploy");
    app = tu_path(f->ws, "app");
    mkdir(app, 0755);
    free(app);
    f->vars.branch_name = "rig/issue-7-fix";
    f->vars.issue_id = "7";
    f->vars.issue_number = "7";
    f->vars.issue_title = INJECT_TITLE;
    f->vars.repo_owner = "acme";
    f->vars.repo_name = "app";
    f->vars.workspace = f->ws;
    f->ctx.workspace = f->ws;
    f->ctx.vars = &f->vars;
    f->ctx.on_line = on_line;
    f->ctx.line_ctx = &f->seen;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    tu_rmtree(f->ws);
    free(f->ws);
    rig_buf_release(&f->seen.log);
    free(f);
    return 0;
}

static char *ws_file(struct fx *f, const char *rel)
{
    char *p = tu_path(f->ws, rel);
    char *s = tu_read_file(p);

    free(p);
    return s;
}

static bool ws_exists(struct fx *f, const char *rel)
{
    char *p = tu_path(f->ws, rel);
    bool e = access(p, F_OK) == 0;

    free(p);
    return e;
}

static void no_injection(struct fx *f)
{
    char *out = NULL;

    tu_sh(&out, "find '%s' -name 'pwned*'", f->ws);
    assert_string_equal(out, "");
    free(out);
    assert_int_equal(access("pwned1", F_OK), -1);
}

static void test_deploy_in_order_env_and_vars(void **state)
{
    struct fx *f = *state;
    const char *env1[] = {"DEPLOY_ENV=staging", "RIG_ISSUE_NUMBER=overridden", NULL};
    struct rig_deploy_cmd cmds[2];
    struct rig_deploy_opts o = {&f->ctx, NULL};
    struct rig_deploy_result res;
    struct rig_err err = RIG_ERR_INIT;
    char *s, *want, *real;

    memset(cmds, 0, sizeof(cmds));
    cmds[0].name = "write";
    cmds[0].run = "printf '%s|%s|%s|%s\\n' \"$DEPLOY_ENV\" ${ISSUE_TITLE} \"$RIG_BRANCH_NAME\" "
                  "\"$RIG_ISSUE_NUMBER\" > out.txt; pwd -P > pwd.txt";
    cmds[0].workdir = "app";
    cmds[0].env = env1;
    cmds[1].name = "second";
    cmds[1].run = "echo \"second in $(basename \"$PWD\")\"; echo to-stderr >&2; "
                  "echo ${BRANCH_NAME}";
    if (rig_deploy_run(cmds, 2, &o, &res, &err) != 0)
        fail_msg("deploy: %s", err.msg);
    assert_true(res.ok);
    assert_int_equal(res.len, 2);
    assert_string_equal(res.items[0].name, "write");
    assert_true(res.items[0].ok);
    assert_int_equal(res.items[0].exit_code, 0);
    assert_int_equal(res.items[0].attempts, 1);
    assert_null(res.items[0].error);
    s = ws_file(f, "app/out.txt");
    assert_string_equal(s, "staging|" INJECT_TITLE "|rig/issue-7-fix|overridden\n");
    free(s);
    s = ws_file(f, "app/pwd.txt");
    real = realpath(f->ws, NULL);
    want = xasprintf("%s/app\n", real);
    assert_string_equal(s, want);
    free(want);
    free(real);
    free(s);
    /* default workdir is the workspace; stderr interleaved into the output */
    want = xasprintf("second in %s\nto-stderr\nrig/issue-7-fix\n", strrchr(f->ws, '/') + 1);
    assert_string_equal(res.items[1].output, want);
    free(want);
    assert_non_null(strstr(rig_buf_str(&f->seen.log), "second#1: to-stderr\n"));
    assert_non_null(strstr(rig_buf_str(&f->seen.log), "second#1: rig/issue-7-fix\n"));
    no_injection(f);
    rig_deploy_result_release(&res);
}

#define FLAKY(n)                                                                             \
    "n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; echo attempt $n; "    \
    "[ $n -ge " #n " ] || exit 3"

static void test_deploy_failure_retries_and_stops(void **state)
{
    struct fx *f = *state;
    const char *run = FLAKY(99);
    struct rig_deploy_cmd cmds[3];
    struct rig_deploy_opts o = {&f->ctx, NULL};
    struct rig_deploy_result res;
    struct rig_err err = RIG_ERR_INIT;

    memset(cmds, 0, sizeof(cmds));
    cmds[0].name = "ok";
    cmds[0].run = "true";
    cmds[1].name = "flaky";
    cmds[1].run = run;
    cmds[1].retry = 2;
    cmds[2].name = "never";
    cmds[2].run = "touch never-ran";
    assert_int_equal(rig_deploy_run(cmds, 3, &o, &res, &err), -1);
    assert_false(res.ok);
    assert_int_equal(res.len, 2);
    assert_true(res.items[0].ok);
    assert_false(res.items[1].ok);
    assert_int_equal(res.items[1].attempts, 3);
    assert_int_equal(res.items[1].exit_code, 3);
    assert_string_equal(res.items[1].error, "exit status 3");
    assert_string_equal(res.items[1].output, "attempt 3\n"); /* the last attempt's output */
    assert_non_null(strstr(err.msg, "deploy command 2 (flaky) failed after 3 attempts"));
    assert_non_null(strstr(err.msg, "exit status 3"));
    assert_false(ws_exists(f, "never-ran"));
    assert_non_null(strstr(rig_buf_str(&f->seen.log), "flaky#3: attempt 3\n"));
    rig_deploy_result_release(&res);
}

static void test_deploy_retry_then_success(void **state)
{
    struct fx *f = *state;
    const char *run = FLAKY(2);
    struct rig_deploy_cmd cmd;
    struct rig_deploy_opts o = {&f->ctx, NULL};
    struct rig_deploy_result res;
    struct rig_err err = RIG_ERR_INIT;

    memset(&cmd, 0, sizeof(cmd));
    cmd.name = "eventually";
    cmd.run = run;
    cmd.retry = 5;
    if (rig_deploy_run(&cmd, 1, &o, &res, &err) != 0)
        fail_msg("deploy: %s", err.msg);
    assert_true(res.items[0].ok);
    assert_int_equal(res.items[0].attempts, 2);
    assert_string_equal(res.items[0].output, "attempt 2\n");
    rig_deploy_result_release(&res);
}

static bool pid_gone(long pid)
{
    /* generous: the group is killed on timeout; allow the kernel up to 20 s */
    for (int i = 0; i < 200; i++) {
        if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
            return true;
        {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    return false;
}

static void test_deploy_timeout_kills_group(void **state)
{
    struct fx *f = *state;
    struct rig_deploy_cmd cmd;
    struct rig_deploy_opts o = {&f->ctx, NULL};
    struct rig_deploy_result res;
    struct rig_err err = RIG_ERR_INIT;
    char *pid_s;
    long long pid = 0;

    memset(&cmd, 0, sizeof(cmd));
    cmd.name = "hang";
    cmd.run = "sleep 60 & echo $! > bg.pid; echo started; wait";
    cmd.timeout_ms = 300;
    assert_int_equal(rig_deploy_run(&cmd, 1, &o, &res, &err), -1);
    assert_int_equal(err.code, RIG_ETIMEOUT);
    assert_true(res.items[0].timed_out);
    assert_false(res.items[0].ok);
    assert_int_equal(res.items[0].exit_code, -1);
    assert_non_null(strstr(res.items[0].error, "timed out"));
    assert_string_equal(res.items[0].output, "started\n"); /* output kept, not discarded */
    pid_s = ws_file(f, "bg.pid");
    assert_int_equal(sscanf(pid_s, "%lld", &pid), 1);
    assert_true(pid_gone((long)pid));
    free(pid_s);
    rig_deploy_result_release(&res);
}

static void test_deploy_refusals(void **state)
{
    struct fx *f = *state;
    struct rig_deploy_cmd cmd;
    struct rig_deploy_opts o = {&f->ctx, NULL};
    struct rig_deploy_result res;
    struct rig_err err = RIG_ERR_INIT;

    /* workdir outside the workspace: refused once, never retried, never run */
    memset(&cmd, 0, sizeof(cmd));
    cmd.name = "escape";
    cmd.run = "touch escaped";
    cmd.workdir = "../";
    cmd.retry = 3;
    assert_int_equal(rig_deploy_run(&cmd, 1, &o, &res, &err), -1);
    assert_int_equal(res.items[0].attempts, 1);
    assert_non_null(strstr(err.msg, "workdir"));
    assert_non_null(strstr(res.items[0].error, "leaves the workspace"));
    rig_deploy_result_release(&res);

    cmd.workdir = "missing-dir";
    assert_int_equal(rig_deploy_run(&cmd, 1, &o, &res, &err), -1);
    assert_non_null(strstr(err.msg, "not a directory in the workspace"));
    rig_deploy_result_release(&res);
    assert_false(ws_exists(f, "escaped"));

    /* a task variable where it cannot be quoted safely */
    cmd.workdir = NULL;
    cmd.run = "echo `echo ${ISSUE_TITLE}`";
    assert_int_equal(rig_deploy_run(&cmd, 1, &o, &res, &err), -1);
    assert_non_null(strstr(err.msg, "backquotes"));
    assert_int_equal(res.items[0].attempts, 1);
    rig_deploy_result_release(&res);
    no_injection(f);

    /* ssh without a transport module */
    memset(&cmd, 0, sizeof(cmd));
    cmd.name = "remote";
    cmd.run = "uptime";
    cmd.transport = RIG_TRANSPORT_SSH;
    cmd.ssh.host = "127.0.0.1";
    cmd.ssh.user = "deploy";
    cmd.ssh.key = "~/.ssh/id_ed25519";
    assert_int_equal(rig_deploy_run(&cmd, 1, &o, &res, &err), -1);
    assert_non_null(strstr(err.msg, "ssh transport is not available in this build"));
    assert_string_equal(res.items[0].error, "ssh transport is not available in this build");
    rig_deploy_result_release(&res);
}

static void test_deploy_validate(void **state)
{
    struct rig_deploy_cmd cmd;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_deploy_result res;
    struct fx *f = *state;
    struct rig_deploy_opts o = {&f->ctx, NULL};

    memset(&cmd, 0, sizeof(cmd));
    cmd.run = "true";
    assert_int_equal(rig_deploy_validate(&cmd, 1, &err), -1);
    assert_non_null(strstr(err.msg, "command 1: name is required"));
    cmd.name = "x";
    cmd.retry = 11;
    assert_int_equal(rig_deploy_validate(&cmd, 1, &err), -1);
    assert_non_null(strstr(err.msg, "retry must be between 0 and 10, got 11"));
    cmd.retry = 0;
    cmd.transport = RIG_TRANSPORT_SSH;
    cmd.ssh.host = "h";
    cmd.ssh.user = "u";
    assert_int_equal(rig_deploy_validate(&cmd, 1, &err), -1);
    assert_non_null(strstr(err.msg, "key or password is required"));
    /* invalid lists run nothing */
    assert_int_equal(rig_deploy_run(&cmd, 1, &o, &res, &err), -1);
    assert_int_equal(res.len, 0);
    assert_non_null(strstr(err.msg, "invalid deploy configuration"));
    rig_deploy_result_release(&res);
    /* an empty list is a success with nothing run */
    assert_int_equal(rig_deploy_run(NULL, 0, &o, &res, &err), 0);
    assert_true(res.ok);
    assert_int_equal(res.len, 0);
    rig_deploy_result_release(&res);
}

static void test_output_tail_and_rollback(void **state)
{
    struct fx *f = *state;
    struct rig_deploy_cmd cmd;
    struct rig_deploy_opts o = {&f->ctx, NULL};
    struct rig_deploy_result res;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_run_ctx rb;
    size_t len;

    memset(&cmd, 0, sizeof(cmd));
    cmd.name = "noisy";
    cmd.run = "i=0; while [ $i -lt 5000 ]; do echo \"line $i\"; i=$((i+1)); done";
    f->ctx.tail_max = 1024;
    if (rig_deploy_run(&cmd, 1, &o, &res, &err) != 0)
        fail_msg("deploy: %s", err.msg);
    len = strlen(res.items[0].output);
    assert_true(res.items[0].output_truncated);
    assert_true(len <= 1024 && len > 512);
    assert_true(strcmp(res.items[0].output + len - 10, "line 4999\n") == 0);
    assert_int_equal(f->seen.count, 5000); /* every line streamed live */
    rig_deploy_result_release(&res);

    /* rollback: same runner, no task variables */
    rb = f->ctx;
    rb.vars = NULL;
    o.run = &rb;
    cmd.name = "undo";
    cmd.run = "echo \"[${ISSUE_TITLE}][$RIG_ISSUE_TITLE]\" > rolled.txt";
    if (rig_deploy_rollback(&cmd, 1, &o, &res, &err) != 0)
        fail_msg("rollback: %s", err.msg);
    {
        char *s = ws_file(f, "rolled.txt");
        assert_string_equal(s, "[][]\n");
        free(s);
    }
    rig_deploy_result_release(&res);
    cmd.run = "exit 4";
    assert_int_equal(rig_deploy_rollback(&cmd, 1, &o, &res, &err), -1);
    assert_non_null(strstr(err.msg, "rollback command 1 (undo) failed"));
    rig_deploy_result_release(&res);
}

static void test_clean_env(void **state)
{
    struct fx *f = *state;
    struct rig_test_entry t = {"env", "echo \"[$RIG_TEST_SECRET][$RIG_ISSUE_NUMBER][$EXTRA]\"; "
                                      "test -n \"$PATH\"", 0, NULL, 0};
    const char *extra[] = {"EXTRA=given", NULL};
    struct rig_test_report rep;
    struct rig_err err = RIG_ERR_INIT;

    setenv("RIG_TEST_SECRET", "s3cret", 1);
    f->ctx.env = extra;
    if (rig_test_run(&t, 1, NULL, 0, &f->ctx, &rep, &err) != 0)
        fail_msg("tests: %s", err.msg);
    assert_string_equal(rep.items[0].output, "[s3cret][7][given]\n");
    rig_test_report_release(&rep);
    f->ctx.clean_env = true;
    if (rig_test_run(&t, 1, NULL, 0, &f->ctx, &rep, &err) != 0)
        fail_msg("tests: %s", err.msg);
    assert_string_equal(rep.items[0].output, "[][7][given]\n");
    rig_test_report_release(&rep);
    unsetenv("RIG_TEST_SECRET");
}

static void test_path_matching(void **state)
{
    static const struct {
        const char *pat, *file;
        bool m;
    } t[] = {
        {"src/api/", "src/api/handler.c", true},
        {"src/api", "src/api/handler.c", true},
        {"src/api", "src/apix.c", false},
        {"src/api/", "src/api", true},
        {"main.go", "main.go", true},
        {"main.go", "main.go.bak", false},
        {"./docs", "docs/a.md", true},
        {"docs/**/*.md", "docs/a/b/c.md", true},
        {"docs/**/*.md", "docs/c.md", true},
        {"**/*.env", "a/b/x.env", true},
        {"*.c", "a/x.c", false},
        {"*.c", "x.c", true},
        {"src/*/x.c", "src/a/x.c", true},
        {"  web/  ", "web/index.html", true},
        {"", "anything", false},
        {"./", "anything", true},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (rig_test_path_matches(t[i].pat, t[i].file) != t[i].m)
            fail_msg("pattern \"%s\" vs \"%s\": want %d", t[i].pat, t[i].file, t[i].m);
}

static void test_selection_and_results(void **state)
{
    struct fx *f = *state;
    const char *api[] = {"src/api/"};
    const char *docs[] = {"docs/**/*.md"};
    const char *web[] = {"web"};
    struct rig_test_entry tests[] = {
        {"unit", "echo unit ok; echo ${ISSUE_TITLE}; test \"$RIG_ISSUE_NUMBER\" = 7", 0, NULL, 0},
        {"api", "echo api; exit 1", 0, api, 1},
        {"docs", "touch docs-ran", 0, docs, 1},
        {"web", "touch web-ran", 0, web, 1},
        {"slow", "echo before; sleep 60", 300, NULL, 0},
    };
    const char *changed[] = {"src/api/handler.c", "README.md"};
    struct rig_test_report rep;
    struct rig_err err = RIG_ERR_INIT;

    assert_int_equal(rig_test_run(tests, 5, changed, 2, &f->ctx, &rep, &err), -1);
    assert_int_equal(rep.len, 5);
    assert_false(rep.ran_all_fallback);
    assert_int_equal(rep.passed, 1);
    assert_int_equal(rep.failed, 2);
    assert_int_equal(rep.skipped, 2);
    assert_false(rep.ok);
    assert_true(rep.items[0].ok);
    assert_string_equal(rep.items[0].output, "unit ok\n" INJECT_TITLE "\n");
    assert_false(rep.items[1].ok);
    assert_int_equal(rep.items[1].exit_code, 1);
    assert_true(rep.items[2].skipped);
    assert_true(rep.items[3].skipped);
    assert_false(ws_exists(f, "docs-ran"));
    assert_false(ws_exists(f, "web-ran"));
    assert_true(rep.items[4].timed_out);
    assert_string_equal(rep.items[4].output, "test timed out after 300ms\nbefore\n");
    assert_string_equal(err.msg, "2 of 3 tests failed: api, slow");
    assert_non_null(strstr(rig_buf_str(&f->seen.log), "api#1: api\n"));
    no_injection(f);
    rig_test_report_release(&rep);
}

static void test_selection_fallback_and_tail(void **state)
{
    struct fx *f = *state;
    const char *api[] = {"src/api/"};
    const char *docs[] = {"docs/"};
    struct rig_test_entry tests[] = {
        {"api", "head -c 100000 /dev/zero | tr '\\0' 'a'; echo; echo END", 0, api, 1},
        {"docs", "touch docs-ran", 0, docs, 1},
    };
    const char *changed[] = {"Makefile"};
    struct rig_test_report rep;
    struct rig_err err = RIG_ERR_INIT;
    bool sel[2];
    size_t len;

    /* nothing matched: everything runs */
    assert_true(rig_test_select(tests, 2, changed, 1, sel));
    assert_true(sel[0] && sel[1]);
    assert_false(rig_test_select(tests, 2, (const char *const[]){"docs/x"}, 1, sel));
    assert_true(!sel[0] && sel[1]);

    if (rig_test_run(tests, 2, changed, 1, &f->ctx, &rep, &err) != 0)
        fail_msg("tests: %s", err.msg);
    assert_true(rep.ok);
    assert_true(rep.ran_all_fallback);
    assert_int_equal(rep.passed, 2);
    assert_true(ws_exists(f, "docs-ran"));
    len = strlen(rep.items[0].output);
    assert_true(rep.items[0].output_truncated);
    assert_true(len <= RIG_TEST_TAIL_MAX && len > RIG_TEST_TAIL_MAX / 2);
    assert_string_equal(rep.items[0].output + len - 4, "END\n");
    rig_test_report_release(&rep);

    /* no tests at all: trivially fine */
    assert_int_equal(rig_test_run(NULL, 0, changed, 1, &f->ctx, &rep, &err), 0);
    assert_int_equal(rep.len, 0);
    rig_test_report_release(&rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deploy_in_order_env_and_vars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deploy_failure_retries_and_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deploy_retry_then_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deploy_timeout_kills_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deploy_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deploy_validate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_tail_and_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clean_env, setup, teardown),
        cmocka_unit_test(test_path_matching),
        cmocka_unit_test_setup_teardown(test_selection_and_results, setup, teardown),
        cmocka_unit_test_setup_teardown(test_selection_fallback_and_tail, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
