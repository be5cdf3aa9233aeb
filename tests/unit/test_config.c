#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/env.h"
#include "config/schema.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"

#define MINIMAL "project: {name: demo}\nsource: {platform: local, repo: .}\n"

/* Load text that must be valid. */
static void load_ok(const char *text, struct rig_config *cfg)
{
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    char line[2048];

    if (rig_config_load_string("t.yaml", "/srv/app", text, strlen(text), cfg, &errs) < 0) {
        for (size_t i = 0; i < errs.len; i++)
            print_message("%s\n", rig_err_format(&errs.items[i], line, sizeof(line)));
        fail_msg("config did not load");
    }
    assert_int_equal(errs.len, 0);
    rig_errlist_release(&errs);
}

/* Load text that must fail; returns all errors joined by newlines (malloc'd). */
static char *load_errors(const char *text, struct rig_config *cfg)
{
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct rig_buf b = RIG_BUF_INIT;
    char line[2048];

    assert_int_equal(rig_config_load_string("t.yaml", "/srv/app", text, strlen(text), cfg, &errs),
                     -1);
    assert_true(errs.len > 0);
    for (size_t i = 0; i < errs.len; i++)
        rig_buf_addf(&b, "%s%s", i ? "\n" : "", rig_err_format(&errs.items[i], line,
                                                                sizeof(line)));
    rig_errlist_release(&errs);
    return rig_buf_take(&b);
}

static void test_defaults(void **state)
{
    struct rig_config cfg;

    (void)state;
    setenv("RIG_HOME", "/var/lib/rig-test", 1);
    load_ok(MINIMAL "ai: {provider: claude-code}\n", &cfg);
    assert_string_equal(cfg.path, "t.yaml");
    assert_string_equal(cfg.dir, "/srv/app");
    assert_string_equal(cfg.project.name, "demo");
    assert_null(cfg.project.language);
    assert_int_equal(cfg.source.platform, RIG_PLATFORM_LOCAL);
    assert_string_equal(cfg.source.base_branch, "main");
    assert_string_equal(cfg.source.remote, "origin");
    assert_null(cfg.source.api_url);
    assert_string_equal(cfg.source.local_path, "/srv/app");
    assert_string_equal(cfg.source.name, "app");
    assert_int_equal(cfg.ai.provider, RIG_AI_KIND_CLAUDE_CODE);
    assert_string_equal(cfg.ai.provider_name, "claude-code");
    assert_int_equal(cfg.ai.max_retry, 3);
    assert_int_equal(cfg.ai.max_tokens, 8192);
    assert_true(cfg.ai.temperature < 0);
    assert_int_equal(cfg.ai.timeout_ms, 30 * 60 * 1000);
    assert_int_equal(cfg.ai.context_bytes, 200000);
    assert_int_equal(cfg.ai.max_turns, 30);
    assert_string_equal(cfg.ai.permission_mode, "acceptEdits");
    assert_int_equal(cfg.ai.budget.max_tokens, 0);
    assert_int_equal(cfg.deploy.method, RIG_DEPLOY_NONE);
    assert_int_equal(cfg.deploy.approval.timeout_ms, 24LL * 3600 * 1000);
    assert_int_equal(cfg.ntests, 0);
    assert_int_equal(cfg.workflow.ntriggers, 0);
    assert_int_equal(cfg.workflow.steps, RIG_STEP_PLAN | RIG_STEP_CODE | RIG_STEP_REPORT);
    assert_false(cfg.workflow.before_deploy);
    assert_int_equal(cfg.server.port, 8080);
    assert_int_equal(cfg.server.workers, 2);
    assert_int_equal(cfg.server.per_project_limit, 1);
    assert_string_equal(cfg.server.data_dir, "/var/lib/rig-test");
    assert_string_equal(cfg.git.author_name, "Rig");
    assert_string_equal(cfg.git.author_email, "rig@localhost");
    assert_int_equal(cfg.nenv_refs, 0);
    rig_config_release(&cfg);
    rig_config_release(&cfg); /* release leaves an empty config: safe twice */
    unsetenv("RIG_HOME");
}

