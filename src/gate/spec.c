/*
 * DesignRuleSpec loading: read, parse (jansson, duplicate keys rejected),
 * recognise one of the three input shapes, validate every rule against the
 * field tables (spec_fields.c), run the cross-rule checks, then locate every
 * problem in the text (jsonpos.c) and report them in source order.
 */
#include "gate/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "gate/jsonpos.h"
#include "gate/spec_check.h"
#include "gate/spec_int.h"
#include "core/banned.h"

/* A rule candidate found in the document, before validation. */
struct cand {
    json_t *obj;
    char *pointer;
    int list_priority;  /* priority implied by must_rules/... (-1: none) */
    bool design_doc;    /* shape (c): title may fall back to description */
};

struct loader {
    const char *name;
    struct sg_vctx vc;
    struct cand *c;
    size_t n, cap;
    const char **ids; /* sorted rule ids (borrowed) */
    size_t nids;
};

static const char *const list_names[SG_PRIORITY_COUNT] = {"must_rules", "should_rules",
                                                           "must_not_rules"};

/* ---- names ------------------------------------------------------------------ */

const char *sg_priority_name(enum sg_priority p)
{
    switch (p) {
    case SG_MUST: return "MUST";
    case SG_SHOULD: return "SHOULD";
    case SG_MUST_NOT: return "MUST NOT";
    default: return "?";
    }
}

const char *sg_area_name(enum sg_area a)
{
    static const char *const names[SG_AREA_COUNT] = {"API", "ARCH", "SEC", "PERF", "DATA"};

    return (unsigned)a < SG_AREA_COUNT ? names[a] : "?";
}

int sg_area_parse(const char *s, enum sg_area *out)
{
    static const struct {
        const char *name;
        enum sg_area area;
    } aliases[] = {
        {"api", SG_AREA_API},          {"arch", SG_AREA_ARCH},
        {"architecture", SG_AREA_ARCH}, {"sec", SG_AREA_SEC},
        {"security", SG_AREA_SEC},      {"perf", SG_AREA_PERF},
        {"performance", SG_AREA_PERF},  {"data", SG_AREA_DATA},
        /* the Korean labels of the original documents */
        {"아키텍처", SG_AREA_ARCH},     {"보안", SG_AREA_SEC},
        {"성능", SG_AREA_PERF},         {"데이터", SG_AREA_DATA},
    };

    if (!s)
        return -1;
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        if (strcasecmp(s, aliases[i].name) == 0) {
            *out = aliases[i].area;
            return 0;
        }
    }
    return -1;
}

int sg_priority_parse(const char *s, enum sg_priority *out)
{
    if (!s)
        return -1;
    if (strcasecmp(s, "MUST") == 0) {
        *out = SG_MUST;
        return 0;
    }
    if (strcasecmp(s, "SHOULD") == 0) {
        *out = SG_SHOULD;
        return 0;
    }
    /* "MUST NOT" is the documented spelling; MUST_NOT and MUST-NOT are common
     * in machine-written files (enum names, slugs) */
    if (strlen(s) == 8 && strncasecmp(s, "MUST", 4) == 0 &&
        (s[4] == ' ' || s[4] == '_' || s[4] == '-') && strcasecmp(s + 5, "NOT") == 0) {
        *out = SG_MUST_NOT;
        return 0;
    }
    return -1;
}

bool sg_err_is_warning(const struct rig_err *e)
{
    /* errors carry RIG_ECONFIG/RIG_EIO/RIG_ETOOBIG; the text marks it for people */
    return e->code == RIG_EGENERIC && strstr(e->msg, ": warning: ") != NULL;
}

/* ---- collecting rule objects -------------------------------------------------- */

static void add_cand(struct loader *l, json_t *obj, const char *pointer, int prio, bool doc)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->c = xreallocarray(l->c, l->cap, sizeof(*l->c));
    }
    l->c[l->n].obj = obj;
    l->c[l->n].pointer = xstrdup(pointer);
    l->c[l->n].list_priority = prio;
    l->c[l->n].design_doc = doc;
    l->n++;
}

