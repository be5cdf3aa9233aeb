#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/rig/app.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "core/banned.h"

static const char usage[] =
    "usage: rig exec [options] (--issue FILE.md | --title TITLE [--body TEXT])\n"
    "       rig exec [options] ISSUE-URL     (source.platform github)\n"
    "       rig exec --step deploy|test --task ID\n"
    "       rig exec --resume ID\n"
    "\n"
    "Work one issue to a pull request: AI plan, AI code, commit and push to a task\n"
    "branch, deploy, test, self-heal on failure, then open the pull request.\n"
    "Every step is stored as it happens: follow it with 'rig logs --follow ID'.\n"
    "\n"
    "Options:\n"
    "  --issue FILE.md     the issue as markdown: the first '# ' heading is the title\n"
    "  --title TEXT        the issue title (with --body for its text)\n"
    "  --body TEXT         the issue body\n"
    "  --number N          the issue number (default: the next local number);\n"
    "                      with platform github, the GitHub issue to work on\n"
    "  --issue-url URL     a GitHub issue, https://github.com/OWNER/REPO/issues/N\n"
    "                      (also given as the only argument); it must belong to\n"
    "                      source.repo\n"
    "  --dry-run           plan and code locally, but no push, deploy or pull\n"
    "                      request; print the commands that would run\n"
    "  --step STEP         run one step only:\n"
    "                        code    plan, code, commit and push; no deploy/test/PR\n"
    "                        deploy  deploy the branch of --task ID (no AI)\n"
    "                        test    run the tests on the branch of --task ID (no AI)\n"
    "  --task ID           the task whose branch --step deploy|test works on\n"
    "  --resume ID         continue an interrupted task from the phase it was in\n"
    "  -q, --quiet         print only the outcome\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 completed or waiting for approval, 1 failed or cancelled,\n"
    "2 usage.\n";

struct echo_state {
    bool quiet;
};

static void echo(void *ctx, const char *tag, enum rig_log_level level, const char *line)
{
    struct echo_state *es = ctx;
    time_t now = time(NULL);
    struct tm tm;
    char ts[16];

    if (es->quiet && level < RIG_LOG_WARN)
        return;
    localtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
    printf("%s %-12s %s%s\n", ts, tag, level >= RIG_LOG_ERROR ? "error: " :
                                      level == RIG_LOG_WARN ? "warning: " : "", line);
    fflush(stdout);
}

static int load_issue(const char *file, const char *title, const char *body, long long number,
                      struct rig_app *app, struct rig_issue *issue, struct rig_err *err)
{
    struct rig_issue_ref ref = {.file = file, .title = title, .body = body, .number = number};

    return app->source->ops->fetch_issue(app->source, &ref, issue, err);
}

static void print_outcome(struct rig_app *app, const char *id)
{
    struct rig_task t = {0};

    if (rig_store_task_get(app->store, id, &t, NULL) < 0)
        return;
    printf("\nTask %s: %s", t.id, rig_task_status_name(t.status));
    if (t.error)
        printf(" — %s", t.error);
    printf("\n");
    if (t.branch)
        printf("  branch:  %s\n", t.branch);
    if (t.pr_title)
        printf("  pull request: %s%s%s\n", t.pr_title, t.pr_url ? " " : "",
               t.pr_url ? t.pr_url : "");
    printf("  attempts: %d   AI usage: %lld in / %lld out tokens, $%.4f\n", t.attempt,
           (long long)t.tokens_in, (long long)t.tokens_out, t.cost_usd);
    if (t.status == RIG_TASK_AWAITING_APPROVAL)
        printf("  waiting for approval: rig proposals %s, then rig approve|reject %s\n", t.id,
               t.id);
    printf("  details: rig logs %s   rig explain %s\n", t.id, t.id);
    rig_task_release(&t);
}

static int parse_step(const char *s, enum rig_step_mode *m)
{
    if (strcmp(s, "code") == 0)
        *m = RIG_MODE_CODE;
    else if (strcmp(s, "deploy") == 0)
        *m = RIG_MODE_DEPLOY;
    else if (strcmp(s, "test") == 0)
        *m = RIG_MODE_TEST;
    else
        return -1;
    return 0;
}

