/*
 * The AI adapter against local stand-ins: ai_standin (Anthropic, OpenAI and
 * Ollama wire formats) and fake_agent (Claude Code print mode).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"

#include "adapters/ai/ai.h"
#include "core/http.h"
#include "core/log.h"
#include "core/mem.h"

#define KEY "sk-test-key-0123456789"

static const char PLAN_OK[] =
    "{\"plan\": \"1. add greet()\\n2. test it\", \"files_to_change\": [\"src/greet.c\"]}";
static const char CODE_OK[] =
    "{\"summary\": \"add greet\", \"test_notes\": \"make test\", \"files\": [{\"path\": "
    "\"src/greet.c\", \"action\": \"write\", \"content\": \"int greet(void) { return 1; }\\n\"}]}";
static const char INFRA_OK[] =
    "{\"explanation\": \"port 80 is taken\", \"files\": [{\"path\": \"deploy/compose.yaml\", "
    "\"action\": \"edit\", \"edits\": [{\"search\": \"80:80\", \"replace\": \"8080:80\"}]}]}";

struct standin {
    pid_t pid;
    int port;
    char *dir;
    char *log;
};

static void assert_near(double a, double b, double eps)
{
    if (fabs(a - b) > eps)
        fail_msg("%.12f is not %.12f", a, b);
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("\"%s\" does not contain \"%s\"", hay ? hay : "(null)", needle);
}

static char *standin_bin(const char *name)
{
    const char *dir = tu_env("RIG_STANDIN_DIR");

    return tu_path(dir, name);
}

/* Start ai_standin with a script, on an ephemeral port. */
static void standin_start(struct standin *s, const char *script, const char *api_key)
{
    char *bin = standin_bin("ai_standin");
    char *script_path;
    int pfd[2];
    char line[64] = {0};
    FILE *f;

    s->dir = tu_mkdtemp("ai-standin");
    script_path = tu_path(s->dir, "script.json");
    s->log = tu_path(s->dir, "requests.jsonl");
    tu_write_file(script_path, script);
    assert_int_equal(pipe(pfd), 0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        dup2(pfd[1], STDOUT_FILENO);
        close(pfd[0]);
        close(pfd[1]);
        if (api_key)
            execl(bin, bin, "--port", "0", "--script", script_path, "--log", s->log,
                  "--api-key", api_key, (char *)NULL);
        else
            execl(bin, bin, "--port", "0", "--script", script_path, "--log", s->log,
                  (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    f = fdopen(pfd[0], "r");
    assert_non_null(fgets(line, sizeof(line), f));
    fclose(f);
    assert_int_equal(sscanf(line, "listening on %d", &s->port), 1);
    free(bin);
    free(script_path);
}

static void standin_stop(struct standin *s)
{
    int st;

    kill(s->pid, SIGTERM);
    waitpid(s->pid, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    tu_rmtree(s->dir);
    free(s->dir);
    free(s->log);
}

/* The recorded requests, as a JSON array. */
static json_t *requests(const struct standin *s)
{
    json_t *arr = json_array();
    FILE *f = fopen(s->log, "r");
    char *line = NULL;
    size_t cap = 0;

    if (!f)
        return arr;
    while (getline(&line, &cap, f) > 0) {
        json_t *v = json_loads(line, 0, NULL);

        assert_non_null(v);
        json_array_append_new(arr, v);
    }
    free(line);
    fclose(f);
    return arr;
}

static const char *req_str(json_t *reqs, size_t i, const char *pointer_a, const char *key)
{
    json_t *r = json_array_get(reqs, i);

    return json_string_value(json_object_get(json_object_get(r, pointer_a), key));
}

static json_t *req_body(json_t *reqs, size_t i)
{
    return json_object_get(json_array_get(reqs, i), "body");
}

static const char *msg_content(json_t *body, size_t i)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(body, "messages"), i),
                                             "content"));
}

static struct rig_ai *make_ai(enum rig_ai_provider p, const struct standin *s, const char *key,
                              const char *model)
{
    struct rig_ai_opts o;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai *ai;
    char url[64];

    rig_ai_opts_init(&o);
    o.provider = p;
    o.model = model;
    o.api_key = key;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port,
             p == RIG_AI_OPENAI ? "/v1" : "");
    o.endpoint = url;
    o.max_tokens = 2000;
    o.max_http_retries = 2;
    o.retry_base_ms = 1;
    o.retry_max_ms = 5;
    o.timeout_ms = 60000;
    ai = rig_ai_new(&o, &err);
    if (!ai)
        fail_msg("rig_ai_new: %s", err.msg);
    return ai;
}

static char *script1(const char *text, int tin, int tout)
{
    json_t *v = json_pack("[{s:s, s:i, s:i}]", "text", text, "tokens_in", tin, "tokens_out",
                          tout);
    char *s = json_dumps(v, 0);

    json_decref(v);
    return s;
}

