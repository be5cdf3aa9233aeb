/*
 * SQLite backend: projects, tasks and their steps.
 */
#include "store/store_sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/timeutil.h"
#include "core/banned.h"

/* ------------------------------------------------------------- projects -- */

static const char SQL_PROJECT_UPSERT[] =
    "INSERT INTO projects(name, platform, repo, base_branch, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(name) DO UPDATE SET "
    "platform = excluded.platform, repo = excluded.repo, base_branch = excluded.base_branch";
static const char SQL_PROJECT_GET[] =
    "SELECT name, platform, repo, base_branch, created_at FROM projects WHERE name = ?1";

int sq_project_upsert(struct rig_store *st, const struct rig_project *p, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_write_open(s, SQL_PROJECT_UPSERT, err);

    if (!q)
        return -1;
    sq_bind_text(q, 1, p->name);
    sq_bind_text(q, 2, p->platform);
    sq_bind_text(q, 3, p->repo);
    sq_bind_text(q, 4, p->base_branch);
    sqlite3_bind_int64(q, 5, p->created_at ? p->created_at : rig_now_ms());
    return sq_write_close(s, q, sq_step_done(s, q, err, "store a project"), err);
}

static int read_project(struct sq_store *s, sqlite3_stmt *q, void *item, struct rig_err *err)
{
    struct rig_project *p = item;

    (void)s;
    (void)err;
    memset(p, 0, sizeof(*p));
    p->name = sq_col_text(q, 0);
    p->platform = sq_col_text(q, 1);
    p->repo = sq_col_text(q, 2);
    p->base_branch = sq_col_text(q, 3);
    p->created_at = sqlite3_column_int64(q, 4);
    return 0;
}

int sq_project_get(struct rig_store *st, const char *name, struct rig_project *out,
                   struct rig_err *err)
{
    return sq_lookup(st, SQL_PROJECT_GET, name, read_project, out, "read a project", err,
                     "no project '%s' is stored", name);
}

/* ---------------------------------------------------------------- tasks -- */

#define TASK_COLS                                                                        \
    "id, project, issue_id, issue_number, issue_title, issue_body, issue_url, branch, "  \
    "base_branch, workspace, phase, status, attempt, max_retry, result, error, pr_url, " \
    "pr_number, pr_title, pr_body, tokens_in, tokens_out, cost_usd, created_at, "        \
    "updated_at, started_at, ended_at, dry_run, owner_pid, cancel_requested"

static const char SQL_TASK_EXISTS[] = "SELECT 1 FROM tasks WHERE id = ?1";
static const char SQL_TASK_INSERT[] =
    "INSERT INTO tasks(" TASK_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
    "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, "
    "?29, ?30)";
static const char SQL_TASK_GET[] = "SELECT " TASK_COLS " FROM tasks WHERE id = ?1";
static const char SQL_TASK_OWNED_RUNNING[] =
    "SELECT " TASK_COLS " FROM tasks WHERE status = 'running' AND owner_pid > 0 "
    "ORDER BY created_at, id";

static int read_task(struct sq_store *s, sqlite3_stmt *q, void *item, struct rig_err *err)
{
    struct rig_task *t = item;
    const char *phase = (const char *)sqlite3_column_text(q, 10);
    const char *status = (const char *)sqlite3_column_text(q, 11);

    memset(t, 0, sizeof(*t));
    t->id = sq_col_text(q, 0);
    if (rig_phase_parse(phase, &t->phase) < 0 || rig_task_status_parse(status, &t->status) < 0) {
        rig_err_set(err, RIG_EIO,
                    "database %s: task %s has phase '%s' / status '%s' that this rig does "
                    "not know; was it written by a newer rig?",
                    s->path, t->id, phase ? phase : "", status ? status : "");
        rig_task_release(t);
        return -1;
    }
    t->project = sq_col_text(q, 1);
    t->issue_id = sq_col_text(q, 2);
    t->issue_number = sqlite3_column_int64(q, 3);
    t->issue_title = sq_col_text(q, 4);
    t->issue_body = sq_col_text(q, 5);
    t->issue_url = sq_col_text(q, 6);
    t->branch = sq_col_text(q, 7);
    t->base_branch = sq_col_text(q, 8);
    t->workspace = sq_col_text(q, 9);
    t->attempt = sqlite3_column_int(q, 12);
    t->max_retry = sqlite3_column_int(q, 13);
    t->result = sq_col_text(q, 14);
    t->error = sq_col_text(q, 15);
    t->pr_url = sq_col_text(q, 16);
    t->pr_number = sqlite3_column_int64(q, 17);
    t->pr_title = sq_col_text(q, 18);
    t->pr_body = sq_col_text(q, 19);
    t->tokens_in = sqlite3_column_int64(q, 20);
    t->tokens_out = sqlite3_column_int64(q, 21);
    t->cost_usd = sqlite3_column_double(q, 22);
    t->created_at = sqlite3_column_int64(q, 23);
    t->updated_at = sqlite3_column_int64(q, 24);
    t->started_at = sqlite3_column_int64(q, 25);
    t->ended_at = sqlite3_column_int64(q, 26);
    t->dry_run = sqlite3_column_int(q, 27) != 0;
    t->owner_pid = (pid_t)sqlite3_column_int64(q, 28);
    t->cancel_requested = sqlite3_column_int(q, 29) != 0;
    return 0;
}

