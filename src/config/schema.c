/*
 * The rig.yaml schema. Every key Rig reads is a row here; docs/configuration.md
 * documents the same rows (tests/unit/test_config.c checks that every key
 * appears there).
 */
#include "config/schema.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "core/buf.h"
#include "core/banned.h"

#define END {NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}

#define K(name, type, flags, st, field, def, doc) \
    {name, type, flags, offsetof(st, field), def, 0, 0, NULL, NULL, 0, 0, 0, doc}
#define KR(name, type, flags, st, field, def, min, max, doc) \
    {name, type, flags, offsetof(st, field), def, min, max, NULL, NULL, 0, 0, 0, doc}
#define KE(name, type, flags, st, field, def, enums, doc) \
    {name, type, flags, offsetof(st, field), def, 0, 0, enums, NULL, 0, 0, 0, doc}
#define KO(name, flags, st, field, sub, doc) \
    {name, CT_OBJ, flags, offsetof(st, field), NULL, 0, 0, NULL, &sub, 0, 0, 0, doc}
#define KOS(name, flags, st, field, set, sub, doc)                                         \
    {name, CT_OBJ, (flags) | CF_HAS_SET, offsetof(st, field), NULL, 0, 0, NULL, &sub, 0, 0, \
     offsetof(st, set), doc}
#define KL(name, flags, st, items, n, elem, sub, doc) \
    {name, CT_LIST, flags, offsetof(st, items), NULL, 0, 0, NULL, &sub, offsetof(st, n), \
     sizeof(elem), 0, doc}
#define KLS(name, flags, st, items, n, set, elem, sub, doc)                                   \
    {name, CT_LIST, (flags) | CF_HAS_SET, offsetof(st, items), NULL, 0, 0, NULL, &sub,         \
     offsetof(st, n), sizeof(elem), offsetof(st, set), doc}

#define REQ CF_REQUIRED
#define SECRET CF_SECRET

/* ---- enums --------------------------------------------------------------- */

const struct cfg_enum cfg_platform_enum[] = {
    {"local", RIG_PLATFORM_LOCAL, NULL},
    {"github", RIG_PLATFORM_GITHUB, NULL},
    {"gitlab", -1, "is not supported by this version of Rig; use platform local with the "
                   "repository's git URL (no issue or merge request integration)"},
    {"bitbucket", -1, "is not supported by this version of Rig; use platform local with the "
                      "repository's git URL (no issue or pull request integration)"},
    {"gitea", -1, "is not supported by this version of Rig; use platform local with the "
                  "repository's git URL (no issue or pull request integration)"},
    {NULL, 0, NULL},
};

const struct cfg_enum cfg_provider_enum[] = {
    {"anthropic", RIG_AI_KIND_ANTHROPIC, NULL},
    {"openai", RIG_AI_KIND_OPENAI, NULL},
    {"ollama", RIG_AI_KIND_OLLAMA, NULL},
    {"ollama-openai", RIG_AI_KIND_OLLAMA_OPENAI, NULL},
    {"claude-code", RIG_AI_KIND_CLAUDE_CODE, NULL},
    {"command", RIG_AI_KIND_COMMAND, NULL},
    {NULL, 0, NULL},
};

#define UNSUPPORTED_DEPLOY(tool) \
    "is not supported by this version of Rig; use method custom and run " tool " from a command"

const struct cfg_enum cfg_method_enum[] = {
    {"custom", RIG_DEPLOY_CUSTOM, NULL},
    {"docker-compose", RIG_DEPLOY_DOCKER_COMPOSE, NULL},
    {"terraform", -1, UNSUPPORTED_DEPLOY("terraform")},
    {"ansible", -1, UNSUPPORTED_DEPLOY("ansible")},
    {"k8s", -1, UNSUPPORTED_DEPLOY("kubectl")},
    {NULL, 0, NULL},
};

static const struct cfg_enum transport_enum[] = {
    {"local", RIG_TRANSPORT_LOCAL, NULL},
    {"ssh", RIG_TRANSPORT_SSH, NULL},
    {NULL, 0, NULL},
};

static const struct cfg_enum pull_enum[] = {
    {"missing", RIG_PULL_MISSING, NULL},
    {"always", RIG_PULL_ALWAYS, NULL},
    {"never", RIG_PULL_NEVER, NULL},
    {NULL, 0, NULL},
};