static void collect_array(struct loader *l, json_t *root, const char *key, int prio, bool doc)
{
    json_t *arr = json_object_get(root, key);
    char *ptr;
    size_t i;
    json_t *el;

    if (!json_is_array(arr))
        return; /* absent, or reported as a type error by the table */
    ptr = sg_jsonpos_child("", key);
    json_array_foreach(arr, i, el) {
        char *eptr = sg_jsonpos_index(ptr, i);

        if (json_is_object(el))
            add_cand(l, el, eptr, prio, doc);
        else
            sg_vctx_error(&l->vc, eptr, "a rule must be an object, got %s",
                          json_is_array(el) ? "an array" : "a scalar value");
        free(eptr);
    }
    free(ptr);
}

static bool has_any(json_t *root, const char *const *keys)
{
    for (size_t i = 0; keys[i]; i++) {
        if (json_object_get(root, keys[i]))
            return true;
    }
    return false;
}

static void collect(struct loader *l, json_t *root)
{
    static const char *const doc_keys[] = {"must_rules", "should_rules", "must_not_rules",
                                           "spec_id", "project_name", "document_type", NULL};
    static const char *const list_keys[] = {"rules", "examples", NULL};

    if (!json_is_object(root)) {
        sg_vctx_error(&l->vc, "",
                      "expected an object (a single rule, {\"rules\": [...]}, or a design "
                      "document with must_rules/should_rules/must_not_rules), got %s",
                      json_is_array(root) ? "an array: wrap it as {\"rules\": [...]}"
                                          : "a scalar value");
        return;
    }
    if (has_any(root, list_keys)) {
        if (json_object_get(root, "rules") && json_object_get(root, "examples"))
            sg_vctx_error(&l->vc, "", "give either \"rules\" or \"examples\", not both");
        sg_validate_object(&l->vc, "", root, sg_list_doc_fields, false);
        collect_array(l, root, "rules", -1, false);
        collect_array(l, root, "examples", -1, false);
    } else if (has_any(root, doc_keys)) {
        sg_validate_object(&l->vc, "", root, sg_design_doc_fields, false);
        for (int p = 0; p < SG_PRIORITY_COUNT; p++)
            collect_array(l, root, list_names[p], p, true);
    } else if (json_object_get(root, "rule_id")) {
        add_cand(l, root, "", -1, false);
    } else {
        sg_vctx_error(&l->vc, "",
                      "not a DesignRuleSpec: expected \"rule_id\" (a single rule), \"rules\" or "
                      "\"examples\" (a list of rules), or must_rules/should_rules/must_not_rules "
                      "(a design document)");
        return;
    }
    if (l->n == 0 && l->vc.nerrors == 0)
        sg_vctx_error(&l->vc, "", "the document contains no rules");
}

/* ---- per-rule checks beyond the field table ------------------------------------- */

static void check_priority(struct loader *l, const struct cand *c)
{
    const char *pr = json_string_value(json_object_get(c->obj, "priority"));
    const char *rt = json_string_value(json_object_get(c->obj, "rule_type"));
    enum sg_priority a, b;
    bool ha = pr && sg_priority_parse(pr, &a) == 0;
    bool hb = rt && sg_priority_parse(rt, &b) == 0;
    char *ptr;

    if (!json_object_get(c->obj, "priority") && !json_object_get(c->obj, "rule_type")) {
        if (c->list_priority < 0)
            sg_vctx_error(&l->vc, c->pointer,
                          "missing required field \"priority\" (MUST, SHOULD or MUST NOT)");
        return;
    }
    if (ha && hb && a != b) {
        ptr = sg_jsonpos_child(c->pointer, "rule_type");
        sg_vctx_error(&l->vc, ptr, "rule_type \"%s\" contradicts priority \"%s\"", rt, pr);
        free(ptr);
    }
    if (c->list_priority >= 0 && (ha || hb) && (ha ? a : b) != (enum sg_priority)c->list_priority) {
        ptr = sg_jsonpos_child(c->pointer, ha ? "priority" : "rule_type");
        sg_vctx_error(&l->vc, ptr, "\"%s\" contradicts the list the rule is in (%s holds %s rules)",
                      ha ? pr : rt, list_names[c->list_priority],
                      sg_priority_name((enum sg_priority)c->list_priority));
        free(ptr);
    }
}

