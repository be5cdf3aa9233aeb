/*
 * SQLite backend: connection setup, migrations, shared helpers, and the small
 * entities (settings, webhook deliveries, policy violations). Tasks and steps
 * are in store_sqlite_task.c, attempts/proposals/logs in store_sqlite_run.c.
 */
#include "store/store_sqlite_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define SQ_BUSY_TIMEOUT_MS 30000

sqlite3_stmt *sq_prep(struct sq_store *s, const char *sql, struct rig_err *err)
{
    sqlite3_stmt *q = NULL;

    for (size_t i = 0; i < s->ncache; i++) {
        if (s->cache[i].sql == sql)
            return s->cache[i].stmt;
    }
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &q, NULL) != SQLITE_OK) {
        sq_fail(s, err, "prepare statement");
        return NULL;
    }
    if (s->ncache == s->capcache) {
        s->capcache = s->capcache ? s->capcache * 2 : 32;
        s->cache = xreallocarray(s->cache, s->capcache, sizeof(*s->cache));
    }
    s->cache[s->ncache].sql = sql;
    s->cache[s->ncache].stmt = q;
    s->ncache++;
    return q;
}

void sq_done(sqlite3_stmt *q)
{
    if (!q)
        return;
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
}

int sq_fail(struct sq_store *s, struct rig_err *err, const char *what)
{
    int ext = sqlite3_extended_errcode(s->db);
    const char *msg = sqlite3_errmsg(s->db);

    switch (ext) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
        return rig_err_set(err, RIG_ECONFLICT, "%s: it exists already (%s)", what, msg);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return rig_err_set(err, RIG_ENOTFOUND,
                           "%s: it refers to a task or project that is not stored", what);
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
        return rig_err_set(err, RIG_EINVAL, "%s: invalid value (%s)", what, msg);
    default:
        break;
    }
    if ((ext & 0xff) == SQLITE_BUSY || (ext & 0xff) == SQLITE_LOCKED)
        return rig_err_set(err, RIG_EIO,
                           "%s: database %s stayed locked by another process for more than "
                           "%d s; retry, or look for a stuck rig process",
                           what, s->path, SQ_BUSY_TIMEOUT_MS / 1000);
    if ((ext & 0xff) == SQLITE_NOTADB || (ext & 0xff) == SQLITE_CORRUPT)
        return rig_err_set(err, RIG_EIO,
                           "%s: %s is not a usable Rig database (%s); move it away or point "
                           "the store setting at another file",
                           what, s->path, msg);
    return rig_err_set(err, RIG_EIO, "%s: database %s: %s", what, s->path, msg);
}

static int sq_exec_simple(struct sq_store *s, const char *sql, struct rig_err *err,
                          const char *what)
{
    sqlite3_stmt *q = sq_prep(s, sql, err);
    int rc;

    if (!q)
        return -1;
    rc = sq_step_done(s, q, err, what);
    sq_done(q);
    return rc;
}

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

int sq_begin(struct sq_store *s, struct rig_err *err)
{
    return sq_exec_simple(s, SQL_BEGIN, err, "start a write transaction");
}

int sq_commit(struct sq_store *s, struct rig_err *err)
{
    if (sq_exec_simple(s, SQL_COMMIT, err, "commit") < 0) {
        sq_rollback(s);
        return -1;
    }
    return 0;
}

void sq_rollback(struct sq_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, SQL_ROLLBACK, NULL, NULL, NULL);
}

int sq_bind_text(sqlite3_stmt *q, int i, const char *s)
{
    if (!s)
        return sqlite3_bind_null(q, i);
    return sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
}

char *sq_col_text(sqlite3_stmt *q, int i)
{
    const unsigned char *t;

    if (sqlite3_column_type(q, i) == SQLITE_NULL)
        return NULL;
    t = sqlite3_column_text(q, i);
    return xstrdup(t ? (const char *)t : "");
}

int sq_step_done(struct sq_store *s, sqlite3_stmt *q, struct rig_err *err, const char *what)
{
    int rc;

    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE)
        return sq_fail(s, err, what);
    return 0;
}

sqlite3_stmt *sq_write_open(struct sq_store *s, const char *sql, struct rig_err *err)
{
    sqlite3_stmt *q = NULL;

    pthread_mutex_lock(&s->mu);
    if (sq_begin(s, err) == 0 && !(q = sq_prep(s, sql, err)))
        sq_rollback(s);
    if (!q)
        pthread_mutex_unlock(&s->mu);
    return q;
}

