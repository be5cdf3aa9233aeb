/*
 * GitHub REST: the Drift Radar comment and the check run.
 */
#include "gate/github.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "gate/findings.h"
#include "core/banned.h"

#define GH_MAX_PAGES 100          /* 10,000 comments */
#define GH_ANNOTATIONS_PER_CALL 50 /* the API's limit per request */
#define GH_MAX_ANNOTATIONS 1000
#define GH_CHECK_NAME "SpecGate Drift Radar"

static char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);

    return xstrdup(v && *v ? v : fallback);
}

int sg_github_init(struct sg_github *gh, const char *repo, struct rig_err *err)
{
    const char *full = repo && *repo ? repo : getenv("GITHUB_REPOSITORY");
    const char *slash = full ? strchr(full, '/') : NULL;

    memset(gh, 0, sizeof(*gh));
    if (!full || !*full)
        return rig_err_set(err, RIG_ECONFIG, "no repository: pass --repo owner/name or set "
                                             "GITHUB_REPOSITORY");
    if (!slash || slash == full || !slash[1] || strchr(slash + 1, '/'))
        return rig_err_set(err, RIG_ECONFIG, "repository '%s' is not of the form owner/name",
                           full);
    if (!getenv("GITHUB_TOKEN") || !*getenv("GITHUB_TOKEN"))
        return rig_err_set(err, RIG_ECONFIG, "GITHUB_TOKEN is not set; in a workflow pass "
                                             "`env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`");
    gh->api = env_or("GITHUB_API_URL", "https://api.github.com");
    while (strlen(gh->api) > 1 && gh->api[strlen(gh->api) - 1] == '/')
        gh->api[strlen(gh->api) - 1] = '\0';
    gh->token = xstrdup(getenv("GITHUB_TOKEN"));
    rig_secret_add(gh->token);
    gh->owner = xstrndup(full, (size_t)(slash - full));
    gh->repo = xstrdup(slash + 1);
    return 0;
}

void sg_github_release(struct sg_github *gh)
{
    if (!gh)
        return;
    free(gh->api);
    free(gh->token);
    free(gh->owner);
    free(gh->repo);
    memset(gh, 0, sizeof(*gh));
}

int sg_github_event_pr(const char *event_path, long *pr, struct rig_err *err)
{
    struct rig_err e2 = RIG_ERR_INIT;
    json_t *ev = rig_json_load_file(event_path, 16u << 20, &e2), *num;
    int rc = -1;

    if (!ev)
        return rig_err_set(err, RIG_EINVAL, "cannot read the event payload %s: %s", event_path,
                           e2.msg);
    num = json_object_get(json_object_get(ev, "pull_request"), "number");
    if (!num)
        num = json_object_get(json_object_get(ev, "issue"), "number");
    if (!json_is_integer(num) || json_integer_value(num) <= 0) {
        rig_err_set(err, RIG_EINVAL, "%s has no pull_request.number: is this a pull_request "
                                     "event? Pass --pr N otherwise", event_path);
        goto out;
    }
    *pr = (long)json_integer_value(num);
    rc = 0;
out:
    json_decref(ev);
    return rc;
}

/* A user-facing reason for a failed call. */
static int gh_status_error(const char *what, const struct rig_http_resp *resp,
                           struct rig_err *err)
{
    json_t *body = json_loadb(resp->body, resp->body_len, 0, NULL);
    const char *msg = rig_json_str(body, "message", "");
    const char *hint = "";

    if (resp->status == 401)
        hint = ": check GITHUB_TOKEN";
    else if (resp->status == 403)
        hint = ": the token needs `pull-requests: write` (comments) or `checks: write` (check "
               "runs), and fork PRs get a read-only token";
    else if (resp->status == 404)
        hint = ": check the repository and the pull request number";
    rig_err_set(err, RIG_EIO, "%s: GitHub answered %ld%s%s%s", what, resp->status,
                *msg ? " " : "", msg, hint);
    json_decref(body);
    return -1;
}

/* One call; *out gets the parsed JSON body (may be NULL), *next the
 * rel="next" link when asked for. */
