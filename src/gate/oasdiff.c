/*
 * `oasdiff breaking|changelog -f json` output -> findings.
 *
 * oasdiff reports API changes, not rule ids, so a change is attributed to every
 * rule whose ci_info.openapi_rule covers it, through the same oasdiff map the
 * generator writes to .specgate/openapi/oasdiff-rules.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/mem.h"
#include "core/str.h"
#include "gate/gen.h"
#include "gate/inputs.h"
#include "core/banned.h"

enum { OAS_INFO = 1, OAS_WARN = 2, OAS_ERR = 3 };

static bool catch_all(const char *pattern)
{
    return strcmp(pattern, "**") == 0 || strcmp(pattern, "/**") == 0;
}

/* One rule's oasdiff map (sg_openapi_rule_map, the generator's view, so the
 * scoring and the generated oasdiff-rules.json always agree). */
static bool map_matches(const json_t *map, const char *check_id, int level, const char *path)
{
    json_t *entry, *id;
    size_t i, k;

    json_array_foreach(json_object_get(map, "paths"), i, entry) {
        const char *pattern = rig_json_str(entry, "pattern", "/**");
        long long min = rig_json_int(entry, "any_change_min_level", 0);
        bool covered = min > 0 && level >= min;

        if (path ? !sg_api_path_match(pattern, path) : !catch_all(pattern))
            continue;
        json_array_foreach(json_object_get(entry, "check_ids"), k, id) {
            if (rig_str_eq(json_string_value(id), check_id))
                covered = true;
        }
        if (covered)
            return true;
    }
    return false;
}

bool sg_oasdiff_rule_matches(const struct sg_rule *r, const char *check_id, int level,
                             const char *path)
{
    json_t *map = sg_openapi_rule_map(r);
    bool ok = map && map_matches(map, check_id, level, path);

    json_decref(map);
    return ok;
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
                       json_t *const *maps, struct sg_findings *out, struct rig_err *err)
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
        if (maps[r] && map_matches(maps[r], json_string_value(id), level, path)) {
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
    size_t n0 = out->n, e0 = out->nerr, i, nrules = rules ? rules->n : 0;
    json_t **maps = NULL, *c;
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
    maps = xcalloc(nrules + 1, sizeof(*maps));
    for (size_t r = 0; r < nrules; r++)
        maps[r] = sg_openapi_rule_map(&rules->rules[r]);
    json_array_foreach(changes, i, c) {
        if (read_change(name, i, c, rules, maps, out, err) < 0)
            goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        sg_findings_truncate(out, n0, e0);
    for (size_t r = 0; maps && r < nrules; r++)
        json_decref(maps[r]);
    free(maps);
    json_decref(root);
    return rc;
}
