#ifndef RIG_ADAPTERS_SOURCE_SOURCE_H
#define RIG_ADAPTERS_SOURCE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
    long long issue_number; /* > 0: the PR closes this issue ("Closes #n" in the body) */
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

/* Rig's state label on an issue (GitHub: rig:running / rig:done / rig:failed). */
enum rig_issue_label { RIG_LABEL_NONE, RIG_LABEL_RUNNING, RIG_LABEL_DONE, RIG_LABEL_FAILED };

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
    /* The issue's one status comment: created the first time, edited in place
     * afterwards (markdown replaces the whole text). */
    int (*status_comment)(struct rig_source *src, long long issue_number, const char *markdown,
                          struct rig_err *err);
    /* Put state's label on the issue and take Rig's other state labels off
     * (RIG_LABEL_NONE removes them all). Labels of other tools are kept. */
    int (*set_label)(struct rig_source *src, long long issue_number, enum rig_issue_label state,
                     struct rig_err *err);

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

/*
 * GitHub source (REST API v3 + git over HTTPS). See docs/github.md.
 *  repo:        "owner/name" (required)
 *  token:       required; registered as a secret. Sent as "Authorization: Bearer"
 *               to the API and to git only through the environment
 *               (GIT_CONFIG_COUNT / http.<git host>/.extraheader, basic
 *               x-access-token): never in a URL, argv, .git/config or message.
 *  api_url:     NULL/"" = https://api.github.com; GitHub Enterprise: https://HOST/api/v3
 *  git_url:     clone/push URL; NULL/"" = https://github.com/<repo>.git for
 *               api.github.com, else <scheme>://<API host>/<repo>.git. Must not
 *               contain credentials.
 *  base_branch: NULL/"" = the repository's default branch
 *  remote:      the clone's remote to push to; NULL/"" = "origin"
 *  git:         copied; its env must not set GIT_CONFIG_COUNT (the source owns it)
 *  labels:      NULL members = "rig:running", "rig:done", "rig:failed"
 *  user_agent:  NULL = "rig/<version>"
 *  timeout_ms:  one API request; 0 = 30 s
 *  rate_limit_wait_max_ms: longest wait for a rate limit to reset before a call
 *               fails; 0 = 5 minutes
 * Every op is safe to call from several threads at once (the notifier posts
 * comments from its own thread while the engine pushes).
 */
struct rig_source_github_labels {
    const char *running;
    const char *done;
    const char *failed;
};

struct rig_source_github_opts {
    const char *repo;
    const char *token;
    const char *api_url;
    const char *git_url;
    const char *base_branch;
    const char *remote;
    struct rig_git git;
    struct rig_source_github_labels labels;
    const char *user_agent;
    int64_t timeout_ms;
    int64_t rate_limit_wait_max_ms;
};

int rig_source_github_new(const struct rig_source_github_opts *o, struct rig_source **out,
                          struct rig_err *err);

/* True for a source made by rig_source_github_new. */
bool rig_source_is_github(const struct rig_source *src);

/* Hidden markers in the comments Rig writes: every one starts with
 * RIG_GITHUB_MARKER_PREFIX, so a webhook handler can tell Rig's own comments
 * from people's (and never re-trigger on them). */
#define RIG_GITHUB_MARKER_PREFIX "<!-- rig:"
#define RIG_GITHUB_STATUS_MARKER "<!-- rig:status -->"
#define RIG_GITHUB_NOTIFY_MARKER "<!-- rig:notify -->"

/* Does a comment body carry one of Rig's markers? NULL-safe. */
bool rig_github_comment_is_rig(const char *body);

/* The status comment op of a GitHub source (see status_comment above);
 * RIG_EINVAL for another source. */
int rig_github_status_comment(struct rig_source *src, long long issue_number,
                              const char *markdown, struct rig_err *err);

/* "https://github.com/acme/shop/issues/42" (also http://, GitHub Enterprise
 * and other hosts, an optional trailing '/', "?query" or "#fragment"). */
struct rig_github_issue_url {
    char host[256]; /* "github.com", "ghe.example.com:8443" (lowercased) */
    char owner[64];
    char repo[128];
    long long number;
};

int rig_github_parse_issue_url(const char *url, struct rig_github_issue_url *out,
                               struct rig_err *err);

/* An issue URL for this source: parsed, and its host and owner/name checked
 * against the source's (case-insensitive, as GitHub treats them). */
int rig_source_github_issue_number(const struct rig_source *src, const char *url,
                                   long long *number, struct rig_err *err);

#endif
