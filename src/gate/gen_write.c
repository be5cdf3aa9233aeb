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
#include "core/path.h"
#include "core/str.h"
#include "gate/gen_workflow.h"
#include "gate/spec_check.h"
#include "core/banned.h"

#define GEN_READ_MAX (16u * 1024u * 1024u)

enum action { ACT_WRITE, ACT_UNCHANGED };

/* Never through a symlink: out_dir and the old manifest are not ours to trust. */
static int read_small(const char *path, char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    int rc;

    if (fd < 0)
        return -1;
    rc = rig_read_fd(fd, path, GEN_READ_MAX, out, len, NULL);
    close(fd);
    return rc;
}

static int mkdirs(const char *path, struct rig_errlist *errs)
{
    struct rig_err err = RIG_ERR_INIT;

    if (rig_mkdirs(path, 0755, &err) < 0) {
        rig_errlist_add(errs, &err);
        return -1;
    }
    return 0;
}

/* Create the parent directories, then replace path atomically; like a plain
 * create the new file gets 0644 minus the umask. */
static int write_atomic(const char *path, const char *content, struct rig_errlist *errs)
{
    struct rig_err err = RIG_ERR_INIT;
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    int rc = -1;

    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdirs(dir, errs) < 0)
            goto out;
    }
    if (rig_write_file_umask(path, content, strlen(content), 0644, &err) < 0) {
        rig_errlist_add(errs, &err);
        goto out;
    }
    rc = 0;
out:
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
