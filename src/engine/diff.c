#include "engine/diff.h"

#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/proc.h"
#include "core/str.h"
#include "core/banned.h"

/* Replace git's temp-file names in the header lines with the real path. */
static char *relabel(const char *raw, const char *path, const char *before, const char *after)
{
    struct rig_buf b = RIG_BUF_INIT;
    const char *p = raw;
    bool in_header = true;

    rig_buf_addf(&b, "diff --git a/%s b/%s\n", path, path);
    if (!before)
        rig_buf_adds(&b, "new file mode 100644\n");
    else if (!after)
        rig_buf_adds(&b, "deleted file mode 100644\n");
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);

        if (in_header && strncmp(p, "@@", 2) == 0)
            in_header = false;
        if (in_header) {
            if (strncmp(p, "--- ", 4) == 0)
                rig_buf_addf(&b, "--- %s%s\n", before ? "a/" : "", before ? path : "/dev/null");
            else if (strncmp(p, "+++ ", 4) == 0)
                rig_buf_addf(&b, "+++ %s%s\n", after ? "b/" : "", after ? path : "/dev/null");
        } else {
            rig_buf_add(&b, p, len);
        }
        p += len;
    }
    return rig_buf_take(&b);
}

int rig_diff_unified(const char *path, const char *before, const char *after, char **out,
                     struct rig_err *err)
{
    char *dir = NULL;
    char *a = NULL, *bpath = NULL;
    struct rig_proc_result res = {0};
    int rc = -1;

    *out = NULL;
    if (rig_tmp_dir("rig-diff", &dir, err) < 0)
        return rig_err_prefix(err, "diff of %s", path);
    a = xasprintf("%s/a", dir);
    bpath = xasprintf("%s/b", dir);
    if (rig_write_file(a, before ? before : "", before ? strlen(before) : 0, 0600, err) < 0 ||
        rig_write_file(bpath, after ? after : "", after ? strlen(after) : 0, 0600, err) < 0)
        goto out;
    {
        const char *argv[] = {"git", "diff", "--no-index", "--no-color", "--no-ext-diff",
                              "-U3", "--", a, bpath, NULL};
        const char *env[] = {"GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", NULL};
        struct rig_proc_opts o = {.argv = argv, .env = env, .capture_max = 16 << 20,
                                  .timeout_ms = 60000};

        if (rig_proc_run(&o, &res, err) < 0)
            goto out;
        /* git diff --no-index exits 1 when the files differ, 0 when equal. */
        if (!res.exited || res.exit_code > 1) {
            rig_err_set(err, RIG_EIO, "git diff failed for %s: %s", path, res.err);
            goto out;
        }
    }
    *out = res.exit_code == 0 ? xstrdup("") : relabel(res.out, path, before, after);
    rc = 0;
out:
    rig_proc_result_release(&res);
    if (a)
        unlink(a);
    if (bpath)
        unlink(bpath);
    rmdir(dir);
    free(a);
    free(bpath);
    free(dir);
    return rc;
}
