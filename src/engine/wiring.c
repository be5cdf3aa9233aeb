#include "engine/wiring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/deploy/deploy_ssh.h"
#include "adapters/notify/notify.h"
#include "adapters/source/github_config.h"
#include "adapters/source/github_status.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/banned.h"

/* ------------------------------------------------------------ mapping -- */

static char **env_vector(struct rig_wiring_project *p, const struct rig_strmap *m)
{
    char **v = xcalloc(m->n + 1, sizeof(*v));

    for (size_t i = 0; i < m->n; i++)
        v[i] = xasprintf("%s=%s", m->v[i].name, m->v[i].value ? m->v[i].value : "");
    p->envs = xreallocarray(p->envs, p->nenvs + 1, sizeof(*p->envs));
    p->envs[p->nenvs++] = v;
    return v;
}

static struct rig_deploy_cmd *map_commands(struct rig_wiring_project *p,
                                           const struct rig_deploy_method_config *mc)
{
    struct rig_deploy_cmd *cmds = xcalloc(mc->ncommands + 1, sizeof(*cmds));

    for (size_t i = 0; i < mc->ncommands; i++) {
        const struct rig_command_config *c = &mc->commands[i];
        struct rig_deploy_cmd *d = &cmds[i];

        d->name = c->name;
        d->run = c->run;
        d->workdir = c->workdir;
        d->timeout_ms = c->timeout_ms;
        d->retry = c->retry;
        d->env = (const char *const *)env_vector(p, &c->env);
        d->transport = c->transport.type;
        d->ssh.host = c->transport.ssh.host;
        d->ssh.port = c->transport.ssh.port;
        d->ssh.user = c->transport.ssh.user;
        d->ssh.key = c->transport.ssh.key;
        d->ssh.password = c->transport.ssh.password;
        d->ssh.known_hosts = c->transport.ssh.known_hosts;
        d->ssh.insecure_ignore_host_key = c->transport.ssh.insecure_ignore_host_key;
        d->ssh.agent = c->transport.ssh.agent;
    }
    return cmds;
}

/* "deploy" for the top level, "projects[2] (shop): deploy" for an entry. */
static const char *where(const struct rig_wiring_project *p, size_t idx, char *buf, size_t n,
                         const char *key)
{
    if (idx == 0)
        snprintf(buf, n, "%s", key);
    else
        snprintf(buf, n, "projects[%zu] (%s): %s", idx - 1, p->name, key);
    return buf;
}

static void map_compose(const struct rig_deploy_method_config *mc, struct rig_compose_opts *o)
{
    o->file = mc->file;
    o->env_file = mc->env_file;
    o->project_name = mc->project_name;
    o->services = (const char *const *)mc->services.v;
    o->nservices = mc->services.n;
    o->build = mc->build;
    o->pull = mc->pull == RIG_PULL_ALWAYS  ? RIG_COMPOSE_PULL_ALWAYS
              : mc->pull == RIG_PULL_NEVER ? RIG_COMPOSE_PULL_NEVER
                                           : RIG_COMPOSE_PULL_MISSING;
    o->timeout_ms = mc->timeout_ms;
}

static int map_deploy(struct rig_wiring_project *p, size_t idx, const struct rig_deploy_config *d,
                      struct rig_err *err)
{
    struct rig_engine_conf *e = &p->conf;
    char at[256];

    (void)idx;
    (void)at;
    (void)err;
    if (d->method == RIG_DEPLOY_DOCKER_COMPOSE) {
        map_compose(&d->config, &p->compose);
        e->compose = &p->compose;
    }
    if (d->rollback.enabled && d->rollback.method == RIG_DEPLOY_DOCKER_COMPOSE) {
        /* A rollback section without compose keys reuses the deploy's. */
        map_compose(d->rollback.config.file || d->method != RIG_DEPLOY_DOCKER_COMPOSE
                        ? &d->rollback.config
                        : &d->config,
                    &p->rollback_compose);
        e->rollback_compose = &p->rollback_compose;
    }
    p->deploy = map_commands(p, &d->config);
    e->deploy = p->deploy;
    e->ndeploy = d->method == RIG_DEPLOY_CUSTOM ? d->config.ncommands : 0;
    e->rollback_enabled = d->rollback.enabled;
    p->rollback = map_commands(p, &d->rollback.config);
    e->rollback = p->rollback;
    e->nrollback = d->rollback.config.ncommands;
    e->infra_files = (const char *const *)d->infra_files.v;
    e->ninfra_files = d->infra_files.n;
    e->infra_readonly = (const char *const *)d->infra_readonly.v;
    e->ninfra_readonly = d->infra_readonly.n;
    e->approval_timeout_ms = d->approval.timeout_ms;
    return 0;
}

static void map_tests(struct rig_wiring_project *p, const struct rig_test_config *t, size_t n)
{
    p->tests = xcalloc(n + 1, sizeof(*p->tests));
    for (size_t i = 0; i < n; i++) {
        p->tests[i].name = t[i].name;
        p->tests[i].run = t[i].run;
        p->tests[i].timeout_ms = t[i].timeout_ms;
        p->tests[i].affected_paths = (const char *const *)t[i].affected_paths.v;
        p->tests[i].naffected = t[i].affected_paths.n;
    }
    p->conf.tests = p->tests;
    p->conf.ntests = n;
}

