#ifndef RIG_ENGINE_DIFF_H
#define RIG_ENGINE_DIFF_H

#include "core/err.h"

/*
 * A unified diff of one file's before/after text, labelled a/<path> and
 * b/<path> (git's format, produced by `git diff --no-index` on temporary
 * copies so the output is exactly what reviewers are used to). before or
 * after NULL means the file does not exist on that side. *out is "" when the
 * texts are equal.
 */
int rig_diff_unified(const char *path, const char *before, const char *after, char **out,
                     struct rig_err *err);

#endif
