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

/* The long option that failed when argv[optind - 1] is "--name[=value]" and
 * that entry has val (getopt sets optopt to it for a long option's value
 * errors); NULL when the error was about a short option. A short option
 * inside a cluster ("-xy") leaves optind on the cluster, so argv[optind - 1]
 * may then be an earlier long option that parsed fine: that one either had
 * no "=value" (no_argument) or was followed by more arguments (required). */
static const struct option *failed_long(char **argv, int val, const struct option *longopts)
{
    const char *arg = argv[optind - 1];
    size_t n;

    if (strncmp(arg, "--", 2) != 0 || !longopts)
        return NULL;
    n = strcspn(arg + 2, "=");
    for (const struct option *o = longopts; o->name; o++) {
        if (o->val != val || o->flag || strncmp(o->name, arg + 2, n) != 0)
            continue;
        if (o->has_arg == no_argument && arg[2 + n] == '=')
            return o;
        if (o->has_arg == required_argument && arg[2 + n] == '\0' && !argv[optind])
            return o;
        return NULL;
    }
    return NULL;
}

int rig_cli_option_error(const char *prog, const char *cmd, int c, char **argv,
                         const struct option *longopts)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    const struct option *lo;
    char name[64];

    if (optopt == 0) {
        /* An unknown or ambiguous long option: argv[optind - 1] is it. */
        return rig_cli_usage_error(prog, cmd, "unknown option '%.*s'", (int)strcspn(arg, "="),
                                   arg);
    }
    lo = optind > 0 ? failed_long(argv, optopt, longopts) : NULL;
    if (lo)
        snprintf(name, sizeof(name), "--%s", lo->name);
    else
        snprintf(name, sizeof(name), "-%c", optopt);
    if (c == ':' || (lo && lo->has_arg == required_argument))
        return rig_cli_usage_error(prog, cmd, "option '%s' needs a value", name);
    if (lo)
        return rig_cli_usage_error(prog, cmd, "option '%s' takes no value", name);
    return rig_cli_usage_error(prog, cmd, "unknown option '%s'", name);
}
