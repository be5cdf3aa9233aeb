/*
 * Wire formats of the chat APIs: Anthropic Messages, OpenAI Chat Completions
 * (also Ollama's /v1 compatibility route) and Ollama's native /api/chat.
 * Payload shapes: /work/shared/fixtures/ai-apis (README.md).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "adapters/ai/ai_int.h"
#include "core/buf.h"
#include "core/http.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"

#include "core/banned.h"

/* Bytes of a non-JSON error body quoted in a message. */
#define BODY_QUOTE_MAX 300

static const char *pname(const struct rig_ai *ai)
{
    return rig_ai_provider_name(ai->provider);
}

static json_t *messages_json(const char *system, const struct ai_msg *msgs, size_t n)
{
    json_t *arr = json_array();

    if (system)
        json_array_append_new(arr, json_pack("{s:s, s:s}", "role", "system", "content", system));
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s}", "role", msgs[i].role, "content",
                                             msgs[i].content));
    return arr;
}

static char *request_body(const struct rig_ai *ai, const char *system, const struct ai_msg *msgs,
                          size_t n)
{
    json_t *b = json_object();
    char *s;

    json_object_set_new(b, "model", json_string(ai->model));
    switch (ai->provider) {
    case RIG_AI_ANTHROPIC:
        json_object_set_new(b, "max_tokens", json_integer(ai->max_tokens));
        if (system && *system)
            json_object_set_new(b, "system", json_string(system));
        json_object_set_new(b, "messages", messages_json(NULL, msgs, n));
        if (ai->temperature >= 0)
            json_object_set_new(b, "temperature", json_real(ai->temperature));
        break;
    case RIG_AI_OLLAMA: {
        json_t *opt = json_pack("{s:i}", "num_predict", ai->max_tokens);

        if (ai->temperature >= 0)
            json_object_set_new(opt, "temperature", json_real(ai->temperature));
        json_object_set_new(b, "messages", messages_json(system, msgs, n));
        json_object_set_new(b, "stream", json_false());
        json_object_set_new(b, "format", json_string("json"));
        json_object_set_new(b, "options", opt);
        break;
    }
    default:
        json_object_set_new(b, "messages", messages_json(system, msgs, n));
        /* OpenAI deprecated max_tokens for max_completion_tokens; Ollama's
         * compatibility layer documents only max_tokens. */
        json_object_set_new(b, ai->provider == RIG_AI_OPENAI ? "max_completion_tokens"
                                                             : "max_tokens",
                            json_integer(ai->max_tokens));
        json_object_set_new(b, "response_format", json_pack("{s:s}", "type", "json_object"));
        if (ai->temperature >= 0)
            json_object_set_new(b, "temperature", json_real(ai->temperature));
        break;
    }
    s = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    return s;
}

static const char *status_hint(const struct rig_ai *ai, long status)
{
    if (status == 401 || status == 403)
        return ai->provider == RIG_AI_ANTHROPIC ? " (check ai.api_key / ANTHROPIC_API_KEY)"
               : ai->provider == RIG_AI_OPENAI  ? " (check ai.api_key / OPENAI_API_KEY)"
                                                : " (check ai.api_key / OLLAMA_API_KEY)";
    if (status == 404 && (ai->provider == RIG_AI_OLLAMA || ai->provider == RIG_AI_OLLAMA_OPENAI))
        return " (is the model pulled? `ollama pull <model>`)";
    if (status == 404)
        return " (check ai.model and ai.endpoint)";
    return "";
}

/* "anthropic: 429 rate_limit_error: <message>" from each provider's error body. */
static int api_error(const struct rig_ai *ai, const struct rig_http_resp *resp,
                     struct rig_err *err)
{
    json_t *root = json_loadb(resp->body, resp->body_len, 0, NULL);
    json_t *e = root ? json_object_get(root, "error") : NULL;
    const char *kind = NULL, *msg = NULL;
    const char *rid = rig_http_header_get(resp, "request-id");
    char *text;
    int code = (resp->status == 401 || resp->status == 403 || resp->status == 404) ? RIG_ECONFIG
                                                                                     : RIG_EIO;

