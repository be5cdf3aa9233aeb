#include "core/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/mem.h"
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

static int read_fd(int fd, const char *path, size_t max, struct rig_buf *b, struct rig_err *err)
{
    char chunk[65536];

    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return rig_err_errno(err, errno, "cannot read %s", path);
        if (n == 0)
            return 0;
        if (rig_buf_add(b, chunk, (size_t)n) < 0)
            return rig_err_set(err, RIG_ETOOBIG,
                               "%s is larger than the %zu-byte limit for JSON files", path, max);
    }
}

json_t *rig_json_load_file(const char *path, size_t max, struct rig_err *err)
{
    struct rig_buf b = RIG_BUF_INIT;
    json_t *v = NULL;
    int fd;

    if (max == 0)
        max = JSON_FILE_MAX_DEFAULT;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;

        rig_err_errno(err, e, "cannot open %s", path);
        if (err && e == ENOENT)
            err->code = RIG_ENOTFOUND;
        return NULL;
    }
    rig_buf_init(&b, max);
    if (read_fd(fd, path, max, &b, err) < 0)
        goto out;
    v = rig_json_loadb(rig_buf_str(&b), b.len, path, err);
out:
    close(fd);
    rig_buf_release(&b);
    return v;
}

char *rig_json_dump(const json_t *v, bool pretty)
{
    size_t flags = JSON_ENCODE_ANY | (pretty ? JSON_INDENT(2) : JSON_COMPACT);

    if (!v)
        return NULL;
    return json_dumps(v, flags);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Create "<path>.tmp-<random>" exclusively; 0644 so the umask decides, like a plain create. */
static int open_temp(const char *path, char **tmp, struct rig_err *err)
{
    for (int tries = 0; tries < 16; tries++) {
        unsigned int r = 0;
        int fd;

        if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
            r = (unsigned int)getpid() ^ (unsigned int)tries * 2654435761u;
        *tmp = xasprintf("%s.tmp-%08x", path, r);
        fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST) {
            rig_err_errno(err, errno, "cannot create a temporary file next to %s", path);
            free(*tmp);
            *tmp = NULL;
            return -1;
        }
        free(*tmp);
        *tmp = NULL;
    }
    rig_err_set(err, RIG_EIO, "cannot create a temporary file next to %s: too many collisions",
                path);
    return -1;
}

/* The rename is only durable once the directory entry itself reaches the disk. */
static void fsync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

int rig_json_write_file(const char *path, const json_t *v, bool pretty, struct rig_err *err)
{
    char *text = NULL, *tmp = NULL;
    int fd = -1, rc = -1;

    text = rig_json_dump(v, pretty);
    if (!text) {
        rig_err_set(err, RIG_EINVAL, "cannot write %s: the value cannot be serialised as JSON",
                    path);
        goto out;
    }
    fd = open_temp(path, &tmp, err);
    if (fd < 0)
        goto out;
    if (write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0 || fsync(fd) < 0) {
        rig_err_errno(err, errno, "cannot write %s", tmp);
        goto out;
    }
    if (close(fd) < 0) {
        fd = -1;
        rig_err_errno(err, errno, "cannot write %s", tmp);
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        rig_err_errno(err, errno, "cannot rename %s to %s", tmp, path);
        goto out;
    }
    free(tmp);
    tmp = NULL;
    fsync_parent(path);
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (tmp) {
        unlink(tmp);
        free(tmp);
    }
    free(text);
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
