/*
 * A local stand-in for the GitHub REST API calls SpecGate makes, on
 * 127.0.0.1 only:
 *   GET   /repos/{o}/{r}/issues/{n}/comments?per_page=&page=   (Link pagination)
 *   POST  /repos/{o}/{r}/issues/{n}/comments                   {"body"}
 *   PATCH /repos/{o}/{r}/issues/comments/{id}                  {"body"}
 *   POST  /repos/{o}/{r}/check-runs                            (<= 50 annotations)
 *   PATCH /repos/{o}/{r}/check-runs/{id}                       (<= 50 annotations)
 *   GET   /_standin/state    everything it holds, for test assertions
 * Every API call needs "Authorization: Bearer <token>" (or "token <token>").
 *
 * usage: github_standin --port-file FILE [--token T] [--seed N]
 * --seed adds N comments by another user on issue 7 before serving. The port
 * is written to FILE once listening; SIGTERM or SIGINT stops it.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/banned.h"

#define BODY_MAX (4u << 20)
#define COMMENT_MAX_CHARS 65536

struct conn {
    struct rig_buf body;
    bool too_big;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *comments;   /* [{id, issue, body, user}] */
static json_t *check_runs; /* [{id, head_sha, name, conclusion, title, summary_len,
                              annotations, batches[]}] */
static json_t *requests;   /* ["METHOD /path", ...] */
static long long next_id = 1000;
static const char *token = "standin-token";
static unsigned short port;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, json_t *body,
                             const char *link)
{
    char *text = json_dumps(body, JSON_COMPACT);
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text,
                                                             MHD_RESPMEM_MUST_FREE);
    enum MHD_Result ok;

    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    if (link)
        MHD_add_response_header(r, "Link", link);
    ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    json_decref(body);
    return ok;
}

static enum MHD_Result error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    return reply(c, status, json_pack("{s:s, s:s}", "message", msg, "documentation_url",
                                      "https://docs.github.com/rest"), NULL);
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool authorized(struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    char *want1 = xasprintf("Bearer %s", token), *want2 = xasprintf("token %s", token);
    bool ok = h && (strcmp(h, want1) == 0 || strcmp(h, want2) == 0);

    free(want1);
    free(want2);
    return ok;
}

static json_t *comment_by_id(long long id)
{
    size_t i;
    json_t *c;

    json_array_foreach(comments, i, c) {
        if (json_integer_value(json_object_get(c, "id")) == id)
            return c;
    }
    return NULL;
}

static enum MHD_Result list_comments(struct MHD_Connection *c, const char *owner,
                                     const char *repo, long issue)
{
    const char *pp = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "per_page");
    const char *pg = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "page");
    long long per = 30, page = 1;
    json_t *all = json_array(), *out = json_array(), *x;
    char *link = NULL;
    size_t i, pages;

    if (pp && rig_str_to_ll(pp, 1, 100, &per) < 0)
        per = 30;
    if (pg && rig_str_to_ll(pg, 1, 1000000, &page) < 0)
        page = 1;
    json_array_foreach(comments, i, x) {
        if (json_integer_value(json_object_get(x, "issue")) == issue)
            json_array_append(all, x);
    }
    for (i = (size_t)((page - 1) * per); i < json_array_size(all) && i < (size_t)(page * per); i++)
        json_array_append(out, json_array_get(all, i));
    pages = (json_array_size(all) + (size_t)per - 1) / (size_t)per;
    if ((size_t)page < pages)
        link = xasprintf("<http://127.0.0.1:%u/repos/%s/%s/issues/%ld/comments?per_page=%lld&"
                         "page=%lld>; rel=\"next\", <http://127.0.0.1:%u/repos/%s/%s/issues/%ld/"
                         "comments?per_page=%lld&page=%zu>; rel=\"last\"",
                         port, owner, repo, issue, per, page + 1, port, owner, repo, issue, per,
                         pages);
    json_decref(all);
    {
        enum MHD_Result r = reply(c, 200, out, link);

        free(link);
        return r;
    }
}

static enum MHD_Result put_comment(struct MHD_Connection *c, json_t *req, long issue,
                                   long long id)
{
    const char *body = json_string_value(json_object_get(req, "body"));
    json_t *cm;

    if (!body)
        return error(c, 422, "Invalid request: \"body\" wasn't supplied.");
    if (utf8_chars(body) > COMMENT_MAX_CHARS)
        return reply(c, 422, json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "message",
                                       "Validation Failed", "errors", "resource",
                                       "IssueComment", "code", "custom", "message",
                                       "Body is too long (maximum is 65536 characters)"), NULL);
    if (id) {
        cm = comment_by_id(id);
        if (!cm)
            return error(c, 404, "Not Found");
        json_object_set_new(cm, "body", json_string(body));
        return reply(c, 200, json_deep_copy(cm), NULL);
    }
    cm = json_pack("{s:I, s:I, s:s, s:{s:s, s:s}}", "id", (json_int_t)next_id++, "issue",
                   (json_int_t)issue, "body", body, "user", "login", "github-actions[bot]",
                   "type", "Bot");
    json_array_append(comments, cm);
    return reply(c, 201, cm, NULL);
}

static enum MHD_Result check_run(struct MHD_Connection *c, json_t *req, long long id)
{
    json_t *output = json_object_get(req, "output");
    json_t *ann = json_object_get(output, "annotations");
    size_t n = json_array_size(ann), i;
    json_t *run = NULL, *x;

