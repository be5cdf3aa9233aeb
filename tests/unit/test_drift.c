/*
 * Drift Score formula against hand-computed cases, including the design
 * document's examples (specgate.md A.7.2, A.8).
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "gate/drift.h"
#include "gate/findings.h"

#define MAXR 8

struct fixture {
    struct sg_ruleset set;
    struct sg_rule rules[MAXR];
    struct sg_findings f;
    struct sg_drift d;
    struct sg_drift_opts o;
};

static struct sg_rule *add_rule(struct fixture *fx, const char *id, enum sg_priority p,
                                enum sg_area a, int confidence)
{
    struct sg_rule *r = &fx->rules[fx->set.n++];

    memset(r, 0, sizeof(*r));
    r->id = (char *)id;
    r->priority = p;
    r->area = a;
    r->title = (char *)id;
    r->confidence = confidence;
    r->gate_threshold = -1;
    return r;
}

static struct fixture *fx_new(void)
{
    struct fixture *fx = xcalloc(1, sizeof(*fx));

    fx->set.rules = fx->rules;
    sg_drift_opts_init(&fx->o);
    return fx;
}

static void find(struct fixture *fx, const char *rule, const char *file, int line)
{
    sg_findings_add(&fx->f, SG_TOOL_SEMGREP, rule, "check", file, line, "message", "in.json");
}

static void compute(struct fixture *fx)
{
    struct rig_err err = RIG_ERR_INIT;

    sg_drift_release(&fx->d);
    assert_int_equal(sg_drift_compute(&fx->set, &fx->f, &fx->o, &fx->d, &err), 0);
}

static void fx_free(struct fixture *fx)
{
    sg_drift_release(&fx->d);
    sg_findings_release(&fx->f);
    free(fx);
}

/* A.8 #2: three MUST violations of an API rule and one of an ARCH rule, all
 * confidence >= 90: 3 x 10 x 1.0 x 1.0 + 10 x 1.0 x 0.8 = 38 -> WARN. */
static void test_document_mockup_by_formula(void **state)
{
    struct fixture *fx = fx_new();

    (void)state;
    add_rule(fx, "RULE-API-001", SG_MUST, SG_AREA_API, 95);
    add_rule(fx, "RULE-ARCH-001", SG_MUST, SG_AREA_ARCH, 95);
    find(fx, "RULE-API-001", "UserController.java", 25);
    find(fx, "RULE-API-001", "UserController.java", 31);
    find(fx, "RULE-API-001", "OrderController.java", 12);
    find(fx, "RULE-ARCH-001", "UserController.java", 30);
    compute(fx);
    assert_true(fabs(fx->d.raw_total - 38.0) < 1e-9);
    assert_int_equal(fx->d.total_score, 38);
    assert_int_equal(fx->d.status, SG_STATUS_WARN);
    assert_int_equal(fx->d.areas[SG_AREA_API].score, 30);
    assert_int_equal(fx->d.areas[SG_AREA_API].violations, 3);
    assert_int_equal(fx->d.areas[SG_AREA_ARCH].score, 8);
    assert_int_equal(fx->d.areas[SG_AREA_SEC].score, 0);
    /* Fixing API first leaves 8 (PASS), then nothing. */
    assert_int_equal(fx->d.nplan, 2);
    assert_int_equal(fx->d.plan[0].area, SG_AREA_API);
    assert_int_equal(fx->d.plan[0].score_after, 8);
    assert_int_equal(fx->d.plan[0].status_after, SG_STATUS_PASS);
    assert_int_equal(fx->d.plan[1].area, SG_AREA_ARCH);
    assert_int_equal(fx->d.plan[1].score_after, 0);
    fx_free(fx);
}

/* DesignRuleSpec_Examples: RULE-API-001 (rule_weight 1.0, area_weight 1.0)
 * and RULE-ARCH-001 (reliability 92 but explicit rule_weight 0.8 and
 * area_weight 0.8): 10 + 10 x 0.8 x 0.8 = 16.4 -> 16, PASS. The explicit
 * weight wins over the confidence mapping (A.8 #5). */