static int gh_call(const struct sg_github *gh, const char *method, const char *url,
                   const json_t *body, const char *what, json_t **out, char **next,
                   struct rig_err *err)
{
    char *auth = xasprintf("Authorization: Bearer %s", gh->token);
    const char *headers[] = {auth, "Accept: application/vnd.github+json",
                             "X-GitHub-Api-Version: 2022-11-28",
                             "User-Agent: specgate/" RIG_VERSION,
                             "Content-Type: application/json", NULL};
    char *payload = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct rig_http_req req;
    struct rig_http_resp resp;
    int rc = -1;

    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    req.method = method;
    req.url = url;
    req.headers = headers;
    req.body = payload;
    req.body_len = payload ? strlen(payload) : 0;
    req.timeout_ms = 30000;
    req.max_retries = 2;
    if (out)
        *out = NULL;
    if (next)
        *next = NULL;
    if (rig_http_do(&req, &resp, err) < 0) {
        rig_err_prefix(err, "%s", what);
        goto out;
    }
    if (resp.status < 200 || resp.status > 299) {
        gh_status_error(what, &resp, err);
        goto out;
    }
    if (out && resp.body_len) {
        *out = json_loadb(resp.body, resp.body_len, 0, NULL);
        if (!*out) {
            rig_err_set(err, RIG_EIO, "%s: GitHub's answer is not JSON", what);
            goto out;
        }
    }
    if (next) {
        const char *link = rig_http_header_get(&resp, "link");
        const char *rel = link ? strstr(link, "rel=\"next\"") : NULL;

        /* The URL is the <...> just before rel="next"; follow it only on
         * the same API host, so the token never goes elsewhere. */
        if (rel) {
            const char *open = NULL, *close;

            for (const char *p = link; p < rel; p++) {
                if (*p == '<')
                    open = p;
            }
            close = open ? strchr(open, '>') : NULL;
            if (open && close && close < rel) {
                char *u = xstrndup(open + 1, (size_t)(close - open - 1));
                size_t n = strlen(gh->api);

                if (strncmp(u, gh->api, n) == 0 && (u[n] == '/' || u[n] == '?'))
                    *next = u;
                else {
                    log_warn("GitHub pagination link leaves %s; not followed", gh->api);
                    free(u);
                }
            }
        }
    }
    rc = 0;
out:
    rig_http_resp_release(&resp);
    free(payload);
    free(auth);
    return rc;
}

/* The token's login (caller frees); NULL when the token cannot say: the
 * Actions GITHUB_TOKEN gets 403 on /user. */
static char *own_login(const struct sg_github *gh)
{
    char *url = xasprintf("%s/user", gh->api);
    struct rig_err e = RIG_ERR_INIT;
    json_t *me = NULL;
    char *login = NULL;

    if (gh_call(gh, "GET", url, NULL, "looking up the token's user", &me, NULL, &e) == 0 &&
        rig_json_str(me, "login", NULL))
        login = xstrdup(rig_json_str(me, "login", NULL));
    else
        log_debug("%s; only comments by a bot count as SpecGate's", e.msg[0] ? e.msg
                                                                              : "no login");
    json_decref(me);
    free(url);
    return login;
}

/* Anyone can write the marker in a comment: only the token's own comments
 * (or, when its login is unknown, a bot's) may be edited and read back. */
static bool is_ours(const json_t *c, const char *marker, const char *login)
{
    const json_t *user = json_object_get(c, "user");

    if (!strstr(rig_json_str(c, "body", ""), marker) ||
        !json_is_integer(json_object_get(c, "id")))
        return false;
    if (login)
        return rig_str_eq(rig_json_str(user, "login", NULL), login);
    return rig_str_eq(rig_json_str(user, "type", NULL), "Bot");
}

int sg_github_find_comment(const struct sg_github *gh, long pr, const char *marker,
                           long long *id, char **body, struct rig_err *err)
{
    char *url = xasprintf("%s/repos/%s/%s/issues/%ld/comments?per_page=100", gh->api, gh->owner,
                          gh->repo, pr);
    char *login = own_login(gh);
    int pages = 0, rc = -1;

    *id = 0;
    *body = NULL;
    while (url && pages++ < GH_MAX_PAGES) {
        json_t *list = NULL, *c;
        char *next = NULL;
        size_t i;

        if (gh_call(gh, "GET", url, NULL, "listing the pull request comments", &list, &next,
                    err) < 0)
            goto out;
        free(url);
        url = next;
        json_array_foreach(list, i, c) {
            if (!*id && is_ours(c, marker, login)) {
                *id = json_integer_value(json_object_get(c, "id"));
                *body = xstrdup(rig_json_str(c, "body", ""));
            }
        }
        json_decref(list);
        if (*id)
            break;
    }
    rc = 0;
out:
    free(login);
    free(url);
    return rc;
}

