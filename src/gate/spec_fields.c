/*
 * The DesignRuleSpec field inventory as tables, and the generic walker that
 * checks a JSON object against them. One table row per field of
 * docs/specgate.md "Field reference"; schemas/design-rule-spec.schema.json
 * describes the same rules for editors (tests keep the two consistent).
 */
#include "gate/spec_int.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/str.h"
#include "gate/jsonpos.h"
#include "gate/spec.h"
#include "gate/spec_check.h"
#include "core/banned.h"

/* ---- issue collection ---------------------------------------------------- */

static void vctx_add(struct sg_vctx *c, const char *pointer, bool warning, bool at_key,
                     const char *fmt, va_list ap)
{
    struct sg_issue *it;

    if (!warning)
        c->nerrors++;
    /* warnings must not crowd errors out of the list */
    if (warning && c->nwarnings++ >= SG_MAX_WARNINGS)
        return;
    if (c->n >= SG_MAX_ISSUES) {
        c->truncated = true;
        return;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
    }
    it = &c->v[c->n++];
    it->pointer = xstrdup(pointer);
    it->msg = xvasprintf(fmt, ap);
    it->warning = warning;
    it->at_key = at_key;
}

void sg_vctx_error(struct sg_vctx *c, const char *pointer, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vctx_add(c, pointer, false, false, fmt, ap);
    va_end(ap);
}

void sg_vctx_error_key(struct sg_vctx *c, const char *pointer, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vctx_add(c, pointer, false, true, fmt, ap);
    va_end(ap);
}

void sg_vctx_warn(struct sg_vctx *c, const char *pointer, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vctx_add(c, pointer, true, false, fmt, ap);
    va_end(ap);
}

void sg_vctx_release(struct sg_vctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].pointer);
        free(c->v[i].msg);
    }
    free(c->v);
    memset(c, 0, sizeof(*c));
}

