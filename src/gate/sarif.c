/*
 * drift-score.json -> SARIF 2.1.0 for GitHub code scanning.
 */
#include "gate/sarif.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "gate/findings.h"
#include "gate/radar.h"
#include "core/banned.h"

static const char *level_for(const char *priority)
{
    return strcmp(priority, "SHOULD") == 0 ? "warning" : "error";
}

/* Stable id of one finding, so code scanning tracks it across runs. */
static void fingerprint(const json_t *v, char out[17])
{
    uint64_t h = 1469598103934665603ULL;
    char line[24];
    const char *parts[4];

    snprintf(line, sizeof(line), "%lld", rig_json_int(v, "line", 0));
    parts[0] = rig_json_str(v, "rule", "");
    parts[1] = rig_json_str(v, "file", "");
    parts[2] = line;
    parts[3] = rig_json_str(v, "message", "");
    for (size_t i = 0; i < 4; i++) {
        for (const char *p = parts[i]; *p; p++) {
            h ^= (unsigned char)*p;
            h *= 1099511628211ULL;
        }
        h ^= 0x1f;
        h *= 1099511628211ULL;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static json_t *rule_descriptor(const struct sg_rule *r, const char *id, const char *priority,
                               const char *area)
{
    const char *title = r && r->title ? r->title : id;
    const char *desc = r && r->description ? r->description : title;
    const char *fix = sg_rule_str(r, "ci_info.pr_comment.fix_guidance");
    json_t *d = json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s, s:s, s:[s, s]}}", "id",
                          id, "name", id, "shortDescription", "text", title, "fullDescription",
                          "text", desc, "defaultConfiguration", "level", level_for(priority),
                          "properties", "priority", priority, "area", area, "tags", "specgate",
                          area);

    if (fix)
        json_object_set_new(d, "help", json_pack("{s:s}", "text", fix));
    return d;
}

static size_t rule_index(json_t *driver_rules, const struct sg_ruleset *rules, const json_t *v)
{
    const char *id = rig_json_str(v, "rule", "");
    json_t *d;
    size_t i;

    json_array_foreach(driver_rules, i, d) {
        if (strcmp(rig_json_str(d, "id", ""), id) == 0)
            return i;
    }
    json_array_append_new(driver_rules,
                          rule_descriptor(sg_rules_by_id(rules, id), id,
                                          rig_json_str(v, "priority", "MUST"),
                                          rig_json_str(v, "area", "API")));
    return json_array_size(driver_rules) - 1;
}

int sg_sarif_from_score(const json_t *score, const char *name, const struct sg_ruleset *rules,
                        json_t **out, size_t *unlocated, struct rig_err *err)
{
    json_t *driver_rules = json_array(), *results = json_array(), *v;
    size_t i;

    *out = NULL;
    *unlocated = 0;
    if (sg_radar_check_score(score, name, err) < 0) {
        json_decref(driver_rules);
        json_decref(results);
        return -1;
    }
    json_array_foreach(json_object_get(score, "violations"), i, v) {
        const char *file = rig_json_str(v, "file", NULL);
        long long line = rig_json_int(v, "line", 0);
        char fp[17];
        size_t idx;

        if (!rig_json_bool(v, "counted", true))
            continue;
        if (!file) { /* code scanning needs a location */
            (*unlocated)++;
            continue;
        }
        idx = rule_index(driver_rules, rules, v);
        fingerprint(v, fp);
        json_array_append_new(
            results,
            json_pack("{s:s, s:I, s:s, s:{s:s}, s:[{s:{s:{s:s, s:s}, s:{s:I}}}], s:{s:s}, "
                      "s:{s:f, s:s, s:s}}",
                      "ruleId", rig_json_str(v, "rule", ""), "ruleIndex", (json_int_t)idx,
                      "level", level_for(rig_json_str(v, "priority", "")), "message", "text",
                      rig_json_str(v, "message", "")[0] ? rig_json_str(v, "message", "")
                                                        : rig_json_str(v, "rule", ""),
                      "locations", "physicalLocation", "artifactLocation", "uri", file,
                      "uriBaseId", "%SRCROOT%", "region", "startLine",
                      (json_int_t)(line > 0 ? line : 1), "partialFingerprints",
                      "specgateFinding/v1", fp, "properties", "points",
                      rig_json_num(v, "points", 0), "tool", rig_json_str(v, "tool", ""),
                      "check_id", rig_json_str(v, "check_id", "")));
    }
    *out = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o, s:{s:I, s:s, s:I}}]}",
                     "$schema", "https://json.schemastore.org/sarif-2.1.0.json", "version",
                     "2.1.0", "runs", "tool", "driver", "name", "SpecGate", "semanticVersion",
                     RIG_VERSION, "informationUri", "https://github.com/younyoungieo/SpecGate",
                     "rules", driver_rules, "results", results, "properties", "total_score",
                     (json_int_t)rig_json_int(score, "total_score", 0), "status",
                     rig_json_str(score, "status", ""), "unlocated_violations",
                     (json_int_t)*unlocated);
    return 0;
}
