/*
 * The GitHub source: issues and pull requests through the REST API, the
 * repository cloned and pushed over HTTPS with the token handed to git only
 * through the environment (an http.<host>/.extraheader given with
 * GIT_CONFIG_COUNT), so it is never in a URL, an argv, .git/config or a
 * message. See docs/github.md.
 */
#include "adapters/source/github_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"

#include "core/banned.h"

#define GH_ISSUE_MAX 2147483647LL

static const char *const default_labels[] = {NULL, "rig:running", "rig:done", "rig:failed"};

/* ----------------------------------------------------------------- URLs -- */

/* Split "scheme://host[:port]/rest": *scheme and *host malloc'd (host
 * lowercased), *rest points into url at the '/' (or the end). -1 when url
 * is not http(s) or has credentials. */
static int split_url(const char *url, char **scheme, char **host, const char **rest)
{
    const char *p, *h;
    size_t n;

    if (strncasecmp(url, "https://", 8) == 0)
        p = url + 8;
    else if (strncasecmp(url, "http://", 7) == 0)
        p = url + 7;
    else
        return -1;
    h = p;
    n = strcspn(h, "/?#");
    if (n == 0 || memchr(h, '@', n))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)h[i]) || strchr(".-:[]_", h[i])))
            return -1;
    *scheme = xstrndup(url, (size_t)(p - url - 3));
    for (char *c = *scheme; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    *host = xstrndup(h, n);
    for (char *c = *host; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    *rest = h + n;
    return 0;
}

static bool owner_ok(const char *s, size_t n)
{
    if (n == 0 || n > 39 || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '-'))
            return false;
    return true;
}

