/*
 * HTTP side of the webhook server (libmicrohttpd, one thread per connection:
 * a request does a few milliseconds of SQLite work and must not hold up
 * others). Routing, body limits and the signature live here; what a delivery
 * does is dispatch.c.
 */
#include "server/server_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <jansson.h>
#include <microhttpd.h>

#include "core/buf.h"
#include "core/hmac.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "server/intake.h"
#include "core/banned.h"

/* Bodies buffered at once over all connections: 25 MB each would otherwise let
 * a few hundred unauthenticated senders exhaust memory before any signature
 * is checked. Beyond it new deliveries get 503 and GitHub shows a failure. */
#define BODY_BUDGET ((size_t)128 << 20)
#define CONNECTION_LIMIT 512
#define CONNECTION_TIMEOUT_S 30
#define CANCEL_WAIT_MS 30000

enum route { ROUTE_WEBHOOK = 1, ROUTE_HEALTH };

struct req {
    enum route route;
    struct rig_buf body;
    size_t reserved; /* bytes counted in body_bytes */
};

/* ---------------------------------------------------------- responses -- */

static enum MHD_Result send_reply(struct MHD_Connection *c, unsigned status, const char *json,
                                  const char *allow)
{
    const char *b = json ? json : "{}";
    struct MHD_Response *resp;
    enum MHD_Result ret;
    char *text = xasprintf("%s\n", b);

    resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "30");
    ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *allow,
                                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *allow,
                                  const char *fmt, ...)
{
    char msg[512];
    json_t *v;
    char *s;
    enum MHD_Result ret;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    v = json_pack("{s:s}", "error", msg);
    s = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    ret = send_reply(c, status, s, allow);
    free(s);
    return ret;
}

static const char *client_addr(struct MHD_Connection *c, char *buf, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    rig_strlcpy(buf, "?", n);
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
                  (socklen_t)n);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
                  (socklen_t)n);
    return buf;
}

static enum MHD_Result health(struct rig_server *s, struct MHD_Connection *c)
{
    size_t queued = 0, running = 0;
    bool draining = atomic_load(&s->draining);
    json_t *v;
    char *body;
    enum MHD_Result ret;

    rig_pool_counts(s->pool, &queued, &running);
    v = json_pack("{s:s, s:I, s:I}", "status", draining ? "draining" : "ok", "queued",
                  (json_int_t)queued, "running", (json_int_t)running);
    body = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    ret = send_reply(c, draining ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK, body, NULL);
    free(body);
    return ret;
}

/* ------------------------------------------------------------ budget -- */

static bool reserve(struct rig_server *s, struct req *rq, size_t n)
{
    size_t before = atomic_fetch_add(&s->body_bytes, n);

    if (before + n > BODY_BUDGET) {
        atomic_fetch_sub(&s->body_bytes, n);
        return false;
    }
    rq->reserved += n;
    return true;
}

static void unreserve(struct rig_server *s, struct req *rq)
{
    atomic_fetch_sub(&s->body_bytes, rq->reserved);
    rq->reserved = 0;
}

/* ----------------------------------------------------------- requests -- */

static bool has_secret(const struct rig_server *s)
{
    return s->secret && *s->secret;
}

/* First call for a request: headers only. Answering here means the body is
 * never read and the connection closes afterwards (libmicrohttpd cannot know
 * where the next request starts), so only refusals answer here; the rest
 * answer on the last call and keep the connection alive. */
static enum MHD_Result begin(struct rig_server *s, struct MHD_Connection *c, const char *url,
                             const char *method, struct req *rq)
{
    const char *cl;
    long long len = -1;

    if (strcmp(url, "/healthz") == 0) {
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET, HEAD",
                              "/healthz answers GET only");
        rq->route = ROUTE_HEALTH;
        return MHD_YES;
    }
    if (strcmp(url, "/webhook") != 0)
        return send_error(c, MHD_HTTP_NOT_FOUND, NULL,
                          "not found: deliveries go to POST /webhook");
    if (strcmp(method, "POST") != 0)
        return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST", "/webhook answers POST only");
    if (atomic_load(&s->draining))
        return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
                          "shutting down: not accepting deliveries");
    cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && (rig_str_to_ll(cl, 0, (long long)1 << 62, &len) < 0 ||
               len > (long long)RIG_WEBHOOK_BODY_MAX))
        return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
                          "body larger than %u bytes (GitHub's limit)", RIG_WEBHOOK_BODY_MAX);
    if (has_secret(s) &&
        !MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Hub-Signature-256")) {
        char addr[64];
        log_warn("delivery from %s refused: no X-Hub-Signature-256 header",
                 client_addr(c, addr, sizeof(addr)));
        return send_error(c, MHD_HTTP_UNAUTHORIZED, NULL,
                          "missing X-Hub-Signature-256: set the webhook secret on GitHub");
    }
    if (len > 0 && !reserve(s, rq, (size_t)len))
        return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
                          "too many deliveries in progress; try again");
    rq->route = ROUTE_WEBHOOK;
    rig_buf_init(&rq->body, RIG_WEBHOOK_BODY_MAX);
    return MHD_YES;
}

