#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

void rig_buf_init(struct rig_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

void rig_buf_release(struct rig_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void rig_buf_reset(struct rig_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int buf_grow(struct rig_buf *b, size_t extra)
{
    size_t need;

    if (extra > SIZE_MAX - b->len - 1)
        return -1;
    need = b->len + extra;
    if (b->max && need > b->max)
        return -1;
    if (need + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need + 1)
        cap = cap > SIZE_MAX / 2 ? need + 1 : cap * 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
    return 0;
}

int rig_buf_add(struct rig_buf *b, const void *p, size_t n)
{
    if (buf_grow(b, n) < 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int rig_buf_adds(struct rig_buf *b, const char *s)
{
    return rig_buf_add(b, s, strlen(s));
}

int rig_buf_addch(struct rig_buf *b, char c)
{
    return rig_buf_add(b, &c, 1);
}

int rig_buf_vaddf(struct rig_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0 || buf_grow(b, (size_t)n) < 0)
        return -1;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int rig_buf_addf(struct rig_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = rig_buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *rig_buf_str(const struct rig_buf *b)
{
    return b->data ? b->data : "";
}

char *rig_buf_take(struct rig_buf *b)
{
    char *s = b->data ? b->data : xstrdup("");

    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void rig_buf_consume(struct rig_buf *b, size_t n)
{
    if (n >= b->len) {
        rig_buf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

int rig_buf_add_tail_lines(struct rig_buf *b, const char *text, size_t nlines,
                           const char *indent)
{
    const char *p;
    size_t seen = 0;
    int rc = 0;

    if (!text || !*text)
        return 0;
    p = text + strlen(text);
    if (p[-1] == '\n')
        p--;
    while (p > text && !(p[-1] == '\n' && ++seen == nlines))
        p--;
    if (p > text)
        rc |= rig_buf_addf(b, "%s[...]\n", indent);
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);

        rc |= rig_buf_addf(b, "%s%.*s\n", indent, (int)len, p);
        p += len + (nl ? 1 : 0);
    }
    return rc < 0 ? -1 : 0;
}

int rig_buf_add_utf8(struct rig_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return rig_buf_add(b, u, n);
}