int sq_write_close(struct sq_store *s, sqlite3_stmt *q, int rc, struct rig_err *err)
{
    sq_done(q);
    if (rc == 0)
        rc = sq_commit(s, err);
    else
        sq_rollback(s);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int sq_step_returning(struct sq_store *s, sqlite3_stmt *q, int64_t *value, const char *what,
                      struct rig_err *err)
{
    if (sqlite3_step(q) != SQLITE_ROW)
        return sq_fail(s, err, what);
    *value = sqlite3_column_int64(q, 0);
    return sq_step_done(s, q, err, what);
}

int sq_step_row(struct sq_store *s, sqlite3_stmt *q, const char *what, struct rig_err *err,
                const char *missing, ...)
{
    char msg[RIG_ERR_MSG_MAX];
    va_list ap;
    int step = sqlite3_step(q);

    if (step == SQLITE_ROW)
        return 0;
    if (step != SQLITE_DONE)
        return sq_fail(s, err, what);
    va_start(ap, missing);
    vsnprintf(msg, sizeof(msg), missing, ap);
    va_end(ap);
    return rig_err_set(err, RIG_ENOTFOUND, "%s", msg);
}

int sq_collect(struct sq_store *s, sqlite3_stmt *q, size_t item_size,
               int (*decode)(struct sq_store *s, sqlite3_stmt *q, void *item,
                             struct rig_err *err),
               void (*release)(void *item), void **items, size_t *len, const char *what,
               struct rig_err *err)
{
    char *arr = NULL;
    size_t n = 0;
    size_t cap = 0;
    int step;
    int rc = -1;

    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            arr = xreallocarray(arr, cap, item_size);
        }
        if (decode(s, q, arr + n * item_size, err) < 0)
            goto out;
        n++;
    }
    if (step != SQLITE_DONE) {
        sq_fail(s, err, what);
        goto out;
    }
    *items = arr;
    *len = n;
    arr = NULL;
    n = 0;
    rc = 0;
out:
    for (size_t i = 0; i < n; i++)
        release(arr + i * item_size);
    free(arr);
    return rc;
}

int sq_lookup(struct rig_store *st, const char *sql, const char *key,
              int (*decode)(struct sq_store *s, sqlite3_stmt *q, void *out,
                            struct rig_err *err),
              void *out, const char *what, struct rig_err *err, const char *missing, ...)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q;
    char msg[RIG_ERR_MSG_MAX];
    va_list ap;
    int rc = -1;

    va_start(ap, missing);
    vsnprintf(msg, sizeof(msg), missing, ap);
    va_end(ap);
    pthread_mutex_lock(&s->mu);
    if (!(q = sq_prep(s, sql, err)))
        goto out;
    sq_bind_text(q, 1, key);
    if (sq_step_row(s, q, what, err, "%s", msg) < 0)
        goto out;
    rc = decode(s, q, out, err);
