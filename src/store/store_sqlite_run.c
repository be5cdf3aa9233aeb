/*
 * SQLite backend: what a run produces — attempts, proposals and log lines.
 */
#include "store/store_sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/timeutil.h"
#include "core/banned.h"

/* ------------------------------------------------------------- attempts -- */

static const char SQL_ATTEMPT_ADD[] =
    "INSERT INTO attempts(task_id, number, changes_json, deploy_ok, deploy_log, tests_json, "
    "tokens_in, tokens_out, cost_usd, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char SQL_ATTEMPT_UPDATE[] =
    "UPDATE attempts SET changes_json = ?3, deploy_ok = ?4, deploy_log = ?5, tests_json = ?6, "
    "tokens_in = ?7, tokens_out = ?8, cost_usd = ?9, updated_at = ?11 "
    "WHERE task_id = ?1 AND number = ?2";
static const char SQL_ATTEMPT_LIST[] =
    "SELECT task_id, number, changes_json, deploy_ok, deploy_log, tests_json, tokens_in, "
    "tokens_out, cost_usd, created_at, updated_at FROM attempts WHERE task_id = ?1 "
    "ORDER BY number";

static void bind_attempt(sqlite3_stmt *q, const struct rig_attempt *a, int64_t created,
                         int64_t updated)
{
    sq_bind_text(q, 1, a->task_id);
    sqlite3_bind_int(q, 2, a->number);
    sq_bind_text(q, 3, a->changes_json);
    sqlite3_bind_int(q, 4, a->deploy_ok);
    sq_bind_text(q, 5, a->deploy_log);
    sq_bind_text(q, 6, a->tests_json);
    sqlite3_bind_int64(q, 7, a->tokens_in);
    sqlite3_bind_int64(q, 8, a->tokens_out);
    sqlite3_bind_double(q, 9, a->cost_usd);
    if (created)
        sqlite3_bind_int64(q, 10, created);
    sqlite3_bind_int64(q, 11, updated);
}

int sq_attempt_add(struct rig_store *st, const struct rig_attempt *a, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    int64_t created = a->created_at ? a->created_at : rig_now_ms();
    sqlite3_stmt *q = sq_write_open(s, SQL_ATTEMPT_ADD, err);
    int rc;

    if (!q)
        return -1;
    bind_attempt(q, a, created, a->updated_at ? a->updated_at : created);
    rc = sq_write_close(s, q, sq_step_done(s, q, err, "record an attempt"), err);
    if (rc < 0 && err && err->code == RIG_ECONFLICT)
        rig_err_set(err, RIG_ECONFLICT, "attempt %d of task '%s' is recorded already",
                    a->number, a->task_id);
    return rc;
}

int sq_attempt_update(struct rig_store *st, const struct rig_attempt *a, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_write_open(s, SQL_ATTEMPT_UPDATE, err);
    int rc;

    if (!q)
        return -1;
    bind_attempt(q, a, 0, rig_now_ms());
    rc = sq_step_done(s, q, err, "update an attempt");
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = rig_err_set(err, RIG_ENOTFOUND, "task '%s' has no attempt %d", a->task_id,
                         a->number);
    return sq_write_close(s, q, rc, err);
}

static int read_attempt(struct sq_store *s, sqlite3_stmt *q, void *item, struct rig_err *err)
{
    struct rig_attempt *a = item;

    (void)s;
    (void)err;
    memset(a, 0, sizeof(*a));
    a->task_id = sq_col_text(q, 0);
    a->number = sqlite3_column_int(q, 1);
    a->changes_json = sq_col_text(q, 2);
    a->deploy_ok = sqlite3_column_int(q, 3);
    a->deploy_log = sq_col_text(q, 4);
    a->tests_json = sq_col_text(q, 5);
    a->tokens_in = sqlite3_column_int64(q, 6);
    a->tokens_out = sqlite3_column_int64(q, 7);
    a->cost_usd = sqlite3_column_double(q, 8);
    a->created_at = sqlite3_column_int64(q, 9);
    a->updated_at = sqlite3_column_int64(q, 10);
    return 0;
}

static void release_attempt(void *item)
{
    rig_attempt_release(item);
}

int sq_attempt_list(struct rig_store *st, const char *task_id, struct rig_attempt_list *out,
                    struct rig_err *err)
{
    void *items;

    if (sq_list_by_task(st, SQL_ATTEMPT_LIST, task_id, sizeof(*out->items), read_attempt,
                        release_attempt, &items, &out->len, "list attempts", err) < 0)
        return -1;
    out->items = items;
    return 0;
}

