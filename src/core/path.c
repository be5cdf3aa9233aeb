#include "core/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/banned.h"

#define READ_DEFAULT_MAX ((size_t)64 * 1024 * 1024)

int rig_read_fd(int fd, const char *name, size_t max, char **out, size_t *len,
                struct rig_err *err)
{
    struct rig_buf b = RIG_BUF_INIT;
    struct stat st;
    char chunk[65536];
    int rc = -1;

    *out = NULL;
    if (len)
        *len = 0;
    if (max == 0)
        max = READ_DEFAULT_MAX;
    if (fstat(fd, &st) < 0) {
        rig_err_errno(err, errno, "cannot stat %s", name);
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        rig_err_set(err, RIG_EINVAL, "%s is a directory, expected a file", name);
        goto out;
    }
    /* The cap is checked while reading too: st_size is 0 for pipes and /proc. */
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
        rig_err_set(err, RIG_ETOOBIG, "%s is %jd bytes, larger than the %zu byte limit", name,
                    (intmax_t)st.st_size, max);
        goto out;
    }
    rig_buf_init(&b, max);
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0) {
            if (errno == EINTR)
                continue;
            rig_err_errno(err, errno, "cannot read %s", name);
            goto out;
        }
        if (n == 0)
            break;
        if (rig_buf_add(&b, chunk, (size_t)n) < 0) {
            rig_err_set(err, RIG_ETOOBIG, "%s is larger than the %zu byte limit", name, max);
            goto out;
        }
    }
    if (len)
        *len = b.len;
    *out = rig_buf_take(&b);
    rc = 0;
out:
    rig_buf_release(&b);
    return rc;
}

int rig_read_file(const char *path, size_t max, char **out, size_t *len, struct rig_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc;

    if (fd < 0) {
        int e = errno;

        *out = NULL;
        if (len)
            *len = 0;
        rig_err_errno(err, e, "cannot open %s", path);
        if (e == ENOENT && err)
            err->code = RIG_ENOTFOUND;
        return -1;
    }
    rc = rig_read_fd(fd, path, max, out, len, err);
    close(fd);
    return rc;
}

/* Untrusted paths go into error messages quoted, with control bytes escaped and
 * the length capped, so a crafted name cannot forge log lines. */
static const char *quote_path(char *dst, size_t n, const char *s, size_t len)
{
    size_t o = 0;

    if (n < 8) {
        if (n)
            dst[0] = '\0';
        return dst;
    }
    dst[o++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char tmp[8];
        size_t tl;

        if (c == '"' || c == '\\')
            tl = (size_t)snprintf(tmp, sizeof(tmp), "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            tl = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", c);
        else
            tl = (size_t)snprintf(tmp, sizeof(tmp), "%c", c);
        if (o + tl + 5 > n) {
            memcpy(dst + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(dst + o, tmp, tl);
        o += tl;
    }
    dst[o++] = '"';
    dst[o] = '\0';
    return dst;
}

char *rig_path_normalize_rel(const char *rel)
{
    struct rig_buf b = RIG_BUF_INIT;
    const char *p = rel;

    if (!rel || !*rel || *rel == '/')
        return NULL;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);

        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* empty or "." component: nothing to add */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            char *slash;

            if (b.len == 0) {
                rig_buf_release(&b);
                return NULL;
            }
            slash = strrchr(b.data, '/');
            b.len = slash ? (size_t)(slash - b.data) : 0;
            b.data[b.len] = '\0';
        } else {
            if (b.len)
                rig_buf_addch(&b, '/');
            rig_buf_add(&b, p, n);
        }
        p += n;
        if (*p == '/')
            p++;
    }
    if (b.len == 0) {
        rig_buf_release(&b);
        return xstrdup(".");
    }
    return rig_buf_take(&b);
}

static bool is_inside(const char *real, const char *rootreal)
{
    size_t rl = strlen(rootreal);

    if (strcmp(rootreal, "/") == 0)
        return true;
    return strncmp(real, rootreal, rl) == 0 && (real[rl] == '\0' || real[rl] == '/');
}

