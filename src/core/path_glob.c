/*
 * rig_glob_match (declared in core/path.h, semantics documented there).
 * Matching is done component by component: '*', '?' and classes never cross
 * '/', and only a whole "**" component spans several components.
 */
#include "core/path.h"

#include <string.h>

#include "core/banned.h"

/* Parse a class starting just after '['. Returns the position after the
 * closing ']' and sets *hit, or NULL when the class is not terminated within
 * the component (the '[' is then an ordinary character). */
static const char *class_match(const char *p, const char *pe, unsigned char c, bool *hit)
{
    bool neg = false;
    bool found = false;
    bool first = true;

    if (p < pe && (*p == '!' || *p == '^')) {
        neg = true;
        p++;
    }
    while (p < pe && (*p != ']' || first)) {
        unsigned char lo, hi;

        first = false;
        if (*p == '\\' && p + 1 < pe)
            p++;
        lo = hi = (unsigned char)*p++;
        if (p + 1 < pe && *p == '-' && p[1] != ']') {
            p++;
            if (*p == '\\' && p + 1 < pe)
                p++;
            hi = (unsigned char)*p++;
        }
        if (lo <= c && c <= hi)
            found = true;
    }
    if (p >= pe)
        return NULL;
    *hit = found != neg;
    return p + 1;
}

/* One character of pattern at *pp against c; advances *pp. */
static bool char_match(const char **pp, const char *pe, unsigned char c)
{
    const char *p = *pp;

    if (*p == '?') {
        *pp = p + 1;
        return true;
    }
    if (*p == '[') {
        bool hit = false;
        const char *end = class_match(p + 1, pe, c, &hit);

        if (end) {
            *pp = end;
            return hit;
        }
    } else if (*p == '\\' && p + 1 < pe) {
        p++;
    }
    *pp = p + 1;
    return (unsigned char)*p == c;
}

/* Match one component (no '/' in either range). A '*' run is retried at every
 * later position of the string; only the most recent star needs backtracking
 * because a star can absorb anything the earlier ones could. */
static bool component_match(const char *p, const char *pe, const char *s, const char *se)
{
    const char *star_p = NULL;
    const char *star_s = NULL;

    for (;;) {
        if (p < pe && *p == '*') {
            while (p < pe && *p == '*')
                p++;
            star_p = p;
            star_s = s;
            continue;
        }
        if (p == pe && s == se)
            return true;
        if (p < pe && s < se) {
            const char *np = p;

            if (char_match(&np, pe, (unsigned char)*s)) {
                p = np;
                s++;
                continue;
            }
        }
        if (!star_p || star_s >= se)
            return false;
        p = star_p;
        s = ++star_s;
    }
}

static const char *comp_end(const char *p, const char *pe)
{
    const char *e = memchr(p, '/', (size_t)(pe - p));

    return e ? e : pe;
}

static bool is_globstar(const char *p, const char *e)
{
    return e - p == 2 && p[0] == '*' && p[1] == '*';
}

static bool path_match(const char *p, const char *pe, const char *s, const char *se)
{
    const char *pce, *sce;

    if (p == pe)
        return s == se;
    pce = comp_end(p, pe);
    if (is_globstar(p, pce)) {
        const char *rest = pce;

        /* "**" followed by more "**" components means the same thing once. */
        while (rest < pe) {
            const char *next = comp_end(rest + 1, pe);

            if (!is_globstar(rest + 1, next))
                break;
            rest = next;
        }
        if (rest == pe)
            return s < se; /* trailing "**": one or more components */
        rest++;
        for (;;) {
            if (path_match(rest, pe, s, se))
                return true;
            s = memchr(s, '/', (size_t)(se - s));
            if (!s)
                return false;
            s++;
        }
    }
    if (s == se)
        return false;
    sce = comp_end(s, se);
    if (!component_match(p, pce, s, sce))
        return false;
    if (pce == pe)
        return sce == se;
    if (sce == se)
        return false;
    return path_match(pce + 1, pe, sce + 1, se);
}

static const char *skip_dot_slash(const char *s)
{
    while (s[0] == '.' && s[1] == '/') {
        s += 2;
        while (*s == '/')
            s++;
    }
    return s;
}

bool rig_glob_match(const char *pattern, const char *path)
{
    const char *p, *pe, *s, *se;

    if (!pattern || !path)
        return false;
    p = skip_dot_slash(pattern);
    s = skip_dot_slash(path);
    pe = p + strlen(p);
    se = s + strlen(s);
    if (pe > p && pe[-1] == '/') {
        /* "dir/": the directory itself or anything below it. */
        while (pe > p && pe[-1] == '/')
            pe--;
        if (pe == p)
            return false;
        if (path_match(p, pe, s, se))
            return true;
        for (const char *q = s; (q = memchr(q, '/', (size_t)(se - q))) != NULL; q++) {
            if (path_match(p, pe, s, q))
                return true;
        }
        return false;
    }
    return path_match(p, pe, s, se);
}
