/*
 * Notifiers against chat_standin (Slack and Discord incoming-webhook wire
 * formats) and a recording comment op: filtering by `on`, message content,
 * rate limits and retries, dead endpoints, a callback that never blocks,
 * ordering, draining on free, redaction in bodies and logs.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "testutil.h"

#include "adapters/notify/notify.h"
#include "core/buf.h"
#include "core/http.h"
#include "core/log.h"
#include "core/mem.h"

#define WAIT_MS 60000

/* ---- chat_standin ----------------------------------------------------------- */

struct chat {
    pid_t pid;
    int port;
    char *dir;
    char *log;
    char *hold; /* requests wait until this file exists (with --hold) */
};

static void chat_start(struct chat *c, const char *const *extra)
{
    const char *argv[24];
    char *bin = tu_path(tu_env("RIG_STANDIN_DIR"), "chat_standin");
    char line[64] = {0};
    size_t n = 0;
    int pfd[2];
    FILE *f;

    c->dir = tu_mkdtemp("chat-standin");
    c->log = tu_path(c->dir, "requests.jsonl");
    c->hold = tu_path(c->dir, "release");
    argv[n++] = bin;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--log";
    argv[n++] = c->log;
    for (size_t i = 0; extra && extra[i] && n < 22; i++)
        argv[n++] = strcmp(extra[i], "HOLD") == 0 ? c->hold : extra[i];
    argv[n] = NULL;
    assert_int_equal(pipe(pfd), 0);
    c->pid = fork();
    assert_true(c->pid >= 0);
    if (c->pid == 0) {
        /* A failed assertion skips chat_stop: do not outlive the test. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(pfd[1], STDOUT_FILENO);
        close(pfd[0]);
        close(pfd[1]);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(pfd[1]);
    f = fdopen(pfd[0], "r");
    assert_non_null(fgets(line, sizeof(line), f));
    fclose(f);
    assert_int_equal(sscanf(line, "listening on %d", &c->port), 1);
    free(bin);
}

static void chat_release(const struct chat *c)
{
    tu_write_file(c->hold, "");
}

/* Until a request is held by the stand-in (in flight on our side). */
static void chat_wait_held(const struct chat *c)
{
    char *marker = xasprintf("%s.waiting", c->hold);
    struct timespec ts = {0, 10 * 1000 * 1000};

    for (int i = 0; i < WAIT_MS / 10 && access(marker, F_OK) != 0; i++)
        nanosleep(&ts, NULL);
    assert_int_equal(access(marker, F_OK), 0);
    free(marker);
}

static void chat_stop(struct chat *c)
{
    int st;

    chat_release(c);
    kill(c->pid, SIGTERM);
    waitpid(c->pid, &st, 0);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    tu_rmtree(c->dir);
    free(c->dir);
    free(c->log);
    free(c->hold);
}

static char *chat_url(const struct chat *c, const char *path)
{
    return xasprintf("http://127.0.0.1:%d%s", c->port, path);
}

/* Recorded requests of one kind ("slack", "discord") or all (NULL), in order. */
static json_t *requests(const struct chat *c, const char *kind)
{
    json_t *arr = json_array();
    FILE *f = fopen(c->log, "r");
    char *line = NULL;
    size_t cap = 0;

    if (!f)
        return arr;
    while (getline(&line, &cap, f) > 0) {
        json_t *v = json_loads(line, 0, NULL);

        assert_non_null(v);
        if (!kind || strcmp(json_string_value(json_object_get(v, "kind")), kind) == 0)
            json_array_append_new(arr, v);
        else
            json_decref(v);
    }
    free(line);
    fclose(f);
    return arr;
}

static const char *req_text(json_t *reqs, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_object_get(json_array_get(reqs, i), "body"),
                                             key));
}

static long req_status(json_t *reqs, size_t i)
{
    return (long)json_integer_value(json_object_get(json_array_get(reqs, i), "status"));
}

/* ---- helpers ------------------------------------------------------------------- */

static void assert_contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("\"%s\" does not contain \"%s\"", hay ? hay : "(null)", needle);
}

static void assert_lacks(const char *hay, const char *needle)
{
    if (hay && strstr(hay, needle))
        fail_msg("\"%s\" contains \"%s\"", hay, needle);
}

struct logcap {
    char *dir;
    char *path;
    FILE *f;
};

static void log_capture(struct logcap *l)
{
    l->dir = tu_mkdtemp("notify-log");
    l->path = tu_path(l->dir, "log.txt");
    l->f = fopen(l->path, "w");
    assert_non_null(l->f);
    rig_log_setup(RIG_LOG_DEBUG, RIG_LOG_TEXT, l->f);
}

