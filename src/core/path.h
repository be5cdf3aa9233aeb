#ifndef RIG_CORE_PATH_H
#define RIG_CORE_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/err.h"

/*
 * Paths that come from outside (AI answers, issue text, API bodies) are joined
 * under a root with rig_path_join_under and never used raw.
 */

/* Join rel (len bytes, may contain anything) under root. Refuses: empty, NUL
 * bytes, absolute paths, ".." components that leave root, and any existing
 * component that is a symlink resolving outside root. A symlink whose target
 * does not exist (dangling) is refused too: writing through it would create a
 * file wherever it points. Symlinks resolving inside root are fine. The result
 * is "<root>/<normalised rel>" (may not exist yet); a rel naming the root itself
 * ("." or "a/..") gives root. Errors quote rel with control bytes escaped:
 *   path "../../etc/passwd" leaves the workspace
 * This is a check at call time: it does not defend against another process
 * swapping in symlinks afterwards (the workspace is ours, the input is not). */
int rig_path_join_under(const char *root, const char *rel, size_t len, char **out,
                        struct rig_err *err);

/* Normalise a relative path lexically ("a/./b//c/../d" -> "a/b/d"); NULL when it
 * is absolute, empty or escapes with "..". A path naming its own starting
 * point ("./", "a/..") gives ".". Caller frees. */
char *rig_path_normalize_rel(const char *rel);

/*
 * Glob match of a relative, '/'-separated path against a pattern. The whole
 * path must match (no implicit prefix or basename matching).
 *   '*'      any run of characters except '/' (may be empty)
 *   '?'      one character except '/'
 *   '[abc]', '[a-z]', '[!a-z]' (also '[^a-z]')
 *            one character except '/' in (or, negated, not in) the class; ']'
 *            first in the class is literal; an unterminated '[' is a literal '['
 *   '\c'     the character c literally
 *   '**'     as a whole component: zero or more whole components, so
 *            "STARSTAR/x" matches "x" and "a/b/x", "dir/STARSTAR" matches everything
 *            under dir (but not "dir" itself), "a/STARSTAR/b" matches "a/b" and
 *            "a/x/y/b". Inside a component ("a**b") it behaves like '*'.
 *   "dir/"   a pattern ending in '/' matches "dir" and everything under it.
 * (STARSTAR stands for two asterisks: a C comment cannot spell them before '/'.)
 * Without '**' a pattern never crosses '/': "*.env" matches "x.env" in the top
 * directory only, not "a/x.env". A leading "./" in either argument is ignored.
 */
bool rig_glob_match(const char *pattern, const char *path);

/* mkdir -p with mode (existing directories are fine, even through symlinks). */
int rig_mkdirs(const char *path, mode_t mode, struct rig_err *err);

/* rm -rf that never follows symlinks: a symlink (also path itself) is removed,
 * never what it points to. A missing path is not an error. */
int rig_rmtree(const char *path, struct rig_err *err);

/* Write a whole file atomically (temp in the same dir, write, fchmod(mode),
 * fsync, rename, fsync of the dir). Readers see the old or the new content,
 * never a mix; the temp file is removed on failure. mode is applied exactly
 * (no umask). An existing symlink at path is replaced, not followed. */
int rig_write_file(const char *path, const void *data, size_t len, mode_t mode,
                   struct rig_err *err);
/* The same, except that mode is filtered through the umask like a plain
 * create (0644 gives 0644 minus the umask): for files the user owns. */
int rig_write_file_umask(const char *path, const void *data, size_t len, mode_t mode,
                         struct rig_err *err);

/* Read a whole file of at most max bytes (0 = 64 MiB); *out NUL-terminated. */
int rig_read_file(const char *path, size_t max, char **out, size_t *len, struct rig_err *err);
/* The same from an open descriptor (left open), for callers that open with
 * their own flags or checks; name is used in error messages. */
int rig_read_fd(int fd, const char *name, size_t max, char **out, size_t *len,
                struct rig_err *err);

/* A new private temporary file (mode 0600, *fd open for reading and writing)
 * or directory (0700) under $TMPDIR, else /tmp, named "<prefix>-<random>".
 * *path is malloc'd; the caller removes it. */
int rig_tmp_file(const char *prefix, char **path, int *fd, struct rig_err *err);
int rig_tmp_dir(const char *prefix, char **path, struct rig_err *err);

/* "~" and "~/x" expanded with $HOME; other paths copied. */
char *rig_path_expand_home(const char *p);

/* Walk regular files under root (skipping every entry named .git), calling fn
 * with the path relative to root ("a/b.c"). Symlinks are reported with is_link
 * (whatever they point to) but not followed; other file types are skipped.
 * Entries of each directory are visited in strcmp order, depth first, so the
 * order is deterministic. fn returning non-zero stops the walk and that value
 * is returned; -1 with err set when a directory cannot be read. */
int rig_path_walk(const char *root, int (*fn)(void *ctx, const char *rel, bool is_link),
                  void *ctx, struct rig_err *err);

#endif
