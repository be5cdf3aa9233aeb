/*
 * JUnit XML (Gradle, Maven Surefire/Failsafe) with ArchUnit failures -> findings.
 *
 * An ArchUnit failure reads
 *   Architecture Violation [Priority: MEDIUM] - Rule '<description, maybe
 *   several lines>' was violated (N times):
 *   <violation> in (File.java:42)
 *   ...
 * followed in the element text by the stack trace. Every violation line is a
 * finding; "File.java" is only the simple source file name, so the package of
 * the class named in the line is used to rebuild the repository path.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"
#include "gate/inputs.h"
#include "gate/xml.h"
#include "core/banned.h"

static const char *const default_roots[] = {"src/main/java", "src/test/java", NULL};

struct junit_ctx {
    const char *name;
    const struct sg_ruleset *rules;
    const struct sg_input_opts *opts;
    struct sg_findings *out;
};

/* "a.b.Outer$Inner" from the first <...> of a violation line, or NULL. */
static char *origin_class(const char *line)
{
    static const char *const kinds[] = {"Class <", "Interface <", "Enum <", "Record <",
                                        "Method <", "Field <", "Constructor <", NULL};
    const char *p = NULL, *e;
    int kind = -1;
    char *cls;

    for (int i = 0; kinds[i]; i++) {
        const char *q = strstr(line, kinds[i]);

        if (q && (!p || q < p)) {
            p = q + strlen(kinds[i]);
            kind = i;
        }
    }
    if (!p)
        return NULL;
    e = p + strcspn(p, "(>");
    if (e == p)
        return NULL;
    cls = xstrndup(p, (size_t)(e - p));
    if (kind >= 4) { /* a member: drop ".member" (".<init" for constructors) */
        char *dot = strrchr(cls, '.');

        if (dot)
            *dot = '\0';
    }
    cls[strcspn(cls, "$<")] = '\0';
    return cls;
}

static bool file_exists(const char *base, const char *rel)
{
    char *p = xasprintf("%s/%s", base ? base : ".", rel);
    bool ok = access(p, F_OK) == 0;

    free(p);
    return ok;
}

/* Repository path for a violation in source file `file` of class cls. */
static char *resolve_path(const struct junit_ctx *c, const char *cls, const char *file)
{
    const char *const *roots = c->opts && c->opts->source_roots ? c->opts->source_roots
                                                                 : default_roots;
    const char *base = c->opts ? c->opts->base_dir : NULL;
    char *pkg_path, *cand;
    const char *dot = cls ? strrchr(cls, '.') : NULL;

    if (!dot)
        pkg_path = xstrdup(file);
    else {
        struct rig_buf b = RIG_BUF_INIT;

        for (const char *p = cls; p < dot; p++)
            rig_buf_addch(&b, *p == '.' ? '/' : *p);
        rig_buf_addf(&b, "/%s", file);
        pkg_path = rig_buf_take(&b);
    }
    for (size_t i = 0; roots[i]; i++) {
        cand = xasprintf("%s/%s", roots[i], pkg_path);
        if (file_exists(base, cand)) {
            free(pkg_path);
            return cand;
        }
        free(cand);
    }
    /* Not found under a root (e.g. scored away from the checkout): the
     * package path still names the file unambiguously. */
    return pkg_path;
}

/* Parse " in (File.java:42)" at the end of line; file/line out. */
static bool violation_location(const char *line, char **file, int *lineno)
{
    const char *open = NULL, *q = line, *colon, *close;
    long long v;
    char *num;
    bool ok;

    while ((q = strstr(q, " in (")) != NULL) {
        open = q;
        q += 5;
    }
    if (!open)
        return false;
    open += 5;
    close = strchr(open, ')');
    if (!close)
        return false;
    for (const char *t = close + 1; *t; t++) {
        if (!isspace((unsigned char)*t))
            return false;
    }
    colon = memchr(open, ':', (size_t)(close - open));
    if (!colon || colon == open || memchr(open, '(', (size_t)(close - open)))
        return false;
    num = xstrndup(colon + 1, (size_t)(close - colon - 1));
    ok = rig_str_to_ll(num, 0, 100000000, &v) == 0;
    free(num);
    if (!ok)
        return false;
    *file = xstrndup(open, (size_t)(colon - open));
    *lineno = (int)v;
    return true;
}

