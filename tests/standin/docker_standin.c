/*
 * docker_standin: plays `docker compose` for tests (there is no Docker engine
 * on the build machines). Tests put a symlink named `docker` to this program
 * first on PATH.
 *
 * Every invocation first appends one JSON line to $DOCKER_STANDIN_LOG:
 *   {"argv": [...], "cwd": "<physical cwd>", "pid": N,
 *    "env": {every RIG_* and COMPOSE_* variable}}
 * then behaves per $DOCKER_STANDIN_MODE (default "ok"):
 *   ok          every command succeeds; `up` prints compose-like progress
 *   fail-up     `up` prints some progress, then a daemon error; exit 1
 *   no-compose  any `docker compose ...` fails like docker without the plugin
 *   slow        `up` prints one line, then sleeps 30 s (timeout/cancel tests)
 *   bad-config  `config --quiet` prints a yaml error; exit 1
 *
 * Understood: docker compose [-f F] [--env-file E] [-p P]
 *   version | config --quiet | config --format json | up [flags] [SERVICE...]
 * Anything else exits 125 with a message, so a wrong argv fails the test.
 * `config --format json` prints {"name": P, "services": {}} with P resolved
 * the way compose does: -p, $COMPOSE_PROJECT_NAME, a top-level `name:` in the
 * first -f file, else the directory of that file (or the cwd), normalised.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/mem.h"
#include "core/str.h"

#include "core/banned.h"

extern char **environ;

struct call {
    const char *file;
    const char *env_file;
    const char *project;
    const char *sub;
    char **rest; /* after the subcommand */
    int nrest;
};

static void log_call(int argc, char **argv)
{
    const char *path = getenv("DOCKER_STANDIN_LOG");
    json_t *o, *a, *env;
    char cwd[PATH_MAX];
    char *line;
    int fd;

    if (!path || !*path)
        return;
    o = json_object();
    a = json_array();
    env = json_object();
    for (int i = 0; i < argc; i++)
        json_array_append_new(a, json_string(argv[i]));
    json_object_set_new(o, "argv", a);
    json_object_set_new(o, "cwd", json_string(getcwd(cwd, sizeof(cwd)) ? cwd : ""));
    json_object_set_new(o, "pid", json_integer(getpid()));
    for (char **e = environ; *e; e++) {
        const char *eq = strchr(*e, '=');
        char *name;

        if (!eq || (!rig_str_startswith(*e, "RIG_") && !rig_str_startswith(*e, "COMPOSE_")))
            continue;
        name = xstrndup(*e, (size_t)(eq - *e));
        json_object_set_new(env, name, json_string(eq + 1));
        free(name);
    }
    json_object_set_new(o, "env", env);
    line = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        char *l2 = xasprintf("%s\n", line);

        /* one write per line: O_APPEND keeps concurrent callers' lines whole */
        if (write(fd, l2, strlen(l2)) < 0)
            perror("docker_standin: log");
        free(l2);
        close(fd);
    }
    free(line);
}

static int usage(const char *what)
{
    fprintf(stderr, "docker_standin: unexpected arguments (%s)\n", what);
    return 125;
}

static int parse(int argc, char **argv, struct call *c)
{
    int i = 2;

    memset(c, 0, sizeof(*c));
    if (argc < 3 || strcmp(argv[1], "compose") != 0)
        return -1;
    for (; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 >= argc)
            return -1;
        if (!strcmp(argv[i], "-f") && !c->file)
            c->file = argv[i + 1];
        else if (!strcmp(argv[i], "--env-file"))
            c->env_file = argv[i + 1];
        else if (!strcmp(argv[i], "-p"))
            c->project = argv[i + 1];
        else
            return -1;
    }
    if (i >= argc)
        return -1;
    c->sub = argv[i];
    c->rest = argv + i + 1;
    c->nrest = argc - i - 1;
    return 0;
}

/* compose's NormalizeProjectName: lowercase, keep [a-z0-9_-], drop leading
 * characters that are not a letter or digit. */
static char *normalize(const char *s)
{
    char *out = xcalloc(strlen(s) + 1, 1);
    size_t n = 0;

    for (; *s; s++) {
        int ch = tolower((unsigned char)*s);

        if (!isalnum(ch) && ch != '_' && ch != '-')
            continue;
        if (n == 0 && !isalnum(ch))
            continue;
        out[n++] = (char)ch;
    }
    return out;
}

/* A top-level `name: x` line of the compose file, or NULL. */
static char *name_from_file(const char *file)
{
    FILE *f = fopen(file, "r");
    char line[512];
    char *name = NULL;

    if (!f)
        return NULL;
    while (!name && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "name:", 5) == 0) {
            char *v = rig_str_trim(line + 5);
            size_t l = strlen(v);

            if (l >= 2 && (v[0] == '"' || v[0] == '\'') && v[l - 1] == v[0]) {
                v[l - 1] = '\0';
                v++;
            }
            name = xstrdup(v);
        }
    }
    fclose(f);
    return name;
}

