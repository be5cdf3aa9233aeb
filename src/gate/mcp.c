/*
 * MCP over stdio: JSON-RPC 2.0 framing, lifecycle, tools/list, tools/call.
 */
#include "gate/mcp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/banned.h"

enum {
    RPC_PARSE = -32700,
    RPC_INVALID_REQUEST = -32600,
    RPC_NO_METHOD = -32601,
    RPC_INVALID_PARAMS = -32602,
};

static const char *const versions[] = {"2025-11-25", "2025-06-18", NULL}; /* latest first */

int sg_mcp_init(struct sg_mcp *m, const char *root, struct rig_err *err)
{
    char *abs;

    memset(m, 0, sizeof(*m));
    abs = realpath(root ? root : ".", NULL);
    if (!abs)
        return rig_err_errno(err, errno, "MCP root %s", root ? root : ".");
    m->root = abs;
    m->tools = json_pack("{s:o}", "tools", sg_mcp_tool_list());
    return 0;
}

void sg_mcp_release(struct sg_mcp *m)
{
    if (!m)
        return;
    free(m->root);
    json_decref(m->tools);
    memset(m, 0, sizeof(*m));
}

static char *respond(json_t *id, const char *key, json_t *value)
{
    json_t *msg = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(),
                            key, value);
    char *text = json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(10));

    json_decref(msg);
    return text;
}

static char *rpc_error(json_t *id, int code, const char *message, json_t *data)
{
    json_t *e = json_pack("{s:i, s:s}", "code", code, "message", message);

    if (data)
        json_object_set_new(e, "data", data);
    return respond(id, "error", e);
}

static char *do_initialize(struct sg_mcp *m, json_t *id, json_t *params)
{
    const char *asked = rig_json_str(params, "protocolVersion", NULL);
    const char *chosen = versions[0];

    if (!json_is_object(params) || !asked)
        return rpc_error(id, RPC_INVALID_PARAMS,
                         "initialize needs params.protocolVersion (a string)", NULL);
    if (m->initialized)
        return rpc_error(id, RPC_INVALID_REQUEST, "already initialized", NULL);
    for (size_t i = 0; versions[i]; i++) {
        if (strcmp(asked, versions[i]) == 0)
            chosen = versions[i];
    }
    rig_strlcpy(m->version, chosen, sizeof(m->version));
    m->initialized = true;
    return respond(id, "result",
                   json_pack("{s:s, s:{s:{s:b}}, s:{s:s, s:s, s:s}, s:s}", "protocolVersion",
                             chosen, "capabilities", "tools", "listChanged", 0, "serverInfo",
                             "name", "specgate", "title", "SpecGate", "version", RIG_VERSION,
                             "instructions",
                             "SpecGate turns DesignRuleSpec design rules into checks "
                             "(tests_generate, workflow_generate), scores check results "
                             "as a 0-100 Drift Score (drift_score) and renders the Drift "
                             "Radar pull-request comment (github_comment). Paths are "
                             "relative to the server's working directory."));
}

static char *do_call(struct sg_mcp *m, json_t *id, json_t *params)
{
    const char *name = rig_json_str(params, "name", NULL);
    json_t *args = json_object_get(params, "arguments");
    json_t *result = NULL, *empty = NULL;
    char msg[2048] = "";
    bool unknown = false;
    char *text, *out;

    if (!json_is_object(params) || !name)
        return rpc_error(id, RPC_INVALID_PARAMS, "tools/call needs params.name (a string)",
                         NULL);
    if (args && !json_is_object(args))
        return rpc_error(id, RPC_INVALID_PARAMS, "tools/call params.arguments must be an object",
                         NULL);
    if (!args)
        args = empty = json_object();
    if (sg_mcp_tool_call(m, name, args, &result, msg, sizeof(msg), &unknown) < 0) {
        json_decref(empty);
        if (unknown) {
            char *why = xasprintf("Unknown tool: %s", name);

            out = rpc_error(id, RPC_INVALID_PARAMS, why, NULL);
            free(why);
            return out;
        }
        return respond(id, "result", json_pack("{s:[{s:s, s:s}], s:b}", "content", "type",
                                               "text", "text", msg, "isError", 1));
    }
    json_decref(empty);
    /* structuredContent plus the same JSON as text for older clients. */
    text = json_dumps(result, JSON_COMPACT | JSON_REAL_PRECISION(10));
    out = respond(id, "result", json_pack("{s:[{s:s, s:s}], s:o, s:b}", "content", "type",
                                          "text", "text", text, "structuredContent", result,
                                          "isError", 0));
    free(text);
    return out;
}

