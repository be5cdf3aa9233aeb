#ifndef RIG_CONFIG_SCHEMA_H
#define RIG_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The rig.yaml schema as data: one table per mapping, one row per key. The
 * loader (load.c) walks a YAML document with these tables, checks types,
 * ranges and allowed values, fills defaults and stores each value at its
 * offset in the C structs of config.h; rig_config_release frees with the same
 * tables. Rules that involve several keys live in check.c.
 */

enum cfg_type {
    CT_STR,     /* char * */
    CT_INT,     /* int, range min..max */
    CT_I64,     /* long long, range min..max */
    CT_NUM,     /* double (integer or float), range min..max */
    CT_BOOL,    /* bool */
    CT_DUR,     /* int64_t milliseconds, > 0 */
    CT_ENUM,    /* int: the value of the matching cfg_enum row */
    CT_ENUMSTR, /* char *: one of the cfg_enum names */
    CT_FLAGS,   /* unsigned: OR of the values of a list of cfg_enum names */
    CT_STRLIST, /* struct rig_strlist */
    CT_MAP,     /* struct rig_strmap, names must be environment variable names */
    CT_OBJ,     /* a nested mapping stored in place at off */
    CT_LIST,    /* a list of mappings: items pointer at off, count at off_n */
    CT_RAW,     /* type depends on sibling keys: checked and stored by check.c */
};

#define CF_REQUIRED (1u << 0)
#define CF_SECRET (1u << 1)
#define CF_HAS_SET (1u << 2) /* OBJ/LIST: bool at off_set is set when the key is present */

struct cfg_enum {
    const char *name;
    int value;
    const char *rejected; /* non-NULL: a value Rig knows but refuses, with this reason */
};

struct cfg_section;

struct cfg_key {
    const char *name;
    enum cfg_type type;
    unsigned flags;
    size_t off;
    const char *def; /* the default as it would be written in YAML; NULL = none */
    double min, max; /* CT_INT/CT_I64/CT_NUM: allowed range (both 0 = any) */
    const struct cfg_enum *enums;
    const struct cfg_section *sub; /* CT_OBJ, CT_LIST */
    size_t off_n;                  /* CT_LIST */
    size_t elem_size;              /* CT_LIST */
    size_t off_set;                /* CF_HAS_SET */
    const char *doc;               /* one line, for docs and `rig init` */
};

/* A key that earlier versions accepted and Rig refuses, with the reason. */
struct cfg_retired {
    const char *name;
    const char *reason;
};

struct cfg_section {
    const char *name; /* "deploy.config", for docs and the sync test */
    const struct cfg_key *keys; /* terminated by a row with name == NULL */
    const struct cfg_retired *retired; /* may be NULL; terminated likewise */
};

/* The root of rig.yaml. */
extern const struct cfg_section cfg_root_section;

/* Sections check.c revisits. */
extern const struct cfg_enum cfg_step_enum[];
extern const struct cfg_enum cfg_method_enum[];
extern const struct cfg_enum cfg_platform_enum[];
extern const struct cfg_enum cfg_provider_enum[];
extern const struct cfg_enum cfg_rule_enum[];

const struct cfg_key *cfg_find_key(const struct cfg_section *sec, const char *name);
const struct cfg_enum *cfg_find_enum(const struct cfg_enum *e, const char *name);
const char *cfg_enum_name(const struct cfg_enum *e, int value);

/* Visit every key of every section reachable from sec (depth first); path is
 * the dotted name ("deploy.config.commands[].run"). For docs tests. */
void cfg_schema_walk(const struct cfg_section *sec,
                     void (*fn)(void *ctx, const char *path, const struct cfg_key *key),
                     void *ctx);

#endif