static const struct cfg_enum test_type_enum[] = {
    {"command", RIG_TEST_COMMAND, NULL},
    {"ai-verify", -1, "is not supported by this version of Rig; use a command test"},
    {NULL, 0, NULL},
};

static const struct cfg_enum event_enum[] = {
    {"issues.opened", RIG_EVENT_ISSUES_OPENED, NULL},
    {"issues.labeled", RIG_EVENT_ISSUES_LABELED, NULL},
    {"issue_comment.created", RIG_EVENT_ISSUE_COMMENT_CREATED, NULL},
    {"issue.opened", -1, "never matches: GitHub sends 'issues.opened' (plural)"},
    {"issue.labeled", -1, "never matches: GitHub sends 'issues.labeled' (plural)"},
    {NULL, 0, NULL},
};

const struct cfg_enum cfg_step_enum[] = {
    {"plan", RIG_STEP_PLAN, NULL},
    {"code", RIG_STEP_CODE, NULL},
    {"deploy", RIG_STEP_DEPLOY, NULL},
    {"test", RIG_STEP_TEST, NULL},
    {"report", RIG_STEP_REPORT, NULL},
    {NULL, 0, NULL},
};

static const struct cfg_enum notify_type_enum[] = {
    {"comment", RIG_NOTIFY_COMMENT, NULL},
    {"slack", RIG_NOTIFY_SLACK, NULL},
    {"discord", RIG_NOTIFY_DISCORD, NULL},
    {NULL, 0, NULL},
};

static const struct cfg_enum notify_on_enum[] = {
    {"deploy", RIG_NOTIFY_ON_DEPLOY, NULL},
    {"test_fail", RIG_NOTIFY_ON_TEST_FAIL, NULL},
    {"test_pass", RIG_NOTIFY_ON_TEST_PASS, NULL},
    {"pr_created", RIG_NOTIFY_ON_PR_CREATED, NULL},
    {"proposal", RIG_NOTIFY_ON_PROPOSAL, NULL},
    {"failed", RIG_NOTIFY_ON_FAILED, NULL},
    {"all", RIG_NOTIFY_ON_ALL, NULL},
    {NULL, 0, NULL},
};

const struct cfg_enum cfg_rule_enum[] = {
    {"max_file_changes", RIG_POLICY_MAX_FILE_CHANGES, NULL},
    {"blocked_paths", RIG_POLICY_BLOCKED_PATHS, NULL},
    {"allowed_paths", RIG_POLICY_ALLOWED_PATHS, NULL},
    {"require_tests", RIG_POLICY_REQUIRE_TESTS, NULL},
    {"max_retries", RIG_POLICY_MAX_RETRIES, NULL},
    {"max_lines_changed", RIG_POLICY_MAX_LINES_CHANGED, NULL},
    {NULL, 0, NULL},
};

static const struct cfg_enum action_enum[] = {
    {"block", RIG_POLICY_BLOCK, NULL},
    {"warn", RIG_POLICY_WARN, NULL},
    {NULL, 0, NULL},
};

static const struct cfg_enum permission_enum[] = {
    {"default", 0, NULL},
    {"acceptEdits", 1, NULL},
    {"bypassPermissions", 2, NULL},
    {"plan", 3, NULL},
    {NULL, 0, NULL},
};

/* ---- project / source ---------------------------------------------------- */

static const struct cfg_key project_keys[] = {
    K("name", CT_STR, REQ, struct rig_project_config, name, NULL, "project name, shown in "
      "reports and given to the AI"),
    K("language", CT_STR, 0, struct rig_project_config, language, NULL,
      "main language, given to the AI"),
    K("description", CT_STR, 0, struct rig_project_config, description, NULL,
      "what the project is, given to the AI"),
    END,
};
static const struct cfg_section project_section = {"project", project_keys, NULL};