static bool valid_id(const json_t *id)
{
    return json_is_string(id) || json_is_integer(id);
}

static char *dispatch(struct sg_mcp *m, json_t *msg)
{
    json_t *id = json_object_get(msg, "id");
    const char *method = rig_json_str(msg, "method", NULL);
    json_t *params = json_object_get(msg, "params");
    bool notification = id == NULL;

    if (!rig_str_eq(rig_json_str(msg, "jsonrpc", NULL), "2.0") || !method ||
        (id && !valid_id(id)) || (params && !json_is_object(params) && !json_is_array(params))) {
        if (!method && id && (json_object_get(msg, "result") || json_object_get(msg, "error")))
            return NULL; /* a response to a request we never send: ignore */
        return rpc_error(id && valid_id(id) ? id : NULL, RPC_INVALID_REQUEST,
                         "Invalid Request: expected {\"jsonrpc\": \"2.0\", \"method\": "
                         "string, \"id\": string or integer, \"params\"?: object}", NULL);
    }
    if (notification) {
        if (strcmp(method, "notifications/initialized") != 0 &&
            !rig_str_startswith(method, "notifications/"))
            log_debug("mcp: ignoring notification %s", method);
        return NULL;
    }
    if (strcmp(method, "ping") == 0)
        return respond(id, "result", json_object());
    if (strcmp(method, "initialize") == 0)
        return do_initialize(m, id, params);
    if (!m->initialized)
        return rpc_error(id, RPC_INVALID_REQUEST,
                         "server not initialized: send initialize first", NULL);
    if (strcmp(method, "tools/list") == 0) {
        if (json_object_get(params, "cursor"))
            return rpc_error(id, RPC_INVALID_PARAMS, "unknown cursor (the list has one page)",
                             NULL);
        return respond(id, "result", json_deep_copy(m->tools));
    }
    if (strcmp(method, "tools/call") == 0)
        return do_call(m, id, params);
    return rpc_error(id, RPC_NO_METHOD, "Method not found",
                     json_pack("{s:s}", "method", method));
}

char *sg_mcp_handle(struct sg_mcp *m, const char *line, size_t len)
{
    json_error_t je;
    json_t *msg;
    char *out;

    while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    if (!len)
        return NULL;
    msg = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
    if (!msg)
        return rpc_error(NULL, RPC_PARSE, "Parse error",
                         json_pack("{s:s, s:i}", "detail", je.text, "column", je.column));
    if (json_is_array(msg))
        out = rpc_error(NULL, RPC_INVALID_REQUEST,
                        "Invalid Request: JSON-RPC batches are not supported", NULL);
    else if (!json_is_object(msg))
        out = rpc_error(NULL, RPC_INVALID_REQUEST, "Invalid Request: expected an object", NULL);
    else
        out = dispatch(m, msg);
    json_decref(msg);
    return out;
}

static int emit(FILE *out, char *text)
{
    int rc = 0;

    if (!text)
        return 0;
    if (fputs(text, out) == EOF || fputc('\n', out) == EOF || fflush(out) == EOF)
        rc = -1;
    free(text);
    return rc;
}

int sg_mcp_serve(struct sg_mcp *m, FILE *in, FILE *out, struct rig_err *err)
{
    struct rig_buf line;
    bool too_long = false;
    int c;

    rig_buf_init(&line, SG_MCP_LINE_MAX);
    for (;;) {
        c = getc(in);
        if (c == EOF || c == '\n') {
            char *resp = too_long ? rpc_error(NULL, RPC_INVALID_REQUEST,
                                              "Invalid Request: message longer than the "
                                              "4 MiB limit", NULL)
                                  : sg_mcp_handle(m, rig_buf_str(&line), line.len);

            if (emit(out, resp) < 0) {
                rig_buf_release(&line);
                return rig_err_errno(err, errno, "writing to the MCP client");
            }
            rig_buf_reset(&line);
            too_long = false;
            if (c == EOF)
                break;
            continue;
        }
        if (!too_long && rig_buf_addch(&line, (char)c) < 0)
            too_long = true;
    }
    rig_buf_release(&line);
    return 0;
}
