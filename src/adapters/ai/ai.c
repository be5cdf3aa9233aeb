/*
 * Provider set-up and the operation driver: prompt -> request -> strict parse
 * -> at most one repair request, with budget checks and usage accounting.
 */
#include "adapters/ai/ai.h"

#include <stdlib.h>
#include <string.h>

#include "adapters/ai/ai_int.h"
#include "adapters/ai/ai_parse.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"

#include "core/banned.h"

#define DEFAULT_MAX_TOKENS 8192
#define DEFAULT_TIMEOUT_MS 300000
#define DEFAULT_AGENT_TIMEOUT_MS 1800000
#define DEFAULT_MAX_TURNS 30

static const struct {
    const char *name;
    enum rig_ai_provider p;
} PROVIDERS[] = {
    {"anthropic", RIG_AI_ANTHROPIC},     {"openai", RIG_AI_OPENAI},
    {"ollama", RIG_AI_OLLAMA},           {"ollama-openai", RIG_AI_OLLAMA_OPENAI},
    {"claude-code", RIG_AI_CLAUDE_CODE}, {"command", RIG_AI_COMMAND},
};

/*
 * List prices in USD per million tokens (input, output) as published by
 * Anthropic and OpenAI in 2025; matched by longest prefix so dated ids
 * ("claude-sonnet-4-5-20250929") and aliases resolve. Override with
 * ai.price_in_per_mtok / ai.price_out_per_mtok when they change.
 */
static const struct {
    const char *prefix;
    double in, out;
} PRICES[] = {
    {"claude-opus-4-5", 5.0, 25.0},    {"claude-opus-4-1", 15.0, 75.0},
    {"claude-opus-4", 15.0, 75.0},     {"claude-sonnet-4-5", 3.0, 15.0},
    {"claude-sonnet-4", 3.0, 15.0},    {"claude-3-7-sonnet", 3.0, 15.0},
    {"claude-3-5-sonnet", 3.0, 15.0},  {"claude-haiku-4-5", 1.0, 5.0},
    {"claude-3-5-haiku", 0.8, 4.0},    {"claude-3-haiku", 0.25, 1.25},
    {"opus", 5.0, 25.0},               {"sonnet", 3.0, 15.0},
    {"haiku", 1.0, 5.0},               {"gpt-5-nano", 0.05, 0.4},
    {"gpt-5-mini", 0.25, 2.0},         {"gpt-5", 1.25, 10.0},
    {"gpt-4.1-nano", 0.1, 0.4},        {"gpt-4.1-mini", 0.4, 1.6},
    {"gpt-4.1", 2.0, 8.0},             {"gpt-4o-mini", 0.15, 0.6},
    {"gpt-4o", 2.5, 10.0},             {"o4-mini", 1.1, 4.4},
    {"o3-mini", 1.1, 4.4},             {"o3", 2.0, 8.0},
};

int rig_ai_provider_parse(const char *s, enum rig_ai_provider *out)
{
    for (size_t i = 0; s && i < sizeof(PROVIDERS) / sizeof(PROVIDERS[0]); i++) {
        if (strcmp(s, PROVIDERS[i].name) == 0) {
            *out = PROVIDERS[i].p;
            return 0;
        }
    }
    return -1;
}

const char *rig_ai_provider_name(enum rig_ai_provider p)
{
    for (size_t i = 0; i < sizeof(PROVIDERS) / sizeof(PROVIDERS[0]); i++) {
        if (PROVIDERS[i].p == p)
            return PROVIDERS[i].name;
    }
    return "?";
}

void rig_ai_opts_init(struct rig_ai_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->temperature = -1;
    o->max_http_retries = 3;
    o->price_in_per_mtok = -1;
    o->price_out_per_mtok = -1;
}

bool rig_ai_price_lookup(const char *model, double *in_per_mtok, double *out_per_mtok)
{
    size_t best = 0;
    bool found = false;

    *in_per_mtok = 0;
    *out_per_mtok = 0;
    for (size_t i = 0; model && i < sizeof(PRICES) / sizeof(PRICES[0]); i++) {
        size_t n = strlen(PRICES[i].prefix);
        char next;

        if (strncmp(model, PRICES[i].prefix, n) != 0 || n <= best)
            continue;
        next = model[n];
        if (next != '\0' && next != '-' && next != ':' && next != '@')
            continue;
        best = n;
        found = true;
        *in_per_mtok = PRICES[i].in;
        *out_per_mtok = PRICES[i].out;
    }
    return found;
}

