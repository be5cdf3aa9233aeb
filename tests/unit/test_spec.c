/*
 * DesignRuleSpec loader: the three shapes, every validation rule with its JSON
 * pointer and line:col, warnings, hostile input, and the position scanner.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "gate/jsonpos.h"
#include "gate/spec.h"
#include "gate/spec_check.h"

static int load(const char *text, struct sg_ruleset *set, struct rig_errlist *errs)
{
    return sg_ruleset_load_string("t.json", text, strlen(text), set, errs);
}

static void dump(const struct rig_errlist *errs)
{
    char line[2048];

    for (size_t i = 0; i < errs->len; i++)
        print_message("  %s\n", rig_err_format(&errs->items[i], line, sizeof(line)));
}

static const struct rig_err *find_err(const struct rig_errlist *errs, const char *pointer,
                                      const char *needle)
{
    size_t plen = strlen(pointer);

    for (size_t i = 0; i < errs->len; i++) {
        const char *m = errs->items[i].msg;

        if (strncmp(m, pointer, plen) == 0 && strncmp(m + plen, ": ", 2) == 0 &&
            strstr(m + plen, needle))
            return &errs->items[i];
    }
    return NULL;
}

/* Load text, expect failure with an entry "<pointer>: ...<needle>..." at line:col
 * (col 0 = do not check). */
static void expect_error(const char *text, const char *pointer, const char *needle, int line,
                         int col)
{
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_ruleset set;
    const struct rig_err *e;
    int rc = load(text, &set, &errs);

    e = find_err(&errs, pointer, needle);
    if (rc != -1 || !e) {
        print_message("expected %s: ...%s... in:\n%s\ngot rc=%d and:\n", pointer, needle, text,
                      rc);
        dump(&errs);
        fail();
    }
    assert_string_equal(e->file, "t.json");
    if (line != e->line || (col && col != e->col)) {
        print_message("%s: expected %d:%d, got %d:%d\n", e->msg, line, col, e->line, e->col);
        fail();
    }
    assert_false(sg_err_is_warning(e));
    assert_null(set.rules);
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
}

/* A valid rule with one extra member on line 6, column 3. */
static char *rule_with(const char *extra)
{
    return xasprintf("{\n  \"rule_id\": \"RULE-API-001\",\n  \"priority\": \"MUST\",\n"
                     "  \"area\": \"API\",\n  \"title\": \"Resources\",\n  %s\n}\n",
                     extra);
}

/* Column of needle inside the extra member of rule_with(). */
static int col_in(const char *extra, const char *needle)
{
    const char *p = strstr(extra, needle);

    assert_non_null(p);
    return 3 + (int)(p - extra);
}

static void expect_extra(const char *extra, const char *pointer, const char *needle,
                         const char *at)
{
    char *text = rule_with(extra);

    expect_error(text, pointer, needle, 6, at ? col_in(extra, at) : 0);
    free(text);
}

/* ---- shapes ---------------------------------------------------------------- */

static void test_single_rule(void **state)
{
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_ruleset set;
    char *text = rule_with("\"description\": \"d\"");

    (void)state;
    assert_int_equal(load(text, &set, &errs), 0);
    assert_int_equal(errs.len, 0);
    assert_int_equal(set.n, 1);
    assert_string_equal(set.rules[0].id, "RULE-API-001");
    assert_int_equal(set.rules[0].priority, SG_MUST);
    assert_int_equal(set.rules[0].area, SG_AREA_API);
    assert_string_equal(set.rules[0].title, "Resources");
    assert_string_equal(set.rules[0].description, "d");
    assert_int_equal(set.rules[0].confidence, -1);
    assert_int_equal(set.rules[0].gate_threshold, -1);
    assert_false(set.rules[0].has_rule_weight);
    assert_string_equal(set.rules[0].pointer, "");
    assert_int_equal(set.rules[0].line, 1);
    assert_ptr_equal(set.rules[0].json, set.root);
    assert_string_equal(set.source, "t.json");
    assert_ptr_equal(sg_ruleset_find(&set, "RULE-API-001"), &set.rules[0]);
    assert_null(sg_ruleset_find(&set, "RULE-API-002"));
    sg_ruleset_release(&set);
    sg_ruleset_release(&set); /* idempotent */
    rig_errlist_release(&errs);
    free(text);
}

static void test_rules_and_examples(void **state)
{
    static const char *const docs[] = {
        "{\"rules\": [\n"
        "  {\"rule_id\": \"RULE-SEC-001\", \"priority\": \"MUST NOT\", \"area\": \"security\","
        " \"title\": \"a\"},\n"
        "  {\"rule_id\": \"RULE-PERF-012\", \"priority\": \"should\", \"area\": \"Performance\","
        " \"title\": \"b\", \"reliability\": {\"total_score\": 72, \"gate_threshold\": 90},"
        " \"ci_info\": {\"drift_calculation\": {\"rule_weight\": 0.5, \"area_weight\": 2,"
        " \"violation_points\": {\"MUST_NOT\": 20, \"SHOULD\": 4}}}}\n"
        "]}",
        "{\"examples\": [\n"
        "  {\"rule_id\": \"RULE-SEC-001\", \"rule_type\": \"MUST_NOT\", \"area\": \"SEC\","
        " \"title\": \"a\"},\n"
        "  {\"rule_id\": \"RULE-PERF-012\", \"priority\": \"SHOULD\", \"area\": \"perf\","
        " \"title\": \"b\", \"reliability\": {\"total_score\": 72, \"gate_threshold\": 90},"
        " \"ci_info\": {\"drift_calculation\": {\"rule_weight\": 0.5, \"area_weight\": 2,"
        " \"violation_points\": {\"MUST NOT\": 20, \"SHOULD\": 4}}}}\n"
        "], \"metadata\": {\"anything\": [1, 2]}}",
    };

    (void)state;
    for (size_t d = 0; d < 2; d++) {
        struct rig_errlist errs = RIG_ERRLIST_INIT;
        struct sg_ruleset set;
        const struct sg_rule *r;

        assert_int_equal(load(docs[d], &set, &errs), 0);
        assert_int_equal(set.n, 2);
        assert_int_equal(set.rules[0].priority, SG_MUST_NOT);
        assert_int_equal(set.rules[0].area, SG_AREA_SEC);
        assert_int_equal(set.rules[0].line, 2);
        assert_int_equal(set.rules[1].line, 3);
        r = &set.rules[1];
        assert_int_equal(r->priority, SG_SHOULD);
        assert_int_equal(r->area, SG_AREA_PERF);
        assert_int_equal(r->confidence, 72);
        assert_int_equal(r->gate_threshold, 90);
        assert_true(r->has_rule_weight);
        assert_true(r->rule_weight == 0.5);
        assert_true(r->has_area_weight);
        assert_true(r->area_weight == 2.0);
        assert_false(r->has_points[SG_MUST]);
        assert_true(r->has_points[SG_SHOULD]);
        assert_true(r->points[SG_SHOULD] == 4.0);
        assert_true(r->has_points[SG_MUST_NOT]);
        assert_true(r->points[SG_MUST_NOT] == 20.0);
        assert_string_equal(r->pointer, d == 0 ? "/rules/1" : "/examples/1");
        sg_ruleset_release(&set);
        rig_errlist_release(&errs);
    }
}

