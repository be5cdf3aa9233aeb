#include "core/cliopt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

bool rig_cli_wants_help(int argc, char **argv, const char *text)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(text, stdout);
            return true;
        }
    }
    return false;
}

int rig_cli_usage_error(const char *prog, const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s%s%s: ", prog, cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s %s%s--help'.\n", prog, cmd ? cmd : "", cmd ? " " : "");
    return 2;
}