static bool name_ok(const char *s, size_t n)
{
    if (n == 0 || n > 100 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.'))
            return false;
    return true;
}

static int bad_issue_url(const char *url, const char *why, struct rig_err *err)
{
    const char *scheme = strstr(url, "://");
    const char *host = scheme ? scheme + 3 : url;
    size_t n = strcspn(host, "/?#");
    const char *at = memchr(host, '@', n);
    char *shown = at ? xasprintf("%.*s***%s", (int)(host - url), url, at) : xstrdup(url);
    char *safe = rig_redact(shown);

    /* user:password@ never reaches a message */
    rig_err_set(err, RIG_EINVAL, "invalid issue URL '%.300s': %s (expected "
                "https://github.com/OWNER/REPO/issues/NUMBER)", safe, why);
    free(safe);
    free(shown);
    return -1;
}

int rig_github_parse_issue_url(const char *url, struct rig_github_issue_url *out,
                               struct rig_err *err)
{
    char *scheme = NULL, *host = NULL;
    const char *rest, *owner, *repo, *kind, *num;
    size_t on, rn, kn, nn;
    long long number;
    char digits[24];
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (!url || !*url)
        return bad_issue_url("", "it is empty", err);
    if (split_url(url, &scheme, &host, &rest) < 0) {
        bad_issue_url(url, "not an http(s) URL with a plain host", err);
        goto out;
    }
    owner = rest + (*rest == '/');
    on = strcspn(owner, "/?#");
    repo = owner + on + (owner[on] == '/');
    rn = strcspn(repo, "/?#");
    kind = repo + rn + (repo[rn] == '/');
    kn = strcspn(kind, "/?#");
    num = kind + kn + (kind[kn] == '/');
    nn = strspn(num, "0123456789");
    if (*rest != '/' || owner[on] != '/' || repo[rn] != '/' || kind[kn] != '/') {
        bad_issue_url(url, "it does not name OWNER/REPO/issues/NUMBER", err);
        goto out;
    }
    if (!owner_ok(owner, on) || !name_ok(repo, rn)) {
        bad_issue_url(url, "the owner or repository name is not valid on GitHub", err);
        goto out;
    }
    if (kn == 4 && strncmp(kind, "pull", 4) == 0) {
        bad_issue_url(url, "this is a pull request; Rig works on issues", err);
        goto out;
    }
    if (kn != 6 || strncmp(kind, "issues", 6) != 0) {
        bad_issue_url(url, "the path is not /OWNER/REPO/issues/NUMBER", err);
        goto out;
    }
    /* after the number: nothing, "/", or a query or fragment */
    if (nn == 0 || nn >= sizeof(digits) ||
        !(num[nn] == '\0' || num[nn] == '?' || num[nn] == '#' ||
          (num[nn] == '/' && (num[nn + 1] == '\0' || num[nn + 1] == '?' || num[nn + 1] == '#')))) {
        bad_issue_url(url, "the issue number is missing or followed by more path", err);
        goto out;
    }
    memcpy(digits, num, nn);
    digits[nn] = '\0';
    if (rig_str_to_ll(digits, 1, GH_ISSUE_MAX, &number) < 0) {
        bad_issue_url(url, "the issue number is out of range", err);
        goto out;
    }
    if (strlen(host) >= sizeof(out->host)) {
        bad_issue_url(url, "the host name is too long", err);
        goto out;
    }
    rig_strlcpy(out->host, host, sizeof(out->host));
    memcpy(out->owner, owner, on);
    memcpy(out->repo, repo, rn);
    out->number = number;
    rc = 0;
out:
    free(scheme);
    free(host);
    return rc;
}

bool rig_source_is_github(const struct rig_source *src)
{
    return src && src->ops && rig_str_eq(src->ops->name, "github");
}

int rig_source_github_issue_number(const struct rig_source *src, const char *url,
                                   long long *number, struct rig_err *err)
{
    struct rig_github_issue_url u;
    const struct gh *g;

    if (!rig_source_is_github(src))
        return rig_err_set(err, RIG_ECONFIG, "an issue URL needs source.platform: github in "
                                             "rig.yaml");
    g = gh_of(src);
    if (rig_github_parse_issue_url(url, &u, err) < 0)
        return -1;
    if (strcmp(u.host, g->web_host) != 0 && strcmp(u.host, g->git_host) != 0 &&
        !(strcmp(g->web_host, "github.com") == 0 && strcmp(u.host, "www.github.com") == 0))
        return rig_err_set(err, RIG_EINVAL,
                           "the issue URL is on %s but this source is on %s (source.api_url); "
                           "use an issue of %s/%s",
                           u.host, g->web_host, g->owner, g->name);
    if (strcasecmp(u.owner, g->owner) != 0 || strcasecmp(u.repo, g->name) != 0)
        return rig_err_set(err, RIG_EINVAL,
                           "the issue URL is for %s/%s but source.repo is %s/%s; Rig only works "
                           "on the configured repository",
                           u.owner, u.repo, g->owner, g->name);
    *number = u.number;
    return 0;
}

/* -------------------------------------------------------------- issues -- */

static int gh_fetch_issue(struct rig_source *src, const struct rig_issue_ref *ref,
                          struct rig_issue *out, struct rig_err *err)
{
    struct gh *g = gh_of(src);
    struct rig_gh_resp resp;
    char *path, *what;
    const json_t *j;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (ref->file || ref->title)
        return rig_err_set(err, RIG_EINVAL, "source.platform github reads issues from GitHub: "
                           "pass the issue URL (https://%s/%s/%s/issues/N) or --number N",
                           g->web_host, g->owner, g->name);
    if (ref->number <= 0 || ref->number > GH_ISSUE_MAX)
        return rig_err_set(err, RIG_EINVAL, "a GitHub issue number must be between 1 and %lld",
                           GH_ISSUE_MAX);
    path = xasprintf("%s/issues/%lld", g->repos_path, ref->number);
    what = xasprintf("fetch issue #%lld of %s/%s", ref->number, g->owner, g->name);
    if (rig_gh_api_call(&g->api, "GET", path, NULL, what, 0, &resp, err) < 0)
        goto out;
    j = resp.json;
    if (!json_is_object(j) || !json_is_string(json_object_get(j, "title"))) {
        rig_err_set(err, RIG_EIO, "%s: the answer has no issue title", what);
        goto out;
    }
    if (json_object_get(j, "pull_request")) {
        rig_err_set(err, RIG_EINVAL, "#%lld of %s/%s is a pull request, not an issue",
                    ref->number, g->owner, g->name);
        goto out;
    }
    if (rig_str_eq(rig_json_str(j, "state", "open"), "closed"))
        log_warn("issue #%lld of %s/%s is closed; working on it anyway", ref->number, g->owner,
                 g->name);
    out->number = ref->number;
    out->id = xasprintf("%lld", ref->number);
    out->title = xstrdup(rig_json_str(j, "title", ""));
    out->body = xstrdup(rig_json_str(j, "body", "")); /* null for an empty body */
    out->url = xstrdup(rig_json_str(j, "html_url", NULL));
    out->author = xstrdup(rig_json_str(json_object_get(j, "user"), "login", NULL));
    if (!out->url)
        out->url = xasprintf("https://%s/%s/%s/issues/%lld", g->web_host, g->owner, g->name,
                             ref->number);
    rc = 0;
out:
    if (rc < 0)
        rig_issue_release(out);
    rig_gh_resp_release(&resp);
    free(what);
    free(path);
    return rc;
}

/* ------------------------------------------------------------------ git -- */

/* git's words for "the server refused our credentials" */
static bool auth_failure(const char *msg)
{
    return strstr(msg, "Authentication failed") || strstr(msg, "could not read Username") ||
           strstr(msg, "could not read Password") || strstr(msg, "returned error: 401") ||
           strstr(msg, "returned error: 403");
}

static int git_fail(struct gh *g, struct rig_err *err)
{
    char old[RIG_ERR_MSG_MAX];

    if (!auth_failure(err->msg))
        return -1;
    rig_strlcpy(old, err->msg, sizeof(old));
    return rig_err_set(err, RIG_ECONFIG, "%s; GitHub did not accept the token for git over "
                       "HTTPS: check source.token (or $GITHUB_TOKEN) and that it has Contents "
                       "read and write on %s/%s", old, g->owner, g->name);
}

static int gh_prepare(struct rig_source *src, struct rig_workspace *ws, bool resume,
                      struct rig_err *err)
{
    struct gh *g = gh_of(src);

    if (rig_workspace_prepare(ws, &g->git, g->clone_url, g->base, resume, err) < 0)
        return git_fail(g, err);
    return 0;
}

static const char *push_target(struct gh *g, const struct rig_workspace *ws)
{
    return g->remote ? g->remote : ws->remote ? ws->remote : "origin";
}

static int gh_push(struct rig_source *src, struct rig_workspace *ws, struct rig_err *err)
{
    struct gh *g = gh_of(src);

    if (!ws->branch)
        return rig_err_set(err, RIG_EINVAL, "workspace has no branch to push");
    if (rig_git_push(&g->git, ws->repo, push_target(g, ws), ws->branch, err) < 0) {
        rig_err_prefix(err, "push %s to %s/%s", ws->branch, g->owner, g->name);
        return git_fail(g, err);
    }
    return 0;
}

static int gh_delete_branch(struct rig_source *src, struct rig_workspace *ws, const char *branch,
                            struct rig_err *err)
{
    struct gh *g = gh_of(src);

    if (rig_git_push_delete(&g->git, ws->repo, push_target(g, ws), branch, err) < 0)
        return git_fail(g, err);
    return 0;
}

/* ------------------------------------------------------- pull requests -- */

/* The open PR whose head is owner:branch; *pr = NULL when there is none. */
static int find_pr(struct gh *g, const char *branch, json_t **pr, struct rig_err *err)
{
    char *head = xasprintf("%s:%s", g->owner, branch);
    char *esc = rig_gh_escape(head);
    char *path = xasprintf("%s/pulls?state=open&head=%s&per_page=100", g->repos_path, esc);
    char *what = xasprintf("look for an open pull request from %s", branch);
    struct rig_gh_resp resp;
    int rc;

    *pr = NULL;
    rc = rig_gh_api_call(&g->api, "GET", path, NULL, what, 0, &resp, err);
    if (rc == 0 && json_array_size(resp.json) > 0)
        *pr = json_incref(json_array_get(resp.json, 0));
    rig_gh_resp_release(&resp);
    free(what);
    free(path);
    free(esc);
    free(head);
    return rc;
}

/* Body with "Closes #n" (GitHub closes the issue when the PR merges). */
static char *pr_body(const struct rig_pr_request *req)
{
    const char *body = req->body ? req->body : "";
    char closes[40];

    if (req->issue_number <= 0)
        return xstrdup(body);
    snprintf(closes, sizeof(closes), "Closes #%lld", req->issue_number);
    if (strstr(body, closes))
        return xstrdup(body);
    return xasprintf("%s\n\n%s", closes, body);
}

/* Update a reused PR so its title and description describe this run. */
static int update_pr(struct gh *g, long long number, const char *title, const char *body,
                     json_t **pr, struct rig_err *err)
{
    char *path = xasprintf("%s/pulls/%lld", g->repos_path, number);
    char *what = xasprintf("update pull request #%lld", number);
    json_t *req = json_pack("{s:s, s:s}", "title", title, "body", body);
    struct rig_gh_resp resp;
    int rc;

    rc = rig_gh_api_call(&g->api, "PATCH", path, req, what, 0, &resp, err);
    if (rc == 0 && json_is_object(resp.json)) {
        json_decref(*pr);
        *pr = json_incref(resp.json);
    }
    rig_gh_resp_release(&resp);
    json_decref(req);
    free(what);
    free(path);
    return rc;
}

static int create_pr(struct gh *g, const struct rig_pr_request *req, const char *body,
                     json_t **pr, struct rig_err *err)
{
    char *path = xasprintf("%s/pulls", g->repos_path);
    char *what = xasprintf("open a pull request %s -> %s", req->branch, req->base);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "title", req->title, "head", req->branch,
                          "base", req->base, "body", body);
    struct rig_gh_resp resp;
    int rc;

    rc = rig_gh_api_call(&g->api, "POST", path, j, what, 0, &resp, err);
    if (rc == 0)
        *pr = json_incref(resp.json);
    rig_gh_resp_release(&resp);
    json_decref(j);
    free(what);
    free(path);
    return rc;
}