static void test_design_document(void **state)
{
    const char *doc = "{\n"
                      "  \"spec_id\": \"shop-data\", \"project_name\": \"shop\","
                      " \"document_type\": \"data-model\",\n"
                      "  \"must_rules\": [\n"
                      "    {\"rule_id\": \"RULE-DATA-001\", \"area\": \"DATA\", \"number\": 1,"
                      " \"rule_type\": \"MUST\", \"description\": \"Use JSON Schema\","
                      " \"scope\": \"all models\", \"reason\": \"r\", \"reference\": \"ref\","
                      " \"metadata\": {\"owner\": \"x\"}}\n"
                      "  ],\n"
                      "  \"should_rules\": [\n"
                      "    {\"rule_id\": \"RULE-DATA-004\", \"area\": \"DATA\", \"number\": 4,"
                      " \"description\": \"Carry metadata\"}\n"
                      "  ],\n"
                      "  \"must_not_rules\": [\n"
                      "    {\"rule_id\": \"RULE-DATA-006\", \"area\": \"DATA\","
                      " \"rule_type\": \"MUST NOT\", \"title\": \"No cycles\","
                      " \"description\": \"d\"}\n"
                      "  ],\n"
                      "  \"technical_specs\": {\"erd\": \"...\"},\n"
                      "  \"rule_spec_relations\": {\"RULE-DATA-001\": [\"erd\"]}\n"
                      "}\n";
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_ruleset set;

    (void)state;
    assert_int_equal(load(doc, &set, &errs), 0);
    assert_int_equal(errs.len, 0);
    assert_int_equal(set.n, 3);
    assert_int_equal(set.rules[0].priority, SG_MUST);
    assert_string_equal(set.rules[0].title, "Use JSON Schema"); /* falls back to description */
    assert_int_equal(set.rules[1].priority, SG_SHOULD);         /* from the list */
    assert_string_equal(set.rules[1].pointer, "/should_rules/0");
    assert_int_equal(set.rules[1].line, 7);
    assert_int_equal(set.rules[2].priority, SG_MUST_NOT);
    assert_string_equal(set.rules[2].title, "No cycles");
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
}

static void test_example_file(void **state)
{
    const char *src = tu_env("RIG_SOURCE_DIR");
    char *path = xasprintf("%s/examples/specgate/rules.json", src);
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_ruleset set;
    const struct sg_rule *r;

    (void)state;
    assert_int_equal(sg_ruleset_load_file(path, &set, &errs), 0);
    dump(&errs);
    assert_int_equal(errs.len, 0);
    assert_int_equal(set.n, 4);
    r = sg_ruleset_find(&set, "RULE-ARCH-001");
    assert_non_null(r);
    assert_int_equal(r->area, SG_AREA_ARCH);
    assert_int_equal(r->confidence, 92);
    assert_true(r->rule_weight == 0.8);
    assert_true(r->line > 1);
    r = sg_ruleset_find(&set, "RULE-SEC-001");
    assert_int_equal(r->priority, SG_MUST_NOT);
    assert_non_null(sg_ruleset_find(&set, "RULE-API-002"));
    assert_string_equal(set.source, path);
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
    free(path);
}

static void test_names_and_parsing(void **state)
{
    enum sg_priority p;
    enum sg_area a;

    (void)state;
    assert_int_equal(sg_priority_parse("MUST NOT", &p), 0);
    assert_int_equal(p, SG_MUST_NOT);
    assert_int_equal(sg_priority_parse("must_not", &p), 0);
    assert_int_equal(sg_priority_parse("Must-Not", &p), 0);
    assert_int_equal(sg_priority_parse("should", &p), 0);
    assert_int_equal(p, SG_SHOULD);
    assert_int_equal(sg_priority_parse("MUSTNOT", &p), -1);
    assert_int_equal(sg_priority_parse("MUST  NOT", &p), -1);
    assert_int_equal(sg_priority_parse("MAY", &p), -1);
    assert_int_equal(sg_priority_parse(NULL, &p), -1);
    assert_string_equal(sg_priority_name(SG_MUST_NOT), "MUST NOT");
    assert_string_equal(sg_priority_name(SG_SHOULD), "SHOULD");
    for (int i = 0; i < SG_AREA_COUNT; i++) {
        assert_int_equal(sg_area_parse(sg_area_name((enum sg_area)i), &a), 0);
        assert_int_equal(a, i);
    }
    assert_int_equal(sg_area_parse("Architecture", &a), 0);
    assert_int_equal(a, SG_AREA_ARCH);
    assert_int_equal(sg_area_parse("SECURITY", &a), 0);
    assert_int_equal(a, SG_AREA_SEC);
    assert_int_equal(sg_area_parse("성능", &a), 0);
    assert_int_equal(a, SG_AREA_PERF);
    assert_int_equal(sg_area_parse("data", &a), 0);
    assert_int_equal(sg_area_parse("UI", &a), -1);
    assert_string_equal(sg_area_name(SG_AREA_PERF), "PERF");
}