static char *lower_dup(const char *s)
{
    char *d = xstrdup(s);

    for (char *p = d; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

const char *sg_suggest(const char *s, const char *const *candidates)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    size_t n = strlen(s);
    /* a transposition costs 2, so short names need 2 to catch "titel" */
    size_t limit = n <= 3 ? 1 : n <= 8 ? 2 : 3;
    char *ls = lower_dup(s);

    for (size_t i = 0; candidates[i]; i++) {
        char *lc = lower_dup(candidates[i]);
        size_t d = rig_str_distance(ls, lc, limit);

        free(lc);
        if (d <= limit && d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    free(ls);
    return best;
}

/* ---- generic walker -------------------------------------------------------- */

static const char *want_name(enum sg_ftype t)
{
    switch (t) {
    case SG_FT_STRING: return "a string";
    case SG_FT_INT: return "an integer";
    case SG_FT_NUMBER: return "a number";
    case SG_FT_BOOL: return "true or false";
    case SG_FT_OBJECT:
    case SG_FT_FREE_OBJECT: return "an object";
    case SG_FT_STRING_ARRAY: return "an array of strings";
    case SG_FT_OBJECT_ARRAY: return "an array of objects";
    case SG_FT_STRING_OR_OBJECT: return "a string or an object";
    case SG_FT_RULE_ARRAY: return "an array of rule objects";
    }
    return "a value";
}

static void list_names(struct rig_buf *b, const char *const *names)
{
    for (size_t i = 0; names[i]; i++) {
        if (i)
            rig_buf_adds(b, ", ");
        rig_buf_adds(b, names[i]);
    }
}

static void check_enum(struct sg_vctx *c, const char *ptr, const char *s, const char *const *enumv)
{
    struct rig_buf b = RIG_BUF_INIT;
    const char *hint;

    for (size_t i = 0; enumv[i]; i++) {
        if (strcmp(s, enumv[i]) == 0)
            return;
    }
    list_names(&b, enumv);
    hint = sg_suggest(s, enumv);
    if (hint)
        sg_vctx_error(c, ptr, "invalid value \"%s\" (did you mean \"%s\"? allowed: %s)", s, hint,
                      rig_buf_str(&b));
    else
        sg_vctx_error(c, ptr, "invalid value \"%s\" (allowed: %s)", s, rig_buf_str(&b));
    rig_buf_release(&b);
}

static bool blank(const char *s)
{
    for (; *s; s++) {
        if (!isspace((unsigned char)*s))
            return false;
    }
    return true;
}

static void check_string(struct sg_vctx *c, const char *ptr, json_t *v, const struct sg_field *f)
{
    const char *s = json_string_value(v);

    if ((f->flags & SG_F_NONEMPTY) && blank(s)) {
        sg_vctx_error(c, ptr, "\"%s\" must not be empty", f->name);
        return;
    }
    if (f->enumv)
        check_enum(c, ptr, s, f->enumv);
    if (f->check)
        f->check(c, ptr, s);
}

static void check_number(struct sg_vctx *c, const char *ptr, json_t *v, const struct sg_field *f)
{
    double d = json_number_value(v);

    if (!isfinite(d)) {
        sg_vctx_error(c, ptr, "\"%s\" must be a finite number", f->name);
        return;
    }
    if ((f->flags & SG_F_RANGE) && (d < f->min || d > f->max))
        sg_vctx_error(c, ptr, "\"%s\" is %g, outside the allowed range %g..%g", f->name, d, f->min,
                      f->max);
}

static void check_array(struct sg_vctx *c, const char *ptr, json_t *v, const struct sg_field *f)
{
    size_t i;
    json_t *el;

    if ((f->flags & SG_F_NONEMPTY) && json_array_size(v) == 0)
        sg_vctx_error(c, ptr, "\"%s\" must have at least one element", f->name);
    json_array_foreach(v, i, el) {
        char *eptr = sg_jsonpos_index(ptr, i);

        if (f->type == SG_FT_STRING_ARRAY) {
            if (!json_is_string(el)) {
                sg_vctx_error(c, eptr, "element of \"%s\" must be a string, got %s", f->name,
                              rig_json_type_article(el));
            } else if (blank(json_string_value(el))) {
                sg_vctx_error(c, eptr, "element of \"%s\" must not be empty", f->name);
            } else {
                if (f->enumv)
                    check_enum(c, eptr, json_string_value(el), f->enumv);
                if (f->check)
                    f->check(c, eptr, json_string_value(el));
            }
        } else if (!json_is_object(el)) {
            sg_vctx_error(c, eptr, "element of \"%s\" must be an object, got %s", f->name,
                          rig_json_type_article(el));
        } else {
            sg_validate_object(c, eptr, el, f->sub, false);
            if (f->obj_check)
                f->obj_check(c, eptr, el);
        }
        free(eptr);
    }
}

static bool type_ok(enum sg_ftype t, const json_t *v)
{
    switch (t) {
    case SG_FT_STRING: return json_is_string(v);
    case SG_FT_INT: return json_is_integer(v);
    case SG_FT_NUMBER: return json_is_number(v);
    case SG_FT_BOOL: return json_is_boolean(v);
    case SG_FT_OBJECT:
    case SG_FT_FREE_OBJECT: return json_is_object(v);
    case SG_FT_STRING_ARRAY:
    case SG_FT_OBJECT_ARRAY:
    case SG_FT_RULE_ARRAY: return json_is_array(v);
    case SG_FT_STRING_OR_OBJECT: return json_is_string(v) || json_is_object(v);
    }
    return false;
}

static void validate_value(struct sg_vctx *c, const char *ptr, json_t *v, const struct sg_field *f)
{
    if (!type_ok(f->type, v)) {
        if (f->type == SG_FT_BOOL && json_is_string(v))
            sg_vctx_error(c, ptr, "\"%s\" must be true or false without quotes, got a string",
                          f->name);
        else if (f->type == SG_FT_INT && json_is_real(v))
            sg_vctx_error(c, ptr, "\"%s\" must be a whole number, got %g", f->name,
                          json_real_value(v));
        else
            sg_vctx_error(c, ptr, "\"%s\" must be %s, got %s", f->name, want_name(f->type),
                          rig_json_type_article(v));
        return;
    }
    if (json_is_string(v)) {
        check_string(c, ptr, v, f);
    } else if (json_is_number(v)) {
        check_number(c, ptr, v, f);
    } else if (json_is_array(v)) {
        if (f->type != SG_FT_RULE_ARRAY)
            check_array(c, ptr, v, f);
    } else if (json_is_object(v)) {
        if (f->sub || f->type == SG_FT_OBJECT)
            sg_validate_object(c, ptr, v, f->sub, f->type == SG_FT_FREE_OBJECT);
        if (f->obj_check)
            f->obj_check(c, ptr, v);
    }
}

static const struct sg_field *find_field(const struct sg_field *fields, const char *name)
{
    for (size_t i = 0; fields && fields[i].name; i++) {
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    }
    return NULL;
}

static void unknown_field(struct sg_vctx *c, const char *ptr, const char *key,
                          const struct sg_field *fields)
{
    const char *names[64];
    size_t n = 0;
    const char *hint;
    struct rig_buf b = RIG_BUF_INIT;

    for (size_t i = 0; fields && fields[i].name && n < 63; i++)
        names[n++] = fields[i].name;
    names[n] = NULL;
    hint = sg_suggest(key, names);
    if (hint) {
        sg_vctx_error_key(c, ptr, "unknown field \"%s\" (did you mean \"%s\"?)", key, hint);
    } else {
        list_names(&b, names);
        sg_vctx_error_key(c, ptr, "unknown field \"%s\" (allowed here: %s)", key,
                          n ? rig_buf_str(&b) : "no fields");
    }
    rig_buf_release(&b);
}

void sg_validate_object(struct sg_vctx *c, const char *pointer, json_t *obj,
                        const struct sg_field *fields, bool free_form)
{
    const char *key;
    json_t *val;

    json_object_foreach(obj, key, val) {
        const struct sg_field *f = find_field(fields, key);
        char *child = sg_jsonpos_child(pointer, key);

        if (f)
            validate_value(c, child, val, f);
        else if (!free_form)
            unknown_field(c, child, key, fields);
        free(child);
    }
    for (size_t i = 0; fields && fields[i].name; i++) {
        if ((fields[i].flags & SG_F_REQUIRED) && !json_object_get(obj, fields[i].name))
            sg_vctx_error(c, pointer, "missing required field \"%s\"", fields[i].name);
    }
}

/* ---- value checks ------------------------------------------------------------ */

static void ck_rule_id(struct sg_vctx *c, const char *ptr, const char *s)
{
    if (!sg_check_rule_id(s))
        sg_vctx_error(c, ptr,
                      "rule id \"%s\" does not match RULE-<AREA>-<NUMBER> (^RULE-[A-Z]+-[0-9]+$), "
                      "e.g. RULE-API-001",
                      s);
}

static void ck_priority(struct sg_vctx *c, const char *ptr, const char *s)
{
    enum sg_priority p;

    if (sg_priority_parse(s, &p) < 0)
        sg_vctx_error(c, ptr, "invalid priority \"%s\" (allowed: MUST, SHOULD, MUST NOT)", s);
}

static void ck_area(struct sg_vctx *c, const char *ptr, const char *s)
{
    static const char *const codes[] = {"API", "ARCH", "SEC", "PERF", "DATA", "architecture",
                                        "security", "performance", "data", NULL};
    enum sg_area a;
    const char *hint;

    if (sg_area_parse(s, &a) == 0)
        return;
    hint = sg_suggest(s, codes);
    if (hint)
        sg_vctx_error(c, ptr, "unknown area \"%s\" (did you mean \"%s\"? allowed: API, ARCH, SEC, "
                      "PERF, DATA)", s, hint);
    else
        sg_vctx_error(c, ptr, "unknown area \"%s\" (allowed: API, ARCH, SEC, PERF, DATA)", s);
}

static void ck_java_ident(struct sg_vctx *c, const char *ptr, const char *s)
{
    char why[256];

    if (!sg_check_java_identifier(s, why, sizeof(why)))
        sg_vctx_error(c, ptr, "test_name \"%s\" is not usable as a Java field name: %s", s, why);
}

static void ck_java_import(struct sg_vctx *c, const char *ptr, const char *s)
{
    char why[256];

    if (!sg_check_java_import(s, why, sizeof(why)))
        sg_vctx_error(c, ptr, "invalid import \"%s\": %s", s, why);
}

static void ck_archunit_expr(struct sg_vctx *c, const char *ptr, const char *s)
{
    char why[256];

    if (!sg_check_archunit_expr(s, why, sizeof(why)))
        sg_vctx_error(c, ptr, "rule_definition rejected: %s", why);
}

static void ck_semgrep_id(struct sg_vctx *c, const char *ptr, const char *s)
{
    if (!sg_check_semgrep_id(s))
        sg_vctx_error(c, ptr,
                      "semgrep rule id \"%s\" must be letters, digits, '.', '_' or '-' (at most "
                      "128, starting with a letter or digit)",
                      s);
}

static void ck_glob(struct sg_vctx *c, const char *ptr, const char *s)
{
    char why[256];

    if (!sg_check_glob(s, why, sizeof(why)))
        sg_vctx_error(c, ptr, "invalid file pattern \"%s\": %s", s, why);
}

static void ck_regex(struct sg_vctx *c, const char *ptr, const char *s)
{
    char why[320];

    if (!sg_check_regex(s, why, sizeof(why)))
        sg_vctx_error(c, ptr, "%s", why);
}

static void ck_datetime(struct sg_vctx *c, const char *ptr, const char *s)
{
    if (!sg_check_datetime(s))
        sg_vctx_error(c, ptr, "\"%s\" is not an ISO-8601 date-time such as 2024-01-15T10:30:00Z",
                      s);
}

static void ck_semver(struct sg_vctx *c, const char *ptr, const char *s)
{
    if (!sg_check_semver(s))
        sg_vctx_error(c, ptr, "\"%s\" is not a semantic version such as 1.0.0", s);
}

static void ck_url(struct sg_vctx *c, const char *ptr, const char *s)
{
    if (!rig_str_startswith(s, "https://") && !rig_str_startswith(s, "http://"))
        sg_vctx_error(c, ptr, "\"%s\" is not an http(s) URL", s);
}

static void ck_api_path(struct sg_vctx *c, const char *ptr, const char *s)
{
    if (s[0] != '/')
        sg_vctx_error(c, ptr, "API path pattern \"%s\" must start with '/', e.g. /api/v1/**", s);
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == ' ') {
            sg_vctx_error(c, ptr, "API path pattern \"%s\" must not contain spaces or control "
                          "characters", s);
            return;
        }
    }
}

static void ck_metavariable(struct sg_vctx *c, const char *ptr, const char *s)
{
    const char *p = s + 1;
    bool ok = s[0] == '$' && (isupper((unsigned char)*p) || *p == '_');

    for (; ok && *p; p++)
        ok = isupper((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_';
    if (!ok)
        sg_vctx_error(c, ptr, "\"%s\" is not a Semgrep metavariable ($ followed by capitals, "
                      "digits or '_', e.g. $X)", s);
}

/* ---- object checks ----------------------------------------------------------- */

static void ok_semgrep_pattern(struct sg_vctx *c, const char *ptr, json_t *obj)
{
    if (!json_object_get(obj, "pattern") && !json_object_get(obj, "pattern_regex") &&
        !json_object_get(obj, "pattern_either") && !json_object_get(obj, "pattern_inside"))
        sg_vctx_error(c, ptr, "a pattern entry needs a positive matcher: \"pattern\", "
                      "\"pattern_regex\", \"pattern_either\" or \"pattern_inside\"");
    if (json_object_get(obj, "pattern") && json_object_get(obj, "pattern_regex"))
        sg_vctx_error(c, ptr, "give either \"pattern\" or \"pattern_regex\", not both");
}

static void dup_strings(struct sg_vctx *c, const char *ptr, json_t *arr, const char *what)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const char *a = json_string_value(json_array_get(arr, i));

        for (size_t j = 0; a && j < i; j++) {
            if (rig_str_eq(a, json_string_value(json_array_get(arr, j)))) {
                char *eptr = sg_jsonpos_index(ptr, i);

                sg_vctx_error(c, eptr, "\"%s\" is listed twice in %s", a, what);
                free(eptr);
                break;
            }
        }
    }
}

static void ok_workflow(struct sg_vctx *c, const char *ptr, json_t *obj)
{
    json_t *enabled = json_object_get(obj, "enabled_tools");
    json_t *order = json_object_get(obj, "execution_order");
    char *eptr = sg_jsonpos_child(ptr, "enabled_tools");
    char *optr = sg_jsonpos_child(ptr, "execution_order");

    if (json_is_array(enabled))
        dup_strings(c, eptr, enabled, "enabled_tools");
    if (json_is_array(order))
        dup_strings(c, optr, order, "execution_order");
    if (json_is_array(enabled) && json_is_array(order)) {
        for (size_t i = 0; i < json_array_size(order); i++) {
            const char *t = json_string_value(json_array_get(order, i));
            bool found = false;

            for (size_t j = 0; t && j < json_array_size(enabled); j++)
                found |= rig_str_eq(t, json_string_value(json_array_get(enabled, j)));
            if (t && !found) {
                char *iptr = sg_jsonpos_index(optr, i);

                sg_vctx_error(c, iptr, "execution_order names \"%s\", which is not in "
                              "enabled_tools", t);
                free(iptr);
            }
        }
    }
    free(eptr);
    free(optr);
}

static void ok_points(struct sg_vctx *c, const char *ptr, json_t *obj)
{
    if (json_object_get(obj, "MUST NOT") && json_object_get(obj, "MUST_NOT"))
        sg_vctx_error(c, ptr, "give \"MUST NOT\" or \"MUST_NOT\", not both");
}

/* ---- tables ----------------------------------------------------------------------- */

#define STR(n) {n, SG_FT_STRING, 0, NULL, 0, 0, NULL, NULL, NULL}
#define STRC(n, fl, ck) {n, SG_FT_STRING, fl, NULL, 0, 0, NULL, ck, NULL}
#define STRE(n, fl, e) {n, SG_FT_STRING, fl, NULL, 0, 0, e, NULL, NULL}
#define STRS(n, fl, ck) {n, SG_FT_STRING_ARRAY, fl, NULL, 0, 0, NULL, ck, NULL}
#define STRSE(n, fl, e) {n, SG_FT_STRING_ARRAY, fl, NULL, 0, 0, e, NULL, NULL}
#define INTR(n, lo, hi) {n, SG_FT_INT, SG_F_RANGE, NULL, lo, hi, NULL, NULL, NULL}
#define NUMR(n, lo, hi) {n, SG_FT_NUMBER, SG_F_RANGE, NULL, lo, hi, NULL, NULL, NULL}
#define BOOL(n) {n, SG_FT_BOOL, 0, NULL, 0, 0, NULL, NULL, NULL}
#define OBJ(n, fl, sub, ok) {n, SG_FT_OBJECT, fl, sub, 0, 0, NULL, NULL, ok}
#define FREE(n, sub) {n, SG_FT_FREE_OBJECT, 0, sub, 0, 0, NULL, NULL, NULL}
#define OBJS(n, fl, sub, ok) {n, SG_FT_OBJECT_ARRAY, fl, sub, 0, 0, NULL, NULL, ok}
#define END {NULL, SG_FT_STRING, 0, NULL, 0, 0, NULL, NULL, NULL}

#define REQ SG_F_REQUIRED
#define NE SG_F_NONEMPTY

static const char *const http_methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD",
                                           "OPTIONS", "TRACE", NULL};
