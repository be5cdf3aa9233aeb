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

const char *rig_policy_rule_name(enum rig_policy_rule r)
{
    return (size_t)r < NRULES && rule_names[r] ? rule_names[r] : "unknown";
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

static void add(struct rig_policy_result *r, const struct rig_policy_config *p, bool block,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add(struct rig_policy_result *r, const struct rig_policy_config *p, bool block,
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
static const char *find_path(const struct rig_strlist *pats, const struct rig_policy_input *in,
                             bool want_match)
{
    for (size_t f = 0; f < in->nfiles; f++) {
        bool m = false;
        for (size_t i = 0; i < pats->n && !m; i++)
            m = rig_policy_path_matches(pats->v[i], in->files[f]);
        if (m == want_match)
            return in->files[f];
    }
    return NULL;
}

static void eval_one(const struct rig_policy_config *p, const struct rig_policy_input *in,
                     struct rig_policy_result *r)
{
    bool block = p->action == RIG_POLICY_BLOCK;
    long long lim = p->limit;
    const char *path;

    switch (p->rule) {
    case RIG_POLICY_MAX_FILE_CHANGES:
        if ((long long)in->nfiles > lim)
            add(r, p, block, "%zu files changed, limit %lld", in->nfiles, lim);
        break;
    case RIG_POLICY_MAX_LINES_CHANGED:
        if ((long long)in->lines_changed > lim)
            add(r, p, block, "%zu lines changed, limit %lld", in->lines_changed, lim);
        break;
    case RIG_POLICY_BLOCKED_PATHS:
        if ((path = find_path(&p->paths, in, true)))
            add(r, p, block, "change touches blocked path %s", path);
        break;
    case RIG_POLICY_ALLOWED_PATHS:
        if ((path = find_path(&p->paths, in, false)))
            add(r, p, block, "change touches %s, outside the allowed paths", path);
        break;
    case RIG_POLICY_REQUIRE_TESTS:
        if (in->ntests_configured == 0)
            add(r, p, block, "tests are required but rig.yaml has no test entries");
        break;
    case RIG_POLICY_MAX_RETRIES:
        if (in->attempt - 1 > lim)
            add(r, p, block, "self-heal round %d exceeds the limit of %lld retries",
                in->attempt - 1, lim);
        break;
    }
}

void rig_policy_evaluate(const struct rig_policy_config *policies, size_t n,
                         const struct rig_policy_input *in, struct rig_policy_result *out)
{
    static const struct rig_policy_config git_guard = {.name = ".git",
                                                       .rule = RIG_POLICY_BLOCKED_PATHS,
                                                       .action = RIG_POLICY_BLOCK};

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
