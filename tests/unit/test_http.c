#include "testutil.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "core/buf.h"
#include "core/http.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"

#define BIG_LEN 10000
#define SLOW_MS 2000
#define SECRET "s3cr3t-t0ken-4242"

/* A real HTTP server on 127.0.0.1 (ephemeral port) inside the test process. */
static struct {
    struct MHD_Daemon *d;
    uint16_t port;
    atomic_int hits_429;
    atomic_int hits_503;
    atomic_int hits_529;
    atomic_int hits_limit;
    atomic_int slow_entered;
    atomic_int stopping;
} srv;

struct conn_state {
    struct rig_buf body;
};

static char *url_for(const char *path)
{
    return xasprintf("http://127.0.0.1:%u%s", (unsigned)srv.port, path);
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    json_t *headers = cls;
    char *lower = xstrdup(key);

    (void)kind;
    for (char *p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    json_object_set_new(headers, lower, json_string(value ? value : ""));
    free(lower);
    return MHD_YES;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *body,
                             const char *const *headers)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    for (const char *const *h = headers; h && h[0]; h += 2)
        MHD_add_response_header(r, h[0], h[1]);
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_echo(struct MHD_Connection *c, const char *method, const char *url,
                                  struct conn_state *st)
{
    json_t *o = json_object(), *headers = json_object();
    const char *token = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
    static const char *const hdrs[] = {"Content-Type", "application/json", "X-Echo", "yes",
                                       "X-Mixed-Case", "  Padded Value  ", NULL};
    enum MHD_Result ret;
    char *text;

    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, headers);
    json_object_set_new(o, "method", json_string(method));
    json_object_set_new(o, "path", json_string(url));
    json_object_set_new(o, "token", token ? json_string(token) : json_null());
    json_object_set_new(o, "body", json_stringn(st->body.data ? st->body.data : "",
                                                st->body.len));
    json_object_set_new(o, "headers", headers);
    text = json_dumps(o, JSON_COMPACT);
    ret = reply(c, MHD_HTTP_OK, text, hdrs);
    free(text);
    json_decref(o);
    return ret;
}

static ssize_t chunked_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    size_t n;

    (void)cls;
    if (pos >= BIG_LEN)
        return MHD_CONTENT_READER_END_OF_STREAM;
    n = BIG_LEN - (size_t)pos < max ? BIG_LEN - (size_t)pos : max;
    memset(buf, 'c', n);
    return (ssize_t)n;
}

static enum MHD_Result reply_big(struct MHD_Connection *c, bool chunked)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    char *body;

    if (chunked) {
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, chunked_reader, NULL, NULL);
    } else {
        body = xmalloc(BIG_LEN);
        memset(body, 'b', BIG_LEN);
        r = MHD_create_response_from_buffer(BIG_LEN, body, MHD_RESPMEM_MUST_FREE);
    }
    ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* Sleep in slices so stopping the server does not wait for the whole delay. */
static void slow_sleep(void)
{
    atomic_store(&srv.slow_entered, 1);
    for (int i = 0; i < SLOW_MS / 20 && !atomic_load(&srv.stopping); i++) {
        struct timespec ts = {0, 20 * 1000000L};

        nanosleep(&ts, NULL);
    }
}

static enum MHD_Result route(struct MHD_Connection *c, const char *url, const char *method,
                             struct conn_state *st)
{
    static const char *const retry0[] = {"Retry-After", "0", NULL};
    static const char *const retry30[] = {"Retry-After", "30", NULL};
    static const char *const limited[] = {"X-RateLimit-Remaining", "0", "X-RateLimit-Reset",
                                          "1000000000", NULL};