static const char *const directions[] = {"allowed", "forbidden", NULL};
static const char *const extraction_methods[] = {"standardized", "non_standardized", NULL};
static const char *const dev_severities[] = {"ERROR", "WARNING", "INFO", NULL};
static const char *const semgrep_severities[] = {"ERROR", "WARNING", "INFO", "CRITICAL", "HIGH",
                                                 "MEDIUM", "LOW", NULL};
static const char *const tools[] = {"archunit", "semgrep", "openapi_diff", NULL};
/* Semgrep's language keys and aliases (semgrep-interfaces lang.json). */
static const char *const semgrep_languages[] = {
    "apex", "bash", "sh", "c", "cairo", "circom", "clojure", "cpp", "c++", "csharp", "c#",
    "dart", "dockerfile", "docker", "elixir", "ex", "generic", "go", "golang", "hack", "html",
    "java", "js", "javascript", "json", "jsonnet", "julia", "kotlin", "kt", "lisp", "lua",
    "move_on_aptos", "move_on_sui", "ocaml", "php", "promql", "proto", "protobuf", "proto3",
    "python", "python2", "python3", "py", "ql", "r", "regex", "none", "ruby", "rust", "scala",
    "scheme", "solidity", "sol", "swift", "terraform", "hcl", "ts", "typescript", "vue", "xml",
    "yaml", NULL,
};

