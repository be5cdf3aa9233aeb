/* Decisions on proposals: approve, reject, expire. */
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/timeutil.h"
#include "engine/run_int.h"
#include "core/banned.h"

static int pending_for(struct rig_engine *eng, const char *task_id, struct rig_task *t,
                       struct rig_proposal *p, struct rig_err *err)
{
    if (rig_store_task_get(eng->store, task_id, t, err) < 0)
        return -1;
    if (t->status != RIG_TASK_AWAITING_APPROVAL)
        return rig_err_set(err, RIG_ECONFLICT, "task %s is %s, not waiting for approval", task_id,
                           rig_task_status_name(t->status));
    if (rig_store_proposal_get_pending(eng->store, task_id, p, err) < 0) {
        if (err->code == RIG_ENOTFOUND)
            return rig_err_set(err, RIG_ECONFLICT,
                               "task %s has no pending proposal (it was decided or has expired)",
                               task_id);
        return -1;
    }
    return 0;
}

int rig_engine_approve(struct rig_engine *eng, const char *task_id, const char *who,
                       struct rig_err *err)
{
    struct rig_task t = {0};
    struct rig_proposal p = {0};
    struct run_start how = {0};
    int rc = -1;

    if (pending_for(eng, task_id, &t, &p, err) < 0)
        goto out;
    if (rig_store_proposal_decide(eng->store, p.id, RIG_PROPOSAL_APPROVED, who, NULL, err) < 0)
        goto out;
    rig_store_log_append(eng->store, task_id, 0, "approval", RIG_LOG_INFO,
                         "proposal approved; applying it and deploying", NULL, NULL);
    how.approved = &p;
    rc = run_task(eng, task_id, &how, err);
out:
    rig_proposal_release(&p);
    rig_task_release(&t);
    return rc;
}

/* Fail a waiting task after a rejection or an expiry (rollback first when
 * configured). 0 once the task is failed as asked. */
static int fail_waiting(struct rig_engine *eng, const char *task_id, const char *reason,
                        struct rig_err *err)
{
    struct run_start how = {.rejected = reason};
    struct rig_task t = {0};
    struct rig_err rerr = RIG_ERR_INIT;
    int rc;

    run_task(eng, task_id, &how, &rerr);
    rc = rig_store_task_get(eng->store, task_id, &t, err);
    if (rc == 0 && t.status != RIG_TASK_FAILED) {
        *err = rerr;
        rc = -1;
    }
    rig_task_release(&t);
    return rc;
}

int rig_engine_reject(struct rig_engine *eng, const char *task_id, const char *who,
                      const char *reason, struct rig_err *err)
{
    struct rig_task t = {0};
    struct rig_proposal p = {0};
    int rc = -1;

    if (pending_for(eng, task_id, &t, &p, err) < 0)
        goto out;
    if (rig_store_proposal_decide(eng->store, p.id, RIG_PROPOSAL_REJECTED, who, reason, err) < 0)
        goto out;
    rc = fail_waiting(eng, task_id, reason ? reason : "", err);
out:
    rig_proposal_release(&p);
    rig_task_release(&t);
    return rc;
}

int rig_engine_expire(struct rig_engine *eng, size_t *n, struct rig_err *err)
{
    struct rig_task_filter f = {.status_mask = RIG_TASK_STATUS_BIT(RIG_TASK_AWAITING_APPROVAL)};
    struct rig_task_list l = {0};
    size_t count = 0;

    if (rig_store_proposal_expire(eng->store, rig_now_ms(), NULL, err) < 0 ||
        rig_store_task_list(eng->store, &f, &l, err) < 0)
        return -1;
    for (size_t i = 0; i < l.len; i++) {
        struct rig_proposal p = {0};
        struct rig_err e = RIG_ERR_INIT;

        if (rig_store_proposal_get_pending(eng->store, l.items[i].id, &p, &e) == 0) {
            rig_proposal_release(&p);
            continue;
        }
        if (e.code != RIG_ENOTFOUND)
            continue;
        if (fail_waiting(eng, l.items[i].id,
                         "approval expired (deploy.approval.timeout) with no decision", &e) == 0)
            count++;
        else
            log_warn("expiring task %s: %s", l.items[i].id, e.msg);
    }
    rig_task_list_release(&l);
    if (n)
        *n = count;
    return 0;
}
