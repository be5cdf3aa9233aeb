/*
 * The schema walker: reads a YAML document with the tables of schema.c into
 * struct rig_config, collecting every problem instead of stopping at the first.
 */
#include "config/config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config_int.h"
#include "config/env.h"
#include "config/schema.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/banned.h"

#define CONFIG_MAX_BYTES ((size_t)1 << 20)

/* ---- errors ------------------------------------------------------------------ */

static void err_v(struct cfg_walk *w, const char *ptr, enum cfg_at at, bool prefix,
                  const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void err_v(struct cfg_walk *w, const char *ptr, enum cfg_at at, bool prefix,
                  const char *fmt, va_list ap)
{
    struct rig_yaml_pos v = {0, 0}, k = {0, 0};
    char msg[RIG_ERR_MSG_MAX];
    struct rig_yaml_pos p;
    char *path = NULL;

    vsnprintf(msg, sizeof(msg), fmt, ap);
    w->bad = xreallocarray(w->bad, w->nbad + 1, sizeof(*w->bad));
    w->bad[w->nbad++] = xstrdup(ptr);
    rig_yaml_pos(w->doc, ptr, &v, &k);
    p = at == CFG_AT_KEY && k.line ? k : v;
    if (prefix && *ptr) {
        path = cfg_ptr_to_path(ptr);
        rig_errlist_addf(w->errs, RIG_ECONFIG, w->file, p.line, p.col, "%s: %s", path, msg);
    } else {
        rig_errlist_addf(w->errs, RIG_ECONFIG, w->file, p.line, p.col, "%s", msg);
    }
    free(path);
}

bool cfg_bad(const struct cfg_walk *w, const char *ptr)
{
    for (size_t i = 0; i < w->nbad; i++)
        if (strcmp(w->bad[i], ptr) == 0)
            return true;
    return false;
}

void cfg_err(struct cfg_walk *w, const char *ptr, enum cfg_at at, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_v(w, ptr, at, true, fmt, ap);
    va_end(ap);
}

void cfg_err_raw(struct cfg_walk *w, const char *ptr, enum cfg_at at, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_v(w, ptr, at, false, fmt, ap);
    va_end(ap);
}

char *cfg_ptr_to_path(const char *ptr)
{
    struct rig_buf b = RIG_BUF_INIT;
    const char *p = ptr;

    while (*p == '/') {
        const char *end = strchr(p + 1, '/');
        size_t n = end ? (size_t)(end - p - 1) : strlen(p + 1);
        const char *tok = p + 1;
        bool index = n > 0;

        for (size_t i = 0; i < n; i++)
            if (tok[i] < '0' || tok[i] > '9')
                index = false;
        if (index) {
            rig_buf_addf(&b, "[%.*s]", (int)n, tok);
        } else {
            if (b.len)
                rig_buf_addch(&b, '.');
            for (size_t i = 0; i < n; i++) {
                if (tok[i] == '~' && i + 1 < n) {
                    rig_buf_addch(&b, tok[i + 1] == '1' ? '/' : '~');
                    i++;
                } else {
                    rig_buf_addch(&b, tok[i]);
                }
            }
        }
        p = end ? end : p + 1 + n;
    }
    return rig_buf_take(&b);
}

const char *cfg_describe(const json_t *v, char *buf, size_t n)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        snprintf(buf, n, "the string \"%.40s%s\"", json_string_value(v),
                 json_string_length(v) > 40 ? "..." : "");
        break;
    case JSON_INTEGER:
        snprintf(buf, n, "the integer %lld", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        snprintf(buf, n, "the number %g", json_real_value(v));
        break;
    case JSON_TRUE:
        snprintf(buf, n, "true");
        break;
    case JSON_FALSE:
        snprintf(buf, n, "false");
        break;
    case JSON_ARRAY:
        snprintf(buf, n, "a list");
        break;
    case JSON_OBJECT:
        snprintf(buf, n, "a mapping");
        break;
    default:
        snprintf(buf, n, "nothing");
        break;
    }
    return buf;
}

/* ---- the JSON pointer / dotted path stack ------------------------------------- */

struct mark {
    size_t plen, dlen;
};

