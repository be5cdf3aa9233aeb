#ifndef RIG_GATE_FINDINGS_H
#define RIG_GATE_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "gate/spec.h"

/*
 * What the check tools reported, normalised: one sg_finding per violation a
 * tool found (mapped to a rule when possible) and one sg_tool_error per
 * problem a tool had while checking. A finding that maps to no rule keeps
 * rule_id NULL and is reported as "unmapped"; nothing is dropped.
 */

enum sg_tool { SG_TOOL_SEMGREP = 0, SG_TOOL_ARCHUNIT, SG_TOOL_OASDIFF, SG_TOOL_COUNT };

struct sg_finding {
    enum sg_tool tool;
    char *rule_id;  /* the rule it violates; NULL when unmapped */
    char *check_id; /* the tool's own id: semgrep check_id, junit "class.test", oasdiff id */
    char *file;     /* repository-relative, '/' separators; NULL when the tool gave none */
    int line;       /* 1-based; 0 when unknown */
    char *message;
    char *source;   /* the input file it was read from */
    char *unknown_rule; /* a rule id the tool named that the rules file lacks, else NULL */
};

struct sg_tool_error {
    enum sg_tool tool;
    bool fatal;     /* the check did not run (config error, crashed test): score incomplete */
    char *level;    /* the tool's level word ("error", "warn"...), never NULL */
    char *type;     /* the tool's error kind ("Syntax error", "error-element"...), never NULL */
    char *message;
    char *path;     /* file the tool complained about, NULL when none */
    char *source;   /* input file */
};

struct sg_input_info {
    enum sg_tool tool;
    char *path;
    size_t findings;
    size_t errors;
};

struct sg_findings {
    struct sg_finding *items;
    size_t n, cap;
    struct sg_tool_error *errors;
    size_t nerr, errcap;
    struct sg_input_info *inputs;
    size_t ninputs, inputcap;
};

#define SG_FINDINGS_INIT {NULL, 0, 0, NULL, 0, 0, NULL, 0, 0}

/* "semgrep", "archunit", "oasdiff" */
const char *sg_tool_name(enum sg_tool t);
int sg_tool_parse(const char *s, enum sg_tool *out);

/* Append copies of the strings (any may be NULL except check_id). */
void sg_findings_add(struct sg_findings *f, enum sg_tool tool, const char *rule_id,
                     const char *check_id, const char *file, int line, const char *message,
                     const char *source);
/* Mark the last added finding as naming a rule id the rules file lacks. */
void sg_findings_set_unknown_rule(struct sg_findings *f, const char *id);
void sg_findings_add_error(struct sg_findings *f, enum sg_tool tool, bool fatal, const char *level,
                           const char *type, const char *message, const char *path,
                           const char *source);
/* Record that an input file was read, with the counts it contributed. */
void sg_findings_note_input(struct sg_findings *f, enum sg_tool tool, const char *path,
                            size_t nfindings, size_t nerrors);
/* Drop everything added after the counts were n / nerr (a parser that fails
 * half-way leaves nothing behind). */
void sg_findings_truncate(struct sg_findings *f, size_t n, size_t nerr);
size_t sg_findings_fatal_count(const struct sg_findings *f);
void sg_findings_release(struct sg_findings *f);

/* Repository-relative form of a tool path: backslashes become '/', leading
 * "./" and duplicate slashes go. Returns a new string. */
char *sg_path_normalize(const char *path);

/* Read a whole file of at most max bytes into a NUL-terminated buffer; the
 * error names the file and says what to do when it is missing or too big. */
int sg_read_input(const char *path, size_t max, char **out, size_t *len, struct rig_err *err);

/* Rule lookup without depending on the loader (works on any sg_ruleset). */
const struct sg_rule *sg_rules_by_id(const struct sg_ruleset *set, const char *id);

/* The object at "a.b.c" under the rule's JSON, NULL when absent. */
json_t *sg_rule_get(const struct sg_rule *r, const char *dotted);
/* String at a dotted path, NULL when absent or not a string. */
const char *sg_rule_str(const struct sg_rule *r, const char *dotted);

#endif