static bool is_ollama(enum rig_ai_provider p)
{
    return p == RIG_AI_OLLAMA || p == RIG_AI_OLLAMA_OPENAI;
}

static bool is_api(enum rig_ai_provider p)
{
    return p == RIG_AI_ANTHROPIC || p == RIG_AI_OPENAI || is_ollama(p);
}

/* Accept a base URL or a full endpoint URL and return the request URL. */
static char *build_url(enum rig_ai_provider p, const char *base, struct rig_err *err)
{
    static const char *const suffixes[] = {"/v1/messages", "/v1/chat/completions",
                                           "/chat/completions", "/api/chat", "/messages"};
    char *b = xstrdup(base);
    char *url = NULL;
    size_t n;
    bool v1;

    rig_str_trim(b);
    if (!rig_str_startswith(b, "http://") && !rig_str_startswith(b, "https://")) {
        rig_err_set(err, RIG_ECONFIG, "ai.endpoint \"%s\" must start with http:// or https://",
                    b);
        goto out;
    }
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        if (rig_str_endswith(b, suffixes[i])) {
            b[strlen(b) - strlen(suffixes[i])] = '\0';
            break;
        }
    }
    while ((n = strlen(b)) > 0 && b[n - 1] == '/')
        b[n - 1] = '\0';
    if (strlen(b) <= strlen("https://")) {
        rig_err_set(err, RIG_ECONFIG, "ai.endpoint \"%s\" has no host", base);
        goto out;
    }
    v1 = rig_str_endswith(b, "/v1");
    switch (p) {
    case RIG_AI_ANTHROPIC:
        url = xasprintf("%s%s", b, v1 ? "/messages" : "/v1/messages");
        break;
    case RIG_AI_OLLAMA:
        url = xasprintf("%s%s", b, rig_str_endswith(b, "/api") ? "/chat" : "/api/chat");
        break;
    default:
        url = xasprintf("%s%s", b, v1 ? "/chat/completions" : "/v1/chat/completions");
        break;
    }
out:
    free(b);
    return url;
}

static const char *env_nonempty(const char *name)
{
    const char *v = getenv(name);

    return v && *v ? v : NULL;
}

static int setup_api(struct rig_ai *ai, const struct rig_ai_opts *o, struct rig_err *err)
{
    const char *key = o->api_key && *o->api_key ? o->api_key : NULL;
    const char *endpoint = o->endpoint && *o->endpoint ? o->endpoint : NULL;
    const char *keyenv = ai->provider == RIG_AI_ANTHROPIC ? "ANTHROPIC_API_KEY"
                         : ai->provider == RIG_AI_OPENAI  ? "OPENAI_API_KEY"
                                                          : "OLLAMA_API_KEY";

    if (!key)
        key = env_nonempty(keyenv);
    if (!key && !is_ollama(ai->provider))
        return rig_err_set(err, RIG_ECONFIG,
                           "ai: provider %s needs an API key: set ai.api_key in rig.yaml or the "
                           "%s environment variable", rig_ai_provider_name(ai->provider), keyenv);
    if (!endpoint) {
        if (ai->provider == RIG_AI_ANTHROPIC)
            endpoint = "https://api.anthropic.com";
        else if (ai->provider == RIG_AI_OPENAI)
            endpoint = "https://api.openai.com";
        else if (!(endpoint = env_nonempty("OLLAMA_API_ENDPOINT")))
            endpoint = "http://localhost:11434";
    }
    if (!(ai->url = build_url(ai->provider, endpoint, err)))
        return -1;
    if (key) {
        ai->api_key = xstrdup(key);
        rig_secret_add(ai->api_key);
    }
    return 0;
}

