#include "adapters/source/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"

#include "core/banned.h"

/*
 * The local source: issues are markdown files or given text, the repository
 * is a local path or a credential-less URL, branches are pushed with plain
 * git, and a "pull request" is the record the engine stores and prints.
 * There is no comment or status API, so those ops are NULL.
 */

#define ISSUE_FILE_MAX (1024 * 1024)
#define COUNTER_MAX 999999999LL

struct local {
    char *repo;
    char *remote; /* NULL: the workspace's clone remote ("origin") */
    char *base;   /* NULL: the clone's default branch */
    char *counter_path;
    struct rig_git git;
};

static struct local *impl(struct rig_source *src)
{
    return src->impl;
}

/* Next number (or at least `given`) from the counter file, under flock so
 * concurrent tasks never share a number. */
static int counter_next(const char *path, long long given, long long *out, struct rig_err *err)
{
    char buf[32];
    long long cur = 0;
    ssize_t n;
    int fd, rc = -1;

    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return rig_err_errno(err, errno, "open issue counter %s", path);
    if (flock(fd, LOCK_EX) < 0) {
        rig_err_errno(err, errno, "lock issue counter %s", path);
        goto out;
    }
    n = pread(fd, buf, sizeof(buf) - 1, 0);
    if (n < 0) {
        rig_err_errno(err, errno, "read issue counter %s", path);
        goto out;
    }
    buf[n] = '\0';
    rig_str_trim(buf);
    if (*buf && rig_str_to_ll(buf, 0, COUNTER_MAX, &cur) < 0) {
        rig_err_at(err, RIG_EINVAL, path, 1, 1,
                   "issue counter holds \"%s\", not a number; fix or delete the file", buf);
        goto out;
    }
    *out = given > 0 ? given : cur + 1;
    if (*out > cur) {
        int len = snprintf(buf, sizeof(buf), "%lld\n", *out);
        if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)len, 0) != len || fsync(fd) < 0) {
            rig_err_errno(err, errno, "update issue counter %s", path);
            goto out;
        }
    }
    rc = 0;
out:
    close(fd);
    return rc;
}

static int local_fetch_issue(struct rig_source *src, const struct rig_issue_ref *ref,
                             struct rig_issue *out, struct rig_err *err)
{
    struct local *l = impl(src);
    char *text = NULL;
    size_t len;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (ref->number < 0 || ref->number > COUNTER_MAX)
        return rig_err_set(err, RIG_EINVAL, "issue number %lld is out of range (1..%lld)",
                           ref->number, COUNTER_MAX);
    if (ref->file) {
        if (rig_read_file(ref->file, ISSUE_FILE_MAX, &text, &len, err) < 0) {
            rig_err_prefix(err, "issue file");
            goto out;
        }
        if (rig_issue_parse_markdown(text, ref->file, &out->title, &out->body, err) < 0)
            goto out;
    } else {
        char *t = xstrdup(ref->title ? ref->title : "");
        rig_str_trim(t);
        if (!*t || strchr(t, '\n')) {
            free(t);
            rig_err_set(err, RIG_EINVAL, "an issue needs a one-line title (or an issue file)");
            goto out;
        }
        out->title = t;
        out->body = xstrdup(ref->body ? ref->body : "");
    }
    if (ref->number > 0 && !l->counter_path) {
        out->number = ref->number;
    } else if (!l->counter_path) {
        rig_err_set(err, RIG_EINVAL, "no issue number given and no issue counter configured");
        goto out;
    } else if (counter_next(l->counter_path, ref->number, &out->number, err) < 0) {
        goto out;
    }
    out->id = xasprintf("%lld", out->number);
    rc = 0;
out:
    if (rc < 0)
        rig_issue_release(out);
    free(text);
    return rc;
}

static int local_prepare(struct rig_source *src, struct rig_workspace *ws, bool resume,
                         struct rig_err *err)
{
    struct local *l = impl(src);

    return rig_workspace_prepare(ws, &l->git, l->repo, l->base, resume, err);
}

static const char *push_target(struct local *l, const struct rig_workspace *ws)
{
    return l->remote ? l->remote : ws->remote ? ws->remote : "origin";
}