static const struct sg_rule *map_test(const struct junit_ctx *c, const char *test,
                                      const char *message)
{
    const struct sg_rule *best = NULL;
    const char *best_at = NULL;

    for (size_t i = 0; c->rules && i < c->rules->n; i++) {
        const char *tn = sg_rule_str(&c->rules->rules[i], "ci_info.archunit_rule.test_name");

        if (tn && test && strcmp(tn, test) == 0)
            return &c->rules->rules[i];
    }
    /* A rule id in the text (e.g. from .because("RULE-ARCH-001")); the first
     * one mentioned wins, with a word boundary so RULE-A-1 is not RULE-A-10. */
    for (size_t i = 0; c->rules && i < c->rules->n; i++) {
        const char *id = c->rules->rules[i].id;
        size_t m = id ? strlen(id) : 0;

        for (const char *p = message; m && (p = strstr(p, id)) != NULL; p++) {
            bool left = p == message || !(isalnum((unsigned char)p[-1]) || p[-1] == '-');
            bool right = !(isalnum((unsigned char)p[m]) || p[m] == '-' || p[m] == '_');

            if (left && right) {
                if (!best_at || p < best_at) {
                    best = &c->rules->rules[i];
                    best_at = p;
                }
                break;
            }
        }
    }
    return best;
}