static int setup_prices(struct rig_ai *ai, const struct rig_ai_opts *o)
{
    double in = 0, out = 0;

    if (is_ollama(ai->provider) || ai->provider == RIG_AI_COMMAND) {
        ai->price_in = o->price_in_per_mtok > 0 ? o->price_in_per_mtok : 0;
        ai->price_out = o->price_out_per_mtok > 0 ? o->price_out_per_mtok : 0;
        return 0;
    }
    if ((o->price_in_per_mtok < 0 || o->price_out_per_mtok < 0) &&
        !rig_ai_price_lookup(ai->model[0] ? ai->model : "sonnet", &in, &out))
        log_warn("ai: no price known for model \"%s\": costs count as $0 and ai budget "
                 "max_usd cannot be enforced (set ai.price_in_per_mtok/price_out_per_mtok)",
                 ai->model);
    ai->price_in = o->price_in_per_mtok >= 0 ? o->price_in_per_mtok : in;
    ai->price_out = o->price_out_per_mtok >= 0 ? o->price_out_per_mtok : out;
    return 0;
}

struct rig_ai *rig_ai_new(const struct rig_ai_opts *o, struct rig_err *err)
{
    struct rig_ai *ai = xcalloc(1, sizeof(*ai));
    const char *model = o->model && *o->model ? o->model : NULL;

    ai->provider = o->provider;
    if (!strcmp(rig_ai_provider_name(o->provider), "?")) {
        rig_err_set(err, RIG_ECONFIG, "ai: unknown provider %d (use anthropic, openai, ollama, "
                    "ollama-openai, claude-code or command)", (int)o->provider);
        goto fail;
    }
    if (!model && o->provider == RIG_AI_ANTHROPIC)
        model = "claude-sonnet-4-5";
    else if (!model && o->provider == RIG_AI_OPENAI)
        model = "gpt-4.1";
    if (!model && is_ollama(o->provider)) {
        rig_err_set(err, RIG_ECONFIG, "ai: provider %s needs ai.model (for example \"llama3.2\"; "
                    "`ollama list` shows the pulled models)", rig_ai_provider_name(o->provider));
        goto fail;
    }
    ai->model = xstrdup(model ? model : "");
    if (o->max_tokens < 0 || o->max_turns < 0 || o->timeout_ms < 0) {
        rig_err_set(err, RIG_ECONFIG, "ai: max_tokens, max_turns and timeout must not be "
                    "negative");
        goto fail;
    }
    ai->max_tokens = o->max_tokens ? o->max_tokens : DEFAULT_MAX_TOKENS;
    ai->temperature = o->temperature;
    ai->timeout_ms = o->timeout_ms ? o->timeout_ms : is_api(o->provider) ? DEFAULT_TIMEOUT_MS
                                                                         : DEFAULT_AGENT_TIMEOUT_MS;
    ai->max_retries = o->max_http_retries > 0 ? o->max_http_retries : 0;
    ai->retry_base_ms = o->retry_base_ms;
    ai->retry_max_ms = o->retry_max_ms;
    ai->max_turns = o->max_turns ? o->max_turns : DEFAULT_MAX_TURNS;
    ai->permission_mode = xstrdup(o->permission_mode && *o->permission_mode ? o->permission_mode
                                                                             : "acceptEdits");
    ai->claude_bin = xstrdup(o->claude_bin && *o->claude_bin ? o->claude_bin : "claude");
    ai->command_edits = o->command_edits;
    if (o->provider == RIG_AI_COMMAND) {
        if (!o->command || !*o->command) {
            rig_err_set(err, RIG_ECONFIG, "ai: provider command needs ai.command (a command "
                        "line that reads the prompt on stdin)");
            goto fail;
        }
        ai->command = xstrdup(o->command);
    }
    if (is_api(o->provider) && setup_api(ai, o, err) < 0)
        goto fail;
    setup_prices(ai, o);
    return ai;
fail:
    rig_ai_free(ai);
    return NULL;
}

void rig_ai_free(struct rig_ai *ai)
{
    if (!ai)
        return;
    free(ai->model);
    free(ai->api_key);
    free(ai->url);
    free(ai->command);
    free(ai->claude_bin);
    free(ai->permission_mode);
    free(ai);
}

enum rig_ai_provider rig_ai_provider(const struct rig_ai *ai)
{
    return ai->provider;
}

const char *rig_ai_model(const struct rig_ai *ai)
{
    return ai->model;
}

