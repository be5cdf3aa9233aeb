#ifndef RIG_ADAPTERS_AI_AI_H
#define RIG_ADAPTERS_AI_AI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/*
 * AI providers behind one interface.
 *
 * API providers (Anthropic, OpenAI, Ollama native and Ollama's OpenAI-compatible
 * endpoint) are spoken to over HTTP; every operation asks for ONE JSON object
 * with a fixed schema (docs/ai-protocol.md), parses it strictly and, when the
 * answer is not valid (bad JSON, wrong types, truncated at the output limit),
 * sends exactly one repair request before giving up.
 *
 * Agent providers run a program in the workspace: CLAUDE_CODE runs
 * `claude -p --output-format json ...` and COMMAND runs a configured shell
 * command, both with the prompt on stdin. For code/fix an agent edits the files
 * itself: the changeset comes back empty with agent_edited set and the engine
 * collects the edits from git.
 *
 * A struct rig_ai is immutable after rig_ai_new: several threads may run
 * operations on the same one at once (each with its own ctx and usage).
 * rig_http_global_init() must have been called before using an API provider.
 */

enum rig_ai_provider {
    RIG_AI_ANTHROPIC = 1,
    RIG_AI_OPENAI,
    RIG_AI_OLLAMA,        /* native /api/chat */
    RIG_AI_OLLAMA_OPENAI, /* Ollama's OpenAI-compatible /v1/chat/completions */
    RIG_AI_CLAUDE_CODE,   /* `claude -p` agent in the workspace */
    RIG_AI_COMMAND,       /* any command via sh -c, prompt on stdin */
};

/* "anthropic", "openai", "ollama", "ollama-openai", "claude-code", "command";
 * -1 when unknown. rig_ai_provider_name returns "?" for an unknown value. */
int rig_ai_provider_parse(const char *s, enum rig_ai_provider *out);
const char *rig_ai_provider_name(enum rig_ai_provider p);

struct rig_ai_opts {
    enum rig_ai_provider provider;
    /* NULL: anthropic "claude-sonnet-4-5", openai "gpt-4.1"; required for the
     * ollama providers; claude-code passes --model only when set. */
    const char *model;
    /* NULL: $ANTHROPIC_API_KEY / $OPENAI_API_KEY / $OLLAMA_API_KEY. Required for
     * anthropic and openai; optional for ollama (sent as Bearer when set).
     * Registered with rig_secret_add so it never appears in logs. */
    const char *api_key;
    /* Base URL override ("https://host[:port][/prefix]", a trailing "/v1" is
     * accepted). Defaults: https://api.anthropic.com, https://api.openai.com,
     * ollama: $OLLAMA_API_ENDPOINT (a base URL or a full .../api/chat or
     * .../v1/chat/completions URL) else http://localhost:11434. */
    const char *endpoint;
    int max_tokens;         /* output limit per call; 0 = 8192 */
    double temperature;     /* < 0: not sent (provider default) */
    int64_t timeout_ms;     /* per HTTP request / per agent run; 0 = 300000 (agents 1800000) */
    int max_http_retries;   /* extra attempts on network errors, 429, 529, 5xx; 0 = none */
    int64_t retry_base_ms;  /* backoff base; 0 = http client default (500) */
    int64_t retry_max_ms;   /* backoff cap; 0 = http client default (30000) */
    /* COMMAND: the command line, run as /bin/sh -c <command> in the workspace. */
    const char *command;
    /* COMMAND: when true the command edits the workspace itself for code/fix
     * (stdout is only a summary); when false its stdout is the JSON answer. */
    bool command_edits;
    /* CLAUDE_CODE: program to run (NULL = "claude" on PATH). */
    const char *claude_bin;
    int max_turns;                /* CLAUDE_CODE --max-turns; 0 = 30 */
    const char *permission_mode;  /* CLAUDE_CODE for code/fix; NULL = "acceptEdits" */
    /* USD per million tokens; < 0 = from the built-in table by model (see
     * rig_ai_price_lookup), always 0 for the ollama providers. */
    double price_in_per_mtok;
    double price_out_per_mtok;
};

/* Defaults: everything 0/NULL except temperature = -1, max_http_retries = 3
 * and both prices = -1. Always start from this. */
void rig_ai_opts_init(struct rig_ai_opts *o);

/* Price per million tokens for a known model id (longest known prefix, so
 * "claude-sonnet-4-5-20250929" matches "claude-sonnet-4-5"). false when unknown
 * (prices then 0: the USD budget cannot be enforced, a warning is logged). */
bool rig_ai_price_lookup(const char *model, double *in_per_mtok, double *out_per_mtok);

struct rig_ai;

/* Validates the options (provider known, model/key/command present as needed,
 * endpoint well-formed) and copies everything it keeps. NULL on error. */
struct rig_ai *rig_ai_new(const struct rig_ai_opts *opts, struct rig_err *err);
void rig_ai_free(struct rig_ai *ai);

enum rig_ai_provider rig_ai_provider(const struct rig_ai *ai);
const char *rig_ai_model(const struct rig_ai *ai); /* effective model, "" for none */
bool rig_ai_is_agent(const struct rig_ai *ai);     /* code/fix edit the workspace */

/* Accumulated usage. Operations ADD to the caller's accumulator (calls counts
 * every request, including repair requests). */
