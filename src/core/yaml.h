#ifndef RIG_CORE_YAML_H
#define RIG_CORE_YAML_H

#include <stddef.h>

#include <jansson.h>

#include "core/err.h"

/*
 * YAML (libfyaml) converted to the same jansson tree the JSON helpers use, so
 * one validator serves both. Positions are kept per node, addressed by JSON
 * pointer ("/deploy/config/commands/0/run"), because jansson values carry no
 * location of their own.
 *
 * Scalars follow the YAML 1.2 core schema: plain true/false, null/~/empty,
 * integers and floats become typed JSON values; quoted scalars are always
 * strings. Anchors, aliases and merge keys (<<) are resolved. Duplicate keys,
 * non-scalar keys and multi-document streams are errors.
 */

struct rig_yaml_pos {
    int line; /* 1-based */
    int col;  /* 1-based */
};

struct rig_yaml_doc;

/* Parse text (name used in messages). On error err has file/line/col. */
int rig_yaml_load_string(const char *name, const char *text, size_t len,
                         struct rig_yaml_doc **out, struct rig_err *err);
int rig_yaml_load_file(const char *path, struct rig_yaml_doc **out, struct rig_err *err);

/* Borrowed root (an empty document gives a JSON null). */
json_t *rig_yaml_root(const struct rig_yaml_doc *doc);
const char *rig_yaml_name(const struct rig_yaml_doc *doc);

/* Position of the value at pointer, and of its key when the parent is a
 * mapping (key may be NULL). Returns -1 when the pointer is unknown; then the
 * nearest known ancestor's position is filled so errors can still point
 * somewhere useful. */
int rig_yaml_pos(const struct rig_yaml_doc *doc, const char *pointer, struct rig_yaml_pos *value,
                 struct rig_yaml_pos *key);

void rig_yaml_free(struct rig_yaml_doc *doc);

#endif