    if (strcmp(url, "/echo") == 0)
        return reply_echo(c, method, url, st);
    if (strcmp(url, "/retry-after") == 0)
        return atomic_fetch_add(&srv.hits_429, 1) == 0
                   ? reply(c, 429, "slow down", retry0)
                   : reply(c, MHD_HTTP_OK, "finally", NULL);
    if (strcmp(url, "/overloaded") == 0)
        return atomic_fetch_add(&srv.hits_529, 1) == 0
                   ? reply(c, 529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}",
                           NULL)
                   : reply(c, MHD_HTTP_OK, "ok", NULL);
    if (strcmp(url, "/ratelimit") == 0)
        return atomic_fetch_add(&srv.hits_limit, 1) == 0
                   ? reply(c, 429, "rate limited", limited)
                   : reply(c, MHD_HTTP_OK, "ok", NULL);
    if (strcmp(url, "/always503") == 0) {
        atomic_fetch_add(&srv.hits_503, 1);
        return reply(c, 503, "unavailable", retry30);
    }
    if (strcmp(url, "/notfound") == 0)
        return reply(c, 404, "no such thing", NULL);
    if (strcmp(url, "/empty") == 0)
        return reply(c, 204, "", NULL);
    if (strcmp(url, "/big") == 0)
        return reply_big(c, false);
    if (strcmp(url, "/bigchunked") == 0)
        return reply_big(c, true);
    if (strcmp(url, "/slow") == 0) {
        slow_sleep();
        return reply(c, MHD_HTTP_OK, "late", NULL);
    }
    return reply(c, 404, "unknown test route", NULL);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    struct conn_state *st = *con_cls;

    (void)cls;
    (void)version;
    if (!st) {
        st = xcalloc(1, sizeof(*st));
        rig_buf_init(&st->body, 1 << 20);
        *con_cls = st;
        return MHD_YES;
    }
    if (*upload_size) {
        rig_buf_add(&st->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return route(c, url, method, st);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct conn_state *st = *con_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if (st) {
        rig_buf_release(&st->body);
        free(st);
        *con_cls = NULL;
    }
}

static int server_start(void **state)
{
    struct sockaddr_in addr;
    const union MHD_DaemonInfo *info;

    (void)state;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    srv.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                                 MHD_USE_ERROR_LOG,
                             0, NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &addr,
                             MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    if (!srv.d)
        return -1;
    info = MHD_get_daemon_info(srv.d, MHD_DAEMON_INFO_BIND_PORT);
    if (!info || info->port == 0)
        return -1;
    srv.port = info->port;
    return rig_http_global_init();
}

static int server_stop(void **state)
{
    (void)state;
    atomic_store(&srv.stopping, 1);
    MHD_stop_daemon(srv.d);
    rig_http_global_cleanup();
    return 0;
}

static int reset_counters(void **state)
{
    (void)state;
    atomic_store(&srv.hits_429, 0);
    atomic_store(&srv.hits_503, 0);
    atomic_store(&srv.hits_529, 0);
    atomic_store(&srv.hits_limit, 0);
    atomic_store(&srv.slow_entered, 0);
    return 0;
}

/* Request with tiny retry delays so tests stay fast. */
static struct rig_http_req req_for(const char *url)
{
    struct rig_http_req r;

    memset(&r, 0, sizeof(r));
    r.url = url;
    r.timeout_ms = 30000;
    r.retry_base_ms = 1;
    r.retry_max_ms = 5;
    return r;
}

static void test_get_echo(void **state)
{
    char *url = url_for("/echo");
    struct rig_http_req req = req_for(url);
    struct rig_http_resp resp;
    struct rig_err err = RIG_ERR_INIT;
    const char *hdrs[] = {"X-Custom: one two", "Accept: application/json", NULL};
    json_t *j;

    (void)state;
    req.headers = hdrs;
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.attempts, 1);
    assert_non_null(resp.body);
    assert_int_equal(strlen(resp.body), resp.body_len);
    j = rig_json_loadb(resp.body, resp.body_len, "echo", &err);
    assert_non_null(j);
    assert_string_equal(rig_json_str(j, "method", NULL), "GET");
    assert_string_equal(rig_json_str(j, "body", NULL), "");
    assert_string_equal(json_string_value(rig_json_pointer(j, "/headers/x-custom")), "one two");
    assert_string_equal(json_string_value(rig_json_pointer(j, "/headers/accept")),
                        "application/json");
    assert_non_null(strstr(json_string_value(rig_json_pointer(j, "/headers/user-agent")),
                           "rig/"));
    /* response headers: lowercased names, trimmed values, case-insensitive lookup */
    assert_string_equal(rig_http_header_get(&resp, "X-ECHO"), "yes");
    assert_string_equal(rig_http_header_get(&resp, "content-type"), "application/json");
    assert_string_equal(rig_http_header_get(&resp, "x-mixed-case"), "Padded Value");
    assert_null(rig_http_header_get(&resp, "x-absent"));
    for (size_t i = 0; i < resp.nheaders; i++)
        for (const char *p = resp.headers[i].name; *p; p++)
            assert_false(isupper((unsigned char)*p));
    json_decref(j);
    rig_http_resp_release(&resp);
    assert_null(resp.body);
    rig_http_resp_release(&resp); /* twice is harmless */
    rig_http_resp_release(NULL);
    free(url);
}

