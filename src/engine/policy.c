#include "engine/policy.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "core/banned.h"

static const char *const rule_names[] = {
    [RIG_POLICY_MAX_FILE_CHANGES] = "max_file_changes",
    [RIG_POLICY_MAX_LINES_CHANGED] = "max_lines_changed",
    [RIG_POLICY_BLOCKED_PATHS] = "blocked_paths",
    [RIG_POLICY_ALLOWED_PATHS] = "allowed_paths",
    [RIG_POLICY_REQUIRE_TESTS] = "require_tests",
    [RIG_POLICY_MAX_RETRIES] = "max_retries",
};

#define NRULES (sizeof(rule_names) / sizeof(rule_names[0]))

int rig_policy_rule_parse(const char *s, enum rig_policy_rule *out)
{
    for (size_t i = 0; i < NRULES; i++) {
        if (s && strcmp(s, rule_names[i]) == 0) {
            *out = (enum rig_policy_rule)i;
            return 0;
        }
    }
    return -1;
}

const char *rig_policy_rule_name(enum rig_policy_rule r)
{
    return (size_t)r < NRULES ? rule_names[r] : "unknown";
}

static bool rule_wants_number(enum rig_policy_rule r)
{
    return r == RIG_POLICY_MAX_FILE_CHANGES || r == RIG_POLICY_MAX_LINES_CHANGED ||
           r == RIG_POLICY_MAX_RETRIES;
}

int rig_policy_validate(const struct rig_policy *p, struct rig_err *err)
{
    long long v;
    const char *val = p->value ? p->value : "";

    if (rule_wants_number(p->rule)) {
        if (rig_str_to_ll(val, 0, 1000000000, &v) < 0)
            return rig_err_set(err, RIG_ECONFIG,
                               "%s needs a non-negative integer value, got \"%s\"",
                               rig_policy_rule_name(p->rule), val);
        return 0;
    }
    if (p->rule == RIG_POLICY_BLOCKED_PATHS || p->rule == RIG_POLICY_ALLOWED_PATHS) {
        bool any = false;
        char **parts = rig_str_split(val, ',');
        for (size_t i = 0; parts[i]; i++)
            any |= *rig_str_trim(parts[i]) != '\0';
        rig_strv_free(parts);
        if (!any)
            return rig_err_set(err, RIG_ECONFIG,
                               "%s needs a comma-separated list of path patterns",
                               rig_policy_rule_name(p->rule));
        return 0;
    }
    if (p->rule == RIG_POLICY_REQUIRE_TESTS && *val && strcmp(val, "config") != 0 &&
        strcmp(val, "changes") != 0)
        return rig_err_set(err, RIG_ECONFIG,
                           "require_tests value must be \"config\" or \"changes\", got \"%s\"",
                           val);
    return 0;
}

bool rig_policy_path_matches(const char *pattern, const char *path)
{
    const char *base;

    if (!*pattern)
        return false;
    if (rig_str_endswith(pattern, "/")) {
        size_t n = strlen(pattern);
        return strncmp(path, pattern, n) == 0 ||
               (strncmp(path, pattern, n - 1) == 0 && path[n - 1] == '\0');
    }
    if (!strchr(pattern, '/')) {
        base = strrchr(path, '/');
        return rig_glob_match(pattern, base ? base + 1 : path);
    }
    return rig_glob_match(pattern, path);
}

