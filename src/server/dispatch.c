/*
 * What a verified delivery does to the store and the queue, and what is
 * picked up again at start. Everything that touches deliveries and task
 * creation runs under intake_mu, so "is there a task for this issue?" and
 * "create one" cannot interleave between two deliveries.
 */
#include "server/server_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "server/intake.h"
#include "core/banned.h"

#define DELIVERY_ID_MAX 128
#define EVENT_MAX 64

static void reply_json(struct srv_reply *r, unsigned status, json_t *v)
{
    r->status = status;
    free(r->body);
    r->body = json_dumps(v, JSON_COMPACT);
    json_decref(v);
}

void srv_reply_error(struct srv_reply *r, unsigned status, const char *fmt, ...)
{
    char msg[RIG_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    reply_json(r, status, json_pack("{s:s}", "error", msg));
}

/* GitHub's are GUIDs; anything printable and short is accepted, nothing
 * that could upset a log line. */
static bool valid_token(const char *s, size_t max, bool lower_only)
{
    size_t n = 0;

    if (!s || !*s)
        return false;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                  (!lower_only && ((c >= 'A' && c <= 'Z') || c == '.' || c == ':'));
        if (!ok || n >= max)
            return false;
    }
    return true;
}

/* The delivery being decided: its row is written once, with the outcome. */
struct pending {
    const char *id;
    const char *key;
    bool known; /* a row exists already (an earlier attempt that failed) */
};

static void save_delivery(struct rig_server *s, const struct pending *pd, const char *status,
                          const char *task)
{
    struct rig_delivery d = {.delivery_id = (char *)pd->id, .event = (char *)pd->key,
                             .status = (char *)status, .task_id = (char *)task};
    struct rig_err err = RIG_ERR_INIT;
    bool dup = false;
    int rc;

    if (pd->known)
        rc = rig_store_delivery_update(s->st, pd->id, status, task, &err);
    else if ((rc = rig_store_delivery_record(s->st, &d, &dup, &err)) == 0 && dup)
        rc = rig_store_delivery_update(s->st, pd->id, status, task, &err);
    if (rc < 0)
        log_warn("delivery %s: could not record it (%s): %s", pd->id, status, err.msg);
}

/* A task of p for this issue that is queued, running or awaiting approval. */
static int find_active(struct rig_server *s, const struct rig_wiring_project *p,
                       const char *issue_id, struct rig_task_list *l, struct rig_err *err)
{
    struct rig_task_filter f = {
        .project = p->name,
        .issue_id = issue_id,
        .status_mask = RIG_TASK_STATUS_BIT(RIG_TASK_RUNNING) |
                       RIG_TASK_STATUS_BIT(RIG_TASK_AWAITING_APPROVAL),
        .limit = 1,
    };

    return rig_store_task_list(s->st, &f, l, err);
}

static void ignored(struct rig_server *s, const struct pending *pd, const char *reason,
                    struct srv_reply *r)
{
    char *status = xasprintf("ignored: %s", reason);

    save_delivery(s, pd, status, NULL);
    free(status);
    reply_json(r, 202, json_pack("{s:s, s:s}", "status", "ignored", "reason", reason));
}

/*
 * Order matters for a crash at any point: the task is created before the
 * delivery is written, so a delivery that is on record always has its
 * outcome, and a redelivery of one that is not finds the task through
 * coalescing instead of starting a second one.
 */
static void trigger_locked(struct rig_server *s, const struct pending *pd,
                           struct rig_intake *in, struct srv_reply *r)
{
    struct rig_wiring_project *p = rig_wiring_find_project(s->w, in->repo);
    struct rig_task_list active = {0};
    struct rig_submit sub = {.issue = &in->issue};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_engine eng;
    char *id = NULL, *reason = NULL;

    if (!p) {
        reason = xasprintf("repository %s is not served here (add it to projects: in rig.yaml)",
                           in->repo);
        ignored(s, pd, reason, r);
        goto out;
    }
    if (find_active(s, p, in->issue.id, &active, &err) < 0) {
        srv_reply_error(r, 500, "could not look up tasks: %s", err.msg);
        goto out;
    }
    if (active.len) {
        const struct rig_task *t = &active.items[0];
        reason = xasprintf("issue #%lld already has task %s (%s)", in->issue.number, t->id,
                           rig_phase_name(t->phase));
        save_delivery(s, pd, "coalesced", t->id);
        reply_json(r, 202, json_pack("{s:s, s:s, s:s, s:I, s:s}", "status", "coalesced", "task",
                                     t->id, "project", p->name, "issue",
                                     (json_int_t)in->issue.number, "reason", reason));
        goto out;
    }
    eng = p->eng;
    if (rig_engine_submit(&eng, &sub, &id, &err) < 0) {
        reason = xasprintf("failed: %s", err.msg);
        save_delivery(s, pd, reason, NULL);
        srv_reply_error(r, 500, "could not create the task: %s", err.msg);
        goto out;
    }
    rig_pool_push(s->pool, p, id);
    save_delivery(s, pd, "queued", id);
    reply_json(r, 202, json_pack("{s:s, s:s, s:s, s:I}", "status", "queued", "task", id,
                                 "project", p->name, "issue", (json_int_t)in->issue.number));
out:
    rig_task_list_release(&active);
    free(id);
    free(reason);
}

/* 1 when the delivery was answered already (a duplicate, or the store
 * failed), 0 to decide it. One that failed earlier ("failed: ...") is decided
 * again: that is what a person redelivering it wants. */
