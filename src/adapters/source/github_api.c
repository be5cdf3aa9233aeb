#include "adapters/source/github_api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "core/buf.h"
#include "core/http.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/timeutil.h"

#include "core/banned.h"

#define GH_API_DEFAULT "https://api.github.com"
#define GH_TIMEOUT_DEFAULT 30000
#define GH_RATE_WAIT_DEFAULT (5 * 60 * 1000)
#define GH_RATE_RETRIES 5
#define GH_SECONDARY_WAIT 60000 /* "wait for at least one minute" */
#define GH_HTTP_RETRIES 2
#define GH_HTTP_RETRY_MAX 30000
#define GH_MAX_RESPONSE ((size_t)16 << 20)

int rig_gh_api_init(struct rig_gh_api *api, const char *base, const char *token,
                    const char *user_agent, int64_t timeout_ms, int64_t rate_wait_max_ms,
                    struct rig_err *err)
{
    size_t n;

    memset(api, 0, sizeof(*api));
    if (!token || !*token)
        return rig_err_set(err, RIG_ECONFIG, "no GitHub token: set source.token in rig.yaml "
                                             "or export GITHUB_TOKEN");
    if (strpbrk(token, "\r\n \t"))
        return rig_err_set(err, RIG_ECONFIG, "the GitHub token contains whitespace or a line "
                                             "break; check source.token / $GITHUB_TOKEN");
    base = base && *base ? base : GH_API_DEFAULT;
    if (!rig_str_startswith(base, "https://") && !rig_str_startswith(base, "http://"))
        return rig_err_set(err, RIG_ECONFIG, "GitHub API URL '%s' is not an http(s) URL", base);
    rig_secret_add(token);
    api->base = xstrdup(base);
    n = strlen(api->base);
    while (n > 1 && api->base[n - 1] == '/')
        api->base[--n] = '\0';
    api->auth = xasprintf("Authorization: Bearer %s", token);
    api->user_agent = xasprintf("User-Agent: %s",
                                user_agent && *user_agent ? user_agent : "rig/" RIG_VERSION);
    api->timeout_ms = timeout_ms > 0 ? timeout_ms : GH_TIMEOUT_DEFAULT;
    api->rate_wait_max_ms = rate_wait_max_ms > 0 ? rate_wait_max_ms : GH_RATE_WAIT_DEFAULT;
    api->rate_retries = GH_RATE_RETRIES;
    api->secondary_wait_ms = GH_SECONDARY_WAIT;
    return 0;
}

void rig_gh_api_release(struct rig_gh_api *api)
{
    if (!api)
        return;
    free(api->base);
    free(api->auth);
    free(api->user_agent);
    memset(api, 0, sizeof(*api));
}

void rig_gh_resp_release(struct rig_gh_resp *r)
{
    if (!r)
        return;
    json_decref(r->json);
    free(r->next);
    memset(r, 0, sizeof(*r));
}

char *rig_gh_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    struct rig_buf b = RIG_BUF_INIT;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            rig_buf_addch(&b, (char)*p);
        } else {
            rig_buf_addch(&b, '%');
            rig_buf_addch(&b, hex[*p >> 4]);
            rig_buf_addch(&b, hex[*p & 15]);
        }
    }
    return rig_buf_take(&b);
}

char *rig_gh_base64(const char *s)
{
    size_t n = strlen(s);
    unsigned char *out = xmalloc(4 * ((n + 2) / 3) + 1);

    EVP_EncodeBlock(out, (const unsigned char *)s, (int)n);
    return (char *)out;
}

/* ------------------------------------------------------------- errors -- */

/* "Validation Failed (A pull request already exists for a:b)". */
static char *api_message(const json_t *body)
{
    struct rig_buf b = RIG_BUF_INIT;
    const json_t *errs = json_object_get(body, "errors"), *e;
    size_t i;

    rig_buf_adds(&b, rig_json_str(body, "message", ""));
    json_array_foreach(errs, i, e) {
        const char *m = json_is_string(e) ? json_string_value(e) : rig_json_str(e, "message", "");

        if (!*m)
            m = rig_json_str(e, "code", "");
        if (*m)
            rig_buf_addf(&b, "%s%s", i == 0 ? " (" : "; ", m);
        if (i + 1 == json_array_size(errs))
            rig_buf_adds(&b, ")");
    }
    return rig_buf_take(&b);
}

static int status_error(const char *what, long status, const json_t *body, struct rig_err *err)
{
    char *msg = api_message(body);
    char *safe = rig_redact(msg);
    const char *hint = "";

    if (status == 401)
        hint = ": the token was refused; check source.token (or $GITHUB_TOKEN) and that it has "
               "not expired";
    else if (status == 403)
        hint = ": the token lacks a permission; it needs Issues, Pull requests and Contents "
               "read and write on the repository";
    else if (status == 404)
        hint = ": check source.repo (owner/name) and that the token can see the repository";
    rig_err_set(err, status == 404 ? RIG_ENOTFOUND : status == 422 ? RIG_EINVAL : RIG_EIO,
                "%s: GitHub answered %ld%s%s%s", what, status, *safe ? " " : "", safe, hint);
    free(msg);
    free(safe);
    return -1;
}

/* --------------------------------------------------------- rate limits -- */

