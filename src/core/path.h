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
 * component that is a symlink resolving outside root. The result is
 * "<root>/<normalised rel>" (may not exist yet). */
int rig_path_join_under(const char *root, const char *rel, size_t len, char **out,
                        struct rig_err *err);

/* Normalise a relative path lexically ("a/./b//c/../d" -> "a/b/d"); NULL when it
 * is absolute, empty or escapes with "..". */
char *rig_path_normalize_rel(const char *rel);

/* Glob match: '*' and '?' within a component, '[...]' classes, '**' across
 * components ("**\/x" also matches "x"; a final "**" component matches everything below).
 * A pattern ending in '/' matches that directory and everything under it. */
bool rig_glob_match(const char *pattern, const char *path);

/* mkdir -p with mode. */
int rig_mkdirs(const char *path, mode_t mode, struct rig_err *err);

/* rm -rf that never follows symlinks. */
int rig_rmtree(const char *path, struct rig_err *err);

/* Write a whole file atomically (temp in the same dir, fsync, rename). */
int rig_write_file(const char *path, const void *data, size_t len, mode_t mode,
                   struct rig_err *err);

/* Read a whole file of at most max bytes (0 = 64 MiB); *out NUL-terminated. */
int rig_read_file(const char *path, size_t max, char **out, size_t *len, struct rig_err *err);

/* "~" and "~/x" expanded with $HOME; other paths copied. */
char *rig_path_expand_home(const char *p);

/* Walk regular files under root (skipping .git), calling fn with the path
 * relative to root. Symlinks are reported but not followed. fn returning
 * non-zero stops the walk and that value is returned. */
int rig_path_walk(const char *root, int (*fn)(void *ctx, const char *rel, bool is_link),
                  void *ctx, struct rig_err *err);

#endif
