#include "cli/rig/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int app_load_config(struct rig_app *app, struct rig_cli *cli, struct rig_err *err)
{
    struct rig_errlist errs = RIG_ERRLIST_INIT;
    char buf[RIG_ERR_MSG_MAX + RIG_ERR_FILE_MAX + 32];
    int rc;

    rc = rig_config_load(cli->config_path, &app->cfg, &errs);
    app->cfg_loaded = true;
    if (rc < 0 && errs.len == 1 && errs.items[0].code == RIG_ENOTFOUND) {
        /* One line: the command's own error says what to do. */
        rig_err_set(err, RIG_ENOTFOUND, "%s (run 'rig init' to create one, or pass -c FILE)",
                    rig_err_format(&errs.items[0], buf, sizeof(buf)));
        goto out;
    }
    for (size_t i = 0; i < errs.len; i++)
        fprintf(stderr, "%s\n", rig_err_format(&errs.items[i], buf, sizeof(buf)));
    if (rc < 0)
        rig_err_set(err, RIG_ECONFIG, "%s has %zu problem(s), listed above; fix them and check "
                    "with 'rig validate'", cli->config_path, errs.len);
out:
    rig_errlist_release(&errs);
    return rc;
}

int app_open_store_only(struct rig_app *app, struct rig_cli *cli, struct rig_err *err)
{
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
    return 0;
}

int app_open_store(struct rig_app *app, struct rig_cli *cli, struct rig_err *err)
{
    size_t recovered = 0;

    if (app_open_store_only(app, cli, err) < 0)
        return -1;
    if (rig_engine_recover(app->store, &recovered, err) < 0)
        return -1;
    if (recovered)
        fprintf(stderr, "rig: %zu task(s) were interrupted (their process stopped); "
                        "see 'rig status'\n", recovered);
    return 0;
}

int app_build_wiring(struct rig_app *app, struct rig_cli *cli, struct rig_err *err)
{
    if (!app->cfg_loaded && app_load_config(app, cli, err) < 0)
        return -1;
    if (!app->store && app_open_store(app, cli, err) < 0)
        return -1;
    if (rig_http_global_init() < 0)
        return rig_err_set(err, RIG_EIO, "could not initialise libcurl");
    if (rig_wiring_build(&app->cfg, app->data_dir, app->store, &app->wiring, err) < 0)
        return -1;
    app->ai = app->wiring.ai;
    return 0;
}

static int select_project(struct rig_app *app, struct rig_wiring_project *p,
                          struct rig_err *err)
{
    if (rig_wiring_project_ready(&app->wiring, p, err) < 0)
        return -1;
    app->project = p;
    app->source = p->source;
    app->eng = p->eng;
    return 0;
}

int app_build_engine(struct rig_app *app, struct rig_cli *cli, struct rig_err *err)
{
    if (app_build_wiring(app, cli, err) < 0)
        return -1;
    return select_project(app, rig_wiring_main(&app->wiring), err);
}

int app_build_engine_for_task(struct rig_app *app, struct rig_cli *cli, const char *task_id,
                              struct rig_err *err)
{
    struct rig_wiring_project *p = NULL;
    struct rig_task t = {0};

    if (app_build_wiring(app, cli, err) < 0)
        return -1;
    /* An unknown task falls through to the top-level project: the command
     * then reports it as usual. */
    if (rig_store_task_get(app->store, task_id, &t, NULL) == 0) {
        p = rig_wiring_find_project(&app->wiring, t.project);
        if (p && strcmp(p->name, t.project) != 0)
            p = NULL;
        if (!p) {
            rig_err_set(err, RIG_ECONFIG, "task %s belongs to project %s, which is not in %s "
                        "(project.name or projects:)", task_id, t.project, cli->config_path);
            rig_task_release(&t);
            return -1;
        }
        rig_task_release(&t);
    }
    return select_project(app, p ? p : rig_wiring_main(&app->wiring), err);
}

int app_build_engine_for_repo(struct rig_app *app, struct rig_cli *cli, const char *repo,
                              struct rig_err *err)
{
    struct rig_wiring_project *p;

    if (app_build_wiring(app, cli, err) < 0)
        return -1;
    p = rig_wiring_find_project(&app->wiring, repo);
    return select_project(app, p ? p : rig_wiring_main(&app->wiring), err);
}

int app_task_status(struct rig_cli *cli, const char *task_id, enum rig_task_status *status,
                    struct rig_err *err)
{
    struct rig_app app = {0};
    struct rig_task t = {0};
    int rc = -1;

    if (app_open_store(&app, cli, err) < 0 || rig_store_task_get(app.store, task_id, &t, err) < 0)
        goto out;
    *status = t.status;
    rc = 0;
out:
    rig_task_release(&t);
    app_release(&app);
    return rc;
}

void app_release(struct rig_app *app)
{
    rig_wiring_release(&app->wiring);
    rig_store_close(app->store);
    free(app->db_path);
    free(app->data_dir);
    if (app->cfg_loaded)
        rig_config_release(&app->cfg);
    memset(app, 0, sizeof(*app));
}
