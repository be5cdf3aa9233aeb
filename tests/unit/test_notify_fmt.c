/*
 * Notifier message text: what each target gets for an event, escaping of
 * untrusted text, size limits, redaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "testutil.h"

#include "adapters/notify/notify_int.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"

static void assert_contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle))
        fail_msg("\"%s\" does not contain \"%s\"", hay ? hay : "(null)", needle);
}

static void assert_lacks(const char *hay, const char *needle)
{
    if (hay && strstr(hay, needle))
        fail_msg("\"%s\" contains \"%s\"", hay, needle);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = strstr(hay, needle); p; p = strstr(p + strlen(needle), needle))
        n++;
    return n;
}

static struct rig_task task(void)
{
    struct rig_task t = {0};

    t.id = "t-7f3a";
    t.issue_number = 42;
    t.issue_title = "Login fails for & <users>";
    t.issue_url = "https://github.com/acme/app/issues/42";
    t.phase = RIG_PHASE_TESTING;
    t.attempt = 2;
    return t;
}

/* The "text" or "content" of a webhook body; also checks the body is JSON. */
static char *field(const char *body, const char *key)
{
    json_t *j = json_loads(body, 0, NULL);
    char *s;

    assert_non_null(j);
    assert_true(json_is_string(json_object_get(j, key)));
    s = xstrdup(json_string_value(json_object_get(j, key)));
    json_decref(j);
    return s;
}

static void test_slack(void **state)
{
    struct rig_task t = task();
    char *body, *text;

    (void)state;
    body = notify_format(RIG_NOTIFY_SLACK, &t, RIG_EVENT_TEST_FAIL,
                         "2 tests failed\nFAIL test_login: expected 200, got 500");
    text = field(body, "text");
    assert_contains(text, ":x: *Tests failed*");
    assert_contains(text, "Rig task `t-7f3a`");
    assert_contains(text, "Issue #42: Login fails for &amp; &lt;users&gt;");
    assert_contains(text, "https://github.com/acme/app/issues/42");
    assert_contains(text, "Phase: testing, attempt 2");
    assert_contains(text, "```\n2 tests failed\nFAIL test_login: expected 200, got 500\n```");
    free(text);
    free(body);

    /* A success carries no detail (the engine passes the task's last error). */
    body = notify_format(RIG_NOTIFY_SLACK, &t, RIG_EVENT_TEST_PASS, "old error");
    text = field(body, "text");
    assert_contains(text, ":white_check_mark: *Tests passed*");
    assert_lacks(text, "old error");
    assert_lacks(text, "```");
    free(text);
    free(body);
}

static void test_slack_escapes_mentions_and_fences(void **state)
{
    struct rig_task t = task();
    char *body, *text;

    (void)state;
    t.issue_title = "<!channel> ping";
    body = notify_format(RIG_NOTIFY_SLACK, &t, RIG_EVENT_FAILED, "out ``` <@U123> &");
    text = field(body, "text");
    assert_lacks(text, "<!channel>");
    assert_lacks(text, "<@U123>");
    assert_contains(text, "&lt;!channel&gt; ping");
    assert_contains(text, "&lt;@U123&gt; &amp;");
    /* Only the block's own two fences remain. */
    assert_int_equal(count(text, "```"), 2);
    free(text);
    free(body);
}

