/*
 * Check-tool result readers against the real outputs in the shared fixtures,
 * plus malformed and hostile inputs.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/mem.h"
#include "gate/drift.h"
#include "gate/inputs.h"
#include "gate/xml.h"

static struct sg_ruleset rules;

static int load_rules(void **state)
{
    const char *src = getenv("RIG_SOURCE_DIR");
    char *path = xasprintf("%s/tests/gate/rules-sample.json", src && *src ? src : ".");
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    int rc = sg_ruleset_load_file(path, &rules, &errs);

    (void)state;
    if (rc != 0 && errs.len)
        fprintf(stderr, "%s: %s\n", path, errs.items[0].msg);
    rig_errlist_release(&errs);
    free(path);
    return rc;
}

static int free_rules(void **state)
{
    (void)state;
    sg_ruleset_release(&rules);
    return 0;
}

static size_t count_rule(const struct sg_findings *f, const char *rule)
{
    size_t n = 0;

    for (size_t i = 0; i < f->n; i++) {
        if (rule ? (f->items[i].rule_id && strcmp(f->items[i].rule_id, rule) == 0)
                 : f->items[i].rule_id == NULL)
            n++;
    }
    return n;
}

static void load_fixture(enum sg_tool tool, const char *rel, struct sg_findings *f)
{
    char *path = tu_fixture(rel);
    struct rig_err err = RIG_ERR_INIT;
    int rc = sg_input_load_file(tool, path, &rules, NULL, f, &err);

    if (rc != 0)
        fail_msg("%s: %s", path, err.msg);
    free(path);
}

static int parse_text(enum sg_tool tool, const char *text, struct sg_findings *f,
                      struct rig_err *err)
{
    switch (tool) {
    case SG_TOOL_SEMGREP:
        return sg_semgrep_parse("t.json", text, strlen(text), &rules, f, err);
    case SG_TOOL_ARCHUNIT:
        return sg_junit_parse("t.xml", text, strlen(text), &rules, NULL, f, err);
    default:
        return sg_oasdiff_parse("t.json", text, strlen(text), &rules, f, err);
    }
}

static void expect_error(enum sg_tool tool, const char *text, const char *needle)
{
    struct sg_findings f = SG_FINDINGS_INIT;
    struct rig_err err = RIG_ERR_INIT;
    char msg[2048];

    assert_int_equal(parse_text(tool, text, &f, &err), -1);
    rig_err_format(&err, msg, sizeof(msg));
    if (!strstr(msg, needle))
        fail_msg("error \"%s\" lacks \"%s\"", msg, needle);
    assert_int_equal(f.n, 0);
    assert_int_equal(f.nerr, 0);
    sg_findings_release(&f);
}

static int score_of(const struct sg_findings *f, struct sg_drift *d)
{
    struct sg_drift_opts o;
    struct rig_err err = RIG_ERR_INIT;

    sg_drift_opts_init(&o);
    assert_int_equal(sg_drift_compute(&rules, f, &o, d, &err), 0);
    return d->total_score;
}

/* ---- Semgrep ---------------------------------------------------------- */

static void test_semgrep_juice_shop_before_after(void **state)
{
    struct sg_findings before = SG_FINDINGS_INIT, after = SG_FINDINGS_INIT;
    struct sg_drift d;

    (void)state;
    load_fixture(SG_TOOL_SEMGREP, "semgrep/semgrep-1.154.0-juice-shop-before-fix.json", &before);
    assert_int_equal(before.n, 25);
    assert_int_equal(count_rule(&before, "RULE-SEC-001"), 6);
    assert_int_equal(count_rule(&before, "RULE-SEC-002"), 1);
    assert_int_equal(count_rule(&before, "RULE-API-003"), 4);
    assert_int_equal(count_rule(&before, NULL), 14);
    assert_int_equal(before.nerr, 35);
    assert_int_equal(sg_findings_fatal_count(&before), 0);
    assert_int_equal(before.ninputs, 1);
    /* SEC 6 x 9 + 13.5 = 67.5, API 4 x 5 x 0.7 = 14: 81.5 -> 82 FAIL. */
    assert_int_equal(score_of(&before, &d), 82);
    assert_int_equal(d.status, SG_STATUS_FAIL);
    assert_int_equal(d.nunmapped, 14);
    sg_drift_release(&d);

    load_fixture(SG_TOOL_SEMGREP, "semgrep/semgrep-1.154.0-juice-shop-after-fix.json", &after);
    assert_int_equal(after.n, 18);
    assert_int_equal(count_rule(&after, "RULE-SEC-001"), 0);
    assert_int_equal(count_rule(&after, "RULE-SEC-002"), 0);
    assert_int_equal(score_of(&after, &d), 14);
    assert_int_equal(d.status, SG_STATUS_PASS);
    sg_drift_release(&d);
    /* The README's fixed finding: code-string-concat in routes/userProfile.ts:62. */
    for (size_t i = 0; i < before.n; i++) {
        if (before.items[i].rule_id && strcmp(before.items[i].rule_id, "RULE-SEC-002") == 0) {
            assert_string_equal(before.items[i].file, "routes/userProfile.ts");
            assert_int_equal(before.items[i].line, 62);
        }
    }
    sg_findings_release(&before);
    sg_findings_release(&after);
}

