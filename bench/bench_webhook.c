/*
 * bench_webhook: signed GitHub deliveries posted at full speed to a webhook
 * endpoint on this machine, over N keep-alive connections (libcurl multi),
 * for a bounded number of requests or seconds. Reports accepted (2xx)
 * requests per second and latency percentiles as one key=value line.
 *
 *   bench_webhook --url http://127.0.0.1:PORT/webhook [--secret S]
 *                 [--connections N] [--requests M] [--seconds T]
 *                 [--mode ignored|trigger|ping] [--repo OWNER/NAME]
 *                 [--fixtures DIR] [--label NAME]
 *
 * Modes (payloads are GitHub's, from the shared fixtures):
 *   ignored  issues.labeled with a label no trigger lists: verified, parsed,
 *            recorded, answered "ignored" (no task)
 *   trigger  issues.opened on --repo with a new issue number each time: a
 *            task is created and queued per delivery
 *   ping     ping: verified, recorded, answered
 * Every delivery has its own X-GitHub-Delivery and signature. Only
 * 127.0.0.1 URLs are accepted.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/hmac.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/banned.h"

#define ISSUE_SENTINEL 987654321

struct opts {
    const char *url;
    const char *secret;
    const char *mode;
    const char *repo;
    const char *fixtures;
    const char *label;
    long connections;
    long requests;
    double seconds;
};

/* The payload, split around the issue number in trigger mode. */
struct payload {
    const char *event;
    char *head;
    char *tail; /* NULL: no number to vary */
};

struct conn {
    CURL *h;
    struct curl_slist *hdrs;
    struct rig_buf body;
    char resp[512];
    size_t resp_len;
    double t0;
};

struct stats {
    double *lat; /* ms */
    size_t n, cap;
    long ok, errors;
    long sent;
    char first_error[600];
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct conn *c = ctx;
    size_t len = size * n, room = sizeof(c->resp) - 1 - c->resp_len;

    if (len < room)
        room = len;
    memcpy(c->resp + c->resp_len, p, room);
    c->resp_len += room;
    c->resp[c->resp_len] = '\0';
    return len;
}

static int load_payload(const struct opts *o, struct payload *pl)
{
    const char *rel;
    char *path;
    json_t *root;
    struct rig_err err = RIG_ERR_INIT;
    char *text, *at, needle[32];

    if (strcmp(o->mode, "ignored") == 0) {
        rel = "github-webhooks/issues/labeled.payload.json";
        pl->event = "issues";
    } else if (strcmp(o->mode, "trigger") == 0) {
        rel = "github-webhooks/issues/opened.payload.json";
        pl->event = "issues";
    } else if (strcmp(o->mode, "ping") == 0) {
        rel = "github-webhooks/ping/payload.json";
        pl->event = "ping";
    } else {
        fprintf(stderr, "bench_webhook: --mode must be ignored, trigger or ping\n");
        return -1;
    }
    path = xasprintf("%s/%s", o->fixtures, rel);
    root = rig_json_load_file(path, 0, &err);
    free(path);
    if (!root) {
        fprintf(stderr, "bench_webhook: %s\n", err.msg);
        return -1;
    }
    if (strcmp(o->mode, "ignored") == 0)
        json_object_set_new(json_object_get(root, "label"), "name", json_string(o->label));
    if (strcmp(o->mode, "trigger") == 0) {
        json_object_set_new(json_object_get(root, "repository"), "full_name",
                            json_string(o->repo));
        json_object_set_new(json_object_get(root, "issue"), "number",
                            json_integer(ISSUE_SENTINEL));
    }
    text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    snprintf(needle, sizeof(needle), "%d", ISSUE_SENTINEL);
    at = strcmp(o->mode, "trigger") == 0 ? strstr(text, needle) : NULL;
    if (at) {
        *at = '\0';
        pl->tail = xstrdup(at + strlen(needle));
    }
    pl->head = text;
    return 0;
}

static void prepare(struct conn *c, const struct opts *o, const struct payload *pl, long seq)
{
    static long run_id;
    char hex[65], line[160];

    if (!run_id)
        run_id = (long)getpid() * 1000 + (long)(time(NULL) % 1000);
    rig_buf_reset(&c->body);
    rig_buf_adds(&c->body, pl->head);
    if (pl->tail)
        rig_buf_addf(&c->body, "%ld%s", 100000 + seq, pl->tail);
    curl_slist_free_all(c->hdrs);
    c->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    c->hdrs = curl_slist_append(c->hdrs, "Expect:");
    snprintf(line, sizeof(line), "X-GitHub-Event: %s", pl->event);
    c->hdrs = curl_slist_append(c->hdrs, line);
    snprintf(line, sizeof(line), "X-GitHub-Delivery: bench-%ld-%ld", run_id, seq);
    c->hdrs = curl_slist_append(c->hdrs, line);
    rig_hmac_sha256_hex(o->secret, strlen(o->secret), c->body.data, c->body.len, hex);
    snprintf(line, sizeof(line), "X-Hub-Signature-256: sha256=%s", hex);
    c->hdrs = curl_slist_append(c->hdrs, line);
    curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->hdrs);
    curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, c->body.data);
    curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE, (long)c->body.len);
    c->resp_len = 0;
    c->resp[0] = '\0';
    c->t0 = now_s();
}

