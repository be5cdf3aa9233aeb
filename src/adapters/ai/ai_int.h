#ifndef RIG_ADAPTERS_AI_AI_INT_H
#define RIG_ADAPTERS_AI_AI_INT_H

/* Internal to src/adapters/ai/: shared between the operation driver (ai.c),
 * the prompt builders (ai_prompt.c) and the transports (ai_http.c, ai_agent.c). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/ai/ai.h"
#include "core/err.h"

struct rig_ai {
    enum rig_ai_provider provider;
    char *model;        /* "" when none */
    char *api_key;      /* NULL when none */
    char *url;          /* full request URL for API providers */
    int max_tokens;
    double temperature; /* < 0: not sent */
    int64_t timeout_ms;
    int max_retries;
    int64_t retry_base_ms;
    int64_t retry_max_ms;
    char *command;
    bool command_edits;
    char *claude_bin;
    int max_turns;
    char *permission_mode;
    double price_in;    /* USD per Mtok */
    double price_out;
};

enum ai_op { AI_OP_PLAN, AI_OP_CODE, AI_OP_FIX, AI_OP_INFRA, AI_OP_EXPLAIN };

const char *ai_op_name(enum ai_op op);

/* One chat turn. role: "user" or "assistant". */
struct ai_msg {
    const char *role;
    const char *content;
};

struct ai_answer {
    char *text;
    long long tokens_in;
    long long tokens_out;
    double cost_usd;    /* provider-reported cost; used when cost_known */
    bool cost_known;
    bool truncated;     /* stopped at the output limit */
};

void ai_answer_release(struct ai_answer *a);

/* One request over HTTP for the API providers. Errors are prefixed with the
 * provider name ("anthropic: 429 rate_limit_error: ..."). */
int ai_http_complete(const struct rig_ai *ai, const char *system, const struct ai_msg *msgs,
                     size_t nmsgs, const volatile int *cancel, struct ai_answer *ans,
                     struct rig_err *err);

/* Agent providers: run the program in ctx->workspace with the prompt on stdin.
 * edits: the run may edit the workspace (code/fix) - otherwise read-only. */
int ai_agent_run(const struct rig_ai *ai, enum ai_op op, const char *prompt, bool edits,
                 const struct rig_ai_ctx *ctx, struct ai_answer *ans, struct rig_err *err);

/* Prompts (ai_prompt.c). Both returned strings are malloc'd. */
char *ai_prompt_system(enum ai_op op, bool agent_edits);
char *ai_prompt_user(enum ai_op op, const struct rig_ai_ctx *ctx, bool agent_edits);
char *ai_prompt_repair(const char *problem, bool truncated, int max_tokens);

#endif
