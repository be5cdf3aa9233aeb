/*
 * Drives `$SPECGATE_BIN mcp` over pipes as an MCP client would: the
 * lifecycle for both protocol versions, tools/list, every tool, tool input
 * errors (isError) and protocol errors (-32601, -32700, -32600, -32602).
 */
#include "testutil.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "core/mem.h"

struct server {
    pid_t pid;
    FILE *to;   /* its stdin */
    FILE *from; /* its stdout */
};

static char *workspace;

static int setup(void **state)
{
    const char *src = getenv("RIG_SOURCE_DIR");
    char *fx;

    (void)state;
    if (!src || !getenv("SPECGATE_BIN"))
        return -1;
    workspace = tu_mkdtemp("sg-mcp");
    fx = tu_fixture("");
    if (tu_sh(NULL, "cp '%s/tests/gate/rules-sample.json' '%s/rules.json' && "
                    "cp '%s/semgrep/semgrep-1.154.0-juice-shop-before-fix.json' '%s/sg.json' && "
                    "mkdir -p '%s/reports' && cp '%s/junit-archunit/failing-layered-maven-junit4/"
                    "TEST-LayeredArchitectureTest.xml' '%s/reports/'",
              src, workspace, fx, workspace, workspace, fx, workspace) != 0)
        return -1;
    free(fx);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(workspace);
    free(workspace);
    return 0;
}

static void start(struct server *s)
{
    int in[2], out[2];

    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        if (chdir(workspace) != 0)
            _exit(127);
        execl(getenv("SPECGATE_BIN"), "specgate", "mcp", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->to = fdopen(in[1], "w");
    s->from = fdopen(out[0], "r");
}

/* Close its input: the server must exit 0 at end of input. */
static void stop(struct server *s)
{
    int st;

    fclose(s->to);
    assert_int_equal(waitpid(s->pid, &st, 0), s->pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    fclose(s->from);
}

static void send_line(struct server *s, const char *line)
{
    fputs(line, s->to);
    fputc('\n', s->to);
    fflush(s->to);
}

static json_t *read_reply(struct server *s)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, s->from);
    json_t *j;

    assert_true(n > 0);
    assert_int_equal(line[n - 1], '\n');
    assert_null(memchr(line, '\n', (size_t)n - 1)); /* one message per line */
    j = json_loads(line, 0, NULL);
    free(line);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "jsonrpc")), "2.0");
    return j;
}

static json_t *request(struct server *s, const char *line)
{
    send_line(s, line);
    return read_reply(s);
}

static long long error_code(const json_t *reply)
{
    return json_integer_value(json_object_get(json_object_get(reply, "error"), "code"));
}

