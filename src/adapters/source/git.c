#include "adapters/source/git.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/proc.h"
#include "core/str.h"

#include "core/banned.h"

#define GIT_DEFAULT_TIMEOUT_MS (10 * 60 * 1000)
#define GIT_MAX_ARGS 32
#define GIT_MAX_ENV 64
#define GIT_STDERR_TAIL 600
#define GIT_DIFF_DEFAULT_MAX (8u * 1024 * 1024)

struct git_call {
    const char *cwd;
    const char *const *argv;
    const char *const *env;
    const char *input;
    size_t input_len;
    size_t capture_max;
};

struct git_out {
    int exit_code; /* -1: did not exit normally */
    char *out;
    size_t out_len; /* -z outputs contain NULs */
    bool out_truncated;
    char *err;
    char desc[128];
};

static void git_out_release(struct git_out *o)
{
    free(o->out);
    free(o->err);
    o->out = o->err = NULL;
}

/* "git checkout -B rig/x origin/main" (bounded, for messages). */
static void describe_cmd(const char *const *argv, char *buf, size_t n)
{
    struct rig_buf b = RIG_BUF_INIT;
    char *r;

    rig_buf_adds(&b, "git");
    for (size_t i = 0; argv[i] && b.len < 200; i++) {
        rig_buf_addch(&b, ' ');
        rig_buf_adds(&b, argv[i]);
    }
    r = rig_redact(rig_buf_str(&b));
    rig_strlcpy(buf, r, n);
    free(r);
    rig_buf_release(&b);
}

/* The end of git's stderr on one line: "hint:" lines dropped, whitespace
 * runs collapsed, redacted. */
static char *stderr_tail(const char *s)
{
    struct rig_buf b = RIG_BUF_INIT;
    const char *p = s;
    char *r;
    size_t start;

    while (*p) {
        size_t len = strcspn(p, "\n");
        if (strncmp(p, "hint:", 5) != 0) {
            for (size_t i = 0; i < len; i++) {
                bool sp = p[i] == ' ' || p[i] == '\t' || p[i] == '\r';
                if (sp && (b.len == 0 || b.data[b.len - 1] == ' '))
                    continue;
                rig_buf_addch(&b, sp ? ' ' : p[i]);
            }
            if (b.len && b.data[b.len - 1] != ' ')
                rig_buf_addch(&b, ' ');
        }
        p += len + (p[len] ? 1 : 0);
    }
    while (b.len && b.data[b.len - 1] == ' ')
        b.data[--b.len] = '\0';
    start = b.len > GIT_STDERR_TAIL ? b.len - GIT_STDERR_TAIL : 0;
    r = rig_redact(rig_buf_str(&b) + start);
    rig_buf_release(&b);
    return r;
}

/* Run git; 0 when it ran (o->exit_code says how), -1 when it could not. */
static int git_exec(const struct rig_git *g, const struct git_call *c, struct git_out *o,
                    struct rig_err *err)
{
    const char *argv[GIT_MAX_ARGS + 2];
    const char *env[GIT_MAX_ENV + 1];
    char *home_env = NULL, *xdg_env = NULL;
    struct rig_proc_opts po;
    struct rig_proc_result res;
    size_t na = 0, ne = 0;
    int rc = -1;

    memset(o, 0, sizeof(*o));
    memset(&res, 0, sizeof(res));
    o->exit_code = -1;
    argv[na++] = g && g->git_bin ? g->git_bin : "git";
    for (size_t i = 0; c->argv[i]; i++) {
        if (na >= GIT_MAX_ARGS)
            return rig_err_set(err, RIG_EINVAL, "too many git arguments");
        argv[na++] = c->argv[i];
    }
    argv[na] = NULL;
    describe_cmd(c->argv, o->desc, sizeof(o->desc));

    env[ne++] = "GIT_CONFIG_NOSYSTEM=1";
    env[ne++] = "GIT_TERMINAL_PROMPT=0";
    env[ne++] = "GIT_OPTIONAL_LOCKS=0";
    env[ne++] = "LC_ALL=C"; /* messages we parse and show are the English ones */
    /* No ext::/fd:: transports, whatever a URL says: they run commands. */
    env[ne++] = "GIT_ALLOW_PROTOCOL=file:git:http:https:ssh";
    if (g && g->home) {
        home_env = xasprintf("HOME=%s", g->home);
        xdg_env = xasprintf("XDG_CONFIG_HOME=%s/.config", g->home);
        env[ne++] = home_env;
        env[ne++] = xdg_env;
    }
    for (size_t i = 0; g && g->env && g->env[i]; i++) {
        if (ne >= GIT_MAX_ENV)
            goto toomany;
        env[ne++] = g->env[i];
    }
    for (size_t i = 0; c->env && c->env[i]; i++) {
        if (ne >= GIT_MAX_ENV)
            goto toomany;
        env[ne++] = c->env[i];
    }
    env[ne] = NULL;

