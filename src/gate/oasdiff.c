/*
 * `oasdiff breaking|changelog -f json` output -> findings.
 *
 * oasdiff reports API changes, not rule ids, so a change is attributed to every
 * rule whose ci_info.openapi_rule covers it (see sg_oasdiff_rule_matches).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "gate/inputs.h"
#include "core/banned.h"

enum { OAS_INFO = 1, OAS_WARN = 2, OAS_ERR = 3 };

static const char *const removed_endpoints[] = {
    "api-path-removed-without-deprecation", "api-removed-without-deprecation",
    "api-path-removed-before-sunset", "api-removed-before-sunset", NULL};
static const char *const removed_parameters[] = {
    "request-parameter-removed", "request-parameter-removed-before-sunset",
    "request-parameter-removed-with-deprecation", NULL};
static const char *const type_changes[] = {
    "request-parameter-type-changed", "request-property-type-changed",
    "response-property-type-changed", "response-body-type-changed",
    "request-body-type-changed", "request-parameter-property-type-changed",
    "request-parameter-property-type-specialized", NULL};
static const char *const removed_properties[] = {
    "response-required-property-removed", "response-optional-property-removed",
    "response-property-removed", "request-property-removed", NULL};

static const struct {
    const char *flag;
    const char *const *checks;
} flag_map[] = {
    {"no_removed_endpoints", removed_endpoints},
    {"no_removed_parameters", removed_parameters},
    {"no_type_changes", type_changes},
    {"no_removed_properties", removed_properties},
};

const char *const *sg_oasdiff_flag_checks(const char *flag)
{
    for (size_t i = 0; i < sizeof(flag_map) / sizeof(flag_map[0]); i++) {
        if (strcmp(flag_map[i].flag, flag) == 0)
            return flag_map[i].checks;
    }
    return NULL;
}

static bool in_list(const char *const *list, const char *id)
{
    for (size_t i = 0; list && list[i]; i++) {
        if (strcmp(list[i], id) == 0)
            return true;
    }
    return false;
}

static bool catch_all(const char *pattern)
{
    return strcmp(pattern, "**") == 0 || strcmp(pattern, "/**") == 0 ||
           strcmp(pattern, "*") == 0 || strcmp(pattern, "/*") == 0;
}

/* API paths are matched like file globs without the leading slash, so the
 * pattern for "everything under /api/v1" covers "/api/v1/users/{id}". */
static bool path_matches(const char *pattern, const char *path)
{
    if (!path)
        return catch_all(pattern);
    if (catch_all(pattern))
        return true;
    while (*pattern == '/')
        pattern++;
    while (*path == '/')
        path++;
    return rig_glob_match(pattern, path);
}

static bool flags_cover(const json_t *flags, const char *id, int level)
{
    const char *key;
    json_t *v;

    if (!json_is_object(flags))
        return level >= OAS_WARN;
    json_object_foreach((json_t *)flags, key, v) {
        if (!json_is_true(v))
            continue;
        if (strcmp(key, "no_breaking_changes") == 0 && level >= OAS_WARN)
            return true;
        if (in_list(sg_oasdiff_flag_checks(key), id))
            return true;
    }
    return false;
}

bool sg_oasdiff_rule_matches(const struct sg_rule *r, const char *check_id, int level,
                             const char *path)
{
    json_t *paths = sg_rule_get(r, "ci_info.openapi_rule.paths");
    size_t i;
    json_t *entry;

    if (!json_is_array(paths))
        return false;
    json_array_foreach(paths, i, entry) {
        const char *pattern = rig_json_str(entry, "pattern", NULL);

        if (pattern && path_matches(pattern, path) &&
            flags_cover(json_object_get(entry, "rules"), check_id, level))
            return true;
    }
    return false;
}

static int level_value(const json_t *v)
{
    static const struct {
        const char *name;
        int level;
    } names[] = {{"err", OAS_ERR}, {"error", OAS_ERR}, {"warn", OAS_WARN},
                 {"warning", OAS_WARN}, {"info", OAS_INFO}};

    if (json_is_integer(v)) {
        json_int_t l = json_integer_value(v);

        return l >= OAS_INFO && l <= OAS_ERR ? (int)l : -1;
    }
    if (json_is_string(v)) {
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            if (strcasecmp(json_string_value(v), names[i].name) == 0)
                return names[i].level;
        }
    }
    return -1;
}