static void initialize(struct server *s, const char *version, const char *expect)
{
    char *line = xasprintf("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                           "{\"protocolVersion\":\"%s\",\"capabilities\":{},\"clientInfo\":"
                           "{\"name\":\"test\",\"version\":\"1\"}}}", version);
    json_t *r = request(s, line), *res = json_object_get(r, "result");

    assert_int_equal(json_integer_value(json_object_get(r, "id")), 1);
    assert_string_equal(json_string_value(json_object_get(res, "protocolVersion")), expect);
    assert_string_equal(json_string_value(json_object_get(json_object_get(res, "serverInfo"),
                                                          "name")), "specgate");
    assert_true(json_is_object(json_object_get(json_object_get(res, "capabilities"), "tools")));
    json_decref(r);
    free(line);
    send_line(s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
}

static void test_lifecycle_both_versions(void **state)
{
    static const char *const cases[][2] = {{"2025-06-18", "2025-06-18"},
                                           {"2025-11-25", "2025-11-25"},
                                           {"2024-11-05", "2025-11-25"}};
    struct server s;
    json_t *r;

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        start(&s);
        /* Before initialize: ping works, other requests are refused. */
        r = request(&s, "{\"jsonrpc\":\"2.0\",\"id\":\"p0\",\"method\":\"ping\"}");
        assert_string_equal(json_string_value(json_object_get(r, "id")), "p0");
        assert_true(json_is_object(json_object_get(r, "result")));
        json_decref(r);
        r = request(&s, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"tools/list\"}");
        assert_int_equal(error_code(r), -32600);
        json_decref(r);
        initialize(&s, cases[i][0], cases[i][1]);
        r = request(&s, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
        assert_int_equal(json_object_size(json_object_get(r, "result")), 0);
        json_decref(r);
        stop(&s);
    }
}

static void test_tools_list(void **state)
{
    static const char *const names[] = {"tests_generate", "drift_score", "github_comment",
                                        "workflow_generate"};
    struct server s;
    json_t *r, *tools, *t;
    size_t i;

    (void)state;
    start(&s);
    initialize(&s, "2025-11-25", "2025-11-25");
    r = request(&s, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\",\"params\":{}}");
    tools = json_object_get(json_object_get(r, "result"), "tools");
    assert_int_equal(json_array_size(tools), 4);
    json_array_foreach(tools, i, t) {
        json_t *in = json_object_get(t, "inputSchema"), *out = json_object_get(t, "outputSchema");

        assert_string_equal(json_string_value(json_object_get(t, "name")), names[i]);
        assert_string_equal(json_string_value(json_object_get(in, "type")), "object");
        assert_true(json_is_object(json_object_get(in, "properties")));
        assert_string_equal(json_string_value(json_object_get(out, "type")), "object");
        assert_true(json_is_string(json_object_get(t, "description")));
    }
    json_decref(r);
    stop(&s);
}

static json_t *call(struct server *s, int id, const char *name, const char *args)
{
    char *line = xasprintf("{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":"
                           "{\"name\":\"%s\",\"arguments\":%s}}", id, name, args);
    json_t *r = request(s, line);

    free(line);
    assert_int_equal(json_integer_value(json_object_get(r, "id")), id);
    return r;
}

/* A successful call: structuredContent and the same JSON as a text block. */
static json_t *ok_result(json_t *r)
{
    json_t *res = json_object_get(r, "result");
    json_t *text = json_object_get(json_array_get(json_object_get(res, "content"), 0), "text");
    json_t *again;

    if (!json_is_false(json_object_get(res, "isError")))
        fail_msg("tool failed: %s", json_string_value(text));
    assert_true(json_is_object(json_object_get(res, "structuredContent")));
    again = json_loads(json_string_value(text), 0, NULL);
    assert_true(json_equal(again, json_object_get(res, "structuredContent")));
    json_decref(again);
    return json_object_get(res, "structuredContent");
}

static const char *tool_error(json_t *r)
{
    json_t *res = json_object_get(r, "result");

    assert_true(json_is_true(json_object_get(res, "isError")));
    return json_string_value(
        json_object_get(json_array_get(json_object_get(res, "content"), 0), "text"));
}

static void test_each_tool(void **state)
{
    struct server s;
    json_t *r, *sc, *f;
    char *path, *text, *args;
    size_t i;
    bool has_semgrep = false;

    (void)state;
    start(&s);
    initialize(&s, "2025-06-18", "2025-06-18");

    r = call(&s, 10, "drift_score", "{\"rules\":\"rules.json\",\"semgrep\":[\"sg.json\"],"
                                    "\"junit\":[\"reports\"],\"out\":\"drift-score.json\"}");
    sc = ok_result(r);
    assert_int_equal(json_integer_value(json_object_get(sc, "total_score")), 100);
    assert_string_equal(json_string_value(json_object_get(sc, "status")), "FAIL");
    assert_int_equal(json_array_size(json_object_get(sc, "inputs")), 2);
    path = tu_path(workspace, "drift-score.json");
    text = tu_read_file(path);
    assert_non_null(strstr(text, "\"total_score\": 100"));
    free(text);
    free(path);
    /* The same score passed inline to github_comment, in Korean. */
    args = xasprintf("{\"rules\":\"rules.json\",\"lang\":\"ko\",\"repo\":\"acme/shop\","
                     "\"sha\":\"abc\",\"max_cards\":3,\"score_json\":%s}",
                     text = json_dumps(sc, JSON_COMPACT));
    free(text);
    json_decref(r);
    r = call(&s, 11, "github_comment", args);
    free(args);
    sc = ok_result(r);
    assert_non_null(strstr(json_string_value(json_object_get(sc, "markdown")),
                           "<!-- specgate:drift-radar -->"));
    assert_non_null(strstr(json_string_value(json_object_get(sc, "markdown")), "### 📈 영역별 점수"));
    assert_int_equal(json_integer_value(json_object_get(sc, "total_score")), 100);
    json_decref(r);
    r = call(&s, 12, "github_comment", "{\"rules\":\"rules.json\",\"score\":\"drift-score.json\"}");
    sc = ok_result(r);
    assert_non_null(strstr(json_string_value(json_object_get(sc, "markdown")), "Drift Score: 100/100"));
    json_decref(r);

    r = call(&s, 13, "tests_generate", "{\"rules\":\"rules.json\",\"out_dir\":\"gen\"}");
    sc = ok_result(r);
    assert_string_equal(json_string_value(json_object_get(sc, "out_dir")), "gen");
    json_array_foreach(json_object_get(sc, "files"), i, f)
        has_semgrep |= strcmp(json_string_value(json_object_get(f, "kind")), "semgrep") == 0;
    assert_true(has_semgrep);
    path = tu_path(workspace, "gen/manifest.json");
    assert_int_equal(access(path, F_OK), 0);
    free(path);
    json_decref(r);

    r = call(&s, 14, "workflow_generate", "{\"rules\":\"rules.json\",\"openapi_spec\":"
                                          "\"api/openapi.yaml\",\"out\":\"wf/design-guard.yml\"}");
    sc = ok_result(r);
    assert_true(json_is_true(json_object_get(sc, "changed")));
    assert_true(json_array_size(json_object_get(sc, "tools")) >= 2);
    path = tu_path(workspace, "wf/design-guard.yml");
    text = tu_read_file(path);
    assert_non_null(strstr(text, "specgate drift score"));
    free(text);
    free(path);
    json_decref(r);
    stop(&s);
}

static void test_invalid_tool_input_is_error_result(void **state)
{
    struct server s;
    json_t *r;

    (void)state;
    start(&s);
    initialize(&s, "2025-11-25", "2025-11-25");
    r = call(&s, 20, "drift_score", "{}");
    assert_non_null(strstr(tool_error(r), "missing required argument \"rules\""));
    json_decref(r);
    r = call(&s, 21, "drift_score", "{\"rules\":\"rules.json\"}");
    assert_non_null(strstr(tool_error(r), "at least one result file"));
    json_decref(r);
    r = call(&s, 22, "drift_score", "{\"rules\":\"rules.json\",\"semgrep\":[\"missing.json\"]}");
    assert_non_null(strstr(tool_error(r), "cannot read"));
    json_decref(r);
    r = call(&s, 23, "drift_score", "{\"rules\":\"/etc/passwd\",\"semgrep\":[\"sg.json\"]}");
    assert_non_null(strstr(tool_error(r), "paths must stay under"));
    json_decref(r);
    r = call(&s, 24, "drift_score", "{\"rules\":\"rules.json\",\"semgrep\":\"sg.json\"}");
    assert_non_null(strstr(tool_error(r), "must be an array"));
    json_decref(r);
    r = call(&s, 25, "drift_score", "{\"rules\":\"rules.json\",\"fail_at\":500,"
                                    "\"semgrep\":[\"sg.json\"]}");
    assert_non_null(strstr(tool_error(r), "\"fail_at\" must be an integer 0..100"));
    json_decref(r);
    r = call(&s, 26, "github_comment", "{\"rules\":\"rules.json\",\"lang\":\"fr\","
                                       "\"score\":\"x\"}");
    assert_non_null(strstr(tool_error(r), "\"lang\" must be"));
    json_decref(r);
    r = call(&s, 27, "tests_generate", "{\"rules\":\"rules.json\",\"colour\":1}");
    assert_non_null(strstr(tool_error(r), "unknown argument \"colour\""));
    json_decref(r);
    r = call(&s, 28, "workflow_generate", "{\"rules\":\"sg.json\"}");
    assert_non_null(strstr(tool_error(r), "invalid rules file"));
    json_decref(r);
    stop(&s);
}

static void test_protocol_errors(void **state)
{
    struct server s;
    json_t *r;

    (void)state;
    start(&s);
    initialize(&s, "2025-11-25", "2025-11-25");
    r = request(&s, "{\"jsonrpc\":\"2.0\",\"id\":30,\"method\":\"resources/list\"}");
    assert_int_equal(error_code(r), -32601);
    assert_int_equal(json_integer_value(json_object_get(r, "id")), 30);
    json_decref(r);
    r = request(&s, "{\"jsonrpc\":\"2.0\",\"id\":31,\"method\":");
    assert_int_equal(error_code(r), -32700);
    assert_true(json_is_null(json_object_get(r, "id")));
    json_decref(r);
    r = request(&s, "[{\"jsonrpc\":\"2.0\",\"id\":32,\"method\":\"ping\"}]");
    assert_int_equal(error_code(r), -32600);
    json_decref(r);
    r = request(&s, "{\"jsonrpc\":\"1.0\",\"id\":33,\"method\":\"ping\"}");
    assert_int_equal(error_code(r), -32600);
    json_decref(r);
    r = request(&s, "{\"jsonrpc\":\"2.0\",\"id\":34,\"method\":\"tools/call\","
                    "\"params\":{\"name\":\"no_such_tool\",\"arguments\":{}}}");
    assert_int_equal(error_code(r), -32602);
    json_decref(r);
    r = request(&s, "{\"jsonrpc\":\"2.0\",\"id\":35,\"method\":\"tools/call\",\"params\":{}}");
    assert_int_equal(error_code(r), -32602);
    json_decref(r);
    r = request(&s, "{\"jsonrpc\":\"2.0\",\"id\":36,\"method\":\"initialize\",\"params\":"
                    "{\"protocolVersion\":\"2025-11-25\"}}");
    assert_int_equal(error_code(r), -32600); /* already initialized */
    json_decref(r);
    /* Unknown notifications get no answer: the next reply is the ping's. */
    send_line(&s, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                  "\"params\":{\"requestId\":1}}");
    r = request(&s, "{\"jsonrpc\":\"2.0\",\"id\":37,\"method\":\"ping\"}");
    assert_int_equal(json_integer_value(json_object_get(r, "id")), 37);
    json_decref(r);
    stop(&s);
}

/* A message longer than the 4 MiB line limit is refused, and the server
 * keeps serving. */
static void test_line_limit(void **state)
{
    struct server s;
    json_t *r;
    char *big = xcalloc(5u << 20, 1);

    (void)state;
    memset(big, 'a', (5u << 20) - 1);
    start(&s);
    initialize(&s, "2025-11-25", "2025-11-25");
    send_line(&s, big);
    r = read_reply(&s);
    assert_int_equal(error_code(r), -32600);
    json_decref(r);
    r = request(&s, "{\"jsonrpc\":\"2.0\",\"id\":40,\"method\":\"ping\"}");
    assert_int_equal(json_integer_value(json_object_get(r, "id")), 40);
    json_decref(r);
    stop(&s);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle_both_versions),
        cmocka_unit_test(test_tools_list),
        cmocka_unit_test(test_each_tool),
        cmocka_unit_test(test_invalid_tool_input_is_error_result),
        cmocka_unit_test(test_protocol_errors),
        cmocka_unit_test(test_line_limit),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, setup, teardown);
}