static void check_title_number(struct loader *l, const struct cand *c)
{
    json_t *num = json_object_get(c->obj, "number");
    const char *id = json_string_value(json_object_get(c->obj, "rule_id"));

    if (!json_object_get(c->obj, "title")) {
        if (!c->design_doc)
            sg_vctx_error(&l->vc, c->pointer, "missing required field \"title\"");
        else if (!json_is_string(json_object_get(c->obj, "description")))
            sg_vctx_error(&l->vc, c->pointer,
                          "missing \"title\" and \"description\": a rule needs one of them");
    }
    if (json_is_integer(num) && id && sg_check_rule_id(id)) {
        long long want = strtoll(strrchr(id, '-') + 1, NULL, 10);

        if (json_integer_value(num) != want) {
            char *ptr = sg_jsonpos_child(c->pointer, "number");

            sg_vctx_error(&l->vc, ptr, "\"number\" is %lld but rule_id %s ends in %lld",
                          json_integer_value(num), id, want);
            free(ptr);
        }
    }
}

/* A tool enabled in workflow_config without its ci_info block does nothing. */
static void check_tools(struct loader *l, const struct cand *c)
{
    static const struct {
        const char *tool, *block;
    } need[] = {{"archunit", "archunit_rule"},
                {"semgrep", "semgrep_rule"},
                {"openapi_diff", "openapi_rule"}};
    json_t *ci = json_object_get(c->obj, "ci_info");
    json_t *wf = json_object_get(ci, "workflow_config");
    json_t *enabled = json_object_get(wf, "enabled_tools");
    size_t i;
    json_t *t;

    if (!json_is_object(ci) || !json_is_array(enabled))
        return;
    json_array_foreach(enabled, i, t) {
        for (size_t k = 0; k < sizeof(need) / sizeof(need[0]); k++) {
            if (rig_str_eq(json_string_value(t), need[k].tool) &&
                !json_object_get(ci, need[k].block)) {
                char *p1 = sg_jsonpos_child(c->pointer, "ci_info");
                char *p2 = sg_jsonpos_child(p1, "workflow_config");
                char *p3 = sg_jsonpos_child(p2, "enabled_tools");
                char *p4 = sg_jsonpos_index(p3, i);

                sg_vctx_warn(&l->vc, p4, "tool \"%s\" is enabled but ci_info has no \"%s\"",
                             need[k].tool, need[k].block);
                free(p1);
                free(p2);
                free(p3);
                free(p4);
            }
        }
    }
}

/* ---- cross-rule checks ---------------------------------------------------------- */

static json_t *dig(json_t *obj, const char *a, const char *b, const char *c)
{
    json_t *v = json_object_get(obj, a);

    if (v && b)
        v = json_object_get(v, b);
    if (v && c)
        v = json_object_get(v, c);
    return v;
}

struct keyed {
    const char *value;
    size_t index;
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *ka = a, *kb = b;
    int c = strcmp(ka->value, kb->value);

    if (c)
        return c;
    return ka->index < kb->index ? -1 : ka->index > kb->index;
}

/* Values that must be unique across the file: rule ids, ArchUnit test names
 * (they map JUnit results back to rules) and Semgrep rule ids. Sorted, so a
 * file with a hundred thousand rules costs n log n, not n^2. */