static bool path_is_test(const char *path)
{
    char *l = xstrdup(path);
    bool yes;

    for (char *p = l; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    yes = strstr(l, "test") || strstr(l, "spec/") || strstr(l, "_spec.") ||
          strstr(l, ".spec.");
    free(l);
    return yes;
}

static void add(struct rig_policy_result *r, const struct rig_policy *p, bool block,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add(struct rig_policy_result *r, const struct rig_policy *p, bool block,
                const char *fmt, ...)
{
    va_list ap;
    struct rig_policy_violation_item *it;

    r->items = xreallocarray(r->items, r->len + 1, sizeof(*r->items));
    it = &r->items[r->len++];
    it->policy = xstrdup(p->name ? p->name : rig_policy_rule_name(p->rule));
    it->rule = xstrdup(rig_policy_rule_name(p->rule));
    it->block = block;
    va_start(ap, fmt);
    it->message = xvasprintf(fmt, ap);
    va_end(ap);
    if (block)
        r->blocked = true;
}

/* First changed path matching any pattern of the list (or, when want_match is
 * false, matching none of them); NULL if there is none. */
static const char *find_path(const char *list, const struct rig_policy_input *in,
                             bool want_match)
{
    char **pats = rig_str_split(list ? list : "", ',');
    const char *found = NULL;

    for (size_t i = 0; pats[i]; i++)
        rig_str_trim(pats[i]);
    for (size_t f = 0; f < in->nfiles && !found; f++) {
        bool m = false;
        for (size_t i = 0; pats[i] && !m; i++)
            m = rig_policy_path_matches(pats[i], in->files[f]);
        if (m == want_match)
            found = in->files[f];
    }
    rig_strv_free(pats);
    return found;
}

static void eval_one(const struct rig_policy *p, const struct rig_policy_input *in,
                     struct rig_policy_result *r)
{
    struct rig_err err = RIG_ERR_INIT;
    long long lim = 0;
    const char *path;
    bool any_test = false;

    if (rig_policy_validate(p, &err) < 0) {
        add(r, p, true, "invalid policy: %s", err.msg);
        return;
    }
    if (rule_wants_number(p->rule))
        rig_str_to_ll(p->value, 0, 1000000000, &lim);
    switch (p->rule) {
    case RIG_POLICY_MAX_FILE_CHANGES:
        if ((long long)in->nfiles > lim)
            add(r, p, p->block, "%zu files changed, limit %lld", in->nfiles, lim);
        break;
    case RIG_POLICY_MAX_LINES_CHANGED:
        if ((long long)in->lines_changed > lim)
            add(r, p, p->block, "%zu lines changed, limit %lld", in->lines_changed, lim);
        break;
    case RIG_POLICY_BLOCKED_PATHS:
        if ((path = find_path(p->value, in, true)))
            add(r, p, p->block, "change touches blocked path %s", path);
        break;
    case RIG_POLICY_ALLOWED_PATHS:
        if ((path = find_path(p->value, in, false)))
            add(r, p, p->block, "change touches %s, outside the allowed paths", path);
        break;
    case RIG_POLICY_REQUIRE_TESTS:
        if (p->value && strcmp(p->value, "changes") == 0) {
            for (size_t i = 0; i < in->nfiles; i++)
                any_test |= path_is_test(in->files[i]);
            if (!any_test)
                add(r, p, p->block, "the change set adds or updates no test file");
        } else if (in->ntests_configured == 0) {
            add(r, p, p->block, "tests are required but rig.yaml has no test entries");
        }
        break;
    case RIG_POLICY_MAX_RETRIES:
        if (in->attempt - 1 > lim)
            add(r, p, p->block, "self-heal round %d exceeds the limit of %lld retries",
                in->attempt - 1, lim);
        break;
    }
}

void rig_policy_evaluate(const struct rig_policy *policies, size_t n,
                         const struct rig_policy_input *in, struct rig_policy_result *out)
{
    static const struct rig_policy git_guard = {".git", RIG_POLICY_BLOCKED_PATHS, ".git/", true};

    memset(out, 0, sizeof(*out));
    for (size_t f = 0; f < in->nfiles; f++) {
        const char *p = in->files[f];
        if (strcmp(p, ".git") == 0 || rig_str_startswith(p, ".git/") || strstr(p, "/.git/") ||
            rig_str_endswith(p, "/.git")) {
            add(out, &git_guard, true, "change touches git metadata %s", p);
            break;
        }
    }
    for (size_t i = 0; i < n; i++)
        eval_one(&policies[i], in, out);
}

char *rig_policy_summary(const struct rig_policy_result *r, bool blocking_only)
{
    struct rig_buf b = RIG_BUF_INIT;

    for (size_t i = 0; i < r->len; i++) {
        if (blocking_only && !r->items[i].block)
            continue;
        if (b.len)
            rig_buf_adds(&b, "; ");
        rig_buf_addf(&b, "%s (%s): %s", r->items[i].policy, r->items[i].rule,
                     r->items[i].message);
    }
    return rig_buf_take(&b);
}

void rig_policy_result_release(struct rig_policy_result *r)
{
    for (size_t i = 0; i < r->len; i++) {
        free(r->items[i].policy);
        free(r->items[i].rule);
        free(r->items[i].message);
    }
    free(r->items);
    memset(r, 0, sizeof(*r));
}
