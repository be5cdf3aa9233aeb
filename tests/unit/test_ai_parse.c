#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "adapters/ai/ai_parse.h"
#include "core/mem.h"

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

static void test_plain_object(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    size_t start = 99, len = 0;
    json_t *v = rig_ai_extract_json("{\"a\": 1}", &start, &len, &err);

    (void)state;
    assert_non_null(v);
    assert_int_equal(start, 0);
    assert_int_equal(len, 8);
    assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
    json_decref(v);
}

static void test_fenced(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char *plan = NULL;
    char **files = NULL;
    const char *ans = "```json\n{\"plan\": \"1. add x\\n2. test x\", \"files_to_change\": "
                      "[\"src/x.c\", \"tests/x.c\"]}\n```\n";

    (void)state;
    assert_int_equal(rig_ai_parse_plan(ans, &plan, &files, &err), 0);
    assert_string_equal(plan, "1. add x\n2. test x\n\nFiles to change:\n- src/x.c\n- tests/x.c\n");
    assert_string_equal(files[0], "src/x.c");
    assert_string_equal(files[1], "tests/x.c");
    assert_null(files[2]);
    free(plan);
    rig_strv_free(files);
}

static void test_prose_around(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char *plan = NULL;
    /* Prose with code braces and a non-JSON brace pair before the object. */
    const char *ans = "Sure! In main() { ... } we need a change; use {a, b}.\n"
                      "Here is the plan: {\"plan\": \"do it\"}\nHope this helps {:}";

    (void)state;
    assert_int_equal(rig_ai_parse_plan(ans, &plan, NULL, &err), 0);
    assert_string_equal(plan, "do it");
    free(plan);
}

static void test_braces_in_strings(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;
    const char *ans =
        "Result:\n{\"summary\": \"add } and { and \\\" quote\", \"files\": [{\"path\": \"a.c\", "
        "\"action\": \"write\", \"content\": \"int main(void) {\\n  return \\\"}\\\"[0];\\n}\\n"
        "```\"}]} trailing } text";

    (void)state;
    assert_int_equal(rig_ai_parse_changeset(ans, true, &cs, &err), 0);
    assert_string_equal(cs.summary, "add } and { and \" quote");
    assert_int_equal(cs.nfiles, 1);
    assert_int_equal(cs.files[0].action, RIG_AI_WRITE);
    assert_string_equal(cs.files[0].content, "int main(void) {\n  return \"}\"[0];\n}\n```");
    assert_false(cs.agent_edited);
    assert_null(cs.test_notes);
    rig_ai_changeset_release(&cs);
}

static void test_truncated(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;
    const char *ans = "```json\n{\"summary\": \"x\", \"files\": [{\"path\": \"a.c\",\n"
                      "\"action\": \"write\", \"content\": \"int ma";

    (void)state;
    assert_int_equal(rig_ai_parse_changeset(ans, true, &cs, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    assert_contains(err.msg, "answer line 2:1");
    assert_contains(err.msg, "not closed");
    assert_null(cs.files);
}

static void test_invalid_json_location(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char *plan = NULL;
    const char *ans = "Plan:\n{\"plan\": \"a\",\n \"files_to_change\": [\"x\",]}";

    (void)state;
    assert_int_equal(rig_ai_parse_plan(ans, &plan, NULL, &err), -1);
    assert_null(plan);
    assert_contains(err.msg, "answer line 3:");
    assert_contains(err.msg, "invalid JSON");
}

static void test_no_object(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char *plan = NULL;

    (void)state;
    assert_int_equal(rig_ai_parse_plan("I cannot help with that.", &plan, NULL, &err), -1);
    assert_contains(err.msg, "no JSON object found");
    assert_contains(err.msg, "I cannot help");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_plan("", &plan, NULL, &err), -1);
    assert_contains(err.msg, "no JSON object found");
}

static void test_wrong_types(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;
    char *plan = NULL;

    (void)state;
    assert_int_equal(rig_ai_parse_plan("{\"plan\": 3}", &plan, NULL, &err), -1);
    assert_contains(err.msg, "\"plan\" must be a string, not an integer");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_plan("{\"plan\": \"x\", \"files_to_change\": \"a.c\"}", &plan,
                                       NULL, &err), -1);
    assert_contains(err.msg, "\"files_to_change\" must be an array, not a string");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_plan("{\"plan\": \"x\", \"files_to_change\": [1]}", &plan,
                                       NULL, &err), -1);
    assert_contains(err.msg, "\"files_to_change[0]\" must be a string");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_changeset("{\"summary\": \"s\", \"files\": {}}", true, &cs,
                                            &err), -1);
    assert_contains(err.msg, "\"files\" must be an array, not an object");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_changeset("{\"summary\": \"s\", \"files\": [\"a.c\"]}", true,
                                            &cs, &err), -1);
    assert_contains(err.msg, "\"files[0]\" must be an object, not a string");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_changeset(
        "{\"summary\": \"s\", \"files\": [{\"path\": \"a\", \"action\": \"write\", "
        "\"content\": true}]}", true, &cs, &err), -1);
    assert_contains(err.msg, "\"files[0].content\" must be a string, not a boolean");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_changeset("{\"files\": []}", false, &cs, &err), -1);
    assert_contains(err.msg, "\"summary\" is missing");
}

