#ifndef RIG_STORE_SQLITE_INT_H
#define RIG_STORE_SQLITE_INT_H

/*
 * Private to the SQLite backend (store_sqlite*.c). One connection per handle,
 * every public op takes `mu` for its whole duration, so statements, the
 * connection's error state and transactions never interleave between threads.
 */

#include <pthread.h>
#include <sqlite3.h>

#include "store/backends.h"
#include "store/store.h"

struct sq_cached {
    const char *sql; /* identity: the address of a static SQL string */
    sqlite3_stmt *stmt;
};

struct sq_store {
    struct rig_store base; /* must stay first */
    sqlite3 *db;
    char *path;
    pthread_mutex_t mu;
    struct sq_cached *cache;
    size_t ncache;
    size_t capcache;
};

static inline struct sq_store *sq_of(struct rig_store *st)
{
    return (struct sq_store *)st;
}

/* The prepared statement for sql (prepared once per connection and kept).
 * NULL with err filled on failure. Pass it to sq_done when finished. */
sqlite3_stmt *sq_prep(struct sq_store *s, const char *sql, struct rig_err *err);
/* Reset and clear bindings so the statement holds no snapshot. NULL-safe. */
void sq_done(sqlite3_stmt *q);

/* Fill err from the connection's last error; constraint failures map to
 * RIG_ECONFLICT (unique), RIG_ENOTFOUND (foreign key) and RIG_EINVAL (check,
 * not null); "what" says what was being done. Returns -1. */
int sq_fail(struct sq_store *s, struct rig_err *err, const char *what);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. sq_rollback is quiet and safe to call
 * when no transaction is open. */
int sq_begin(struct sq_store *s, struct rig_err *err);
int sq_commit(struct sq_store *s, struct rig_err *err);
void sq_rollback(struct sq_store *s);

/* Bind helpers: NULL strings bind SQL NULL. They return the sqlite code. */
int sq_bind_text(sqlite3_stmt *q, int i, const char *s);

/* Column helpers: NULL for SQL NULL, else a malloc'd copy. */
char *sq_col_text(sqlite3_stmt *q, int i);

/* Run a statement that returns no rows (or whose rows are ignored). */
int sq_step_done(struct sq_store *s, sqlite3_stmt *q, struct rig_err *err, const char *what);

/*
 * A write op: sq_write_open takes the lock, starts a write transaction and
 * returns the prepared statement for sql (NULL with err filled, lock released
 * and nothing open on failure). Bind, run, check, then hand the result (0 or
 * -1 with err filled) to sq_write_close, which resets q, commits on 0 and
 * rolls back otherwise, releases the lock and returns the final result.
 */
sqlite3_stmt *sq_write_open(struct sq_store *s, const char *sql, struct rig_err *err);
int sq_write_close(struct sq_store *s, sqlite3_stmt *q, int rc, struct rig_err *err);

/* Run an INSERT ... RETURNING of one integer column to completion; *value
 * gets the returned value. */
int sq_step_returning(struct sq_store *s, sqlite3_stmt *q, int64_t *value, const char *what,
                      struct rig_err *err);

/* The not-found message for a task id, with the database path (two %s). */
#define SQ_NO_TASK "no task '%s' in %s; list tasks with `rig status`"

/* Step q for the one row a lookup expects: 0 when it is ready to read; -1
 * with RIG_ENOTFOUND and the message `missing` (printf-style) when there is
 * none, or with sq_fail(what) when the step fails. */
int sq_step_row(struct sq_store *s, sqlite3_stmt *q, const char *what, struct rig_err *err,
                const char *missing, ...) __attribute__((format(printf, 5, 6)));

/* Step q to the end, decoding each row into a growing array of item_size
 * items. decode fills the item at `item` from the current row; on failure it
 * fills err, returns -1 and leaves nothing in the item to release. On success
 * *items (malloc'd, NULL when there are no rows) and *len are handed over; on
 * failure every decoded item is released with release, the array is freed,
 * *items and *len are left untouched and err says what failed ("what" names
 * the operation for step failures). */
int sq_collect(struct sq_store *s, sqlite3_stmt *q, size_t item_size,
               int (*decode)(struct sq_store *s, sqlite3_stmt *q, void *item,
                             struct rig_err *err),
               void (*release)(void *item), void **items, size_t *len, const char *what,
               struct rig_err *err);

/* A whole lookup op: under the lock, prepare sql, bind key to ?1, expect one
 * row (sq_step_row with `missing`) and decode it into out (decode as for
 * sq_collect). */
int sq_lookup(struct rig_store *st, const char *sql, const char *key,
              int (*decode)(struct sq_store *s, sqlite3_stmt *q, void *out,
                            struct rig_err *err),
              void *out, const char *what, struct rig_err *err, const char *missing, ...)
    __attribute__((format(printf, 8, 9)));

/* A whole list op whose statement takes only the task id (?1): under the
 * lock, prepare sql, bind task_id and sq_collect the rows. */
int sq_list_by_task(struct rig_store *st, const char *sql, const char *task_id,
                    size_t item_size,
                    int (*decode)(struct sq_store *s, sqlite3_stmt *q, void *item,
                                  struct rig_err *err),
                    void (*release)(void *item), void **items, size_t *len, const char *what,
                    struct rig_err *err);

/* Next "<prefix>-YYYYMMDD-NNNN" for the UTC day of `now`, unique in
 * table.id. Must run inside a write transaction. */
