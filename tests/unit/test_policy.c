#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "engine/policy.h"

static char *list_paths[4];

static struct rig_policy_config pol(const char *name, enum rig_policy_rule rule, long long limit,
                                    const char *paths, bool block)
{
    struct rig_policy_config p = {0};
    size_t n = 0;

    p.name = (char *)name;
    p.rule = rule;
    p.limit = limit;
    p.action = block ? RIG_POLICY_BLOCK : RIG_POLICY_WARN;
    if (paths) {
        char *copy = strdup(paths);
        for (char *tok = copy, *next; tok && n < 3; tok = next) {
            next = strchr(tok, ',');
            if (next)
                *next++ = '\0';
            list_paths[n++] = strdup(tok);
        }
        free(copy);
        list_paths[n] = NULL;
        p.paths.v = list_paths;
        p.paths.n = n;
    }
    return p;
}

static void free_paths(void)
{
    for (size_t i = 0; list_paths[i]; i++) {
        free(list_paths[i]);
        list_paths[i] = NULL;
    }
}

static struct rig_policy_result eval1(struct rig_policy_config p, const char *const *files,
                                      size_t n, size_t lines, int attempt, size_t ntests)
{
    struct rig_policy_input in = {files, n, lines, attempt, ntests};
    struct rig_policy_result r;

    rig_policy_evaluate(&p, 1, &in, &r);
    free_paths();
    return r;
}

static void test_max_file_changes(void **state)
{
    const char *files[] = {"a", "b", "c"};
    struct rig_policy_result r;

    (void)state;
    r = eval1(pol("limit", RIG_POLICY_MAX_FILE_CHANGES, 3, NULL, true), files, 3, 0, 1, 1);
    assert_int_equal(r.len, 0);
    rig_policy_result_release(&r);
    r = eval1(pol("limit", RIG_POLICY_MAX_FILE_CHANGES, 2, NULL, true), files, 3, 0, 1, 1);
    assert_int_equal(r.len, 1);
    assert_true(r.blocked);
    assert_string_equal(r.items[0].message, "3 files changed, limit 2");
    rig_policy_result_release(&r);
}

static void test_blocked_paths_like_gitignore(void **state)
{
    const char *files[] = {"src/app.c", "config/.env.local"};
    struct rig_policy_result r;
    char *s;

    (void)state;
    r = eval1(pol("secrets", RIG_POLICY_BLOCKED_PATHS, 0, ".env*,secrets/", true), files, 2, 0,
              1, 1);
    assert_int_equal(r.len, 1);
    assert_string_equal(r.items[0].message, "change touches blocked path config/.env.local");
    s = rig_policy_summary(&r, true);
    assert_string_equal(s, "secrets (blocked_paths): change touches blocked path "
                           "config/.env.local");
    free(s);
    rig_policy_result_release(&r);
}

static void test_path_matching(void **state)
{
    (void)state;
    assert_true(rig_policy_path_matches("secrets/", "secrets/db.yml"));
    assert_true(rig_policy_path_matches("secrets/", "secrets"));
    assert_false(rig_policy_path_matches("secrets/", "secretsx/a"));
    assert_true(rig_policy_path_matches("*.pem", "deep/dir/key.pem"));
    assert_true(rig_policy_path_matches("deploy/*.yml", "deploy/app.yml"));
    assert_false(rig_policy_path_matches("deploy/*.yml", "deploy/x/app.yml"));
    assert_true(rig_policy_path_matches("infra/**", "infra/a/b/c.tf"));
    assert_false(rig_policy_path_matches("", "a"));
}

static void test_allowed_paths(void **state)
{
    const char *files[] = {"src/a.c", "Makefile"};
    struct rig_policy_result r;

    (void)state;
    r = eval1(pol("scope", RIG_POLICY_ALLOWED_PATHS, 0, "src/,tests/", false), files, 2, 0, 1, 1);
    assert_int_equal(r.len, 1);
    assert_false(r.blocked); /* warn */
    assert_string_equal(r.items[0].message, "change touches Makefile, outside the allowed paths");
    rig_policy_result_release(&r);
}

static void test_lines_retries_tests(void **state)
{
    const char *files[] = {"a"};
    struct rig_policy_result r;

    (void)state;
    r = eval1(pol("small", RIG_POLICY_MAX_LINES_CHANGED, 100, NULL, true), files, 1, 101, 1, 1);
    assert_int_equal(r.len, 1);
    rig_policy_result_release(&r);
    r = eval1(pol("retries", RIG_POLICY_MAX_RETRIES, 1, NULL, true), files, 1, 0, 2, 1);
    assert_int_equal(r.len, 0); /* round 1 of 1 allowed */
    rig_policy_result_release(&r);
    r = eval1(pol("retries", RIG_POLICY_MAX_RETRIES, 1, NULL, true), files, 1, 0, 3, 1);
    assert_int_equal(r.len, 1);
    rig_policy_result_release(&r);
    r = eval1(pol("tests", RIG_POLICY_REQUIRE_TESTS, 0, NULL, true), files, 1, 0, 1, 0);
    assert_int_equal(r.len, 1);
    assert_string_equal(r.items[0].message, "tests are required but rig.yaml has no test entries");
    rig_policy_result_release(&r);
}

static void test_git_always_blocked(void **state)
{
    const char *files[] = {"sub/.git/config"};
    struct rig_policy_input in = {files, 1, 0, 1, 1};
    struct rig_policy_result r;

    (void)state;
    rig_policy_evaluate(NULL, 0, &in, &r);
    assert_true(r.blocked);
    assert_string_equal(r.items[0].message, "change touches git metadata sub/.git/config");
    rig_policy_result_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_file_changes),
        cmocka_unit_test(test_blocked_paths_like_gitignore),
        cmocka_unit_test(test_path_matching),
        cmocka_unit_test(test_allowed_paths),
        cmocka_unit_test(test_lines_retries_tests),
        cmocka_unit_test(test_git_always_blocked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
