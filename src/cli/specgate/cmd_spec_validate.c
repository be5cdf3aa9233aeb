/*
 * specgate spec validate FILE: load a DesignRuleSpec file and list every
 * problem as file:line:col: pointer: message.
 */
#include <stdio.h>
#include <string.h>

#include "cli/specgate/sgcli.h"
#include "core/err.h"
#include "gate/spec.h"
#include "core/banned.h"

static const char usage[] =
    "usage: specgate spec validate FILE\n"
    "\n"
    "Check a DesignRuleSpec rules file (a single rule, {\"rules\": [...]}, or a design\n"
    "document with must_rules/should_rules/must_not_rules). Every problem is printed\n"
    "as FILE:LINE:COL: JSON-POINTER: MESSAGE; warnings do not fail the check.\n"
    "\n"    "Options:\n"
    "  -h, --help   show this help\n"
    "\n"
    "Exit status: 0 valid, 2 unreadable or invalid.\n";

void sg_print_errs(const struct rig_errlist *errs, FILE *out)
{
    char line[RIG_ERR_MSG_MAX + RIG_ERR_FILE_MAX + 64];

    for (size_t i = 0; i < errs->len; i++)
        fprintf(out, "%s\n", rig_err_format(&errs->items[i], line, sizeof(line)));
}

int sg_cmd_spec_validate(int argc, char **argv)
{
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_ruleset set;
    const char *file = NULL;
    size_t warnings = 0;
    int rc;

    if (sg_wants_help(argc, argv, usage))
        return 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            if (i + 1 < argc && !file)
                file = argv[++i];
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return sg_usage_error("spec validate", "unknown option '%s'", argv[i]);
        if (file)
            return sg_usage_error("spec validate", "only one FILE can be validated at a time");
        file = argv[i];
    }
    if (!file)
        return sg_usage_error("spec validate", "missing FILE");
    rc = sg_ruleset_load_file(file, &set, &errs);
    rig_errlist_sort(&errs);
    sg_print_errs(&errs, stderr);
    for (size_t i = 0; i < errs.len; i++)
        warnings += sg_err_is_warning(&errs.items[i]);
    if (rc == 0) {
        printf("%s: %zu rule%s valid", file, set.n, set.n == 1 ? "" : "s");
        if (warnings)
            printf(" (%zu warning%s)", warnings, warnings == 1 ? "" : "s");
        printf("\n");
    } else {
        fprintf(stderr, "%s: invalid: %zu error%s\n", file, errs.len - warnings,
                errs.len - warnings == 1 ? "" : "s");
    }
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
    return rc == 0 ? 0 : 2;
}