    if (n > 50)
        return error(c, 422, "Only 50 annotations are allowed per request");
    if (output && (!json_is_string(json_object_get(output, "title")) ||
                   !json_is_string(json_object_get(output, "summary"))))
        return error(c, 422, "output needs title and summary");
    if (id) {
        json_array_foreach(check_runs, i, x) {
            if (json_integer_value(json_object_get(x, "id")) == id)
                run = x;
        }
        if (!run)
            return error(c, 404, "Not Found");
    } else {
        if (!json_is_string(json_object_get(req, "name")) ||
            !json_is_string(json_object_get(req, "head_sha")))
            return error(c, 422, "name and head_sha are required");
        run = json_pack("{s:I, s:O, s:O, s:O, s:i, s:[]}", "id", (json_int_t)next_id++, "name",
                        json_object_get(req, "name"), "head_sha", json_object_get(req, "head_sha"),
                        "conclusion", json_object_get(req, "conclusion"), "annotations", 0,
                        "batches");
        json_array_append_new(check_runs, run);
    }
    if (output) {
        json_object_set(run, "title", json_object_get(output, "title"));
        json_object_set_new(run, "summary_len", json_integer((json_int_t)strlen(
                                                    json_string_value(json_object_get(output,
                                                                                      "summary")))));
    }
    json_object_set_new(run, "annotations",
                        json_integer(json_integer_value(json_object_get(run, "annotations")) +
                                     (json_int_t)n));
    json_array_append_new(json_object_get(run, "batches"), json_integer((json_int_t)n));
    return reply(c, id ? 200 : 201, json_pack("{s:O}", "id", json_object_get(run, "id")), NULL);
}

static enum MHD_Result route(struct MHD_Connection *c, const char *method, const char *url,
                             const char *body)
{
    char owner[128], repo[128], rest[256];
    long issue = 0;
    long long id = 0;
    json_t *req = NULL;
    enum MHD_Result r;

    if (strcmp(method, "GET") == 0 && strcmp(url, "/_standin/state") == 0)
        return reply(c, 200, json_pack("{s:O, s:O, s:O}", "comments", comments, "check_runs",
                                       check_runs, "requests", requests), NULL);
    json_array_append_new(requests, json_sprintf("%s %s", method, url));
    if (!authorized(c))
        return error(c, 401, "Bad credentials");
    if (sscanf(url, "/repos/%127[^/]/%127[^/]/%255s", owner, repo, rest) != 3)
        return error(c, 404, "Not Found");
    if (*body) {
        req = json_loads(body, 0, NULL);
        if (!json_is_object(req)) {
            json_decref(req);
            return error(c, 400, "Problems parsing JSON");
        }
    }
    if (sscanf(rest, "issues/%ld/comments", &issue) == 1 && strchr(rest + 7, '/') &&
        strcmp(strchr(rest + 7, '/'), "/comments") == 0) {
        if (strcmp(method, "GET") == 0)
            r = list_comments(c, owner, repo, issue);
        else if (strcmp(method, "POST") == 0)
            r = put_comment(c, req, issue, 0);
        else
            r = error(c, 404, "Not Found");
    } else if (sscanf(rest, "issues/comments/%lld", &id) == 1 && strcmp(method, "PATCH") == 0) {
        r = put_comment(c, req, 0, id);
    } else if (strcmp(rest, "check-runs") == 0 && strcmp(method, "POST") == 0) {
        r = check_run(c, req, 0);
    } else if (sscanf(rest, "check-runs/%lld", &id) == 1 && strcmp(method, "PATCH") == 0) {
        r = check_run(c, req, id);
    } else {
        r = error(c, 404, "Not Found");
    }
    json_decref(req);
    return r;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    struct conn *cn = *con_cls;
    enum MHD_Result r;

    (void)cls;
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
    pthread_mutex_lock(&lock);
    if (cn->too_big)
        r = error(c, 413, "Payload too large");
    else
        r = route(c, method, url, rig_buf_str(&cn->body));
    pthread_mutex_unlock(&lock);
    return r;
}

static void done(void *cls, struct MHD_Connection *c, void **con_cls,
                 enum MHD_RequestTerminationCode code)
{
    struct conn *cn = *con_cls;

    (void)cls;
    (void)c;
    (void)code;
    if (cn) {
        rig_buf_release(&cn->body);
        free(cn);
        *con_cls = NULL;
    }
}

int main(int argc, char **argv)
{
    const char *port_file = NULL;
    long long seed = 0;
    struct sockaddr_in addr;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    sigset_t set;
    int sig;
    FILE *f;
    char *tmp;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--port-file") == 0)
            port_file = argv[i + 1];
        else if (strcmp(argv[i], "--token") == 0)
            token = argv[i + 1];
        else if (strcmp(argv[i], "--seed") == 0 && rig_str_to_ll(argv[i + 1], 0, 100000, &seed))
            return 2;
    }
    if (!port_file) {
        fprintf(stderr, "usage: github_standin --port-file FILE [--token T] [--seed N]\n");
        return 2;
    }
    comments = json_array();
    check_runs = json_array();
    requests = json_array();
    for (long long i = 0; i < seed; i++)
        json_array_append_new(comments, json_pack("{s:I, s:i, s:s, s:{s:s, s:s}}", "id",
                                                  (json_int_t)next_id++, "issue", 7, "body",
                                                  "Looks good to me", "user", "login",
                                                  "octocat", "type", "User"));
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                         handler, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                         MHD_OPTION_NOTIFY_COMPLETED, done, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "github_standin: cannot listen on 127.0.0.1\n");
        return 1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    port = info ? info->port : 0;
    tmp = xasprintf("%s.tmp", port_file);
    f = fopen(tmp, "w");
    if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 || rename(tmp, port_file) != 0) {
        fprintf(stderr, "github_standin: cannot write %s\n", port_file);
        return 1;
    }
    free(tmp);
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    json_decref(comments);
    json_decref(check_runs);
    json_decref(requests);
    return 0;
}
