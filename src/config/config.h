#ifndef RIG_CONFIG_CONFIG_H
#define RIG_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/*
 * rig.yaml, loaded and validated into plain C structs.
 *
 * Every key, its type, default and allowed values live in one table
 * (src/config/schema.c); docs/configuration.md describes the same table and a
 * unit test keeps the two in sync. After a successful load every field holds
 * its effective value: defaults are filled in, ${NAME} references to the
 * environment are substituted, and values marked secret (tokens, API keys,
 * passwords, webhook secrets and URLs) are registered with rig_secret_add so
 * logs redact them.
 *
 * Strings are owned by the config (NULL when a key is absent and has no
 * default). Task variables (${BRANCH_NAME}, ${COMMIT_SHA}, ${ISSUE_ID},
 * ${ISSUE_NUMBER}, ${ISSUE_TITLE}, ${REPO_OWNER}, ${REPO_NAME}, ${WORKSPACE})
 * are left verbatim in string values for the engine to fill in at run time.
 *
 * Durations are milliseconds. A struct rig_config is immutable after loading
 * and may be shared between threads.
 */

/* A list of strings; v is NULL-terminated, or NULL when the key was not given. */
struct rig_strlist {
    char **v;
    size_t n;
};

/* String to string, in file order; names are unique. */
struct rig_strmap_entry {
    char *name;
    char *value;
};
struct rig_strmap {
    struct rig_strmap_entry *v;
    size_t n;
};

/* ---- project / source --------------------------------------------------- */

struct rig_project_config {
    char *name;        /* required */
    char *language;    /* informational, given to the AI */
    char *description; /* informational, given to the AI */
};

enum rig_platform {
    RIG_PLATFORM_LOCAL, /* a local git repository (path) or any git URL; no PRs or issues API */
    RIG_PLATFORM_GITHUB,
};

#define RIG_GITHUB_API_URL "https://api.github.com"

struct rig_source_config {
    enum rig_platform platform;
    /* local: a path (relative to the directory holding rig.yaml) or a git URL;
     * github: "owner/name". */
    char *repo;
    char *base_branch; /* default "main" */
    char *token;       /* secret; github: falls back to $GITHUB_TOKEN at run time (engine) */
    char *api_url;     /* github only; default RIG_GITHUB_API_URL */
    char *git_url;     /* github only; clone/push URL; NULL = derived from api_url */
    char *remote;      /* git remote to push to; default "origin" */
    /* Derived at load time. */
    char *owner;       /* github: "owner"; local: NULL */
    char *name;        /* github: "name"; local: last path component without ".git" */
    char *local_path;  /* local path repos: absolute path; NULL for URLs and github */
};

/* ---- ai ----------------------------------------------------------------- */

enum rig_ai_kind {
    RIG_AI_KIND_ANTHROPIC,
    RIG_AI_KIND_OPENAI,
    RIG_AI_KIND_OLLAMA,
    RIG_AI_KIND_OLLAMA_OPENAI,
    RIG_AI_KIND_CLAUDE_CODE,
    RIG_AI_KIND_COMMAND,
};

struct rig_ai_budget_config {
    long long max_tokens; /* 0 = no limit */
    double max_usd;       /* 0 = no limit */
};

struct rig_ai_config {
    enum rig_ai_kind provider;
    const char *provider_name; /* "anthropic", ... (static; for rig_ai_provider_parse) */
    char *model;           /* required for anthropic, openai, ollama, ollama-openai */
    char *api_key;         /* secret; NULL = the adapter reads $ANTHROPIC_API_KEY etc. */
    char *endpoint;        /* base URL override; NULL = provider default */
    int max_retry;         /* self-heal attempts after a failed test; default 3, 0..10 */
    int max_tokens;        /* output tokens per call; default 8192 */
    double temperature;    /* < 0 = not sent (provider default); else 0..2 */
    int64_t timeout_ms;    /* per call; default 5m (API) or 30m (claude-code, command) */
    long long context_bytes; /* repository context sent per call; default 200000 */
    struct rig_strlist context; /* extra instructions, one per item */
    struct rig_ai_budget_config budget;
    char *command;         /* provider command: shell command line, prompt on stdin */
    bool command_edits;    /* provider command: it edits the workspace itself */
    char *claude_bin;      /* provider claude-code: program; default "claude" */
    int max_turns;         /* provider claude-code: default 30 */
    char *permission_mode; /* provider claude-code: default "acceptEdits" */
};

/* ---- deploy ------------------------------------------------------------- */

enum rig_deploy_method {
    RIG_DEPLOY_NONE,           /* no deploy section: the deploy step is skipped */
    RIG_DEPLOY_CUSTOM,
    RIG_DEPLOY_DOCKER_COMPOSE,
};

