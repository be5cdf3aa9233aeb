#ifndef RIG_CLI_APP_H
#define RIG_CLI_APP_H

#include <stdbool.h>

#include "adapters/ai/ai.h"
#include "adapters/source/source.h"
#include "cli/rig/cli.h"
#include "config/config.h"
#include "engine/engine.h"
#include "engine/wiring.h"
#include "store/store.h"

/*
 * What a command needs, built from rig.yaml: the store, the source, the AI and
 * the engine configuration. Commands take only the parts they use. The
 * wiring (src/engine/wiring.h) holds every project's engine; app_build_engine
 * selects the top-level project.
 */
struct rig_app {
    struct rig_config cfg;
    bool cfg_loaded;
    char *data_dir;
    char *db_path;
    struct rig_store *store;
    struct rig_wiring wiring;
    struct rig_wiring_project *project; /* the project the command works on */
    struct rig_source *source;          /* borrowed from project */
    struct rig_ai *ai;                  /* borrowed from the wiring */
    struct rig_engine eng;
};

/* Load rig.yaml, printing every problem to stderr; -1 with err saying what
 * to do when it is missing or invalid. */
int app_load_config(struct rig_app *app, struct rig_cli *cli, struct rig_err *err);

/* Open the store in the data directory: from rig.yaml when it loads
 * (server.data_dir), else the default ($RIG_HOME, ...). Tasks left running by
 * a dead process are marked interrupted on the way. */
int app_open_store(struct rig_app *app, struct rig_cli *cli, struct rig_err *err);

/* The same without the recovery (for `rig run`, which lists what it recovers). */
int app_open_store_only(struct rig_app *app, struct rig_cli *cli, struct rig_err *err);

/* The wiring of every project (after the store is open); no project selected. */
int app_build_wiring(struct rig_app *app, struct rig_cli *cli, struct rig_err *err);

/* Everything above plus the source, the AI provider and the engine of the
 * top-level project. */
int app_build_engine(struct rig_app *app, struct rig_cli *cli, struct rig_err *err);

/* The same for the project a stored task belongs to (resume, approve, a
 * deploy/test run of its branch); the top-level project when the task does
 * not exist (the command reports that). */
int app_build_engine_for_task(struct rig_app *app, struct rig_cli *cli, const char *task_id,
                              struct rig_err *err);

/* The project serving a repository ("owner/name") or named so; the top-level
 * project when none matches (its source then judges the issue). */
int app_build_engine_for_repo(struct rig_app *app, struct rig_cli *cli, const char *repo,
                              struct rig_err *err);

/* The stored status of a task (ENOTFOUND when there is none), read before
 * the engine is built: a command refused for the task's state says so even
 * when the AI provider could not be set up. */
int app_task_status(struct rig_cli *cli, const char *task_id, enum rig_task_status *status,
                    struct rig_err *err);

void app_release(struct rig_app *app);

/* Print "rig <cmd>: <message>" for err and return 1. */
int app_fail(const char *cmd, const struct rig_err *err);

#endif