static int gh_open_pr(struct rig_source *src, const struct rig_pr_request *req,
                      struct rig_pr *out, struct rig_err *err)
{
    struct gh *g = gh_of(src);
    char *body = NULL;
    json_t *pr = NULL;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (!req->branch || !*req->branch || !req->base || !*req->base)
        return rig_err_set(err, RIG_EINVAL, "a pull request needs a branch and a base branch");
    if (!req->title || !*req->title)
        return rig_err_set(err, RIG_EINVAL, "a pull request needs a title");
    body = pr_body(req);
    if (find_pr(g, req->branch, &pr, err) < 0)
        goto out;
    if (!pr) {
        if (create_pr(g, req, body, &pr, err) < 0) {
            struct rig_err e2 = RIG_ERR_INIT;

            /* Someone (another Rig) opened it meanwhile: use that one. */
            if (err->code != RIG_EINVAL || !strstr(err->msg, "already exists") ||
                find_pr(g, req->branch, &pr, &e2) < 0 || !pr)
                goto out;
        }
    } else if (rig_json_int(pr, "number", 0) > 0) {
        log_info("reusing the open pull request #%lld from %s", rig_json_int(pr, "number", 0),
                 req->branch);
        if (update_pr(g, rig_json_int(pr, "number", 0), req->title, body, &pr, err) < 0)
            goto out;
    }
    out->number = rig_json_int(pr, "number", 0);
    if (out->number <= 0) {
        rig_err_set(err, RIG_EIO, "GitHub's pull request answer has no number");
        goto out;
    }
    out->url = xstrdup(rig_json_str(pr, "html_url", NULL));
    out->branch = xstrdup(req->branch);
    out->base = xstrdup(rig_json_str(json_object_get(pr, "base"), "ref", req->base));
    out->title = xstrdup(rig_json_str(pr, "title", req->title));
    out->body = xstrdup(body);
    out->remote = xstrdup(g->clone_url);
    rc = 0;
out:
    if (rc < 0)
        rig_pr_release(out);
    json_decref(pr);
    free(body);
    return rc;
}

