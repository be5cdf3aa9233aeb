/*
 * rig.yaml -> one engine per project: lookups, per-project overrides, and
 * projects that cannot run in this build failing only when used.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/mem.h"
#include "engine/wiring.h"

#define CONFIG                                                                   \
    "project: {name: shop, language: C, description: A shop.}\n"                \
    "source: {platform: local, repo: /srv/git/acme/shop.git, base_branch: dev}\n" \
    "ai: {provider: anthropic, model: claude-sonnet-4-5, api_key: sk-wiring-0123456789,\n" \
    "     max_retry: 2, context: [Use tabs.]}\n"                                \
    "deploy:\n"                                                                  \
    "  method: custom\n"                                                         \
    "  config:\n"                                                                \
    "    commands:\n"                                                            \
    "      - {name: top, run: make deploy, env: {STAGE: prod}}\n"                \
    "test:\n"                                                                    \
    "  - {name: unit, run: make test}\n"                                         \
    "  - {name: lint, run: make lint}\n"                                         \
    "projects:\n"                                                                \
    "  - name: api\n"                                                            \
    "    platform: github\n"                                                     \
    "    repo: Acme/API\n"                                                       \
    "  - name: web\n"                                                            \
    "    platform: local\n"                                                      \
    "    repo: /srv/git/acme/web.git\n"                                          \
    "    deploy:\n"                                                              \
    "      method: custom\n"                                                     \
    "      config:\n"                                                            \
    "        commands:\n"                                                        \
    "          - {name: web1, run: ./ship}\n"                                    \
    "          - {name: web2, run: ./ship2}\n"                                   \
    "    test:\n"                                                                \
    "      - {name: e2e, run: ./e2e}\n"                                          \
    "  - name: legacy\n"                                                         \
    "    platform: local\n"                                                      \
    "    repo: /srv/git/old/legacy.git\n"                                        \
    "    deploy: {method: docker-compose}\n"

struct fx {
    struct rig_config cfg;
    struct rig_wiring w;
    char *dir;
};

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof(*f));
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct rig_err err = RIG_ERR_INIT;
    char line[2048];

    f->dir = tu_mkdtemp("rig-wiring");
    if (rig_config_load_string("rig.yaml", "/srv", CONFIG, strlen(CONFIG), &f->cfg, &errs) < 0) {
        for (size_t i = 0; i < errs.len; i++)
            print_message("%s\n", rig_err_format(&errs.items[i], line, sizeof(line)));
        fail_msg("config did not load");
    }
    rig_errlist_release(&errs);
    if (rig_wiring_build(&f->cfg, f->dir, NULL, &f->w, &err) < 0)
        fail_msg("wiring: %s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    rig_wiring_release(&f->w);
    rig_config_release(&f->cfg);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void test_projects_and_lookup(void **state)
{
    struct fx *f = *state;
    struct rig_wiring *w = &f->w;

    assert_int_equal(w->nprojects, 4);
    assert_ptr_equal(rig_wiring_main(w), &w->projects[0]);
    assert_string_equal(w->projects[0].name, "shop");
    assert_string_equal(w->projects[0].full_name, "acme/shop");
    assert_string_equal(w->projects[1].full_name, "Acme/API");
    assert_string_equal(w->projects[2].full_name, "acme/web");
    /* By name (exact) and by owner/name (case-insensitive, as GitHub). */
    assert_ptr_equal(rig_wiring_find_project(w, "web"), &w->projects[2]);
    assert_ptr_equal(rig_wiring_find_project(w, "acme/api"), &w->projects[1]);
    assert_ptr_equal(rig_wiring_find_project(w, "ACME/Shop"), &w->projects[0]);
    assert_null(rig_wiring_find_project(w, "Web"));
    assert_null(rig_wiring_find_project(w, "acme/other"));
    assert_null(rig_wiring_find_project(w, ""));
}

