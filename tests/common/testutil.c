#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "core/buf.h"
#include "core/mem.h"

char *tu_mkdtemp(const char *prefix)
{
    const char *tmp = getenv("TMPDIR");
    char *tmpl = xasprintf("%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);

    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        abort();
    }
    return tmpl;
}

void tu_rmtree(const char *path)
{
    char *q;
    struct rig_buf b = RIG_BUF_INIT;

    if (!path || !*path || strcmp(path, "/") == 0)
        return;
    rig_buf_adds(&b, "rm -rf -- '");
    rig_buf_adds(&b, path);
    rig_buf_adds(&b, "'");
    q = rig_buf_take(&b);
    tu_sh(NULL, "%s", q);
    free(q);
}

void tu_write_file(const char *path, const char *content)
{
    FILE *f = fopen(path, "wb");

    if (!f) {
        perror(path);
        abort();
    }
    fwrite(content, 1, strlen(content), f);
    fclose(f);
}

char *tu_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct rig_buf b = RIG_BUF_INIT;
    char chunk[8192];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rig_buf_add(&b, chunk, n);
    fclose(f);
    return rig_buf_take(&b);
}

char *tu_path(const char *dir, const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

int tu_sh(char **out, const char *fmt, ...)
{
    va_list ap;
    char *cmd;
    FILE *p;
    struct rig_buf b = RIG_BUF_INIT;
    char chunk[4096];
    size_t n;
    int st;

    va_start(ap, fmt);
    cmd = xvasprintf(fmt, ap);
    va_end(ap);
    fflush(NULL);
    p = popen(cmd, "r");
    free(cmd);
    if (!p)
        return -1;
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
        rig_buf_add(&b, chunk, n);
    st = pclose(p);
    if (out)
        *out = rig_buf_take(&b);
    else
        rig_buf_release(&b);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

const char *tu_env(const char *name)
{
    const char *v = getenv(name);

    if (!v || !*v) {
        print_message("environment variable %s not set (run through ctest)\n", name);
        skip();
    }
    return v;
}

char *tu_fixture(const char *rel)
{
    const char *dir = getenv("RIG_FIXTURES");

    if (!dir || !*dir)
        dir = "../shared/fixtures";
    return xasprintf("%s/%s", dir, rel);
}

int tu_write_port_file(const char *path, unsigned port)
{
    char *tmp = xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = -1;

    if (f) {
        fprintf(f, "%u\n", port);
        if (fclose(f) == 0 && rename(tmp, path) == 0)
            rc = 0;
    }
    free(tmp);
    return rc;
}