    memset(&po, 0, sizeof(po));
    po.argv = argv;
    po.cwd = c->cwd;
    po.env = env;
    po.stdin_data = c->input;
    po.stdin_len = c->input_len;
    po.capture_max = c->capture_max;
    po.timeout_ms = g && g->timeout_ms > 0 ? g->timeout_ms : GIT_DEFAULT_TIMEOUT_MS;
    po.cancel = g ? g->cancel : NULL;
    if (rig_proc_run(&po, &res, err) < 0) {
        rig_err_prefix(err, "%s", o->desc);
        goto out;
    }
    if (res.exited)
        o->exit_code = res.exit_code;
    if (!res.exited) {
        char d[128];
        rig_err_set(err, res.timed_out ? RIG_ETIMEOUT
                         : res.cancelled ? RIG_ECANCELLED
                                         : RIG_EGENERIC,
                    "%s: %s", o->desc, rig_proc_describe(&res, d, sizeof(d)));
        goto out;
    }
    o->out = res.out;
    o->out_len = res.out_len;
    o->out_truncated = res.out_truncated;
    o->err = res.err;
    res.out = res.err = NULL;
    rc = 0;
    goto out;
toomany:
    rig_err_set(err, RIG_EINVAL, "too many environment entries for git");
out:
    rig_proc_result_release(&res);
    free(home_env);
    free(xdg_env);
    return rc;
}

static int fail_from(struct git_out *o, struct rig_err *err)
{
    char *tail = stderr_tail(o->err ? o->err : "");
    int code = RIG_EGENERIC;

    if (strstr(tail, "non-fast-forward") || strstr(tail, "[rejected]") ||
        strstr(tail, "fetch first"))
        code = RIG_ECONFLICT;
    rig_err_set(err, code, "%s: exit status %d%s%s%s", o->desc, o->exit_code, *tail ? ": " : "",
                tail,
                code == RIG_ECONFLICT ? " (the remote branch has commits this workspace does "
                                        "not; Rig never force-pushes)"
                                      : "");
    free(tail);
    return -1;
}

/* Run and require exit 0; stdout into *out when asked. */
static int git_call(const struct rig_git *g, const struct git_call *c, char **out,
                    struct rig_err *err)
{
    struct git_out o;
    int rc = -1;

    if (out)
        *out = NULL;
    if (git_exec(g, c, &o, err) < 0)
        goto out;
    if (o.exit_code != 0) {
        fail_from(&o, err);
        goto out;
    }
    if (out) {
        *out = o.out;
        o.out = NULL;
    }
    rc = 0;
out:
    git_out_release(&o);
    return rc;
}

int rig_git_run_input(const struct rig_git *g, const char *cwd, const char *const *argv,
                      const char *const *env, const char *input, size_t input_len, char **out,
                      struct rig_err *err)
{
    struct git_call c = {cwd, argv, env, input, input_len, 0};

    return git_call(g, &c, out, err);
}

int rig_git_run(const struct rig_git *g, const char *cwd, const char *const *argv,
                const char *const *env, char **out, struct rig_err *err)
{
    return rig_git_run_input(g, cwd, argv, env, NULL, 0, out, err);
}

static int run_simple(const struct rig_git *g, const char *cwd, const char *const *argv,
                      struct rig_err *err)
{
    return rig_git_run(g, cwd, argv, NULL, NULL, err);
}

/* Refs and names must not be mistaken for options. */
static int check_arg(const char *what, const char *v, struct rig_err *err)
{
    if (!v || !*v)
        return rig_err_set(err, RIG_EINVAL, "%s is empty", what);
    if (v[0] == '-')
        return rig_err_set(err, RIG_EINVAL, "%s \"%s\" must not start with '-'", what, v);
    return 0;
}

bool rig_git_is_url(const char *src)
{
    const char *colon, *slash;

    if (strstr(src, "://"))
        return true;
    colon = strchr(src, ':');
    slash = strchr(src, '/');
    /* scp-like "host:path" / "user@host:path", as git itself decides */
    return colon && (!slash || colon < slash) && colon != src;
}