#define SOURCE_KEYS(st, f, pflags)                                                            \
    KE("platform", CT_ENUM, pflags, st, f platform, NULL, cfg_platform_enum,                   \
       "where the repository and its issues live: local or github"),                           \
    K("repo", CT_STR, REQ, st, f repo, NULL,                                                   \
      "github: owner/name; local: a path (relative to rig.yaml) or a git URL"),                \
    K("base_branch", CT_STR, 0, st, f base_branch, "main",                                     \
      "branch that task branches start from and pull requests target"),                        \
    K("token", CT_STR, SECRET, st, f token, NULL,                                              \
      "GitHub token (secret); default $GITHUB_TOKEN at run time"),                             \
    K("api_url", CT_STR, 0, st, f api_url, NULL,                                               \
      "GitHub API base URL (GitHub Enterprise); default https://api.github.com"),              \
    K("git_url", CT_STR, 0, st, f git_url, NULL,                                               \
      "github: URL to clone and push; default derived from api_url"),                          \
    K("remote", CT_STR, 0, st, f remote, "origin", "git remote that task branches are pushed to")

static const struct cfg_key source_keys[] = {
    SOURCE_KEYS(struct rig_source_config, , REQ),
    END,
};
static const struct cfg_section source_section = {"source", source_keys, NULL};

/* ---- ai -------------------------------------------------------------------- */

static const struct cfg_key budget_keys[] = {
    KR("max_tokens", CT_I64, 0, struct rig_ai_budget_config, max_tokens, "0", 0, 1e15,
       "input + output tokens one task may use; 0 = no limit"),
    KR("max_usd", CT_NUM, 0, struct rig_ai_budget_config, max_usd, "0", 0, 1e9,
       "US dollars one task may spend; 0 = no limit"),
    END,
};
static const struct cfg_section budget_section = {"ai.budget", budget_keys, NULL};

static const struct cfg_key ai_keys[] = {
    KE("provider", CT_ENUM, REQ, struct rig_ai_config, provider, NULL, cfg_provider_enum,
       "anthropic, openai, ollama, ollama-openai, claude-code or command"),
    K("model", CT_STR, 0, struct rig_ai_config, model, NULL,
      "model id; required for anthropic, openai, ollama and ollama-openai"),
    K("api_key", CT_STR, SECRET, struct rig_ai_config, api_key, NULL,
      "API key (secret); default $ANTHROPIC_API_KEY, $OPENAI_API_KEY or $OLLAMA_API_KEY"),
    K("endpoint", CT_STR, 0, struct rig_ai_config, endpoint, NULL,
      "base URL of the provider's API (proxies, self-hosted Ollama)"),
    KR("max_retry", CT_INT, 0, struct rig_ai_config, max_retry, "3", 0, 10,
       "self-heal attempts after a failed deploy or test; 0 = no retry"),
    KR("max_tokens", CT_INT, 0, struct rig_ai_config, max_tokens, "8192", 1, 1000000,
       "output tokens per AI call"),
    KR("temperature", CT_NUM, 0, struct rig_ai_config, temperature, "-1", 0, 2,
       "sampling temperature 0..2; unset = the provider's default"),
    K("timeout", CT_DUR, 0, struct rig_ai_config, timeout_ms, NULL,
      "per AI call; default 5m for API providers, 30m for claude-code and command"),
    KR("context_bytes", CT_I64, 0, struct rig_ai_config, context_bytes, "200000", 1000, 1e8,
       "repository text sent with each call"),
    K("context", CT_STRLIST, 0, struct rig_ai_config, context, NULL,
      "extra instructions for the AI, one per item"),
    KO("budget", 0, struct rig_ai_config, budget, budget_section, "spending limits per task"),
    K("command", CT_STR, 0, struct rig_ai_config, command, NULL,
      "provider command: shell command run in the workspace with the prompt on stdin"),
    K("command_edits", CT_BOOL, 0, struct rig_ai_config, command_edits, "false",
      "provider command: the command edits files itself (else stdout is the JSON answer)"),
    K("claude_bin", CT_STR, 0, struct rig_ai_config, claude_bin, NULL,
      "provider claude-code: the program to run; default claude on PATH"),
    KR("max_turns", CT_INT, 0, struct rig_ai_config, max_turns, "30", 1, 1000,
       "provider claude-code: --max-turns"),
    KE("permission_mode", CT_ENUMSTR, 0, struct rig_ai_config, permission_mode, "acceptEdits",
       permission_enum, "provider claude-code: --permission-mode for code and fix"),
    END,
};
static const struct cfg_section ai_section = {"ai", ai_keys, NULL};

/* ---- deploy ---------------------------------------------------------------- */

