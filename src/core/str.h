#ifndef RIG_CORE_STR_H
#define RIG_CORE_STR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

bool rig_str_startswith(const char *s, const char *prefix);
bool rig_str_endswith(const char *s, const char *suffix);
bool rig_str_eq(const char *a, const char *b); /* NULL-safe */

/* Copy with truncation, always NUL-terminates; returns strlen(src). */
size_t rig_strlcpy(char *dst, const char *src, size_t size);

/* Strip ASCII whitespace at both ends, in place; returns s. */
char *rig_str_trim(char *s);

/* Parse a whole string as a decimal integer in [min, max]. -1 on any junk. */
int rig_str_to_ll(const char *s, long long min, long long max, long long *out);

/* Append s to b quoted for a POSIX shell: 'it'\''s'. Safe for any byte string. */
int rig_shell_quote(struct rig_buf *b, const char *s);

/* Levenshtein distance, capped at limit+1 (for "did you mean" suggestions). */
size_t rig_str_distance(const char *a, const char *b, size_t limit);

/* Value of a hex digit (0-9, a-f, A-F), -1 for anything else. */
int rig_hex_digit(int c);

/* Split on a single separator character; empty fields kept. Free with rig_strv_free. */
char **rig_str_split(const char *s, char sep);

/* Lowercase ASCII slug of at most maxlen bytes: "Fix the Login!" -> "fix-the-login". */
char *rig_str_slug(const char *s, size_t maxlen);

#endif
