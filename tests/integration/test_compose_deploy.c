#include "testutil.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "adapters/deploy/compose.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/str.h"
#include "engine/vars.h"

/* Would run commands if anything handed the title to a shell. */
#define INJECT_TITLE "$(touch pwned1)'; touch pwned2; echo \"`touch pwned3`"

static char *standin; /* $RIG_STANDIN_DIR/docker_standin */

struct fx {
    char *root;   /* temp dir holding everything */
    char *ws;     /* <root>/ws/repo: the task workspace */
    char *bin;    /* <root>/bin: `docker` -> docker_standin */
    char *log;    /* <root>/docker.log */
    char *path_env, *log_env, *mode_env;
    const char *env[8];
    struct rig_vars vars;
    struct rig_buf lines; /* "step: line\n" seen through on_line */
    volatile int cancel;
    const char *cancel_on; /* set cancel when a line containing this arrives */
    struct rig_run_ctx ctx;
};

static void on_line(void *p, const char *step, int attempt, const char *line, size_t len)
{
    struct fx *f = p;

    assert_int_equal(attempt, 1);
    rig_buf_addf(&f->lines, "%s: %.*s\n", step, (int)len, line);
    if (f->cancel_on && strstr(line, f->cancel_on))
        f->cancel = 1;
}

static void set_mode(struct fx *f, const char *mode)
{
    free(f->mode_env);
    f->mode_env = xasprintf("DOCKER_STANDIN_MODE=%s", mode);
    f->env[2] = f->mode_env;
}

static void mkdir_p(struct fx *f, const char *rel)
{
    assert_int_equal(tu_sh(NULL, "mkdir -p '%s/%s'", f->ws, rel), 0);
}

static void ws_write(struct fx *f, const char *rel, const char *content)
{
    char *p = tu_path(f->ws, rel);

    tu_write_file(p, content);
    free(p);
}

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof(*f));
    char *link;

    f->root = tu_mkdtemp("rig-compose");
    f->ws = xasprintf("%s/ws/repo", f->root);
    f->bin = tu_path(f->root, "bin");
    f->log = tu_path(f->root, "docker.log");
    assert_int_equal(tu_sh(NULL, "mkdir -p '%s' '%s'", f->ws, f->bin), 0);
    link = tu_path(f->bin, "docker");
    assert_int_equal(symlink(standin, link), 0);
    free(link);
    ws_write(f, "compose.yaml", "services:\n  web:\n    image: nginx\n");

    f->path_env = xasprintf("PATH=%s:%s", f->bin, getenv("PATH"));
    f->log_env = xasprintf("DOCKER_STANDIN_LOG=%s", f->log);
    f->env[0] = f->path_env;
    f->env[1] = f->log_env;
    set_mode(f, "ok");
    f->vars.branch_name = "rig/issue-7-fix";
    f->vars.commit_sha = "0123456789abcdef0123456789abcdef01234567";
    f->vars.issue_id = "7";
    f->vars.issue_number = "7";
    f->vars.issue_title = INJECT_TITLE;
    f->vars.repo_owner = "acme";
    f->vars.repo_name = "shop";
    f->vars.workspace = f->ws;
    f->ctx.workspace = f->ws;
    f->ctx.vars = &f->vars;
    f->ctx.env = f->env;
    f->ctx.on_line = on_line;
    f->ctx.line_ctx = f;
    f->ctx.cancel = &f->cancel;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char *out = NULL;

    /* nothing may ever have been run through a shell */
    tu_sh(&out, "find '%s' -name 'pwned*'", f->root);
    assert_string_equal(out, "");
    free(out);
    tu_rmtree(f->root);
    free(f->root);
    free(f->ws);
    free(f->bin);
    free(f->log);
    free(f->path_env);
    free(f->log_env);
    free(f->mode_env);
    rig_buf_release(&f->lines);
    free(f);
    return 0;
}

/* ---- reading the stand-in's log ---- */

static json_t *calls(struct fx *f)
{
    json_t *a = json_array();
    char *s = tu_read_file(f->log);
    char *line, *save = NULL;

    if (!s)
        return a;
    for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);

        if (!o)
            fail_msg("bad log line %s: %s", line, je.text);
        json_array_append_new(a, o);
    }
    free(s);
    return a;
}