static void check_unique(struct loader *l, const char *what, const char *a, const char *b,
                         const char *c, const char *sub)
{
    struct keyed *k = xcalloc(l->n + 1, sizeof(*k));
    size_t n = 0;

    for (size_t i = 0; i < l->n; i++) {
        const char *v = json_string_value(dig(l->c[i].obj, a, b, c));

        if (v) {
            k[n].value = v;
            k[n].index = i;
            n++;
        }
    }
    qsort(k, n, sizeof(*k), cmp_keyed);
    for (size_t i = 1; i < n; i++) {
        size_t first = i - 1;
        char *ptr;

        if (strcmp(k[i].value, k[i - 1].value) != 0)
            continue;
        while (first > 0 && strcmp(k[first - 1].value, k[i].value) == 0)
            first--;
        ptr = xasprintf("%s/%s", l->c[k[i].index].pointer, sub);
        sg_vctx_error(&l->vc, ptr, "duplicate %s \"%s\" (first used by the rule at %s)", what,
                      k[i].value,
                      l->c[k[first].index].pointer[0] ? l->c[k[first].index].pointer : "(root)");
        free(ptr);
    }
    free(k);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted rule ids for known_rule(). */
static void index_ids(struct loader *l)
{
    l->ids = xcalloc(l->n + 1, sizeof(*l->ids));
    l->nids = 0;
    for (size_t i = 0; i < l->n; i++) {
        const char *id = json_string_value(json_object_get(l->c[i].obj, "rule_id"));

        if (id)
            l->ids[l->nids++] = id;
    }
    qsort(l->ids, l->nids, sizeof(*l->ids), cmp_str);
}

static bool known_rule(const struct loader *l, const char *id)
{
    return bsearch(&id, l->ids, l->nids, sizeof(*l->ids), cmp_str) != NULL;
}

static void check_related(struct loader *l)
{
    for (size_t i = 0; i < l->n; i++) {
        json_t *rel = dig(l->c[i].obj, "reference_info", "related_rules", NULL);
        size_t k;
        json_t *v;

        if (!json_is_array(rel))
            continue;
        json_array_foreach(rel, k, v) {
            const char *id = json_string_value(v);

            if (id && sg_check_rule_id(id) && !known_rule(l, id)) {
                char *ptr = xasprintf("%s/reference_info/related_rules/%zu", l->c[i].pointer, k);

                sg_vctx_warn(&l->vc, ptr, "related rule %s is not defined in this file", id);
                free(ptr);
            }
        }
    }
}

static void check_relations(struct loader *l, json_t *root)
{
    json_t *rel = json_object_get(root, "rule_spec_relations");
    const char *key;
    json_t *val;

    if (!json_is_object(rel) || !json_object_get(root, "spec_id"))
        return;
    json_object_foreach(rel, key, val) {
        char *base = sg_jsonpos_child("/rule_spec_relations", key);

        if (!sg_check_rule_id(key))
            sg_vctx_error_key(&l->vc, base, "\"%s\" is not a rule id (RULE-<AREA>-<NUMBER>)", key);
        else if (!known_rule(l, key))
            sg_vctx_warn(&l->vc, base, "relation for %s, which is not defined in this file", key);
        if (!json_is_array(val)) {
            sg_vctx_error(&l->vc, base, "relations of %s must be an array of strings", key);
        } else {
            for (size_t i = 0; i < json_array_size(val); i++) {
                if (!json_is_string(json_array_get(val, i))) {
                    char *ptr = sg_jsonpos_index(base, i);

                    sg_vctx_error(&l->vc, ptr, "a relation must be a string");
                    free(ptr);
                }
            }
        }
        free(base);
    }
}

/* ---- building the result ---------------------------------------------------------- */

static double num_or(json_t *v, bool *has)
{
    *has = json_is_number(v);
    return *has ? json_number_value(v) : 0.0;
}

static void fill_rule(struct sg_rule *r, const struct cand *c, int line)
{
    json_t *o = c->obj;
    json_t *drift = dig(o, "ci_info", "drift_calculation", NULL);
    json_t *pts = json_object_get(drift, "violation_points");
    json_t *v;
    const char *title = json_string_value(json_object_get(o, "title"));
    const char *desc = json_string_value(json_object_get(o, "description"));
    const char *prio = json_string_value(json_object_get(o, "priority"));

    memset(r, 0, sizeof(*r));
    r->id = xstrdup(json_string_value(json_object_get(o, "rule_id")));
    if (!prio)
        prio = json_string_value(json_object_get(o, "rule_type"));
    if (!prio || sg_priority_parse(prio, &r->priority) < 0)
        r->priority = (enum sg_priority)c->list_priority;
    sg_area_parse(json_string_value(json_object_get(o, "area")), &r->area);
    r->title = xstrdup(title ? title : desc);
    r->description = xstrdup(desc ? desc : "");
    v = dig(o, "reliability", "total_score", NULL);
    r->confidence = json_is_integer(v) ? (int)json_integer_value(v) : -1;
    v = dig(o, "reliability", "gate_threshold", NULL);
    r->gate_threshold = json_is_integer(v) ? (int)json_integer_value(v) : -1;
    r->rule_weight = num_or(json_object_get(drift, "rule_weight"), &r->has_rule_weight);
    r->area_weight = num_or(json_object_get(drift, "area_weight"), &r->has_area_weight);
    r->points[SG_MUST] = num_or(json_object_get(pts, "MUST"), &r->has_points[SG_MUST]);
    r->points[SG_SHOULD] = num_or(json_object_get(pts, "SHOULD"), &r->has_points[SG_SHOULD]);
    v = json_object_get(pts, "MUST NOT");
    if (!v)
        v = json_object_get(pts, "MUST_NOT");
    r->points[SG_MUST_NOT] = num_or(v, &r->has_points[SG_MUST_NOT]);
    r->json = o;
    r->pointer = xstrdup(c->pointer);
    r->line = line;
}

static void report(struct loader *l, const char *text, size_t len, struct rig_errlist *errs,
                   int *rule_lines)
{
    size_t nq = l->vc.n + l->n;
    struct sg_jsonpos_query *q = xcalloc(nq ? nq : 1, sizeof(*q));

    for (size_t i = 0; i < l->vc.n; i++)
        q[i].pointer = l->vc.v[i].pointer;
    for (size_t i = 0; i < l->n; i++)
        q[l->vc.n + i].pointer = l->c[i].pointer;
    sg_jsonpos_resolve(text, len, q, nq);
    for (size_t i = 0; i < l->n; i++)
        rule_lines[i] = q[l->vc.n + i].line;
    for (size_t i = 0; i < l->vc.n; i++) {
        const struct sg_issue *it = &l->vc.v[i];
        bool key = it->at_key && q[i].found;
        const char *ptr = it->pointer[0] ? it->pointer : "(root)";

        rig_errlist_addf(errs, it->warning ? RIG_EGENERIC : RIG_ECONFIG, l->name,
                         key ? q[i].key_line : q[i].line, key ? q[i].key_col : q[i].col,
                         "%s: %s%s", ptr, it->warning ? "warning: " : "", it->msg);
    }
    if (l->vc.truncated)
        rig_errlist_addf(errs, RIG_ECONFIG, l->name, 0, 0,
                         "too many problems (%zu errors); only the first %d are listed: fix "
                         "them and run again",
                         l->vc.nerrors, SG_MAX_ISSUES);
    free(q);
}

static void loader_release(struct loader *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->c[i].pointer);
    free(l->c);
    free(l->ids);
    sg_vctx_release(&l->vc);
}