/* ---- validation errors --------------------------------------------------------- */

static void test_required_fields(void **state)
{
    (void)state;
    expect_error("{\n  \"rule_id\": \"RULE-API-001\",\n  \"priority\": \"MUST\",\n"
                 "  \"title\": \"t\"\n}",
                 "(root)", "missing required field \"area\"", 1, 1);
    expect_error("{\"rules\": [\n  {\"priority\": \"MUST\", \"area\": \"API\", \"title\": \"t\","
                 " \"rule_id\": \"RULE-API-001\"},\n"
                 "  {\"area\": \"API\", \"title\": \"t\", \"rule_id\": \"RULE-API-002\"}\n]}",
                 "/rules/1", "missing required field \"priority\"", 3, 3);
    expect_error("{\"rules\": [\n  {\"priority\": \"MUST\", \"area\": \"API\","
                 " \"rule_id\": \"RULE-API-001\"}\n]}",
                 "/rules/0", "missing required field \"title\"", 2, 3);
    expect_error("{\"rules\": [\n  {\"priority\": \"MUST\", \"area\": \"API\", \"title\": \"t\"}"
                 "\n]}",
                 "/rules/0", "missing required field \"rule_id\"", 2, 3);
    /* design documents: title may fall back to description, but one is needed */
    expect_error("{\"spec_id\": \"s\", \"project_name\": \"p\", \"document_type\": \"d\",\n"
                 " \"must_rules\": [{\"rule_id\": \"RULE-API-001\", \"area\": \"API\"}]}",
                 "/must_rules/0", "missing \"title\" and \"description\"", 2, 17);
    expect_error("{\"must_rules\": [{\"rule_id\": \"RULE-API-001\", \"area\": \"API\","
                 " \"title\": \"t\"}]}",
                 "(root)", "missing required field \"spec_id\"", 1, 1);
}

static void test_field_errors(void **state)
{
    (void)state;
    expect_extra("\"titel\": \"x\"", "/titel", "unknown field \"titel\" (did you mean \"title\"?)",
                 "\"titel\"");
    expect_extra("\"zzzzzz\": 1", "/zzzzzz", "allowed here: $schema, rule_id", "\"zzzzzz\"");
    expect_extra("\"reliability\": {\"total_score\": 101}", "/reliability/total_score",
                 "outside the allowed range 0..100", "101");
    expect_extra("\"reliability\": {\"total_score\": -1}", "/reliability/total_score",
                 "outside the allowed range", "-1");
    expect_extra("\"reliability\": {\"total_score\": 95.5}", "/reliability/total_score",
                 "must be a whole number", "95.5");
    expect_extra("\"reliability\": {\"gate_threshold\": \"90\"}", "/reliability/gate_threshold",
                 "must be an integer, got a string", "\"90\"");
    expect_extra("\"reliability\": {\"extraction_method\": \"standardised\"}",
                 "/reliability/extraction_method", "did you mean \"standardized\"",
                 "\"standardised\"");
    expect_extra("\"ci_info\": {\"drift_calculation\": {\"rule_weight\": 10.5}}",
                 "/ci_info/drift_calculation/rule_weight", "outside the allowed range 0..10",
                 "10.5");
    expect_extra("\"ci_info\": {\"drift_calculation\": {\"area_weight\": -0.1}}",
                 "/ci_info/drift_calculation/area_weight", "outside the allowed range", "-0.1");
    expect_extra("\"ci_info\": {\"drift_calculation\": {\"violation_points\": {\"MUST\": 101}}}",
                 "/ci_info/drift_calculation/violation_points/MUST", "0..100", "101");
    expect_extra("\"ci_info\": {\"drift_calculation\": {\"violation_points\": {\"MAY\": 1}}}",
                 "/ci_info/drift_calculation/violation_points/MAY", "unknown field \"MAY\"",
                 "\"MAY\"");
    expect_extra("\"ci_info\": {\"drift_calculation\": {\"violation_points\": "
                 "{\"MUST NOT\": 1, \"MUST_NOT\": 2}}}",
                 "/ci_info/drift_calculation/violation_points", "not both", "{\"MUST NOT\"");
    expect_extra("\"scope\": {\"file_patterns\": [\"/abs/*.java\"]}", "/scope/file_patterns/0",
                 "drop the leading '/'", "\"/abs");
    expect_extra("\"scope\": {\"file_patterns\": [\"src/../../etc\"]}", "/scope/file_patterns/0",
                 "'..'", "\"src/..");
    expect_extra("\"scope\": 12", "/scope", "must be a string or an object, got an integer",
                 "12");
    expect_extra("\"validation_conditions\": {\"http_methods\": [\"GET\", \"FETCH\"]}",
                 "/validation_conditions/http_methods/1", "invalid value \"FETCH\"", "\"FETCH\"");
    expect_extra("\"validation_conditions\": {\"code_patterns\": [\"@GetMapping(\"]}",
                 "/validation_conditions/code_patterns/0", "invalid regular expression",
                 "\"@Get");
    expect_extra("\"validation_conditions\": {\"dependency_rules\": [{\"from\": \"A\", "
                 "\"to\": \"B\", \"direction\": \"banned\"}]}",
                 "/validation_conditions/dependency_rules/0/direction", "invalid value \"banned\"",
                 "\"banned\"");
    expect_extra("\"validation_conditions\": {\"dependency_rules\": [{\"from\": \"A\"}]}",
                 "/validation_conditions/dependency_rules/0", "missing required field \"to\"",
                 "{\"from\"");
    expect_extra("\"reference_info\": {\"confluence_url\": \"ftp://x\"}",
                 "/reference_info/confluence_url", "not an http(s) URL", "\"ftp");
    expect_extra("\"reference_info\": {\"related_rules\": [\"RULE-api-1\"]}",
                 "/reference_info/related_rules/0", "does not match", "\"RULE-api-1\"");
    expect_extra("\"metadata\": {\"created_at\": \"2024-13-01T00:00:00Z\"}",
                 "/metadata/created_at", "ISO-8601", "\"2024-13");
    expect_extra("\"metadata\": {\"version\": \"1.0\"}", "/metadata/version",
                 "semantic version", "\"1.0\"");
    expect_extra("\"metadata\": {\"tags\": [\"a\", 3]}", "/metadata/tags/1", "must be a string",
                 "3]");
    expect_error("{\"rule_id\": \"RULE-API-001\", \"priority\": \"MUST\", \"area\": \"API\","
                 " \"title\": \" \\t\"}",
                 "/title", "must not be empty", 1, 73);
    expect_extra("\"number\": 0", "/number", "outside the allowed range", "0");
    expect_extra("\"number\": 2", "/number", "\"number\" is 2 but rule_id RULE-API-001 ends in 1",
                 "2");
    expect_extra("\"rule_type\": \"SHOULD\"", "/rule_type",
                 "rule_type \"SHOULD\" contradicts priority \"MUST\"", "\"SHOULD\"");
    expect_extra("\"development_info\": {\"violation_detection\": {\"severity\": \"FATAL\"}}",
                 "/development_info/violation_detection/severity", "invalid value \"FATAL\"",
                 "\"FATAL\"");
    expect_extra("\"development_info\": {\"mdc_template\": {\"examples\": [\"x\"]}}",
                 "/development_info/mdc_template/examples/0", "must be an object", "\"x\"");
}

