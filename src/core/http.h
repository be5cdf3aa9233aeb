#ifndef RIG_CORE_HTTP_H
#define RIG_CORE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/*
 * A synchronous HTTP client over libcurl (easy handle per request; safe to use
 * from several threads at once after rig_http_global_init).
 *
 * Retries: on network errors, 429 and 5xx (including Anthropic's 529), up to
 * max_retries extra attempts with exponential backoff and full jitter, capped at
 * retry_max_ms; a Retry-After header (seconds or HTTP date) or
 * x-ratelimit-reset (epoch seconds) overrides the computed delay (still capped).
 * Every attempt is logged at debug level as "METHOD url -> status (ms)", with
 * registered secrets redacted.
 *
 * timeout_ms bounds each attempt. Redirects are not followed. Only http and
 * https URLs are accepted. With a body, pass a Content-Type header (curl would
 * otherwise send application/x-www-form-urlencoded).
 */

struct rig_http_req {
    const char *method;           /* "GET" when NULL */
    const char *url;
    const char *const *headers;   /* "Name: value", NULL-terminated */
    const char *body;             /* may be NULL */
    size_t body_len;
    int64_t timeout_ms;           /* whole request; 0 = 60000 */
    int64_t connect_timeout_ms;   /* 0 = 10000 */
    size_t max_response;          /* 0 = 32 MiB; larger bodies fail with RIG_ETOOBIG */
    int max_retries;              /* extra attempts; 0 = none */
    int64_t retry_base_ms;        /* 0 = 500 */
    int64_t retry_max_ms;         /* 0 = 30000 */
    const volatile int *cancel;   /* non-zero aborts between attempts and during transfer */
};

struct rig_http_header {
    char *name;  /* lowercased */
    char *value;
};

struct rig_http_resp {
    long status;
    char *body;  /* NUL-terminated, never NULL after success */
    size_t body_len;
    struct rig_http_header *headers; /* of the final attempt */
    size_t nheaders;
    int attempts;
};

int rig_http_global_init(void);
void rig_http_global_cleanup(void);

/* 0 when an HTTP response was received (any status, after retries); -1 on
 * network error, timeout, cancel or a too-large body. */
int rig_http_do(const struct rig_http_req *req, struct rig_http_resp *resp, struct rig_err *err);

/* Case-insensitive; NULL when absent. */
const char *rig_http_header_get(const struct rig_http_resp *resp, const char *name);

void rig_http_resp_release(struct rig_http_resp *resp);

/* The wait a response asks for before retrying, in ms from now_ms: Retry-After
 * (seconds or an HTTP date), else x-ratelimit-reset (epoch seconds) when the
 * status is 429 or x-ratelimit-remaining is "0". A date in the past gives 0;
 * -1 when the response asks for nothing. Uncapped (rig_http_do caps it). */
int64_t rig_http_retry_after_ms(const struct rig_http_resp *resp, int64_t now_ms);

#endif
