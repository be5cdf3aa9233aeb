#include "engine/context.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "core/banned.h"

#define GUIDE_MAX (32 * 1024)
#define FILE_MAX (256 * 1024)
#define KEYWORDS_MAX 64

static const char *const stop_words[] = {
    "the", "and", "for", "with", "that", "this", "from", "are", "was", "were", "not", "but",
    "have", "has", "had", "when", "then", "than", "into", "should", "would", "could", "will",
    "can", "all", "any", "use", "using", "add", "make", "fix", "issue", "file", "files",
    "code", "please", "also", "there", "their", "which", "what", "where", "how", "its",
    "plan", "change", "changes", "new", "need", "needs", NULL,
};

struct candidate {
    char *path;
    long score;
    size_t order;
};

struct keywords {
    char *words[KEYWORDS_MAX];
    size_t n;
};

static bool is_stop_word(const char *w)
{
    for (size_t i = 0; stop_words[i]; i++)
        if (strcmp(stop_words[i], w) == 0)
            return true;
    return false;
}

static void keywords_add_text(struct keywords *kw, const char *text)
{
    char word[64];
    size_t n = 0;

    if (!text)
        return;
    for (const char *p = text;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c && (isalnum(c) || c == '_') && n < sizeof(word) - 1) {
            word[n++] = (char)tolower(c);
            continue;
        }
        word[n] = '\0';
        if (n >= 3 && !is_stop_word(word) && kw->n < KEYWORDS_MAX) {
            bool dup = false;
            for (size_t i = 0; i < kw->n && !dup; i++)
                dup = strcmp(kw->words[i], word) == 0;
            if (!dup)
                kw->words[kw->n++] = xstrdup(word);
        }
        n = 0;
        if (!c)
            break;
    }
}

static void keywords_release(struct keywords *kw)
{
    for (size_t i = 0; i < kw->n; i++)
        free(kw->words[i]);
    kw->n = 0;
}

static char *lower_dup(const char *s)
{
    char *d = xstrdup(s);

    for (char *p = d; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

static bool looks_binary(const char *data, size_t len)
{
    size_t n = len < 8000 ? len : 8000;

    return memchr(data, '\0', n) != NULL;
}

static long score_path(const char *path, const struct keywords *kw,
                       const char *const *plan_files)
{
    char *lp = lower_dup(path);
    long score = 0;

    for (size_t i = 0; plan_files && plan_files[i]; i++)
        if (strcmp(plan_files[i], path) == 0)
            score += 1000;
    for (size_t i = 0; i < kw->n; i++)
        if (strstr(lp, kw->words[i]))
            score += 20;
    free(lp);
    return score;
}

static long score_content(const char *content, const struct keywords *kw)
{
    char *lc = lower_dup(content);
    long score = 0;

    for (size_t i = 0; i < kw->n; i++)
        if (strstr(lc, kw->words[i]))
            score += 3;
    free(lc);
    return score;
}

static int cand_cmp(const void *a, const void *b)
{
    const struct candidate *x = a, *y = b;

    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->order < y->order ? -1 : (x->order > y->order);
}

static char *read_guide(const char *repo)
{
    static const char *const names[] = {"AGENTS.md", "CLAUDE.md", "README.md", "README",
                                        "README.rst", "README.txt", NULL};

    for (size_t i = 0; names[i]; i++) {
        char *path = xasprintf("%s/%s", repo, names[i]);
        char *data = NULL;
        size_t len = 0;
        int rc = rig_read_file(path, FILE_MAX, &data, &len, NULL);

        free(path);
        if (rc == 0) {
            if (len > GUIDE_MAX)
                data[GUIDE_MAX] = '\0';
            return data;
        }
    }
    return NULL;
}

/* Read a tracked file through the safe join: a symlink leaving the repo must
 * not leak host files into a prompt. */
static char *read_tracked(const char *repo, const char *rel, size_t *len)
{
    char *full = NULL, *data = NULL;

    if (rig_path_join_under(repo, rel, strlen(rel), &full, NULL) < 0)
        return NULL;
    if (rig_read_file(full, FILE_MAX, &data, len, NULL) < 0)
        data = NULL;
    free(full);
    return data;
}

static void add_file(struct rig_repo_context *out, const char *path, char *content, size_t len)
{
    out->files = xreallocarray(out->files, out->nfiles + 1, sizeof(*out->files));
    out->files[out->nfiles].path = xstrdup(path);
    out->files[out->nfiles].content = content;
    out->files[out->nfiles].readonly = false;
    out->nfiles++;
    out->bytes += len;
}

int rig_context_collect(const struct rig_git *g, const char *repo,
                        const struct rig_context_query *q, struct rig_repo_context *out,
                        struct rig_err *err)
{
    struct keywords kw = {0};
    struct rig_buf tree = RIG_BUF_INIT;
    struct candidate *c = NULL;
    char **files = NULL;
    size_t n = 0;
    size_t budget = q->budget ? q->budget : 200000;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (rig_git_ls_files(g, repo, &files, &n, err) < 0)
        goto out;
    for (size_t i = 0; i < n && i < RIG_CTX_TREE_MAX; i++)
        rig_buf_addf(&tree, "%s\n", files[i]);
    if (n > RIG_CTX_TREE_MAX)
        rig_buf_addf(&tree, "... (%zu more files)\n", n - RIG_CTX_TREE_MAX);
    out->tree = rig_buf_take(&tree);
    out->guide = read_guide(repo);

    keywords_add_text(&kw, q->title);
    keywords_add_text(&kw, q->body);
    keywords_add_text(&kw, q->plan);
    c = xcalloc(n ? n : 1, sizeof(*c));
    for (size_t i = 0; i < n; i++) {
        c[i].path = files[i];
        c[i].order = i;
        c[i].score = score_path(files[i], &kw, q->plan_files);
    }
    /* Content scoring only for files whose path did not already decide, and
     * only for a bounded number of reads. */
    for (size_t i = 0; i < n && i < 5000; i++) {
        size_t len = 0;
        char *data = read_tracked(repo, c[i].path, &len);
        if (data && !looks_binary(data, len))
            c[i].score += score_content(data, &kw);
        else if (data)
            c[i].score = -1;
        free(data);
    }
    qsort(c, n, sizeof(*c), cand_cmp);
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        char *data;

        /* Relevant files first, then the rest in path order while the budget
         * lasts: a small repository is sent whole. */
        if (c[i].score < 0)
            continue;
        data = read_tracked(repo, c[i].path, &len);
        if (!data)
            continue;
        if (looks_binary(data, len) || out->bytes + len > budget) {
            free(data);
            continue;
        }
        add_file(out, c[i].path, data, len);
    }
    rc = 0;
out:
    keywords_release(&kw);
    free(c);
    rig_strv_free(files);
    if (rc < 0)
        rig_repo_context_release(out);
    return rc;
}

void rig_repo_context_release(struct rig_repo_context *c)
{
    free(c->tree);
    free(c->guide);
    for (size_t i = 0; i < c->nfiles; i++) {
        free((char *)c->files[i].path);
        free((char *)c->files[i].content);
    }
    free(c->files);
    memset(c, 0, sizeof(*c));
}
