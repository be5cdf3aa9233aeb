#ifndef RIG_CLI_APP_H
#define RIG_CLI_APP_H

#include <stdbool.h>

#include "adapters/ai/ai.h"
#include "adapters/source/github_status.h"
#include "adapters/source/source.h"
#include "cli/rig/cli.h"
#include "config/config.h"
#include "engine/engine.h"
#include "engine/event_chain.h"
#include "store/store.h"

struct rig_notifier;

/*
 * What a command needs, built from rig.yaml: the store, the source, the AI and
 * the engine configuration. Commands take only the parts they use.
 */
struct rig_app {
    struct rig_config cfg;
    bool cfg_loaded;
    char *data_dir;
    char *db_path;
    struct rig_store *store;
    struct rig_source *source;
    struct rig_ai *ai;
    struct rig_engine_conf econf;
    struct rig_engine eng;
    struct rig_event_chain events;          /* eng.on_event subscribers */
    struct rig_github_status *gh_status;    /* GitHub status comment + labels, else NULL */
    struct rig_notifier *notifier;          /* rig.yaml notify:, NULL when none */
    /* Storage behind econf's arrays. */
    struct rig_deploy_cmd *deploy, *rollback;
    struct rig_test_entry *tests;
    struct rig_compose_opts compose, rollback_compose;
    char *extra;      /* ai.context joined */
    char ***envs;
    size_t nenvs;
};

/* Load rig.yaml (printing every error to stderr). -1 when it is invalid. */
int app_load_config(struct rig_app *app, struct rig_cli *cli);

/* Open the store in the data directory: from rig.yaml when it loads
 * (server.data_dir), else the default ($RIG_HOME, ...). Tasks left running by
 * a dead process are marked interrupted on the way. */
int app_open_store(struct rig_app *app, struct rig_cli *cli, struct rig_err *err);

/* Everything above plus the source, the AI provider and the engine. */
int app_build_engine(struct rig_app *app, struct rig_cli *cli, struct rig_err *err);

void app_release(struct rig_app *app);

/* Print "rig <cmd>: <message>" for err and return 1. */
int app_fail(const char *cmd, const struct rig_err *err);

#endif
