#include "engine/event_chain.h"

#include "core/banned.h"

static int chain_add(struct rig_event_chain *c, rig_engine_event_fn fn, void *ctx,
                     struct rig_err *err)
{
    if (c->n >= RIG_EVENT_CHAIN_MAX)
        return rig_err_set(err, RIG_EINVAL, "too many event subscribers (at most %d)",
                           RIG_EVENT_CHAIN_MAX);
    c->subs[c->n].fn = fn;
    c->subs[c->n++].ctx = ctx;
    return 0;
}

int rig_engine_subscribe(struct rig_engine *eng, struct rig_event_chain *chain,
                         rig_engine_event_fn fn, void *ctx, struct rig_err *err)
{
    if (!fn)
        return rig_err_set(err, RIG_EINVAL, "event subscriber without a function");
    if (eng->on_event == rig_event_chain_dispatch && eng->event_ctx != chain)
        return rig_err_set(err, RIG_EINVAL, "the engine already dispatches to another event "
                                            "chain");
    if (eng->on_event && eng->on_event != rig_event_chain_dispatch) {
        if (chain_add(chain, eng->on_event, eng->event_ctx, err) < 0)
            return -1;
    }
    if (chain_add(chain, fn, ctx, err) < 0)
        return -1;
    eng->on_event = rig_event_chain_dispatch;
    eng->event_ctx = chain;
    return 0;
}

void rig_event_chain_dispatch(void *ctx, const struct rig_task *task, enum rig_event ev,
                              const char *detail)
{
    const struct rig_event_chain *c = ctx;

    for (size_t i = 0; i < c->n; i++)
        c->subs[i].fn(c->subs[i].ctx, task, ev, detail);
}
