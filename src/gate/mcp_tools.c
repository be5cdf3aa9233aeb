/*
 * The four SpecGate MCP tools: schemas and implementations. Each calls the
 * same library code as its CLI command.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "gate/drift.h"
#include "gate/gen.h"
#include "gate/gen_workflow.h"
#include "gate/mcp.h"
#include "gate/radar.h"
#include "core/banned.h"

#define STR "{\"type\":\"string\"}"
#define STRS "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"
#define BOOL "{\"type\":\"boolean\"}"
#define PCT "{\"type\":\"integer\",\"minimum\":0,\"maximum\":100}"

static const char drift_in[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"rules\"],"
    "\"properties\":{"
    "\"rules\":{\"type\":\"string\",\"description\":\"DesignRuleSpec JSON file\"},"
    "\"semgrep\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
    "\"description\":\"`semgrep --json` result files\"},"
    "\"junit\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
    "\"description\":\"JUnit XML files, directories or globs (ArchUnit)\"},"
    "\"oasdiff\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
    "\"description\":\"`oasdiff breaking -f json` result files\"},"
    "\"weights\":" STR ",\"fail_at\":" PCT ",\"warn_at\":" PCT ",\"gate_only\":" BOOL ","
    "\"max_per_rule\":{\"type\":\"integer\",\"minimum\":0},\"allow_missing\":" BOOL ","
    "\"out\":{\"type\":\"string\",\"description\":\"also write drift-score.json here\"}}}";

static const char drift_out[] =
    "{\"type\":\"object\",\"required\":[\"total_score\",\"raw_total\",\"status\",\"thresholds\","
    "\"areas\",\"violations\",\"unmapped\",\"tool_errors\",\"inputs\"],\"properties\":{"
    "\"total_score\":" PCT ",\"raw_total\":{\"type\":\"number\"},"
    "\"status\":{\"type\":\"string\",\"enum\":[\"PASS\",\"WARN\",\"FAIL\"]},"
    "\"complete\":" BOOL ",\"thresholds\":{\"type\":\"object\"},\"areas\":{\"type\":\"object\"},"
    "\"violations\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},"
    "\"unmapped\":{\"type\":\"array\"},\"tool_errors\":{\"type\":\"array\"},"
    "\"inputs\":{\"type\":\"array\"},\"fix_plan\":{\"type\":\"array\"}}}";

static const char comment_in[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"rules\"],"
    "\"properties\":{"
    "\"score\":{\"type\":\"string\",\"description\":\"drift-score.json file\"},"
    "\"score_json\":{\"type\":\"object\",\"description\":\"the drift_score result itself\"},"
    "\"rules\":" STR ",\"lang\":{\"type\":\"string\",\"enum\":[\"en\",\"ko\"]},"
    "\"repo\":{\"type\":\"string\",\"description\":\"owner/name, for file links\"},"
    "\"sha\":" STR ",\"max_cards\":{\"type\":\"integer\",\"minimum\":1},"
    "\"out\":{\"type\":\"string\",\"description\":\"also write the markdown here\"}}}";

static const char comment_out[] =
    "{\"type\":\"object\",\"required\":[\"markdown\",\"bytes\",\"total_score\",\"status\"],"
    "\"properties\":{\"markdown\":" STR ",\"bytes\":{\"type\":\"integer\"},"
    "\"total_score\":" PCT ",\"status\":" STR "}}";

static const char tests_in[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"rules\"],"
    "\"properties\":{\"rules\":" STR ","
    "\"out_dir\":{\"type\":\"string\",\"description\":\"default .specgate\"},"
    "\"java_package\":{\"type\":\"string\",\"description\":\"default com.example.arch\"},"
    "\"analyze_package\":" STR ",\"force\":" BOOL "}}";

static const char tests_out[] =
    "{\"type\":\"object\",\"required\":[\"out_dir\",\"files\",\"skipped\"],\"properties\":{"
    "\"out_dir\":" STR ",\"files\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
    "\"properties\":{\"path\":" STR ",\"kind\":" STR ",\"rule_ids\":" STRS "}}},"
    "\"skipped\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}},"
    "\"written\":{\"type\":\"integer\"},\"unchanged\":{\"type\":\"integer\"},"
    "\"removed\":{\"type\":\"integer\"}}}";

static const char workflow_in[] =
    "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"rules\"],"
    "\"properties\":{\"rules\":" STR ","
    "\"out\":{\"type\":\"string\",\"description\":\"default "
    ".github/workflows/design-guard.yml\"},"
    "\"tests_dir\":" STR ",\"java_package\":" STR ","
    "\"build_tool\":{\"type\":\"string\",\"enum\":[\"gradle\",\"maven\"]},"
    "\"java_version\":" STR ",\"openapi_spec\":" STR ",\"branches\":" STR ","
    "\"specgate_repo\":" STR ",\"specgate_ref\":" STR ",\"preinstalled\":" BOOL ","
    "\"force\":" BOOL "}}";

static const char workflow_out[] =
    "{\"type\":\"object\",\"required\":[\"path\",\"changed\",\"tools\"],\"properties\":{"
    "\"path\":" STR ",\"changed\":" BOOL ",\"tools\":" STRS ",\"bytes\":{\"type\":\"integer\"}}}";

struct tool_def {
    const char *name, *title, *description, *in, *out;
    bool read_only;
};

static const struct tool_def defs[] = {
    {"tests_generate", "Generate design checks",
     "Turn DesignRuleSpec rules into ArchUnit tests, Semgrep rules and an oasdiff rule map "
     "under out_dir (with a manifest). Returns the files written and the rules skipped.",
     tests_in, tests_out, false},
    {"drift_score", "Score design drift",
     "Score Semgrep, JUnit/ArchUnit and oasdiff results against the rules: a 0-100 Drift "
     "Score (0 = no drift) with per-area scores, the violations, unmapped findings and "
     "tool errors. Status FAIL at fail_at (50), WARN at warn_at (30).",
     drift_in, drift_out, false},
    {"github_comment", "Render the Drift Radar",
     "Render the Drift Radar pull-request comment (markdown, en or ko) from a drift score.",
     comment_in, comment_out, false},
    {"workflow_generate", "Generate the design-guard workflow",
     "Write the GitHub Actions workflow that runs the generated checks, scores them and "
     "comments on the pull request.",
     workflow_in, workflow_out, false},
};

json_t *sg_mcp_tool_list(void)
{
    json_t *list = json_array();

    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
        json_t *in = json_loads(defs[i].in, 0, NULL), *out = json_loads(defs[i].out, 0, NULL);

        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:s, s:o, s:o, s:{s:s, s:b, s:b, s:b}}",
                                        "name", defs[i].name, "title", defs[i].title,
                                        "description", defs[i].description, "inputSchema", in,
                                        "outputSchema", out, "annotations", "title",
                                        defs[i].title, "readOnlyHint", defs[i].read_only,
                                        "destructiveHint", 0, "openWorldHint", 0));
    }
    return list;
}

/* ---- argument helpers: each fills msg and returns -1 on a bad value ----- */

