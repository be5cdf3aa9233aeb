/*
 * Drift Radar markdown: golden files (en, ko) from a real Semgrep run plus
 * an ArchUnit finding, and the size limit, escaping, PASS and SARIF shapes.
 * Set SG_UPDATE_GOLDEN=1 to rewrite tests/gate/golden/ after a deliberate
 * wording change.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "gate/drift.h"
#include "gate/inputs.h"
#include "gate/radar.h"
#include "gate/sarif.h"

static struct sg_ruleset rules;
static json_t *score;      /* juice-shop before-fix + one ArchUnit finding */
static const char *srcdir;

static int setup(void **state)
{
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_findings f = SG_FINDINGS_INIT;
    struct sg_drift d;
    struct sg_drift_opts o;
    struct rig_err err = RIG_ERR_INIT;
    char *path, *fx;
    int rc;

    (void)state;
    srcdir = getenv("RIG_SOURCE_DIR");
    if (!srcdir)
        srcdir = ".";
    path = xasprintf("%s/tests/gate/rules-sample.json", srcdir);
    rc = sg_ruleset_load_file(path, &rules, &errs);
    rig_errlist_release(&errs);
    free(path);
    if (rc < 0)
        return -1;
    fx = tu_fixture("semgrep/semgrep-1.154.0-juice-shop-before-fix.json");
    rc = sg_input_load_file(SG_TOOL_SEMGREP, fx, &rules, NULL, &f, &err);
    free(fx);
    if (rc < 0)
        return -1;
    sg_findings_add(&f, SG_TOOL_ARCHUNIT, "RULE-ARCH-001", "ArchTest.layers",
                    "src/main/java/com/acme/web/UserController.java", 0,
                    "Field <com.acme.web.UserController.repo> has type "
                    "<com.acme.db.UserRepository> in (UserController.java:0)", "TEST-A.xml");
    /* The input file name differs per machine; keep the golden stable. */
    for (size_t i = 0; i < f.n; i++) {
        free(f.items[i].source);
        f.items[i].source = xstrdup("semgrep.json");
    }
    sg_drift_opts_init(&o);
    if (sg_drift_compute(&rules, &f, &o, &d, &err) < 0)
        return -1;
    score = sg_drift_to_json(&d, &f, &o, "rules.json");
    sg_drift_release(&d);
    sg_findings_release(&f);
    return score ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(score);
    sg_ruleset_release(&rules);
    return 0;
}

static char *render(const json_t *s, enum sg_lang lang, size_t max_chars, int prev)
{
    struct sg_radar_opts o;
    struct rig_err err = RIG_ERR_INIT;
    char *md = NULL;

    sg_radar_opts_init(&o);
    o.lang = lang;
    o.repo = "acme/juice-shop";
    o.sha = "24a78e541070ce8ef9ed03a780d12521607f622b";
    o.max_chars = max_chars;
    o.prev_score = prev;
    if (sg_radar_render(s, "drift-score.json", &rules, &o, &md, &err) < 0)
        fail_msg("render: %s", err.msg);
    return md;
}

static void check_golden(const char *name, const char *md)
{
    char *path = xasprintf("%s/tests/gate/golden/%s", srcdir, name);
    char *want;

    if (getenv("SG_UPDATE_GOLDEN")) {
        tu_write_file(path, md);
        free(path);
        return;
    }
    want = tu_read_file(path);
    if (!want)
        fail_msg("missing golden %s (run with SG_UPDATE_GOLDEN=1)", path);
    if (strcmp(want, md) != 0) {
        char *got = xasprintf("%s.got", path);

        tu_write_file(got, md);
        fail_msg("%s differs from the rendering (written to %s; diff them)", path, got);
    }
    free(want);
    free(path);
}

static void test_golden_en(void **state)
{
    char *md = render(score, SG_LANG_EN, 0, 90);

    (void)state;
    check_golden("radar-en.md", md);
    free(md);
}

static void test_golden_ko(void **state)
{
    char *md = render(score, SG_LANG_KO, 0, 90);

    (void)state;
    check_golden("radar-ko.md", md);
    free(md);
}

static void test_structure(void **state)
{
    char *md = render(score, SG_LANG_EN, 0, -1);

    (void)state;
    assert_true(strncmp(md, SG_RADAR_MARKER "\n", strlen(SG_RADAR_MARKER) + 1) == 0);
    assert_int_equal(sg_radar_previous_score(md), 88);
    assert_non_null(strstr(md, "**Drift Score: 88/100** ⚠️ **PR blocked** (threshold: 50)"));
    assert_non_null(strstr(md, "| Security | 68/100 | 🔴 Danger | Use parameterised queries (6), "
                               "No code built from strings (1) |"));
    /* Cards follow the priorities: the MUST NOT finding (13.5 points) first. */
    assert_true(strstr(md, "#### 1. RULE-SEC-002 violation (MUST NOT)") <
                strstr(md, "#### 2. RULE-SEC-001 violation (MUST)"));
    assert_non_null(strstr(md, "(https://github.com/acme/juice-shop/blob/24a78e541070ce8ef9ed03a78"
                               "0d12521607f622b/routes/userProfile.ts#L62)"));
    /* A class-level (line 0) finding links the file without a line anchor. */
    assert_non_null(strstr(md, "src/main/java/com/acme/web/UserController.java)"));
    /* Tool text is escaped: no raw HTML, no @mention. */
    assert_null(strstr(md, "<com.acme"));
    assert_non_null(strstr(md, "&lt;com.acme.db.UserRepository&gt;"));
    assert_non_null(strstr(md, "- **Expected score after the fixes**: 0/100 (PASS)"));
    assert_non_null(strstr(md, "14 findings matched no rule"));
    free(md);
}

