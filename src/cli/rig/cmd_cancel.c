#include <stdio.h>

#include "cli/rig/app.h"
#include "core/banned.h"

static const char usage[] =
    "usage: rig cancel TASK\n"
    "\n"
    "Stop a running task: its running command, AI call or git operation is\n"
    "terminated (the whole process group) and the task ends as cancelled.\n"
    "A task waiting for approval is cancelled at once (its proposal is rejected).\n"
    "\n"
    "Options:\n"
    "  -h, --help   show this help\n"
    "\n"
    "Exit status: 0 cancelled or cancellation requested, 1 no such task or it has\n"
    "already ended, 2 usage.\n";

int cmd_cancel(struct rig_cli *cli, int argc, char **argv)
{
    struct rig_app app = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_task t = {0};
    const char *id;
    int rc = cli_help_flag(argc, argv, "cancel", usage);

    if (rc >= 0)
        return rc;
    if (argc - optind != 1)
        return cli_usage_error("cancel", "give exactly one task id (see 'rig status')");
    id = argv[optind];
    rc = 1;
    if (app_open_store(&app, cli, &err) < 0 || rig_engine_cancel(app.store, id, &err) < 0) {
        rc = app_fail("cancel", &err);
        goto out;
    }
    if (rig_store_task_get(app.store, id, &t, &err) == 0 && t.status == RIG_TASK_CANCELLED)
        printf("Task %s cancelled%s%s.\n", id, t.error ? ": " : "", t.error ? t.error : "");
    else
        printf("Cancellation of %s requested; the process running it stops it within a "
               "second.\n", id);
    rc = 0;
out:
    rig_task_release(&t);
    app_release(&app);
    return rc;
}