static void test_ci_info_errors(void **state)
{
    (void)state;
    expect_extra("\"ci_info\": {\"archunit_rule\": {\"test_name\": \"class\", "
                 "\"rule_definition\": \"classes()\"}}",
                 "/ci_info/archunit_rule/test_name", "reserved word", "\"class\"");
    expect_extra("\"ci_info\": {\"archunit_rule\": {\"test_name\": \"a-b\", "
                 "\"rule_definition\": \"classes()\"}}",
                 "/ci_info/archunit_rule/test_name", "not usable as a Java field name", "\"a-b\"");
    expect_extra("\"ci_info\": {\"archunit_rule\": {\"test_name\": \"t\", "
                 "\"rule_definition\": \"classes().should(); System.exit(1)\"}}",
                 "/ci_info/archunit_rule/rule_definition", "';' is not allowed", "\"classes");
    expect_extra("\"ci_info\": {\"archunit_rule\": {\"test_name\": \"t\", "
                 "\"rule_definition\": \"classes().that(\"}}",
                 "/ci_info/archunit_rule/rule_definition", "never closed", "\"classes");
    expect_extra("\"ci_info\": {\"archunit_rule\": {\"test_name\": \"t\", "
                 "\"rule_definition\": \"classes().that(\\\"\\\\u0022)\"}}",
                 "/ci_info/archunit_rule/rule_definition", "unicode escapes", "\"classes");
    expect_extra("\"ci_info\": {\"archunit_rule\": {\"test_name\": \"t\", "
                 "\"rule_definition\": \"classes()\", \"imports\": [\"java.util.List;\"]}}",
                 "/ci_info/archunit_rule/imports/0", "invalid import", "\"java.util");
    expect_extra("\"ci_info\": {\"archunit_rule\": {\"rule_definition\": \"classes()\"}}",
                 "/ci_info/archunit_rule", "missing required field \"test_name\"", "{\"rule_def");
    expect_extra("\"ci_info\": {\"semgrep_rule\": {\"rule_id\": \"x\", \"patterns\": "
                 "[{\"message\": \"m\"}], \"languages\": [\"java\"]}}",
                 "/ci_info/semgrep_rule/patterns/0", "needs a positive matcher", "{\"message\"");
    expect_extra("\"ci_info\": {\"semgrep_rule\": {\"rule_id\": \"x\", \"patterns\": "
                 "[{\"pattern\": \"a\"}], \"languages\": [\"jav\"]}}",
                 "/ci_info/semgrep_rule/languages/0", "did you mean \"java\"", "\"jav\"");
    expect_extra("\"ci_info\": {\"semgrep_rule\": {\"rule_id\": \"x\", \"patterns\": "
                 "[{\"pattern\": \"a\"}], \"languages\": [\"java\"], \"severity\": \"error\"}}",
                 "/ci_info/semgrep_rule/severity", "did you mean \"ERROR\"", "\"error\"");
    expect_extra("\"ci_info\": {\"semgrep_rule\": {\"rule_id\": \"bad id\", \"patterns\": "
                 "[{\"pattern\": \"a\"}], \"languages\": [\"java\"]}}",
                 "/ci_info/semgrep_rule/rule_id", "semgrep rule id", "\"bad id\"");
    expect_extra("\"ci_info\": {\"semgrep_rule\": {\"rule_id\": \"x\", \"patterns\": [],"
                 " \"languages\": [\"java\"]}}",
                 "/ci_info/semgrep_rule/patterns", "at least one element", "[],");
    expect_extra("\"ci_info\": {\"semgrep_rule\": {\"rule_id\": \"x\", \"patterns\": "
                 "[{\"pattern_regex\": \"(\"}], \"languages\": [\"java\"]}}",
                 "/ci_info/semgrep_rule/patterns/0/pattern_regex", "invalid regular expression",
                 "\"(\"");
    expect_extra("\"ci_info\": {\"semgrep_rule\": {\"rule_id\": \"x\", \"patterns\": "
                 "[{\"pattern\": \"a\", \"metavariable_regex\": {\"metavariable\": \"X\", "
                 "\"regex\": \"a\"}}], \"languages\": [\"java\"]}}",
                 "/ci_info/semgrep_rule/patterns/0/metavariable_regex/metavariable",
                 "not a Semgrep metavariable", "\"X\"");
    expect_extra("\"ci_info\": {\"openapi_rule\": {\"rule_name\": \"c\", \"paths\": "
                 "[{\"pattern\": \"api/v1\", \"rules\": {}}]}}",
                 "/ci_info/openapi_rule/paths/0/pattern", "must start with '/'", "\"api/v1\"");
    expect_extra("\"ci_info\": {\"openapi_rule\": {\"rule_name\": \"c\", \"paths\": "
                 "[{\"pattern\": \"/a\", \"rules\": {\"no_breaking_changes\": \"true\"}}]}}",
                 "/ci_info/openapi_rule/paths/0/rules/no_breaking_changes",
                 "true or false without quotes", "\"true\"");
    expect_extra("\"ci_info\": {\"openapi_rule\": {\"rule_name\": \"c\", \"paths\": "
                 "[{\"pattern\": \"/a\", \"rules\": {\"no_removed_endpoint\": true}}]}}",
                 "/ci_info/openapi_rule/paths/0/rules/no_removed_endpoint",
                 "did you mean \"no_removed_endpoints\"", "\"no_removed_endpoint\"");
    expect_extra("\"ci_info\": {\"workflow_config\": {\"enabled_tools\": [\"semgrep\"], "
                 "\"execution_order\": [\"semgrep\", \"archunit\"]}}",
                 "/ci_info/workflow_config/execution_order/1", "not in enabled_tools",
                 "\"archunit\"]");
    expect_extra("\"ci_info\": {\"workflow_config\": {\"enabled_tools\": [\"semgrep\", "
                 "\"semgrep\"]}}",
                 "/ci_info/workflow_config/enabled_tools/1", "listed twice", "\"semgrep\"]");
    expect_extra("\"ci_info\": {\"workflow_config\": {\"enabled_tools\": [\"oasdiff\"]}}",
                 "/ci_info/workflow_config/enabled_tools/0", "invalid value \"oasdiff\"",
                 "\"oasdiff\"");
    expect_extra("\"ci_info\": {\"pr_comment\": {\"card_title\": null}}",
                 "/ci_info/pr_comment/card_title", "must be a string, got null", "null");
}