static void test_semgrep_error_shapes(void **state)
{
    struct sg_findings f = SG_FINDINGS_INIT;
    size_t partial = 0, other = 0;

    (void)state;
    load_fixture(SG_TOOL_SEMGREP, "semgrep/semgrep-1.56.0-node-api-with-parse-errors.json", &f);
    assert_int_equal(f.n, 2);
    assert_int_equal(f.nerr, 10);
    for (size_t i = 0; i < f.nerr; i++) {
        partial += strcmp(f.errors[i].type, "PartialParsing") == 0;
        other += strcmp(f.errors[i].type, "Other syntax error") == 0;
        assert_string_equal(f.errors[i].level, "warn");
        assert_false(f.errors[i].fatal);
    }
    assert_int_equal(partial, 9);
    assert_int_equal(other, 1);
    sg_findings_release(&f);
}

static void test_semgrep_windows_paths_and_timeouts(void **state)
{
    struct sg_findings f = SG_FINDINGS_INIT;
    size_t timeouts = 0;

    (void)state;
    load_fixture(SG_TOOL_SEMGREP, "semgrep/semgrep-1.156.0-webgoat-windows-paths-timeouts.json",
                 &f);
    assert_int_equal(f.n, 190);
    for (size_t i = 0; i < f.n; i++) {
        assert_null(strchr(f.items[i].file, '\\'));
        assert_true(f.items[i].line > 0);
    }
    for (size_t i = 0; i < f.nerr; i++) {
        if (strcmp(f.errors[i].type, "Timeout") == 0) {
            timeouts++;
            assert_non_null(strstr(f.errors[i].message, "(rule "));
            assert_null(strchr(f.errors[i].path, '\\'));
        }
    }
    assert_int_equal(timeouts, 6);
    sg_findings_release(&f);
}

static void test_semgrep_invalid_config_is_fatal(void **state)
{
    struct sg_findings f = SG_FINDINGS_INIT;
    struct sg_drift d;

    (void)state;
    load_fixture(SG_TOOL_SEMGREP, "semgrep/semgrep-snapshot-invalid-rule-schema.json", &f);
    assert_int_equal(f.n, 0);
    assert_int_equal(f.nerr, 2);
    assert_int_equal(sg_findings_fatal_count(&f), 2);
    assert_string_equal(f.errors[0].type, "InvalidRuleSchemaError");
    assert_string_equal(f.errors[0].message, "One of these properties is missing: 'severity'");
    assert_string_equal(f.errors[1].message,
                        "invalid configuration file found (1 configs were invalid)");
    /* Zero findings, but the scan never ran: not a clean PASS. */
    assert_int_equal(score_of(&f, &d), 0);
    assert_false(d.complete);
    sg_drift_release(&d);
    sg_findings_release(&f);
}

