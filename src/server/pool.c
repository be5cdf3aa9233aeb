#include "server/pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/timeutil.h"
#include "core/banned.h"

struct item {
    struct item *next;
    size_t project; /* index into the wiring's projects */
    char *task_id;
};

struct worker {
    struct rig_pool *pool;
    pthread_t thread;
    bool started;
    char *task_id; /* what it runs now (under pool->mu), NULL when idle */
};

struct rig_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* queue changed, a slot freed, or stopping */
    struct item *head, *tail;
    size_t queued;
    size_t running;
    int *per_project;       /* running tasks per project */
    bool stopping;
    struct rig_pool_opts o;
    struct worker *workers;
};

/* Engine lines, echoed to the process log with the task they belong to. */
static void echo_line(void *ctx, const char *tag, enum rig_log_level level, const char *line)
{
    rig_log(level, "task %s [%s] %s", (const char *)ctx, tag, line);
}

/* A task that cannot start is finished here, the way the engine would. */
static void finish_without_run(struct rig_store *st, const char *id, enum rig_phase phase,
                               enum rig_task_status status, const char *result, const char *why)
{
    struct rig_err err = RIG_ERR_INIT;

    rig_store_log_append(st, id, 0, rig_phase_name(phase), status == RIG_TASK_FAILED ?
                         RIG_LOG_ERROR : RIG_LOG_WARN, why, NULL, NULL);
    if (rig_store_task_set_result(st, id, result, status == RIG_TASK_FAILED ? why : NULL,
                                  &err) < 0 ||
        rig_store_task_update_phase(st, id, phase, status, &err) < 0)
        log_error("task %s: could not record that it %s: %s", id, result, err.msg);
}

static void run_one(struct rig_pool *pool, struct rig_wiring_project *p, const char *id)
{
    struct rig_store *st = pool->o.store;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_task t = {0};
    struct rig_engine eng;

    if (rig_store_task_get(st, id, &t, &err) < 0) {
        log_error("task %s: %s", id, err.msg);
        return;
    }
    /* Someone else may have taken or ended it since it was queued. */
    if (t.status != RIG_TASK_RUNNING || t.phase != RIG_PHASE_QUEUED ||
        (t.owner_pid != 0 && t.owner_pid != getpid())) {
        log_info("task %s: not started, it is %s (%s)", id, rig_task_status_name(t.status),
                 rig_phase_name(t.phase));
        goto out;
    }
    if (t.cancel_requested) {
        finish_without_run(st, id, RIG_PHASE_CANCELLED, RIG_TASK_CANCELLED, "cancelled",
                           "cancelled before it started");
        log_info("task %s: cancelled before it started", id);
        goto out;
    }
    if (rig_wiring_project_ready(pool->o.wiring, p, &err) < 0) {
        finish_without_run(st, id, RIG_PHASE_FAILED, RIG_TASK_FAILED, "failed", err.msg);
        log_error("task %s (project %s): cannot run: %s", id, p->name, err.msg);
        goto out;
    }
    eng = p->eng;
    eng.echo = echo_line;
    eng.echo_ctx = (void *)id;
    /* The project's own subscribers (status comment, notify:) stay unless the
     * server was given a hook of its own. */
    if (pool->o.on_event) {
        eng.on_event = pool->o.on_event;
        eng.event_ctx = pool->o.event_ctx;
    }
    log_info("task %s: started (project %s, issue #%lld: %s)", id, p->name,
             (long long)t.issue_number, t.issue_title);
    rig_engine_run(&eng, id, &err);
    rig_task_release(&t);
    if (rig_store_task_get(st, id, &t, NULL) == 0)
        log_info("task %s: %s%s%s", id, rig_task_status_name(t.status), t.error ? ": " : "",
                 t.error ? t.error : "");
out:
    rig_task_release(&t);
}

/* The first queued item whose project has a free slot (under mu). */
static struct item *take(struct rig_pool *pool)
{
    struct item **pp = &pool->head, *prev = NULL;

    for (struct item *it = pool->head; it; prev = it, pp = &it->next, it = it->next) {
        if (pool->per_project[it->project] >= pool->o.per_project_limit)
            continue;
        *pp = it->next;
        if (pool->tail == it)
            pool->tail = prev;
        pool->queued--;
        return it;
    }
    return NULL;
}

static void *worker_main(void *arg)
{
    struct worker *wk = arg;
    struct rig_pool *pool = wk->pool;

    pthread_mutex_lock(&pool->mu);
    for (;;) {
        struct item *it = NULL;

        while (!pool->stopping && !(it = take(pool)))
            pthread_cond_wait(&pool->cv, &pool->mu);
        if (!it)
            break;
        pool->per_project[it->project]++;
        pool->running++;
        wk->task_id = it->task_id;
        pthread_mutex_unlock(&pool->mu);

        run_one(pool, &pool->o.wiring->projects[it->project], it->task_id);

        pthread_mutex_lock(&pool->mu);
        wk->task_id = NULL;
        pool->per_project[it->project]--;
        pool->running--;
        free(it->task_id);
        free(it);
        pthread_cond_broadcast(&pool->cv);
    }
    pthread_mutex_unlock(&pool->mu);
    return NULL;
}

