/*
 * rig doctor: one line per check, each failure with what to do about it.
 * A check is only a failure (✘) when the configuration needs the thing it
 * checks; tools and credentials it does not need are warnings (!) at most, so
 * a fresh machine with the starting config passes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/rig/cli.h"
#include "config/config.h"
#include "core/http.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/proc.h"
#include "core/str.h"
#include "core/banned.h"

static const char usage[] =
    "usage: rig doctor [-c FILE]\n"
    "\n"
    "Check that this machine can run the configuration: git, ssh and docker,\n"
    "the configuration itself, the environment variables it uses, the\n"
    "endpoints it names (3 s each), the repository and the data directory.\n"
    "Prints one line per check (✔ ok, ! warning, ✘ failure, with a fix) and exits\n"
    "1 when any check failed.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE   configuration to check (default: rig.yaml)\n"
    "  -h, --help          show this help\n";

struct doctor {
    int ok, warn, fail;
};

enum mark { OK, WARN, FAIL };

static void report(struct doctor *d, enum mark m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(struct doctor *d, enum mark m, const char *fmt, ...)
{
    static const char *const sym[] = {"✔", "!", "✘"};
    va_list ap;

    if (m == OK)
        d->ok++;
    else if (m == WARN)
        d->warn++;
    else
        d->fail++;
    printf("%s ", sym[m]);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* Run argv; first line of its output (stdout, else stderr) into *line. */
static bool run_tool(const char *const *argv, const char *cwd, char **line)
{
    struct rig_proc_opts o = {.argv = argv, .cwd = cwd, .timeout_ms = 10000,
                              .capture_max = 8192};
    struct rig_proc_result r = {0};
    bool ok = false;

    *line = NULL;
    if (rig_proc_run(&o, &r, NULL) == 0) {
        const char *text = r.out_len ? r.out : r.err;
        size_t n = strcspn(text, "\n");

        ok = rig_proc_ok(&r);
        *line = xstrndup(text, n);
    }
    rig_proc_result_release(&r);
    return ok;
}

static bool uses_method(const struct rig_config *cfg, enum rig_deploy_method m)
{
    const struct rig_rollback_config *rb = &cfg->deploy.rollback;

    if (cfg->deploy.method == m || (rb->enabled && rb->method == m))
        return true;
    for (size_t i = 0; i < cfg->nprojects; i++)
        if (cfg->projects[i].has_deploy && cfg->projects[i].deploy.method == m)
            return true;
    return false;
}

static bool cmds_use_ssh(const struct rig_deploy_method_config *c)
{
    for (size_t i = 0; i < c->ncommands; i++)
        if (c->commands[i].transport.type == RIG_TRANSPORT_SSH)
            return true;
    return false;
}

/* ssh://host/path or scp-like user@host:path: git then runs ssh. */
static bool ssh_url(const char *r)
{
    const char *colon = strchr(r, ':'), *slash = strchr(r, '/'), *at = strchr(r, '@');

    if (rig_str_startswith(r, "ssh://") || rig_str_startswith(r, "git+ssh://"))
        return true;
    return !strstr(r, "://") && colon && at && at < colon && (!slash || colon < slash);
}

static bool uses_ssh(const struct rig_config *cfg)
{
    if (cfg->source.platform == RIG_PLATFORM_LOCAL && cfg->source.repo &&
        ssh_url(cfg->source.repo))
        return true;
    if (cmds_use_ssh(&cfg->deploy.config) || cmds_use_ssh(&cfg->deploy.rollback.config))
        return true;
    for (size_t i = 0; i < cfg->nprojects; i++) {
        const struct rig_project_entry *p = &cfg->projects[i];

        if (p->source.platform == RIG_PLATFORM_LOCAL && p->source.repo && ssh_url(p->source.repo))
            return true;
        if (p->has_deploy && (cmds_use_ssh(&p->deploy.config) ||
                              cmds_use_ssh(&p->deploy.rollback.config)))
            return true;
    }
    return false;
}