static const struct cfg_retired transport_retired[] = {
    {"host", "belongs under transport.ssh (ssh: {host: ..., user: ..., key: ...})"},
    {"user", "belongs under transport.ssh (ssh: {host: ..., user: ..., key: ...})"},
    {"port", "belongs under transport.ssh (ssh: {host: ..., port: 22})"},
    {"key", "belongs under transport.ssh (ssh: {host: ..., user: ..., key: ...})"},
    {"key_path", "is not a key; the key file is transport.ssh.key (ssh: {key: "
                 "~/.ssh/id_ed25519})"},
    {"password", "belongs under transport.ssh (ssh: {password: ...})"},
    {NULL, NULL},
};

static const struct cfg_key ssh_keys[] = {
    K("host", CT_STR, 0, struct rig_ssh_config, host, NULL, "host name or address"),
    KR("port", CT_INT, 0, struct rig_ssh_config, port, "22", 1, 65535, "SSH port"),
    K("user", CT_STR, 0, struct rig_ssh_config, user, NULL, "login user"),
    K("key", CT_STR, 0, struct rig_ssh_config, key, NULL, "private key file (~ is expanded)"),
    K("password", CT_STR, SECRET, struct rig_ssh_config, password, NULL,
      "password (secret); prefer key or agent"),
    K("known_hosts", CT_STR, 0, struct rig_ssh_config, known_hosts, NULL,
      "known_hosts file; default ~/.ssh/known_hosts (it must exist and list the host)"),
    K("insecure_ignore_host_key", CT_BOOL, 0, struct rig_ssh_config, insecure_ignore_host_key,
      "false", "skip host key verification (unsafe; test setups only)"),
    K("agent", CT_BOOL, 0, struct rig_ssh_config, agent, "false",
      "authenticate with the keys of ssh-agent ($SSH_AUTH_SOCK)"),
    END,
};
static const struct cfg_section ssh_section = {"transport.ssh", ssh_keys, NULL};

static const struct cfg_key transport_keys[] = {
    KE("type", CT_ENUM, 0, struct rig_transport_config, type, "local", transport_enum,
       "local (on the Rig host, in the workspace) or ssh"),
    KO("ssh", 0, struct rig_transport_config, ssh, ssh_section, "SSH connection (type ssh)"),
    END,
};
static const struct cfg_section transport_section = {"transport", transport_keys,
                                                     transport_retired};

static const struct cfg_key command_keys[] = {
    K("name", CT_STR, REQ, struct rig_command_config, name, NULL, "unique name, shown in logs"),
    K("run", CT_STR, REQ, struct rig_command_config, run, NULL,
      "shell command line; task variables like ${BRANCH_NAME} are filled in"),
    K("workdir", CT_STR, 0, struct rig_command_config, workdir, NULL,
      "directory to run in: relative to the workspace (local) or the login directory (ssh)"),
    K("timeout", CT_DUR, 0, struct rig_command_config, timeout_ms, "5m", "per attempt"),
    KR("retry", CT_INT, 0, struct rig_command_config, retry, "0", 0, 10,
       "extra attempts when the command fails"),
    K("env", CT_MAP, 0, struct rig_command_config, env, NULL, "extra environment variables"),
    KO("transport", 0, struct rig_command_config, transport, transport_section,
       "where the command runs"),
    END,
};
static const struct cfg_section command_section = {"commands[]", command_keys, NULL};

#define RETIRED_METHOD(key, m) \
    {key, "belongs to deploy method " m ", which this version of Rig does not support"}

static const struct cfg_retired method_config_retired[] = {
    RETIRED_METHOD("dir", "terraform"),       RETIRED_METHOD("workspace", "terraform"),
    RETIRED_METHOD("vars", "terraform"),      RETIRED_METHOD("playbook", "ansible"),
    RETIRED_METHOD("inventory", "ansible"),   RETIRED_METHOD("extra_vars", "ansible"),
    RETIRED_METHOD("manifest", "k8s"),        RETIRED_METHOD("namespace", "k8s"),
    RETIRED_METHOD("context", "k8s"),         {NULL, NULL},
};

