/*
 * One scoring run: rules + result files -> drift-score JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "gate/drift.h"
#include "core/banned.h"

void sg_drift_request_init(struct sg_drift_request *r)
{
    memset(r, 0, sizeof(*r));
    sg_drift_opts_init(&r->opts);
}

int sg_rules_load(const char *path, struct sg_ruleset *set, struct rig_err *err)
{
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct rig_buf b;
    char one[RIG_ERR_MSG_MAX + RIG_ERR_FILE_MAX + 64];
    int rc;

    memset(set, 0, sizeof(*set));
    rc = sg_ruleset_load_file(path, set, &errs);
    if (rc == 0) {
        for (size_t i = 0; i < errs.len; i++)
            log_warn("%s", rig_err_format(&errs.items[i], one, sizeof(one)));
        rig_errlist_release(&errs);
        return 0;
    }
    rig_buf_init(&b, RIG_ERR_MSG_MAX - 1);
    rig_errlist_sort(&errs);
    for (size_t i = 0, shown = 0; i < errs.len; i++) {
        if (sg_err_is_warning(&errs.items[i]))
            continue;
        if (shown == 5) {
            rig_buf_adds(&b, "; and more");
            break;
        }
        rig_err_format(&errs.items[i], one, sizeof(one));
        if (rig_buf_addf(&b, "%s%s", shown++ ? "; " : "", one) < 0)
            break;
    }
    if (!errs.len)
        rig_buf_addf(&b, "%s: the rules file could not be loaded", path);
    rig_err_set(err, RIG_ECONFIG, "invalid rules file: %s (run `specgate spec validate %s` for "
                                  "the full list)", rig_buf_str(&b), path);
    rig_buf_release(&b);
    rig_errlist_release(&errs);
    sg_ruleset_release(set);
    return -1;
}

static int load_junit(const struct sg_drift_request *req, const struct sg_ruleset *rules,
                      struct sg_findings *f, struct rig_err *err)
{
    for (size_t i = 0; i < req->njunit; i++) {
        char **paths = NULL;
        size_t n = 0;
        int got = sg_junit_expand(req->junit[i], &paths, &n, err);
        bool failed = got < 0;

        if (got == 0 && !req->allow_missing) {
            rig_err_set(err, RIG_ENOTFOUND, "--junit %s matched no report file; did the "
                                            "ArchUnit tests run? (pass --allow-missing when "
                                            "an absent report is expected)", req->junit[i]);
            failed = true;
        }
        for (size_t k = 0; k < n && !failed; k++)
            failed = sg_input_load_file(SG_TOOL_ARCHUNIT, paths[k], rules, &req->input, f,
                                        err) < 0;
        for (size_t k = 0; k < n; k++)
            free(paths[k]);
        free(paths);
        if (failed)
            return -1;
    }
    return 0;
}

int sg_drift_run(const struct sg_drift_request *req, json_t **result, struct rig_err *err)
{
    struct sg_ruleset rules;
    struct sg_findings f = SG_FINDINGS_INIT;
    struct sg_drift d;
    struct sg_drift_opts opts = req->opts;
    json_t *w = NULL;
    int rc = -1;

    *result = NULL;
    memset(&d, 0, sizeof(d));
    if (!req->rules_path)
        return rig_err_set(err, RIG_EINVAL, "no rules file given (--rules)");
    if (sg_rules_load(req->rules_path, &rules, err) < 0)
        return -1;
    if (req->weights_path) {
        char *text = NULL;
        size_t len = 0;

        if (sg_read_input(req->weights_path, 1 << 20, &text, &len, err) < 0)
            goto out;
        w = rig_json_loadb(text, len, req->weights_path, err);
        free(text);
        if (!w || sg_drift_weights_apply(w, req->weights_path, &opts, err) < 0)
            goto out;
    }
    for (size_t i = 0; i < req->nsemgrep; i++) {
        if (sg_input_load_file(SG_TOOL_SEMGREP, req->semgrep[i], &rules, &req->input, &f,
                               err) < 0)
            goto out;
    }
    if (load_junit(req, &rules, &f, err) < 0)
        goto out;
    for (size_t i = 0; i < req->noasdiff; i++) {
        if (sg_input_load_file(SG_TOOL_OASDIFF, req->oasdiff[i], &rules, &req->input, &f,
                               err) < 0)
            goto out;
    }
    if (sg_drift_compute(&rules, &f, &opts, &d, err) < 0)
        goto out;
    *result = sg_drift_to_json(&d, &f, &opts, req->rules_path);
    rc = 0;
out:
    json_decref(w);
    sg_drift_release(&d);
    sg_findings_release(&f);
    sg_ruleset_release(&rules);
    return rc;
}