/* Check every existing prefix of root/norm: a symlink among them must resolve
 * inside the root. Lexical ".." was already removed, so the kernel will walk
 * exactly these prefixes when the result is used. */
static int check_symlinks(const char *root, const char *rootreal, const char *norm,
                          const char *qrel, struct rig_err *err)
{
    char *cur = xasprintf("%s/%s", root, norm);
    size_t base = strlen(root) + 1;
    char *real = NULL;
    int rc = -1;

    for (size_t i = base;; i++) {
        char saved = cur[i];
        struct stat st;

        if (saved != '/' && saved != '\0')
            continue;
        cur[i] = '\0';
        if (lstat(cur, &st) < 0) {
            if (errno == ENOENT || errno == ENOTDIR) {
                rc = 0; /* the rest does not exist yet */
                goto out;
            }
            rig_err_errno(err, errno, "path %s: cannot inspect %s", qrel, cur);
            goto out;
        }
        if (S_ISLNK(st.st_mode)) {
            real = realpath(cur, NULL);
            if (!real && errno == ENOENT) {
                rig_err_set(err, RIG_EPOLICY,
                            "path %s goes through symlink %s whose target does not exist; "
                            "refusing to follow it", qrel, cur + base);
                goto out;
            }
            if (!real) {
                rig_err_set(err, RIG_EPOLICY, "path %s goes through symlink %s: %s", qrel,
                            cur + base, strerror(errno));
                goto out;
            }
            if (!is_inside(real, rootreal)) {
                rig_err_set(err, RIG_EPOLICY,
                            "path %s leaves the workspace through symlink %s (-> %s)", qrel,
                            cur + base, real);
                goto out;
            }
            free(real);
            real = NULL;
        }
        if (saved == '\0')
            break;
        cur[i] = saved;
    }
    rc = 0;
out:
    free(real);
    free(cur);
    return rc;
}

int rig_path_join_under(const char *root, const char *rel, size_t len, char **out,
                        struct rig_err *err)
{
    char qrel[256];
    char *copy = NULL;
    char *norm = NULL;
    char *rootreal = NULL;
    int rc = -1;

    *out = NULL;
    if (!rel || len == 0) {
        rig_err_set(err, RIG_EINVAL, "empty path; expected a path relative to the workspace");
        goto out;
    }
    quote_path(qrel, sizeof(qrel), rel, len);
    if (memchr(rel, '\0', len)) {
        rig_err_set(err, RIG_EINVAL, "path %s contains a NUL byte", qrel);
        goto out;
    }
    if (rel[0] == '/') {
        rig_err_set(err, RIG_EPOLICY,
                    "path %s is absolute; give a path relative to the workspace", qrel);
        goto out;
    }
    copy = xstrndup(rel, len);
    norm = rig_path_normalize_rel(copy);
    if (!norm) {
        rig_err_set(err, RIG_EPOLICY, "path %s leaves the workspace", qrel);
        goto out;
    }
    rootreal = realpath(root, NULL);
    if (!rootreal) {
        rig_err_errno(err, errno, "workspace root %s", root);
        goto out;
    }
    if (strcmp(norm, ".") == 0) {
        *out = xstrdup(root);
        rc = 0;
        goto out;
    }
    if (check_symlinks(root, rootreal, norm, qrel, err) < 0)
        goto out;
    *out = xasprintf("%s%s%s", root, rig_str_endswith(root, "/") ? "" : "/", norm);
    rc = 0;
out:
    free(rootreal);
    free(norm);
    free(copy);
    return rc;
}

char *rig_path_expand_home(const char *p)
{
    const char *home;

    if (!p)
        return NULL;
    if (p[0] != '~' || (p[1] != '\0' && p[1] != '/'))
        return xstrdup(p);
    home = getenv("HOME");
    if (!home || !*home) {
        struct passwd pw, *res = NULL;
        char pwbuf[4096];

        if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &res) != 0 || !res)
            return xstrdup(p);
        return xasprintf("%s%s", res->pw_dir, p + 1);
    }
    return xasprintf("%s%s", home, p + 1);
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Create "<dir>.<base>.tmp-<random>" exclusively with mode (which the umask
 * filters, as for any open). -1 with errno set on failure. */
