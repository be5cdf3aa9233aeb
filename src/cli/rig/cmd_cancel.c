#include <stdio.h>

#include "cli/rig/app.h"
#include "core/banned.h"

static const char usage[] =
    "usage: rig cancel TASK\n"
    "\n"
    "Stop a running task: its running command, AI call or git operation is\n"
    "terminated (the whole process group) and the task ends as cancelled.\n";

int cmd_cancel(struct rig_cli *cli, int argc, char **argv)
{
    struct rig_app app = {0};
    struct rig_err err = RIG_ERR_INIT;
    int rc = 1;

    if (cli_wants_help(argc, argv, usage))
        return 0;
    if (argc != 2 || argv[1][0] == '-')
        return cli_usage_error("cancel", "give exactly one task id (see 'rig status')");
    if (app_open_store(&app, cli, &err) < 0 || rig_engine_cancel(app.store, argv[1], &err) < 0) {
        rc = app_fail("cancel", &err);
        goto out;
    }
    printf("Cancellation of %s requested; the process running it stops it within a second.\n",
           argv[1]);
    rc = 0;
out:
    app_release(&app);
    return rc;
}
