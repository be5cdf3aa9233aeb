#ifndef RIG_CONFIG_CONFIG_INT_H
#define RIG_CONFIG_CONFIG_INT_H

#include <stdbool.h>

#include <jansson.h>

#include "config/config.h"
#include "core/buf.h"
#include "core/yaml.h"

/* State shared by the schema walker (load.c) and the cross-key checks (check.c). */
struct cfg_walk {
    const struct rig_yaml_doc *doc;
    const char *file;
    struct rig_errlist *errs;
    struct rig_config *cfg;
    struct rig_buf ptr;  /* JSON pointer of the node being read */
    struct rig_buf path; /* the same as a dotted name: deploy.config.commands[0] */
    char **bad;          /* pointers that got an error, so later rules can skip them */
    size_t nbad;
};

enum cfg_at { CFG_AT_VALUE, CFG_AT_KEY };

/* "<dotted path of ptr>: <message>" at the position of ptr's value or key. */
void cfg_err(struct cfg_walk *w, const char *ptr, enum cfg_at at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same without the path prefix. */
void cfg_err_raw(struct cfg_walk *w, const char *ptr, enum cfg_at at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* true when an error was reported at exactly ptr. */
bool cfg_bad(const struct cfg_walk *w, const char *ptr);

/* "/deploy/config/commands/0" -> "deploy.config.commands[0]" (malloc'd). */
char *cfg_ptr_to_path(const char *ptr);

/* Run every rule that involves more than one key. */
void cfg_check(struct cfg_walk *w, json_t *root);

/* Store a string value after ${} substitution; reports errors at ptr. */
int cfg_subst(struct cfg_walk *w, const char *ptr, const char *in, char **out);

/* "a list", "the string \"x\"", ... for "expected ..., got ..." messages. */
const char *cfg_describe(const json_t *v, char *buf, size_t n);

#endif
