#ifndef RIG_CLI_SGCLI_H
#define RIG_CLI_SGCLI_H

#include <stdbool.h>
#include <stdio.h>

#include "core/cliopt.h"

/* specgate sub-commands: exit 0 success, 1 gate/operation failed, 2 usage or
 * unreadable input (never a PASS). */
struct sg_cmd {
    const char *name;    /* "spec validate", "tests generate", ... (two words) */
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the second word */
};

/* core/cliopt.h under specgate's names: "specgate <cmd>: message" plus a
 * --help hint, returning 2; help text printed on -h/--help. */
#define sg_usage_error(cmd, ...) rig_cli_usage_error("specgate", (cmd), __VA_ARGS__)
#define sg_option_error(cmd, c, argv, opts) \
    rig_cli_option_error("specgate", (cmd), (c), (argv), (opts))
#define sg_wants_help(argc, argv, usage) rig_cli_wants_help((argc), (argv), (usage))

/* Print every entry of a loader's error list, one "file:line:col: message" a line. */
struct rig_errlist;
void sg_print_errs(const struct rig_errlist *errs, FILE *out);

/* Match argv[*i] against "--name VALUE" / "--name=VALUE": 1 and *value set
 * (advancing *i past a separate value), 0 when it is another argument, -1
 * when the value is missing. */
int sg_opt_take(int argc, char **argv, int *i, const char *name, const char **value);

/* The usage error for the argument arg, which sg_opt_take answered r for: a
 * missing or empty value (r != 0), else an unknown option or an unexpected
 * argument. Returns 2. */
int sg_arg_error(const char *cmd, const char *arg, int r);

/* Commands of gate1 (rules, generators). */
int sg_cmd_spec_validate(int argc, char **argv);
int sg_cmd_tests_generate(int argc, char **argv);
int sg_cmd_workflow_generate(int argc, char **argv);

/* Commands of gate2 (scoring, radar, publishing, MCP). */
int sg_cmd_drift_score(int argc, char **argv);
int sg_cmd_github_comment(int argc, char **argv);
int sg_cmd_sarif(int argc, char **argv);
int sg_cmd_mcp(int argc, char **argv);

#endif
