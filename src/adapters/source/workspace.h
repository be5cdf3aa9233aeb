#ifndef RIG_ADAPTERS_SOURCE_WORKSPACE_H
#define RIG_ADAPTERS_SOURCE_WORKSPACE_H

#include <stdbool.h>
#include <stddef.h>

#include "adapters/source/git.h"
#include "core/err.h"

/*
 * A per-task workspace: <data_dir>/workspaces/<task-id>/repo, a private clone
 * that no other task touches (never Rig's cwd). It is created fresh for a new
 * task and reused as-is when a task resumes.
 *
 * Every path that comes from outside (AI change sets) is resolved with
 * rig_path_join_under(ws->repo, ...): absolute paths, "..", symlinks leading
 * out of the repo and any ".git" component are refused.
 */

#define RIG_WS_SLUG_MAX 40

struct rig_workspace {
    char *root;   /* <data_dir>/workspaces/<task-id> */
    char *repo;   /* <root>/repo: the git working tree */
    char *branch; /* task branch, e.g. "rig/issue-42-fix-login" (NULL until set) */
    char *base;   /* base branch name, e.g. "main" (NULL until prepared) */
    char *remote; /* remote name in the clone ("origin") */
    bool reused;  /* prepare found an existing clone and kept it */
};

/* "rig/issue-<n>-<slug>" with slug = rig_str_slug(title, 40); "rig/issue-<n>"
 * when the slug is empty. Caller frees. */
char *rig_workspace_branch_name(long long issue_number, const char *title);

/* Fill ws paths for task_id (letters, digits, '.', '_', '-'; not "." or "..";
 * at most 128 bytes) and create <root>. Does not clone. */
int rig_workspace_init(struct rig_workspace *ws, const char *data_dir, const char *task_id,
                       struct rig_err *err);

/* Set ws->branch (copied). */
void rig_workspace_set_branch(struct rig_workspace *ws, const char *branch);

/*
 * Make ws->repo a clone of src on ws->branch:
 *  - resume and a valid clone exists: keep it (ws->reused = true), check out
 *    ws->branch if it exists locally, else create it from <remote>/<base>;
 *  - otherwise: remove whatever is at ws->repo, clone src, and
 *    `checkout -B <branch> <remote>/<base>`.
 * base NULL or "" = the clone's default branch (refs/remotes/origin/HEAD).
 * ws->branch must be set. src must be a local path or a credential-less URL.
 */
int rig_workspace_prepare(struct rig_workspace *ws, const struct rig_git *g, const char *src,
                          const char *base, bool resume, struct rig_err *err);

/* rm -rf <root>. */
int rig_workspace_remove(struct rig_workspace *ws, struct rig_err *err);

void rig_workspace_release(struct rig_workspace *ws);

/*
 * Change sets (the engine converts the AI answer into these).
 *  WRITE:  create or replace path with content (NUL-terminated text).
 *  DELETE: remove path (must exist).
 *  EDIT:   apply edits in order to the current content of path; each search
 *          string must occur exactly once (in the content as left by the
 *          previous edit) and is replaced by replace.
 * Changes apply in order; a later change to the same path sees the result of
 * the earlier ones.
 */
enum rig_ws_action { RIG_WS_WRITE = 1, RIG_WS_DELETE = 2, RIG_WS_EDIT = 3 };

struct rig_ws_edit {
    const char *search;
    const char *replace;
};

struct rig_ws_change {
    const char *path;
    int action; /* enum rig_ws_action */
    const char *content;
    const struct rig_ws_edit *edits;
    size_t nedits;
};

/*
 * What a change set would do, computed without touching the disk (for
 * policies such as max_file_changes / max_lines_changed). Line counts are
 * those of a minimal line diff between each file before and after the whole
 * set (like `git diff --numstat`); when two versions differ in more than
 * 2000 lines the whole changed region (first to last differing line) is
 * counted instead. Paths whose content ends up unchanged are not listed.
 */
struct rig_ws_stats {
    char **files;  /* distinct normalised paths in first-seen order, NULL-terminated */
    size_t nfiles;
    size_t lines_added;
    size_t lines_removed;
};

/* Validate the change set and describe it. Fails exactly when
 * rig_workspace_apply would fail validation (same messages). */
int rig_workspace_measure(const struct rig_workspace *ws, const struct rig_ws_change *changes,
                          size_t n, struct rig_ws_stats *st, struct rig_err *err);
void rig_ws_stats_release(struct rig_ws_stats *st);

/*
 * Apply all-or-nothing: every change is validated first (paths, existence,
 * edit matches); only then are files written (atomic temp+rename, parent
 * directories created, an existing file's mode kept, new files 0644) or
 * removed. If a write fails half-way, files already written are restored.
 * Errors name the change index and the path.
 */
int rig_workspace_apply(const struct rig_workspace *ws, const struct rig_ws_change *changes,
                        size_t n, struct rig_err *err);

#endif