static char *log_take(struct logcap *l)
{
    char *text;

    rig_log_setup(RIG_LOG_INFO, RIG_LOG_TEXT, stderr);
    fclose(l->f);
    text = tu_read_file(l->path);
    tu_rmtree(l->dir);
    free(l->dir);
    free(l->path);
    return text;
}

static struct rig_task task(const char *id, enum rig_phase phase)
{
    struct rig_task t = {0};

    t.id = (char *)id;
    t.issue_id = "42";
    t.issue_number = 42;
    t.issue_title = "Login returns 500";
    t.issue_url = "https://github.com/acme/app/issues/42";
    t.phase = phase;
    t.status = RIG_TASK_RUNNING;
    t.attempt = 1;
    return t;
}

static struct rig_notifier *notifier(const struct rig_notify_config *cfg, size_t n,
                                     struct rig_source *src, const struct rig_notifier_opts *o)
{
    struct rig_notifier *nt = NULL;
    struct rig_err err = RIG_ERR_INIT;

    if (rig_notifier_new_opts(cfg, n, src, o, &nt, &err) < 0)
        fail_msg("rig_notifier_new: %s", err.msg);
    return nt;
}

static void flush(struct rig_notifier *nt)
{
    struct rig_err err = RIG_ERR_INIT;

    if (rig_notifier_flush(nt, WAIT_MS, &err) < 0)
        fail_msg("%s", err.msg);
}

/* Fast retries for tests that do not look at waits. */
static struct rig_notifier_opts fast(void)
{
    struct rig_notifier_opts o = {0};

    o.retry_base_ms = 1;
    o.retry_max_ms = 20;
    o.drain_ms = WAIT_MS;
    return o;
}

