#ifndef RIG_CONFIG_ENV_H
#define RIG_CONFIG_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/*
 * ${NAME} substitution in one parsed rig.yaml string value (never in raw text,
 * so comments are never scanned and a value cannot change the YAML structure):
 *
 *   ${NAME}            the environment variable NAME; an error when it is unset
 *                      (set to an empty value is fine)
 *   ${NAME:-default}   NAME when it is set and not empty, else default
 *   $${                a literal "${"
 *
 * NAME is [A-Za-z_][A-Za-z0-9_]*. Task variables (rig_config_is_task_var) are
 * copied verbatim for the engine to fill in at run time.
 */

/* Called once per environment reference (not for task variables). */
typedef void (*rig_subst_ref_fn)(void *ctx, const char *name, bool has_default, bool set);

/* *out is malloc'd on success. On error err->msg says what is wrong. */
int rig_config_subst(const char *in, char **out, rig_subst_ref_fn on_ref, void *ctx,
                     struct rig_err *err);

#endif