static void release_task(void *item)
{
    rig_task_release(item);
}

static void bind_task(sqlite3_stmt *q, const struct rig_task *t)
{
    sq_bind_text(q, 1, t->id);
    sq_bind_text(q, 2, t->project);
    sq_bind_text(q, 3, t->issue_id);
    sqlite3_bind_int64(q, 4, t->issue_number);
    sq_bind_text(q, 5, t->issue_title);
    sq_bind_text(q, 6, t->issue_body);
    sq_bind_text(q, 7, t->issue_url);
    sq_bind_text(q, 8, t->branch);
    sq_bind_text(q, 9, t->base_branch);
    sq_bind_text(q, 10, t->workspace);
    sq_bind_text(q, 11, rig_phase_name(t->phase));
    sq_bind_text(q, 12, rig_task_status_name(t->status));
    sqlite3_bind_int(q, 13, t->attempt);
    sqlite3_bind_int(q, 14, t->max_retry);
    sq_bind_text(q, 15, t->result);
    sq_bind_text(q, 16, t->error);
    sq_bind_text(q, 17, t->pr_url);
    sqlite3_bind_int64(q, 18, t->pr_number);
    sq_bind_text(q, 19, t->pr_title);
    sq_bind_text(q, 20, t->pr_body);
    sqlite3_bind_int64(q, 21, t->tokens_in);
    sqlite3_bind_int64(q, 22, t->tokens_out);
    sqlite3_bind_double(q, 23, t->cost_usd);
    sqlite3_bind_int64(q, 24, t->created_at);
    sqlite3_bind_int64(q, 25, t->updated_at);
    sqlite3_bind_int64(q, 26, t->started_at);
    sqlite3_bind_int64(q, 27, t->ended_at);
    sqlite3_bind_int(q, 28, t->dry_run ? 1 : 0);
    sqlite3_bind_int64(q, 29, (int64_t)t->owner_pid);
    sqlite3_bind_int(q, 30, t->cancel_requested ? 1 : 0);
}

int sq_task_create(struct rig_store *st, struct rig_task *t, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    int64_t now = rig_now_ms();
    struct rig_task row = *t;
    sqlite3_stmt *q = NULL;
    char *id = NULL;
    int rc;

    if (!row.created_at)
        row.created_at = now;
    if (!row.updated_at)
        row.updated_at = row.created_at;
    if (!(q = sq_write_open(s, SQL_TASK_INSERT, err)))
        return -1;
    rc = row.id ? 0 : sq_next_id(s, 't', SQL_TASK_EXISTS, row.created_at, &id, err);
    if (rc == 0) {
        if (id)
            row.id = id;
        bind_task(q, &row);
        rc = sq_step_done(s, q, err, "create a task");
        if (rc < 0 && err && err->code == RIG_ENOTFOUND)
            rig_err_set(err, RIG_ENOTFOUND,
                        "create a task: project '%s' is not stored; store it with "
                        "rig_store_project_upsert first",
                        row.project);
        else if (rc < 0 && err && err->code == RIG_ECONFLICT)
            rig_err_set(err, RIG_ECONFLICT, "create a task: task '%s' exists already",
                        row.id);
    }
    if (sq_write_close(s, q, rc, err) < 0) {
        free(id);
        return -1;
    }
    if (id)
        t->id = id;
    t->created_at = row.created_at;
    t->updated_at = row.updated_at;
    return 0;
}

