/*
 * ai_standin: a local stand-in for the chat APIs Rig talks to, speaking their
 * wire formats (/work/shared/fixtures/ai-apis):
 *
 *   POST /v1/messages           Anthropic Messages
 *   POST /v1/chat/completions   OpenAI Chat Completions (also Ollama's /v1 route)
 *   POST /api/chat              Ollama native chat (NDJSON stream unless "stream": false)
 *
 * Requests are validated like the real services do (headers, required
 * fields, message roles) and rejected with each provider's error body. Answers
 * come from a script: a JSON array of steps
 *
 *   {"status": 200, "headers": {"retry-after": "0"}, "text": "<assistant text>",
 *    "raw": "<whole body instead>", "tokens_in": 12, "tokens_out": 34,
 *    "stop": "end_turn" | "max_tokens", "match": "<substring>"}
 *
 * Steps without "match" are consumed in order and the last one repeats; a step
 * with "match" answers (every time, before the sequence) any request whose last
 * user message contains the substring. Every request is appended to --log as
 * one JSON line {"seq", "method", "path", "headers", "body"}.
 *
 * Usage: ai_standin --script FILE [--port N] [--port-file F] [--log F] [--api-key K]
 * Prints "listening on PORT" once ready; runs until SIGTERM or SIGINT.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "testutil.h"
#include "core/buf.h"
#include "core/mem.h"

#include "core/banned.h"

#define BODY_MAX (64u << 20)

struct standin {
    json_t *script;
    size_t next;          /* next sequential step */
    const char *api_key;  /* NULL: any key accepted */
    FILE *log;
    long seq;
};

struct reply {
    unsigned status;
    char *body;
    const char *ctype;
    json_t *headers;      /* extra headers, borrowed */
};

static void reply_json(struct reply *r, unsigned status, json_t *body)
{
    r->status = status;
    r->body = json_dumps(body, JSON_COMPACT);
    r->ctype = "application/json";
    json_decref(body);
}

/* ---- errors in each provider's shape ---- */

static void anthropic_error(struct reply *r, unsigned status, const char *type, const char *msg)
{
    reply_json(r, status, json_pack("{s:s, s:{s:s, s:s}, s:s}", "type", "error", "error",
                                    "type", type, "message", msg, "request_id",
                                    "req_standin_error"));
}

static void openai_error(struct reply *r, unsigned status, const char *type, const char *msg,
                         const char *param, const char *code)
{
    reply_json(r, status, json_pack("{s:{s:s, s:s, s:o, s:o}}", "error", "message", msg, "type",
                                    type, "param", param ? json_string(param) : json_null(),
                                    "code", code ? json_string(code) : json_null()));
}

static void ollama_error(struct reply *r, unsigned status, const char *msg)
{
    reply_json(r, status, json_pack("{s:s}", "error", msg));
}

/* ---- script ---- */

static const char *last_user_text(json_t *msgs, struct rig_buf *tmp)
{
    for (size_t i = json_array_size(msgs); i-- > 0;) {
        json_t *m = json_array_get(msgs, i);
        json_t *c = json_object_get(m, "content");
        size_t k;
        json_t *blk;

        if (!json_is_string(json_object_get(m, "role")) ||
            strcmp(json_string_value(json_object_get(m, "role")), "user") != 0)
            continue;
        if (json_is_string(c))
            return json_string_value(c);
        json_array_foreach(c, k, blk) {
            const char *t = json_string_value(json_object_get(blk, "text"));

            if (t)
                rig_buf_adds(tmp, t);
        }
        return rig_buf_str(tmp);
    }
    return "";
}

static json_t *pick_step(struct standin *s, const char *user)
{
    size_t i, nseq = 0;
    json_t *st, *last = NULL, *chosen = NULL;

    json_array_foreach(s->script, i, st) {
        const char *m = json_string_value(json_object_get(st, "match"));

        if (m && strstr(user, m))
            return st;
    }
    json_array_foreach(s->script, i, st) {
        if (json_object_get(st, "match"))
            continue;
        if (nseq == s->next)
            chosen = st;
        last = st;
        nseq++;
    }
    if (chosen) {
        s->next++;
        return chosen;
    }
    return last;
}