/* Body bytes. A body without Content-Length that grows past the limit or the
 * budget cannot be answered mid-upload: the connection is dropped. */
static enum MHD_Result body_chunk(struct rig_server *s, struct req *rq, const char *data,
                                  size_t n)
{
    if (rq->body.len + n > rq->reserved && !reserve(s, rq, rq->body.len + n - rq->reserved))
        return MHD_NO;
    if (rig_buf_add(&rq->body, data, n) < 0)
        return MHD_NO;
    return MHD_YES;
}

static bool is_form(struct MHD_Connection *c)
{
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_TYPE);

    return ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
}

/* The whole body is here: verify, then decide. */
static enum MHD_Result finish(struct rig_server *s, struct MHD_Connection *c, struct req *rq)
{
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Hub-Signature-256");
    struct srv_reply r = {0};
    char *form = NULL;
    const char *json = rig_buf_str(&rq->body);
    size_t len = rq->body.len;
    enum MHD_Result ret;
    char addr[64];

    if (has_secret(s) && !rig_github_signature_ok(s->secret, json, len, sig)) {
        log_warn("delivery from %s refused: X-Hub-Signature-256 does not match the body",
                 client_addr(c, addr, sizeof(addr)));
        return send_error(c, MHD_HTTP_UNAUTHORIZED, NULL,
                          "invalid signature: X-Hub-Signature-256 does not match the body "
                          "and server.secret");
    }
    if (atomic_load(&s->draining))
        return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
                          "shutting down: not accepting deliveries");
    /* GitHub's form encoding carries the JSON in a "payload" field; a body
     * without one is taken as JSON sent with the wrong Content-Type. */
    if (is_form(c) && (form = rig_intake_form_payload(json, len, &len)))
        json = form;
    srv_handle_delivery(s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-GitHub-Event"),
                        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-GitHub-Delivery"),
                        json, len, &r);
    ret = send_reply(c, r.status, r.body, NULL);
    free(r.body);
    free(form);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    struct rig_server *s = cls;
    struct req *rq = *con_cls;
    enum MHD_Result ret;

    (void)version;
    if (!rq) {
        rq = xcalloc(1, sizeof(*rq));
        *con_cls = rq;
        return begin(s, c, url, method, rq);
    }
    if (rq->route == ROUTE_HEALTH) {
        if (*upload_size) {
            *upload_size = 0;
            return MHD_YES;
        }
        return health(s, c);
    }
    if (rq->route != ROUTE_WEBHOOK)
        return MHD_NO;
    if (*upload_size) {
        ret = body_chunk(s, rq, upload, *upload_size);
        *upload_size = 0;
        return ret;
    }
    ret = finish(s, c, rq);
    rig_buf_release(&rq->body);
    unreserve(s, rq);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct rig_server *s = cls;
    struct req *rq = *con_cls;

    (void)c;
    (void)toe;
    if (!rq)
        return;
    rig_buf_release(&rq->body);
    unreserve(s, rq);
    free(rq);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char buf[512];
    size_t n;

    (void)cls;
    vsnprintf(buf, sizeof(buf), fmt, ap);
    n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    log_warn("http: %s", buf);
}

/* ------------------------------------------------------------ lifecycle -- */

union addr {
    struct sockaddr sa;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
};

