/*
 * Generators: YAML quoting (round-tripped through libfyaml), the Semgrep
 * pattern/regex heuristic, Semgrep/ArchUnit/oasdiff output, the manifest, the
 * overwrite protection and the design-guard workflow.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfyaml.h>

#include "core/buf.h"
#include "core/mem.h"
#include "gate/gen.h"
#include "gate/gen_workflow.h"
#include "gate/spec.h"

/* ---- helpers -------------------------------------------------------------------- */

static struct fy_document *yaml_parse(const char *text)
{
    struct fy_document *fyd = fy_document_build_from_string(NULL, text, strlen(text));

    if (!fyd)
        print_message("YAML did not parse:\n%s\n", text);
    assert_non_null(fyd);
    return fyd;
}

static struct fy_node *ynode(struct fy_document *fyd, const char *path)
{
    return fy_node_by_path(fy_document_root(fyd), path, (size_t)-1, FYNWF_DONT_FOLLOW);
}

static const char *yscalar(struct fy_document *fyd, const char *path)
{
    struct fy_node *n = ynode(fyd, path);

    if (!n || !fy_node_is_scalar(n))
        return NULL;
    return fy_node_get_scalar0(n);
}

static void load_set(const char *text, struct sg_ruleset *set)
{
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    char line[2048];

    if (sg_ruleset_load_string("rules.json", text, strlen(text), set, &errs) != 0) {
        for (size_t i = 0; i < errs.len; i++)
            print_message("%s\n", rig_err_format(&errs.items[i], line, sizeof(line)));
        fail();
    }
    rig_errlist_release(&errs);
}

static void load_example(struct sg_ruleset *set)
{
    char *path = xasprintf("%s/examples/specgate/rules.json", tu_env("RIG_SOURCE_DIR"));
    struct rig_errlist errs = RIG_ERRLIST_INIT;

    assert_int_equal(sg_ruleset_load_file(path, set, &errs), 0);
    rig_errlist_release(&errs);
    free(path);
}

static const struct sg_gen_file *find_file(const struct sg_gen_result *res, const char *path)
{
    for (size_t i = 0; i < res->nfiles; i++) {
        if (strcmp(res->files[i].path, path) == 0)
            return &res->files[i];
    }
    return NULL;
}

static const struct sg_gen_opts opts = {"rules.json", "com.example.arch", "com.example"};

/* ---- YAML scalars ------------------------------------------------------------------ */

static void test_yaml_scalar_roundtrip(void **state)
{
    static const char *const values[] = {
        "", " lead", "trail ", "yes", "No", "null", "~", "123", "1.5", "0x1F", "- item",
        "a: b", "#x", "a #b", "{x}", "[x]", "*alias", "&anchor", "!tag", "%x", "@x", "`x",
        "'q'", "\"dq\"", "back\\slash", "tab\tx", "nl\nx", "two\n\nlines\n", "cr\rx",
        "\x01\x1f\x7f", "\xc2\x85 nel", "\xc2\x9f c1", "\xe2\x80\xa8 ls", "\xef\xbb\xbf bom",
        "\xef\xbf\xbe", "계층 분리", "emoji \xf0\x9f\x98\x80", "$DB.executeQuery($Q)",
        "@GetMapping\\(\"/get.*\"\\)", "MUST NOT", "plain-id.v2", "true", "on", "Off",
    };
    static const char *const must_quote[] = {"yes", "No", "null", "true", "on", "Off", "123"};

    (void)state;
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        struct rig_buf b = RIG_BUF_INIT;
        struct fy_document *fyd;
        struct fy_node *n;
        size_t len;
        const char *got;

        rig_buf_adds(&b, "k: ");
        sg_yaml_scalar(&b, values[i]);
        rig_buf_adds(&b, "\nlist: [");
        sg_yaml_scalar(&b, values[i]);
        rig_buf_adds(&b, ", x]\n");
        fyd = yaml_parse(rig_buf_str(&b));
        n = ynode(fyd, "/k");
        assert_non_null(n);
        got = fy_node_get_scalar(n, &len);
        if (len != strlen(values[i]) || memcmp(got, values[i], len) != 0) {
            print_message("value %zu did not round-trip: %s\n", i, rig_buf_str(&b));
            fail();
        }
        got = fy_node_get_scalar(ynode(fyd, "/list/0"), &len);
        assert_int_equal(len, strlen(values[i]));
        assert_memory_equal(got, values[i], len);
        assert_string_equal(yscalar(fyd, "/list/1"), "x");
        for (size_t k = 0; k < sizeof(must_quote) / sizeof(must_quote[0]); k++) {
            if (strcmp(values[i], must_quote[k]) == 0)
                assert_int_not_equal(fy_node_get_style(n), FYNS_PLAIN);
        }
        fy_document_destroy(fyd);
        rig_buf_release(&b);
    }
}