int rig_git_check_source(const char *src, struct rig_err *err)
{
    const char *auth, *end, *at;

    if (check_arg("repository source", src, err) < 0)
        return -1;
    auth = strstr(src, "://");
    if (!auth)
        return 0;
    auth += 3;
    end = auth + strcspn(auth, "/?#");
    at = memchr(auth, '@', (size_t)(end - auth));
    if (!at)
        return 0;
    if (memchr(auth, ':', (size_t)(at - auth)) || !rig_str_startswith(src, "ssh://"))
        return rig_err_set(err, RIG_ECONFIG,
                           "repository URL carries credentials before '@'; use a URL without "
                           "them (tokens are passed to git through the environment, never the "
                           "URL)");
    return 0;
}

int rig_git_clone(const struct rig_git *g, const char *src, const char *dir, struct rig_err *err)
{
    char *abs = NULL;
    int rc = -1;

    if (rig_git_check_source(src, err) < 0 || check_arg("clone directory", dir, err) < 0)
        return -1;
    if (rig_git_is_url(src)) {
        const char *argv[] = {"clone", "-q", "--", src, dir, NULL};
        rc = run_simple(g, NULL, argv, err);
    } else {
        abs = realpath(src, NULL);
        if (!abs) {
            rig_err_errno(err, errno, "repository %s", src);
            rig_err_prefix(err, "cannot clone");
            goto out;
        }
        const char *argv[] = {"clone", "-q", "--no-hardlinks", "--", abs, dir, NULL};
        rc = run_simple(g, NULL, argv, err);
    }
out:
    free(abs);
    return rc;
}

int rig_git_check_branch(const struct rig_git *g, const char *name, struct rig_err *err)
{
    const char *argv[] = {"check-ref-format", "--branch", name, NULL};
    struct git_call c = {NULL, argv, NULL, NULL, 0, 0};
    struct git_out o;
    int rc;

    if (check_arg("branch name", name, err) < 0)
        return -1;
    if (git_exec(g, &c, &o, err) < 0)
        return -1;
    rc = o.exit_code == 0 ? 0
                          : rig_err_set(err, RIG_EINVAL, "\"%s\" is not a valid git branch name",
                                        name);
    git_out_release(&o);
    return rc;
}

