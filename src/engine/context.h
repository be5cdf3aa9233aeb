#ifndef RIG_ENGINE_CONTEXT_H
#define RIG_ENGINE_CONTEXT_H

#include <stddef.h>

#include "adapters/ai/ai.h"
#include "adapters/source/git.h"
#include "core/err.h"

/*
 * What the AI sees of a repository: a listing of tracked files, the project's
 * guide (AGENTS.md, else README), and the files most relevant to the issue,
 * within a byte budget (ai.context_bytes).
 *
 * Relevance: a file named in the plan scores highest; then each keyword of the
 * issue title, body and plan (lowercased words of 3+ characters, minus common
 * English stop words) found in the path scores, and found in the content
 * scores less. Ties keep path order, so prompts are deterministic. Binary
 * files and files larger than the remaining budget are skipped.
 */

struct rig_repo_context {
    char *tree;                  /* one path per line (at most RIG_CTX_TREE_MAX paths) */
    char *guide;                 /* NULL when the repo has none */
    struct rig_ai_file *files;   /* path/content malloc'd */
    size_t nfiles;
    size_t bytes;                /* content bytes included */
};

#define RIG_CTX_TREE_MAX 2000

struct rig_context_query {
    const char *title;
    const char *body;
    const char *plan;
    const char *const *plan_files; /* paths the plan intends to touch, may be NULL */
    size_t budget;                 /* bytes of file content; 0 = 200000 */
};

int rig_context_collect(const struct rig_git *g, const char *repo,
                        const struct rig_context_query *q, struct rig_repo_context *out,
                        struct rig_err *err);
void rig_repo_context_release(struct rig_repo_context *c);

#endif
