/*
 * The webhook intake over arbitrary bytes: the first byte picks the
 * X-GitHub-Event, the rest is the body, parsed as JSON and as a form. Beyond
 * "no crash, no leak" it aborts when a decision breaks its contract: a
 * trigger always carries an issue with a positive number, an id and a title;
 * an ignored delivery always says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/intake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const events[] = {"issues", "issue_comment", "ping", "push",
                                     "pull_request"};
static char *labels[] = {"rig", "Auto-Fix", NULL};
static struct rig_trigger_config triggers[] = {
    {RIG_EVENT_ISSUES_OPENED, {labels, 2}, NULL},
    {RIG_EVENT_ISSUES_LABELED, {labels, 2}, NULL},
    {RIG_EVENT_ISSUE_COMMENT_CREATED, {NULL, 0}, "/rig run"},
};
static const struct rig_workflow_config wf = {triggers, 3, 0, false};

static void check(const struct rig_intake *in)
{
    if (!in->key)
        abort();
    if (in->kind == RIG_INTAKE_TRIGGER &&
        (in->issue.number <= 0 || !in->issue.id || !in->issue.title || !*in->issue.title ||
         !in->issue.body || !in->repo || in->trigger >= wf.ntriggers))
        abort();
    if (in->kind == RIG_INTAKE_IGNORED && (!in->reason || !*in->reason))
        abort();
    if (in->kind == RIG_INTAKE_PING && !in->zen)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_intake in;
    const char *event;
    const char *body;
    size_t len, flen = 0;
    char *form;

    if (size < 1)
        return 0;
    event = events[data[0] % (sizeof(events) / sizeof(events[0]))];
    body = (const char *)data + 1;
    len = size - 1;
    if (rig_intake_parse(event, body, len, &wf, "rig-bot", &in, &err) == 0)
        check(&in);
    rig_intake_release(&in);
    form = rig_intake_form_payload(body, len, &flen);
    if (form && strlen(form) > flen)
        abort();
    free(form);
    return 0;
}
