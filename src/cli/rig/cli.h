#ifndef RIG_CLI_CLI_H
#define RIG_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "core/cliopt.h"

/*
 * One file per sub-command (git's builtin/ layout). Each command parses its own
 * flags with getopt_long and returns the process exit status:
 * 0 success, 1 the operation failed, 2 usage error.
 */

struct rig_cli {
    const char *config_path; /* -c/--config, default "rig.yaml" */
    bool config_given;       /* -c was passed explicitly */
};

struct rig_cmd {
    const char *name;
    const char *summary;
    int (*run)(struct rig_cli *cli, int argc, char **argv);
};

/* Shared helpers for commands: core/cliopt.h under rig's names. Usage errors
 * print "rig <cmd>: message" and a --help hint, and return 2. */
#define cli_usage_error(cmd, ...) rig_cli_usage_error("rig", (cmd), __VA_ARGS__)
/* A '?' or ':' from getopt_long (opterr is 0): one line naming the option. */
#define cli_option_error(cmd, c, argv, opts) rig_cli_option_error("rig", (cmd), (c), (argv), (opts))
/* Print a usage/help block when argv has -h/--help; returns true if printed. */
#define cli_wants_help(argc, argv, usage) rig_cli_wants_help((argc), (argv), (usage))

/* Parse the common [-c FILE] [-h] flags of a command that takes no other
 * argument: -1 to go on, else the exit status to return (0 after --help). */
int cli_config_flag(struct rig_cli *cli, int argc, char **argv, const char *cmd,
                    const char *text);

/* The same for a command whose only flag is -h/--help: its arguments are
 * then argv[optind..argc-1]. */
int cli_help_flag(int argc, char **argv, const char *cmd, const char *text);

struct rig_errlist;
/* Config errors, one "<indent>FILE:LINE:COL: message" per line. */
void cli_print_config_errors(FILE *out, const char *indent, const struct rig_errlist *errs);

int cmd_version(struct rig_cli *cli, int argc, char **argv);
int cmd_init(struct rig_cli *cli, int argc, char **argv);
int cmd_validate(struct rig_cli *cli, int argc, char **argv);
int cmd_doctor(struct rig_cli *cli, int argc, char **argv);
int cmd_exec(struct rig_cli *cli, int argc, char **argv);
int cmd_run(struct rig_cli *cli, int argc, char **argv);
int cmd_status(struct rig_cli *cli, int argc, char **argv);
int cmd_logs(struct rig_cli *cli, int argc, char **argv);
int cmd_explain(struct rig_cli *cli, int argc, char **argv);
int cmd_proposals(struct rig_cli *cli, int argc, char **argv);
int cmd_approve(struct rig_cli *cli, int argc, char **argv);
int cmd_reject(struct rig_cli *cli, int argc, char **argv);
int cmd_cancel(struct rig_cli *cli, int argc, char **argv);

#endif