static void test_list_item_defaults(void **state)
{
    struct rig_config cfg;

    (void)state;
    load_ok(MINIMAL "ai: {provider: anthropic, model: m}\n"
            "deploy:\n  method: custom\n  config:\n    commands:\n"
            "      - {name: a, run: x, transport: {type: ssh, ssh: {host: h, user: u, agent: "
            "true}}}\n"
            "test:\n  - {name: t, run: y}\n"
            "notify:\n  - {type: slack, webhook: 'https://hooks.example.com/x'}\n"
            "policies:\n  - {name: p, rule: max_file_changes, value: 4}\n",
            &cfg);
    assert_int_equal(cfg.ai.timeout_ms, 5 * 60 * 1000);
    assert_int_equal(cfg.deploy.method, RIG_DEPLOY_CUSTOM);
    assert_int_equal(cfg.deploy.config.ncommands, 1);
    assert_int_equal(cfg.deploy.config.commands[0].timeout_ms, 5 * 60 * 1000);
    assert_int_equal(cfg.deploy.config.commands[0].retry, 0);
    assert_int_equal(cfg.deploy.config.commands[0].transport.type, RIG_TRANSPORT_SSH);
    assert_int_equal(cfg.deploy.config.commands[0].transport.ssh.port, 22);
    assert_true(cfg.deploy.config.commands[0].transport.ssh.agent);
    assert_false(cfg.deploy.config.commands[0].transport.ssh.insecure_ignore_host_key);
    assert_true(cfg.deploy.config.build);
    assert_int_equal(cfg.deploy.config.pull, RIG_PULL_MISSING);
    assert_int_equal(cfg.deploy.rollback.method, RIG_DEPLOY_CUSTOM);
    assert_false(cfg.deploy.rollback.enabled);
    assert_int_equal(cfg.tests[0].type, RIG_TEST_COMMAND);
    assert_int_equal(cfg.tests[0].timeout_ms, 10 * 60 * 1000);
    assert_int_equal(cfg.notify[0].on, RIG_NOTIFY_ON_ALL);
    assert_int_equal(cfg.policies[0].action, RIG_POLICY_BLOCK);
    assert_int_equal(cfg.policies[0].limit, 4);
    assert_int_equal(cfg.workflow.steps, RIG_STEP_PLAN | RIG_STEP_CODE | RIG_STEP_DEPLOY |
                                             RIG_STEP_TEST | RIG_STEP_REPORT);
    rig_config_release(&cfg);
}