int rig_pool_start(const struct rig_pool_opts *o, struct rig_pool **out, struct rig_err *err)
{
    struct rig_pool *pool = xcalloc(1, sizeof(*pool));
    pthread_condattr_t ca;

    *out = NULL;
    pool->o = *o;
    if (pool->o.workers < 1)
        pool->o.workers = 1;
    if (pool->o.per_project_limit < 1)
        pool->o.per_project_limit = 1;
    pool->per_project = xcalloc(o->wiring->nprojects + 1, sizeof(*pool->per_project));
    pthread_mutex_init(&pool->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&pool->cv, &ca);
    pthread_condattr_destroy(&ca);
    pool->workers = xcalloc((size_t)pool->o.workers, sizeof(*pool->workers));
    for (int i = 0; i < pool->o.workers; i++) {
        struct worker *wk = &pool->workers[i];
        int e;

        wk->pool = pool;
        e = pthread_create(&wk->thread, NULL, worker_main, wk);
        if (e != 0) {
            rig_err_errno(err, e, "starting worker thread %d of %d", i + 1, pool->o.workers);
            rig_pool_drain(pool, 0, 0);
            rig_pool_free(pool);
            return -1;
        }
        wk->started = true;
    }
    *out = pool;
    return 0;
}

void rig_pool_push(struct rig_pool *pool, struct rig_wiring_project *p, const char *task_id)
{
    struct item *it = xcalloc(1, sizeof(*it));

    it->project = (size_t)(p - pool->o.wiring->projects);
    it->task_id = xstrdup(task_id);
    pthread_mutex_lock(&pool->mu);
    if (pool->tail)
        pool->tail->next = it;
    else
        pool->head = it;
    pool->tail = it;
    pool->queued++;
    pthread_cond_broadcast(&pool->cv);
    pthread_mutex_unlock(&pool->mu);
}

void rig_pool_counts(struct rig_pool *pool, size_t *queued, size_t *running)
{
    pthread_mutex_lock(&pool->mu);
    *queued = pool->queued;
    *running = pool->running;
    pthread_mutex_unlock(&pool->mu);
}

/* Wait (under mu) until nothing runs or the monotonic deadline passes. */
static void wait_idle(struct rig_pool *pool, int64_t deadline_ms)
{
    while (pool->running > 0) {
        int64_t now = rig_mono_ms();
        struct timespec ts;

        if (now >= deadline_ms)
            break;
        ts.tv_sec = deadline_ms / 1000;
        ts.tv_nsec = (deadline_ms % 1000) * 1000000L;
        if (pthread_cond_timedwait(&pool->cv, &pool->mu, &ts) == ETIMEDOUT)
            continue;
    }
}

size_t rig_pool_drain(struct rig_pool *pool, int64_t grace_ms, int64_t cancel_wait_ms)
{
    size_t left;

    pthread_mutex_lock(&pool->mu);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->cv);
    if (pool->queued)
        log_info("%zu queued task(s) stay queued for the next start", pool->queued);
    if (pool->running)
        log_info("waiting up to %lld ms for %zu running task(s)", (long long)grace_ms,
                 pool->running);
    wait_idle(pool, rig_mono_ms() + grace_ms);
    if (pool->running) {
        for (int i = 0; i < pool->o.workers; i++) {
            struct rig_err err = RIG_ERR_INIT;
            const char *id = pool->workers[i].task_id;

            if (!id)
                continue;
            log_warn("task %s: still running after the grace period; cancelling it", id);
            if (rig_engine_cancel(pool->o.store, id, &err) < 0)
                log_warn("task %s: %s", id, err.msg);
        }
        wait_idle(pool, rig_mono_ms() + cancel_wait_ms);
    }
    left = pool->running;
    pthread_mutex_unlock(&pool->mu);
    if (left)
        return left;
    for (int i = 0; i < pool->o.workers; i++) {
        if (pool->workers[i].started)
            pthread_join(pool->workers[i].thread, NULL);
        pool->workers[i].started = false;
    }
    return 0;
}

void rig_pool_free(struct rig_pool *pool)
{
    if (!pool)
        return;
    while (pool->head) {
        struct item *it = pool->head;
        pool->head = it->next;
        free(it->task_id);
        free(it);
    }
    pthread_mutex_destroy(&pool->mu);
    pthread_cond_destroy(&pool->cv);
    free(pool->per_project);
    free(pool->workers);
    free(pool);
}