static void test_semgrep_mapping(void **state)
{
    struct sg_findings f = SG_FINDINGS_INIT;
    struct rig_err err = RIG_ERR_INIT;
    const char *text =
        "{\"results\": ["
        " {\"check_id\": \"x\", \"path\": \"./a.js\", \"start\": {\"line\": 1},"
        "  \"extra\": {\"message\": \"m\", \"metadata\": {\"specgate_rule_id\": \"RULE-SEC-001\"}}},"
        " {\"check_id\": \"x\", \"path\": \"a.js\", \"start\": {\"line\": 2},"
        "  \"extra\": {\"message\": \"m\", \"metadata\": {\"specgate_rule_id\": \"RULE-NOPE-999\"}}},"
        " {\"check_id\": \"tmp.cache.specgate.code-string-concat-2\", \"path\": \"b.js\","
        "  \"start\": {\"line\": 3}, \"extra\": {\"message\": \"m\"}},"
        " {\"check_id\": \"code-string-concat\", \"path\": \"b.js\", \"start\": {\"line\": 4}},"
        " {\"check_id\": \"my-code-string-concat\", \"path\": \"b.js\", \"start\": {\"line\": 5}},"
        " {\"check_id\": \"rules.RULE-API-003\", \"path\": \"c.js\", \"start\": {\"line\": 6}}"
        "], \"errors\": []}";

    (void)state;
    assert_int_equal(parse_text(SG_TOOL_SEMGREP, text, &f, &err), 0);
    assert_int_equal(f.n, 6);
    assert_string_equal(f.items[0].rule_id, "RULE-SEC-001");
    assert_string_equal(f.items[0].file, "a.js");
    assert_null(f.items[1].rule_id); /* unknown rule id: unmapped, kept */
    assert_string_equal(f.items[1].unknown_rule, "RULE-NOPE-999");
    assert_string_equal(f.items[2].rule_id, "RULE-SEC-002");
    assert_string_equal(f.items[3].rule_id, "RULE-SEC-002");
    assert_null(f.items[4].rule_id); /* no dot boundary */
    assert_string_equal(f.items[5].rule_id, "RULE-API-003");
    sg_findings_release(&f);
}

static void test_semgrep_malformed(void **state)
{
    (void)state;
    expect_error(SG_TOOL_SEMGREP, "", "t.json");
    expect_error(SG_TOOL_SEMGREP, "{\"results\": [", "t.json:1");
    expect_error(SG_TOOL_SEMGREP, "[]", "expected a JSON object");
    expect_error(SG_TOOL_SEMGREP, "{\"errors\": []}", "\"results\" is missing");
    expect_error(SG_TOOL_SEMGREP, "{\"results\": {}}", "\"results\" is object");
    expect_error(SG_TOOL_SEMGREP, "{\"results\": [{\"path\": \"a\", \"start\": {\"line\": 1}}]}",
                 "results[0].check_id: expected a string, got nothing");
    expect_error(SG_TOOL_SEMGREP,
                 "{\"results\": [{\"check_id\": \"c\", \"path\": \"a\", \"start\": "
                 "{\"line\": \"7\"}}]}",
                 "results[0].start.line: expected a line number, got string");
    expect_error(SG_TOOL_SEMGREP,
                 "{\"results\": [{\"check_id\": \"c\", \"path\": 5, \"start\": {\"line\": 1}}]}",
                 "results[0].path");
    expect_error(SG_TOOL_SEMGREP,
                 "{\"results\": [{\"check_id\": \"c\", \"path\": \"a\", \"start\": {\"line\": 1},"
                 " \"extra\": {\"metadata\": {\"specgate_rule_id\": 3}}}]}",
                 "specgate_rule_id");
    expect_error(SG_TOOL_SEMGREP, "{\"results\": [], \"errors\": {}}", "\"errors\" is object");
    expect_error(SG_TOOL_SEMGREP, "{\"results\": [], \"results\": []}", "t.json");
}

