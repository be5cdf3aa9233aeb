#ifndef RIG_ADAPTERS_NOTIFY_NOTIFY_H
#define RIG_ADAPTERS_NOTIFY_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/source/source.h"
#include "config/config.h"
#include "core/err.h"
#include "engine/engine.h"
#include "store/store.h"

/*
 * Notifiers: pipeline events to Slack and Discord incoming webhooks and to
 * comments on the task's issue (rig.yaml `notify:`).
 *
 * rig_notifier_on_event is a rig_engine_event_fn. It filters by each entry's
 * `on` bits, formats the message on the caller's thread and only enqueues it,
 * so the engine never waits for the network. One background thread per
 * notifier sends its queue in order, retrying network errors, 429 and 5xx up
 * to max_attempts times with exponential backoff (a Retry-After header or
 * Discord's `retry_after` body field sets the wait). A notifier that keeps
 * failing is logged (webhook URL reduced to scheme and host: the URL is the
 * credential) and never fails a task.
 *
 * Event mapping: DEPLOYED and DEPLOY_FAIL -> on.deploy; TEST_FAIL, TEST_PASS,
 * PR_CREATED, PROPOSAL, FAILED -> their own bits. PHASE, COMPLETED and
 * CANCELLED reach only comment notifiers, as status comments: one "working on
 * it" comment the first time a task changes phase in this process, and one
 * when it completes or is cancelled (these ignore `on`; failures are `on.failed`).
 * Dry-run tasks notify nobody.
 *
 * Message text goes through rig_redact. Issue titles and error text are
 * untrusted: Slack control characters (& < >) are escaped, Discord mentions
 * are disabled (allowed_mentions), and details sit in code blocks.
 *
 * Thread-safety: rig_notifier_on_event may be called from several threads.
 * A comment notifier calls src->ops->comment from its own thread, so that op
 * must be safe to call while the engine uses the source.
 */

struct rig_notifier;

/* Tuning; a field left 0 takes its default. */
struct rig_notifier_opts {
    int max_attempts;       /* per message, first try included; default 5 */
    int64_t retry_base_ms;  /* first backoff; doubles each attempt; default 1000 */
    int64_t retry_max_ms;   /* cap on one wait, Retry-After included; default 60000 */
    int64_t timeout_ms;     /* one HTTP attempt; default 15000 */
    int64_t drain_ms;       /* how long rig_notifier_free waits for queued messages;
                               default 10000 */
    size_t queue_max;       /* per notifier; further messages are dropped; default 256 */
};

struct rig_notifier_stats {
    size_t notifiers; /* active (a comment notifier without a comment op is not) */
    size_t pending;   /* queued or being sent */
    size_t sent;
    size_t failed;    /* refused or given up after retries */
    size_t dropped;   /* queue full, or still queued when free gave up waiting */
};

void rig_notifier_opts_init(struct rig_notifier_opts *o);

/*
 * Build the notifiers of cfg[0..n) (rig.yaml notify:). src may be NULL; a
 * comment entry whose source has no comment op (local) is skipped with one
 * info log line. Webhook URLs are registered as secrets. Fails only on an
 * entry that cannot work (missing or non-http(s) webhook), naming it as
 * notify[i]. n == 0 gives a notifier that does nothing. cfg and src must
 * outlive the notifier.
 */
int rig_notifier_new(const struct rig_notify_config *cfg, size_t n, struct rig_source *src,
                     struct rig_notifier **out, struct rig_err *err);
int rig_notifier_new_opts(const struct rig_notify_config *cfg, size_t n,
                          struct rig_source *src, const struct rig_notifier_opts *opts,
                          struct rig_notifier **out, struct rig_err *err);

/* rig_engine_event_fn; ctx is the struct rig_notifier. Never blocks on I/O. */
void rig_notifier_on_event(void *ctx, const struct rig_task *task, enum rig_event ev,
                           const char *detail);

/* Wait until every queued message was sent or given up; -1 (RIG_ETIMEOUT)
 * after timeout_ms. For `rig exec` before it exits, and for tests. */
int rig_notifier_flush(struct rig_notifier *nt, int64_t timeout_ms, struct rig_err *err);

void rig_notifier_get_stats(struct rig_notifier *nt, struct rig_notifier_stats *out);

/* Send what is queued (waiting at most opts.drain_ms; messages still queued
 * then are dropped with a warning and in-flight requests are cancelled), stop
 * the threads and free. NULL-safe. */
void rig_notifier_free(struct rig_notifier *nt);

#endif
