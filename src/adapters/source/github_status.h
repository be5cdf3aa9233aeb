#ifndef RIG_ADAPTERS_SOURCE_GITHUB_STATUS_H
#define RIG_ADAPTERS_SOURCE_GITHUB_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/source/source.h"
#include "core/err.h"
#include "engine/engine.h"
#include "store/store.h"

/*
 * The status comment and Rig's labels, driven by engine events.
 *
 * rig_github_status_on_event is a rig_engine_event_fn (subscribe it with
 * rig_engine_subscribe next to a notifier). For every task that came from an
 * issue with a URL (not dry runs) it keeps a compact view of the run and:
 *  - edits the one status comment (source op status_comment) on each
 *    phase change, a PR, and the end: a checklist of the phases with
 *    ✔ done / ● now / ✘ failed / ○ not yet / – skipped, "attempt n of N",
 *    the pull request link, the failure reason;
 *  - sets the state label (source op set_label): running when the task starts
 *    working, done / failed at the end, none when cancelled.
 * The engine thread only renders and queues: one background thread does the
 * network calls in order. Queued comment updates for the same issue collapse
 * into the newest, so a slow API never builds a backlog. Failures are logged
 * and never fail a task. The comment never contains "[rig]" or another
 * trigger keyword: the text is Rig's own and carries the hidden marker.
 */

struct rig_github_status;

/* src must have the status_comment and set_label ops (a GitHub source) and
 * outlive the updater. */
int rig_github_status_new(struct rig_source *src, struct rig_github_status **out,
                          struct rig_err *err);

/* rig_engine_event_fn; ctx is the struct rig_github_status. Thread-safe. */
void rig_github_status_on_event(void *ctx, const struct rig_task *task, enum rig_event ev,
                                const char *detail);

/* Wait until everything queued was sent (or failed); -1 (RIG_ETIMEOUT) after
 * timeout_ms. */
int rig_github_status_flush(struct rig_github_status *s, int64_t timeout_ms, struct rig_err *err);

/* Counters, for tests and `rig exec`'s exit. */
struct rig_github_status_stats {
    size_t comments_sent;
    size_t labels_sent;
    size_t failed;
    size_t pending;
};
void rig_github_status_get_stats(struct rig_github_status *s, struct rig_github_status_stats *o);

/* Sends what is queued (up to 30 s), stops the thread, frees. NULL-safe. */
void rig_github_status_free(struct rig_github_status *s);

/*
 * The view a status comment is rendered from (exposed for tests).
 * reached/failed are bits (1u << enum rig_phase).
 */
struct rig_github_status_view {
    const char *task_id;
    enum rig_phase phase;      /* current */
    unsigned reached;          /* phases of the current attempt reached so far */
    unsigned failed;           /* where it failed (usually one bit) */
    int attempt;               /* 1-based */
    int max_attempts;          /* max_retry + 1 */
    const char *pr_url;        /* NULL until a PR exists */
    long long pr_number;
    const char *reason;        /* failure reason, NULL unless failed */
    int64_t updated_ms;
};

/* The markdown (without the hidden marker, which the source adds). */
char *rig_github_status_render(const struct rig_github_status_view *v);

#endif
