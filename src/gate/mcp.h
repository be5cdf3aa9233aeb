#ifndef RIG_GATE_MCP_H
#define RIG_GATE_MCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "core/err.h"

/*
 * SpecGate's MCP server over stdio: newline-delimited JSON-RPC 2.0, protocol
 * versions 2025-06-18 and 2025-11-25 (the client's version is echoed when
 * supported, else the latest is offered). Tools: tests_generate, drift_score,
 * github_comment, workflow_generate (docs/specgate.md, "MCP server").
 *
 * Every path a tool receives is relative to the server's root directory and
 * may not leave it.
 */

#define SG_MCP_LINE_MAX (4u << 20) /* longest accepted message, bytes */

struct sg_mcp {
    char *root;          /* workspace the tools may read and write */
    bool initialized;    /* initialize answered */
    char version[16];    /* negotiated protocol version */
    json_t *tools;       /* tools/list result, built once */
};

int sg_mcp_init(struct sg_mcp *m, const char *root, struct rig_err *err);
void sg_mcp_release(struct sg_mcp *m);

/* Handle one message (a line without its newline). Returns the response to
 * write (a JSON text without newline, caller frees) or NULL when there is
 * nothing to answer (a notification). */
char *sg_mcp_handle(struct sg_mcp *m, const char *line, size_t len);

/* Serve in until end of input: one response line per request on out. */
int sg_mcp_serve(struct sg_mcp *m, FILE *in, FILE *out, struct rig_err *err);

/* ---- tools (mcp_tools.c) --------------------------------------------- */

/* The tools array of tools/list (new reference). */
json_t *sg_mcp_tool_list(void);

/* Run a tool. Returns 0 with *result set to its structuredContent, or -1
 * with msg filled: the message for an isError result (bad arguments, a
 * check that failed). *unknown is set when no tool has that name (a
 * protocol error, not a tool error). */
int sg_mcp_tool_call(const struct sg_mcp *m, const char *name, const json_t *args,
                     json_t **result, char *msg, size_t msgsz, bool *unknown);

#endif
