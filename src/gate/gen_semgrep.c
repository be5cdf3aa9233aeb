/*
 * Semgrep generator: one YAML file per DesignRuleSpec rule
 * (semgrep/<rule-id>.yml) with one Semgrep rule per entry of
 * ci_info.semgrep_rule.patterns, because Semgrep allows one message per rule
 * and every DesignRuleSpec pattern entry carries its own message.
 */
#include "gate/gen.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/str.h"
#include "gate/spec_check.h"
#include "core/banned.h"

bool sg_semgrep_is_regex(const char *pattern)
{
    static const char regex_escapes[] = "sSdDwWbB()[]{}.*+?|^$";
    size_t n = strlen(pattern);

    for (const char *p = pattern; *p; p++) {
        if (*p == '\\' && p[1]) {
            if (strchr(regex_escapes, p[1]))
                return true;
            p++; /* "\n", "\"", "\\" also occur in code string literals */
        }
    }
    if ((strstr(pattern, ".*") || strstr(pattern, ".+")) &&
        !rig_str_startswith(pattern, "import "))
        return true;
    if (pattern[0] == '^')
        return true;
    /* a trailing "$" is an anchor; "$X" at the end is a metavariable */
    return n >= 1 && pattern[n - 1] == '$' && (n == 1 || pattern[n - 2] != '$');
}

static json_t *semgrep_block(const struct sg_rule *r)
{
    return json_object_get(json_object_get(r->json, "ci_info"), "semgrep_rule");
}

static bool regex_only(json_t *languages)
{
    size_t i;
    json_t *l;

    json_array_foreach(languages, i, l) {
        const char *s = json_string_value(l);

        if (!rig_str_eq(s, "regex") && !rig_str_eq(s, "none"))
            return false;
    }
    return json_array_size(languages) > 0;
}

/* One matcher item: "pattern" or "pattern-regex" (or the -not variants). */
struct item {
    const char *key;
    const char *value;
};

struct items {
    struct item v[16];
    size_t n;
    const char *either[64];
    size_t neither;
    const char *mv_name, *mv_regex;
};

static int classify(const struct sg_ruleset *set, const struct sg_rule *r, size_t idx,
                    const char *field, const char *value, bool force_regex, bool negative,
                    struct items *it, struct rig_errlist *errs)
{
    char why[320];
    bool regex = force_regex || sg_semgrep_is_regex(value);

    if (regex && !sg_check_regex(value, why, sizeof(why))) {
        char sub[96];

        snprintf(sub, sizeof(sub), "ci_info/semgrep_rule/patterns/%zu/%s", idx, field);
        sg_gen_error(errs, set, r, sub,
                     "\"%s\" is treated as a regular expression (it contains regex syntax) but "
                     "does not compile: %s; fix the regex, or use a code pattern without "
                     "regex escapes",
                     value, why);
        return -1;
    }
    if (it->n < sizeof(it->v) / sizeof(it->v[0])) {
        it->v[it->n].key = negative ? (regex ? "pattern-not-regex" : "pattern-not")
                                    : (regex ? "pattern-regex" : "pattern");
        it->v[it->n].value = value;
        it->n++;
    }
    return 0;
}

static int collect_items(const struct sg_ruleset *set, const struct sg_rule *r, size_t idx,
                         json_t *entry, bool lang_regex, struct items *it,
                         struct rig_errlist *errs)
{
    static const struct {
        const char *field;
        bool regex, negative, inside;
    } kinds[] = {
        {"pattern", false, false, false},       {"pattern_regex", true, false, false},
        {"pattern_inside", false, false, true}, {"pattern_not", false, true, false},
        {"pattern_not_regex", true, true, false}, {"pattern_not_inside", false, true, true},
    };
    json_t *either = json_object_get(entry, "pattern_either");
    json_t *mv = json_object_get(entry, "metavariable_regex");
    int rc = 0;

    memset(it, 0, sizeof(*it));
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        const char *v = json_string_value(json_object_get(entry, kinds[k].field));

