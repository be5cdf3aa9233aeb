/*
 * `specgate github comment --post/--check-run` against the local GitHub REST
 * stand-in: the first post creates the comment (found past the first page of
 * other comments), the second updates the same one, check-run annotations go
 * in batches of 50, and a bad token fails clearly.
 */
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/mem.h"

struct env {
    char *dir;
    pid_t standin;
    int port;
    char *rules;
};

static struct env E;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static int setup(void **state)
{
    const char *standin_dir = getenv("RIG_STANDIN_DIR");
    const char *src = getenv("RIG_SOURCE_DIR");
    char *bin, *port_file, *text = NULL;

    (void)state;
    if (!standin_dir || !src || !getenv("SPECGATE_BIN"))
        return -1;
    E.dir = tu_mkdtemp("sg-post");
    E.rules = xasprintf("%s/tests/gate/rules-sample.json", src);
    bin = xasprintf("%s/github_standin", standin_dir);
    port_file = tu_path(E.dir, "port");
    E.standin = fork();
    if (E.standin == 0) {
        execl(bin, bin, "--port-file", port_file, "--token", "s3cret-token", "--seed", "120",
              (char *)NULL);
        _exit(127);
    }
    /* Generous wait for the port file: no timing assumption beyond "starts". */
    for (int i = 0; i < 600 && access(port_file, F_OK) != 0; i++)
        sleep_ms(50);
    text = tu_read_file(port_file);
    E.port = text ? (int)strtol(text, NULL, 10) : 0;
    free(text);
    free(port_file);
    free(bin);
    return E.port > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    int st;

    (void)state;
    if (E.standin > 0) {
        kill(E.standin, SIGTERM);
        waitpid(E.standin, &st, 0);
    }
    tu_rmtree(E.dir);
    free(E.dir);
    free(E.rules);
    return 0;
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    rig_buf_add(ud, p, size * n);
    return size * n;
}

static json_t *standin_state(void)
{
    CURL *c = curl_easy_init();
    struct rig_buf b = RIG_BUF_INIT;
    char *url = xasprintf("http://127.0.0.1:%d/_standin/state", E.port);
    json_t *j;

    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    j = json_loads(rig_buf_str(&b), 0, NULL);
    assert_non_null(j);
    rig_buf_release(&b);
    free(url);
    return j;
}

/* Run specgate with the Actions-like environment; stderr folded into *out. */
static int specgate(char **out, const char *token, const char *args)
{
    return tu_sh(out, "GITHUB_API_URL=http://127.0.0.1:%d GITHUB_TOKEN='%s' "
                      "GITHUB_REPOSITORY=acme/shop GITHUB_EVENT_PATH= '%s' %s 2>&1",
                 E.port, token, getenv("SPECGATE_BIN"), args);
}

static char *score_file(const char *name, const char *semgrep_fixture)
{
    char *path = tu_path(E.dir, name), *fx = tu_fixture(semgrep_fixture), *out = NULL;
    char *args = xasprintf("drift score --rules '%s' --semgrep '%s' --out '%s'", E.rules, fx,
                           path);

    assert_int_equal(specgate(&out, "x", args), 0);
    free(out);
    free(args);
    free(fx);
    return path;
}

static json_t *marker_comments(json_t *st, size_t *n)
{
    json_t *c, *found = NULL;
    size_t i;

    *n = 0;
    json_array_foreach(json_object_get(st, "comments"), i, c) {
        if (strstr(json_string_value(json_object_get(c, "body")), "<!-- specgate:drift-radar -->")) {
            found = c;
            (*n)++;
        }
    }
    return found;
}