out:
    sq_done(q);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int sq_list_by_task(struct rig_store *st, const char *sql, const char *task_id,
                    size_t item_size,
                    int (*decode)(struct sq_store *s, sqlite3_stmt *q, void *item,
                                  struct rig_err *err),
                    void (*release)(void *item), void **items, size_t *len, const char *what,
                    struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q;
    int rc = -1;

    pthread_mutex_lock(&s->mu);
    if ((q = sq_prep(s, sql, err))) {
        sq_bind_text(q, 1, task_id);
        rc = sq_collect(s, q, item_size, decode, release, items, len, what, err);
    }
    sq_done(q);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static const char SQL_NEXT_ID[] =
    "INSERT INTO id_counters(scope, last) VALUES (?1, 1) "
    "ON CONFLICT(scope) DO UPDATE SET last = last + 1 RETURNING last";

int sq_next_id(struct sq_store *s, char prefix, const char *exists_sql, int64_t now,
               char **out, struct rig_err *err)
{
    char scope[32];
    struct tm tm;
    time_t secs = (time_t)(now / 1000);
    sqlite3_stmt *q = NULL;
    char *id = NULL;
    int rc = -1;

    gmtime_r(&secs, &tm);
    snprintf(scope, sizeof(scope), "%c-%04d%02d%02d", prefix, tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday);
    /* Callers may also store ids they chose (imports); skip any such id. */
    for (;;) {
        int64_t n;
        int found;

        if (!(q = sq_prep(s, SQL_NEXT_ID, err)))
            goto out;
        sq_bind_text(q, 1, scope);
        if (sqlite3_step(q) != SQLITE_ROW) {
            sq_fail(s, err, "allocate an id");
            goto out;
        }
        n = sqlite3_column_int64(q, 0);
        sq_done(q);
        q = NULL;
        free(id);
        id = xasprintf("%s-%04lld", scope, (long long)n);

        if (!(q = sq_prep(s, exists_sql, err)))
            goto out;
        sq_bind_text(q, 1, id);
        found = sqlite3_step(q);
        if (found != SQLITE_ROW && found != SQLITE_DONE) {
            sq_fail(s, err, "allocate an id");
            goto out;
        }
        sq_done(q);
        q = NULL;
        if (found == SQLITE_DONE)
            break;
    }
    *out = id;
    id = NULL;
    rc = 0;
out:
    sq_done(q);
    free(id);
    return rc;
}

static const char SQL_TASK_STATUS[] = "SELECT status FROM tasks WHERE id = ?1";

int sq_task_status(struct sq_store *s, const char *id, char **status, struct rig_err *err)
{
    sqlite3_stmt *q = sq_prep(s, SQL_TASK_STATUS, err);
    int rc;

    if (!q)
        return -1;
    sq_bind_text(q, 1, id);
    rc = sq_step_row(s, q, "read task status", err, SQ_NO_TASK, id, s->path);
    if (rc == 0)
        *status = sq_col_text(q, 0);
    sq_done(q);
    return rc;
}

/* ------------------------------------------------------------ migrations -- */

static const char SQL_VERSION_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "  version INTEGER PRIMARY KEY,"
    "  description TEXT NOT NULL,"
    "  applied_at INTEGER NOT NULL"
    ") STRICT";
static const char SQL_VERSION_MAX[] = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
static const char SQL_VERSION_ADD[] =
    "INSERT INTO schema_version(version, description, applied_at) VALUES (?1, ?2, ?3)";

static int read_version(struct sq_store *s, int *out, struct rig_err *err)
{
    sqlite3_stmt *q = sq_prep(s, SQL_VERSION_MAX, err);
    int rc = -1;

    if (!q)
        return -1;
    if (sqlite3_step(q) == SQLITE_ROW) {
        *out = sqlite3_column_int(q, 0);
        rc = 0;
    } else {
        sq_fail(s, err, "read the schema version");
    }
    sq_done(q);
    return rc;
}

static int apply_migration(struct sq_store *s, const struct sq_migration *m,
                           struct rig_err *err)
{
    char *emsg = NULL;
    sqlite3_stmt *q = NULL;
    int rc = -1;

    if (sqlite3_exec(s->db, m->sql, NULL, NULL, &emsg) != SQLITE_OK) {
        rig_err_set(err, RIG_EIO, "database %s: schema migration %d (%s) failed: %s", s->path,
                    m->version, m->description, emsg ? emsg : "unknown error");
        goto out;
    }
    if (!(q = sq_prep(s, SQL_VERSION_ADD, err)))
        goto out;
    sqlite3_bind_int(q, 1, m->version);
    sq_bind_text(q, 2, m->description);
    sqlite3_bind_int64(q, 3, rig_now_ms());
    if (sq_step_done(s, q, err, "record the schema version") < 0)
        goto out;
    rc = 0;
out:
    sq_done(q);
    sqlite3_free(emsg);
    return rc;
}

/* Reading the version after BEGIN IMMEDIATE makes two processes opening a new
 * database at once apply each migration exactly once. */
static int migrate(struct sq_store *s, struct rig_err *err)
{
    int version = 0;
    int latest = sq_migrations[sq_migration_count - 1].version;

    if (sq_begin(s, err) < 0)
        return -1;
    if (sq_exec_simple(s, SQL_VERSION_TABLE, err, "create the schema_version table") < 0 ||
        read_version(s, &version, err) < 0)
        goto fail;
    if (version > latest) {
        rig_err_set(err, RIG_ECONFIG,
                    "database %s has schema version %d but this rig knows only up to %d; "
                    "upgrade rig or use another database",
                    s->path, version, latest);
        goto fail;
    }
    for (size_t i = 0; i < sq_migration_count; i++) {
        if (sq_migrations[i].version <= version)
            continue;
        if (apply_migration(s, &sq_migrations[i], err) < 0)
            goto fail;
    }
    return sq_commit(s, err);
fail:
    sq_rollback(s);
    return -1;
}

/* ------------------------------------------------------------- open/close -- */

/* Create the directory and an empty 0600 file first: SQLite would use the
 * umask, and its -wal/-shm files copy the main file's mode. */
static int prepare_file(const char *path, struct rig_err *err)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    int fd;
    int rc = -1;

    if (slash && slash != dir) {
        *slash = '\0';
        if (rig_mkdirs(dir, 0700, err) < 0) {
            rig_err_prefix(err, "database %s", path);
            goto out;
        }
    }
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno != EEXIST) {
        rig_err_errno(err, errno, "create database file %s", path);
        goto out;
    }
    if (fd >= 0)
        close(fd);
    rc = 0;
