#ifndef RIG_GATE_GITHUB_H
#define RIG_GATE_GITHUB_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/err.h"

/*
 * The GitHub REST calls SpecGate makes: the Drift Radar comment (found by its
 * marker and updated in place, else created) and a check run with
 * annotations. Configuration comes from the Actions environment:
 * GITHUB_API_URL (default https://api.github.com), GITHUB_TOKEN,
 * GITHUB_REPOSITORY ("owner/name"), GITHUB_EVENT_PATH (pull_request.number).
 */

struct sg_github {
    char *api;   /* base URL without trailing '/' */
    char *token;
    char *owner;
    char *repo;
};

/* repo overrides GITHUB_REPOSITORY when not NULL. The token is registered as
 * a secret so it never reaches a log. */
int sg_github_init(struct sg_github *gh, const char *repo, struct rig_err *err);
void sg_github_release(struct sg_github *gh);

/* pull_request.number (or issue.number) from an event payload file. */
int sg_github_event_pr(const char *event_path, long *pr, struct rig_err *err);

/* The first comment on the PR whose body contains marker and that the token
 * wrote (its login from GET /user; a bot's comment when the token cannot say),
 * following the Link: rel="next" pages (100 per page). *id = 0 and *body =
 * NULL when there is none. */
int sg_github_find_comment(const struct sg_github *gh, long pr, const char *marker,
                           long long *id, char **body, struct rig_err *err);

/* PATCH comment id when id > 0, else POST a new one; *out_id gets its id. */
int sg_github_put_comment(const struct sg_github *gh, long pr, long long id, const char *body,
                          long long *out_id, struct rig_err *err);

/* Check run "SpecGate Drift Radar" on sha from drift-score.json: conclusion
 * from the status (FAIL -> failure, WARN -> neutral, PASS -> success), the
 * summary markdown, and one annotation per violation with a file, sent 50 per
 * request (POST, then PATCH for the rest). *out_id gets the run id. */
int sg_github_check_run(const struct sg_github *gh, const char *sha, const json_t *score,
                        const char *summary_md, long long *out_id, size_t *annotations,
                        struct rig_err *err);

#endif