/* The call's argv equals the NULL-terminated list exactly. */
static void expect_argv(json_t *call, ...)
{
    json_t *argv = json_object_get(call, "argv");
    va_list ap;
    size_t i = 0;
    const char *want;
    char *dump = json_dumps(argv, JSON_COMPACT);

    va_start(ap, call);
    while ((want = va_arg(ap, const char *))) {
        json_t *got = json_array_get(argv, i++);

        if (!json_is_string(got) || strcmp(json_string_value(got), want) != 0)
            fail_msg("argv %s: item %zu is not \"%s\"", dump, i - 1, want);
    }
    va_end(ap);
    if (json_array_size(argv) != i)
        fail_msg("argv %s has %zu items, expected %zu", dump, json_array_size(argv), i);
    free(dump);
}

static void expect_cwd(json_t *call, const char *dir)
{
    char *real = realpath(dir, NULL);

    assert_non_null(real);
    assert_string_equal(json_string_value(json_object_get(call, "cwd")), real);
    free(real);
}

/* The RIG_* and COMPOSE_* environment is exactly the task variables, the
 * compose defaults and the NULL-terminated NAME, value pairs given. */
static void expect_env(struct fx *f, json_t *call, ...)
{
    json_t *env = json_object_get(call, "env");
    json_t *want = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                             "COMPOSE_ANSI", "never", "COMPOSE_PROGRESS", "plain",
                             "RIG_BRANCH_NAME", f->vars.branch_name, "RIG_COMMIT_SHA",
                             f->vars.commit_sha, "RIG_ISSUE_ID", "7", "RIG_ISSUE_NUMBER", "7",
                             "RIG_ISSUE_TITLE", INJECT_TITLE, "RIG_REPO_OWNER", "acme",
                             "RIG_REPO_NAME", "shop", "RIG_WORKSPACE", f->ws);
    va_list ap;
    const char *name;
    char *got_s, *want_s;

    va_start(ap, call);
    while ((name = va_arg(ap, const char *)))
        json_object_set_new(want, name, json_string(va_arg(ap, const char *)));
    va_end(ap);
    got_s = json_dumps(env, JSON_COMPACT | JSON_SORT_KEYS);
    want_s = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(got_s, want_s);
    free(got_s);
    free(want_s);
    json_decref(want);
}

static char *wsp(struct fx *f, const char *rel)
{
    return tu_path(f->ws, rel);
}

/* ---- deploy ---- */

static void test_plain_up(void **state)
{
    struct fx *f = *state;
    struct rig_compose_opts o = {0};
    struct rig_cmd_result r;
    struct rig_err err = RIG_ERR_INIT;
    json_t *c;

    if (rig_compose_deploy(&o, &f->ctx, &r, &err) != 0)
        fail_msg("deploy: %s", err.msg);
    assert_true(r.ok);
    assert_string_equal(r.name, "docker compose up");
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(r.attempts, 1);
    assert_false(r.timed_out);
    assert_null(r.error);
    assert_non_null(strstr(r.output, " Container repo-web-1  Healthy\n"));
    assert_non_null(strstr(rig_buf_str(&f->lines), "compose version: Docker Compose version"));
    assert_non_null(strstr(rig_buf_str(&f->lines), "compose up:  Container repo-web-1  Started\n"));

    c = calls(f);
    assert_int_equal(json_array_size(c), 3);
    expect_argv(json_array_get(c, 0), "docker", "compose", "version", NULL);
    expect_argv(json_array_get(c, 1), "docker", "compose", "config", "--quiet", NULL);
    expect_argv(json_array_get(c, 2), "docker", "compose", "up", "-d", "--wait", "--pull",
                "missing", NULL);
    for (size_t i = 0; i < 3; i++) {
        expect_cwd(json_array_get(c, i), f->ws);
        expect_env(f, json_array_get(c, i), NULL);
    }
    json_decref(c);
    rig_cmd_result_release(&r);
}