/* ------------------------------------------------------------ lifecycle -- */

static void gh_destroy(struct rig_source *src)
{
    struct gh *g = gh_of(src);

    if (!g)
        return;
    rig_gh_api_release(&g->api);
    free(g->owner);
    free(g->name);
    free(g->repos_path);
    free(g->clone_url);
    free(g->web_host);
    free(g->git_host);
    free(g->base);
    free(g->remote);
    for (size_t i = 0; i < sizeof(g->labels) / sizeof(g->labels[0]); i++)
        free(g->labels[i]);
    rig_strv_free(g->env);
    pthread_mutex_destroy(&g->status_mu);
    free(g->status_ids);
    free(g->login);
    free(g);
    src->impl = NULL;
}

static const struct rig_source_ops github_ops = {
    .name = "github",
    .fetch_issue = gh_fetch_issue,
    .prepare_workspace = gh_prepare,
    .push_branch = gh_push,
    .open_pr = gh_open_pr,
    .comment = gh_comment,
    .set_status = NULL,
    .status_comment = gh_status_comment,
    .set_label = gh_set_label,
    .delete_branch = gh_delete_branch,
    .destroy = gh_destroy,
};

/* clone URL and hosts from api_url / git_url */
static int derive_urls(struct gh *g, const struct rig_source_github_opts *o, struct rig_err *err)
{
    const char *api = o->api_url && *o->api_url ? o->api_url : "https://api.github.com";
    char *scheme = NULL, *host = NULL;
    const char *rest;

    if (split_url(api, &scheme, &host, &rest) < 0)
        return rig_err_set(err, RIG_ECONFIG, "source.api_url '%s' is not an http(s) URL without "
                           "credentials", api);
    /* github.com's API lives on its own host; Enterprise serves both on one */
    g->web_host = strcmp(host, "api.github.com") == 0 ? xstrdup("github.com") : xstrdup(host);
    free(scheme);
    free(host);
    scheme = host = NULL;
    if (o->git_url && *o->git_url) {
        if (rig_git_check_source(o->git_url, err) < 0 ||
            split_url(o->git_url, &scheme, &host, &rest) < 0)
            return rig_err_set(err, RIG_ECONFIG, "source.git_url must be an http(s) URL without "
                               "credentials (Rig sends the token in a header)");
        g->clone_url = xstrdup(o->git_url);
    } else {
        scheme = xstrdup(strcmp(g->web_host, "github.com") == 0 ? "https"
                         : rig_str_startswith(api, "http://") ? "http" : "https");
        host = xstrdup(g->web_host);
        g->clone_url = xasprintf("%s://%s/%s/%s.git", scheme, host, g->owner, g->name);
    }
    g->git_host = xstrdup(host);
    {
        /* git applies http.<url>.* to every URL under scheme://host/ */
        char *cred = xasprintf("x-access-token:%s", o->token);
        char *b64 = rig_gh_base64(cred);
        size_t n = 0, extra = 0;

        rig_secret_add(b64);
        while (o->git.env && o->git.env[extra])
            extra++;
        g->env = xcalloc(extra + 4, sizeof(*g->env));
        for (size_t i = 0; i < extra; i++)
            g->env[n++] = xstrdup(o->git.env[i]);
        g->env[n++] = xstrdup("GIT_CONFIG_COUNT=1");
        g->env[n++] = xasprintf("GIT_CONFIG_KEY_0=http.%s://%s/.extraheader", scheme, host);
        g->env[n++] = xasprintf("GIT_CONFIG_VALUE_0=AUTHORIZATION: basic %s", b64);
        free(b64);
        free(cred);
    }
    free(scheme);
    free(host);
    return 0;
}

