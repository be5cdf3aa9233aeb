#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/err.h"
#include "core/mem.h"
#include "engine/vars.h"

/* Payloads that would run `touch pwned*` if a value ever reached the shell as code. */
static const char *const payloads[] = {
    "$(touch pwned1)'; touch pwned2; echo '",
    "`touch pwned3`",
    "\"; touch pwned4; echo \"",
    "a'b\"c\\d$HOME`e`$(f)${g}!h&i|j;k<l>m*n?o#p",
    "line1\ntouch pwned5\nline3",
    "'",
    "\\",
    "' $(touch pwned6) '",
    "-n",
    "",
};

static struct rig_vars vars_with_title(const char *title)
{
    struct rig_vars v;

    memset(&v, 0, sizeof(v));
    v.branch_name = "rig/issue-7-x";
    v.commit_sha = "0123456789abcdef0123456789abcdef01234567";
    v.issue_id = "7";
    v.issue_number = "7";
    v.issue_title = title;
    v.repo_owner = "acme";
    v.repo_name = "app";
    v.workspace = "/tmp/w s";
    return v;
}

static char *expand_ok(const char *cmd, const struct rig_vars *v)
{
    struct rig_err err = RIG_ERR_INIT;
    char *out = NULL;

    if (rig_vars_expand(cmd, v, &out, &err) != 0)
        fail_msg("expand \"%s\": %s", cmd, err.msg);
    return out;
}

/* Run the expanded command in a fresh directory; return stdout, check no file appeared. */
static char *run_in_tmp(const char *expanded)
{
    char *dir = tu_mkdtemp("rig-vars");
    char *out = NULL, *ls = NULL;
    int rc;

    rc = tu_sh(&out, "cd '%s' && { %s\n}", dir, expanded);
    assert_int_equal(rc, 0);
    tu_sh(&ls, "ls -A '%s'", dir);
    if (ls && *ls)
        fail_msg("command created files (injection): %s\ncommand: %s", ls, expanded);
    free(ls);
    tu_rmtree(dir);
    free(dir);
    return out;
}

static void check_literal(const char *tmpl, const char *prefix, const char *suffix)
{
    for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
        struct rig_vars v = vars_with_title(payloads[i]);
        char *exp = expand_ok(tmpl, &v);
        char *out = run_in_tmp(exp);
        char *want = xasprintf("%s%s%s", prefix, payloads[i], suffix);
        if (strcmp(out, want) != 0)
            fail_msg("template %s payload #%zu\nexpanded: %s\nwant: [%s]\ngot:  [%s]", tmpl, i,
                     exp, want, out);
        free(want);
        free(out);
        free(exp);
    }
}

static void test_unquoted_is_literal(void **state)
{
    (void)state;
    check_literal("printf '%s\\n' ${ISSUE_TITLE}", "", "\n");
    /* the example from the brief */
    struct rig_vars v = vars_with_title("$(rm -rf /)'; x");
    char *exp = expand_ok("echo ${ISSUE_TITLE}", &v);
    char *out = run_in_tmp(exp);
    assert_string_equal(out, "$(rm -rf /)'; x\n");
    free(out);
    free(exp);
}

static void test_double_quoted_is_literal(void **state)
{
    (void)state;
    check_literal("printf '%s\\n' \"title: ${ISSUE_TITLE}!\"", "title: ", "!\n");
}

static void test_single_quoted_is_literal(void **state)
{
    (void)state;
    check_literal("printf '%s\\n' '[${ISSUE_TITLE}]'", "[", "]\n");
}

static void test_command_substitution(void **state)
{
    (void)state;
    check_literal("printf '%s\\n' \"$(printf '%s' ${ISSUE_TITLE})\"", "", "\n");
    check_literal("x=$( (printf '%s' ${ISSUE_TITLE}) ); printf '%s\\n' \"$x\"", "", "\n");
}

static void test_case_and_arithmetic(void **state)
{
    (void)state;
    /* a case pattern's ')' does not end the command substitution */
    check_literal("printf '%s\\n' \"$(case a in (b) :;; a) printf '%s' ${ISSUE_TITLE};; esac)\"",
                  "", "\n");
    /* '<<' in arithmetic is a shift, not a here-document */
    check_literal("x=$((1<<3)); printf '%s\\n' \"$x\" ${ISSUE_TITLE}", "8\n", "\n");
}

static void test_adjacent_and_assignment(void **state)
{
    (void)state;
    check_literal("t=pre${ISSUE_TITLE}post; printf '%s\\n' \"$t\"", "pre", "post\n");
}

static void test_all_variables(void **state)
{
    struct rig_vars v = vars_with_title("Fix it");
    char *exp, *out;

    (void)state;
    exp = expand_ok("echo ${BRANCH_NAME} ${COMMIT_SHA} ${ISSUE_ID} ${ISSUE_NUMBER} "
                    "${REPO_OWNER}/${REPO_NAME} \"${WORKSPACE}\"",
                    &v);
    out = run_in_tmp(exp);
    assert_string_equal(out, "rig/issue-7-x 0123456789abcdef0123456789abcdef01234567 7 7 "
                             "acme/app /tmp/w s\n");
    free(out);
    free(exp);
}

static void test_null_values_are_empty(void **state)
{
    struct rig_vars v;
    char *exp, *out;

    (void)state;
    memset(&v, 0, sizeof(v));
    exp = expand_ok("printf '[%s]' ${COMMIT_SHA} x", &v);
    assert_string_equal(exp, "printf '[%s]' '' x");
    out = run_in_tmp(exp);
    assert_string_equal(out, "[][x]");
    free(out);
    free(exp);
    exp = expand_ok("echo ${ISSUE_TITLE}", NULL);
    assert_string_equal(exp, "echo ''");
    free(exp);
}