static void test_semgrep_regex_heuristic(void **state)
{
    (void)state;
    assert_true(sg_semgrep_is_regex("@GetMapping\\(\"/get.*\"\\)"));
    assert_true(sg_semgrep_is_regex("@Autowired\\s+private"));
    assert_true(sg_semgrep_is_regex("get.*Data"));
    assert_true(sg_semgrep_is_regex("^import"));
    assert_true(sg_semgrep_is_regex("Repository$"));
    assert_true(sg_semgrep_is_regex("a\\.b"));
    assert_false(sg_semgrep_is_regex("$DB.executeQuery($QUERY)"));
    assert_false(sg_semgrep_is_regex("$STMT.executeQuery(\"...\" + $X)"));
    assert_false(sg_semgrep_is_regex("foo(..., $X, ...)"));
    assert_false(sg_semgrep_is_regex("import java.util.*"));
    assert_false(sg_semgrep_is_regex("System.out.println(\"a\\n\")"));
    assert_false(sg_semgrep_is_regex("return $X"));
}

/* ---- Semgrep ------------------------------------------------------------------------- */

static const char semgrep_rules[] =
    "{\"rules\": [\n"
    " {\"rule_id\": \"RULE-SEC-002\", \"priority\": \"SHOULD\", \"area\": \"SEC\", \"title\":"
    "  \"Titles: with # and \\\"quotes\\\"\\nand a newline\","
    "  \"scope\": {\"file_patterns\": [\"src/**/*.java\", \"yes\"]},"
    "  \"ci_info\": {\"semgrep_rule\": {\"rule_id\": \"weird-msgs\", \"languages\": [\"java\","
    "   \"kotlin\"], \"patterns\": ["
    "   {\"pattern\": \"$X.exec($Y)\", \"pattern_not\": \"$X.exec(\\\"...\\\")\", \"message\":"
    "    \"- starts with a dash: and has 'quotes' and \\\\ backslash and \\ttab\"},"
    "   {\"pattern_either\": [\"eval($A)\", \"Runtime.*exec\"], \"message\": \"yes\"},"
    "   {\"pattern\": \"$F($ARG)\", \"metavariable_regex\": {\"metavariable\": \"$F\","
    "    \"regex\": \"^(exec|spawn)$\"}, \"pattern_not_inside\": \"if (safe) { ... }\"},"
    "   {\"pattern_either\": [\"a($X)\"]}"
    "  ], \"message\": \"fallback message\"}}},\n"
    " {\"rule_id\": \"RULE-SEC-003\", \"priority\": \"MUST\", \"area\": \"SEC\", \"title\": \"t\","
    "  \"ci_info\": {\"semgrep_rule\": {\"rule_id\": \"plain\", \"languages\": [\"regex\"],"
    "   \"patterns\": [{\"pattern\": \"password = .+\", \"message\": \"m\"}]},"
    "   \"workflow_config\": {\"enabled_tools\": [\"semgrep\"]}}},\n"
    " {\"rule_id\": \"RULE-SEC-004\", \"priority\": \"MUST\", \"area\": \"SEC\", \"title\": \"t\","
    "  \"ci_info\": {\"semgrep_rule\": {\"rule_id\": \"off\", \"languages\": [\"java\"],"
    "   \"patterns\": [{\"pattern\": \"x\"}]}, \"workflow_config\": {\"enabled_tools\":"
    "   [\"archunit\"]}, \"archunit_rule\": {\"test_name\": \"t4\", \"rule_definition\":"
    "   \"classes().should().bePublic()\"}}}\n"
    "]}";

static int count_matchers(struct fy_node *rule)
{
    static const char *const keys[] = {"pattern", "pattern-regex", "patterns", "pattern-either"};
    int n = 0;

    for (size_t i = 0; i < 4; i++)
        n += fy_node_mapping_lookup_by_string(rule, keys[i], (size_t)-1) != NULL;
    return n;
}

