/*
 * Notifier queues and their sender threads. The engine's callback only
 * formats and enqueues; each notifier has its own FIFO and thread, so a slow
 * or dead Slack cannot delay Discord, and messages to one place stay in order
 * (retries happen in line, before the next message).
 */
#include "adapters/notify/notify.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "adapters/notify/notify_int.h"
#include "core/http.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "engine/phase.h"
#include "core/banned.h"

#define ANNOUNCED_MAX 1024
#define RESPONSE_MAX (1u << 20)
#define SNIPPET_MAX 200

enum send_result { SEND_OK, SEND_FAILED, SEND_CANCELLED };

struct msg {
    struct msg *next;
    char *body;              /* JSON (webhooks) or Markdown (comment) */
    char *what;              /* "task <id> <event>", for logs */
    struct rig_issue issue;  /* comment: where to post */
};

struct target {
    struct rig_notifier *nt;
    enum rig_notify_type type;
    unsigned on;
    const char *url;         /* borrowed from the config; a secret */
    char *name;              /* "slack notify[0] (https://hooks.slack.com)" */
    struct msg *head, *tail;
    size_t len;
    bool busy;
    bool overflowing;        /* log a full queue once per episode */
    unsigned seed;
    pthread_t thread;
    bool started;
};

struct rig_notifier {
    struct rig_notifier_opts o;
    struct rig_source *src;
    struct target *t;
    size_t nt;
    pthread_mutex_t mu;
    pthread_cond_t cv;       /* any change: new message, message done, stopping */
    bool stopping;
    volatile int cancel;     /* set by free after drain_ms; aborts HTTP and waits */
    char **announced;        /* tasks that got their "working on it" comment */
    size_t nannounced;
    bool status_comments;    /* an active comment target exists */
    size_t sent, failed, dropped;
};

void rig_notifier_opts_init(struct rig_notifier_opts *o)
{
    o->max_attempts = 5;
    o->retry_base_ms = 1000;
    o->retry_max_ms = 60000;
    o->timeout_ms = 15000;
    o->drain_ms = 10000;
    o->queue_max = 256;
}

static const char *type_name(enum rig_notify_type t)
{
    return t == RIG_NOTIFY_SLACK ? "slack" : t == RIG_NOTIFY_DISCORD ? "discord" : "comment";
}

/* ---- time ------------------------------------------------------------------ */