int sq_task_get(struct rig_store *st, const char *id, struct rig_task *out,
                struct rig_err *err)
{
    return sq_lookup(st, SQL_TASK_GET, id, read_task, out, "read a task", err, SQ_NO_TASK, id,
                     sq_of(st)->path);
}

static int collect_tasks(struct sq_store *s, sqlite3_stmt *q, struct rig_task_list *out,
                         struct rig_err *err)
{
    void *items;

    if (sq_collect(s, q, sizeof(*out->items), read_task, release_task, &items, &out->len,
                   "list tasks", err) < 0)
        return -1;
    out->items = items;
    return 0;
}

/* The filter is built from fixed fragments and bound parameters, so the SQL
 * text takes one of a few shapes; the statement is prepared per call
 * because the cache is keyed by static strings. */
int sq_task_list(struct rig_store *st, const struct rig_task_filter *f,
                 struct rig_task_list *out, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    struct rig_buf sql = RIG_BUF_INIT;
    sqlite3_stmt *q = NULL;
    const char *glue = " WHERE ";
    int n = 0;
    int rc = -1;

    rig_buf_adds(&sql, "SELECT " TASK_COLS " FROM tasks");
    if (f->project) {
        rig_buf_addf(&sql, "%sproject = ?%d", glue, ++n);
        glue = " AND ";
    }
    if (f->issue_id) {
        rig_buf_addf(&sql, "%sissue_id = ?%d", glue, ++n);
        glue = " AND ";
    }
    if (f->status_mask) {
        const char *sep = "";

        rig_buf_addf(&sql, "%sstatus IN (", glue);
        for (int i = 0; i < RIG_TASK_STATUS_COUNT; i++) {
            if (f->status_mask & RIG_TASK_STATUS_BIT(i)) {
                rig_buf_addf(&sql, "%s'%s'", sep, rig_task_status_name(i));
                sep = ", ";
            }
        }
        rig_buf_adds(&sql, ")");
    }
    rig_buf_adds(&sql, " ORDER BY created_at DESC, id DESC");
    if (f->limit || f->offset)
        rig_buf_addf(&sql, " LIMIT %lld OFFSET %lld",
                     f->limit ? (long long)f->limit : -1LL, (long long)f->offset);

    pthread_mutex_lock(&s->mu);
    if (sqlite3_prepare_v2(s->db, rig_buf_str(&sql), -1, &q, NULL) != SQLITE_OK) {
        sq_fail(s, err, "list tasks");
        goto out;
    }
    n = 0;
    if (f->project)
        sq_bind_text(q, ++n, f->project);
    if (f->issue_id)
        sq_bind_text(q, ++n, f->issue_id);
    rc = collect_tasks(s, q, out, err);
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&s->mu);
    rig_buf_release(&sql);
    return rc;
}