static void test_semgrep_generation(void **state)
{
    struct sg_ruleset set;
    struct sg_gen_result res = {NULL, 0, NULL, 0};
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    const struct sg_gen_file *f;
    struct fy_document *fyd;
    struct fy_node *rules;

    (void)state;
    load_set(semgrep_rules, &set);
    assert_int_equal(sg_gen_semgrep(&set, &opts, &res, &errs), 0);
    assert_int_equal(res.nfiles, 2);
    assert_int_equal(res.nskips, 1);
    assert_string_equal(res.skips[0].rule_id, "RULE-SEC-004");
    assert_non_null(strstr(res.skips[0].reason, "enabled_tools"));
    f = find_file(&res, "semgrep/rule-sec-002.yml");
    assert_non_null(f);
    assert_string_equal(f->rule_ids[0], "RULE-SEC-002");
    assert_null(f->rule_ids[1]);
    assert_true(strncmp(f->content, "# " SG_GEN_MARKER "\n", strlen(SG_GEN_MARKER) + 3) == 0);
    fyd = yaml_parse(f->content);
    rules = ynode(fyd, "/rules");
    assert_true(fy_node_is_sequence(rules));
    assert_int_equal(fy_node_sequence_item_count(rules), 4);
    for (int i = 0; i < 4; i++) {
        struct fy_node *r = fy_node_sequence_get_by_index(rules, i);
        char id[32];

        snprintf(id, sizeof(id), "weird-msgs-%d", i + 1);
        assert_string_equal(fy_node_get_scalar0(fy_node_by_path(r, "/id", -1, 0)), id);
        assert_int_equal(count_matchers(r), 1);
        assert_string_equal(fy_node_get_scalar0(fy_node_by_path(r, "/severity", -1, 0)),
                            "WARNING"); /* SHOULD without a severity */
        assert_string_equal(fy_node_get_scalar0(fy_node_by_path(r, "/languages/1", -1, 0)),
                            "kotlin");
        assert_string_equal(
            fy_node_get_scalar0(fy_node_by_path(r, "/metadata/specgate_rule_id", -1, 0)),
            "RULE-SEC-002");
        assert_string_equal(
            fy_node_get_scalar0(fy_node_by_path(r, "/metadata/specgate_priority", -1, 0)),
            "SHOULD");
        assert_string_equal(
            fy_node_get_scalar0(fy_node_by_path(r, "/metadata/specgate_title", -1, 0)),
            "Titles: with # and \"quotes\"\nand a newline");
        assert_string_equal(fy_node_get_scalar0(fy_node_by_path(r, "/paths/include/1", -1, 0)),
                            "yes");
    }
    assert_string_equal(yscalar(fyd, "/rules/0/message"),
                        "- starts with a dash: and has 'quotes' and \\ backslash and \ttab");
    assert_string_equal(yscalar(fyd, "/rules/0/patterns/0/pattern"), "$X.exec($Y)");
    assert_string_equal(yscalar(fyd, "/rules/0/patterns/1/pattern-not"), "$X.exec(\"...\")");
    assert_string_equal(yscalar(fyd, "/rules/1/message"), "yes");
    assert_string_equal(yscalar(fyd, "/rules/1/pattern-either/0/pattern"), "eval($A)");
    assert_string_equal(yscalar(fyd, "/rules/1/pattern-either/1/pattern-regex"),
                        "Runtime.*exec");
    assert_string_equal(yscalar(fyd, "/rules/2/message"), "fallback message");
    assert_string_equal(yscalar(fyd, "/rules/2/patterns/0/pattern"), "$F($ARG)");
    assert_string_equal(yscalar(fyd, "/rules/2/patterns/1/pattern-not-inside"),
                        "if (safe) { ... }");
    assert_string_equal(yscalar(fyd, "/rules/2/patterns/2/metavariable-regex/metavariable"),
                        "$F");
    assert_string_equal(yscalar(fyd, "/rules/2/patterns/2/metavariable-regex/regex"),
                        "^(exec|spawn)$");
    assert_string_equal(yscalar(fyd, "/rules/3/pattern-either/0/pattern"), "a($X)");
    fy_document_destroy(fyd);
    /* language regex: every pattern becomes pattern-regex */
    fyd = yaml_parse(find_file(&res, "semgrep/rule-sec-003.yml")->content);
    assert_string_equal(yscalar(fyd, "/rules/0/id"), "plain");
    assert_string_equal(yscalar(fyd, "/rules/0/pattern-regex"), "password = .+");
    assert_string_equal(yscalar(fyd, "/rules/0/severity"), "ERROR");
    assert_null(ynode(fyd, "/rules/0/paths"));
    fy_document_destroy(fyd);
    sg_gen_result_release(&res);
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
}

static void test_semgrep_bad_regex(void **state)
{
    struct sg_ruleset set;
    struct sg_gen_result res = {NULL, 0, NULL, 0};
    struct rig_errlist errs = RIG_ERRLIST_INIT;

    (void)state;
    /* looks like a regex (\s) but does not compile: refused with the rule's location */
    load_set("{\"rules\": [\n{\"rule_id\": \"RULE-SEC-001\", \"priority\": \"MUST\", \"area\":"
             " \"SEC\", \"title\": \"t\", \"ci_info\": {\"semgrep_rule\": {\"rule_id\": \"r\","
             " \"languages\": [\"java\"], \"patterns\": [{\"pattern\": \"a\\\\s+(b\"}]}}}]}",
             &set);
    assert_int_equal(sg_gen_semgrep(&set, &opts, &res, &errs), -1);
    assert_int_equal(errs.len, 1);
    assert_int_equal(errs.items[0].line, 2);
    assert_string_equal(errs.items[0].file, "rules.json");
    assert_non_null(strstr(errs.items[0].msg, "/rules/0/ci_info/semgrep_rule/patterns/0/pattern"));
    assert_non_null(strstr(errs.items[0].msg, "does not compile"));
    assert_int_equal(res.nfiles, 0);
    sg_gen_result_release(&res);
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
}