static const struct sg_field scope_fields[] = {
    STRS("file_patterns", 0, ck_glob),
    STRS("package_patterns", 0, NULL),
    STRS("annotation_patterns", 0, NULL),
    END,
};

static const struct sg_field dependency_fields[] = {
    STRC("from", REQ | NE, NULL),
    STRC("to", REQ | NE, NULL),
    STRE("direction", REQ, directions),
    END,
};

static const struct sg_field validation_fields[] = {
    STRSE("http_methods", 0, http_methods),
    STRS("code_patterns", 0, ck_regex),
    OBJS("dependency_rules", 0, dependency_fields, NULL),
    END,
};

static const struct sg_field reference_fields[] = {
    STRC("confluence_url", 0, ck_url),
    STR("openapi_spec"),
    STRS("related_rules", 0, ck_rule_id),
    FREE("technical_specs", NULL),
    END,
};

static const struct sg_field reliability_fields[] = {
    INTR("total_score", 0, 100),
    STRE("extraction_method", 0, extraction_methods),
    INTR("extraction_score", 0, 100),
    INTR("completeness_score", 0, 100),
    INTR("gate_threshold", 0, 100),
    END,
};

static const struct sg_field example_fields[] = {
    STR("title"),
    STR("code"),
    STR("description"),
    END,
};

