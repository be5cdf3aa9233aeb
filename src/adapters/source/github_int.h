#ifndef RIG_ADAPTERS_SOURCE_GITHUB_INT_H
#define RIG_ADAPTERS_SOURCE_GITHUB_INT_H

/* GitHub source internals shared by source_github.c and github_issue.c. */

#include <pthread.h>
#include <stdbool.h>

#include "adapters/source/github_api.h"
#include "adapters/source/source.h"

struct gh_status_id {
    long long issue;
    long long comment;
};

struct gh {
    struct rig_gh_api api;
    char *owner;
    char *name;
    char *repos_path;  /* "/repos/<owner>/<name>" (escaped) */
    char *clone_url;   /* credential-free */
    char *web_host;    /* host[:port] issue URLs live on, lowercased */
    char *git_host;    /* host[:port] of clone_url, lowercased */
    char *base;        /* NULL: the repository's default branch */
    char *remote;      /* NULL: the clone's remote */
    char *labels[4];   /* indexed by enum rig_issue_label; [RIG_LABEL_NONE] = NULL */
    struct rig_git git;
    char **env;        /* owned; git.env points here */

    /* One status comment per issue; the lock is held across the whole
     * find/create/edit so two updates never create two comments. */
    pthread_mutex_t status_mu;
    struct gh_status_id *status_ids;
    size_t nstatus;
    bool login_known;  /* the token's login was looked up (login may still be NULL) */
    char *login;
};

static inline struct gh *gh_of(const struct rig_source *src)
{
    return src->impl;
}

/* github_issue.c: the comment, status comment and label ops. */
int gh_comment(struct rig_source *src, const struct rig_issue *issue, const char *body,
               struct rig_err *err);
int gh_status_comment(struct rig_source *src, long long issue_number, const char *markdown,
                      struct rig_err *err);
int gh_set_label(struct rig_source *src, long long issue_number, enum rig_issue_label state,
                 struct rig_err *err);

#endif
