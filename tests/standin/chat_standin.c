/*
 * chat_standin: a local stand-in for Slack and Discord incoming webhooks.
 *
 *   POST /slack/<anything>    Slack: JSON body with a non-empty "text" (or
 *                             "blocks"); 200 "ok". Errors are plain text
 *                             ("invalid_payload", "no_text", "no_service").
 *   POST /discord/<anything>  Discord execute-webhook: JSON body with
 *                             "content" (at most 2000 UTF-16 units) or
 *                             "embeds"; 204 No Content. Errors are JSON
 *                             {"message", "code"} like Discord's.
 *
 * Scripting (per kind: Slack and Discord count separately):
 *   --fail-first N     the first N requests fail with --fail-status
 *   --fail-status S    429 (default) or any other status, e.g. 500
 *   --retry-after V    Slack 429: the Retry-After header (default "1")
 *   --discord-retry-after X   Discord 429: body {"retry_after": X} (default 0.01)
 *   --hold FILE        every request waits until FILE exists (a slow endpoint);
 *                      FILE.waiting is created when the first one starts waiting
 *
 * Every request is appended to --log as one JSON line when answered:
 * {"seq", "kind", "method", "path", "content_type", "status", "body"} where
 * body is the parsed JSON (or the raw text when it is not JSON).
 *
 * Usage: chat_standin [--port N] [--port-file F] [--log F] [options above]
 * Prints "listening on PORT" once ready; runs until SIGTERM or SIGINT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
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

#define BODY_MAX (1u << 20)
#define HOLD_MAX_MS (300 * 1000)

struct standin {
    pthread_mutex_t mu;
    FILE *log;
    long seq;
    long fail_first;
    unsigned fail_status;
    const char *retry_after;
    double discord_retry_after;
    const char *hold;
    long nslack, ndiscord; /* requests seen per kind */
};

struct conn {
    struct rig_buf body;
    bool too_big;
};

struct reply {
    unsigned status;
    char *body;            /* NULL: empty */
    const char *ctype;
    const char *retry_after; /* header, or NULL */
};

static void reply_text(struct reply *r, unsigned status, const char *text)
{
    r->status = status;
    r->body = xstrdup(text);
    r->ctype = "text/plain; charset=utf-8";
}

static void reply_json(struct reply *r, unsigned status, json_t *body)
{
    r->status = status;
    r->body = json_dumps(body, JSON_COMPACT);
    r->ctype = "application/json";
    json_decref(body);
}

static size_t utf16_len(const char *s)
{
    size_t n = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xc0) != 0x80)
            n += *p >= 0xf0 ? 2 : 1;
    }
    return n;
}

static bool is_json_ctype(const char *ct)
{
    return ct && strncasecmp(ct, "application/json", 16) == 0;
}

/* true when this request is one of the first N of its kind (scripted failure). */
static bool scripted_failure(struct standin *s, long *count)
{
    bool fail;

    pthread_mutex_lock(&s->mu);
    fail = ++*count <= s->fail_first;
    pthread_mutex_unlock(&s->mu);
    return fail;
}

static void slack(struct standin *s, const char *ct, json_t *body, struct reply *r)
{
    json_t *text = json_object_get(body, "text");
    json_t *blocks = json_object_get(body, "blocks");

    if (!is_json_ctype(ct) || !json_is_object(body)) {
        reply_text(r, 400, "invalid_payload");
        return;
    }
    if (!(json_is_string(text) && json_string_length(text) > 0) &&
        !(json_is_array(blocks) && json_array_size(blocks) > 0)) {
        reply_text(r, 400, "no_text");
        return;
    }
    if (scripted_failure(s, &s->nslack)) {
        if (s->fail_status == 429) {
            reply_text(r, 429, "rate_limited");
            r->retry_after = s->retry_after;
        } else {
            reply_text(r, s->fail_status, "internal_error");
        }
        return;
    }
    reply_text(r, 200, "ok");
}