struct call {
    const struct sg_mcp *m;
    const json_t *args;
    char *msg;
    size_t msgsz;
    char **owned; /* resolved paths, freed after the call */
    size_t nowned;
};

static int bad(struct call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct call *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->msg, c->msgsz, fmt, ap);
    va_end(ap);
    return -1;
}

/* Reject arguments the schema does not list (additionalProperties false). */
static int check_keys(struct call *c, const char *schema)
{
    json_t *s = json_loads(schema, 0, NULL);
    json_t *props = json_object_get(s, "properties"), *v;
    const char *key;
    int rc = 0;

    json_object_foreach((json_t *)c->args, key, v) {
        if (!json_object_get(props, key)) {
            rc = bad(c, "unknown argument \"%s\"", key);
            break;
        }
    }
    json_decref(s);
    return rc;
}

static char *keep(struct call *c, char *p)
{
    c->owned = xreallocarray(c->owned, c->nowned + 1, sizeof(*c->owned));
    c->owned[c->nowned++] = p;
    return p;
}

/* A path argument, resolved under the server root. */
static int path_arg(struct call *c, const char *key, bool required, const char *fallback,
                    const char **rel, const char **abs)
{
    json_t *v = json_object_get(c->args, key);
    struct rig_err err = RIG_ERR_INIT;
    char *out = NULL;
    const char *s;

    if (!v && !fallback) {
        *rel = *abs = NULL;
        return required ? bad(c, "missing required argument \"%s\"", key) : 0;
    }
    if (v && (!json_is_string(v) || !*json_string_value(v)))
        return bad(c, "\"%s\" must be a non-empty string (a path relative to %s)", key,
                   c->m->root);
    s = v ? json_string_value(v) : fallback;
    if (rig_path_join_under(c->m->root, s, strlen(s), &out, &err) < 0)
        return bad(c, "\"%s\": %s (paths must stay under %s)", key, err.msg, c->m->root);
    *rel = s;
    *abs = keep(c, out);
    return 0;
}