static void chomp(char *s)
{
    size_t n = strlen(s);

    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

int rig_git_default_branch(const struct rig_git *g, const char *dir, const char *remote,
                           char **out, struct rig_err *err)
{
    char *ref = xasprintf("refs/remotes/%s/HEAD", remote ? remote : "origin");
    const char *argv[] = {"symbolic-ref", "--short", "-q", ref, NULL};
    const char *head[] = {"symbolic-ref", "--short", "-q", "HEAD", NULL};
    char *s = NULL;
    const char *slash;
    int rc = -1;

    *out = NULL;
    if (rig_git_run(g, dir, argv, NULL, &s, NULL) == 0) {
        chomp(s);
        slash = strchr(s, '/');
        *out = xstrdup(slash ? slash + 1 : s);
        rc = 0;
        goto out;
    }
    /* Remotes without a HEAD (e.g. an empty bare repo): the branch the clone
     * checked out is what the remote advertised. */
    if (rig_git_run(g, dir, head, NULL, &s, err) < 0) {
        rig_err_prefix(err, "cannot determine the default branch of %s",
                       remote ? remote : "origin");
        goto out;
    }
    chomp(s);
    *out = xstrdup(s);
    rc = 0;
out:
    free(s);
    free(ref);
    return rc;
}

int rig_git_checkout_new(const struct rig_git *g, const char *dir, const char *branch,
                         const char *start, struct rig_err *err)
{
    const char *argv[] = {"checkout", "-q", "-B", branch, start, "--", NULL};

    if (rig_git_check_branch(g, branch, err) < 0 || check_arg("start point", start, err) < 0)
        return -1;
    return run_simple(g, dir, argv, err);
}

int rig_git_checkout(const struct rig_git *g, const char *dir, const char *branch,
                     struct rig_err *err)
{
    const char *argv[] = {"checkout", "-q", branch, "--", NULL};

    if (rig_git_check_branch(g, branch, err) < 0)
        return -1;
    return run_simple(g, dir, argv, err);
}

int rig_git_branch_exists(const struct rig_git *g, const char *dir, const char *branch,
                          bool *exists, struct rig_err *err)
{
    char *ref = xasprintf("refs/heads/%s", branch);
    const char *argv[] = {"rev-parse", "--verify", "--quiet", ref, NULL};
    struct git_call c = {dir, argv, NULL, NULL, 0, 0};
    struct git_out o;
    int rc = -1;

    *exists = false;
    if (check_arg("branch name", branch, err) < 0 || git_exec(g, &c, &o, err) < 0)
        goto out;
    if (o.exit_code == 0)
        *exists = true;
    if (o.exit_code == 0 || o.exit_code == 1)
        rc = 0;
    else
        fail_from(&o, err);
    git_out_release(&o);
out:
    free(ref);
    return rc;
}

int rig_git_rev_parse(const struct rig_git *g, const char *dir, const char *rev, char sha[41],
                      struct rig_err *err)
{
    char *spec = xasprintf("%s^{commit}", rev);
    const char *argv[] = {"rev-parse", "--verify", "--end-of-options", spec, NULL};
    char *s = NULL;
    int rc = -1;

    if (check_arg("revision", rev, err) < 0 || rig_git_run(g, dir, argv, NULL, &s, err) < 0)
        goto out;
    chomp(s);
    if (strlen(s) != 40) {
        rig_err_set(err, RIG_EGENERIC, "git rev-parse %s: unexpected output \"%.60s\"", rev, s);
        goto out;
    }
    memcpy(sha, s, 41);
    rc = 0;
out:
    free(s);
    free(spec);
    return rc;
}

int rig_git_head(const struct rig_git *g, const char *dir, char sha[41], struct rig_err *err)
{
    return rig_git_rev_parse(g, dir, "HEAD", sha, err);
}

int rig_git_add_all(const struct rig_git *g, const char *dir, struct rig_err *err)
{
    const char *argv[] = {"add", "-A", NULL};

    return run_simple(g, dir, argv, err);
}

int rig_git_commit(const struct rig_git *g, const char *dir, const char *message,
                   const struct rig_git_ident *who, bool *committed, char sha[41],
                   struct rig_err *err)
{
    const char *quiet[] = {"diff", "--cached", "--quiet", NULL};
    const char *argv[] = {"-c", "commit.gpgsign=false", "commit", "-q", "--no-edit",
                          "--file=-", NULL};
    const char *name = who && who->name && *who->name ? who->name : "Rig";
    const char *email = who && who->email && *who->email ? who->email : "rig@localhost";
    char *env_s[4];
    const char *env[5];
    struct git_call c = {dir, quiet, NULL, NULL, 0, 0};
    struct git_out o;
    int rc = -1;

    *committed = false;
    if (!message || !message[strspn(message, " \t\r\n")])
        return rig_err_set(err, RIG_EINVAL, "commit message is empty");
    if (git_exec(g, &c, &o, err) < 0)
        return -1;
    if (o.exit_code == 0) {
        git_out_release(&o);
        return 0; /* nothing staged: the caller reports "no changes" */
    }
    if (o.exit_code != 1) {
        fail_from(&o, err);
        git_out_release(&o);
        return -1;
    }
    git_out_release(&o);

    env_s[0] = xasprintf("GIT_AUTHOR_NAME=%s", name);
    env_s[1] = xasprintf("GIT_AUTHOR_EMAIL=%s", email);
    env_s[2] = xasprintf("GIT_COMMITTER_NAME=%s", name);
    env_s[3] = xasprintf("GIT_COMMITTER_EMAIL=%s", email);
    for (int i = 0; i < 4; i++)
        env[i] = env_s[i];
    env[4] = NULL;
    if (rig_git_run_input(g, dir, argv, env, message, strlen(message), NULL, err) < 0)
        goto out;
    *committed = true;
    if (sha && rig_git_head(g, dir, sha, err) < 0)
        goto out;
    rc = 0;
out:
    for (int i = 0; i < 4; i++)
        free(env_s[i]);
    return rc;
}

/* Push branch to remote, or delete it there, after checking both. An explicit
 * refs/heads/ refspec never starts with '+', so a push never forces. */
static int push_branch(const struct rig_git *g, const char *dir, const char *remote,
                       const char *branch, bool delete, struct rig_err *err)
{
    char *spec = NULL;
    int rc;

    if (check_arg("remote", remote, err) < 0 || rig_git_check_source(remote, err) < 0 ||
        rig_git_check_branch(g, branch, err) < 0)
        return -1;
    spec = delete ? xasprintf(":refs/heads/%s", branch)
                  : xasprintf("refs/heads/%s:refs/heads/%s", branch, branch);
    const char *argv[] = {"push", "-q", "--no-verify", remote, spec, NULL};
    rc = run_simple(g, dir, argv, err);
    free(spec);
    return rc;
}

int rig_git_push(const struct rig_git *g, const char *dir, const char *remote,
                 const char *branch, struct rig_err *err)
{
    return push_branch(g, dir, remote, branch, false, err);
}

int rig_git_push_delete(const struct rig_git *g, const char *dir, const char *remote,
                        const char *branch, struct rig_err *err)
{
    return push_branch(g, dir, remote, branch, true, err);
}

/* Split NUL-separated output into a NULL-terminated vector. */
static char **split_z(const char *s, size_t len, size_t *n)
{
    size_t cnt = 0, k = 0;
    char **v;

    for (size_t i = 0; i < len; i++)
        if (s[i] == '\0')
            cnt++;
    v = xcalloc(cnt + 2, sizeof(*v));
    for (size_t i = 0; i < len;) {
        size_t l = strnlen(s + i, len - i);
        if (l)
            v[k++] = xstrndup(s + i, l);
        i += l + 1;
    }
    if (n)
        *n = k;
    return v;
}

static int run_z_list(const struct rig_git *g, const char *dir, const char *const *argv,
                      char ***files, size_t *n, struct rig_err *err)
{
    struct git_call c = {dir, argv, NULL, NULL, 0, 64u * 1024 * 1024};
    struct git_out o;

    *files = NULL;
    if (n)
        *n = 0;
    if (git_exec(g, &c, &o, err) < 0)
        return -1;
    if (o.exit_code != 0) {
        fail_from(&o, err);
        git_out_release(&o);
        return -1;
    }
    if (o.out_truncated) {
        rig_err_set(err, RIG_ETOOBIG, "%s: output larger than %zu bytes", o.desc, c.capture_max);
        git_out_release(&o);
        return -1;
    }
    *files = split_z(o.out, o.out_len, n);
    git_out_release(&o);
    return 0;
}

int rig_git_ls_files(const struct rig_git *g, const char *dir, char ***files, size_t *n,
                     struct rig_err *err)
{
    const char *argv[] = {"ls-files", "-z", NULL};

    return run_z_list(g, dir, argv, files, n, err);
}

int rig_git_diff_names(const struct rig_git *g, const char *dir, const char *base,
                       char ***files, size_t *n, struct rig_err *err)
{
    char *range = NULL;
    int rc;

    if (check_arg("base revision", base, err) < 0)
        return -1;
    range = xasprintf("%s...HEAD", base);
    const char *argv[] = {"diff", "--name-only", "-z", "--no-renames", range, "--", NULL};
    rc = run_z_list(g, dir, argv, files, n, err);
    free(range);
    return rc;
}

int rig_git_diff_text(const struct rig_git *g, const char *dir, const char *base, size_t max,
                      char **out, bool *truncated, struct rig_err *err)
{
    char *path = NULL, *outopt = NULL, *range = NULL;
    struct rig_buf b = RIG_BUF_INIT;
    char chunk[16384];
    int fd = -1, rc = -1;
    ssize_t r;

    *out = NULL;
    if (truncated)
        *truncated = false;
    if (check_arg("base revision", base, err) < 0)
        return -1;
    if (!max)
        max = GIT_DIFF_DEFAULT_MAX;
    /* Through a file rather than a pipe: the head of a long diff is what a
     * reader wants, and the capture keeps tails. */
    if (rig_tmp_file("rig-diff", &path, &fd, err) < 0)
        goto out;
    outopt = xasprintf("--output=%s", path);
    range = xasprintf("%s...HEAD", base);
    const char *argv[] = {"diff", "--no-color", "--no-ext-diff", "--no-textconv", outopt,
                          range, "--", NULL};
    if (run_simple(g, dir, argv, err) < 0)
        goto out;
    while ((r = read(fd, chunk, sizeof(chunk))) > 0) {
        size_t take = (size_t)r;
        if (b.len + take > max) {
            take = max - b.len;
            if (truncated)
                *truncated = true;
        }
        rig_buf_add(&b, chunk, take);
        if (b.len >= max)
            break;
    }
    if (r < 0) {
        rig_err_errno(err, errno, "read %s", path);
        goto out;
    }
    *out = rig_buf_take(&b);
    rc = 0;
out:
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
    rig_buf_release(&b);
    free(path);
    free(outopt);
    free(range);
    return rc;
}

/* Lines of an untracked file; binary files (a NUL in the first 8 KiB) and
 * symlinks count 0 lines. */
static int count_file_lines(const char *dir, const char *rel, size_t *lines,
                            struct rig_err *err)
{
    char *path = xasprintf("%s/%s", dir, rel);
    char buf[16384];
    size_t n = 0, total = 0;
    char last = '\n';
    ssize_t r;
    int fd, rc = -1;

    *lines = 0;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP) {
            rc = 0;
            goto out;
        }
        rig_err_errno(err, errno, "open %s", path);
        goto out;
    }
    while ((r = read(fd, buf, sizeof(buf))) > 0) {
        if (total < 8192 && memchr(buf, '\0', (size_t)r)) {
            n = 0;
            last = '\n';
            break;
        }
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] == '\n')
                n++;
        last = buf[r - 1];
        total += (size_t)r;
    }
    if (r < 0) {
        rig_err_errno(err, errno, "read %s", path);
        goto out;
    }
    *lines = n + (last != '\n' ? 1 : 0);
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    free(path);
    return rc;
}