static char *project_name(const struct call *c)
{
    const char *env = getenv("COMPOSE_PROJECT_NAME");
    char dir[PATH_MAX];
    char *n, *slash;

    if (c->project)
        return xstrdup(c->project);
    if (env && *env)
        return normalize(env);
    if (c->file && (n = name_from_file(c->file)))
        return n;
    if (c->file) {
        rig_strlcpy(dir, c->file, sizeof(dir));
        slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else if (!getcwd(dir, sizeof(dir)))
            return xstrdup("default");
    } else if (!getcwd(dir, sizeof(dir))) {
        return xstrdup("default");
    }
    slash = strrchr(dir, '/');
    return normalize(slash ? slash + 1 : dir);
}

static int do_config(const struct call *c, const char *mode)
{
    if (c->nrest == 1 && !strcmp(c->rest[0], "--quiet")) {
        if (!strcmp(mode, "bad-config")) {
            fprintf(stderr, "yaml: line 4: mapping values are not allowed in this context\n");
            return 1;
        }
        return 0;
    }
    if (c->nrest == 2 && !strcmp(c->rest[0], "--format") && !strcmp(c->rest[1], "json")) {
        char *name = project_name(c);
        json_t *o = json_pack("{s:s, s:{}}", "name", name, "services");
        char *s = json_dumps(o, JSON_INDENT(2));

        printf("%s\n", s);
        free(s);
        json_decref(o);
        free(name);
        return 0;
    }
    return usage("config");
}

static void progress(const char *proj, const char *svc, const char *state)
{
    fprintf(stderr, " Container %s-%s-1  %s\n", proj, svc, state);
}

static int do_up(const struct call *c, const char *mode)
{
    static const char *const one[] = {"web"};
    const char *const *svcs = one;
    int nsvc = 1, i = 0;
    char *proj = project_name(c);
    int rc = 0;

    for (; i < c->nrest && c->rest[i][0] == '-'; i++) {
        const char *f = c->rest[i];

        if (!strcmp(f, "--pull")) {
            if (++i >= c->nrest)
                goto bad;
        } else if (strcmp(f, "-d") && strcmp(f, "--wait") && strcmp(f, "--build") &&
                   strcmp(f, "--remove-orphans")) {
            goto bad;
        }
    }
    if (i < c->nrest) {
        svcs = (const char *const *)c->rest + i;
        nsvc = c->nrest - i;
    }
    fprintf(stderr, " Network %s_default  Created\n", proj);
    if (!strcmp(mode, "slow")) {
        progress(proj, svcs[0], "Starting");
        sleep(30);
        goto out;
    }
    for (int k = 0; k < nsvc; k++) {
        progress(proj, svcs[k], "Recreate");
        progress(proj, svcs[k], "Recreated");
        progress(proj, svcs[k], "Starting");
        if (!strcmp(mode, "fail-up")) {
            fprintf(stderr,
                    "Error response from daemon: driver failed programming external "
                    "connectivity on endpoint %s-%s-1: Bind for 0.0.0.0:8080 failed: port is "
                    "already allocated\n",
                    proj, svcs[k]);
            rc = 1;
            goto out;
        }
        progress(proj, svcs[k], "Started");
    }
    for (int k = 0; k < nsvc; k++) {
        progress(proj, svcs[k], "Waiting");
        progress(proj, svcs[k], "Healthy");
    }
    goto out;
bad:
    rc = usage("up");
out:
    free(proj);
    return rc;
}

int main(int argc, char **argv)
{
    const char *mode = getenv("DOCKER_STANDIN_MODE");
    struct call c;

    log_call(argc, argv);
    if (!mode || !*mode)
        mode = "ok";
    if (argc >= 2 && !strcmp(argv[1], "compose") && !strcmp(mode, "no-compose")) {
        fprintf(stderr, "docker: 'compose' is not a docker command.\nSee 'docker --help'\n");
        return 1;
    }
    if (parse(argc, argv, &c) < 0)
        return usage("expected docker compose [-f F] [--env-file E] [-p P] <command>");
    if (c.file && access(c.file, R_OK) < 0) {
        fprintf(stderr, "open %s: no such file or directory\n", c.file);
        return 1;
    }
    if (!strcmp(c.sub, "version") && c.nrest == 0 && !c.file && !c.project) {
        printf("Docker Compose version v2.24.6\n");
        return 0;
    }
    if (!strcmp(c.sub, "config"))
        return do_config(&c, mode);
    if (!strcmp(c.sub, "up"))
        return do_up(&c, mode);
    return usage(c.sub);
}