static void test_all_options(void **state)
{
    struct fx *f = *state;
    const char *svcs[] = {"web", "worker.v2"};
    struct rig_compose_opts o = {0};
    struct rig_cmd_result r;
    struct rig_err err = RIG_ERR_INIT;
    char *file, *envf;
    json_t *c;

    mkdir_p(f, "deploy");
    ws_write(f, "deploy/compose.prod.yml",
             "services:\n  web:\n    image: shop:${RIG_COMMIT_SHA}\n");
    ws_write(f, "deploy/prod.env", "TAG=1\n");
    f->env[3] = "COMPOSE_PROFILES=canary";
    f->env[4] = "COMPOSE_ANSI=auto"; /* the operator's choice wins over our default */
    f->env[5] = "RIG_REPO_NAME=overridden";
    o.file = "deploy/compose.prod.yml";
    o.env_file = "./deploy/../deploy/prod.env";
    o.project_name = "shop-staging_2";
    o.services = svcs;
    o.nservices = 2;
    o.build = true;
    o.pull = RIG_COMPOSE_PULL_NEVER;
    o.timeout_ms = 120000;
    if (rig_compose_deploy(&o, &f->ctx, &r, &err) != 0)
        fail_msg("deploy: %s", err.msg);
    assert_true(r.ok);
    assert_non_null(strstr(r.output, " Container shop-staging_2-worker.v2-1  Healthy"));

    file = wsp(f, "deploy/compose.prod.yml");
    envf = wsp(f, "deploy/prod.env");
    c = calls(f);
    assert_int_equal(json_array_size(c), 3);
    expect_argv(json_array_get(c, 0), "docker", "compose", "version", NULL);
    expect_argv(json_array_get(c, 1), "docker", "compose", "-f", file, "--env-file", envf, "-p",
                "shop-staging_2", "config", "--quiet", NULL);
    expect_argv(json_array_get(c, 2), "docker", "compose", "-f", file, "--env-file", envf, "-p",
                "shop-staging_2", "up", "-d", "--wait", "--build", "--pull", "never", "web",
                "worker.v2", NULL);
    for (size_t i = 0; i < 3; i++) {
        expect_cwd(json_array_get(c, i), f->ws);
        expect_env(f, json_array_get(c, i), "COMPOSE_PROFILES", "canary", "COMPOSE_ANSI", "auto",
                   "RIG_REPO_NAME", "overridden", NULL);
    }
    json_decref(c);
    rig_cmd_result_release(&r);

    /* pull always, no build */
    unlink(f->log);
    f->env[3] = f->env[4] = f->env[5] = NULL;
    o.build = false;
    o.pull = RIG_COMPOSE_PULL_ALWAYS;
    o.nservices = 0;
    o.services = NULL;
    assert_int_equal(rig_compose_deploy(&o, &f->ctx, &r, &err), 0);
    c = calls(f);
    assert_int_equal(json_array_size(c), 3);
    expect_argv(json_array_get(c, 2), "docker", "compose", "-f", file, "--env-file", envf, "-p",
                "shop-staging_2", "up", "-d", "--wait", "--pull", "always", NULL);
    expect_env(f, json_array_get(c, 2), NULL);
    json_decref(c);
    rig_cmd_result_release(&r);
    free(file);
    free(envf);
}