static const struct cfg_key method_config_keys[] = {
    KL("commands", 0, struct rig_deploy_method_config, commands, ncommands,
       struct rig_command_config, command_section, "custom: the commands, run in order"),
    K("file", CT_STR, 0, struct rig_deploy_method_config, file, NULL,
      "docker-compose: compose file; default: docker compose's own lookup"),
    K("env_file", CT_STR, 0, struct rig_deploy_method_config, env_file, NULL,
      "docker-compose: --env-file"),
    K("project_name", CT_STR, 0, struct rig_deploy_method_config, project_name, NULL,
      "docker-compose: --project-name"),
    K("services", CT_STRLIST, 0, struct rig_deploy_method_config, services, NULL,
      "docker-compose: services to start; empty = all"),
    K("build", CT_BOOL, 0, struct rig_deploy_method_config, build, "true",
      "docker-compose: build images before starting (up --build)"),
    KE("pull", CT_ENUM, 0, struct rig_deploy_method_config, pull, "missing", pull_enum,
       "docker-compose: --pull missing, always or never"),
    K("timeout", CT_DUR, 0, struct rig_deploy_method_config, timeout_ms, "10m",
      "docker-compose: the whole compose run"),
    END,
};
static const struct cfg_section method_config_section = {"deploy.config", method_config_keys,
                                                         method_config_retired};

static const struct cfg_key approval_keys[] = {
    K("timeout", CT_DUR, 0, struct rig_deploy_approval_config, timeout_ms, "24h",
      "how long an AI proposal waits for approve/reject before the task fails"),
    END,
};
static const struct cfg_retired approval_retired[] = {
    {"mode", "is not supported; proposals always need a person's approval"},
    {NULL, NULL},
};
static const struct cfg_section approval_section = {"deploy.approval", approval_keys,
                                                    approval_retired};

static const struct cfg_key rollback_keys[] = {
    K("enabled", CT_BOOL, 0, struct rig_rollback_config, enabled, "false",
      "roll back when a task fails after deploying"),
    KE("method", CT_ENUM, 0, struct rig_rollback_config, method, NULL, cfg_method_enum,
       "custom or docker-compose; default: deploy.method"),
    KO("config", 0, struct rig_rollback_config, config, method_config_section,
       "same keys as deploy.config"),
    END,
};
static const struct cfg_section rollback_section = {"deploy.rollback", rollback_keys, NULL};

static const struct cfg_retired deploy_retired[] = {
    {"timeout", "is not supported; set 'timeout' on each command (or deploy.config.timeout "
                "for docker-compose)"},
    {NULL, NULL},
};

static const struct cfg_key deploy_keys[] = {
    KE("method", CT_ENUM, REQ, struct rig_deploy_config, method, NULL, cfg_method_enum,
       "custom or docker-compose"),
    KO("config", 0, struct rig_deploy_config, config, method_config_section,
       "method settings"),
    K("infra_files", CT_STRLIST, 0, struct rig_deploy_config, infra_files, NULL,
      "globs of infrastructure files the AI reads after a failed deploy and may propose "
      "changes to"),
    K("infra_readonly", CT_STRLIST, 0, struct rig_deploy_config, infra_readonly, NULL,
      "globs of files the AI may read but never change"),
    KO("approval", 0, struct rig_deploy_config, approval, approval_section,
       "proposal approval"),
    KO("rollback", 0, struct rig_deploy_config, rollback, rollback_section,
       "what to run when a task fails after deploying"),
    END,
};
static const struct cfg_section deploy_section = {"deploy", deploy_keys, deploy_retired};

/* ---- test -------------------------------------------------------------------- */

#define RETIRED_TEST(key) {key, "belongs to test type ai-verify, which this version of Rig " \
                                "does not support"}

static const struct cfg_retired test_retired[] = {
    RETIRED_TEST("prompt"), RETIRED_TEST("url"), RETIRED_TEST("tools"), {NULL, NULL},
};

static const struct cfg_key test_keys[] = {
    KE("type", CT_ENUM, 0, struct rig_test_config, type, "command", test_type_enum,
       "command (the only type)"),
    K("name", CT_STR, REQ, struct rig_test_config, name, NULL, "unique name, shown in reports"),
    K("run", CT_STR, REQ, struct rig_test_config, run, NULL,
      "shell command line, run in the workspace; exit status 0 = pass"),
    K("timeout", CT_DUR, 0, struct rig_test_config, timeout_ms, "10m", "for the whole run"),
    K("affected_paths", CT_STRLIST, 0, struct rig_test_config, affected_paths, NULL,
      "run only when the change touches one of these paths or globs; empty = always"),
    END,
};
static const struct cfg_section test_section = {"test[]", test_keys, test_retired};