static int check_opts(const struct rig_source_github_opts *o, struct rig_err *err)
{
    const char *slash = o->repo ? strchr(o->repo, '/') : NULL;

    if (!slash || !owner_ok(o->repo, (size_t)(slash - o->repo)) ||
        !name_ok(slash + 1, strlen(slash + 1)))
        return rig_err_set(err, RIG_ECONFIG, "source.repo '%s' is not a GitHub owner/name "
                           "(e.g. octocat/hello-world)", o->repo ? o->repo : "");
    if (!o->token || !*o->token)
        return rig_err_set(err, RIG_ECONFIG, "no GitHub token for %s: set source.token in "
                           "rig.yaml or export GITHUB_TOKEN (it needs Issues, Pull requests and "
                           "Contents read and write)", o->repo);
    for (size_t i = 0; o->git.env && o->git.env[i]; i++)
        if (rig_str_startswith(o->git.env[i], "GIT_CONFIG_COUNT=") ||
            rig_str_startswith(o->git.env[i], "GIT_CONFIG_KEY_") ||
            rig_str_startswith(o->git.env[i], "GIT_CONFIG_VALUE_"))
            return rig_err_set(err, RIG_EINVAL, "git options for the GitHub source must not set "
                               "GIT_CONFIG_*: the source passes its credentials that way");
    if (o->remote && *o->remote && rig_git_check_source(o->remote, err) < 0)
        return rig_err_prefix(err, "source.remote");
    return 0;
}