struct rig_ai_usage {
    long long tokens_in;
    long long tokens_out;
    double cost_usd;
    int calls;
};

/* Checked before every request: accumulated usage plus the request's estimate
 * (prompt bytes / 4 input tokens + max_tokens output tokens, priced with the
 * model's prices) must stay within both limits, else the operation fails with
 * RIG_EBUDGET "budget exceeded: ..." and no request is sent. 0 = no limit. */
struct rig_ai_budget {
    long long max_tokens;
    double max_usd;
};

struct rig_ai_file {
    const char *path;     /* relative to the workspace */
    const char *content;
    bool readonly;        /* infra: the AI must not propose changes to it */
};

struct rig_ai_ctx {
    /* The issue. */
    const char *issue_title;
    const char *issue_body;
    long long issue_number;       /* 0 = none */
    /* Output of rig_ai_plan, for code/fix. */
    const char *plan;
    /* Repository context. */
    const char *repo_tree;        /* one path per line */
    const char *guide;            /* AGENTS.md / README text */
    const struct rig_ai_file *files; /* relevant files with their current content */
    size_t nfiles;
    const char *extra_instructions;  /* ai.context from rig.yaml */
    const char *workspace;        /* agents run here (cwd); required for agent code/fix */
    /* fix: the failing test/build output (tail). */
    const char *failure_log;
    /* fix: what earlier attempts changed, so the AI does not repeat itself. */
    const char *previous_changes;
    int attempt;                  /* fix: 1-based self-heal attempt, 0 = not said */
    /* infra: deploy log tail and the infrastructure files. */
    const char *deploy_log;
    const struct rig_ai_file *infra_files;
    size_t ninfra_files;
    /* explain: the task failure report. */
    const char *report;
    /* NULL = unlimited. */
    const struct rig_ai_budget *budget;
    /* Non-zero aborts the request / agent run (RIG_ECANCELLED). */
    const volatile int *cancel;
};

enum rig_ai_action {
    RIG_AI_WRITE = 1, /* create or replace the whole file with content */
    RIG_AI_DELETE,
    RIG_AI_EDIT,      /* apply edits[] in order: each search must occur exactly once */
};

struct rig_ai_edit {
    char *search;
    char *replace;
};

struct rig_ai_file_change {
    char *path;       /* non-empty, not checked against the workspace here */
    enum rig_ai_action action;
    char *content;    /* WRITE: whole new file; NULL otherwise */
    struct rig_ai_edit *edits; /* EDIT: at least one */
    size_t nedits;
};

struct rig_ai_changeset {
    struct rig_ai_file_change *files;
    size_t nfiles;
    char *summary;      /* never NULL after success */
    char *test_notes;   /* may be NULL */
    /* Agent providers: files is empty, the agent edited the workspace; collect
     * the changes from git. summary holds the agent's final message. */
    bool agent_edited;
};

void rig_ai_changeset_release(struct rig_ai_changeset *cs);

struct rig_ai_proposal {
    char *explanation;  /* never NULL after success */
    struct rig_ai_file_change *files; /* may be empty: explanation only */
    size_t nfiles;
};

void rig_ai_proposal_release(struct rig_ai_proposal *p);

/* All operations: 0 on success, -1 with err set (RIG_EBUDGET, RIG_ECANCELLED,
 * RIG_ETIMEOUT, RIG_EIO for transport/API errors, RIG_EINVAL for an answer that
 * stayed invalid after the repair request, RIG_ECONFIG for unusable options).
 * usage (may be NULL) is added to even on failure, for what was spent. */

/* Needs issue_title (and usually issue_body). plan_text gets the plan followed
 * by a "Files to change:" list; files_to_change (may be NULL) gets the paths the
 * AI intends to touch as a NULL-terminated vector (rig_strv_free). */
int rig_ai_plan(struct rig_ai *ai, const struct rig_ai_ctx *ctx, char **plan_text,
                char ***files_to_change, struct rig_ai_usage *usage, struct rig_err *err);

/* Needs the issue and plan. At least one file change unless agent_edited. */
int rig_ai_code(struct rig_ai *ai, const struct rig_ai_ctx *ctx, struct rig_ai_changeset *out,
                struct rig_ai_usage *usage, struct rig_err *err);

/* Needs failure_log (plus issue/plan/files for context). */
int rig_ai_fix(struct rig_ai *ai, const struct rig_ai_ctx *ctx, struct rig_ai_changeset *out,
               struct rig_ai_usage *usage, struct rig_err *err);

/* Needs deploy_log; infra_files for context. Never edits the workspace, also in
 * agent mode: a proposal is applied only after approval. A change to a
 * readonly infra file is treated as an invalid answer (repaired once). */
int rig_ai_infra(struct rig_ai *ai, const struct rig_ai_ctx *ctx, struct rig_ai_proposal *out,
                 struct rig_ai_usage *usage, struct rig_err *err);

/* Needs report. text: a plain-language explanation with suggested actions. */
int rig_ai_explain(struct rig_ai *ai, const struct rig_ai_ctx *ctx, char **text,
                   struct rig_ai_usage *usage, struct rig_err *err);

/* "write" / "delete" / "edit". */
const char *rig_ai_action_name(enum rig_ai_action a);

#endif
