#ifndef RIG_CORE_YAML_INT_H
#define RIG_CORE_YAML_INT_H

#include <stddef.h>

#include <jansson.h>

#include "core/err.h"

/* Scalar typing shared by yaml.c (yaml_scalar.c). Errors carry no position:
 * the caller adds it. */

/* A plain scalar per the YAML 1.2 core schema: 0 with *out typed (null, bool,
 * integer, real), 1 when it is a string (*out untouched), -1 on error. */
int yaml_scalar_plain(const char *s, size_t n, json_t **out, struct rig_err *err);

/* A tagged scalar: only "!" and the core tags (tag:yaml.org,2002:str|int|...). */
int yaml_scalar_tagged(const char *tag, const char *s, size_t n, json_t **out,
                       struct rig_err *err);

/* A JSON string; NUL bytes and invalid UTF-8 are errors. */
int yaml_scalar_string(const char *s, size_t n, json_t **out, struct rig_err *err);

/* The content of a single-quoted scalar ('' -> ', line folding), malloc'd. */
char *yaml_single_quoted(const char *s, size_t n, size_t *outlen);

#endif