static void test_hostile_sizes(void **state)
{
    struct sg_findings f = SG_FINDINGS_INIT;
    struct sg_input_opts o = {NULL, NULL, 4096, 0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_buf b = RIG_BUF_INIT;
    char *path = tu_fixture("semgrep/semgrep-1.156.0-webgoat-windows-paths-timeouts.json");

    (void)state;
    assert_int_equal(sg_input_load_file(SG_TOOL_SEMGREP, path, &rules, &o, &f, &err), -1);
    assert_int_equal(err.code, RIG_ETOOBIG);
    assert_non_null(strstr(err.msg, "larger than the 4096 byte limit"));
    assert_int_equal(f.ninputs, 0);
    free(path);
    assert_int_equal(sg_input_load_file(SG_TOOL_SEMGREP, "/nonexistent/semgrep.json", &rules,
                                        NULL, &f, &err), -1);
    assert_non_null(strstr(err.msg, "cannot read /nonexistent/semgrep.json"));
    /* Deeply nested JSON is refused by the parser, not by a crash. */
    for (int i = 0; i < 100000; i++)
        rig_buf_addch(&b, '[');
    assert_int_equal(sg_semgrep_parse("deep.json", b.data, b.len, &rules, &f, &err), -1);
    assert_int_equal(sg_oasdiff_parse("deep.json", b.data, b.len, &rules, &f, &err), -1);
    rig_buf_release(&b);
    sg_findings_release(&f);
}

/* ---- JUnit XML / ArchUnit --------------------------------------------- */

static void test_junit_failing_layered_fixture(void **state)
{
    struct sg_findings f = SG_FINDINGS_INIT;
    bool seen_method = false;

    (void)state;
    load_fixture(SG_TOOL_ARCHUNIT,
                 "junit-archunit/failing-layered-maven-junit4/TEST-LayeredArchitectureTest.xml",
                 &f);
    /* 4 failed rules, 1940 violation lines (418 + 191 + 1157 + 174). */
    assert_int_equal(f.n, 1940);
    assert_int_equal(f.nerr, 0);
    assert_int_equal(count_rule(&f, "RULE-ARCH-001"), 418);
    assert_int_equal(count_rule(&f, NULL), 1522);
    assert_string_equal(f.items[0].check_id,
                        "LayeredArchitectureTest.controller_dependencies_are_respected");
    assert_string_equal(f.items[0].file, "project/VIEW/AccessoPortaleAmministratoreGUI.java");
    assert_int_equal(f.items[0].line, 0);
    for (size_t i = 0; i < f.n; i++) {
        assert_null(strstr(f.items[i].message, "\tat "));
        assert_null(strstr(f.items[i].message, "was violated"));
        if (strstr(f.items[i].message, "VisualizzaRisorsaOnlineGUI$6.actionPerformed") &&
            strstr(f.items[i].message, "openDialog")) {
            assert_string_equal(f.items[i].file, "project/VIEW/VisualizzaRisorsaOnlineGUI.java");
            assert_int_equal(f.items[i].line, 195);
            seen_method = true;
        }
    }
    assert_true(seen_method);
    sg_findings_release(&f);
}

static void test_junit_passing_fixture(void **state)
{
    struct sg_findings f = SG_FINDINGS_INIT;

    (void)state;
    load_fixture(SG_TOOL_ARCHUNIT, "junit-archunit/passing-maven-junit5/TEST-ArchitectureTest.xml",
                 &f);
    assert_int_equal(f.n, 0);
    assert_int_equal(f.nerr, 0);
    sg_findings_release(&f);
}

/* Gradle: message attribute holds toString() with &#10; line breaks, the
 * text holds the same plus the stack trace; the rule id is in .because(). */
static void test_junit_gradle_form_and_source_roots(void **state)
{
    const char *xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
        "<testsuite name=\"com.example.ArchTest\" tests=\"2\" failures=\"1\" errors=\"0\">\r\n"
        "  <properties/>\r\n"
        "  <testcase name=\"no_repository_in_controllers\" classname=\"com.example.ArchTest\">\r\n"
        "    <failure message=\"java.lang.AssertionError: Architecture Violation [Priority: "
        "MEDIUM] - Rule &apos;no classes that reside in a package &apos;..controller..&apos; "
        "should depend on classes that reside in a package &apos;..repository..&apos;, because "
        "RULE-ARCH-001&apos; was violated (2 times):&#10;Field &lt;com.example.controller."
        "UserController.repo&gt; has type &lt;com.example.repository.UserRepository&gt; in "
        "(UserController.java:0)&#10;Method &lt;com.example.controller.UserController.get(java."
        "lang.Long)&gt; calls method &lt;com.example.repository.UserRepository.findById(java."
        "lang.Object)&gt; in (UserController.java:30)\" type=\"java.lang.AssertionError\">"
        "<![CDATA[java.lang.AssertionError: Architecture Violation [Priority: MEDIUM] - Rule "
        "'no classes that reside in a package '..controller..' should depend on classes that "
        "reside in a package '..repository..', because RULE-ARCH-001' was violated (2 times):\r\n"
        "Field <com.example.controller.UserController.repo> has type "
        "<com.example.repository.UserRepository> in (UserController.java:0)\r\n"
        "Method <com.example.controller.UserController.get(java.lang.Long)> calls method "
        "<com.example.repository.UserRepository.findById(java.lang.Object)> in "
        "(UserController.java:30)\r\n"
        "\tat com.tngtech.archunit.lang.ArchRule$Assertions.assertNoViolation(ArchRule.java:94)"
        "\r\n]]></failure>\r\n"
        "  </testcase>\r\n"
        "  <testcase name=\"ok\" classname=\"com.example.ArchTest\"/>\r\n"
        "  <system-out><![CDATA[log]]></system-out>\r\n"
        "</testsuite>\r\n";
    struct sg_findings f = SG_FINDINGS_INIT;
    struct rig_err err = RIG_ERR_INIT;
    char *dir = tu_mkdtemp("sg-roots");
    char *javadir = xasprintf("%s/app/src/main/java/com/example/controller", dir);
    char *java = xasprintf("%s/UserController.java", javadir);
    const char *roots[] = {"app/src/main/java", NULL};
    struct sg_input_opts o = {roots, dir, 0, 0};

    (void)state;
    assert_int_equal(sg_junit_parse("g.xml", xml, strlen(xml), &rules, NULL, &f, &err), 0);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.items[0].rule_id, "RULE-ARCH-001");
    assert_string_equal(f.items[0].file, "com/example/controller/UserController.java");
    assert_int_equal(f.items[1].line, 30);
    assert_string_equal(f.items[0].check_id, "com.example.ArchTest.no_repository_in_controllers");
    sg_findings_release(&f);
    /* With the source file present under a root, the path is repository-relative. */
    assert_int_equal(tu_sh(NULL, "mkdir -p '%s'", javadir), 0);
    tu_write_file(java, "class UserController {}\n");
    assert_int_equal(sg_junit_parse("g.xml", xml, strlen(xml), &rules, &o, &f, &err), 0);
    assert_string_equal(f.items[1].file,
                        "app/src/main/java/com/example/controller/UserController.java");
    sg_findings_release(&f);
    tu_rmtree(dir);
    free(java);
    free(javadir);
    free(dir);
}