/* ---- projects -------------------------------------------------------------------- */

static const struct cfg_key projects_keys[] = {
    K("name", CT_STR, REQ, struct rig_project_entry, name, NULL, "unique project name"),
    SOURCE_KEYS(struct rig_project_entry, source., 0),
    KOS("deploy", 0, struct rig_project_entry, deploy, has_deploy, deploy_section,
        "replaces the top-level deploy for this project"),
    KLS("test", 0, struct rig_project_entry, tests, ntests, has_tests, struct rig_test_config,
        test_section, "replaces the top-level test list for this project"),
    END,
};
static const struct cfg_section projects_section = {"projects[]", projects_keys, NULL};

/* ---- workflow -------------------------------------------------------------------- */

static const struct cfg_key trigger_keys[] = {
    KE("event", CT_ENUM, REQ, struct rig_trigger_config, event, NULL, event_enum,
       "issues.opened, issues.labeled or issue_comment.created"),
    K("labels", CT_STRLIST, 0, struct rig_trigger_config, labels, NULL,
      "the issue must carry one of these labels (case-insensitive)"),
    K("keyword", CT_STR, 0, struct rig_trigger_config, keyword, NULL,
      "issue_comment.created: the comment must contain this text"),
    END,
};
static const struct cfg_section trigger_section = {"workflow.trigger[]", trigger_keys, NULL};

static const struct cfg_key wf_approval_keys[] = {
    K("before_deploy", CT_BOOL, 0, struct rig_workflow_config, before_deploy, "false",
      "wait for a person's approval before each deploy"),
    END,
};
static const struct cfg_retired wf_approval_retired[] = {
    {"method", "is not supported; approvals are given with rig approve or the dashboard"},
    {"approvers", "is not supported; anyone who can reach rig approve or the dashboard "
                  "can approve"},
    {"timeout", "is not supported here; deploy.approval.timeout sets how long approvals wait"},
    {NULL, NULL},
};
static const struct cfg_section wf_approval_section = {"workflow.approval", wf_approval_keys,
                                                       wf_approval_retired};

static const struct cfg_key workflow_keys[] = {
    KL("trigger", 0, struct rig_workflow_config, triggers, ntriggers, struct rig_trigger_config,
       trigger_section, "GitHub events that start a task"),
    KE("steps", CT_FLAGS, 0, struct rig_workflow_config, steps, NULL, cfg_step_enum,
       "which of plan, code, deploy, test, report run"),
    /* approval.before_deploy is stored flat in the workflow struct */
    {"approval", CT_OBJ, 0, 0, NULL, 0, 0, NULL, &wf_approval_section, 0, 0, 0,
     "approval gates"},
    END,
};
static const struct cfg_section workflow_section = {"workflow", workflow_keys, NULL};

/* ---- server, notify, policies, git ------------------------------------------------ */

static const struct cfg_key server_keys[] = {
    KR("port", CT_INT, 0, struct rig_server_config, port, "8080", 1, 65535,
       "webhook and dashboard port"),
    K("secret", CT_STR, SECRET, struct rig_server_config, secret, NULL,
      "GitHub webhook secret (secret); required when workflow.trigger is set"),
    KR("workers", CT_INT, 0, struct rig_server_config, workers, "2", 1, 64,
       "tasks that run at the same time"),
    KR("per_project_limit", CT_INT, 0, struct rig_server_config, per_project_limit, "1", 1, 64,
       "tasks that run at the same time on one repository"),
    K("data_dir", CT_STR, 0, struct rig_server_config, data_dir, NULL,
      "state directory; default $RIG_HOME, $XDG_DATA_HOME/rig or ~/.local/share/rig"),
    END,
};
static const struct cfg_section server_section = {"server", server_keys, NULL};

static const struct cfg_key notify_keys[] = {
    KE("type", CT_ENUM, REQ, struct rig_notify_config, type, NULL, notify_type_enum,
       "comment (on the GitHub issue), slack or discord"),
    K("webhook", CT_STR, SECRET, struct rig_notify_config, webhook, NULL,
      "slack/discord: incoming webhook URL (secret)"),
    KE("on", CT_FLAGS, 0, struct rig_notify_config, on, "all", notify_on_enum,
       "events: deploy, test_fail, test_pass, pr_created, proposal, failed, all"),
    END,
};
static const struct cfg_section notify_section = {"notify[]", notify_keys, NULL};