static int paths_arg(struct call *c, const char *key, const char *const **out, size_t *n)
{
    json_t *v = json_object_get(c->args, key), *x;
    const char **arr;
    size_t i;

    *out = NULL;
    *n = 0;
    if (!v)
        return 0;
    if (!json_is_array(v))
        return bad(c, "\"%s\" must be an array of paths", key);
    arr = (const char **)keep(c, xcalloc(json_array_size(v) + 1, sizeof(char *)));
    *out = arr;
    json_array_foreach(v, i, x) {
        struct rig_err err = RIG_ERR_INIT;
        char *p = NULL;

        if (!json_is_string(x) || !*json_string_value(x))
            return bad(c, "\"%s\"[%zu] must be a non-empty string", key, i);
        if (rig_path_join_under(c->m->root, json_string_value(x), strlen(json_string_value(x)),
                                &p, &err) < 0)
            return bad(c, "\"%s\"[%zu]: %s (paths must stay under %s)", key, i, err.msg,
                       c->m->root);
        arr[(*n)++] = keep(c, p);
    }
    return 0;
}

static int str_arg(struct call *c, const char *key, const char **out)
{
    json_t *v = json_object_get(c->args, key);

    if (v && !json_is_string(v))
        return bad(c, "\"%s\" must be a string", key);
    if (v)
        *out = json_string_value(v);
    return 0;
}

static int bool_arg(struct call *c, const char *key, bool *out)
{
    json_t *v = json_object_get(c->args, key);

    if (v && !json_is_boolean(v))
        return bad(c, "\"%s\" must be true or false", key);
    if (v)
        *out = json_is_true(v);
    return 0;
}

static int int_arg(struct call *c, const char *key, long long min, long long max, int *out)
{
    json_t *v = json_object_get(c->args, key);

    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return bad(c, "\"%s\" must be an integer %lld..%lld", key, min, max);
    *out = (int)json_integer_value(v);
    return 0;
}

static void errs_to_msg(struct call *c, const char *what, struct rig_errlist *errs)
{
    struct rig_buf b;
    char one[RIG_ERR_MSG_MAX + RIG_ERR_FILE_MAX + 32];

    rig_buf_init(&b, c->msgsz - 1);
    rig_buf_addf(&b, "%s:", what);
    rig_errlist_sort(errs);
    for (size_t i = 0; i < errs->len; i++) {
        if (sg_err_is_warning(&errs->items[i]))
            continue;
        if (rig_buf_addf(&b, " %s;", rig_err_format(&errs->items[i], one, sizeof(one))) < 0)
            break;
    }
    rig_strlcpy(c->msg, rig_buf_str(&b), c->msgsz);
    rig_buf_release(&b);
}

