#ifndef RIG_CORE_JSON_H
#define RIG_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/err.h"

/*
 * Helpers over jansson. Loaders reject duplicate keys and report
 * "<name>:<line>:<col>: <what>" through struct rig_err (file/line/col filled).
 */

/* Parse a buffer; name is used in error messages (a file name, "request body"...). */
json_t *rig_json_loadb(const char *data, size_t len, const char *name, struct rig_err *err);

/* Read and parse a file of at most max bytes (0 = 64 MiB). */
json_t *rig_json_load_file(const char *path, size_t max, struct rig_err *err);

/* Compact or pretty dump (JSON_SORT_KEYS not applied: insertion order kept). Caller frees. */
char *rig_json_dump(const json_t *v, bool pretty);

/* Write to path atomically (rig_write_file_umask), with a final newline.
 * A new file gets mode 0644 minus the umask. */
int rig_json_write_file(const char *path, const json_t *v, bool pretty, struct rig_err *err);

/* RFC 6901 JSON pointer lookup ("/a/0/b", "" = root). Borrowed reference or NULL. */
json_t *rig_json_pointer(json_t *root, const char *pointer);

/* Escape one reference token for a JSON pointer ("a/b" -> "a~1b") into a new string. */
char *rig_json_pointer_escape(const char *token);

/* Typed getters on an object member. They return the fallback when the key is
 * missing or of another type. */
const char *rig_json_str(const json_t *obj, const char *key, const char *fallback);
long long rig_json_int(const json_t *obj, const char *key, long long fallback);
double rig_json_num(const json_t *obj, const char *key, double fallback); /* int or real */
bool rig_json_bool(const json_t *obj, const char *key, bool fallback);

/* Name of a json type for messages: "string", "integer", "number", "object"... */
const char *rig_json_type_name(const json_t *v);
/* The same with an article, for "expected a string, got an array": "an object",
 * "a string", "null"...; "nothing" for NULL. */
const char *rig_json_type_article(const json_t *v);

#endif