static long long step_int(json_t *st, const char *key, long long fallback)
{
    json_t *v = json_object_get(st, key);

    return json_is_integer(v) ? (long long)json_integer_value(v) : fallback;
}

static bool step_truncated(json_t *st)
{
    const char *stop = json_string_value(json_object_get(st, "stop"));

    return stop && (strcmp(stop, "max_tokens") == 0 || strcmp(stop, "length") == 0);
}

/* Non-200 steps, and "raw" bodies, are answered the same way by every route
 * except for the error body's shape. Returns true when it answered. */
static bool scripted_special(json_t *st, int provider, struct reply *r)
{
    long long status = step_int(st, "status", 200);
    const char *raw = json_string_value(json_object_get(st, "raw"));

    r->headers = json_object_get(st, "headers");
    if (raw) {
        r->status = (unsigned)status;
        r->body = xstrdup(raw);
        r->ctype = "application/json";
        return true;
    }
    if (status == 200)
        return false;
    if (provider == 'a') {
        const char *type = status == 429 ? "rate_limit_error" : status == 529 ? "overloaded_error"
                           : status == 401 ? "authentication_error" : status == 404
                           ? "not_found_error" : status >= 500 ? "api_error"
                           : "invalid_request_error";
        const char *msg = status == 429 ? "This request would exceed the rate limit for your "
                          "organization of 20,000 input tokens per minute." : status == 529
                          ? "Overloaded" : "Internal server error";

        anthropic_error(r, (unsigned)status, type, msg);
    } else if (provider == 'o') {
        if (status == 429)
            openai_error(r, 429, "requests", "Rate limit reached for requests", NULL,
                         "rate_limit_exceeded");
        else
            openai_error(r, (unsigned)status, "server_error", "The server had an error while "
                         "processing your request. Sorry about that!", NULL, NULL);
    } else {
        ollama_error(r, (unsigned)status, status == 429
                                              ? "rate limit exceeded"
                                              : "the model failed to generate a response");
    }
    r->headers = json_object_get(st, "headers");
    return true;
}

/* ---- validation helpers ---- */

static const char *hdr(json_t *headers, const char *name)
{
    return json_string_value(json_object_get(headers, name));
}

static bool is_json_ctype(json_t *headers)
{
    const char *ct = hdr(headers, "content-type");

    return ct && strncasecmp(ct, "application/json", 16) == 0;
}

static bool mentions_json(json_t *msgs)
{
    size_t i;
    json_t *m;

    json_array_foreach(msgs, i, m) {
        const char *c = json_string_value(json_object_get(m, "content"));

        if (c && strcasestr(c, "json"))
            return true;
    }
    return false;
}

/* ---- Anthropic ---- */

static bool anthropic_validate(struct standin *s, json_t *headers, json_t *body, struct reply *r)
{
    json_t *msgs = body ? json_object_get(body, "messages") : NULL;
    json_t *mt = body ? json_object_get(body, "max_tokens") : NULL;
    json_t *sys = body ? json_object_get(body, "system") : NULL;
    const char *key = hdr(headers, "x-api-key");
    const char *prev = NULL;
    size_t i;
    json_t *m;

    if (s->api_key && !key) {
        anthropic_error(r, 401, "authentication_error", "x-api-key header is required");
        return false;
    }
    if (s->api_key && strcmp(key, s->api_key) != 0) {
        anthropic_error(r, 401, "authentication_error", "invalid x-api-key");
        return false;
    }
    if (!hdr(headers, "anthropic-version")) {
        anthropic_error(r, 400, "invalid_request_error", "anthropic-version: header is required");
        return false;
    }
    if (!is_json_ctype(headers) || !json_is_object(body)) {
        anthropic_error(r, 400, "invalid_request_error",
                        "The request body is not valid JSON (content-type application/json)");
        return false;
    }
    if (!json_is_string(json_object_get(body, "model"))) {
        anthropic_error(r, 400, "invalid_request_error", "model: Field required");
        return false;
    }
    if (!json_is_integer(mt) || json_integer_value(mt) < 1) {
        anthropic_error(r, 400, "invalid_request_error", mt ? "max_tokens: Input should be "
                        "greater than or equal to 1" : "max_tokens: Field required");
        return false;
    }
    if (sys && !json_is_string(sys) && !json_is_array(sys)) {
        anthropic_error(r, 400, "invalid_request_error", "system: Input should be a valid string");
        return false;
    }
    if (!json_is_array(msgs) || json_array_size(msgs) == 0) {
        anthropic_error(r, 400, "invalid_request_error", msgs ? "messages: at least one message "
                        "is required" : "messages: Field required");
        return false;
    }
    json_array_foreach(msgs, i, m) {
        const char *role = json_string_value(json_object_get(m, "role"));
        json_t *c = json_object_get(m, "content");

        if (role && strcmp(role, "system") == 0) {
            anthropic_error(r, 400, "invalid_request_error", "messages: Unexpected role "
                            "\"system\". The Messages API accepts a top-level `system` "
                            "parameter, not \"system\" as an input message role.");
            return false;
        }
        if (!role || (strcmp(role, "user") && strcmp(role, "assistant")) ||
            (!json_is_string(c) && !json_is_array(c))) {
            anthropic_error(r, 400, "invalid_request_error", "messages: each message needs a "
                            "role (user or assistant) and a content");
            return false;
        }
        if ((i == 0 && strcmp(role, "user")) || (prev && strcmp(prev, role) == 0)) {
            anthropic_error(r, 400, "invalid_request_error",
                            "messages: roles must alternate between \"user\" and \"assistant\"");
            return false;
        }
        prev = role;
    }
    return true;
}