/* ---- tools ------------------------------------------------------------- */

static int tool_drift_score(struct call *c, json_t **result)
{
    struct sg_drift_request req;
    struct rig_err err = RIG_ERR_INIT;
    const char *rel, *out = NULL, *out_rel;
    int max_per_rule = 0;
    char fm[RIG_ERR_MSG_MAX + RIG_ERR_FILE_MAX + 32];

    sg_drift_request_init(&req);
    req.input.base_dir = c->m->root;
    if (path_arg(c, "rules", true, NULL, &rel, &req.rules_path) < 0 ||
        paths_arg(c, "semgrep", &req.semgrep, &req.nsemgrep) < 0 ||
        paths_arg(c, "junit", &req.junit, &req.njunit) < 0 ||
        paths_arg(c, "oasdiff", &req.oasdiff, &req.noasdiff) < 0 ||
        path_arg(c, "weights", false, NULL, &rel, &req.weights_path) < 0 ||
        path_arg(c, "out", false, NULL, &out_rel, &out) < 0 ||
        int_arg(c, "fail_at", 0, 100, &req.opts.fail_at) < 0 ||
        int_arg(c, "warn_at", 0, 100, &req.opts.warn_at) < 0 ||
        int_arg(c, "max_per_rule", 0, 1000000, &max_per_rule) < 0 ||
        bool_arg(c, "gate_only", &req.opts.gate_only) < 0 ||
        bool_arg(c, "allow_missing", &req.allow_missing) < 0)
        return -1;
    req.opts.max_per_rule = (size_t)max_per_rule;
    if (!req.nsemgrep && !req.njunit && !req.noasdiff)
        return bad(c, "give at least one result file in \"semgrep\", \"junit\" or \"oasdiff\"; "
                      "with none the score would be a blind PASS");
    if (req.opts.warn_at > req.opts.fail_at)
        return bad(c, "warn_at (%d) must not exceed fail_at (%d)", req.opts.warn_at,
                   req.opts.fail_at);
    if (sg_drift_run(&req, result, &err) < 0)
        return bad(c, "%s", rig_err_format(&err, fm, sizeof(fm)));
    if (out && rig_json_write_file(out, *result, true, &err) < 0) {
        json_decref(*result);
        *result = NULL;
        return bad(c, "%s", rig_err_format(&err, fm, sizeof(fm)));
    }
    return 0;
}

static int tool_github_comment(struct call *c, json_t **result)
{
    struct sg_radar_opts o;
    struct sg_ruleset rules;
    struct rig_err err = RIG_ERR_INIT;
    const char *score_path = NULL, *rules_path = NULL, *out = NULL, *rel, *lang = NULL;
    json_t *score = NULL, *inline_score = json_object_get(c->args, "score_json");
    char *md = NULL;
    char fm[RIG_ERR_MSG_MAX + RIG_ERR_FILE_MAX + 32];
    int max_cards = 0, rc = -1;

    sg_radar_opts_init(&o);
    memset(&rules, 0, sizeof(rules));
    if (path_arg(c, "score", false, NULL, &rel, &score_path) < 0 ||
        path_arg(c, "rules", true, NULL, &rel, &rules_path) < 0 ||
        path_arg(c, "out", false, NULL, &rel, &out) < 0 || str_arg(c, "lang", &lang) < 0 ||
        str_arg(c, "repo", &o.repo) < 0 || str_arg(c, "sha", &o.sha) < 0 ||
        int_arg(c, "max_cards", 1, 100000, &max_cards) < 0)
        return -1;
    o.max_cards = (size_t)max_cards;
    if (lang && sg_lang_parse(lang, &o.lang) < 0)
        return bad(c, "\"lang\" must be \"en\" or \"ko\"");
    if (!score_path == !inline_score)
        return bad(c, "give exactly one of \"score\" (a drift-score.json path) and "
                      "\"score_json\" (the drift_score result)");
    if (inline_score && !json_is_object(inline_score))
        return bad(c, "\"score_json\" must be an object");
    score = inline_score ? json_incref(inline_score)
                         : rig_json_load_file(score_path, 64u << 20, &err);
    if (!score || sg_rules_load(rules_path, &rules, &err) < 0 ||
        sg_radar_render(score, score_path ? score_path : "score_json", &rules, &o, &md,
                        &err) < 0 ||
        (out && rig_write_file(out, md, strlen(md), 0644, &err) < 0)) {
        bad(c, "%s", rig_err_format(&err, fm, sizeof(fm)));
        goto out;
    }
    *result = json_pack("{s:s, s:I, s:O, s:O}", "markdown", md, "bytes", (json_int_t)strlen(md),
                        "total_score", json_object_get(score, "total_score"), "status",
                        json_object_get(score, "status"));
    rc = 0;
out:
    free(md);
    json_decref(score);
    sg_ruleset_release(&rules);
    return rc;
}