static void test_enum_values(void **state)
{
    (void)state;
    expect_error("{\"rule_id\": \"RULE-API-001\", \"priority\": \"MAY\", \"area\": \"API\","
                 " \"title\": \"t\"}",
                 "/priority", "invalid priority \"MAY\"", 1, 41);
    expect_error("{\"rule_id\": \"RULE-API-001\", \"priority\": \"MUST\", \"area\": \"archi\","
                 " \"title\": \"t\"}",
                 "/area", "did you mean \"ARCH\"", 1, 57);
    expect_error("{\"rule_id\": \"RULE-API-1x\", \"priority\": \"MUST\", \"area\": \"API\","
                 " \"title\": \"t\"}",
                 "/rule_id", "RULE-<AREA>-<NUMBER>", 1, 13);
}

static void test_cross_rule_checks(void **state)
{
    const char *dup_ids = "{\"rules\": [\n"
                          "  {\"rule_id\": \"RULE-API-001\", \"priority\": \"MUST\", \"area\": "
                          "\"API\", \"title\": \"a\"},\n"
                          "  {\"rule_id\": \"RULE-API-001\", \"priority\": \"MUST\", \"area\": "
                          "\"API\", \"title\": \"b\"}\n]}";
    const char *dup_tests =
        "{\"rules\": [\n"
        "  {\"rule_id\": \"RULE-API-001\", \"priority\": \"MUST\", \"area\": \"API\", \"title\":"
        " \"a\", \"ci_info\": {\"archunit_rule\": {\"test_name\": \"t1\", \"rule_definition\":"
        " \"classes()\"}, \"semgrep_rule\": {\"rule_id\": \"s1\", \"patterns\": [{\"pattern\":"
        " \"a\"}], \"languages\": [\"java\"]}}},\n"
        "  {\"rule_id\": \"RULE-API-002\", \"priority\": \"MUST\", \"area\": \"API\", \"title\":"
        " \"b\", \"ci_info\": {\"archunit_rule\": {\"test_name\": \"t1\", \"rule_definition\":"
        " \"classes()\"}, \"semgrep_rule\": {\"rule_id\": \"s1\", \"patterns\": [{\"pattern\":"
        " \"a\"}], \"languages\": [\"java\"]}}}\n]}";

    (void)state;
    expect_error(dup_ids, "/rules/1/rule_id", "duplicate rule id \"RULE-API-001\"", 3, 15);
    expect_error(dup_tests, "/rules/1/ci_info/archunit_rule/test_name",
                 "duplicate ArchUnit test_name \"t1\"", 3, 0);
    expect_error(dup_tests, "/rules/1/ci_info/semgrep_rule/rule_id",
                 "duplicate Semgrep rule id \"s1\"", 3, 0);
    expect_error("{\"spec_id\": \"s\", \"project_name\": \"p\", \"document_type\": \"d\",\n"
                 " \"must_rules\": [{\"rule_id\": \"RULE-API-001\", \"area\": \"API\","
                 " \"rule_type\": \"SHOULD\", \"title\": \"t\"}]}",
                 "/must_rules/0/rule_type", "contradicts the list the rule is in", 2, 0);
    expect_error("{\"spec_id\": \"s\", \"project_name\": \"p\", \"document_type\": \"d\",\n"
                 " \"must_rules\": [{\"rule_id\": \"RULE-API-001\", \"area\": \"API\","
                 " \"title\": \"t\"}],\n"
                 " \"rule_spec_relations\": {\"not-a-rule\": []}}",
                 "/rule_spec_relations/not-a-rule", "is not a rule id", 3, 26);
}

static void test_warnings(void **state)
{
    const char *doc =
        "{\"rules\": [\n"
        "  {\"rule_id\": \"RULE-API-001\", \"priority\": \"MUST\", \"area\": \"API\","
        " \"title\": \"a\",\n"
        "   \"reference_info\": {\"related_rules\": [\"RULE-API-001\", \"RULE-DATA-009\"]},\n"
        "   \"ci_info\": {\"workflow_config\": {\"enabled_tools\": [\"semgrep\"]}}}\n]}";
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_ruleset set;
    const struct rig_err *e;

    (void)state;
    assert_int_equal(load(doc, &set, &errs), 0);
    assert_int_equal(set.n, 1);
    assert_int_equal(errs.len, 2);
    e = find_err(&errs, "/rules/0/reference_info/related_rules/1",
                 "warning: related rule RULE-DATA-009 is not defined");
    assert_non_null(e);
    assert_true(sg_err_is_warning(e));
    assert_int_equal(e->line, 3);
    assert_int_equal(e->col, 57);
    e = find_err(&errs, "/rules/0/ci_info/workflow_config/enabled_tools/0",
                 "tool \"semgrep\" is enabled but ci_info has no \"semgrep_rule\"");
    assert_non_null(e);
    assert_true(sg_err_is_warning(e));
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
}

