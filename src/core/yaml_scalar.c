/*
 * Scalars: YAML 1.2 core-schema typing of plain and tagged scalars, and the
 * decoding of single-quoted ones.
 */
#include "core/yaml_int.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/banned.h"

static bool all_in(const char *s, size_t n, const char *set)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!s[i] || !strchr(set, s[i]))
            return false;
    return true;
}

static bool is_one_of(const char *s, size_t n, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == n && memcmp(*words, s, n) == 0)
            return true;
    return false;
}

static bool is_null_text(const char *s, size_t n)
{
    static const char *const w[] = {"null", "Null", "NULL", "~", NULL};

    return n == 0 || is_one_of(s, n, w);
}

static int bool_text(const char *s, size_t n)
{
    static const char *const t[] = {"true", "True", "TRUE", NULL};
    static const char *const f[] = {"false", "False", "FALSE", NULL};

    if (is_one_of(s, n, t))
        return 1;
    if (is_one_of(s, n, f))
        return 0;
    return -1;
}

static bool is_int_text(const char *s, size_t n)
{
    if (n > 2 && s[0] == '0' && s[1] == 'o')
        return all_in(s + 2, n - 2, "01234567");
    if (n > 2 && s[0] == '0' && s[1] == 'x')
        return all_in(s + 2, n - 2, "0123456789abcdefABCDEF");
    if (n && (s[0] == '-' || s[0] == '+'))
        return all_in(s + 1, n - 1, "0123456789");
    return all_in(s, n, "0123456789");
}

/* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
static bool is_float_text(const char *s, size_t n)
{
    size_t i = 0, digits = 0;

    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (!digits)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = 0;

        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            e++;
        }
        if (!e)
            return false;
    }
    return i == n;
}

static bool is_special_float(const char *s, size_t n)
{
    static const char *const w[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
                                    "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", NULL};

    return is_one_of(s, n, w);
}

static int make_int(const char *s, size_t n, json_t **out, struct rig_err *err)
{
    char buf[80];
    char *end;
    long long v;
    int base = 10;
    const char *digits = buf;

    if (n >= sizeof(buf))
        return rig_err_set(err, RIG_ECONFIG, "integer %.40s... is out of range", s);
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (n > 2 && buf[0] == '0' && (buf[1] == 'o' || buf[1] == 'x')) {
        base = buf[1] == 'o' ? 8 : 16;
        digits = buf + 2;
    }
    errno = 0;
    v = strtoll(digits, &end, base);
    if (errno == ERANGE || *end)
        return rig_err_set(err, RIG_ECONFIG, "integer %s is out of range", buf);
    *out = json_integer(v);
    return 0;
}

static int make_float(const char *s, size_t n, json_t **out, struct rig_err *err)
{
    char buf[128];
    double v;

    if (n >= sizeof(buf))
        return rig_err_set(err, RIG_ECONFIG, "number %.40s... is too long", s);
    memcpy(buf, s, n);
    buf[n] = '\0';
    v = strtod(buf, NULL);
    if (!isfinite(v))
        return rig_err_set(err, RIG_ECONFIG, "number %s is out of range", buf);
    *out = json_real(v);
    return 0;
}

/* Plain scalar typing per the core schema. */
int yaml_scalar_plain(const char *s, size_t n, json_t **out, struct rig_err *err)
{
    int b;

    if (is_null_text(s, n)) {
        *out = json_null();
        return 0;
    }
    b = bool_text(s, n);
    if (b >= 0) {
        *out = json_boolean(b);
        return 0;
    }
    if (is_int_text(s, n))
        return make_int(s, n, out, err);
    if (is_float_text(s, n))
        return make_float(s, n, out, err);
    if (is_special_float(s, n))
        return rig_err_set(err, RIG_ECONFIG,
                           "'%.*s' (infinity or NaN) cannot be used as a number here", (int)n, s);
    return 1; /* a string */
}

int yaml_scalar_string(const char *s, size_t n, json_t **out, struct rig_err *err)
{
    if (memchr(s, '\0', n))
        return rig_err_set(err, RIG_ECONFIG, "string contains a NUL character");
    *out = json_stringn(s, n);
    if (!*out)
        return rig_err_set(err, RIG_ECONFIG, "string is not valid UTF-8");
    return 0;
}

/* A tagged scalar: only the core schema tags are understood. */
int yaml_scalar_tagged(const char *tag, const char *s, size_t n, json_t **out,
                       struct rig_err *err)
{
    static const char core[] = "tag:yaml.org,2002:";
    const char *t;
    int rc;

    if (strcmp(tag, "!") == 0)
        return yaml_scalar_string(s, n, out, err);
    if (strncmp(tag, core, sizeof(core) - 1) != 0)
        return rig_err_set(err, RIG_ECONFIG, "unsupported YAML tag '%s'", tag);
    t = tag + sizeof(core) - 1;
    if (strcmp(t, "str") == 0)
        return yaml_scalar_string(s, n, out, err);
    rc = yaml_scalar_plain(s, n, out, err);
    if (rc < 0)
        return -1;
    if (rc == 0 &&
        ((strcmp(t, "null") == 0 && json_is_null(*out)) ||
         (strcmp(t, "bool") == 0 && json_is_boolean(*out)) ||
         (strcmp(t, "int") == 0 && json_is_integer(*out)) ||
         (strcmp(t, "float") == 0 && json_is_real(*out))))
        return 0;
    if (rc == 0 && strcmp(t, "float") == 0 && json_is_integer(*out)) {
        double d = (double)json_integer_value(*out);

        json_decref(*out);
        *out = json_real(d);
        return 0;
    }
    if (rc == 0)
        json_decref(*out);
    *out = NULL;
    return rig_err_set(err, RIG_ECONFIG, "'%.*s' is not a valid !!%s", (int)(n > 40 ? 40 : n), s,
                       t);
}

/* ---- the frame stack -------------------------------------------------- */

static bool is_break(char c)
{
    return c == '\n' || c == '\r';
}

/* YAML single-quoted content: '' is a quote; a line break (with the white
 * space around it) folds to a space, n empty lines to n newlines. */
char *yaml_single_quoted(const char *s, size_t n, size_t *outlen)
{
    struct rig_buf b = RIG_BUF_INIT;
    size_t i = 0;

    rig_buf_add(&b, "", 0);
    while (i < n) {
        size_t breaks = 0;

        if (s[i] == '\'' && i + 1 < n && s[i + 1] == '\'') {
            rig_buf_addch(&b, '\'');
            i += 2;
            continue;
        }
        if (!is_break(s[i])) {
            rig_buf_addch(&b, s[i++]);
            continue;
        }
        while (b.len && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '\t'))
            b.data[--b.len] = '\0';
        while (i < n && is_break(s[i])) {
            i += s[i] == '\r' && i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
            breaks++;
            while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
        }
        if (breaks == 1)
            rig_buf_addch(&b, ' ');
        for (size_t k = 1; k < breaks; k++)
            rig_buf_addch(&b, '\n');
    }
    *outlen = b.len;
    return rig_buf_take(&b);
}

/* The scalar's content (malloc'd). Single-quoted scalars are decoded here from
 * the source: libfyaml 0.7.12 mis-decodes runs of escaped quotes () and
 * leaks the buffer it grows for them. */