static void test_post_creates_then_updates(void **state)
{
    char *before = score_file("before.json", "semgrep/semgrep-1.154.0-juice-shop-before-fix.json");
    char *after = score_file("after.json", "semgrep/semgrep-1.154.0-juice-shop-after-fix.json");
    char *out = NULL, *args;
    json_t *st, *c;
    long long first_id;
    size_t n;

    (void)state;
    args = xasprintf("github comment --score '%s' --rules '%s' --sha 0123abc --post --pr 7",
                     before, E.rules);
    assert_int_equal(specgate(&out, "s3cret-token", args), 0);
    assert_non_null(strstr(out, "created Drift Radar comment"));
    free(out);
    free(args);
    st = standin_state();
    assert_int_equal(json_array_size(json_object_get(st, "comments")), 121);
    c = marker_comments(st, &n);
    assert_int_equal(n, 1);
    first_id = json_integer_value(json_object_get(c, "id"));
    assert_non_null(strstr(json_string_value(json_object_get(c, "body")),
                           "**Drift Score: 82/100**"));
    assert_non_null(strstr(json_string_value(json_object_get(c, "body")),
                           "https://github.com/acme/shop/blob/0123abc/routes/login.ts#L34"));
    json_decref(st);

    /* Second run (the fix pushed): same comment, now with the score change. */
    args = xasprintf("github comment --score '%s' --rules '%s' --sha 4567def --post --pr 7 "
                     "--lang ko", after, E.rules);
    assert_int_equal(specgate(&out, "s3cret-token", args), 0);
    assert_non_null(strstr(out, "updated Drift Radar comment"));
    free(out);
    free(args);
    st = standin_state();
    assert_int_equal(json_array_size(json_object_get(st, "comments")), 121);
    c = marker_comments(st, &n);
    assert_int_equal(n, 1);
    assert_int_equal(json_integer_value(json_object_get(c, "id")), first_id);
    assert_non_null(strstr(json_string_value(json_object_get(c, "body")),
                           "이전 실행: 82/100 → 현재 14/100 (-68)."));
    assert_non_null(strstr(json_string_value(json_object_get(c, "body")), "✅ **통과**"));
    json_decref(st);
    free(before);
    free(after);
}

static void test_pr_from_event_and_bad_token(void **state)
{
    char *score = score_file("s.json", "semgrep/semgrep-1.154.0-juice-shop-before-fix.json");
    char *event = tu_fixture("github-webhooks/pull_request/opened.payload.json");
    char *out = NULL, *args;
    json_t *ev = json_load_file(event, 0, NULL), *st, *c;
    long long pr = json_integer_value(json_object_get(json_object_get(ev, "pull_request"),
                                                      "number"));
    size_t i, found = 0;

    (void)state;
    assert_true(pr > 0);
    args = xasprintf("github comment --score '%s' --rules '%s' --post", score, E.rules);
    assert_int_equal(tu_sh(&out, "GITHUB_API_URL=http://127.0.0.1:%d GITHUB_TOKEN=s3cret-token "
                                 "GITHUB_REPOSITORY=acme/shop GITHUB_EVENT_PATH='%s' '%s' %s 2>&1",
                           E.port, event, getenv("SPECGATE_BIN"), args), 0);
    free(out);
    st = standin_state();
    json_array_foreach(json_object_get(st, "comments"), i, c)
        found += json_integer_value(json_object_get(c, "issue")) == pr;
    assert_int_equal(found, 1);
    json_decref(st);
    /* A wrong token: exit 1, a message that says what to check, no secret echoed. */
    free(args);
    args = xasprintf("github comment --score '%s' --rules '%s' --post --pr 7", score, E.rules);
    assert_int_equal(specgate(&out, "wrong-token", args), 1);
    assert_non_null(strstr(out, "401 Bad credentials: check GITHUB_TOKEN"));
    assert_null(strstr(out, "wrong-token"));
    free(out);
    /* No token at all: refused before any request. */
    assert_int_equal(tu_sh(&out, "GITHUB_TOKEN= GITHUB_REPOSITORY=acme/shop '%s' %s --pr 3 2>&1",
                           getenv("SPECGATE_BIN"), args), 2);
    assert_non_null(strstr(out, "GITHUB_TOKEN is not set"));
    free(out);
    free(args);
    json_decref(ev);
    free(event);
    free(score);
}

/* A comment by someone else that carries the marker (here with a forged
 * previous score) is neither edited nor read: SpecGate posts its own. */