static void test_full_corpus_file(void **state)
{
    const char *src = tu_env("RIG_SOURCE_DIR");
    char *path = xasprintf("%s/tests/config/good/github-full.yaml", src);
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct rig_config cfg;
    const struct rig_command_config *c;
    const struct rig_test_config *t;
    char *red;
    size_t n;

    (void)state;
    unsetenv("RIG_CORPUS_TOKEN");
    setenv("RIG_CORPUS_SECRET", "whsec-from-env", 1);
    assert_int_equal(rig_config_load(path, &cfg, &errs), 0);
    assert_int_equal(errs.len, 0);
    assert_string_equal(cfg.path, path);
    assert_true(cfg.dir[0] == '/');
    assert_non_null(strstr(cfg.dir, "/tests/config/good"));
    assert_int_equal(cfg.source.platform, RIG_PLATFORM_GITHUB);
    assert_string_equal(cfg.source.owner, "acme");
    assert_string_equal(cfg.source.name, "shop");
    assert_string_equal(cfg.source.token, "ghp_corpus");
    assert_string_equal(cfg.source.api_url, "https://github.example.com/api/v3");
    assert_string_equal(cfg.server.secret, "whsec-from-env");
    assert_string_equal(cfg.server.data_dir, "/var/lib/rig");
    /* secrets are registered for redaction */
    red = rig_redact("token ghp_corpus secret whsec-from-env");
    assert_string_equal(red, "token [REDACTED] secret [REDACTED]");
    free(red);
    /* projects: inherited platform, overrides */
    assert_int_equal(cfg.nprojects, 3);
    assert_int_equal(cfg.projects[1].source.platform, RIG_PLATFORM_LOCAL);
    assert_string_equal(cfg.projects[1].source.name, "infra");
    assert_null(cfg.projects[1].source.local_path);
    assert_int_equal(cfg.projects[2].source.platform, RIG_PLATFORM_GITHUB);
    assert_string_equal(cfg.projects[2].source.base_branch, "main");
    assert_string_equal(cfg.projects[2].source.api_url, "https://api.github.com");
    assert_true(rig_config_project_deploy(&cfg, &cfg.projects[1]) == &cfg.projects[1].deploy);
    assert_true(rig_config_project_deploy(&cfg, &cfg.projects[0]) == &cfg.deploy);
    t = rig_config_project_tests(&cfg, &cfg.projects[0], &n);
    assert_int_equal(n, 1);
    assert_string_equal(t[0].name, "web");
    t = rig_config_project_tests(&cfg, &cfg.projects[2], &n);
    assert_int_equal(n, 2);
    /* ai */
    assert_int_equal(cfg.ai.max_retry, 0);
    assert_true(cfg.ai.temperature > 0.19 && cfg.ai.temperature < 0.21);
    assert_int_equal(cfg.ai.timeout_ms, 120000);
    assert_int_equal(cfg.ai.context.n, 2);
    assert_string_equal(cfg.ai.context.v[1], "Never touch vendor/.");
    assert_null(cfg.ai.context.v[2]);
    assert_true(cfg.ai.budget.max_usd > 5.49 && cfg.ai.budget.max_usd < 5.51);
    /* deploy commands: task variables verbatim, $${ escape, env values typed as text */
    c = cfg.deploy.config.commands;
    assert_int_equal(cfg.deploy.config.ncommands, 3);
    assert_string_equal(c[0].run, "make build BRANCH=${BRANCH_NAME}");
    assert_int_equal(c[0].env.n, 3);
    assert_string_equal(c[0].env.v[1].name, "CGO_ENABLED");
    assert_string_equal(c[0].env.v[1].value, "0");
    assert_string_equal(c[0].env.v[2].value, "true");
    assert_string_equal(c[1].transport.ssh.user, "deploy");
    assert_int_equal(c[1].transport.ssh.port, 2222);
    assert_string_equal(c[2].run, "echo ${HOME} is the shell's");
    /* the merge key copied build's settings into the rollback command */
    assert_true(cfg.deploy.rollback.enabled);
    assert_int_equal(cfg.deploy.rollback.method, RIG_DEPLOY_CUSTOM);
    c = cfg.deploy.rollback.config.commands;
    assert_string_equal(c[0].name, "rollback");
    assert_string_equal(c[0].run, "make rollback");
    assert_int_equal(c[0].retry, 2);
    assert_int_equal(c[0].timeout_ms, 120000);
    assert_int_equal(cfg.deploy.approval.timeout_ms, 12LL * 3600 * 1000);
    /* workflow, notify, policies */
    assert_int_equal(cfg.workflow.ntriggers, 3);
    assert_int_equal(cfg.workflow.triggers[2].event, RIG_EVENT_ISSUE_COMMENT_CREATED);
    assert_string_equal(cfg.workflow.triggers[2].keyword, "/rig run");
    assert_true(cfg.workflow.before_deploy);
    assert_int_equal(cfg.notify[1].on, RIG_NOTIFY_ON_DEPLOY | RIG_NOTIFY_ON_TEST_FAIL |
                                           RIG_NOTIFY_ON_PR_CREATED | RIG_NOTIFY_ON_PROPOSAL |
                                           RIG_NOTIFY_ON_FAILED);
    assert_int_equal(cfg.policies[1].limit, 500);
    assert_int_equal(cfg.policies[1].action, RIG_POLICY_WARN);
    assert_int_equal(cfg.policies[2].paths.n, 3);
    assert_string_equal(cfg.policies[2].paths.v[0], "*.env");
    assert_string_equal(cfg.policies[2].paths.v[2], ".env*");
    assert_int_equal(cfg.policies[3].paths.n, 2);
    assert_int_equal(cfg.policies[4].rule, RIG_POLICY_REQUIRE_TESTS);
    /* env references, first use each */
    assert_int_equal(cfg.nenv_refs, 3);
    assert_string_equal(cfg.env_refs[0].name, "RIG_CORPUS_TOKEN");
    assert_true(cfg.env_refs[0].has_default);
    assert_false(cfg.env_refs[0].set);
    assert_int_equal(cfg.env_refs[0].line, 11);
    assert_string_equal(cfg.env_refs[2].name, "RIG_CORPUS_SECRET");
    assert_true(cfg.env_refs[2].set);
    rig_config_release(&cfg);
    rig_errlist_release(&errs);
    rig_secret_clear();
    unsetenv("RIG_CORPUS_SECRET");
    free(path);
}