static struct mark push(struct cfg_walk *w, const char *tok, bool index)
{
    struct mark m = {w->ptr.len, w->path.len};

    rig_buf_addch(&w->ptr, '/');
    for (const char *c = tok; *c; c++) {
        if (*c == '~')
            rig_buf_adds(&w->ptr, "~0");
        else if (*c == '/')
            rig_buf_adds(&w->ptr, "~1");
        else
            rig_buf_addch(&w->ptr, *c);
    }
    if (index)
        rig_buf_addf(&w->path, "[%s]", tok);
    else
        rig_buf_addf(&w->path, "%s%s", w->path.len ? "." : "", tok);
    return m;
}

static void pop(struct cfg_walk *w, struct mark m)
{
    w->ptr.len = m.plen;
    w->ptr.data[m.plen] = '\0';
    w->path.len = m.dlen;
    w->path.data[m.dlen] = '\0';
}

static const char *cur(const struct cfg_walk *w)
{
    return rig_buf_str(&w->ptr);
}

/* ---- environment references ---------------------------------------------------- */

static void on_env_ref(void *ctx, const char *name, bool has_default, bool set)
{
    struct cfg_walk *w = ctx;
    struct rig_config *cfg = w->cfg;
    struct rig_yaml_pos p = {0, 0};
    struct rig_env_ref *r;

    for (size_t i = 0; i < cfg->nenv_refs; i++)
        if (strcmp(cfg->env_refs[i].name, name) == 0)
            return;
    rig_yaml_pos(w->doc, cur(w), &p, NULL);
    cfg->env_refs = xreallocarray(cfg->env_refs, cfg->nenv_refs + 1, sizeof(*cfg->env_refs));
    r = &cfg->env_refs[cfg->nenv_refs++];
    r->name = xstrdup(name);
    r->has_default = has_default;
    r->set = set;
    r->line = p.line;
    r->col = p.col;
}

int cfg_subst(struct cfg_walk *w, const char *ptr, const char *in, char **out)
{
    struct rig_err err = RIG_ERR_INIT;

    if (rig_config_subst(in, out, on_env_ref, w, &err) < 0) {
        cfg_err(w, ptr, CFG_AT_VALUE, "%s", err.msg);
        return -1;
    }
    return 0;
}

/* A string holding ${...} where a number, boolean or duration is expected:
 * 1 with *text substituted, 0 when v is not such a string, -1 on error. */
static int subst_scalar(struct cfg_walk *w, json_t *v, char **text)
{
    *text = NULL;
    if (!json_is_string(v) || !strstr(json_string_value(v), "${"))
        return 0;
    return cfg_subst(w, cur(w), json_string_value(v), text) < 0 ? -1 : 1;
}

/* ---- scalar setters ------------------------------------------------------------------ */

static void type_error(struct cfg_walk *w, json_t *v, const char *expected, const char *hint)
{
    char got[96];

    cfg_err(w, cur(w), CFG_AT_VALUE, "expected %s, got %s%s", expected,
            cfg_describe(v, got, sizeof(got)), hint ? hint : "");
}

static bool looks_numeric(const char *s)
{
    char *end;

    if (!*s)
        return false;
    errno = 0;
    (void)strtod(s, &end);
    return *end == '\0';
}

static void set_str(struct cfg_walk *w, const struct cfg_key *k, json_t *v, char **dst)
{
    if (!json_is_string(v)) {
        char hint[96] = "";

        if (json_is_number(v) || json_is_boolean(v))
            snprintf(hint, sizeof(hint), " (quote it if you mean text)");
        type_error(w, v, "a string", hint);
        return;
    }
    if (cfg_subst(w, cur(w), json_string_value(v), dst) < 0)
        return;
    if (k->flags & CF_SECRET)
        rig_secret_add(*dst);
}

static void range_error(struct cfg_walk *w, const struct cfg_key *k, const char *got)
{
    char lo[32], hi[32];

    snprintf(lo, sizeof(lo), "%.15g", k->min);
    snprintf(hi, sizeof(hi), "%.15g", k->max);
    cfg_err(w, cur(w), CFG_AT_VALUE, "must be between %s and %s, got %s", lo, hi, got);
}

