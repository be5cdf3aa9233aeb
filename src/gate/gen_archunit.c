/*
 * ArchUnit generator: one JUnit 5 class per area (ApiDesignRulesTest,
 * ArchDesignRulesTest, ...) holding one @ArchTest field per rule that has
 * ci_info.archunit_rule. Per area rather than per rule keeps the number of
 * classes small and stable; the field name (test_name) is what JUnit reports,
 * and test names are unique across the rules file, so results map back.
 */
#include "gate/gen.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/str.h"
#include "gate/spec_check.h"
#include "core/banned.h"

#define JAVA_INDENT_EXPR "            "
#define JAVA_INDENT_CHAIN "                    "

static const char *const class_prefix[SG_AREA_COUNT] = {"Api", "Arch", "Sec", "Perf", "Data"};
static const char *const area_words[SG_AREA_COUNT] = {"API", "architecture", "security",
                                                      "performance", "data"};

static const char *const base_imports[] = {
    "com.tngtech.archunit.core.importer.ImportOption",
    "com.tngtech.archunit.junit.AnalyzeClasses",
    "com.tngtech.archunit.junit.ArchTest",
    "com.tngtech.archunit.lang.ArchRule",
    NULL,
};

struct strset {
    char **v;
    size_t n;
};

static void set_add(struct strset *s, const char *x)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i], x) == 0)
            return;
    }
    s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
    s->v[s->n++] = xstrdup(x);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_release(struct strset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

static json_t *archunit_block(const struct sg_rule *r)
{
    return json_object_get(json_object_get(r->json, "ci_info"), "archunit_rule");
}

/* Does the expression call name( without a qualifier (needs a static import)? */
static bool calls_unqualified(const char *expr, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = strstr(expr, name); p; p = strstr(p + 1, name)) {
        bool start_ok = p == expr || !(isalnum((unsigned char)p[-1]) || p[-1] == '_' ||
                                       p[-1] == '$' || p[-1] == '.');

        if (start_ok && p[n] == '(')
            return true;
    }
    return false;
}

/* Re-check what is pasted into Java: the loader did it already for rules it
 * loaded, but the generator is the last line before javac. */
static bool rule_ok(const struct sg_ruleset *set, const struct sg_rule *r, json_t *au,
                    struct rig_errlist *errs)
{
    const char *name = json_string_value(json_object_get(au, "test_name"));
    const char *def = json_string_value(json_object_get(au, "rule_definition"));
    json_t *imports = json_object_get(au, "imports");
    char why[256];
    size_t i;
    json_t *im;
    bool ok = true;

    if (!name || !sg_check_java_identifier(name, why, sizeof(why))) {
        sg_gen_error(errs, set, r, "ci_info/archunit_rule/test_name", "%s",
                     name ? why : "test_name is missing");
        ok = false;
    }
    if (!def || !sg_check_archunit_expr(def, why, sizeof(why))) {
        sg_gen_error(errs, set, r, "ci_info/archunit_rule/rule_definition", "%s",
                     def ? why : "rule_definition is missing");
        ok = false;
    }
    json_array_foreach(imports, i, im) {
        const char *s = json_string_value(im);

        if (!s || !sg_check_java_import(s, why, sizeof(why))) {
            sg_gen_error(errs, set, r, "ci_info/archunit_rule/imports", "%s",
                         s ? why : "imports must be strings");
            ok = false;
        }
    }
    return ok;
}

/* Lay the chain out like hand-written ArchUnit: a new line before each
 * .should()/.andShould()/.orShould()/.because() at nesting depth 0. */
static void emit_expr(struct rig_buf *b, const char *def)
{
    static const char *const breaks[] = {".should(", ".andShould(", ".orShould(", ".because(",
                                         NULL};
    int depth = 0;
    const char *p = def;

    while (isspace((unsigned char)*p))
        p++;
    for (; *p; p++) {
        if (*p == '"' || *p == '\'') {
            char q = *p;

            rig_buf_addch(b, *p++);
            while (*p && *p != q) {
                if (*p == '\\' && p[1])
                    rig_buf_addch(b, *p++);
                rig_buf_addch(b, *p++);
            }
            if (*p)
                rig_buf_addch(b, *p);
            else
                break;
            continue;
        }
        if (*p == '\r')
            continue;
        if (*p == '\n') {
            while (isspace((unsigned char)p[1]))
                p++;
            rig_buf_addf(b, "\n%s", JAVA_INDENT_CHAIN);
            continue;
        }
        if (*p == '(' || *p == '[')
            depth++;
        else if (*p == ')' || *p == ']')
            depth--;
        if (depth == 0 && *p == '.') {
            for (size_t k = 0; breaks[k]; k++) {
                if (rig_str_startswith(p, breaks[k]) && b->len &&
                    b->data[b->len - 1] != ' ') {
                    rig_buf_addf(b, "\n%s", JAVA_INDENT_CHAIN);
                    break;
                }
            }
        }
        rig_buf_addch(b, *p);
    }
    while (b->len && isspace((unsigned char)b->data[b->len - 1]))
        b->data[--b->len] = '\0';
}