static void anthropic(struct standin *s, json_t *headers, json_t *body, size_t body_len,
                      struct reply *r)
{
    struct rig_buf tmp = RIG_BUF_INIT;
    json_t *st;
    char id[64];

    if (!anthropic_validate(s, headers, body, r))
        return;
    st = pick_step(s, last_user_text(json_object_get(body, "messages"), &tmp));
    rig_buf_release(&tmp);
    if (!st) {
        anthropic_error(r, 500, "api_error", "ai_standin: no script step for this request");
        return;
    }
    if (scripted_special(st, 'a', r))
        return;
    snprintf(id, sizeof(id), "msg_standin_%ld", s->seq);
    reply_json(r, 200, json_pack(
        "{s:s, s:s, s:s, s:O, s:[{s:s, s:s}], s:s, s:n, s:{s:I, s:I}}", "id", id, "type",
        "message", "role", "assistant", "model", json_object_get(body, "model"), "content",
        "type", "text", "text", json_string_value(json_object_get(st, "text")) ?
        json_string_value(json_object_get(st, "text")) : "", "stop_reason",
        step_truncated(st) ? "max_tokens" : "end_turn", "stop_sequence", "usage",
        "input_tokens", (json_int_t)step_int(st, "tokens_in", (long long)body_len / 4),
        "output_tokens", (json_int_t)step_int(st, "tokens_out", 20)));
}

/* ---- OpenAI ---- */

static bool openai_validate(struct standin *s, json_t *headers, json_t *body, struct reply *r)
{
    const char *auth = hdr(headers, "authorization");
    json_t *msgs = body ? json_object_get(body, "messages") : NULL;
    json_t *rf = body ? json_object_get(body, "response_format") : NULL;
    size_t i;
    json_t *m;

    if (s->api_key && !auth) {
        openai_error(r, 401, "invalid_request_error", "You didn't provide an API key. You need "
                     "to provide your API key in an Authorization header using Bearer auth "
                     "(i.e. Authorization: Bearer YOUR_KEY).", NULL, NULL);
        return false;
    }
    if (s->api_key && (strncmp(auth, "Bearer ", 7) != 0 || strcmp(auth + 7, s->api_key) != 0)) {
        openai_error(r, 401, "invalid_request_error", "Incorrect API key provided. You can find "
                     "your API key at https://platform.openai.com/account/api-keys.", NULL,
                     "invalid_api_key");
        return false;
    }
    if (!is_json_ctype(headers) || !json_is_object(body)) {
        openai_error(r, 400, "invalid_request_error", "We could not parse the JSON body of your "
                     "request.", NULL, NULL);
        return false;
    }
    if (!json_is_string(json_object_get(body, "model"))) {
        openai_error(r, 400, "invalid_request_error", "you must provide a model parameter", NULL,
                     NULL);
        return false;
    }
    if (!json_is_array(msgs)) {
        openai_error(r, 400, "invalid_request_error", "Missing required parameter: 'messages'.",
                     "messages", "missing_required_parameter");
        return false;
    }
    if (json_array_size(msgs) == 0) {
        openai_error(r, 400, "invalid_request_error", "[] is too short - 'messages'", "messages",
                     "empty_array");
        return false;
    }
    json_array_foreach(msgs, i, m) {
        const char *role = json_string_value(json_object_get(m, "role"));

        if (!role || (strcmp(role, "system") && strcmp(role, "developer") &&
                      strcmp(role, "user") && strcmp(role, "assistant"))) {
            openai_error(r, 400, "invalid_request_error", "Invalid value for 'messages[].role'.",
                         "messages", "invalid_value");
            return false;
        }
    }
    if (rf && !strcmp(json_string_value(json_object_get(rf, "type")) ?
                      json_string_value(json_object_get(rf, "type")) : "", "json_object") &&
        !mentions_json(msgs)) {
        openai_error(r, 400, "invalid_request_error", "'messages' must contain the word 'json' "
                     "in some form, to use 'response_format' of type 'json_object'.",
                     "messages", NULL);
        return false;
    }
    return true;
}