static void test_junit_errors_and_empty_should(void **state)
{
    const char *xml =
        "<testsuites><testsuite name=\"s\">"
        "<testcase name=\"controller_dependencies_are_respected\" classname=\"A\">"
        "<failure message=\"Rule 'classes that ...' failed to check any classes. This means "
        "either that no classes have been passed to the rule at all\"/></testcase>"
        "<testcase name=\"b\" classname=\"A\"><error message=\"could not import classes\" "
        "type=\"java.lang.IllegalStateException\">trace</error></testcase>"
        "<testcase name=\"c\" classname=\"A\"><failure message=\"expected: &lt;1&gt; but was: "
        "&lt;2&gt;\" type=\"org.opentest4j.AssertionFailedError\"/></testcase>"
        "<testcase name=\"d\" classname=\"A\"><skipped/></testcase>"
        "</testsuite></testsuites>";
    struct sg_findings f = SG_FINDINGS_INIT;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    assert_int_equal(parse_text(SG_TOOL_ARCHUNIT, xml, &f, &err), 0);
    assert_int_equal(f.nerr, 2);
    assert_int_equal(sg_findings_fatal_count(&f), 2);
    assert_string_equal(f.errors[0].type, "empty-should");
    assert_string_equal(f.errors[1].type, "test-error");
    assert_non_null(strstr(f.errors[1].message, "could not import classes"));
    /* A plain assertion failure: one unmapped finding without location. */
    assert_int_equal(f.n, 1);
    assert_null(f.items[0].rule_id);
    assert_null(f.items[0].file);
    assert_string_equal(f.items[0].message, "expected: <1> but was: <2>");
    sg_findings_release(&f);
}

