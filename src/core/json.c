#include "core/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/banned.h"

#define JSON_FILE_MAX_DEFAULT ((size_t)64 << 20)

json_t *rig_json_loadb(const char *data, size_t len, const char *name, struct rig_err *err)
{
    json_error_t jerr;
    json_t *v;

    if (!data || len == 0) {
        rig_err_at(err, RIG_EINVAL, name ? name : "JSON", 0, 0,
                   "invalid JSON: the document is empty");
        return NULL;
    }
    /* DECODE_ANY: a bare scalar is valid JSON (RFC 8259); callers check the type they need */
    v = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!v) {
        int line = jerr.line > 0 ? jerr.line : 0;
        int col = line && jerr.column > 0 ? jerr.column : 0;

        rig_err_at(err, RIG_EINVAL, name ? name : "JSON", line, col, "invalid JSON: %s",
                   jerr.text);
    }
    return v;
}

json_t *rig_json_load_file(const char *path, size_t max, struct rig_err *err)
{
    char *data = NULL;
    size_t len = 0;
    json_t *v;

    if (max == 0)
        max = JSON_FILE_MAX_DEFAULT;
    if (rig_read_file(path, max, &data, &len, err) < 0) {
        if (err && err->code == RIG_ETOOBIG)
            rig_err_set(err, RIG_ETOOBIG, "%s is larger than the %zu-byte limit for JSON files",
                        path, max);
        else if (err && err->code == RIG_EINVAL) /* a directory: unreadable, as before */
            err->code = RIG_EIO;
        return NULL;
    }
    v = rig_json_loadb(data, len, path, err);
    free(data);
    return v;
}

char *rig_json_dump(const json_t *v, bool pretty)
{
    size_t flags = JSON_ENCODE_ANY | (pretty ? JSON_INDENT(2) : JSON_COMPACT);

    if (!v)
        return NULL;
    return json_dumps(v, flags);
}

int rig_json_write_file(const char *path, const json_t *v, bool pretty, struct rig_err *err)
{
    char *text = rig_json_dump(v, pretty);
    char *line;
    int rc;

    if (!text)
        return rig_err_set(err, RIG_EINVAL,
                           "cannot write %s: the value cannot be serialised as JSON", path);
    line = xasprintf("%s\n", text);
    free(text);
    rc = rig_write_file_umask(path, line, strlen(line), 0644, err);
    free(line);
    return rc;
}

/* Decode one reference token (s .. s+n) into a new string; NULL on a bad "~" escape. */
static char *pointer_unescape(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] != '~') {
            out[o++] = s[i];
            continue;
        }
        if (i + 1 < n && (s[i + 1] == '0' || s[i + 1] == '1')) {
            out[o++] = s[i + 1] == '0' ? '~' : '/';
            i++;
            continue;
        }
        free(out);
        return NULL;
    }
    out[o] = '\0';
    return out;
}

/* RFC 6901 array index: "0" or digits without a leading zero; "-" never exists. */
static json_t *pointer_index(json_t *arr, const char *tok)
{
    size_t idx = 0;

    if (!*tok || (tok[0] == '0' && tok[1]))
        return NULL;
    for (const char *p = tok; *p; p++) {
        if (*p < '0' || *p > '9')
            return NULL;
        if (idx > (SIZE_MAX - 9) / 10)
            return NULL;
        idx = idx * 10 + (size_t)(*p - '0');
    }
    return json_array_get(arr, idx);
}

json_t *rig_json_pointer(json_t *root, const char *pointer)
{
    json_t *cur = root;
    const char *p = pointer;

    if (!root || !pointer)
        return NULL;
    if (!*p)
        return root;
    if (*p != '/')
        return NULL;
    while (cur && *p == '/') {
        const char *start = ++p;
        char *tok;

        while (*p && *p != '/')
            p++;
        tok = pointer_unescape(start, (size_t)(p - start));
        if (!tok)
            return NULL;
        if (json_is_object(cur))
            cur = json_object_get(cur, tok);
        else if (json_is_array(cur))
            cur = pointer_index(cur, tok);
        else
            cur = NULL;
        free(tok);
    }
    return cur;
}

char *rig_json_pointer_escape(const char *token)
{
    struct rig_buf b = RIG_BUF_INIT;

    for (const char *p = token ? token : ""; *p; p++) {
        if (*p == '~')
            rig_buf_adds(&b, "~0");
        else if (*p == '/')
            rig_buf_adds(&b, "~1");
        else
            rig_buf_addch(&b, *p);
    }
    return rig_buf_take(&b);
}

const char *rig_json_str(const json_t *obj, const char *key, const char *fallback)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

    return json_is_string(v) ? json_string_value(v) : fallback;
}

long long rig_json_int(const json_t *obj, const char *key, long long fallback)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

    return json_is_integer(v) ? (long long)json_integer_value(v) : fallback;
}

double rig_json_num(const json_t *obj, const char *key, double fallback)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

    return json_is_number(v) ? json_number_value(v) : fallback;
}

bool rig_json_bool(const json_t *obj, const char *key, bool fallback)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

    return json_is_boolean(v) ? json_is_true(v) : fallback;
}

const char *rig_json_type_name(const json_t *v)
{
    if (!v)
        return "missing";
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

const char *rig_json_type_article(const json_t *v)
{
    if (!v)
        return "nothing";
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}