static void openai(struct standin *s, json_t *headers, json_t *body, size_t body_len,
                   struct reply *r)
{
    struct rig_buf tmp = RIG_BUF_INIT;
    json_t *st;
    char id[64];
    long long tin, tout;

    if (!openai_validate(s, headers, body, r))
        return;
    st = pick_step(s, last_user_text(json_object_get(body, "messages"), &tmp));
    rig_buf_release(&tmp);
    if (!st) {
        openai_error(r, 500, "server_error", "ai_standin: no script step for this request",
                     NULL, NULL);
        return;
    }
    if (scripted_special(st, 'o', r))
        return;
    snprintf(id, sizeof(id), "chatcmpl-standin%ld", s->seq);
    tin = step_int(st, "tokens_in", (long long)body_len / 4);
    tout = step_int(st, "tokens_out", 20);
    reply_json(r, 200, json_pack(
        "{s:s, s:s, s:I, s:O, s:[{s:i, s:{s:s, s:s, s:n}, s:n, s:s}], s:{s:I, s:I, s:I}}",
        "id", id, "object", "chat.completion", "created", (json_int_t)time(NULL), "model",
        json_object_get(body, "model"), "choices", "index", 0, "message", "role", "assistant",
        "content", json_string_value(json_object_get(st, "text")) ?
        json_string_value(json_object_get(st, "text")) : "", "refusal", "logprobs",
        "finish_reason", step_truncated(st) ? "length" : "stop", "usage", "prompt_tokens",
        (json_int_t)tin, "completion_tokens", (json_int_t)tout, "total_tokens",
        (json_int_t)(tin + tout)));
}

/* ---- Ollama native ---- */

static void ollama(struct standin *s, json_t *headers, json_t *body, size_t body_len,
                   struct reply *r)
{
    struct rig_buf tmp = RIG_BUF_INIT;
    json_t *msgs = body ? json_object_get(body, "messages") : NULL;
    json_t *fmt = body ? json_object_get(body, "format") : NULL;
    json_t *st, *stream, *obj;
    const char *auth = hdr(headers, "authorization");
    const char *text;