out:
    free(dir);
    return rc;
}

static const char SQL_PRAGMAS[] =
    "PRAGMA foreign_keys = ON;"
    /* FULL: in WAL mode NORMAL can lose the last commits on power loss, and
     * every store call promises durability on return. */
    "PRAGMA synchronous = FULL;";

static int configure(struct sq_store *s, struct rig_err *err)
{
    sqlite3_stmt *q = NULL;
    int rc = -1;
    const unsigned char *mode;

    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, SQ_BUSY_TIMEOUT_MS);
    if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &q, NULL) != SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW) {
        sq_fail(s, err, "switch to WAL mode");
        goto out;
    }
    mode = sqlite3_column_text(q, 0);
    if (!mode || strcmp((const char *)mode, "wal") != 0) {
        rig_err_set(err, RIG_EIO,
                    "database %s: cannot use WAL mode (got '%s'); the file system may not "
                    "support shared memory (network mounts do not)",
                    s->path, mode ? (const char *)mode : "");
        goto out;
    }
    if (sqlite3_exec(s->db, SQL_PRAGMAS, NULL, NULL, NULL) != SQLITE_OK) {
        sq_fail(s, err, "configure the connection");
        goto out;
    }
    rc = 0;
out:
    sqlite3_finalize(q);
    return rc;
}

static void sq_close(struct rig_store *st)
{
    struct sq_store *s = sq_of(st);

    for (size_t i = 0; i < s->ncache; i++)
        sqlite3_finalize(s->cache[i].stmt);
    free(s->cache);
    if (s->db && sqlite3_close(s->db) != SQLITE_OK)
        log_warn("closing database %s: %s", s->path, sqlite3_errmsg(s->db));
    pthread_mutex_destroy(&s->mu);
    free(s->path);
    free(s);
}

static const char SQL_SCHEMA_VERSION[] = "SELECT COALESCE(MAX(version), 0) FROM schema_version";

