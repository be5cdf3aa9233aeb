/*
 * A local stand-in for the GitHub REST API calls SpecGate and Rig make, and
 * for git over HTTP, on 127.0.0.1 only:
 *   GET   /user                                              the token's user (--login)
 *   GET   /repos/{o}/{r}/issues/{n}                          seeded issues
 *   GET   /repos/{o}/{r}/issues/{n}/comments?per_page=&page= (Link pagination)
 *   POST  /repos/{o}/{r}/issues/{n}/comments                 {"body"}
 *   PATCH /repos/{o}/{r}/issues/comments/{id}                {"body"}
 *   GET   /repos/{o}/{r}/issues/{n}/labels
 *   POST  /repos/{o}/{r}/issues/{n}/labels                   {"labels": [..]}
 *   DELETE /repos/{o}/{r}/issues/{n}/labels/{name}           404 when not on the issue
 *   GET   /repos/{o}/{r}/pulls?head=o:branch&state=open
 *   POST  /repos/{o}/{r}/pulls                               422 when one is open for head,
 *                                                            or head is not in the git repo
 *   PATCH /repos/{o}/{r}/pulls/{n}                           {"title", "body"}
 *   POST  /repos/{o}/{r}/check-runs                          (<= 50 annotations)
 *   PATCH /repos/{o}/{r}/check-runs/{id}                     (<= 50 annotations)
 *   *     /git/...          `git http-backend` as a CGI over --git-root (bare repos
 *                           <root>/<o>/<r>.git); needs "Authorization: Basic
 *                           base64(x-access-token:<token>)", else 401 + WWW-Authenticate
 * Test controls (no token needed):
 *   GET   /_standin/state        everything it holds, for assertions
 *   POST  /_standin/rate-limit   {"primary": N, "secondary": M}: the next N API calls get
 *                                403 + x-ratelimit-remaining: 0 + a reset one second ahead,
 *                                then M get 403 + retry-after: 1 (secondary limit)
 *   POST  /_standin/comment      {"repo", "issue", "body", "login"}: a comment by someone else
 * Every API call needs "Authorization: Bearer <token>" (or "token <token>").
 *
 * usage: github_standin --port-file FILE [--token T] [--seed N] [--login L]
 *          [--issue-payload FILE]... [--issues FILE] [--git-root DIR] [--rate-limit N]
 * --seed adds N comments by another user on issue 7 before serving.
 * --issue-payload loads a webhook payload (issue + repository.full_name), e.g.
 * the octokit fixtures; --issues a JSON object {"owner/repo": [issue, ...]}.
 * The port is written to FILE once listening; SIGTERM or SIGINT stops it.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "testutil.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/proc.h"
#include "core/str.h"
#include "core/banned.h"

#define BODY_MAX (4u << 20)
#define GIT_BODY_MAX (64u << 20)
#define COMMENT_MAX_CHARS 65536

struct conn {
    struct rig_buf body;
    bool too_big;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static json_t *comments;   /* [{id, issue, repo?, body, user}] */
static json_t *check_runs; /* [{id, head_sha, name, conclusion, title, summary_len,
                              annotations, batches[]}] */
static json_t *issues;     /* {"o/r#n": issue} (labels live in the issue) */
static json_t *pulls;      /* [{number, repo, state, title, body, head:{ref,label}, base:{ref},
                              html_url}] */
static json_t *requests;   /* ["METHOD /path", ...] */
static long long next_id = 1000;
static long long next_pr = 100;
static const char *token = "standin-token";
static const char *login = "github-actions[bot]";
static const char *git_root;
static long long rate_primary, rate_secondary;
static unsigned short port;

/* ------------------------------------------------------------- replies -- */

static void ratelimit_headers(struct MHD_Response *r, bool exhausted)
{
    char reset[32];

    snprintf(reset, sizeof(reset), "%lld", (long long)time(NULL) + 1);
    MHD_add_response_header(r, "x-ratelimit-limit", "5000");
    MHD_add_response_header(r, "x-ratelimit-remaining", exhausted ? "0" : "4999");
    MHD_add_response_header(r, "x-ratelimit-reset", reset);
    MHD_add_response_header(r, "x-ratelimit-resource", "core");
}

