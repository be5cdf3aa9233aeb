#ifndef RIG_CORE_CLIOPT_H
#define RIG_CORE_CLIOPT_H

#include <getopt.h>
#include <stdbool.h>

/* Command-line conventions shared by the rig and specgate programs. */

/* When argv (argv[0] is the command) holds -h or --help before any "--",
 * print text on stdout and return true. */
bool rig_cli_wants_help(int argc, char **argv, const char *text);

/* On stderr: "<prog> <cmd>: <message>" and "Try '<prog> <cmd> --help'." (cmd
 * may be NULL for the program itself). Returns 2, the usage-error status. */
int rig_cli_usage_error(const char *prog, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* After getopt_long returned '?' or ':' (run with opterr = 0; start the
 * optstring with ':' so a missing value is told apart): one usage error naming
 * the option ("unknown option '--x'", "option '--port' needs a value", "option
 * '--json' takes no value"). longopts is the table given to getopt_long.
 * Returns 2. */
int rig_cli_option_error(const char *prog, const char *cmd, int c, char **argv,
                         const struct option *longopts);

#endif