bool rig_ai_is_agent(const struct rig_ai *ai)
{
    return ai->provider == RIG_AI_CLAUDE_CODE || (ai->provider == RIG_AI_COMMAND &&
                                                  ai->command_edits);
}

void ai_answer_release(struct ai_answer *a)
{
    free(a->text);
    memset(a, 0, sizeof(*a));
}

static double cost_of(const struct rig_ai *ai, long long in, long long out)
{
    return ((double)in * ai->price_in + (double)out * ai->price_out) / 1e6;
}

static int budget_check(const struct rig_ai *ai, const struct rig_ai_ctx *ctx,
                        const struct rig_ai_usage *acc, size_t prompt_bytes, struct rig_err *err)
{
    const struct rig_ai_budget *b = ctx->budget;
    long long est_in = (long long)(prompt_bytes / 4) + 1;
    long long est_out = ai->max_tokens;
    long long used = acc->tokens_in + acc->tokens_out;

    if (!b)
        return 0;
    if (b->max_tokens > 0 && used + est_in + est_out > b->max_tokens)
        return rig_err_set(err, RIG_EBUDGET,
                           "budget exceeded: %lld tokens used so far and the next request may "
                           "need %lld more (about %lld prompt + up to %lld answer), over the "
                           "limit of %lld tokens; raise ai.budget.max_tokens or narrow the task",
                           used, est_in + est_out, est_in, est_out, b->max_tokens);
    if (b->max_usd > 0 && acc->cost_usd + cost_of(ai, est_in, est_out) > b->max_usd)
        return rig_err_set(err, RIG_EBUDGET,
                           "budget exceeded: $%.4f spent so far and the next request may cost "
                           "up to $%.4f, over the limit of $%.2f; raise ai.budget.max_usd or "
                           "narrow the task", acc->cost_usd, cost_of(ai, est_in, est_out),
                           b->max_usd);
    return 0;
}

/* Agents take one prompt: the conversation is written out in sections. */
static char *flatten(const char *system, const struct ai_msg *msgs, size_t n)
{
    struct rig_buf b = RIG_BUF_INIT;

    rig_buf_adds(&b, system);
    rig_buf_adds(&b, "\n");
    rig_buf_adds(&b, msgs[0].content);
    if (n >= 3) {
        rig_buf_adds(&b, "\n## Your previous answer\n\n");
        rig_buf_adds(&b, msgs[1].content);
        rig_buf_adds(&b, "\n\n## What was wrong with it\n\n");
        rig_buf_adds(&b, msgs[2].content);
        rig_buf_adds(&b, "\n");
    }
    return rig_buf_take(&b);
}

static int call_once(struct rig_ai *ai, enum ai_op op, const struct rig_ai_ctx *ctx,
                     const char *system, const struct ai_msg *msgs, size_t n, bool edits,
                     struct rig_ai_usage *acc, struct ai_answer *ans, struct rig_err *err)
{
    size_t bytes = strlen(system);
    int rc;

    for (size_t i = 0; i < n; i++)
        bytes += strlen(msgs[i].content);
    if (budget_check(ai, ctx, acc, bytes, err) < 0)
        return -1;
    if (ctx->cancel && *ctx->cancel)
        return rig_err_set(err, RIG_ECANCELLED, "cancelled before the AI request");
    memset(ans, 0, sizeof(*ans));
    acc->calls++;
    if (is_api(ai->provider)) {
        rc = ai_http_complete(ai, system, msgs, n, ctx->cancel, ans, err);
    } else {
        char *prompt = flatten(system, msgs, n);

        rc = ai_agent_run(ai, op, prompt, edits, ctx, ans, err);
        free(prompt);
    }
    acc->tokens_in += ans->tokens_in;
    acc->tokens_out += ans->tokens_out;
    acc->cost_usd += ans->cost_known ? ans->cost_usd : cost_of(ai, ans->tokens_in,
                                                                ans->tokens_out);
    if (rc < 0)
        ai_answer_release(ans);
    return rc;
}

typedef int (*validate_fn)(const char *text, const struct rig_ai_ctx *ctx, void *out,
                           struct rig_err *err);

/* Syntax errors come from rig_ai_extract_json; the rest are schema errors. */
static bool is_syntax_error(const struct rig_err *e)
{
    return rig_str_startswith(e->msg, "answer line ") ||
           rig_str_startswith(e->msg, "no JSON object found");
}

