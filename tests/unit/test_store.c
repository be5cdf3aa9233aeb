#include "testutil.h"

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/store.h"

/* A day in November 2026 (UTC), so ids are predictable: t-20261122-NNNN. */
#define DAY_MS 1795305600000LL /* 2026-11-22T00:00:00Z */

struct fx {
    char *dir;
    char *path;
    struct rig_store *st;
};

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof(*f));
    struct rig_err err = RIG_ERR_INIT;
    struct rig_project p = {.name = "demo", .platform = "github", .repo = "acme/demo",
                            .base_branch = "main"};

    f->dir = tu_mkdtemp("rig-store");
    f->path = xasprintf("%s/nested/dir/rig.db", f->dir);
    if (rig_store_open(f->path, &f->st, &err) < 0) {
        print_error("open: %s\n", err.msg);
        return -1;
    }
    if (rig_store_project_upsert(f->st, &p, &err) < 0) {
        print_error("project: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    rig_store_close(f->st);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f->path);
    free(f);
    rig_secret_clear();
    return 0;
}

/* Create a running task in project demo; returns its id (caller frees). */
static char *mk_task(struct rig_store *st, int64_t created, const char *issue)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_task t = {.project = "demo", .issue_id = (char *)issue, .issue_number = 7,
                         .phase = RIG_PHASE_QUEUED, .status = RIG_TASK_RUNNING,
                         .created_at = created};

    if (rig_store_task_create(st, &t, &err) < 0)
        fail_msg("task create: %s", err.msg);
    return t.id;
}

static bool is_id(const char *id, char prefix)
{
    if (!id || strlen(id) != 15 || id[0] != prefix || id[1] != '-' || id[10] != '-')
        return false;
    for (int i = 2; i < 15; i++) {
        if (i != 10 && (id[i] < '0' || id[i] > '9'))
            return false;
    }
    return true;
}

/* ------------------------------------------------------------ open/migrate -- */