int sq_task_list_owned_running(struct rig_store *st, struct rig_task_list *out,
                               struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q;
    int rc = -1;

    pthread_mutex_lock(&s->mu);
    if ((q = sq_prep(s, SQL_TASK_OWNED_RUNNING, err)))
        rc = collect_tasks(s, q, out, err);
    sq_done(q);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* ------------------------------------------------- phase and step changes -- */

static const char SQL_STEPS_CLOSE_RUNNING[] =
    "UPDATE steps SET status = ?2, ended_at = ?3, duration_ms = MAX(0, ?3 - started_at), "
    "error = ?4 WHERE task_id = ?1 AND status = 'running'";
static const char SQL_STEP_INSERT[] =
    "INSERT INTO steps(task_id, seq, phase, attempt, status, started_at) "
    "SELECT t.id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM steps WHERE task_id = t.id), ?2, "
    "t.attempt, 'running', ?3 FROM tasks t WHERE t.id = ?1 RETURNING seq";
static const char SQL_TASK_SET_PHASE[] =
    "UPDATE tasks SET phase = ?2, status = ?3, updated_at = ?4, "
    "started_at = CASE WHEN started_at = 0 AND ?2 <> 'queued' THEN ?4 ELSE started_at END, "
    "ended_at = CASE WHEN ?5 THEN ?4 ELSE 0 END WHERE id = ?1";

static int close_running_steps(struct sq_store *s, const char *task_id,
                               enum rig_step_status status, const char *error, int64_t now,
                               struct rig_err *err)
{
    sqlite3_stmt *q = sq_prep(s, SQL_STEPS_CLOSE_RUNNING, err);
    int rc;

    if (!q)
        return -1;
    sq_bind_text(q, 1, task_id);
    sq_bind_text(q, 2, rig_step_status_name(status));
    sqlite3_bind_int64(q, 3, now);
    sq_bind_text(q, 4, error);
    rc = sq_step_done(s, q, err, "end running steps");
    sq_done(q);
    return rc;
}

/* Insert a running step; 0 rows means the task does not exist. */
static int insert_step(struct sq_store *s, const char *task_id, enum rig_phase phase,
                       int64_t now, int64_t *seq_out, struct rig_err *err)
{
    sqlite3_stmt *q = sq_prep(s, SQL_STEP_INSERT, err);
    int rc = -1;

    if (!q)
        return -1;
    sq_bind_text(q, 1, task_id);
    sq_bind_text(q, 2, rig_phase_name(phase));
    sqlite3_bind_int64(q, 3, now);
    if (sq_step_row(s, q, "begin a step", err, SQ_NO_TASK, task_id, s->path) < 0)
        goto out;
    if (seq_out)
        *seq_out = sqlite3_column_int64(q, 0);
    rc = sq_step_done(s, q, err, "begin a step");
out:
    sq_done(q);
    return rc;
}

static enum rig_step_status closing_status(enum rig_phase next)
{
    if (next == RIG_PHASE_FAILED || next == RIG_PHASE_CANCELLED ||
        next == RIG_PHASE_INTERRUPTED)
        return RIG_STEP_FAILED;
    return RIG_STEP_OK;
}

int sq_task_update_phase(struct rig_store *st, const char *id, enum rig_phase phase,
                         enum rig_task_status status, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    int64_t now = rig_now_ms();
    enum rig_step_status close = closing_status(phase);
    char *why = NULL;
    sqlite3_stmt *q;
    int rc;

    if (close == RIG_STEP_FAILED)
        why = xasprintf("task %s", rig_phase_name(phase));
    if (!(q = sq_write_open(s, SQL_TASK_SET_PHASE, err))) {
        free(why);
        return -1;
    }
    sq_bind_text(q, 1, id);
    sq_bind_text(q, 2, rig_phase_name(phase));
    sq_bind_text(q, 3, rig_task_status_name(status));
    sqlite3_bind_int64(q, 4, now);
    sqlite3_bind_int(q, 5, rig_task_status_is_terminal(status) ? 1 : 0);
    rc = sq_step_done(s, q, err, "change the task phase");
    sq_done(q);
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = rig_err_set(err, RIG_ENOTFOUND, SQ_NO_TASK, id, s->path);
    if (rc == 0)
        rc = close_running_steps(s, id, close, why, now, err);
    if (rc == 0 && !rig_phase_is_terminal(phase))
        rc = insert_step(s, id, phase, now, NULL, err);
    free(why);
    return sq_write_close(s, q, rc, err);
}

static const char SQL_TASK_INTERRUPT[] =
    "UPDATE tasks SET status = 'interrupted', phase = 'interrupted', ended_at = ?2, "
    "updated_at = ?2 WHERE id = ?1 AND status = 'running'";

int sq_task_mark_interrupted(struct rig_store *st, const char *id, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    int64_t now = rig_now_ms();
    sqlite3_stmt *q = sq_write_open(s, SQL_TASK_INTERRUPT, err);
    char *status = NULL;
    int rc;

    if (!q)
        return -1;
    sq_bind_text(q, 1, id);
    sqlite3_bind_int64(q, 2, now);
    rc = sq_step_done(s, q, err, "mark a task interrupted");
    sq_done(q);
    if (rc == 0 && sqlite3_changes(s->db) == 0) {
        if (sq_task_status(s, id, &status, err) == 0)
            rig_err_set(err, RIG_ECONFLICT, "task '%s' is %s, not running; left unchanged", id,
                        status);
        rc = -1;
    }
    if (rc == 0)
        rc = close_running_steps(s, id, RIG_STEP_FAILED, "task interrupted", now, err);
    free(status);
    return sq_write_close(s, q, rc, err);
}

int sq_step_begin(struct rig_store *st, const char *task_id, enum rig_phase phase,
                  int64_t *seq_out, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    int rc = -1;

    pthread_mutex_lock(&s->mu);
    if (sq_begin(s, err) < 0)
        goto out;
    if (insert_step(s, task_id, phase, rig_now_ms(), seq_out, err) < 0) {
        sq_rollback(s);
        goto out;
    }
    rc = sq_commit(s, err);
out:
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static const char SQL_STEP_END[] =
    "UPDATE steps SET status = ?3, ended_at = ?4, duration_ms = MAX(0, ?4 - started_at), "
    "error = ?5 WHERE task_id = ?1 AND seq = ?2 AND status = 'running'";
static const char SQL_STEP_STATUS[] = "SELECT status FROM steps WHERE task_id = ?1 AND seq = ?2";

static int explain_step(struct sq_store *s, const char *task_id, int64_t seq,
                        struct rig_err *err)
{
    sqlite3_stmt *q = sq_prep(s, SQL_STEP_STATUS, err);

    if (!q)
        return -1;
    sq_bind_text(q, 1, task_id);
    sqlite3_bind_int64(q, 2, seq);
    if (sq_step_row(s, q, "read a step", err, "task '%s' has no step %lld", task_id,
                    (long long)seq) == 0)
        rig_err_set(err, RIG_ECONFLICT, "step %lld of task '%s' has ended already (%s)",
                    (long long)seq, task_id, (const char *)sqlite3_column_text(q, 0));
    sq_done(q);
    return -1;
}

int sq_step_end(struct rig_store *st, const char *task_id, int64_t seq,
                enum rig_step_status status, const char *error, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_write_open(s, SQL_STEP_END, err);
    int rc;

    if (!q)
        return -1;
    sq_bind_text(q, 1, task_id);
    sqlite3_bind_int64(q, 2, seq);
    sq_bind_text(q, 3, rig_step_status_name(status));
    sqlite3_bind_int64(q, 4, rig_now_ms());
    sq_bind_text(q, 5, error);
    rc = sq_step_done(s, q, err, "end a step");
    sq_done(q);
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = explain_step(s, task_id, seq, err);
    return sq_write_close(s, q, rc, err);
}

static const char SQL_STEP_LIST[] =
    "SELECT task_id, seq, phase, attempt, status, started_at, ended_at, duration_ms, error "
    "FROM steps WHERE task_id = ?1 ORDER BY seq";

static int read_step(struct sq_store *s, sqlite3_stmt *q, void *item, struct rig_err *err)
{
    struct rig_step *x = item;
    const char *ph = (const char *)sqlite3_column_text(q, 2);
    const char *stt = (const char *)sqlite3_column_text(q, 4);

    memset(x, 0, sizeof(*x));
    if (rig_phase_parse(ph, &x->phase) < 0 || rig_step_status_parse(stt, &x->status) < 0)
        return rig_err_set(err, RIG_EIO,
                           "database %s: step of task %s has unknown phase '%s' or status '%s'",
                           s->path, (const char *)sqlite3_column_text(q, 0), ph ? ph : "",
                           stt ? stt : "");
    x->task_id = sq_col_text(q, 0);
    x->seq = sqlite3_column_int64(q, 1);
    x->attempt = sqlite3_column_int(q, 3);
    x->started_at = sqlite3_column_int64(q, 5);
    x->ended_at = sqlite3_column_int64(q, 6);
    x->duration_ms = sqlite3_column_int64(q, 7);
    x->error = sq_col_text(q, 8);
    return 0;
}

static void release_step(void *item)
{
    rig_step_release(item);
}

int sq_step_list(struct rig_store *st, const char *task_id, struct rig_step_list *out,
                 struct rig_err *err)
{
    void *items;

    if (sq_list_by_task(st, SQL_STEP_LIST, task_id, sizeof(*out->items), read_step,
                        release_step, &items, &out->len, "list steps", err) < 0)
        return -1;
    out->items = items;
    return 0;
}