static bool has_range(const struct cfg_key *k)
{
    return k->min != 0 || k->max != 0;
}

static void set_integer(struct cfg_walk *w, const struct cfg_key *k, json_t *v, char *dst)
{
    long long n;
    char *text = NULL;
    int s = subst_scalar(w, v, &text);

    if (s < 0)
        return;
    if (s == 1) {
        if (rig_str_to_ll(text, LLONG_MIN, LLONG_MAX, &n) < 0) {
            cfg_err(w, cur(w), CFG_AT_VALUE, "expected an integer, got \"%s\" after "
                    "substitution", text);
            goto out;
        }
    } else if (json_is_integer(v)) {
        n = json_integer_value(v);
    } else {
        type_error(w, v, "an integer",
                   json_is_string(v) && looks_numeric(json_string_value(v))
                       ? " (remove the quotes)" : NULL);
        goto out;
    }
    if (has_range(k) && ((double)n < k->min || (double)n > k->max)) {
        char got[32];

        snprintf(got, sizeof(got), "%lld", n);
        range_error(w, k, got);
        goto out;
    }
    if (k->type == CT_INT)
        *(int *)dst = (int)n;
    else
        *(long long *)dst = n;
out:
    free(text);
}

static void set_number(struct cfg_walk *w, const struct cfg_key *k, json_t *v, double *dst)
{
    char *text = NULL, *end;
    double d;
    int s = subst_scalar(w, v, &text);

    if (s < 0)
        return;
    if (s == 1) {
        d = strtod(text, &end);
        if (!*text || *end) {
            cfg_err(w, cur(w), CFG_AT_VALUE, "expected a number, got \"%s\" after "
                    "substitution", text);
            goto out;
        }
    } else if (json_is_number(v)) {
        d = json_number_value(v);
    } else {
        type_error(w, v, "a number",
                   json_is_string(v) && looks_numeric(json_string_value(v))
                       ? " (remove the quotes)" : NULL);
        goto out;
    }
    if (has_range(k) && (d < k->min || d > k->max)) {
        char got[32];

        snprintf(got, sizeof(got), "%g", d);
        range_error(w, k, got);
        goto out;
    }
    *dst = d;
out:
    free(text);
}

static void set_bool(struct cfg_walk *w, json_t *v, bool *dst)
{
    char *text = NULL;
    int s = subst_scalar(w, v, &text);

    if (s < 0)
        return;
    if (s == 1) {
        if (strcmp(text, "true") == 0)
            *dst = true;
        else if (strcmp(text, "false") == 0)
            *dst = false;
        else
            cfg_err(w, cur(w), CFG_AT_VALUE, "expected true or false, got \"%s\" after "
                    "substitution", text);
    } else if (json_is_boolean(v)) {
        *dst = json_is_true(v);
    } else {
        type_error(w, v, "true or false", NULL);
    }
    free(text);
}

static void set_duration(struct cfg_walk *w, json_t *v, int64_t *dst)
{
    struct rig_err err = RIG_ERR_INIT;
    char *text = NULL;
    int64_t ms;

    if (json_is_integer(v)) {
        long long n = json_integer_value(v);

        if (n > 0 && n % 60 == 0)
            cfg_err(w, cur(w), CFG_AT_VALUE, "a duration needs a unit: write %llds or %lldm, "
                    "not %lld", n, n / 60, n);
        else
            cfg_err(w, cur(w), CFG_AT_VALUE, "a duration needs a unit: write %llds, not %lld",
                    n, n);
        return;
    }
    if (!json_is_string(v)) {
        type_error(w, v, "a duration such as 30s, 5m or 1h30m", NULL);
        return;
    }
    if (cfg_subst(w, cur(w), json_string_value(v), &text) < 0)
        return;
    if (rig_duration_parse(text, &ms, &err) < 0)
        cfg_err(w, cur(w), CFG_AT_VALUE, "%s", err.msg);
    else if (ms <= 0)
        cfg_err(w, cur(w), CFG_AT_VALUE, "must be longer than 0s");
    else
        *dst = ms;
    free(text);
}