static enum MHD_Result reply_h(struct MHD_Connection *c, unsigned status, json_t *body,
                               const char *link, const char *retry_after, bool exhausted)
{
    char *text = json_dumps(body, JSON_COMPACT);
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text,
                                                             MHD_RESPMEM_MUST_FREE);
    enum MHD_Result ok;

    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    ratelimit_headers(r, exhausted);
    if (link)
        MHD_add_response_header(r, "Link", link);
    if (retry_after)
        MHD_add_response_header(r, "Retry-After", retry_after);
    ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    json_decref(body);
    return ok;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, json_t *body,
                             const char *link)
{
    return reply_h(c, status, body, link, NULL, false);
}

static enum MHD_Result error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    return reply(c, status, json_pack("{s:s, s:s}", "message", msg, "documentation_url",
                                      "https://docs.github.com/rest"), NULL);
}

static enum MHD_Result invalid(struct MHD_Connection *c, const char *resource, const char *msg)
{
    return reply(c, 422, json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "message", "Validation Failed",
                                   "errors", "resource", resource, "code", "custom", "message",
                                   msg), NULL);
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

/* ------------------------------------------------------------ comments -- */

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

/* Seeded SpecGate comments carry no repo and match any. */
static bool comment_on(json_t *x, const char *full, long issue)
{
    const char *r = json_string_value(json_object_get(x, "repo"));

    return json_integer_value(json_object_get(x, "issue")) == issue &&
           (!r || strcasecmp(r, full) == 0);
}

static enum MHD_Result list_comments(struct MHD_Connection *c, const char *owner,
                                     const char *repo, long issue)
{
    const char *pp = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "per_page");
    const char *pg = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "page");
    long long per = 30, page = 1;
    json_t *all = json_array(), *out = json_array(), *x;
    char *link = NULL, *full = xasprintf("%s/%s", owner, repo);
    size_t i, pages;
    enum MHD_Result r;

    if (pp && rig_str_to_ll(pp, 1, 100, &per) < 0)
        per = 30;
    if (pg && rig_str_to_ll(pg, 1, 1000000, &page) < 0)
        page = 1;
    json_array_foreach(comments, i, x) {
        if (comment_on(x, full, issue))
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
    r = reply(c, 200, out, link);
    free(link);
    free(full);
    return r;
}

static enum MHD_Result put_comment(struct MHD_Connection *c, json_t *req, const char *full,
                                   long issue, long long id)
{
    const char *body = json_string_value(json_object_get(req, "body"));
    json_t *cm;

    if (!body)
        return error(c, 422, "Invalid request: \"body\" wasn't supplied.");
    if (utf8_chars(body) > COMMENT_MAX_CHARS)
        return invalid(c, "IssueComment", "Body is too long (maximum is 65536 characters)");
    if (id) {
        cm = comment_by_id(id);
        if (!cm)
            return error(c, 404, "Not Found");
        json_object_set_new(cm, "body", json_string(body));
        json_object_set_new(cm, "edits", json_integer(json_integer_value(
                                             json_object_get(cm, "edits")) + 1));
        return reply(c, 200, json_deep_copy(cm), NULL);
    }
    cm = json_pack("{s:I, s:I, s:s, s:s, s:i, s:{s:s, s:s}}", "id", (json_int_t)next_id++,
                   "issue", (json_int_t)issue, "repo", full, "body", body, "edits", 0, "user",
                   "login", login, "type", "Bot");
    json_array_append(comments, cm);
    return reply(c, 201, cm, NULL);
}

/* ---------------------------------------------------------- check runs -- */

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
        const char *summary = json_string_value(json_object_get(output, "summary"));

        json_object_set(run, "title", json_object_get(output, "title"));
        json_object_set_new(run, "summary_len", json_integer((json_int_t)strlen(summary)));
    }
    json_object_set_new(run, "annotations",
                        json_integer(json_integer_value(json_object_get(run, "annotations")) +
                                     (json_int_t)n));
    json_array_append_new(json_object_get(run, "batches"), json_integer((json_int_t)n));
    return reply(c, id ? 200 : 201, json_pack("{s:O}", "id", json_object_get(run, "id")), NULL);
}

/* -------------------------------------------------------- issues, labels -- */