static const struct sg_field mdc_fields[] = {
    STR("title"),
    STR("description"),
    STR("rule_text"),
    OBJS("examples", 0, example_fields, NULL),
    OBJS("anti_examples", 0, example_fields, NULL),
    END,
};

static const struct sg_field naming_fields[] = {
    STRC("pattern", 0, ck_regex),
    STRS("examples", 0, NULL),
    END,
};

static const struct sg_field snippet_fields[] = {
    STR("class_template"),
    STR("method_template"),
    STR("annotation_template"),
    OBJ("variable_naming", 0, naming_fields, NULL),
    END,
};

static const struct sg_field guide_fields[] = {
    STR("violation_message"),
    STR("suggestion_message"),
    STR("warning_message"),
    STR("tip_message"),
    END,
};

static const struct sg_field detection_fields[] = {
    STRS("patterns", 0, ck_regex),
    STRE("severity", 0, dev_severities),
    STRS("fix_suggestions", 0, NULL),
    END,
};

static const struct sg_field devinfo_fields[] = {
    OBJ("mdc_template", 0, mdc_fields, NULL),
    OBJ("snippet_template", 0, snippet_fields, NULL),
    OBJ("realtime_guide", 0, guide_fields, NULL),
    OBJ("violation_detection", 0, detection_fields, NULL),
    END,
};

