#ifndef RIG_ENGINE_EVENT_CHAIN_H
#define RIG_ENGINE_EVENT_CHAIN_H

#include <stddef.h>

#include "core/err.h"
#include "engine/engine.h"

/*
 * Several subscribers on one engine's events (a notifier, the GitHub status
 * comment, ...). struct rig_engine has a single on_event hook; a chain is
 * installed there and calls each subscriber in the order they subscribed.
 * The chain is owned by the caller and must outlive the engine's runs.
 * Subscribing is not thread-safe: do it before tasks run.
 */

#define RIG_EVENT_CHAIN_MAX 8

struct rig_event_sub {
    rig_engine_event_fn fn;
    void *ctx;
};

struct rig_event_chain {
    struct rig_event_sub subs[RIG_EVENT_CHAIN_MAX];
    size_t n;
};

/* Add fn(ctx) to eng's subscribers through chain (zero-initialised or used
 * only with this engine). A hook eng already had becomes the first
 * subscriber. -1 when the chain is full or eng uses another chain. */
int rig_engine_subscribe(struct rig_engine *eng, struct rig_event_chain *chain,
                         rig_engine_event_fn fn, void *ctx, struct rig_err *err);

/* rig_engine_event_fn; ctx is the chain. */
void rig_event_chain_dispatch(void *ctx, const struct rig_task *task, enum rig_event ev,
                              const char *detail);

#endif