static int tool_tests_generate(struct call *c, json_t **result)
{
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_ruleset set;
    struct sg_gen_result res = {NULL, 0, NULL, 0};
    struct sg_gen_stats st = {0, 0, 0};
    struct sg_gen_opts go;
    const char *rules_rel, *rules_abs, *out_rel, *out_abs, *pkg = "com.example.arch";
    const char *analyze = NULL;
    char *analyze_own = NULL;
    bool force = false, failed;
    json_t *files, *skipped;
    int rc = -1;

    memset(&set, 0, sizeof(set));
    if (path_arg(c, "rules", true, NULL, &rules_rel, &rules_abs) < 0 ||
        path_arg(c, "out_dir", false, ".specgate", &out_rel, &out_abs) < 0 ||
        str_arg(c, "java_package", &pkg) < 0 || str_arg(c, "analyze_package", &analyze) < 0 ||
        bool_arg(c, "force", &force) < 0)
        return -1;
    if (!analyze) {
        const char *dot = strrchr(pkg, '.');

        analyze = analyze_own = dot ? xstrndup(pkg, (size_t)(dot - pkg)) : xstrdup(pkg);
    }
    if (sg_ruleset_load_file(rules_abs, &set, &errs) < 0) {
        errs_to_msg(c, "invalid rules file", &errs);
        goto out;
    }
    go.rules_path = rules_rel;
    go.java_package = pkg;
    go.analyze_package = analyze;
    failed = sg_gen_archunit(&set, &go, &res, &errs) < 0;
    failed |= sg_gen_semgrep(&set, &go, &res, &errs) < 0;
    failed |= sg_gen_openapi(&set, &go, &res, &errs) < 0;
    if (failed) {
        errs_to_msg(c, "generation failed", &errs);
        goto out;
    }
    sg_gen_manifest(&set, &go, &res);
    if (sg_gen_write(out_abs, &res, force, &st, &errs) < 0) {
        errs_to_msg(c, "nothing written", &errs);
        goto out;
    }
    files = json_array();
    skipped = json_array();
    for (size_t i = 0; i < res.nfiles; i++) {
        json_t *ids = json_array();

        for (char **p = res.files[i].rule_ids; p && *p; p++)
            json_array_append_new(ids, json_string(*p));
        json_array_append_new(files, json_pack("{s:s, s:s, s:o}", "path", res.files[i].path,
                                               "kind", sg_gen_kind_name(res.files[i].kind),
                                               "rule_ids", ids));
    }
    for (size_t i = 0; i < res.nskips; i++)
        json_array_append_new(skipped, json_pack("{s:s, s:s, s:s}", "rule_id",
                                                 res.skips[i].rule_id, "kind",
                                                 sg_gen_kind_name(res.skips[i].kind), "reason",
                                                 res.skips[i].reason));
    *result = json_pack("{s:s, s:o, s:o, s:I, s:I, s:I}", "out_dir", out_rel, "files", files,
                        "skipped", skipped, "written", (json_int_t)st.written, "unchanged",
                        (json_int_t)st.unchanged, "removed", (json_int_t)st.removed);
    rc = 0;
out:
    free(analyze_own);
    sg_gen_result_release(&res);
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
    return rc;
}

