#ifndef RIG_CORE_CLIOPT_H
#define RIG_CORE_CLIOPT_H

#include <stdbool.h>

/* Command-line conventions shared by the rig and specgate programs. */

/* When argv (argv[0] is the command) holds -h or --help before any "--",
 * print text on stdout and return true. */
bool rig_cli_wants_help(int argc, char **argv, const char *text);

/* On stderr: "<prog> <cmd>: <message>" and "Try '<prog> <cmd> --help'." (cmd
 * may be NULL for the program itself). Returns 2, the usage-error status. */
int rig_cli_usage_error(const char *prog, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
