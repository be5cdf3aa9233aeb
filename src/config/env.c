#include "config/env.h"

#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/banned.h"

static const char *const task_vars[] = {
    "BRANCH_NAME", "COMMIT_SHA", "ISSUE_ID", "ISSUE_NUMBER", "ISSUE_TITLE",
    "REPO_OWNER",  "REPO_NAME",  "WORKSPACE", NULL,
};

bool rig_config_is_task_var(const char *name, size_t len)
{
    for (const char *const *v = task_vars; *v; v++)
        if (strlen(*v) == len && memcmp(*v, name, len) == 0)
            return true;
    return false;
}

static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return false;
    }
    return true;
}

/* One ${...} reference; inner is the text between the braces. */
static int subst_one(struct rig_buf *b, const char *inner, size_t n, rig_subst_ref_fn on_ref,
                     void *ctx, struct rig_err *err)
{
    const char *sep = memmem(inner, n, ":-", 2);
    size_t nlen = sep ? (size_t)(sep - inner) : n;
    const char *def = sep ? sep + 2 : NULL;
    size_t dlen = sep ? n - nlen - 2 : 0;
    char *name = NULL;
    const char *val;
    int rc = -1;

    if (!valid_name(inner, nlen)) {
        rig_err_set(err, RIG_ECONFIG, "invalid variable reference '${%.*s}': a name is letters, "
                    "digits and _ (write $${ for a literal ${)", (int)(n > 60 ? 60 : n), inner);
        goto out;
    }
    name = xstrndup(inner, nlen);
    if (def && memmem(def, dlen, "${", 2)) {
        rig_err_set(err, RIG_ECONFIG, "nested ${...} in the default of ${%s} is not supported",
                    name);
        goto out;
    }
    if (rig_config_is_task_var(inner, nlen)) {
        if (def) {
            rig_err_set(err, RIG_ECONFIG, "${%s} is a task variable filled in by Rig at run "
                        "time; it cannot have a default", name);
            goto out;
        }
        rig_buf_addf(b, "${%s}", name);
        rc = 0;
        goto out;
    }
    val = getenv(name);
    if (on_ref)
        on_ref(ctx, name, def != NULL, val != NULL);
    if (val && (!def || *val))
        rig_buf_adds(b, val);
    else if (def)
        rig_buf_add(b, def, dlen);
    else {
        rig_err_set(err, RIG_ECONFIG, "environment variable %s is not set (export %s=..., or "
                    "write ${%s:-default})", name, name, name);
        goto out;
    }
    rc = 0;
out:
    free(name);
    return rc;
}

int rig_config_subst(const char *in, char **out, rig_subst_ref_fn on_ref, void *ctx,
                     struct rig_err *err)
{
    struct rig_buf b = RIG_BUF_INIT;
    const char *p = in;

    *out = NULL;
    while (*p) {
        const char *d = strchr(p, '$');
        const char *close;

        if (!d) {
            rig_buf_adds(&b, p);
            break;
        }
        rig_buf_add(&b, p, (size_t)(d - p));
        if (strncmp(d, "$${", 3) == 0) {
            rig_buf_adds(&b, "${");
            p = d + 3;
            continue;
        }
        if (d[1] != '{') {
            rig_buf_addch(&b, '$');
            p = d + 1;
            continue;
        }
        close = strchr(d + 2, '}');
        if (!close) {
            rig_buf_release(&b);
            return rig_err_set(err, RIG_ECONFIG, "unterminated '${' (close it with '}', or "
                               "write $${ for a literal ${)");
        }
        if (subst_one(&b, d + 2, (size_t)(close - d - 2), on_ref, ctx, err) < 0) {
            rig_buf_release(&b);
            return -1;
        }
        p = close + 1;
    }
    *out = rig_buf_take(&b);
    return 0;
}
