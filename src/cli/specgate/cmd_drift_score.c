/*
 * specgate drift score: check results -> drift-score.json (and the gate).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/specgate/sgcli.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "gate/drift.h"
#include "gate/radar.h"
#include "gate/sarif.h"
#include "core/banned.h"

static const char usage[] =
    "usage: specgate drift score --rules FILE [--semgrep FILE]... [--junit GLOB]...\n"
    "                            [--oasdiff FILE]... [--out FILE] [--fail-at N] [--warn-at N]\n"
    "                            [--weights FILE] [--check] [options]\n"
    "\n"
    "Scores the check results against the design rules: 0 (no drift) .. 100.\n"
    "\n"
    "  --rules FILE         DesignRuleSpec JSON (required)\n"
    "  --semgrep FILE       `semgrep --json` output (repeatable)\n"
    "  --junit GLOB         JUnit XML from the ArchUnit tests: a file, a directory (its\n"
    "                       TEST-*.xml) or a glob such as 'build/test-results/**/*.xml'\n"
    "  --oasdiff FILE       `oasdiff breaking -f json` output (repeatable)\n"
    "  --out FILE           write drift-score.json there (default: standard output)\n"
    "  --fail-at N          FAIL at or above N (default 50)\n"
    "  --warn-at N          WARN at or above N (default 30)\n"
    "  --weights FILE       {\"area_weights\": {...}, \"violation_points\": {...}} overrides\n"
    "  --gate-only          do not score rules below their reliability gate_threshold\n"
    "  --max-per-rule N     score at most N violations per rule\n"
    "  --source-root DIR    where Java sources live, to locate ArchUnit findings\n"
    "                       (repeatable; default src/main/java and src/test/java)\n"
    "  --allow-missing      a --junit pattern that matches nothing is not an error\n"
    "  --allow-tool-errors  with --check, do not fail when a check reported it could not run\n"
    "  --check              exit 1 when the status is FAIL\n"
    "  --comment FILE       also write the Drift Radar markdown (as 'github comment' does)\n"
    "  --lang en|ko         language of --comment (default en)\n"
    "  --repo OWNER/NAME    with --sha: link --comment's findings to the code\n"
    "  --sha SHA\n"
    "  --sarif FILE         also write the violations as SARIF 2.1.0\n"
    "\n"
    "Exit status: 0 scored (and passed the gate with --check), 1 FAIL with --check,\n"
    "2 bad usage, unreadable or malformed input, or (with --check) a check that did not run.\n";

enum {
    OPT_RULES = 256, OPT_SEMGREP, OPT_JUNIT, OPT_OASDIFF, OPT_OUT, OPT_FAIL, OPT_WARN,
    OPT_WEIGHTS, OPT_GATE_ONLY, OPT_MAX_PER_RULE, OPT_ROOT, OPT_ALLOW_MISSING,
    OPT_ALLOW_TOOL_ERR, OPT_CHECK, OPT_COMMENT, OPT_LANG, OPT_REPO, OPT_SHA, OPT_SARIF,
};

struct extras {
    const char *comment;
    const char *sarif;
    const char *repo;
    const char *sha;
    enum sg_lang lang;
};

/* The radar and SARIF from the same result, so one command gives the score,
 * the comment and the gate. */
static int write_extras(const json_t *res, const char *rules_path, const struct extras *x,
                        struct rig_err *err)
{
    struct sg_ruleset rules;
    struct sg_radar_opts ro;
    char *md = NULL, *text = NULL;
    json_t *sarif = NULL;
    size_t unlocated = 0;
    int rc = -1;

