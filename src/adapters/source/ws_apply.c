#include "adapters/source/workspace.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"

#include "core/banned.h"

/*
 * Change sets are simulated in memory first (one entry per distinct path
 * holding the original and the resulting content), so validation, measuring
 * and applying share one code path and nothing touches the disk until every
 * change is known to be applicable.
 */

#define WS_FILE_MAX (64u * 1024 * 1024)
#define WS_DIFF_MAX_D 2000 /* beyond this, count the whole changed region */

struct entry {
    char *rel;   /* normalised, relative to the repo */
    char *abs;
    bool existed;
    char *orig;  /* content before, NULL when it did not exist */
    size_t orig_len;
    mode_t mode;
    bool present; /* exists after the change set */
    char *cur;    /* content after (present only) */
    size_t cur_len;
};

struct plan {
    struct entry *e;
    size_t len;
};

static void plan_release(struct plan *p)
{
    for (size_t i = 0; i < p->len; i++) {
        free(p->e[i].rel);
        free(p->e[i].abs);
        free(p->e[i].orig);
        free(p->e[i].cur);
    }
    free(p->e);
    p->e = NULL;
    p->len = 0;
}

static const char *action_name(int a)
{
    return a == RIG_WS_WRITE ? "write" : a == RIG_WS_DELETE ? "delete" : "edit";
}

static bool has_git_component(const char *rel)
{
    const char *p = rel;

    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 4 && strncasecmp(p, ".git", 4) == 0)
            return true;
        p += n;
        if (*p == '/')
            p++;
    }
    return false;
}

/* Every existing ancestor must be a directory (a symlink to one inside the
 * repo is fine: rig_path_join_under already refused those leading out). */
static int check_parents(const char *repo, const char *rel, size_t idx, struct rig_err *err)
{
    char *tmp = xstrdup(rel);
    int rc = 0;

    for (char *s = strchr(tmp, '/'); s; s = strchr(s + 1, '/')) {
        struct stat st;
        char *p;
        *s = '\0';
        p = xasprintf("%s/%s", repo, tmp);
        if (stat(p, &st) == 0 && !S_ISDIR(st.st_mode))
            rc = rig_err_set(err, RIG_EINVAL,
                             "change %zu: cannot create %s: %s is a file, not a directory",
                             idx + 1, rel, tmp);
        free(p);
        *s = '/';
        if (rc < 0)
            break;
    }
    free(tmp);
    return rc;
}

static struct entry *find_or_load(struct plan *p, const char *repo, const char *path, size_t idx,
                                  struct rig_err *err)
{
    char *rel = rig_path_normalize_rel(path);
    char *abs = NULL;
    struct entry *e = NULL;
    struct stat st;

    if (!rel || !*rel || strcmp(rel, ".") == 0) {
        rig_err_set(err, RIG_EINVAL,
                    "change %zu: path \"%s\" is absolute, empty or leaves the repository",
                    idx + 1, path);
        goto out;
    }
    if (has_git_component(rel)) {
        rig_err_set(err, RIG_EPOLICY, "change %zu: path \"%s\" is inside .git, which is never "
                    "written", idx + 1, path);
        goto out;
    }
    for (size_t i = 0; i < p->len; i++)
        if (strcmp(p->e[i].rel, rel) == 0) {
            e = &p->e[i];
            goto out;
        }
    if (rig_path_join_under(repo, path, strlen(path), &abs, err) < 0) {
        rig_err_prefix(err, "change %zu (%s)", idx + 1, path);
        goto out;
    }
    if (check_parents(repo, rel, idx, err) < 0)
        goto out;
    p->e = xreallocarray(p->e, p->len + 1, sizeof(*p->e));
    e = &p->e[p->len];
    memset(e, 0, sizeof(*e));
    e->mode = 0644;
    if (lstat(abs, &st) == 0) {
        if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
            rig_err_set(err, RIG_EINVAL, "change %zu: %s is a %s, not a regular file", idx + 1,
                        rel, S_ISLNK(st.st_mode) ? "symlink" : S_ISDIR(st.st_mode) ? "directory"
                                                                                    : "special file");
            e = NULL;
            goto out;
        }
        if (rig_read_file(abs, WS_FILE_MAX, &e->orig, &e->orig_len, err) < 0) {
            rig_err_prefix(err, "change %zu", idx + 1);
            e = NULL;
            goto out;
        }
        e->existed = e->present = true;
        e->mode = st.st_mode & 07777;
        e->cur = xmalloc(e->orig_len + 1);
        memcpy(e->cur, e->orig, e->orig_len + 1);
        e->cur_len = e->orig_len;
    } else if (errno != ENOENT) {
        rig_err_errno(err, errno, "change %zu: %s", idx + 1, rel);
        e = NULL;
        goto out;
    }
    e->rel = rel;
    e->abs = abs;
    rel = abs = NULL;
    p->len++;