static void discord(struct standin *s, const char *ct, json_t *body, struct reply *r)
{
    json_t *content = json_object_get(body, "content");
    json_t *embeds = json_object_get(body, "embeds");

    if (!is_json_ctype(ct) || !json_is_object(body)) {
        reply_json(r, 400,
                   json_pack("{s:s, s:i}", "message", "Invalid Form Body", "code", 50035));
        return;
    }
    if (json_is_string(content) && utf16_len(json_string_value(content)) > 2000) {
        reply_json(
            r, 400,
            json_pack("{s:s, s:i, s:{s:{s:[{s:s, s:s}]}}}", "message", "Invalid Form Body", "code",
                      50035, "errors", "content", "_errors", "code", "BASE_TYPE_MAX_LENGTH",
                      "message", "Must be 2000 or fewer in length."));
        return;
    }
    if (!(json_is_string(content) && json_string_length(content) > 0) &&
        !(json_is_array(embeds) && json_array_size(embeds) > 0)) {
        reply_json(r, 400, json_pack("{s:s, s:i}", "message", "Cannot send an empty message",
                                     "code", 50006));
        return;
    }
    if (scripted_failure(s, &s->ndiscord)) {
        /* The wait is only in the body here (Discord also sends a rounded
         * Retry-After header): clients must read the precise value. */
        if (s->fail_status == 429)
            reply_json(r, 429, json_pack("{s:s, s:f, s:b}", "message",
                                         "You are being rate limited.", "retry_after",
                                         s->discord_retry_after, "global", 0));
        else
            reply_json(r, s->fail_status,
                       json_pack("{s:s, s:i}", "message", "500: Internal Server Error", "code", 0));
        return;
    }
    r->status = 204;
}

static void route(struct standin *s, const char *method, const char *url, const char *ct,
                  json_t *body, struct reply *r, const char **kind)
{
    bool is_slack = strncmp(url, "/slack/", 7) == 0;
    bool is_discord = strncmp(url, "/discord/", 9) == 0;

    *kind = is_slack ? "slack" : is_discord ? "discord" : "unknown";
    if (!is_slack && !is_discord) {
        reply_text(r, 404, "no_service");
        return;
    }
    if (strcmp(method, "POST") != 0) {
        if (is_slack) {
            reply_text(r, 405, "invalid_method");
            return;
        }
        reply_json(r, 405,
                   json_pack("{s:s, s:i}", "message", "405: Method Not Allowed", "code", 0));
        return;
    }
    if (is_slack)
        slack(s, ct, body, r);
    else
        discord(s, ct, body, r);
}

static void hold(const struct standin *s)
{
    struct timespec ts = {0, 10 * 1000 * 1000};
    char *waiting;
    FILE *f;

    if (!s->hold)
        return;
    /* Tells a test that a request is in flight (and now held). */
    waiting = xasprintf("%s.waiting", s->hold);
    if ((f = fopen(waiting, "a")))
        fclose(f);
    free(waiting);
    for (long waited = 0; waited < HOLD_MAX_MS && access(s->hold, F_OK) != 0; waited += 10)
        nanosleep(&ts, NULL);
}