static int build_ai(struct rig_wiring *w, struct rig_err *err)
{
    const struct rig_ai_config *a = &w->cfg->ai;
    struct rig_ai_opts o;

    rig_ai_opts_init(&o);
    if (rig_ai_provider_parse(a->provider_name, &o.provider) < 0)
        return rig_err_set(err, RIG_ECONFIG, "ai.provider %s is not supported",
                           a->provider_name);
    o.model = a->model;
    o.api_key = a->api_key;
    o.endpoint = a->endpoint;
    o.max_tokens = a->max_tokens;
    o.temperature = a->temperature;
    o.timeout_ms = a->timeout_ms;
    o.max_http_retries = 4;
    o.command = a->command;
    o.command_edits = a->command_edits;
    o.claude_bin = a->claude_bin;
    o.max_turns = a->max_turns;
    o.permission_mode = a->permission_mode;
    /* rig_ai_new's messages already name the ai section ("ai: ...", "ai.endpoint"). */
    w->ai = rig_ai_new(&o, err);
    return w->ai ? 0 : -1;
}

static char *extra_instructions(const struct rig_config *c)
{
    struct rig_buf b = RIG_BUF_INIT;

    for (size_t i = 0; i < c->ai.context.n; i++)
        rig_buf_addf(&b, "%s\n", c->ai.context.v[i]);
    if (c->project.language)
        rig_buf_addf(&b, "The project is written in %s.\n", c->project.language);
    if (c->project.description)
        rig_buf_addf(&b, "Project description: %s\n", c->project.description);
    return rig_buf_take(&b);
}

/* ------------------------------------------------------------ sources -- */

/*
 * The one place a platform becomes a struct rig_source, for `rig exec` and
 * `rig run` alike. The GitHub adapter plugs in here.
 */
static int source_new(struct rig_wiring_project *p, size_t idx, struct rig_err *err)
{
    const struct rig_source_config *s = p->src_cfg;
    struct rig_source_local_opts o = {0};
    char at[256];

    if (s->platform == RIG_PLATFORM_GITHUB) {
        where(p, idx, at, sizeof(at), "source");
        return rig_source_github_from_config(s, &p->conf.git, at, &p->source, err);
    }
    o.repo = s->local_path ? s->local_path : s->repo;
    o.remote = s->remote;
    o.base_branch = s->base_branch;
    o.counter_path = p->counter_path;
    o.git = p->conf.git;
    if (rig_source_local_new(&o, &p->source, err) < 0)
        return idx == 0 ? -1 : rig_err_prefix(err, "projects[%zu] (%s)", idx - 1, p->name);
    return 0;
}

/* "owner/name" of a GitHub repository, or what the local source derived from
 * the path or URL ("/srv/git/acme/app.git" -> "acme/app"). */
static char *full_name(const struct rig_wiring_project *p)
{
    const struct rig_source_config *s = p->src_cfg;

    if (s->platform == RIG_PLATFORM_GITHUB)
        return s->owner && s->name ? xasprintf("%s/%s", s->owner, s->name) : NULL;
    if (p->source && p->source->repo_owner && *p->source->repo_owner && p->source->repo_name &&
        *p->source->repo_name)
        return xasprintf("%s/%s", p->source->repo_owner, p->source->repo_name);
    return NULL;
}

/* The status comment (GitHub) and the notify: targets follow the project's
 * engine events, for `rig exec` and `rig run` alike. */
static int attach_events(struct rig_wiring *w, struct rig_wiring_project *p, struct rig_err *err)
{
    const struct rig_config *c = w->cfg;

    if (rig_source_is_github(p->source)) {
        if (rig_github_status_new(p->source, &p->gh_status, err) < 0 ||
            rig_engine_subscribe(&p->eng, &p->events, rig_github_status_on_event, p->gh_status,
                                 err) < 0)
            return -1;
    }
    if (c->nnotify > 0) {
        if (rig_notifier_new(c->notify, c->nnotify, p->source, &p->notifier, err) < 0 ||
            rig_engine_subscribe(&p->eng, &p->events, rig_notifier_on_event, p->notifier,
                                 err) < 0)
            return -1;
    }
    return 0;
}

static void fail_project(struct rig_wiring_project *p, const struct rig_err *e)
{
    p->failed = true;
    p->error = *e;
}

/* ------------------------------------------------------------- build -- */