static void expect_json_error(const char *text, size_t len, const char *needle, int line);

static void test_document_errors(void **state)
{
    (void)state;
    expect_error("[{\"rule_id\": \"RULE-API-001\"}]", "(root)", "wrap it as {\"rules\": [...]}",
                 1, 1);
    expect_json_error("  42", 4, "'[' or '{' expected", 1);
    expect_error("{\"name\": \"x\"}", "(root)", "not a DesignRuleSpec", 1, 1);
    expect_error("{\"rules\": []}", "(root)", "contains no rules", 1, 1);
    expect_error("{\"rules\": {\"rule_id\": \"RULE-A-1\"}}", "/rules",
                 "must be an array of rule objects", 1, 11);
    expect_error("{\"rules\": [1, \"x\", null, []]}", "/rules/2", "a rule must be an object", 1,
                 20);
    expect_error("{\"rules\": [], \"examples\": []}", "(root)", "not both", 1, 1);
    expect_error("{\"rules\": [{\"rule_id\": \"RULE-A-1\", \"priority\": \"MUST\", \"area\": "
                 "\"API\", \"title\": \"t\"}], \"rulez\": 1}",
                 "/rulez", "did you mean \"rules\"", 1, 87);
}

static void expect_json_error(const char *text, size_t len, const char *needle, int line)
{
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_ruleset set;

    assert_int_equal(sg_ruleset_load_string("t.json", text, len, &set, &errs), -1);
    assert_int_equal(errs.len, 1);
    if (!strstr(errs.items[0].msg, needle)) {
        dump(&errs);
        fail();
    }
    assert_int_equal(errs.items[0].line, line);
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
}

static void test_bad_json(void **state)
{
    static const char nul[] = "{\"rule_id\": \"RULE-A-1\",\n \"x\": \"a\0b\"}";
    static const char bad_utf8[] = "{\"rule_id\": \"RULE-A-1\",\n\n \"title\": \"\xff\xfe\"}";

    (void)state;
    expect_json_error("{\n  \"rule_id\": \"RULE-API-001\",\n  \"title\": \"t\",\n}", 48,
                      "invalid JSON", 4);
    expect_json_error("{\"rule_id\": \"RULE-API-001\",\n \"rule_id\": \"RULE-API-002\"}", 55,
                      "duplicate object key", 2);
    expect_json_error(nul, sizeof(nul) - 1, "invalid JSON", 2);
    expect_json_error(bad_utf8, sizeof(bad_utf8) - 1, "invalid JSON", 3);
    expect_json_error("", 0, "invalid JSON", 1);
}

static void test_bom_and_positions(void **state)
{
    const char *doc = "\xEF\xBB\xBF{\"rule_id\": \"RULE-API-001\", \"priority\": \"MUST\","
                      " \"area\": \"API\", \"title\": \"계층 분리\", \"zz\": 1}";

    (void)state;
    /* columns count code points: the Korean title is 5 characters, not 13 bytes */
    expect_error(doc, "/zz", "unknown field", 1, 82);
}

/* ---- hostile input ------------------------------------------------------------------ */

static void test_too_big(void **state)
{
    char *dir = tu_mkdtemp("spec");
    char *path = tu_path(dir, "big.json");
    size_t n = 10u * 1024u * 1024u;
    char *big = xmalloc(n + 1);
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_ruleset set;
    FILE *f;

    (void)state;
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(big, 1, n, f), n);
    fclose(f);
    assert_int_equal(sg_ruleset_load_file(path, &set, &errs), -1);
    assert_int_equal(errs.len, 1);
    assert_int_equal(errs.items[0].code, RIG_ETOOBIG);
    assert_non_null(strstr(errs.items[0].msg, "more than the 8388608 bytes"));
    rig_errlist_release(&errs);
    assert_int_equal(sg_ruleset_load_string("big", big, n, &set, &errs), -1);
    assert_int_equal(errs.items[0].code, RIG_ETOOBIG);
    rig_errlist_release(&errs);
    assert_int_equal(sg_ruleset_load_file(dir, &set, &errs), -1); /* a directory */
    assert_non_null(strstr(errs.items[0].msg, "not a regular file"));
    rig_errlist_release(&errs);
    free(path);
    path = tu_path(dir, "missing.json");
    assert_int_equal(sg_ruleset_load_file(path, &set, &errs), -1);
    assert_int_equal(errs.items[0].code, RIG_EIO);
    assert_string_equal(errs.items[0].file, path);
    rig_errlist_release(&errs);
    free(big);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

static void test_deep_nesting(void **state)
{
    size_t depth = 100000;
    char *deep = xmalloc(2 * depth + 1);
    struct rig_buf b = RIG_BUF_INIT;
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_ruleset set;

    (void)state;
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = '\0';
    expect_json_error(deep, 2 * depth, "invalid JSON", 1);
    free(deep);
    /* deep but within jansson's limit, inside a free-form member: accepted */
    rig_buf_adds(&b, "{\"rule_id\": \"RULE-API-001\", \"priority\": \"MUST\", \"area\": \"API\","
                     " \"title\": \"t\", \"metadata\": {\"x\": ");
    for (int i = 0; i < 1000; i++)
        rig_buf_adds(&b, "{\"a\": ");
    rig_buf_adds(&b, "1");
    for (int i = 0; i < 1000; i++)
        rig_buf_adds(&b, "}");
    rig_buf_adds(&b, "}, \"zz\": 1}");
    assert_int_equal(load(rig_buf_str(&b), &set, &errs), -1);
    assert_int_equal(errs.len, 1); /* only the unknown field after the deep value */
    assert_non_null(strstr(errs.items[0].msg, "/zz: unknown field"));
    assert_int_equal(errs.items[0].col, (int)b.len - 7);
    rig_errlist_release(&errs);
    rig_buf_release(&b);
}

