/*
 * Webhook intake decisions on GitHub's real payloads
 * (/work/shared/fixtures/github-webhooks), and variants of them.
 */
#include "testutil.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/json.h"
#include "core/mem.h"
#include "server/intake.h"

static char *labels_rig[] = {"rig", "Auto-Fix", NULL};
static char *labels_bug[] = {"BUG", NULL};

/* issues.opened (any), issues.labeled [rig, Auto-Fix], comment "/rig run". */
static struct rig_trigger_config triggers[] = {
    {RIG_EVENT_ISSUES_OPENED, {NULL, 0}, NULL},
    {RIG_EVENT_ISSUES_LABELED, {labels_rig, 2}, NULL},
    {RIG_EVENT_ISSUE_COMMENT_CREATED, {NULL, 0}, "/rig run"},
};
static const struct rig_workflow_config wf = {triggers, 3, 0, false};

static char *fixture(const char *rel)
{
    char *p = tu_fixture(rel);
    char *s = tu_read_file(p);

    if (!s)
        fail_msg("cannot read fixture %s", p);
    free(p);
    return s;
}

/* A fixture with changes: pairs of JSON pointer (to an existing parent) and
 * JSON value text, NULL-terminated. */
static char *variant(const char *rel, ...)
{
    char *text = fixture(rel);
    json_t *root = json_loads(text, 0, NULL);
    va_list ap;
    const char *ptr;
    char *out;

    assert_non_null(root);
    va_start(ap, rel);
    while ((ptr = va_arg(ap, const char *))) {
        const char *val = va_arg(ap, const char *);
        char *parent = xstrdup(ptr);
        char *slash = strrchr(parent, '/');
        json_t *obj, *v = json_loads(val, JSON_DECODE_ANY, NULL);

        assert_non_null(v);
        *slash = '\0';
        obj = rig_json_pointer(root, parent);
        json_object_set_new(obj, slash + 1, v);
        free(parent);
    }
    va_end(ap);
    out = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    free(text);
    return out;
}

static void decide(const char *event, const char *body, const char *self,
                   struct rig_intake *in)
{
    struct rig_err err = RIG_ERR_INIT;

    if (rig_intake_parse(event, body, strlen(body), &wf, self, in, &err) < 0)
        fail_msg("parse: %s", err.msg);
}

static void test_opened_triggers(void **state)
{
    char *body = fixture("github-webhooks/issues/opened.payload.json");
    struct rig_intake in;

    (void)state;
    decide("issues", body, NULL, &in);
    assert_int_equal(in.kind, RIG_INTAKE_TRIGGER);
    assert_string_equal(in.key, "issues.opened");
    assert_string_equal(in.repo, "Codertocat/Hello-World");
    assert_int_equal(in.trigger, 0);
    assert_int_equal(in.issue.number, 1);
    assert_string_equal(in.issue.id, "1");
    assert_string_equal(in.issue.title, "Spelling error in the README file");
    assert_string_equal(in.issue.body,
                        "It looks like you accidently spelled 'commit' with two 't's.");
    assert_string_equal(in.issue.url, "https://github.com/Codertocat/Hello-World/issues/1");
    assert_string_equal(in.issue.author, "Codertocat");
    rig_intake_release(&in);
    free(body);
}

static void test_opened_null_body(void **state)
{
    char *body = fixture("github-webhooks/issues/opened.with-empty-body.payload.json");
    struct rig_intake in;

    (void)state;
    decide("issues", body, NULL, &in);
    assert_int_equal(in.kind, RIG_INTAKE_TRIGGER);
    assert_string_equal(in.issue.body, "");
    rig_intake_release(&in);
    free(body);
}

static void test_opened_label_filter(void **state)
{
    char *body = fixture("github-webhooks/issues/opened.payload.json");
    struct rig_trigger_config t[] = {{RIG_EVENT_ISSUES_OPENED, {labels_rig, 2}, NULL}};
    struct rig_trigger_config tb[] = {{RIG_EVENT_ISSUES_OPENED, {labels_bug, 1}, NULL}};
    struct rig_workflow_config w1 = {t, 1, 0, false}, w2 = {tb, 1, 0, false};
    struct rig_err err = RIG_ERR_INIT;
    struct rig_intake in;

    (void)state;
    assert_int_equal(rig_intake_parse("issues", body, strlen(body), &w1, NULL, &in, &err), 0);
    assert_int_equal(in.kind, RIG_INTAKE_IGNORED);
    assert_non_null(strstr(in.reason, "issue labels: bug"));
    rig_intake_release(&in);
    /* Labels compare case-insensitively: "BUG" matches "bug". */
    assert_int_equal(rig_intake_parse("issues", body, strlen(body), &w2, NULL, &in, &err), 0);
    assert_int_equal(in.kind, RIG_INTAKE_TRIGGER);
    rig_intake_release(&in);
    free(body);
}