/* ---- ArchUnit -------------------------------------------------------------------------- */

static void test_archunit_generation(void **state)
{
    struct sg_ruleset set;
    struct sg_gen_result res = {NULL, 0, NULL, 0};
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    const struct sg_gen_file *f;
    struct sg_gen_opts bad = {"rules.json", "com.example.arch;", "com.example"};

    (void)state;
    load_set("{\"rules\": [\n"
             "{\"rule_id\": \"RULE-ARCH-002\", \"priority\": \"MUST NOT\", \"area\": \"ARCH\","
             " \"title\": \"No \\\\u000a cycles\\n// */\", \"ci_info\": {\"archunit_rule\":"
             " {\"test_name\": \"no_cycles\", \"rule_definition\": \"layeredArchitecture()"
             ".consideringAllDependencies().layer(\\\"A\\\").definedBy(\\\"..a..\\\")\","
             " \"imports\": [\"static java.util.Objects.requireNonNull\", \"java.util.List\","
             " \"java.util.List\"]}}},\n"
             "{\"rule_id\": \"RULE-ARCH-003\", \"priority\": \"SHOULD\", \"area\": \"ARCH\","
             " \"title\": \"x\", \"ci_info\": {\"archunit_rule\": {\"test_name\": \"svc\","
             " \"rule_definition\": \"classes().that().resideInAPackage(\\\"..service..\\\")\\n"
             "   .should().onlyBeAccessed().byAnyPackage(\\\"..controller..\\\")"
             ".because(\\\"a.should(b)\\\")\"}}},\n"
             "{\"rule_id\": \"RULE-DATA-001\", \"priority\": \"MUST\", \"area\": \"DATA\","
             " \"title\": \"d\"}\n]}",
             &set);
    assert_int_equal(sg_gen_archunit(&set, &opts, &res, &errs), 0);
    assert_int_equal(res.nfiles, 1);
    assert_int_equal(res.nskips, 1);
    assert_string_equal(res.skips[0].rule_id, "RULE-DATA-001");
    assert_string_equal(res.skips[0].reason, "no ci_info.archunit_rule");
    f = find_file(&res, "archtest/com/example/arch/ArchDesignRulesTest.java");
    assert_non_null(f);
    assert_string_equal(f->rule_ids[0], "RULE-ARCH-002");
    assert_string_equal(f->rule_ids[1], "RULE-ARCH-003");
    assert_non_null(strstr(f->content, "package com.example.arch;\n"));
    assert_non_null(strstr(f->content, "import java.util.List;\n"));
    assert_null(strstr(strstr(f->content, "import java.util.List;") + 1, "import java.util.List;"));
    assert_non_null(strstr(f->content, "import static java.util.Objects.requireNonNull;\n"));
    assert_non_null(strstr(f->content, "import static com.tngtech.archunit.library."
                                       "Architectures.*;\n"));
    assert_non_null(strstr(f->content, "@AnalyzeClasses(packages = \"com.example\""));
    assert_non_null(strstr(f->content, "public class ArchDesignRulesTest {\n"));
    /* the title cannot escape its comment: newline flattened, \u neutralised */
    assert_non_null(strstr(f->content, "    // RULE-ARCH-002 (MUST NOT): No \\\\u000a cycles "
                                       "// */\n"));
    assert_non_null(strstr(f->content, "    @ArchTest\n    static final ArchRule svc =\n"
                                       "            classes().that().resideInAPackage("
                                       "\"..service..\")\n"
                                       "                    .should().onlyBeAccessed()"
                                       ".byAnyPackage(\"..controller..\")\n"
                                       "                    .because(\"a.should(b)\");\n"));
    sg_gen_result_release(&res);
    rig_errlist_release(&errs);
    assert_int_equal(sg_gen_archunit(&set, &bad, &res, &errs), -1);
    assert_non_null(strstr(errs.items[0].msg, "invalid Java package"));
    assert_int_equal(res.nfiles, 0);
    sg_gen_result_release(&res);
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
}

static void test_archunit_rejects_injection(void **state)
{
    struct sg_ruleset set;
    struct sg_gen_result res = {NULL, 0, NULL, 0};
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    json_t *au;

    (void)state;
    load_example(&set);
    /* a ruleset changed after loading is re-checked before anything is pasted into Java */
    au = json_object_get(json_object_get(set.rules[0].json, "ci_info"), "archunit_rule");
    json_object_set_new(au, "rule_definition",
                        json_string("classes(); static { System.exit(1); } static ArchRule x = "
                                    "classes()"));
    json_object_set_new(au, "test_name", json_string("int"));
    assert_int_equal(sg_gen_archunit(&set, &opts, &res, &errs), -1);
    assert_int_equal(errs.len, 2);
    assert_non_null(strstr(errs.items[0].msg, "reserved word"));
    assert_non_null(strstr(errs.items[1].msg, "';' is not allowed"));
    assert_int_equal(res.nfiles, 0);
    sg_gen_result_release(&res);
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
}