static const struct sg_field archunit_fields[] = {
    STRC("test_name", REQ, ck_java_ident),
    STRC("rule_definition", REQ, ck_archunit_expr),
    STRS("imports", 0, ck_java_import),
    END,
};

static const struct sg_field mvregex_fields[] = {
    STRC("metavariable", REQ, ck_metavariable),
    STRC("regex", REQ, ck_regex),
    END,
};

static const struct sg_field spattern_fields[] = {
    STRC("pattern", NE, NULL),
    STRC("pattern_not", NE, NULL),
    STRC("pattern_regex", NE, ck_regex),
    STRC("pattern_not_regex", NE, ck_regex),
    STRC("pattern_inside", NE, NULL),
    STRC("pattern_not_inside", NE, NULL),
    STRS("pattern_either", NE, NULL),
    OBJ("metavariable_regex", 0, mvregex_fields, NULL),
    STRC("message", NE, NULL),
    END,
};

static const struct sg_field semgrep_fields[] = {
    STRC("rule_id", REQ, ck_semgrep_id),
    OBJS("patterns", REQ | NE, spattern_fields, ok_semgrep_pattern),
    STRSE("languages", REQ | NE, semgrep_languages),
    STRE("severity", 0, semgrep_severities),
    STRC("message", NE, NULL),
    END,
};

static const struct sg_field oapi_flag_fields[] = {
    BOOL("no_breaking_changes"),
    BOOL("no_removed_endpoints"),
    BOOL("no_removed_parameters"),
    BOOL("no_type_changes"),
    END,
};

