#ifndef RIG_ENGINE_VARS_H
#define RIG_ENGINE_VARS_H

#include "core/err.h"

/*
 * Runtime task variables for deploy/test/rollback commands.
 *
 * rig_vars_expand replaces ${BRANCH_NAME}, ${COMMIT_SHA}, ${ISSUE_ID},
 * ${ISSUE_NUMBER}, ${ISSUE_TITLE}, ${REPO_OWNER}, ${REPO_NAME} and
 * ${WORKSPACE} with values quoted for the shell context they appear in, so
 * the shell always sees the value as literal text:
 *   unquoted          -> 'single-quoted' (rig_shell_quote)
 *   inside '...'      -> the value with ' written as '\''
 *   inside "..."      -> the value with \ $ ` " backslash-escaped
 * Contexts where no quoting is sound are refused with an error that points at
 * the environment variable instead (RIG_ISSUE_TITLE, ...): inside `...`
 * backquotes, $'...' strings and here-document bodies.
 * A NULL value expands to an empty quoted string (''). Unknown ${X} and
 * $NAME forms are left for the shell; \${X} (escaped) is left untouched.
 */
struct rig_vars {
    const char *branch_name;
    const char *commit_sha;
    const char *issue_id;
    const char *issue_number;
    const char *issue_title;
    const char *repo_owner;
    const char *repo_name;
    const char *workspace;
};

/* *out is malloc'd. Error (RIG_EINVAL) names the variable and byte offset. */
int rig_vars_expand(const char *cmd, const struct rig_vars *vars, char **out,
                    struct rig_err *err);

/* "RIG_BRANCH_NAME=...", "RIG_COMMIT_SHA=...", ... for every variable (NULL
 * values become empty), NULL-terminated; free with rig_strv_free. Only the
 * RIG_-prefixed names are exported. vars may be NULL (empty vector). */
char **rig_vars_env(const struct rig_vars *vars);

#endif