static void test_post_json_body(void **state)
{
    char *url = url_for("/echo");
    struct rig_http_req req = req_for(url);
    struct rig_http_resp resp;
    struct rig_err err = RIG_ERR_INIT;
    const char *hdrs[] = {"Content-Type: application/json", "Authorization: Bearer abc", NULL};
    /* bigger than curl's 1 KiB "Expect: 100-continue" threshold */
    json_t *payload = json_pack("{s:s, s:i}", "text", "", "n", 7);
    char *big = xmalloc(5001);
    char *body;
    json_t *j, *sent;

    (void)state;
    memset(big, 'p', 5000);
    big[5000] = '\0';
    json_object_set_new(payload, "text", json_string(big));
    body = rig_json_dump(payload, false);
    req.method = "POST";
    req.headers = hdrs;
    req.body = body;
    req.body_len = strlen(body);
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    assert_int_equal(resp.status, 200);
    j = rig_json_loadb(resp.body, resp.body_len, "echo", &err);
    assert_non_null(j);
    assert_string_equal(rig_json_str(j, "method", NULL), "POST");
    assert_string_equal(json_string_value(rig_json_pointer(j, "/headers/content-type")),
                        "application/json");
    assert_string_equal(json_string_value(rig_json_pointer(j, "/headers/authorization")),
                        "Bearer abc");
    assert_null(rig_json_pointer(j, "/headers/expect"));
    sent = rig_json_loadb(rig_json_str(j, "body", ""), strlen(rig_json_str(j, "body", "")),
                          "sent", &err);
    assert_true(json_equal(sent, payload));
    json_decref(sent);
    json_decref(j);
    rig_http_resp_release(&resp);
    free(body);
    free(big);
    json_decref(payload);
    free(url);
}

static void test_other_methods(void **state)
{
    char *url = url_for("/echo");
    struct rig_http_req req = req_for(url);
    struct rig_http_resp resp;
    struct rig_err err = RIG_ERR_INIT;
    json_t *j;

    (void)state;
    req.method = "PATCH";
    req.body = "{\"state\":\"closed\"}";
    req.body_len = strlen(req.body);
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    j = rig_json_loadb(resp.body, resp.body_len, "echo", &err);
    assert_string_equal(rig_json_str(j, "method", NULL), "PATCH");
    assert_string_equal(rig_json_str(j, "body", NULL), "{\"state\":\"closed\"}");
    json_decref(j);
    rig_http_resp_release(&resp);

    req.method = "DELETE";
    req.body = NULL;
    req.body_len = 0;
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    j = rig_json_loadb(resp.body, resp.body_len, "echo", &err);
    assert_string_equal(rig_json_str(j, "method", NULL), "DELETE");
    json_decref(j);
    rig_http_resp_release(&resp);

    req.method = "POST"; /* POST without a body still sends Content-Length: 0 */
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    j = rig_json_loadb(resp.body, resp.body_len, "echo", &err);
    assert_string_equal(rig_json_str(j, "method", NULL), "POST");
    assert_string_equal(json_string_value(rig_json_pointer(j, "/headers/content-length")), "0");
    json_decref(j);
    rig_http_resp_release(&resp);

    req.method = "HEAD";
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.body_len, 0);
    assert_string_equal(resp.body, "");
    rig_http_resp_release(&resp);
    free(url);
}

static void test_status_without_retry(void **state)
{
    char *url = url_for("/notfound");
    char *empty = url_for("/empty");
    struct rig_http_req req = req_for(url);
    struct rig_http_resp resp;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    req.max_retries = 3;
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    assert_int_equal(resp.status, 404);
    assert_int_equal(resp.attempts, 1); /* 4xx other than 429 is final */
    assert_string_equal(resp.body, "no such thing");
    rig_http_resp_release(&resp);

    req.url = empty;
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    assert_int_equal(resp.status, 204);
    assert_non_null(resp.body);
    assert_int_equal(resp.body_len, 0);
    rig_http_resp_release(&resp);
    free(empty);
    free(url);
}

static void test_429_retry_after_then_ok(void **state)
{
    char *url = url_for("/retry-after");
    struct rig_http_req req = req_for(url);
    struct rig_http_resp resp;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    req.max_retries = 3;
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.attempts, 2);
    assert_string_equal(resp.body, "finally");
    assert_int_equal(atomic_load(&srv.hits_429), 2);
    assert_null(rig_http_header_get(&resp, "retry-after")); /* headers of the final attempt */
    rig_http_resp_release(&resp);
    free(url);
}

