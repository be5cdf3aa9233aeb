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

/* The oasdiff check ids a DesignRuleSpec openapi_rule flag stands for
 * (NULL-terminated list; NULL for an unknown flag). no_breaking_changes is
 * not a list: it means every change at level WARN or above. */
const char *const *sg_oasdiff_flag_checks(const char *flag);

/* Does the oasdiff change (id, level 1..3, API path or NULL) violate rule r?
 * True when one of r's ci_info.openapi_rule.paths[] patterns matches the path
 * and its rules flags cover the change (no_breaking_changes: level >= WARN;
 * the other flags: the ids of sg_oasdiff_flag_checks). A paths entry without
 * a rules object counts as no_breaking_changes. A change without a path
 * (document-wide, e.g. global security) matches only catch-all patterns
 * (the pattern "**", with or without a leading slash). */
bool sg_oasdiff_rule_matches(const struct sg_rule *r, const char *check_id, int level,
                             const char *path);

#endif
