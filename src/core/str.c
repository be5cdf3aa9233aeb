#include "core/str.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/banned.h"

bool rig_str_startswith(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool rig_str_endswith(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool rig_str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

size_t rig_strlcpy(char *dst, const char *src, size_t size)
{
    size_t n = strlen(src);

    if (size) {
        size_t c = n < size - 1 ? n : size - 1;
        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

char *rig_str_trim(char *s)
{
    size_t n = strlen(s);
    size_t i = 0;

    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    while (s[i] && isspace((unsigned char)s[i]))
        i++;
    if (i)
        memmove(s, s + i, n - i + 1);
    return s;
}

int rig_str_to_ll(const char *s, long long min, long long max, long long *out)
{
    char *end;
    long long v;

    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int rig_shell_quote(struct rig_buf *b, const char *s)
{
    if (rig_buf_addch(b, '\'') < 0)
        return -1;
    for (; *s; s++) {
        if (*s == '\'') {
            if (rig_buf_adds(b, "'\\''") < 0)
                return -1;
        } else if (rig_buf_addch(b, *s) < 0) {
            return -1;
        }
    }
    return rig_buf_addch(b, '\'');
}

size_t rig_str_distance(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row;
    size_t best;

    if (la > 64 || lb > 64)
        return limit + 1;
    row = xcalloc(lb + 1, sizeof(*row));
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = diag + cost;
            if (row[j] + 1 < v)
                v = row[j] + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
        }
    }
    best = row[lb];
    free(row);
    return best > limit ? limit + 1 : best;
}

char **rig_str_split(const char *s, char sep)
{
    size_t n = 1, i = 0;
    char **v;
    const char *p;

    for (p = s; *p; p++)
        if (*p == sep)
            n++;
    v = xcalloc(n + 1, sizeof(*v));
    for (p = s;; p++) {
        const char *q = strchr(p, sep);
        if (!q) {
            v[i++] = xstrdup(p);
            break;
        }
        v[i++] = xstrndup(p, (size_t)(q - p));
        p = q;
    }
    return v;
}

char *rig_str_slug(const char *s, size_t maxlen)
{
    char *out = xmalloc(maxlen + 1);
    size_t n = 0;
    bool dash = false;

    for (; *s && n < maxlen; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) && c < 128) {
            if (dash && n > 0 && n + 1 < maxlen)
                out[n++] = '-';
            dash = false;
            out[n++] = (char)tolower(c);
        } else {
            dash = true;
        }
    }
    while (n && out[n - 1] == '-')
        n--;
    out[n] = '\0';
    return out;
}

int rig_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