static int unused_port(void)
{
    struct sockaddr_in sa = {0};
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

/* Every event once, in enum order. */
static void fire_all(struct rig_notifier *nt, struct rig_task *t)
{
    for (int ev = RIG_EVENT_PHASE; ev <= RIG_EVENT_CANCELLED; ev++)
        rig_notifier_on_event(nt, t, (enum rig_event)ev, rig_event_name((enum rig_event)ev));
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_on_filters_per_notifier(void **state)
{
    struct chat c;
    struct rig_notifier_opts o = fast();
    struct rig_task t = task("t-on", RIG_PHASE_TESTING);
    char *slack_url, *discord_url;
    json_t *slack, *discord;
    struct rig_notifier *nt;

    (void)state;
    chat_start(&c, NULL);
    slack_url = chat_url(&c, "/slack/services/T0/B0/on-filter");
    discord_url = chat_url(&c, "/discord/api/webhooks/1/on-filter");
    {
        struct rig_notify_config cfg[] = {
            {RIG_NOTIFY_SLACK, slack_url, RIG_NOTIFY_ON_TEST_FAIL | RIG_NOTIFY_ON_FAILED},
            {RIG_NOTIFY_DISCORD, discord_url, RIG_NOTIFY_ON_DEPLOY},
        };

        nt = notifier(cfg, 2, NULL, &o);
        fire_all(nt, &t);
        flush(nt);
        rig_notifier_free(nt);
    }
    slack = requests(&c, "slack");
    discord = requests(&c, "discord");
    assert_int_equal(json_array_size(slack), 2);
    assert_contains(req_text(slack, 0, "text"), "*Tests failed*");
    assert_contains(req_text(slack, 1, "text"), "*Task failed*");
    /* deploy = DEPLOYED and DEPLOY_FAIL */
    assert_int_equal(json_array_size(discord), 2);
    assert_contains(req_text(discord, 0, "content"), "**Deploy succeeded**");
    assert_contains(req_text(discord, 1, "content"), "**Deploy failed**");
    json_decref(slack);
    json_decref(discord);
    free(slack_url);
    free(discord_url);
    chat_stop(&c);
}

static void test_on_all(void **state)
{
    static const char *const want[] = {"Deploy succeeded", "Deploy failed", "Tests failed",
                                       "Tests passed", "Pull request opened",
                                       "Waiting for approval", "Task failed"};
    struct chat c;
    struct rig_notifier_opts o = fast();
    struct rig_task t = task("t-all", RIG_PHASE_TESTING);
    struct rig_notifier_stats st;
    char *url;
    json_t *reqs;
    struct rig_notifier *nt;

    (void)state;
    chat_start(&c, NULL);
    url = chat_url(&c, "/slack/services/T0/B0/all");
    {
        struct rig_notify_config cfg[] = {{RIG_NOTIFY_SLACK, url, RIG_NOTIFY_ON_ALL}};

        nt = notifier(cfg, 1, NULL, &o);
        fire_all(nt, &t);
        flush(nt);
        rig_notifier_get_stats(nt, &st);
        rig_notifier_free(nt);
    }
    assert_int_equal(st.notifiers, 1);
    assert_int_equal(st.sent, 7);
    assert_int_equal(st.failed + st.dropped + st.pending, 0);
    /* phase, completed and cancelled are status comments only. */
    reqs = requests(&c, "slack");
    assert_int_equal(json_array_size(reqs), 7);
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(req_status(reqs, i), 200);
        assert_contains(req_text(reqs, i, "text"), want[i]);
    }
    json_decref(reqs);
    free(url);
    chat_stop(&c);
}

static void test_message_on_the_wire(void **state)
{
    struct chat c;
    struct rig_notifier_opts o = fast();
    struct rig_task t = task("t-wire", RIG_PHASE_TESTING);
    char *s_url, *d_url;
    const char *text;
    json_t *reqs, *r;
    struct rig_notifier *nt;

    (void)state;
    chat_start(&c, NULL);
    s_url = chat_url(&c, "/slack/services/T0/B0/wire");
    d_url = chat_url(&c, "/discord/api/webhooks/1/wire");
    {
        struct rig_notify_config cfg[] = {{RIG_NOTIFY_SLACK, s_url, RIG_NOTIFY_ON_ALL},
                                          {RIG_NOTIFY_DISCORD, d_url, RIG_NOTIFY_ON_ALL}};
        struct rig_buf big = RIG_BUF_INIT;

        for (int i = 0; i < 300; i++)
            rig_buf_addf(&big, "FAIL case_%03d: expected 1, got 2\n", i);
        rig_buf_adds(&big, "300 failed");
        nt = notifier(cfg, 2, NULL, &o);
        rig_notifier_on_event(nt, &t, RIG_EVENT_TEST_FAIL, rig_buf_str(&big));
        rig_notifier_on_event(nt, &t, RIG_EVENT_PR_CREATED, "https://github.com/acme/app/pull/9");
        flush(nt);
        rig_notifier_free(nt);
        rig_buf_release(&big);
    }
    reqs = requests(&c, "slack");
    assert_int_equal(json_array_size(reqs), 2);
    r = json_array_get(reqs, 0);
    assert_string_equal(json_string_value(json_object_get(r, "content_type")),
                        "application/json");
    text = req_text(reqs, 0, "text");
    assert_contains(text, ":x: *Tests failed* \xc2\xb7 Rig task `t-wire`");
    assert_contains(text, "Issue #42: Login returns 500 https://github.com/acme/app/issues/42");
    assert_contains(text, "Phase: testing, attempt 1");
    /* The tail of long output: the summary line is kept, the start is cut. */
    assert_contains(text, "300 failed\n```");
    assert_lacks(text, "case_000");
    assert_contains(req_text(reqs, 1, "text"),
                    "Pull request: https://github.com/acme/app/pull/9");
    json_decref(reqs);

    reqs = requests(&c, "discord");
    assert_int_equal(json_array_size(reqs), 2);
    assert_int_equal(req_status(reqs, 0), 204); /* the stand-in refuses > 2000 */
    text = req_text(reqs, 0, "content");
    assert_contains(text, "**Tests failed** \xc2\xb7 Rig task `t-wire`");
    assert_contains(text, "300 failed\n```");
    assert_non_null(json_object_get(json_object_get(json_array_get(reqs, 0), "body"),
                                    "allowed_mentions"));
    assert_contains(req_text(reqs, 1, "content"),
                    "Pull request: <https://github.com/acme/app/pull/9>");
    json_decref(reqs);
    free(s_url);
    free(d_url);
    chat_stop(&c);
}

static void test_rate_limited_then_sent(void **state)
{
    static const char *const args[] = {"--fail-first", "1", "--fail-status", "429",
                                       "--retry-after", "1", "--discord-retry-after", "0.01",
                                       NULL};
    struct chat c;
    struct rig_notifier_opts o = {0};
    struct rig_task t = task("t-429", RIG_PHASE_DEPLOYING);
    struct rig_notifier_stats st;
    char *s_url, *d_url;
    json_t *reqs;
    struct rig_notifier *nt;

    (void)state;
    /* Our own backoff would wait 30-60 s: the flush only finishes in time
     * because the services' waits (1 s, 10 ms) are used instead. */
    o.retry_base_ms = 60000;
    o.retry_max_ms = 120000;
    o.drain_ms = WAIT_MS;
    chat_start(&c, args);
    s_url = chat_url(&c, "/slack/services/T0/B0/rl");
    d_url = chat_url(&c, "/discord/api/webhooks/1/rl");
    {
        struct rig_notify_config cfg[] = {{RIG_NOTIFY_SLACK, s_url, RIG_NOTIFY_ON_ALL},
                                          {RIG_NOTIFY_DISCORD, d_url, RIG_NOTIFY_ON_ALL}};
        struct rig_err err = RIG_ERR_INIT;

        nt = notifier(cfg, 2, NULL, &o);
        rig_notifier_on_event(nt, &t, RIG_EVENT_DEPLOYED, "");
        if (rig_notifier_flush(nt, 30000, &err) < 0)
            fail_msg("the server-given retry wait was not used: %s", err.msg);
        rig_notifier_get_stats(nt, &st);
        rig_notifier_free(nt);
    }
    assert_int_equal(st.sent, 2);
    assert_int_equal(st.failed, 0);
    reqs = requests(&c, "slack");
    assert_int_equal(json_array_size(reqs), 2);
    assert_int_equal(req_status(reqs, 0), 429);
    assert_int_equal(req_status(reqs, 1), 200);
    assert_string_equal(req_text(reqs, 0, "text"), req_text(reqs, 1, "text"));
    json_decref(reqs);
    reqs = requests(&c, "discord");
    assert_int_equal(json_array_size(reqs), 2);
    assert_int_equal(req_status(reqs, 0), 429);
    assert_int_equal(req_status(reqs, 1), 204);
    json_decref(reqs);
    free(s_url);
    free(d_url);
    chat_stop(&c);
}

static void test_server_errors_give_up_after_five(void **state)
{
    static const char *const args[] = {"--fail-first", "100", "--fail-status", "500", NULL};
    struct chat c;
    struct rig_notifier_opts o = fast();
    struct rig_task t = task("t-500", RIG_PHASE_TESTING);
    struct rig_notifier_stats st;
    struct logcap lc;
    char *url, *log;
    json_t *reqs;
    struct rig_notifier *nt;

    (void)state;
    chat_start(&c, args);
    url = chat_url(&c, "/discord/api/webhooks/1/five");
    log_capture(&lc);
    {
        struct rig_notify_config cfg[] = {{RIG_NOTIFY_DISCORD, url, RIG_NOTIFY_ON_ALL}};

        nt = notifier(cfg, 1, NULL, &o);
        rig_notifier_on_event(nt, &t, RIG_EVENT_TEST_FAIL, "boom");
        rig_notifier_on_event(nt, &t, RIG_EVENT_FAILED, "boom");
        flush(nt);
        rig_notifier_get_stats(nt, &st);
        rig_notifier_free(nt);
    }
    log = log_take(&lc);
    assert_int_equal(st.failed, 2);
    assert_int_equal(st.sent, 0);
    reqs = requests(&c, "discord");
    assert_int_equal(json_array_size(reqs), 10); /* 5 attempts each, in order */
    for (size_t i = 0; i < 10; i++) {
        assert_int_equal(req_status(reqs, i), 500);
        assert_contains(req_text(reqs, i, "content"), i < 5 ? "Tests failed" : "Task failed");
    }
    assert_contains(log, "could not send task t-500 test_fail after retrying: HTTP 500");
    assert_contains(log, "500: Internal Server Error");
    json_decref(reqs);
    free(log);
    free(url);
    chat_stop(&c);
}

static void test_client_error_is_not_retried(void **state)
{
    struct chat c;
    struct rig_notifier_opts o = fast();
    struct rig_task t = task("t-404", RIG_PHASE_TESTING);
    struct rig_notifier_stats st;
    struct logcap lc;
    char *url, *log;
    json_t *reqs;
    struct rig_notifier *nt;

    (void)state;
    chat_start(&c, NULL);
    url = chat_url(&c, "/services/deleted-hook");
    log_capture(&lc);
    {
        struct rig_notify_config cfg[] = {{RIG_NOTIFY_SLACK, url, RIG_NOTIFY_ON_ALL}};

        nt = notifier(cfg, 1, NULL, &o);
        rig_notifier_on_event(nt, &t, RIG_EVENT_TEST_PASS, "");
        flush(nt);
        rig_notifier_get_stats(nt, &st);
        rig_notifier_free(nt);
    }
    log = log_take(&lc);
    assert_int_equal(st.failed, 1);
    reqs = requests(&c, NULL);
    assert_int_equal(json_array_size(reqs), 1);
    assert_contains(log, "could not send task t-404 test_pass: HTTP 404: no_service");
    json_decref(reqs);
    free(log);
    free(url);
    chat_stop(&c);
}

static void test_dead_endpoint_is_logged(void **state)
{
    struct rig_notifier_opts o = fast();
    struct rig_task t = task("t-dead", RIG_PHASE_FAILED);
    struct rig_notifier_stats st;
    struct logcap lc;
    int port = unused_port();
    char *url = xasprintf("http://127.0.0.1:%d/slack/services/T0/B0/deadhooktoken", port);
    char *origin = xasprintf("slack notify[0] (http://127.0.0.1:%d)", port);
    char *log;
    struct rig_notifier *nt;

    (void)state;
    log_capture(&lc);
    {
        struct rig_notify_config cfg[] = {{RIG_NOTIFY_SLACK, url, RIG_NOTIFY_ON_ALL}};

        nt = notifier(cfg, 1, NULL, &o);
        /* Returns at once: the engine carries on whatever the endpoint does. */
        rig_notifier_on_event(nt, &t, RIG_EVENT_FAILED, "deploy exploded");
        flush(nt);
        rig_notifier_get_stats(nt, &st);
        rig_notifier_free(nt);
    }
    log = log_take(&lc);
    assert_int_equal(st.failed, 1);
    assert_int_equal(st.sent, 0);
    assert_contains(log, origin);
    assert_contains(log, "could not send task t-dead failed after retrying");
    assert_contains(log, "attempt 4 failed"); /* debug lines: 5 attempts */
    /* The URL is the credential: neither our lines nor the HTTP debug lines show it. */
    assert_lacks(log, "deadhooktoken");
    free(log);
    free(origin);
    free(url);
}

/* 100 events against an endpoint that does not answer yet: every call
 * returns (the test would hang otherwise) before anything was delivered;
 * once the endpoint answers, every message arrives, in order, per notifier. */
static void test_callback_never_blocks_and_keeps_order(void **state)
{
    static const char *const args[] = {"--hold", "HOLD", NULL};
    struct chat c;
    struct rig_notifier_opts o = fast();
    struct rig_task t = task("t-slow", RIG_PHASE_TESTING);
    struct rig_notifier_stats st;
    char *s_url, *d_url;
    json_t *reqs;
    struct rig_notifier *nt;

    (void)state;
    chat_start(&c, args);
    s_url = chat_url(&c, "/slack/services/T0/B0/slow");
    d_url = chat_url(&c, "/discord/api/webhooks/1/slow");
    {
        struct rig_notify_config cfg[] = {{RIG_NOTIFY_SLACK, s_url, RIG_NOTIFY_ON_ALL},
                                          {RIG_NOTIFY_DISCORD, d_url, RIG_NOTIFY_ON_TEST_FAIL}};

        nt = notifier(cfg, 2, NULL, &o);
        for (int i = 0; i < 100; i++) {
            char detail[32];

            snprintf(detail, sizeof(detail), "message %03d", i);
            rig_notifier_on_event(nt, &t, RIG_EVENT_TEST_FAIL, detail);
        }
        rig_notifier_get_stats(nt, &st);
        assert_int_equal(st.sent, 0);
        assert_int_equal(st.pending, 200);
        chat_release(&c);
        flush(nt);
        rig_notifier_get_stats(nt, &st);
        rig_notifier_free(nt);
    }
    assert_int_equal(st.sent, 200);
    for (int k = 0; k < 2; k++) {
        reqs = requests(&c, k ? "discord" : "slack");
        assert_int_equal(json_array_size(reqs), 100);
        for (size_t i = 0; i < 100; i++) {
            char want[32];

            snprintf(want, sizeof(want), "message %03zu\n```", i);
            assert_contains(req_text(reqs, i, k ? "content" : "text"), want);
        }
        json_decref(reqs);
    }
    free(s_url);
    free(d_url);
    chat_stop(&c);
}

static void test_full_queue_drops_instead_of_blocking(void **state)
{
    static const char *const args[] = {"--hold", "HOLD", NULL};
    struct chat c;
    struct rig_notifier_opts o = fast();
    struct rig_task t = task("t-full", RIG_PHASE_TESTING);
    struct rig_notifier_stats st;
    struct logcap lc;
    char *url, *log;
    json_t *reqs;
    struct rig_notifier *nt;

    (void)state;
    o.queue_max = 4;
    chat_start(&c, args);
    url = chat_url(&c, "/slack/services/T0/B0/full");
    log_capture(&lc);
    {
        struct rig_notify_config cfg[] = {{RIG_NOTIFY_SLACK, url, RIG_NOTIFY_ON_ALL}};

        nt = notifier(cfg, 1, NULL, &o);
        for (int i = 0; i < 10; i++)
            rig_notifier_on_event(nt, &t, RIG_EVENT_TEST_FAIL, "x");
        chat_release(&c);
        flush(nt);
        rig_notifier_get_stats(nt, &st);
        rig_notifier_free(nt);
    }
    log = log_take(&lc);
    /* At most 4 queued plus the one being sent. */
    assert_int_equal(st.sent + st.dropped, 10);
    assert_true(st.dropped >= 5);
    reqs = requests(&c, NULL);
    assert_int_equal(json_array_size(reqs), st.sent);
    assert_contains(log, "queue full");
    json_decref(reqs);
    free(log);
    free(url);
    chat_stop(&c);
}

static void test_free_drains_the_queue(void **state)
{
    static const char *const args[] = {"--hold", "HOLD", NULL};
    struct chat c;
    struct rig_notifier_opts o = fast();
    struct rig_task t = task("t-drain", RIG_PHASE_TESTING);
    char *url;
    json_t *reqs;
    struct rig_notifier *nt;

    (void)state;
    chat_start(&c, args);
    url = chat_url(&c, "/slack/services/T0/B0/drain");
    {
        struct rig_notify_config cfg[] = {{RIG_NOTIFY_SLACK, url, RIG_NOTIFY_ON_ALL}};

        nt = notifier(cfg, 1, NULL, &o);
        for (int i = 0; i < 5; i++)
            rig_notifier_on_event(nt, &t, RIG_EVENT_DEPLOYED, "");
        chat_release(&c);
        /* No flush: free itself waits for the queue (drain_ms is generous). */
        rig_notifier_free(nt);
    }
    reqs = requests(&c, "slack");
    assert_int_equal(json_array_size(reqs), 5);
    json_decref(reqs);
    free(url);
    chat_stop(&c);
}

static void test_free_gives_up_after_drain_ms(void **state)
{
    static const char *const args[] = {"--hold", "HOLD", NULL};
    struct chat c;
    struct rig_notifier_opts o = fast();
    struct rig_task t = task("t-stuck", RIG_PHASE_TESTING);
    struct logcap lc;
    char *url, *log;
    struct rig_notifier *nt;

    (void)state;
    o.drain_ms = 200;
    chat_start(&c, args);
    url = chat_url(&c, "/slack/services/T0/B0/stuck");
    log_capture(&lc);
    {
        struct rig_notify_config cfg[] = {{RIG_NOTIFY_SLACK, url, RIG_NOTIFY_ON_ALL}};

        nt = notifier(cfg, 1, NULL, &o);
        for (int i = 0; i < 3; i++)
            rig_notifier_on_event(nt, &t, RIG_EVENT_TEST_FAIL, "x");
        chat_wait_held(&c);
        /* The endpoint never answers: free returns anyway, cancelling the
         * request in flight and dropping the rest, loudly. */
        rig_notifier_free(nt);
    }
    log = log_take(&lc);
    assert_contains(log, "task t-stuck test_fail not sent: Rig is stopping");
    assert_contains(log, "2 message(s) not sent: Rig is stopping");
    free(log);
    free(url);
    chat_stop(&c);
}

static void test_secrets_redacted_in_bodies_and_logs(void **state)
{
    struct chat c;
    struct rig_notifier_opts o = fast();
    struct rig_task t = task("t-secret", RIG_PHASE_DEPLOYING);
    struct logcap lc;
    int port = unused_port();
    char *s_url, *dead_url, *log;
    json_t *reqs;
    struct rig_notifier *nt;

    (void)state;
    chat_start(&c, NULL);
    s_url = chat_url(&c, "/slack/services/T0/B0/livehooktoken");
    dead_url = xasprintf("http://127.0.0.1:%d/discord/api/webhooks/1/deadhooktoken", port);
    rig_secret_add("sk-live-SECRET999");
    t.issue_title = "token sk-live-SECRET999 leaked";
    log_capture(&lc);
    {
        struct rig_notify_config cfg[] = {{RIG_NOTIFY_SLACK, s_url, RIG_NOTIFY_ON_ALL},
                                          {RIG_NOTIFY_DISCORD, dead_url, RIG_NOTIFY_ON_ALL}};

        nt = notifier(cfg, 2, NULL, &o);
        rig_notifier_on_event(nt, &t, RIG_EVENT_DEPLOY_FAIL,
                              "curl -H 'Authorization: Bearer sk-live-SECRET999' failed");
        flush(nt);
        rig_notifier_free(nt);
    }
    log = log_take(&lc);
    reqs = requests(&c, "slack");
    assert_int_equal(json_array_size(reqs), 1);
    assert_lacks(req_text(reqs, 0, "text"), "SECRET999");
    assert_contains(req_text(reqs, 0, "text"), "token [REDACTED] leaked");
    assert_contains(req_text(reqs, 0, "text"), "Bearer [REDACTED]");
    assert_lacks(log, "SECRET999");
    assert_lacks(log, "livehooktoken");
    assert_lacks(log, "deadhooktoken");
    assert_contains(log, "could not send task t-secret deploy_fail");
    rig_secret_clear();
    json_decref(reqs);
    free(log);
    free(s_url);
    free(dead_url);
    chat_stop(&c);
}

static void test_dry_run_notifies_nobody(void **state)
{
    struct chat c;
    struct rig_notifier_opts o = fast();
    struct rig_task t = task("t-dry", RIG_PHASE_TESTING);
    struct rig_notifier_stats st;
    char *url;
    json_t *reqs;
    struct rig_notifier *nt;

    (void)state;
    t.dry_run = true;
    chat_start(&c, NULL);
    url = chat_url(&c, "/slack/services/T0/B0/dry");
    {
        struct rig_notify_config cfg[] = {{RIG_NOTIFY_SLACK, url, RIG_NOTIFY_ON_ALL}};

        nt = notifier(cfg, 1, NULL, &o);
        fire_all(nt, &t);
        flush(nt);
        rig_notifier_get_stats(nt, &st);
        rig_notifier_free(nt);
    }
    assert_int_equal(st.sent + st.failed + st.dropped, 0);
    reqs = requests(&c, NULL);
    assert_int_equal(json_array_size(reqs), 0);
    json_decref(reqs);
    free(url);
    chat_stop(&c);
}

/* ---- comment notifier through the source's comment op ------------------------- */

struct fake_src {
    struct rig_source src;
    pthread_mutex_t mu;
    json_t *calls;  /* [{number, url, body}] */
    int fail_first; /* answer RIG_EIO this many times */
};

static int fake_comment(struct rig_source *src, const struct rig_issue *issue, const char *body,
                        struct rig_err *err)
{
    struct fake_src *f = src->impl;
    int rc = 0;

    pthread_mutex_lock(&f->mu);
    if (f->fail_first > 0) {
        f->fail_first--;
        rc = rig_err_set(err, RIG_EIO, "POST comment: HTTP 502");
    } else {
        json_array_append_new(f->calls, json_pack("{s:I, s:s, s:s}", "number",
                                                  (json_int_t)issue->number, "url",
                                                  issue->url ? issue->url : "", "body", body));
    }
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static const struct rig_source_ops fake_ops = {.name = "fake", .comment = fake_comment};
static const struct rig_source_ops local_like_ops = {.name = "local"};

static void fake_init(struct fake_src *f, const struct rig_source_ops *ops)
{
    memset(f, 0, sizeof(*f));
    f->src.ops = ops;
    f->src.impl = f;
    pthread_mutex_init(&f->mu, NULL);
    f->calls = json_array();
}

static void fake_release(struct fake_src *f)
{
    json_decref(f->calls);
    pthread_mutex_destroy(&f->mu);
}

static const char *call_body(const struct fake_src *f, size_t i)
{
    return json_string_value(json_object_get(json_array_get(f->calls, i), "body"));
}

static void test_comment_notifier(void **state)
{
    struct fake_src f;
    struct rig_notifier_opts o = fast();
    struct rig_notify_config cfg[] = {{RIG_NOTIFY_COMMENT, NULL, RIG_NOTIFY_ON_TEST_FAIL}};
    struct rig_task t = task("t-cmt", RIG_PHASE_PLANNING);
    struct rig_task other = task("t-noissue", RIG_PHASE_PLANNING);
    struct rig_notifier_stats st;
    struct rig_notifier *nt;

    (void)state;
    fake_init(&f, &fake_ops);
    f.fail_first = 1;
    other.issue_number = 0;
    nt = notifier(cfg, 1, &f.src, &o);
    rig_notifier_on_event(nt, &t, RIG_EVENT_PHASE, "planning");
    t.phase = RIG_PHASE_CODING;
    rig_notifier_on_event(nt, &t, RIG_EVENT_PHASE, "coding");   /* already announced */
    t.phase = RIG_PHASE_TESTING;
    rig_notifier_on_event(nt, &t, RIG_EVENT_TEST_PASS, "");     /* not in on */
    rig_notifier_on_event(nt, &t, RIG_EVENT_TEST_FAIL, "assertion failed @octocat");
    rig_notifier_on_event(nt, &other, RIG_EVENT_PHASE, "planning"); /* no issue to comment on */
    t.phase = RIG_PHASE_COMPLETED;
    t.status = RIG_TASK_COMPLETED;
    t.pr_url = "https://github.com/acme/app/pull/3";
    rig_notifier_on_event(nt, &t, RIG_EVENT_PHASE, "completed");
    rig_notifier_on_event(nt, &t, RIG_EVENT_COMPLETED, "");
    flush(nt);
    rig_notifier_get_stats(nt, &st);
    rig_notifier_free(nt);

    assert_int_equal(st.sent, 3);
    assert_int_equal(st.failed, 0); /* the first 502 was retried */
    assert_int_equal(json_array_size(f.calls), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(f.calls, 0), "number")),
                     42);
    assert_string_equal(json_string_value(json_object_get(json_array_get(f.calls, 0), "url")),
                        "https://github.com/acme/app/issues/42");
    assert_contains(call_body(&f, 0), "<!-- rig:task=t-cmt event=phase -->");
    assert_contains(call_body(&f, 0), "Working on this issue");
    assert_contains(call_body(&f, 0), "phase planning");
    assert_contains(call_body(&f, 1), "Tests failed");
    assert_contains(call_body(&f, 1), "```text\nassertion failed @octocat\n```");
    assert_contains(call_body(&f, 2), "Task completed");
    assert_contains(call_body(&f, 2), "Pull request: https://github.com/acme/app/pull/3");
    fake_release(&f);
}