static void test_document_example_rules(void **state)
{
    struct fixture *fx = fx_new();
    struct sg_rule *api, *arch;

    (void)state;
    api = add_rule(fx, "RULE-API-001", SG_MUST, SG_AREA_API, 95);
    api->has_rule_weight = api->has_area_weight = true;
    api->rule_weight = api->area_weight = 1.0;
    arch = add_rule(fx, "RULE-ARCH-001", SG_MUST, SG_AREA_ARCH, 92);
    arch->has_rule_weight = arch->has_area_weight = true;
    arch->rule_weight = arch->area_weight = 0.8;
    find(fx, "RULE-API-001", "UserController.java", 25);
    find(fx, "RULE-ARCH-001", "UserController.java", 30);
    compute(fx);
    assert_true(fabs(fx->d.raw_total - 16.4) < 1e-9);
    assert_int_equal(fx->d.total_score, 16);
    assert_int_equal(fx->d.status, SG_STATUS_PASS);
    assert_true(fabs(fx->d.v[1].points - 6.4) < 1e-9);
    assert_true(fabs(fx->d.v[1].rule_weight - 0.8) < 1e-9);
    fx_free(fx);
}

static void test_confidence_mapping(void **state)
{
    struct sg_rule r;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.confidence = 100;
    assert_true(sg_drift_rule_weight(&r) == 1.0);
    r.confidence = 90;
    assert_true(sg_drift_rule_weight(&r) == 1.0);
    r.confidence = 89;
    assert_true(sg_drift_rule_weight(&r) == 0.7);
    r.confidence = 70;
    assert_true(sg_drift_rule_weight(&r) == 0.7);
    r.confidence = 69;
    assert_true(sg_drift_rule_weight(&r) == 0.3);
    r.confidence = 0;
    assert_true(sg_drift_rule_weight(&r) == 0.3);
    r.confidence = -1; /* absent: hand-written rule, full weight */
    assert_true(sg_drift_rule_weight(&r) == 1.0);
    r.has_rule_weight = true;
    r.rule_weight = 0.5;
    assert_true(sg_drift_rule_weight(&r) == 0.5);
}

/* Default points per priority and area weights, one violation each:
 * MUST NOT/DATA 15 x 0.7 = 10.5; SHOULD/PERF at confidence 75:
 * 5 x 0.7 x 0.6 = 2.1; MUST/SEC 10 x 0.9 = 9; total 21.6 -> 22. */
static void test_priority_points_and_area_weights(void **state)
{
    struct fixture *fx = fx_new();
    struct sg_rule *custom;

    (void)state;
    add_rule(fx, "RULE-DATA-001", SG_MUST_NOT, SG_AREA_DATA, 95);
    add_rule(fx, "RULE-PERF-001", SG_SHOULD, SG_AREA_PERF, 75);
    add_rule(fx, "RULE-SEC-001", SG_MUST, SG_AREA_SEC, -1);
    find(fx, "RULE-DATA-001", "a.sql", 1);
    find(fx, "RULE-PERF-001", "b.java", 2);
    find(fx, "RULE-SEC-001", "c.java", 3);
    compute(fx);
    assert_true(fabs(fx->d.areas[SG_AREA_DATA].raw - 10.5) < 1e-9);
    assert_true(fabs(fx->d.areas[SG_AREA_PERF].raw - 2.1) < 1e-9);
    assert_true(fabs(fx->d.areas[SG_AREA_SEC].raw - 9.0) < 1e-9);
    assert_true(fabs(fx->d.raw_total - 21.6) < 1e-9);
    assert_int_equal(fx->d.total_score, 22);
    assert_int_equal(fx->d.areas[SG_AREA_DATA].score, 11); /* 10.5 rounds half up */
    assert_int_equal(fx->d.areas[SG_AREA_PERF].blocking, 0);
    assert_int_equal(fx->d.areas[SG_AREA_DATA].blocking, 1);
    /* Ordered by points: MUST NOT 10.5, MUST 9, SHOULD 2.1. */
    assert_string_equal(fx->d.v[0].rule->id, "RULE-DATA-001");
    assert_string_equal(fx->d.v[2].rule->id, "RULE-PERF-001");
    /* A rule's own violation_points override the default. */
    custom = &fx->rules[1];
    custom->has_points[SG_SHOULD] = true;
    custom->points[SG_SHOULD] = 20;
    compute(fx);
    assert_true(fabs(fx->d.areas[SG_AREA_PERF].raw - 8.4) < 1e-9); /* 20 x 0.7 x 0.6 */
    fx_free(fx);
}

