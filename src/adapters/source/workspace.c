#include "adapters/source/workspace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"

#include "core/banned.h"

#define TASK_ID_MAX 128

char *rig_workspace_branch_name(long long issue_number, const char *title)
{
    char *slug = rig_str_slug(title ? title : "", RIG_WS_SLUG_MAX);
    char *b = *slug ? xasprintf("rig/issue-%lld-%s", issue_number, slug)
                    : xasprintf("rig/issue-%lld", issue_number);

    free(slug);
    return b;
}

static int check_task_id(const char *id, struct rig_err *err)
{
    size_t n = id ? strlen(id) : 0;

    if (n == 0 || n > TASK_ID_MAX || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return rig_err_set(err, RIG_EINVAL, "task id \"%s\" is empty, too long or reserved",
                           id ? id : "");
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return rig_err_set(err, RIG_EINVAL,
                               "task id \"%s\" may only contain letters, digits, '.', '_' and "
                               "'-'",
                               id);
    }
    return 0;
}

int rig_workspace_init(struct rig_workspace *ws, const char *data_dir, const char *task_id,
                       struct rig_err *err)
{
    memset(ws, 0, sizeof(*ws));
    if (!data_dir || !*data_dir)
        return rig_err_set(err, RIG_ECONFIG, "no data directory for workspaces");
    if (check_task_id(task_id, err) < 0)
        return -1;
    ws->root = xasprintf("%s/workspaces/%s", data_dir, task_id);
    ws->repo = xasprintf("%s/repo", ws->root);
    ws->remote = xstrdup("origin");
    if (rig_mkdirs(ws->root, 0700, err) < 0) {
        rig_err_prefix(err, "create workspace");
        rig_workspace_release(ws);
        return -1;
    }
    return 0;
}

void rig_workspace_set_branch(struct rig_workspace *ws, const char *branch)
{
    free(ws->branch);
    ws->branch = xstrdup(branch);
}

void rig_workspace_release(struct rig_workspace *ws)
{
    if (!ws)
        return;
    free(ws->root);
    free(ws->repo);
    free(ws->branch);
    free(ws->base);
    free(ws->remote);
    memset(ws, 0, sizeof(*ws));
}

int rig_workspace_remove(struct rig_workspace *ws, struct rig_err *err)
{
    if (!ws->root)
        return rig_err_set(err, RIG_EINVAL, "workspace is not initialised");
    return rig_rmtree(ws->root, err);
}

/* A clone we can keep: <repo>/.git is a directory and HEAD resolves. */
static bool usable_clone(const struct rig_workspace *ws, const struct rig_git *g)
{
    char *gitdir = xasprintf("%s/.git", ws->repo);
    struct stat st;
    char sha[41];
    bool ok = lstat(gitdir, &st) == 0 && S_ISDIR(st.st_mode) &&
              rig_git_head(g, ws->repo, sha, NULL) == 0;

    free(gitdir);
    return ok;
}

int rig_workspace_prepare(struct rig_workspace *ws, const struct rig_git *g, const char *src,
                          const char *base, bool resume, struct rig_err *err)
{
    char *start = NULL, *def = NULL;
    bool exists = false;
    int rc = -1;

    if (!ws->repo || !ws->branch)
        return rig_err_set(err, RIG_EINVAL, "workspace needs init and a branch before prepare");
    if (rig_git_check_branch(g, ws->branch, err) < 0)
        return -1;
    ws->reused = resume && usable_clone(ws, g);
    if (!ws->reused) {
        if (rig_rmtree(ws->repo, err) < 0 || rig_mkdirs(ws->root, 0700, err) < 0)
            goto out;
        if (rig_git_clone(g, src, ws->repo, err) < 0)
            goto out;
    }
    if (!base || !*base) {
        if (rig_git_default_branch(g, ws->repo, ws->remote, &def, err) < 0)
            goto out;
        base = def;
    }
    free(ws->base);
    ws->base = xstrdup(base);
    start = xasprintf("%s/%s", ws->remote, base);
    if (ws->reused && rig_git_branch_exists(g, ws->repo, ws->branch, &exists, err) < 0)
        goto out;
    if (exists)
        rc = rig_git_checkout(g, ws->repo, ws->branch, err);
    else
        rc = rig_git_checkout_new(g, ws->repo, ws->branch, start, err);
    if (rc < 0)
        rig_err_prefix(err, "check out %s from %s", ws->branch, start);
out:
    if (rc < 0)
        rig_err_prefix(err, "prepare workspace %s", ws->repo);
    free(start);
    free(def);
    return rc;
}