static int parse_json(const char *name, const char *text, size_t len, json_t **out,
                      struct rig_errlist *errs)
{
    json_error_t jerr;

    if (len > SG_SPEC_MAX_BYTES)
        return rig_errlist_addf(errs, RIG_ETOOBIG, name, 0, 0,
                                "rules file is %zu bytes, more than the %u bytes accepted; split "
                                "it into several files",
                                len, (unsigned)SG_SPEC_MAX_BYTES);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    *out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!*out)
        return rig_errlist_addf(errs, RIG_ECONFIG, name, jerr.line > 0 ? jerr.line : 0,
                                jerr.column > 0 ? jerr.column : 0, "invalid JSON: %s", jerr.text);
    return 0;
}

int sg_ruleset_load_string(const char *name, const char *text, size_t len, struct sg_ruleset *out,
                           struct rig_errlist *errs)
{
    struct loader l;
    json_t *root = NULL;
    int *lines = NULL;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    memset(&l, 0, sizeof(l));
    l.name = name ? name : "<rules>";
    if (parse_json(l.name, text, len, &root, errs) < 0)
        goto out;
    collect(&l, root);
    for (size_t i = 0; i < l.n; i++) {
        sg_validate_object(&l.vc, l.c[i].pointer, l.c[i].obj, sg_rule_fields, false);
        check_priority(&l, &l.c[i]);
        check_title_number(&l, &l.c[i]);
        check_tools(&l, &l.c[i]);
    }
    check_unique(&l, "rule id", "rule_id", NULL, NULL, "rule_id");
    check_unique(&l, "ArchUnit test_name", "ci_info", "archunit_rule", "test_name",
                 "ci_info/archunit_rule/test_name");
    check_unique(&l, "Semgrep rule id", "ci_info", "semgrep_rule", "rule_id",
                 "ci_info/semgrep_rule/rule_id");
    index_ids(&l);
    check_related(&l);
    check_relations(&l, root);
    lines = xcalloc(l.n ? l.n : 1, sizeof(*lines));
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        report(&l, text + 3, len - 3, errs, lines);
    else
        report(&l, text, len, errs, lines);
    if (l.vc.nerrors)
        goto out;
    out->source = xstrdup(l.name);
    out->root = root;
    root = NULL;
    out->n = l.n;
    out->rules = xcalloc(l.n, sizeof(*out->rules));
    for (size_t i = 0; i < l.n; i++)
        fill_rule(&out->rules[i], &l.c[i], lines[i]);
    rc = 0;
out:
    free(lines);
    loader_release(&l);
    json_decref(root);
    return rc;
}

