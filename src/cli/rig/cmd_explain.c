#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/rig/app.h"
#include "engine/report.h"
#include "core/banned.h"

static const char usage[] =
    "usage: rig explain TASK [--ai]\n"
    "\n"
    "Explain what happened to a task: the phase that failed and its error, each\n"
    "attempt (changes, deploy result, failing tests with their output), policy\n"
    "violations, proposals and the errors logged.\n"
    "\n"
    "  --ai         also ask the configured AI provider for the root cause and a fix\n"
    "               (counts against the provider's usage; uses rig.yaml)\n"
    "  -h, --help   show this help\n";

int cmd_explain(struct rig_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"ai", no_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    struct rig_app app = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ai_usage usage_acc = {0};
    char *report = NULL, *analysis = NULL;
    bool ai = false;
    int c, rc = 1;

    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': ai = true; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return cli_option_error("explain", c, argv, opts);
        }
    }
    if (argc - optind != 1)
        return cli_usage_error("explain", "give exactly one task id (see 'rig status')");
    if ((ai ? app_build_engine(&app, cli, &err) : app_open_store(&app, cli, &err)) < 0 ||
        rig_report_task(app.store, argv[optind], &report, &err) < 0)
        goto fail;
    fputs(report, stdout);
    if (ai) {
        struct rig_ai_ctx ctx = {.report = report};
        printf("\nAI analysis (%s):\n", rig_ai_model(app.ai));
        fflush(stdout);
        if (rig_ai_explain(app.ai, &ctx, &analysis, &usage_acc, &err) < 0)
            goto fail;
        printf("%s\n", analysis);
        printf("\n(%lld input / %lld output tokens, $%.4f)\n", usage_acc.tokens_in,
               usage_acc.tokens_out, usage_acc.cost_usd);
    }
    rc = 0;
    goto out;
fail:
    rc = app_fail("explain", &err);
out:
    free(report);
    free(analysis);
    app_release(&app);
    return rc;
}