static json_t *issue_get(const char *full, long n)
{
    char *key = xasprintf("%s#%ld", full, n);
    json_t *i;

    for (char *p = key; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    i = json_object_get(issues, key);
    free(key);
    return i;
}

static void issue_add(const char *full, json_t *issue)
{
    char *key = xasprintf("%s#%lld", full, (long long)json_integer_value(
                                               json_object_get(issue, "number")));

    for (char *p = key; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    if (!json_is_array(json_object_get(issue, "labels")))
        json_object_set_new(issue, "labels", json_array());
    json_object_set_new(issues, key, json_deep_copy(issue));
    free(key);
}

static enum MHD_Result labels(struct MHD_Connection *c, const char *method, json_t *issue,
                              json_t *req, const char *name)
{
    json_t *ls = json_object_get(issue, "labels"), *l, *add;
    size_t i, j;

    if (strcmp(method, "GET") == 0 && !name)
        return reply(c, 200, json_deep_copy(ls), NULL);
    if (strcmp(method, "DELETE") == 0 && name) {
        json_array_foreach(ls, i, l) {
            if (strcmp(json_string_value(json_object_get(l, "name")), name) == 0) {
                json_array_remove(ls, i);
                return reply(c, 200, json_deep_copy(ls), NULL);
            }
        }
        return error(c, 404, "Label does not exist");
    }
    if (strcmp(method, "POST") != 0 || name)
        return error(c, 404, "Not Found");
    add = json_object_get(req, "labels");
    if (!json_is_array(add) || json_array_size(add) == 0)
        return invalid(c, "Label", "labels must be a non-empty array of names");
    json_array_foreach(add, j, l) {
        bool have = false;
        json_t *x;

        if (!json_is_string(l))
            return invalid(c, "Label", "label names must be strings");
        json_array_foreach(ls, i, x)
            have |= strcmp(json_string_value(json_object_get(x, "name")),
                           json_string_value(l)) == 0;
        if (!have)
            json_array_append_new(ls, json_pack("{s:I, s:O, s:s, s:b}", "id",
                                                (json_int_t)next_id++, "name", l, "color",
                                                "ededed", "default", 0));
    }
    return reply(c, 200, json_deep_copy(ls), NULL);
}

/* --------------------------------------------------------------- pulls -- */

/* Does <git_root>/<o>/<r>.git have refs/heads/<branch>? true without a git root. */
static bool branch_pushed(const char *full, const char *branch)
{
    char *dir, *ref;
    const char *argv[] = {"git", NULL, "rev-parse", "--verify", "--quiet", NULL, NULL};
    struct rig_proc_opts po;
    struct rig_proc_result res;
    bool ok;

    if (!git_root)
        return true;
    dir = xasprintf("--git-dir=%s/%s.git", git_root, full);
    ref = xasprintf("refs/heads/%s", branch);
    argv[1] = dir;
    argv[5] = ref;
    memset(&po, 0, sizeof(po));
    memset(&res, 0, sizeof(res));
    po.argv = argv;
    po.timeout_ms = 30000;
    ok = rig_proc_run(&po, &res, NULL) == 0 && rig_proc_ok(&res);
    rig_proc_result_release(&res);
    free(dir);
    free(ref);
    return ok;
}

static json_t *pr_find(const char *full, const char *head_label, const char *state)
{
    json_t *p;
    size_t i;

    json_array_foreach(pulls, i, p) {
        if (strcasecmp(json_string_value(json_object_get(p, "repo")), full) == 0 &&
            strcmp(json_string_value(json_object_get(json_object_get(p, "head"), "label")),
                   head_label) == 0 &&
            (!state || strcmp(json_string_value(json_object_get(p, "state")), state) == 0))
            return p;
    }
    return NULL;
}

static enum MHD_Result pr_route(struct MHD_Connection *c, const char *method, const char *owner,
                                const char *full, const char *rest, json_t *req)
{
    long long num = 0;
    json_t *p;
    size_t i;

    if (strcmp(rest, "pulls") == 0 && strcmp(method, "GET") == 0) {
        const char *head = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "head");
        const char *state = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "state");
        json_t *out = json_array();

        json_array_foreach(pulls, i, p) {
            if (strcasecmp(json_string_value(json_object_get(p, "repo")), full) == 0 &&
                (!head || strcmp(json_string_value(json_object_get(json_object_get(p, "head"),
                                                                   "label")), head) == 0) &&
                (!state || strcmp(state, "all") == 0 ||
                 strcmp(json_string_value(json_object_get(p, "state")), state) == 0))
                json_array_append(out, p);
        }
        return reply(c, 200, out, NULL);
    }
    if (strcmp(rest, "pulls") == 0 && strcmp(method, "POST") == 0) {
        const char *title = json_string_value(json_object_get(req, "title"));
        const char *head = json_string_value(json_object_get(req, "head"));
        const char *base = json_string_value(json_object_get(req, "base"));
        const char *body = json_string_value(json_object_get(req, "body"));
        char *label;

        if (!title || !head || !base)
            return invalid(c, "PullRequest", "title, head and base are required");
        label = strchr(head, ':') ? xstrdup(head) : xasprintf("%s:%s", owner, head);
        if (pr_find(full, label, "open")) {
            char *m = xasprintf("A pull request already exists for %s.", label);
            enum MHD_Result r = invalid(c, "PullRequest", m);

            free(m);
            free(label);
            return r;
        }
        if (!branch_pushed(full, strchr(label, ':') + 1)) {
            free(label);
            return invalid(c, "PullRequest", "head is invalid");
        }
        p = json_pack("{s:I, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s}}", "number",
                      (json_int_t)next_pr, "repo", full, "state", "open", "title", title,
                      "body", body ? body : "", "head", "ref", strchr(label, ':') + 1, "label",
                      label, "base", "ref", base);
        json_object_set_new(p, "html_url", json_sprintf("http://127.0.0.1:%u/%s/pull/%lld", port,
                                                        full, next_pr));
        next_pr++;
        json_array_append(pulls, p);
        free(label);
        return reply(c, 201, p, NULL);
    }
    if (sscanf(rest, "pulls/%lld", &num) == 1 && strcmp(method, "PATCH") == 0) {
        json_array_foreach(pulls, i, p) {
            if (json_integer_value(json_object_get(p, "number")) == num &&
                strcasecmp(json_string_value(json_object_get(p, "repo")), full) == 0) {
                if (json_is_string(json_object_get(req, "title")))
                    json_object_set(p, "title", json_object_get(req, "title"));
                if (json_is_string(json_object_get(req, "body")))
                    json_object_set(p, "body", json_object_get(req, "body"));
                json_object_set_new(p, "updates", json_integer(json_integer_value(
                                                      json_object_get(p, "updates")) + 1));
                return reply(c, 200, json_deep_copy(p), NULL);
            }
        }
    }
    return error(c, 404, "Not Found");
}

