#include "core/http.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/random.h>

#include <curl/curl.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define HTTP_TIMEOUT_DEFAULT 60000
#define HTTP_CONNECT_TIMEOUT_DEFAULT 10000
#define HTTP_MAX_RESPONSE_DEFAULT ((size_t)32 << 20)
#define HTTP_RETRY_BASE_DEFAULT 500
#define HTTP_RETRY_MAX_DEFAULT 30000
/* curl caps one header line; this caps them all, so a hostile server cannot grow the list */
#define HTTP_HEADERS_MAX ((size_t)256 << 10)
#define HTTP_CANCEL_POLL_MS 50

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init_once(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int rig_http_global_init(void)
{
    pthread_once(&global_once, global_init_once);
    return global_rc == CURLE_OK ? 0 : -1;
}

void rig_http_global_cleanup(void)
{
    if (global_rc == CURLE_OK)
        curl_global_cleanup();
}

/* What one transfer collects. */
struct attempt {
    struct rig_buf body;
    struct rig_http_header *headers;
    size_t nheaders;
    size_t hcap;
    size_t hbytes;
    bool toobig;
    bool headers_toobig;
    const volatile int *cancel;
};

static void headers_free(struct rig_http_header *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(h[i].name);
        free(h[i].value);
    }
    free(h);
}

static void attempt_release(struct attempt *a)
{
    rig_buf_release(&a->body);
    headers_free(a->headers, a->nheaders);
    a->headers = NULL;
    a->nheaders = a->hcap = a->hbytes = 0;
    a->toobig = a->headers_toobig = false;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct attempt *a = ud;
    size_t n = size * nmemb;

    if (rig_buf_add(&a->body, ptr, n) < 0) {
        a->toobig = true;
        return 0;
    }
    return n;
}

static void header_push(struct attempt *a, const char *line, size_t len)
{
    const char *colon = memchr(line, ':', len);
    struct rig_http_header *h;
    size_t vstart, vend = len;

    if (!colon || colon == line)
        return;
    vstart = (size_t)(colon - line) + 1;
    while (vstart < vend && (line[vstart] == ' ' || line[vstart] == '\t'))
        vstart++;
    while (vend > vstart && (line[vend - 1] == ' ' || line[vend - 1] == '\t'))
        vend--;
    if (a->nheaders == a->hcap) {
        a->hcap = a->hcap ? a->hcap * 2 : 16;
        a->headers = xreallocarray(a->headers, a->hcap, sizeof(*a->headers));
    }
    h = &a->headers[a->nheaders++];
    h->name = xstrndup(line, (size_t)(colon - line));
    for (char *p = h->name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    h->value = xstrndup(line + vstart, vend - vstart);
}

/* An obsolete folded line continues the previous header's value. */
static void header_continue(struct attempt *a, const char *line, size_t len)
{
    struct rig_http_header *h;
    char *joined;

    if (a->nheaders == 0)
        return;
    while (len && (*line == ' ' || *line == '\t')) {
        line++;
        len--;
    }
    h = &a->headers[a->nheaders - 1];
    joined = xasprintf("%s %.*s", h->value, (int)len, line);
    free(h->value);
    h->value = joined;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
    struct attempt *a = ud;
    size_t n = size * nitems, len = n;

    a->hbytes += n;
    if (a->hbytes > HTTP_HEADERS_MAX) {
        a->headers_toobig = true;
        return 0;
    }
    /* A new status line starts a new response (after 1xx): keep only the last one's headers. */
    if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
        headers_free(a->headers, a->nheaders);
        a->headers = NULL;
        a->nheaders = a->hcap = 0;
        return n;
    }
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        len--;
    if (len == 0)
        return n;
    if (buf[0] == ' ' || buf[0] == '\t')
        header_continue(a, buf, len);
    else
        header_push(a, buf, len);
    return n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    struct attempt *a = ud;

    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return a->cancel && *a->cancel ? 1 : 0;
}

static struct curl_slist *build_headers(const struct rig_http_req *req)
{
    struct curl_slist *l = NULL;

    /* curl would otherwise wait for "100 Continue" before sending larger bodies */
    l = curl_slist_append(l, "Expect:");
    for (const char *const *h = req->headers; h && *h; h++) {
        struct curl_slist *n = curl_slist_append(l, *h);

        if (!n) {
            curl_slist_free_all(l);
            return NULL;
        }
        l = n;
    }
    return l;
}

static void set_method(CURL *h, const struct rig_http_req *req, const char *method)
{
    bool is_get = strcmp(method, "GET") == 0, is_post = strcmp(method, "POST") == 0;

    if (req->body || is_post) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body ? req->body_len : 0));
        if (!is_post)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (!is_get) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }
}