static int tool_workflow_generate(struct call *c, json_t **result)
{
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct sg_workflow_opts o;
    struct sg_ruleset set;
    const char *rules_abs, *out_abs, *build = NULL, *tools[3];
    char *text = NULL;
    bool force = false, changed = false;
    json_t *tl;
    size_t nt;
    int rc = -1;

    memset(&set, 0, sizeof(set));
    sg_workflow_opts_init(&o);
    if (path_arg(c, "rules", true, NULL, &o.rules_path, &rules_abs) < 0 ||
        path_arg(c, "out", false, SG_WORKFLOW_OUT_DEFAULT, &o.out_path,
                 &out_abs) < 0 ||
        str_arg(c, "tests_dir", &o.tests_dir) < 0 ||
        str_arg(c, "java_package", &o.java_package) < 0 ||
        str_arg(c, "build_tool", &build) < 0 || str_arg(c, "java_version", &o.java_version) < 0 ||
        str_arg(c, "openapi_spec", &o.openapi_spec) < 0 ||
        str_arg(c, "branches", &o.branches) < 0 ||
        str_arg(c, "specgate_repo", &o.specgate_repo) < 0 ||
        str_arg(c, "specgate_ref", &o.specgate_ref) < 0 ||
        bool_arg(c, "preinstalled", &o.preinstalled) < 0 || bool_arg(c, "force", &force) < 0)
        return -1;
    if (build && strcmp(build, "gradle") != 0 && strcmp(build, "maven") != 0)
        return bad(c, "\"build_tool\" must be \"gradle\" or \"maven\"");
    if (build && strcmp(build, "maven") == 0)
        o.build_tool = SG_BUILD_MAVEN;
    if (sg_ruleset_load_file(rules_abs, &set, &errs) < 0) {
        errs_to_msg(c, "invalid rules file", &errs);
        goto out;
    }
    if (sg_gen_workflow(&set, &o, &text, &errs) < 0) {
        errs_to_msg(c, "workflow not generated", &errs);
        goto out;
    }
    if (sg_gen_write_checksummed(out_abs, text, force, &changed, &errs) < 0) {
        errs_to_msg(c, "workflow not written", &errs);
        goto out;
    }
    tl = json_array();
    nt = sg_workflow_tools(&set, tools);
    for (size_t i = 0; i < nt; i++)
        json_array_append_new(tl, json_string(tools[i]));
    *result = json_pack("{s:s, s:b, s:o, s:I}", "path", o.out_path, "changed", changed, "tools",
                        tl, "bytes", (json_int_t)strlen(text));
    rc = 0;
out:
    free(text);
    sg_ruleset_release(&set);
    rig_errlist_release(&errs);
    return rc;
}

int sg_mcp_tool_call(const struct sg_mcp *m, const char *name, const json_t *args,
                     json_t **result, char *msg, size_t msgsz, bool *unknown)
{
    static int (*const impl[])(struct call *, json_t **) = {
        tool_tests_generate, tool_drift_score, tool_github_comment, tool_workflow_generate};
    struct call c = {m, args, msg, msgsz, NULL, 0};
    int rc = -1;

    *result = NULL;
    *unknown = false;
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
        if (strcmp(defs[i].name, name) != 0)
            continue;
        rc = check_keys(&c, defs[i].in) < 0 ? -1 : impl[i](&c, result);
        for (size_t k = 0; k < c.nowned; k++)
            free(c.owned[k]);
        free(c.owned);
        return rc;
    }
    *unknown = true;
    return -1;
}
