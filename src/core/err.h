#ifndef RIG_CORE_ERR_H
#define RIG_CORE_ERR_H

#include <stddef.h>

/*
 * Errors are returned as int (0 ok, -1 error) and described by a struct rig_err
 * filled by the callee. The message is written for the person running Rig: it
 * says what is wrong and, where possible, what to do about it. `file`, `line`
 * and `col` locate the problem in an input file when that applies (line 0 means
 * "no location").
 */

enum rig_errcode {
    RIG_EGENERIC = 1,
    RIG_ENOTFOUND,
    RIG_ECONFIG,
    RIG_ETIMEOUT,
    RIG_ECANCELLED,
    RIG_EIO,
    RIG_EINVAL,
    RIG_ETOOBIG,
    RIG_EPOLICY,
    RIG_EBUDGET,
    RIG_ECONFLICT,
};

#define RIG_ERR_MSG_MAX 1024
#define RIG_ERR_FILE_MAX 512

struct rig_err {
    int code; /* enum rig_errcode, 0 when unset */
    int line; /* 1-based, 0 when not known */
    int col;  /* 1-based, 0 when not known */
    char file[RIG_ERR_FILE_MAX];
    char msg[RIG_ERR_MSG_MAX];
};

#define RIG_ERR_INIT {0, 0, 0, {0}, {0}}

void rig_err_clear(struct rig_err *err);

/* Set code and message; always returns -1 so callers can `return rig_err_set(...)`.
 * err may be NULL (the message is then dropped). */
int rig_err_set(struct rig_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, with a location in an input file. */
int rig_err_at(struct rig_err *err, int code, const char *file, int line, int col,
               const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Set from errno: "<what>: <strerror(errnum)>". Returns -1. */
int rig_err_errno(struct rig_err *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepend context to an existing message: "<context>: <old message>". Returns -1. */
int rig_err_prefix(struct rig_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "file:line:col: message" (or the parts that are known) into out. */
const char *rig_err_format(const struct rig_err *err, char *out, size_t outsz);

/*
 * A list of problems, for validators that report everything at once.
 */
struct rig_errlist {
    struct rig_err *items;
    size_t len;
    size_t cap;
};

#define RIG_ERRLIST_INIT {NULL, 0, 0}

void rig_errlist_add(struct rig_errlist *l, const struct rig_err *e);
int rig_errlist_addf(struct rig_errlist *l, int code, const char *file, int line, int col,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void rig_errlist_release(struct rig_errlist *l);
/* Sort by file, line, col (stable) so reports read top to bottom. */
void rig_errlist_sort(struct rig_errlist *l);

#endif