static int read_file(const char *path, char **text, size_t *len, struct rig_errlist *errs)
{
    struct rig_err err = RIG_ERR_INIT;
    struct stat st;
    int fd;
    int rc = -1;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rig_errlist_addf(errs, RIG_EIO, path, 0, 0, "cannot open the rules file: %s",
                                strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        rig_errlist_addf(errs, RIG_EIO, path, 0, 0, "not a regular file");
        goto out;
    }
    if ((unsigned long long)st.st_size > SG_SPEC_MAX_BYTES) {
        rig_errlist_addf(errs, RIG_ETOOBIG, path, 0, 0,
                         "rules file is %lld bytes, more than the %u bytes accepted; split it "
                         "into several files",
                         (long long)st.st_size, (unsigned)SG_SPEC_MAX_BYTES);
        goto out;
    }
    /* The cap holds if the file grows while it is read. */
    if (rig_read_fd(fd, path, SG_SPEC_MAX_BYTES, text, len, &err) < 0) {
        rig_errlist_addf(errs, err.code, path, 0, 0, "%s", err.msg);
        goto out;
    }
    rc = 0;
out:
    close(fd);
    return rc;
}

int sg_ruleset_load_file(const char *path, struct sg_ruleset *out, struct rig_errlist *errs)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (read_file(path, &text, &len, errs) < 0)
        return -1;
    rc = sg_ruleset_load_string(path, text, len, out, errs);
    free(text);
    return rc;
}

const struct sg_rule *sg_ruleset_find(const struct sg_ruleset *set, const char *id)
{
    for (size_t i = 0; set && id && i < set->n; i++) {
        if (strcmp(set->rules[i].id, id) == 0)
            return &set->rules[i];
    }
    return NULL;
}

void sg_ruleset_release(struct sg_ruleset *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        free(set->rules[i].id);
        free(set->rules[i].title);
        free(set->rules[i].description);
        free(set->rules[i].pointer);
    }
    free(set->rules);
    free(set->source);
    json_decref(set->root);
    memset(set, 0, sizeof(*set));
}