static int lookup(struct rig_server *s, struct pending *pd, struct srv_reply *r)
{
    struct rig_delivery d = {0};
    struct rig_err err = RIG_ERR_INIT;
    int rc = 0;

    if (rig_store_delivery_get(s->st, pd->id, &d, &err) < 0) {
        if (err.code == RIG_ENOTFOUND)
            return 0;
        srv_reply_error(r, 500, "could not read delivery %s: %s", pd->id, err.msg);
        return 1;
    }
    if (d.status && !rig_str_startswith(d.status, "failed")) {
        reply_json(r, 200, json_pack("{s:b, s:s, s:s, s:s?}", "duplicate", 1, "delivery",
                                     pd->id, "status", d.status, "task", d.task_id));
        rc = 1;
    } else {
        log_info("delivery %s: an earlier attempt %s; deciding it again", pd->id,
                 d.status ? d.status : "left no outcome");
        pd->known = true;
    }
    rig_delivery_release(&d);
    return rc;
}

static void decide_locked(struct rig_server *s, const char *delivery, struct rig_intake *in,
                          struct srv_reply *r)
{
    struct pending pd = {.id = delivery, .key = in->key};

    if (lookup(s, &pd, r))
        return;
    switch (in->kind) {
    case RIG_INTAKE_PING:
        save_delivery(s, &pd, "ping", NULL);
        reply_json(r, 200, json_pack("{s:b, s:s}", "ok", 1, "zen", in->zen));
        break;
    case RIG_INTAKE_IGNORED:
        ignored(s, &pd, in->reason, r);
        break;
    case RIG_INTAKE_TRIGGER:
        trigger_locked(s, &pd, in, r);
        break;
    }
}

void srv_handle_delivery(struct rig_server *s, const char *event, const char *delivery,
                         const char *body, size_t len, struct srv_reply *r)
{
    struct rig_intake in;
    struct rig_err err = RIG_ERR_INIT;
    char buf[RIG_ERR_MSG_MAX + 64];

    if (!valid_token(event, EVENT_MAX, true)) {
        srv_reply_error(r, 400, "missing or malformed X-GitHub-Event header");
        return;
    }
    if (!valid_token(delivery, DELIVERY_ID_MAX, false)) {
        srv_reply_error(r, 400, "missing or malformed X-GitHub-Delivery header (letters, digits "
                        "and -_.: only, at most %d)", DELIVERY_ID_MAX);
        return;
    }
    if (rig_intake_parse(event, body, len, &s->cfg->workflow, s->self_login, &in, &err) < 0) {
        srv_reply_error(r, 400, "%s", rig_err_format(&err, buf, sizeof(buf)));
        log_warn("delivery %s (%s): %s", delivery, event, r->body);
        return;
    }
    pthread_mutex_lock(&s->intake_mu);
    decide_locked(s, delivery, &in, r);
    pthread_mutex_unlock(&s->intake_mu);
    if (in.issue.number)
        snprintf(buf, sizeof(buf), " %s#%lld", in.repo, in.issue.number);
    else
        snprintf(buf, sizeof(buf), "%s%s", in.repo ? " " : "", in.repo ? in.repo : "");
    log_info("delivery %s %s%s: %u %s", delivery, in.key, buf, r->status,
             r->body ? r->body : "");
    rig_intake_release(&in);
}

/* ----------------------------------------------------------- at start -- */

static int list_interrupted(struct rig_server *s, struct rig_err *err)
{
    struct rig_task_list l = {0};
    size_t n = 0;

    if (rig_store_task_find_interrupted(s->st, NULL, NULL, &l, err) < 0)
        return -1;
    for (size_t i = 0; i < l.len; i++)
        log_warn("task %s (project %s, issue #%lld) was left running by process %ld, which "
                 "stopped: marking it interrupted (resume: rig exec --resume %s)",
                 l.items[i].id, l.items[i].project, (long long)l.items[i].issue_number,
                 (long)l.items[i].owner_pid, l.items[i].id);
    rig_task_list_release(&l);
    if (rig_engine_recover(s->st, &n, err) < 0)
        return -1;
    if (n)
        log_warn("%zu task(s) marked interrupted", n);
    return 0;
}

static int requeue(struct rig_server *s, struct rig_err *err)
{
    struct rig_task_filter f = {.status_mask = RIG_TASK_STATUS_BIT(RIG_TASK_RUNNING)};
    struct rig_task_list l = {0};
    size_t n = 0;

    if (rig_store_task_list(s->st, &f, &l, err) < 0)
        return -1;
    /* The list is newest first; the queue is oldest first. */
    for (size_t i = l.len; i-- > 0;) {
        const struct rig_task *t = &l.items[i];
        struct rig_wiring_project *p;

        if (t->phase != RIG_PHASE_QUEUED || t->owner_pid != 0)
            continue;
        p = rig_wiring_find_project(s->w, t->project);
        if (!p || strcmp(p->name, t->project) != 0) {
            log_warn("task %s stays queued: its project %s is not in %s", t->id, t->project,
                     s->cfg->path);
            continue;
        }
        log_info("task %s (project %s, issue #%lld) was queued by an earlier run: queued again",
                 t->id, t->project, (long long)t->issue_number);
        rig_pool_push(s->pool, p, t->id);
        n++;
    }
    rig_task_list_release(&l);
    if (n)
        log_info("%zu queued task(s) picked up", n);
    return 0;
}

int srv_recover(struct rig_server *s, struct rig_err *err)
{
    if (list_interrupted(s, err) < 0)
        return rig_err_prefix(err, "recovering interrupted tasks");
    if (requeue(s, err) < 0)
        return rig_err_prefix(err, "queueing tasks left queued");
    return 0;
}