out:
    free(rel);
    free(abs);
    return e;
}

/* Occurrences of needle in hay (non-overlapping), stopping at 2. */
static size_t count_matches(const char *hay, size_t hl, const char *needle, size_t nl,
                            const char **first)
{
    size_t n = 0;
    const char *p = hay, *end = hay + hl;

    *first = NULL;
    while (p < end && n < 2) {
        const char *m = memmem(p, (size_t)(end - p), needle, nl);
        if (!m)
            break;
        if (!n)
            *first = m;
        n++;
        p = m + nl;
    }
    return n;
}

static int apply_edits(struct entry *e, const struct rig_ws_change *c, size_t idx,
                       struct rig_err *err)
{
    if (!c->edits || c->nedits == 0)
        return rig_err_set(err, RIG_EINVAL, "change %zu: edit of %s has no edits", idx + 1,
                           e->rel);
    for (size_t k = 0; k < c->nedits; k++) {
        const char *search = c->edits[k].search, *repl = c->edits[k].replace;
        size_t sl = search ? strlen(search) : 0, rl = repl ? strlen(repl) : 0;
        const char *m;
        size_t cnt;
        char *next;

        if (sl == 0)
            return rig_err_set(err, RIG_EINVAL, "change %zu: edit %zu of %s has an empty search "
                               "text", idx + 1, k + 1, e->rel);
        cnt = count_matches(e->cur, e->cur_len, search, sl, &m);
        if (cnt != 1)
            return rig_err_set(err, RIG_ECONFLICT,
                               "change %zu: edit %zu of %s: the search text %s; it must match "
                               "exactly once (include more surrounding lines)",
                               idx + 1, k + 1, e->rel,
                               cnt == 0 ? "was not found" : "matches more than once");
        next = xmalloc(e->cur_len - sl + rl + 1);
        memcpy(next, e->cur, (size_t)(m - e->cur));
        memcpy(next + (m - e->cur), repl ? repl : "", rl);
        memcpy(next + (m - e->cur) + rl, m + sl, e->cur_len - (size_t)(m - e->cur) - sl);
        e->cur_len = e->cur_len - sl + rl;
        next[e->cur_len] = '\0';
        free(e->cur);
        e->cur = next;
    }
    return 0;
}

static int plan_one(struct plan *p, const char *repo, const struct rig_ws_change *c, size_t idx,
                    struct rig_err *err)
{
    struct entry *e;

    if (!c->path)
        return rig_err_set(err, RIG_EINVAL, "change %zu has no path", idx + 1);
    if (c->action != RIG_WS_WRITE && c->action != RIG_WS_DELETE && c->action != RIG_WS_EDIT)
        return rig_err_set(err, RIG_EINVAL, "change %zu (%s): unknown action %d", idx + 1,
                           c->path, c->action);
    e = find_or_load(p, repo, c->path, idx, err);
    if (!e)
        return -1;
    switch (c->action) {
    case RIG_WS_WRITE:
        if (!c->content)
            return rig_err_set(err, RIG_EINVAL, "change %zu: write of %s has no content",
                               idx + 1, e->rel);
        free(e->cur);
        e->cur = xstrdup(c->content);
        e->cur_len = strlen(c->content);
        e->present = true;
        return 0;
    case RIG_WS_DELETE:
        if (!e->present)
            return rig_err_set(err, RIG_ENOTFOUND, "change %zu: cannot delete %s: no such file",
                               idx + 1, e->rel);
        free(e->cur);
        e->cur = NULL;
        e->cur_len = 0;
        e->present = false;
        return 0;
    default:
        if (!e->present)
            return rig_err_set(err, RIG_ENOTFOUND, "change %zu: cannot %s %s: no such file",
                               idx + 1, action_name(c->action), e->rel);
        return apply_edits(e, c, idx, err);
    }
}

