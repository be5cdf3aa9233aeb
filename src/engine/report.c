#include "engine/report.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define TAIL_LINES 25

static void add_steps(struct rig_buf *b, struct rig_store *st, const char *id)
{
    struct rig_step_list l = {0};
    char d[32];

    if (rig_store_step_list(st, id, &l, NULL) < 0)
        return;
    rig_buf_adds(b, "Pipeline:\n");
    for (size_t i = 0; i < l.len; i++) {
        const struct rig_step *s = &l.items[i];
        rig_buf_addf(b, "  %-18s %-8s attempt %d  %s%s%s\n", rig_phase_name(s->phase),
                     rig_step_status_name(s->status), s->attempt,
                     rig_duration_format(s->duration_ms, d, sizeof(d)), s->error ? "  " : "",
                     s->error ? s->error : "");
    }
    rig_step_list_release(&l);
}

static void add_attempt(struct rig_buf *b, const struct rig_attempt *a)
{
    json_t *c = json_loads(a->changes_json ? a->changes_json : "{}", 0, NULL);
    json_t *tests = json_loads(a->tests_json ? a->tests_json : "[]", 0, NULL);
    json_t *v;
    size_t i;

    rig_buf_addf(b, "\nAttempt %d: %s\n", a->number, rig_json_str(c, "summary", "(no change yet)"));
    json_array_foreach(json_object_get(c, "files"), i, v)
        rig_buf_addf(b, "  changed %s (%s)\n", rig_json_str(v, "path", "?"),
                     rig_json_str(v, "action", "?"));
    if (a->deploy_ok >= 0)
        rig_buf_addf(b, "  deploy: %s\n", a->deploy_ok ? "succeeded" : "FAILED");
    if (a->deploy_ok == 0)
        rig_buf_add_tail_lines(b, a->deploy_log, TAIL_LINES, "    | ");
    json_array_foreach(tests, i, v) {
        bool ok = json_is_true(json_object_get(v, "ok"));
        bool skipped = json_is_true(json_object_get(v, "skipped"));
        rig_buf_addf(b, "  test %s: %s%s%s\n", rig_json_str(v, "name", "?"),
                     skipped ? "skipped" : ok ? "passed" : "FAILED", ok || skipped ? "" : " — ",
                     ok || skipped ? "" : rig_json_str(v, "error", ""));
        if (!ok && !skipped)
            rig_buf_add_tail_lines(b, rig_json_str(v, "output", ""), TAIL_LINES,
                                   "    | ");
    }
    json_decref(c);
    json_decref(tests);
}

static void add_violations_and_proposals(struct rig_buf *b, struct rig_store *st, const char *id)
{
    struct rig_policy_violation_list v = {0};
    struct rig_proposal_list p = {0};

    if (rig_store_violation_list(st, id, &v, NULL) == 0 && v.len) {
        rig_buf_adds(b, "\nPolicy violations:\n");
        for (size_t i = 0; i < v.len; i++)
            rig_buf_addf(b, "  attempt %d: %s (%s, %s): %s\n", v.items[i].attempt,
                         v.items[i].policy, v.items[i].rule, v.items[i].action,
                         v.items[i].message);
    }
    if (rig_store_proposal_list(st, id, false, &p, NULL) == 0 && p.len) {
        rig_buf_adds(b, "\nProposals:\n");
        for (size_t i = 0; i < p.len; i++)
            rig_buf_addf(b, "  %s [%s, %s] %s%s%s\n", p.items[i].id,
                         rig_proposal_kind_name(p.items[i].kind),
                         rig_proposal_status_name(p.items[i].status),
                         p.items[i].summary ? p.items[i].summary : "",
                         p.items[i].reason ? " — " : "", p.items[i].reason ? p.items[i].reason : "");
    }
    rig_policy_violation_list_release(&v);
    rig_proposal_list_release(&p);
}

static void add_error_lines(struct rig_buf *b, struct rig_store *st, const char *id)
{
    struct rig_log_list l = {0};
    size_t shown = 0, first;

    if (rig_store_log_list(st, id, 0, 0, &l, NULL) < 0)
        return;
    for (size_t i = 0; i < l.len; i++)
        shown += l.items[i].level >= RIG_LOG_ERROR;
    if (shown) {
        rig_buf_adds(b, "\nErrors logged:\n");
        first = shown > 10 ? shown - 10 : 0;
        shown = 0;
        for (size_t i = 0; i < l.len; i++) {
            if (l.items[i].level < RIG_LOG_ERROR || shown++ < first)
                continue;
            rig_buf_addf(b, "  [%s] %s\n", l.items[i].tag ? l.items[i].tag : "",
                         l.items[i].text);
        }
    }
    rig_log_list_release(&l);
}

int rig_report_task(struct rig_store *st, const char *task_id, char **out, struct rig_err *err)
{
    struct rig_task t = {0};
    struct rig_attempt_list al = {0};
    struct rig_buf b = RIG_BUF_INIT;

    if (rig_store_task_get(st, task_id, &t, err) < 0)
        return -1;
    rig_buf_addf(&b, "Task %s: %s (phase %s), attempt %d of %d\n", t.id,
                 rig_task_status_name(t.status), rig_phase_name(t.phase), t.attempt,
                 t.max_retry + 1);
    rig_buf_addf(&b, "Issue #%lld: %s\n", (long long)t.issue_number, t.issue_title);
    if (t.issue_body && *t.issue_body)
        rig_buf_add_tail_lines(&b, t.issue_body, TAIL_LINES, "  > ");
    if (t.branch)
        rig_buf_addf(&b, "Branch: %s\n", t.branch);
    if (t.error)
        rig_buf_addf(&b, "Error: %s\n", t.error);
    rig_buf_adds(&b, "\n");
    add_steps(&b, st, t.id);
    if (rig_store_attempt_list(st, t.id, &al, NULL) == 0)
        for (size_t i = 0; i < al.len; i++)
            add_attempt(&b, &al.items[i]);
    add_violations_and_proposals(&b, st, t.id);
    add_error_lines(&b, st, t.id);
    rig_attempt_list_release(&al);
    rig_task_release(&t);
    *out = rig_buf_take(&b);
    return 0;
}
