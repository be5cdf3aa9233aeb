/*
 * What the GitHub source writes on an issue: notification comments, the one
 * status comment (found by its hidden marker, then edited in place) and Rig's
 * state labels.
 */
#include "adapters/source/github_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"

#include "core/banned.h"

#define GH_COMMENT_MAX 60000 /* bytes; GitHub refuses bodies over 65536 characters */
#define GH_MAX_PAGES 100     /* 10,000 comments */

bool rig_github_comment_is_rig(const char *body)
{
    return body && strstr(body, RIG_GITHUB_MARKER_PREFIX) != NULL;
}

/* text cut to max bytes on a UTF-8 boundary, with a note when cut. */
static char *clip(const char *text, size_t max)
{
    size_t n = strlen(text);

    if (n <= max)
        return xstrdup(text);
    while (n > 0 && (n > max || ((unsigned char)text[n] & 0xC0) == 0x80))
        n--;
    return xasprintf("%.*s\n\n*(cut: the full text is in `rig logs`)*", (int)n, text);
}

static int post_comment(struct gh *g, long long issue, const char *body, long long *id,
                        struct rig_err *err)
{
    char *path = xasprintf("%s/issues/%lld/comments", g->repos_path, issue);
    char *what = xasprintf("comment on issue #%lld", issue);
    json_t *req = json_pack("{s:s}", "body", body);
    struct rig_gh_resp resp;
    int rc;

    rc = rig_gh_api_call(&g->api, "POST", path, req, what, 0, &resp, err);
    if (rc == 0 && id)
        *id = rig_json_int(resp.json, "id", 0);
    rig_gh_resp_release(&resp);
    json_decref(req);
    free(what);
    free(path);
    return rc;
}

int gh_comment(struct rig_source *src, const struct rig_issue *issue, const char *body,
               struct rig_err *err)
{
    char *text, *full;
    int rc;

    if (!issue || issue->number <= 0)
        return rig_err_set(err, RIG_EINVAL, "comment: no issue number");
    text = clip(body ? body : "", GH_COMMENT_MAX);
    /* The marker lets a webhook handler recognise (and ignore) Rig's own comments. */
    full = xasprintf("%s\n\n%s", text, RIG_GITHUB_NOTIFY_MARKER);
    rc = post_comment(gh_of(src), issue->number, full, NULL, err);
    free(full);
    free(text);
    return rc;
}

/* ------------------------------------------------------ status comment -- */

/* The token's login, to recognise our own status comment (someone else's
 * comment that quotes the marker must not be edited). NULL when the token
 * cannot say (GitHub App installation tokens get 403 on /user). */
static const char *own_login(struct gh *g)
{
    struct rig_gh_resp resp;
    struct rig_err e = RIG_ERR_INIT;

    if (g->login_known)
        return g->login;
    g->login_known = true;
    if (rig_gh_api_call(&g->api, "GET", "/user", NULL, "look up the token's user", 0, &resp,
                        &e) == 0 && rig_json_str(resp.json, "login", NULL))
        g->login = xstrdup(rig_json_str(resp.json, "login", NULL));
    else
        log_debug("GitHub status comments: %s; any comment with the marker counts as Rig's",
                  e.msg[0] ? e.msg : "no login in GET /user");
    rig_gh_resp_release(&resp);
    return g->login;
}

static long long cached_id(struct gh *g, long long issue)
{
    for (size_t i = 0; i < g->nstatus; i++)
        if (g->status_ids[i].issue == issue)
            return g->status_ids[i].comment;
    return 0;
}

static void cache_id(struct gh *g, long long issue, long long comment)
{
    for (size_t i = 0; i < g->nstatus; i++) {
        if (g->status_ids[i].issue == issue) {
            g->status_ids[i].comment = comment;
            return;
        }
    }
    g->status_ids = xreallocarray(g->status_ids, g->nstatus + 1, sizeof(*g->status_ids));
    g->status_ids[g->nstatus].issue = issue;
    g->status_ids[g->nstatus++].comment = comment;
}

static bool is_ours(const json_t *c, const char *login)
{
    const char *body = rig_json_str(c, "body", "");
    const char *author = rig_json_str(json_object_get(c, "user"), "login", NULL);

    return strstr(body, RIG_GITHUB_STATUS_MARKER) && (!login || rig_str_eq(author, login));
}

/* The oldest comment of ours with the marker; *id = 0 when there is none. */
static int find_status(struct gh *g, long long issue, long long *id, struct rig_err *err)
{
    const char *login = own_login(g);
    char *url = xasprintf("%s/issues/%lld/comments?per_page=100", g->repos_path, issue);
    char *what = xasprintf("list the comments of issue #%lld", issue);
    int pages = 0, rc = 0;

    *id = 0;
    while (url && !*id && rc == 0) {
        struct rig_gh_resp resp;
        const json_t *c;
        size_t i;

        if (++pages > GH_MAX_PAGES)
            break;
        rc = rig_gh_api_call(&g->api, "GET", url, NULL, what, 0, &resp, err);
        free(url);
        url = NULL;
        if (rc < 0)
            break;
        json_array_foreach(resp.json, i, c) {
            if (is_ours(c, login)) {
                *id = rig_json_int(c, "id", 0);
                break;
            }
        }
        url = resp.next;
        resp.next = NULL;
        rig_gh_resp_release(&resp);
    }
    free(url);
    free(what);
    return rc;
}