enum rig_transport_type { RIG_TRANSPORT_LOCAL, RIG_TRANSPORT_SSH };

struct rig_ssh_config {
    char *host;
    int port;                      /* default 22 */
    char *user;
    char *key;                     /* private key path ("~/" expanded by the adapter) */
    char *password;                /* secret */
    char *known_hosts;             /* default ~/.ssh/known_hosts; a missing file fails */
    bool insecure_ignore_host_key; /* default false */
    bool agent;                    /* use $SSH_AUTH_SOCK; default false */
};

struct rig_transport_config {
    enum rig_transport_type type; /* default local */
    struct rig_ssh_config ssh;
};

struct rig_command_config {
    char *name;        /* required, unique in its list */
    char *run;         /* required; shell command line */
    char *workdir;     /* relative to the task workspace (local) or the login dir (ssh) */
    int64_t timeout_ms; /* default 5m */
    int retry;         /* extra attempts on failure, 0..10, default 0 */
    struct rig_strmap env;
    struct rig_transport_config transport;
};

enum rig_compose_pull { RIG_PULL_MISSING, RIG_PULL_ALWAYS, RIG_PULL_NEVER };

struct rig_deploy_method_config {
    /* custom */
    struct rig_command_config *commands;
    size_t ncommands;
    /* docker-compose */
    char *file;          /* NULL = docker compose's own lookup (compose.yaml, ...) */
    char *env_file;
    char *project_name;
    struct rig_strlist services; /* empty = all */
    bool build;          /* `up --build`; default true */
    enum rig_compose_pull pull; /* default missing */
    int64_t timeout_ms;  /* the whole compose run; default 10m */
};

struct rig_rollback_config {
    bool enabled;                  /* default false */
    enum rig_deploy_method method; /* default: deploy.method */
    struct rig_deploy_method_config config;
};

struct rig_deploy_approval_config {
    int64_t timeout_ms; /* how long a proposal waits for a decision; default 24h */
};

struct rig_deploy_config {
    enum rig_deploy_method method;
    struct rig_deploy_method_config config;
    struct rig_strlist infra_files;    /* globs the AI may read and propose changes to */
    struct rig_strlist infra_readonly; /* globs the AI may read but never change */
    struct rig_deploy_approval_config approval;
    struct rig_rollback_config rollback;
};

/* ---- tests -------------------------------------------------------------- */

enum rig_test_type { RIG_TEST_COMMAND };

struct rig_test_config {
    enum rig_test_type type; /* default command */
    char *name;              /* required, unique */
    char *run;               /* required; shell command line, run in the workspace */
    int64_t timeout_ms;      /* default 10m */
    struct rig_strlist affected_paths; /* empty = always run */
};

/* ---- projects ----------------------------------------------------------- */

struct rig_project_entry {
    char *name;                     /* required, unique */
    struct rig_source_config source; /* platform/repo/base_branch/token/api_url/remote */
    bool has_deploy;                /* deploy given: replaces the top-level deploy */
    struct rig_deploy_config deploy;
    bool has_tests;                 /* test given: replaces the top-level test list */
    struct rig_test_config *tests;
    size_t ntests;
};

/* ---- workflow ----------------------------------------------------------- */

enum rig_trigger_event {
    RIG_EVENT_ISSUES_OPENED,
    RIG_EVENT_ISSUES_LABELED,
    RIG_EVENT_ISSUE_COMMENT_CREATED,
};

struct rig_trigger_config {
    enum rig_trigger_event event;
    struct rig_strlist labels; /* any of these (case-insensitive); required for issues.labeled */
    char *keyword;             /* issue_comment.created only, required there */
};

enum rig_workflow_step {
    RIG_STEP_PLAN = 1 << 0,
    RIG_STEP_CODE = 1 << 1,
    RIG_STEP_DEPLOY = 1 << 2,
    RIG_STEP_TEST = 1 << 3,
    RIG_STEP_REPORT = 1 << 4,
};

struct rig_workflow_config {
    struct rig_trigger_config *triggers;
    size_t ntriggers;
    /* RIG_STEP_* bits. Default: plan, code, report, plus deploy when a deploy
     * method is configured and test when tests are configured. */
    unsigned steps;
    bool before_deploy; /* approval.before_deploy; default false */
};

/* ---- server, notify, policies, git ------------------------------------- */

struct rig_server_config {
    int port;              /* default 8080 */
    char *secret;          /* secret; webhook HMAC key */
    int workers;           /* concurrent tasks; default 2 */
    int per_project_limit; /* concurrent tasks per repository; default 1 */
    char *data_dir;        /* absolute; default rig_config_data_dir() */
};