    if (s->api_key && (!auth || strncmp(auth, "Bearer ", 7) || strcmp(auth + 7, s->api_key))) {
        ollama_error(r, 401, "unauthorized");
        return;
    }
    if (!json_is_object(body)) {
        ollama_error(r, 400, "invalid character in request body");
        return;
    }
    if (!json_is_string(json_object_get(body, "model"))) {
        ollama_error(r, 400, "model is required");
        return;
    }
    if (fmt && !json_is_object(fmt) && !(json_is_string(fmt) &&
                                         !strcmp(json_string_value(fmt), "json"))) {
        ollama_error(r, 400, "invalid format: expected \"json\" or a valid JSON schema");
        return;
    }
    if (!json_is_array(msgs) || json_array_size(msgs) == 0) {
        /* An empty chat only loads the model. */
        reply_json(r, 200, json_pack("{s:O, s:s, s:{s:s, s:s}, s:s, s:b}", "model",
                                     json_object_get(body, "model"), "created_at",
                                     "2025-01-01T00:00:00Z", "message", "role", "assistant",
                                     "content", "", "done_reason", "load", "done", 1));
        return;
    }
    st = pick_step(s, last_user_text(msgs, &tmp));
    rig_buf_release(&tmp);
    if (!st) {
        ollama_error(r, 500, "ai_standin: no script step for this request");
        return;
    }
    if (scripted_special(st, 'l', r))
        return;
    text = json_string_value(json_object_get(st, "text"));
    obj = json_pack("{s:O, s:s, s:{s:s, s:s}, s:b, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "model",
                    json_object_get(body, "model"), "created_at", "2025-01-01T00:00:00Z",
                    "message", "role", "assistant", "content", text ? text : "", "done", 1,
                    "done_reason", step_truncated(st) ? "length" : "stop", "total_duration",
                    (json_int_t)174560334, "load_duration", (json_int_t)101397084,
                    "prompt_eval_count", (json_int_t)step_int(st, "tokens_in",
                                                              (long long)body_len / 4),
                    "prompt_eval_duration", (json_int_t)13074791, "eval_count",
                    (json_int_t)step_int(st, "tokens_out", 20), "eval_duration",
                    (json_int_t)52479709);
    stream = json_object_get(body, "stream");
    if (json_is_false(stream)) {
        reply_json(r, 200, obj);
        return;
    }
    /* Streaming (the default): the content chunk, then the final object. */
    {
        json_t *chunk = json_pack("{s:O, s:s, s:{s:s, s:s}, s:b}", "model",
                                  json_object_get(body, "model"), "created_at",
                                  "2025-01-01T00:00:00Z", "message", "role", "assistant",
                                  "content", text ? text : "", "done", 0);
        char *a = json_dumps(chunk, JSON_COMPACT);
        char *b;

        json_object_set_new(json_object_get(obj, "message"), "content", json_string(""));
        b = json_dumps(obj, JSON_COMPACT);
        r->status = 200;
        r->body = xasprintf("%s\n%s\n", a, b);
        r->ctype = "application/x-ndjson";
        free(a);
        free(b);
        json_decref(chunk);
        json_decref(obj);
    }
}

/* ---- HTTP plumbing ---- */

struct conn {
    struct rig_buf body;
    bool too_big;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    char name[128];
    size_t i;

    (void)kind;
    for (i = 0; key[i] && i + 1 < sizeof(name); i++)
        name[i] = (char)tolower((unsigned char)key[i]);
    name[i] = '\0';
    json_object_set_new(cls, name, json_string(value ? value : ""));
    return MHD_YES;
}

static void log_request(struct standin *s, const char *method, const char *url, json_t *headers,
                        json_t *body, const struct rig_buf *raw)
{
    json_t *line;
    char *txt;

    if (!s->log)
        return;
    line = json_pack("{s:I, s:s, s:s, s:O, s:o}", "seq", (json_int_t)s->seq, "method", method,
                     "path", url, "headers", headers, "body",
                     body ? json_incref(body) : json_stringn(rig_buf_str(raw), raw->len));
    txt = json_dumps(line, JSON_COMPACT);
    if (txt) {
        fprintf(s->log, "%s\n", txt);
        fflush(s->log);
    }
    free(txt);
    json_decref(line);
}

