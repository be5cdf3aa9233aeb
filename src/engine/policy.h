#ifndef RIG_ENGINE_POLICY_H
#define RIG_ENGINE_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "core/err.h"

/*
 * Policy-as-code: limits on what an AI change set may do, checked before
 * anything is written to the workspace.
 *
 *   max_file_changes   value N: more than N distinct files changed
 *   max_lines_changed  value N: more than N lines added + removed
 *   blocked_paths      value "glob,glob,...": any changed path matches
 *   allowed_paths      value "glob,glob,...": any changed path matches none
 *   require_tests      no `test:` entry is configured, so nothing would
 *                      verify the change
 *   max_retries        value N: this is self-heal round N+1 or later
 *
 * Path patterns: "dir/" matches everything under dir; a pattern without '/'
 * matches the file name at any depth (".env*" blocks "config/.env.local", as
 * in .gitignore); other patterns are globs over the whole path ("**" crosses
 * directories). ".git/" is always blocked, whatever the configuration says.
 */

struct rig_policy_input {
    const char *const *files;   /* normalised relative paths of the change set */
    size_t nfiles;
    size_t lines_changed;       /* added + removed */
    int attempt;                /* 1-based attempt (1 = first code round) */
    size_t ntests_configured;
};

struct rig_policy_violation_item {
    char *policy;
    char *rule;
    bool block;
    char *message;
};

struct rig_policy_result {
    struct rig_policy_violation_item *items;
    size_t len;
    bool blocked; /* at least one blocking violation */
};

/* "max_file_changes" ... */
const char *rig_policy_rule_name(enum rig_policy_rule r);

/* Evaluate every policy (values were validated when rig.yaml was loaded). */
void rig_policy_evaluate(const struct rig_policy_config *policies, size_t n,
                         const struct rig_policy_input *in, struct rig_policy_result *out);

/* "file-limit (max_file_changes): 12 files changed, limit 10; ..." joined by "; ". */
char *rig_policy_summary(const struct rig_policy_result *r, bool blocking_only);

void rig_policy_result_release(struct rig_policy_result *r);

/* The path-pattern rule above, shared with tests. */
bool rig_policy_path_matches(const char *pattern, const char *path);

#endif
