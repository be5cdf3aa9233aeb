#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/rig/app.h"
#include "cli/rig/taskfmt.h"
#include "core/mem.h"
#include "core/timeutil.h"
#include "core/banned.h"

static const char proposals_usage[] =
    "usage: rig proposals [TASK] [--all]\n"
    "\n"
    "Show proposals waiting for a decision, with their diffs: AI infra fixes after\n"
    "a failed deploy, and before-deploy approvals (workflow.approval.before_deploy).\n"
    "\n"
    "  --all        also decided and expired proposals\n"
    "  -h, --help   show this help\n";

static const char approve_usage[] =
    "usage: rig approve TASK\n"
    "\n"
    "Approve the task's pending proposal: an infra fix is applied in the task's\n"
    "workspace, committed and pushed; then the task deploys and continues.\n"
    "Approving twice, or a proposal that expired, is refused.\n"
    "\n"
    "Options:\n"
    "  -h, --help   show this help\n"
    "\n"
    "Exit status: 0 the task completed or waits for another approval, 1 refused or\n"
    "the task failed after the approval, 2 usage.\n";

static const char reject_usage[] =
    "usage: rig reject TASK [--reason TEXT]\n"
    "\n"
    "Reject the task's pending proposal: the task fails (rolling back first when\n"
    "deploy.rollback is enabled and something was deployed).\n"
    "\n"
    "Options:\n"
    "  --reason TEXT   why, stored with the decision\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status: 0 rejected (the task failed), 1 refused, 2 usage.\n";

static void print_proposal(const struct rig_proposal *p)
{
    char when[40];

    printf("Proposal %s for task %s [%s, %s]\n", p->id, p->task_id,
           rig_proposal_kind_name(p->kind), rig_proposal_status_name(p->status));
    printf("  %s\n", p->summary ? p->summary : "");
    if (p->expires_at && p->status == RIG_PROPOSAL_PENDING)
        printf("  expires %s\n", rig_time_format(p->expires_at, 0, when, sizeof(when)));
    if (p->decided_by)
        printf("  decided by %s%s%s\n", p->decided_by, p->reason ? ": " : "",
               p->reason ? p->reason : "");
    if (p->diff && *p->diff)
        printf("\n%s", p->diff);
    else
        printf("  (no file changes)\n");
    if (p->status == RIG_PROPOSAL_PENDING)
        printf("\n  decide: rig approve %s | rig reject %s --reason '...'\n", p->task_id,
               p->task_id);
    printf("\n");
}

/* Expire overdue proposals first so nobody reviews one that can no longer be approved. */
static void expire_overdue(struct rig_app *app, struct rig_cli *cli)
{
    struct rig_err err = RIG_ERR_INIT;
    size_t n = 0;

    if (app_build_engine(app, cli, &err) < 0)
        return;
    if (rig_engine_expire(&app->eng, &n, &err) == 0 && n)
        fprintf(stderr, "rig: %zu proposal(s) expired; their tasks failed\n", n);
}

int cmd_proposals(struct rig_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"all", no_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    struct rig_app app = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_proposal_list l = {0};
    bool all = false;
    int c, rc = 1;

    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': all = true; break;
        case 'h': fputs(proposals_usage, stdout); return 0;
        default: return cli_option_error("proposals", c, argv, opts);
        }
    }
    if (argc - optind > 1)
        return cli_usage_error("proposals", "at most one task id");
    expire_overdue(&app, cli);
    if (!app.store && app_open_store(&app, cli, &err) < 0)
        goto fail;
    if (optind < argc) {
        struct rig_task t = {0};

        /* An unknown id is a mistake to report, not "no proposals". */
        if (rig_store_task_get(app.store, argv[optind], &t, &err) < 0)
            goto fail;
        rig_task_release(&t);
    }
    if (rig_store_proposal_list(app.store, optind < argc ? argv[optind] : NULL, !all, &l, &err) <
        0)
        goto fail;
    if (l.len == 0)
        printf("No %sproposals%s%s.\n", all ? "" : "pending ", optind < argc ? " for task " : "",
               optind < argc ? argv[optind] : "");
    for (size_t i = 0; i < l.len; i++)
        print_proposal(&l.items[i]);
    rc = 0;
    goto out;
fail:
    rc = app_fail("proposals", &err);
out:
    rig_proposal_list_release(&l);
    app_release(&app);
    return rc;
}

static char *decider(void)
{
    const char *u = getenv("USER");
    struct passwd *pw;

    if (!u || !*u) {
        pw = getpwuid(getuid());
        u = pw ? pw->pw_name : "unknown";
    }
    return xasprintf("cli:%s", u);
}

static void echo(void *ctx, const char *tag, enum rig_log_level level, const char *line)
{
    (void)ctx;
    printf("%-12s %s%s\n", tag, level >= RIG_LOG_ERROR ? "error: " : "", line);
    fflush(stdout);
}

static int decide(struct rig_cli *cli, const char *cmd, const char *task, bool approve,
                  const char *reason)
{
    struct rig_app app = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_task t = {0};
    enum rig_task_status st;
    char *who = decider();
    int rc = 1;

    if (app_task_status(cli, task, &st, &err) < 0)
        goto fail;
    if (st != RIG_TASK_AWAITING_APPROVAL) {
        rig_err_set(&err, RIG_ECONFLICT, "task %s is %s, not waiting for approval", task,
                    rig_task_status_name(st));
        goto fail;
    }
    if (app_build_engine_for_task(&app, cli, task, &err) < 0)
        goto fail;
    app.eng.echo = echo;
    rig_engine_expire(&app.eng, NULL, NULL);
    if (approve ? rig_engine_approve(&app.eng, task, who, &err) < 0
                : rig_engine_reject(&app.eng, task, who, reason, &err) < 0) {
        if (err.code == RIG_ECONFLICT || err.code == RIG_ENOTFOUND)
            goto fail;
        /* The decision was recorded; the pipeline after it failed. */
        app_fail(cmd, &err);
    }
    if (rig_store_task_get(app.store, task, &t, &err) == 0)
        printf("Task %s is now %s%s%s\n", task, rig_task_status_name(t.status),
               t.error ? " — " : "", t.error ? t.error : "");
    rc = approve ? (t.status == RIG_TASK_COMPLETED || t.status == RIG_TASK_AWAITING_APPROVAL ? 0 : 1)
                 : (t.status == RIG_TASK_FAILED ? 0 : 1);
    goto out;
fail:
    rc = app_fail(cmd, &err);
out:
    rig_task_release(&t);
    free(who);
    app_release(&app);
    return rc;
}

int cmd_approve(struct rig_cli *cli, int argc, char **argv)
{
    int rc = cli_help_flag(argc, argv, "approve", approve_usage);

    if (rc >= 0)
        return rc;
    if (argc - optind != 1)
        return cli_usage_error("approve", "give exactly one task id (see 'rig proposals')");
    return decide(cli, "approve", argv[optind], true, NULL);
}

int cmd_reject(struct rig_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"reason", required_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *reason = NULL;
    int c;

    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': reason = optarg; break;
        case 'h': fputs(reject_usage, stdout); return 0;
        default: return cli_option_error("reject", c, argv, opts);
        }
    }
    if (argc - optind != 1)
        return cli_usage_error("reject", "give exactly one task id (see 'rig proposals')");
    return decide(cli, "reject", argv[optind], false, reason);
}