static void enum_list(const struct cfg_enum *e, struct rig_buf *b)
{
    for (; e->name; e++) {
        if (e->rejected)
            continue;
        rig_buf_addf(b, "%s%s", b->len ? ", " : "", e->name);
    }
}

/* The matching row, or NULL after reporting why there is none. */
static const struct cfg_enum *lookup_enum(struct cfg_walk *w, const struct cfg_key *k,
                                          const char *ptr, const char *name)
{
    const struct cfg_enum *e = cfg_find_enum(k->enums, name);
    struct rig_buf allowed = RIG_BUF_INIT;
    const char *best = NULL;
    size_t bestd = 3;

    if (e && !e->rejected)
        return e;
    enum_list(k->enums, &allowed);
    if (e) {
        cfg_err(w, ptr, CFG_AT_VALUE, "'%s' %s", name, e->rejected);
        goto out;
    }
    for (e = k->enums; e->name; e++) {
        size_t d = rig_str_distance(name, e->name, 2);

        if (!e->rejected && d < bestd) {
            bestd = d;
            best = e->name;
        }
    }
    if (best)
        cfg_err(w, ptr, CFG_AT_VALUE, "unknown value '%s' (did you mean '%s'?); allowed: %s",
                name, best, rig_buf_str(&allowed));
    else
        cfg_err(w, ptr, CFG_AT_VALUE, "unknown value '%s'; allowed: %s", name,
                rig_buf_str(&allowed));
out:
    rig_buf_release(&allowed);
    return NULL;
}

static void set_enum(struct cfg_walk *w, const struct cfg_key *k, json_t *v, char *dst)
{
    const struct cfg_enum *e;
    char *text = NULL;

    if (!json_is_string(v)) {
        struct rig_buf allowed = RIG_BUF_INIT;
        char got[96];

        enum_list(k->enums, &allowed);
        cfg_err(w, cur(w), CFG_AT_VALUE, "expected one of %s, got %s", rig_buf_str(&allowed),
                cfg_describe(v, got, sizeof(got)));
        rig_buf_release(&allowed);
        return;
    }
    if (cfg_subst(w, cur(w), json_string_value(v), &text) < 0)
        return;
    e = lookup_enum(w, k, cur(w), text);
    if (e && k->type == CT_ENUM)
        *(int *)dst = e->value;
    else if (e)
        *(char **)dst = xstrdup(e->name);
    free(text);
}

static void set_flags(struct cfg_walk *w, const struct cfg_key *k, json_t *v, unsigned *dst)
{
    unsigned bits = 0;
    size_t i;
    json_t *item;
    bool ok = true;

    if (!json_is_array(v)) {
        type_error(w, v, "a list", NULL);
        return;
    }
    if (json_array_size(v) == 0) {
        cfg_err(w, cur(w), CFG_AT_VALUE, "must not be empty (leave the key out for the "
                "default)");
        return;
    }
    json_array_foreach(v, i, item) {
        char idx[24];
        struct mark m;
        const struct cfg_enum *e = NULL;
        char *text = NULL;

        snprintf(idx, sizeof(idx), "%zu", i);
        m = push(w, idx, true);
        if (!json_is_string(item))
            type_error(w, item, "a string", NULL);
        else if (cfg_subst(w, cur(w), json_string_value(item), &text) == 0)
            e = lookup_enum(w, k, cur(w), text);
        if (e && (bits & (unsigned)e->value) == (unsigned)e->value && e->value != 0 &&
            strcmp(e->name, "all") != 0)
            cfg_err(w, cur(w), CFG_AT_VALUE, "'%s' is listed twice", e->name);
        if (e)
            bits |= (unsigned)e->value;
        else
            ok = false;
        free(text);
        pop(w, m);
    }
    if (ok)
        *dst = bits;
}

