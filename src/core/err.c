#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

void rig_err_clear(struct rig_err *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

__attribute__((format(printf, 3, 0)))
static void err_vset(struct rig_err *err, int code, const char *fmt, va_list ap)
{
    err->code = code ? code : RIG_EGENERIC;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int rig_err_set(struct rig_err *err, int code, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return -1;
    err->line = err->col = 0;
    err->file[0] = '\0';
    va_start(ap, fmt);
    err_vset(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

int rig_err_at(struct rig_err *err, int code, const char *file, int line, int col,
               const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return -1;
    snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
    err->line = line;
    err->col = col;
    va_start(ap, fmt);
    err_vset(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

int rig_err_errno(struct rig_err *err, int errnum, const char *fmt, ...)
{
    char what[RIG_ERR_MSG_MAX / 2];
    va_list ap;

    if (!err)
        return -1;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return rig_err_set(err, RIG_EIO, "%s: %s", what, strerror(errnum));
}

int rig_err_prefix(struct rig_err *err, const char *fmt, ...)
{
    char ctx[RIG_ERR_MSG_MAX];
    char old[RIG_ERR_MSG_MAX];
    va_list ap;

    if (!err)
        return -1;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof(ctx), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    snprintf(err->msg, sizeof(err->msg), "%s: %s", ctx, old);
    if (!err->code)
        err->code = RIG_EGENERIC;
    return -1;
}

const char *rig_err_format(const struct rig_err *err, char *out, size_t outsz)
{
    if (!err->file[0])
        snprintf(out, outsz, "%s", err->msg);
    else if (err->line > 0 && err->col > 0)
        snprintf(out, outsz, "%s:%d:%d: %s", err->file, err->line, err->col, err->msg);
    else if (err->line > 0)
        snprintf(out, outsz, "%s:%d: %s", err->file, err->line, err->msg);
    else
        snprintf(out, outsz, "%s: %s", err->file, err->msg);
    return out;
}

void rig_errlist_add(struct rig_errlist *l, const struct rig_err *e)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = xreallocarray(l->items, l->cap, sizeof(*l->items));
    }
    l->items[l->len++] = *e;
}

int rig_errlist_addf(struct rig_errlist *l, int code, const char *file, int line, int col,
                     const char *fmt, ...)
{
    struct rig_err e = RIG_ERR_INIT;
    va_list ap;

    snprintf(e.file, sizeof(e.file), "%s", file ? file : "");
    e.line = line;
    e.col = col;
    va_start(ap, fmt);
    err_vset(&e, code, fmt, ap);
    va_end(ap);
    rig_errlist_add(l, &e);
    return -1;
}

void rig_errlist_release(struct rig_errlist *l)
{
    free(l->items);
    l->items = NULL;
    l->len = l->cap = 0;
}

static int err_cmp(const struct rig_err *a, const struct rig_err *b)
{
    int c = strcmp(a->file, b->file);

    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return 0;
}

void rig_errlist_sort(struct rig_errlist *l)
{
    /* insertion sort: stable, and lists are short */
    for (size_t i = 1; i < l->len; i++) {
        struct rig_err tmp = l->items[i];
        size_t j = i;

        while (j > 0 && err_cmp(&l->items[j - 1], &tmp) > 0) {
            l->items[j] = l->items[j - 1];
            j--;
        }
        l->items[j] = tmp;
    }
}