/* ------------------------------------------------------------ proposals -- */

#define PROPOSAL_COLS                                                                   \
    "id, task_id, kind, status, summary, files_json, diff, created_at, expires_at, "   \
    "decided_by, decided_at, reason"
#define UNEXPIRED "(expires_at = 0 OR expires_at > ?9)"

static const char SQL_PROPOSAL_EXISTS[] = "SELECT 1 FROM proposals WHERE id = ?1";
static const char SQL_PROPOSAL_INSERT[] =
    "INSERT INTO proposals(" PROPOSAL_COLS ") "
    "VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?6, ?7, ?8, NULL, 0, NULL)";
static const char SQL_PROPOSAL_GET[] = "SELECT " PROPOSAL_COLS " FROM proposals WHERE id = ?1";
static const char SQL_PROPOSAL_PENDING[] =
    "SELECT " PROPOSAL_COLS " FROM proposals WHERE task_id = ?1 AND status = 'pending' AND "
    UNEXPIRED " ORDER BY created_at DESC, id DESC LIMIT 1";
static const char SQL_PROPOSAL_LIST_ALL[] =
    "SELECT " PROPOSAL_COLS " FROM proposals WHERE (?1 IS NULL OR task_id = ?1) "
    "ORDER BY created_at DESC, id DESC";
static const char SQL_PROPOSAL_LIST_PENDING[] =
    "SELECT " PROPOSAL_COLS " FROM proposals WHERE (?1 IS NULL OR task_id = ?1) AND "
    "status = 'pending' AND " UNEXPIRED " ORDER BY created_at DESC, id DESC";
static const char SQL_PROPOSAL_DECIDE[] =
    "UPDATE proposals SET status = ?2, decided_by = ?3, reason = ?4, decided_at = ?9 "
    "WHERE id = ?1 AND status = 'pending' AND " UNEXPIRED;
static const char SQL_PROPOSAL_STATE[] =
    "SELECT status, expires_at, decided_by FROM proposals WHERE id = ?1";
static const char SQL_PROPOSAL_EXPIRE_ONE[] =
    "UPDATE proposals SET status = 'expired' WHERE id = ?1 AND status = 'pending'";
static const char SQL_PROPOSAL_EXPIRE[] =
    "UPDATE proposals SET status = 'expired' WHERE status = 'pending' AND expires_at > 0 "
    "AND expires_at <= ?1";

static int read_proposal(struct sq_store *s, sqlite3_stmt *q, void *item, struct rig_err *err)
{
    struct rig_proposal *p = item;
    const char *kind = (const char *)sqlite3_column_text(q, 2);
    const char *status = (const char *)sqlite3_column_text(q, 3);

    memset(p, 0, sizeof(*p));
    if (rig_proposal_kind_parse(kind, &p->kind) < 0 ||
        rig_proposal_status_parse(status, &p->status) < 0)
        return rig_err_set(err, RIG_EIO,
                           "database %s: proposal has unknown kind '%s' or status '%s'",
                           s->path, kind ? kind : "", status ? status : "");
    p->id = sq_col_text(q, 0);
    p->task_id = sq_col_text(q, 1);
    p->summary = sq_col_text(q, 4);
    p->files_json = sq_col_text(q, 5);
    p->diff = sq_col_text(q, 6);
    p->created_at = sqlite3_column_int64(q, 7);
    p->expires_at = sqlite3_column_int64(q, 8);
    p->decided_by = sq_col_text(q, 9);
    p->decided_at = sqlite3_column_int64(q, 10);
    p->reason = sq_col_text(q, 11);
    return 0;
}

static void release_proposal(void *item)
{
    rig_proposal_release(item);
}

int sq_proposal_create(struct rig_store *st, struct rig_proposal *p, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    int64_t created = p->created_at ? p->created_at : rig_now_ms();
    sqlite3_stmt *q = sq_write_open(s, SQL_PROPOSAL_INSERT, err);
    char *id = NULL;
    int rc;

    if (!q)
        return -1;
    rc = p->id ? 0 : sq_next_id(s, 'p', SQL_PROPOSAL_EXISTS, created, &id, err);
    if (rc == 0) {
        sq_bind_text(q, 1, id ? id : p->id);
        sq_bind_text(q, 2, p->task_id);
        sq_bind_text(q, 3, rig_proposal_kind_name(p->kind));
        sq_bind_text(q, 4, p->summary);
        sq_bind_text(q, 5, p->files_json);
        sq_bind_text(q, 6, p->diff);
        sqlite3_bind_int64(q, 7, created);
        sqlite3_bind_int64(q, 8, p->expires_at);
        rc = sq_step_done(s, q, err, "create a proposal");
    }
    if (sq_write_close(s, q, rc, err) < 0) {
        free(id);
        return -1;
    }
    if (id)
        p->id = id;
    p->created_at = created;
    p->status = RIG_PROPOSAL_PENDING;
    return 0;
}