enum rig_notify_type { RIG_NOTIFY_COMMENT, RIG_NOTIFY_SLACK, RIG_NOTIFY_DISCORD };

enum rig_notify_event {
    RIG_NOTIFY_ON_DEPLOY = 1 << 0,
    RIG_NOTIFY_ON_TEST_FAIL = 1 << 1,
    RIG_NOTIFY_ON_TEST_PASS = 1 << 2,
    RIG_NOTIFY_ON_PR_CREATED = 1 << 3,
    RIG_NOTIFY_ON_PROPOSAL = 1 << 4,
    RIG_NOTIFY_ON_FAILED = 1 << 5,
    RIG_NOTIFY_ON_ALL = (1 << 6) - 1,
};

struct rig_notify_config {
    enum rig_notify_type type;
    char *webhook; /* slack/discord: required http(s) URL; secret */
    unsigned on;   /* RIG_NOTIFY_ON_* bits; default all */
};

enum rig_policy_rule {
    RIG_POLICY_MAX_FILE_CHANGES,
    RIG_POLICY_BLOCKED_PATHS,
    RIG_POLICY_ALLOWED_PATHS,
    RIG_POLICY_REQUIRE_TESTS,
    RIG_POLICY_MAX_RETRIES,
    RIG_POLICY_MAX_LINES_CHANGED,
};

enum rig_policy_action { RIG_POLICY_BLOCK, RIG_POLICY_WARN };

struct rig_policy_config {
    char *name;                 /* required, unique */
    enum rig_policy_rule rule;
    long long limit;            /* max_* rules: the integer value (>= 0) */
    struct rig_strlist paths;   /* blocked_paths / allowed_paths: glob patterns */
    enum rig_policy_action action; /* default block */
};

struct rig_git_config {
    char *author_name;  /* default "Rig" */
    char *author_email; /* default "rig@localhost" */
};

/* ---- the whole file ------------------------------------------------------ */

/* One ${NAME} reference to the environment found in the file (first use). */
struct rig_env_ref {
    char *name;
    bool has_default; /* ${NAME:-default} */
    bool set;         /* NAME was set in the environment when loading */
    int line, col;
};

struct rig_config {
    char *path; /* as given to the loader */
    char *dir;  /* absolute directory of the file (relative paths resolve here) */
    struct rig_project_config project;
    struct rig_source_config source;
    struct rig_project_entry *projects;
    size_t nprojects;
    struct rig_ai_config ai;
    struct rig_deploy_config deploy;
    struct rig_test_config *tests;
    size_t ntests;
    struct rig_workflow_config workflow;
    struct rig_server_config server;
    struct rig_notify_config *notify;
    size_t nnotify;
    struct rig_policy_config *policies;
    size_t npolicies;
    struct rig_git_config git;
    struct rig_env_ref *env_refs;
    size_t nenv_refs;
};

/*
 * Load and validate path. Every problem is appended to errs as
 * "<path>:<line>:<col>: <message>" (sorted by position) and -1 is returned;
 * loading does not stop at the first problem. A file that cannot be read gives
 * one error without a position. Whatever the result, cfg must be released with
 * rig_config_release; after a failure it holds what could be read (at least
 * path and env_refs, for `rig doctor`).
 */
int rig_config_load(const char *path, struct rig_config *cfg, struct rig_errlist *errs);

/* The same on text already in memory; name is used as the path in messages
 * and dir (may be NULL = the current directory) for relative paths. */
int rig_config_load_string(const char *name, const char *dir, const char *text, size_t len,
                           struct rig_config *cfg, struct rig_errlist *errs);

void rig_config_release(struct rig_config *cfg);

/* Where Rig keeps its state: $RIG_HOME, else $XDG_DATA_HOME/rig (when absolute),
 * else $HOME/.local/share/rig. *out is malloc'd. */
int rig_config_data_dir(char **out, struct rig_err *err);

/* Lower-case names for messages and output. */
const char *rig_platform_name(enum rig_platform p);
const char *rig_deploy_method_name(enum rig_deploy_method m);
const char *rig_step_name(enum rig_workflow_step s);

/* The effective deploy/tests for a project entry (its override or the top level). */
const struct rig_deploy_config *rig_config_project_deploy(const struct rig_config *cfg,
                                                          const struct rig_project_entry *p);
const struct rig_test_config *rig_config_project_tests(const struct rig_config *cfg,
                                                       const struct rig_project_entry *p,
                                                       size_t *n);

/* Task variables: kept verbatim at load time, substituted by the engine. */
bool rig_config_is_task_var(const char *name, size_t len);

#endif