/* ----------------------------------------------------------------- git -- */

static bool git_authorized(struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    char *cred = xasprintf("x-access-token:%s", token);
    unsigned char *b64 = xmalloc(4 * ((strlen(cred) + 2) / 3) + 1);
    bool ok;

    EVP_EncodeBlock(b64, (const unsigned char *)cred, (int)strlen(cred));
    ok = h && strncasecmp(h, "basic ", 6) == 0 && strcmp(h + 6, (char *)b64) == 0;
    free(b64);
    free(cred);
    return ok;
}

static void env_add(const char **env, size_t *n, char **own, const char *name, const char *v)
{
    if (!v)
        return;
    own[*n] = xasprintf("%s=%s", name, v);
    env[*n] = own[*n];
    (*n)++;
}

/* Parse a CGI answer ("Status: 200 OK\r\nContent-Type: ...\r\n\r\nbody"). */
static enum MHD_Result cgi_reply(struct MHD_Connection *c, const char *out, size_t len)
{
    const char *p = out, *end = out + len;
    unsigned status = 200;
    struct MHD_Response *r;
    struct rig_buf hdrs = RIG_BUF_INIT;
    enum MHD_Result ok;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

        if (n && p[n - 1] == '\r')
            n--;
        if (!nl || n == 0) {
            p = nl ? nl + 1 : end;
            break;
        }
        rig_buf_add(&hdrs, p, n);
        rig_buf_addch(&hdrs, '\n');
        p = nl + 1;
    }
    r = MHD_create_response_from_buffer((size_t)(end - p), (void *)p, MHD_RESPMEM_MUST_COPY);
    for (char *line = hdrs.data, *next; line && *line; line = next) {
        char *colon;

        next = strchr(line, '\n');
        *next++ = '\0';
        colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        colon++;
        while (*colon == ' ')
            colon++;
        if (strcasecmp(line, "Status") == 0)
            status = (unsigned)strtoul(colon, NULL, 10);
        else
            MHD_add_response_header(r, line, colon);
    }
    ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    rig_buf_release(&hdrs);
    return ok;
}