static void emit_header(struct rig_buf *b, const struct sg_gen_opts *o, enum sg_area area,
                        struct strset *imports, struct strset *statics)
{
    rig_buf_adds(b, "// " SG_GEN_MARKER "\n// Source: ");
    sg_gen_comment_text(b, o->rules_path, true);
    rig_buf_addf(b, " (area %s). Regenerate with\n//   specgate tests generate --rules ",
                 sg_area_name(area));
    sg_gen_comment_text(b, o->rules_path, true);
    rig_buf_addf(b, "\npackage %s;\n\n", o->java_package);
    qsort(imports->v, imports->n, sizeof(*imports->v), cmp_str);
    qsort(statics->v, statics->n, sizeof(*statics->v), cmp_str);
    for (size_t i = 0; i < imports->n; i++)
        rig_buf_addf(b, "import %s;\n", imports->v[i]);
    rig_buf_adds(b, "\n");
    for (size_t i = 0; i < statics->n; i++)
        rig_buf_addf(b, "import static %s;\n", statics->v[i]);
    rig_buf_addf(b,
                 "\n/**\n * ArchUnit checks of the %s design rules (DesignRuleSpec).\n */\n"
                 "@AnalyzeClasses(packages = \"%s\", importOptions = "
                 "ImportOption.DoNotIncludeTests.class)\n"
                 "public class %sDesignRulesTest {\n",
                 area_words[area], o->analyze_package, class_prefix[area]);
}

static void emit_field(struct rig_buf *b, const struct sg_rule *r, json_t *au)
{
    rig_buf_addf(b, "\n    // %s (%s): ", r->id, sg_priority_name(r->priority));
    sg_gen_comment_text(b, r->title, true);
    rig_buf_addf(b, "\n    @ArchTest\n    static final ArchRule %s =\n%s",
                 json_string_value(json_object_get(au, "test_name")), JAVA_INDENT_EXPR);
    emit_expr(b, json_string_value(json_object_get(au, "rule_definition")));
    rig_buf_adds(b, ";\n");
}

static void gen_area(const struct sg_ruleset *set, const struct sg_gen_opts *o, enum sg_area area,
                     const bool *take, struct sg_gen_result *res)
{
    struct strset imports = {NULL, 0}, statics = {NULL, 0};
    struct rig_buf body = RIG_BUF_INIT, out = RIG_BUF_INIT;
    const char **ids = xcalloc(set->n + 1, sizeof(*ids));
    size_t nids = 0;
    char *pkgdir;

    for (size_t i = 0; base_imports[i]; i++)
        set_add(&imports, base_imports[i]);
    set_add(&statics, "com.tngtech.archunit.lang.syntax.ArchRuleDefinition.*");
    for (size_t i = 0; i < set->n; i++) {
        const struct sg_rule *r = &set->rules[i];
        json_t *au = archunit_block(r);
        const char *def;
        size_t k;
        json_t *im;

        if (!take[i] || r->area != area)
            continue;
        def = json_string_value(json_object_get(au, "rule_definition"));
        json_array_foreach(json_object_get(au, "imports"), k, im) {
            const char *s = json_string_value(im);

            if (rig_str_startswith(s, "static "))
                set_add(&statics, s + 7);
            else
                set_add(&imports, s);
        }
        if (calls_unqualified(def, "layeredArchitecture") ||
            calls_unqualified(def, "onionArchitecture"))
            set_add(&statics, "com.tngtech.archunit.library.Architectures.*");
        emit_field(&body, r, au);
        ids[nids++] = r->id;
    }
    emit_header(&out, o, area, &imports, &statics);
    rig_buf_adds(&out, rig_buf_str(&body));
    rig_buf_adds(&out, "}\n");
    pkgdir = xstrdup(o->java_package);
    for (char *p = pkgdir; *p; p++) {
        if (*p == '.')
            *p = '/';
    }
    sg_gen_add_file(res, SG_GEN_ARCHUNIT,
                    xasprintf("archtest/%s/%sDesignRulesTest.java", pkgdir, class_prefix[area]),
                    rig_buf_take(&out), ids, nids);
    free(pkgdir);
    free(ids);
    rig_buf_release(&body);
    set_release(&imports);
    set_release(&statics);
}

int sg_gen_archunit(const struct sg_ruleset *set, const struct sg_gen_opts *o,
                    struct sg_gen_result *res, struct rig_errlist *errs)
{
    bool *take = xcalloc(set->n + 1, sizeof(*take));
    size_t per_area[SG_AREA_COUNT] = {0};
    int rc = 0;

    if (!sg_check_java_package(o->java_package) || !sg_check_java_package(o->analyze_package)) {
        free(take);
        return rig_errlist_addf(errs, RIG_EINVAL, NULL, 0, 0,
                                "invalid Java package \"%s\" / \"%s\": use dotted identifiers "
                                "such as com.example.arch",
                                o->java_package, o->analyze_package);
    }
    for (size_t i = 0; i < set->n; i++) {
        const struct sg_rule *r = &set->rules[i];
        json_t *au = archunit_block(r);

        if (!au) {
            sg_gen_add_skip(res, SG_GEN_ARCHUNIT, r->id, "no ci_info.archunit_rule");
        } else if (sg_gen_tool_disabled(r, "archunit")) {
            sg_gen_add_skip(res, SG_GEN_ARCHUNIT, r->id,
                            "\"archunit\" is not in ci_info.workflow_config.enabled_tools");
        } else if (!rule_ok(set, r, au, errs)) {
            rc = -1;
        } else {
            take[i] = true;
            per_area[r->area]++;
        }
    }
    if (rc == 0) {
        for (int a = 0; a < SG_AREA_COUNT; a++) {
            if (per_area[a])
                gen_area(set, o, (enum sg_area)a, take, res);
        }
    }
    free(take);
    return rc;
}
