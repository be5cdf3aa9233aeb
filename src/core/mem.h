#ifndef RIG_CORE_MEM_H
#define RIG_CORE_MEM_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Allocation that never returns NULL: running out of memory aborts with a
 * message (redis, h2o, tmux do the same), so code stays linear. Untrusted
 * input is bounded by explicit size caps instead (see rig_buf).
 */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);     /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Free every element of a NULL-terminated string vector, then the vector. */
void rig_strv_free(char **v);
size_t rig_strv_len(char *const *v);

#endif
