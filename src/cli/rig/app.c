#include "cli/rig/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapters/notify/notify.h"
#include "adapters/source/github_config.h"
#include "core/buf.h"
#include "core/http.h"
#include "core/mem.h"
#include "core/path.h"
#include "core/str.h"
#include "core/banned.h"

int app_fail(const char *cmd, const struct rig_err *err)
{
    char buf[RIG_ERR_MSG_MAX + RIG_ERR_FILE_MAX + 32];

    fprintf(stderr, "rig %s: %s\n", cmd, rig_err_format(err, buf, sizeof(buf)));
    return 1;
}

int app_load_config(struct rig_app *app, struct rig_cli *cli)
{
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    char buf[RIG_ERR_MSG_MAX + RIG_ERR_FILE_MAX + 32];
    int rc;

    rc = rig_config_load(cli->config_path, &app->cfg, &errs);
    app->cfg_loaded = true;
    for (size_t i = 0; i < errs.len; i++)
        fprintf(stderr, "%s\n", rig_err_format(&errs.items[i], buf, sizeof(buf)));
    if (rc < 0)
        fprintf(stderr, "%s: %zu problem(s); fix them and run 'rig validate'\n",
                cli->config_path, errs.len);
    rig_errlist_release(&errs);
    return rc;
}

int app_open_store(struct rig_app *app, struct rig_cli *cli, struct rig_err *err)
{
    size_t recovered = 0;

    if (!app->cfg_loaded && access(cli->config_path, R_OK) == 0) {
        struct rig_errlist errs = RIG_ERRLIST_INIT;
        app->cfg_loaded = true;
        if (rig_config_load(cli->config_path, &app->cfg, &errs) < 0) {
            rig_config_release(&app->cfg);
            memset(&app->cfg, 0, sizeof(app->cfg));
        }
        rig_errlist_release(&errs);
    }
    if (app->cfg.server.data_dir)
        app->data_dir = xstrdup(app->cfg.server.data_dir);
    else if (rig_config_data_dir(&app->data_dir, err) < 0)
        return -1;
    if (rig_mkdirs(app->data_dir, 0700, err) < 0)
        return -1;
    app->db_path = xasprintf("%s/rig.db", app->data_dir);
    if (rig_store_open(app->db_path, &app->store, err) < 0)
        return rig_err_prefix(err, "opening %s", app->db_path);
    if (rig_engine_recover(app->store, &recovered, err) < 0)
        return -1;
    if (recovered)
        fprintf(stderr, "rig: %zu task(s) were interrupted (their process stopped); see 'rig status'\n",
                recovered);
    return 0;
}

static char **env_vector(struct rig_app *app, const struct rig_strmap *m)
{
    char **v = xcalloc(m->n + 1, sizeof(*v));

    for (size_t i = 0; i < m->n; i++)
        v[i] = xasprintf("%s=%s", m->v[i].name, m->v[i].value ? m->v[i].value : "");
    app->envs = xreallocarray(app->envs, app->nenvs + 1, sizeof(*app->envs));
    app->envs[app->nenvs++] = v;
    return v;
}

static struct rig_deploy_cmd *map_commands(struct rig_app *app,
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
        d->env = (const char *const *)env_vector(app, &c->env);
        d->transport = c->transport.type;
        d->ssh.host = c->transport.ssh.host;
        d->ssh.port = c->transport.ssh.port;
        d->ssh.user = c->transport.ssh.user;
        d->ssh.key = c->transport.ssh.key;
        d->ssh.password = c->transport.ssh.password;
        d->ssh.known_hosts = c->transport.ssh.known_hosts;
    }
    return cmds;
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

static int map_deploy(struct rig_app *app, struct rig_err *err)
{
    const struct rig_deploy_config *d = &app->cfg.deploy;
    struct rig_engine_conf *e = &app->econf;

    (void)err;
    if (d->method == RIG_DEPLOY_DOCKER_COMPOSE) {
        map_compose(&d->config, &app->compose);
        e->compose = &app->compose;
    }
    if (d->rollback.enabled && d->rollback.method == RIG_DEPLOY_DOCKER_COMPOSE) {
        /* A rollback section without compose keys reuses the deploy's. */
        map_compose(d->rollback.config.file || d->method != RIG_DEPLOY_DOCKER_COMPOSE
                        ? &d->rollback.config
                        : &d->config,
                    &app->rollback_compose);
        e->rollback_compose = &app->rollback_compose;
    }
    app->deploy = map_commands(app, &d->config);
    e->deploy = app->deploy;
    e->ndeploy = d->method == RIG_DEPLOY_CUSTOM ? d->config.ncommands : 0;
    e->rollback_enabled = d->rollback.enabled;
    app->rollback = map_commands(app, &d->rollback.config);
    e->rollback = app->rollback;
    e->nrollback = d->rollback.config.ncommands;
    e->infra_files = (const char *const *)d->infra_files.v;
    e->ninfra_files = d->infra_files.n;
    e->infra_readonly = (const char *const *)d->infra_readonly.v;
    e->ninfra_readonly = d->infra_readonly.n;
    e->approval_timeout_ms = d->approval.timeout_ms;
    return 0;
}