/* Ask for a JSON answer and validate it; one repair round trip on failure. */
static int ask_json(struct rig_ai *ai, enum ai_op op, const struct rig_ai_ctx *ctx,
                    validate_fn validate, void *out, struct rig_ai_usage *acc,
                    struct rig_err *err)
{
    char *system = ai_prompt_system(op, false);
    char *user = ai_prompt_user(op, ctx, false);
    char *repair = NULL;
    struct ai_answer a1 = {0}, a2 = {0};
    struct ai_msg msgs[3];
    struct rig_err perr = RIG_ERR_INIT;
    int rc = -1;

    msgs[0] = (struct ai_msg){"user", user};
    if (call_once(ai, op, ctx, system, msgs, 1, false, acc, &a1, err) < 0)
        goto out;
    if (validate(a1.text, ctx, out, &perr) == 0) {
        rc = 0;
        goto out;
    }
    log_warn("ai %s: the %s answer is not usable (%s%s); sending one repair request",
             ai_op_name(op), rig_ai_provider_name(ai->provider), perr.msg,
             a1.truncated ? ", cut off at the output limit" : "");
    repair = ai_prompt_repair(perr.msg, a1.truncated, ai->max_tokens);
    msgs[1] = (struct ai_msg){"assistant", a1.text};
    msgs[2] = (struct ai_msg){"user", repair};
    if (call_once(ai, op, ctx, system, msgs, 3, false, acc, &a2, err) < 0)
        goto out;
    rig_err_clear(&perr);
    if (validate(a2.text, ctx, out, &perr) == 0) {
        rc = 0;
        goto out;
    }
    rig_err_set(err, RIG_EINVAL, "AI answer %s after one repair attempt (%s%s%s): %s%s",
                is_syntax_error(&perr) ? "is not valid JSON" : "does not follow the protocol",
                rig_ai_provider_name(ai->provider), *ai->model ? " model " : "", ai->model,
                perr.msg, a2.truncated ? " (the answer was cut off at the output limit; raise "
                "ai.max_tokens)" : "");
out:
    if (rc < 0)
        rig_err_prefix(err, "AI %s step", ai_op_name(op));
    ai_answer_release(&a1);
    ai_answer_release(&a2);
    free(system);
    free(user);
    free(repair);
    return rc;
}

/* Agents edit the workspace themselves: only the final message comes back. */
static int agent_edit(struct rig_ai *ai, enum ai_op op, const struct rig_ai_ctx *ctx,
                      struct rig_ai_changeset *out, struct rig_ai_usage *acc,
                      struct rig_err *err)
{
    char *system = ai_prompt_system(op, true);
    char *user = ai_prompt_user(op, ctx, true);
    struct ai_answer a = {0};
    struct ai_msg msg = {"user", user};
    int rc = -1;

    if (call_once(ai, op, ctx, system, &msg, 1, true, acc, &a, err) < 0) {
        rig_err_prefix(err, "AI %s step", ai_op_name(op));
        goto out;
    }
    out->agent_edited = true;
    out->summary = xstrdup(a.text);
    rig_str_trim(out->summary);
    if (!*out->summary) {
        free(out->summary);
        out->summary = xstrdup("(the agent gave no summary)");
    }
    rc = 0;
out:
    ai_answer_release(&a);
    free(system);
    free(user);
    return rc;
}

struct plan_out {
    char **text;
    char ***files;
};

static int v_plan(const char *text, const struct rig_ai_ctx *ctx, void *out, struct rig_err *err)
{
    struct plan_out *p = out;

    (void)ctx;
    return rig_ai_parse_plan(text, p->text, p->files, err);
}

static int v_changes(const char *text, const struct rig_ai_ctx *ctx, void *out,
                     struct rig_err *err)
{
    (void)ctx;
    return rig_ai_parse_changeset(text, true, out, err);
}

static int v_proposal(const char *text, const struct rig_ai_ctx *ctx, void *out,
                      struct rig_err *err)
{
    return rig_ai_parse_proposal(text, ctx->infra_files, ctx->ninfra_files, out, err);
}