static void test_size_limit(void **state)
{
    char *md = render(score, SG_LANG_EN, 4000, -1);
    char *ko = render(score, SG_LANG_KO, 4000, -1);

    (void)state;
    assert_true(strlen(md) <= 4000);
    assert_non_null(strstr(md, "more violations not shown (comment size limit)"));
    assert_non_null(strstr(md, "Expected score after fixing the violations shown"));
    assert_non_null(strstr(md, "<sub>SpecGate"));
    assert_true(strlen(ko) <= 4000);
    assert_non_null(strstr(ko, "코멘트 크기 제한으로 생략되었습니다"));
    free(md);
    free(ko);
    /* The default cap is GitHub's 65,536 characters. */
    md = render(score, SG_LANG_EN, 0, -1);
    assert_true(strlen(md) <= SG_RADAR_MAX_CHARS);
    free(md);
}

static void test_pass_and_hostile_text(void **state)
{
    json_t *s = json_deep_copy(score), *v;
    char *md;

    (void)state;
    json_object_set_new(s, "total_score", json_integer(10));
    json_object_set_new(s, "status", json_string("PASS"));
    v = json_array_get(json_object_get(s, "violations"), 0);
    json_object_set_new(v, "message", json_string("<!-- specgate:drift-radar --> @octocat "
                                                  "| `x` [link](http://evil) <img src=x>"));
    json_object_set_new(v, "file", json_string("a b/ü`x.ts"));
    md = render(s, SG_LANG_KO, 0, -1);
    assert_non_null(strstr(md, "✅ **통과**"));
    assert_non_null(strstr(md, "🎉 축하합니다! 설계 준수를 잘 하고 있습니다."));
    /* The marker appears once: a finding cannot forge it. */
    assert_ptr_equal(strstr(md, SG_RADAR_MARKER), strstr(md, "<!-- specgate:drift-radar"));
    assert_null(strstr(md + 1, SG_RADAR_MARKER));
    assert_null(strstr(md, "@octocat"));
    assert_null(strstr(md, "<img"));
    assert_non_null(strstr(md, "\\[link\\](http://evil)"));
    assert_non_null(strstr(md, "/a%20b/%C3%BC%60x.ts"));
    free(md);
    json_decref(s);
}

static void test_hostile_file_paths(void **state)
{
    json_t *s = json_deep_copy(score), *vs = json_object_get(s, "violations");
    char *md;

    (void)state;
    /* CR is a markdown line ending: two of them end the paragraph, so the
     * code span never closes and what follows renders as markdown. */
    json_object_set_new(json_array_get(vs, 0), "file",
                        json_string("a.ts\r\r@octocat <img src=x> <!-- specgate:drift-radar -->"));
    /* A link may not climb out of the repository's blob view. */
    json_object_set_new(json_array_get(vs, 1), "file",
                        json_string("src/../../../../../evil/repo"));
    json_object_set_new(json_array_get(vs, 2), "file", json_string("/etc/passwd"));
    md = render(s, SG_LANG_EN, 0, -1);
    assert_null(strchr(md, '\r'));
    assert_null(strstr(md, "@octocat"));
    assert_null(strstr(md, "<img"));
    assert_null(strstr(md + 1, SG_RADAR_MARKER));
    assert_null(strstr(md, "/src/.."));
    assert_null(strstr(md, "//etc/passwd"));
    assert_non_null(strstr(md, "`src/../../../../../evil/repo"));
    assert_non_null(strstr(md, "`/etc/passwd"));
    free(md);
    json_decref(s);
}

static void test_rejects_bad_score(void **state)
{
    struct sg_radar_opts o;
    struct rig_err err = RIG_ERR_INIT;
    json_t *s = json_deep_copy(score);
    char *md = NULL;

    (void)state;
    sg_radar_opts_init(&o);
    json_object_set_new(json_array_get(json_object_get(s, "violations"), 2), "line",
                        json_string("12"));
    assert_int_equal(sg_radar_render(s, "d.json", &rules, &o, &md, &err), -1);
    assert_null(md);
    assert_non_null(strstr(err.msg, "d.json: violations[2].line: expected a line number"));
    json_object_set_new(s, "status", json_string("MAYBE"));
    assert_int_equal(sg_radar_check_score(s, "d.json", &err), -1);
    assert_non_null(strstr(err.msg, "status"));
    json_decref(s);
    s = json_loads("{\"total_score\": 150}", 0, NULL);
    assert_int_equal(sg_radar_check_score(s, "d.json", &err), -1);
    assert_non_null(strstr(err.msg, "total_score: expected an integer 0..100"));
    json_decref(s);
}

static void test_sarif(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    json_t *sarif = NULL, *run, *res;
    size_t unlocated = 0;

    (void)state;
    assert_int_equal(sg_sarif_from_score(score, "d.json", &rules, &sarif, &unlocated, &err), 0);
    assert_string_equal(json_string_value(json_object_get(sarif, "version")), "2.1.0");
    run = json_array_get(json_object_get(sarif, "runs"), 0);
    res = json_object_get(run, "results");
    assert_int_equal(json_array_size(res), 12);
    assert_int_equal(unlocated, 0);
    assert_int_equal(json_array_size(json_object_get(json_object_get(json_object_get(run, "tool"),
                                                                     "driver"), "rules")), 4);
    res = json_array_get(res, 0);
    assert_string_equal(json_string_value(json_object_get(res, "ruleId")), "RULE-SEC-002");
    assert_string_equal(json_string_value(json_object_get(res, "level")), "error");
    json_decref(sarif);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_en),
        cmocka_unit_test(test_golden_ko),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_pass_and_hostile_text),
        cmocka_unit_test(test_hostile_file_paths),
        cmocka_unit_test(test_rejects_bad_score),
        cmocka_unit_test(test_sarif),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
