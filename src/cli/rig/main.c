/*
 * rig: the orchestrator's command line. Global flags come before the command;
 * everything after the command name belongs to it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/rig/cli.h"
#include "core/log.h"
#include "core/str.h"
#include "core/banned.h"

static const struct rig_cmd commands[] = {
    {"init", "Write a commented starting rig.yaml", cmd_init},
    {"validate", "Check a configuration file and list every problem", cmd_validate},
    {"exec", "Work one issue: plan, code, commit, deploy, test, self-heal, PR", cmd_exec},
    {"run", "Serve GitHub webhooks: triggered issues become tasks on workers", cmd_run},
    {"status", "List tasks with their phase, attempt and age", cmd_status},
    {"logs", "Show a task's steps and log (--follow for live)", cmd_logs},
    {"explain", "Explain why a task failed (--ai for a root-cause analysis)", cmd_explain},
    {"proposals", "Show proposals waiting for approval, with diffs", cmd_proposals},
    {"approve", "Approve a task's proposal: apply, redeploy, continue", cmd_approve},
    {"reject", "Reject a task's proposal: the task fails", cmd_reject},
    {"cancel", "Stop a running task and its processes", cmd_cancel},
    {"doctor", "Check this machine and the configuration; hint at fixes", cmd_doctor},
    {"version", "Print version, commit and library versions", cmd_version},
};

static const size_t ncommands = sizeof(commands) / sizeof(commands[0]);

static void usage(FILE *out)
{
    fprintf(out, "usage: rig [-c FILE] [--log-level L] [--log-format F] <command> [args]\n"
                 "\n"
                 "Rig turns an issue into a tested pull request: AI plan, code, commit,\n"
                 "deploy, test, self-heal, PR.\n"
                 "\n"
                 "Commands:\n");
    for (size_t i = 0; i < ncommands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n"
                 "Global options:\n"
                 "  -c, --config FILE     configuration file (default: rig.yaml, or $RIG_CONFIG)\n"
                 "      --log-level L     debug, info, warn or error (default: info)\n"
                 "      --log-format F    text or json (default: text)\n"
                 "  -h, --help            show this help\n"
                 "      --version         print the version (as 'rig version')\n"
                 "\n"
                 "Exit status: 0 success, 1 the operation failed, 2 usage error.\n"
                 "Run 'rig <command> --help' for a command's options.\n");
}

static const struct rig_cmd *find_command(const char *name)
{
    for (size_t i = 0; i < ncommands; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void suggest_command(const char *name)
{
    const char *best = NULL;
    size_t bestd = 3;

    for (size_t i = 0; i < ncommands; i++) {
        size_t d = rig_str_distance(name, commands[i].name, 2);
        if (d < bestd) {
            bestd = d;
            best = commands[i].name;
        }
    }
    if (best)
        fprintf(stderr, "Did you mean '%s'?\n", best);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"log-level", required_argument, NULL, 'L'},
        {"log-format", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct rig_cli cli = {.config_path = "rig.yaml"};
    enum rig_log_level level = RIG_LOG_INFO;
    enum rig_log_format format = RIG_LOG_TEXT;
    const struct rig_cmd *cmd;
    int c;

    if (getenv("RIG_CONFIG")) {
        cli.config_path = getenv("RIG_CONFIG");
        cli.config_given = true;
    }
    /* '+' stops at the first non-option: the command name. */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            cli.config_path = optarg;
            cli.config_given = true;
            break;
        case 'L':
            if (rig_log_level_parse(optarg, &level) < 0)
                return cli_usage_error(NULL, "unknown log level '%s' (debug, info, warn, error)",
                                       optarg);
            break;
        case 'F':
            if (rig_log_format_parse(optarg, &format) < 0)
                return cli_usage_error(NULL, "unknown log format '%s' (text, json)", optarg);
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            optind = 0; /* the command parses again, from a fresh getopt state */
            return cmd_version(&cli, 1, argv);
        default:
            return cli_option_error(NULL, c, argv, opts);
        }
    }
    rig_log_setup(level, format, stderr);
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    cmd = find_command(argv[optind]);
    if (!cmd) {
        fprintf(stderr, "rig: unknown command '%s'\n", argv[optind]);
        suggest_command(argv[optind]);
        fprintf(stderr, "Run 'rig --help' for the list of commands.\n");
        return 2;
    }
    /* Reset getopt for the command's own parsing: argv[0] becomes the command. */
    argc -= optind;
    argv += optind;
    optind = 0;
    opterr = 0; /* the commands report bad options themselves, in one line */
    return cmd->run(&cli, argc, argv);
}