static void test_junit_hostile_xml(void **state)
{
    struct rig_buf b = RIG_BUF_INIT;
    char *path, *text;
    struct sg_findings f = SG_FINDINGS_INIT;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    expect_error(SG_TOOL_ARCHUNIT,
                 "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
                 "\"&lol;&lol;&lol;\">]><testsuite>&lol2;</testsuite>",
                 "DOCTYPE declarations are not accepted");
    expect_error(SG_TOOL_ARCHUNIT, "<testsuite>&nbsp;</testsuite>", "unknown entity reference");
    expect_error(SG_TOOL_ARCHUNIT, "<testsuite>&#0;</testsuite>", "invalid code point");
    expect_error(SG_TOOL_ARCHUNIT, "<testsuite>&#xD800;</testsuite>", "invalid code point");
    expect_error(SG_TOOL_ARCHUNIT, "<testsuite><testcase></testsuite>", "end tag does not match");
    expect_error(SG_TOOL_ARCHUNIT, "<testsuite><![CDATA[x</testsuite>", "unterminated CDATA");
    expect_error(SG_TOOL_ARCHUNIT, "<testsuite a=\"1></testsuite>", "'<' inside an attribute");
    expect_error(SG_TOOL_ARCHUNIT, "<testsuite a=1/>", "quoted attribute value");
    expect_error(SG_TOOL_ARCHUNIT, "<html><body/></html>", "root element is <html>");
    expect_error(SG_TOOL_ARCHUNIT, "<testsuite/><testsuite/>", "content after the root");
    expect_error(SG_TOOL_ARCHUNIT, "not xml at all", "t.xml:1:1: expected the root element");
    expect_error(SG_TOOL_ARCHUNIT, "", "expected the root element");
    assert_int_equal(sg_junit_parse("nul.xml", "<a>\0</a>", 8, &rules, NULL, &f, &err), -1);
    assert_non_null(strstr(err.msg, "NUL byte"));
    for (int i = 0; i < 10000; i++)
        rig_buf_adds(&b, "<testsuite>");
    assert_int_equal(sg_junit_parse("deep.xml", b.data, b.len, &rules, NULL, &f, &err), -1);
    assert_non_null(strstr(err.msg, "nested deeper than 64 levels"));
    assert_int_equal(err.line, 1);
    rig_buf_release(&b);
    /* A report cut off mid-file (the runner died): the error names the place. */
    path = tu_fixture(
        "junit-archunit/failing-layered-maven-junit4/TEST-LayeredArchitectureTest.xml");
    text = tu_read_file(path);
    assert_int_equal(sg_junit_parse("cut.xml", text, 200000, &rules, NULL, &f, &err), -1);
    assert_string_equal(err.file, "cut.xml");
    assert_true(err.line > 60);
    assert_int_equal(f.n, 0);
    free(text);
    free(path);
    sg_findings_release(&f);
}

static void test_xml_reader(void **state)
{
    const char *doc = "\xEF\xBB\xBF<?xml version='1.0'?><!-- c --><r a='x&amp;y' b=\"l1\nl2\">"
                      "t&lt;1&#x41;&#66;<k/><![CDATA[<raw>]]><!-- in --><?pi x?>\r\nz</r>";
    struct sg_xml_node *root = NULL;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    assert_int_equal(sg_xml_parse("d.xml", doc, strlen(doc), NULL, &root, &err), 0);
    assert_string_equal(root->name, "r");
    assert_string_equal(sg_xml_attr(root, "a"), "x&y");
    assert_string_equal(sg_xml_attr(root, "b"), "l1\nl2"); /* breaks kept on purpose */
    assert_null(sg_xml_attr(root, "c"));
    assert_string_equal(root->text, "t<1AB<raw>\nz");
    assert_int_equal(root->nchildren, 1);
    assert_string_equal(root->children[0]->name, "k");
    sg_xml_free(root);
}

static void test_junit_expand(void **state)
{
    char *dir = tu_mkdtemp("sg-expand");
    char **paths = NULL;
    size_t n = 0;
    struct rig_err err = RIG_ERR_INIT;
    char *pat;

    (void)state;
    assert_int_equal(tu_sh(NULL, "mkdir -p '%s/a/build/test-results/test' '%s/b/target' && "
                                 "touch '%s/a/build/test-results/test/TEST-x.xml' "
                                 "'%s/b/target/TEST-y.xml' '%s/b/target/other.xml'",
                           dir, dir, dir, dir, dir), 0);
    assert_int_equal(sg_junit_expand(dir, &paths, &n, &err), 2); /* TEST-*.xml below */
    pat = xasprintf("%s/**/*.xml", dir);
    assert_int_equal(sg_junit_expand(pat, &paths, &n, &err), 3);
    free(pat);
    pat = xasprintf("%s/*/target/TEST-*.xml", dir);
    assert_int_equal(sg_junit_expand(pat, &paths, &n, &err), 1);
    assert_true(strstr(paths[n - 1], "/b/target/TEST-y.xml") != NULL);
    free(pat);
    pat = xasprintf("%s/none/*.xml", dir);
    assert_int_equal(sg_junit_expand(pat, &paths, &n, &err), 0);
    free(pat);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    tu_rmtree(dir);
    free(dir);
}