static int get_one_proposal(struct rig_store *st, const char *sql, const char *key,
                            struct rig_proposal *out, bool by_task, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q;
    int rc = -1;

    pthread_mutex_lock(&s->mu);
    if (!(q = sq_prep(s, sql, err)))
        goto out;
    sq_bind_text(q, 1, key);
    if (sqlite3_bind_parameter_count(q) >= 9)
        sqlite3_bind_int64(q, 9, rig_now_ms());
    if (sq_step_row(s, q, "read a proposal", err,
                    by_task ? "task '%s' has no pending proposal"
                            : "no proposal '%s'; list them with `rig proposals`",
                    key) < 0)
        goto out;
    rc = read_proposal(s, q, out, err);
out:
    sq_done(q);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int sq_proposal_get(struct rig_store *st, const char *id, struct rig_proposal *out,
                    struct rig_err *err)
{
    return get_one_proposal(st, SQL_PROPOSAL_GET, id, out, false, err);
}

int sq_proposal_get_pending(struct rig_store *st, const char *task_id,
                            struct rig_proposal *out, struct rig_err *err)
{
    return get_one_proposal(st, SQL_PROPOSAL_PENDING, task_id, out, true, err);
}

int sq_proposal_list(struct rig_store *st, const char *task_id, bool pending_only,
                     struct rig_proposal_list *out, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q;
    void *items;
    int rc = -1;

    pthread_mutex_lock(&s->mu);
    if ((q = sq_prep(s, pending_only ? SQL_PROPOSAL_LIST_PENDING : SQL_PROPOSAL_LIST_ALL,
                     err))) {
        sq_bind_text(q, 1, task_id);
        if (pending_only)
            sqlite3_bind_int64(q, 9, rig_now_ms());
        rc = sq_collect(s, q, sizeof(*out->items), read_proposal, release_proposal, &items,
                        &out->len, "list proposals", err);
    }
    sq_done(q);
    pthread_mutex_unlock(&s->mu);
    if (rc == 0)
        out->items = items;
    return rc;
}

/* Called when the conditional decide matched nothing: say why, and persist
 * the expiry of a pending proposal found past its deadline. Returns 1 when
 * the caller must still commit (the expiry was written), 0 when it must roll
 * back; err is filled either way. */
static int explain_decide(struct sq_store *s, const char *id, int64_t now,
                          struct rig_err *err)
{
    sqlite3_stmt *q = sq_prep(s, SQL_PROPOSAL_STATE, err);
    char *status = NULL;
    char *by = NULL;
    int64_t expires;
    int commit = 0;

    if (!q)
        return 0;
    sq_bind_text(q, 1, id);
    if (sq_step_row(s, q, "read a proposal", err,
                    "no proposal '%s'; list them with `rig proposals`", id) < 0)
        goto out;
    status = sq_col_text(q, 0);
    expires = sqlite3_column_int64(q, 1);
    by = sq_col_text(q, 2);
    sq_done(q);
    q = NULL;
    if (strcmp(status, "pending") != 0) {
        if (by)
            rig_err_set(err, RIG_ECONFLICT, "proposal '%s' was already %s by %s", id, status,
                        by);
        else
            rig_err_set(err, RIG_ECONFLICT, "proposal '%s' is already %s", id, status);
        goto out;
    }
    if (!(q = sq_prep(s, SQL_PROPOSAL_EXPIRE_ONE, err)))
        goto out;
    sq_bind_text(q, 1, id);
    if (sq_step_done(s, q, err, "expire a proposal") < 0)
        goto out;
    rig_err_set(err, RIG_ECONFLICT,
                "proposal '%s' expired %lld s ago and can no longer be decided; rerun the "
                "task to get a new one",
                id, (long long)((now - expires) / 1000));
    commit = 1;
out:
    sq_done(q);
    free(status);
    free(by);
    return commit;
}

int sq_proposal_decide(struct rig_store *st, const char *id, enum rig_proposal_status decision,
                       const char *decided_by, const char *reason, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    int64_t now = rig_now_ms();
    sqlite3_stmt *q = sq_write_open(s, SQL_PROPOSAL_DECIDE, err);
    int rc;

    if (!q)
        return -1;
    sq_bind_text(q, 1, id);
    sq_bind_text(q, 2, rig_proposal_status_name(decision));
    sq_bind_text(q, 3, decided_by);
    sq_bind_text(q, 4, reason);
    sqlite3_bind_int64(q, 9, now);
    rc = sq_step_done(s, q, err, "decide a proposal");
    sq_done(q);
    if (rc == 0 && sqlite3_changes(s->db) == 0) {
        if (explain_decide(s, id, now, err)) {
            /* Keep the refusal in err unless persisting the expiry fails. */
            struct rig_err cerr = RIG_ERR_INIT;

            if (sq_write_close(s, q, 0, &cerr) < 0 && err)
                *err = cerr;
            return -1;
        }
        rc = -1;
    }
    return sq_write_close(s, q, rc, err);
}

int sq_proposal_expire(struct rig_store *st, int64_t now, size_t *count, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_write_open(s, SQL_PROPOSAL_EXPIRE, err);
    int n = 0;
    int rc;

    if (!q)
        return -1;
    sqlite3_bind_int64(q, 1, now);
    rc = sq_step_done(s, q, err, "expire proposals");
    if (rc == 0)
        n = sqlite3_changes(s->db);
    if (sq_write_close(s, q, rc, err) < 0)
        return -1;
    if (count)
        *count = (size_t)n;
    return 0;
}

/* ------------------------------------------------------------ task logs -- */

static const char SQL_LOG_APPEND[] =
    "INSERT INTO task_logs(task_id, seq, ts, tag, level, text) "
    "SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5 FROM task_logs WHERE task_id = ?1 "
    "RETURNING seq";
static const char SQL_LOG_LIST[] =
    "SELECT task_id, seq, ts, tag, level, text FROM task_logs "
    "WHERE task_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int sq_log_append(struct rig_store *st, const char *task_id, int64_t ts, const char *tag,
                  enum rig_log_level level, const char *text, int64_t *seq_out,
                  struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    /* The write lock taken by BEGIN IMMEDIATE makes MAX(seq)+1 safe against
     * other threads and processes. */
    sqlite3_stmt *q = sq_write_open(s, SQL_LOG_APPEND, err);
    int64_t seq = 0;

    if (!q)
        return -1;
    sq_bind_text(q, 1, task_id);
    sqlite3_bind_int64(q, 2, ts ? ts : rig_now_ms());
    sq_bind_text(q, 3, tag);
    sq_bind_text(q, 4, level_names[level]);
    sq_bind_text(q, 5, text);
    if (sq_write_close(s, q, sq_step_returning(s, q, &seq, "append a log line", err), err) < 0)
        return -1;
    if (seq_out)
        *seq_out = seq;
    return 0;
}