static void map_tests(struct rig_app *app)
{
    app->tests = xcalloc(app->cfg.ntests + 1, sizeof(*app->tests));
    for (size_t i = 0; i < app->cfg.ntests; i++) {
        const struct rig_test_config *t = &app->cfg.tests[i];
        app->tests[i].name = t->name;
        app->tests[i].run = t->run;
        app->tests[i].timeout_ms = t->timeout_ms;
        app->tests[i].affected_paths = (const char *const *)t->affected_paths.v;
        app->tests[i].naffected = t->affected_paths.n;
    }
    app->econf.tests = app->tests;
    app->econf.ntests = app->cfg.ntests;
}

static int build_ai(struct rig_app *app, struct rig_err *err)
{
    const struct rig_ai_config *a = &app->cfg.ai;
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
    app->ai = rig_ai_new(&o, err);
    return app->ai ? 0 : rig_err_prefix(err, "ai");
}

static int build_source(struct rig_app *app, struct rig_err *err)
{
    const struct rig_source_config *s = &app->cfg.source;
    struct rig_source_local_opts o = {0};
    char *counter;
    int rc;

    if (s->platform == RIG_PLATFORM_GITHUB)
        return rig_source_github_from_config(s, &app->econf.git, "source", &app->source, err);
    counter = xasprintf("%s/issue-counter", app->data_dir);
    o.repo = s->local_path ? s->local_path : s->repo;
    o.remote = s->remote;
    o.base_branch = s->base_branch;
    o.counter_path = counter;
    o.git = app->econf.git;
    rc = rig_source_local_new(&o, &app->source, err);
    free(counter);
    return rc;
}

int app_build_engine(struct rig_app *app, struct rig_cli *cli, struct rig_err *err)
{
    struct rig_engine_conf *e = &app->econf;
    const struct rig_config *c;

    if (!app->cfg_loaded && app_load_config(app, cli) < 0)
        return rig_err_set(err, RIG_ECONFIG, "%s is not valid", cli->config_path);
    if (app_open_store(app, cli, err) < 0)
        return -1;
    c = &app->cfg;
    if (rig_http_global_init() < 0)
        return rig_err_set(err, RIG_EIO, "could not initialise libcurl");
    e->project = c->project.name;
    e->platform = rig_platform_name(c->source.platform);
    e->repo = c->source.repo;
    e->data_dir = app->data_dir;
    e->base_branch = c->source.base_branch;
    e->ident.name = c->git.author_name;
    e->ident.email = c->git.author_email;
    e->max_retry = c->ai.max_retry;
    e->budget.max_tokens = c->ai.budget.max_tokens;
    e->budget.max_usd = c->ai.budget.max_usd;
    e->context_bytes = (size_t)c->ai.context_bytes;
    e->steps = c->workflow.steps;
    e->before_deploy = c->workflow.before_deploy;
    {
        struct rig_buf b = RIG_BUF_INIT;
        for (size_t i = 0; i < c->ai.context.n; i++)
            rig_buf_addf(&b, "%s\n", c->ai.context.v[i]);
        if (c->project.language)
            rig_buf_addf(&b, "The project is written in %s.\n", c->project.language);
        if (c->project.description)
            rig_buf_addf(&b, "Project description: %s\n", c->project.description);
        app->extra = rig_buf_take(&b);
        e->extra_instructions = app->extra;
    }
    e->policies = c->policies;
    e->npolicies = c->npolicies;
    if (map_deploy(app, err) < 0 || build_source(app, err) < 0 || build_ai(app, err) < 0)
        return -1;
    map_tests(app);
    e->source = app->source;
    e->ai = app->ai;
    app->eng.conf = e;
    app->eng.store = app->store;
    if (rig_source_is_github(app->source)) {
        if (rig_github_status_new(app->source, &app->gh_status, err) < 0 ||
            rig_engine_subscribe(&app->eng, &app->events, rig_github_status_on_event,
                                 app->gh_status, err) < 0)
            return -1;
    }
    if (c->nnotify > 0) {
        if (rig_notifier_new(c->notify, c->nnotify, app->source, &app->notifier, err) < 0 ||
            rig_engine_subscribe(&app->eng, &app->events, rig_notifier_on_event, app->notifier,
                                 err) < 0)
            return -1;
    }
    return 0;
}

void app_release(struct rig_app *app)
{
    /* First: both send what is still queued (bounded wait) and may use the source. */
    rig_notifier_free(app->notifier);
    rig_github_status_free(app->gh_status);
    rig_ai_free(app->ai);
    rig_source_free(app->source);
    rig_store_close(app->store);
    for (size_t i = 0; i < app->nenvs; i++)
        rig_strv_free(app->envs[i]);
    free(app->envs);
    free(app->deploy);
    free(app->rollback);
    free(app->tests);
    free(app->db_path);
    free(app->extra);
    free(app->data_dir);
    if (app->cfg_loaded)
        rig_config_release(&app->cfg);
    memset(app, 0, sizeof(*app));
}