static void test_labeled(void **state)
{
    char *bug = fixture("github-webhooks/issues/labeled.payload.json");
    char *rig = variant("github-webhooks/issues/labeled.payload.json", "/label/name",
                        "\"auto-fix\"", NULL);
    struct rig_intake in;

    (void)state;
    decide("issues", bug, NULL, &in);
    assert_int_equal(in.kind, RIG_INTAKE_IGNORED);
    assert_string_equal(in.reason, "label 'bug' is not one of the workflow.trigger labels");
    rig_intake_release(&in);
    /* The added label decides, not the labels the issue already had. */
    decide("issues", rig, NULL, &in);
    assert_int_equal(in.kind, RIG_INTAKE_TRIGGER);
    assert_int_equal(in.trigger, 1);
    rig_intake_release(&in);
    free(bug);
    free(rig);
}

static void test_comment_keyword(void **state)
{
    char *plain = fixture("github-webhooks/issue_comment/created.payload.json");
    char *kw = variant("github-webhooks/issue_comment/created.payload.json", "/comment/body",
                       "\"Looks right. /RIG RUN please\"", NULL);
    struct rig_intake in;

    (void)state;
    decide("issue_comment", plain, NULL, &in);
    assert_int_equal(in.kind, RIG_INTAKE_IGNORED);
    assert_string_equal(in.reason, "the comment does not contain a workflow.trigger keyword");
    rig_intake_release(&in);
    decide("issue_comment", kw, NULL, &in);
    assert_int_equal(in.kind, RIG_INTAKE_TRIGGER);
    assert_string_equal(in.key, "issue_comment.created");
    assert_int_equal(in.trigger, 2);
    assert_int_equal(in.issue.number, 1);
    rig_intake_release(&in);
    free(plain);
    free(kw);
}

static void test_comment_from_bots_and_rig(void **state)
{
    const char *f = "github-webhooks/issue_comment/created.payload.json";
    char *bot = variant(f, "/comment/body", "\"/rig run\"", "/sender/type", "\"Bot\"", NULL);
    char *bot_author = variant(f, "/comment/body", "\"/rig run\"", "/comment/user/type",
                               "\"Bot\"", NULL);
    char *marker = variant(f, "/comment/body",
                           "\"Rig: task failed. Retry with /rig run\\n<!-- rig:status -->\"",
                           NULL);
    char *self = variant(f, "/comment/body", "\"/rig run\"", NULL);
    struct rig_intake in;

    (void)state;
    decide("issue_comment", bot, NULL, &in);
    assert_int_equal(in.kind, RIG_INTAKE_IGNORED);
    assert_string_equal(in.reason, "comment by a bot (Codertocat)");
    rig_intake_release(&in);
    decide("issue_comment", bot_author, NULL, &in);
    assert_int_equal(in.kind, RIG_INTAKE_IGNORED);
    rig_intake_release(&in);
    decide("issue_comment", marker, NULL, &in);
    assert_int_equal(in.kind, RIG_INTAKE_IGNORED);
    assert_string_equal(in.reason, "comment is one of Rig's own status comments");
    rig_intake_release(&in);
    decide("issue_comment", self, "codertocat", &in);
    assert_int_equal(in.kind, RIG_INTAKE_IGNORED);
    assert_string_equal(in.reason, "comment by Rig itself (codertocat)");
    rig_intake_release(&in);
    decide("issue_comment", self, "someone-else", &in);
    assert_int_equal(in.kind, RIG_INTAKE_TRIGGER);
    rig_intake_release(&in);
    free(bot);
    free(bot_author);
    free(marker);
    free(self);
}