int rig_source_github_new(const struct rig_source_github_opts *o, struct rig_source **out,
                          struct rig_err *err)
{
    const char *labels[] = {NULL, o->labels.running, o->labels.done, o->labels.failed};
    struct rig_source *src = NULL;
    struct gh *g;
    const char *slash;

    *out = NULL;
    if (check_opts(o, err) < 0)
        return -1;
    slash = strchr(o->repo, '/');
    g = xcalloc(1, sizeof(*g));
    pthread_mutex_init(&g->status_mu, NULL);
    src = xcalloc(1, sizeof(*src));
    src->ops = &github_ops;
    src->impl = g;
    g->owner = xstrndup(o->repo, (size_t)(slash - o->repo));
    g->name = xstrdup(slash + 1);
    g->repos_path = xasprintf("/repos/%s/%s", g->owner, g->name);
    if (rig_gh_api_init(&g->api, o->api_url, o->token, o->user_agent, o->timeout_ms,
                        o->rate_limit_wait_max_ms, err) < 0 ||
        derive_urls(g, o, err) < 0) {
        rig_source_free(src);
        return -1;
    }
    for (int l = RIG_LABEL_RUNNING; l <= RIG_LABEL_FAILED; l++)
        g->labels[l] = xstrdup(labels[l] && *labels[l] ? labels[l] : default_labels[l]);
    g->base = o->base_branch && *o->base_branch ? xstrdup(o->base_branch) : NULL;
    g->remote = o->remote && *o->remote ? xstrdup(o->remote) : NULL;
    g->git = o->git;
    g->git.env = (const char *const *)g->env;
    src->repo_owner = xstrdup(g->owner);
    src->repo_name = xstrdup(g->name);
    *out = src;
    return 0;
}