static void test_subst(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char *out = NULL;

    (void)state;
    setenv("RIG_T_A", "alpha", 1);
    setenv("RIG_T_EMPTY", "", 1);
    unsetenv("RIG_T_UNSET");
    assert_int_equal(rig_config_subst("x${RIG_T_A}y", &out, NULL, NULL, &err), 0);
    assert_string_equal(out, "xalphay");
    free(out);
    assert_int_equal(rig_config_subst("[${RIG_T_EMPTY}]", &out, NULL, NULL, &err), 0);
    assert_string_equal(out, "[]");
    free(out);
    assert_int_equal(rig_config_subst("${RIG_T_EMPTY:-d} ${RIG_T_UNSET:-e f}", &out, NULL, NULL,
                                      &err), 0);
    assert_string_equal(out, "d e f");
    free(out);
    assert_int_equal(rig_config_subst("$${RIG_T_A} $$ $x $ ${ISSUE_NUMBER}", &out, NULL, NULL,
                                      &err), 0);
    assert_string_equal(out, "${RIG_T_A} $$ $x $ ${ISSUE_NUMBER}");
    free(out);
    assert_int_equal(rig_config_subst("${WORKSPACE}/${REPO_OWNER}", &out, NULL, NULL, &err), 0);
    assert_string_equal(out, "${WORKSPACE}/${REPO_OWNER}");
    free(out);
    assert_int_equal(rig_config_subst("a ${RIG_T_UNSET} b", &out, NULL, NULL, &err), -1);
    assert_null(out);
    assert_string_equal(err.msg, "environment variable RIG_T_UNSET is not set (export "
                        "RIG_T_UNSET=..., or write ${RIG_T_UNSET:-default})");
    assert_int_equal(rig_config_subst("${A B}", &out, NULL, NULL, &err), -1);
    assert_int_equal(rig_config_subst("${}", &out, NULL, NULL, &err), -1);
    assert_int_equal(rig_config_subst("${A", &out, NULL, NULL, &err), -1);
    assert_int_equal(rig_config_subst("${A:-${B}}", &out, NULL, NULL, &err), -1);
    assert_int_equal(rig_config_subst("${COMMIT_SHA:-x}", &out, NULL, NULL, &err), -1);
    unsetenv("RIG_T_A");
    unsetenv("RIG_T_EMPTY");
}

static void test_errors_collected_and_sorted(void **state)
{
    struct rig_config cfg;
    char *msgs;

    (void)state;
    msgs = load_errors("zzz: 1\n"
                       "project:\n  name: 5\n"
                       "source: {platform: github, repo: nope}\n"
                       "ai: {provider: openai}\n"
                       "server: {port: 99999}\n",
                       &cfg);
    assert_string_equal(msgs,
                        "t.yaml:1:1: unknown key 'zzz' (valid keys: project, source, projects, "
                        "ai, deploy, test, workflow, server, notify, policies, git)\n"
                        "t.yaml:3:9: project.name: expected a string, got the integer 5 (quote "
                        "it if you mean text)\n"
                        "t.yaml:4:34: source.repo: expected owner/name for platform github "
                        "(e.g. octocat/hello-world), got 'nope'\n"
                        "t.yaml:5:1: ai: missing required key 'model' for provider openai (e.g. "
                        "model: gpt-4.1)\n"
                        "t.yaml:6:16: server.port: must be between 1 and 65535, got 99999");
    /* a failed load still tells what it read */
    assert_string_equal(cfg.path, "t.yaml");
    assert_string_equal(cfg.source.repo, "nope");
    rig_config_release(&cfg);
    free(msgs);
}

static void test_failed_load_keeps_env_refs(void **state)
{
    struct rig_config cfg;
    char *msgs;

    (void)state;
    unsetenv("RIG_T_NEEDED");
    msgs = load_errors(MINIMAL "ai:\n  provider: anthropic\n  model: m\n"
                       "  api_key: ${RIG_T_NEEDED}\n", &cfg);
    assert_string_equal(msgs, "t.yaml:6:12: ai.api_key: environment variable RIG_T_NEEDED is "
                        "not set (export RIG_T_NEEDED=..., or write ${RIG_T_NEEDED:-default})");
    assert_int_equal(cfg.nenv_refs, 1);
    assert_string_equal(cfg.env_refs[0].name, "RIG_T_NEEDED");
    assert_false(cfg.env_refs[0].set);
    assert_false(cfg.env_refs[0].has_default);
    assert_int_equal(cfg.env_refs[0].line, 6);
    assert_int_equal(cfg.env_refs[0].col, 12);
    rig_config_release(&cfg);
    free(msgs);
}