    if (!rid)
        rid = rig_http_header_get(resp, "x-request-id");
    if (json_is_object(e)) {
        json_t *c = json_object_get(e, "code");

        kind = json_string_value(json_object_get(e, "type"));
        if (json_is_string(c) && ai->provider != RIG_AI_ANTHROPIC)
            kind = json_string_value(c);
        msg = json_string_value(json_object_get(e, "message"));
    } else if (json_is_string(e)) {
        msg = json_string_value(e);
    }
    if (msg) {
        text = xasprintf("%s: %ld%s%s: %s%s%s%s%s", pname(ai), resp->status, kind ? " " : "",
                         kind ? kind : "", msg, status_hint(ai, resp->status), rid ? " (request-id "
                         : "", rid ? rid : "", rid ? ")" : "");
    } else {
        text = xasprintf("%s: HTTP %ld from %s: %.*s%s", pname(ai), resp->status, ai->url,
                         (int)(resp->body_len < BODY_QUOTE_MAX ? resp->body_len : BODY_QUOTE_MAX),
                         resp->body, status_hint(ai, resp->status));
    }
    {
        char *red = rig_redact(text);

        rig_err_set(err, code, "%s", red);
        free(red);
    }
    free(text);
    json_decref(root);
    return -1;
}

static long long num(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

static int parse_anthropic(const struct rig_ai *ai, json_t *root, struct ai_answer *ans,
                           struct rig_err *err)
{
    json_t *content = json_object_get(root, "content");
    json_t *usage = json_object_get(root, "usage");
    const char *stop = json_string_value(json_object_get(root, "stop_reason"));
    struct rig_buf b = RIG_BUF_INIT;
    size_t i;
    json_t *blk;
    bool any = false;

    ans->tokens_in = num(usage, "input_tokens") + num(usage, "cache_creation_input_tokens") +
                     num(usage, "cache_read_input_tokens");
    ans->tokens_out = num(usage, "output_tokens");
    if (stop && strcmp(stop, "refusal") == 0)
        return rig_err_set(err, RIG_EIO, "%s: the model refused to answer (stop_reason "
                           "refusal)", pname(ai));
    json_array_foreach(content, i, blk) {
        const char *t = json_string_value(json_object_get(blk, "type"));
        const char *s = json_string_value(json_object_get(blk, "text"));

        if (t && strcmp(t, "text") == 0 && s) {
            rig_buf_adds(&b, s);
            any = true;
        }
    }
    if (!any) {
        rig_buf_release(&b);
        return rig_err_set(err, RIG_EIO, "%s: the answer has no text content (stop_reason %s)",
                           pname(ai), stop ? stop : "missing");
    }
    ans->truncated = stop && (strcmp(stop, "max_tokens") == 0 ||
                              strcmp(stop, "model_context_window_exceeded") == 0);
    ans->text = rig_buf_take(&b);
    return 0;
}

static int parse_openai(const struct rig_ai *ai, json_t *root, struct ai_answer *ans,
                        struct rig_err *err)
{
    json_t *usage = json_object_get(root, "usage");
    json_t *choice = json_array_get(json_object_get(root, "choices"), 0);
    json_t *msg = json_object_get(choice, "message");
    const char *fin = json_string_value(json_object_get(choice, "finish_reason"));
    const char *content = json_string_value(json_object_get(msg, "content"));
    const char *refusal = json_string_value(json_object_get(msg, "refusal"));

    ans->tokens_in = num(usage, "prompt_tokens");
    ans->tokens_out = num(usage, "completion_tokens");
    if (!choice)
        return rig_err_set(err, RIG_EIO, "%s: the answer has no choices", pname(ai));
    if (refusal && *refusal)
        return rig_err_set(err, RIG_EIO, "%s: the model refused to answer: %s", pname(ai),
                           refusal);
    if (fin && strcmp(fin, "content_filter") == 0)
        return rig_err_set(err, RIG_EIO, "%s: the answer was withheld by the content filter "
                           "(finish_reason content_filter)", pname(ai));
    if (!content)
        return rig_err_set(err, RIG_EIO, "%s: the answer has no text content (finish_reason "
                           "%s)", pname(ai), fin ? fin : "missing");
    ans->truncated = fin && strcmp(fin, "length") == 0;
    ans->text = xstrdup(content);
    return 0;
}

static int parse_ollama(const struct rig_ai *ai, json_t *root, struct ai_answer *ans,
                        struct rig_err *err)
{
    const char *e = json_string_value(json_object_get(root, "error"));
    const char *content = json_string_value(json_object_get(json_object_get(root, "message"),
                                                            "content"));
    const char *done = json_string_value(json_object_get(root, "done_reason"));

    ans->tokens_in = num(root, "prompt_eval_count");
    ans->tokens_out = num(root, "eval_count");
    if (e)
        return rig_err_set(err, RIG_EIO, "%s: %s", pname(ai), e);
    if (!content)
        return rig_err_set(err, RIG_EIO, "%s: the answer has no message content", pname(ai));
    ans->truncated = done && strcmp(done, "length") == 0;
    ans->text = xstrdup(content);
    return 0;
}

static void headers_for(const struct rig_ai *ai, char **auth, const char *hdr[5])
{
    size_t k = 0;

    hdr[k++] = "Content-Type: application/json";
    *auth = NULL;
    if (ai->provider == RIG_AI_ANTHROPIC) {
        *auth = xasprintf("x-api-key: %s", ai->api_key);
        hdr[k++] = *auth;
        hdr[k++] = "anthropic-version: 2023-06-01";
    } else if (ai->api_key) {
        *auth = xasprintf("Authorization: Bearer %s", ai->api_key);
        hdr[k++] = *auth;
    }
    hdr[k] = NULL;
}

int ai_http_complete(const struct rig_ai *ai, const char *system, const struct ai_msg *msgs,
                     size_t nmsgs, const volatile int *cancel, struct ai_answer *ans,
                     struct rig_err *err)
{
    struct rig_http_req req = {0};
    struct rig_http_resp resp = {0};
    const char *hdr[5];
    char *auth = NULL;
    char *body = request_body(ai, system, msgs, nmsgs);
    json_t *root = NULL;
    int rc = -1;

    headers_for(ai, &auth, hdr);
    req.method = "POST";
    req.url = ai->url;
    req.headers = hdr;
    req.body = body;
    req.body_len = strlen(body);
    req.timeout_ms = ai->timeout_ms;
    req.max_retries = ai->max_retries;
    req.retry_base_ms = ai->retry_base_ms;
    req.retry_max_ms = ai->retry_max_ms;
    req.cancel = cancel;
    if (rig_http_do(&req, &resp, err) < 0) {
        if (err && (ai->provider == RIG_AI_OLLAMA || ai->provider == RIG_AI_OLLAMA_OPENAI) &&
            err->code == RIG_EIO) {
            char *m = xstrdup(err->msg);

            rig_err_set(err, RIG_EIO, "%s: %s (is Ollama running? set ai.endpoint or "
                        "OLLAMA_API_ENDPOINT)", pname(ai), m);
            free(m);
        } else {
            rig_err_prefix(err, "%s", pname(ai));
        }
        goto out;
    }
    if (resp.attempts > 1)
        log_info("ai: %s answered after %d attempts", pname(ai), resp.attempts);
    if (resp.status != 200) {
        api_error(ai, &resp, err);
        goto out;
    }
    if (!(root = json_loadb(resp.body, resp.body_len, 0, NULL)) || !json_is_object(root)) {
        rig_err_set(err, RIG_EIO, "%s: HTTP 200 from %s but the body is not a JSON object: "
                    "%.*s", pname(ai), ai->url, (int)(resp.body_len < BODY_QUOTE_MAX ?
                    resp.body_len : BODY_QUOTE_MAX), resp.body);
        goto out;
    }
    if (ai->provider == RIG_AI_ANTHROPIC)
        rc = parse_anthropic(ai, root, ans, err);
    else if (ai->provider == RIG_AI_OLLAMA)
        rc = parse_ollama(ai, root, ans, err);
    else
        rc = parse_openai(ai, root, ans, err);
out:
    json_decref(root);
    rig_http_resp_release(&resp);
    free(body);
    free(auth);
    return rc;
}
