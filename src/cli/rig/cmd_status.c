#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/rig/app.h"
#include "cli/rig/taskfmt.h"
#include "core/json.h"
#include "core/str.h"
#include "core/banned.h"

static const char usage[] =
    "usage: rig status [--json] [--project NAME] [-n N]\n"
    "\n"
    "List tasks, newest first: id, status, phase, attempt, age and issue or result.\n"
    "\n"
    "Options:\n"
    "  --json           machine-readable output (a JSON array)\n"
    "  --project NAME   only this project's tasks\n"
    "  -n N             at most N tasks (default 20, 0 = all)\n"
    "  -h, --help       show this help\n";

#define TERM_COLS 80

static json_t *task_json(const struct rig_task *t)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:s?,s:I,s:s?,s:s?,s:s?,s:s?,s:I,s:I,s:f,"
                     "s:I,s:I,s:I,s:b}",
                     "id", t->id, "project", t->project ? t->project : "", "status",
                     rig_task_status_name(t->status), "phase", rig_phase_name(t->phase),
                     "attempt", t->attempt, "max_retry", t->max_retry, "issue_id", t->issue_id,
                     "issue_number", (json_int_t)t->issue_number, "issue_title",
                     t->issue_title, "branch", t->branch, "result", t->result, "error",
                     t->error, "tokens_in", (json_int_t)t->tokens_in, "tokens_out",
                     (json_int_t)t->tokens_out, "cost_usd", t->cost_usd, "created_at",
                     (json_int_t)t->created_at, "updated_at", (json_int_t)t->updated_at,
                     "ended_at", (json_int_t)t->ended_at, "dry_run", t->dry_run);
}

/* Width of the widest name in the column, at least the header's. */
static int column_width(const struct rig_task_list *l, bool phase, const char *header)
{
    size_t w = strlen(header);

    for (size_t i = 0; i < l->len; i++) {
        const struct rig_task *t = &l->items[i];
        size_t n = strlen(phase ? rig_phase_name(t->phase) : rig_task_status_name(t->status));
        if (n > w)
            w = n;
    }
    return (int)w;
}

/* One line per task within 80 columns (the issue title cut to fit), and the
 * error of a failed task on an indented line below it: the whole text is in
 * 'rig logs ID', 'rig explain ID' and --json. */
static void print_table(const struct rig_task_list *l)
{
    int sw = column_width(l, false, "STATUS"), pw = column_width(l, true, "PHASE");
    int used;

    printf("%-16s %-*s %-*s %-7s %-4s %s\n", "TASK", sw, "STATUS", pw, "PHASE", "ATTEMPT", "AGE",
           "ISSUE");
    for (size_t i = 0; i < l->len; i++) {
        const struct rig_task *t = &l->items[i];
        char age[16], att[24], issue[40];

        snprintf(att, sizeof(att), "%d/%d", t->attempt, t->max_retry + 1);
        snprintf(issue, sizeof(issue), "#%lld ", (long long)t->issue_number);
        used = printf("%-16s %-*s %-*s %-7s %-4s ", t->id, sw, rig_task_status_name(t->status),
                      pw, rig_phase_name(t->phase), att,
                      taskfmt_age(t->created_at, age, sizeof(age)));
        fputs(issue, stdout);
        used += (int)strlen(issue);
        taskfmt_fit(stdout, t->issue_title ? t->issue_title : "",
                    used < TERM_COLS - 8 ? (size_t)(TERM_COLS - used) : 8);
        putchar('\n');
        if (t->error) {
            fputs("    ", stdout);
            taskfmt_fit(stdout, t->error, TERM_COLS - 4);
            putchar('\n');
        }
    }
}

int cmd_status(struct rig_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"project", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct rig_app app = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_task_filter f = {.limit = 20};
    struct rig_task_list l = {0};
    bool json = false;
    long long n;
    int c, rc = 1;

    while ((c = getopt_long(argc, argv, ":n:h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = true; break;
        case 'p': f.project = optarg; break;
        case 'n':
            if (rig_str_to_ll(optarg, 0, 1000000, &n) < 0)
                return cli_usage_error("status", "-n needs a number from 0 to 1000000, not '%s'",
                                       optarg);
            f.limit = (size_t)n;
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: return cli_option_error("status", c, argv, opts);
        }
    }
    if (optind < argc)
        return cli_usage_error("status", "unexpected argument '%s'", argv[optind]);
    if (app_open_store(&app, cli, &err) < 0 || rig_store_task_list(app.store, &f, &l, &err) < 0) {
        rc = app_fail("status", &err);
        goto out;
    }
    if (json) {
        json_t *arr = json_array();
        char *s;
        for (size_t i = 0; i < l.len; i++)
            json_array_append_new(arr, task_json(&l.items[i]));
        s = rig_json_dump(arr, true);
        printf("%s\n", s);
        free(s);
        json_decref(arr);
    } else if (l.len == 0) {
        printf("No tasks yet. Start one with: rig exec --issue ISSUE.md\n");
    } else {
        print_table(&l);
    }
    rc = 0;
out:
    rig_task_list_release(&l);
    app_release(&app);
    return rc;
}