static const struct rig_ai_ctx ISSUE_CTX = {
    .issue_title = "Add a greet function",
    .issue_body = "We need greet() returning 1. UNIQUE-ISSUE-BODY-42",
    .issue_number = 7,
    .repo_tree = "src/main.c\n",
};

static void test_anthropic_plan(void **state)
{
    struct standin s;
    struct rig_ai *ai;
    struct rig_ai_usage u = {0};
    struct rig_err err = RIG_ERR_INIT;
    char *plan = NULL, **files = NULL;
    char *script = script1(PLAN_OK, 1000, 500);
    json_t *reqs, *body;

    (void)state;
    standin_start(&s, script, KEY);
    ai = make_ai(RIG_AI_ANTHROPIC, &s, KEY, NULL);
    assert_int_equal(rig_ai_plan(ai, &ISSUE_CTX, &plan, &files, &u, &err), 0);
    assert_string_equal(plan, "1. add greet()\n2. test it\n\nFiles to change:\n- src/greet.c\n");
    assert_string_equal(files[0], "src/greet.c");
    assert_int_equal(u.tokens_in, 1000);
    assert_int_equal(u.tokens_out, 500);
    assert_int_equal(u.calls, 1);
    /* claude-sonnet-4-5 (the default) at $3 / $15 per Mtok. */
    assert_near(u.cost_usd, (1000 * 3.0 + 500 * 15.0) / 1e6, 1e-9);

    reqs = requests(&s);
    assert_int_equal(json_array_size(reqs), 1);
    assert_string_equal(req_str(reqs, 0, "headers", "anthropic-version"), "2023-06-01");
    assert_string_equal(req_str(reqs, 0, "headers", "x-api-key"), KEY);
    assert_string_equal(json_string_value(json_object_get(json_array_get(reqs, 0), "path")),
                        "/v1/messages");
    body = req_body(reqs, 0);
    assert_string_equal(json_string_value(json_object_get(body, "model")), "claude-sonnet-4-5");
    assert_int_equal(json_integer_value(json_object_get(body, "max_tokens")), 2000);
    assert_contains(json_string_value(json_object_get(body, "system")), "files_to_change");
    assert_contains(msg_content(body, 0), "Issue #7: Add a greet function");
    assert_contains(msg_content(body, 0), "UNIQUE-ISSUE-BODY-42");
    assert_null(json_object_get(body, "temperature"));
    json_decref(reqs);

    /* The key is registered as a secret. */
    {
        char *red = rig_redact("key=" KEY);

        assert_string_equal(red, "key=[REDACTED]");
        free(red);
    }
    free(plan);
    rig_strv_free(files);
    rig_ai_free(ai);
    standin_stop(&s);
    free(script);
}

static void test_openai_code(void **state)
{
    struct standin s;
    struct rig_ai *ai;
    struct rig_ai_usage u = {3, 4, 0.5, 1}; /* accumulates onto what is there */
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;
    char *script = script1(CODE_OK, 200, 100);
    struct rig_ai_ctx ctx = ISSUE_CTX;
    const struct rig_ai_file files[] = {{"src/main.c", "int main(void) { return 0; }\n", false}};
    json_t *reqs, *body;

    (void)state;
    ctx.plan = "PLAN-TEXT-XYZ";
    ctx.files = files;
    ctx.nfiles = 1;
    standin_start(&s, script, KEY);
    ai = make_ai(RIG_AI_OPENAI, &s, KEY, "gpt-4o-mini");
    assert_int_equal(rig_ai_code(ai, &ctx, &cs, &u, &err), 0);
    assert_int_equal(cs.nfiles, 1);
    assert_string_equal(cs.files[0].path, "src/greet.c");
    assert_string_equal(cs.files[0].content, "int greet(void) { return 1; }\n");
    assert_string_equal(cs.summary, "add greet");
    assert_string_equal(cs.test_notes, "make test");
    assert_false(cs.agent_edited);
    assert_int_equal(u.tokens_in, 203);
    assert_int_equal(u.tokens_out, 104);
    assert_int_equal(u.calls, 2);
    assert_near(u.cost_usd, 0.5 + (200 * 0.15 + 100 * 0.6) / 1e6, 1e-9);

    reqs = requests(&s);
    assert_int_equal(json_array_size(reqs), 1);
    assert_string_equal(req_str(reqs, 0, "headers", "authorization"), "Bearer " KEY);
    body = req_body(reqs, 0);
    assert_string_equal(json_string_value(json_object_get(body, "model")), "gpt-4o-mini");
    assert_int_equal(json_integer_value(json_object_get(body, "max_completion_tokens")), 2000);
    assert_null(json_object_get(body, "max_tokens"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(body,
                        "response_format"), "type")), "json_object");
    assert_string_equal(json_string_value(json_object_get(json_array_get(
                        json_object_get(body, "messages"), 0), "role")), "system");
    /* The coding step sees the issue text, the plan and the files. */
    assert_contains(msg_content(body, 1), "UNIQUE-ISSUE-BODY-42");
    assert_contains(msg_content(body, 1), "PLAN-TEXT-XYZ");
    assert_contains(msg_content(body, 1), "----- BEGIN FILE src/main.c -----");
    json_decref(reqs);
    rig_ai_changeset_release(&cs);
    rig_ai_free(ai);
    standin_stop(&s);
    free(script);
}