/* "a" and "a/b" cannot both be files after the change set. */
static int check_conflicts(const struct plan *p, struct rig_err *err)
{
    for (size_t i = 0; i < p->len; i++) {
        size_t li = strlen(p->e[i].rel);
        if (!p->e[i].present)
            continue;
        for (size_t j = 0; j < p->len; j++)
            if (i != j && p->e[j].present && strncmp(p->e[j].rel, p->e[i].rel, li) == 0 &&
                p->e[j].rel[li] == '/')
                return rig_err_set(err, RIG_ECONFLICT,
                                   "change set writes both %s and %s; a path cannot be a file "
                                   "and a directory",
                                   p->e[i].rel, p->e[j].rel);
    }
    return 0;
}

static int build_plan(const struct rig_workspace *ws, const struct rig_ws_change *changes,
                      size_t n, struct plan *p, struct rig_err *err)
{
    memset(p, 0, sizeof(*p));
    if (!ws || !ws->repo)
        return rig_err_set(err, RIG_EINVAL, "workspace is not initialised");
    for (size_t i = 0; i < n; i++)
        if (plan_one(p, ws->repo, &changes[i], i, err) < 0)
            goto fail;
    if (check_conflicts(p, err) < 0)
        goto fail;
    return 0;
fail:
    plan_release(p);
    return -1;
}

/* Lines of a text as (start, length) views. */
struct lines {
    const char **s;
    size_t *len;
    size_t n;
};

static void split_lines(const char *t, size_t len, struct lines *l)
{
    size_t cap = 1;

    for (size_t i = 0; i < len; i++)
        if (t[i] == '\n')
            cap++;
    l->s = xcalloc(cap, sizeof(*l->s));
    l->len = xcalloc(cap, sizeof(*l->len));
    l->n = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(t + i, '\n', len - i);
        size_t ll = nl ? (size_t)(nl - (t + i)) + 1 : len - i;
        l->s[l->n] = t + i;
        l->len[l->n++] = ll;
        i += ll;
    }
}

static bool line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
    return a->len[i] == b->len[j] && memcmp(a->s[i], b->s[j], a->len[i]) == 0;
}

/* Myers' greedy O((N+M)D) edit distance on lines a[lo..n) vs b[lo..m); -1
 * when it exceeds WS_DIFF_MAX_D. */