static int sq_schema_version(struct rig_store *st, int *out, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q;
    int rc = -1;

    pthread_mutex_lock(&s->mu);
    if (!(q = sq_prep(s, SQL_SCHEMA_VERSION, err)))
        goto out;
    if (sqlite3_step(q) != SQLITE_ROW) {
        sq_fail(s, err, "read the schema version");
        goto out;
    }
    *out = sqlite3_column_int(q, 0);
    rc = 0;
out:
    sq_done(q);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* ------------------------------------------------------------- settings -- */

static const char SQL_SETTING_GET[] = "SELECT value FROM settings WHERE key = ?1";
static const char SQL_SETTING_SET[] =
    "INSERT INTO settings(key, value, updated_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
static const char SQL_SETTING_DELETE[] = "DELETE FROM settings WHERE key = ?1";

static int read_setting(struct sq_store *s, sqlite3_stmt *q, void *out, struct rig_err *err)
{
    (void)s;
    (void)err;
    *(char **)out = sq_col_text(q, 0);
    return 0;
}

int sq_setting_get(struct rig_store *st, const char *key, char **value, struct rig_err *err)
{
    return sq_lookup(st, SQL_SETTING_GET, key, read_setting, value, "read a setting", err,
                     "setting '%s' is not set", key);
}

int sq_setting_set(struct rig_store *st, const char *key, const char *value,
                   struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_write_open(s, SQL_SETTING_SET, err);

    if (!q)
        return -1;
    sq_bind_text(q, 1, key);
    sq_bind_text(q, 2, value);
    sqlite3_bind_int64(q, 3, rig_now_ms());
    return sq_write_close(s, q, sq_step_done(s, q, err, "store a setting"), err);
}

int sq_setting_delete(struct rig_store *st, const char *key, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_write_open(s, SQL_SETTING_DELETE, err);
    int rc;

    if (!q)
        return -1;
    sq_bind_text(q, 1, key);
    rc = sq_step_done(s, q, err, "delete a setting");
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = rig_err_set(err, RIG_ENOTFOUND, "setting '%s' is not set", key);
    return sq_write_close(s, q, rc, err);
}

/* --------------------------------------------------- webhook deliveries -- */

static const char SQL_DELIVERY_RECORD[] =
    "INSERT INTO webhook_deliveries(delivery_id, event, received_at, status, task_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(delivery_id) DO NOTHING";
static const char SQL_DELIVERY_UPDATE[] =
    "UPDATE webhook_deliveries SET status = ?2, task_id = ?3 WHERE delivery_id = ?1";
static const char SQL_DELIVERY_GET[] =
    "SELECT delivery_id, event, received_at, status, task_id FROM webhook_deliveries "
    "WHERE delivery_id = ?1";

int sq_delivery_record(struct rig_store *st, const struct rig_delivery *d, bool *duplicate,
                       struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_write_open(s, SQL_DELIVERY_RECORD, err);
    int rc;

    if (!q)
        return -1;
    sq_bind_text(q, 1, d->delivery_id);
    sq_bind_text(q, 2, d->event);
    sqlite3_bind_int64(q, 3, d->received_at ? d->received_at : rig_now_ms());
    sq_bind_text(q, 4, d->status);
    sq_bind_text(q, 5, d->task_id);
    rc = sq_step_done(s, q, err, "record a webhook delivery");
    if (rc == 0)
        *duplicate = sqlite3_changes(s->db) == 0;
    return sq_write_close(s, q, rc, err);
}

int sq_delivery_update(struct rig_store *st, const char *delivery_id, const char *status,
                       const char *task_id, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_write_open(s, SQL_DELIVERY_UPDATE, err);
    int rc;

    if (!q)
        return -1;
    sq_bind_text(q, 1, delivery_id);
    sq_bind_text(q, 2, status);
    sq_bind_text(q, 3, task_id);
    rc = sq_step_done(s, q, err, "update a webhook delivery");
    if (rc == 0 && sqlite3_changes(s->db) == 0)
        rc = rig_err_set(err, RIG_ENOTFOUND, "webhook delivery '%s' was never recorded",
                         delivery_id);
    return sq_write_close(s, q, rc, err);
}

static int read_delivery(struct sq_store *s, sqlite3_stmt *q, void *item, struct rig_err *err)
{
    struct rig_delivery *d = item;

    (void)s;
    (void)err;
    memset(d, 0, sizeof(*d));
    d->delivery_id = sq_col_text(q, 0);
    d->event = sq_col_text(q, 1);
    d->received_at = sqlite3_column_int64(q, 2);
    d->status = sq_col_text(q, 3);
    d->task_id = sq_col_text(q, 4);
    return 0;
}

int sq_delivery_get(struct rig_store *st, const char *delivery_id, struct rig_delivery *out,
                    struct rig_err *err)
{
    return sq_lookup(st, SQL_DELIVERY_GET, delivery_id, read_delivery, out,
                     "read a webhook delivery", err, "webhook delivery '%s' was never recorded",
                     delivery_id);
}

/* ----------------------------------------------------- policy violations -- */

static const char SQL_VIOLATION_ADD[] =
    "INSERT INTO policy_violations(task_id, attempt, policy, rule, action, message, "
    "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id";
static const char SQL_VIOLATION_LIST[] =
    "SELECT id, task_id, attempt, policy, rule, action, message, created_at "
    "FROM policy_violations WHERE task_id = ?1 ORDER BY id";

int sq_violation_add(struct rig_store *st, struct rig_policy_violation *v, struct rig_err *err)
{
    struct sq_store *s = sq_of(st);
    sqlite3_stmt *q = sq_write_open(s, SQL_VIOLATION_ADD, err);
    int64_t now = v->created_at ? v->created_at : rig_now_ms();
    int64_t id = 0;

    if (!q)
        return -1;
    sq_bind_text(q, 1, v->task_id);
    sqlite3_bind_int(q, 2, v->attempt);
    sq_bind_text(q, 3, v->policy);
    sq_bind_text(q, 4, v->rule);
    sq_bind_text(q, 5, v->action);
    sq_bind_text(q, 6, v->message);
    sqlite3_bind_int64(q, 7, now);
    if (sq_write_close(s, q, sq_step_returning(s, q, &id, "record a policy violation", err),
                       err) < 0)
        return -1;
    v->id = id;
    v->created_at = now;
    return 0;
}

static int read_violation(struct sq_store *s, sqlite3_stmt *q, void *item, struct rig_err *err)
{
    struct rig_policy_violation *v = item;

    (void)s;
    (void)err;
    memset(v, 0, sizeof(*v));
    v->id = sqlite3_column_int64(q, 0);
    v->task_id = sq_col_text(q, 1);
    v->attempt = sqlite3_column_int(q, 2);
    v->policy = sq_col_text(q, 3);
    v->rule = sq_col_text(q, 4);
    v->action = sq_col_text(q, 5);
    v->message = sq_col_text(q, 6);
    v->created_at = sqlite3_column_int64(q, 7);
    return 0;
}

static void release_violation(void *item)
{
    rig_policy_violation_release(item);
}

int sq_violation_list(struct rig_store *st, const char *task_id,
                      struct rig_policy_violation_list *out, struct rig_err *err)
{
    void *items;

    if (sq_list_by_task(st, SQL_VIOLATION_LIST, task_id, sizeof(*out->items), read_violation,
                        release_violation, &items, &out->len, "list policy violations",
                        err) < 0)
        return -1;
    out->items = items;
    return 0;
}

/* ------------------------------------------------------------------ open -- */

static const struct rig_store_ops sq_ops = {
    .name = "sqlite",
    .close = sq_close,
    .schema_version = sq_schema_version,
    .project_upsert = sq_project_upsert,
    .project_get = sq_project_get,
    .task_create = sq_task_create,
    .task_get = sq_task_get,
    .task_list = sq_task_list,
    .task_update_phase = sq_task_update_phase,
    .task_set_result = sq_task_set_result,
    .task_set_pr = sq_task_set_pr,
    .task_set_branch = sq_task_set_branch,
    .task_set_workspace = sq_task_set_workspace,
    .task_set_owner = sq_task_set_owner,
    .task_set_attempt = sq_task_set_attempt,
    .task_add_usage = sq_task_add_usage,
    .task_request_cancel = sq_task_request_cancel,
    .task_is_cancel_requested = sq_task_is_cancel_requested,
    .task_list_owned_running = sq_task_list_owned_running,
    .task_mark_interrupted = sq_task_mark_interrupted,
    .step_begin = sq_step_begin,
    .step_end = sq_step_end,
    .step_list = sq_step_list,
    .attempt_add = sq_attempt_add,
    .attempt_update = sq_attempt_update,
    .attempt_list = sq_attempt_list,
    .proposal_create = sq_proposal_create,
    .proposal_get = sq_proposal_get,
    .proposal_get_pending = sq_proposal_get_pending,
    .proposal_list = sq_proposal_list,
    .proposal_decide = sq_proposal_decide,
    .proposal_expire = sq_proposal_expire,
    .log_append = sq_log_append,
    .log_list = sq_log_list,
    .violation_add = sq_violation_add,
    .violation_list = sq_violation_list,
    .setting_get = sq_setting_get,
    .setting_set = sq_setting_set,
    .setting_delete = sq_setting_delete,
    .delivery_record = sq_delivery_record,
    .delivery_update = sq_delivery_update,
    .delivery_get = sq_delivery_get,
};

int rig_store_sqlite_open(const char *path, struct rig_store **out, struct rig_err *err)
{
    struct sq_store *s = NULL;
    int rc = -1;

    if (!*path)
        return rig_err_set(err, RIG_EINVAL, "database path is empty");
    if (prepare_file(path, err) < 0)
        return -1;
    s = xcalloc(1, sizeof(*s));
    s->base.ops = &sq_ops;
    s->path = xstrdup(path);
    pthread_mutex_init(&s->mu, NULL);
    /* NOMUTEX: s->mu already serialises every use of the connection. */
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        rig_err_set(err, RIG_EIO, "open database %s: %s", path,
                    s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto out;
    }
    if (configure(s, err) < 0 || migrate(s, err) < 0)
        goto out;
    *out = &s->base;
    s = NULL;
    rc = 0;
out:
    if (s)
        sq_close(&s->base);
    return rc;
}