static void init_project(struct rig_wiring *w, size_t idx)
{
    const struct rig_config *c = w->cfg;
    const struct rig_project_entry *pe = idx ? &c->projects[idx - 1] : NULL;
    struct rig_wiring_project *p = &w->projects[idx];
    struct rig_engine_conf *e = &p->conf;
    const struct rig_deploy_config *deploy = pe ? rig_config_project_deploy(c, pe) : &c->deploy;
    const struct rig_test_config *tests = c->tests;
    size_t ntests = c->ntests;
    struct rig_err err = RIG_ERR_INIT;

    if (pe)
        tests = rig_config_project_tests(c, pe, &ntests);
    p->name = pe ? pe->name : c->project.name;
    p->src_cfg = pe ? &pe->source : &c->source;
    if (idx == 0) {
        p->counter_path = xasprintf("%s/issue-counter", w->data_dir);
    } else {
        char *slug = rig_str_slug(p->name, 64);
        p->counter_path = xasprintf("%s/issue-counter-%s", w->data_dir, slug);
        free(slug);
    }
    e->project = p->name;
    e->platform = rig_platform_name(p->src_cfg->platform);
    e->repo = p->src_cfg->repo;
    e->data_dir = w->data_dir;
    e->base_branch = p->src_cfg->base_branch;
    e->ident.name = c->git.author_name;
    e->ident.email = c->git.author_email;
    e->max_retry = c->ai.max_retry;
    e->budget.max_tokens = c->ai.budget.max_tokens;
    e->budget.max_usd = c->ai.budget.max_usd;
    e->context_bytes = (size_t)c->ai.context_bytes;
    e->steps = c->workflow.steps;
    e->before_deploy = c->workflow.before_deploy;
    e->extra_instructions = w->extra;
    e->policies = c->policies;
    e->npolicies = c->npolicies;
    e->ai = w->ai;
    e->ssh = &w->ssh;
    map_tests(p, tests, ntests);
    if (map_deploy(p, idx, deploy, &err) < 0) {
        fail_project(p, &err);
    } else if (p->src_cfg->platform == RIG_PLATFORM_LOCAL) {
        /* Cheap and local: built now so its owner/name is known for routing. */
        if (source_new(p, idx, &err) < 0)
            fail_project(p, &err);
        else
            p->ready = true;
    }
    e->source = p->source;
    p->full_name = full_name(p);
    p->eng.conf = e;
    p->eng.store = w->store;
    if (p->ready && attach_events(w, p, &err) < 0) {
        p->ready = false;
        fail_project(p, &err);
    }
}

int rig_wiring_build(const struct rig_config *cfg, const char *data_dir, struct rig_store *st,
                     struct rig_wiring *w, struct rig_err *err)
{
    memset(w, 0, sizeof(*w));
    w->cfg = cfg;
    w->data_dir = xstrdup(data_dir);
    w->store = st;
    pthread_mutex_init(&w->mu, NULL);
    w->mu_init = true;
    w->extra = extra_instructions(cfg);
    if (build_ai(w, err) < 0 || rig_ssh_transport_init(&w->ssh, err) < 0) {
        rig_wiring_release(w);
        return -1;
    }
    w->ssh_init = true;
    w->nprojects = 1 + cfg->nprojects;
    w->projects = xcalloc(w->nprojects, sizeof(*w->projects));
    for (size_t i = 0; i < w->nprojects; i++)
        init_project(w, i);
    return 0;
}

/* ------------------------------------------------------------ lookups -- */

struct rig_wiring_project *rig_wiring_main(struct rig_wiring *w)
{
    return w->nprojects ? &w->projects[0] : NULL;
}

struct rig_wiring_project *rig_wiring_find_project(struct rig_wiring *w, const char *key)
{
    if (!key || !*key)
        return NULL;
    for (size_t i = 0; i < w->nprojects; i++)
        if (strcmp(w->projects[i].name, key) == 0)
            return &w->projects[i];
    for (size_t i = 0; i < w->nprojects; i++)
        if (w->projects[i].full_name && strcasecmp(w->projects[i].full_name, key) == 0)
            return &w->projects[i];
    return NULL;
}

int rig_wiring_project_ready(struct rig_wiring *w, struct rig_wiring_project *p,
                             struct rig_err *err)
{
    int rc = 0;

    pthread_mutex_lock(&w->mu);
    if (!p->ready && !p->failed) {
        struct rig_err e = RIG_ERR_INIT;
        if (source_new(p, (size_t)(p - w->projects), &e) < 0 || attach_events(w, p, &e) < 0) {
            fail_project(p, &e);
        } else {
            p->conf.source = p->source;
            p->ready = true;
        }
    }
    if (p->failed) {
        if (err)
            *err = p->error;
        rc = -1;
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

static void release_project(struct rig_wiring_project *p)
{
    /* First: both send what is still queued (bounded wait) and use the source. */
    rig_notifier_free(p->notifier);
    rig_github_status_free(p->gh_status);
    rig_source_free(p->source);
    for (size_t i = 0; i < p->nenvs; i++)
        rig_strv_free(p->envs[i]);
    free(p->envs);
    free(p->deploy);
    free(p->rollback);
    free(p->tests);
    free(p->counter_path);
    free(p->full_name);
}

void rig_wiring_release(struct rig_wiring *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->nprojects; i++)
        release_project(&w->projects[i]);
    free(w->projects);
    rig_ai_free(w->ai);
    if (w->ssh_init)
        rig_ssh_transport_release(&w->ssh);
    free(w->extra);
    free(w->data_dir);
    if (w->mu_init)
        pthread_mutex_destroy(&w->mu);
    memset(w, 0, sizeof(*w));
}