static void test_engine_confs(void **state)
{
    struct fx *f = *state;
    const struct rig_engine_conf *top = &f->w.projects[0].conf;
    const struct rig_engine_conf *api = &f->w.projects[1].conf;
    const struct rig_engine_conf *web = &f->w.projects[2].conf;

    assert_string_equal(top->project, "shop");
    assert_string_equal(top->platform, "local");
    assert_string_equal(top->base_branch, "dev");
    assert_string_equal(top->data_dir, f->dir);
    assert_int_equal(top->max_retry, 2);
    assert_non_null(strstr(top->extra_instructions, "Use tabs."));
    assert_non_null(strstr(top->extra_instructions, "written in C"));
    assert_ptr_equal(top->ai, f->w.ai);
    assert_int_equal(top->ndeploy, 1);
    assert_string_equal(top->deploy[0].name, "top");
    assert_string_equal(top->deploy[0].env[0], "STAGE=prod");
    assert_int_equal(top->ntests, 2);
    assert_ptr_equal(f->w.projects[0].eng.conf, top);

    /* An entry without overrides takes the top-level deploy and tests. */
    assert_string_equal(api->project, "api");
    assert_string_equal(api->platform, "github");
    assert_string_equal(api->repo, "Acme/API");
    assert_string_equal(api->base_branch, "main");
    assert_int_equal(api->ndeploy, 1);
    assert_int_equal(api->ntests, 2);
    assert_ptr_equal(api->ai, f->w.ai);

    /* Overrides replace them. */
    assert_int_equal(web->ndeploy, 2);
    assert_string_equal(web->deploy[1].run, "./ship2");
    assert_int_equal(web->ntests, 1);
    assert_string_equal(web->tests[0].name, "e2e");
    assert_non_null(web->source);
    assert_string_equal(web->source->repo_name, "web");
}

static void test_unusable_projects_fail_when_used(void **state)
{
    struct fx *f = *state;
    struct rig_wiring *w = &f->w;
    struct rig_err err = RIG_ERR_INIT;

    unsetenv("GITHUB_TOKEN");
    assert_int_equal(rig_wiring_project_ready(w, &w->projects[0], &err), 0);
    assert_int_equal(rig_wiring_project_ready(w, &w->projects[2], &err), 0);
    /* docker compose deploys are built like any other method. */
    assert_int_equal(rig_wiring_project_ready(w, &w->projects[3], &err), 0);
    assert_non_null(w->projects[3].conf.compose);
    assert_int_equal(w->projects[3].conf.ndeploy, 0);
    /* A GitHub project without a token fails when used, saying what to set. */
    assert_int_equal(rig_wiring_project_ready(w, &w->projects[1], &err), -1);
    assert_non_null(strstr(err.msg, "projects[0] (api)"));
    assert_non_null(strstr(err.msg, "no GitHub token for Acme/API: export GITHUB_TOKEN"));
    assert_null(w->projects[1].source);
    /* The same answer every time. */
    rig_err_clear(&err);
    assert_int_equal(rig_wiring_project_ready(w, &w->projects[1], &err), -1);
    assert_non_null(strstr(err.msg, "no GitHub token"));
}

static void test_bad_ai_fails_build(void **state)
{
    const char *text = "project: {name: x}\nsource: {platform: local, repo: /tmp/x.git}\n"
                       "ai: {provider: anthropic, model: m}\n";
    struct rig_config cfg;
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_wiring w;

    (void)state;
    /* No key anywhere: the shared AI cannot be built, so nothing can run. */
    unsetenv("ANTHROPIC_API_KEY");
    assert_int_equal(rig_config_load_string("b.yaml", "/srv", text, strlen(text), &cfg, &errs),
                     0);
    assert_int_equal(rig_wiring_build(&cfg, "/tmp", NULL, &w, &err), -1);
    assert_true(strncmp(err.msg, "ai: ", 4) == 0);
    assert_int_equal(w.nprojects, 0);
    rig_wiring_release(&w);
    rig_errlist_release(&errs);
    rig_config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_projects_and_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_engine_confs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unusable_projects_fail_when_used, setup, teardown),
        cmocka_unit_test(test_bad_ai_fails_build),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