static long myers_distance(const struct lines *a, size_t n0, size_t n, const struct lines *b,
                           size_t m0, size_t m)
{
    long N = (long)(n - n0), M = (long)(m - m0);
    long max = N + M, lim = max < WS_DIFF_MAX_D ? max : WS_DIFF_MAX_D;
    long *v = xcalloc((size_t)(2 * lim + 3), sizeof(*v));
    long off = lim + 1, res = -1;

    for (long d = 0; d <= lim && res < 0; d++) {
        for (long k = -d; k <= d; k += 2) {
            long x, y;
            if (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
                x = v[off + k + 1];
            else
                x = v[off + k - 1] + 1;
            y = x - k;
            while (x < N && y < M && line_eq(a, n0 + (size_t)x, b, m0 + (size_t)y)) {
                x++;
                y++;
            }
            v[off + k] = x;
            if (x >= N && y >= M) {
                res = d;
                break;
            }
        }
    }
    free(v);
    return res;
}

static void count_lines_changed(const char *a, size_t al, const char *b, size_t bl,
                                size_t *added, size_t *removed)
{
    struct lines la, lb;
    size_t pre = 0, sa, sb;
    long d;

    split_lines(a, al, &la);
    split_lines(b, bl, &lb);
    while (pre < la.n && pre < lb.n && line_eq(&la, pre, &lb, pre))
        pre++;
    sa = la.n;
    sb = lb.n;
    while (sa > pre && sb > pre && line_eq(&la, sa - 1, &lb, sb - 1)) {
        sa--;
        sb--;
    }
    d = myers_distance(&la, pre, sa, &lb, pre, sb);
    if (d < 0) {
        *added += sb - pre;
        *removed += sa - pre;
    } else {
        long diff = (long)(sb - pre) - (long)(sa - pre);
        *added += (size_t)((d + diff) / 2);
        *removed += (size_t)((d - diff) / 2);
    }
    free(la.s);
    free(la.len);
    free(lb.s);
    free(lb.len);
}

void rig_ws_stats_release(struct rig_ws_stats *st)
{
    if (!st)
        return;
    rig_strv_free(st->files);
    memset(st, 0, sizeof(*st));
}

int rig_workspace_measure(const struct rig_workspace *ws, const struct rig_ws_change *changes,
                          size_t n, struct rig_ws_stats *st, struct rig_err *err)
{
    struct plan p;

    memset(st, 0, sizeof(*st));
    if (build_plan(ws, changes, n, &p, err) < 0)
        return -1;
    st->files = xcalloc(p.len + 1, sizeof(*st->files));
    for (size_t i = 0; i < p.len; i++) {
        const struct entry *e = &p.e[i];
        if (e->existed == e->present && e->cur_len == e->orig_len &&
            (!e->present || memcmp(e->cur, e->orig, e->cur_len) == 0))
            continue; /* net no-op (e.g. written back unchanged) */
        st->files[st->nfiles++] = xstrdup(e->rel);
        count_lines_changed(e->existed ? e->orig : "", e->orig_len, e->present ? e->cur : "",
                            e->cur_len, &st->lines_added, &st->lines_removed);
    }
    plan_release(&p);
    return 0;
}

static int restore(const struct entry *e, struct rig_err *err)
{
    if (e->existed)
        return rig_write_file(e->abs, e->orig, e->orig_len, e->mode, err);
    if (unlink(e->abs) < 0 && errno != ENOENT)
        return rig_err_errno(err, errno, "remove %s", e->abs);
    return 0;
}

static int write_entry(const struct entry *e, struct rig_err *err)
{
    char *dir;
    char *slash;
    int rc;

    if (!e->present) {
        if (e->existed && unlink(e->abs) < 0)
            return rig_err_errno(err, errno, "delete %s", e->rel);
        return 0;
    }
    if (e->existed && e->cur_len == e->orig_len && memcmp(e->cur, e->orig, e->cur_len) == 0)
        return 0;
    dir = xstrdup(e->abs);
    slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    rc = rig_mkdirs(dir, 0755, err);
    free(dir);
    if (rc == 0)
        rc = rig_write_file(e->abs, e->cur, e->cur_len, e->mode, err);
    if (rc < 0)
        rig_err_prefix(err, "write %s", e->rel);
    return rc;
}

int rig_workspace_apply(const struct rig_workspace *ws, const struct rig_ws_change *changes,
                        size_t n, struct rig_err *err)
{
    struct plan p;
    size_t done = 0;
    int rc = -1;

    if (build_plan(ws, changes, n, &p, err) < 0)
        return -1;
    for (; done < p.len; done++)
        if (write_entry(&p.e[done], err) < 0)
            break;
    if (done == p.len) {
        rc = 0;
    } else {
        /* Put back what was already written so the tree is as before. */
        for (size_t i = done + 1; i-- > 0;) {
            struct rig_err e2 = RIG_ERR_INIT;
            if (restore(&p.e[i], &e2) < 0 && err) {
                size_t l = strlen(err->msg);
                snprintf(err->msg + l, sizeof(err->msg) - l, "; restoring %s also failed: %s",
                         p.e[i].rel, e2.msg);
            }
        }
    }
    plan_release(&p);
    return rc;
}
