/*
 * Option parsing shared by the gate1 commands: "--name VALUE" and
 * "--name=VALUE".
 */
#include <string.h>

#include "cli/specgate/sgcli.h"
#include "core/banned.h"

int sg_opt_take(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);

    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        *value = NULL;
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

int sg_arg_error(const char *cmd, const char *a, int r)
{
    if (r < 0 || (r > 0 && strncmp(a, "--", 2) == 0))
        return sg_usage_error(cmd, "option '%.*s' needs a value", (int)strcspn(a, "="), a);
    if (a[0] == '-' && a[1])
        return sg_usage_error(cmd, "unknown option '%s'", a);
    return sg_usage_error(cmd, "unexpected argument '%s'", a);
}
