#include "adapters/test/testrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "core/timeutil.h"

#include "core/banned.h"

static const char *skip_dot_slash(const char *s)
{
    while (s[0] == '.' && s[1] == '/')
        s += 2;
    return s;
}

bool rig_test_path_matches(const char *pattern, const char *file)
{
    char *p = xstrdup(pattern ? pattern : "");
    const char *f = skip_dot_slash(file ? file : "");
    const char *q;
    size_t n;
    bool m;

    q = rig_str_trim(p);
    if (!*q || !*f) {
        m = false;
    } else if (!*(q = skip_dot_slash(q))) {
        m = true; /* "./": the whole repository */
    } else if (q[strlen(q) - 1] == '/' || !strpbrk(q, "*?[\\")) {
        /* a directory (or exact file) prefix, on component boundaries */
        n = strlen(q);
        while (n && q[n - 1] == '/')
            n--;
        m = n == 0 || (strncmp(f, q, n) == 0 && (f[n] == '\0' || f[n] == '/'));
    } else {
        m = rig_glob_match(q, f);
    }
    free(p);
    return m;
}

bool rig_test_select(const struct rig_test_entry *tests, size_t n, const char *const *changed,
                     size_t nchanged, bool *selected)
{
    bool any = false;

    for (size_t i = 0; i < n; i++) {
        const struct rig_test_entry *t = &tests[i];
        selected[i] = t->naffected == 0;
        for (size_t p = 0; p < t->naffected && !selected[i]; p++)
            for (size_t c = 0; c < nchanged && !selected[i]; c++)
                selected[i] = rig_test_path_matches(t->affected_paths[p], changed[c]);
        any = any || selected[i];
    }
    if (any || n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        selected[i] = true;
    return true;
}

void rig_test_report_release(struct rig_test_report *rep)
{
    if (!rep)
        return;
    for (size_t i = 0; i < rep->len; i++)
        rig_cmd_result_release(&rep->items[i]);
    free(rep->items);
    memset(rep, 0, sizeof(*rep));
}

static void run_one(const struct rig_test_entry *t, const struct rig_run_ctx *ctx,
                    struct rig_cmd_result *r)
{
    struct rig_shellcmd sc = {t->name, t->run, NULL, NULL, t->timeout_ms};
    struct rig_err e = RIG_ERR_INIT;
    char d[64];

    r->attempts = 1;
    if (rig_shellcmd_run(&sc, ctx, 1, r, &e) < 0) {
        /* a test that cannot run fails and says why in its own output */
        free(r->output);
        r->output = xasprintf("%s\n", e.msg);
        return;
    }
    if (r->timed_out) {
        char *o = xasprintf("test timed out after %s\n%s",
                            rig_duration_format(t->timeout_ms, d, sizeof(d)), r->output);
        free(r->output);
        r->output = o;
    }
}

static void summarise(const struct rig_test_report *rep, struct rig_err *err)
{
    struct rig_buf names = RIG_BUF_INIT;

    rig_buf_init(&names, 400);
    for (size_t i = 0; i < rep->len; i++) {
        const struct rig_cmd_result *r = &rep->items[i];
        if (r->skipped || r->ok)
            continue;
        if (rig_buf_addf(&names, "%s%s", names.len ? ", " : "", r->name) < 0) {
            rig_buf_adds(&names, ", ...");
            break;
        }
    }
    rig_err_set(err, RIG_EGENERIC, "%zu of %zu test%s failed: %s", rep->failed,
                rep->passed + rep->failed, rep->passed + rep->failed == 1 ? "" : "s",
                rig_buf_str(&names));
    rig_buf_release(&names);
}

int rig_test_run(const struct rig_test_entry *tests, size_t n, const char *const *changed,
                 size_t nchanged, const struct rig_run_ctx *ctx, struct rig_test_report *rep,
                 struct rig_err *err)
{
    struct rig_run_ctx c;
    bool *sel;
    bool stop = false;

    memset(rep, 0, sizeof(*rep));
    if (!ctx || !ctx->workspace)
        return rig_err_set(err, RIG_EINVAL, "tests: no workspace to run in");
    c = *ctx;
    if (!c.tail_max)
        c.tail_max = RIG_TEST_TAIL_MAX;
    sel = xcalloc(n ? n : 1, sizeof(*sel));
    rep->ran_all_fallback = rig_test_select(tests, n, changed, nchanged, sel);
    if (rep->ran_all_fallback)
        log_info("tests: no affected_paths matched the %zu changed file%s; running all %zu",
                 nchanged, nchanged == 1 ? "" : "s", n);
    rep->items = xcalloc(n ? n : 1, sizeof(*rep->items));
    for (size_t i = 0; i < n; i++) {
        struct rig_cmd_result *r = &rep->items[rep->len++];
        r->name = tests[i].name && *tests[i].name ? xstrdup(tests[i].name)
                                                  : xasprintf("test %zu", i + 1);
        r->exit_code = -1;
        stop = stop || (ctx->cancel && *ctx->cancel);
        if (!sel[i] || stop) {
            r->skipped = true;
            r->output = xstrdup("");
            if (stop)
                r->error = xstrdup("cancelled");
            rep->skipped++;
            continue;
        }
        run_one(&tests[i], &c, r);
        rep->duration_ms += r->duration_ms;
        if (r->ok)
            rep->passed++;
        else
            rep->failed++;
        stop = r->cancelled;
    }
    free(sel);
    rep->ok = rep->failed == 0 && !stop;
    if (stop)
        return rig_err_set(err, RIG_ECANCELLED, "tests were cancelled");
    if (rep->failed) {
        summarise(rep, err);
        return -1;
    }
    return 0;
}