static int open_temp(const char *dir, const char *base, mode_t mode, char **tmp)
{
    for (unsigned int tries = 0; tries < 16; tries++) {
        unsigned int r = 0;
        int fd;

        if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
            r = (unsigned int)getpid() ^ tries * 2654435761u;
        *tmp = xasprintf("%s.%.64s.tmp-%08x", dir, base, r);
        fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd >= 0)
            return fd;
        free(*tmp);
        *tmp = NULL;
        if (errno != EEXIST)
            return -1;
    }
    return -1;
}

/* exact: the file gets mode as given; otherwise mode minus the umask. */
static int write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                        bool exact, struct rig_err *err)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *dir = NULL;
    char *tmp = NULL;
    int fd = -1;
    int rc = -1;

    if (!*base) {
        rig_err_set(err, RIG_EINVAL, "cannot write \"%s\": the path names a directory", path);
        goto out;
    }
    dir = slash ? xstrndup(path, (size_t)(slash - path) + 1) : xstrdup("");
    /* Same directory, so the rename stays on one filesystem and is atomic. The
     * temp file stays private until its mode is set when the mode is exact. */
    fd = open_temp(dir, base, exact ? 0600 : mode, &tmp);
    if (fd < 0) {
        rig_err_errno(err, errno, "cannot create a temporary file next to %s", path);
        goto out;
    }
    if (write_all(fd, data, len) < 0) {
        rig_err_errno(err, errno, "cannot write %s", path);
        goto out;
    }
    if (exact && fchmod(fd, mode) < 0) {
        rig_err_errno(err, errno, "cannot set the mode of %s", path);
        goto out;
    }
    if (fsync(fd) < 0) {
        rig_err_errno(err, errno, "cannot flush %s to disk", path);
        goto out;
    }
    rc = close(fd);
    fd = -1;
    if (rc < 0) {
        rig_err_errno(err, errno, "cannot write %s", path);
        goto out;
    }
    rc = -1;
    if (rename(tmp, path) < 0) {
        rig_err_errno(err, errno, "cannot replace %s", path);
        goto out;
    }
    free(tmp);
    tmp = NULL;
    /* Make the rename itself durable; failing here loses nothing already written. */
    fd = open(*dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0)
        (void)fsync(fd);
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (tmp)
        unlink(tmp);
    free(tmp);
    free(dir);
    return rc;
}

int rig_write_file(const char *path, const void *data, size_t len, mode_t mode,
                   struct rig_err *err)
{
    return write_atomic(path, data, len, mode, true, err);
}

int rig_write_file_umask(const char *path, const void *data, size_t len, mode_t mode,
                         struct rig_err *err)
{
    return write_atomic(path, data, len, mode, false, err);
}

/* "<tmpdir>/<prefix>-" followed by the six characters mkstemp/mkdtemp replace. */
static char *tmp_template(const char *prefix)
{
    const char *tmp = getenv("TMPDIR");
    struct rig_buf b = RIG_BUF_INIT;

    rig_buf_addf(&b, "%s/%s-", tmp && *tmp ? tmp : "/tmp", prefix);
    for (int i = 0; i < 6; i++)
        rig_buf_addch(&b, 'X');
    return rig_buf_take(&b);
}

int rig_tmp_file(const char *prefix, char **path, int *fd, struct rig_err *err)
{
    char *t = tmp_template(prefix);

    *fd = mkstemp(t);
    if (*fd < 0) {
        rig_err_errno(err, errno, "create a temporary file %s", t);
        free(t);
        *path = NULL;
        return -1;
    }
    *path = t;
    return 0;
}

int rig_tmp_dir(const char *prefix, char **path, struct rig_err *err)
{
    char *t = tmp_template(prefix);

    if (!mkdtemp(t)) {
        rig_err_errno(err, errno, "create a temporary directory %s", t);
        free(t);
        *path = NULL;
        return -1;
    }
    *path = t;
    return 0;
}