static void test_open_creates_private_file(void **state)
{
    struct fx *f = *state;
    struct stat sb;
    char *wal = xasprintf("%s-wal", f->path);
    char *dir = xasprintf("%s/nested/dir", f->dir);

    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(stat(wal, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(stat(dir, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_string_equal(rig_store_backend(f->st), "sqlite");
    free(wal);
    free(dir);
}

static void test_open_urls(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_store *st = NULL;
    char *url = xasprintf("sqlite:%s", f->path);
    char *url2 = xasprintf("sqlite://%s", f->path);
    char *junk = xasprintf("%s/junk.db", f->dir);
    int v = 0;

    assert_int_equal(rig_store_open(url, &st, &err), 0);
    assert_int_equal(rig_store_schema_version(st, &v, &err), 0);
    assert_int_equal(v, 1);
    rig_store_close(st);
    assert_int_equal(rig_store_open(url2, &st, &err), 0);
    rig_store_close(st);
    st = NULL;

    assert_int_equal(rig_store_open("postgres://rig@localhost/rig", &st, &err), -1);
    assert_int_equal(err.code, RIG_ECONFIG);
    assert_non_null(strstr(err.msg, "not supported yet"));
    assert_null(st);
    assert_int_equal(rig_store_open("postgresql://localhost/rig", &st, &err), -1);
    assert_int_equal(err.code, RIG_ECONFIG);
    assert_int_equal(rig_store_open("mysql://localhost/rig", &st, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    assert_non_null(strstr(err.msg, "mysql"));
    assert_int_equal(rig_store_open("", &st, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    assert_int_equal(rig_store_open("sqlite:", &st, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);

    tu_write_file(junk, "this is not a database, just some text that is long enough ...");
    assert_int_equal(rig_store_open(junk, &st, &err), -1);
    assert_int_equal(err.code, RIG_EIO);
    assert_non_null(strstr(err.msg, junk));
    assert_null(st);
    free(url);
    free(url2);
    free(junk);
}

static void test_migrations_idempotent(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_store *again = NULL;
    struct rig_project p = {0};
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    int v = 0;
    int rows = 0;

    /* A second handle while the first is open, then a reopen: nothing is
     * re-applied and the data stays. */
    assert_int_equal(rig_store_open(f->path, &again, &err), 0);
    assert_int_equal(rig_store_schema_version(again, &v, &err), 0);
    assert_int_equal(v, 1);
    assert_int_equal(rig_store_project_get(again, "demo", &p, &err), 0);
    assert_string_equal(p.repo, "acme/demo");
    rig_project_release(&p);
    rig_store_close(again);
    rig_store_close(f->st);
    f->st = NULL;
    assert_int_equal(rig_store_open(f->path, &f->st, &err), 0);

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT version, description, applied_at FROM "
                                            "schema_version ORDER BY version",
                                        -1, &q, NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        rows++;
        assert_int_equal(sqlite3_column_int(q, 0), rows);
        assert_string_equal((const char *)sqlite3_column_text(q, 1), "initial schema");
        assert_true(sqlite3_column_int64(q, 2) > 0);
    }
    sqlite3_finalize(q);
    assert_int_equal(rows, 1);
    /* WAL is a property of the file, so every later connection gets it. */
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);

    /* A database from a newer rig is refused, not silently used. */
    assert_int_equal(sqlite3_exec(db, "INSERT INTO schema_version VALUES (99, 'future', 1)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(rig_store_open(f->path, &again, &err), -1);
    assert_int_equal(err.code, RIG_ECONFIG);
    assert_non_null(strstr(err.msg, "schema version 99"));
}

/* ---------------------------------------------------------------- projects -- */

static void test_project_upsert(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_project p = {0};
    struct rig_project upd = {.name = "demo", .platform = "gitlab", .repo = "acme/other",
                              .base_branch = "develop", .created_at = 5};
    int64_t created;

    assert_int_equal(rig_store_project_get(f->st, "demo", &p, &err), 0);
    assert_string_equal(p.platform, "github");
    created = p.created_at;
    assert_true(created > 0);
    rig_project_release(&p);
    assert_int_equal(rig_store_project_upsert(f->st, &upd, &err), 0);
    assert_int_equal(rig_store_project_get(f->st, "demo", &p, &err), 0);
    assert_string_equal(p.platform, "gitlab");
    assert_string_equal(p.repo, "acme/other");
    assert_string_equal(p.base_branch, "develop");
    assert_int_equal(p.created_at, created);
    rig_project_release(&p);
    assert_int_equal(rig_store_project_get(f->st, "nope", &p, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    upd.name = "";
    assert_int_equal(rig_store_project_upsert(f->st, &upd, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
}

/* ------------------------------------------------------------------- tasks -- */

static void test_task_create_get_roundtrip(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_task t = {
        .project = "demo", .issue_id = "I_kwDO123", .issue_number = 42,
        .issue_title = "Login fails", .issue_body = "Steps:\n1. click", .issue_url = "https://x/42",
        .branch = "rig/issue-42", .base_branch = "main", .workspace = "/tmp/ws",
        .phase = RIG_PHASE_PLANNING, .status = RIG_TASK_RUNNING, .attempt = 1, .max_retry = 3,
        .result = "r", .error = "e", .pr_url = "https://x/pr/1", .pr_number = 1,
        .pr_title = "Fix", .pr_body = "Body", .tokens_in = 10, .tokens_out = 20,
        .cost_usd = 0.25, .created_at = DAY_MS + 1000, .started_at = DAY_MS + 2000,
        .dry_run = true, .owner_pid = 1234, .cancel_requested = false};
    struct rig_task g = {0};
    struct rig_task t2 = {.project = "demo", .created_at = DAY_MS + 5000};
    struct rig_task dup = {.id = "t-20261122-0001", .project = "demo"};
    struct rig_task own = {.id = "import-1", .project = "demo"};
    struct rig_task bad = {.project = "ghost"};

    assert_int_equal(rig_store_task_create(f->st, &t, &err), 0);
    assert_string_equal(t.id, "t-20261122-0001");
    assert_int_equal(t.updated_at, DAY_MS + 1000);
    assert_int_equal(rig_store_task_get(f->st, t.id, &g, &err), 0);
    assert_string_equal(g.id, t.id);
    assert_string_equal(g.project, "demo");
    assert_string_equal(g.issue_id, "I_kwDO123");
    assert_int_equal(g.issue_number, 42);
    assert_string_equal(g.issue_title, "Login fails");
    assert_string_equal(g.issue_body, "Steps:\n1. click");
    assert_string_equal(g.issue_url, "https://x/42");
    assert_string_equal(g.branch, "rig/issue-42");
    assert_string_equal(g.base_branch, "main");
    assert_string_equal(g.workspace, "/tmp/ws");
    assert_int_equal(g.phase, RIG_PHASE_PLANNING);
    assert_int_equal(g.status, RIG_TASK_RUNNING);
    assert_int_equal(g.attempt, 1);
    assert_int_equal(g.max_retry, 3);
    assert_string_equal(g.result, "r");
    assert_string_equal(g.error, "e");
    assert_string_equal(g.pr_url, "https://x/pr/1");
    assert_int_equal(g.pr_number, 1);
    assert_string_equal(g.pr_title, "Fix");
    assert_string_equal(g.pr_body, "Body");
    assert_int_equal(g.tokens_in, 10);
    assert_int_equal(g.tokens_out, 20);
    assert_true(g.cost_usd > 0.2499 && g.cost_usd < 0.2501);
    assert_int_equal(g.created_at, DAY_MS + 1000);
    assert_int_equal(g.started_at, DAY_MS + 2000);
    assert_int_equal(g.ended_at, 0);
    assert_true(g.dry_run);
    assert_int_equal(g.owner_pid, 1234);
    assert_false(g.cancel_requested);
    rig_task_release(&g);

    /* Unset strings come back as NULL, and the per-day counter advances. */
    assert_int_equal(rig_store_task_create(f->st, &t2, &err), 0);
    assert_string_equal(t2.id, "t-20261122-0002");
    assert_int_equal(rig_store_task_get(f->st, t2.id, &g, &err), 0);
    assert_null(g.issue_title);
    assert_int_equal(g.phase, RIG_PHASE_QUEUED);
    rig_task_release(&g);

    assert_int_equal(rig_store_task_create(f->st, &dup, &err), -1);
    assert_int_equal(err.code, RIG_ECONFLICT);
    assert_int_equal(rig_store_task_create(f->st, &own, &err), 0);
    assert_string_equal(own.id, "import-1");
    assert_int_equal(rig_store_task_create(f->st, &bad, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_non_null(strstr(err.msg, "ghost"));
    assert_int_equal(rig_store_task_get(f->st, "t-19990101-0001", &g, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_int_equal(rig_store_task_get(f->st, "", &g, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    free(t.id);
    free(t2.id);
}

static void test_task_id_skips_taken(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_task imported = {.id = "t-20261122-0001", .project = "demo"};
    char *id;

    assert_int_equal(rig_store_task_create(f->st, &imported, &err), 0);
    id = mk_task(f->st, DAY_MS + 10, NULL);
    assert_string_equal(id, "t-20261122-0002");
    free(id);
    id = mk_task(f->st, 0, NULL);
    assert_true(is_id(id, 't'));
    free(id);
}

static void test_task_list_order_and_filters(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_project other = {.name = "other"};
    struct rig_task ot = {.project = "other", .status = RIG_TASK_COMPLETED,
                          .created_at = DAY_MS + 2500, .issue_id = "9"};
    struct rig_task_list l = {0};
    struct rig_task_filter flt = {0};
    char *a, *b, *c;

    /* Created out of order on purpose: the list sorts by created_at. */
    b = mk_task(f->st, DAY_MS + 2000, "1");
    a = mk_task(f->st, DAY_MS + 1000, "1");
    c = mk_task(f->st, DAY_MS + 3000, "2");
    assert_int_equal(rig_store_project_upsert(f->st, &other, &err), 0);
    assert_int_equal(rig_store_task_create(f->st, &ot, &err), 0);
    assert_int_equal(rig_store_task_update_phase(f->st, b, RIG_PHASE_AWAITING_APPROVAL,
                                                 RIG_TASK_AWAITING_APPROVAL, &err),
                     0);

    assert_int_equal(rig_store_task_list(f->st, NULL, &l, &err), 0);
    assert_int_equal(l.len, 4);
    assert_string_equal(l.items[0].id, c);
    assert_string_equal(l.items[1].id, ot.id);
    assert_string_equal(l.items[2].id, b);
    assert_string_equal(l.items[3].id, a);
    rig_task_list_release(&l);

    flt.project = "demo";
    assert_int_equal(rig_store_task_list(f->st, &flt, &l, &err), 0);
    assert_int_equal(l.len, 3);
    assert_string_equal(l.items[0].id, c);
    rig_task_list_release(&l);

    flt.status_mask = RIG_TASK_STATUS_BIT(RIG_TASK_AWAITING_APPROVAL) |
                      RIG_TASK_STATUS_BIT(RIG_TASK_COMPLETED);
    assert_int_equal(rig_store_task_list(f->st, &flt, &l, &err), 0);
    assert_int_equal(l.len, 1);
    assert_string_equal(l.items[0].id, b);
    assert_int_equal(l.items[0].status, RIG_TASK_AWAITING_APPROVAL);
    rig_task_list_release(&l);

    flt.project = NULL;
    assert_int_equal(rig_store_task_list(f->st, &flt, &l, &err), 0);
    assert_int_equal(l.len, 2);
    assert_string_equal(l.items[0].id, ot.id);
    assert_string_equal(l.items[1].id, b);
    rig_task_list_release(&l);

    memset(&flt, 0, sizeof(flt));
    flt.issue_id = "1";
    assert_int_equal(rig_store_task_list(f->st, &flt, &l, &err), 0);
    assert_int_equal(l.len, 2);
    assert_string_equal(l.items[0].id, b);
    assert_string_equal(l.items[1].id, a);
    rig_task_list_release(&l);

    memset(&flt, 0, sizeof(flt));
    flt.limit = 2;
    flt.offset = 1;
    assert_int_equal(rig_store_task_list(f->st, &flt, &l, &err), 0);
    assert_int_equal(l.len, 2);
    assert_string_equal(l.items[0].id, ot.id);
    assert_string_equal(l.items[1].id, b);
    rig_task_list_release(&l);

    flt.status_mask = 1u << 20;
    assert_int_equal(rig_store_task_list(f->st, &flt, &l, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    free(a);
    free(b);
    free(c);
    free(ot.id);
}

static void test_update_phase_writes_steps(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_step_list sl = {0};
    struct rig_task t = {0};
    char *id = mk_task(f->st, 0, NULL);

    assert_int_equal(rig_store_task_update_phase(f->st, id, RIG_PHASE_PLANNING,
                                                 RIG_TASK_RUNNING, &err), 0);
    assert_int_equal(rig_store_task_get(f->st, id, &t, &err), 0);
    assert_int_equal(t.phase, RIG_PHASE_PLANNING);
    assert_true(t.started_at > 0);
    assert_true(t.updated_at >= t.started_at);
    rig_task_release(&t);
    assert_int_equal(rig_store_task_set_attempt(f->st, id, 1, &err), 0);
    assert_int_equal(rig_store_task_update_phase(f->st, id, RIG_PHASE_CODING,
                                                 RIG_TASK_RUNNING, &err), 0);
    assert_int_equal(rig_store_task_update_phase(f->st, id, RIG_PHASE_FAILED, RIG_TASK_FAILED,
                                                 &err), 0);

    assert_int_equal(rig_store_step_list(f->st, id, &sl, &err), 0);
    assert_int_equal(sl.len, 2);
    assert_int_equal(sl.items[0].seq, 1);
    assert_int_equal(sl.items[0].phase, RIG_PHASE_PLANNING);
    assert_int_equal(sl.items[0].status, RIG_STEP_OK);
    assert_int_equal(sl.items[0].attempt, 0);
    assert_true(sl.items[0].ended_at >= sl.items[0].started_at);
    assert_int_equal(sl.items[0].duration_ms, sl.items[0].ended_at - sl.items[0].started_at);
    assert_null(sl.items[0].error);
    assert_int_equal(sl.items[1].seq, 2);
    assert_int_equal(sl.items[1].phase, RIG_PHASE_CODING);
    assert_int_equal(sl.items[1].attempt, 1);
    assert_int_equal(sl.items[1].status, RIG_STEP_FAILED);
    assert_string_equal(sl.items[1].error, "task failed");
    rig_step_list_release(&sl);

    assert_int_equal(rig_store_task_get(f->st, id, &t, &err), 0);
    assert_int_equal(t.phase, RIG_PHASE_FAILED);
    assert_int_equal(t.status, RIG_TASK_FAILED);
    assert_true(t.ended_at > 0);
    rig_task_release(&t);

    /* Resumed (e.g. after approval): running again clears ended_at and a new
     * step begins. */
    assert_int_equal(rig_store_task_update_phase(f->st, id, RIG_PHASE_DEPLOYING,
                                                 RIG_TASK_RUNNING, &err), 0);
    assert_int_equal(rig_store_task_get(f->st, id, &t, &err), 0);
    assert_int_equal(t.ended_at, 0);
    rig_task_release(&t);
    assert_int_equal(rig_store_step_list(f->st, id, &sl, &err), 0);
    assert_int_equal(sl.len, 3);
    assert_int_equal(sl.items[2].status, RIG_STEP_RUNNING);
    assert_int_equal(sl.items[2].phase, RIG_PHASE_DEPLOYING);
    assert_int_equal(sl.items[2].ended_at, 0);
    rig_step_list_release(&sl);

    assert_int_equal(rig_store_task_update_phase(f->st, "t-00000000-0000", RIG_PHASE_CODING,
                                                 RIG_TASK_RUNNING, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_int_equal(rig_store_task_update_phase(f->st, id, (enum rig_phase)99,
                                                 RIG_TASK_RUNNING, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    free(id);
}

static void test_step_begin_end(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_step_list sl = {0};
    char *id = mk_task(f->st, 0, NULL);
    int64_t s1 = 0, s2 = 0;

    assert_int_equal(rig_store_step_begin(f->st, id, RIG_PHASE_DEPLOYING, &s1, &err), 0);
    assert_int_equal(rig_store_step_begin(f->st, id, RIG_PHASE_TESTING, &s2, &err), 0);
    assert_int_equal(s1, 1);
    assert_int_equal(s2, 2);
    assert_int_equal(rig_store_step_end(f->st, id, s2, RIG_STEP_SKIPPED, NULL, &err), 0);
    assert_int_equal(rig_store_step_end(f->st, id, s1, RIG_STEP_FAILED, "exit 2", &err), 0);
    assert_int_equal(rig_store_step_end(f->st, id, s1, RIG_STEP_OK, NULL, &err), -1);
    assert_int_equal(err.code, RIG_ECONFLICT);
    assert_int_equal(rig_store_step_end(f->st, id, 77, RIG_STEP_OK, NULL, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_int_equal(rig_store_step_end(f->st, id, s1, RIG_STEP_RUNNING, NULL, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    assert_int_equal(rig_store_step_begin(f->st, "nope", RIG_PHASE_DEPLOYING, NULL, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);

    assert_int_equal(rig_store_step_list(f->st, id, &sl, &err), 0);
    assert_int_equal(sl.len, 2);
    assert_int_equal(sl.items[0].status, RIG_STEP_FAILED);
    assert_string_equal(sl.items[0].error, "exit 2");
    assert_string_equal(sl.items[0].task_id, id);
    assert_int_equal(sl.items[1].status, RIG_STEP_SKIPPED);
    assert_int_equal(sl.items[1].phase, RIG_PHASE_TESTING);
    rig_step_list_release(&sl);
    free(id);
}

static void test_task_setters(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_task t = {0};
    char *id = mk_task(f->st, DAY_MS, NULL);

    assert_int_equal(rig_store_task_set_result(f->st, id, "done", NULL, &err), 0);
    assert_int_equal(rig_store_task_set_pr(f->st, id, "https://gh/pr/9", 9, "T", "B", &err), 0);
    assert_int_equal(rig_store_task_set_branch(f->st, id, "rig/issue-7", &err), 0);
    assert_int_equal(rig_store_task_set_workspace(f->st, id, "/w/7", &err), 0);
    assert_int_equal(rig_store_task_set_owner(f->st, id, 4321, &err), 0);
    assert_int_equal(rig_store_task_set_attempt(f->st, id, 2, &err), 0);
    assert_int_equal(rig_store_task_add_usage(f->st, id, 100, 50, 0.5, &err), 0);
    assert_int_equal(rig_store_task_add_usage(f->st, id, 1, 2, 0.25, &err), 0);
    assert_int_equal(rig_store_task_get(f->st, id, &t, &err), 0);
    assert_string_equal(t.result, "done");
    assert_null(t.error);
    assert_string_equal(t.pr_url, "https://gh/pr/9");
    assert_int_equal(t.pr_number, 9);
    assert_string_equal(t.pr_title, "T");
    assert_string_equal(t.pr_body, "B");
    assert_string_equal(t.branch, "rig/issue-7");
    assert_string_equal(t.workspace, "/w/7");
    assert_int_equal(t.owner_pid, 4321);
    assert_int_equal(t.attempt, 2);
    assert_int_equal(t.tokens_in, 101);
    assert_int_equal(t.tokens_out, 52);
    assert_true(t.cost_usd > 0.7499 && t.cost_usd < 0.7501);
    assert_true(t.updated_at > DAY_MS);
    rig_task_release(&t);

    assert_int_equal(rig_store_task_add_usage(f->st, id, -1, 0, 0, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    assert_int_equal(rig_store_task_set_branch(f->st, "missing", "x", &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_int_equal(rig_store_task_set_owner(f->st, NULL, 1, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    free(id);
}

static void test_cancel(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    char *id = mk_task(f->st, 0, NULL);
    char *done = mk_task(f->st, 0, NULL);
    bool c = true;

    assert_int_equal(rig_store_task_is_cancel_requested(f->st, id, &c, &err), 0);
    assert_false(c);
    assert_int_equal(rig_store_task_request_cancel(f->st, id, &err), 0);
    assert_int_equal(rig_store_task_is_cancel_requested(f->st, id, &c, &err), 0);
    assert_true(c);
    assert_int_equal(rig_store_task_update_phase(f->st, done, RIG_PHASE_COMPLETED,
                                                 RIG_TASK_COMPLETED, &err), 0);
    assert_int_equal(rig_store_task_request_cancel(f->st, done, &err), -1);
    assert_int_equal(err.code, RIG_ECONFLICT);
    assert_non_null(strstr(err.msg, "completed"));
    assert_int_equal(rig_store_task_request_cancel(f->st, "nope", &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_int_equal(rig_store_task_is_cancel_requested(f->st, "nope", &c, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    free(id);
    free(done);
}

static pid_t dead_pid(void)
{
    pid_t pid = fork();
    int st;

    if (pid == 0)
        _exit(0);
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return pid;
}

static bool none_alive(pid_t pid, void *ctx)
{
    (void)pid;
    (*(int *)ctx)++;
    return false;
}

static void test_interrupted_detection(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_task_list l = {0};
    struct rig_step_list sl = {0};
    struct rig_task t = {0};
    pid_t dead = dead_pid();
    char *crashed = mk_task(f->st, DAY_MS + 1, NULL);
    char *alive = mk_task(f->st, DAY_MS + 2, NULL);
    char *unowned = mk_task(f->st, DAY_MS + 3, NULL);
    char *finished = mk_task(f->st, DAY_MS + 4, NULL);
    int calls = 0;

    assert_int_equal(rig_store_task_set_owner(f->st, crashed, dead, &err), 0);
    assert_int_equal(rig_store_task_update_phase(f->st, crashed, RIG_PHASE_TESTING,
                                                 RIG_TASK_RUNNING, &err), 0);
    assert_int_equal(rig_store_task_set_owner(f->st, alive, getpid(), &err), 0);
    assert_int_equal(rig_store_task_set_owner(f->st, finished, dead, &err), 0);
    assert_int_equal(rig_store_task_update_phase(f->st, finished, RIG_PHASE_COMPLETED,
                                                 RIG_TASK_COMPLETED, &err), 0);

    assert_int_equal(rig_store_task_find_interrupted(f->st, NULL, NULL, &l, &err), 0);
    assert_int_equal(l.len, 1);
    assert_string_equal(l.items[0].id, crashed);
    assert_int_equal(l.items[0].owner_pid, dead);
    rig_task_list_release(&l);

    /* A caller-supplied check sees only running, owned tasks, oldest first. */
    assert_int_equal(rig_store_task_find_interrupted(f->st, none_alive, &calls, &l, &err), 0);
    assert_int_equal(calls, 2);
    assert_int_equal(l.len, 2);
    assert_string_equal(l.items[0].id, crashed);
    assert_string_equal(l.items[1].id, alive);
    rig_task_list_release(&l);

    assert_int_equal(rig_store_task_mark_interrupted(f->st, crashed, &err), 0);
    assert_int_equal(rig_store_task_get(f->st, crashed, &t, &err), 0);
    assert_int_equal(t.status, RIG_TASK_INTERRUPTED);
    assert_int_equal(t.phase, RIG_PHASE_INTERRUPTED);
    assert_true(t.ended_at > 0);
    rig_task_release(&t);
    assert_int_equal(rig_store_step_list(f->st, crashed, &sl, &err), 0);
    assert_int_equal(sl.len, 1);
    assert_int_equal(sl.items[0].phase, RIG_PHASE_TESTING);
    assert_int_equal(sl.items[0].status, RIG_STEP_FAILED);
    assert_string_equal(sl.items[0].error, "task interrupted");
    rig_step_list_release(&sl);

    assert_int_equal(rig_store_task_mark_interrupted(f->st, crashed, &err), -1);
    assert_int_equal(err.code, RIG_ECONFLICT);
    assert_int_equal(rig_store_task_mark_interrupted(f->st, finished, &err), -1);
    assert_int_equal(err.code, RIG_ECONFLICT);
    assert_int_equal(rig_store_task_find_interrupted(f->st, NULL, NULL, &l, &err), 0);
    assert_int_equal(l.len, 0);
    rig_task_list_release(&l);
    free(crashed);
    free(alive);
    free(unowned);
    free(finished);
}

/* ---------------------------------------------------------------- attempts -- */

static void test_attempts(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_attempt_list l = {0};
    char *id = mk_task(f->st, 0, NULL);
    struct rig_attempt a2 = {.task_id = id, .number = 2, .deploy_ok = -1};
    struct rig_attempt a1 = {.task_id = id, .number = 1,
                             .changes_json = "{\"plan\":\"p\",\"files\":[{\"path\":\"a.c\"}]}",
                             .deploy_ok = -1, .tokens_in = 5, .tokens_out = 6, .cost_usd = 0.1};
    struct rig_attempt bad = {.task_id = id, .number = 3, .changes_json = "{not json",
                              .deploy_ok = -1};

    assert_int_equal(rig_store_attempt_add(f->st, &a2, &err), 0);
    assert_int_equal(rig_store_attempt_add(f->st, &a1, &err), 0);
    assert_int_equal(rig_store_attempt_add(f->st, &a1, &err), -1);
    assert_int_equal(err.code, RIG_ECONFLICT);
    assert_int_equal(rig_store_attempt_add(f->st, &bad, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    bad.changes_json = NULL;
    bad.task_id = "nope";
    assert_int_equal(rig_store_attempt_add(f->st, &bad, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);

    a1.deploy_ok = 1;
    a1.deploy_log = "deployed";
    a1.tests_json = "[{\"name\":\"unit\",\"ok\":false,\"exit_code\":1,\"duration_ms\":12,"
                    "\"output_tail\":\"FAIL\"}]";
    assert_int_equal(rig_store_attempt_update(f->st, &a1, &err), 0);
    a1.tests_json = "[oops";
    assert_int_equal(rig_store_attempt_update(f->st, &a1, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    a2.number = 9;
    assert_int_equal(rig_store_attempt_update(f->st, &a2, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);

    assert_int_equal(rig_store_attempt_list(f->st, id, &l, &err), 0);
    assert_int_equal(l.len, 2);
    assert_int_equal(l.items[0].number, 1);
    assert_int_equal(l.items[0].deploy_ok, 1);
    assert_string_equal(l.items[0].deploy_log, "deployed");
    assert_non_null(strstr(l.items[0].tests_json, "output_tail"));
    assert_non_null(strstr(l.items[0].changes_json, "a.c"));
    assert_int_equal(l.items[0].tokens_in, 5);
    assert_true(l.items[0].updated_at >= l.items[0].created_at);
    assert_int_equal(l.items[1].number, 2);
    assert_int_equal(l.items[1].deploy_ok, -1);
    assert_null(l.items[1].tests_json);
    rig_attempt_list_release(&l);
    free(id);
}

/* --------------------------------------------------------------- proposals -- */

static void test_proposals(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_proposal_list l = {0};
    struct rig_proposal g = {0};
    char *id = mk_task(f->st, 0, NULL);
    char *other = mk_task(f->st, 0, NULL);
    struct rig_proposal p1 = {.task_id = id, .kind = RIG_PROPOSAL_INFRA, .summary = "raise mem",
                              .files_json = "[{\"path\":\"k8s.yaml\",\"before\":\"a\","
                                            "\"after\":\"b\",\"diff\":\"-a\\n+b\"}]",
                              .diff = "--- a/k8s.yaml\n+++ b/k8s.yaml\n",
                              .created_at = DAY_MS + 1};
    struct rig_proposal p2 = {.task_id = id, .kind = RIG_PROPOSAL_DEPLOY, .summary = "second",
                              .created_at = DAY_MS + 2};
    struct rig_proposal p3 = {.task_id = other, .kind = RIG_PROPOSAL_DEPLOY,
                              .created_at = DAY_MS + 3};
    struct rig_proposal bad = {.task_id = id, .files_json = "nope"};

    assert_int_equal(rig_store_proposal_create(f->st, &p1, &err), 0);
    assert_string_equal(p1.id, "p-20261122-0001");
    assert_int_equal(rig_store_proposal_create(f->st, &p2, &err), 0);
    assert_int_equal(rig_store_proposal_create(f->st, &p3, &err), 0);
    assert_true(is_id(p3.id, 'p'));
    assert_int_equal(rig_store_proposal_create(f->st, &bad, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);

    assert_int_equal(rig_store_proposal_get(f->st, p1.id, &g, &err), 0);
    assert_int_equal(g.kind, RIG_PROPOSAL_INFRA);
    assert_int_equal(g.status, RIG_PROPOSAL_PENDING);
    assert_string_equal(g.summary, "raise mem");
    assert_non_null(strstr(g.files_json, "k8s.yaml"));
    assert_string_equal(g.diff, "--- a/k8s.yaml\n+++ b/k8s.yaml\n");
    assert_null(g.decided_by);
    rig_proposal_release(&g);

    assert_int_equal(rig_store_proposal_get_pending(f->st, id, &g, &err), 0);
    assert_string_equal(g.id, p2.id);
    rig_proposal_release(&g);

    assert_int_equal(rig_store_proposal_decide(f->st, p2.id, RIG_PROPOSAL_APPROVED, "alice",
                                               "looks fine", &err), 0);
    /* A second decision (double click, two reviewers) is refused. */
    assert_int_equal(rig_store_proposal_decide(f->st, p2.id, RIG_PROPOSAL_REJECTED, "bob",
                                               NULL, &err), -1);
    assert_int_equal(err.code, RIG_ECONFLICT);
    assert_non_null(strstr(err.msg, "approved by alice"));
    assert_int_equal(rig_store_proposal_get(f->st, p2.id, &g, &err), 0);
    assert_int_equal(g.status, RIG_PROPOSAL_APPROVED);
    assert_string_equal(g.decided_by, "alice");
    assert_string_equal(g.reason, "looks fine");
    assert_true(g.decided_at > 0);
    rig_proposal_release(&g);

    assert_int_equal(rig_store_proposal_get_pending(f->st, id, &g, &err), 0);
    assert_string_equal(g.id, p1.id);
    rig_proposal_release(&g);
    assert_int_equal(rig_store_proposal_decide(f->st, p1.id, RIG_PROPOSAL_REJECTED, "carol",
                                               "no", &err), 0);
    assert_int_equal(rig_store_proposal_get_pending(f->st, id, &g, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);

    assert_int_equal(rig_store_proposal_list(f->st, NULL, true, &l, &err), 0);
    assert_int_equal(l.len, 1);
    assert_string_equal(l.items[0].id, p3.id);
    rig_proposal_list_release(&l);
    assert_int_equal(rig_store_proposal_list(f->st, NULL, false, &l, &err), 0);
    assert_int_equal(l.len, 3);
    assert_string_equal(l.items[0].id, p3.id);
    assert_string_equal(l.items[2].id, p1.id);
    rig_proposal_list_release(&l);
    assert_int_equal(rig_store_proposal_list(f->st, id, false, &l, &err), 0);
    assert_int_equal(l.len, 2);
    rig_proposal_list_release(&l);

    assert_int_equal(rig_store_proposal_decide(f->st, "p-nope", RIG_PROPOSAL_APPROVED, "x",
                                               NULL, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_int_equal(rig_store_proposal_decide(f->st, p3.id, RIG_PROPOSAL_EXPIRED, "x", NULL,
                                               &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    free(p1.id);
    free(p2.id);
    free(p3.id);
    free(id);
    free(other);
}

static void test_proposal_expiry(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_proposal g = {0};
    char *id = mk_task(f->st, 0, NULL);
    struct rig_proposal old = {.task_id = id, .kind = RIG_PROPOSAL_DEPLOY,
                               .expires_at = DAY_MS};
    struct rig_proposal old2 = {.task_id = id, .kind = RIG_PROPOSAL_DEPLOY,
                                .expires_at = DAY_MS};
    struct rig_proposal fresh = {.task_id = id, .kind = RIG_PROPOSAL_DEPLOY};
    size_t n = 99;

    assert_int_equal(rig_store_proposal_create(f->st, &old, &err), 0);
    assert_int_equal(rig_store_proposal_create(f->st, &old2, &err), 0);
    assert_int_equal(rig_store_proposal_create(f->st, &fresh, &err), 0);
    /* Past its deadline: not offered as pending, and deciding it is refused
     * and records the expiry. */
    assert_int_equal(rig_store_proposal_get_pending(f->st, id, &g, &err), 0);
    assert_string_equal(g.id, fresh.id);
    rig_proposal_release(&g);
    assert_int_equal(rig_store_proposal_decide(f->st, old.id, RIG_PROPOSAL_APPROVED, "a", NULL,
                                               &err), -1);
    assert_int_equal(err.code, RIG_ECONFLICT);
    assert_non_null(strstr(err.msg, "expired"));
    assert_int_equal(rig_store_proposal_get(f->st, old.id, &g, &err), 0);
    assert_int_equal(g.status, RIG_PROPOSAL_EXPIRED);
    rig_proposal_release(&g);

    assert_int_equal(rig_store_proposal_expire(f->st, DAY_MS + 1, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rig_store_proposal_get(f->st, old2.id, &g, &err), 0);
    assert_int_equal(g.status, RIG_PROPOSAL_EXPIRED);
    rig_proposal_release(&g);
    assert_int_equal(rig_store_proposal_get(f->st, fresh.id, &g, &err), 0);
    assert_int_equal(g.status, RIG_PROPOSAL_PENDING);
    rig_proposal_release(&g);
    free(old.id);
    free(old2.id);
    free(fresh.id);
    free(id);
}

/* -------------------------------------------------------------------- logs -- */

static void test_logs_append_list_redact(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_log_list l = {0};
    char *id = mk_task(f->st, 0, NULL);
    char *other = mk_task(f->st, 0, NULL);
    int64_t seq = 0;

    rig_secret_add("s3cr3t-token");
    for (int i = 1; i <= 5; i++) {
        char text[64];

        snprintf(text, sizeof(text), "line %d", i);
        assert_int_equal(rig_store_log_append(f->st, id, 0, "coding", RIG_LOG_INFO, text, &seq,
                                              &err), 0);
        assert_int_equal(seq, i);
    }
    assert_int_equal(rig_store_log_append(f->st, other, 42, NULL, RIG_LOG_ERROR, "x", &seq,
                                          &err), 0);
    assert_int_equal(seq, 1);
    assert_int_equal(rig_store_log_append(f->st, id, 0, "deploying", RIG_LOG_WARN,
                                          "auth with s3cr3t-token failed", &seq, &err), 0);
    assert_int_equal(seq, 6);

    assert_int_equal(rig_store_log_list(f->st, id, 0, 0, &l, &err), 0);
    assert_int_equal(l.len, 6);
    assert_int_equal(l.items[0].seq, 1);
    assert_string_equal(l.items[0].text, "line 1");
    assert_string_equal(l.items[0].tag, "coding");
    assert_int_equal(l.items[0].level, RIG_LOG_INFO);
    assert_true(l.items[0].ts > 0);
    assert_null(strstr(l.items[5].text, "s3cr3t"));
    assert_non_null(strstr(l.items[5].text, "auth with"));
    assert_int_equal(l.items[5].level, RIG_LOG_WARN);
    rig_log_list_release(&l);

    /* --follow: only what came after the last seen seq, bounded. */
    assert_int_equal(rig_store_log_list(f->st, id, 3, 2, &l, &err), 0);
    assert_int_equal(l.len, 2);
    assert_int_equal(l.items[0].seq, 4);
    assert_int_equal(l.items[1].seq, 5);
    rig_log_list_release(&l);
    assert_int_equal(rig_store_log_list(f->st, id, 6, 0, &l, &err), 0);
    assert_int_equal(l.len, 0);
    rig_log_list_release(&l);
    assert_int_equal(rig_store_log_list(f->st, other, 0, 0, &l, &err), 0);
    assert_int_equal(l.len, 1);
    assert_int_equal(l.items[0].ts, 42);
    assert_null(l.items[0].tag);
    assert_int_equal(l.items[0].level, RIG_LOG_ERROR);
    rig_log_list_release(&l);

    assert_int_equal(rig_store_log_append(f->st, "nope", 0, NULL, RIG_LOG_INFO, "x", NULL,
                                          &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_int_equal(rig_store_log_append(f->st, id, 0, NULL, (enum rig_log_level)9, "x", NULL,
                                          &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    free(id);
    free(other);
}

#define THREADS 4
#define LINES_PER_THREAD 500

struct appender {
    struct rig_store *st; /* shared handle, or NULL to open an own one */
    const char *path;
    const char *task;
    int n;
    int failed;
    char msg[RIG_ERR_MSG_MAX];
};

static void *append_lines(void *arg)
{
    struct appender *a = arg;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_store *st = a->st;

    if (!st && rig_store_open(a->path, &st, &err) < 0)
        goto fail;
    for (int i = 0; i < LINES_PER_THREAD; i++) {
        char text[64];

        snprintf(text, sizeof(text), "%d %d", a->n, i);
        if (rig_store_log_append(st, a->task, 0, "t", RIG_LOG_INFO, text, NULL, &err) < 0)
            goto fail;
    }
    if (!a->st)
        rig_store_close(st);
    return NULL;
fail:
    a->failed = 1;
    snprintf(a->msg, sizeof(a->msg), "%s", err.msg);
    if (!a->st)
        rig_store_close(st);
    return NULL;
}

/* Every line present once, seq 1..n without gaps, and each writer's lines
 * in the order it wrote them. */
static void check_log_sequence(struct rig_store *st, const char *task, int writers, int per)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_log_list l = {0};
    int *next = xcalloc((size_t)writers, sizeof(int));

    assert_int_equal(rig_store_log_list(st, task, 0, 0, &l, &err), 0);
    assert_int_equal(l.len, (size_t)(writers * per));
    for (size_t i = 0; i < l.len; i++) {
        int w = -1, k = -1;

        assert_int_equal(l.items[i].seq, (int64_t)i + 1);
        assert_int_equal(sscanf(l.items[i].text, "%d %d", &w, &k), 2);
        assert_true(w >= 0 && w < writers);
        assert_int_equal(k, next[w]);
        next[w]++;
    }
    for (int w = 0; w < writers; w++)
        assert_int_equal(next[w], per);
    rig_log_list_release(&l);
    free(next);
}

static void test_concurrent_threads_log_seq(void **state)
{
    struct fx *f = *state;
    pthread_t th[THREADS];
    struct appender ap[THREADS];
    char *id = mk_task(f->st, 0, NULL);

    /* Half share the fixture's handle (mutex), half use their own connection
     * (SQLite locking between connections). */
    for (int i = 0; i < THREADS; i++) {
        memset(&ap[i], 0, sizeof(ap[i]));
        ap[i].st = i % 2 ? NULL : f->st;
        ap[i].path = f->path;
        ap[i].task = id;
        ap[i].n = i;
        assert_int_equal(pthread_create(&th[i], NULL, append_lines, &ap[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        if (ap[i].failed)
            fail_msg("thread %d: %s", i, ap[i].msg);
    }
    check_log_sequence(f->st, id, THREADS, LINES_PER_THREAD);
    free(id);
}

#define PROCS 2
#define LINES_PER_PROC 300

static int child_append(const char *path, const char *task, int n)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_store *st = NULL;
    int rc = 1;

    if (rig_store_open(path, &st, &err) < 0)
        goto out;
    for (int i = 0; i < LINES_PER_PROC; i++) {
        char text[64];

        snprintf(text, sizeof(text), "%d %d", n, i);
        if (rig_store_log_append(st, task, 0, "p", RIG_LOG_INFO, text, NULL, &err) < 0)
            goto out;
    }
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "child %d: %s\n", n, err.msg);
    rig_store_close(st);
    return rc;
}

static void test_two_processes_log_seq(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    char *id = mk_task(f->st, 0, NULL);
    pid_t pids[PROCS];
    int go[2];

    /* SQLite connections must not cross fork(): close ours, let each child
     * open its own, reopen afterwards. The pipe starts both children at once. */
    rig_store_close(f->st);
    f->st = NULL;
    assert_int_equal(pipe(go), 0);
    for (int i = 0; i < PROCS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            char c;

            close(go[1]);
            if (read(go[0], &c, 1) != 0)
                _exit(3);
            _exit(child_append(f->path, id, i));
        }
    }
    close(go[0]);
    close(go[1]);
    for (int i = 0; i < PROCS; i++) {
        int st = 0;

        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    assert_int_equal(rig_store_open(f->path, &f->st, &err), 0);
    check_log_sequence(f->st, id, PROCS, LINES_PER_PROC);
    free(id);
}

/* A process that owns a task is killed with SIGKILL right after its calls
 * returned: everything it stored is there, and the task is found as
 * interrupted. */
static int crash_child(const char *path, const char *task, int ready_fd)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_store *st = NULL;

    if (rig_store_open(path, &st, &err) < 0 ||
        rig_store_task_set_owner(st, task, getpid(), &err) < 0 ||
        rig_store_task_update_phase(st, task, RIG_PHASE_DEPLOYING, RIG_TASK_RUNNING, &err) < 0 ||
        rig_store_task_add_usage(st, task, 11, 22, 0.5, &err) < 0 ||
        rig_store_log_append(st, task, 0, "deploying", RIG_LOG_INFO, "last words", NULL,
                             &err) < 0) {
        fprintf(stderr, "crash child: %s\n", err.msg);
        return 1;
    }
    if (write(ready_fd, "k", 1) != 1)
        return 2;
    for (;;)
        pause();
}

static void test_writes_survive_kill(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_task_list l = {0};
    struct rig_log_list logs = {0};
    char *id = mk_task(f->st, 0, NULL);
    int ready[2];
    pid_t pid;
    char c = 0;
    int st = 0;

    rig_store_close(f->st);
    f->st = NULL;
    assert_int_equal(pipe(ready), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(ready[0]);
        _exit(crash_child(f->path, id, ready[1]));
    }
    close(ready[1]);
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));

    assert_int_equal(rig_store_open(f->path, &f->st, &err), 0);
    assert_int_equal(rig_store_task_find_interrupted(f->st, NULL, NULL, &l, &err), 0);
    assert_int_equal(l.len, 1);
    assert_string_equal(l.items[0].id, id);
    assert_int_equal(l.items[0].owner_pid, pid);
    assert_int_equal(l.items[0].phase, RIG_PHASE_DEPLOYING);
    assert_int_equal(l.items[0].tokens_out, 22);
    rig_task_list_release(&l);
    assert_int_equal(rig_store_log_list(f->st, id, 0, 0, &logs, &err), 0);
    assert_int_equal(logs.len, 1);
    assert_string_equal(logs.items[0].text, "last words");
    rig_log_list_release(&logs);
    free(id);
}

/* ------------------------------------------------ violations/settings/hooks -- */

static void test_violations(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_policy_violation_list l = {0};
    char *id = mk_task(f->st, 0, NULL);
    struct rig_policy_violation v1 = {.task_id = id, .attempt = 1, .policy = "no-secrets",
                                      .rule = "deny_paths", .action = "block",
                                      .message = ".env touched"};
    struct rig_policy_violation v2 = {.task_id = id, .attempt = 2, .policy = "size",
                                      .action = "warn"};
    struct rig_policy_violation bad = {.task_id = "nope", .policy = "x"};

    assert_int_equal(rig_store_violation_add(f->st, &v1, &err), 0);
    assert_int_equal(rig_store_violation_add(f->st, &v2, &err), 0);
    assert_true(v1.id > 0 && v2.id > v1.id);
    assert_true(v1.created_at > 0);
    assert_int_equal(rig_store_violation_add(f->st, &bad, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    bad.task_id = id;
    bad.policy = "";
    assert_int_equal(rig_store_violation_add(f->st, &bad, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    assert_int_equal(rig_store_violation_list(f->st, id, &l, &err), 0);
    assert_int_equal(l.len, 2);
    assert_int_equal(l.items[0].id, v1.id);
    assert_string_equal(l.items[0].policy, "no-secrets");
    assert_string_equal(l.items[0].rule, "deny_paths");
    assert_string_equal(l.items[0].action, "block");
    assert_string_equal(l.items[0].message, ".env touched");
    assert_int_equal(l.items[0].attempt, 1);
    assert_string_equal(l.items[1].policy, "size");
    assert_null(l.items[1].rule);
    rig_policy_violation_list_release(&l);
    free(id);
}

static void test_settings(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    char *v = NULL;

    assert_int_equal(rig_store_setting_get(f->st, "ai", &v, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_int_equal(rig_store_setting_set(f->st, "ai", "{\"model\":\"a\"}", &err), 0);
    assert_int_equal(rig_store_setting_set(f->st, "ai", "{\"model\":\"b\"}", &err), 0);
    assert_int_equal(rig_store_setting_get(f->st, "ai", &v, &err), 0);
    assert_string_equal(v, "{\"model\":\"b\"}");
    free(v);
    assert_int_equal(rig_store_setting_delete(f->st, "ai", &err), 0);
    assert_int_equal(rig_store_setting_delete(f->st, "ai", &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_int_equal(rig_store_setting_set(f->st, "", "x", &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    assert_int_equal(rig_store_setting_set(f->st, "k", NULL, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
}

static void test_deliveries(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_delivery d = {.delivery_id = "72d3162e-cc78-11e3-81ab-4c9367dc0958",
                             .event = "issues", .status = "accepted"};
    struct rig_delivery again = {.delivery_id = "72d3162e-cc78-11e3-81ab-4c9367dc0958",
                                 .event = "ping", .status = "other"};
    struct rig_delivery g = {0};
    char *id = mk_task(f->st, 0, NULL);
    bool dup = true;

    assert_int_equal(rig_store_delivery_record(f->st, &d, &dup, &err), 0);
    assert_false(dup);
    assert_int_equal(rig_store_delivery_record(f->st, &again, &dup, &err), 0);
    assert_true(dup);
    assert_int_equal(rig_store_delivery_get(f->st, d.delivery_id, &g, &err), 0);
    assert_string_equal(g.event, "issues");
    assert_string_equal(g.status, "accepted");
    assert_null(g.task_id);
    assert_true(g.received_at > 0);
    rig_delivery_release(&g);

    assert_int_equal(rig_store_delivery_update(f->st, d.delivery_id, "started", id, &err), 0);
    assert_int_equal(rig_store_delivery_get(f->st, d.delivery_id, &g, &err), 0);
    assert_string_equal(g.status, "started");
    assert_string_equal(g.task_id, id);
    rig_delivery_release(&g);
    assert_int_equal(rig_store_delivery_update(f->st, d.delivery_id, "x", "no-task", &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_int_equal(rig_store_delivery_update(f->st, "unknown", "x", NULL, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_int_equal(rig_store_delivery_get(f->st, "unknown", &g, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    d.delivery_id = "";
    assert_int_equal(rig_store_delivery_record(f->st, &d, &dup, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    free(id);
}

/* Rows this rig cannot decode (written by a newer one, or edited by hand)
 * fail the whole list with EIO; the rows decoded before them are released. */
static void test_list_refuses_unknown_values(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_log_list logs = {0};
    struct rig_task_list tasks = {0};
    char *id = mk_task(f->st, DAY_MS, NULL);
    char *other = mk_task(f->st, DAY_MS + 1, NULL);
    char *late = mk_task(f->st, DAY_MS + 2, NULL);
    char *sql;
    sqlite3 *db;

    for (int i = 0; i < 3; i++)
        assert_int_equal(rig_store_log_append(f->st, id, 0, "coding", RIG_LOG_INFO, "line",
                                              NULL, &err), 0);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sql = xasprintf("PRAGMA ignore_check_constraints = ON;"
                    "UPDATE task_logs SET level = 'loud' WHERE task_id = '%s' AND seq = 3;"
                    "UPDATE tasks SET phase = 'dreaming' WHERE id = '%s';",
                    id, other);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    assert_int_equal(rig_store_log_list(f->st, id, 0, 0, &logs, &err), -1);
    assert_int_equal(err.code, RIG_EIO);
    assert_non_null(strstr(err.msg, "unknown level 'loud'"));
    assert_null(logs.items);
    assert_int_equal(rig_store_log_list(f->st, id, 0, 2, &logs, &err), 0);
    assert_int_equal(logs.len, 2);
    rig_log_list_release(&logs);

    /* Newest first: "late" decodes, then "other" does not. */
    assert_int_equal(rig_store_task_list(f->st, NULL, &tasks, &err), -1);
    assert_int_equal(err.code, RIG_EIO);
    assert_non_null(strstr(err.msg, "dreaming"));
    assert_null(tasks.items);
    assert_int_equal(tasks.len, 0);
    free(sql);
    free(id);
    free(other);
    free(late);
}

static void test_enum_names(void **state)
{
    enum rig_task_status ts;
    enum rig_step_status ss;
    enum rig_proposal_kind pk;
    enum rig_proposal_status ps;

    (void)state;
    for (int i = 0; i < RIG_TASK_STATUS_COUNT; i++) {
        assert_int_equal(rig_task_status_parse(rig_task_status_name(i), &ts), 0);
        assert_int_equal(ts, i);
    }
    assert_string_equal(rig_task_status_name(RIG_TASK_AWAITING_APPROVAL), "awaiting_approval");
    assert_string_equal(rig_task_status_name((enum rig_task_status)42), "unknown");
    assert_int_equal(rig_task_status_parse("Running", &ts), -1);
    assert_int_equal(rig_task_status_parse(NULL, &ts), -1);
    assert_true(rig_task_status_is_terminal(RIG_TASK_INTERRUPTED));
    assert_false(rig_task_status_is_terminal(RIG_TASK_AWAITING_APPROVAL));
    assert_int_equal(rig_step_status_parse("skipped", &ss), 0);
    assert_int_equal(ss, RIG_STEP_SKIPPED);
    assert_string_equal(rig_step_status_name(RIG_STEP_OK), "ok");
    assert_int_equal(rig_proposal_kind_parse("infra", &pk), 0);
    assert_int_equal(pk, RIG_PROPOSAL_INFRA);
    assert_int_equal(rig_proposal_kind_parse("test_fix", &pk), -1);
    assert_int_equal(rig_proposal_status_parse("expired", &ps), 0);
    assert_int_equal(ps, RIG_PROPOSAL_EXPIRED);
}

static void test_null_store_refused(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_task t = {0};

    (void)state;
    assert_int_equal(rig_store_task_get(NULL, "t", &t, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    assert_int_equal(rig_store_open("x.db", NULL, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    rig_store_close(NULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_open_creates_private_file),
        T(test_open_urls),
        T(test_migrations_idempotent),
        T(test_project_upsert),
        T(test_task_create_get_roundtrip),
        T(test_task_id_skips_taken),
        T(test_task_list_order_and_filters),
        T(test_update_phase_writes_steps),
        T(test_step_begin_end),
        T(test_task_setters),
        T(test_cancel),
        T(test_interrupted_detection),
        T(test_attempts),
        T(test_proposals),
        T(test_proposal_expiry),
        T(test_logs_append_list_redact),
        T(test_concurrent_threads_log_seq),
        T(test_two_processes_log_seq),
        T(test_writes_survive_kill),
        T(test_violations),
        T(test_settings),
        T(test_deliveries),
        T(test_list_refuses_unknown_values),
        cmocka_unit_test(test_enum_names),
        cmocka_unit_test(test_null_store_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
