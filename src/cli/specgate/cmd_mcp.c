/*
 * specgate mcp: the MCP server on standard input/output.
 */
#include <stdio.h>
#include <string.h>

#include "cli/specgate/sgcli.h"
#include "gate/mcp.h"
#include "core/banned.h"

static const char usage[] =
    "usage: specgate mcp [--root DIR]\n"
    "\n"
    "Serves the SpecGate tools over MCP (JSON-RPC 2.0, one message per line on\n"
    "standard input/output; protocol 2025-06-18 or 2025-11-25):\n"
    "  tests_generate, drift_score, github_comment, workflow_generate\n"
    "\n"
    "  --root DIR   the workspace the tools may read and write (default: the\n"
    "               current directory); every path argument is relative to it\n"
    "\n"
    "Logs go to standard error. Exits 0 at end of input.\n";

int sg_cmd_mcp(int argc, char **argv)
{
    const char *root = ".";
    struct sg_mcp m;
    struct rig_err err = RIG_ERR_INIT;
    int rc;

    if (sg_wants_help(argc, argv, usage))
        return 0;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int at = i, r = sg_opt_take(argc, argv, &i, "--root", &v);

        if (r <= 0 || !v || !*v)
            return sg_arg_error("mcp", argv[at], r);
        root = v;
    }
    if (sg_mcp_init(&m, root, &err) < 0) {
        fprintf(stderr, "specgate mcp: %s\n", err.msg);
        return 2;
    }
    rc = sg_mcp_serve(&m, stdin, stdout, &err);
    if (rc < 0)
        fprintf(stderr, "specgate mcp: %s\n", err.msg);
    sg_mcp_release(&m);
    return rc < 0 ? 1 : 0;
}