/* "added\tremoved\tpath" per entry; "-\t-\t" for binary files. */
static void add_numstat(const char *e, struct rig_git_diffstat *st)
{
    long long a = 0, r = 0;
    char *copy = xstrdup(e);
    char *t1 = strchr(copy, '\t');
    char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;

    if (t1 && t2) {
        *t1 = *t2 = '\0';
        if (rig_str_to_ll(copy, 0, LLONG_MAX, &a) == 0 &&
            rig_str_to_ll(t1 + 1, 0, LLONG_MAX, &r) == 0) {
            st->added += (size_t)a;
            st->removed += (size_t)r;
        }
        st->files++;
    }
    free(copy);
}

int rig_git_diffstat(const struct rig_git *g, const char *dir, struct rig_git_diffstat *st,
                     struct rig_err *err)
{
    const char *numstat[] = {"diff", "--numstat", "-z", "--no-renames", "HEAD", "--", NULL};
    const char *others[] = {"ls-files", "-z", "--others", "--exclude-standard", NULL};
    char **v = NULL;
    size_t n = 0;
    int rc = -1;

    memset(st, 0, sizeof(*st));
    if (run_z_list(g, dir, numstat, &v, &n, err) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        add_numstat(v[i], st);
    rig_strv_free(v);
    v = NULL;
    if (run_z_list(g, dir, others, &v, &n, err) < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        size_t lines;
        if (count_file_lines(dir, v[i], &lines, err) < 0)
            goto out;
        st->files++;
        st->added += lines;
    }
    rc = 0;
out:
    rig_strv_free(v);
    return rc;
}

void rig_git_status_release(struct rig_git_status *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->len; i++) {
        free(st->items[i].path);
        free(st->items[i].orig_path);
    }
    free(st->items);
    st->items = NULL;
    st->len = 0;
}

