/*
 * Writing generated files without clobbering people's work: a file is only
 * replaced when we can tell it is still exactly what specgate wrote (see
 * sg_gen_write in gen.h). Everything is checked before anything is written.
 */
#include "gate/gen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/str.h"
#include "gate/gen_workflow.h"
#include "gate/spec_check.h"
#include "core/banned.h"

#define GEN_READ_MAX (16u * 1024u * 1024u)

enum action { ACT_WRITE, ACT_UNCHANGED };

static int read_small(const char *path, char **out, size_t *len)
{
    struct rig_buf b;
    char chunk[8192];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t r;

    if (fd < 0)
        return -1;
    rig_buf_init(&b, GEN_READ_MAX);
    while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || rig_buf_add(&b, chunk, (size_t)r) < 0) {
            close(fd);
            rig_buf_release(&b);
            return -1;
        }
    }
    close(fd);
    *len = b.len;
    *out = rig_buf_take(&b);
    return 0;
}

static int mkdirs(const char *path, struct rig_errlist *errs)
{
    char *p = xstrdup(path);
    int rc = 0;

    for (char *s = p + 1; rc == 0; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char saved = *s;
        struct stat st;

        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            rc = rig_errlist_addf(errs, RIG_EIO, p, 0, 0, "cannot create directory: %s",
                                  strerror(errno));
        else if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
            rc = rig_errlist_addf(errs, RIG_EIO, p, 0, 0,
                                  "exists and is not a directory; move it away");
        *s = saved;
        if (!saved)
            break;
    }
    free(p);
    return rc;
}