/* ---- OpenAPI ------------------------------------------------------------------------------- */

static void test_openapi_map(void **state)
{
    struct sg_ruleset set;
    struct sg_gen_result res = {NULL, 0, NULL, 0};
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    const struct sg_gen_file *f;
    json_t *doc, *map, *p;
    char *re;

    (void)state;
    assert_true(sg_api_path_match("/api/v1/**", "/api/v1"));
    assert_true(sg_api_path_match("/api/v1/**", "/api/v1/users/{id}"));
    assert_false(sg_api_path_match("/api/v1/**", "/api/v10/users"));
    assert_false(sg_api_path_match("/api/v1/**", "/api/v2"));
    assert_true(sg_api_path_match("/api/*/users", "/api/v2/users"));
    assert_false(sg_api_path_match("/api/*/users", "/api/v2/x/users"));
    assert_true(sg_api_path_match("/api/**/users", "/api/v2/x/users"));
    assert_true(sg_api_path_match("/users/{id}", "/users/{id}"));
    assert_true(sg_api_path_match("/a?c", "/abc"));
    assert_false(sg_api_path_match("/a?c", "/a/c"));
    assert_true(sg_api_path_match("/**", "/"));
    re = sg_api_glob_to_regex("/api/v1.{x}/*/**");
    assert_string_equal(re, "^/api/v1\\.\\{x\\}/[^/]*(/.*)?$");
    free(re);
    load_example(&set);
    map = sg_openapi_rule_map(sg_ruleset_find(&set, "RULE-API-002"));
    assert_non_null(map);
    assert_null(sg_openapi_rule_map(sg_ruleset_find(&set, "RULE-API-001")));
    p = json_array_get(json_object_get(map, "paths"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "pattern")), "/api/v1/**");
    assert_int_equal(json_integer_value(json_object_get(p, "any_change_min_level")), 3);
    assert_int_equal(json_array_size(json_object_get(p, "check_ids")), 16);
    assert_string_equal(json_string_value(json_array_get(json_object_get(p, "check_ids"), 0)),
                        "api-path-removed-before-sunset");
    json_decref(map);
    assert_int_equal(sg_gen_openapi(&set, &opts, &res, &errs), 0);
    f = find_file(&res, "openapi/oasdiff-rules.json");
    assert_non_null(f);
    assert_string_equal(f->rule_ids[0], "RULE-API-002");
    doc = json_loads(f->content, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "note")), SG_GEN_MARKER);
    assert_int_equal(json_array_size(json_object_get(doc, "rules")), 1);
    json_decref(doc);
    assert_int_equal(res.nskips, 3);
    sg_gen_result_release(&res);
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
}

/* ---- writing ------------------------------------------------------------------------ */

static void generate_all(const struct sg_ruleset *set, struct sg_gen_result *res)
{
    struct rig_errlist errs = RIG_ERRLIST_INIT;

    assert_int_equal(sg_gen_archunit(set, &opts, res, &errs), 0);
    assert_int_equal(sg_gen_semgrep(set, &opts, res, &errs), 0);
    assert_int_equal(sg_gen_openapi(set, &opts, res, &errs), 0);
    sg_gen_manifest(set, &opts, res);
    rig_errlist_release(&errs);
}

