/*
 * OpenAPI-diff generator. The original "api_diff_rules" YAML is read by no
 * tool, so the DesignRuleSpec flags are mapped onto oasdiff check ids instead
 * (docs/specgate.md, "OpenAPI rules"): CI runs `oasdiff breaking base rev -f
 * json` once and `specgate drift score` matches each reported change (id,
 * level, path) against this map.
 */
#include "gate/gen.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/str.h"
#include "core/banned.h"

/* oasdiff levels as they appear in its JSON output */
#define OASDIFF_ERR 3

static const char *const removed_endpoints[] = {
    "api-path-removed-before-sunset", "api-path-removed-without-deprecation",
    "api-removed-before-sunset", "api-removed-without-deprecation", NULL,
};
static const char *const removed_parameters[] = {
    "request-parameter-removed", "request-parameter-removed-before-sunset", NULL,
};
static const char *const type_changes[] = {
    "request-body-type-changed", "request-parameter-property-type-changed",
    "request-parameter-property-type-specialized", "request-parameter-type-changed",
    "request-property-type-changed", "response-body-type-changed",
    "response-property-type-changed", NULL,
};
static const char *const removed_properties[] = {
    "request-property-removed", "response-optional-property-removed",
    "response-required-property-removed", NULL,
};

static void add_ids(json_t *ids, const char *const *list)
{
    for (size_t i = 0; list[i]; i++) {
        bool have = false;

        for (size_t k = 0; k < json_array_size(ids); k++)
            have |= rig_str_eq(json_string_value(json_array_get(ids, k)), list[i]);
        if (!have)
            json_array_append_new(ids, json_string(list[i]));
    }
}

static int cmp_json_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *sorted(json_t *ids)
{
    size_t n = json_array_size(ids);
    const char **v = xcalloc(n + 1, sizeof(*v));
    json_t *out = json_array();

    for (size_t i = 0; i < n; i++)
        v[i] = json_string_value(json_array_get(ids, i));
    qsort(v, n, sizeof(*v), cmp_json_str);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, json_string(v[i]));
    free(v);
    json_decref(ids);
    return out;
}

char *sg_api_glob_to_regex(const char *glob)
{
    struct rig_buf b = RIG_BUF_INIT;

    rig_buf_addch(&b, '^');
    for (const char *p = glob; *p; p++) {
        if (strcmp(p, "/**") == 0) {
            rig_buf_adds(&b, "(/.*)?");
            break;
        }
        if (p[0] == '*' && p[1] == '*') {
            rig_buf_adds(&b, ".*");
            p++;
        } else if (*p == '*') {
            rig_buf_adds(&b, "[^/]*");
        } else if (*p == '?') {
            rig_buf_adds(&b, "[^/]");
        } else {
            if (strchr(".^$|()[]{}+\\", *p))
                rig_buf_addch(&b, '\\');
            rig_buf_addch(&b, *p);
        }
    }
    rig_buf_addch(&b, '$');
    return rig_buf_take(&b);
}

enum tok { T_LIT, T_STAR, T_DSTAR, T_QMARK, T_TAIL };

bool sg_api_path_match(const char *glob, const char *path)
{
    size_t gl = strlen(glob), n = strlen(path), m = 0;
    enum tok *t = xcalloc(gl + 1, sizeof(*t));
    char *c = xcalloc(gl + 1, 1);
    bool *prev, *cur, ok;

    for (const char *p = glob; *p; p++, m++) {
        if (strcmp(p, "/**") == 0) {
            t[m] = T_TAIL;
            m++;
            break;
        }
        if (p[0] == '*' && p[1] == '*') {
            t[m] = T_DSTAR;
            p++;
        } else if (*p == '*') {
            t[m] = T_STAR;
        } else if (*p == '?') {
            t[m] = T_QMARK;
        } else {
            t[m] = T_LIT;
            c[m] = *p;
        }
    }
    /* dp over path positions: prev[j] = tokens so far match path[0..j) */
    prev = xcalloc(n + 1, sizeof(*prev));
    cur = xcalloc(n + 1, sizeof(*cur));
    prev[0] = true;
    for (size_t i = 0; i < m; i++) {
        memset(cur, 0, (n + 1) * sizeof(*cur));
        for (size_t j = 0; j <= n; j++) {
            switch (t[i]) {
            case T_LIT:
                cur[j] = j > 0 && prev[j - 1] && path[j - 1] == c[i];
                break;
            case T_QMARK:
                cur[j] = j > 0 && prev[j - 1] && path[j - 1] != '/';
                break;
            case T_STAR:
                cur[j] = prev[j] || (j > 0 && cur[j - 1] && path[j - 1] != '/');
                break;
            case T_DSTAR:
                cur[j] = prev[j] || (j > 0 && cur[j - 1]);
                break;
            case T_TAIL:
                /* "" or "/" followed by anything */
                cur[j] = prev[j];
                for (size_t k = 0; !cur[j] && k < j; k++)
                    cur[j] = prev[k] && path[k] == '/';
                break;
            }
        }
        memcpy(prev, cur, (n + 1) * sizeof(*prev));
    }
    ok = prev[n];
    free(prev);
    free(cur);
    free(t);
    free(c);
    return ok;
}