static int local_push(struct rig_source *src, struct rig_workspace *ws, struct rig_err *err)
{
    struct local *l = impl(src);

    if (!ws->branch)
        return rig_err_set(err, RIG_EINVAL, "workspace has no branch to push");
    if (rig_git_push(&l->git, ws->repo, push_target(l, ws), ws->branch, err) < 0)
        return rig_err_prefix(err, "push %s to %s", ws->branch, push_target(l, ws));
    return 0;
}

static int local_delete_branch(struct rig_source *src, struct rig_workspace *ws,
                               const char *branch, struct rig_err *err)
{
    struct local *l = impl(src);

    return rig_git_push_delete(&l->git, ws->repo, push_target(l, ws), branch, err);
}

static int local_open_pr(struct rig_source *src, const struct rig_pr_request *req,
                         struct rig_pr *out, struct rig_err *err)
{
    struct local *l = impl(src);

    memset(out, 0, sizeof(*out));
    if (!req->branch || !*req->branch || !req->base || !*req->base)
        return rig_err_set(err, RIG_EINVAL, "a pull request needs a branch and a base branch");
    if (!req->title || !*req->title)
        return rig_err_set(err, RIG_EINVAL, "a pull request needs a title");
    out->branch = xstrdup(req->branch);
    out->base = xstrdup(req->base);
    out->title = xstrdup(req->title);
    out->body = xstrdup(req->body ? req->body : "");
    out->remote = xstrdup(l->remote ? l->remote : l->repo);
    return 0;
}

static void local_destroy(struct rig_source *src)
{
    struct local *l = impl(src);

    if (!l)
        return;
    free(l->repo);
    free(l->remote);
    free(l->base);
    free(l->counter_path);
    free(l);
    src->impl = NULL;
}

static const struct rig_source_ops local_ops = {
    .name = "local",
    .fetch_issue = local_fetch_issue,
    .prepare_workspace = local_prepare,
    .push_branch = local_push,
    .open_pr = local_open_pr,
    .comment = NULL,
    .set_status = NULL,
    .delete_branch = local_delete_branch,
    .destroy = local_destroy,
};

/* "/srv/git/acme/app.git", "https://h/acme/app.git", "git@h:acme/app" -> acme, app */
static void derive_owner_name(const char *repo, char **owner, char **name)
{
    const char *p = repo;
    const char *scheme = strstr(repo, "://");
    char *s, *slash;
    size_t n;

    if (scheme)
        p = strchr(scheme + 3, '/') ? strchr(scheme + 3, '/') + 1 : "";
    else if (rig_git_is_url(repo))
        p = strchr(repo, ':') + 1;
    s = xstrdup(p);
    n = strlen(s);
    while (n && s[n - 1] == '/')
        s[--n] = '\0';
    if (n > 4 && strcmp(s + n - 4, ".git") == 0)
        s[n -= 4] = '\0';
    slash = strrchr(s, '/');
    *name = xstrdup(slash ? slash + 1 : s);
    if (slash) {
        *slash = '\0';
        slash = strrchr(s, '/');
        *owner = xstrdup(slash ? slash + 1 : s);
    } else {
        *owner = xstrdup("");
    }
    free(s);
}

int rig_source_local_new(const struct rig_source_local_opts *opts, struct rig_source **out,
                         struct rig_err *err)
{
    struct rig_source *src;
    struct local *l;

    *out = NULL;
    if (!opts->repo || !*opts->repo)
        return rig_err_set(err, RIG_ECONFIG, "source.repo is required (a local path or a git "
                           "URL)");
    if (rig_git_check_source(opts->repo, err) < 0)
        return rig_err_prefix(err, "source.repo");
    if (opts->remote && *opts->remote && rig_git_check_source(opts->remote, err) < 0)
        return rig_err_prefix(err, "source.remote");
    l = xcalloc(1, sizeof(*l));
    l->repo = xstrdup(opts->repo);
    l->remote = opts->remote && *opts->remote ? xstrdup(opts->remote) : NULL;
    l->base = opts->base_branch && *opts->base_branch ? xstrdup(opts->base_branch) : NULL;
    l->counter_path = xstrdup(opts->counter_path);
    l->git = opts->git;
    src = xcalloc(1, sizeof(*src));
    src->ops = &local_ops;
    src->impl = l;
    derive_owner_name(opts->repo, &src->repo_owner, &src->repo_name);
    *out = src;
    return 0;
}
