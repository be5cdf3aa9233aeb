#include "gate/inputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "core/banned.h"

#define INPUT_MAX_DEFAULT (64u * 1024 * 1024)
#define EXPAND_MAX 100000

int sg_input_load_file(enum sg_tool tool, const char *path, const struct sg_ruleset *rules,
                       const struct sg_input_opts *opts, struct sg_findings *out,
                       struct rig_err *err)
{
    size_t max = opts && opts->max_bytes ? opts->max_bytes : INPUT_MAX_DEFAULT;
    size_t n0 = out->n, e0 = out->nerr, len = 0;
    char *text = NULL;
    int rc;

    if (sg_read_input(path, max, &text, &len, err) < 0)
        return -1;
    switch (tool) {
    case SG_TOOL_SEMGREP:
        rc = sg_semgrep_parse(path, text, len, rules, out, err);
        break;
    case SG_TOOL_ARCHUNIT:
        rc = sg_junit_parse(path, text, len, rules, opts, out, err);
        break;
    case SG_TOOL_OASDIFF:
        rc = sg_oasdiff_parse(path, text, len, rules, out, err);
        break;
    default:
        rc = rig_err_set(err, RIG_EINVAL, "%s: unknown tool", path);
        break;
    }
    free(text);
    if (rc == 0)
        sg_findings_note_input(out, tool, path, out->n - n0, out->nerr - e0);
    return rc;
}

struct expand_ctx {
    const char *prefix;  /* directory walked ("." for none) */
    const char *pattern; /* pattern relative to prefix, NULL = every TEST-*.xml */
    char **found;
    size_t n, cap;
    size_t seen;
};

static int expand_visit(void *vctx, const char *rel, bool is_link)
{
    struct expand_ctx *c = vctx;
    const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
    bool ok;

    (void)is_link;
    if (++c->seen > EXPAND_MAX)
        return 1;
    if (c->pattern)
        ok = rig_glob_match(c->pattern, rel);
    else
        ok = rig_str_startswith(base, "TEST-") && rig_str_endswith(base, ".xml");
    if (!ok)
        return 0;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->found = xreallocarray(c->found, c->cap, sizeof(*c->found));
    }
    c->found[c->n++] = strcmp(c->prefix, ".") == 0 ? xstrdup(rel)
                                                  : xasprintf("%s/%s", c->prefix, rel);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_glob(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '*' || s[i] == '?' || s[i] == '[')
            return true;
    }
    return false;
}

int sg_junit_expand(const char *arg, char ***paths, size_t *npaths, struct rig_err *err)
{
    struct expand_ctx c = {0};
    struct stat st;
    char *prefix = NULL;
    const char *p, *cut = NULL;
    int rc = -1, wrc;

    if (!has_glob(arg, strlen(arg))) {
        if (stat(arg, &st) < 0)
            return 0; /* nothing matched: the caller decides (--allow-missing) */
        if (!S_ISDIR(st.st_mode)) {
            *paths = xreallocarray(*paths, *npaths + 1, sizeof(**paths));
            (*paths)[(*npaths)++] = xstrdup(arg);
            return 1;
        }
        prefix = xstrdup(arg);
        while (strlen(prefix) > 1 && prefix[strlen(prefix) - 1] == '/')
            prefix[strlen(prefix) - 1] = '\0';
    } else {
        /* Walk from the last directory before the first wildcard component. */
        for (p = arg; *p;) {
            const char *slash = strchr(p, '/');
            size_t n = slash ? (size_t)(slash - p) : strlen(p);

            if (has_glob(p, n) || !slash)
                break;
            cut = slash;
            p = slash + 1;
        }
        if (!cut) {
            prefix = xstrdup(".");
            c.pattern = arg;
        } else {
            prefix = cut == arg ? xstrdup("/") : xstrndup(arg, (size_t)(cut - arg));
            c.pattern = cut + 1;
        }
        if (stat(prefix, &st) < 0 || !S_ISDIR(st.st_mode)) {
            rc = 0;
            goto out;
        }
    }
    c.prefix = prefix;
    wrc = rig_path_walk(prefix, expand_visit, &c, err);
    if (wrc < 0)
        goto out;
    if (wrc > 0) {
        rig_err_set(err, RIG_ETOOBIG, "--junit %s: more than %d files under %s; give a narrower "
                                      "pattern such as build/test-results/test/TEST-*.xml",
                    arg, EXPAND_MAX, prefix);
        goto out;
    }
    qsort(c.found, c.n, sizeof(*c.found), cmp_str);
    *paths = xreallocarray(*paths, *npaths + c.n + 1, sizeof(**paths));
    memcpy(*paths + *npaths, c.found, c.n * sizeof(*c.found));
    *npaths += c.n;
    rc = (int)c.n;
    c.n = 0;
out:
    for (size_t i = 0; i < c.n; i++)
        free(c.found[i]);
    free(c.found);
    free(prefix);
    return rc;
}
