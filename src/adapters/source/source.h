#ifndef RIG_ADAPTERS_SOURCE_SOURCE_H
#define RIG_ADAPTERS_SOURCE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "adapters/source/git.h"
#include "adapters/source/workspace.h"
#include "core/err.h"

/*
 * Where issues come from and where branches/PRs go. One vtable per platform
 * (local now, GitHub next). Required ops are never NULL. Optional ops are
 * NULL when the platform has no such thing (local has no comments or commit
 * statuses): the engine checks for NULL and skips them; nothing pretends to
 * succeed.
 */

struct rig_issue {
    long long number; /* > 0 */
    char *id;         /* number as a string ("42"), for ${ISSUE_ID} */
    char *title;
    char *body;       /* may be "" */
    char *url;        /* NULL for local issues */
    char *author;     /* NULL when unknown */
};

/* How to find an issue. Local: file (markdown: title = first "# " heading,
 * body = everything else) or title (+ body). number > 0 uses that number,
 * 0 takes the next one from the source's counter. GitHub: number (+ repo). */
struct rig_issue_ref {
    const char *file;
    const char *title;
    const char *body;
    long long number;
};

struct rig_pr_request {
    const char *branch;
    const char *base;
    const char *title;
    const char *body;
};

struct rig_pr {
    long long number; /* 0 when the platform has no numbers (local) */
    char *url;        /* NULL for local */
    char *branch;
    char *base;
    char *title;
    char *body;
    char *remote;     /* where the branch was pushed (local: remote name or URL) */
};

enum rig_commit_state { RIG_STATUS_PENDING, RIG_STATUS_SUCCESS, RIG_STATUS_FAILURE };

struct rig_source;

struct rig_source_ops {
    const char *name; /* "local", "github" */

    int (*fetch_issue)(struct rig_source *src, const struct rig_issue_ref *ref,
                       struct rig_issue *out, struct rig_err *err);

    /* Clone into ws (ws->branch set by the caller) and check out the task
     * branch; resume keeps an existing clone. */
    int (*prepare_workspace)(struct rig_source *src, struct rig_workspace *ws, bool resume,
                             struct rig_err *err);

    /* Push ws->branch to the configured remote, never forced. */
    int (*push_branch)(struct rig_source *src, struct rig_workspace *ws, struct rig_err *err);

    /* Record/open the pull request for a pushed branch. */
    int (*open_pr)(struct rig_source *src, const struct rig_pr_request *req, struct rig_pr *out,
                   struct rig_err *err);

    /* Optional (NULL = unsupported by the platform; the engine skips it). */
    int (*comment)(struct rig_source *src, const struct rig_issue *issue, const char *body,
                   struct rig_err *err);
    int (*set_status)(struct rig_source *src, const char *sha, enum rig_commit_state state,
                      const char *context, const char *description, struct rig_err *err);

    /* Remove a task branch from the remote (cleanup after a failed task).
     * Required. */
    int (*delete_branch)(struct rig_source *src, struct rig_workspace *ws, const char *branch,
                         struct rig_err *err);

    void (*destroy)(struct rig_source *src);
};

struct rig_source {
    const struct rig_source_ops *ops;
    char *repo_owner; /* for ${REPO_OWNER}; "" when the source has none */
    char *repo_name;  /* for ${REPO_NAME} */
    void *impl;
};

/* NULL-safe; calls ops->destroy and frees src. */
void rig_source_free(struct rig_source *src);

void rig_issue_release(struct rig_issue *issue);
void rig_pr_release(struct rig_pr *pr);

/* Parse a markdown issue: title = text of the first "# " heading (trimmed),
 * body = the text before and after that line (trimmed). name is used in
 * errors ("issue.md: no '# ' title heading"). */
int rig_issue_parse_markdown(const char *text, const char *name, char **title, char **body,
                             struct rig_err *err);

/*
 * Local source.
 *  repo:        local path or credential-less git URL (source.repo)
 *  remote:      push target: a remote name of the clone or a URL; NULL/"" = "origin"
 *               (the repository the workspace was cloned from)
 *  base_branch: NULL/"" = the clone's default branch
 *  counter_path: file holding the last issue number handed out (created on
 *               first use, updated under flock); NULL when only explicit
 *               numbers are allowed
 *  git:         git options (copied by value; the pointed-to strings must outlive the source)
 * repo_owner/repo_name are derived from the repo path or URL
 * ("/srv/git/acme/app.git" -> "acme", "app").
 */
struct rig_source_local_opts {
    const char *repo;
    const char *remote;
    const char *base_branch;
    const char *counter_path;
    struct rig_git git;
};

int rig_source_local_new(const struct rig_source_local_opts *opts, struct rig_source **out,
                         struct rig_err *err);

#endif