static void check_tools(struct doctor *d, const struct rig_config *cfg, bool valid)
{
    static const char *const git[] = {"git", "--version", NULL};
    static const char *const ssh[] = {"ssh", "-V", NULL};
    static const char *const docker[] = {"docker", "compose", "version", NULL};
    char *line = NULL;
    bool need;

    if (run_tool(git, NULL, &line))
        report(d, OK, "git: %s", line);
    else
        report(d, FAIL, "git: not found on PATH — install git (e.g. apt-get install git)");
    free(line);
    need = valid && uses_ssh(cfg);
    if (run_tool(ssh, NULL, &line))
        report(d, OK, "ssh: %s", line);
    else if (need)
        report(d, FAIL, "ssh: not found on PATH — the configuration uses SSH; install an SSH "
               "client (e.g. apt-get install openssh-client)");
    else
        report(d, WARN, "ssh: not found on PATH (not needed by this configuration)");
    free(line);
    need = valid && uses_method(cfg, RIG_DEPLOY_DOCKER_COMPOSE);
    if (run_tool(docker, NULL, &line))
        report(d, OK, "docker: %s", line);
    else if (need)
        report(d, FAIL, "docker: 'docker compose' is not available — deploy.method is "
               "docker-compose; install Docker with the compose plugin");
    else
        report(d, WARN, "docker: 'docker compose' is not available (not needed by this "
               "configuration)");
    free(line);
}

static void check_env(struct doctor *d, const struct rig_config *cfg)
{
    if (cfg->nenv_refs == 0) {
        report(d, OK, "environment: the configuration uses no environment variables");
        return;
    }
    for (size_t i = 0; i < cfg->nenv_refs; i++) {
        const struct rig_env_ref *r = &cfg->env_refs[i];

        if (r->set)
            report(d, OK, "environment: %s is set", r->name);
        else if (r->has_default)
            report(d, WARN, "environment: %s is not set, the default in %s:%d is used",
                   r->name, cfg->path, r->line);
        else
            report(d, FAIL, "environment: %s is not set (used at %s:%d:%d) — export %s=...",
                   r->name, cfg->path, r->line, r->col, r->name);
    }
}

static void check_url(struct doctor *d, const char *what, const char *url)
{
    struct rig_http_req req = {.method = "HEAD", .url = url, .timeout_ms = 3000,
                               .connect_timeout_ms = 3000};
    struct rig_http_resp resp = {0};
    struct rig_err err = RIG_ERR_INIT;

    if (rig_http_do(&req, &resp, &err) == 0)
        report(d, OK, "%s: %s is reachable (HTTP %ld)", what, url, resp.status);
    else
        report(d, FAIL, "%s: %s — check the URL, the network and any proxy settings", what,
               err.msg);
    rig_http_resp_release(&resp);
}

static void check_endpoints(struct doctor *d, const struct rig_config *cfg)
{
    const struct rig_ai_config *ai = &cfg->ai;

    if (ai->endpoint)
        check_url(d, "ai.endpoint", ai->endpoint);
    else if (ai->provider == RIG_AI_KIND_OLLAMA || ai->provider == RIG_AI_KIND_OLLAMA_OPENAI)
        check_url(d, "ollama", getenv("OLLAMA_API_ENDPOINT") ? getenv("OLLAMA_API_ENDPOINT")
                                                             : "http://localhost:11434");
    if (cfg->source.platform == RIG_PLATFORM_GITHUB)
        check_url(d, "source.api_url", cfg->source.api_url);
    for (size_t i = 0; i < cfg->nprojects; i++) {
        const struct rig_source_config *s = &cfg->projects[i].source;

        if (s->platform == RIG_PLATFORM_GITHUB &&
            !(cfg->source.api_url && strcmp(s->api_url, cfg->source.api_url) == 0))
            check_url(d, "projects.api_url", s->api_url);
    }
}

static void check_ai(struct doctor *d, const struct rig_config *cfg)
{
    const struct rig_ai_config *ai = &cfg->ai;
    const char *var = ai->provider == RIG_AI_KIND_ANTHROPIC ? "ANTHROPIC_API_KEY"
                      : ai->provider == RIG_AI_KIND_OPENAI  ? "OPENAI_API_KEY"
                                                            : NULL;
    static const char *const claude_v[] = {"claude", "--version", NULL};
    char *line = NULL;

    if (var && (!ai->api_key || !*ai->api_key) && !(getenv(var) && *getenv(var))) {
        report(d, WARN, "ai: no API key for %s — export %s=... (or set ai.api_key) before "
               "running tasks", ai->provider_name, var);
    } else if (ai->provider == RIG_AI_KIND_CLAUDE_CODE) {
        const char *argv[] = {ai->claude_bin ? ai->claude_bin : "claude", "--version", NULL};

        if (run_tool(ai->claude_bin ? argv : claude_v, NULL, &line))
            report(d, OK, "ai: claude-code %s", line);
        else
            report(d, FAIL, "ai: '%s' cannot be run — install Claude Code or set ai.claude_bin",
                   argv[0]);
        free(line);
    } else {
        report(d, OK, "ai: %s%s%s", ai->provider_name, ai->model ? " " : "",
               ai->model ? ai->model : "");
    }
}

