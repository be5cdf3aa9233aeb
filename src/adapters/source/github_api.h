#ifndef RIG_ADAPTERS_SOURCE_GITHUB_API_H
#define RIG_ADAPTERS_SOURCE_GITHUB_API_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"

/*
 * A small GitHub REST v3 client for the GitHub source: JSON in and out,
 * Link-header pagination restricted to the API base (the token never goes
 * elsewhere), messages a person can act on, and rate limits.
 *
 * Rate limits (docs.github.com "Rate limits for the REST API"):
 *  - network errors, 5xx and 429 are first retried by rig_http_do (twice, with
 *    backoff; Retry-After or x-ratelimit-reset sets the wait, capped at 30 s);
 *  - a 403 or 429 that is a rate limit (x-ratelimit-remaining: 0, a
 *    Retry-After header, or a "rate limit" message) is then waited out here:
 *    Retry-After seconds, else until x-ratelimit-reset, else one minute
 *    doubling (secondary limits without headers), up to 5 times. A wait longer
 *    than rate_wait_max_ms fails at once, naming the reset time.
 * Plain 403s (missing permission) are not retried.
 */

struct rig_gh_api {
    char *base;        /* API base URL without trailing '/' */
    char *auth;        /* "Authorization: Bearer <token>" */
    char *user_agent;  /* "User-Agent: ..." */
    int64_t timeout_ms;
    int64_t rate_wait_max_ms;
    int rate_retries;
    int64_t secondary_wait_ms; /* first wait for a secondary limit without headers */
};

/* base NULL/"" = https://api.github.com. The token is registered as a secret. */
int rig_gh_api_init(struct rig_gh_api *api, const char *base, const char *token,
                    const char *user_agent, int64_t timeout_ms, int64_t rate_wait_max_ms,
                    struct rig_err *err);
void rig_gh_api_release(struct rig_gh_api *api);

/* Statuses a caller handles itself instead of getting an error. */
#define RIG_GH_OK_404 (1u << 0)
#define RIG_GH_OK_422 (1u << 1)

struct rig_gh_resp {
    long status;
    json_t *json;   /* parsed body; NULL when empty */
    char *next;     /* Link rel="next" on the API base, else NULL */
};

/*
 * METHOD base+path (path starts with '/'), or an absolute URL that starts with
 * the API base (a pagination link). body may be NULL. what names the operation
 * in errors ("fetch issue #42"). A 2xx (or a status allowed by flags) gives 0.
 */
int rig_gh_api_call(const struct rig_gh_api *api, const char *method, const char *path,
                    const json_t *body, const char *what, unsigned flags,
                    struct rig_gh_resp *out, struct rig_err *err);
void rig_gh_resp_release(struct rig_gh_resp *r);

/* Percent-encode everything but unreserved characters (RFC 3986), for a path
 * segment or a query value. Caller frees. */
char *rig_gh_escape(const char *s);

/* Standard base64 of s. Caller frees. */
char *rig_gh_base64(const char *s);

#endif