static void test_env_typed_values(void **state)
{
    struct rig_config cfg;

    (void)state;
    setenv("RIG_T_PORT", "9000", 1);
    setenv("RIG_T_FLAG", "true", 1);
    setenv("RIG_T_PROVIDER", "ollama", 1);
    load_ok(MINIMAL "ai: {provider: '${RIG_T_PROVIDER}', model: m, timeout: '${RIG_T_TO:-90s}',"
            " temperature: '${RIG_T_TEMP:-0.5}'}\n"
            "server: {port: '${RIG_T_PORT}'}\n"
            "deploy: {method: docker-compose, config: {build: '${RIG_T_FLAG}'}}\n", &cfg);
    assert_int_equal(cfg.ai.provider, RIG_AI_KIND_OLLAMA);
    assert_int_equal(cfg.ai.timeout_ms, 90000);
    assert_true(cfg.ai.temperature > 0.49 && cfg.ai.temperature < 0.51);
    assert_int_equal(cfg.server.port, 9000);
    assert_true(cfg.deploy.config.build);
    rig_config_release(&cfg);
    unsetenv("RIG_T_PORT");
    unsetenv("RIG_T_FLAG");
    unsetenv("RIG_T_PROVIDER");
}

static void test_local_repo_forms(void **state)
{
    struct rig_config cfg;

    (void)state;
    setenv("HOME", "/home/tester", 1);
    load_ok("project: {name: x}\nsource: {platform: local, repo: ~/code/app.git}\n"
            "ai: {provider: claude-code}\nserver: {data_dir: state}\n", &cfg);
    assert_string_equal(cfg.source.local_path, "/home/tester/code/app.git");
    assert_string_equal(cfg.source.name, "app");
    assert_string_equal(cfg.server.data_dir, "/srv/app/state");
    rig_config_release(&cfg);
    load_ok("project: {name: x}\nsource: {platform: local, repo: 'git@host:team/svc.git'}\n"
            "ai: {provider: claude-code}\n", &cfg);
    assert_null(cfg.source.local_path);
    assert_string_equal(cfg.source.name, "svc");
    rig_config_release(&cfg);
    load_ok("project: {name: x}\nsource: {platform: local, repo: 'file:///srv/r/'}\n"
            "ai: {provider: claude-code}\n", &cfg);
    assert_null(cfg.source.local_path);
    assert_string_equal(cfg.source.name, "r");
    rig_config_release(&cfg);
}

static void test_load_file_relative_paths(void **state)
{
    char *dir = tu_mkdtemp("cfg");
    char *sub = tu_path(dir, "conf");
    char *file = tu_path(sub, "rig.yaml");
    char *real = NULL, *want = NULL;
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct rig_config cfg;

    (void)state;
    tu_sh(NULL, "mkdir -p '%s/repo'", sub);
    tu_write_file(file, "project: {name: x}\nsource: {platform: local, repo: repo}\n"
                        "ai: {provider: claude-code}\n");
    assert_int_equal(rig_config_load(file, &cfg, &errs), 0);
    real = realpath(sub, NULL);
    want = xasprintf("%s/repo", real);
    assert_string_equal(cfg.dir, real);
    assert_string_equal(cfg.source.local_path, want);
    assert_string_equal(cfg.source.name, "repo");
    rig_config_release(&cfg);
    /* a file that cannot be read: one error without a position */
    assert_int_equal(rig_config_load(sub, &cfg, &errs), -1);
    assert_int_equal(errs.len, 1);
    assert_int_equal(errs.items[0].line, 0);
    assert_non_null(strstr(errs.items[0].msg, "is a directory"));
    assert_string_equal(cfg.path, sub);
    rig_config_release(&cfg);
    rig_errlist_release(&errs);
    tu_rmtree(dir);
    free(real);
    free(want);
    free(file);
    free(sub);
    free(dir);
}