static void test_write_protection(void **state)
{
    char *dir = tu_mkdtemp("gen");
    char *out = tu_path(dir, "out");
    char *sem = xasprintf("%s/semgrep/rule-api-001.yml", out);
    char *sec = xasprintf("%s/semgrep/rule-sec-001.yml", out);
    struct sg_ruleset set;
    struct sg_gen_result res = {NULL, 0, NULL, 0};
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_gen_stats st;
    json_t *m;
    char *text, *edited;

    (void)state;
    load_example(&set);
    generate_all(&set, &res);
    assert_int_equal(res.nfiles, 7);
    /* a foreign file where a generated one goes: refused, nothing written */
    assert_int_equal(mkdir(out, 0755), 0);
    text = xasprintf("%s/semgrep", out);
    assert_int_equal(mkdir(text, 0755), 0);
    free(text);
    tu_write_file(sem, "rules: [] # mine\n");
    assert_int_equal(sg_gen_write(out, &res, false, &st, &errs), -1);
    assert_int_equal(errs.len, 1);
    assert_non_null(strstr(errs.items[0].msg, "exists and was not written by specgate"));
    assert_int_equal(access(sec, F_OK), -1);
    rig_errlist_release(&errs);
    assert_int_equal(unlink(sem), 0);
    assert_int_equal(sg_gen_write(out, &res, false, &st, &errs), 0);
    assert_int_equal(st.written, 7);
    assert_int_equal(sg_gen_write(out, &res, false, &st, &errs), 0);
    assert_int_equal(st.written, 0);
    assert_int_equal(st.unchanged, 7);
    text = xasprintf("%s/manifest.json", out);
    m = json_load_file(text, 0, NULL);
    free(text);
    assert_non_null(m);
    assert_int_equal(json_array_size(json_object_get(m, "files")), 6);
    assert_int_equal(json_array_size(json_object_get(m, "skipped")), 6);
    json_decref(m);

    /* a hand edit stops everything, before anything is written */
    text = tu_read_file(sem);
    edited = xasprintf("%s# my change\n", text);
    tu_write_file(sem, edited);
    assert_int_equal(unlink(sec), 0);
    assert_int_equal(sg_gen_write(out, &res, false, &st, &errs), -1);
    assert_int_equal(errs.len, 1);
    assert_int_equal(errs.items[0].code, RIG_ECONFLICT);
    assert_string_equal(errs.items[0].file, sem);
    assert_non_null(strstr(errs.items[0].msg, "--force"));
    assert_int_equal(access(sec, F_OK), -1);
    rig_errlist_release(&errs);
    assert_int_equal(sg_gen_write(out, &res, true, &st, &errs), 0);
    assert_int_equal(st.written, 2);
    free(text);
    text = tu_read_file(sem);
    assert_null(strstr(text, "my change"));
    free(text);
    free(edited);

    /* a file that is not ours at a generated path */
    tu_write_file(sec, "rules: []\n");
    assert_int_equal(sg_gen_write(out, &res, false, &st, &errs), -1);
    assert_non_null(strstr(errs.items[0].msg, "was changed since specgate generated it"));
    rig_errlist_release(&errs);
    assert_int_equal(sg_gen_write(out, &res, true, &st, &errs), 0);
    sg_gen_result_release(&res);

    /* a rule disappears: its unchanged file goes, a hand-edited stale file stays */
    text = tu_read_file(sem);
    edited = xasprintf("%s# keep me\n", text);
    json_object_del(json_object_get(set.rules[0].json, "ci_info"), "semgrep_rule");
    json_object_del(json_object_get(set.rules[2].json, "ci_info"), "semgrep_rule");
    json_object_set_new(json_object_get(json_object_get(set.rules[0].json, "ci_info"),
                                        "workflow_config"),
                        "enabled_tools", json_pack("[s]", "archunit"));
    tu_write_file(sem, edited);
    generate_all(&set, &res);
    assert_int_equal(res.nfiles, 5);
    assert_int_equal(sg_gen_write(out, &res, false, &st, &errs), 0);
    assert_int_equal(st.removed, 1);
    assert_int_equal(access(sec, F_OK), -1);
    assert_int_equal(access(sem, F_OK), 0);
    free(text);
    free(edited);

    sg_gen_result_release(&res);
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
    tu_rmtree(dir);
    free(sem);
    free(sec);
    free(out);
    free(dir);
}

/* ---- workflow ----------------------------------------------------------------------- */

static void default_wopts(struct sg_workflow_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->rules_path = "examples/specgate/rules.json";
    o->out_path = ".github/workflows/design-guard.yml";
    o->tests_dir = ".specgate";
    o->java_package = "com.example.arch";
    o->java_version = "17";
    o->openapi_spec = "api/openapi.yaml";
    o->specgate_ref = "main";
    o->build_tool = SG_BUILD_GRADLE;
}

static const char *step_name(struct fy_document *fyd, int i)
{
    char path[64];

    snprintf(path, sizeof(path), "/jobs/design-guard/steps/%d/name", i);
    return yscalar(fyd, path);
}

static int find_step(struct fy_document *fyd, const char *name)
{
    for (int i = 0; step_name(fyd, i); i++) {
        if (strcmp(step_name(fyd, i), name) == 0)
            return i;
    }
    return -1;
}

static const char *step_field(struct fy_document *fyd, int i, const char *field)
{
    char path[96];

    snprintf(path, sizeof(path), "/jobs/design-guard/steps/%d/%s", i, field);
    return yscalar(fyd, path);
}

