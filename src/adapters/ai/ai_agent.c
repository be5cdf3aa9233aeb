/*
 * Agent providers: `claude -p --output-format json` (result object described in
 * /work/shared/fixtures/ai-apis/claude-code.md) and a configured command, both
 * run in the workspace with the prompt on stdin (never in argv: prompts are
 * large and argv is visible to every user of the machine).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "adapters/ai/ai_int.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/proc.h"
#include "core/str.h"

#include "core/banned.h"

#define STDERR_TAIL 1500
#define CAPTURE_MAX (8u << 20)

/* The last STDERR_TAIL bytes of s, secrets redacted (caller frees). */
static char *tail_of(const char *s, size_t len)
{
    char *t = xstrdup(len > STDERR_TAIL ? s + len - STDERR_TAIL : s);
    char *r;

    rig_str_trim(t);
    r = rig_redact(t);
    free(t);
    return r;
}

static int run_failed(const char *who, const struct rig_ai *ai, const struct rig_proc_result *res,
                      struct rig_err *err)
{
    char how[128];
    char *tail;

    if (res->cancelled)
        return rig_err_set(err, RIG_ECANCELLED, "%s: cancelled", who);
    if (res->timed_out)
        return rig_err_set(err, RIG_ETIMEOUT, "%s: no result after %lld s (raise ai.timeout)",
                           who, (long long)(ai->timeout_ms / 1000));
    tail = tail_of(res->err_len ? res->err : res->out, res->err_len ? res->err_len
                                                                    : res->out_len);
    rig_err_set(err, RIG_EIO, "%s failed (%s)%s%s", who,
                rig_proc_describe(res, how, sizeof(how)), *tail ? ": " : "", tail);
    free(tail);
    return -1;
}