static void test_pr_and_proposal(void **state)
{
    struct rig_task t = task();
    char *body, *text;

    (void)state;
    body = notify_format(RIG_NOTIFY_SLACK, &t, RIG_EVENT_PR_CREATED,
                         "https://github.com/acme/app/pull/7");
    text = field(body, "text");
    assert_contains(text, "*Pull request opened*");
    assert_contains(text, "Pull request: https://github.com/acme/app/pull/7");
    free(text);
    free(body);

    /* A local source has no pull-request page: the pushed branch is shown. */
    body = notify_format(RIG_NOTIFY_DISCORD, &t, RIG_EVENT_PR_CREATED, "rig/issue-42-login");
    text = field(body, "content");
    assert_contains(text, "Branch: rig/issue-42-login");
    assert_lacks(text, "Pull request:");
    free(text);
    free(body);

    body = notify_format(RIG_NOTIFY_DISCORD, &t, RIG_EVENT_PROPOSAL, "change port 80 to 8080");
    text = field(body, "content");
    assert_contains(text, "**Waiting for approval**");
    assert_contains(text, "rig approve t-7f3a");
    assert_contains(text, "change port 80 to 8080");
    free(text);
    free(body);
}

static void test_discord(void **state)
{
    struct rig_task t = task();
    json_t *j;
    char *body, *text;

    (void)state;
    t.issue_title = "@everyone look";
    body = notify_format(RIG_NOTIFY_DISCORD, &t, RIG_EVENT_DEPLOY_FAIL, "exit 1");
    j = json_loads(body, 0, NULL);
    assert_non_null(j);
    /* Mentions disabled: an issue title cannot ping the server. */
    assert_true(json_is_array(json_object_get(json_object_get(j, "allowed_mentions"), "parse")));
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "allowed_mentions"),
                                                     "parse")), 0);
    text = xstrdup(json_string_value(json_object_get(j, "content")));
    assert_contains(text, "**Deploy failed** \xc2\xb7 Rig task `t-7f3a`");
    assert_contains(text, "Issue #42: @everyone look <https://github.com/acme/app/issues/42>");
    assert_contains(text, "```\nexit 1\n```");
    free(text);
    json_decref(j);
    free(body);
}

static void test_discord_limit_keeps_the_tail(void **state)
{
    struct rig_task t = task();
    struct rig_buf d = RIG_BUF_INIT;
    char *body, *text;

    (void)state;
    /* Multi-byte and astral characters: Discord counts UTF-16 units. */
    for (int i = 0; i < 400; i++)
        rig_buf_addf(&d, "line %d \xc3\xa9\xf0\x9f\x98\x80\n", i);
    rig_buf_adds(&d, "the last line");
    body = notify_format(RIG_NOTIFY_DISCORD, &t, RIG_EVENT_TEST_FAIL, rig_buf_str(&d));
    text = field(body, "content");
    assert_true(notify_utf16_len(text) <= 2000);
    assert_true(notify_utf16_len(text) > 1500);
    assert_contains(text, "the last line\n```");
    assert_contains(text, "```\n\xe2\x80\xa6\n");
    assert_lacks(text, "line 0 ");
    free(text);
    free(body);
    rig_buf_release(&d);
}

static void test_comment(void **state)
{
    struct rig_task t = task();
    char *text;

    (void)state;
    text = notify_format(RIG_NOTIFY_COMMENT, &t, RIG_EVENT_TEST_FAIL,
                         "got ```` in output @octocat");
    assert_true(strncmp(text, "<!-- rig:task=t-7f3a event=test_fail -->\n", 41) == 0);
    assert_contains(text, "**Rig** \xc2\xb7 Tests failed \xc2\xb7 task `t-7f3a` \xc2\xb7 "
                          "phase testing, attempt 2");
    /* A fence longer than any backtick run in the text: nothing escapes it. */
    assert_contains(text, "\n`````text\ngot ```` in output @octocat\n`````\n");
    /* The comment is on the issue itself: no title repeated there. */
    assert_lacks(text, "Login fails");
    free(text);

    t.pr_url = "https://github.com/acme/app/pull/7";
    text = notify_format(RIG_NOTIFY_COMMENT, &t, RIG_EVENT_COMPLETED, "");
    assert_contains(text, "Task completed");
    assert_contains(text, "Pull request: https://github.com/acme/app/pull/7");
    free(text);
}