    memset(&rules, 0, sizeof(rules));
    if (!x->comment && !x->sarif)
        return 0;
    if (sg_rules_load(rules_path, &rules, err) < 0)
        return -1;
    if (x->comment) {
        sg_radar_opts_init(&ro);
        ro.lang = x->lang;
        ro.repo = x->repo;
        ro.sha = x->sha;
        if (sg_radar_render(res, "drift score", &rules, &ro, &md, err) < 0 ||
            rig_write_file(x->comment, md, strlen(md), 0644, err) < 0)
            goto out;
    }
    if (x->sarif) {
        if (sg_sarif_from_score(res, "drift score", &rules, &sarif, &unlocated, err) < 0)
            goto out;
        text = rig_json_dump(sarif, true);
        if (rig_write_file(x->sarif, text, strlen(text), 0644, err) < 0)
            goto out;
    }
    rc = 0;
out:
    free(md);
    free(text);
    json_decref(sarif);
    sg_ruleset_release(&rules);
    return rc;
}

static const struct option longopts[] = {
    {"rules", required_argument, NULL, OPT_RULES},
    {"semgrep", required_argument, NULL, OPT_SEMGREP},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"oasdiff", required_argument, NULL, OPT_OASDIFF},
    {"out", required_argument, NULL, OPT_OUT},
    {"fail-at", required_argument, NULL, OPT_FAIL},
    {"warn-at", required_argument, NULL, OPT_WARN},
    {"weights", required_argument, NULL, OPT_WEIGHTS},
    {"gate-only", no_argument, NULL, OPT_GATE_ONLY},
    {"max-per-rule", required_argument, NULL, OPT_MAX_PER_RULE},
    {"source-root", required_argument, NULL, OPT_ROOT},
    {"allow-missing", no_argument, NULL, OPT_ALLOW_MISSING},
    {"allow-tool-errors", no_argument, NULL, OPT_ALLOW_TOOL_ERR},
    {"check", no_argument, NULL, OPT_CHECK},
    {"comment", required_argument, NULL, OPT_COMMENT},
    {"lang", required_argument, NULL, OPT_LANG},
    {"repo", required_argument, NULL, OPT_REPO},
    {"sha", required_argument, NULL, OPT_SHA},
    {"sarif", required_argument, NULL, OPT_SARIF},
    {NULL, 0, NULL, 0},
};

struct strvec {
    const char **v;
    size_t n;
};

static void push(struct strvec *s, const char *x)
{
    s->v = xreallocarray(s->v, s->n + 2, sizeof(*s->v));
    s->v[s->n++] = x;
    s->v[s->n] = NULL;
}

