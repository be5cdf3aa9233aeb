/*
 * SQLite backend: single-purpose task updates (setters, usage, cancel).
 *
 * Each update is one UPDATE statement with ?1 = task id, ?2 = now, and the
 * values in ?3..?8 (see struct upd), run in its own write transaction.
 */
#include "store/store_sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/banned.h"

struct upd {
    const char *s3, *s4, *s5;
    int64_t i6, i7;
    double d8;
    /* Non-NULL: the UPDATE has a condition on the status; when it matches no
     * row the task is reported as being in the wrong state with this text. */
    const char *conflict;
};

static int task_update(struct rig_store *st, const char *sql, const char *id,
                       const struct upd *u, const char *what, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_write_open(s, sql, err);
    char *status = NULL;
    int np;
    int rc;

    if (!q)
        return -1;
    /* ?N parameters: the slot count is the highest N used, so binding up to
     * it is always in range even when some numbers are skipped. */
    np = sqlite3_bind_parameter_count(q);
    sq_bind_text(q, 1, id);
    sqlite3_bind_int64(q, 2, rig_now_ms());
    if (np >= 3)
        sq_bind_text(q, 3, u->s3);
    if (np >= 4)
        sq_bind_text(q, 4, u->s4);
    if (np >= 5)
        sq_bind_text(q, 5, u->s5);
    if (np >= 6)
        sqlite3_bind_int64(q, 6, u->i6);
    if (np >= 7)
        sqlite3_bind_int64(q, 7, u->i7);
    if (np >= 8)
        sqlite3_bind_double(q, 8, u->d8);
    rc = sq_step_done(s, q, err, what);
    sq_done(q);
    if (rc == 0 && sqlite3_changes(s->db) == 0) {
        if (sq_task_status(s, id, &status, err) == 0)
            /* A conflict text reads on its own ("rig cancel: task ... is failed;
             * it has already ended"); other updates name what was refused. */
            rig_err_set(err, RIG_ECONFLICT, "%s%stask '%s' is %s; %s", u->conflict ? "" : what,
                        u->conflict ? "" : ": ", id, status,
                        u->conflict ? u->conflict : "left unchanged");
        rc = -1;
    }
    free(status);
    return sq_write_close(s, q, rc, err);
}

static const char SQL_SET_RESULT[] =
    "UPDATE tasks SET result = ?3, error = ?4, updated_at = ?2 WHERE id = ?1";
static const char SQL_SET_PR[] =
    "UPDATE tasks SET pr_url = ?3, pr_title = ?4, pr_body = ?5, pr_number = ?6, "
    "updated_at = ?2 WHERE id = ?1";
static const char SQL_SET_BRANCH[] = "UPDATE tasks SET branch = ?3, updated_at = ?2 WHERE id = ?1";
static const char SQL_SET_WORKSPACE[] =
    "UPDATE tasks SET workspace = ?3, updated_at = ?2 WHERE id = ?1";
static const char SQL_SET_OWNER[] =
    "UPDATE tasks SET owner_pid = ?6, updated_at = ?2 WHERE id = ?1";
static const char SQL_SET_ATTEMPT[] =
    "UPDATE tasks SET attempt = ?6, updated_at = ?2 WHERE id = ?1";
static const char SQL_ADD_USAGE[] =
    "UPDATE tasks SET tokens_in = tokens_in + ?6, tokens_out = tokens_out + ?7, "
    "cost_usd = cost_usd + ?8, updated_at = ?2 WHERE id = ?1";
static const char SQL_REQUEST_CANCEL[] =
    "UPDATE tasks SET cancel_requested = 1, updated_at = ?2 "
    "WHERE id = ?1 AND status IN ('running', 'awaiting_approval')";

int sq_task_set_result(struct rig_store *st, const char *id, const char *result,
                       const char *error, struct rig_err *err)
{
    struct upd u = {.s3 = result, .s4 = error};

    return task_update(st, SQL_SET_RESULT, id, &u, "set the task result", err);
}

int sq_task_set_pr(struct rig_store *st, const char *id, const char *url, int64_t number,
                   const char *title, const char *body, struct rig_err *err)
{
    struct upd u = {.s3 = url, .s4 = title, .s5 = body, .i6 = number};

    return task_update(st, SQL_SET_PR, id, &u, "set the task pull request", err);
}

int sq_task_set_branch(struct rig_store *st, const char *id, const char *branch,
                       struct rig_err *err)
{
    struct upd u = {.s3 = branch};

    return task_update(st, SQL_SET_BRANCH, id, &u, "set the task branch", err);
}

int sq_task_set_workspace(struct rig_store *st, const char *id, const char *path,
                          struct rig_err *err)
{
    struct upd u = {.s3 = path};

    return task_update(st, SQL_SET_WORKSPACE, id, &u, "set the task workspace", err);
}

int sq_task_set_owner(struct rig_store *st, const char *id, pid_t pid, struct rig_err *err)
{
    struct upd u = {.i6 = pid};

    return task_update(st, SQL_SET_OWNER, id, &u, "set the task owner", err);
}

int sq_task_set_attempt(struct rig_store *st, const char *id, int attempt,
                        struct rig_err *err)
{
    struct upd u = {.i6 = attempt};

    return task_update(st, SQL_SET_ATTEMPT, id, &u, "set the task attempt", err);
}

int sq_task_add_usage(struct rig_store *st, const char *id, int64_t tokens_in,
                      int64_t tokens_out, double cost_usd, struct rig_err *err)
{
    struct upd u = {.i6 = tokens_in, .i7 = tokens_out, .d8 = cost_usd};

    return task_update(st, SQL_ADD_USAGE, id, &u, "add token usage", err);
}

int sq_task_request_cancel(struct rig_store *st, const char *id, struct rig_err *err)
{
    struct upd u = {.conflict = "it has already ended, there is nothing to cancel"};

    return task_update(st, SQL_REQUEST_CANCEL, id, &u, "cancel", err);
}

static const char SQL_IS_CANCEL[] = "SELECT cancel_requested FROM tasks WHERE id = ?1";

static int read_cancel_flag(struct sq_store *s, sqlite3_stmt *q, void *out, struct rig_err *err)
{
    (void)s;
    (void)err;
    *(bool *)out = sqlite3_column_int(q, 0) != 0;
    return 0;
}

int sq_task_is_cancel_requested(struct rig_store *st, const char *id, bool *out,
                                struct rig_err *err)
{
    return sq_lookup(st, SQL_IS_CANCEL, id, read_cancel_flag, out, "read the cancel flag", err,
                     SQ_NO_TASK, id, sq_of(st)->path);
}