static void test_529_and_ratelimit_retried(void **state)
{
    char *url = url_for("/overloaded");
    char *limit = url_for("/ratelimit");
    struct rig_http_req req = req_for(url);
    struct rig_http_resp resp;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    req.max_retries = 1;
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.attempts, 2);
    rig_http_resp_release(&resp);

    /* x-ratelimit-reset in 2001: already past, so retried at once */
    req.url = limit;
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.attempts, 2);
    assert_int_equal(atomic_load(&srv.hits_limit), 2);
    rig_http_resp_release(&resp);
    free(limit);
    free(url);
}

static void test_503_until_exhausted(void **state)
{
    char *url = url_for("/always503");
    struct rig_http_req req = req_for(url);
    struct rig_http_resp resp;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    /* the server asks for Retry-After: 30; retry_max_ms (5) caps it */
    req.max_retries = 3;
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    assert_int_equal(resp.status, 503);
    assert_int_equal(resp.attempts, 4);
    assert_int_equal(atomic_load(&srv.hits_503), 4);
    assert_string_equal(resp.body, "unavailable");
    assert_string_equal(rig_http_header_get(&resp, "retry-after"), "30");
    rig_http_resp_release(&resp);

    /* no retries configured: one attempt */
    reset_counters(NULL);
    req.max_retries = 0;
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    assert_int_equal(resp.status, 503);
    assert_int_equal(resp.attempts, 1);
    rig_http_resp_release(&resp);
    free(url);
}

static void test_response_too_big(void **state)
{
    char *url = url_for("/big");
    char *chunked = url_for("/bigchunked");
    struct rig_http_req req = req_for(url);
    struct rig_http_resp resp;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    req.max_retries = 2;
    assert_int_equal(rig_http_do(&req, &resp, &err), 0); /* default cap: fine */
    assert_int_equal(resp.body_len, BIG_LEN);
    rig_http_resp_release(&resp);

    req.max_response = BIG_LEN; /* exactly at the cap is allowed */
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    assert_int_equal(resp.body_len, BIG_LEN);
    rig_http_resp_release(&resp);

    req.max_response = BIG_LEN - 1;
    assert_int_equal(rig_http_do(&req, &resp, &err), -1);
    assert_int_equal(err.code, RIG_ETOOBIG);
    assert_non_null(strstr(err.msg, "9999-byte limit"));
    assert_int_equal(resp.attempts, 1); /* never retried */
    assert_null(resp.body);

    /* no Content-Length: caught by the write callback */
    rig_err_clear(&err);
    req.url = chunked;
    req.max_response = 4000;
    assert_int_equal(rig_http_do(&req, &resp, &err), -1);
    assert_int_equal(err.code, RIG_ETOOBIG);
    assert_int_equal(resp.attempts, 1);
    req.max_response = BIG_LEN;
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    assert_int_equal(resp.body_len, BIG_LEN);
    assert_int_equal(resp.body[BIG_LEN - 1], 'c');
    rig_http_resp_release(&resp);
    free(chunked);
    free(url);
}

static void test_timeout(void **state)
{
    char *url = url_for("/slow");
    struct rig_http_req req = req_for(url);
    struct rig_http_resp resp;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    req.timeout_ms = 300;
    assert_int_equal(rig_http_do(&req, &resp, &err), -1);
    assert_int_equal(err.code, RIG_ETIMEOUT);
    assert_int_equal(resp.attempts, 1);
    assert_non_null(strstr(err.msg, "GET http://127.0.0.1:"));
    assert_non_null(strstr(err.msg, "/slow"));
    assert_non_null(strstr(err.msg, "(1 attempt)"));

    req.max_retries = 1; /* a timeout is a network error: retried */
    assert_int_equal(rig_http_do(&req, &resp, &err), -1);
    assert_int_equal(err.code, RIG_ETIMEOUT);
    assert_int_equal(resp.attempts, 2);
    assert_non_null(strstr(err.msg, "(2 attempts)"));
    free(url);
}

/* A port nothing listens on: bound once, then released. */
static uint16_t closed_port(void)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    close(fd);
    return ntohs(addr.sin_port);
}