static void test_dedup(void **state)
{
    struct fixture *fx = fx_new();

    (void)state;
    add_rule(fx, "RULE-API-001", SG_MUST, SG_AREA_API, 95);
    add_rule(fx, "RULE-API-002", SG_MUST, SG_AREA_API, 95);
    find(fx, "RULE-API-001", "A.java", 10);
    find(fx, "RULE-API-001", "./A.java", 10);   /* same file once normalised */
    find(fx, "RULE-API-001", "A.java", 11);     /* another line */
    find(fx, "RULE-API-002", "A.java", 10);     /* another rule, same place */
    sg_findings_add(&fx->f, SG_TOOL_ARCHUNIT, "RULE-API-001", "t", "B.java", 0, "Field <x> a",
                    "r.xml");
    sg_findings_add(&fx->f, SG_TOOL_ARCHUNIT, "RULE-API-001", "t", "B.java", 0, "Field <y> b",
                    "r.xml");
    sg_findings_add(&fx->f, SG_TOOL_ARCHUNIT, "RULE-API-001", "t", "B.java", 0, "Field <y> b",
                    "r.xml");
    compute(fx);
    assert_int_equal(fx->d.duplicates, 2);
    assert_int_equal(fx->d.nv, 5);
    assert_int_equal(fx->d.total_score, 50);
    assert_int_equal(fx->d.status, SG_STATUS_FAIL);
    fx_free(fx);
}

/* 11 MUST NOT violations in API: 165 raw, clamped to 100 (A.8 #3). */
static void test_clamp(void **state)
{
    struct fixture *fx = fx_new();

    (void)state;
    add_rule(fx, "RULE-API-009", SG_MUST_NOT, SG_AREA_API, 99);
    for (int i = 1; i <= 11; i++)
        find(fx, "RULE-API-009", "Api.java", i);
    compute(fx);
    assert_true(fabs(fx->d.raw_total - 165.0) < 1e-9);
    assert_int_equal(fx->d.total_score, 100);
    assert_int_equal(fx->d.areas[SG_AREA_API].score, 100);
    assert_true(fabs(fx->d.areas[SG_AREA_API].raw - 165.0) < 1e-9);
    assert_int_equal(fx->d.status, SG_STATUS_FAIL);
    fx_free(fx);
}

static void test_thresholds(void **state)
{
    struct fixture *fx = fx_new();
    struct sg_rule *r;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    assert_int_equal(sg_drift_status(50, 50, 30), SG_STATUS_FAIL);
    assert_int_equal(sg_drift_status(49, 50, 30), SG_STATUS_WARN);
    assert_int_equal(sg_drift_status(30, 50, 30), SG_STATUS_WARN);
    assert_int_equal(sg_drift_status(29, 50, 30), SG_STATUS_PASS);
    assert_int_equal(sg_drift_status(0, 50, 30), SG_STATUS_PASS);
    assert_int_equal(sg_drift_status(100, 100, 100), SG_STATUS_FAIL);
    /* Configurable: 38 is WARN by default, FAIL at 35, PASS with 40/39. */
    r = add_rule(fx, "RULE-API-001", SG_MUST, SG_AREA_API, 95);
    r->has_points[SG_MUST] = true;
    r->points[SG_MUST] = 38;
    find(fx, "RULE-API-001", "x", 1);
    compute(fx);
    assert_int_equal(fx->d.status, SG_STATUS_WARN);
    fx->o.fail_at = 35;
    compute(fx);
    assert_int_equal(fx->d.status, SG_STATUS_FAIL);
    fx->o.fail_at = 40;
    fx->o.warn_at = 39;
    compute(fx);
    assert_int_equal(fx->d.status, SG_STATUS_PASS);
    fx->o.warn_at = 60; /* warn above fail is refused */
    sg_drift_release(&fx->d);
    assert_int_equal(sg_drift_compute(&fx->set, &fx->f, &fx->o, &fx->d, &err), -1);
    assert_non_null(strstr(err.msg, "thresholds"));
    fx_free(fx);
}

