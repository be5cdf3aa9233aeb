#ifndef RIG_SERVER_WEBHOOK_H
#define RIG_SERVER_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/err.h"
#include "engine/engine.h"
#include "engine/wiring.h"
#include "store/store.h"

/*
 * The GitHub webhook server behind `rig run` (docs/server.md).
 *
 *   POST /webhook   a delivery: body at most RIG_WEBHOOK_BODY_MAX (413 beyond),
 *                   X-Hub-Signature-256 checked in constant time (401), recorded
 *                   by X-GitHub-Delivery (a redelivery answers 200
 *                   {"duplicate":true}), decided (server/intake.h), and when it
 *                   triggers, a task is stored and queued: 202 in milliseconds.
 *                   Pipelines run on the worker pool (server/pool.h).
 *   GET  /healthz   200 {"status":"ok","queued":N,"running":M}; 503 while draining.
 *
 * One task per issue: a trigger for an issue that already has a task queued,
 * running or awaiting approval is recorded as "coalesced" and starts nothing.
 * Deliveries are decided one at a time (a mutex around the store work), so two
 * deliveries for one issue at the same moment still give one task.
 */

#define RIG_WEBHOOK_BODY_MAX (25u * 1024 * 1024)

struct rig_server_opts {
    const char *listen;      /* IPv4 or IPv6 address to bind; NULL = "0.0.0.0" */
    int port;                /* 0 = an ephemeral port (see rig_server_port) */
    const char *secret;      /* webhook secret; NULL/"" only with insecure_no_secret */
    bool insecure_no_secret; /* accept unsigned deliveries (local experiments only) */
    int workers;             /* server.workers */
    int per_project_limit;   /* server.per_project_limit */
    const char *self_login;  /* Rig's GitHub login when known; NULL = unknown */
    rig_engine_event_fn on_event; /* engine events of the tasks it runs; may be NULL */
    void *event_ctx;
};

struct rig_server;

/*
 * Queue the tasks a previous run left queued (for projects of w), start the
 * workers, bind and listen. cfg and w must outlive the server.
 */
int rig_server_start(const struct rig_config *cfg, struct rig_wiring *w, struct rig_store *st,
                     const struct rig_server_opts *o, struct rig_server **out,
                     struct rig_err *err);

/* The port actually bound (useful with port 0). */
int rig_server_port(const struct rig_server *s);

/*
 * Graceful stop: new deliveries get 503, running tasks get grace_ms to finish,
 * then are cancelled (recorded as cancelled); the listener closes last.
 * Returns the number of tasks that did not stop even after the cancel; when
 * it is not 0 the server must not be freed (their threads still use it).
 */
size_t rig_server_drain(struct rig_server *s, int64_t grace_ms);

void rig_server_free(struct rig_server *s);

#endif