static const struct sg_field oapi_path_fields[] = {
    STRC("pattern", REQ, ck_api_path),
    OBJ("rules", REQ, oapi_flag_fields, NULL),
    END,
};

static const struct sg_field oapi_schema_fields[] = {
    BOOL("no_removed_properties"),
    BOOL("no_type_changes"),
    END,
};

static const struct sg_field oapi_component_fields[] = {
    OBJ("schemas", 0, oapi_schema_fields, NULL),
    END,
};

static const struct sg_field openapi_fields[] = {
    STRC("rule_name", REQ | NE, NULL),
    OBJS("paths", REQ | NE, oapi_path_fields, NULL),
    OBJ("components", 0, oapi_component_fields, NULL),
    END,
};

static const struct sg_field points_fields[] = {
    NUMR("MUST", 0, 100),
    NUMR("SHOULD", 0, 100),
    NUMR("MUST NOT", 0, 100),
    NUMR("MUST_NOT", 0, 100),
    END,
};

static const struct sg_field drift_fields[] = {
    NUMR("rule_weight", 0, 10),
    NUMR("area_weight", 0, 10),
    OBJ("violation_points", 0, points_fields, ok_points),
    END,
};

static const struct sg_field prcomment_fields[] = {
    STR("card_title"),
    STR("violation_summary"),
    STR("fix_guidance"),
    STR("code_example"),
    END,
};

static const struct sg_field conditional_fields[] = {
    STRS("file_patterns", 0, ck_glob),
    BOOL("language_detection"),
    END,
};

static const struct sg_field workflow_fields[] = {
    STRSE("enabled_tools", 0, tools),
    STRSE("execution_order", 0, tools),
    OBJ("conditional_execution", 0, conditional_fields, NULL),
    END,
};

static const struct sg_field ci_fields[] = {
    OBJ("archunit_rule", 0, archunit_fields, NULL),
    OBJ("semgrep_rule", 0, semgrep_fields, NULL),
    OBJ("openapi_rule", 0, openapi_fields, NULL),
    OBJ("drift_calculation", 0, drift_fields, NULL),
    OBJ("pr_comment", 0, prcomment_fields, NULL),
    OBJ("workflow_config", 0, workflow_fields, ok_workflow),
    END,
};

/* metadata is free-form (Dict[str, Any] in the original): known keys are typed. */
static const struct sg_field metadata_fields[] = {
    STRC("created_at", 0, ck_datetime),
    STRC("updated_at", 0, ck_datetime),
    STRC("version", 0, ck_semver),
    STR("author"),
    STRS("tags", 0, NULL),
    END,
};

const struct sg_field sg_rule_fields[] = {
    STR("$schema"),
    STRC("rule_id", REQ, ck_rule_id),
    STRC("priority", 0, ck_priority),
    STRC("rule_type", 0, ck_priority),
    STRC("area", REQ, ck_area),
    INTR("number", 1, 999999999),
    STRC("title", NE, NULL),
    STR("description"),
    {"scope", SG_FT_STRING_OR_OBJECT, 0, scope_fields, 0, 0, NULL, NULL, NULL},
    STR("reason"),
    STR("reference"),
    OBJ("validation_conditions", 0, validation_fields, NULL),
    OBJ("reference_info", 0, reference_fields, NULL),
    OBJ("reliability", 0, reliability_fields, NULL),
    OBJ("development_info", 0, devinfo_fields, NULL),
    OBJ("ci_info", 0, ci_fields, NULL),
    FREE("metadata", metadata_fields),
    END,
};

#define RULES(n) {n, SG_FT_RULE_ARRAY, 0, NULL, 0, 0, NULL, NULL, NULL}

const struct sg_field sg_list_doc_fields[] = {
    STR("$schema"),
    RULES("rules"),
    RULES("examples"),
    FREE("metadata", NULL),
    END,
};

const struct sg_field sg_design_doc_fields[] = {
    STR("$schema"),
    STRC("spec_id", REQ | NE, NULL),
    STRC("project_name", REQ | NE, NULL),
    STRC("document_type", REQ | NE, NULL),
    RULES("must_rules"),
    RULES("should_rules"),
    RULES("must_not_rules"),
    FREE("technical_specs", NULL),
    FREE("rule_spec_relations", NULL),
    FREE("metadata", NULL),
    END,
};