static int parse_listen(const char *listen, int port, union addr *a, bool *v6,
                        struct rig_err *err)
{
    memset(a, 0, sizeof(*a));
    *v6 = false;
    if (inet_pton(AF_INET, listen, &a->v4.sin_addr) == 1) {
        a->v4.sin_family = AF_INET;
        a->v4.sin_port = htons((uint16_t)port);
        return 0;
    }
    if (inet_pton(AF_INET6, listen, &a->v6.sin6_addr) == 1) {
        a->v6.sin6_family = AF_INET6;
        a->v6.sin6_port = htons((uint16_t)port);
        *v6 = true;
        return 0;
    }
    return rig_err_set(err, RIG_EINVAL, "listen address '%s' is not an IP address (use e.g. "
                       "127.0.0.1, 0.0.0.0 or ::1)", listen);
}

static int start_http(struct rig_server *s, struct rig_err *err)
{
    const char *listen = s->o.listen ? s->o.listen : "0.0.0.0";
    unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG;
    const union MHD_DaemonInfo *di;
    union addr a;
    bool v6;

    if (s->o.port < 0 || s->o.port > 65535)
        return rig_err_set(err, RIG_EINVAL, "port %d is out of range (0..65535)", s->o.port);
    if (parse_listen(listen, s->o.port, &a, &v6, err) < 0)
        return -1;
    if (v6)
        flags |= MHD_USE_IPv6;
    s->mhd = MHD_start_daemon(flags, (uint16_t)s->o.port, NULL, NULL, on_request, s,
                              MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
                              MHD_OPTION_SOCK_ADDR, &a.sa,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
                              MHD_OPTION_END);
    if (!s->mhd)
        return rig_err_set(err, RIG_EIO, "could not listen on %s port %d (in use, or not "
                           "allowed: ports below 1024 need privileges); pick another with "
                           "--port or --listen", listen, s->o.port);
    di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : s->o.port;
    return 0;
}

int rig_server_start(const struct rig_config *cfg, struct rig_wiring *w, struct rig_store *st,
                     const struct rig_server_opts *o, struct rig_server **out,
                     struct rig_err *err)
{
    struct rig_server *s;
    struct rig_pool_opts po = {0};

    *out = NULL;
    if ((!o->secret || !*o->secret) && !o->insecure_no_secret)
        return rig_err_set(err, RIG_ECONFIG, "server.secret is empty in %s: anyone could start "
                           "tasks with forged deliveries. Set it (e.g. secret: "
                           "${WEBHOOK_SECRET}) to the secret of the GitHub webhook, or pass "
                           "--insecure-no-secret for a local experiment", cfg->path);
    s = xcalloc(1, sizeof(*s));
    s->cfg = cfg;
    s->w = w;
    s->st = st;
    s->o = *o;
    s->secret = o->secret && *o->secret ? xstrdup(o->secret) : NULL;
    s->self_login = o->self_login && *o->self_login ? xstrdup(o->self_login) : NULL;
    pthread_mutex_init(&s->intake_mu, NULL);
    atomic_init(&s->draining, false);
    atomic_init(&s->body_bytes, 0);
    po.workers = o->workers;
    po.per_project_limit = o->per_project_limit;
    po.wiring = w;
    po.store = st;
    po.on_event = o->on_event;
    po.event_ctx = o->event_ctx;
    if (rig_pool_start(&po, &s->pool, err) < 0)
        goto fail;
    if (srv_recover(s, err) < 0 || start_http(s, err) < 0) {
        rig_pool_drain(s->pool, 0, CANCEL_WAIT_MS);
        goto fail;
    }
    *out = s;
    return 0;
fail:
    rig_server_free(s);
    return -1;
}

int rig_server_port(const struct rig_server *s)
{
    return s->port;
}

size_t rig_server_drain(struct rig_server *s, int64_t grace_ms)
{
    size_t left;

    atomic_store(&s->draining, true);
    left = rig_pool_drain(s->pool, grace_ms, CANCEL_WAIT_MS);
    if (left) {
        log_error("%zu task(s) did not stop after being cancelled; exiting anyway (the next "
                  "start marks them interrupted)", left);
        return left;
    }
    if (s->mhd) {
        MHD_stop_daemon(s->mhd);
        s->mhd = NULL;
    }
    return 0;
}

void rig_server_free(struct rig_server *s)
{
    if (!s)
        return;
    if (s->mhd)
        MHD_stop_daemon(s->mhd);
    rig_pool_free(s->pool);
    pthread_mutex_destroy(&s->intake_mu);
    free(s->secret);
    free(s->self_login);
    free(s);
}
