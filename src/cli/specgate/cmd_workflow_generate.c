/*
 * specgate workflow generate: DesignRuleSpec -> .github/workflows/design-guard.yml
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/specgate/sgcli.h"
#include "core/err.h"
#include "gate/gen_workflow.h"
#include "gate/spec.h"
#include "core/banned.h"

static const char usage[] =
    "usage: specgate workflow generate --rules FILE [--out PATH] [--build-tool gradle|maven]\n"
    "                                  [--openapi-spec PATH] [--branches LIST] [--package PKG]\n"
    "                                  [--tests-dir DIR] [--java-version V]\n"
    "                                  [--specgate-repo OWNER/NAME] [--specgate-ref REF]\n"
    "                                  [--specgate-preinstalled] [--force]\n"
    "\n"
    "Write the GitHub Actions workflow that gates pull requests on the design rules:\n"
    "generate the checks, run the enabled tools (ArchUnit via the build tool, Semgrep,\n"
    "oasdiff) in the rules' execution_order, compute the Drift Score and post the\n"
    "Drift Radar comment.\n"
    "\n"
    "Options:\n"
    "  --rules FILE              rules file, relative to the repository root (required)\n"
    "  --out PATH                workflow file (default .github/workflows/design-guard.yml)\n"
    "  --build-tool gradle|maven how ArchUnit tests run (default gradle)\n"
    "  --openapi-spec PATH       API spec compared against the base branch (required when a\n"
    "                            rule enables openapi_diff)\n"
    "  --branches LIST           comma-separated base branches (default: every pull request)\n"
    "  --package PKG             package of the generated ArchUnit classes (com.example.arch)\n"
    "  --tests-dir DIR           where the checks are generated (default .specgate)\n"
    "  --java-version V          JDK for the ArchUnit step (default 17)\n"
    "  --specgate-repo OWNER/NAME  repository specgate is built from in CI (default: the\n"
    "                            repository variable SPECGATE_REPO)\n"
    "  --specgate-ref REF        git ref of that repository (default main)\n"
    "  --specgate-preinstalled   specgate is already on the runner's PATH; do not build it\n"
    "  --force                   overwrite a workflow that was edited by hand\n"
    "\n"
    "Exit status: 0 written or unchanged, 1 refused to overwrite or could not write,\n"
    "2 bad usage or invalid rules.\n";

static int parse(int argc, char **argv, struct sg_workflow_opts *o, bool *force)
{
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int r, at = i;

        if (strcmp(argv[i], "--force") == 0) {
            *force = true;
            continue;
        }
        if (strcmp(argv[i], "--specgate-preinstalled") == 0) {
            o->preinstalled = true;
            continue;
        }
        if ((r = sg_opt_take(argc, argv, &i, "--rules", &v)) != 0)
            o->rules_path = v;
        else if ((r = sg_opt_take(argc, argv, &i, "--out", &v)) != 0)
            o->out_path = v;
        else if ((r = sg_opt_take(argc, argv, &i, "--build-tool", &v)) != 0) {
            if (r > 0 && v && strcmp(v, "gradle") == 0)
                o->build_tool = SG_BUILD_GRADLE;
            else if (r > 0 && v && strcmp(v, "maven") == 0)
                o->build_tool = SG_BUILD_MAVEN;
            else if (r > 0 && v)
                return sg_usage_error("workflow generate",
                                      "--build-tool must be gradle or maven, not '%s'", v);
        } else if ((r = sg_opt_take(argc, argv, &i, "--openapi-spec", &v)) != 0)
            o->openapi_spec = v;
        else if ((r = sg_opt_take(argc, argv, &i, "--branches", &v)) != 0)
            o->branches = v;
        else if ((r = sg_opt_take(argc, argv, &i, "--package", &v)) != 0)
            o->java_package = v;
        else if ((r = sg_opt_take(argc, argv, &i, "--tests-dir", &v)) != 0)
            o->tests_dir = v;
        else if ((r = sg_opt_take(argc, argv, &i, "--java-version", &v)) != 0)
            o->java_version = v;
        else if ((r = sg_opt_take(argc, argv, &i, "--specgate-repo", &v)) != 0)
            o->specgate_repo = v;
        else if ((r = sg_opt_take(argc, argv, &i, "--specgate-ref", &v)) != 0)
            o->specgate_ref = v;
        else
            return sg_arg_error("workflow generate", argv[i], 0);
        if (r < 0 || !v || !*v)
            return sg_arg_error("workflow generate", argv[at], r);
    }
    if (!o->rules_path)
        return sg_usage_error("workflow generate", "missing --rules FILE");
    if (o->rules_path[0] == '/' || o->out_path[0] == '/' ||
        (o->openapi_spec && o->openapi_spec[0] == '/'))
        return sg_usage_error("workflow generate",
                              "--rules, --out and --openapi-spec must be relative to the "
                              "repository root (run this command there: the workflow runs in a "
                              "checkout)");
    return 0;
}

int sg_cmd_workflow_generate(int argc, char **argv)
{
    struct sg_workflow_opts o;
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_ruleset set;
    char *text = NULL;
    bool force = false, changed = false;
    int rc = 2;

    sg_workflow_opts_init(&o);
    memset(&set, 0, sizeof(set));
    if (sg_wants_help(argc, argv, usage))
        return 0;
    if (parse(argc, argv, &o, &force) != 0)
        return 2;
    if (sg_ruleset_load_file(o.rules_path, &set, &errs) < 0)
        goto out;
    if (sg_gen_workflow(&set, &o, &text, &errs) < 0)
        goto out;
    if (sg_gen_write_checksummed(o.out_path, text, force, &changed, &errs) < 0) {
        rc = 1;
        goto out;
    }
    printf("specgate: %s %s\n", o.out_path, changed ? "written" : "unchanged");
    rc = 0;
out:
    rig_errlist_sort(&errs);
    sg_print_errs(&errs, stderr);
    free(text);
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
    return rc;
}
