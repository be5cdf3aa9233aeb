/*
 * Rules that involve more than one key (the per-key rules are the schema
 * table's): repository formats, provider-specific AI keys, deploy methods and
 * SSH transports. Workflow, notify, policies, server and git are in
 * check_wf.c.
 */
#include "config/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/check_int.h"
#include "config/config_int.h"
#include "config/schema.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "core/banned.h"

/* ---- helpers ----------------------------------------------------------------- */

char *ck_ptr(const char *base, const char *fmt, ...)
{
    char tail[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(tail, sizeof(tail), fmt, ap);
    va_end(ap);
    return xasprintf("%s%s", base, tail);
}

bool ck_given(json_t *root, const char *ptr)
{
    json_t *v = rig_json_pointer(root, ptr);

    return v && !json_is_null(v);
}

bool ck_given_at(json_t *root, const char *base, const char *key)
{
    char *p = xasprintf("%s/%s", base, key);
    bool r = ck_given(root, p);

    free(p);
    return r;
}

bool ck_ok(struct cfg_walk *w, json_t *root, const char *ptr)
{
    return ck_given(root, ptr) && !cfg_bad(w, ptr);
}

bool ck_ok_at(struct cfg_walk *w, json_t *root, const char *base, const char *key)
{
    char *p = xasprintf("%s/%s", base, key);
    bool r = ck_ok(w, root, p);

    free(p);
    return r;
}

/* Report "<base>.<key> applies only to <what>" for each listed key that is given. */
void ck_only_for(struct cfg_walk *w, json_t *root, const char *base, const char *const *keys,
                 const char *what)
{
    for (; *keys; keys++) {
        char *p = xasprintf("%s/%s", base, *keys);

        if (ck_given(root, p))
            cfg_err(w, p, CFG_AT_KEY, "applies only to %s", what);
        free(p);
    }
}

bool ck_http_url(const char *u)
{
    const char *host;

    if (rig_str_startswith(u, "https://"))
        host = u + 8;
    else if (rig_str_startswith(u, "http://"))
        host = u + 7;
    else
        return false;
    if (!*host || strchr("/?#:", *host))
        return false;
    for (const char *c = u; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7f)
            return false;
    return true;
}

void ck_url(struct cfg_walk *w, const char *ptr, const char *url)
{
    if (url && !ck_http_url(url))
        cfg_err(w, ptr, CFG_AT_VALUE, "'%s' is not an http:// or https:// URL", url);
}

/* ---- source ------------------------------------------------------------------- */

static bool gh_owner_ok(const char *s, size_t n)
{
    if (n == 0 || n > 39 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static bool gh_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > 100 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
            return false;
    return true;
}

/* "https://github.com/o/r.git" -> "o/r", for the hint; NULL when not such a URL. */
static char *gh_url_hint(const char *repo)
{
    const char *p = strstr(repo, "github.com");
    char *s;
    size_t n;

    if (!p || (p[10] != '/' && p[10] != ':'))
        return NULL;
    s = xstrdup(p + 11);
    n = strlen(s);
    while (n && s[n - 1] == '/')
        s[--n] = '\0';
    if (rig_str_endswith(s, ".git"))
        s[n - 4] = '\0';
    return s;
}

static void check_github_repo(struct cfg_walk *w, const char *ptr, struct rig_source_config *s)
{
    const char *slash = strchr(s->repo, '/');
    char *hint;

    if (slash && !strchr(slash + 1, '/') && gh_owner_ok(s->repo, (size_t)(slash - s->repo)) &&
        gh_name_ok(slash + 1, strlen(slash + 1))) {
        s->owner = xstrndup(s->repo, (size_t)(slash - s->repo));
        s->name = xstrdup(slash + 1);
        return;
    }
    hint = gh_url_hint(s->repo);
    if (hint)
        cfg_err(w, ptr, CFG_AT_VALUE, "expected owner/name for platform github, got a URL "
                "(write repo: %s)", hint);
    else
        cfg_err(w, ptr, CFG_AT_VALUE, "expected owner/name for platform github (e.g. "
                "octocat/hello-world), got '%s'", s->repo);
    free(hint);
}

static bool is_git_url(const char *r)
{
    const char *colon = strchr(r, ':');
    const char *slash = strchr(r, '/');

    if (strstr(r, "://"))
        return true;
    /* scp-like user@host:path */
    return colon && strchr(r, '@') && strchr(r, '@') < colon && (!slash || colon < slash);
}

/* Last path component without a trailing ".git". */
static char *repo_basename(const char *r)
{
    char *s = xstrdup(r);
    size_t n = strlen(s);
    char *b;

    while (n > 1 && s[n - 1] == '/')
        s[--n] = '\0';
    b = strrchr(s, '/');
    if (!b)
        b = strrchr(s, ':');
    b = b ? b + 1 : s;
    memmove(s, b, strlen(b) + 1);
    if (rig_str_endswith(s, ".git") && strlen(s) > 4)
        s[strlen(s) - 4] = '\0';
    return s;
}

/* Lexically clean an absolute path: "/a/./b/../c/" -> "/a/c". In place. */
static void clean_abs(char *p)
{
    char **parts = rig_str_split(p + 1, '/');
    size_t n = 0, len = 0;

    for (size_t i = 0; parts && parts[i]; i++) {
        if (!*parts[i] || strcmp(parts[i], ".") == 0) {
            free(parts[i]);
        } else if (strcmp(parts[i], "..") == 0) {
            free(parts[i]);
            if (n)
                free(parts[--n]);
        } else {
            parts[n++] = parts[i];
        }
    }
    p[len++] = '/';
    for (size_t i = 0; i < n; i++) {
        size_t m = strlen(parts[i]);

        if (i)
            p[len++] = '/';
        memcpy(p + len, parts[i], m);
        len += m;
        free(parts[i]);
    }
    p[len] = '\0';
    free(parts);
}

static void check_local_repo(struct cfg_walk *w, struct rig_source_config *s)
{
    char *expanded, *abs;

    s->name = repo_basename(s->repo);
    if (is_git_url(s->repo))
        return;
    expanded = rig_path_expand_home(s->repo);
    if (expanded[0] == '/')
        s->local_path = expanded;
    else {
        s->local_path = xasprintf("%s/%s", w->cfg->dir, expanded);
        free(expanded);
    }
    /* Canonical when it exists, else at least lexically clean. */
    clean_abs(s->local_path);
    abs = realpath(s->local_path, NULL);
    if (abs) {
        free(s->local_path);
        s->local_path = abs;
    }
    if (strcmp(s->name, ".") == 0 || strcmp(s->name, "..") == 0 || !*s->name) {
        free(s->name);
        s->name = repo_basename(s->local_path);
    }
}

/* The token travels in an HTTP header, never in the URL: refuse user:pass@. */
static void check_git_url(struct cfg_walk *w, const char *ptr, const char *url)
{
    const char *host = strstr(url, "://");
    size_t hostlen;

    if (!ck_http_url(url)) {
        cfg_err(w, ptr, CFG_AT_VALUE, "'%s' is not an http:// or https:// URL", url);
        return;
    }
    host += 3;
    hostlen = strcspn(host, "/?#");
    if (memchr(host, '@', hostlen))
        cfg_err(w, ptr, CFG_AT_VALUE, "must not contain credentials (user@ or user:token@): "
                "Rig sends the token in an HTTP header; set source.token instead");
}

void ck_source(struct cfg_walk *w, json_t *root, const char *base, struct rig_source_config *s)
{
    char *repo_ptr = ck_ptr(base, "/repo");
    char *api_ptr = ck_ptr(base, "/api_url");
    char *git_ptr = ck_ptr(base, "/git_url");
    char *plat_ptr = ck_ptr(base, "/platform");

    if (cfg_bad(w, plat_ptr)) {
        /* unknown platform: nothing more can be said about the repository */
    } else if (s->platform == RIG_PLATFORM_GITHUB) {
        if (s->repo)
            check_github_repo(w, repo_ptr, s);
        if (s->api_url)
            ck_url(w, api_ptr, s->api_url);
        else
            s->api_url = xstrdup(RIG_GITHUB_API_URL);
        if (s->git_url)
            check_git_url(w, git_ptr, s->git_url);
    } else {
        if (ck_given(root, api_ptr))
            cfg_err(w, api_ptr, CFG_AT_KEY, "applies only to platform github");
        if (ck_given(root, git_ptr))
            cfg_err(w, git_ptr, CFG_AT_KEY, "applies only to platform github (a local source "
                    "clones repo)");
        if (s->repo)
            check_local_repo(w, s);
    }
    if (s->repo && !*s->repo)
        cfg_err(w, repo_ptr, CFG_AT_VALUE, "must not be empty");
    free(repo_ptr);
    free(api_ptr);
    free(git_ptr);
    free(plat_ptr);
}

/* ---- ai ---------------------------------------------------------------------- */

static void check_ai(struct cfg_walk *w, json_t *root)
{
    static const char *const claude_keys[] = {"claude_bin", "max_turns", "permission_mode", NULL};
    static const char *const command_keys[] = {"command", "command_edits", NULL};
    static const char *const api_keys[] = {"api_key", "endpoint", "model", NULL};
    static const char *const api_keys_cc[] = {"api_key", "endpoint", NULL};
    struct rig_ai_config *ai = &w->cfg->ai;
    const char *model_example = NULL;

    if (!ck_ok(w, root, "/ai/provider"))
        return;
    ai->provider_name = cfg_enum_name(cfg_provider_enum, (int)ai->provider);
    switch (ai->provider) {
    case RIG_AI_KIND_ANTHROPIC:
        model_example = "claude-sonnet-4-5";
        break;
    case RIG_AI_KIND_OPENAI:
        model_example = "gpt-4.1";
        break;
    case RIG_AI_KIND_OLLAMA:
    case RIG_AI_KIND_OLLAMA_OPENAI:
        model_example = "llama3.1";
        break;
    case RIG_AI_KIND_CLAUDE_CODE:
        ck_only_for(w, root, "/ai", api_keys_cc, "API providers (the claude CLI uses its own "
                    "login and endpoint)");
        break;
    case RIG_AI_KIND_COMMAND:
        ck_only_for(w, root, "/ai", api_keys, "API providers and claude-code");
        if (!ai->command)
            cfg_err(w, "/ai", CFG_AT_KEY, "missing required key 'command' for provider "
                    "command");
        break;
    }
    if (ai->provider != RIG_AI_KIND_CLAUDE_CODE)
        ck_only_for(w, root, "/ai", claude_keys, "provider claude-code");
    if (ai->provider != RIG_AI_KIND_COMMAND)
        ck_only_for(w, root, "/ai", command_keys, "provider command");
    if (model_example && !ai->model)
        cfg_err(w, "/ai", CFG_AT_KEY, "missing required key 'model' for provider %s (e.g. "
                "model: %s)", ai->provider_name, model_example);
    ck_url(w, "/ai/endpoint", ai->endpoint);
    if (ai->timeout_ms == 0)
        ai->timeout_ms = ai->provider == RIG_AI_KIND_CLAUDE_CODE ||
                                 ai->provider == RIG_AI_KIND_COMMAND
                             ? 30 * 60 * 1000
                             : 5 * 60 * 1000;
}

/* ---- deploy ------------------------------------------------------------------- */

static void check_ssh(struct cfg_walk *w, json_t *root, const char *cmd_ptr,
                      const struct rig_transport_config *t)
{
    char *tp = ck_ptr(cmd_ptr, "/transport");
    char *sp = ck_ptr(cmd_ptr, "/transport/ssh");
    char *typ = ck_ptr(cmd_ptr, "/transport/type");
    const struct rig_ssh_config *s = &t->ssh;
    const char *at = ck_given(root, sp) ? sp : tp;

    if (cfg_bad(w, typ))
        goto out;
    if (t->type != RIG_TRANSPORT_SSH) {
        if (ck_given(root, sp))
            cfg_err(w, sp, CFG_AT_KEY, "is set but transport.type is local (add type: ssh)");
        goto out;
    }
    if (!s->host)
        cfg_err(w, at, CFG_AT_KEY, "missing required key 'host' for transport type ssh");
    if (!s->user)
        cfg_err(w, at, CFG_AT_KEY, "missing required key 'user' for transport type ssh");
    if (!s->key && !s->password && !s->agent)
        cfg_err(w, at, CFG_AT_KEY, "no SSH authentication: set key, password or agent: true");
    if (s->known_hosts && s->insecure_ignore_host_key)
        cfg_err(w, at, CFG_AT_KEY, "known_hosts and insecure_ignore_host_key: true "
                "contradict each other; remove one");
out:
    free(tp);
    free(sp);
    free(typ);
}

static void check_commands(struct cfg_walk *w, json_t *root, const char *list_ptr,
                           const struct rig_command_config *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *p = ck_ptr(list_ptr, "/%zu", i);

        for (size_t j = 0; j < i && c[i].name; j++) {
            if (c[j].name && strcmp(c[i].name, c[j].name) == 0) {
                char *np = ck_ptr(p, "/name");

                cfg_err(w, np, CFG_AT_VALUE, "'%s' is already the name of command %zu; names "
                        "must be unique", c[i].name, j);
                free(np);
                break;
            }
        }
        check_ssh(w, root, p, &c[i].transport);
        free(p);
    }
}

/* The keys of deploy.config that belong to one method. */
static void check_method_config(struct cfg_walk *w, json_t *root, const char *base,
                                enum rig_deploy_method m,
                                const struct rig_deploy_method_config *c)
{
    static const char *const compose_keys[] = {"file", "env_file", "project_name", "services",
                                               "build", "pull", "timeout", NULL};
    static const char *const custom_keys[] = {"commands", NULL};
    char *cp = ck_ptr(base, "/config");
    char *lp = ck_ptr(base, "/config/commands");

    if (m == RIG_DEPLOY_CUSTOM) {
        ck_only_for(w, root, cp, compose_keys, "method docker-compose");
        if (c->ncommands == 0)
            cfg_err(w, ck_given(root, lp) ? lp : ck_given(root, cp) ? cp : base, CFG_AT_KEY,
                    "method custom needs at least one command in config.commands");
    } else if (m == RIG_DEPLOY_DOCKER_COMPOSE) {
        ck_only_for(w, root, cp, custom_keys, "method custom");
    }
    check_commands(w, root, lp, c->commands, c->ncommands);
    free(cp);
    free(lp);
}

void ck_deploy(struct cfg_walk *w, json_t *root, const char *base, struct rig_deploy_config *d)
{
    char *rb = ck_ptr(base, "/rollback");
    char *rm = ck_ptr(base, "/rollback/method");

    if (d->method == RIG_DEPLOY_NONE)
        goto out;
    check_method_config(w, root, base, d->method, &d->config);
    if (!ck_given(root, rm))
        d->rollback.method = d->method;
    if (d->rollback.enabled || ck_given_at(root, rb, "config"))
        check_method_config(w, root, rb, d->rollback.method, &d->rollback.config);
out:
    free(rb);
    free(rm);
}

void ck_tests(struct cfg_walk *w, const char *list_ptr, const struct rig_test_config *t,
              size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i && t[i].name; j++) {
            if (t[j].name && strcmp(t[i].name, t[j].name) == 0) {
                char *p = ck_ptr(list_ptr, "/%zu/name", i);

                cfg_err(w, p, CFG_AT_VALUE, "'%s' is already the name of test %zu; names must "
                        "be unique", t[i].name, j);
                free(p);
                break;
            }
        }
    }
}