static void test_rounding(void **state)
{
    struct fixture *fx = fx_new();
    struct sg_rule *r;

    (void)state;
    assert_int_equal(sg_drift_round(29.5), 30);
    assert_int_equal(sg_drift_round(29.49), 29);
    assert_int_equal(sg_drift_round(0.5), 1);
    assert_int_equal(sg_drift_round(0.0), 0);
    assert_int_equal(sg_drift_round(-3.0), 0);
    /* 0.7 x 0.8 x 10 is 5.6000000000000005 in binary; five of them must be 28
     * and not drift upwards; 29.5 must reach the WARN threshold. */
    r = add_rule(fx, "RULE-ARCH-002", SG_MUST, SG_AREA_ARCH, 80);
    for (int i = 1; i <= 5; i++)
        find(fx, "RULE-ARCH-002", "L.java", i);
    compute(fx);
    assert_true(fabs(fx->d.raw_total - 28.0) < 1e-12);
    assert_int_equal(fx->d.total_score, 28);
    r->has_points[SG_MUST] = true;
    r->points[SG_MUST] = 29.5 / 2.8; /* 5 x (P x 0.7 x 0.8) = 29.5 */
    compute(fx);
    assert_true(fabs(fx->d.raw_total - 29.5) < 1e-6);
    assert_int_equal(fx->d.total_score, 30);
    assert_int_equal(fx->d.status, SG_STATUS_WARN);
    fx_free(fx);
}

static void test_unmapped_not_scored(void **state)
{
    struct fixture *fx = fx_new();

    (void)state;
    add_rule(fx, "RULE-API-001", SG_MUST, SG_AREA_API, 95);
    find(fx, "RULE-API-001", "a", 1);
    find(fx, NULL, "a", 1);
    find(fx, "RULE-GONE-404", "a", 2); /* a rule id the set does not have */
    compute(fx);
    assert_int_equal(fx->d.nv, 1);
    assert_int_equal(fx->d.nunmapped, 2);
    assert_int_equal(fx->d.total_score, 10);
    fx_free(fx);
}

static void test_gate_only_and_repeat_cap(void **state)
{
    struct fixture *fx = fx_new();
    struct sg_rule *low;

    (void)state;
    add_rule(fx, "RULE-API-001", SG_MUST, SG_AREA_API, 95);
    low = add_rule(fx, "RULE-API-002", SG_MUST, SG_AREA_API, 75);
    low->gate_threshold = 90;
    for (int i = 1; i <= 4; i++)
        find(fx, "RULE-API-001", "a", i);
    find(fx, "RULE-API-002", "b", 1);
    compute(fx);
    assert_true(fabs(fx->d.raw_total - 47.0) < 1e-9); /* 40 + 7 */
    fx->o.gate_only = true;
    compute(fx);
    assert_true(fabs(fx->d.raw_total - 40.0) < 1e-9);
    assert_int_equal(fx->d.nv, 5);
    assert_string_equal(fx->d.v[4].excluded, "below-gate");
    assert_true(fx->d.v[4].points == 0);
    fx->o.gate_only = false;
    fx->o.max_per_rule = 2;
    compute(fx);
    assert_true(fabs(fx->d.raw_total - 27.0) < 1e-9); /* 2 x 10 + 7 */
    assert_int_equal(fx->d.areas[SG_AREA_API].violations, 3);
    fx_free(fx);
}

static void test_incomplete_when_check_did_not_run(void **state)
{
    struct fixture *fx = fx_new();

    (void)state;
    add_rule(fx, "RULE-API-001", SG_MUST, SG_AREA_API, 95);
    sg_findings_add_error(&fx->f, SG_TOOL_SEMGREP, false, "warn", "Syntax error", "x", "a.js",
                          "s.json");
    compute(fx);
    assert_true(fx->d.complete);
    sg_findings_add_error(&fx->f, SG_TOOL_SEMGREP, true, "error", "InvalidRuleSchemaError", "x",
                          NULL, "s.json");
    compute(fx);
    assert_false(fx->d.complete);
    assert_int_equal(fx->d.status, SG_STATUS_PASS); /* the gate decides with --check */
    fx_free(fx);
}

