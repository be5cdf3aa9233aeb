#ifndef RIG_ADAPTERS_SOURCE_GIT_H
#define RIG_ADAPTERS_SOURCE_GIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/*
 * A thin wrapper over the `git` CLI. Every command runs through rig_proc_run
 * with an argv (never a shell) and an isolated configuration:
 * GIT_CONFIG_NOSYSTEM=1, GIT_TERMINAL_PROMPT=0, GIT_ALLOW_PROTOCOL limited to
 * file/git/http/https/ssh (no ext:: command transports), LC_ALL=C, stdin from
 * /dev/null, and
 * HOME=<home> (plus XDG_CONFIG_HOME=<home>/.config) when home is set, so the
 * user's ~/.gitconfig, credential helpers and hooks do not leak into a task.
 *
 * Errors name the git command and carry the tail of git's stderr, redacted
 * with rig_redact() so registered secrets never reach a message.
 *
 * Refs and paths handed to these helpers are passed after "--" or validated
 * (no leading '-'), so a branch called "--upload-pack=..." cannot become an
 * option.
 */

struct rig_git {
    const char *git_bin;          /* NULL: "git" from PATH */
    const char *home;             /* HOME for git; NULL: inherit */
    const char *const *env;       /* extra "NAME=value" for every command (NULL-terminated),
                                   * e.g. GIT_CONFIG_COUNT/KEY/VALUE for an auth header that
                                   * must never land in .git/config */
    int64_t timeout_ms;           /* per command; 0 = 10 minutes */
    const volatile int *cancel;   /* optional: non-zero terminates the running git */
};

/* Commit identity; both author and committer are set from it via env. */
struct rig_git_ident {
    const char *name;  /* NULL: "Rig" */
    const char *email; /* NULL: "rig@localhost" */
};

/*
 * Run `git <argv...>` in cwd. argv holds the arguments AFTER "git" and is
 * NULL-terminated. env adds "NAME=value" entries for this call only. On
 * success *out (when out != NULL) receives stdout (caller frees). A non-zero
 * exit is an error whose message is "git <args>: <exit description>: <stderr
 * tail>".
 */
int rig_git_run(const struct rig_git *g, const char *cwd, const char *const *argv,
                const char *const *env, char **out, struct rig_err *err);

/* Same with stdin data (e.g. a commit message). */
int rig_git_run_input(const struct rig_git *g, const char *cwd, const char *const *argv,
                      const char *const *env, const char *input, size_t input_len,
                      char **out, struct rig_err *err);

/* true when src is a URL (scheme://, or scp-like user@host:path) rather than a local path. */
bool rig_git_is_url(const char *src);

/* Refuse URLs that embed credentials ("https://user:token@host/...") and
 * sources starting with '-'. 0 when acceptable. */
int rig_git_check_source(const char *src, struct rig_err *err);

/* Clone src (local path or credential-less URL) into dir (must not exist or
 * be empty). Local paths are cloned with --no-hardlinks so the task can never
 * modify the source repository's objects. */
int rig_git_clone(const struct rig_git *g, const char *src, const char *dir, struct rig_err *err);

/* 0 when name is a valid branch name (git check-ref-format --branch). */
int rig_git_check_branch(const struct rig_git *g, const char *name, struct rig_err *err);

/* Default branch of remote `remote` as seen by the clone (refs/remotes/<remote>/HEAD),
 * e.g. "main". Caller frees *out. */
int rig_git_default_branch(const struct rig_git *g, const char *dir, const char *remote,
                           char **out, struct rig_err *err);

/* `git checkout -B <branch> <start>` (start e.g. "origin/main"). */
int rig_git_checkout_new(const struct rig_git *g, const char *dir, const char *branch,
                         const char *start, struct rig_err *err);

/* `git checkout <branch>` of an existing local branch. */
int rig_git_checkout(const struct rig_git *g, const char *dir, const char *branch,
                     struct rig_err *err);

/* Does refs/heads/<branch> exist? */
int rig_git_branch_exists(const struct rig_git *g, const char *dir, const char *branch,
                          bool *exists, struct rig_err *err);

/* Full SHA of a revision ("HEAD", "origin/main"); sha gets 40 hex chars + NUL. */
int rig_git_rev_parse(const struct rig_git *g, const char *dir, const char *rev, char sha[41],
                      struct rig_err *err);
int rig_git_head(const struct rig_git *g, const char *dir, char sha[41], struct rig_err *err);

/* `git add -A`. */
int rig_git_add_all(const struct rig_git *g, const char *dir, struct rig_err *err);

/*
 * Commit the staged index with message (passed on stdin, any size/bytes).
 * When nothing is staged this is NOT an error: *committed = false, 0 is
 * returned and no commit is made (the caller reports "no changes"). Any other
 * failure (hooks, identity, lock) is -1 with git's stderr. On success
 * *committed = true and sha (may be NULL) receives the new HEAD.
 */
int rig_git_commit(const struct rig_git *g, const char *dir, const char *message,
                   const struct rig_git_ident *who, bool *committed, char sha[41],
                   struct rig_err *err);

/* Push refs/heads/<branch> to the same name on remote (a remote name or a
 * credential-less URL). Never forces: a non-fast-forward is an error. */
int rig_git_push(const struct rig_git *g, const char *dir, const char *remote,
                 const char *branch, struct rig_err *err);

/* Delete <branch> on remote (`git push <remote> --delete <branch>`). */
int rig_git_push_delete(const struct rig_git *g, const char *dir, const char *remote,
                        const char *branch, struct rig_err *err);

/* Files changed between base and HEAD (`git diff --name-only base...HEAD`),
 * NULL-terminated vector (free with rig_strv_free); *n may be NULL. */
int rig_git_diff_names(const struct rig_git *g, const char *dir, const char *base,
                       char ***files, size_t *n, struct rig_err *err);

/* Unified diff text base...HEAD. max caps the size (0 = 8 MiB); a longer diff
 * is cut and *truncated set (may be NULL). */
int rig_git_diff_text(const struct rig_git *g, const char *dir, const char *base, size_t max,
                      char **out, bool *truncated, struct rig_err *err);

/* Working tree (tracked changes + untracked files) versus HEAD. */
struct rig_git_diffstat {
    size_t files;
    size_t added;   /* lines; binary files count as files only */
    size_t removed;
};
int rig_git_diffstat(const struct rig_git *g, const char *dir, struct rig_git_diffstat *st,
                     struct rig_err *err);

/* One entry of `git status --porcelain=v1 -z --untracked-files=all`. */
struct rig_git_status_entry {
    char index;      /* X column: ' ', 'M', 'A', 'D', 'R', 'C', 'U', '?' */
    char worktree;   /* Y column */
    char *path;      /* current path */
    char *orig_path; /* rename/copy source, else NULL */
    bool deleted;    /* the path no longer exists in the working tree */
};
struct rig_git_status {
    struct rig_git_status_entry *items;
    size_t len;
};
int rig_git_status_changed(const struct rig_git *g, const char *dir, struct rig_git_status *st,
                           struct rig_err *err);
void rig_git_status_release(struct rig_git_status *st);

/* Tracked files (`git ls-files -z`), NULL-terminated (rig_strv_free). */
int rig_git_ls_files(const struct rig_git *g, const char *dir, char ***files, size_t *n,
                     struct rig_err *err);

#endif