static void test_not_triggers(void **state)
{
    const char *f = "github-webhooks/issue_comment/created.payload.json";
    char *edited = fixture("github-webhooks/issues/edited.payload.json");
    char *pr = fixture("github-webhooks/pull_request/opened.payload.json");
    char *push = fixture("github-webhooks/push/payload.json");
    char *on_pr = variant(f, "/comment/body", "\"/rig run\"", "/issue/pull_request",
                          "{\"url\": \"x\"}", NULL);
    char *closed = variant(f, "/comment/body", "\"/rig run\"", "/issue/state", "\"closed\"",
                           NULL);
    char *norepo = variant("github-webhooks/issues/opened.payload.json", "/repository",
                           "null", NULL);
    char *closed_label = variant("github-webhooks/issues/labeled.payload.json", "/label/name",
                                 "\"rig\"", "/issue/state", "\"closed\"", NULL);
    struct rig_intake in;

    (void)state;
    decide("issues", edited, NULL, &in);
    assert_int_equal(in.kind, RIG_INTAKE_IGNORED);
    assert_string_equal(in.reason, "event issues.edited never starts a task");
    rig_intake_release(&in);
    decide("pull_request", pr, NULL, &in);
    assert_string_equal(in.reason, "event pull_request.opened never starts a task");
    rig_intake_release(&in);
    decide("push", push, NULL, &in);
    assert_string_equal(in.key, "push");
    assert_int_equal(in.kind, RIG_INTAKE_IGNORED);
    rig_intake_release(&in);
    decide("issue_comment", on_pr, NULL, &in);
    assert_string_equal(in.reason, "issue_comment.created on a pull request, not an issue");
    rig_intake_release(&in);
    decide("issue_comment", closed, NULL, &in);
    assert_string_equal(in.reason, "issue #1 is closed");
    rig_intake_release(&in);
    decide("issues", norepo, NULL, &in);
    assert_string_equal(in.reason, "the payload names no repository");
    rig_intake_release(&in);
    decide("issues", closed_label, NULL, &in);
    assert_string_equal(in.reason, "issue #1 is closed");
    rig_intake_release(&in);
    free(closed_label);
    free(edited);
    free(pr);
    free(push);
    free(on_pr);
    free(closed);
    free(norepo);
}

static void test_ping(void **state)
{
    char *body = fixture("github-webhooks/ping/payload.json");
    struct rig_intake in;

    (void)state;
    decide("ping", body, NULL, &in);
    assert_int_equal(in.kind, RIG_INTAKE_PING);
    assert_string_equal(in.zen, "Anything added dilutes everything else.");
    assert_string_equal(in.repo, "Octocoders/Hello-World");
    rig_intake_release(&in);
    free(body);
}

static void test_bad_payloads(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_intake in;

    (void)state;
    assert_int_equal(rig_intake_parse("issues", "{\"action\":", 10, &wf, NULL, &in, &err), -1);
    assert_non_null(strstr(err.msg, "invalid JSON"));
    rig_intake_release(&in);
    assert_int_equal(rig_intake_parse("issues", "[1]", 3, &wf, NULL, &in, &err), -1);
    assert_string_equal(err.msg, "payload: expected a JSON object, got array");
    rig_intake_release(&in);
    assert_int_equal(rig_intake_parse("issues", "", 0, &wf, NULL, &in, &err), -1);
    rig_intake_release(&in);
}

static void test_form_payload(void **state)
{
    const char *form = "a=1&payload=%7B%22zen%22%3A+%22x+y%22%7D&b=2";
    size_t len = 0;
    char *json = rig_intake_form_payload(form, strlen(form), &len);

    (void)state;
    assert_non_null(json);
    assert_string_equal(json, "{\"zen\": \"x y\"}");
    assert_int_equal(len, strlen(json));
    free(json);
    assert_null(rig_intake_form_payload("{\"a\":1}", 7, &len));
    assert_null(rig_intake_form_payload("payloads=1", 10, &len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opened_triggers),
        cmocka_unit_test(test_opened_null_body),
        cmocka_unit_test(test_opened_label_filter),
        cmocka_unit_test(test_labeled),
        cmocka_unit_test(test_comment_keyword),
        cmocka_unit_test(test_comment_from_bots_and_rig),
        cmocka_unit_test(test_not_triggers),
        cmocka_unit_test(test_ping),
        cmocka_unit_test(test_bad_payloads),
        cmocka_unit_test(test_form_payload),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