static void test_ollama_fix(void **state)
{
    struct standin s;
    struct rig_ai *ai;
    struct rig_ai_usage u = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;
    char *script = script1(CODE_OK, 26, 298);
    struct rig_ai_ctx ctx = ISSUE_CTX;
    json_t *reqs, *body;

    (void)state;
    ctx.failure_log = "FAIL: test_greet expected 1 got 0";
    ctx.previous_changes = "attempt 1 wrote src/greet.c";
    ctx.attempt = 2;
    standin_start(&s, script, NULL);
    ai = make_ai(RIG_AI_OLLAMA, &s, NULL, "llama3.2");
    assert_int_equal(rig_ai_fix(ai, &ctx, &cs, &u, &err), 0);
    assert_int_equal(cs.nfiles, 1);
    assert_int_equal(u.tokens_in, 26);
    assert_int_equal(u.tokens_out, 298);
    assert_true(u.cost_usd == 0.0);
    reqs = requests(&s);
    body = req_body(reqs, 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(reqs, 0), "path")),
                        "/api/chat");
    assert_true(json_is_false(json_object_get(body, "stream")));
    assert_string_equal(json_string_value(json_object_get(body, "format")), "json");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(body, "options"),
                                                        "num_predict")), 2000);
    assert_null(req_str(reqs, 0, "headers", "authorization"));
    assert_contains(msg_content(body, 1), "FAIL: test_greet expected 1 got 0");
    assert_contains(msg_content(body, 1), "self-heal attempt 2");
    assert_contains(msg_content(body, 1), "attempt 1 wrote src/greet.c");
    json_decref(reqs);
    rig_ai_changeset_release(&cs);
    rig_ai_free(ai);
    standin_stop(&s);
    free(script);
}

static void test_ollama_openai_infra(void **state)
{
    struct standin s;
    struct rig_ai *ai;
    struct rig_ai_usage u = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_proposal p;
    char *script = script1(INFRA_OK, 50, 60);
    struct rig_ai_ctx ctx = {0};
    const struct rig_ai_file infra[] = {
        {"deploy/compose.yaml", "ports: [\"80:80\"]\n", false},
        {"deploy/prod.env", "DB=x\n", true},
    };
    json_t *reqs, *body;

    (void)state;
    ctx.deploy_log = "Error: bind: address already in use";
    ctx.infra_files = infra;
    ctx.ninfra_files = 2;
    standin_start(&s, script, NULL);
    ai = make_ai(RIG_AI_OLLAMA_OPENAI, &s, NULL, "qwen2.5-coder");
    assert_int_equal(rig_ai_infra(ai, &ctx, &p, &u, &err), 0);
    assert_string_equal(p.explanation, "port 80 is taken");
    assert_int_equal(p.nfiles, 1);
    assert_int_equal(p.files[0].action, RIG_AI_EDIT);
    assert_string_equal(p.files[0].edits[0].replace, "8080:80");
    assert_int_equal(u.tokens_in, 50);
    reqs = requests(&s);
    body = req_body(reqs, 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(reqs, 0), "path")),
                        "/v1/chat/completions");
    assert_int_equal(json_integer_value(json_object_get(body, "max_tokens")), 2000);
    assert_null(json_object_get(body, "max_completion_tokens"));
    assert_contains(msg_content(body, 1), "----- BEGIN FILE deploy/prod.env (read-only) -----");
    assert_contains(msg_content(body, 1), "address already in use");
    json_decref(reqs);
    rig_ai_proposal_release(&p);
    rig_ai_free(ai);
    standin_stop(&s);
    free(script);
}

static void retry_then_success(int status, enum rig_ai_provider prov)
{
    struct standin s;
    struct rig_ai *ai;
    struct rig_ai_usage u = {0};
    struct rig_err err = RIG_ERR_INIT;
    char *plan = NULL;
    json_t *sc = json_pack("[{s:i, s:{s:s}}, {s:s, s:i, s:i}]", "status", status, "headers",
                           "retry-after", "0", "text", PLAN_OK, "tokens_in", 10, "tokens_out", 5);
    char *script = json_dumps(sc, 0);
    json_t *reqs;

    standin_start(&s, script, KEY);
    ai = make_ai(prov, &s, KEY, NULL);
    assert_int_equal(rig_ai_plan(ai, &ISSUE_CTX, &plan, NULL, &u, &err), 0);
    assert_non_null(plan);
    assert_int_equal(u.calls, 1);
    assert_int_equal(u.tokens_in, 10);
    reqs = requests(&s);
    assert_int_equal(json_array_size(reqs), 2);
    json_decref(reqs);
    free(plan);
    rig_ai_free(ai);
    standin_stop(&s);
    free(script);
    json_decref(sc);
}

