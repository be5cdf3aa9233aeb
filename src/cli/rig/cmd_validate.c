#include <getopt.h>
#include <stdio.h>

#include "cli/rig/cli.h"
#include "config/config.h"
#include "core/err.h"
#include "core/banned.h"

static const char usage[] =
    "usage: rig validate [-c FILE]\n"
    "\n"
    "Check a configuration file: YAML syntax, every key, type, value and the rules\n"
    "between keys. Environment variables referenced as ${NAME} must be set.\n"
    "Prints '<file> is valid' and exits 0, or lists every problem on stderr as\n"
    "FILE:LINE:COL: message and exits 1.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE   the file to check (default: rig.yaml, or rig -c FILE)\n"
    "  -h, --help          show this help\n";

/* Print every error of errs; a missing file gets a hint. */
void cli_print_config_errors(FILE *out, const char *indent, const struct rig_errlist *errs)
{
    char line[RIG_ERR_MSG_MAX + RIG_ERR_FILE_MAX + 32];

    for (size_t i = 0; i < errs->len; i++) {
        const struct rig_err *e = &errs->items[i];

        if (e->code == RIG_ENOTFOUND)
            fprintf(out, "%s%s (run 'rig init' to create one)\n", indent,
                    rig_err_format(e, line, sizeof(line)));
        else
            fprintf(out, "%s%s\n", indent, rig_err_format(e, line, sizeof(line)));
    }
}

int cli_config_flag(struct rig_cli *cli, int argc, char **argv, const char *cmd,
                    const char *text)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            cli->config_path = optarg;
            cli->config_given = true;
            break;
        case 'h':
            fputs(text, stdout);
            return 0;
        default:
            return cli_option_error(cmd, c, argv, opts);
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    return -1;
}

int cli_help_flag(int argc, char **argv, const char *cmd, const char *text)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c != 'h')
            return cli_option_error(cmd, c, argv, opts);
        fputs(text, stdout);
        return 0;
    }
    return -1;
}

int cmd_validate(struct rig_cli *cli, int argc, char **argv)
{
    struct rig_config cfg;
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    int rc = cli_config_flag(cli, argc, argv, "validate", usage);

    if (rc >= 0)
        return rc;
    if (rig_config_load(cli->config_path, &cfg, &errs) < 0) {
        cli_print_config_errors(stderr, "", &errs);
        rc = 1;
    } else {
        printf("%s is valid\n", cli->config_path);
        rc = 0;
    }
    rig_config_release(&cfg);
    rig_errlist_release(&errs);
    return rc;
}