static void record(struct stats *st, struct conn *c, CURLcode res)
{
    long code = 0;
    double ms = (now_s() - c->t0) * 1000.0;

    curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
    if (res == CURLE_OK && code >= 200 && code < 300) {
        st->ok++;
        if (st->n == st->cap) {
            st->cap = st->cap ? 2 * st->cap : 4096;
            st->lat = xreallocarray(st->lat, st->cap, sizeof(*st->lat));
        }
        st->lat[st->n++] = ms;
        return;
    }
    st->errors++;
    if (!st->first_error[0])
        snprintf(st->first_error, sizeof(st->first_error), "%s (HTTP %ld) %s",
                 res == CURLE_OK ? "answer" : curl_easy_strerror(res), code, c->resp);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double pct(const struct stats *st, double p)
{
    size_t i;

    if (!st->n)
        return 0;
    i = (size_t)(p * (double)(st->n - 1) + 0.5);
    return st->lat[i];
}

static int run(const struct opts *o, const struct payload *pl, struct stats *st,
               double *elapsed)
{
    CURLM *m = curl_multi_init();
    struct conn *conns = xcalloc((size_t)o->connections, sizeof(*conns));
    double start = now_s(), deadline = start + o->seconds;
    long inflight = 0;

    for (long i = 0; i < o->connections; i++) {
        struct conn *c = &conns[i];

        c->h = curl_easy_init();
        rig_buf_init(&c->body, 0);
        curl_easy_setopt(c->h, CURLOPT_URL, o->url);
        curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
        curl_easy_setopt(c->h, CURLOPT_PRIVATE, c);
        curl_easy_setopt(c->h, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(c->h, CURLOPT_TIMEOUT_MS, 30000L);
        curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
        if (st->sent < o->requests) {
            prepare(c, o, pl, st->sent++);
            curl_multi_add_handle(m, c->h);
            inflight++;
        }
    }
    while (inflight > 0) {
        int running = 0, left = 0;
        CURLMsg *msg;

        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &left))) {
            struct conn *c = NULL;

            if (msg->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
            record(st, c, msg->data.result);
            curl_multi_remove_handle(m, c->h);
            inflight--;
            if (st->sent < o->requests && now_s() < deadline) {
                prepare(c, o, pl, st->sent++);
                curl_multi_add_handle(m, c->h);
                inflight++;
            }
        }
        if (inflight > 0)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    *elapsed = now_s() - start;
    for (long i = 0; i < o->connections; i++) {
        curl_easy_cleanup(conns[i].h);
        curl_slist_free_all(conns[i].hdrs);
        rig_buf_release(&conns[i].body);
    }
    free(conns);
    curl_multi_cleanup(m);
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_webhook --url http://127.0.0.1:PORT/PATH [--secret S] "
                    "[--connections N] [--requests M] [--seconds T] "
                    "[--mode ignored|trigger|ping] [--repo OWNER/NAME] [--fixtures DIR] "
                    "[--label NAME]\n");
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"url", required_argument, NULL, 'u'},         {"secret", required_argument, NULL, 's'},
        {"connections", required_argument, NULL, 'c'}, {"requests", required_argument, NULL, 'n'},
        {"seconds", required_argument, NULL, 't'},     {"mode", required_argument, NULL, 'm'},
        {"repo", required_argument, NULL, 'r'},        {"fixtures", required_argument, NULL, 'f'},
        {"label", required_argument, NULL, 'l'},       {NULL, 0, NULL, 0},
    };
    struct opts o = {NULL, "It's a Secret to Everybody", "ignored", "Codertocat/Hello-World",
                     NULL, "bench-not-a-trigger", 32, 20000, 10.0};
    struct payload pl = {0};
    struct stats st = {0};
    double elapsed = 0;
    long long v;
    int c;

    o.fixtures = getenv("RIG_FIXTURES") ? getenv("RIG_FIXTURES") : "../shared/fixtures";
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'u': o.url = optarg; break;
        case 's': o.secret = optarg; break;
        case 'm': o.mode = optarg; break;
        case 'r': o.repo = optarg; break;
        case 'f': o.fixtures = optarg; break;
        case 'l': o.label = optarg; break;
        case 'c':
        case 'n':
            if (rig_str_to_ll(optarg, 1, 100000000, &v) < 0) {
                usage();
                return 2;
            }
            if (c == 'c')
                o.connections = (long)v;
            else
                o.requests = (long)v;
            break;
        case 't':
            if (rig_str_to_ll(optarg, 1, 3600, &v) < 0) {
                usage();
                return 2;
            }
            o.seconds = (double)v;
            break;
        default: usage(); return 2;
        }
    }
    if (!o.url || !rig_str_startswith(o.url, "http://127.0.0.1:")) {
        fprintf(stderr, "bench_webhook: --url must be http://127.0.0.1:PORT/... (loopback "
                        "only)\n");
        return 2;
    }
    if (load_payload(&o, &pl) < 0)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    run(&o, &pl, &st, &elapsed);
    qsort(st.lat, st.n, sizeof(*st.lat), cmp_double);
    printf("mode=%s connections=%ld sent=%ld accepted=%ld errors=%ld seconds=%.2f "
           "accepted_rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f bytes=%zu\n",
           o.mode, o.connections, st.sent, st.ok, st.errors, elapsed,
           elapsed > 0 ? (double)st.ok / elapsed : 0.0, pct(&st, 0.50), pct(&st, 0.90),
           pct(&st, 0.99), st.n ? st.lat[st.n - 1] : 0.0,
           strlen(pl.head) + (pl.tail ? strlen(pl.tail) + 6 : 0));
    if (st.errors)
        fprintf(stderr, "bench_webhook: first error: %s\n", st.first_error);
    free(st.lat);
    free(pl.head);
    free(pl.tail);
    curl_global_cleanup();
    return st.errors ? 1 : 0;
}
