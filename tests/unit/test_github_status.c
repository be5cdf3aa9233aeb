/* The status comment's markdown and the GitHub client's encoders. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "adapters/source/github_api.h"
#include "adapters/source/github_status.h"
#include "core/log.h"
#include "engine/phase.h"

#define B(p) (1u << (unsigned)(p))

static struct rig_github_status_view view(enum rig_phase p, unsigned reached)
{
    struct rig_github_status_view v;

    memset(&v, 0, sizeof(v));
    v.task_id = "t-1";
    v.phase = p;
    v.reached = reached;
    v.attempt = 1;
    v.max_attempts = 3;
    v.updated_ms = 1767225600000LL; /* 2026-01-01T00:00:00Z */
    return v;
}

static void test_running(void **state)
{
    struct rig_github_status_view v =
        view(RIG_PHASE_DEPLOYING, B(RIG_PHASE_PLANNING) | B(RIG_PHASE_CODING) |
                                      B(RIG_PHASE_COMMITTING) | B(RIG_PHASE_DEPLOYING));
    char *md;

    (void)state;
    md = rig_github_status_render(&v);
    assert_string_equal(md, "### ● Rig is working on this issue: Deploy\n\n"
                            "- ✔ Plan\n- ✔ Code\n- ✔ Commit and push\n- ● Deploy\n- ○ Test\n"
                            "- ○ Pull request\n\nAttempt 1 of 3\n\n"
                            "<sub>Task `t-1` · updated 2026-01-01T00:00:00Z · Rig edits this "
                            "comment as the task runs; details: `rig logs t-1`</sub>\n");
    free(md);
}

static void test_optional_items(void **state)
{
    struct rig_github_status_view v = view(RIG_PHASE_AWAITING_APPROVAL,
                                           B(RIG_PHASE_PLANNING) | B(RIG_PHASE_CODING) |
                                               B(RIG_PHASE_COMMITTING));
    char *md;

    (void)state;
    md = rig_github_status_render(&v);
    assert_non_null(strstr(md, "waiting for approval (`rig approve t-1` or `rig reject t-1`)"));
    assert_non_null(strstr(md, "- ✔ Commit and push\n- ● Approval\n- ○ Deploy\n"));
    assert_null(strstr(md, "Roll back"));
    free(md);
    v = view(RIG_PHASE_FAILED, B(RIG_PHASE_PLANNING) | B(RIG_PHASE_CODING) |
                                   B(RIG_PHASE_COMMITTING) | B(RIG_PHASE_DEPLOYING) |
                                   B(RIG_PHASE_TESTING) | B(RIG_PHASE_ROLLING_BACK));
    v.failed = B(RIG_PHASE_TESTING);
    v.attempt = 3;
    v.reason = "tests still failing; rollback succeeded";
    md = rig_github_status_render(&v);
    assert_non_null(strstr(md, "### ✘ Rig could not finish this issue"));
    assert_non_null(strstr(md, "- ✘ Test\n- ✔ Roll back\n- – Pull request\n"));
    assert_non_null(strstr(md, "Attempt 3 of 3"));
    assert_non_null(strstr(md, "**Why:**\n\n```\ntests still failing; rollback succeeded\n```"));
    assert_null(strstr(md, "Approval"));
    free(md);
}

static void test_other_states(void **state)
{
    struct rig_github_status_view v = view(RIG_PHASE_ANALYZING, B(RIG_PHASE_TESTING));
    char *md, *long_reason;

    (void)state;
    v.attempt = 2;
    md = rig_github_status_render(&v);
    assert_non_null(strstr(md, "analysing why attempt 2 failed"));
    free(md);
    v = view(RIG_PHASE_CANCELLED, B(RIG_PHASE_PLANNING));
    md = rig_github_status_render(&v);
    assert_non_null(strstr(md, "### Rig stopped: the task was cancelled"));
    assert_non_null(strstr(md, "- ✔ Plan\n- – Code\n"));
    free(md);
    v = view(RIG_PHASE_TESTING, B(RIG_PHASE_TESTING));
    v.pr_url = "https://github.com/a/b/pull/9";
    md = rig_github_status_render(&v);
    assert_non_null(strstr(md, "Attempt 1 of 3 · pull request: https://github.com/a/b/pull/9"));
    free(md);
    /* a huge reason is cut on a character boundary */
    long_reason = malloc(5001);
    for (int i = 0; i < 5000; i += 2)
        memcpy(long_reason + i, "é", 2);
    long_reason[5000] = '\0';
    v = view(RIG_PHASE_FAILED, 0);
    v.reason = long_reason;
    md = rig_github_status_render(&v);
    assert_true(strlen(md) < 2500);
    assert_non_null(strstr(md, "é …\n```"));
    free(md);
    free(long_reason);
}

static void test_reason_redacted(void **state)
{
    struct rig_github_status_view v = view(RIG_PHASE_FAILED, B(RIG_PHASE_PLANNING));
    char *md;

    (void)state;
    /* The task's error text is posted on a public issue. */
    rig_secret_add("ghp_statusSecret0123456789abcdef");
    v.reason = "deploy failed: curl -H 'Authorization: ghp_statusSecret0123456789abcdef'";
    md = rig_github_status_render(&v);
    rig_secret_clear();
    assert_non_null(strstr(md, "deploy failed: curl -H 'Authorization: "));
    assert_null(strstr(md, "ghp_statusSecret0123456789abcdef"));
    free(md);
}

static void test_encoders(void **state)
{
    char *s;

    (void)state;
    s = rig_gh_escape("acme:rig/issue-1 a+b~._-é");
    assert_string_equal(s, "acme%3Arig%2Fissue-1%20a%2Bb~._-%C3%A9");
    free(s);
    s = rig_gh_base64("x-access-token:abc");
    assert_string_equal(s, "eC1hY2Nlc3MtdG9rZW46YWJj");
    free(s);
    s = rig_gh_base64("");
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_running),
        cmocka_unit_test(test_optional_items),
        cmocka_unit_test(test_other_states),
        cmocka_unit_test(test_reason_redacted),
        cmocka_unit_test(test_encoders),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
