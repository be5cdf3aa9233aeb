#ifndef RIG_SERVER_INTAKE_H
#define RIG_SERVER_INTAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "adapters/source/source.h"
#include "config/config.h"
#include "core/err.h"

/*
 * What a verified GitHub delivery asks for, decided from its event name and
 * payload alone (no store, no network), so it can be tested on the fixtures.
 *
 * Triggers (workflow.trigger), first match wins:
 *   issues.opened          labels: any of them on the issue (none = every new issue)
 *   issues.labeled         labels: the label just added is one of them
 *   issue_comment.created  keyword: the comment body contains it (case-insensitive);
 *                          labels, when given: one of them on the issue
 * Never a trigger: comments by bots (sender or comment author of type Bot), by
 * Rig itself (self_login, or a comment carrying RIG_STATUS_MARKER), events on
 * pull requests, events on closed issues, and every other event/action.
 */

/* Hidden marker in every comment Rig writes, so it never triggers itself. */
#define RIG_STATUS_MARKER "<!-- rig:status -->"

enum rig_intake_kind {
    RIG_INTAKE_PING,    /* GitHub's hello when a webhook is created */
    RIG_INTAKE_IGNORED, /* valid, but not something that starts a task: see reason */
    RIG_INTAKE_TRIGGER, /* start a task for issue on repo */
};

struct rig_intake {
    enum rig_intake_kind kind;
    char *key;        /* "issues.opened", "ping", "push" ... */
    char *reason;     /* IGNORED: why, for the response and the log */
    char *zen;        /* PING: GitHub's zen line ("" when absent) */
    char *repo;       /* repository.full_name; NULL when absent */
    size_t trigger;   /* TRIGGER: index into workflow.trigger */
    struct rig_issue issue; /* TRIGGER: number, id, title, body, url, author */
};

/*
 * Decide. event is the X-GitHub-Event header. -1 (RIG_EINVAL) only when the
 * body is not a JSON object; everything else is a decision in out.
 * self_login may be NULL (unknown).
 */
int rig_intake_parse(const char *event, const char *body, size_t len,
                     const struct rig_workflow_config *wf, const char *self_login,
                     struct rig_intake *out, struct rig_err *err);

void rig_intake_release(struct rig_intake *in);

/* The JSON text of a form-encoded delivery (its "payload" field, decoded);
 * NULL when there is none. Caller frees. */
char *rig_intake_form_payload(const char *body, size_t len, size_t *out_len);

#endif