static struct timespec mono_deadline(int64_t ms_from_now)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms_from_now / 1000);
    ts.tv_nsec += (long)(ms_from_now % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static bool passed(const struct timespec *deadline)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > deadline->tv_sec ||
           (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/* Caller holds nt->mu. false when cancelled. */
static bool wait_locked(struct rig_notifier *nt, int64_t ms)
{
    struct timespec deadline = mono_deadline(ms);

    while (!nt->cancel && !passed(&deadline))
        pthread_cond_timedwait(&nt->cv, &nt->mu, &deadline);
    return !nt->cancel;
}

static bool sleep_cancellable(struct rig_notifier *nt, int64_t ms)
{
    bool ok;

    pthread_mutex_lock(&nt->mu);
    ok = wait_locked(nt, ms);
    pthread_mutex_unlock(&nt->mu);
    return ok;
}

/* ---- messages ---------------------------------------------------------------- */

static void msg_free(struct msg *m)
{
    if (!m)
        return;
    free(m->body);
    free(m->what);
    rig_issue_release(&m->issue);
    free(m);
}

static size_t pending_locked(const struct rig_notifier *nt)
{
    size_t n = 0;

    for (size_t i = 0; i < nt->nt; i++)
        n += nt->t[i].len + (nt->t[i].busy ? 1 : 0);
    return n;
}

/* Caller holds nt->mu. Never blocks: a full queue drops the message. */
static void enqueue_locked(struct target *t, struct msg *m)
{
    struct rig_notifier *nt = t->nt;

    if (nt->stopping || t->len >= nt->o.queue_max) {
        if (!t->overflowing)
            log_warn("notify: %s: %s; dropping %s and any further messages until it drains",
                     t->name, nt->stopping ? "shutting down" : "queue full", m->what);
        t->overflowing = true;
        nt->dropped++;
        msg_free(m);
        return;
    }
    t->overflowing = false;
    if (t->tail)
        t->tail->next = m;
    else
        t->head = m;
    t->tail = m;
    t->len++;
    pthread_cond_broadcast(&nt->cv);
}

/* ---- sending ----------------------------------------------------------------- */

/* An error message with the webhook URL (a credential) replaced by its origin. */
static char *scrub(const struct target *t, const char *text)
{
    struct rig_buf b = RIG_BUF_INIT;
    char *origin = t->url ? notify_url_origin(t->url) : NULL;
    size_t ulen = t->url ? strlen(t->url) : 0;
    char *r;

    rig_buf_adds(&b, "");
    for (const char *p = text; *p;) {
        if (ulen && strncmp(p, t->url, ulen) == 0) {
            rig_buf_addf(&b, "%s/...", origin);
            p += ulen;
        } else {
            rig_buf_addch(&b, *p++);
        }
    }
    free(origin);
    r = rig_redact(rig_buf_str(&b));
    rig_buf_release(&b);
    return r;
}

/* The first line of a response body, short, for "HTTP 404: no_service". */
static char *snippet(const struct target *t, const struct rig_http_resp *resp)
{
    char *clean = notify_utf8_clean(resp->body ? resp->body : "");
    char *s;

    clean[strcspn(clean, "\n")] = '\0';
    if (strlen(clean) > SNIPPET_MAX)
        clean[SNIPPET_MAX] = '\0';
    s = scrub(t, clean);
    free(clean);
    return s;
}

static int64_t backoff_ms(struct target *t, int attempt)
{
    const struct rig_notifier_opts *o = &t->nt->o;
    int64_t d = o->retry_base_ms;

    for (int i = 1; i < attempt && d < o->retry_max_ms; i++)
        d *= 2;
    if (d > o->retry_max_ms)
        d = o->retry_max_ms;
    /* Half fixed, half random: spreads retries without ever retrying at once. */
    return d / 2 + (d > 1 ? (int64_t)(rand_r(&t->seed) % (unsigned)(d / 2 + 1)) : 0);
}

/* The wait a 429/5xx asks for, -1 when none: Discord puts a fractional
 * retry_after (seconds) in the JSON body, Slack a Retry-After header. */
static int64_t asked_wait_ms(const struct target *t, const struct rig_http_resp *resp)
{
    if (t->type == RIG_NOTIFY_DISCORD && resp->body && resp->body_len) {
        json_t *j = json_loadb(resp->body, resp->body_len, 0, NULL);
        json_t *ra = json_object_get(j, "retry_after");
        double s = json_is_number(ra) ? json_number_value(ra) : -1;

        json_decref(j);
        if (s >= 0 && isfinite(s))
            return s * 1000 > 1e12 ? (int64_t)1e12 : (int64_t)ceil(s * 1000);
    }
    return rig_http_retry_after_ms(resp, rig_now_ms());
}

/* One attempt at a webhook. 0 sent; 1 retry (after *wait ms, -1 = backoff);
 * -1 give up; -2 cancelled. why gets the reason on anything but 0. */
static int post_once(struct target *t, const struct msg *m, int64_t *wait, char **why)
{
    static const char *const headers[] = {"Content-Type: application/json",
                                          "User-Agent: rig/" RIG_VERSION, NULL};
    struct rig_http_req req = {0};
    struct rig_http_resp resp = {0};
    struct rig_err err = RIG_ERR_INIT;
    int rc;

    req.method = "POST";
    req.url = t->url;
    req.headers = headers;
    req.body = m->body;
    req.body_len = strlen(m->body);
    req.timeout_ms = t->nt->o.timeout_ms;
    req.connect_timeout_ms = t->nt->o.timeout_ms < 10000 ? t->nt->o.timeout_ms : 10000;
    req.max_response = RESPONSE_MAX;
    req.cancel = &t->nt->cancel;
    *wait = -1;
    if (rig_http_do(&req, &resp, &err) < 0) {
        *why = scrub(t, err.msg);
        /* Network errors and timeouts are retried (a duplicate beats a lost
         * message); a refused URL or an oversized answer will not improve. */
        rc = err.code == RIG_ECANCELLED ? -2
             : err.code == RIG_EINVAL || err.code == RIG_ETOOBIG ? -1 : 1;
        goto out;
    }
    if (resp.status >= 200 && resp.status < 300) {
        rc = 0;
        goto out;
    }
    {
        char *s = snippet(t, &resp);

        *why = xasprintf("HTTP %ld%s%s", resp.status, *s ? ": " : "", s);
        free(s);
    }
    rc = resp.status == 429 || resp.status >= 500 ? 1 : -1;
    if (rc == 1)
        *wait = asked_wait_ms(t, &resp);
out:
    rig_http_resp_release(&resp);
    return rc;
}

static int comment_once(struct target *t, struct msg *m, int64_t *wait, char **why)
{
    struct rig_source *src = t->nt->src;
    struct rig_err err = RIG_ERR_INIT;

    *wait = -1;
    if (src->ops->comment(src, &m->issue, m->body, &err) == 0)
        return 0;
    *why = rig_redact(err.msg);
    switch (err.code) {
    case RIG_ECANCELLED: return -2;
    case RIG_ECONFIG:
    case RIG_EINVAL:
    case RIG_ENOTFOUND:
    case RIG_ETOOBIG: return -1;
    default: return 1;
    }
}

static enum send_result deliver(struct target *t, struct msg *m)
{
    const struct rig_notifier_opts *o = &t->nt->o;

    for (int attempt = 1;; attempt++) {
        char *why = NULL;
        int64_t wait;
        int rc = t->type == RIG_NOTIFY_COMMENT ? comment_once(t, m, &wait, &why)
                                               : post_once(t, m, &wait, &why);

        if (rc == 0) {
            log_debug("notify: %s: sent %s", t->name, m->what);
            return SEND_OK;
        }
        if (rc == -2) {
            free(why);
            return SEND_CANCELLED;
        }
        if (rc < 0 || attempt >= o->max_attempts) {
            log_warn("notify: %s: could not send %s%s: %s", t->name, m->what,
                     rc < 0 ? "" : " after retrying", why ? why : "unknown error");
            free(why);
            return SEND_FAILED;
        }
        if (wait < 0)
            wait = backoff_ms(t, attempt);
        if (wait > o->retry_max_ms)
            wait = o->retry_max_ms;
        log_debug("notify: %s: %s: attempt %d failed (%s); retrying in %lld ms", t->name,
                  m->what, attempt, why ? why : "unknown error", (long long)wait);
        free(why);
        if (!sleep_cancellable(t->nt, wait))
            return SEND_CANCELLED;
    }
}

static void drop_all_locked(struct target *t)
{
    size_t n = 0;

    while (t->head) {
        struct msg *m = t->head;

        t->head = m->next;
        msg_free(m);
        n++;
    }
    t->tail = NULL;
    t->len = 0;
    t->nt->dropped += n;
    if (n)
        log_warn("notify: %s: %zu message(s) not sent: Rig is stopping", t->name, n);
}

static void *sender_main(void *arg)
{
    struct target *t = arg;
    struct rig_notifier *nt = t->nt;

    pthread_mutex_lock(&nt->mu);
    for (;;) {
        struct msg *m;
        enum send_result r;

        while (!t->head && !nt->stopping)
            pthread_cond_wait(&nt->cv, &nt->mu);
        if (nt->cancel)
            drop_all_locked(t);
        if (!t->head)
            break;
        m = t->head;
        t->head = m->next;
        if (!t->head)
            t->tail = NULL;
        t->len--;
        t->busy = true;
        pthread_mutex_unlock(&nt->mu);
        r = deliver(t, m);
        pthread_mutex_lock(&nt->mu);
        t->busy = false;
        if (r == SEND_OK)
            nt->sent++;
        else if (r == SEND_FAILED)
            nt->failed++;
        else {
            nt->dropped++;
            log_warn("notify: %s: %s not sent: Rig is stopping", t->name, m->what);
        }
        msg_free(m);
        pthread_cond_broadcast(&nt->cv);
    }
    pthread_cond_broadcast(&nt->cv);
    pthread_mutex_unlock(&nt->mu);
    return NULL;
}

/* ---- events ------------------------------------------------------------------ */

static unsigned event_bit(enum rig_event ev)
{
    switch (ev) {
    case RIG_EVENT_DEPLOYED:
    case RIG_EVENT_DEPLOY_FAIL: return RIG_NOTIFY_ON_DEPLOY;
    case RIG_EVENT_TEST_FAIL: return RIG_NOTIFY_ON_TEST_FAIL;
    case RIG_EVENT_TEST_PASS: return RIG_NOTIFY_ON_TEST_PASS;
    case RIG_EVENT_PR_CREATED: return RIG_NOTIFY_ON_PR_CREATED;
    case RIG_EVENT_PROPOSAL: return RIG_NOTIFY_ON_PROPOSAL;
    case RIG_EVENT_FAILED: return RIG_NOTIFY_ON_FAILED;
    default: return 0;
    }
}

static void forget_locked(struct rig_notifier *nt, const char *id)
{
    for (size_t i = 0; i < nt->nannounced; i++) {
        if (strcmp(nt->announced[i], id) == 0) {
            free(nt->announced[i]);
            nt->announced[i] = nt->announced[--nt->nannounced];
            return;
        }
    }
}

/* Caller holds nt->mu. Whether this event gets a status comment: the first
 * phase change of a task seen here ("working on it"), and its completion or
 * cancellation. */
static bool status_comment_locked(struct rig_notifier *nt, const struct rig_task *task,
                                  enum rig_event ev)
{
    if (ev == RIG_EVENT_COMPLETED || ev == RIG_EVENT_CANCELLED) {
        forget_locked(nt, task->id);
        return true;
    }
    if (ev != RIG_EVENT_PHASE || rig_phase_is_terminal(task->phase) ||
        task->phase == RIG_PHASE_QUEUED)
        return false;
    for (size_t i = 0; i < nt->nannounced; i++)
        if (strcmp(nt->announced[i], task->id) == 0)
            return false;
    if (nt->nannounced == ANNOUNCED_MAX) {
        free(nt->announced[0]);
        memmove(nt->announced, nt->announced + 1, (ANNOUNCED_MAX - 1) * sizeof(char *));
        nt->nannounced--;
    }
    nt->announced[nt->nannounced++] = xstrdup(task->id);
    return true;
}

static struct msg *msg_new(const struct target *t, const struct rig_task *task,
                           enum rig_event ev, const char *detail)
{
    struct msg *m = xcalloc(1, sizeof(*m));

    m->body = notify_format(t->type, task, ev, detail);
    m->what = xasprintf("task %s %s", task->id, rig_event_name(ev));
    if (t->type == RIG_NOTIFY_COMMENT) {
        m->issue.number = (long long)task->issue_number;
        m->issue.id = task->issue_id ? xstrdup(task->issue_id)
                                     : xasprintf("%lld", (long long)task->issue_number);
        m->issue.title = xstrdup(task->issue_title ? task->issue_title : "");
        m->issue.body = xstrdup("");
        m->issue.url = xstrdup(task->issue_url);
    }
    return m;
}

void rig_notifier_on_event(void *ctx, const struct rig_task *task, enum rig_event ev,
                           const char *detail)
{
    struct rig_notifier *nt = ctx;
    unsigned bit = event_bit(ev);
    bool status = false;

    if (!nt || !task || !task->id || task->dry_run || nt->nt == 0)
        return;
    pthread_mutex_lock(&nt->mu);
    if (ev == RIG_EVENT_FAILED)
        forget_locked(nt, task->id);
    else if (nt->status_comments)
        status = status_comment_locked(nt, task, ev);
    pthread_mutex_unlock(&nt->mu);
    for (size_t i = 0; i < nt->nt; i++) {
        struct target *t = &nt->t[i];
        struct msg *m;

        if (t->type == RIG_NOTIFY_COMMENT) {
            if (task->issue_number <= 0 || !(bit ? (t->on & bit) : status))
                continue;
        } else if (!(t->on & bit)) {
            continue;
        }
        /* Formatting is string work only; it happens outside the lock. */
        m = msg_new(t, task, ev, detail);
        pthread_mutex_lock(&nt->mu);
        enqueue_locked(t, m);
        pthread_mutex_unlock(&nt->mu);
    }
}

/* ---- lifecycle ----------------------------------------------------------------- */

static int check_entry(const struct rig_notify_config *c, size_t i, struct rig_err *err)
{
    if (c->type == RIG_NOTIFY_COMMENT)
        return 0;
    if (!c->webhook || !*c->webhook)
        return rig_err_set(err, RIG_ECONFIG,
                           "notify[%zu] (%s): webhook is required: set it to the incoming "
                           "webhook URL, e.g. webhook: ${%s_WEBHOOK_URL}",
                           i, type_name(c->type),
                           c->type == RIG_NOTIFY_SLACK ? "SLACK" : "DISCORD");
    if (!rig_str_startswith(c->webhook, "https://") && !rig_str_startswith(c->webhook, "http://"))
        return rig_err_set(err, RIG_ECONFIG,
                           "notify[%zu] (%s): webhook must be an http(s) URL", i,
                           type_name(c->type));
    return 0;
}

/* Defaults for every field left 0 (or negative). */
static void merge_opts(struct rig_notifier_opts *o, const struct rig_notifier_opts *in)
{
    rig_notifier_opts_init(o);
    if (!in)
        return;
    if (in->max_attempts > 0)
        o->max_attempts = in->max_attempts;
    if (in->retry_base_ms > 0)
        o->retry_base_ms = in->retry_base_ms;
    if (in->retry_max_ms > 0)
        o->retry_max_ms = in->retry_max_ms;
    if (in->timeout_ms > 0)
        o->timeout_ms = in->timeout_ms;
    if (in->drain_ms > 0)
        o->drain_ms = in->drain_ms;
    if (in->queue_max > 0)
        o->queue_max = in->queue_max;
}

static int start_threads(struct rig_notifier *nt, struct rig_err *err)
{
    sigset_t all, old;
    int rc = 0;

    /* Signals belong to the main thread (the CLI's SIGINT handling). */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (size_t i = 0; i < nt->nt && rc == 0; i++) {
        int e = pthread_create(&nt->t[i].thread, NULL, sender_main, &nt->t[i]);

        if (e != 0)
            rc = rig_err_errno(err, e, "notify: starting the %s sender thread", nt->t[i].name);
        else
            nt->t[i].started = true;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int rig_notifier_new_opts(const struct rig_notify_config *cfg, size_t n,
                          struct rig_source *src, const struct rig_notifier_opts *opts,
                          struct rig_notifier **out, struct rig_err *err)
{
    struct rig_notifier *nt = NULL;
    pthread_condattr_t ca;
    int rc = -1;

    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if (check_entry(&cfg[i], i, err) < 0)
            return -1;
    nt = xcalloc(1, sizeof(*nt));
    merge_opts(&nt->o, opts);
    nt->src = src;
    pthread_mutex_init(&nt->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&nt->cv, &ca);
    pthread_condattr_destroy(&ca);
    nt->t = xcalloc(n + 1, sizeof(*nt->t));
    nt->announced = xcalloc(ANNOUNCED_MAX, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const struct rig_notify_config *c = &cfg[i];
        struct target *t = &nt->t[nt->nt];

        if (c->type == RIG_NOTIFY_COMMENT && (!src || !src->ops->comment)) {
            log_info("notify[%zu] (comment): the %s source cannot post comments; this notifier "
                     "is skipped", i, src ? src->ops->name : "configured");
            continue;
        }
        t->nt = nt;
        t->type = c->type;
        t->on = c->on ? c->on : RIG_NOTIFY_ON_ALL;
        t->seed = (unsigned)(rig_mono_ms() ^ (int64_t)(i * 2654435761u));
        if (c->type == RIG_NOTIFY_COMMENT) {
            t->name = xasprintf("comment notify[%zu]", i);
            /* A source that keeps its own status comment (GitHub edits one in
             * place) already says "working on it"; a second one would be noise. */
            nt->status_comments = !src->ops->status_comment;
        } else {
            char *origin = notify_url_origin(c->webhook);

            rig_secret_add(c->webhook);
            t->url = c->webhook;
            t->name = xasprintf("%s notify[%zu] (%s)", type_name(c->type), i, origin);
            free(origin);
        }
        nt->nt++;
    }
    if (start_threads(nt, err) < 0)
        goto out;
    *out = nt;
    nt = NULL;
    rc = 0;
out:
    rig_notifier_free(nt);
    return rc;
}

int rig_notifier_new(const struct rig_notify_config *cfg, size_t n, struct rig_source *src,
                     struct rig_notifier **out, struct rig_err *err)
{
    return rig_notifier_new_opts(cfg, n, src, NULL, out, err);
}

int rig_notifier_flush(struct rig_notifier *nt, int64_t timeout_ms, struct rig_err *err)
{
    struct timespec deadline = mono_deadline(timeout_ms);
    size_t left;

    if (!nt)
        return 0;
    pthread_mutex_lock(&nt->mu);
    while ((left = pending_locked(nt)) > 0 && !passed(&deadline))
        pthread_cond_timedwait(&nt->cv, &nt->mu, &deadline);
    pthread_mutex_unlock(&nt->mu);
    if (left)
        return rig_err_set(err, RIG_ETIMEOUT,
                           "notify: %zu message(s) still queued after %lld ms", left,
                           (long long)timeout_ms);
    return 0;
}

void rig_notifier_get_stats(struct rig_notifier *nt, struct rig_notifier_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (!nt)
        return;
    pthread_mutex_lock(&nt->mu);
    out->notifiers = nt->nt;
    out->pending = pending_locked(nt);
    out->sent = nt->sent;
    out->failed = nt->failed;
    out->dropped = nt->dropped;
    pthread_mutex_unlock(&nt->mu);
}

void rig_notifier_free(struct rig_notifier *nt)
{
    struct timespec deadline;

    if (!nt)
        return;
    deadline = mono_deadline(nt->o.drain_ms);
    pthread_mutex_lock(&nt->mu);
    nt->stopping = true;
    pthread_cond_broadcast(&nt->cv);
    while (pending_locked(nt) > 0 && !passed(&deadline))
        pthread_cond_timedwait(&nt->cv, &nt->mu, &deadline);
    if (pending_locked(nt) > 0) {
        nt->cancel = 1;
        pthread_cond_broadcast(&nt->cv);
    }
    pthread_mutex_unlock(&nt->mu);
    for (size_t i = 0; i < nt->nt; i++)
        if (nt->t[i].started)
            pthread_join(nt->t[i].thread, NULL);
    for (size_t i = 0; i < nt->nt; i++) {
        drop_all_locked(&nt->t[i]);
        free(nt->t[i].name);
    }
    for (size_t i = 0; i < nt->nannounced; i++)
        free(nt->announced[i]);
    free(nt->announced);
    free(nt->t);
    pthread_cond_destroy(&nt->cv);
    pthread_mutex_destroy(&nt->mu);
    free(nt);
}