static void test_429_then_success(void **state)
{
    (void)state;
    retry_then_success(429, RIG_AI_ANTHROPIC);
    retry_then_success(429, RIG_AI_OPENAI);
}

static void test_529_then_success(void **state)
{
    (void)state;
    retry_then_success(529, RIG_AI_ANTHROPIC);
}

static void test_api_errors(void **state)
{
    struct standin s;
    struct rig_ai *ai;
    struct rig_err err = RIG_ERR_INIT;
    char *plan = NULL;
    json_t *reqs;

    (void)state;
    /* Retries exhausted: the provider's error, mapped. */
    standin_start(&s, "[{\"status\": 529}]", KEY);
    ai = make_ai(RIG_AI_ANTHROPIC, &s, KEY, NULL);
    assert_int_equal(rig_ai_plan(ai, &ISSUE_CTX, &plan, NULL, NULL, &err), -1);
    assert_int_equal(err.code, RIG_EIO);
    assert_contains(err.msg, "anthropic: 529 overloaded_error: Overloaded");
    reqs = requests(&s);
    assert_int_equal(json_array_size(reqs), 3); /* 1 + max_http_retries */
    json_decref(reqs);
    rig_ai_free(ai);

    /* Wrong key: 401 in Anthropic's shape, with a hint, no retry. */
    rig_err_clear(&err);
    ai = make_ai(RIG_AI_ANTHROPIC, &s, "sk-wrong-key-999", NULL);
    assert_int_equal(rig_ai_plan(ai, &ISSUE_CTX, &plan, NULL, NULL, &err), -1);
    assert_int_equal(err.code, RIG_ECONFIG);
    assert_contains(err.msg, "anthropic: 401 authentication_error: invalid x-api-key");
    assert_contains(err.msg, "ANTHROPIC_API_KEY");
    assert_null(strstr(err.msg, "sk-wrong-key-999"));
    rig_ai_free(ai);

    rig_err_clear(&err);
    ai = make_ai(RIG_AI_OPENAI, &s, "sk-wrong-key-999", NULL);
    assert_int_equal(rig_ai_plan(ai, &ISSUE_CTX, &plan, NULL, NULL, &err), -1);
    assert_contains(err.msg, "openai: 401 invalid_api_key: Incorrect API key provided");
    rig_ai_free(ai);
    standin_stop(&s);

    standin_start(&s, "[{\"status\": 429}]", NULL);
    rig_err_clear(&err);
    ai = make_ai(RIG_AI_OPENAI, &s, KEY, NULL);
    assert_int_equal(rig_ai_plan(ai, &ISSUE_CTX, &plan, NULL, NULL, &err), -1);
    assert_contains(err.msg, "openai: 429 rate_limit_exceeded: Rate limit reached for requests");
    rig_ai_free(ai);
    rig_err_clear(&err);
    ai = make_ai(RIG_AI_OLLAMA, &s, NULL, "llama3.2");
    assert_int_equal(rig_ai_plan(ai, &ISSUE_CTX, &plan, NULL, NULL, &err), -1);
    assert_contains(err.msg, "ollama: 429: rate limit exceeded");
    rig_ai_free(ai);
    standin_stop(&s);
    assert_null(plan);
}

static void test_malformed_then_repaired(void **state)
{
    struct standin s;
    struct rig_ai *ai;
    struct rig_ai_usage u = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;
    json_t *sc = json_pack("[{s:s, s:i, s:i}, {s:s, s:i, s:i}]", "text",
                           "Sure! Here it is: {\"summary\": \"x\", \"files\": [{\"path\": 3}]}",
                           "tokens_in", 100, "tokens_out", 10, "text", CODE_OK, "tokens_in", 150,
                           "tokens_out", 40);
    char *script = json_dumps(sc, 0);
    struct rig_ai_ctx ctx = ISSUE_CTX;
    json_t *reqs, *body;

    (void)state;
    ctx.plan = "p";
    standin_start(&s, script, KEY);
    ai = make_ai(RIG_AI_ANTHROPIC, &s, KEY, NULL);
    assert_int_equal(rig_ai_code(ai, &ctx, &cs, &u, &err), 0);
    assert_int_equal(cs.nfiles, 1);
    assert_int_equal(u.calls, 2);
    assert_int_equal(u.tokens_in, 250);
    assert_int_equal(u.tokens_out, 50);
    reqs = requests(&s);
    assert_int_equal(json_array_size(reqs), 2);
    body = req_body(reqs, 1);
    /* The repair request carries the conversation: question, bad answer, problem. */
    assert_int_equal(json_array_size(json_object_get(body, "messages")), 3);
    assert_contains(msg_content(body, 0), "UNIQUE-ISSUE-BODY-42");
    assert_contains(msg_content(body, 1), "Sure! Here it is");
    assert_contains(msg_content(body, 2), "\"files[0].path\" must be a string, not an integer");
    json_decref(reqs);
    rig_ai_changeset_release(&cs);
    rig_ai_free(ai);
    standin_stop(&s);
    free(script);
    json_decref(sc);
}