/* ---- projects -------------------------------------------------------------------- */

static void check_projects(struct cfg_walk *w, json_t *root)
{
    struct rig_config *cfg = w->cfg;

    for (size_t i = 0; i < cfg->nprojects; i++) {
        struct rig_project_entry *p = &cfg->projects[i];
        char *base = ck_ptr("/projects", "/%zu", i);
        char *tp = ck_ptr(base, "/test");

        for (size_t j = 0; j < i && p->name; j++) {
            if (cfg->projects[j].name && strcmp(p->name, cfg->projects[j].name) == 0) {
                char *np = ck_ptr(base, "/name");

                cfg_err(w, np, CFG_AT_VALUE, "'%s' is already the name of project %zu; names "
                        "must be unique", p->name, j);
                free(np);
                break;
            }
        }
        if (!ck_given_at(root, base, "platform") && !cfg_bad(w, "/source/platform"))
            p->source.platform = cfg->source.platform;
        ck_source(w, root, base, &p->source);
        if (p->has_deploy) {
            char *dp = ck_ptr(base, "/deploy");

            ck_deploy(w, root, dp, &p->deploy);
            free(dp);
        }
        ck_tests(w, tp, p->tests, p->ntests);
        free(tp);
        free(base);
    }
}

void cfg_check(struct cfg_walk *w, json_t *root)
{
    struct rig_config *cfg = w->cfg;

    ck_source(w, root, "/source", &cfg->source);
    check_ai(w, root);
    ck_deploy(w, root, "/deploy", &cfg->deploy);
    ck_tests(w, "/test", cfg->tests, cfg->ntests);
    check_projects(w, root);
    ck_workflow(w, root);
    ck_notify(w, root);
    ck_policies(w, root);
    ck_server_git(w, root);
}