static void test_workflow(void **state)
{
    struct sg_ruleset set;
    struct sg_workflow_opts o;
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct fy_document *fyd;
    const char *tools[3];
    char *text = NULL;
    int drift, comment, au, sem, oas;

    (void)state;
    load_example(&set);
    assert_int_equal(sg_workflow_tools(&set, tools), 3);
    assert_string_equal(tools[0], "archunit");
    assert_string_equal(tools[1], "semgrep");
    assert_string_equal(tools[2], "openapi_diff");
    default_wopts(&o);
    o.branches = "main, develop";
    o.specgate_repo = "acme/rig";
    assert_int_equal(sg_gen_workflow(&set, &o, &text, &errs), 0);
    fyd = yaml_parse(text);
    assert_string_equal(yscalar(fyd, "/name"), "Design Guard");
    assert_string_equal(yscalar(fyd, "/on/pull_request/branches/1"), "develop");
    assert_string_equal(yscalar(fyd, "/on/pull_request/paths/0"),
                        "src/main/java/**/controller/**/*.java");
    assert_non_null(strstr(text, "      - \"examples/specgate/rules.json\"\n"));
    assert_non_null(strstr(text, "      - \"api/openapi.yaml\"\n"));
    assert_string_equal(yscalar(fyd, "/permissions/contents"), "read");
    assert_string_equal(yscalar(fyd, "/permissions/pull-requests"), "write");
    assert_string_equal(yscalar(fyd, "/permissions/checks"), "write");
    assert_string_equal(yscalar(fyd, "/concurrency/cancel-in-progress"), "true");
    assert_non_null(strstr(yscalar(fyd, "/concurrency/group"), "pull_request.number"));
    assert_string_equal(yscalar(fyd, "/env/SPECGATE_REPO"), "acme/rig");
    assert_string_equal(yscalar(fyd, "/env/OPENAPI_SPEC"), "api/openapi.yaml");
    assert_string_equal(step_field(fyd, 0, "with/fetch-depth"), "0");
    au = find_step(fyd, "ArchUnit tests");
    sem = find_step(fyd, "Semgrep");
    oas = find_step(fyd, "OpenAPI diff (oasdiff)");
    drift = find_step(fyd, "Drift score");
    comment = find_step(fyd, "Drift Radar comment");
    assert_true(find_step(fyd, "Build specgate") > 0);
    assert_true(find_step(fyd, "Generate checks from the design rules") > 0);
    assert_true(au > 0 && au < sem && sem < oas && oas < drift && drift < comment);
    assert_string_equal(step_field(fyd, au, "continue-on-error"), "true");
    assert_string_equal(step_field(fyd, sem, "continue-on-error"), "true");
    assert_non_null(strstr(step_field(fyd, sem, "run"), "--json --config"));
    assert_non_null(strstr(step_field(fyd, oas, "run"), "breaking base.yaml"));
    assert_string_equal(step_field(fyd, oas, "env/BASE_REF"), "${{ github.base_ref }}");
    assert_non_null(strstr(step_field(fyd, drift, "run"),
                           "specgate drift score --rules \"$SPECGATE_RULES\" \\\n"
                           "  --semgrep semgrep.json \\\n"
                           "  --junit 'build/test-results/**/*.xml' \\\n"
                           "  --oasdiff oasdiff.json \\\n"
                           "  --out drift-score.json --check"));
    assert_null(step_field(fyd, drift, "if"));
    assert_string_equal(step_field(fyd, comment, "if"), "always()");
    assert_string_equal(step_field(fyd, comment, "run"),
                        "specgate github comment --score drift-score.json --rules "
                        "\"$SPECGATE_RULES\" --post");
    fy_document_destroy(fyd);
    free(text);

    /* maven, preinstalled specgate, no openapi spec given */
    default_wopts(&o);
    o.build_tool = SG_BUILD_MAVEN;
    o.preinstalled = true;
    o.openapi_spec = NULL;
    assert_int_equal(sg_gen_workflow(&set, &o, &text, &errs), -1);
    assert_non_null(strstr(errs.items[0].msg, "RULE-API-002 enables openapi_diff"));
    rig_errlist_release(&errs);
    json_object_set_new(json_object_get(json_object_get(set.rules[3].json, "ci_info"),
                                        "workflow_config"),
                        "enabled_tools", json_pack("[]"));
    assert_int_equal(sg_gen_workflow(&set, &o, &text, &errs), 0);
    fyd = yaml_parse(text);
    assert_int_equal(find_step(fyd, "Build specgate"), -1);
    assert_int_equal(find_step(fyd, "OpenAPI diff (oasdiff)"), -1);
    assert_true(find_step(fyd, "Check specgate") > 0);
    assert_null(ynode(fyd, "/env/SPECGATE_REPO"));
    assert_non_null(strstr(step_field(fyd, find_step(fyd, "ArchUnit tests"), "run"), "mvn -B"));
    assert_non_null(strstr(step_field(fyd, find_step(fyd, "Drift score"), "run"),
                           "--junit 'target/surefire-reports/*.xml'"));
    assert_null(strstr(step_field(fyd, find_step(fyd, "Drift score"), "run"), "--oasdiff"));
    fy_document_destroy(fyd);
    free(text);

    /* values that would be Actions expressions are refused */
    default_wopts(&o);
    o.rules_path = "${{ secrets.TOKEN }}.json";
    assert_int_equal(sg_gen_workflow(&set, &o, &text, &errs), -1);
    assert_non_null(strstr(errs.items[0].msg, "would evaluate"));
    assert_null(text);
    rig_errlist_release(&errs);
    sg_ruleset_release(&set);
}

