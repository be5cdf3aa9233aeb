#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "engine/context.h"

static char *repo;

static int setup(void **state)
{
    (void)state;
    repo = tu_mkdtemp("rig-ctx");
    assert_int_equal(tu_sh(NULL,
                           "cd '%s' && git init -q -b main && mkdir -p src/auth docs && "
                           "printf 'login code\\n' > src/auth/login.c && "
                           "printf 'unrelated\\n' > src/math.c && "
                           "printf 'guide text\\n' > AGENTS.md && "
                           "printf 'readme\\n' > README.md && "
                           "printf 'the session token expires\\n' > docs/notes.txt && "
                           "printf '\\000\\001binary' > logo.png && "
                           "ln -s /etc/passwd leak.txt && "
                           "git add -A && git -c user.name=t -c user.email=t@t commit -qm i",
                           repo),
                     0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(repo);
    free(repo);
    return 0;
}

static const struct rig_ai_file *find(const struct rig_repo_context *c, const char *path)
{
    for (size_t i = 0; i < c->nfiles; i++)
        if (strcmp(c->files[i].path, path) == 0)
            return &c->files[i];
    return NULL;
}

static void test_relevance_order_and_guide(void **state)
{
    struct rig_git g = {0};
    struct rig_context_query q = {.title = "Fix login", .body = "The session expires", .budget = 0};
    struct rig_repo_context c;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    assert_int_equal(rig_context_collect(&g, repo, &q, &c, &err), 0);
    assert_string_equal(c.guide, "guide text\n"); /* AGENTS.md wins over README */
    assert_non_null(strstr(c.tree, "src/auth/login.c\n"));
    assert_true(c.nfiles >= 2);
    assert_string_equal(c.files[0].path, "src/auth/login.c"); /* path match ranks first */
    assert_string_equal(c.files[1].path, "docs/notes.txt");   /* content match next */
    assert_null(find(&c, "logo.png"));                         /* binary skipped */
    assert_null(find(&c, "leak.txt"));                         /* symlink out of the repo */
    rig_repo_context_release(&c);
}

static void test_budget_and_plan_files(void **state)
{
    struct rig_git g = {0};
    const char *plan_files[] = {"src/math.c", NULL};
    struct rig_context_query q = {.title = "x", .plan_files = plan_files, .budget = 12};
    struct rig_repo_context c;
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    assert_int_equal(rig_context_collect(&g, repo, &q, &c, &err), 0);
    assert_true(c.bytes <= 12);
    assert_non_null(find(&c, "src/math.c")); /* named by the plan: first in */
    rig_repo_context_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relevance_order_and_guide),
        cmocka_unit_test(test_budget_and_plan_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