static int write_atomic(const char *path, const char *content, struct rig_errlist *errs)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    char *tmp = xasprintf("%s.specgate-tmp.%ld", path, (long)getpid());
    size_t len = strlen(content), done = 0;
    int fd = -1, rc = -1;

    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdirs(dir, errs) < 0)
            goto out;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        rig_errlist_addf(errs, RIG_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        goto out;
    }
    while (done < len) {
        ssize_t w = write(fd, content + done, len - done);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            rig_errlist_addf(errs, RIG_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
            goto out;
        }
        done += (size_t)w;
    }
    if (fsync(fd) < 0 || close(fd) < 0) {
        fd = -1;
        rig_errlist_addf(errs, RIG_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        rig_errlist_addf(errs, RIG_EIO, path, 0, 0, "cannot replace: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rc < 0)
        unlink(tmp);
    free(tmp);
    free(dir);
    return rc;
}

/* The previous manifest, when it is ours; NULL otherwise. */
static json_t *old_manifest(const char *out_dir)
{
    char *path = xasprintf("%s/manifest.json", out_dir);
    char *text = NULL;
    size_t len = 0;
    json_t *m = NULL;

    if (read_small(path, &text, &len) == 0)
        m = json_loadb(text, len, 0, NULL);
    if (m && !rig_str_eq(json_string_value(json_object_get(m, "generated_by")), "specgate")) {
        json_decref(m);
        m = NULL;
    }
    free(text);
    free(path);
    return m;
}

static const char *listed_sha(json_t *old, const char *rel)
{
    size_t i;
    json_t *f;

    json_array_foreach(json_object_get(old, "files"), i, f) {
        if (rig_str_eq(json_string_value(json_object_get(f, "path")), rel))
            return json_string_value(json_object_get(f, "sha256"));
    }
    return NULL;
}

static bool has_marker(const char *text, size_t len)
{
    size_t n = len < 512 ? len : 512;

    return memmem(text, n, SG_GEN_MARKER, strlen(SG_GEN_MARKER)) != NULL;
}

/* Decide what to do with one target; -1 (with an error) when it must not be touched. */
static int plan(const char *full, const struct sg_gen_file *f, json_t *old, bool force,
                enum action *act, struct rig_errlist *errs)
{
    struct stat st;
    char *cur = NULL;
    size_t len = 0;
    char sha[65];
    const char *want;
    bool ours;

    *act = ACT_WRITE;
    if (lstat(full, &st) < 0)
        return errno == ENOENT ? 0
                               : rig_errlist_addf(errs, RIG_EIO, full, 0, 0, "cannot inspect: %s",
                                                  strerror(errno));
    if (!S_ISREG(st.st_mode))
        return rig_errlist_addf(errs, RIG_ECONFLICT, full, 0, 0,
                                "exists and is not a regular file; move it away and run again");
    if (read_small(full, &cur, &len) < 0)
        return rig_errlist_addf(errs, RIG_EIO, full, 0, 0, "cannot read the existing file");
    if (len == strlen(f->content) && memcmp(cur, f->content, len) == 0) {
        *act = ACT_UNCHANGED;
        free(cur);
        return 0;
    }
    sg_sha256_hex(cur, len, sha);
    want = listed_sha(old, f->path);
    if (f->kind == SG_GEN_MANIFEST)
        ours = old != NULL;
    else if (want)
        ours = strcmp(want, sha) == 0;
    else
        ours = has_marker(cur, len);
    free(cur);
    if (ours || force)
        return 0;
    if (want)
        return rig_errlist_addf(errs, RIG_ECONFLICT, full, 0, 0,
                                "was changed since specgate generated it; keep your changes "
                                "elsewhere, or pass --force to overwrite it");
    return rig_errlist_addf(errs, RIG_ECONFLICT, full, 0, 0,
                            "exists and was not written by specgate; pass --force to overwrite it");
}

static bool still_generated(const struct sg_gen_result *res, const char *rel)
{
    for (size_t i = 0; i < res->nfiles; i++) {
        if (strcmp(res->files[i].path, rel) == 0)
            return true;
    }
    return false;
}

/* Files of the previous run that this run no longer produces. */
static void remove_stale(const char *out_dir, json_t *old, const struct sg_gen_result *res,
                         size_t *removed)
{
    size_t i;
    json_t *f;

    json_array_foreach(json_object_get(old, "files"), i, f) {
        const char *rel = json_string_value(json_object_get(f, "path"));
        const char *sha = json_string_value(json_object_get(f, "sha256"));
        char *full, *cur = NULL;
        size_t len = 0;
        char now[65];

        /* the old manifest is a file on disk: never follow it outside out_dir */
        if (!rel || !sha || !sg_check_glob(rel, NULL, 0) || still_generated(res, rel))
            continue;
        full = xasprintf("%s/%s", out_dir, rel);
        if (read_small(full, &cur, &len) == 0) {
            sg_sha256_hex(cur, len, now);
            if (strcmp(now, sha) == 0 && unlink(full) == 0)
                (*removed)++;
            else
                log_warn("%s: no longer generated but changed by hand; left in place", full);
        }
        free(cur);
        free(full);
    }
}

int sg_gen_write(const char *out_dir, const struct sg_gen_result *res, bool force,
                 struct sg_gen_stats *stats, struct rig_errlist *errs)
{
    struct sg_gen_stats st = {0, 0, 0};
    enum action *acts = xcalloc(res->nfiles ? res->nfiles : 1, sizeof(*acts));
    json_t *old = old_manifest(out_dir);
    size_t before = errs->len;
    int rc = -1;

    for (size_t i = 0; i < res->nfiles; i++) {
        char *full = xasprintf("%s/%s", out_dir, res->files[i].path);

        plan(full, &res->files[i], old, force, &acts[i], errs);
        free(full);
    }
    if (errs->len > before)
        goto out;
    if (mkdirs(out_dir, errs) < 0)
        goto out;
    for (size_t i = 0; i < res->nfiles; i++) {
        char *full;

        if (acts[i] == ACT_UNCHANGED) {
            st.unchanged++;
            continue;
        }
        full = xasprintf("%s/%s", out_dir, res->files[i].path);
        if (write_atomic(full, res->files[i].content, errs) < 0) {
            free(full);
            goto out;
        }
        free(full);
        st.written++;
    }
    remove_stale(out_dir, old, res, &st.removed);
    rc = 0;
out:
    if (stats)
        *stats = st;
    json_decref(old);
    free(acts);
    return rc;
}

/* Unchanged since generation: the checksum line matches the lines below the
 * leading comment block. */
static bool checksum_intact(const char *text, size_t len)
{
    static const char tag[] = "# checksum: sha256:";
    const char *p = text, *end = text + len;
    const char *hex = NULL;
    char sha[65];

    if (!has_marker(text, len))
        return false;
    while (p < end && *p == '#') {
        const char *nl = memchr(p, '\n', (size_t)(end - p));

        if ((size_t)(end - p) > sizeof(tag) + 64 && strncmp(p, tag, sizeof(tag) - 1) == 0)
            hex = p + sizeof(tag) - 1;
        if (!nl)
            return false;
        p = nl + 1;
    }
    if (!hex)
        return false;
    sg_sha256_hex(p, (size_t)(end - p), sha);
    return strncmp(hex, sha, 64) == 0;
}

int sg_gen_write_checksummed(const char *path, const char *content, bool force, bool *changed,
                             struct rig_errlist *errs)
{
    struct stat st;
    char *cur = NULL;
    size_t len = 0;
    bool ours;

    *changed = false;
    if (lstat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return rig_errlist_addf(errs, RIG_ECONFLICT, path, 0, 0,
                                    "exists and is not a regular file; move it away and run "
                                    "again");
        if (read_small(path, &cur, &len) < 0)
            return rig_errlist_addf(errs, RIG_EIO, path, 0, 0, "cannot read the existing file");
        if (len == strlen(content) && memcmp(cur, content, len) == 0) {
            free(cur);
            return 0;
        }
        ours = checksum_intact(cur, len);
        free(cur);
        if (!ours && !force)
            return rig_errlist_addf(errs, RIG_ECONFLICT, path, 0, 0,
                                    "was edited by hand or not generated by specgate (its "
                                    "checksum line does not match); keep your changes elsewhere, "
                                    "or pass --force to overwrite it");
    } else if (errno != ENOENT) {
        return rig_errlist_addf(errs, RIG_EIO, path, 0, 0, "cannot inspect: %s", strerror(errno));
    }
    if (write_atomic(path, content, errs) < 0)
        return -1;
    *changed = true;
    return 0;
}
