/*
 * `semgrep --json` output -> findings (see docs/specgate.md, "Inputs").
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/str.h"
#include "gate/inputs.h"
#include "core/banned.h"

/* check_id ends with id on a dot boundary ("a.b.<id>" or "<id>"). */
static bool id_suffix_match(const char *check_id, const char *id)
{
    size_t n = strlen(check_id), m = strlen(id);

    if (!m || m > n || strcmp(check_id + n - m, id) != 0)
        return false;
    return n == m || check_id[n - m - 1] == '.';
}

/* Also accept the generator's per-pattern split "<id>-<n>". */
static bool check_id_matches(const char *check_id, const char *id)
{
    size_t n = strlen(check_id);
    size_t d = n;
    char *base;
    bool ok;

    if (id_suffix_match(check_id, id))
        return true;
    while (d > 0 && isdigit((unsigned char)check_id[d - 1]))
        d--;
    if (d == n || d < 2 || check_id[d - 1] != '-')
        return false;
    base = xstrndup(check_id, d - 1);
    ok = id_suffix_match(base, id);
    free(base);
    return ok;
}

static const struct sg_rule *map_check_id(const struct sg_ruleset *rules, const char *check_id)
{
    for (size_t i = 0; rules && i < rules->n; i++) {
        const char *sid = sg_rule_str(&rules->rules[i], "ci_info.semgrep_rule.rule_id");

        if (sid && check_id_matches(check_id, sid))
            return &rules->rules[i];
    }
    for (size_t i = 0; rules && i < rules->n; i++) {
        if (rules->rules[i].id && check_id_matches(check_id, rules->rules[i].id))
            return &rules->rules[i];
    }
    return NULL;
}

static int bad_field(struct rig_err *err, const char *name, const char *where, size_t idx,
                     const char *field, const char *want, const json_t *got)
{
    return rig_err_set(err, RIG_EINVAL,
                       "%s: %s[%zu].%s: expected %s, got %s; is this `semgrep --json` output?",
                       name, where, idx, field, want, got ? rig_json_type_name(got) : "nothing");
}

static int read_result(const char *name, size_t i, json_t *res, const struct sg_ruleset *rules,
                       struct sg_findings *out, struct rig_err *err)
{
    json_t *check_id, *path, *start, *line, *extra, *msg = NULL, *meta = NULL, *claimed = NULL;
    const struct sg_rule *rule = NULL;
    const char *claimed_id = NULL;

    if (!json_is_object(res))
        return bad_field(err, name, "results", i, "", "an object", res);
    check_id = json_object_get(res, "check_id");
    if (!json_is_string(check_id))
        return bad_field(err, name, "results", i, "check_id", "a string", check_id);
    path = json_object_get(res, "path");
    if (!json_is_string(path))
        return bad_field(err, name, "results", i, "path", "a string", path);
    start = json_object_get(res, "start");
    if (!json_is_object(start))
        return bad_field(err, name, "results", i, "start", "an object", start);
    line = json_object_get(start, "line");
    if (!json_is_integer(line) || json_integer_value(line) < 0 ||
        json_integer_value(line) > 100000000)
        return bad_field(err, name, "results", i, "start.line", "a line number", line);
    extra = json_object_get(res, "extra");
    if (extra && !json_is_object(extra))
        return bad_field(err, name, "results", i, "extra", "an object", extra);
    if (extra) {
        msg = json_object_get(extra, "message");
        if (msg && !json_is_string(msg))
            return bad_field(err, name, "results", i, "extra.message", "a string", msg);
        meta = json_object_get(extra, "metadata");
        if (meta && !json_is_object(meta))
            return bad_field(err, name, "results", i, "extra.metadata", "an object", meta);
        claimed = meta ? json_object_get(meta, "specgate_rule_id") : NULL;
        if (claimed && !json_is_string(claimed))
            return bad_field(err, name, "results", i, "extra.metadata.specgate_rule_id",
                             "a string", claimed);
    }
    if (claimed) {
        claimed_id = json_string_value(claimed);
        rule = sg_rules_by_id(rules, claimed_id);
    } else {
        rule = map_check_id(rules, json_string_value(check_id));
    }
    sg_findings_add(out, SG_TOOL_SEMGREP, rule ? rule->id : NULL, json_string_value(check_id),
                    json_string_value(path), (int)json_integer_value(line),
                    msg ? json_string_value(msg) : NULL, name);
    if (!rule && claimed_id)
        sg_findings_set_unknown_rule(out, claimed_id);
    return 0;
}

/* errors[].type is a string or ["Name", payload]. */
static const char *error_type(const json_t *t)
{
    if (json_is_string(t))
        return json_string_value(t);
    if (json_is_array(t) && json_is_string(json_array_get(t, 0)))
        return json_string_value(json_array_get(t, 0));
    return "unknown";
}

static int read_error(const char *name, size_t i, json_t *e, struct sg_findings *out,
                      struct rig_err *err)
{
    const char *level, *msg, *path, *rule_id;
    char *text;
    bool fatal;

    if (!json_is_object(e))
        return bad_field(err, name, "errors", i, "", "an object", e);
    level = rig_json_str(e, "level", "error");
    msg = rig_json_str(e, "message", NULL);
    if (!msg)
        msg = rig_json_str(e, "long_msg", NULL);
    if (!msg)
        msg = rig_json_str(e, "short_msg", "(no message)");
    path = rig_json_str(e, "path", NULL);
    rule_id = rig_json_str(e, "rule_id", NULL);
    /* Per-file problems ("warn": a file that did not parse, a timeout) leave the
     * rest of the scan valid; an "error" level means the configuration failed
     * and nothing was checked. */
    fatal = strcmp(level, "error") == 0;
    text = rule_id ? xasprintf("%s (rule %s)", msg, rule_id) : xstrdup(msg);
    sg_findings_add_error(out, SG_TOOL_SEMGREP, fatal, level, error_type(json_object_get(e, "type")),
                          text, path, name);
    free(text);
    return 0;
}

int sg_semgrep_parse(const char *name, const char *text, size_t len,
                     const struct sg_ruleset *rules, struct sg_findings *out,
                     struct rig_err *err)
{
    json_t *root = NULL, *results, *errors;
    size_t n0 = out->n, e0 = out->nerr;
    size_t i;
    json_t *v;
    int rc = -1;

    root = rig_json_loadb(text, len, name, err);
    if (!root)
        goto out;
    if (!json_is_object(root)) {
        rig_err_set(err, RIG_EINVAL, "%s: expected a JSON object with \"results\" (the output "
                                     "of `semgrep --json`), got %s", name,
                    rig_json_type_name(root));
        goto out;
    }
    results = json_object_get(root, "results");
    if (!json_is_array(results)) {
        rig_err_set(err, RIG_EINVAL, "%s: \"results\" is %s, expected an array; is this "
                                     "`semgrep --json` output?", name,
                    results ? rig_json_type_name(results) : "missing");
        goto out;
    }
    errors = json_object_get(root, "errors");
    if (errors && !json_is_array(errors)) {
        rig_err_set(err, RIG_EINVAL, "%s: \"errors\" is %s, expected an array", name,
                    rig_json_type_name(errors));
        goto out;
    }
    json_array_foreach(results, i, v) {
        if (read_result(name, i, v, rules, out, err) < 0)
            goto out;
    }
    json_array_foreach(errors, i, v) {
        if (read_error(name, i, v, out, err) < 0)
            goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        sg_findings_truncate(out, n0, e0);
    json_decref(root);
    return rc;
}