static void test_workflow_checksum(void **state)
{
    char *dir = tu_mkdtemp("wf");
    char *path = xasprintf("%s/.github/workflows/design-guard.yml", dir);
    struct sg_ruleset set;
    struct sg_workflow_opts o;
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    char *text = NULL, *cur, *edited;
    bool changed;

    (void)state;
    load_example(&set);
    default_wopts(&o);
    assert_int_equal(sg_gen_workflow(&set, &o, &text, &errs), 0);
    assert_non_null(strstr(text, "SPECGATE_REPO: ${{ vars.SPECGATE_REPO }}"));
    assert_non_null(strstr(text, "Check specgate source"));
    assert_int_equal(sg_gen_write_checksummed(path, text, false, &changed, &errs), 0);
    assert_true(changed);
    assert_int_equal(sg_gen_write_checksummed(path, text, false, &changed, &errs), 0);
    assert_false(changed);
    /* regenerating with other options replaces an intact file */
    free(text);
    o.branches = "main";
    assert_int_equal(sg_gen_workflow(&set, &o, &text, &errs), 0);
    assert_int_equal(sg_gen_write_checksummed(path, text, false, &changed, &errs), 0);
    assert_true(changed);
    /* a hand edit is detected */
    cur = tu_read_file(path);
    edited = xasprintf("%s      - run: echo extra\n", cur);
    tu_write_file(path, edited);
    assert_int_equal(sg_gen_write_checksummed(path, text, false, &changed, &errs), -1);
    assert_int_equal(errs.items[0].code, RIG_ECONFLICT);
    assert_false(changed);
    rig_errlist_release(&errs);
    assert_int_equal(sg_gen_write_checksummed(path, text, true, &changed, &errs), 0);
    assert_true(changed);
    free(cur);
    cur = tu_read_file(path);
    assert_string_equal(cur, text);
    free(cur);
    free(edited);
    free(text);
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
    tu_rmtree(dir);
    free(path);
    free(dir);
}

/* The golden files (compared byte for byte by integration/test_gate_generate)
 * are valid YAML with the keys Semgrep and GitHub Actions require. */
static void test_golden_yaml(void **state)
{
    static const char *const semgrep_files[] = {"rule-api-001.yml", "rule-arch-001.yml",
                                                "rule-sec-001.yml"};
    const char *src = tu_env("RIG_SOURCE_DIR");
    struct fy_document *fyd;
    char *path, *text;

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        struct fy_node *rules;

        path = xasprintf("%s/tests/gate/golden/specgate/semgrep/%s", src, semgrep_files[i]);
        text = tu_read_file(path);
        assert_non_null(text);
        fyd = yaml_parse(text);
        rules = ynode(fyd, "/rules");
        assert_true(fy_node_sequence_item_count(rules) >= 1);
        for (int k = 0; k < fy_node_sequence_item_count(rules); k++) {
            struct fy_node *r = fy_node_sequence_get_by_index(rules, k);

            assert_non_null(fy_node_mapping_lookup_by_string(r, "id", (size_t)-1));
            assert_non_null(fy_node_mapping_lookup_by_string(r, "message", (size_t)-1));
            assert_true(fy_node_is_sequence(
                fy_node_mapping_lookup_by_string(r, "languages", (size_t)-1)));
            assert_non_null(fy_node_mapping_lookup_by_string(r, "severity", (size_t)-1));
            assert_int_equal(count_matchers(r), 1);
        }
        fy_document_destroy(fyd);
        free(text);
        free(path);
    }
    path = xasprintf("%s/tests/gate/golden/design-guard.yml", src);
    text = tu_read_file(path);
    assert_non_null(text);
    fyd = yaml_parse(text);
    assert_non_null(ynode(fyd, "/on/pull_request/paths"));
    assert_string_equal(yscalar(fyd, "/permissions/pull-requests"), "write");
    assert_true(find_step(fyd, "Drift Radar comment") > find_step(fyd, "Drift score"));
    fy_document_destroy(fyd);
    free(text);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yaml_scalar_roundtrip),
        cmocka_unit_test(test_semgrep_regex_heuristic),
        cmocka_unit_test(test_semgrep_generation),
        cmocka_unit_test(test_semgrep_bad_regex),
        cmocka_unit_test(test_archunit_generation),
        cmocka_unit_test(test_archunit_rejects_injection),
        cmocka_unit_test(test_openapi_map),
        cmocka_unit_test(test_write_protection),
        cmocka_unit_test(test_workflow),
        cmocka_unit_test(test_workflow_checksum),
        cmocka_unit_test(test_golden_yaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