static void test_redaction_before_escaping(void **state)
{
    struct rig_task t = task();
    char *body, *text;

    (void)state;
    rig_secret_add("tok<&>en-123456");
    t.issue_title = "leak tok<&>en-123456 here";
    body = notify_format(RIG_NOTIFY_SLACK, &t, RIG_EVENT_FAILED, "auth tok<&>en-123456 failed");
    text = field(body, "text");
    assert_lacks(text, "en-123456");
    assert_contains(text, "leak [REDACTED] here");
    assert_contains(text, "auth [REDACTED] failed");
    free(text);
    free(body);
    text = notify_format(RIG_NOTIFY_COMMENT, &t, RIG_EVENT_FAILED, "tok<&>en-123456");
    assert_lacks(text, "en-123456");
    free(text);
    {
        /* Megabytes of output: the end is shown, redacted. */
        struct rig_buf big = RIG_BUF_INIT;

        for (int i = 0; i < 40000; i++)
            rig_buf_adds(&big, "tok<&>en-123456 xxxxxxxxxx\n");
        rig_buf_adds(&big, "final tok<&>en-123456 line");
        body = notify_format(RIG_NOTIFY_SLACK, &t, RIG_EVENT_TEST_FAIL, rig_buf_str(&big));
        text = field(body, "text");
        assert_lacks(text, "en-123456");
        assert_contains(text, "final [REDACTED] line\n```");
        assert_true(strlen(text) < NOTIFY_SLACK_DETAIL_MAX + 1000);
        free(text);
        free(body);
        rig_buf_release(&big);
    }
    rig_secret_clear();
}

static void test_clean_text(void **state)
{
    char *s;

    (void)state;
    /* ANSI colours dropped, invalid UTF-8 replaced, controls removed. */
    s = notify_utf8_clean("\x1b[31mred\x1b[0m ok\xff\xc0\xafz\x01\r\n\tend\xe2\x82");
    assert_string_equal(s, "red ok\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz\n\tend"
                           "\xef\xbf\xbd\xef\xbf\xbd");
    free(s);
    /* Surrogates and values past U+10FFFF are not UTF-8. */
    s = notify_utf8_clean("\xed\xa0\x80|\xf4\x90\x80\x80|\xf0\x9f\x98\x80");
    assert_string_equal(s, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd"
                           "\xef\xbf\xbd\xef\xbf\xbd|\xf0\x9f\x98\x80");
    free(s);
    assert_int_equal(notify_utf16_len("a\xc3\xa9\xf0\x9f\x98\x80"), 4);
}

static void test_invalid_utf8_still_json(void **state)
{
    struct rig_task t = task();
    char *body, *text;

    (void)state;
    t.issue_title = "bad \xff title";
    body = notify_format(RIG_NOTIFY_DISCORD, &t, RIG_EVENT_TEST_FAIL, "out \xfe\xfe");
    text = field(body, "content");
    assert_contains(text, "bad \xef\xbf\xbd title");
    free(text);
    free(body);
}

static void test_url_origin(void **state)
{
    char *s;

    (void)state;
    s = notify_url_origin("https://hooks.slack.com/services/T0/B0/secret");
    assert_string_equal(s, "https://hooks.slack.com");
    free(s);
    s = notify_url_origin("http://user:pw@127.0.0.1:9/x?y");
    assert_string_equal(s, "http://127.0.0.1:9");
    free(s);
    s = notify_url_origin("not a url");
    assert_string_equal(s, "(invalid URL)");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slack),
        cmocka_unit_test(test_slack_escapes_mentions_and_fences),
        cmocka_unit_test(test_pr_and_proposal),
        cmocka_unit_test(test_discord),
        cmocka_unit_test(test_discord_limit_keeps_the_tail),
        cmocka_unit_test(test_comment),
        cmocka_unit_test(test_redaction_before_escaping),
        cmocka_unit_test(test_clean_text),
        cmocka_unit_test(test_invalid_utf8_still_json),
        cmocka_unit_test(test_url_origin),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