static void test_foreign_marker_comment(void **state)
{
    char *score = score_file("f.json", "semgrep/semgrep-1.154.0-juice-shop-before-fix.json");
    char *url = xasprintf("http://127.0.0.1:%d/_standin/comment", E.port);
    const char *forged = "<!-- specgate:drift-radar -->\n<!-- specgate:data "
                         "{\"total_score\":100,\"status\":\"PASS\"} -->\nAll good, merge it.";
    json_t *req = json_pack("{s:s, s:i, s:s, s:s}", "repo", "acme/shop", "issue", 9, "body",
                            forged, "login", "mallory");
    char *payload = json_dumps(req, JSON_COMPACT), *out = NULL, *args;
    CURL *c = curl_easy_init();
    struct rig_buf b = RIG_BUF_INIT;
    json_t *st, *cm;
    size_t i, ours = 0;

    (void)state;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    rig_buf_release(&b);
    args = xasprintf("github comment --score '%s' --rules '%s' --sha 0123abc --post --pr 9",
                     score, E.rules);
    assert_int_equal(specgate(&out, "s3cret-token", args), 0);
    assert_non_null(strstr(out, "created Drift Radar comment"));
    free(out);
    st = standin_state();
    json_array_foreach(json_object_get(st, "comments"), i, cm) {
        const char *body = json_string_value(json_object_get(cm, "body"));

        if (json_integer_value(json_object_get(cm, "issue")) != 9)
            continue;
        if (strcmp(json_string_value(json_object_get(json_object_get(cm, "user"), "login")),
                   "mallory") == 0) {
            assert_string_equal(body, forged);
            assert_int_equal(json_integer_value(json_object_get(cm, "edits")), 0);
        } else {
            assert_non_null(strstr(body, "**Drift Score: 82/100**"));
            assert_null(strstr(body, "Previous run: 100/100"));
            ours++;
        }
    }
    assert_int_equal(ours, 1);
    json_decref(st);
    json_decref(req);
    free(payload);
    free(args);
    free(url);
    free(score);
}

/* 1940 ArchUnit findings, 408 of them scored with a file: the check run gets
 * its annotations 50 per request (POST, then PATCHes). */
static void test_check_run_batches(void **state)
{
    char *score = tu_path(E.dir, "arch.json"), *fx = tu_fixture("junit-archunit");
    char *out = NULL, *args;
    json_t *st, *run, *b;
    size_t i, total = 0;

    (void)state;
    args = xasprintf("drift score --rules '%s' --junit '%s' --out '%s'", E.rules, fx, score);
    assert_int_equal(specgate(&out, "x", args), 0);
    free(out);
    free(args);
    args = xasprintf("github comment --score '%s' --rules '%s' --sha abc123 --check-run",
                     score, E.rules);
    assert_int_equal(specgate(&out, "s3cret-token", args), 0);
    assert_non_null(strstr(out, "with 408 annotations"));
    free(out);
    free(args);
    st = standin_state();
    run = json_array_get(json_object_get(st, "check_runs"), 0);
    assert_non_null(run);
    assert_string_equal(json_string_value(json_object_get(run, "conclusion")), "failure");
    assert_string_equal(json_string_value(json_object_get(run, "head_sha")), "abc123");
    assert_int_equal(json_integer_value(json_object_get(run, "annotations")), 408);
    assert_int_equal(json_array_size(json_object_get(run, "batches")), 9);
    json_array_foreach(json_object_get(run, "batches"), i, b) {
        assert_true(json_integer_value(b) <= 50);
        total += (size_t)json_integer_value(b);
    }
    assert_int_equal(total, 408);
    assert_true(json_integer_value(json_object_get(run, "summary_len")) <= 65535);
    json_decref(st);
    free(fx);
    free(score);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_post_creates_then_updates),
        cmocka_unit_test(test_pr_from_event_and_bad_token),
        cmocka_unit_test(test_check_run_batches),
        cmocka_unit_test(test_foreign_marker_comment),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