static void test_missing_docker(void **state)
{
    struct fx *f = *state;
    struct rig_compose_opts o = {0};
    struct rig_cmd_result r;
    struct rig_err err = RIG_ERR_INIT;
    char *empty = tu_path(f->root, "empty");
    char *path = xasprintf("PATH=%s", empty);

    mkdir(empty, 0755);
    f->env[0] = path;
    assert_int_equal(rig_compose_deploy(&o, &f->ctx, &r, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_string_equal(err.msg, "docker not found on PATH: install Docker Engine with the "
                                 "compose plugin, or use deploy.method custom");
    assert_false(r.ok);
    assert_string_equal(r.error, err.msg);
    assert_string_equal(r.output, "");
    assert_int_equal(r.attempts, 0);
    rig_cmd_result_release(&r);

    o.docker_bin = "/nonexistent/bin/docker";
    f->env[0] = f->path_env;
    assert_int_equal(rig_compose_deploy(&o, &f->ctx, &r, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_string_equal(err.msg, "docker not found at /nonexistent/bin/docker: install Docker "
                                 "Engine with the compose plugin, or use deploy.method custom");
    rig_cmd_result_release(&r);
    assert_int_equal(access(f->log, F_OK), -1); /* nothing ran */
    free(path);
    free(empty);
}

static void test_missing_compose_plugin(void **state)
{
    struct fx *f = *state;
    struct rig_compose_opts o = {0};
    struct rig_cmd_result r;
    struct rig_err err = RIG_ERR_INIT;
    json_t *c;

    set_mode(f, "no-compose");
    assert_int_equal(rig_compose_deploy(&o, &f->ctx, &r, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_string_equal(err.msg,
                        "the docker compose plugin is not available (`docker compose version`: "
                        "exit status 1: docker: 'compose' is not a docker command.; See 'docker "
                        "--help'): install it (package docker-compose-plugin), or use "
                        "deploy.method custom");
    assert_false(r.ok);
    assert_int_equal(r.exit_code, 1);
    assert_string_equal(r.output, "docker: 'compose' is not a docker command.\nSee 'docker "
                                  "--help'\n");
    c = calls(f);
    assert_int_equal(json_array_size(c), 1);
    expect_argv(json_array_get(c, 0), "docker", "compose", "version", NULL);
    json_decref(c);
    rig_cmd_result_release(&r);
}

static void test_bad_config(void **state)
{
    struct fx *f = *state;
    struct rig_compose_opts o = {0};
    struct rig_cmd_result r;
    struct rig_err err = RIG_ERR_INIT;
    char *file, *want;
    json_t *c;

    mkdir_p(f, "deploy");
    ws_write(f, "deploy/compose.yml", "services:\n  web:\n    image: nginx\n    ports: a: b\n");
    o.file = "deploy/compose.yml";
    set_mode(f, "bad-config");
    assert_int_equal(rig_compose_deploy(&o, &f->ctx, &r, &err), -1);
    assert_int_equal(err.code, RIG_ECONFIG);
    want = xasprintf("compose file deploy/compose.yml in %s is invalid (exit status 1): yaml: "
                     "line 4: mapping values are not allowed in this context",
                     f->ws);
    assert_string_equal(err.msg, want);
    assert_string_equal(r.error, want);
    assert_string_equal(r.output,
                        "yaml: line 4: mapping values are not allowed in this context\n");
    assert_int_equal(r.exit_code, 1);
    file = wsp(f, "deploy/compose.yml");
    c = calls(f);
    assert_int_equal(json_array_size(c), 2); /* no up after a bad config */
    expect_argv(json_array_get(c, 1), "docker", "compose", "-f", file, "config", "--quiet",
                NULL);
    json_decref(c);
    free(file);
    free(want);
    rig_cmd_result_release(&r);
}

static void test_up_failure_keeps_tail(void **state)
{
    struct fx *f = *state;
    struct rig_compose_opts o = {0};
    struct rig_cmd_result r;
    struct rig_err err = RIG_ERR_INIT;
    const char *errline = "Error response from daemon: driver failed programming external "
                          "connectivity on endpoint repo-web-1: Bind for 0.0.0.0:8080 failed: "
                          "port is already allocated";
    size_t ol;
    json_t *c;

    set_mode(f, "fail-up");
    assert_int_equal(rig_compose_deploy(&o, &f->ctx, &r, &err), -1);
    assert_int_equal(err.code, RIG_EGENERIC);
    assert_true(rig_str_startswith(err.msg, "docker compose up failed after "));
    assert_non_null(strstr(err.msg, ": exit status 1: Error response from daemon: driver failed"));
    assert_false(r.ok);
    assert_false(r.timed_out);
    assert_int_equal(r.exit_code, 1);
    assert_string_equal(r.error, err.msg);
    assert_non_null(strstr(r.output, " Container repo-web-1  Starting\n"));
    assert_non_null(strstr(r.output, errline));
    assert_false(r.output_truncated);
    c = calls(f);
    assert_int_equal(json_array_size(c), 3);
    json_decref(c);
    rig_cmd_result_release(&r);

    /* a small tail keeps the end, where the error is */
    f->ctx.tail_max = 64;
    assert_int_equal(rig_compose_deploy(&o, &f->ctx, &r, &err), -1);
    assert_true(r.output_truncated);
    ol = strlen(r.output);
    assert_true(ol <= 64);
    assert_non_null(strstr(r.output, "port is already allocated\n"));
    rig_cmd_result_release(&r);
}

static void test_timeout_kills_up(void **state)
{
    struct fx *f = *state;
    struct rig_compose_opts o = {0};
    struct rig_cmd_result r;
    struct rig_err err = RIG_ERR_INIT;
    json_t *c;
    pid_t pid;

    set_mode(f, "slow");
    o.timeout_ms = 4000; /* generous: version and config must finish well within it */
    assert_int_equal(rig_compose_deploy(&o, &f->ctx, &r, &err), -1);
    assert_int_equal(err.code, RIG_ETIMEOUT);
    assert_string_equal(err.msg, "docker compose up timed out after 4s (the compose deploy "
                                 "timeout); containers may be partly updated");
    assert_true(r.timed_out);
    assert_false(r.ok);
    assert_int_equal(r.exit_code, -1);
    assert_non_null(strstr(r.output, "Starting"));
    c = calls(f);
    assert_int_equal(json_array_size(c), 3);
    pid = (pid_t)json_integer_value(json_object_get(json_array_get(c, 2), "pid"));
    assert_true(pid > 0);
    /* our direct child, reaped: it no longer exists */
    assert_int_equal(kill(pid, 0), -1);
    assert_int_equal(errno, ESRCH);
    json_decref(c);
    rig_cmd_result_release(&r);
}

static void test_cancel(void **state)
{
    struct fx *f = *state;
    struct rig_compose_opts o = {0};
    struct rig_cmd_result r;
    struct rig_err err = RIG_ERR_INIT;
    json_t *c;

    /* cancelled while up runs */
    set_mode(f, "slow");
    f->cancel_on = "Starting";
    assert_int_equal(rig_compose_deploy(&o, &f->ctx, &r, &err), -1);
    assert_int_equal(err.code, RIG_ECANCELLED);
    assert_string_equal(err.msg, "docker compose up was cancelled");
    assert_true(r.cancelled);
    assert_false(r.ok);
    rig_cmd_result_release(&r);

    /* cancelled before: nothing runs */
    unlink(f->log);
    assert_int_equal(rig_compose_deploy(&o, &f->ctx, &r, &err), -1);
    assert_int_equal(err.code, RIG_ECANCELLED);
    assert_true(r.cancelled);
    c = calls(f);
    assert_int_equal(json_array_size(c), 0);
    json_decref(c);
    rig_cmd_result_release(&r);
}

static void refused(struct fx *f, const struct rig_compose_opts *o, int code, const char *want)
{
    struct rig_cmd_result r;
    struct rig_err err = RIG_ERR_INIT;

    assert_int_equal(rig_compose_deploy(o, &f->ctx, &r, &err), -1);
    assert_int_equal(err.code, code);
    if (!strstr(err.msg, want))
        fail_msg("error \"%s\" does not contain \"%s\"", err.msg, want);
    assert_false(r.ok);
    assert_string_equal(r.error, err.msg);
    assert_int_equal(r.attempts, 0);
    rig_cmd_result_release(&r);
    assert_int_equal(access(f->log, F_OK), -1); /* docker never ran */
}

static void test_paths_and_options_refused(void **state)
{
    struct fx *f = *state;
    struct rig_compose_opts o = {0};
    const char *bad_svc[] = {"web", "--rm"};
    char *outside = tu_path(f->root, "ws/outside.yml");
    char *msg;

    tu_write_file(outside, "services: {}\n");
    o.file = "../outside.yml";
    refused(f, &o, RIG_EPOLICY, "compose file: path \"../outside.yml\" leaves the workspace");
    o.file = outside;
    refused(f, &o, RIG_EPOLICY, "compose file: path");
    assert_int_equal(tu_sh(NULL, "ln -s '%s' '%s/link.yml'", outside, f->ws), 0);
    o.file = "link.yml";
    refused(f, &o, RIG_EPOLICY, "compose file: path \"link.yml\"");
    o.file = "compose.yaml";
    o.env_file = "../../../etc/passwd";
    refused(f, &o, RIG_EPOLICY, "compose env_file: path \"../../../etc/passwd\" leaves the "
                               "workspace");
    o.env_file = NULL;
    o.file = "deploy/nope.yml";
    msg = xasprintf("compose file \"deploy/nope.yml\" does not exist in %s", f->ws);
    refused(f, &o, RIG_ECONFIG, msg);
    free(msg);
    o.file = NULL;
    o.project_name = "Shop Staging";
    refused(f, &o, RIG_ECONFIG, "compose project name \"Shop Staging\" is not a valid compose "
                                "project name");
    o.project_name = NULL;
    o.services = bad_svc;
    o.nservices = 2;
    refused(f, &o, RIG_ECONFIG, "compose service \"--rm\" is not a valid service name");
    o.services = NULL;
    o.nservices = 0;
    o.pull = 7;
    refused(f, &o, RIG_ECONFIG, "compose pull policy 7 is not one of missing (0), always (1), "
                                "never (2)");
    free(outside);
}

/* ---- rollback ---- */

#define GIT_COMMIT "git -c user.name=t -c user.email=t@t -c commit.gpgsign=false commit -q"

static void git_repo_two_commits(struct fx *f)
{
    mkdir_p(f, "deploy");
    ws_write(f, "deploy/compose.yml", "services:\n  web:\n    image: shop:v1\n");
    assert_int_equal(tu_sh(NULL, "cd '%s' && git init -q -b main . && git add -A && " GIT_COMMIT
                                 " -m v1",
                           f->ws),
                     0);
    ws_write(f, "deploy/compose.yml", "services:\n  web:\n    image: shop:v2\n");
    assert_int_equal(tu_sh(NULL, "cd '%s' && " GIT_COMMIT " -am v2", f->ws), 0);
}

static void test_rollback_from_previous_revision(void **state)
{
    struct fx *f = *state;
    struct rig_compose_opts o = {0};
    struct rig_cmd_result r;
    struct rig_err err = RIG_ERR_INIT;
    char *prev = tu_path(f->root, "ws/prev");
    char *pfile, *wfile, *s, *out = NULL;
    json_t *c;

    git_repo_two_commits(f);
    o.file = "deploy/compose.yml";
    o.project_name = "shop";
    if (rig_compose_deploy(&o, &f->ctx, &r, &err) != 0)
        fail_msg("deploy: %s", err.msg);
    rig_cmd_result_release(&r);

    if (rig_compose_prepare_previous(f->ws, "HEAD~1", prev, &err) != 0)
        fail_msg("prepare: %s", err.msg);
    pfile = tu_path(prev, "deploy/compose.yml");
    s = tu_read_file(pfile);
    assert_string_equal(s, "services:\n  web:\n    image: shop:v1\n");
    free(s);

    if (rig_compose_rollback(&o, prev, &f->ctx, &r, &err) != 0)
        fail_msg("rollback: %s", err.msg);
    assert_true(r.ok);
    assert_string_equal(r.name, "docker compose rollback");
    assert_non_null(strstr(r.output, " Container shop-web-1  Healthy"));

    wfile = wsp(f, "deploy/compose.yml");
    c = calls(f);
    assert_int_equal(json_array_size(c), 6);
    expect_argv(json_array_get(c, 2), "docker", "compose", "-f", wfile, "-p", "shop", "up", "-d",
                "--wait", "--pull", "missing", NULL);
    expect_argv(json_array_get(c, 3), "docker", "compose", "version", NULL);
    expect_argv(json_array_get(c, 4), "docker", "compose", "-f", pfile, "-p", "shop", "config",
                "--quiet", NULL);
    expect_argv(json_array_get(c, 5), "docker", "compose", "-f", pfile, "-p", "shop", "up", "-d",
                "--wait", "--pull", "missing", "--remove-orphans", NULL);
    for (size_t i = 3; i < 6; i++) {
        expect_cwd(json_array_get(c, i), prev);
        expect_env(f, json_array_get(c, i), NULL);
    }
    json_decref(c);
    rig_cmd_result_release(&r);

    /* a second checkout at the same place is refused by git, clearly */
    assert_int_equal(rig_compose_prepare_previous(f->ws, "HEAD~1", prev, &err), -1);
    assert_non_null(strstr(err.msg, "check out previous revision HEAD~1 at"));
    assert_int_equal(rig_compose_prepare_previous(f->ws, "--orphan", prev, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);

    if (rig_compose_remove_previous(f->ws, prev, &err) != 0)
        fail_msg("remove: %s", err.msg);
    assert_int_equal(access(prev, F_OK), -1);
    assert_int_equal(tu_sh(&out, "git -C '%s' worktree list --porcelain | grep -c '^worktree'",
                           f->ws),
                     0);
    assert_string_equal(out, "1\n");
    free(out);
    assert_int_equal(rig_compose_remove_previous(f->ws, prev, &err), 0); /* already gone */
    free(wfile);
    free(pfile);
    free(prev);
}

/* Without a configured project name the rollback asks compose which project
 * the workspace deploys to, and pins it with -p. */
static void test_rollback_resolves_project(void **state)
{
    struct fx *f = *state;
    struct rig_compose_opts o = {0};
    struct rig_cmd_result r;
    struct rig_err err = RIG_ERR_INIT;
    char *prev = tu_path(f->root, "ws/prev");
    char *pfile, *wfile;
    json_t *c;

    git_repo_two_commits(f);
    assert_int_equal(rig_compose_prepare_previous(f->ws, "HEAD~1", prev, &err), 0);
    o.file = "deploy/compose.yml";
    if (rig_compose_rollback(&o, prev, &f->ctx, &r, &err) != 0)
        fail_msg("rollback: %s", err.msg);
    rig_cmd_result_release(&r);
    pfile = tu_path(prev, "deploy/compose.yml");
    wfile = wsp(f, "deploy/compose.yml");
    c = calls(f);
    assert_int_equal(json_array_size(c), 4);
    expect_argv(json_array_get(c, 1), "docker", "compose", "-f", wfile, "config", "--format",
                "json", NULL);
    expect_cwd(json_array_get(c, 1), f->ws);
    /* compose names the project after the compose file's directory */
    expect_argv(json_array_get(c, 2), "docker", "compose", "-f", pfile, "-p", "deploy", "config",
                "--quiet", NULL);
    expect_argv(json_array_get(c, 3), "docker", "compose", "-f", pfile, "-p", "deploy", "up",
                "-d", "--wait", "--pull", "missing", "--remove-orphans", NULL);
    expect_cwd(json_array_get(c, 3), prev);
    json_decref(c);

    /* a top-level name: in the deployed file is what compose uses */
    unlink(f->log);
    ws_write(f, "deploy/compose.yml", "name: shop-prod\nservices:\n  web:\n    image: shop:v2\n");
    assert_int_equal(rig_compose_rollback(&o, prev, &f->ctx, &r, &err), 0);
    rig_cmd_result_release(&r);
    c = calls(f);
    expect_argv(json_array_get(c, 3), "docker", "compose", "-f", pfile, "-p", "shop-prod", "up",
                "-d", "--wait", "--pull", "missing", "--remove-orphans", NULL);
    json_decref(c);

    /* no workspace to ask: a clear error */
    f->ctx.workspace = NULL;
    assert_int_equal(rig_compose_rollback(&o, prev, &f->ctx, &r, &err), -1);
    assert_int_equal(err.code, RIG_ECONFIG);
    assert_non_null(strstr(err.msg, "cannot tell which compose project to roll back"));
    rig_cmd_result_release(&r);

    assert_int_equal(rig_compose_remove_previous(f->ws, prev, &err), 0);
    free(wfile);
    free(pfile);
    free(prev);
}

int main(void)
{
    const char *dir = getenv("RIG_STANDIN_DIR");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plain_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_docker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_compose_plugin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_up_failure_keeps_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_kills_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths_and_options_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_from_previous_revision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_resolves_project, setup, teardown),
    };
    int rc;

    if (!dir || !*dir) {
        fprintf(stderr, "RIG_STANDIN_DIR is not set: run through ctest\n");
        return 77;
    }
    standin = xasprintf("%s/docker_standin", dir);
    /* ctest's own RIG_* variables would show up in the recorded environment
     * the test compares exactly; the compose ones would change behaviour. */
    for (char **e = environ; *e;) {
        if (strncmp(*e, "RIG_", 4) == 0 || strncmp(*e, "COMPOSE_", 8) == 0) {
            const char *eq = strchr(*e, '=');
            char *name = eq ? xstrndup(*e, (size_t)(eq - *e)) : xstrdup(*e);

            unsetenv(name);
            free(name);
            continue; /* environ shifted down */
        }
        e++;
    }
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(standin);
    return rc;
}
