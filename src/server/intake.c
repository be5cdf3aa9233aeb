#include "server/intake.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/mem.h"
#include "core/str.h"
#include "core/banned.h"

/* Longest reason kept: labels and logins come from the payload. */
#define REASON_MAX 300

static const char *const event_keys[] = {
    [RIG_EVENT_ISSUES_OPENED] = "issues.opened",
    [RIG_EVENT_ISSUES_LABELED] = "issues.labeled",
    [RIG_EVENT_ISSUE_COMMENT_CREATED] = "issue_comment.created",
};

static int ignore(struct rig_intake *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int ignore(struct rig_intake *out, const char *fmt, ...)
{
    char buf[REASON_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    out->kind = RIG_INTAKE_IGNORED;
    free(out->reason);
    out->reason = xstrdup(buf);
    return 0;
}

static const char *str_at(json_t *root, const char *pointer)
{
    json_t *v = rig_json_pointer(root, pointer);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool label_listed(const struct rig_strlist *labels, const char *name)
{
    for (size_t i = 0; name && i < labels->n; i++)
        if (strcasecmp(labels->v[i], name) == 0)
            return true;
    return false;
}

static bool issue_has_label(json_t *issue, const struct rig_strlist *labels)
{
    json_t *arr = json_object_get(issue, "labels"), *l;
    size_t i;

    json_array_foreach(arr, i, l) {
        if (label_listed(labels, rig_json_str(l, "name", NULL)))
            return true;
    }
    return false;
}

/* "bug, docs" from the issue's labels, for a reason line. */
static void describe_labels(json_t *issue, char *buf, size_t n)
{
    json_t *arr = json_object_get(issue, "labels"), *l;
    size_t i, used = 0;

    buf[0] = '\0';
    json_array_foreach(arr, i, l) {
        const char *name = rig_json_str(l, "name", "?");
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", name);
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
    if (!used)
        rig_strlcpy(buf, "none", n);
}

static bool trigger_matches(const struct rig_trigger_config *t, json_t *root, json_t *issue)
{
    if (t->event == RIG_EVENT_ISSUES_LABELED)
        return label_listed(&t->labels, str_at(root, "/label/name"));
    if (t->labels.n && !issue_has_label(issue, &t->labels))
        return false;
    if (t->event == RIG_EVENT_ISSUE_COMMENT_CREATED) {
        const char *body = str_at(root, "/comment/body");
        return t->keyword && *t->keyword && body && strcasestr(body, t->keyword);
    }
    return true;
}

/* Comments Rig must not react to: bots, itself, its own status comments. */
static bool comment_from_rig_or_bot(json_t *root, const char *self_login, struct rig_intake *out)
{
    const char *sender = str_at(root, "/sender/login");
    const char *author = str_at(root, "/comment/user/login");
    const char *body = str_at(root, "/comment/body");

    if (rig_str_eq(str_at(root, "/sender/type"), "Bot") ||
        rig_str_eq(str_at(root, "/comment/user/type"), "Bot")) {
        ignore(out, "comment by a bot (%s)", author ? author : sender ? sender : "unknown");
        return true;
    }
    if (self_login && *self_login &&
        ((sender && strcasecmp(sender, self_login) == 0) ||
         (author && strcasecmp(author, self_login) == 0))) {
        ignore(out, "comment by Rig itself (%s)", self_login);
        return true;
    }
    if (body && strstr(body, RIG_STATUS_MARKER)) {
        ignore(out, "comment is one of Rig's own status comments");
        return true;
    }
    return false;
}

static void fill_issue(json_t *issue, struct rig_intake *out)
{
    const char *body = rig_json_str(issue, "body", "");
    const char *author = str_at(issue, "/user/login");

    out->issue.number = rig_json_int(issue, "number", 0);
    out->issue.id = xasprintf("%lld", out->issue.number);
    out->issue.title = xstrdup(rig_json_str(issue, "title", ""));
    out->issue.body = xstrdup(body);
    out->issue.url = xstrdup(rig_json_str(issue, "html_url", ""));
    out->issue.author = author ? xstrdup(author) : NULL;
}

static int decide(json_t *root, const char *event, const struct rig_workflow_config *wf,
                  const char *self_login, struct rig_intake *out)
{
    json_t *issue = json_object_get(root, "issue");
    bool tracked = false, comment;
    char labels[160];

    for (size_t i = 0; i < sizeof(event_keys) / sizeof(event_keys[0]); i++)
        tracked = tracked || strcmp(out->key, event_keys[i]) == 0;
    if (!tracked)
        return ignore(out, "event %s never starts a task", out->key);
    comment = strcmp(event, "issue_comment") == 0;
    if (!out->repo)
        return ignore(out, "the payload names no repository");
    if (!json_is_object(issue) || rig_json_int(issue, "number", 0) <= 0)
        return ignore(out, "the payload has no issue number");
    if (json_object_get(issue, "pull_request"))
        return ignore(out, "%s on a pull request, not an issue", out->key);
    if (rig_str_eq(rig_json_str(issue, "state", NULL), "closed"))
        return ignore(out, "issue #%lld is closed", rig_json_int(issue, "number", 0));
    if (comment && comment_from_rig_or_bot(root, self_login, out))
        return 0;
    if (!*rig_json_str(issue, "title", ""))
        return ignore(out, "issue #%lld has no title", rig_json_int(issue, "number", 0));
    for (size_t i = 0; i < wf->ntriggers; i++) {
        const struct rig_trigger_config *t = &wf->triggers[i];
        if (strcmp(event_keys[t->event], out->key) != 0 || !trigger_matches(t, root, issue))
            continue;
        out->kind = RIG_INTAKE_TRIGGER;
        out->trigger = i;
        fill_issue(issue, out);
        return 0;
    }
    describe_labels(issue, labels, sizeof(labels));
    if (strcmp(out->key, "issues.labeled") == 0)
        return ignore(out, "label '%s' is not one of the workflow.trigger labels",
                      str_at(root, "/label/name") ? str_at(root, "/label/name") : "?");
    if (comment)
        return ignore(out, "the comment does not contain a workflow.trigger keyword");
    return ignore(out, "no workflow.trigger for %s matches (issue labels: %s)", out->key,
                  labels);
}

int rig_intake_parse(const char *event, const char *body, size_t len,
                     const struct rig_workflow_config *wf, const char *self_login,
                     struct rig_intake *out, struct rig_err *err)
{
    json_t *root;
    const char *action;
    int rc;

    memset(out, 0, sizeof(*out));
    root = rig_json_loadb(body, len, "payload", err);
    if (!root)
        return -1;
    if (!json_is_object(root)) {
        rig_err_set(err, RIG_EINVAL, "payload: expected a JSON object, got %s",
                    rig_json_type_name(root));
        json_decref(root);
        return -1;
    }
    action = rig_json_str(root, "action", NULL);
    out->key = action ? xasprintf("%s.%s", event, action) : xstrdup(event);
    if (str_at(root, "/repository/full_name"))
        out->repo = xstrdup(str_at(root, "/repository/full_name"));
    if (strcmp(event, "ping") == 0) {
        out->kind = RIG_INTAKE_PING;
        out->zen = xstrdup(rig_json_str(root, "zen", ""));
        rc = 0;
    } else {
        rc = decide(root, event, wf, self_login, out);
    }
    json_decref(root);
    return rc;
}

void rig_intake_release(struct rig_intake *in)
{
    if (!in)
        return;
    free(in->key);
    free(in->reason);
    free(in->zen);
    free(in->repo);
    rig_issue_release(&in->issue);
    memset(in, 0, sizeof(*in));
}

/* ------------------------------------------------------ form encoding -- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *rig_intake_form_payload(const char *body, size_t len, size_t *out_len)
{
    const char *p = body, *end = body + len;
    struct rig_buf b = RIG_BUF_INIT;

    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *fe = amp ? amp : end;

        if ((size_t)(fe - p) >= 8 && memcmp(p, "payload=", 8) == 0) {
            for (const char *q = p + 8; q < fe; q++) {
                if (*q == '+') {
                    rig_buf_addch(&b, ' ');
                } else if (*q == '%' && fe - q >= 3 && hexval(q[1]) >= 0 && hexval(q[2]) >= 0) {
                    rig_buf_addch(&b, (char)(hexval(q[1]) << 4 | hexval(q[2])));
                    q += 2;
                } else {
                    rig_buf_addch(&b, *q);
                }
            }
            *out_len = b.len;
            return rig_buf_take(&b);
        }
        p = fe + 1;
    }
    return NULL;
}