static void set_strlist(struct cfg_walk *w, json_t *v, struct rig_strlist *dst)
{
    size_t i;
    json_t *item;

    if (!json_is_array(v)) {
        type_error(w, v, "a list", json_is_string(v) ? " (write it as [ ... ])" : NULL);
        return;
    }
    dst->v = xcalloc(json_array_size(v) + 1, sizeof(char *));
    json_array_foreach(v, i, item) {
        char idx[24];
        struct mark m;
        char *s = NULL;

        snprintf(idx, sizeof(idx), "%zu", i);
        m = push(w, idx, true);
        if (!json_is_string(item))
            type_error(w, item, "a string", NULL);
        else if (cfg_subst(w, cur(w), json_string_value(item), &s) == 0)
            dst->v[dst->n++] = s;
        pop(w, m);
    }
}

static bool env_name_ok(const char *s)
{
    if (!*s || (*s >= '0' && *s <= '9'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

static void set_map(struct cfg_walk *w, json_t *v, struct rig_strmap *dst)
{
    const char *name;
    json_t *val;

    if (!json_is_object(v)) {
        type_error(w, v, "a mapping of NAME: value", NULL);
        return;
    }
    dst->v = xcalloc(json_object_size(v) + 1, sizeof(*dst->v));
    json_object_foreach(v, name, val) {
        struct mark m = push(w, name, false);
        char *s = NULL;

        if (!env_name_ok(name)) {
            cfg_err_raw(w, cur(w), CFG_AT_KEY, "invalid environment variable name '%s' in %.*s "
                        "(letters, digits and _, not starting with a digit)", name,
                        (int)m.dlen, w->path.data);
        } else if (json_is_integer(val)) {
            s = xasprintf("%lld", (long long)json_integer_value(val));
        } else if (json_is_boolean(val)) {
            s = xstrdup(json_is_true(val) ? "true" : "false");
        } else if (!json_is_string(val)) {
            type_error(w, val, "a string", NULL);
        } else {
            cfg_subst(w, cur(w), json_string_value(val), &s);
        }
        if (s) {
            dst->v[dst->n].name = xstrdup(name);
            dst->v[dst->n].value = s;
            dst->n++;
        }
        pop(w, m);
    }
}

/* ---- sections ------------------------------------------------------------------------- */

static void walk_obj(struct cfg_walk *w, const struct cfg_section *sec, json_t *obj, char *base);

static void set_list(struct cfg_walk *w, const struct cfg_key *k, json_t *v, char *base)
{
    size_t i, n = json_is_array(v) ? json_array_size(v) : 0;
    json_t *item;
    char *items;

    if (!json_is_array(v)) {
        type_error(w, v, "a list", json_is_object(v) ? " (start each entry with '- ')" : NULL);
        return;
    }
    items = xcalloc(n ? n : 1, k->elem_size);
    *(char **)(base + k->off) = items;
    *(size_t *)(base + k->off_n) = n;
    json_array_foreach(v, i, item) {
        char idx[24];
        struct mark m;

        snprintf(idx, sizeof(idx), "%zu", i);
        m = push(w, idx, true);
        if (json_is_object(item))
            walk_obj(w, k->sub, item, items + i * k->elem_size);
        else
            type_error(w, item, "a mapping", NULL);
        pop(w, m);
    }
}

static void set_value(struct cfg_walk *w, const struct cfg_key *k, json_t *v, char *base)
{
    char *dst = base + k->off;

    switch (k->type) {
    case CT_STR:
        set_str(w, k, v, (char **)dst);
        break;
    case CT_INT:
    case CT_I64:
        set_integer(w, k, v, dst);
        break;
    case CT_NUM:
        set_number(w, k, v, (double *)dst);
        break;
    case CT_BOOL:
        set_bool(w, v, (bool *)dst);
        break;
    case CT_DUR:
        set_duration(w, v, (int64_t *)dst);
        break;
    case CT_ENUM:
    case CT_ENUMSTR:
        set_enum(w, k, v, dst);
        break;
    case CT_FLAGS:
        set_flags(w, k, v, (unsigned *)dst);
        break;
    case CT_STRLIST:
        set_strlist(w, v, (struct rig_strlist *)dst);
        break;
    case CT_MAP:
        set_map(w, v, (struct rig_strmap *)dst);
        break;
    case CT_OBJ:
        if (json_is_object(v))
            walk_obj(w, k->sub, v, dst);
        else
            type_error(w, v, "a mapping", NULL);
        break;
    case CT_LIST:
        set_list(w, k, v, base);
        break;
    case CT_RAW:
        break; /* check.c */
    }
    if (k->flags & CF_HAS_SET)
        *(bool *)(base + k->off_set) = true;
}

static void apply_default(const struct cfg_key *k, char *base)
{
    char *dst = base + k->off;
    long long n;

    if (k->type == CT_OBJ) {
        walk_obj(NULL, k->sub, NULL, dst);
        return;
    }
    if (!k->def)
        return;
    switch (k->type) {
    case CT_STR:
    case CT_ENUMSTR:
        *(char **)dst = xstrdup(k->def);
        break;
    case CT_INT:
        if (rig_str_to_ll(k->def, INT_MIN, INT_MAX, &n) == 0)
            *(int *)dst = (int)n;
        break;
    case CT_I64:
        if (rig_str_to_ll(k->def, LLONG_MIN, LLONG_MAX, &n) == 0)
            *(long long *)dst = n;
        break;
    case CT_NUM:
        *(double *)dst = strtod(k->def, NULL);
        break;
    case CT_BOOL:
        *(bool *)dst = strcmp(k->def, "true") == 0;
        break;
    case CT_DUR:
        rig_duration_parse(k->def, (int64_t *)dst, NULL);
        break;
    case CT_ENUM:
        *(int *)dst = cfg_find_enum(k->enums, k->def)->value;
        break;
    case CT_FLAGS:
        *(unsigned *)dst = (unsigned)cfg_find_enum(k->enums, k->def)->value;
        break;
    default:
        break;
    }
}

static void key_list(const struct cfg_section *sec, struct rig_buf *b)
{
    for (const struct cfg_key *k = sec->keys; k->name; k++)
        rig_buf_addf(b, "%s%s", b->len ? ", " : "", k->name);
}

static void unknown_key(struct cfg_walk *w, const struct cfg_section *sec, const char *name,
                        const char *where)
{
    struct rig_buf valid = RIG_BUF_INIT;
    const char *best = NULL;
    size_t len = strlen(name);
    size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    size_t bestd = limit + 1;
    char in[RIG_ERR_MSG_MAX / 2] = "";

    if (*where)
        snprintf(in, sizeof(in), " in %s", where);
    for (const struct cfg_key *k = sec->keys; k->name; k++) {
        size_t d = rig_str_distance(name, k->name, limit);

        if (d < bestd) {
            bestd = d;
            best = k->name;
        }
    }
    if (best) {
        cfg_err_raw(w, cur(w), CFG_AT_KEY, "unknown key '%s'%s (did you mean '%s'?)", name, in,
                    best);
    } else {
        key_list(sec, &valid);
        cfg_err_raw(w, cur(w), CFG_AT_KEY, "unknown key '%s'%s (valid keys: %s)", name, in,
                    rig_buf_str(&valid));
    }
    rig_buf_release(&valid);
}

static const struct cfg_retired *find_retired(const struct cfg_section *sec, const char *name)
{
    if (!sec->retired)
        return NULL;
    for (const struct cfg_retired *r = sec->retired; r->name; r++)
        if (strcmp(r->name, name) == 0)
            return r;
    return NULL;
}

/* One key of a mapping, whatever it is: known, retired, extension or unknown. */
static void read_key(struct cfg_walk *w, const struct cfg_section *sec, const char *name,
                     json_t *v, char *base, const char *where)
{
    const struct cfg_key *k = cfg_find_key(sec, name);
    const struct cfg_retired *r;

    if (k) {
        if (!json_is_null(v))
            set_value(w, k, v, base);
        return;
    }
    /* "x-..." at the top is a place for shared YAML anchors (as in compose files) */
    if (sec == &cfg_root_section && rig_str_startswith(name, "x-"))
        return;
    r = find_retired(sec, name);
    if (r)
        cfg_err(w, cur(w), CFG_AT_KEY, "%s", r->reason);
    else
        unknown_key(w, sec, name, where);
}

/* Read obj (NULL: absent, apply defaults only; w is then unused) into base. */
static void walk_obj(struct cfg_walk *w, const struct cfg_section *sec, json_t *obj, char *base)
{
    const char *name;
    json_t *v;

    if (obj) {
        char *where = xstrdup(rig_buf_str(&w->path));

        json_object_foreach(obj, name, v) {
            struct mark m = push(w, name, false);

            read_key(w, sec, name, v, base, where);
            pop(w, m);
        }
        free(where);
    }
    for (const struct cfg_key *k = sec->keys; k->name; k++) {
        json_t *given = obj ? json_object_get(obj, k->name) : NULL;

        if (given && !json_is_null(given))
            continue;
        if (given && (k->flags & CF_REQUIRED)) {
            struct mark m = push(w, k->name, false);

            cfg_err(w, cur(w), CFG_AT_KEY, "is empty, but it is required");
            pop(w, m);
            continue;
        }
        if (obj && (k->flags & CF_REQUIRED)) {
            if (*cur(w))
                cfg_err(w, cur(w), CFG_AT_KEY, "missing required key '%s'", k->name);
            else
                cfg_err_raw(w, cur(w), CFG_AT_VALUE, "missing required section '%s'", k->name);
            continue;
        }
        apply_default(k, base);
    }
}

/* ---- entry points -------------------------------------------------------------------- */

/* The absolute directory holding path, as written: a symlinked rig.yaml
 * resolves relative paths next to the link, like docker compose does. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    char *abs = realpath(dir, NULL);

    if (!abs) {
        char cwd[PATH_MAX];

        abs = xstrdup(getcwd(cwd, sizeof(cwd)) ? cwd : ".");
    }
    free(dir);
    return abs;
}

static void load_root(struct cfg_walk *w, json_t *root)
{
    if (json_is_null(root)) {
        rig_errlist_addf(w->errs, RIG_ECONFIG, w->file, 1, 1, "the file is empty; run "
                         "'rig init' to write a starting configuration");
        return;
    }
    if (!json_is_object(root)) {
        char got[96];

        cfg_err_raw(w, "", CFG_AT_VALUE, "expected a mapping of sections (project, source, ai, "
                    "...), got %s", cfg_describe(root, got, sizeof(got)));
        return;
    }
    walk_obj(w, &cfg_root_section, root, (char *)w->cfg);
    cfg_check(w, root);
}

int rig_config_load_string(const char *name, const char *dir, const char *text, size_t len,
                           struct rig_config *cfg, struct rig_errlist *errs)
{
    struct cfg_walk w;
    struct rig_yaml_doc *doc = NULL;
    struct rig_err err = RIG_ERR_INIT;
    size_t before = errs->len;

    memset(cfg, 0, sizeof(*cfg));
    cfg->path = xstrdup(name);
    cfg->dir = dir ? xstrdup(dir) : dir_of("./rig.yaml");
    if (rig_yaml_load_string(name, text, len, &doc, &err) < 0) {
        rig_errlist_add(errs, &err);
        return -1;
    }
    memset(&w, 0, sizeof(w));
    w.doc = doc;
    w.file = name;
    w.errs = errs;
    w.cfg = cfg;
    rig_buf_adds(&w.ptr, "");
    rig_buf_adds(&w.path, "");
    load_root(&w, rig_yaml_root(doc));
    rig_buf_release(&w.ptr);
    rig_buf_release(&w.path);
    for (size_t i = 0; i < w.nbad; i++)
        free(w.bad[i]);
    free(w.bad);
    rig_yaml_free(doc);
    rig_errlist_sort(errs);
    return errs->len > before ? -1 : 0;
}

int rig_config_load(const char *path, struct rig_config *cfg, struct rig_errlist *errs)
{
    struct rig_err err = RIG_ERR_INIT;
    char *text = NULL, *dir = NULL;
    size_t len = 0;
    int rc;

    if (rig_read_file(path, CONFIG_MAX_BYTES, &text, &len, &err) < 0) {
        memset(cfg, 0, sizeof(*cfg));
        cfg->path = xstrdup(path);
        rig_errlist_add(errs, &err);
        return -1;
    }
    dir = dir_of(path);
    rc = rig_config_load_string(path, dir, text, len, cfg, errs);
    free(dir);
    free(text);
    return rc;
}