static void test_many_errors_and_rules(void **state)
{
    struct rig_buf b = RIG_BUF_INIT;
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_ruleset set;

    (void)state;
    rig_buf_adds(&b, "{\"rules\": [");
    for (int i = 0; i < 500; i++)
        rig_buf_addf(&b, "%s\n{\"rule_id\": \"RULE-X-%d\", \"bogus\": %d}", i ? "," : "", i, i);
    rig_buf_adds(&b, "]}");
    assert_int_equal(load(rig_buf_str(&b), &set, &errs), -1);
    assert_int_equal(errs.len, 201); /* 200 listed + "too many problems" */
    assert_non_null(strstr(errs.items[200].msg, "too many problems (2000 errors)"));
    rig_errlist_release(&errs);
    rig_buf_reset(&b);
    /* thousands of valid rules: every one located */
    rig_buf_adds(&b, "{\"rules\": [");
    for (int i = 0; i < 3000; i++)
        rig_buf_addf(&b,
                     "%s\n{\"rule_id\": \"RULE-X-%d\", \"priority\": \"SHOULD\", \"area\": "
                     "\"DATA\", \"title\": \"rule %d\", \"reference_info\": {\"related_rules\":"
                     " [\"RULE-X-%d\"]}}",
                     i ? "," : "", i, i, (i + 1) % 3000);
    rig_buf_adds(&b, "]}");
    assert_int_equal(load(rig_buf_str(&b), &set, &errs), 0);
    assert_int_equal(errs.len, 0);
    assert_int_equal(set.n, 3000);
    assert_int_equal(set.rules[2999].line, 3001);
    assert_string_equal(set.rules[2999].id, "RULE-X-2999");
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
    rig_buf_release(&b);
}

static void test_huge_rule_count(void **state)
{
    struct rig_buf b = RIG_BUF_INIT;
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_ruleset set;
    size_t warnings = 0;

    (void)state;
    /* 40000 rules, every id twice, each naming an unknown related rule: the
     * checks stay n log n and warnings never push the errors out */
    rig_buf_adds(&b, "{\"rules\": [");
    for (int i = 0; i < 40000; i++)
        rig_buf_addf(&b,
                     "%s{\"rule_id\": \"RULE-A-%d\", \"priority\": \"MUST\", \"area\": "
                     "\"API\", \"title\": \"t\", \"reference_info\": {\"related_rules\": "
                     "[\"RULE-B-%d\"]}}",
                     i ? "," : "", i % 20000, i);
    rig_buf_adds(&b, "]}");
    assert_true(b.len < SG_SPEC_MAX_BYTES);
    assert_int_equal(load(rig_buf_str(&b), &set, &errs), -1);
    assert_int_equal(errs.len, 201);
    assert_non_null(find_err(&errs, "/rules/20000/rule_id", "first used by the rule at /rules/0"));
    assert_non_null(strstr(errs.items[200].msg, "too many problems (20000 errors)"));
    rig_errlist_release(&errs);
    rig_buf_reset(&b);
    rig_buf_adds(&b, "{\"rules\": [");
    for (int i = 0; i < 100; i++)
        rig_buf_addf(&b,
                     "%s{\"rule_id\": \"RULE-A-%d\", \"priority\": \"MUST\", \"area\": "
                     "\"API\", \"title\": \"t\", \"reference_info\": {\"related_rules\": "
                     "[\"RULE-B-%d\"]}}",
                     i ? "," : "", i, i);
    rig_buf_adds(&b, "]}");
    assert_int_equal(load(rig_buf_str(&b), &set, &errs), 0);
    for (size_t i = 0; i < errs.len; i++)
        warnings += sg_err_is_warning(&errs.items[i]);
    assert_int_equal(warnings, 50);
    assert_int_equal(errs.len, 50);
    assert_int_equal(set.n, 100);
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
    rig_buf_release(&b);
}

static void test_wrong_types_everywhere(void **state)
{
    static const char *const members[] = {
        "\"rule_id\": 1",          "\"priority\": []",      "\"area\": {}",
        "\"title\": false",        "\"description\": 2",    "\"validation_conditions\": []",
        "\"reference_info\": \"x\"", "\"reliability\": 1",  "\"development_info\": null",
        "\"ci_info\": true",       "\"metadata\": []",      "\"number\": \"1\"",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
        char *text = xasprintf("{\"rule_id\": \"RULE-A-1\", \"priority\": \"MUST\", \"area\":"
                               " \"API\", \"title\": \"t\", \"rules_x\": 0}");
        struct rig_errlist errs = RIG_ERRLIST_INIT;
        struct sg_ruleset set;
        char *doc = xasprintf("{\"rules\": [{%s}]}", members[i]);

        assert_int_equal(load(doc, &set, &errs), -1);
        assert_true(errs.len >= 1);
        assert_null(set.rules);
        rig_errlist_release(&errs);
        assert_int_equal(load(text, &set, &errs), -1); /* unknown member */
        rig_errlist_release(&errs);
        free(doc);
        free(text);
    }
}

/* ---- position scanner ---------------------------------------------------------------- */