static long long num(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

/* With --verbose the CLI prints an array of every message: take the result. */
static json_t *find_result(json_t *root)
{
    size_t i;
    json_t *e;

    if (json_is_object(root))
        return root;
    json_array_foreach(root, i, e) {
        const char *t = json_string_value(json_object_get(e, "type"));

        if (t && strcmp(t, "result") == 0)
            return e;
    }
    return NULL;
}

static int parse_claude(const struct rig_ai *ai, const struct rig_proc_result *res,
                        struct ai_answer *ans, struct rig_err *err)
{
    json_t *root = json_loadb(res->out, res->out_len, 0, NULL);
    json_t *r = root ? find_result(root) : NULL;
    json_t *usage, *cost;
    const char *subtype, *text;
    int rc = -1;

    if (!r) {
        if (!rig_proc_ok(res))
            run_failed("claude-code", ai, res, err);
        else
            rig_err_set(err, RIG_EIO, "claude-code: stdout is not a JSON result (is %s the "
                        "Claude Code CLI?)", ai->claude_bin);
        goto out;
    }
    usage = json_object_get(r, "usage");
    ans->tokens_in = num(usage, "input_tokens") +
                     num(usage, "cache_creation_input_tokens") +
                     num(usage, "cache_read_input_tokens");
    ans->tokens_out = num(usage, "output_tokens");
    cost = json_object_get(r, "total_cost_usd");
    if (!cost)
        cost = json_object_get(r, "cost_usd");
    if (json_is_number(cost)) {
        ans->cost_usd = json_number_value(cost);
        ans->cost_known = true;
    }
    subtype = json_string_value(json_object_get(r, "subtype"));
    text = json_string_value(json_object_get(r, "result"));
    if (subtype && strcmp(subtype, "error_max_turns") == 0) {
        rig_err_set(err, RIG_EIO, "claude-code: the agent stopped at --max-turns %d before "
                    "finishing (raise ai.max_turns)", ai->max_turns);
        goto out;
    }
    if (json_is_true(json_object_get(r, "is_error")) || (subtype && strcmp(subtype, "success"))) {
        char *red = rig_redact(text && *text ? text : "no detail given");

        rig_err_set(err, RIG_EIO, "claude-code: the agent reported an error (%s): %s",
                    subtype && strcmp(subtype, "success") ? subtype : "is_error", red);
        free(red);
        goto out;
    }
    if (!rig_proc_ok(res)) {
        run_failed("claude-code", ai, res, err);
        goto out;
    }
    ans->text = xstrdup(text ? text : "");
    rc = 0;
out:
    json_decref(root);
    return rc;
}

/* Both agents run in the workspace with the prompt on stdin, under the
 * configured timeout and the task's cancel flag. */
static void agent_proc_opts(struct rig_proc_opts *po, const struct rig_ai *ai,
                            const struct rig_ai_ctx *ctx, const char *prompt)
{
    po->cwd = ctx->workspace;
    po->stdin_data = prompt;
    po->stdin_len = strlen(prompt);
    po->capture_max = CAPTURE_MAX;
    po->timeout_ms = ai->timeout_ms;
    po->cancel = ctx->cancel;
}

static int run_claude(const struct rig_ai *ai, const char *prompt, bool edits,
                      const struct rig_ai_ctx *ctx, struct ai_answer *ans, struct rig_err *err)
{
    char turns[16];
    const char *argv[12];
    size_t k = 0;
    struct rig_proc_opts po = {0};
    struct rig_proc_result res = {0};
    int rc = -1;

    snprintf(turns, sizeof(turns), "%d", ai->max_turns);
    argv[k++] = ai->claude_bin;
    argv[k++] = "-p";
    argv[k++] = "--output-format";
    argv[k++] = "json";
    argv[k++] = "--max-turns";
    argv[k++] = turns;
    argv[k++] = "--permission-mode";
    /* In print mode "default" denies every tool that would need a prompt
     * (edits, shell): the read-only steps cannot change the workspace. */
    argv[k++] = edits ? ai->permission_mode : "default";
    if (*ai->model) {
        argv[k++] = "--model";
        argv[k++] = ai->model;
    }
    argv[k] = NULL;
    po.argv = argv;
    agent_proc_opts(&po, ai, ctx, prompt);
    if (rig_proc_run(&po, &res, err) < 0) {
        rig_err_prefix(err, "claude-code: cannot run %s (install Claude Code or set "
                       "ai.claude_bin)", ai->claude_bin);
        goto out;
    }
    if (res.cancelled || res.timed_out) {
        run_failed("claude-code", ai, &res, err);
        goto out;
    }
    rc = parse_claude(ai, &res, ans, err);
out:
    rig_proc_result_release(&res);
    return rc;
}

static int run_command(const struct rig_ai *ai, enum ai_op op, const char *prompt, bool edits,
                       const struct rig_ai_ctx *ctx, struct ai_answer *ans, struct rig_err *err)
{
    char *env_op = xasprintf("RIG_AI_OPERATION=%s", ai_op_name(op));
    char *env_model = xasprintf("RIG_AI_MODEL=%s", ai->model);
    const char *env[] = {env_op, env_model, edits ? "RIG_AI_EDITS=1" : "RIG_AI_EDITS=0", NULL};
    struct rig_proc_opts po = {0};
    struct rig_proc_result res = {0};
    int rc = -1;

    po.shell = ai->command;
    po.env = env;
    agent_proc_opts(&po, ai, ctx, prompt);
    if (rig_proc_run(&po, &res, err) < 0) {
        rig_err_prefix(err, "command: cannot run ai.command");
        goto out;
    }
    if (!rig_proc_ok(&res)) {
        run_failed("command: ai.command", ai, &res, err);
        goto out;
    }
    if (res.out_truncated) {
        rig_err_set(err, RIG_ETOOBIG, "command: ai.command printed more than %u MiB",
                    CAPTURE_MAX >> 20);
        goto out;
    }
    ans->text = xstrdup(res.out);
    rc = 0;
out:
    rig_proc_result_release(&res);
    free(env_op);
    free(env_model);
    return rc;
}

int ai_agent_run(const struct rig_ai *ai, enum ai_op op, const char *prompt, bool edits,
                 const struct rig_ai_ctx *ctx, struct ai_answer *ans, struct rig_err *err)
{
    log_debug("ai: running %s for the %s step in %s", rig_ai_provider_name(ai->provider),
              ai_op_name(op), ctx->workspace ? ctx->workspace : ".");
    if (ai->provider == RIG_AI_CLAUDE_CODE)
        return run_claude(ai, prompt, edits, ctx, ans, err);
    return run_command(ai, op, prompt, edits, ctx, ans, err);
}