static void test_empty_path(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;

    (void)state;
    assert_int_equal(rig_ai_parse_changeset(
        "{\"summary\": \"s\", \"files\": [{\"path\": \"ok.c\", \"action\": \"delete\"}, "
        "{\"path\": \"  \", \"action\": \"delete\"}]}", true, &cs, &err), -1);
    assert_contains(err.msg, "\"files[1].path\" is empty");
    assert_null(cs.files);
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_changeset(
        "{\"summary\": \"s\", \"files\": [{\"action\": \"delete\"}]}", true, &cs, &err), -1);
    assert_contains(err.msg, "\"files[0].path\" is missing");
}

static void test_edit_blocks(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;
    const char *ans =
        "{\"summary\": \"fix\", \"test_notes\": \"run make test\", \"files\": ["
        "{\"path\": \"src/a.c\", \"action\": \"edit\", \"edits\": ["
        "{\"search\": \"return 1;\", \"replace\": \"return 0;\"},"
        "{\"search\": \"int x;\\n\", \"replace\": \"\"}]},"
        "{\"path\": \"old.c\", \"action\": \"delete\"},"
        "{\"path\": \"new.c\", \"content\": \"\"},"
        "{\"path\": \"b.c\", \"edits\": [{\"search\": \"a\", \"replace\": \"b\"}]}]}";

    (void)state;
    assert_int_equal(rig_ai_parse_changeset(ans, true, &cs, &err), 0);
    assert_string_equal(cs.test_notes, "run make test");
    assert_int_equal(cs.nfiles, 4);
    assert_int_equal(cs.files[0].action, RIG_AI_EDIT);
    assert_int_equal(cs.files[0].nedits, 2);
    assert_string_equal(cs.files[0].edits[0].search, "return 1;");
    assert_string_equal(cs.files[0].edits[0].replace, "return 0;");
    assert_string_equal(cs.files[0].edits[1].search, "int x;\n");
    assert_string_equal(cs.files[0].edits[1].replace, "");
    assert_null(cs.files[0].content);
    assert_int_equal(cs.files[1].action, RIG_AI_DELETE);
    /* Action inferred from the fields present. */
    assert_int_equal(cs.files[2].action, RIG_AI_WRITE);
    assert_string_equal(cs.files[2].content, "");
    assert_int_equal(cs.files[3].action, RIG_AI_EDIT);
    assert_string_equal(rig_ai_action_name(cs.files[3].action), "edit");
    rig_ai_changeset_release(&cs);
}

static void test_bad_edits(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;

    (void)state;
    assert_int_equal(rig_ai_parse_changeset(
        "{\"summary\": \"s\", \"files\": [{\"path\": \"a\", \"action\": \"edit\", \"edits\": []}]}",
        true, &cs, &err), -1);
    assert_contains(err.msg, "\"files[0].edits\" is empty");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_changeset(
        "{\"summary\": \"s\", \"files\": [{\"path\": \"a\", \"action\": \"edit\", \"edits\": "
        "[{\"search\": \"\", \"replace\": \"x\"}]}]}", true, &cs, &err), -1);
    assert_contains(err.msg, "\"files[0].edits[0].search\" is empty");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_changeset(
        "{\"summary\": \"s\", \"files\": [{\"path\": \"a\", \"action\": \"edit\", \"edits\": "
        "[{\"search\": \"q\"}]}]}", true, &cs, &err), -1);
    assert_contains(err.msg, "\"files[0].edits[0].replace\" is missing");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_changeset(
        "{\"summary\": \"s\", \"files\": [{\"path\": \"a\", \"action\": \"edit\"}]}",
        true, &cs, &err), -1);
    assert_contains(err.msg, "\"files[0].edits\" is missing");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_changeset(
        "{\"summary\": \"s\", \"files\": [{\"path\": \"a\", \"action\": \"write\"}]}",
        true, &cs, &err), -1);
    assert_contains(err.msg, "\"files[0].content\" is missing");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_changeset(
        "{\"summary\": \"s\", \"files\": [{\"path\": \"a\", \"action\": \"rename\"}]}",
        true, &cs, &err), -1);
    assert_contains(err.msg, "\"files[0].action\" is \"rename\"");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_changeset(
        "{\"summary\": \"s\", \"files\": [{\"path\": \"a\"}]}", true, &cs, &err), -1);
    assert_contains(err.msg, "\"files[0].action\" is missing");
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_changeset(
        "{\"summary\": \"s\", \"files\": [{\"path\": \"a\", \"action\": \"delete\"}, "
        "{\"path\": \"a\", \"action\": \"delete\"}]}", true, &cs, &err), -1);
    assert_contains(err.msg, "also appears in files[0]");
}