/* ---- oasdiff ----------------------------------------------------------- */

static int level_num(const char *l)
{
    return strcmp(l, "error") == 0 ? 3 : strcmp(l, "warning") == 0 ? 2 : 1;
}

/* Every expected change of the oasdiff corpus, as `oasdiff -f json` writes it
 * (level as an integer), against a rule covering all paths with
 * no_breaking_changes: ERR changes map, WARN and INFO ones stay unmapped. */
static void test_oasdiff_corpus(void **state)
{
    char *path = tu_fixture("openapi/manifest.json");
    json_t *m = json_load_file(path, 0, NULL), *c, *e;
    struct sg_ruleset one;
    struct sg_rule r;
    size_t i, k, breaking = 0, info = 0, total = 0; /* info: WARN and INFO */
    struct sg_findings f = SG_FINDINGS_INIT;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    assert_non_null(m);
    memset(&r, 0, sizeof(r));
    r.id = (char *)"RULE-API-100";
    r.json = json_loads("{\"ci_info\": {\"openapi_rule\": {\"paths\": [{\"pattern\": \"/**\","
                        " \"rules\": {\"no_breaking_changes\": true}}]}}}", 0, NULL);
    one.rules = &r;
    one.n = 1;
    json_array_foreach(json_object_get(m, "cases"), i, c) {
        json_t *arr = json_array();
        char *text;

        json_array_foreach(json_object_get(c, "expected"), k, e) {
            const char *lvl = json_string_value(json_object_get(e, "level"));
            const char *op = json_string_value(json_object_get(e, "operation"));
            json_t *ch = json_pack("{s:O, s:i, s:s}", "id", json_object_get(e, "id"), "level",
                                   level_num(lvl), "text",
                                   json_string_value(json_object_get(e, "text"))
                                       ? json_string_value(json_object_get(e, "text"))
                                       : json_string_value(json_object_get(e, "id")));

            if (op && strchr(op, ' ')) {
                json_object_set_new(ch, "operation", json_stringn(op, strcspn(op, " ")));
                json_object_set_new(ch, "path", json_string(strchr(op, ' ') + 1));
            }
            json_array_append_new(arr, ch);
            if (level_num(lvl) >= 3)
                breaking++;
            else
                info++;
            total++;
        }
        text = json_dumps(arr, JSON_COMPACT);
        assert_int_equal(sg_oasdiff_parse("oasdiff.json", text, strlen(text), &one, &f, &err), 0);
        free(text);
        json_decref(arr);
    }
    assert_int_equal(f.n, total);
    assert_int_equal(count_rule(&f, "RULE-API-100"), breaking);
    assert_int_equal(count_rule(&f, NULL), info);
    assert_int_equal(breaking, 50); /* manifest: 50 error, 16 warning, 20 info */
    assert_int_equal(info, 36);
    sg_findings_release(&f);
    json_decref(r.json);
    json_decref(m);
    free(path);
}