static int bad_change(struct rig_err *err, const char *name, size_t i, const char *field,
                      const char *want, const json_t *got)
{
    return rig_err_set(err, RIG_EINVAL,
                       "%s: change [%zu] \"%s\": expected %s, got %s; is this `oasdiff breaking "
                       "-f json` output?", name, i, field, want,
                       got ? rig_json_type_name(got) : "nothing");
}

/* Location of the change in the revision spec (else base, else "source"). */
static void change_location(const json_t *c, const char **file, int *line)
{
    static const char *const keys[] = {"revisionSource", "baseSource"};

    *file = NULL;
    *line = 0;
    for (size_t k = 0; k < 2; k++) {
        json_t *s = json_object_get(c, keys[k]);

        if (json_is_object(s) && rig_json_str(s, "file", NULL)) {
            long long l = rig_json_int(s, "line", 0);

            *file = rig_json_str(s, "file", NULL);
            *line = l > 0 && l < 100000000 ? (int)l : 0;
            return;
        }
    }
    *file = rig_json_str(c, "source", NULL);
    if (*file && !**file)
        *file = NULL;
}

static int read_change(const char *name, size_t i, json_t *c, const struct sg_ruleset *rules,
                       struct sg_findings *out, struct rig_err *err)
{
    static const char *const opt_strings[] = {"text", "operation", "path", "source",
                                              "operationId", "section", "comment"};
    json_t *id = json_object_get(c, "id");
    const char *path, *op, *text, *file;
    int level, line;
    char *msg;
    size_t matched = 0;

    if (!json_is_object(c))
        return bad_change(err, name, i, "", "an object", c);
    if (!json_is_string(id))
        return bad_change(err, name, i, "id", "a string", id);
    level = level_value(json_object_get(c, "level"));
    if (level < 0)
        return bad_change(err, name, i, "level", "1..3 or ERR/WARN/INFO",
                          json_object_get(c, "level"));
    for (size_t k = 0; k < sizeof(opt_strings) / sizeof(opt_strings[0]); k++) {
        json_t *v = json_object_get(c, opt_strings[k]);

        if (v && !json_is_string(v))
            return bad_change(err, name, i, opt_strings[k], "a string", v);
    }
    path = rig_json_str(c, "path", NULL);
    op = rig_json_str(c, "operation", NULL);
    text = rig_json_str(c, "text", json_string_value(id));
    change_location(c, &file, &line);
    msg = xasprintf("%s%s%s%s%s", op ? op : "", op ? " " : "", path ? path : "",
                    op || path ? ": " : "", text);
    for (size_t r = 0; rules && r < rules->n; r++) {
        if (sg_oasdiff_rule_matches(&rules->rules[r], json_string_value(id), level, path)) {
            sg_findings_add(out, SG_TOOL_OASDIFF, rules->rules[r].id, json_string_value(id),
                            file, line, msg, name);
            matched++;
        }
    }
    if (!matched)
        sg_findings_add(out, SG_TOOL_OASDIFF, NULL, json_string_value(id), file, line, msg, name);
    free(msg);
    return 0;
}

int sg_oasdiff_parse(const char *name, const char *text, size_t len,
                     const struct sg_ruleset *rules, struct sg_findings *out,
                     struct rig_err *err)
{
    json_t *root, *changes;
    size_t n0 = out->n, e0 = out->nerr, i;
    json_t *c;
    int rc = -1;

    root = rig_json_loadb(text, len, name, err);
    if (!root)
        return -1;
    changes = json_is_object(root) ? json_object_get(root, "changes") : root;
    if (!json_is_array(changes)) {
        rig_err_set(err, RIG_EINVAL, "%s: expected a JSON array of changes (or {\"changes\": "
                                     "[...]}) as written by `oasdiff breaking -f json`, got %s",
                    name, changes ? rig_json_type_name(changes) : "an object without \"changes\"");
        goto out;
    }
    json_array_foreach(changes, i, c) {
        if (read_change(name, i, c, rules, out, err) < 0)
            goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        sg_findings_truncate(out, n0, e0);
    json_decref(root);
    return rc;
}
