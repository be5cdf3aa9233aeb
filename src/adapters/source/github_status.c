#include "adapters/source/github_status.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "engine/phase.h"

#include "core/banned.h"

#define STATUS_DRAIN_MS 30000
#define REASON_MAX 1500

/* ---------------------------------------------------------------- render -- */

struct item {
    enum rig_phase phase;
    const char *label;
    bool optional; /* shown only when the task went through it */
};

/* The checklist, in pipeline order. Analyzing is not an item: it is the
 * "self-heal" between attempts and shows in the headline. */
static const struct item items[] = {
    {RIG_PHASE_PLANNING, "Plan", false},
    {RIG_PHASE_CODING, "Code", false},
    {RIG_PHASE_COMMITTING, "Commit and push", false},
    {RIG_PHASE_AWAITING_APPROVAL, "Approval", true},
    {RIG_PHASE_DEPLOYING, "Deploy", false},
    {RIG_PHASE_TESTING, "Test", false},
    {RIG_PHASE_ROLLING_BACK, "Roll back", true},
    {RIG_PHASE_REPORTING, "Pull request", false},
};
#define NITEMS (sizeof(items) / sizeof(items[0]))

#define BIT(p) (1u << (unsigned)(p))

static int item_index(enum rig_phase p)
{
    for (size_t i = 0; i < NITEMS; i++)
        if (items[i].phase == p)
            return (int)i;
    return -1;
}

static const char *phase_label(enum rig_phase p)
{
    int i = item_index(p);

    return i >= 0 ? items[i].label : rig_phase_name(p);
}

static void headline(struct rig_buf *b, const struct rig_github_status_view *v)
{
    switch (v->phase) {
    case RIG_PHASE_COMPLETED:
        if (v->pr_url && v->pr_number > 0)
            rig_buf_addf(b, "### ✔ Rig is done: pull request [#%lld](%s)\n\n", v->pr_number,
                         v->pr_url);
        else
            rig_buf_adds(b, "### ✔ Rig is done\n\n");
        break;
    case RIG_PHASE_FAILED:
        rig_buf_adds(b, "### ✘ Rig could not finish this issue\n\n");
        break;
    case RIG_PHASE_CANCELLED:
        rig_buf_adds(b, "### Rig stopped: the task was cancelled\n\n");
        break;
    case RIG_PHASE_AWAITING_APPROVAL:
        rig_buf_addf(b, "### ● Rig is waiting for approval (`rig approve %s` or `rig reject %s`)"
                        "\n\n", v->task_id, v->task_id);
        break;
    case RIG_PHASE_ANALYZING:
        rig_buf_addf(b, "### ● Rig is working on this issue: analysing why attempt %d failed\n\n",
                     v->attempt);
        break;
    default:
        rig_buf_addf(b, "### ● Rig is working on this issue: %s\n\n", phase_label(v->phase));
        break;
    }
}

static const char *mark(const struct rig_github_status_view *v, const struct item *it)
{
    bool terminal = rig_phase_is_terminal(v->phase);

    if (v->failed & BIT(it->phase))
        return "✘";
    if (!terminal && v->phase == it->phase)
        return "●";
    if (v->reached & BIT(it->phase))
        return "✔";
    return terminal ? "–" : "○";
}

/* Untrusted text (test output, errors) in a fence longer than any backtick
 * run inside, so it can neither end the block nor render mentions or links. */
