/*
 * specgate: design rules -> generated checks -> Drift Score -> Drift Radar.
 * Commands are two words ("drift score"); each lives in its own file.
 */
#include <stdio.h>
#include <string.h>

#include "cli/specgate/sgcli.h"
#include "core/log.h"
#include "core/str.h"
#include "core/banned.h"

/* Registered commands (each defined in its own cmd_*.c). */
static const struct sg_cmd commands[] = {
    {"spec validate", "check a DesignRuleSpec rules file", sg_cmd_spec_validate},
    {"tests generate", "generate ArchUnit, Semgrep and oasdiff checks from rules",
     sg_cmd_tests_generate},
    {"workflow generate", "write the design-guard GitHub Actions workflow",
     sg_cmd_workflow_generate},
    {"drift score", "score check results against the rules (Drift Score 0-100)",
     sg_cmd_drift_score},
    {"github comment", "render (and post) the Drift Radar pull-request comment",
     sg_cmd_github_comment},
    {"sarif", "write the violations as SARIF 2.1.0 for code scanning", sg_cmd_sarif},
    {"mcp", "serve the SpecGate tools over MCP (stdio)", sg_cmd_mcp},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: specgate <command> [args]\n"
                 "\n"
                 "SpecGate turns design rules (DesignRuleSpec JSON) into checks, scores their\n"
                 "results as a 0-100 Drift Score and gates pull requests on it.\n"
                 "\n"
                 "Commands:\n");
    for (size_t i = 0; commands[i].name; i++)
        fprintf(out, "  %-18s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n"
                 "Options:\n"
                 "  -h, --help   show this help\n"
                 "  --version    print the version\n"
                 "\n"
                 "Run 'specgate <command> --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    char name[128];

    rig_log_setup(RIG_LOG_WARN, RIG_LOG_TEXT, stderr);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("specgate %s (commit %s)\n", RIG_VERSION, RIG_COMMIT);
        return 0;
    }
    /* Single-word commands first ("mcp"), then two-word ones. */
    for (size_t i = 0; commands[i].name; i++) {
        if (strcmp(commands[i].name, argv[1]) == 0)
            return commands[i].run(argc - 1, argv + 1);
    }
    if (argc >= 3) {
        snprintf(name, sizeof(name), "%s %s", argv[1], argv[2]);
        for (size_t i = 0; commands[i].name; i++) {
            if (strcmp(commands[i].name, name) == 0)
                return commands[i].run(argc - 2, argv + 2);
        }
    }
    fprintf(stderr, "specgate: unknown command '%s%s%s'\n", argv[1], argc >= 3 ? " " : "",
            argc >= 3 ? argv[2] : "");
    fprintf(stderr, "Run 'specgate --help' for the list of commands.\n");
    return 2;
}