static void test_weights_file(void **state)
{
    struct sg_drift_opts o;
    struct rig_err err = RIG_ERR_INIT;
    json_t *w;

    (void)state;
    sg_drift_opts_init(&o);
    w = json_loads("{\"area_weights\": {\"PERF\": 1.5, \"security\": 0.5},"
                   " \"violation_points\": {\"MUST NOT\": 30}}", 0, NULL);
    assert_int_equal(sg_drift_weights_apply(w, "w.json", &o, &err), 0);
    assert_true(o.area_weight[SG_AREA_PERF] == 1.5);
    assert_true(o.area_weight[SG_AREA_SEC] == 0.5);
    assert_true(o.area_weight[SG_AREA_API] == 1.0);
    assert_true(o.points[SG_MUST_NOT] == 30);
    json_decref(w);
    w = json_loads("{\"area_weight\": {}}", 0, NULL);
    assert_int_equal(sg_drift_weights_apply(w, "w.json", &o, &err), -1);
    assert_non_null(strstr(err.msg, "unknown key \"area_weight\""));
    json_decref(w);
    w = json_loads("{\"area_weights\": {\"UI\": 1}}", 0, NULL);
    assert_int_equal(sg_drift_weights_apply(w, "w.json", &o, &err), -1);
    assert_non_null(strstr(err.msg, "unknown area \"UI\""));
    json_decref(w);
    w = json_loads("{\"violation_points\": {\"MUST\": \"ten\"}}", 0, NULL);
    assert_int_equal(sg_drift_weights_apply(w, "w.json", &o, &err), -1);
    assert_non_null(strstr(err.msg, "must be a number"));
    json_decref(w);
    w = json_loads("{\"violation_points\": {\"MUST\": -1}}", 0, NULL);
    assert_int_equal(sg_drift_weights_apply(w, "w.json", &o, &err), -1);
    assert_non_null(strstr(err.msg, "outside"));
    json_decref(w);
}

static void test_json_document(void **state)
{
    struct fixture *fx = fx_new();
    json_t *j, *v;

    (void)state;
    add_rule(fx, "RULE-API-001", SG_MUST, SG_AREA_API, 95);
    find(fx, "RULE-API-001", "src\\Api.java", 7);
    find(fx, NULL, "x.js", 3);
    sg_findings_add_error(&fx->f, SG_TOOL_SEMGREP, false, "warn", "Timeout", "slow", "y.js",
                          "s.json");
    sg_findings_note_input(&fx->f, SG_TOOL_SEMGREP, "s.json", 2, 1);
    compute(fx);
    j = sg_drift_to_json(&fx->d, &fx->f, &fx->o, "rules.json");
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "total_score")), 10);
    assert_true(json_is_real(json_object_get(j, "raw_total")));
    assert_string_equal(json_string_value(json_object_get(j, "status")), "PASS");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "thresholds"),
                                                        "fail")), 50);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(j, "areas"), "API"), "score")), 10);
    v = json_array_get(json_object_get(j, "violations"), 0);
    assert_string_equal(json_string_value(json_object_get(v, "rule")), "RULE-API-001");
    assert_string_equal(json_string_value(json_object_get(v, "area")), "API");
    assert_string_equal(json_string_value(json_object_get(v, "priority")), "MUST");
    assert_string_equal(json_string_value(json_object_get(v, "file")), "src/Api.java");
    assert_int_equal(json_integer_value(json_object_get(v, "line")), 7);
    assert_true(json_real_value(json_object_get(v, "points")) == 10.0);
    assert_int_equal(json_array_size(json_object_get(j, "unmapped")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "tool_errors")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "inputs")), 1);
    assert_true(json_is_true(json_object_get(j, "complete")));
    json_decref(j);
    fx_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document_mockup_by_formula),
        cmocka_unit_test(test_document_example_rules),
        cmocka_unit_test(test_confidence_mapping),
        cmocka_unit_test(test_priority_points_and_area_weights),
        cmocka_unit_test(test_dedup),
        cmocka_unit_test(test_clamp),
        cmocka_unit_test(test_thresholds),
        cmocka_unit_test(test_rounding),
        cmocka_unit_test(test_unmapped_not_scored),
        cmocka_unit_test(test_gate_only_and_repeat_cap),
        cmocka_unit_test(test_incomplete_when_check_did_not_run),
        cmocka_unit_test(test_weights_file),
        cmocka_unit_test(test_json_document),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
