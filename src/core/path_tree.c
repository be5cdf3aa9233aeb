/*
 * Directory-tree operations from core/path.h: rig_mkdirs, rig_rmtree and
 * rig_path_walk. Descending always goes through openat(O_NOFOLLOW) on the
 * parent's fd, so a symlink swapped in for a directory is never followed.
 */
#include "core/path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/banned.h"

int rig_mkdirs(const char *path, mode_t mode, struct rig_err *err)
{
    char *p = NULL;
    size_t n;
    int rc = -1;

    if (!path || !*path)
        return rig_err_set(err, RIG_EINVAL, "cannot create a directory with an empty name");
    p = xstrdup(path);
    n = strlen(p);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    for (size_t i = 1; i <= n; i++) {
        struct stat st;

        if (p[i] != '/' && p[i] != '\0')
            continue;
        p[i] = '\0';
        if (mkdir(p, mode) < 0) {
            int e = errno;

            if (e != EEXIST) {
                rig_err_errno(err, e, "cannot create directory %s", p);
                goto out;
            }
            if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
                rig_err_set(err, RIG_EIO,
                            "cannot create directory %s: %s exists and is not a directory",
                            path, p);
                goto out;
            }
        }
        if (i < n)
            p[i] = '/';
    }
    rc = 0;
out:
    free(p);
    return rc;
}

static int rm_dir_contents(int dfd, const char *dpath, struct rig_err *err);

static int rm_entry(int dfd, const char *dpath, const char *name, struct rig_err *err)
{
    struct stat st;
    int cfd;
    int rc;

    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT)
            return 0;
        return rig_err_errno(err, errno, "cannot inspect %s/%s", dpath, name);
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
            return rig_err_errno(err, errno, "cannot remove %s/%s", dpath, name);
        return 0;
    }
    cfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (cfd < 0 && errno == EACCES &&
        fchmodat(dfd, name, (st.st_mode & 07777) | 0700, AT_SYMLINK_NOFOLLOW) == 0)
        cfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (cfd < 0) {
        /* Replaced by a symlink or file since the fstatat: remove that instead. */
        if (errno == ELOOP || errno == ENOTDIR) {
            if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
                return rig_err_errno(err, errno, "cannot remove %s/%s", dpath, name);
            return 0;
        }
        return rig_err_errno(err, errno, "cannot open directory %s/%s", dpath, name);
    }
    {
        char *sub = xasprintf("%s/%s", dpath, name);

        rc = rm_dir_contents(cfd, sub, err); /* closes cfd */
        if (rc == 0 && unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
            rc = rig_err_errno(err, errno, "cannot remove directory %s", sub);
        free(sub);
    }
    return rc;
}

/* Takes ownership of dfd. */
static int rm_dir_contents(int dfd, const char *dpath, struct rig_err *err)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    int rc = 0;

    /* Read-only directories (Go's module cache makes them) would block the
     * unlinks; dfd is a real directory (O_NOFOLLOW), so fchmod is safe. */
    if (fstat(dfd, &st) == 0 && (st.st_mode & 0700) != 0700)
        (void)fchmod(dfd, (st.st_mode & 07777) | 0700);
    d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return rig_err_errno(err, errno, "cannot read directory %s", dpath);
    }
    for (;;) {
        errno = 0;
        de = readdir(d);
        if (!de) {
            if (errno)
                rc = rig_err_errno(err, errno, "cannot read directory %s", dpath);
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (rm_entry(dirfd(d), dpath, de->d_name, err) < 0) {
            rc = -1;
            break;
        }
    }
    closedir(d);
    return rc;
}

int rig_rmtree(const char *path, struct rig_err *err)
{
    struct stat st;
    int dfd;

    if (!path || !*path)
        return rig_err_set(err, RIG_EINVAL, "refusing to remove an empty path");
    if (lstat(path, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        return rig_err_errno(err, errno, "cannot inspect %s", path);
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) < 0 && errno != ENOENT)
            return rig_err_errno(err, errno, "cannot remove %s", path);
        return 0;
    }
    dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 && errno == EACCES &&
        fchmodat(AT_FDCWD, path, (st.st_mode & 07777) | 0700, AT_SYMLINK_NOFOLLOW) == 0)
        dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return rig_err_errno(err, errno, "cannot open directory %s", path);
    if (rm_dir_contents(dfd, path, err) < 0)
        return -1;
    if (rmdir(path) < 0 && errno != ENOENT)
        return rig_err_errno(err, errno, "cannot remove directory %s", path);
    return 0;
}

struct walk {
    int (*fn)(void *ctx, const char *rel, bool is_link);
    void *ctx;
    struct rig_err *err;
    const char *root;
};

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entry names of an open directory (without "." and ".."); takes dfd. */
static int list_sorted(int dfd, const char *shown, char ***out, size_t *count,
                       struct rig_err *err)
{
    DIR *d = fdopendir(dfd);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;

    *out = NULL;
    *count = 0;
    if (!d) {
        close(dfd);
        return rig_err_errno(err, errno, "cannot read directory %s", shown);
    }
    for (;;) {
        errno = 0;
        de = readdir(d);
        if (!de)
            break;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = xreallocarray(names, cap, sizeof(*names));
        }
        names[n++] = xstrdup(de->d_name);
    }
    if (errno) {
        int e = errno;

        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        closedir(d);
        return rig_err_errno(err, e, "cannot read directory %s", shown);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    *out = names;
    *count = n;
    return 0;
}

static int walk_dir(struct walk *w, int dfd, const char *rel);

static int walk_entry(struct walk *w, int dfd, const char *rel, const char *name)
{
    char *sub = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
    struct stat st;
    int rc = 0;

    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        /* Deleted while we walk: nothing to report. */
        if (errno != ENOENT)
            rc = rig_err_errno(w->err, errno, "cannot inspect %s/%s", w->root, sub);
    } else if (S_ISLNK(st.st_mode)) {
        rc = w->fn(w->ctx, sub, true);
    } else if (S_ISREG(st.st_mode)) {
        rc = w->fn(w->ctx, sub, false);
    } else if (S_ISDIR(st.st_mode)) {
        int cfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (cfd < 0)
            rc = rig_err_errno(w->err, errno, "cannot open directory %s/%s", w->root, sub);
        else
            rc = walk_dir(w, cfd, sub);
    }
    free(sub);
    return rc;
}

/* Takes ownership of dfd. */
static int walk_dir(struct walk *w, int dfd, const char *rel)
{
    char *shown = *rel ? xasprintf("%s/%s", w->root, rel) : xstrdup(w->root);
    char **names = NULL;
    size_t n = 0;
    int rc;

    /* list_sorted closes dfd through closedir; keep a duplicate for fstatat. */
    int keep = dup(dfd);

    if (keep < 0) {
        rc = rig_err_errno(w->err, errno, "cannot read directory %s", shown);
        close(dfd);
        goto out;
    }
    rc = list_sorted(dfd, shown, &names, &n, w->err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (strcmp(names[i], ".git") == 0)
            continue;
        rc = walk_entry(w, keep, rel, names[i]);
    }
    close(keep);
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(shown);
    return rc;
}

int rig_path_walk(const char *root, int (*fn)(void *ctx, const char *rel, bool is_link),
                  void *ctx, struct rig_err *err)
{
    struct walk w = {fn, ctx, err, root};
    int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (dfd < 0)
        return rig_err_errno(err, errno, "cannot open directory %s", root);
    return walk_dir(&w, dfd, "");
}