static void test_comment_skipped_without_comment_op(void **state)
{
    struct fake_src f;
    struct rig_notifier_opts o = fast();
    struct rig_notify_config cfg[] = {{RIG_NOTIFY_COMMENT, NULL, RIG_NOTIFY_ON_ALL}};
    struct rig_task t = task("t-local", RIG_PHASE_PLANNING);
    struct rig_notifier_stats st;
    struct logcap lc;
    struct rig_notifier *nt;
    char *log;

    (void)state;
    fake_init(&f, &local_like_ops);
    log_capture(&lc);
    nt = notifier(cfg, 1, &f.src, &o);
    fire_all(nt, &t);
    flush(nt);
    rig_notifier_get_stats(nt, &st);
    rig_notifier_free(nt);
    log = log_take(&lc);
    assert_int_equal(st.notifiers, 0);
    assert_int_equal(st.sent + st.failed + st.dropped, 0);
    assert_contains(log, "info  notify[0] (comment): the local source cannot post comments; "
                         "this notifier is skipped");
    assert_lacks(log, "warn");
    assert_lacks(log, "error");
    free(log);
    fake_release(&f);
}

static void test_bad_entries(void **state)
{
    struct rig_notifier *nt = NULL;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_notify_config none[] = {{RIG_NOTIFY_COMMENT, NULL, 0},
                                       {RIG_NOTIFY_SLACK, NULL, RIG_NOTIFY_ON_ALL}};
    struct rig_notify_config ftp[] = {{RIG_NOTIFY_DISCORD, "ftp://example.com/x", 0}};

    (void)state;
    assert_int_equal(rig_notifier_new(none, 2, NULL, &nt, &err), -1);
    assert_null(nt);
    assert_int_equal(err.code, RIG_ECONFIG);
    assert_contains(err.msg, "notify[1] (slack): webhook is required");
    rig_err_clear(&err);
    assert_int_equal(rig_notifier_new(ftp, 1, NULL, &nt, &err), -1);
    assert_contains(err.msg, "notify[0] (discord): webhook must be an http(s) URL");
    /* No entries: a notifier that does nothing, freed at once. */
    assert_int_equal(rig_notifier_new(NULL, 0, NULL, &nt, &err), 0);
    assert_non_null(nt);
    rig_notifier_on_event(nt, NULL, RIG_EVENT_FAILED, "x");
    rig_notifier_free(nt);
    rig_notifier_free(NULL);
}

static int setup(void **state)
{
    (void)state;
    return rig_http_global_init();
}

static int teardown(void **state)
{
    (void)state;
    rig_http_global_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_on_filters_per_notifier),
        cmocka_unit_test(test_on_all),
        cmocka_unit_test(test_message_on_the_wire),
        cmocka_unit_test(test_rate_limited_then_sent),
        cmocka_unit_test(test_server_errors_give_up_after_five),
        cmocka_unit_test(test_client_error_is_not_retried),
        cmocka_unit_test(test_dead_endpoint_is_logged),
        cmocka_unit_test(test_callback_never_blocks_and_keeps_order),
        cmocka_unit_test(test_full_queue_drops_instead_of_blocking),
        cmocka_unit_test(test_free_drains_the_queue),
        cmocka_unit_test(test_free_gives_up_after_drain_ms),
        cmocka_unit_test(test_secrets_redacted_in_bodies_and_logs),
        cmocka_unit_test(test_dry_run_notifies_nobody),
        cmocka_unit_test(test_comment_notifier),
        cmocka_unit_test(test_comment_skipped_without_comment_op),
        cmocka_unit_test(test_bad_entries),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