static void fenced(struct rig_buf *b, const char *text)
{
    size_t run = 0, longest = 0;
    char *t = NULL;
    size_t n = strlen(text);

    for (const char *p = text; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    if (n > REASON_MAX) {
        while (n > 0 && (n > REASON_MAX || ((unsigned char)text[n] & 0xC0) == 0x80))
            n--;
        t = xasprintf("%.*s …", (int)n, text);
        text = t;
    }
    longest = longest < 3 ? 3 : longest + 1;
    for (size_t i = 0; i < longest; i++)
        rig_buf_addch(b, '`');
    rig_buf_addf(b, "\n%s\n", text);
    for (size_t i = 0; i < longest; i++)
        rig_buf_addch(b, '`');
    rig_buf_adds(b, "\n\n");
    free(t);
}

char *rig_github_status_render(const struct rig_github_status_view *v)
{
    struct rig_buf b = RIG_BUF_INIT;
    char when[40];

    headline(&b, v);
    for (size_t i = 0; i < NITEMS; i++) {
        const struct item *it = &items[i];

        if (it->optional && !((v->reached | v->failed) & BIT(it->phase)) &&
            v->phase != it->phase)
            continue;
        rig_buf_addf(&b, "- %s %s\n", mark(v, it), it->label);
    }
    rig_buf_addf(&b, "\nAttempt %d of %d", v->attempt > 0 ? v->attempt : 1,
                 v->max_attempts > 0 ? v->max_attempts : 1);
    if (v->pr_url && v->phase != RIG_PHASE_COMPLETED)
        rig_buf_addf(&b, " · pull request: %s", v->pr_url);
    rig_buf_adds(&b, "\n\n");
    if (v->reason && *v->reason) {
        /* The task's error, posted on the issue: notifications redact it too. */
        char *reason = rig_redact(v->reason);

        rig_buf_adds(&b, "**Why:**\n\n");
        fenced(&b, reason);
        free(reason);
    }
    rig_time_format(v->updated_ms, 0, when, sizeof(when));
    rig_buf_addf(&b, "<sub>Task `%s` · updated %s · Rig edits this comment as the task "
                     "runs; details: `rig logs %s`</sub>\n",
                 v->task_id, when, v->task_id);
    return rig_buf_take(&b);
}

/* ----------------------------------------------------------------- queue -- */

enum job_kind { JOB_COMMENT, JOB_LABEL };

struct job {
    struct job *next;
    enum job_kind kind;
    long long issue;
    char *markdown;
    enum rig_issue_label label;
};

/* What the updater knows of one running task. */
struct track {
    char *task_id;
    enum rig_phase phase;
    unsigned reached;
    unsigned failed;
    char *pr_url;
    long long pr_number;
    bool labeled;
};

struct rig_github_status {
    struct rig_source *src;
    pthread_mutex_t mu;
    pthread_cond_t work;  /* a job was queued, or stop */
    pthread_cond_t idle;  /* the queue ran empty */
    struct job *head, *tail;
    bool busy;
    bool stop;
    pthread_t thread;
    bool started;
    struct track *tracks;
    size_t ntracks;
    struct rig_github_status_stats stats;
};

static void job_free(struct job *j)
{
    if (!j)
        return;
    free(j->markdown);
    free(j);
}

/* Caller holds mu. A queued comment for the same issue is replaced: only
 * the newest state matters. */
static void enqueue_comment(struct rig_github_status *s, long long issue, char *markdown)
{
    struct job *j;

    for (j = s->head; j; j = j->next) {
        if (j->kind == JOB_COMMENT && j->issue == issue) {
            free(j->markdown);
            j->markdown = markdown;
            return;
        }
    }
    j = xcalloc(1, sizeof(*j));
    j->kind = JOB_COMMENT;
    j->issue = issue;
    j->markdown = markdown;
    if (s->tail)
        s->tail->next = j;
    else
        s->head = j;
    s->tail = j;
    s->stats.pending++;
    pthread_cond_signal(&s->work);
}

static void enqueue_label(struct rig_github_status *s, long long issue, enum rig_issue_label l)
{
    struct job *j = xcalloc(1, sizeof(*j));

    j->kind = JOB_LABEL;
    j->issue = issue;
    j->label = l;
    if (s->tail)
        s->tail->next = j;
    else
        s->head = j;
    s->tail = j;
    s->stats.pending++;
    pthread_cond_signal(&s->work);
}

static void run_job(struct rig_github_status *s, const struct job *j)
{
    struct rig_err err = RIG_ERR_INIT;
    int rc;

    if (j->kind == JOB_COMMENT)
        rc = s->src->ops->status_comment(s->src, j->issue, j->markdown, &err);
    else
        rc = s->src->ops->set_label(s->src, j->issue, j->label, &err);
    pthread_mutex_lock(&s->mu);
    if (rc < 0)
        s->stats.failed++;
    else if (j->kind == JOB_COMMENT)
        s->stats.comments_sent++;
    else
        s->stats.labels_sent++;
    pthread_mutex_unlock(&s->mu);
    if (rc < 0)
        log_warn("issue #%lld: could not update the %s: %s", j->issue,
                 j->kind == JOB_COMMENT ? "status comment" : "labels", err.msg);
}

static void *worker(void *arg)
{
    struct rig_github_status *s = arg;

    pthread_mutex_lock(&s->mu);
    for (;;) {
        struct job *j;

        while (!s->head && !s->stop)
            pthread_cond_wait(&s->work, &s->mu);
        if (!s->head)
            break;
        j = s->head;
        s->head = j->next;
        if (!s->head)
            s->tail = NULL;
        s->busy = true;
        pthread_mutex_unlock(&s->mu);
        run_job(s, j);
        job_free(j);
        pthread_mutex_lock(&s->mu);
        s->busy = false;
        s->stats.pending--;
        if (!s->head)
            pthread_cond_broadcast(&s->idle);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* ---------------------------------------------------------------- events -- */

/* A task first seen in phase p: a resumed or approved task continues in a new
 * process, so the steps before p (in pipeline order) are taken as done. */
static struct track *track_get(struct rig_github_status *s, const char *task_id,
                               enum rig_phase p)
{
    int upto = p == RIG_PHASE_ANALYZING ? item_index(RIG_PHASE_TESTING) + 1 : item_index(p);
    struct track *t;

    for (size_t i = 0; i < s->ntracks; i++)
        if (strcmp(s->tracks[i].task_id, task_id) == 0)
            return &s->tracks[i];
    s->tracks = xreallocarray(s->tracks, s->ntracks + 1, sizeof(*s->tracks));
    t = &s->tracks[s->ntracks++];
    memset(t, 0, sizeof(*t));
    t->task_id = xstrdup(task_id);
    t->phase = RIG_PHASE_QUEUED;
    for (int i = 0; i < upto; i++)
        if (!items[i].optional)
            t->reached |= BIT(items[i].phase);
    return t;
}

static void track_drop(struct rig_github_status *s, struct track *t)
{
    size_t i = (size_t)(t - s->tracks);

    free(t->task_id);
    free(t->pr_url);
    s->tracks[i] = s->tracks[--s->ntracks];
}

/* Entering p: a phase earlier in the list than one already reached starts
 * a new attempt (self-heal), which clears what came after it. */
static void enter(struct track *t, enum rig_phase p)
{
    int idx = item_index(p);

    if (p == RIG_PHASE_ANALYZING) {
        /* the last step reached is what failed */
        for (int i = (int)NITEMS - 1; i >= 0; i--) {
            if (t->reached & BIT(items[i].phase)) {
                t->failed |= BIT(items[i].phase);
                break;
            }
        }
    } else if (idx >= 0) {
        for (size_t i = (size_t)idx + 1; i < NITEMS; i++)
            t->reached &= ~BIT(items[i].phase);
        t->failed = 0;
        t->reached |= BIT(p);
    }
    t->phase = p;
}

/* The task failed while in t->phase (a rollback is not the failure itself). */
static void mark_failed(struct track *t)
{
    enum rig_phase p = t->phase;

    if (p == RIG_PHASE_ROLLING_BACK || p == RIG_PHASE_ANALYZING) {
        for (int i = item_index(RIG_PHASE_ROLLING_BACK) - 1; i >= 0; i--) {
            if (t->reached & BIT(items[i].phase)) {
                t->failed |= BIT(items[i].phase);
                return;
            }
        }
        return;
    }
    if (item_index(p) >= 0)
        t->failed |= BIT(p);
}

static char *render_track(const struct track *t, const struct rig_task *task, const char *reason)
{
    struct rig_github_status_view v;

    memset(&v, 0, sizeof(v));
    v.task_id = task->id;
    v.phase = t->phase;
    v.reached = t->reached;
    v.failed = t->failed;
    v.attempt = task->attempt > 0 ? task->attempt : 1;
    v.max_attempts = task->max_retry + 1;
    v.pr_url = t->pr_url;
    v.pr_number = t->pr_number;
    v.reason = reason;
    v.updated_ms = rig_now_ms();
    return rig_github_status_render(&v);
}

void rig_github_status_on_event(void *ctx, const struct rig_task *task, enum rig_event ev,
                                const char *detail)
{
    struct rig_github_status *s = ctx;
    struct track *t;
    const char *reason = NULL;
    bool render = true, done = false;
    enum rig_issue_label end = RIG_LABEL_NONE;

    if (!task || !task->id || task->dry_run || task->issue_number <= 0 || !task->issue_url ||
        !*task->issue_url)
        return;
    pthread_mutex_lock(&s->mu);
    t = track_get(s, task->id, task->phase);
    switch (ev) {
    case RIG_EVENT_PHASE:
        /* the COMPLETED/FAILED/CANCELLED event that follows renders the end */
        if (rig_phase_is_terminal(task->phase)) {
            render = false;
            break;
        }
        enter(t, task->phase);
        if (!t->labeled) {
            enqueue_label(s, task->issue_number, RIG_LABEL_RUNNING);
            t->labeled = true;
        }
        break;
    case RIG_EVENT_PR_CREATED:
        free(t->pr_url);
        t->pr_url = xstrdup(task->pr_url && *task->pr_url ? task->pr_url : detail);
        t->pr_number = task->pr_number;
        break;
    case RIG_EVENT_COMPLETED:
        t->reached |= BIT(t->phase);
        t->phase = RIG_PHASE_COMPLETED;
        end = RIG_LABEL_DONE;
        done = true;
        break;
    case RIG_EVENT_FAILED:
        mark_failed(t);
        t->phase = RIG_PHASE_FAILED;
        reason = task->error && *task->error ? task->error : detail;
        end = RIG_LABEL_FAILED;
        done = true;
        break;
    case RIG_EVENT_CANCELLED:
        t->reached &= ~BIT(t->phase); /* stopped before that step finished */
        t->phase = RIG_PHASE_CANCELLED;
        done = true;
        break;
    default:
        render = false;
        break;
    }
    if (render)
        enqueue_comment(s, task->issue_number, render_track(t, task, reason));
    if (done) {
        enqueue_label(s, task->issue_number, end);
        track_drop(s, t);
    }
    pthread_mutex_unlock(&s->mu);
}

/* --------------------------------------------------------------- lifecycle -- */

int rig_github_status_new(struct rig_source *src, struct rig_github_status **out,
                          struct rig_err *err)
{
    struct rig_github_status *s;
    int e;

    *out = NULL;
    if (!src || !src->ops->status_comment || !src->ops->set_label)
        return rig_err_set(err, RIG_EINVAL, "status comments and labels need a source that "
                                            "has them (source.platform: github)");
    s = xcalloc(1, sizeof(*s));
    s->src = src;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->work, NULL);
    pthread_cond_init(&s->idle, NULL);
    e = pthread_create(&s->thread, NULL, worker, s);
    if (e != 0) {
        rig_github_status_free(s);
        return rig_err_errno(err, e, "start the status comment thread");
    }
    s->started = true;
    *out = s;
    return 0;
}

int rig_github_status_flush(struct rig_github_status *s, int64_t timeout_ms, struct rig_err *err)
{
    struct timespec deadline;
    int rc = 0;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += (time_t)(timeout_ms / 1000);
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->mu);
    while ((s->head || s->busy) && rc == 0) {
        if (pthread_cond_timedwait(&s->idle, &s->mu, &deadline) == ETIMEDOUT &&
            (s->head || s->busy))
            rc = rig_err_set(err, RIG_ETIMEOUT,
                             "GitHub status updates still pending after %lld ms",
                             (long long)timeout_ms);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void rig_github_status_get_stats(struct rig_github_status *s, struct rig_github_status_stats *o)
{
    pthread_mutex_lock(&s->mu);
    *o = s->stats;
    pthread_mutex_unlock(&s->mu);
}

void rig_github_status_free(struct rig_github_status *s)
{
    struct rig_err err = RIG_ERR_INIT;
    size_t dropped = 0;

    if (!s)
        return;
    if (s->started && rig_github_status_flush(s, STATUS_DRAIN_MS, &err) < 0)
        log_warn("%s; dropping them", err.msg);
    pthread_mutex_lock(&s->mu);
    while (s->head) {
        struct job *j = s->head;

        s->head = j->next;
        job_free(j);
        dropped++;
    }
    s->tail = NULL;
    s->stop = true;
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->mu);
    if (dropped)
        log_warn("%zu GitHub status update(s) were not sent", dropped);
    if (s->started)
        pthread_join(s->thread, NULL);
    for (size_t i = 0; i < s->ntracks; i++) {
        free(s->tracks[i].task_id);
        free(s->tracks[i].pr_url);
    }
    free(s->tracks);
    pthread_cond_destroy(&s->work);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