static void test_require_files(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;

    (void)state;
    assert_int_equal(rig_ai_parse_changeset("{\"summary\": \"s\", \"files\": []}", true, &cs,
                                            &err), -1);
    assert_contains(err.msg, "at least one file change");
    assert_int_equal(rig_ai_parse_changeset("{\"summary\": \"s\", \"files\": []}", false, &cs,
                                            &err), 0);
    assert_int_equal(cs.nfiles, 0);
    rig_ai_changeset_release(&cs);
}

static void test_case_insensitive_keys(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;

    (void)state;
    assert_int_equal(rig_ai_parse_changeset(
        "{\"Summary\": \"s\", \"FILES\": [{\"Path\": \"a\", \"Action\": \"DELETE\"}]}", true, &cs,
        &err), 0);
    assert_string_equal(cs.files[0].path, "a");
    assert_int_equal(cs.files[0].action, RIG_AI_DELETE);
    rig_ai_changeset_release(&cs);
}

static void test_duplicate_keys(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char *plan = NULL;

    (void)state;
    assert_int_equal(rig_ai_parse_plan("{\"plan\": \"a\", \"plan\": \"b\"}", &plan, NULL, &err),
                     -1);
    assert_contains(err.msg, "duplicate");
}

static void test_proposal(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_proposal p;
    const struct rig_ai_file infra[] = {
        {"deploy/compose.yaml", "services: {}\n", false},
        {"deploy/secrets.env", "X=1\n", true},
    };

    (void)state;
    assert_int_equal(rig_ai_parse_proposal(
        "{\"explanation\": \"port clash\", \"files\": [{\"path\": \"deploy/compose.yaml\", "
        "\"action\": \"edit\", \"edits\": [{\"search\": \"{}\", \"replace\": \"{a: 1}\"}]}]}",
        infra, 2, &p, &err), 0);
    assert_string_equal(p.explanation, "port clash");
    assert_int_equal(p.nfiles, 1);
    rig_ai_proposal_release(&p);

    assert_int_equal(rig_ai_parse_proposal("{\"explanation\": \"DNS is down, nothing to change\"}",
                                           infra, 2, &p, &err), 0);
    assert_int_equal(p.nfiles, 0);
    rig_ai_proposal_release(&p);

    assert_int_equal(rig_ai_parse_proposal(
        "{\"explanation\": \"x\", \"files\": [{\"path\": \"deploy/secrets.env\", "
        "\"action\": \"delete\"}]}", infra, 2, &p, &err), -1);
    assert_contains(err.msg, "\"deploy/secrets.env\" is read-only");
    assert_null(p.files);
    assert_null(p.explanation);
    rig_err_clear(&err);
    assert_int_equal(rig_ai_parse_proposal("{\"explanation\": \"\"}", infra, 2, &p, &err), -1);
    assert_contains(err.msg, "\"explanation\" is empty");
}

static void test_explain(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char *text = NULL;

    (void)state;
    assert_int_equal(rig_ai_parse_explain(
        "{\"explanation\": \"The test timed out.\", \"suggestions\": [\"raise the timeout\", "
        "\"\", \"check the DB\"]}", &text, &err), 0);
    assert_string_equal(text, "The test timed out.\n\nSuggested actions:\n- raise the timeout\n"
                              "- check the DB\n");
    free(text);
}

static void test_inner_object_not_taken(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_changeset cs;
    /* The outer object is invalid (trailing comma): its valid inner objects
     * must not be taken for the answer. */
    const char *ans = "{\"summary\": \"s\", \"files\": [{\"path\": \"a\", \"action\": "
                      "\"delete\"},]}";

    (void)state;
    assert_int_equal(rig_ai_parse_changeset(ans, true, &cs, &err), -1);
    assert_contains(err.msg, "invalid JSON");
}

static void test_many_braces_bounded(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    size_t n = 200000;
    char *s = xmalloc(n + 1);

    (void)state;
    for (size_t i = 0; i < n; i += 2) {
        s[i] = '{';
        s[i + 1] = '}';
    }
    s[n] = '\0';
    /* "{}" pairs are valid empty objects: the first one is found quickly. */
    json_t *v = rig_ai_extract_json(s, NULL, NULL, &err);
    assert_non_null(v);
    json_decref(v);
    for (size_t i = 0; i < n; i++)
        s[i] = (i % 3 == 0) ? '{' : (i % 3 == 1) ? '"' : 'x';
    assert_null(rig_ai_extract_json(s, NULL, NULL, &err));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_object),
        cmocka_unit_test(test_fenced),
        cmocka_unit_test(test_prose_around),
        cmocka_unit_test(test_braces_in_strings),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_invalid_json_location),
        cmocka_unit_test(test_no_object),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_empty_path),
        cmocka_unit_test(test_edit_blocks),
        cmocka_unit_test(test_bad_edits),
        cmocka_unit_test(test_require_files),
        cmocka_unit_test(test_case_insensitive_keys),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_proposal),
        cmocka_unit_test(test_explain),
        cmocka_unit_test(test_inner_object_not_taken),
        cmocka_unit_test(test_many_braces_bounded),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