static void route(struct standin *s, const char *method, const char *url, json_t *headers,
                  json_t *body, size_t len, struct reply *r)
{
    bool known = !strcmp(url, "/v1/messages") || !strcmp(url, "/v1/chat/completions") ||
                 !strcmp(url, "/api/chat");

    if (!known) {
        r->status = 404;
        r->body = xstrdup("404 page not found");
        r->ctype = "text/plain";
        return;
    }
    if (strcmp(method, "POST") != 0) {
        r->status = 405;
        r->body = xstrdup("405 method not allowed");
        r->ctype = "text/plain";
        return;
    }
    if (!strcmp(url, "/v1/messages"))
        anthropic(s, headers, body, len, r);
    else if (!strcmp(url, "/v1/chat/completions"))
        openai(s, headers, body, len, r);
    else
        ollama(s, headers, body, len, r);
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct reply *r, struct standin *s)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    const char *k;
    json_t *v;
    char rid[64];

    resp = MHD_create_response_from_buffer(strlen(r->body), r->body, MHD_RESPMEM_MUST_FREE);
    r->body = NULL;
    MHD_add_response_header(resp, "Content-Type", r->ctype);
    snprintf(rid, sizeof(rid), "req_standin_%ld", s->seq);
    MHD_add_response_header(resp, "request-id", rid);
    json_object_foreach(r->headers, k, v) {
        if (json_is_string(v))
            MHD_add_response_header(resp, k, json_string_value(v));
    }
    ret = MHD_queue_response(c, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    struct standin *s = cls;
    struct conn *cn = *con_cls;
    struct reply r = {0};
    json_t *headers, *body;
    enum MHD_Result ret;

    (void)version;
    if (!cn) {
        cn = xcalloc(1, sizeof(*cn));
        rig_buf_init(&cn->body, BODY_MAX);
        *con_cls = cn;
        return MHD_YES;
    }
    if (*upload_size) {
        if (rig_buf_add(&cn->body, upload, *upload_size) < 0)
            cn->too_big = true;
        *upload_size = 0;
        return MHD_YES;
    }
    s->seq++;
    headers = json_object();
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, headers);
    body = json_loadb(rig_buf_str(&cn->body), cn->body.len, 0, NULL);
    log_request(s, method, url, headers, body, &cn->body);
    if (cn->too_big) {
        r.status = 413;
        r.body = xstrdup("{\"error\":\"request too large\"}");
        r.ctype = "application/json";
    } else {
        route(s, method, url, headers, body, cn->body.len, &r);
    }
    ret = send_reply(c, &r, s);
    json_decref(headers);
    json_decref(body);
    return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct conn *cn = *con_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if (cn) {
        rig_buf_release(&cn->body);
        free(cn);
        *con_cls = NULL;
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: ai_standin --script FILE [--port N] [--port-file F] [--log F] "
                    "[--api-key K]\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},   {"port-file", required_argument, NULL, 'f'},
        {"script", required_argument, NULL, 's'}, {"log", required_argument, NULL, 'l'},
        {"api-key", required_argument, NULL, 'k'}, {NULL, 0, NULL, 0},
    };
    struct standin s = {0};
    const char *script = NULL, *port_file = NULL, *log_path = NULL;
    unsigned long port = 0;
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    json_error_t jerr;
    sigset_t sigs;
    int opt, sig;

    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'p': port = strtoul(optarg, NULL, 10); break;
        case 'f': port_file = optarg; break;
        case 's': script = optarg; break;
        case 'l': log_path = optarg; break;
        case 'k': s.api_key = optarg; break;
        default: usage(); return 2;
        }
    }
    if (!script || port > 65535) {
        usage();
        return 2;
    }
    if (!(s.script = json_load_file(script, JSON_REJECT_DUPLICATES, &jerr)) ||
        !json_is_array(s.script)) {
        fprintf(stderr, "ai_standin: %s:%d:%d: %s\n", script, jerr.line, jerr.column,
                s.script ? "the script must be a JSON array of steps" : jerr.text);
        return 2;
    }
    if (log_path && !(s.log = fopen(log_path, "a"))) {
        fprintf(stderr, "ai_standin: %s: %s\n", log_path, strerror(errno));
        return 2;
    }
    /* Block the stop signals before the server thread starts so only sigwait
     * sees them. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port,
                         NULL, NULL, handler, &s, MHD_OPTION_SOCK_ADDR, &sa,
                         MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "ai_standin: cannot listen on 127.0.0.1:%lu\n", port);
        return 1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (port_file && tu_write_port_file(port_file, info->port) < 0) {
        fprintf(stderr, "ai_standin: cannot write %s: %s\n", port_file, strerror(errno));
        MHD_stop_daemon(d);
        return 1;
    }
    printf("listening on %u\n", info->port);
    fflush(stdout);
    while (sigwait(&sigs, &sig) != 0)
        ;
    MHD_stop_daemon(d);
    if (s.log)
        fclose(s.log);
    json_decref(s.script);
    return 0;
}