static void test_truncated_then_repaired(void **state)
{
    struct standin s;
    struct rig_ai *ai;
    struct rig_ai_usage u = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;
    json_t *sc = json_pack("[{s:s, s:s}, {s:s}]", "text",
                           "{\"summary\": \"x\", \"files\": [{\"path\": \"a.c\", "
                           "\"content\": \"int",
                           "stop", "max_tokens", "text", CODE_OK);
    char *script = json_dumps(sc, 0);
    json_t *reqs;

    (void)state;
    standin_start(&s, script, KEY);
    ai = make_ai(RIG_AI_OPENAI, &s, KEY, NULL);
    assert_int_equal(rig_ai_fix(ai, &(struct rig_ai_ctx){.failure_log = "boom"}, &cs, &u, &err),
                     0);
    assert_int_equal(u.calls, 2);
    reqs = requests(&s);
    assert_contains(msg_content(req_body(reqs, 1), 3), "cut off at the output limit (2000 tokens)");
    json_decref(reqs);
    rig_ai_changeset_release(&cs);
    rig_ai_free(ai);
    standin_stop(&s);
    free(script);
    json_decref(sc);
}

static void test_malformed_twice(void **state)
{
    struct standin s;
    struct rig_ai *ai;
    struct rig_ai_usage u = {0};
    struct rig_err err = RIG_ERR_INIT;
    char *plan = NULL;
    json_t *reqs;

    (void)state;
    standin_start(&s,
                  "[{\"text\": \"{\\\"plan\\\": \\\"a\\\",\\n \\\"files_to_change\\\": [,]}\"}]",
                  NULL);
    ai = make_ai(RIG_AI_OLLAMA, &s, NULL, "llama3.2");
    assert_int_equal(rig_ai_plan(ai, &ISSUE_CTX, &plan, NULL, &u, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    assert_contains(err.msg, "AI plan step: AI answer is not valid JSON after one repair "
                             "attempt (ollama model llama3.2): answer line 2:");
    assert_null(plan);
    assert_int_equal(u.calls, 2);
    reqs = requests(&s);
    assert_int_equal(json_array_size(reqs), 2);
    json_decref(reqs);
    rig_ai_free(ai);
    standin_stop(&s);

    /* Valid JSON, wrong schema, twice. */
    standin_start(&s, "[{\"text\": \"{\\\"plan\\\": 3}\"}]", NULL);
    ai = make_ai(RIG_AI_OLLAMA, &s, NULL, "llama3.2");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_plan(ai, &ISSUE_CTX, &plan, NULL, &u, &err), -1);
    assert_contains(err.msg, "AI answer does not follow the protocol after one repair attempt "
                             "(ollama model llama3.2): \"plan\" must be a string, not an integer");
    rig_ai_free(ai);
    standin_stop(&s);
}

static void test_budget(void **state)
{
    struct standin s;
    struct rig_ai *ai;
    struct rig_ai_usage u = {0};
    struct rig_err err = RIG_ERR_INIT;
    char *plan = NULL;
    struct rig_ai_budget b = {.max_tokens = 2100};
    struct rig_ai_ctx ctx = ISSUE_CTX;
    json_t *reqs;
    char *script = script1(PLAN_OK, 10, 10);

    (void)state;
    ctx.budget = &b;
    standin_start(&s, script, KEY);
    ai = make_ai(RIG_AI_ANTHROPIC, &s, KEY, NULL);
    /* Prompt estimate + 2000 output tokens exceed 2100: nothing is sent. */
    assert_int_equal(rig_ai_plan(ai, &ctx, &plan, NULL, &u, &err), -1);
    assert_int_equal(err.code, RIG_EBUDGET);
    assert_contains(err.msg, "budget exceeded: ");
    assert_int_equal(u.calls, 0);
    reqs = requests(&s);
    assert_int_equal(json_array_size(reqs), 0);
    json_decref(reqs);

    /* USD: $0.99 already spent of $1, the next request may cost more. */
    b.max_tokens = 0;
    b.max_usd = 1.0;
    u.cost_usd = 0.99;
    rig_err_clear(&err);
    assert_int_equal(rig_ai_plan(ai, &ctx, &plan, NULL, &u, &err), -1);
    assert_int_equal(err.code, RIG_EBUDGET);
    assert_contains(err.msg, "budget exceeded: $0.9900 spent");

    /* Within budget: the call goes through. */
    b.max_usd = 5.0;
    assert_int_equal(rig_ai_plan(ai, &ctx, &plan, NULL, &u, &err), 0);
    free(plan);
    rig_ai_free(ai);
    standin_stop(&s);
    free(script);
}

struct agent_env {
    char *dir;
    char *ws;
    char *script;
    char *log;
};

static void agent_setup(struct agent_env *e, const char *script)
{
    e->dir = tu_mkdtemp("ai-agent");
    e->ws = tu_path(e->dir, "ws");
    e->script = tu_path(e->dir, "agent.json");
    e->log = tu_path(e->dir, "agent.jsonl");
    assert_int_equal(mkdir(e->ws, 0755), 0);
    tu_write_file(e->script, script);
    setenv("FAKE_AGENT_SCRIPT", e->script, 1);
    setenv("FAKE_AGENT_LOG", e->log, 1);
}

static void agent_teardown(struct agent_env *e)
{
    unsetenv("FAKE_AGENT_SCRIPT");
    unsetenv("FAKE_AGENT_LOG");
    tu_rmtree(e->dir);
    free(e->dir);
    free(e->ws);
    free(e->script);
    free(e->log);
}

static struct rig_ai *make_agent(const char *model)
{
    struct rig_ai_opts o;
    struct rig_err err = RIG_ERR_INIT;
    char *bin = standin_bin("fake_agent");
    struct rig_ai *ai;

    rig_ai_opts_init(&o);
    o.provider = RIG_AI_CLAUDE_CODE;
    o.claude_bin = bin;
    o.model = model;
    o.max_turns = 12;
    ai = rig_ai_new(&o, &err);
    free(bin);
    if (!ai)
        fail_msg("rig_ai_new: %s", err.msg);
    return ai;
}

static json_t *agent_runs(const struct agent_env *e)
{
    json_t *arr = json_array();
    char *text = tu_read_file(e->log);
    char *save = NULL;

    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        json_array_append_new(arr, json_loads(l, 0, NULL));
    free(text);
    return arr;
}

static bool argv_has(json_t *run, const char *a, const char *b)
{
    json_t *argv = json_object_get(run, "argv");

    for (size_t i = 0; i + 1 < json_array_size(argv); i++) {
        if (!strcmp(json_string_value(json_array_get(argv, i)), a) &&
            (!b || !strcmp(json_string_value(json_array_get(argv, i + 1)), b)))
            return true;
    }
    return false;
}

static void test_agent_code(void **state)
{
    struct agent_env e;
    struct rig_ai *ai;
    struct rig_ai_usage u = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;
    struct rig_ai_ctx ctx = ISSUE_CTX;
    json_t *runs, *run;
    char *p, *content;
    char real[4096];

    (void)state;
    agent_setup(&e, "[{\"edits\": [{\"path\": \"src/greet.c\", \"content\": \"int g;\\n\"}], "
                    "\"result\": \"Added greet in src/greet.c\", \"cost\": 0.0421, "
                    "\"tokens_in\": 1200, \"tokens_out\": 300}]");
    ctx.plan = "write src/greet.c";
    ctx.workspace = e.ws;
    ai = make_agent("sonnet");
    assert_true(rig_ai_is_agent(ai));
    assert_int_equal(rig_ai_code(ai, &ctx, &cs, &u, &err), 0);
    assert_true(cs.agent_edited);
    assert_int_equal(cs.nfiles, 0);
    assert_string_equal(cs.summary, "Added greet in src/greet.c");
    assert_int_equal(u.calls, 1);
    assert_int_equal(u.tokens_in, 1200);
    assert_int_equal(u.tokens_out, 300);
    assert_near(u.cost_usd, 0.0421, 1e-9); /* the CLI's own figure */
    p = tu_path(e.ws, "src/greet.c");
    content = tu_read_file(p);
    assert_string_equal(content, "int g;\n");
    runs = agent_runs(&e);
    run = json_array_get(runs, 0);
    assert_true(argv_has(run, "-p", NULL));
    assert_true(argv_has(run, "--output-format", "json"));
    assert_true(argv_has(run, "--max-turns", "12"));
    assert_true(argv_has(run, "--permission-mode", "acceptEdits"));
    assert_true(argv_has(run, "--model", "sonnet"));
    assert_non_null(realpath(e.ws, real));
    assert_string_equal(json_string_value(json_object_get(run, "cwd")), real);
    assert_contains(json_string_value(json_object_get(run, "prompt")), "UNIQUE-ISSUE-BODY-42");
    assert_contains(json_string_value(json_object_get(run, "prompt")), "write src/greet.c");
    json_decref(runs);
    free(p);
    free(content);
    rig_ai_changeset_release(&cs);
    rig_ai_free(ai);
    agent_teardown(&e);
}

static void test_agent_readonly_plan(void **state)
{
    struct agent_env e;
    struct rig_ai *ai;
    struct rig_ai_usage u = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_ctx ctx = ISSUE_CTX;
    char *plan = NULL, *p;
    json_t *runs, *sc;
    char *script;

    (void)state;
    /* The agent tries to write during planning: print mode in "default"
     * permission mode denies it. Its answer is fenced JSON. */
    sc = json_pack("[{s:[{s:s, s:s}], s:s, s:f}]", "edits", "path", "sneaky.txt", "content", "x",
                   "result", "```json\n{\"plan\": \"do it\"}\n```", "cost", 0.01);
    script = json_dumps(sc, 0);
    agent_setup(&e, script);
    ctx.workspace = e.ws;
    ai = make_agent(NULL);
    assert_int_equal(rig_ai_plan(ai, &ctx, &plan, NULL, &u, &err), 0);
    assert_string_equal(plan, "do it");
    p = tu_path(e.ws, "sneaky.txt");
    assert_int_equal(access(p, F_OK), -1);
    runs = agent_runs(&e);
    assert_true(argv_has(json_array_get(runs, 0), "--permission-mode", "default"));
    assert_false(argv_has(json_array_get(runs, 0), "--model", NULL));
    assert_int_equal(json_array_size(json_object_get(json_array_get(runs, 0), "denied")), 1);
    json_decref(runs);
    free(p);
    free(plan);
    rig_ai_free(ai);
    agent_teardown(&e);
    free(script);
    json_decref(sc);
}

static void test_agent_errors(void **state)
{
    struct agent_env e;
    struct rig_ai *ai;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;
    struct rig_ai_usage u = {0};
    struct rig_ai_ctx ctx = ISSUE_CTX;

    (void)state;
    agent_setup(&e, "[{\"match\": \"UNIQUE-ISSUE\", \"is_error\": true, \"result\": \"API Error: "
                    "529 overloaded\", \"cost\": 0.002}]");
    ctx.plan = "p";
    ctx.workspace = e.ws;
    ai = make_agent(NULL);
    assert_int_equal(rig_ai_code(ai, &ctx, &cs, &u, &err), -1);
    assert_contains(err.msg, "claude-code: the agent reported an error (is_error): API Error: 529");
    assert_near(u.cost_usd, 0.002, 1e-9); /* still accounted */
    rig_ai_changeset_release(&cs);

    /* Agents must have a workspace to edit. */
    ctx.workspace = NULL;
    rig_err_clear(&err);
    assert_int_equal(rig_ai_code(ai, &ctx, &cs, &u, &err), -1);
    assert_contains(err.msg, "claude-code needs the workspace directory");
    rig_ai_free(ai);
    agent_teardown(&e);

    agent_setup(&e, "[{\"subtype\": \"error_max_turns\", \"result\": \"\"}]");
    ctx.workspace = e.ws;
    ai = make_agent(NULL);
    rig_err_clear(&err);
    assert_int_equal(rig_ai_code(ai, &ctx, &cs, &u, &err), -1);
    assert_contains(err.msg, "stopped at --max-turns 12");
    rig_ai_free(ai);
    agent_teardown(&e);
}

static struct rig_ai *make_command(const char *cmd, bool edits)
{
    struct rig_ai_opts o;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai *ai;

    rig_ai_opts_init(&o);
    o.provider = RIG_AI_COMMAND;
    o.command = cmd;
    o.command_edits = edits;
    ai = rig_ai_new(&o, &err);
    if (!ai)
        fail_msg("rig_ai_new: %s", err.msg);
    return ai;
}

static void test_command_provider(void **state)
{
    char *ws = tu_mkdtemp("ai-cmd");
    char *cmd, *answer_path, *prompt_path, *prompt, *p;
    struct rig_ai *ai;
    struct rig_ai_changeset cs;
    struct rig_ai_usage u = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_ctx ctx = ISSUE_CTX;

    (void)state;
    ctx.plan = "p";
    ctx.workspace = ws;
    answer_path = tu_path(ws, "answer.json");
    tu_write_file(answer_path, CODE_OK);
    /* JSON mode: stdout is the answer; the prompt arrives on stdin. */
    cmd = xasprintf("cat > prompt.txt; echo \"op=$RIG_AI_OPERATION\" >&2; cat answer.json");
    ai = make_command(cmd, false);
    assert_false(rig_ai_is_agent(ai));
    assert_int_equal(rig_ai_code(ai, &ctx, &cs, &u, &err), 0);
    assert_int_equal(cs.nfiles, 1);
    assert_int_equal(u.calls, 1);
    prompt_path = tu_path(ws, "prompt.txt");
    prompt = tu_read_file(prompt_path);
    assert_contains(prompt, "UNIQUE-ISSUE-BODY-42");
    assert_contains(prompt, "\"files\"");
    rig_ai_changeset_release(&cs);
    rig_ai_free(ai);
    free(cmd);

    /* A failing command: its exit status and stderr tail explain it. */
    ai = make_command("echo 'model not loaded' >&2; exit 3", false);
    assert_int_equal(rig_ai_code(ai, &ctx, &cs, &u, &err), -1);
    assert_contains(err.msg, "exit status 3");
    assert_contains(err.msg, "model not loaded");
    rig_ai_free(ai);

    /* Editing mode: the command changes the workspace, stdout is a summary. */
    ai = make_command("test \"$RIG_AI_EDITS\" = 1 && echo 'int y;' > edited.c && "
                      "echo 'edited one file'", true);
    assert_true(rig_ai_is_agent(ai));
    assert_int_equal(rig_ai_fix(ai, &(struct rig_ai_ctx){.failure_log = "x", .workspace = ws},
                                &cs, &u, &err), 0);
    assert_true(cs.agent_edited);
    assert_string_equal(cs.summary, "edited one file");
    p = tu_path(ws, "edited.c");
    free(prompt);
    prompt = tu_read_file(p);
    assert_string_equal(prompt, "int y;\n");
    rig_ai_changeset_release(&cs);
    rig_ai_free(ai);

    tu_rmtree(ws);
    free(ws);
    free(p);
    free(prompt);
    free(prompt_path);
    free(answer_path);
}

static void test_options(void **state)
{
    struct rig_ai_opts o;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai *ai;
    double in, out;
    enum rig_ai_provider p;

    (void)state;
    rig_ai_opts_init(&o);
    o.provider = RIG_AI_OLLAMA;
    assert_null(rig_ai_new(&o, &err));
    assert_contains(err.msg, "needs ai.model");

    unsetenv("ANTHROPIC_API_KEY");
    rig_ai_opts_init(&o);
    o.provider = RIG_AI_ANTHROPIC;
    assert_null(rig_ai_new(&o, &err));
    assert_contains(err.msg, "ANTHROPIC_API_KEY");

    o.api_key = "k";
    o.endpoint = "ftp://example";
    assert_null(rig_ai_new(&o, &err));
    assert_contains(err.msg, "must start with http:// or https://");

    rig_ai_opts_init(&o);
    o.provider = RIG_AI_COMMAND;
    assert_null(rig_ai_new(&o, &err));
    assert_contains(err.msg, "needs ai.command");

    /* OLLAMA_API_ENDPOINT as the Go version used it: a full URL. */
    setenv("OLLAMA_API_ENDPOINT", "http://127.0.0.1:1/v1/chat/completions", 1);
    rig_ai_opts_init(&o);
    o.provider = RIG_AI_OLLAMA;
    o.model = "llama3.2";
    o.max_http_retries = 0;
    ai = rig_ai_new(&o, &err);
    assert_non_null(ai);
    assert_string_equal(rig_ai_model(ai), "llama3.2");
    {
        char *plan = NULL;

        rig_err_clear(&err);
        assert_int_equal(rig_ai_plan(ai, &ISSUE_CTX, &plan, NULL, NULL, &err), -1);
        assert_contains(err.msg, "127.0.0.1:1/api/chat");
        assert_contains(err.msg, "is Ollama running?");
    }
    rig_ai_free(ai);
    unsetenv("OLLAMA_API_ENDPOINT");

    assert_true(rig_ai_price_lookup("claude-sonnet-4-5-20250929", &in, &out));
    assert_true(in == 3.0 && out == 15.0);
    assert_true(rig_ai_price_lookup("gpt-4o-mini-2024-07-18", &in, &out));
    assert_true(in == 0.15);
    assert_false(rig_ai_price_lookup("my-local-model", &in, &out));
    assert_int_equal(rig_ai_provider_parse("ollama-openai", &p), 0);
    assert_int_equal(p, RIG_AI_OLLAMA_OPENAI);
    assert_int_equal(rig_ai_provider_parse("gemini", &p), -1);
    assert_string_equal(rig_ai_provider_name(RIG_AI_CLAUDE_CODE), "claude-code");
}

static int setup(void **state)
{
    (void)state;
    rig_log_setup(RIG_LOG_ERROR, RIG_LOG_TEXT, stderr);
    return rig_http_global_init();
}

static int teardown(void **state)
{
    (void)state;
    rig_http_global_cleanup();
    rig_secret_clear();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anthropic_plan),
        cmocka_unit_test(test_openai_code),
        cmocka_unit_test(test_ollama_fix),
        cmocka_unit_test(test_ollama_openai_infra),
        cmocka_unit_test(test_429_then_success),
        cmocka_unit_test(test_529_then_success),
        cmocka_unit_test(test_api_errors),
        cmocka_unit_test(test_malformed_then_repaired),
        cmocka_unit_test(test_truncated_then_repaired),
        cmocka_unit_test(test_malformed_twice),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_agent_code),
        cmocka_unit_test(test_agent_readonly_plan),
        cmocka_unit_test(test_agent_errors),
        cmocka_unit_test(test_command_provider),
        cmocka_unit_test(test_options),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