static void test_oasdiff_flags_paths_and_shapes(void **state)
{
    const char *text =
        "{\"changes\": ["
        " {\"id\": \"api-path-removed-without-deprecation\", \"level\": 3, \"operation\": \"GET\","
        "  \"path\": \"/api/v1/users/{id}\", \"text\": \"api path removed without deprecation\","
        "  \"baseSource\": {\"file\": \"base.yaml\", \"line\": 12}},"
        " {\"id\": \"request-parameter-removed\", \"level\": \"WARN\", \"operation\": \"GET\","
        "  \"path\": \"/api/v2/users\", \"text\": \"removed the query request parameter x\"},"
        " {\"id\": \"response-property-enum-value-added\", \"level\": \"warning\","
        "  \"path\": \"/api/v1/users\", \"revisionSource\": {\"file\": \"rev.yaml\", \"line\": 40}},"
        " {\"id\": \"endpoint-deprecated\", \"level\": 1, \"path\": \"/api/v1/users\"},"
        " {\"id\": \"api-global-security-removed\", \"level\": 1, \"source\": \"\"}"
        "]}";
    struct sg_findings f = SG_FINDINGS_INIT;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    /* RULE-API-002 covers everything under /api/v1 with no_breaking_changes. */
    assert_int_equal(parse_text(SG_TOOL_OASDIFF, text, &f, &err), 0);
    assert_int_equal(f.n, 5);
    assert_string_equal(f.items[0].rule_id, "RULE-API-002");
    assert_string_equal(f.items[0].file, "base.yaml");
    assert_int_equal(f.items[0].line, 12);
    assert_string_equal(f.items[0].message,
                        "GET /api/v1/users/{id}: api path removed without deprecation");
    assert_null(f.items[1].rule_id);           /* v2 is outside the pattern */
    /* request-parameter-removed (WARN) is in no_removed_parameters' ids. */
    assert_null(f.items[2].rule_id); /* WARN: not in the flags' ids, below ERR */
    assert_string_equal(f.items[2].file, "rev.yaml");
    assert_null(f.items[3].rule_id);           /* INFO: not breaking */
    assert_null(f.items[4].rule_id);           /* no path, pattern is not a catch-all */
    assert_null(f.items[4].file);
    sg_findings_release(&f);
    /* A flag-only rule counts just its check ids. */
    {
        struct sg_rule r;
        struct sg_ruleset one = {&r, 1, NULL, NULL};

        memset(&r, 0, sizeof(r));
        r.id = (char *)"RULE-API-200";
        r.json = json_loads("{\"ci_info\": {\"openapi_rule\": {\"paths\": [{\"pattern\": "
                            "\"/api/**\", \"rules\": {\"no_removed_endpoints\": true}}]}}}",
                            0, NULL);
        assert_true(sg_oasdiff_rule_matches(&r, "api-path-removed-without-deprecation", 3,
                                            "/api/x"));
        assert_false(sg_oasdiff_rule_matches(&r, "request-parameter-removed", 2, "/api/x"));
        assert_true(sg_oasdiff_rule_matches(&r, "api-removed-before-sunset", 3, "/api"));
        assert_false(sg_oasdiff_rule_matches(&r, "api-path-removed-without-deprecation", 3,
                                             "/other"));
        assert_int_equal(sg_oasdiff_parse("o.json", "[]", 2, &one, &f, &err), 0);
        assert_int_equal(f.n, 0);
        json_decref(r.json);
    }
}

static void test_oasdiff_malformed(void **state)
{
    (void)state;
    expect_error(SG_TOOL_OASDIFF, "{\"diff\": 1}", "expected a JSON array of changes");
    expect_error(SG_TOOL_OASDIFF, "\"text\"", "expected a JSON array of changes");
    expect_error(SG_TOOL_OASDIFF, "[{\"level\": 3}]", "change [0] \"id\": expected a string");
    expect_error(SG_TOOL_OASDIFF, "[{\"id\": \"x\", \"level\": 7}]", "\"level\": expected 1..3");
    expect_error(SG_TOOL_OASDIFF, "[{\"id\": \"x\", \"level\": 3, \"path\": []}]",
                 "\"path\": expected a string, got array");
    expect_error(SG_TOOL_OASDIFF, "[1]", "change [0]");
    expect_error(SG_TOOL_OASDIFF, "[{\"id\": \"x\", \"level\": 3}", "t.json:1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_semgrep_juice_shop_before_after),
        cmocka_unit_test(test_semgrep_error_shapes),
        cmocka_unit_test(test_semgrep_windows_paths_and_timeouts),
        cmocka_unit_test(test_semgrep_invalid_config_is_fatal),
        cmocka_unit_test(test_semgrep_mapping),
        cmocka_unit_test(test_semgrep_malformed),
        cmocka_unit_test(test_hostile_sizes),
        cmocka_unit_test(test_junit_failing_layered_fixture),
        cmocka_unit_test(test_junit_passing_fixture),
        cmocka_unit_test(test_junit_gradle_form_and_source_roots),
        cmocka_unit_test(test_junit_errors_and_empty_should),
        cmocka_unit_test(test_junit_hostile_xml),
        cmocka_unit_test(test_xml_reader),
        cmocka_unit_test(test_junit_expand),
        cmocka_unit_test(test_oasdiff_corpus),
        cmocka_unit_test(test_oasdiff_flags_paths_and_shapes),
        cmocka_unit_test(test_oasdiff_malformed),
    };

    return cmocka_run_group_tests(tests, load_rules, free_rules);
}