static bool is_rate_limited(const struct rig_http_resp *resp, const json_t *body)
{
    const char *msg;

    if (resp->status != 403 && resp->status != 429)
        return false;
    if (rig_str_eq(rig_http_header_get(resp, "x-ratelimit-remaining"), "0") ||
        rig_http_header_get(resp, "retry-after") || resp->status == 429)
        return true;
    msg = rig_json_str(body, "message", "");
    return strcasestr(msg, "rate limit") != NULL;
}

static void format_epoch(int64_t ms, char *buf, size_t n)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    if (!gmtime_r(&t, &tm) || strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, n, "%lld", (long long)(ms / 1000));
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* How long to wait before retrying a rate-limited call (n = waits so far). */
static int64_t rate_wait(const struct rig_gh_api *api, const struct rig_http_resp *resp, int n)
{
    int64_t w = rig_http_retry_after_ms(resp, rig_now_ms());

    if (w >= 0)
        return w;
    w = api->secondary_wait_ms;
    for (int i = 0; i < n && w < INT64_MAX / 2; i++)
        w *= 2;
    return w;
}

/* ------------------------------------------------------------ the call -- */

/* The <...> just before rel="next", when it is on the API base. */
static char *next_link(const struct rig_gh_api *api, const struct rig_http_resp *resp)
{
    const char *link = rig_http_header_get(resp, "link");
    const char *rel = link ? strstr(link, "rel=\"next\"") : NULL;
    const char *open = NULL, *close;
    size_t n = strlen(api->base);
    char *u;

    if (!rel)
        return NULL;
    for (const char *p = link; p < rel; p++)
        if (*p == '<')
            open = p;
    close = open ? strchr(open, '>') : NULL;
    if (!close || close > rel)
        return NULL;
    u = xstrndup(open + 1, (size_t)(close - open - 1));
    if (strncmp(u, api->base, n) == 0 && (u[n] == '/' || u[n] == '?'))
        return u;
    log_warn("GitHub pagination link leaves %s; not followed", api->base);
    free(u);
    return NULL;
}

static int send_once(const struct rig_gh_api *api, const char *method, const char *url,
                     const char *payload, struct rig_http_resp *resp, struct rig_err *err)
{
    const char *headers[] = {api->auth,
                             api->user_agent,
                             "Accept: application/vnd.github+json",
                             "X-GitHub-Api-Version: 2022-11-28",
                             payload ? "Content-Type: application/json" : NULL,
                             NULL};
    struct rig_http_req req;

    memset(&req, 0, sizeof(req));
    req.method = method;
    req.url = url;
    req.headers = headers;
    req.body = payload;
    req.body_len = payload ? strlen(payload) : 0;
    req.timeout_ms = api->timeout_ms;
    req.max_response = GH_MAX_RESPONSE;
    req.max_retries = GH_HTTP_RETRIES;
    req.retry_max_ms = GH_HTTP_RETRY_MAX;
    return rig_http_do(&req, resp, err);
}

int rig_gh_api_call(const struct rig_gh_api *api, const char *method, const char *path,
                    const json_t *body, const char *what, unsigned flags,
                    struct rig_gh_resp *out, struct rig_err *err)
{
    char *url = path[0] == '/' ? xasprintf("%s%s", api->base, path) : xstrdup(path);
    char *payload = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct rig_http_resp resp;
    json_t *parsed = NULL;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    memset(&resp, 0, sizeof(resp));
    if (path[0] != '/' && !rig_str_startswith(path, api->base)) {
        rig_err_set(err, RIG_EINVAL, "%s: refusing a URL outside the GitHub API %s", what,
                    api->base);
        goto out;
    }
    for (int n = 0;; n++) {
        int64_t wait;

        rig_http_resp_release(&resp);
        json_decref(parsed);
        parsed = NULL;
        if (send_once(api, method, url, payload, &resp, err) < 0) {
            rig_err_prefix(err, "%s", what);
            goto out;
        }
        if (resp.body_len)
            parsed = json_loadb(resp.body, resp.body_len, 0, NULL);
        if (!is_rate_limited(&resp, parsed))
            break;
        wait = rate_wait(api, &resp, n);
        if (n >= api->rate_retries || wait > api->rate_wait_max_ms) {
            char when[32];

            format_epoch(rig_now_ms() + wait, when, sizeof(when));
            rig_err_set(err, RIG_EIO, "%s: GitHub API rate limit exceeded (%ld); it resets at %s "
                        "(in %lld s)%s; try again then, or use a token with a higher limit",
                        what, resp.status, when, (long long)((wait + 999) / 1000),
                        n >= api->rate_retries ? " after repeated waits"
                                               : ", later than Rig waits");
            goto out;
        }
        log_warn("%s: GitHub API rate limit (%ld); waiting %lld ms before retrying", what,
                 resp.status, (long long)wait);
        sleep_ms(wait);
    }
    out->status = resp.status;
    if ((resp.status < 200 || resp.status > 299) &&
        !(resp.status == 404 && (flags & RIG_GH_OK_404)) &&
        !(resp.status == 422 && (flags & RIG_GH_OK_422))) {
        status_error(what, resp.status, parsed, err);
        goto out;
    }
    if (resp.body_len && !parsed) {
        rig_err_set(err, RIG_EIO, "%s: GitHub's answer (%ld) is not JSON", what, resp.status);
        goto out;
    }
    out->json = parsed;
    parsed = NULL;
    out->next = next_link(api, &resp);
    rc = 0;
out:
    json_decref(parsed);
    rig_http_resp_release(&resp);
    free(payload);
    free(url);
    return rc;
}