static void test_jsonpos(void **state)
{
    const char *text = "{\n"
                       "  \"a/b\": {\"x~y\": [10, {\"k\": \"v\"}]},\n"
                       "  \"esc\\u00e9\": \"\\\"quoted\\\"\",\n"
                       "  \"한\": [[], {}],\n"
                       "  \"last\": null\n"
                       "}";
    struct sg_jsonpos_query q[] = {
        {"", 0, 0, 0, 0, false},
        {"/a~1b", 0, 0, 0, 0, false},
        {"/a~1b/x~0y/1/k", 0, 0, 0, 0, false},
        {"/escé", 0, 0, 0, 0, false},
        {"/한/1", 0, 0, 0, 0, false},
        {"/last", 0, 0, 0, 0, false},
        {"/a~1b/x~0y/1/missing", 0, 0, 0, 0, false},
        {"/nothing/here", 0, 0, 0, 0, false},
        {"/last", 0, 0, 0, 0, false},
    };
    char *p;

    (void)state;
    assert_int_equal(sg_jsonpos_resolve(text, strlen(text), q, 9), 7);
    assert_true(q[0].found);
    assert_int_equal(q[0].line, 1);
    assert_int_equal(q[0].col, 1);
    assert_int_equal(q[1].line, 2);
    assert_int_equal(q[1].col, 10);
    assert_int_equal(q[1].key_col, 3);
    assert_int_equal(q[2].line, 2);
    assert_int_equal(q[2].col, 29);
    assert_int_equal(q[2].key_col, 24);
    assert_true(q[3].found);
    assert_int_equal(q[3].line, 3);
    assert_int_equal(q[3].col, 16);
    assert_true(q[4].found);
    assert_int_equal(q[4].line, 4);
    assert_int_equal(q[4].col, 13); /* "한" counts as one column */
    assert_int_equal(q[4].key_col, 13);
    assert_int_equal(q[5].line, 5);
    assert_int_equal(q[8].line, 5);
    /* not found: nearest existing ancestor */
    assert_false(q[6].found);
    assert_int_equal(q[6].line, 2);
    assert_int_equal(q[6].col, 23);
    assert_false(q[7].found);
    assert_int_equal(q[7].line, 1);
    assert_int_equal(sg_jsonpos_resolve(text, strlen(text), q, 0), 0);
    /* malformed text: no crash, what was seen is kept */
    assert_int_equal(sg_jsonpos_resolve("{\"a\": [1, ", 10, q + 1, 1), 0);
    p = sg_jsonpos_child("/x", "a/b~c");
    assert_string_equal(p, "/x/a~1b~0c");
    free(p);
    p = sg_jsonpos_index("", 7);
    assert_string_equal(p, "/7");
    free(p);
}

static void test_checks(void **state)
{
    char why[256];

    (void)state;
    assert_true(sg_check_rule_id("RULE-API-001"));
    assert_true(sg_check_rule_id("RULE-X-9"));
    assert_false(sg_check_rule_id("RULE-API-"));
    assert_false(sg_check_rule_id("RULE--001"));
    assert_false(sg_check_rule_id("RULE-Api-001"));
    assert_false(sg_check_rule_id("RULE-API-001 "));
    assert_true(sg_check_java_identifier("controller_only$2", why, sizeof(why)));
    assert_false(sg_check_java_identifier("2abc", why, sizeof(why)));
    assert_false(sg_check_java_identifier("a b", why, sizeof(why)));
    assert_false(sg_check_java_identifier("", why, sizeof(why)));
    assert_false(sg_check_java_identifier("null", why, sizeof(why)));
    assert_true(sg_check_java_import("a.b.C", why, sizeof(why)));
    assert_true(sg_check_java_import("static a.b.C.*", why, sizeof(why)));
    assert_false(sg_check_java_import("C", why, sizeof(why)));
    assert_false(sg_check_java_import("a..b", why, sizeof(why)));
    assert_false(sg_check_java_import("a.b; import x", why, sizeof(why)));
    assert_true(sg_check_archunit_expr("noClasses().that().resideInAPackage(\"..a..\")"
                                       ".should().dependOnClassesThat().haveNameMatching("
                                       "\".*(Dao|Repo)\\\\.\")",
                                       why, sizeof(why)));
    assert_true(sg_check_archunit_expr("classes().that(\")\").should(';')", why, sizeof(why)));
    assert_true(sg_check_archunit_expr("layeredArchitecture()\n  .consideringAllDependencies()",
                                       why, sizeof(why)));
    assert_false(sg_check_archunit_expr("classes() {", why, sizeof(why)));
    assert_false(sg_check_archunit_expr("classes()) + (", why, sizeof(why)));
    assert_false(sg_check_archunit_expr("classes() // c", why, sizeof(why)));
    assert_false(sg_check_archunit_expr("classes(\"a)", why, sizeof(why)));
    assert_false(sg_check_archunit_expr("classes(\"\"\"x\"\"\")", why, sizeof(why)));
    assert_false(sg_check_archunit_expr("classes(\"\\\\\\u0022\")", why, sizeof(why)));
    assert_true(sg_check_archunit_expr("classes(\"\\\\u0022\")", why, sizeof(why)));
    assert_false(sg_check_archunit_expr("(classes())", why, sizeof(why)));
    assert_false(sg_check_archunit_expr("classes", why, sizeof(why)));
    assert_false(sg_check_archunit_expr("   ", why, sizeof(why)));
    assert_true(sg_check_semver("1.0.0"));
    assert_true(sg_check_semver("10.20.30-rc.1+b.5"));
    assert_false(sg_check_semver("01.0.0"));
    assert_false(sg_check_semver("1.0.0-"));
    assert_true(sg_check_datetime("2024-01-15T10:30:00Z"));
    assert_true(sg_check_datetime("2024-02-29T23:59:59.123+09:00"));
    assert_false(sg_check_datetime("2024-01-15 10:30:00Z"));
    assert_false(sg_check_datetime("2024-01-15T10:30:00"));
    assert_false(sg_check_datetime("2024-04-31T10:30:00Z"));
    assert_true(sg_check_glob("**/controller/**/*.java", why, sizeof(why)));
    assert_false(sg_check_glob("a/\n/b", why, sizeof(why)));
    assert_true(sg_check_regex("@GetMapping\\(.*\\)", why, sizeof(why)));
    assert_false(sg_check_regex("a{2,1}", why, sizeof(why)));
    assert_true(sg_check_semgrep_id("sql-injection.prevention_2"));
    assert_false(sg_check_semgrep_id("-x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_rule),
        cmocka_unit_test(test_rules_and_examples),
        cmocka_unit_test(test_design_document),
        cmocka_unit_test(test_example_file),
        cmocka_unit_test(test_names_and_parsing),
        cmocka_unit_test(test_required_fields),
        cmocka_unit_test(test_field_errors),
        cmocka_unit_test(test_ci_info_errors),
        cmocka_unit_test(test_enum_values),
        cmocka_unit_test(test_cross_rule_checks),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_document_errors),
        cmocka_unit_test(test_bad_json),
        cmocka_unit_test(test_bom_and_positions),
        cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_many_errors_and_rules),
        cmocka_unit_test(test_huge_rule_count),
        cmocka_unit_test(test_wrong_types_everywhere),
        cmocka_unit_test(test_jsonpos),
        cmocka_unit_test(test_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