static int v_explain(const char *text, const struct rig_ai_ctx *ctx, void *out,
                     struct rig_err *err)
{
    (void)ctx;
    return rig_ai_parse_explain(text, out, err);
}

/* Only editing runs need a workspace; read-only runs inherit the cwd. */
static int check_agent_ws(const struct rig_ai *ai, const struct rig_ai_ctx *ctx, const char *op,
                          struct rig_err *err)
{
    if (!is_api(ai->provider) && (!ctx->workspace || !*ctx->workspace))
        return rig_err_set(err, RIG_EINVAL, "AI %s step: %s needs the workspace directory",
                           op, rig_ai_provider_name(ai->provider));
    return 0;
}

static struct rig_ai_usage *usage_or(struct rig_ai_usage *u, struct rig_ai_usage *local)
{
    memset(local, 0, sizeof(*local));
    return u ? u : local;
}

int rig_ai_plan(struct rig_ai *ai, const struct rig_ai_ctx *ctx, char **plan_text,
                char ***files_to_change, struct rig_ai_usage *usage, struct rig_err *err)
{
    struct rig_ai_usage local;
    struct plan_out p = {plan_text, files_to_change};

    *plan_text = NULL;
    if (files_to_change)
        *files_to_change = NULL;
    if (!ctx->issue_title || !*ctx->issue_title)
        return rig_err_set(err, RIG_EINVAL, "AI plan step: the issue has no title");
    return ask_json(ai, AI_OP_PLAN, ctx, v_plan, &p, usage_or(usage, &local), err);
}

static int changes_op(struct rig_ai *ai, enum ai_op op, const struct rig_ai_ctx *ctx,
                      struct rig_ai_changeset *out, struct rig_ai_usage *usage,
                      struct rig_err *err)
{
    struct rig_ai_usage local;

    memset(out, 0, sizeof(*out));
    if (check_agent_ws(ai, ctx, ai_op_name(op), err) < 0)
        return -1;
    if (rig_ai_is_agent(ai))
        return agent_edit(ai, op, ctx, out, usage_or(usage, &local), err);
    return ask_json(ai, op, ctx, v_changes, out, usage_or(usage, &local), err);
}

int rig_ai_code(struct rig_ai *ai, const struct rig_ai_ctx *ctx, struct rig_ai_changeset *out,
                struct rig_ai_usage *usage, struct rig_err *err)
{
    if ((!ctx->issue_title || !*ctx->issue_title) && (!ctx->plan || !*ctx->plan)) {
        memset(out, 0, sizeof(*out));
        return rig_err_set(err, RIG_EINVAL, "AI code step: neither an issue nor a plan given");
    }
    return changes_op(ai, AI_OP_CODE, ctx, out, usage, err);
}

int rig_ai_fix(struct rig_ai *ai, const struct rig_ai_ctx *ctx, struct rig_ai_changeset *out,
               struct rig_ai_usage *usage, struct rig_err *err)
{
    if (!ctx->failure_log || !*ctx->failure_log) {
        memset(out, 0, sizeof(*out));
        return rig_err_set(err, RIG_EINVAL, "AI fix step: no failure log given");
    }
    return changes_op(ai, AI_OP_FIX, ctx, out, usage, err);
}

int rig_ai_infra(struct rig_ai *ai, const struct rig_ai_ctx *ctx, struct rig_ai_proposal *out,
                 struct rig_ai_usage *usage, struct rig_err *err)
{
    struct rig_ai_usage local;

    memset(out, 0, sizeof(*out));
    if (!ctx->deploy_log || !*ctx->deploy_log)
        return rig_err_set(err, RIG_EINVAL, "AI infra step: no deploy log given");
    return ask_json(ai, AI_OP_INFRA, ctx, v_proposal, out, usage_or(usage, &local), err);
}

int rig_ai_explain(struct rig_ai *ai, const struct rig_ai_ctx *ctx, char **text,
                   struct rig_ai_usage *usage, struct rig_err *err)
{
    struct rig_ai_usage local;

    *text = NULL;
    if (!ctx->report || !*ctx->report)
        return rig_err_set(err, RIG_EINVAL, "AI explain step: no failure report given");
    return ask_json(ai, AI_OP_EXPLAIN, ctx, v_explain, text, usage_or(usage, &local), err);
}
