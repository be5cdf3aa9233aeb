#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/rig/app.h"
#include "cli/rig/taskfmt.h"
#include "core/banned.h"

static const char usage[] =
    "usage: rig logs TASK [--follow]\n"
    "\n"
    "Show a task's pipeline steps and its log: every phase change, AI call, command\n"
    "output line and error, as stored when it happened.\n"
    "\n"
    "Options:\n"
    "  -f, --follow   keep printing new lines and phase changes until the task\n"
    "                 completes, fails, is cancelled or waits for approval\n"
    "  -h, --help     show this help\n";

#define POLL_MS 300

static volatile sig_atomic_t stop_following;

static void on_sigint(int sig)
{
    (void)sig;
    stop_following = 1;
}

static void print_header(struct rig_task *t)
{
    printf("Task:    %s (%s)\n", t->id, t->project ? t->project : "");
    printf("Issue:   #%lld %s\n", (long long)t->issue_number, t->issue_title ? t->issue_title : "");
    printf("Status:  %s, phase %s, attempt %d of %d\n", rig_task_status_name(t->status),
           rig_phase_name(t->phase), t->attempt, t->max_retry + 1);
    if (t->branch)
        printf("Branch:  %s\n", t->branch);
    if (t->pr_title)
        printf("PR:      %s %s\n", t->pr_title, t->pr_url ? t->pr_url : "");
    if (t->error)
        printf("Error:   %s\n", t->error);
    printf("\n");
}

static int print_new(struct rig_store *st, const char *id, int64_t *after, struct rig_err *err)
{
    struct rig_log_list l = {0};

    if (rig_store_log_list(st, id, *after, 0, &l, err) < 0)
        return -1;
    for (size_t i = 0; i < l.len; i++) {
        taskfmt_log_line(stdout, &l.items[i]);
        *after = l.items[i].seq;
    }
    fflush(stdout);
    rig_log_list_release(&l);
    return 0;
}

static bool settled(const struct rig_task *t)
{
    return rig_task_status_is_terminal(t->status) || t->status == RIG_TASK_AWAITING_APPROVAL;
}

static int follow(struct rig_store *st, const char *id, int64_t *after, struct rig_err *err)
{
    struct timespec ts = {0, POLL_MS * 1000000L};
    struct rig_task t = {0};

    signal(SIGINT, on_sigint);
    for (;;) {
        bool done;
        if (print_new(st, id, after, err) < 0 || rig_store_task_get(st, id, &t, err) < 0)
            return -1;
        done = settled(&t);
        if (done) {
            /* A last read: lines written just before the final status. */
            print_new(st, id, after, err);
            printf("--- task %s: %s%s%s\n", id, rig_task_status_name(t.status),
                   t.error ? " — " : "", t.error ? t.error : "");
        }
        rig_task_release(&t);
        if (done || stop_following)
            return 0;
        nanosleep(&ts, NULL);
    }
}

int cmd_logs(struct rig_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"follow", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct rig_app app = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_task t = {0};
    bool fol = false;
    int64_t after = 0;
    int c, rc = 1;

    while ((c = getopt_long(argc, argv, ":fh", opts, NULL)) != -1) {
        switch (c) {
        case 'f': fol = true; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return cli_option_error("logs", c, argv, opts);
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("logs", "give exactly one task id (see 'rig status')");
    if (app_open_store(&app, cli, &err) < 0 ||
        rig_store_task_get(app.store, argv[optind], &t, &err) < 0)
        goto fail;
    print_header(&t);
    if (fol ? follow(app.store, t.id, &after, &err) < 0
            : print_new(app.store, t.id, &after, &err) < 0)
        goto fail;
    rc = 0;
    goto out;
fail:
    rc = app_fail("logs", &err);
out:
    rig_task_release(&t);
    app_release(&app);
    return rc;
}