static int64_t or_default(int64_t v, int64_t dflt)
{
    return v > 0 ? v : dflt;
}

static CURLcode attempt_run(const struct rig_http_req *req, const char *method,
                            struct curl_slist *hdrs, struct attempt *a, long *status,
                            char errbuf[CURL_ERROR_SIZE])
{
    size_t max = req->max_response ? req->max_response : HTTP_MAX_RESPONSE_DEFAULT;
    CURL *h = curl_easy_init();
    CURLcode rc;

    errbuf[0] = '\0';
    *status = 0;
    if (!h)
        return CURLE_FAILED_INIT;
    rig_buf_init(&a->body, max);
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "rig/" RIG_VERSION);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)or_default(req->timeout_ms,
                                                             HTTP_TIMEOUT_DEFAULT));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)or_default(req->connect_timeout_ms, HTTP_CONNECT_TIMEOUT_DEFAULT));
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, a);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    set_method(h, req, method);
    rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(h);
    return rc;
}

static bool status_retryable(long status)
{
    return status == 429 || (status >= 500 && status <= 599);
}

/* Failures where the same request may well succeed a moment later. */
static bool curl_retryable(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

static uint64_t random_u64(void)
{
    uint64_t r;

    if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
        r = (uint64_t)rig_mono_ms() * 6364136223846793005u + 1442695040888963407u;
    return r;
}

/* Full jitter: uniform in [0, min(max, base * 2^(n-1))] for the n-th retry. */
static int64_t backoff_ms(int64_t base, int64_t max, int n)
{
    int64_t cap = base;

    for (int i = 1; i < n && cap < max; i++)
        cap = cap > INT64_MAX / 2 ? INT64_MAX : cap * 2;
    if (cap > max)
        cap = max;
    return (int64_t)(random_u64() % ((uint64_t)cap + 1));
}

/* Seconds since the epoch in a header, or -1. */
static int64_t header_seconds(const char *v)
{
    long long s;

    if (!v || rig_str_to_ll(v, 0, INT64_MAX / 1000, &s) < 0)
        return -1;
    return s;
}

int64_t rig_http_retry_after_ms(const struct rig_http_resp *resp, int64_t now_ms)
{
    const char *ra = rig_http_header_get(resp, "retry-after");
    const char *reset = rig_http_header_get(resp, "x-ratelimit-reset");
    const char *remaining = rig_http_header_get(resp, "x-ratelimit-remaining");
    int64_t s;

    if (ra) {
        time_t t;

        s = header_seconds(ra);
        if (s >= 0)
            return s * 1000;
        t = curl_getdate(ra, NULL);
        if (t != (time_t)-1)
            return (int64_t)t * 1000 > now_ms ? (int64_t)t * 1000 - now_ms : 0;
    }
    /* GitHub sends the reset time on every response; it only says "wait" when exhausted. */
    if (reset && (resp->status == 429 || rig_str_eq(remaining, "0"))) {
        s = header_seconds(reset);
        if (s >= 0)
            return s * 1000 > now_ms ? s * 1000 - now_ms : 0;
    }
    return -1;
}

/* false when cancelled while waiting */
static bool sleep_cancellable(int64_t ms, const volatile int *cancel)
{
    while (ms > 0) {
        int64_t step = ms < HTTP_CANCEL_POLL_MS ? ms : HTTP_CANCEL_POLL_MS;
        struct timespec ts = {(time_t)(step / 1000), (long)(step % 1000) * 1000000L};

        if (cancel && *cancel)
            return false;
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
        ms -= step;
    }
    return !(cancel && *cancel);
}

static int64_t retry_delay(const struct rig_http_req *req, const struct attempt *a, long status,
                           int nretry)
{
    int64_t max = or_default(req->retry_max_ms, HTTP_RETRY_MAX_DEFAULT);
    int64_t delay = -1;

    if (status) {
        struct rig_http_resp view = {0};

        view.status = status;
        view.headers = a->headers;
        view.nheaders = a->nheaders;
        delay = rig_http_retry_after_ms(&view, rig_now_ms());
    }
    if (delay < 0)
        delay = backoff_ms(or_default(req->retry_base_ms, HTTP_RETRY_BASE_DEFAULT), max, nretry);
    return delay < max ? delay : max;
}

static int attempt_error(struct rig_err *err, CURLcode cc, const struct attempt *a,
                         const char *method, const char *url, const char *errbuf,
                         size_t max, int attempts)
{
    char *why;
    int rc;

    if (a->toobig || cc == CURLE_FILESIZE_EXCEEDED)
        return rig_err_set(err, RIG_ETOOBIG,
                           "%s %s: the response is larger than the %zu-byte limit", method, url,
                           max);
    if (a->headers_toobig)
        return rig_err_set(err, RIG_ETOOBIG,
                           "%s %s: the response headers exceed %zu bytes", method, url,
                           HTTP_HEADERS_MAX);
    if (cc == CURLE_ABORTED_BY_CALLBACK)
        return rig_err_set(err, RIG_ECANCELLED, "%s %s: cancelled", method, url);
    why = rig_redact(errbuf[0] ? errbuf : curl_easy_strerror(cc));
    rc = rig_err_set(err, cc == CURLE_OPERATION_TIMEDOUT ? RIG_ETIMEOUT : RIG_EIO,
                     "%s %s: %s (%d attempt%s)%s", method, url, why, attempts,
                     attempts == 1 ? "" : "s",
                     cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST
                         ? "; check that the server is up and the URL is right"
                         : "");
    free(why);
    return rc;
}

int rig_http_do(const struct rig_http_req *req, struct rig_http_resp *resp, struct rig_err *err)
{
    const char *method = req->method && *req->method ? req->method : "GET";
    size_t max = req->max_response ? req->max_response : HTTP_MAX_RESPONSE_DEFAULT;
    struct attempt a = {RIG_BUF_INIT, NULL, 0, 0, 0, false, false, req->cancel};
    struct curl_slist *hdrs = NULL;
    char *url = NULL;
    char errbuf[CURL_ERROR_SIZE];
    long status = 0;
    int rc = -1;

    memset(resp, 0, sizeof(*resp));
    if (!req->url || !*req->url)
        return rig_err_set(err, RIG_EINVAL, "HTTP request without a URL");
    if (rig_http_global_init() < 0)
        return rig_err_set(err, RIG_EIO, "cannot initialise libcurl");
    /* only the redacted form of the URL (tokens in queries...) is ever shown */
    url = rig_redact(req->url);
    hdrs = build_headers(req);
    if (!hdrs) {
        rig_err_set(err, RIG_EIO, "%s %s: cannot build the request headers", method, url);
        goto out;
    }
    for (int n = 1;; n++) {
        int64_t t0, delay;
        CURLcode cc;

        if (req->cancel && *req->cancel) {
            rig_err_set(err, RIG_ECANCELLED, "%s %s: cancelled", method, url);
            goto out;
        }
        attempt_release(&a);
        t0 = rig_mono_ms();
        cc = attempt_run(req, method, hdrs, &a, &status, errbuf);
        resp->attempts = n;
        if (cc == CURLE_OK) {
            log_debug("%s %s -> %ld (%lld ms)", method, url, status,
                      (long long)(rig_mono_ms() - t0));
            if (!status_retryable(status) || n > req->max_retries)
                break;
        } else {
            log_debug("%s %s -> %s (%lld ms)", method, url,
                      errbuf[0] ? errbuf : curl_easy_strerror(cc),
                      (long long)(rig_mono_ms() - t0));
            if (a.toobig || a.headers_toobig || !curl_retryable(cc) || n > req->max_retries) {
                attempt_error(err, cc, &a, method, url, errbuf, max, n);
                goto out;
            }
            status = 0;
        }
        delay = retry_delay(req, &a, status, n);
        log_debug("%s %s: retry %d of %d in %lld ms", method, url, n, req->max_retries,
                  (long long)delay);
        if (!sleep_cancellable(delay, req->cancel)) {
            rig_err_set(err, RIG_ECANCELLED, "%s %s: cancelled", method, url);
            goto out;
        }
    }
    resp->status = status;
    resp->body_len = a.body.len;
    resp->body = rig_buf_take(&a.body);
    resp->headers = a.headers;
    resp->nheaders = a.nheaders;
    a.headers = NULL;
    a.nheaders = 0;
    rc = 0;
out:
    attempt_release(&a);
    curl_slist_free_all(hdrs);
    free(url);
    return rc;
}

const char *rig_http_header_get(const struct rig_http_resp *resp, const char *name)
{
    for (size_t i = 0; resp && i < resp->nheaders; i++) {
        if (strcasecmp(resp->headers[i].name, name) == 0)
            return resp->headers[i].value;
    }
    return NULL;
}

void rig_http_resp_release(struct rig_http_resp *resp)
{
    if (!resp)
        return;
    free(resp->body);
    headers_free(resp->headers, resp->nheaders);
    memset(resp, 0, sizeof(*resp));
}