        if (!v)
            continue;
        if (kinds[k].inside) {
            it->v[it->n].key = kinds[k].negative ? "pattern-not-inside" : "pattern-inside";
            it->v[it->n].value = v;
            it->n++;
        } else if (classify(set, r, idx, kinds[k].field, v, kinds[k].regex || lang_regex,
                            kinds[k].negative, it, errs) < 0) {
            rc = -1;
        }
    }
    for (size_t i = 0; i < json_array_size(either) && it->neither < 64; i++)
        it->either[it->neither++] = json_string_value(json_array_get(either, i));
    if (json_is_object(mv)) {
        it->mv_name = json_string_value(json_object_get(mv, "metavariable"));
        it->mv_regex = json_string_value(json_object_get(mv, "regex"));
    }
    return rc;
}

static void kv(struct rig_buf *b, const char *indent, const char *key, const char *value)
{
    rig_buf_addf(b, "%s%s: ", indent, key);
    sg_yaml_scalar(b, value);
    rig_buf_addch(b, '\n');
}

static void emit_either(struct rig_buf *b, const char *head, const char *items,
                        const struct items *it, bool lang_regex)
{
    rig_buf_addf(b, "%spattern-either:\n", head);
    for (size_t i = 0; i < it->neither; i++) {
        bool regex = lang_regex || sg_semgrep_is_regex(it->either[i]);

        rig_buf_addf(b, "%s- %s: ", items, regex ? "pattern-regex" : "pattern");
        sg_yaml_scalar(b, it->either[i]);
        rig_buf_addch(b, '\n');
    }
}

static void emit_matchers(struct rig_buf *b, const struct items *it, bool lang_regex)
{
    size_t total = it->n + (it->neither ? 1 : 0) + (it->mv_name ? 1 : 0);

    if (total == 1 && it->n == 1) {
        kv(b, "    ", it->v[0].key, it->v[0].value);
        return;
    }
    if (total == 1 && it->neither) {
        emit_either(b, "    ", "      ", it, lang_regex);
        return;
    }
    rig_buf_adds(b, "    patterns:\n");
    for (size_t i = 0; i < it->n; i++) {
        rig_buf_addf(b, "      - %s: ", it->v[i].key);
        sg_yaml_scalar(b, it->v[i].value);
        rig_buf_addch(b, '\n');
    }
    if (it->neither)
        emit_either(b, "      - ", "          ", it, lang_regex);
    if (it->mv_name) {
        rig_buf_adds(b, "      - metavariable-regex:\n");
        kv(b, "          ", "metavariable", it->mv_name);
        kv(b, "          ", "regex", it->mv_regex);
    }
}

static const char *default_severity(enum sg_priority p)
{
    return p == SG_SHOULD ? "WARNING" : "ERROR";
}

static void emit_rule(struct rig_buf *b, const struct sg_rule *r, json_t *sr, json_t *entry,
                      size_t idx, size_t count, const struct items *it)
{
    const char *base = json_string_value(json_object_get(sr, "rule_id"));
    const char *msg = json_string_value(json_object_get(entry, "message"));
    const char *sev = json_string_value(json_object_get(sr, "severity"));
    json_t *langs = json_object_get(sr, "languages");
    json_t *files = json_object_get(json_object_get(r->json, "scope"), "file_patterns");
    bool lang_regex = regex_only(langs);
    char *id = count > 1 ? xasprintf("%s-%zu", base, idx + 1) : xstrdup(base);
    size_t i;
    json_t *v;

    if (!msg)
        msg = json_string_value(json_object_get(sr, "message"));
    if (!msg)
        msg = r->title;
    rig_buf_addf(b, "  # %s (%s): ", r->id, sg_priority_name(r->priority));
    sg_gen_comment_text(b, r->title, false);
    rig_buf_adds(b, "\n  - id: ");
    sg_yaml_scalar(b, id);
    rig_buf_addch(b, '\n');
    emit_matchers(b, it, lang_regex);
    kv(b, "    ", "message", msg);
    rig_buf_adds(b, "    languages: [");
    json_array_foreach(langs, i, v) {
        if (i)
            rig_buf_adds(b, ", ");
        sg_yaml_scalar(b, json_string_value(v));
    }
    rig_buf_adds(b, "]\n");
    kv(b, "    ", "severity", sev ? sev : default_severity(r->priority));
    if (json_array_size(files) > 0) {
        rig_buf_adds(b, "    paths:\n      include:\n");
        json_array_foreach(files, i, v) {
            rig_buf_adds(b, "        - ");
            sg_yaml_scalar(b, json_string_value(v));
            rig_buf_addch(b, '\n');
        }
    }
    rig_buf_adds(b, "    metadata:\n");
    kv(b, "      ", "specgate_rule_id", r->id);
    kv(b, "      ", "specgate_priority", sg_priority_name(r->priority));
    kv(b, "      ", "specgate_area", sg_area_name(r->area));
    kv(b, "      ", "specgate_title", r->title);
    free(id);
}

