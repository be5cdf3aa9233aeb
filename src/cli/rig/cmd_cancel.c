#include <stdio.h>

#include "cli/rig/app.h"
#include "core/banned.h"

static const char usage[] =
    "usage: rig cancel TASK\n"
    "\n"
    "Stop a running task: its running command, AI call or git operation is\n"
    "terminated (the whole process group) and the task ends as cancelled.\n"
    "A task waiting for approval is cancelled at once (its proposal is rejected).\n";

int cmd_cancel(struct rig_cli *cli, int argc, char **argv)
{
    struct rig_app app = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_task t = {0};
    int rc = 1;

    if (cli_wants_help(argc, argv, usage))
        return 0;
    if (argc != 2 || argv[1][0] == '-')
        return cli_usage_error("cancel", "give exactly one task id (see 'rig status')");
    if (app_open_store(&app, cli, &err) < 0 || rig_engine_cancel(app.store, argv[1], &err) < 0) {
        rc = app_fail("cancel", &err);
        goto out;
    }
    if (rig_store_task_get(app.store, argv[1], &t, &err) == 0 && t.status == RIG_TASK_CANCELLED)
        printf("Task %s cancelled%s%s.\n", argv[1], t.error ? ": " : "", t.error ? t.error : "");
    else
        printf("Cancellation of %s requested; the process running it stops it within a "
               "second.\n", argv[1]);
    rc = 0;
out:
    rig_task_release(&t);
    app_release(&app);
    return rc;
}