static enum MHD_Result git_cgi(struct MHD_Connection *c, const char *method, const char *url,
                               const struct rig_buf *body)
{
    const char *argv[] = {"git", "http-backend", NULL};
    const char *env[16];
    char *own[16], len[32];
    size_t n = 0;
    const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "service");
    struct rig_proc_opts po;
    struct rig_proc_result res;
    enum MHD_Result r;

    if (!git_root)
        return error(c, 404, "Not Found");
    if (!git_authorized(c)) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(
            strlen("Authentication required\n"), (void *)"Authentication required\n",
            MHD_RESPMEM_PERSISTENT);

        MHD_add_response_header(resp, "WWW-Authenticate", "Basic realm=\"GitHub\"");
        r = MHD_queue_response(c, 401, resp);
        MHD_destroy_response(resp);
        return r;
    }
    snprintf(len, sizeof(len), "%zu", body->len);
    env_add(env, &n, own, "GIT_PROJECT_ROOT", git_root);
    env_add(env, &n, own, "GIT_HTTP_EXPORT_ALL", "1");
    env_add(env, &n, own, "REMOTE_USER", "x-access-token");
    env_add(env, &n, own, "REMOTE_ADDR", "127.0.0.1");
    env_add(env, &n, own, "GATEWAY_INTERFACE", "CGI/1.1");
    env_add(env, &n, own, "SERVER_PROTOCOL", "HTTP/1.1");
    env_add(env, &n, own, "REQUEST_METHOD", method);
    env_add(env, &n, own, "PATH_INFO", url + 4); /* after "/git" */
    own[n] = xasprintf("QUERY_STRING=%s%s", q ? "service=" : "", q ? q : "");
    env[n] = own[n];
    n++;
    env_add(env, &n, own, "CONTENT_LENGTH", len);
    env_add(env, &n, own, "CONTENT_TYPE",
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"));
    env_add(env, &n, own, "HTTP_CONTENT_ENCODING",
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Encoding"));
    env_add(env, &n, own, "HTTP_GIT_PROTOCOL",
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Git-Protocol"));
    env_add(env, &n, own, "GIT_CONFIG_NOSYSTEM", "1");
    env_add(env, &n, own, "HOME", git_root);
    env[n] = NULL;
    memset(&po, 0, sizeof(po));
    memset(&res, 0, sizeof(res));
    po.argv = argv;
    po.env = env;
    po.clear_env = true;
    po.stdin_data = body->data ? body->data : "";
    po.stdin_len = body->len;
    po.capture_max = 256u << 20;
    po.timeout_ms = 120000;
    if (rig_proc_run(&po, &res, NULL) < 0 || !res.exited) {
        r = error(c, 500, "git http-backend did not run");
    } else {
        if (res.err_len)
            fprintf(stderr, "github_standin: git http-backend: %s", res.err);
        r = cgi_reply(c, res.out, res.out_len);
    }
    rig_proc_result_release(&res);
    for (size_t i = 0; i < n; i++)
        free(own[i]);
    return r;
}

/* ----------------------------------------------------------------- route -- */

static enum MHD_Result control(struct MHD_Connection *c, const char *url, json_t *req)
{
    if (strcmp(url, "/_standin/rate-limit") == 0) {
        rate_primary = json_integer_value(json_object_get(req, "primary"));
        rate_secondary = json_integer_value(json_object_get(req, "secondary"));
        return reply(c, 200, json_pack("{s:I, s:I}", "primary", (json_int_t)rate_primary,
                                       "secondary", (json_int_t)rate_secondary), NULL);
    }
    if (strcmp(url, "/_standin/comment") == 0) {
        json_t *cm = json_pack("{s:I, s:O, s:O, s:O, s:i, s:{s:O, s:s}}", "id",
                               (json_int_t)next_id++, "issue", json_object_get(req, "issue"),
                               "repo", json_object_get(req, "repo"), "body",
                               json_object_get(req, "body"), "edits", 0, "user", "login",
                               json_object_get(req, "login"), "type", "User");

        if (!cm)
            return error(c, 400, "need repo, issue, body and login");
        json_array_append(comments, cm);
        return reply(c, 201, cm, NULL);
    }
    return error(c, 404, "Not Found");
}

/* The rate-limit simulation: true when it answered. */
static bool rate_limited(struct MHD_Connection *c, enum MHD_Result *r)
{
    if (rate_primary > 0) {
        rate_primary--;
        *r = reply_h(c, 403, json_pack("{s:s, s:s}", "message",
                                       "API rate limit exceeded for user ID 1.",
                                       "documentation_url", "https://docs.github.com/rest/"
                                       "overview/rate-limits-for-the-rest-api"),
                     NULL, NULL, true);
        return true;
    }
    if (rate_secondary > 0) {
        rate_secondary--;
        *r = reply_h(c, 403, json_pack("{s:s}", "message", "You have exceeded a secondary rate "
                                       "limit. Please wait a few minutes before you try again."),
                     NULL, "1", false);
        return true;
    }
    return false;
}

static enum MHD_Result repo_route(struct MHD_Connection *c, const char *method,
                                  const char *owner, const char *repo, const char *rest,
                                  json_t *req)
{
    char full[300], name[256];
    long issue = 0;
    long long id = 0;
    int off = 0;
    json_t *is;

    snprintf(full, sizeof(full), "%s/%s", owner, repo);
    if (sscanf(rest, "issues/%ld/comments%n", &issue, &off) == 1 && rest[off] == '\0') {
        if (strcmp(method, "GET") == 0)
            return list_comments(c, owner, repo, issue);
        if (strcmp(method, "POST") == 0)
            return put_comment(c, req, full, issue, 0);
        return error(c, 404, "Not Found");
    }
    if (sscanf(rest, "issues/comments/%lld", &id) == 1 && strcmp(method, "PATCH") == 0)
        return put_comment(c, req, full, 0, id);
    if (sscanf(rest, "issues/%ld%n", &issue, &off) == 1 &&
        (rest[off] == '\0' || strncmp(rest + off, "/labels", 7) == 0)) {
        is = issue_get(full, issue);
        if (!is)
            return error(c, 404, "Not Found");
        if (rest[off] == '\0')
            return strcmp(method, "GET") == 0 ? reply(c, 200, json_deep_copy(is), NULL)
                                              : error(c, 404, "Not Found");
        if (rest[off + 7] == '\0')
            return labels(c, method, is, req, NULL);
        if (rest[off + 7] == '/' && sscanf(rest + off + 8, "%255[^\n]", name) == 1)
            return labels(c, method, is, req, name);
        return error(c, 404, "Not Found");
    }
    if (strncmp(rest, "pulls", 5) == 0)
        return pr_route(c, method, owner, full, rest, req);
    if (strcmp(rest, "check-runs") == 0 && strcmp(method, "POST") == 0)
        return check_run(c, req, 0);
    if (sscanf(rest, "check-runs/%lld", &id) == 1 && strcmp(method, "PATCH") == 0)
        return check_run(c, req, id);
    return error(c, 404, "Not Found");
}

static enum MHD_Result route(struct MHD_Connection *c, const char *method, const char *url,
                             const char *body)
{
    char owner[128], repo[128], rest[512];
    json_t *req = NULL;
    enum MHD_Result r;

    if (strcmp(method, "GET") == 0 && strcmp(url, "/_standin/state") == 0)
        return reply(c, 200, json_pack("{s:O, s:O, s:O, s:O, s:O}", "comments", comments,
                                       "check_runs", check_runs, "issues", issues, "pulls",
                                       pulls, "requests", requests), NULL);
    if (*body) {
        req = json_loads(body, 0, NULL);
        if (!json_is_object(req)) {
            json_decref(req);
            return error(c, 400, "Problems parsing JSON");
        }
    }
    if (strncmp(url, "/_standin/", 10) == 0 && strcmp(method, "POST") == 0) {
        r = control(c, url, req);
        json_decref(req);
        return r;
    }
    json_array_append_new(requests, json_sprintf("%s %s", method, url));
    if (!authorized(c))
        r = error(c, 401, "Bad credentials");
    else if (rate_limited(c, &r))
        ;
    else if (strcmp(url, "/user") == 0 && strcmp(method, "GET") == 0)
        r = reply(c, 200, json_pack("{s:s, s:s}", "login", login, "type", "Bot"), NULL);
    else if (sscanf(url, "/repos/%127[^/]/%127[^/]/%511s", owner, repo, rest) != 3)
        r = error(c, 404, "Not Found");
    else
        r = repo_route(c, method, owner, repo, rest, req);
    json_decref(req);
    return r;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    struct conn *cn = *con_cls;
    bool git = strncmp(url, "/git/", 5) == 0;
    enum MHD_Result r;

    (void)cls;
    (void)version;
    if (!cn) {
        cn = xcalloc(1, sizeof(*cn));
        rig_buf_init(&cn->body, git ? GIT_BODY_MAX : BODY_MAX);
        *con_cls = cn;
        return MHD_YES;
    }
    if (*upload_size) {
        if (rig_buf_add(&cn->body, upload, *upload_size) < 0)
            cn->too_big = true;
        *upload_size = 0;
        return MHD_YES;
    }
    if (cn->too_big)
        return error(c, 413, "Payload too large");
    if (git) {
        pthread_mutex_lock(&lock);
        json_array_append_new(requests, json_sprintf("GIT %s %s", method, url));
        pthread_mutex_unlock(&lock);
        return git_cgi(c, method, url, &cn->body);
    }
    pthread_mutex_lock(&lock);
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

/* ------------------------------------------------------------------ main -- */

/* A webhook payload (issue + repository.full_name), or {"o/r": [issues]}. */
static int load_issues(const char *path, bool payload)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je), *v;
    const char *k;
    size_t i;

    if (!j) {
        fprintf(stderr, "github_standin: %s:%d: %s\n", path, je.line, je.text);
        return -1;
    }
    if (payload) {
        const char *full = json_string_value(json_object_get(json_object_get(j, "repository"),
                                                             "full_name"));

        if (!full || !json_is_object(json_object_get(j, "issue"))) {
            fprintf(stderr, "github_standin: %s has no issue or repository.full_name\n", path);
            json_decref(j);
            return -1;
        }
        issue_add(full, json_object_get(j, "issue"));
    } else {
        json_object_foreach(j, k, v) {
            json_t *is;

            json_array_foreach(v, i, is)
                issue_add(k, is);
        }
    }
    json_decref(j);
    return 0;
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

    comments = json_array();
    check_runs = json_array();
    requests = json_array();
    issues = json_object();
    pulls = json_array();
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--port-file") == 0)
            port_file = argv[i + 1];
        else if (strcmp(argv[i], "--token") == 0)
            token = argv[i + 1];
        else if (strcmp(argv[i], "--login") == 0)
            login = argv[i + 1];
        else if (strcmp(argv[i], "--git-root") == 0)
            git_root = argv[i + 1];
        else if (strcmp(argv[i], "--issue-payload") == 0 && load_issues(argv[i + 1], true) < 0)
            return 2;
        else if (strcmp(argv[i], "--issues") == 0 && load_issues(argv[i + 1], false) < 0)
            return 2;
        else if (strcmp(argv[i], "--seed") == 0 && rig_str_to_ll(argv[i + 1], 0, 100000, &seed))
            return 2;
        else if (strcmp(argv[i], "--rate-limit") == 0 &&
                 rig_str_to_ll(argv[i + 1], 0, 100000, &rate_primary))
            return 2;
    }
    if (!port_file) {
        fprintf(stderr, "usage: github_standin --port-file FILE [--token T] [--seed N] "
                        "[--login L] [--issue-payload FILE]... [--issues FILE] "
                        "[--git-root DIR] [--rate-limit N]\n");
        return 2;
    }
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
    if (tu_write_port_file(port_file, port) < 0) {
        fprintf(stderr, "github_standin: cannot write %s\n", port_file);
        return 1;
    }
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    json_decref(comments);
    json_decref(check_runs);
    json_decref(issues);
    json_decref(pulls);
    json_decref(requests);
    return 0;
}