static int gen_rule(const struct sg_ruleset *set, const struct sg_gen_opts *o,
                    const struct sg_rule *r, json_t *sr, struct sg_gen_result *res,
                    struct rig_errlist *errs)
{
    json_t *patterns = json_object_get(sr, "patterns");
    bool lang_regex = regex_only(json_object_get(sr, "languages"));
    struct rig_buf b = RIG_BUF_INIT;
    const char *ids[1] = {r->id};
    char *lower;
    size_t i;
    json_t *entry;
    int rc = 0;

    const char *sid = json_string_value(json_object_get(sr, "rule_id"));

    if (!sid || !sg_check_semgrep_id(sid)) {
        sg_gen_error(errs, set, r, "ci_info/semgrep_rule/rule_id", "invalid Semgrep rule id");
        return -1;
    }
    rig_buf_adds(&b, "# " SG_GEN_MARKER "\n# Source: ");
    sg_gen_comment_text(&b, o->rules_path, false);
    rig_buf_addf(&b, " (%s). Regenerate with\n#   specgate tests generate --rules ", r->id);
    sg_gen_comment_text(&b, o->rules_path, false);
    rig_buf_adds(&b, "\nrules:\n");
    json_array_foreach(patterns, i, entry) {
        struct items it;

        if (collect_items(set, r, i, entry, lang_regex, &it, errs) < 0) {
            rc = -1;
            continue;
        }
        if (it.n + it.neither == 0) {
            sg_gen_error(errs, set, r, "ci_info/semgrep_rule/patterns",
                         "entry %zu has no matcher", i);
            rc = -1;
            continue;
        }
        emit_rule(&b, r, sr, entry, i, json_array_size(patterns), &it);
    }
    if (rc < 0) {
        rig_buf_release(&b);
        return -1;
    }
    lower = rig_str_slug(r->id, 64);
    sg_gen_add_file(res, SG_GEN_SEMGREP, xasprintf("semgrep/%s.yml", lower), rig_buf_take(&b),
                    ids, 1);
    free(lower);
    return 0;
}

int sg_gen_semgrep(const struct sg_ruleset *set, const struct sg_gen_opts *o,
                   struct sg_gen_result *res, struct rig_errlist *errs)
{
    int rc = 0;

    for (size_t i = 0; i < set->n; i++) {
        const struct sg_rule *r = &set->rules[i];
        json_t *sr = semgrep_block(r);

        if (!sr)
            sg_gen_add_skip(res, SG_GEN_SEMGREP, r->id, "no ci_info.semgrep_rule");
        else if (sg_gen_tool_disabled(r, "semgrep"))
            sg_gen_add_skip(res, SG_GEN_SEMGREP, r->id,
                            "\"semgrep\" is not in ci_info.workflow_config.enabled_tools");
        else if (gen_rule(set, o, r, sr, res, errs) < 0)
            rc = -1;
    }
    return rc;
}