int cmd_exec(struct rig_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"issue", required_argument, NULL, 'i'}, {"title", required_argument, NULL, 't'},
        {"body", required_argument, NULL, 'b'},  {"number", required_argument, NULL, 'n'},
        {"dry-run", no_argument, NULL, 'd'},     {"step", required_argument, NULL, 's'},
        {"task", required_argument, NULL, 'T'},  {"resume", required_argument, NULL, 'r'},
        {"quiet", no_argument, NULL, 'q'},       {"help", no_argument, NULL, 'h'},
        {"issue-url", required_argument, NULL, 'u'}, {NULL, 0, NULL, 0},
    };
    const char *file = NULL, *title = NULL, *body = NULL, *resume = NULL, *url = NULL;
    struct rig_submit sub = {0};
    struct rig_app app = {0};
    struct rig_issue issue = {0};
    struct rig_err err = RIG_ERR_INIT;
    struct echo_state es = {false};
    long long number = 0;
    char *id = NULL;
    int c, rc = 1;

    while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
        switch (c) {
        case 'i': file = optarg; break;
        case 't': title = optarg; break;
        case 'b': body = optarg; break;
        case 'n':
            if (rig_str_to_ll(optarg, 1, 1000000000, &number) < 0)
                return cli_usage_error("exec", "--number needs a positive integer");
            break;
        case 'd': sub.dry_run = true; break;
        case 's':
            if (parse_step(optarg, &sub.mode) < 0)
                return cli_usage_error("exec", "--step must be code, deploy or test, not '%s'",
                                       optarg);
            break;
        case 'T': sub.from_task = optarg; break;
        case 'r': resume = optarg; break;
        case 'u': url = optarg; break;
        case 'q': es.quiet = true; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return cli_option_error("exec", c, argv, opts);
        }
    }
    if (optind < argc && !url && optind + 1 == argc && strstr(argv[optind], "://"))
        url = argv[optind++];
    if (optind < argc)
        return cli_usage_error("exec", "unexpected argument '%s' (issues come from --issue FILE, "
                                       "--title or a GitHub issue URL)", argv[optind]);
    if ((sub.mode == RIG_MODE_DEPLOY || sub.mode == RIG_MODE_TEST) && !sub.from_task)
        return cli_usage_error("exec", "--step %s works on an existing task's branch: pass "
                                       "--task ID (see 'rig status')",
                               sub.mode == RIG_MODE_DEPLOY ? "deploy" : "test");
    if (sub.from_task && sub.mode != RIG_MODE_DEPLOY && sub.mode != RIG_MODE_TEST)
        return cli_usage_error("exec", "--task ID goes with --step deploy or --step test");
    if (!resume && !sub.from_task && !file && !title && !url && !number)
        return cli_usage_error("exec", "say which issue: --issue FILE.md, --title TEXT or a "
                                       "GitHub issue URL");
    if ((file != NULL) + (title != NULL) + (url != NULL) > 1)
        return cli_usage_error("exec", "--issue, --title and an issue URL exclude each other");
    if (url && number)
        return cli_usage_error("exec", "an issue URL already names the issue; drop --number");
    if (resume || sub.from_task) {
        /* Refuse a wrong task before the engine (and the AI provider) is built. */
        enum rig_task_status st;

        if (app_task_status(cli, resume ? resume : sub.from_task, &st, &err) < 0) {
            if (sub.from_task)
                rig_err_prefix(&err, "--task %s", sub.from_task);
            goto fail;
        }
        if (resume && st != RIG_TASK_INTERRUPTED) {
            rig_err_set(&err, RIG_ECONFLICT, "task %s is %s: only an interrupted task can be "
                        "resumed", resume, rig_task_status_name(st));
            goto fail;
        }
    }
    if (url) {
        /* The issue URL names the repository, and so the project (projects:). */
        struct rig_github_issue_url u;
        char repo[200];

        if (rig_github_parse_issue_url(url, &u, &err) < 0)
            goto fail;
        snprintf(repo, sizeof(repo), "%s/%s", u.owner, u.repo);
        if (app_build_engine_for_repo(&app, cli, repo, &err) < 0)
            goto fail;
    } else if ((resume || sub.from_task
                    ? app_build_engine_for_task(&app, cli, resume ? resume : sub.from_task, &err)
                    : app_build_engine(&app, cli, &err)) < 0) {
        goto fail;
    }
    app.eng.echo = echo;
    app.eng.echo_ctx = &es;
    if (resume) {
        printf("Resuming task %s\n", resume);
        rc = rig_engine_resume(&app.eng, resume, &err) == 0 ? 0 : 1;
        /* Refused before running (unknown task, not interrupted): say why
         * rather than print the unchanged task as if it were the outcome. */
        if (rc && (err.code == RIG_ENOTFOUND || err.code == RIG_ECONFLICT))
            goto fail;
        print_outcome(&app, resume);
        goto out;
    }
    if (url && rig_source_github_issue_number(app.source, url, &number, &err) < 0)
        goto fail;
    if (!sub.from_task) {
        if (load_issue(file, title, body, number, &app, &issue, &err) < 0)
            goto fail;
        sub.issue = &issue;
    }
    if (rig_engine_submit(&app.eng, &sub, &id, &err) < 0)
        goto fail;
    printf("Task %s: %s%s\n", id, sub.from_task ? "branch of " : "issue ",
           sub.from_task ? sub.from_task : issue.title);
    if (sub.dry_run)
        printf("Dry run: nothing is pushed, deployed or opened.\n");
    rc = rig_engine_run(&app.eng, id, &err) == 0 ? 0 : 1;
    print_outcome(&app, id);
    goto out;
fail:
    rc = app_fail("exec", &err);
out:
    free(id);
    rig_issue_release(&issue);
    app_release(&app);
    return rc;
}