int sq_next_id(struct sq_store *s, char prefix, const char *exists_sql, int64_t now,
               char **out, struct rig_err *err);

/* Status of a task, for explaining why a conditional update changed nothing:
 * RIG_ENOTFOUND if it does not exist. *status malloc'd. */
int sq_task_status(struct sq_store *s, const char *id, char **status, struct rig_err *err);

/* Ops implemented in the other backend files. */
int sq_project_upsert(struct rig_store *st, const struct rig_project *p, struct rig_err *err);
int sq_project_get(struct rig_store *st, const char *name, struct rig_project *out,
                   struct rig_err *err);
int sq_task_create(struct rig_store *st, struct rig_task *t, struct rig_err *err);
int sq_task_get(struct rig_store *st, const char *id, struct rig_task *out,
                struct rig_err *err);
int sq_task_list(struct rig_store *st, const struct rig_task_filter *f,
                 struct rig_task_list *out, struct rig_err *err);
int sq_task_update_phase(struct rig_store *st, const char *id, enum rig_phase phase,
                         enum rig_task_status status, struct rig_err *err);
int sq_task_set_result(struct rig_store *st, const char *id, const char *result,
                       const char *error, struct rig_err *err);
int sq_task_set_pr(struct rig_store *st, const char *id, const char *url, int64_t number,
                   const char *title, const char *body, struct rig_err *err);
int sq_task_set_branch(struct rig_store *st, const char *id, const char *branch,
                       struct rig_err *err);
int sq_task_set_workspace(struct rig_store *st, const char *id, const char *path,
                          struct rig_err *err);
int sq_task_set_owner(struct rig_store *st, const char *id, pid_t pid, struct rig_err *err);
int sq_task_set_attempt(struct rig_store *st, const char *id, int attempt,
                        struct rig_err *err);
int sq_task_add_usage(struct rig_store *st, const char *id, int64_t tokens_in,
                      int64_t tokens_out, double cost_usd, struct rig_err *err);
int sq_task_request_cancel(struct rig_store *st, const char *id, struct rig_err *err);
int sq_task_is_cancel_requested(struct rig_store *st, const char *id, bool *out,
                                struct rig_err *err);
int sq_task_list_owned_running(struct rig_store *st, struct rig_task_list *out,
                               struct rig_err *err);
int sq_task_mark_interrupted(struct rig_store *st, const char *id, struct rig_err *err);
int sq_step_begin(struct rig_store *st, const char *task_id, enum rig_phase phase,
                  int64_t *seq_out, struct rig_err *err);
int sq_step_end(struct rig_store *st, const char *task_id, int64_t seq,
                enum rig_step_status status, const char *error, struct rig_err *err);
int sq_step_list(struct rig_store *st, const char *task_id, struct rig_step_list *out,
                 struct rig_err *err);

int sq_attempt_add(struct rig_store *st, const struct rig_attempt *a, struct rig_err *err);
int sq_attempt_update(struct rig_store *st, const struct rig_attempt *a, struct rig_err *err);
int sq_attempt_list(struct rig_store *st, const char *task_id, struct rig_attempt_list *out,
                    struct rig_err *err);
int sq_proposal_create(struct rig_store *st, struct rig_proposal *p, struct rig_err *err);
int sq_proposal_get(struct rig_store *st, const char *id, struct rig_proposal *out,
                    struct rig_err *err);
int sq_proposal_get_pending(struct rig_store *st, const char *task_id,
                            struct rig_proposal *out, struct rig_err *err);
int sq_proposal_list(struct rig_store *st, const char *task_id, bool pending_only,
                     struct rig_proposal_list *out, struct rig_err *err);
int sq_proposal_decide(struct rig_store *st, const char *id, enum rig_proposal_status decision,
                       const char *decided_by, const char *reason, struct rig_err *err);
int sq_proposal_expire(struct rig_store *st, int64_t now, size_t *count, struct rig_err *err);

int sq_log_append(struct rig_store *st, const char *task_id, int64_t ts, const char *tag,
                  enum rig_log_level level, const char *text, int64_t *seq_out,
                  struct rig_err *err);
int sq_log_list(struct rig_store *st, const char *task_id, int64_t after_seq, size_t limit,
                struct rig_log_list *out, struct rig_err *err);
int sq_violation_add(struct rig_store *st, struct rig_policy_violation *v,
                     struct rig_err *err);
int sq_violation_list(struct rig_store *st, const char *task_id,
                      struct rig_policy_violation_list *out, struct rig_err *err);
int sq_setting_get(struct rig_store *st, const char *key, char **value, struct rig_err *err);
int sq_setting_set(struct rig_store *st, const char *key, const char *value,
                   struct rig_err *err);
int sq_setting_delete(struct rig_store *st, const char *key, struct rig_err *err);
int sq_delivery_record(struct rig_store *st, const struct rig_delivery *d, bool *duplicate,
                       struct rig_err *err);
int sq_delivery_update(struct rig_store *st, const char *delivery_id, const char *status,
                       const char *task_id, struct rig_err *err);
int sq_delivery_get(struct rig_store *st, const char *delivery_id, struct rig_delivery *out,
                    struct rig_err *err);

/* Schema migrations, applied in order (store/migrations.c). */
struct sq_migration {
    int version;
    const char *description;
    const char *sql;
};
extern const struct sq_migration sq_migrations[];
extern const size_t sq_migration_count;

#endif