static void test_connection_refused(void **state)
{
    char *url = xasprintf("http://127.0.0.1:%u/x", (unsigned)closed_port());
    struct rig_http_req req = req_for(url);
    struct rig_http_resp resp;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    req.max_retries = 2;
    assert_int_equal(rig_http_do(&req, &resp, &err), -1);
    assert_int_equal(err.code, RIG_EIO);
    assert_int_equal(resp.attempts, 3);
    assert_null(resp.body);
    assert_non_null(strstr(err.msg, url));
    assert_non_null(strstr(err.msg, "(3 attempts)"));
    assert_non_null(strstr(err.msg, "check that the server is up"));
    free(url);
}

static void test_bad_requests(void **state)
{
    struct rig_http_req req = req_for(NULL);
    struct rig_http_resp resp;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    assert_int_equal(rig_http_do(&req, &resp, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    req.url = "ftp://127.0.0.1/file";
    req.max_retries = 2;
    assert_int_equal(rig_http_do(&req, &resp, &err), -1);
    assert_int_equal(err.code, RIG_EIO);
    assert_int_equal(resp.attempts, 1); /* not a transient failure */
    assert_non_null(strstr(err.msg, "ftp://127.0.0.1/file"));
}

struct canceller {
    volatile int *flag;
    atomic_int *wait_for;
};

/* Cancels once the server has seen the request, so the test does not rely on timing. */
static void *cancel_later(void *arg)
{
    struct canceller *c = arg;

    while (!atomic_load(c->wait_for)) {
        struct timespec ts = {0, 5 * 1000000L};

        nanosleep(&ts, NULL);
    }
    *c->flag = 1;
    return NULL;
}

static void test_cancel(void **state)
{
    char *url = url_for("/slow");
    char *url503 = url_for("/always503");
    struct rig_http_req req = req_for(url);
    struct rig_http_resp resp;
    struct rig_err err = RIG_ERR_INIT;
    volatile int flag = 1;
    struct canceller c = {&flag, &srv.slow_entered};
    pthread_t th;

    (void)state;
    req.cancel = &flag;
    assert_int_equal(rig_http_do(&req, &resp, &err), -1);
    assert_int_equal(err.code, RIG_ECANCELLED);
    assert_int_equal(resp.attempts, 0);

    /* during the transfer */
    flag = 0;
    assert_int_equal(pthread_create(&th, NULL, cancel_later, &c), 0);
    assert_int_equal(rig_http_do(&req, &resp, &err), -1);
    pthread_join(th, NULL);
    assert_int_equal(err.code, RIG_ECANCELLED);
    assert_int_equal(resp.attempts, 1);

    /* while waiting 30 s (Retry-After) between attempts */
    flag = 0;
    c.wait_for = &srv.hits_503;
    req.url = url503;
    req.max_retries = 1;
    req.retry_max_ms = 60000;
    assert_int_equal(pthread_create(&th, NULL, cancel_later, &c), 0);
    assert_int_equal(rig_http_do(&req, &resp, &err), -1);
    pthread_join(th, NULL);
    assert_int_equal(err.code, RIG_ECANCELLED);
    assert_int_equal(atomic_load(&srv.hits_503), 1);
    free(url503);
    free(url);
}

static void test_secret_never_logged(void **state)
{
    char *url = url_for("/echo?token=" SECRET);
    char *bad = xasprintf("http://127.0.0.1:%u/x?token=%s", (unsigned)closed_port(), SECRET);
    struct rig_http_req req = req_for(url);
    struct rig_http_resp resp;
    struct rig_err err = RIG_ERR_INIT;
    char *log = NULL;
    size_t loglen = 0;
    FILE *f = open_memstream(&log, &loglen);
    json_t *j;

    (void)state;
    rig_secret_add(SECRET);
    rig_log_setup(RIG_LOG_DEBUG, RIG_LOG_TEXT, f);
    assert_int_equal(rig_http_do(&req, &resp, &err), 0);
    /* the server did receive the real value */
    j = rig_json_loadb(resp.body, resp.body_len, "echo", &err);
    assert_string_equal(rig_json_str(j, "token", NULL), SECRET);
    json_decref(j);
    rig_http_resp_release(&resp);

    req.url = bad;
    req.max_retries = 1;
    assert_int_equal(rig_http_do(&req, &resp, &err), -1);
    assert_null(strstr(err.msg, SECRET));
    assert_non_null(strstr(err.msg, "token=[REDACTED]"));

    rig_log_setup(RIG_LOG_INFO, RIG_LOG_TEXT, stderr);
    fclose(f);
    rig_secret_clear();
    assert_non_null(strstr(log, " debug GET http://127.0.0.1:"));
    assert_non_null(strstr(log, "/echo?token=[REDACTED] -> 200 ("));
    assert_non_null(strstr(log, "/x?token=[REDACTED] -> "));
    assert_non_null(strstr(log, "retry 1 of 1"));
    assert_null(strstr(log, SECRET));
    free(log);
    free(bad);
    free(url);
}

static const char *hdr_pairs_get(struct rig_http_header *h, size_t n, const char *name)
{
    struct rig_http_resp r;

    memset(&r, 0, sizeof(r));
    r.headers = h;
    r.nheaders = n;
    return rig_http_header_get(&r, name);
}

static int64_t retry_after(long status, const char *ra, const char *reset, const char *remaining,
                           int64_t now_ms)
{
    struct rig_http_header h[3];
    struct rig_http_resp r;
    size_t n = 0;

    if (ra)
        h[n++] = (struct rig_http_header){"retry-after", (char *)ra};
    if (reset)
        h[n++] = (struct rig_http_header){"x-ratelimit-reset", (char *)reset};
    if (remaining)
        h[n++] = (struct rig_http_header){"x-ratelimit-remaining", (char *)remaining};
    memset(&r, 0, sizeof(r));
    r.status = status;
    r.headers = h;
    r.nheaders = n;
    return rig_http_retry_after_ms(&r, now_ms);
}

static void test_retry_after_parsing(void **state)
{
    /* Wed, 21 Oct 2015 07:28:00 GMT (the RFC 9110 example) */
    const int64_t date_ms = INT64_C(1445412480000);
    struct rig_http_header h = {"x-one", "1"};

    (void)state;
    assert_int_equal(retry_after(429, "120", NULL, NULL, 0), 120000);
    assert_int_equal(retry_after(503, "0", NULL, NULL, 0), 0);
    assert_int_equal(retry_after(503, "Wed, 21 Oct 2015 07:28:00 GMT", NULL, NULL,
                                 date_ms - 10000), 10000);
    assert_int_equal(retry_after(503, "Wed, 21 Oct 2015 07:28:00 GMT", NULL, NULL,
                                 date_ms + 10000), 0);
    assert_int_equal(retry_after(503, "-5", NULL, NULL, 0), -1);
    assert_int_equal(retry_after(503, "soon", NULL, NULL, 0), -1);
    assert_int_equal(retry_after(503, NULL, NULL, NULL, 0), -1);
    /* x-ratelimit-reset: only when rate-limited */
    assert_int_equal(retry_after(429, NULL, "1445412490", NULL, date_ms), 10000);
    assert_int_equal(retry_after(403, NULL, "1445412490", "0", date_ms), 10000);
    assert_int_equal(retry_after(503, NULL, "1445412490", "4999", date_ms), -1);
    assert_int_equal(retry_after(429, NULL, "1445412470", NULL, date_ms), 0);
    assert_int_equal(retry_after(429, NULL, "later", NULL, date_ms), -1);
    /* Retry-After wins over the reset time */
    assert_int_equal(retry_after(429, "3", "1445412490", "0", date_ms), 3000);
    /* a bad Retry-After falls back to the reset time */
    assert_int_equal(retry_after(429, "soon", "1445412490", "0", date_ms), 10000);
    assert_string_equal(hdr_pairs_get(&h, 1, "X-One"), "1");
    assert_null(hdr_pairs_get(&h, 0, "x-one"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_get_echo, reset_counters),
        cmocka_unit_test_setup(test_post_json_body, reset_counters),
        cmocka_unit_test_setup(test_other_methods, reset_counters),
        cmocka_unit_test_setup(test_status_without_retry, reset_counters),
        cmocka_unit_test_setup(test_429_retry_after_then_ok, reset_counters),
        cmocka_unit_test_setup(test_529_and_ratelimit_retried, reset_counters),
        cmocka_unit_test_setup(test_503_until_exhausted, reset_counters),
        cmocka_unit_test_setup(test_response_too_big, reset_counters),
        cmocka_unit_test_setup(test_timeout, reset_counters),
        cmocka_unit_test_setup(test_connection_refused, reset_counters),
        cmocka_unit_test_setup(test_bad_requests, reset_counters),
        cmocka_unit_test_setup(test_cancel, reset_counters),
        cmocka_unit_test_setup(test_secret_never_logged, reset_counters),
        cmocka_unit_test(test_retry_after_parsing),
    };

    return cmocka_run_group_tests(tests, server_start, server_stop);
}