static int read_log_line(struct sq_store *s, sqlite3_stmt *q, void *item, struct rig_err *err)
{
    struct rig_log_line *x = item;
    const char *lv = (const char *)sqlite3_column_text(q, 4);

    memset(x, 0, sizeof(*x));
    if (rig_log_level_parse(lv ? lv : "", &x->level) < 0)
        return rig_err_set(err, RIG_EIO,
                           "database %s: log line %lld of task %s has unknown level '%s'",
                           s->path, (long long)sqlite3_column_int64(q, 1),
                           (const char *)sqlite3_column_text(q, 0), lv ? lv : "");
    x->task_id = sq_col_text(q, 0);
    x->seq = sqlite3_column_int64(q, 1);
    x->ts = sqlite3_column_int64(q, 2);
    x->tag = sq_col_text(q, 3);
    x->text = sq_col_text(q, 5);
    return 0;
}

static void release_log_line(void *item)
{
    rig_log_line_release(item);
}

int sq_log_list(struct rig_store *st, const char *task_id, int64_t after_seq, size_t limit,
                struct rig_log_list *out, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q;
    void *items;
    int rc = -1;

    pthread_mutex_lock(&s->mu);
    if ((q = sq_prep(s, SQL_LOG_LIST, err))) {
        sq_bind_text(q, 1, task_id);
        sqlite3_bind_int64(q, 2, after_seq);
        sqlite3_bind_int64(q, 3, limit ? (int64_t)limit : -1);
        rc = sq_collect(s, q, sizeof(*out->items), read_log_line, release_log_line, &items,
                        &out->len, "list log lines", err);
    }
    sq_done(q);
    pthread_mutex_unlock(&s->mu);
    if (rc == 0)
        out->items = items;
    return rc;
}