static void test_data_dir(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char *home = xstrdup(getenv("HOME"));
    char *dir = NULL;

    (void)state;
    setenv("RIG_HOME", "/opt/rig", 1);
    assert_int_equal(rig_config_data_dir(&dir, &err), 0);
    assert_string_equal(dir, "/opt/rig");
    free(dir);
    unsetenv("RIG_HOME");
    setenv("XDG_DATA_HOME", "/xdg", 1);
    assert_int_equal(rig_config_data_dir(&dir, &err), 0);
    assert_string_equal(dir, "/xdg/rig");
    free(dir);
    setenv("XDG_DATA_HOME", "relative/ignored", 1);
    setenv("HOME", "/home/u", 1);
    assert_int_equal(rig_config_data_dir(&dir, &err), 0);
    assert_string_equal(dir, "/home/u/.local/share/rig");
    free(dir);
    unsetenv("XDG_DATA_HOME");
    unsetenv("HOME");
    assert_int_equal(rig_config_data_dir(&dir, &err), -1);
    assert_null(dir);
    assert_non_null(strstr(err.msg, "RIG_HOME"));
    setenv("HOME", home, 1);
    free(home);
}

static void test_top_level_extension_keys(void **state)
{
    struct rig_config cfg;

    (void)state;
    load_ok("x-common: &c {timeout: 2m}\n" MINIMAL "ai: {provider: claude-code}\n"
            "test:\n  - {<<: *c, name: t, run: make}\n", &cfg);
    assert_int_equal(cfg.tests[0].timeout_ms, 120000);
    rig_config_release(&cfg);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(rig_platform_name(RIG_PLATFORM_GITHUB), "github");
    assert_string_equal(rig_deploy_method_name(RIG_DEPLOY_DOCKER_COMPOSE), "docker-compose");
    assert_string_equal(rig_deploy_method_name(RIG_DEPLOY_NONE), "none");
    assert_string_equal(rig_step_name(RIG_STEP_TEST), "test");
    assert_true(rig_config_is_task_var("WORKSPACE", 9));
    assert_false(rig_config_is_task_var("HOME", 4));
}

static void check_default(void *ctx, const char *path, const struct cfg_key *key)
{
    (void)ctx;
    /* every default in the table must be a valid value of its key */
    if (key->def && (key->type == CT_ENUM || key->type == CT_ENUMSTR || key->type == CT_FLAGS))
        if (!cfg_find_enum(key->enums, key->def))
            fail_msg("%s: default '%s' is not an allowed value", path, key->def);
    if ((key->type == CT_OBJ || key->type == CT_LIST) && !key->sub)
        fail_msg("%s: no sub-section", path);
}

/* Keys whose rows would repeat another section's (documented as "same keys as"). */
static bool documented_elsewhere(const char *path)
{
    return strncmp(path, "projects[].deploy.", 18) == 0 ||
           strncmp(path, "projects[].test[].", 18) == 0 ||
           strncmp(path, "deploy.rollback.config.", 23) == 0;
}

/* Every key has a row "| `path` | type | default | ..." and, when the table
 * has a default, the row shows it as `default`. */
static void check_documented(void *ctx, const char *path, const struct cfg_key *key)
{
    const char *doc = ctx;
    char *needle = xasprintf("| `%s` |", path);
    const char *row = strstr(doc, needle);
    char *line, *def;

    if (documented_elsewhere(path))
        goto out;
    if (!row)
        fail_msg("docs/configuration.md has no row for `%s`", path);
    line = xstrndup(row, strcspn(row, "\n"));
    def = xasprintf("`%s`", key->def ? key->def : "");
    /* temperature's -1 means "unset" and is documented as such */
    if (key->def && strcmp(key->def, "-1") != 0 && !strstr(line, def))
        fail_msg("docs/configuration.md: the row of `%s` does not show its default %s", path,
                 def);
    free(def);
    free(line);
out:
    free(needle);
}

static void test_schema_table_and_docs(void **state)
{
    char *path = xasprintf("%s/docs/configuration.md", tu_env("RIG_SOURCE_DIR"));
    char *doc = tu_read_file(path);

    (void)state;
    cfg_schema_walk(&cfg_root_section, check_default, NULL);
    cfg_schema_walk(&cfg_root_section, check_documented, doc);
    free(doc);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_list_item_defaults),
        cmocka_unit_test(test_full_corpus_file),
        cmocka_unit_test(test_subst),
        cmocka_unit_test(test_errors_collected_and_sorted),
        cmocka_unit_test(test_failed_load_keeps_env_refs),
        cmocka_unit_test(test_env_typed_values),
        cmocka_unit_test(test_local_repo_forms),
        cmocka_unit_test(test_load_file_relative_paths),
        cmocka_unit_test(test_data_dir),
        cmocka_unit_test(test_top_level_extension_keys),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_schema_table_and_docs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