static const struct cfg_key policy_keys[] = {
    K("name", CT_STR, REQ, struct rig_policy_config, name, NULL, "unique name, shown when it "
      "fires"),
    KE("rule", CT_ENUM, REQ, struct rig_policy_config, rule, NULL, cfg_rule_enum,
       "max_file_changes, blocked_paths, allowed_paths, require_tests, max_retries or "
       "max_lines_changed"),
    {"value", CT_RAW, 0, 0, NULL, 0, 0, NULL, NULL, 0, 0, 0,
     "integer for max_* rules, globs for *_paths rules, none for require_tests"},
    KE("action", CT_ENUM, 0, struct rig_policy_config, action, "block", action_enum,
       "block (fail the task) or warn (log and continue)"),
    END,
};
static const struct cfg_section policy_section = {"policies[]", policy_keys, NULL};

static const struct cfg_key git_keys[] = {
    K("author_name", CT_STR, 0, struct rig_git_config, author_name, "Rig",
      "author of the commits Rig makes"),
    K("author_email", CT_STR, 0, struct rig_git_config, author_email, "rig@localhost",
      "author e-mail of the commits Rig makes"),
    END,
};
static const struct cfg_section git_section = {"git", git_keys, NULL};

/* ---- root ---------------------------------------------------------------------------- */

static const struct cfg_key root_keys[] = {
    KO("project", REQ, struct rig_config, project, project_section, "what is being built"),
    KO("source", REQ, struct rig_config, source, source_section, "the repository"),
    KL("projects", 0, struct rig_config, projects, nprojects, struct rig_project_entry,
       projects_section, "more repositories served by the same Rig"),
    KO("ai", REQ, struct rig_config, ai, ai_section, "the AI provider"),
    KO("deploy", 0, struct rig_config, deploy, deploy_section, "how a change is deployed"),
    KL("test", 0, struct rig_config, tests, ntests, struct rig_test_config, test_section,
       "how a change is tested"),
    KO("workflow", 0, struct rig_config, workflow, workflow_section, "triggers and steps"),
    KO("server", 0, struct rig_config, server, server_section, "rig serve settings"),
    KL("notify", 0, struct rig_config, notify, nnotify, struct rig_notify_config,
       notify_section, "where progress is reported"),
    KL("policies", 0, struct rig_config, policies, npolicies, struct rig_policy_config,
       policy_section, "limits on what the AI may change"),
    KO("git", 0, struct rig_config, git, git_section, "commit identity"),
    END,
};
const struct cfg_section cfg_root_section = {"", root_keys, NULL};

/* ---- lookups ------------------------------------------------------------------------- */

const struct cfg_key *cfg_find_key(const struct cfg_section *sec, const char *name)
{
    for (const struct cfg_key *k = sec->keys; k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

const struct cfg_enum *cfg_find_enum(const struct cfg_enum *e, const char *name)
{
    for (; e->name; e++)
        if (strcmp(e->name, name) == 0)
            return e;
    return NULL;
}

const char *cfg_enum_name(const struct cfg_enum *e, int value)
{
    for (; e->name; e++)
        if (!e->rejected && e->value == value)
            return e->name;
    return "?";
}

static void walk_rec(const struct cfg_section *sec, struct rig_buf *path,
                     void (*fn)(void *ctx, const char *path, const struct cfg_key *key),
                     void *ctx)
{
    for (const struct cfg_key *k = sec->keys; k->name; k++) {
        size_t len = path->len;

        if (len)
            rig_buf_addch(path, '.');
        rig_buf_adds(path, k->name);
        if (k->type == CT_LIST)
            rig_buf_adds(path, "[]");
        fn(ctx, rig_buf_str(path), k);
        if (k->sub)
            walk_rec(k->sub, path, fn, ctx);
        path->len = len;
        path->data[len] = '\0';
    }
}

void cfg_schema_walk(const struct cfg_section *sec,
                     void (*fn)(void *ctx, const char *path, const struct cfg_key *key),
                     void *ctx)
{
    struct rig_buf path = RIG_BUF_INIT;

    rig_buf_adds(&path, "");
    walk_rec(sec, &path, fn, ctx);
    rig_buf_release(&path);
}