static void log_request(struct standin *s, const char *kind, const char *method, const char *url,
                        const char *ct, json_t *body, const struct rig_buf *raw, unsigned status)
{
    json_t *line, *logged;
    char *text;

    if (!s->log)
        return;
    pthread_mutex_lock(&s->mu);
    logged = body ? json_incref(body) : json_stringn(rig_buf_str(raw), raw->len);
    if (!logged)
        logged = json_string("(not UTF-8)");
    line = json_pack("{s:I, s:s, s:s, s:s, s:s, s:i, s:o}", "seq", (json_int_t)++s->seq, "kind",
                     kind, "method", method, "path", url, "content_type", ct ? ct : "", "status",
                     (int)status, "body", logged);
    text = json_dumps(line, JSON_COMPACT);
    fprintf(s->log, "%s\n", text);
    fflush(s->log);
    free(text);
    json_decref(line);
    pthread_mutex_unlock(&s->mu);
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct reply *r)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    size_t len = r->body ? strlen(r->body) : 0;

    resp = MHD_create_response_from_buffer(len, r->body ? r->body : (char *)"",
                                           MHD_RESPMEM_MUST_COPY);
    if (r->ctype && len)
        MHD_add_response_header(resp, "Content-Type", r->ctype);
    if (r->retry_after)
        MHD_add_response_header(resp, "Retry-After", r->retry_after);
    ret = MHD_queue_response(c, r->status, resp);
    MHD_destroy_response(resp);
    free(r->body);
    return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    struct standin *s = cls;
    struct conn *cn = *con_cls;
    struct reply r = {0};
    const char *ct, *kind = "unknown";
    json_t *body;
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
    hold(s);
    ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    body = json_loadb(rig_buf_str(&cn->body), cn->body.len, JSON_REJECT_DUPLICATES, NULL);
    if (cn->too_big)
        reply_text(&r, 413, "request_too_large");
    else
        route(s, method, url, ct, body, &r, &kind);
    log_request(s, kind, method, url, ct, body, &cn->body, r.status);
    ret = send_reply(c, &r);
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
    fprintf(stderr, "usage: chat_standin [--port N] [--port-file F] [--log F] [--fail-first N] "
                    "[--fail-status S] [--retry-after V] [--discord-retry-after X] "
                    "[--hold FILE]\n");
}

static int parse_args(int argc, char **argv, struct standin *s, unsigned long *port,
                      const char **port_file, const char **log_path)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"port-file", required_argument, NULL, 'f'},
        {"log", required_argument, NULL, 'l'},
        {"fail-first", required_argument, NULL, 'n'},
        {"fail-status", required_argument, NULL, 's'},
        {"retry-after", required_argument, NULL, 'r'},
        {"discord-retry-after", required_argument, NULL, 'd'},
        {"hold", required_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    unsigned long status = 429;
    int opt;

    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'p': *port = strtoul(optarg, NULL, 10); break;
        case 'f': *port_file = optarg; break;
        case 'l': *log_path = optarg; break;
        case 'n': s->fail_first = strtol(optarg, NULL, 10); break;
        case 's': status = strtoul(optarg, NULL, 10); break;
        case 'r': s->retry_after = optarg; break;
        case 'd': s->discord_retry_after = strtod(optarg, NULL); break;
        case 'h': s->hold = optarg; break;
        default: return -1;
        }
    }
    if (*port > 65535 || status < 100 || status > 599 || s->fail_first < 0)
        return -1;
    s->fail_status = (unsigned)status;
    return 0;
}

int main(int argc, char **argv)
{
    struct standin s = {.retry_after = "1", .discord_retry_after = 0.01};
    const char *port_file = NULL, *log_path = NULL;
    unsigned long port = 0;
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    sigset_t sigs;
    int sig;

    if (parse_args(argc, argv, &s, &port, &port_file, &log_path) < 0) {
        usage();
        return 2;
    }
    pthread_mutex_init(&s.mu, NULL);
    if (log_path && !(s.log = fopen(log_path, "a"))) {
        fprintf(stderr, "chat_standin: %s: %s\n", log_path, strerror(errno));
        return 2;
    }
    /* Block the stop signals before the server threads start so only sigwait
     * sees them. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* A thread per connection: a held request must not stall the others. */
    d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                             MHD_USE_ERROR_LOG,
                         (uint16_t)port, NULL, NULL, handler, &s, MHD_OPTION_SOCK_ADDR, &sa,
                         MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "chat_standin: cannot listen on 127.0.0.1:%lu\n", port);
        return 1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (port_file && tu_write_port_file(port_file, info->port) < 0) {
        fprintf(stderr, "chat_standin: cannot write %s: %s\n", port_file, strerror(errno));
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
    pthread_mutex_destroy(&s.mu);
    return 0;
}