/* The failure text without the exception class prefix and the stack trace. */
static char *failure_message(const struct sg_xml_node *fail)
{
    const char *src = fail->text;
    const char *p, *msg_attr = sg_xml_attr(fail, "message");
    struct rig_buf b = RIG_BUF_INIT;
    size_t n;

    for (p = src; *p && isspace((unsigned char)*p); p++)
        ;
    if (!*p)
        src = msg_attr ? msg_attr : "";
    else
        src = p;
    /* "java.lang.AssertionError: ..." (Gradle's attribute, both texts). */
    n = strspn(src, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.$");
    if (n && src[n] == ':' && src[n + 1] == ' ' && memchr(src, '.', n))
        src += n + 2;
    for (p = src; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *t = p;

        while (t < p + len && (*t == ' ' || *t == '\t'))
            t++;
        if (t > p && rig_str_startswith(t, "at ") && p != src)
            break;
        rig_buf_add(&b, p, len);
        rig_buf_addch(&b, '\n');
        p = eol ? eol + 1 : p + len;
    }
    return rig_buf_take(&b);
}

static void add_violation(const struct junit_ctx *c, const struct sg_rule *rule,
                          const char *check_id, const char *text)
{
    char *file = NULL, *cls = NULL, *path = NULL;
    int lineno = 0;

    cls = origin_class(text);
    if (violation_location(text, &file, &lineno))
        path = resolve_path(c, cls, file);
    else if (cls) {
        char *simple = xasprintf("%s.java", strrchr(cls, '.') ? strrchr(cls, '.') + 1 : cls);

        path = resolve_path(c, cls, simple);
        free(simple);
    }
    sg_findings_add(c->out, SG_TOOL_ARCHUNIT, rule ? rule->id : NULL, check_id, path, lineno,
                    text, c->name);
    free(file);
    free(cls);
    free(path);
}

static void read_failure(const struct junit_ctx *c, const char *test, const char *check_id,
                         const struct sg_xml_node *fail)
{
    char *msg = failure_message(fail);
    const struct sg_rule *rule = map_test(c, test, msg);
    const char *body = msg, *hdr = strstr(msg, "Architecture Violation [");
    size_t count = 0;

    if (strstr(msg, "failed to check any classes")) {
        /* failOnEmptyShould: the rule matched no classes, so nothing was
         * checked. That is a broken check, not drift. */
        char *m = xasprintf("%s: %.*s", check_id, (int)strcspn(msg, "\n"), msg);

        sg_findings_add_error(c->out, SG_TOOL_ARCHUNIT, true, "error", "empty-should", m, NULL,
                              c->name);
        free(m);
        free(msg);
        return;
    }
    if (hdr) {
        /* The description may span lines: the list starts after "times):". */
        const char *end = strstr(hdr, " was violated (");

        end = end ? strstr(end, "):") : NULL;
        body = end ? end + 2 : hdr + strcspn(hdr, "\n");
    }
    for (const char *p = body; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *line = xstrndup(p, len);

        rig_str_trim(line);
        if (*line) {
            add_violation(c, rule, check_id, line);
            count++;
        }
        free(line);
        p = eol ? eol + 1 : p + len;
    }
    if (!count) {
        /* A failure without a violation list (a plain assertion in the test
         * class): still one violation of the rule, without a location. */
        char *first = xstrndup(msg, strcspn(msg, "\n"));

        sg_findings_add(c->out, SG_TOOL_ARCHUNIT, rule ? rule->id : NULL, check_id, NULL, 0,
                        *first ? first : "test failed", c->name);
        free(first);
    }
    free(msg);
}

static void read_testcase(const struct junit_ctx *c, const struct sg_xml_node *tc)
{
    const char *test = sg_xml_attr(tc, "name");
    const char *cls = sg_xml_attr(tc, "classname");
    char *check_id = xasprintf("%s%s%s", cls ? cls : "", cls ? "." : "", test ? test : "?");

    for (size_t i = 0; i < tc->nchildren; i++) {
        const struct sg_xml_node *k = tc->children[i];

        if (strcmp(k->name, "failure") == 0) {
            read_failure(c, test, check_id, k);
        } else if (strcmp(k->name, "error") == 0) {
            /* The test crashed (class import failed, ...): the rule was not checked. */
            const char *m = sg_xml_attr(k, "message");
            const char *type = sg_xml_attr(k, "type");
            char *text = xasprintf("%s: %s%s%s", check_id, type ? type : "error",
                                   m ? ": " : "", m ? m : "");

            sg_findings_add_error(c->out, SG_TOOL_ARCHUNIT, true, "error", "test-error", text,
                                  NULL, c->name);
            free(text);
        }
    }
    free(check_id);
}

static void walk(const struct junit_ctx *c, const struct sg_xml_node *n)
{
    for (size_t i = 0; i < n->nchildren; i++) {
        const struct sg_xml_node *k = n->children[i];

        if (strcmp(k->name, "testcase") == 0)
            read_testcase(c, k);
        else if (strcmp(k->name, "testsuite") == 0 || strcmp(k->name, "testsuites") == 0)
            walk(c, k);
    }
}

int sg_junit_parse(const char *name, const char *text, size_t len,
                   const struct sg_ruleset *rules, const struct sg_input_opts *opts,
                   struct sg_findings *out, struct rig_err *err)
{
    struct sg_xml_limits lim = {opts ? opts->xml_max_depth : 0, 0, 0};
    struct sg_xml_node *root = NULL;
    struct junit_ctx c = {name, rules, opts, out};

    if (sg_xml_parse(name, text, len, &lim, &root, err) < 0)
        return -1;
    if (strcmp(root->name, "testsuite") != 0 && strcmp(root->name, "testsuites") != 0) {
        rig_err_at(err, RIG_EINVAL, name, root->line, 0,
                   "root element is <%s>, expected <testsuite> or <testsuites> (a JUnit XML "
                   "report such as build/test-results/test/TEST-*.xml)", root->name);
        sg_xml_free(root);
        return -1;
    }
    if (strcmp(root->name, "testsuite") == 0) {
        struct sg_xml_node wrap = {0};
        struct sg_xml_node *kids[1] = {root};

        wrap.children = kids;
        wrap.nchildren = 1;
        walk(&c, &wrap);
    } else {
        walk(&c, root);
    }
    sg_xml_free(root);
    return 0;
}