static int parse_int(const char *opt, const char *arg, long long max, int *out)
{
    long long v;

    if (rig_str_to_ll(arg, 0, max, &v) < 0) {
        sg_usage_error("drift score", "%s wants a whole number 0..%lld, got '%s'", opt, max,
                       arg);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static void print_summary(const json_t *res)
{
    const char *status = rig_json_str(res, "status", "?");
    json_t *th = json_object_get(res, "thresholds");
    json_t *errs = json_object_get(res, "tool_errors");
    json_t *unm = json_object_get(res, "unmapped");

    fprintf(stderr, "specgate: Drift Score %lld/100 %s (fail at %lld, warn at %lld); %lld "
                    "violations scored, %zu unmapped findings, %zu tool errors\n",
            rig_json_int(res, "total_score", 0), status, rig_json_int(th, "fail", 0),
            rig_json_int(th, "warn", 0), rig_json_int(res, "scored_violations", 0),
            json_array_size(unm), json_array_size(errs));
    if (strcmp(status, "WARN") == 0 && rig_str_eq(getenv("GITHUB_ACTIONS"), "true"))
        printf("::warning title=Drift Score::Drift Score %lld/100: design violations found, "
               "fixing them is recommended\n", rig_json_int(res, "total_score", 0));
}

int sg_cmd_drift_score(int argc, char **argv)
{
    struct sg_drift_request req;
    struct strvec semgrep = {0}, junit = {0}, oasdiff = {0}, roots = {0};
    struct rig_err err = RIG_ERR_INIT;
    const char *out = NULL;
    bool check = false, allow_tool_errors = false;
    struct extras extra = {0};
    json_t *res = NULL;
    char *text = NULL;
    int c, n, rc = 2;

    if (sg_wants_help(argc, argv, usage))
        return 0;
    sg_drift_request_init(&req);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_RULES: req.rules_path = optarg; break;
        case OPT_SEMGREP: push(&semgrep, optarg); break;
        case OPT_JUNIT: push(&junit, optarg); break;
        case OPT_OASDIFF: push(&oasdiff, optarg); break;
        case OPT_OUT: out = optarg; break;
        case OPT_FAIL:
            if (parse_int("--fail-at", optarg, 100, &req.opts.fail_at) < 0)
                goto out;
            break;
        case OPT_WARN:
            if (parse_int("--warn-at", optarg, 100, &req.opts.warn_at) < 0)
                goto out;
            break;
        case OPT_WEIGHTS: req.weights_path = optarg; break;
        case OPT_GATE_ONLY: req.opts.gate_only = true; break;
        case OPT_MAX_PER_RULE:
            if (parse_int("--max-per-rule", optarg, 1000000, &n) < 0)
                goto out;
            req.opts.max_per_rule = (size_t)n;
            break;
        case OPT_ROOT: push(&roots, optarg); break;
        case OPT_ALLOW_MISSING: req.allow_missing = true; break;
        case OPT_ALLOW_TOOL_ERR: allow_tool_errors = true; break;
        case OPT_CHECK: check = true; break;
        case OPT_COMMENT: extra.comment = optarg; break;
        case OPT_SARIF: extra.sarif = optarg; break;
        case OPT_REPO: extra.repo = optarg; break;
        case OPT_SHA: extra.sha = optarg; break;
        case OPT_LANG:
            if (sg_lang_parse(optarg, &extra.lang) < 0) {
                sg_usage_error("drift score", "--lang must be en or ko, not '%s'", optarg);
                goto out;
            }
            break;
        default:
            sg_option_error("drift score", c, argv, longopts);
            goto out;
        }
    }
    if (optind < argc) {
        sg_usage_error("drift score", "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    if (!req.rules_path) {
        sg_usage_error("drift score", "missing --rules FILE");
        goto out;
    }
    if (!semgrep.n && !junit.n && !oasdiff.n) {
        sg_usage_error("drift score", "give at least one result file (--semgrep, --junit or "
                                      "--oasdiff); with none the score would be a blind PASS");
        goto out;
    }
    if (req.opts.warn_at > req.opts.fail_at) {
        sg_usage_error("drift score", "--warn-at (%d) must not exceed --fail-at (%d)",
                       req.opts.warn_at, req.opts.fail_at);
        goto out;
    }
    req.semgrep = semgrep.v;
    req.nsemgrep = semgrep.n;
    req.junit = junit.v;
    req.njunit = junit.n;
    req.oasdiff = oasdiff.v;
    req.noasdiff = oasdiff.n;
    req.input.source_roots = roots.n ? roots.v : NULL;
    if (sg_drift_run(&req, &res, &err) < 0) {
        char msg[RIG_ERR_MSG_MAX + RIG_ERR_FILE_MAX + 32];

        fprintf(stderr, "specgate drift score: %s\n", rig_err_format(&err, msg, sizeof(msg)));
        goto out;
    }
    text = json_dumps(res, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    if (out) {
        char *line = xasprintf("%s\n", text);
        int wrc = rig_write_file(out, line, strlen(line), 0644, &err);

        free(line);
        if (wrc < 0) {
            fprintf(stderr, "specgate drift score: %s\n", err.msg);
            goto out;
        }
    } else {
        printf("%s\n", text);
    }
    print_summary(res);
    if (write_extras(res, req.rules_path, &extra, &err) < 0) {
        fprintf(stderr, "specgate drift score: %s\n", err.msg);
        goto out;
    }
    rc = 0;
    if (check && !rig_json_bool(res, "complete", true) && !allow_tool_errors) {
        fprintf(stderr, "specgate drift score: a check reported that it could not run (see "
                        "tool_errors); the score is incomplete, so the gate cannot pass\n");
        rc = 2;
    } else if (check && strcmp(rig_json_str(res, "status", ""), "FAIL") == 0) {
        rc = 1;
    }
out:
    free(text);
    json_decref(res);
    free(semgrep.v);
    free(junit.v);
    free(oasdiff.v);
    free(roots.v);
    return rc;
}