static int edit_comment(struct gh *g, long long id, const char *body, bool *gone,
                        struct rig_err *err)
{
    char *path = xasprintf("%s/issues/comments/%lld", g->repos_path, id);
    char *what = xasprintf("edit the status comment %lld", id);
    json_t *req = json_pack("{s:s}", "body", body);
    struct rig_gh_resp resp;
    int rc;

    rc = rig_gh_api_call(&g->api, "PATCH", path, req, what, RIG_GH_OK_404, &resp, err);
    *gone = rc == 0 && resp.status == 404;
    rig_gh_resp_release(&resp);
    json_decref(req);
    free(what);
    free(path);
    return rc;
}

int gh_status_comment(struct rig_source *src, long long issue, const char *markdown,
                      struct rig_err *err)
{
    struct gh *g = gh_of(src);
    char *text = NULL, *body = NULL;
    long long id;
    bool gone = false;
    int rc = -1;

    if (issue <= 0)
        return rig_err_set(err, RIG_EINVAL, "status comment: no issue number");
    text = clip(markdown ? markdown : "", GH_COMMENT_MAX);
    body = xasprintf("%s\n%s", RIG_GITHUB_STATUS_MARKER, text);
    pthread_mutex_lock(&g->status_mu);
    id = cached_id(g, issue);
    if (!id && find_status(g, issue, &id, err) < 0)
        goto out;
    if (id && edit_comment(g, id, body, &gone, err) < 0)
        goto out;
    if (!id || gone) {
        if (gone)
            log_info("issue #%lld: the status comment was deleted; posting a new one", issue);
        if (post_comment(g, issue, body, &id, err) < 0)
            goto out;
    }
    cache_id(g, issue, id);
    rc = 0;
out:
    pthread_mutex_unlock(&g->status_mu);
    if (rc < 0)
        rig_err_prefix(err, "status comment");
    free(body);
    free(text);
    return rc;
}

int rig_github_status_comment(struct rig_source *src, long long issue_number,
                              const char *markdown, struct rig_err *err)
{
    if (!rig_source_is_github(src))
        return rig_err_set(err, RIG_EINVAL, "status comments need a GitHub source");
    return gh_status_comment(src, issue_number, markdown, err);
}

/* --------------------------------------------------------------- labels -- */

static bool has_label(const json_t *labels, const char *name)
{
    const json_t *l;
    size_t i;

    json_array_foreach(labels, i, l) {
        if (rig_str_eq(rig_json_str(l, "name", NULL), name))
            return true;
    }
    return false;
}

static int remove_label(struct gh *g, long long issue, const char *name, struct rig_err *err)
{
    char *esc = rig_gh_escape(name);
    char *path = xasprintf("%s/issues/%lld/labels/%s", g->repos_path, issue, esc);
    char *what = xasprintf("remove label %s from issue #%lld", name, issue);
    struct rig_gh_resp resp;
    int rc;

    /* 404: someone removed it meanwhile, which is what we want. */
    rc = rig_gh_api_call(&g->api, "DELETE", path, NULL, what, RIG_GH_OK_404, &resp, err);
    rig_gh_resp_release(&resp);
    free(what);
    free(path);
    free(esc);
    return rc;
}

static int add_label(struct gh *g, long long issue, const char *name, struct rig_err *err)
{
    char *path = xasprintf("%s/issues/%lld/labels", g->repos_path, issue);
    char *what = xasprintf("add label %s to issue #%lld", name, issue);
    json_t *req = json_pack("{s:[s]}", "labels", name);
    struct rig_gh_resp resp;
    int rc;

    rc = rig_gh_api_call(&g->api, "POST", path, req, what, 0, &resp, err);
    rig_gh_resp_release(&resp);
    json_decref(req);
    free(what);
    free(path);
    return rc;
}

int gh_set_label(struct rig_source *src, long long issue, enum rig_issue_label state,
                 struct rig_err *err)
{
    struct gh *g = gh_of(src);
    char *path, *what;
    struct rig_gh_resp cur;
    int rc;

    if (issue <= 0)
        return rig_err_set(err, RIG_EINVAL, "labels: no issue number");
    if ((int)state < RIG_LABEL_NONE || state > RIG_LABEL_FAILED)
        return rig_err_set(err, RIG_EINVAL, "labels: unknown state %d", (int)state);
    path = xasprintf("%s/issues/%lld/labels?per_page=100", g->repos_path, issue);
    what = xasprintf("list the labels of issue #%lld", issue);
    rc = rig_gh_api_call(&g->api, "GET", path, NULL, what, 0, &cur, err);
    for (int l = RIG_LABEL_RUNNING; rc == 0 && l <= RIG_LABEL_FAILED; l++) {
        if (l != (int)state && has_label(cur.json, g->labels[l]))
            rc = remove_label(g, issue, g->labels[l], err);
    }
    if (rc == 0 && state != RIG_LABEL_NONE && !has_label(cur.json, g->labels[state]))
        rc = add_label(g, issue, g->labels[state], err);
    rig_gh_resp_release(&cur);
    free(what);
    free(path);
    return rc;
}