static bool flag(json_t *obj, const char *name)
{
    return json_is_true(json_object_get(obj, name));
}

json_t *sg_openapi_rule_map(const struct sg_rule *r)
{
    json_t *orule = json_object_get(json_object_get(r->json, "ci_info"), "openapi_rule");
    json_t *schemas = json_object_get(json_object_get(orule, "components"), "schemas");
    json_t *out, *paths;
    size_t i;
    json_t *p;

    if (!json_is_object(orule))
        return NULL;
    out = json_object();
    paths = json_array();
    json_object_set_new(out, "rule_id", json_string(r->id));
    json_object_set_new(out, "priority", json_string(sg_priority_name(r->priority)));
    json_object_set_new(out, "area", json_string(sg_area_name(r->area)));
    json_object_set_new(out, "title", json_string(r->title));
    json_object_set_new(out, "rule_name", json_incref(json_object_get(orule, "rule_name")));
    json_array_foreach(json_object_get(orule, "paths"), i, p) {
        json_t *flags = json_object_get(p, "rules");
        const char *glob = json_string_value(json_object_get(p, "pattern"));
        json_t *e = json_object();
        json_t *ids = json_array();
        char *re;

        if (!glob)
            glob = "/**";
        re = sg_api_glob_to_regex(glob);
        if (flag(flags, "no_removed_endpoints"))
            add_ids(ids, removed_endpoints);
        if (flag(flags, "no_removed_parameters"))
            add_ids(ids, removed_parameters);
        if (flag(flags, "no_type_changes") || flag(schemas, "no_type_changes"))
            add_ids(ids, type_changes);
        if (flag(schemas, "no_removed_properties"))
            add_ids(ids, removed_properties);
        json_object_set_new(e, "pattern", json_string(glob));
        json_object_set_new(e, "path_regex", json_string(re));
        json_object_set_new(e, "check_ids", sorted(ids));
        if (flag(flags, "no_breaking_changes"))
            json_object_set_new(e, "any_change_min_level", json_integer(OASDIFF_ERR));
        json_array_append_new(paths, e);
        free(re);
    }
    json_object_set_new(out, "paths", paths);
    return out;
}

static bool map_checks_anything(json_t *map)
{
    size_t i;
    json_t *p;

    json_array_foreach(json_object_get(map, "paths"), i, p) {
        if (json_array_size(json_object_get(p, "check_ids")) ||
            json_object_get(p, "any_change_min_level"))
            return true;
    }
    return false;
}

int sg_gen_openapi(const struct sg_ruleset *set, const struct sg_gen_opts *o,
                   struct sg_gen_result *res, struct rig_errlist *errs)
{
    json_t *doc = json_object();
    json_t *rules = json_array();
    const char **ids = xcalloc(set->n + 1, sizeof(*ids));
    size_t nids = 0;
    char *text;

    (void)errs;
    json_object_set_new(doc, "generated_by", json_string("specgate"));
    json_object_set_new(doc, "note", json_string(SG_GEN_MARKER));
    json_object_set_new(doc, "source", json_string(o->rules_path ? o->rules_path : set->source));
    json_object_set_new(doc, "tool", json_string("oasdiff"));
    json_object_set_new(doc, "command",
                        json_string("oasdiff breaking <base> <revision> --format json"));
    json_object_set_new(doc, "levels", json_pack("{s:i,s:i,s:i}", "ERR", 3, "WARN", 2, "INFO", 1));
    json_object_set_new(doc, "match",
                        json_string("a change is a violation of a rule when its path matches "
                                    "path_regex and its id is in check_ids or its level is at "
                                    "least any_change_min_level"));
    for (size_t i = 0; i < set->n; i++) {
        const struct sg_rule *r = &set->rules[i];
        json_t *map = sg_openapi_rule_map(r);

        if (!map) {
            sg_gen_add_skip(res, SG_GEN_OPENAPI, r->id, "no ci_info.openapi_rule");
        } else if (sg_gen_tool_disabled(r, "openapi_diff")) {
            sg_gen_add_skip(res, SG_GEN_OPENAPI, r->id,
                            "\"openapi_diff\" is not in ci_info.workflow_config.enabled_tools");
            json_decref(map);
        } else if (!map_checks_anything(map)) {
            sg_gen_add_skip(res, SG_GEN_OPENAPI, r->id,
                            "ci_info.openapi_rule switches on no check (every flag is false)");
            json_decref(map);
        } else {
            json_array_append_new(rules, map);
            ids[nids++] = r->id;
        }
    }
    json_object_set_new(doc, "rules", rules);
    if (nids) {
        text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        sg_gen_add_file(res, SG_GEN_OPENAPI, xstrdup("openapi/oasdiff-rules.json"),
                        xasprintf("%s\n", text), ids, nids);
        free(text);
    }
    json_decref(doc);
    free(ids);
    return 0;
}