int sg_github_put_comment(const struct sg_github *gh, long pr, long long id, const char *body,
                          long long *out_id, struct rig_err *err)
{
    json_t *req = json_pack("{s:s}", "body", body), *res = NULL;
    char *url;
    int rc;

    if (id > 0)
        url = xasprintf("%s/repos/%s/%s/issues/comments/%lld", gh->api, gh->owner, gh->repo, id);
    else
        url = xasprintf("%s/repos/%s/%s/issues/%ld/comments", gh->api, gh->owner, gh->repo, pr);
    rc = gh_call(gh, id > 0 ? "PATCH" : "POST", url, req,
                 id > 0 ? "updating the Drift Radar comment" : "posting the Drift Radar comment",
                 &res, NULL, err);
    if (rc == 0)
        *out_id = rig_json_int(res, "id", id);
    json_decref(res);
    json_decref(req);
    free(url);
    return rc;
}

static json_t *annotations(const json_t *score, size_t *total)
{
    json_t *all = json_array(), *v;
    size_t i;

    json_array_foreach(json_object_get(score, "violations"), i, v) {
        const char *file = rig_json_str(v, "file", NULL);
        long long line = rig_json_int(v, "line", 0);
        char *title, *msg;

        if (!file || !rig_json_bool(v, "counted", true) || json_array_size(all) >= GH_MAX_ANNOTATIONS)
            continue;
        if (line < 1)
            line = 1; /* class-level finding: point at the top of the file */
        title = xasprintf("%s (%s)", rig_json_str(v, "rule", "?"), rig_json_str(v, "priority", ""));
        msg = xstrndup(rig_json_str(v, "message", ""), 4000);
        json_array_append_new(all, json_pack("{s:s, s:I, s:I, s:s, s:s, s:s}", "path", file,
                                             "start_line", (json_int_t)line, "end_line",
                                             (json_int_t)line, "annotation_level",
                                             strcmp(rig_json_str(v, "priority", ""), "SHOULD") == 0
                                                 ? "warning" : "failure",
                                             "title", title, "message", *msg ? msg : title));
        free(title);
        free(msg);
    }
    *total = json_array_size(all);
    return all;
}

static json_t *batch(const json_t *all, size_t from)
{
    json_t *b = json_array();

    for (size_t i = from; i < json_array_size(all) && i < from + GH_ANNOTATIONS_PER_CALL; i++)
        json_array_append(b, json_array_get(all, i));
    return b;
}

int sg_github_check_run(const struct sg_github *gh, const char *sha, const json_t *score,
                        const char *summary_md, long long *out_id, size_t *nannot,
                        struct rig_err *err)
{
    const char *status = rig_json_str(score, "status", "FAIL");
    const char *conclusion = strcmp(status, "PASS") == 0 ? "success"
                             : strcmp(status, "WARN") == 0 ? "neutral" : "failure";
    char *title = xasprintf("Drift Score %lld/100 (%s)", rig_json_int(score, "total_score", 0),
                            status);
    char *url = xasprintf("%s/repos/%s/%s/check-runs", gh->api, gh->owner, gh->repo);
    json_t *all = annotations(score, nannot), *req, *res = NULL;
    int rc = -1;

    req = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:o}}", "name", GH_CHECK_NAME, "head_sha",
                    sha, "status", "completed", "conclusion", conclusion, "output", "title", title,
                    "summary", summary_md, "annotations", batch(all, 0));
    if (gh_call(gh, "POST", url, req, "creating the check run", &res, NULL, err) < 0)
        goto out;
    *out_id = rig_json_int(res, "id", 0);
    if (*out_id <= 0) {
        rig_err_set(err, RIG_EIO, "creating the check run: GitHub's answer has no id");
        goto out;
    }
    free(url);
    url = xasprintf("%s/repos/%s/%s/check-runs/%lld", gh->api, gh->owner, gh->repo, *out_id);
    for (size_t from = GH_ANNOTATIONS_PER_CALL; from < *nannot; from += GH_ANNOTATIONS_PER_CALL) {
        json_t *patch = json_pack("{s:{s:s, s:s, s:o}}", "output", "title", title, "summary",
                                  summary_md, "annotations", batch(all, from));
        int prc = gh_call(gh, "PATCH", url, patch, "adding check run annotations", NULL, NULL,
                          err);

        json_decref(patch);
        if (prc < 0)
            goto out;
    }
    rc = 0;
out:
    json_decref(res);
    json_decref(req);
    json_decref(all);
    free(url);
    free(title);
    return rc;
}