int rig_git_status_changed(const struct rig_git *g, const char *dir, struct rig_git_status *st,
                           struct rig_err *err)
{
    const char *argv[] = {"status", "--porcelain=v1", "-z", "--untracked-files=all",
                          "--ignore-submodules=none", NULL};
    char **v = NULL;
    size_t n = 0;

    memset(st, 0, sizeof(*st));
    if (run_z_list(g, dir, argv, &v, &n, err) < 0)
        return -1;
    st->items = xcalloc(n ? n : 1, sizeof(*st->items));
    for (size_t i = 0; i < n; i++) {
        struct rig_git_status_entry *e = &st->items[st->len];
        const char *s = v[i];
        if (strlen(s) < 4 || s[2] != ' ') {
            rig_git_status_release(st);
            rig_strv_free(v);
            return rig_err_set(err, RIG_EGENERIC, "git status: unexpected entry \"%.80s\"", s);
        }
        e->index = s[0];
        e->worktree = s[1];
        e->path = xstrdup(s + 3);
        e->deleted = e->index == 'D' || e->worktree == 'D';
        /* A rename/copy is followed by its source path as a separate entry. */
        if ((e->index == 'R' || e->index == 'C') && i + 1 < n)
            e->orig_path = xstrdup(v[++i]);
        st->len++;
    }
    rig_strv_free(v);
    return 0;
}
