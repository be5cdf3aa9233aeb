#ifndef RIG_ENGINE_WIRING_H
#define RIG_ENGINE_WIRING_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "adapters/ai/ai.h"
#include "adapters/deploy/compose.h"
#include "adapters/deploy/deploy.h"
#include "adapters/source/source.h"
#include "adapters/test/testrun.h"
#include "config/config.h"
#include "core/err.h"
#include "engine/engine.h"
#include "engine/event_chain.h"
#include "store/store.h"

struct rig_github_status;
struct rig_notifier;

/*
 * rig.yaml turned into engines: one per project Rig serves.
 *
 * Entry 0 is the top-level project (project.name + source + deploy + test);
 * entries 1.. are the `projects:` list, each with its own source and its
 * deploy/test overrides (rig_config_project_deploy/_tests). Every entry gets
 * a complete struct rig_engine_conf; the AI is shared (a struct rig_ai is
 * immutable and thread-safe).
 *
 * What cannot be built for one project (a platform or deploy method this
 * build lacks, a bad repository string) does not fail the whole wiring: the
 * error is kept on the project and reported by rig_wiring_project_ready, so a
 * server serving ten repositories still starts when one of them is unusable,
 * and `rig exec` on the top-level project never trips over another entry. The
 * AI provider is shared, so its errors fail rig_wiring_build.
 *
 * The source for each platform is chosen in one place (wiring.c,
 * source_new): `rig exec` and `rig run` both go through it.
 *
 * The config must outlive the wiring (the engine confs point into it).
 */

struct rig_wiring_project {
    const char *name;       /* project name stored on tasks (borrowed from the config) */
    char *full_name;        /* "owner/name" webhooks name the repository by; NULL if unknown */
    const struct rig_source_config *src_cfg;
    struct rig_engine_conf conf;
    struct rig_engine eng;  /* conf + store; callers copy it and set echo/on_event */

    /* Set once: the source was built (ready), or why the project cannot run. */
    bool ready;
    bool failed;
    struct rig_err error;
    struct rig_source *source; /* owned; NULL until ready */

    /* Event subscribers on eng (set up when the project becomes ready). */
    struct rig_event_chain events;
    struct rig_github_status *gh_status; /* GitHub status comment + labels, else NULL */
    struct rig_notifier *notifier;       /* rig.yaml notify:, else NULL */

    /* Storage behind conf's arrays. */
    struct rig_compose_opts compose, rollback_compose;
    struct rig_deploy_cmd *deploy, *rollback;
    struct rig_test_entry *tests;
    char *counter_path;
    char ***envs;
    size_t nenvs;
};

struct rig_wiring {
    const struct rig_config *cfg;
    char *data_dir;
    struct rig_store *store;
    struct rig_ai *ai;      /* shared by every project */
    struct rig_deploy_transport ssh; /* SSH deploy commands, shared (stateless per command) */
    bool ssh_init;
    char *extra;            /* ai.context and the project description, for the AI */
    struct rig_wiring_project *projects;
    size_t nprojects;
    pthread_mutex_t mu;     /* guards lazy source creation */
    bool mu_init;
};

/*
 * Build every project's engine configuration and the shared AI. Needs
 * rig_http_global_init() (API providers). data_dir holds workspaces and issue
 * counters; st is stored in each project's engine (borrowed). On failure w is
 * released and zeroed.
 */
int rig_wiring_build(const struct rig_config *cfg, const char *data_dir, struct rig_store *st,
                     struct rig_wiring *w, struct rig_err *err);

/*
 * The project for a project name (exact) or an "owner/name" repository
 * (case-insensitive, as GitHub treats them). NULL when none matches.
 */
struct rig_wiring_project *rig_wiring_find_project(struct rig_wiring *w, const char *key);

/* The top-level project (entry 0). */
struct rig_wiring_project *rig_wiring_main(struct rig_wiring *w);

/*
 * Make the project runnable: its source is created on first use. -1 with a
 * message naming the project's rig.yaml keys when it cannot run in this build
 * (the same message every time). Thread-safe.
 */
int rig_wiring_project_ready(struct rig_wiring *w, struct rig_wiring_project *p,
                             struct rig_err *err);

void rig_wiring_release(struct rig_wiring *w);

#endif
