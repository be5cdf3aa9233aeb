#ifndef RIG_GATE_SPEC_INT_H
#define RIG_GATE_SPEC_INT_H

/*
 * Internals of the DesignRuleSpec loader (spec.c, spec_fields.c): validation
 * problems are collected by JSON pointer first and located in the text later
 * (see jsonpos.h), so the validators never deal with positions.
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define SG_MAX_ISSUES 200
#define SG_MAX_WARNINGS 50

struct sg_issue {
    char *pointer;
    char *msg;
    bool warning;
    bool at_key; /* locate at the member name (unknown field) rather than the value */
};

struct sg_vctx {
    struct sg_issue *v;
    size_t n, cap;
    size_t nerrors;
    size_t nwarnings;
    bool truncated; /* more than SG_MAX_ISSUES: the rest were dropped */
};

void sg_vctx_release(struct sg_vctx *c);
void sg_vctx_error(struct sg_vctx *c, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sg_vctx_error_key(struct sg_vctx *c, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sg_vctx_warn(struct sg_vctx *c, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "did you mean" helper: the candidate closest to s (NULL-terminated list), or
 * NULL when none is close enough to be a plausible typo. */
const char *sg_suggest(const char *s, const char *const *candidates);

/* Value kinds of the field tables. */
enum sg_ftype {
    SG_FT_STRING,
    SG_FT_INT,
    SG_FT_NUMBER,
    SG_FT_BOOL,
    SG_FT_OBJECT,        /* members described by sub; unknown members are errors */
    SG_FT_FREE_OBJECT,   /* any members; known ones (sub, may be NULL) are checked */
    SG_FT_STRING_ARRAY,
    SG_FT_OBJECT_ARRAY,  /* each element an SG_FT_OBJECT described by sub */
    SG_FT_STRING_OR_OBJECT,
    SG_FT_RULE_ARRAY,    /* an array of rule objects, validated by the caller */
};

#define SG_F_REQUIRED 0x1u
#define SG_F_NONEMPTY 0x2u /* strings: not blank; arrays: at least one element */
#define SG_F_RANGE 0x4u    /* numbers: min..max inclusive */

struct sg_vctx;

struct sg_field {
    const char *name;
    enum sg_ftype type;
    unsigned flags;
    const struct sg_field *sub;
    double min, max;
    const char *const *enumv; /* allowed strings (string or string-array elements) */
    /* Extra check on a string, or on each string element of an array. */
    void (*check)(struct sg_vctx *c, const char *pointer, const char *value);
    /* Extra check on an object once its members passed the table. */
    void (*obj_check)(struct sg_vctx *c, const char *pointer, json_t *obj);
};

/* Check obj against a NULL-name-terminated field table. */
void sg_validate_object(struct sg_vctx *c, const char *pointer, json_t *obj,
                        const struct sg_field *fields, bool free_form);

/* Field table of one rule object (all three shapes share it), and of the two
 * container documents: {"rules"|"examples": [...]} and the design document
 * with must_rules/should_rules/must_not_rules. */
extern const struct sg_field sg_rule_fields[];
extern const struct sg_field sg_list_doc_fields[];
extern const struct sg_field sg_design_doc_fields[];

#endif
