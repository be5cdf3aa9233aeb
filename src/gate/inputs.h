#ifndef RIG_GATE_INPUTS_H
#define RIG_GATE_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "gate/findings.h"
#include "gate/spec.h"

/*
 * Readers for the check tools' result files. Each appends to a sg_findings
 * (findings mapped to rules of the set, tool errors) and returns 0, or -1 with
 * err naming the file, the place and what is wrong when the file is not what
 * the tool writes. A file that fails leaves out unchanged.
 *
 * Mapping back to rules:
 *  - semgrep: extra.metadata.specgate_rule_id first; else check_id against a
 *    rule's ci_info.semgrep_rule.rule_id (or the rule id itself) on a dot
 *    boundary, because Semgrep prefixes ids with the config path
 *    ("specgate.semgrep.sql-injection"), optionally followed by "-<n>" for
 *    rules the generator split per pattern.
 *  - archunit (JUnit XML): testcase name == ci_info.archunit_rule.test_name,
 *    else the first rule id that appears in the failure message.
 *  - oasdiff: see sg_oasdiff_rule_matches().
 */

struct sg_input_opts {
    /* Source roots searched to turn an ArchUnit class into a repository path;
     * NULL-terminated, NULL = {"src/main/java", "src/test/java", NULL}. */
    const char *const *source_roots;
    const char *base_dir;     /* the roots are relative to it; NULL = "." */
    size_t max_bytes;         /* per result file; 0 = 64 MiB */
    int xml_max_depth;        /* 0 = 64 */
};

int sg_semgrep_parse(const char *name, const char *text, size_t len,
                     const struct sg_ruleset *rules, struct sg_findings *out,
                     struct rig_err *err);
int sg_junit_parse(const char *name, const char *text, size_t len,
                   const struct sg_ruleset *rules, const struct sg_input_opts *opts,
                   struct sg_findings *out, struct rig_err *err);
int sg_oasdiff_parse(const char *name, const char *text, size_t len,
                     const struct sg_ruleset *rules, struct sg_findings *out,
                     struct rig_err *err);

/* Read path and dispatch on tool; records the input in out->inputs. */
int sg_input_load_file(enum sg_tool tool, const char *path, const struct sg_ruleset *rules,
                       const struct sg_input_opts *opts, struct sg_findings *out,
                       struct rig_err *err);

/* Expand a JUnit argument: a file, a directory (every *.xml below it) or a
 * glob ('*', '?', '[..]' within a component, '**' across components).
 * Appends malloc'd paths to *paths (sorted per argument). Returns the number
 * added, or -1 on error (unreadable directory, pattern too broad). */
int sg_junit_expand(const char *arg, char ***paths, size_t *npaths, struct rig_err *err);

/* Does the oasdiff change (id, level 1..3, API path or NULL) violate rule r?
 * Decided on the generator's map of the rule (sg_openapi_rule_map in
 * gate/gen.h): a paths[] entry whose pattern matches the path, and whose
 * check_ids hold the id or whose any_change_min_level (no_breaking_changes:
 * ERR) the level reaches. A change without a path (document-wide, e.g.
 * global security) is matched only by the catch-all pattern (a double star,
 * with or without a leading slash). */
bool sg_oasdiff_rule_matches(const struct sg_rule *r, const char *check_id, int level,
                             const char *path);

#endif