static void test_unknown_and_escaped_left_alone(void **state)
{
    struct rig_vars v = vars_with_title("T");
    char *exp;

    (void)state;
    exp = expand_ok("echo ${HOME} $ISSUE_TITLE \\${ISSUE_TITLE} ${ISSUE_TITLE ${issue_title} "
                    "\"\\${ISSUE_TITLE}\"",
                    &v);
    assert_string_equal(exp, "echo ${HOME} $ISSUE_TITLE \\${ISSUE_TITLE} ${ISSUE_TITLE "
                             "${issue_title} \"\\${ISSUE_TITLE}\"");
    free(exp);
}

static void test_comments_do_not_confuse_quoting(void **state)
{
    (void)state;
    /* the apostrophe in the comment must not open a quote */
    check_literal("# don't worry\nprintf '%s\\n' ${ISSUE_TITLE} # it's fine", "", "\n");
}

static void expect_refused(const char *cmd, const char *what)
{
    struct rig_vars v = vars_with_title("x");
    struct rig_err err = RIG_ERR_INIT;
    char *out = NULL;

    assert_int_equal(rig_vars_expand(cmd, &v, &out, &err), -1);
    assert_null(out);
    assert_int_equal(err.code, RIG_EINVAL);
    if (!strstr(err.msg, what) || !strstr(err.msg, "RIG_ISSUE_TITLE"))
        fail_msg("message for %s: %s", cmd, err.msg);
}

static void test_unsafe_contexts_refused(void **state)
{
    (void)state;
    expect_refused("echo `echo ${ISSUE_TITLE}`", "backquotes");
    expect_refused("echo \"`echo ${ISSUE_TITLE}`\"", "backquotes");
    expect_refused("echo $'a ${ISSUE_TITLE}'", "$'...'");
    expect_refused("cat <<EOF\ntitle ${ISSUE_TITLE}\nEOF\n", "here-document");
    expect_refused("cat <<-'E O'\n\t${ISSUE_TITLE}\n\tE O\n", "here-document");
    expect_refused("echo \"${X:-\"${ISSUE_TITLE}\"}\"", "${...}");
    expect_refused("echo ${X:-${ISSUE_TITLE}}", "${...}");
    expect_refused("echo `echo $(echo ${ISSUE_TITLE})`", "backquotes");
}

/* Arithmetic expansion reads its expression as if double-quoted, so single
 * quotes do not stop a $(...) inside a value; bash then also evaluates a
 * command substitution's output as an expression (a[$(cmd)] runs cmd). */
static void test_arithmetic_refused(void **state)
{
    struct rig_vars v = vars_with_title("a[$(touch pwned7)]");
    struct rig_err err = RIG_ERR_INIT;
    const char *cmds[] = {
        "echo $(( ${ISSUE_TITLE} ))",
        "echo \"$(( ${ISSUE_TITLE} + 1 ))\"",
        "echo $(( 1 + $(printf '%s' ${ISSUE_TITLE}) ))",
        "echo $(( 1 + $(( ${ISSUE_NUMBER} )) ))",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        char *out = NULL;

        rig_err_clear(&err);
        if (rig_vars_expand(cmds[i], &v, &out, &err) == 0)
            fail_msg("%s expanded to %s (the title would run as a command)", cmds[i], out);
        assert_int_equal(err.code, RIG_EINVAL);
        if (!strstr(err.msg, "arithmetic"))
            fail_msg("message for %s: %s", cmds[i], err.msg);
    }
    /* outside the expansion nothing changes */
    check_literal("x=$((1 + 2)); printf '%s\\n' \"$x\" ${ISSUE_TITLE}", "3\n", "\n");
}

static void test_heredoc_then_variable(void **state)
{
    (void)state;
    /* after the document ends, normal quoting applies again */
    check_literal("cat <<'EOF'\nit's literal ${HOME}\nEOF\nprintf '%s\\n' ${ISSUE_TITLE}",
                  "it's literal ${HOME}\n", "\n");
}

static void test_env(void **state)
{
    struct rig_vars v = vars_with_title("a b");
    char **env;
    size_t n = 0;

    (void)state;
    env = rig_vars_env(&v);
    for (; env[n]; n++)
        assert_true(strncmp(env[n], "RIG_", 4) == 0);
    assert_int_equal(n, 8);
    assert_string_equal(env[0], "RIG_BRANCH_NAME=rig/issue-7-x");
    assert_string_equal(env[4], "RIG_ISSUE_TITLE=a b");
    assert_string_equal(env[7], "RIG_WORKSPACE=/tmp/w s");
    rig_strv_free(env);
    env = rig_vars_env(NULL);
    assert_null(env[0]);
    rig_strv_free(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unquoted_is_literal),
        cmocka_unit_test(test_double_quoted_is_literal),
        cmocka_unit_test(test_single_quoted_is_literal),
        cmocka_unit_test(test_command_substitution),
        cmocka_unit_test(test_case_and_arithmetic),
        cmocka_unit_test(test_adjacent_and_assignment),
        cmocka_unit_test(test_all_variables),
        cmocka_unit_test(test_null_values_are_empty),
        cmocka_unit_test(test_unknown_and_escaped_left_alone),
        cmocka_unit_test(test_comments_do_not_confuse_quoting),
        cmocka_unit_test(test_unsafe_contexts_refused),
        cmocka_unit_test(test_arithmetic_refused),
        cmocka_unit_test(test_heredoc_then_variable),
        cmocka_unit_test(test_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
