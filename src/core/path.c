#include "core/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/banned.h"

#define READ_DEFAULT_MAX ((size_t)64 * 1024 * 1024)

int rig_read_file(const char *path, size_t max, char **out, size_t *len, struct rig_err *err)
{
    struct rig_buf b = RIG_BUF_INIT;
    struct stat st;
    char chunk[65536];
    int fd = -1;
    int rc = -1;

    *out = NULL;
    if (len)
        *len = 0;
    if (max == 0)
        max = READ_DEFAULT_MAX;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rig_err_errno(err, errno, "cannot open %s", path);
        if (errno == ENOENT && err)
            err->code = RIG_ENOTFOUND;
        goto out;
    }
    if (fstat(fd, &st) < 0) {
        rig_err_errno(err, errno, "cannot stat %s", path);
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        rig_err_set(err, RIG_EINVAL, "%s is a directory, expected a file", path);
        goto out;
    }
    /* The cap is checked while reading too: st_size is 0 for pipes and /proc. */
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
        rig_err_set(err, RIG_ETOOBIG, "%s is %jd bytes, larger than the %zu byte limit", path,
                    (intmax_t)st.st_size, max);
        goto out;
    }
    rig_buf_init(&b, max);
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0) {
            if (errno == EINTR)
                continue;
            rig_err_errno(err, errno, "cannot read %s", path);
            goto out;
        }
        if (n == 0)
            break;
        if (rig_buf_add(&b, chunk, (size_t)n) < 0) {
            rig_err_set(err, RIG_ETOOBIG, "%s is larger than the %zu byte limit", path, max);
            goto out;
        }
    }
    if (len)
        *len = b.len;
    *out = rig_buf_take(&b);
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    rig_buf_release(&b);
    return rc;
}
