#ifndef RIG_TESTUTIL_H
#define RIG_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* A fresh directory under $TMPDIR (or /tmp), removed by tu_rmtree. Caller frees. */
char *tu_mkdtemp(const char *prefix);
void tu_rmtree(const char *path);

/* Write/read whole files; abort the test on failure. tu_read_file returns a
 * NUL-terminated malloc'd string. */
void tu_write_file(const char *path, const char *content);
char *tu_read_file(const char *path);

/* "<dir>/<name>" (malloc'd). */
char *tu_path(const char *dir, const char *name);

/* Run a shell command, return its exit status (-1 if it could not run);
 * stdout captured into *out when out != NULL (malloc'd). */
int tu_sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Environment variables set by CTest (see tests/CMakeLists.txt); the test is
 * skipped when missing. */
const char *tu_env(const char *name);

/* Write a stand-in's port to path atomically (temp + rename), so a test
 * polling for the file never reads a half-written number. */
int tu_write_port_file(const char *path, unsigned port);

/* Path to a file under the shared fixtures directory (malloc'd). */
char *tu_fixture(const char *rel);

#endif