static void check_repo(struct doctor *d, const struct rig_source_config *s)
{
    const char *inside[] = {"git", "rev-parse", "--is-inside-work-tree", NULL};
    char *ref = xasprintf("refs/heads/%s", s->base_branch ? s->base_branch : "main");
    const char *branch[] = {"git", "rev-parse", "--verify", "--quiet", ref, NULL};
    char *line = NULL;
    struct stat st;

    if (!s->local_path)
        goto out;
    if (stat(s->local_path, &st) < 0 || !S_ISDIR(st.st_mode)) {
        report(d, FAIL, "source: %s does not exist — set source.repo to the repository's path",
               s->local_path);
    } else if (!run_tool(inside, s->local_path, &line)) {
        report(d, FAIL, "source: %s is not a git repository — run 'git init' there or fix "
               "source.repo", s->local_path);
    } else {
        free(line);
        line = NULL;
        if (run_tool(branch, s->local_path, &line))
            report(d, OK, "source: %s (branch %s)", s->local_path, s->base_branch);
        else
            report(d, FAIL, "source: branch '%s' does not exist in %s — commit to it or set "
                   "source.base_branch", s->base_branch, s->local_path);
    }
    free(line);
out:
    free(ref);
}

static void check_data_dir(struct doctor *d, const char *dir)
{
    struct rig_err err = RIG_ERR_INIT;
    char *probe = xasprintf("%s/.rig-doctor-%ld", dir, (long)getpid());

    if (rig_mkdirs(dir, 0700, &err) < 0 || rig_write_file(probe, "ok\n", 3, 0600, &err) < 0)
        report(d, FAIL, "data dir: %s — set RIG_HOME (or server.data_dir) to a writable "
               "directory", err.msg);
    else
        report(d, OK, "data dir: %s is writable", dir);
    unlink(probe);
    free(probe);
}

static int run_checks(const char *path)
{
    struct doctor d = {0, 0, 0};
    struct rig_config cfg;
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    struct rig_err err = RIG_ERR_INIT;
    bool valid = rig_config_load(path, &cfg, &errs) == 0;
    char *dir = NULL;

    check_tools(&d, &cfg, valid);
    if (valid) {
        report(&d, OK, "config: %s is valid", path);
    } else {
        report(&d, FAIL, "config: %s has %zu problem%s — fix %s:", path, errs.len,
               errs.len == 1 ? "" : "s", errs.len == 1 ? "it" : "them");
        cli_print_config_errors(stdout, "    ", &errs);
    }
    check_env(&d, &cfg);
    if (valid) {
        check_ai(&d, &cfg);
        check_repo(&d, &cfg.source);
        check_endpoints(&d, &cfg);
        dir = xstrdup(cfg.server.data_dir);
    } else if (rig_config_data_dir(&dir, &err) < 0) {
        report(&d, FAIL, "data dir: %s", err.msg);
    }
    if (dir)
        check_data_dir(&d, dir);
    printf("\n%d ok, %d warning%s, %d failed\n", d.ok, d.warn, d.warn == 1 ? "" : "s", d.fail);
    free(dir);
    rig_config_release(&cfg);
    rig_errlist_release(&errs);
    return d.fail ? 1 : 0;
}

int cmd_doctor(struct rig_cli *cli, int argc, char **argv)
{
    int rc = cli_config_flag(cli, argc, argv, "doctor", usage);

    if (rc >= 0)
        return rc;
    if (rig_http_global_init() < 0) {
        fprintf(stderr, "rig doctor: cannot initialise the HTTP client\n");
        return 1;
    }
    rc = run_checks(cli->config_path);
    rig_http_global_cleanup();
    return rc;
}
