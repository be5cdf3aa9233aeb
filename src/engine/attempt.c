/* Attempt records: one per self-heal round, persisted as they change. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/mem.h"
#include "engine/run_int.h"
#include "core/banned.h"

#define FAILURE_TAIL (24 * 1024)

int attempt_begin(struct run *r, int number, struct rig_err *err)
{
    struct rig_attempt a = {0};
    struct rig_err e2 = RIG_ERR_INIT;

    a.task_id = r->task.id;
    a.number = number;
    a.changes_json = "{}";
    a.deploy_ok = -1;
    a.tests_json = "[]";
    if (rig_store_attempt_add(r->st, &a, &e2) < 0 && e2.code != RIG_ECONFLICT) {
        *err = e2;
        return -1;
    }
    if (rig_store_task_set_attempt(r->st, r->task.id, number, err) < 0)
        return -1;
    r->task.attempt = number;
    return 0;
}

int attempt_load(struct run *r, int number, struct rig_attempt *out, struct rig_err *err)
{
    struct rig_attempt_list l = {0};
    int rc = -1;

    if (rig_store_attempt_list(r->st, r->task.id, &l, err) < 0)
        return -1;
    for (size_t i = 0; i < l.len; i++) {
        if (l.items[i].number == number) {
            *out = l.items[i];
            memset(&l.items[i], 0, sizeof(l.items[i]));
            rc = 0;
            break;
        }
    }
    if (rc < 0)
        rig_err_set(err, RIG_ENOTFOUND, "task %s has no attempt %d", r->task.id, number);
    rig_attempt_list_release(&l);
    return rc;
}

int attempt_save(struct run *r, const struct rig_attempt *a, struct rig_err *err)
{
    return rig_store_attempt_update(r->st, a, err);
}

void attempt_add_usage(struct run *r, long long tokens_in, long long tokens_out, double usd)
{
    struct rig_attempt a = {0};

    if (r->task.attempt < 1 || attempt_load(r, r->task.attempt, &a, NULL) < 0)
        return;
    a.tokens_in += tokens_in;
    a.tokens_out += tokens_out;
    a.cost_usd += usd;
    attempt_save(r, &a, NULL);
    rig_attempt_release(&a);
}

int attempt_restore_plan(struct run *r, struct rig_err *err)
{
    struct rig_attempt a = {0};
    json_t *j;

    (void)err;
    if (r->task.attempt < 1 || attempt_load(r, 1, &a, NULL) < 0)
        return 0;
    j = json_loads(a.changes_json ? a.changes_json : "{}", 0, NULL);
    if (j) {
        const char *plan = rig_json_str(j, "plan", NULL);
        json_t *files = json_object_get(j, "plan_files");
        if (plan) {
            free(r->plan);
            r->plan = xstrdup(plan);
        }
        if (json_is_array(files)) {
            size_t i, n = json_array_size(files);
            json_t *v;
            rig_strv_free(r->plan_files);
            r->plan_files = xcalloc(n + 1, sizeof(char *));
            n = 0;
            json_array_foreach(files, i, v)
                if (json_is_string(v))
                    r->plan_files[n++] = xstrdup(json_string_value(v));
        }
        json_decref(j);
    }
    rig_attempt_release(&a);
    return 0;
}

static void add_tail(struct rig_buf *b, const char *text, size_t max)
{
    size_t n = strlen(text);

    if (n > max) {
        rig_buf_addf(b, "[... %zu bytes cut ...]\n", n - max);
        text += n - max;
    }
    rig_buf_adds(b, text);
    if (n && text[strlen(text) - 1] != '\n')
        rig_buf_addch(b, '\n');
}

char *attempt_failure_log(struct run *r, int number)
{
    struct rig_attempt a = {0};
    struct rig_buf b = RIG_BUF_INIT;
    json_t *tests;
    size_t i;
    json_t *t;

    if (attempt_load(r, number, &a, NULL) < 0)
        return xstrdup("");
    if (a.deploy_ok == 0) {
        rig_buf_adds(&b, "The deploy failed. Deploy output (tail):\n");
        add_tail(&b, a.deploy_log ? a.deploy_log : "", FAILURE_TAIL);
    }
    tests = json_loads(a.tests_json ? a.tests_json : "[]", 0, NULL);
    json_array_foreach(tests, i, t) {
        if (json_is_true(json_object_get(t, "ok")) || json_is_true(json_object_get(t, "skipped")))
            continue;
        rig_buf_addf(&b, "Test \"%s\" failed (%s). Output (tail):\n",
                     rig_json_str(t, "name", "?"), rig_json_str(t, "error", "failed"));
        add_tail(&b, rig_json_str(t, "output", ""), FAILURE_TAIL / 2);
    }
    json_decref(tests);
    rig_attempt_release(&a);
    return rig_buf_take(&b);
}

bool attempt_deploy_failed(struct run *r, int number)
{
    struct rig_attempt a = {0};
    bool failed;

    if (attempt_load(r, number, &a, NULL) < 0)
        return false;
    failed = a.deploy_ok == 0;
    rig_attempt_release(&a);
    return failed;
}

char *attempt_history(struct run *r, int upto)
{
    struct rig_attempt_list l = {0};
    struct rig_buf b = RIG_BUF_INIT;

    if (rig_store_attempt_list(r->st, r->task.id, &l, NULL) < 0)
        return xstrdup("");
    for (size_t i = 0; i < l.len && l.items[i].number < upto; i++) {
        json_t *c = json_loads(l.items[i].changes_json ? l.items[i].changes_json : "{}", 0, NULL);
        json_t *files = json_object_get(c, "files");
        json_t *tests = json_loads(l.items[i].tests_json ? l.items[i].tests_json : "[]", 0, NULL);
        size_t k, failed = 0;
        json_t *v;

        rig_buf_addf(&b, "Attempt %d: %s. Changed:", l.items[i].number,
                     rig_json_str(c, "summary", "no summary"));
        json_array_foreach(files, k, v)
            rig_buf_addf(&b, " %s", rig_json_str(v, "path", "?"));
        json_array_foreach(tests, k, v)
            failed += !json_is_true(json_object_get(v, "ok")) &&
                      !json_is_true(json_object_get(v, "skipped"));
        rig_buf_addf(&b, ". Deploy: %s. Failed tests: %zu.\n",
                     l.items[i].deploy_ok < 0 ? "not run"
                                             : l.items[i].deploy_ok ? "ok" : "failed",
                     failed);
        json_decref(c);
        json_decref(tests);
    }
    rig_attempt_list_release(&l);
    return rig_buf_take(&b);
}
