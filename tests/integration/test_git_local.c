#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapters/source/git.h"
#include "adapters/source/source.h"
#include "adapters/source/workspace.h"
#include "core/err.h"
#include "core/mem.h"

/*
 * Real git end to end: a bare "remote" seeded with one commit, a per-task
 * workspace cloned from it through the local source, commits, push, and
 * checks against the remote's own log.
 */

struct fx {
    char *tmp;
    char *home;
    char *remote; /* bare repository */
    char *data;
    struct rig_git git;
    struct rig_source *src;
    struct rig_workspace ws;
    char base_sha[41];
};

static void sh_ok(const char *what, int rc)
{
    if (rc != 0)
        fail_msg("%s: shell exit %d", what, rc);
}

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof(*f));
    struct rig_source_local_opts o;
    struct rig_err err = RIG_ERR_INIT;
    char *counter, *out = NULL;

    f->tmp = tu_mkdtemp("rig-git");
    f->home = tu_path(f->tmp, "home");
    f->remote = tu_path(f->tmp, "remote.git");
    f->data = tu_path(f->tmp, "data");
    mkdir(f->home, 0700);
    mkdir(f->data, 0700);
    sh_ok("seed", tu_sh(NULL,
                        "set -e; cd '%s'; export HOME='%s' GIT_CONFIG_NOSYSTEM=1; "
                        "git init -q --bare -b main remote.git; git clone -q remote.git seed "
                        "2>/dev/null; cd seed; printf 'hello\\n' > README.md; mkdir -p src; "
                        "printf 'int main(void)\\n{\\n    return 1;\\n}\\n' > src/main.c; "
                        "git add -A; git -c user.name=Seed -c user.email=seed@x commit -qm "
                        "initial; git push -q origin main",
                        f->tmp, f->home));
    sh_ok("rev-parse", tu_sh(&out, "git --git-dir='%s' rev-parse main", f->remote));
    memcpy(f->base_sha, out, 40);
    f->base_sha[40] = '\0';
    free(out);

    f->git.home = f->home;
    counter = tu_path(f->data, "issue-counter");
    memset(&o, 0, sizeof(o));
    o.repo = f->remote;
    o.counter_path = counter;
    o.git = f->git;
    if (rig_source_local_new(&o, &f->src, &err) != 0)
        fail_msg("source: %s", err.msg);
    free(counter);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    rig_source_free(f->src);
    rig_workspace_release(&f->ws);
    tu_rmtree(f->tmp);
    free(f->tmp);
    free(f->home);
    free(f->remote);
    free(f->data);
    free(f);
    return 0;
}

/* Fetch an issue from a markdown file and prepare its workspace. */
static void prepare_task(struct fx *f, const char *task_id, bool resume, struct rig_issue *issue)
{
    struct rig_err err = RIG_ERR_INIT;
    char *md = tu_path(f->tmp, "issue.md");
    /* a resumed task keeps its issue number; new tasks take the next one */
    struct rig_issue_ref ref = {md, NULL, NULL, resume ? 1 : 0};
    char *branch;

    tu_write_file(md, "# Fix the Login!\n\nThe login returns 1.\n");
    if (f->src->ops->fetch_issue(f->src, &ref, issue, &err) != 0)
        fail_msg("fetch: %s", err.msg);
    free(md);
    rig_workspace_release(&f->ws);
    if (rig_workspace_init(&f->ws, f->data, task_id, &err) != 0)
        fail_msg("ws init: %s", err.msg);
    branch = rig_workspace_branch_name(issue->number, issue->title);
    rig_workspace_set_branch(&f->ws, branch);
    free(branch);
    if (f->src->ops->prepare_workspace(f->src, &f->ws, resume, &err) != 0)
        fail_msg("prepare: %s", err.msg);
}

static void commit_change(struct fx *f, const struct rig_ws_change *c, size_t n, const char *msg,
                          char sha[41])
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_git_ident who = {"Rig Bot", "bot@rig.test"};
    bool committed = false;

    if (rig_workspace_apply(&f->ws, c, n, &err) != 0)
        fail_msg("apply: %s", err.msg);
    if (rig_git_add_all(&f->git, f->ws.repo, &err) != 0)
        fail_msg("add: %s", err.msg);
    if (rig_git_commit(&f->git, f->ws.repo, msg, &who, &committed, sha, &err) != 0)
        fail_msg("commit: %s", err.msg);
    assert_true(committed);
}

static void test_clone_branch_commit_push(void **state)
{
    struct fx *f = *state;
    struct rig_issue issue;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ws_edit fix[] = {{"return 1;", "return 0;"}};
    struct rig_ws_change c1[] = {{"docs/login.md", RIG_WS_WRITE, "# Login\nworks\n", NULL, 0}};
    struct rig_ws_change c2[] = {{"src/main.c", RIG_WS_EDIT, NULL, fix, 1}};
    char head[41], sha1[41], sha2[41];
    char *out = NULL, *want;
    struct rig_git_diffstat ds;
    struct rig_git_status st;
    char **files = NULL;
    size_t n = 0;
    bool committed = true, trunc = true;

    prepare_task(f, "task-1", false, &issue);
    assert_int_equal(issue.number, 1);
    assert_string_equal(issue.id, "1");
    assert_string_equal(issue.title, "Fix the Login!");
    assert_string_equal(issue.body, "The login returns 1.");
    assert_string_equal(f->ws.branch, "rig/issue-1-fix-the-login");
    assert_string_equal(f->ws.base, "main");
    assert_false(f->ws.reused);
    assert_true(strstr(f->ws.repo, "/data/workspaces/task-1/repo") != NULL);
    assert_int_equal(rig_git_head(&f->git, f->ws.repo, head, &err), 0);
    assert_string_equal(head, f->base_sha);
    /* the workspace is a clone, not the remote itself */
    assert_int_equal(tu_sh(&out, "git -C '%s' rev-parse --abbrev-ref HEAD", f->ws.repo), 0);
    assert_string_equal(out, "rig/issue-1-fix-the-login\n");
    free(out);

    /* agent-style view of uncommitted edits */
    if (rig_workspace_apply(&f->ws, c1, 1, &err) != 0)
        fail_msg("apply: %s", err.msg);
    {
        char *p = tu_path(f->ws.repo, "README.md");
        tu_write_file(p, "hello\nmore\n");
        free(p);
    }
    assert_int_equal(rig_git_diffstat(&f->git, f->ws.repo, &ds, &err), 0);
    assert_int_equal(ds.files, 2);
    assert_int_equal(ds.added, 1 + 2);
    assert_int_equal(ds.removed, 0);
    assert_int_equal(rig_git_status_changed(&f->git, f->ws.repo, &st, &err), 0);
    assert_int_equal(st.len, 2);
    for (size_t i = 0; i < st.len; i++) {
        if (strcmp(st.items[i].path, "README.md") == 0)
            assert_int_equal(st.items[i].worktree, 'M');
        else if (strcmp(st.items[i].path, "docs/login.md") == 0)
            assert_int_equal(st.items[i].index, '?');
        else
            fail_msg("unexpected status path %s", st.items[i].path);
        assert_false(st.items[i].deleted);
    }
    rig_git_status_release(&st);

    /* commit 1 (the two files above), commit 2 (an edit) */
    commit_change(f, NULL, 0, "rig: add login docs\n\nbody line", sha1);
    commit_change(f, c2, 1, "rig: fix login return value", sha2);
    assert_string_not_equal(sha1, sha2);
    assert_int_equal(rig_git_head(&f->git, f->ws.repo, head, &err), 0);
    assert_string_equal(head, sha2);

    /* nothing left: reported, not an error */
    assert_int_equal(rig_git_add_all(&f->git, f->ws.repo, &err), 0);
    assert_int_equal(rig_git_commit(&f->git, f->ws.repo, "empty", NULL, &committed, NULL, &err),
                     0);
    assert_false(committed);

    if (f->src->ops->push_branch(f->src, &f->ws, &err) != 0)
        fail_msg("push: %s", err.msg);
    assert_int_equal(tu_sh(&out, "git --git-dir='%s' log --format='%%H %%an <%%ae> %%s' "
                                 "main..rig/issue-1-fix-the-login", f->remote), 0);
    want = xasprintf("%s Rig Bot <bot@rig.test> rig: fix login return value\n"
                     "%s Rig Bot <bot@rig.test> rig: add login docs\n", sha2, sha1);
    assert_string_equal(out, want);
    free(want);
    free(out);
    /* the base branch on the remote is untouched */
    assert_int_equal(tu_sh(&out, "git --git-dir='%s' rev-parse main", f->remote), 0);
    assert_int_equal(strncmp(out, f->base_sha, 40), 0);
    free(out);

    /* diff against the base */
    assert_int_equal(rig_git_diff_names(&f->git, f->ws.repo, "origin/main", &files, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(files[0], "README.md");
    assert_string_equal(files[1], "docs/login.md");
    assert_string_equal(files[2], "src/main.c");
    assert_null(files[3]);
    rig_strv_free(files);
    assert_int_equal(rig_git_diff_text(&f->git, f->ws.repo, "origin/main", 0, &out, &trunc,
                                       &err), 0);
    assert_false(trunc);
    assert_non_null(strstr(out, "diff --git a/src/main.c b/src/main.c"));
    assert_non_null(strstr(out, "-    return 1;\n+    return 0;\n"));
    assert_non_null(strstr(out, "+more\n"));
    free(out);
    assert_int_equal(rig_git_diff_text(&f->git, f->ws.repo, "origin/main", 20, &out, &trunc,
                                       &err), 0);
    assert_true(trunc);
    assert_int_equal(strlen(out), 20);
    assert_int_equal(strncmp(out, "diff --git a/README.", 20), 0);
    free(out);

    assert_int_equal(rig_git_ls_files(&f->git, f->ws.repo, &files, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(files[1], "docs/login.md");
    rig_strv_free(files);

    /* working tree is clean again */
    assert_int_equal(rig_git_diffstat(&f->git, f->ws.repo, &ds, &err), 0);
    assert_int_equal(ds.files + ds.added + ds.removed, 0);
    rig_issue_release(&issue);
}

static void test_push_never_forces(void **state)
{
    struct fx *f = *state;
    struct rig_issue issue;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ws_change c1[] = {{"a.txt", RIG_WS_WRITE, "mine\n", NULL, 0}};
    struct rig_ws_change c2[] = {{"b.txt", RIG_WS_WRITE, "mine too\n", NULL, 0}};
    char sha[41];
    char *out = NULL;

    prepare_task(f, "task-2", false, &issue);
    commit_change(f, c1, 1, "first", sha);
    assert_int_equal(f->src->ops->push_branch(f->src, &f->ws, &err), 0);
    /* someone else moves the remote branch */
    sh_ok("other", tu_sh(NULL,
                         "set -e; cd '%s'; export HOME='%s'; git clone -q -b '%s' remote.git "
                         "other 2>/dev/null; cd other; echo theirs > c.txt; git add -A; "
                         "git -c user.name=O -c user.email=o@x commit -qm theirs; git push -q "
                         "origin HEAD",
                         f->tmp, f->home, f->ws.branch));
    commit_change(f, c2, 1, "second", sha);
    assert_int_equal(f->src->ops->push_branch(f->src, &f->ws, &err), -1);
    print_message("push refused as expected: %s\n", err.msg);
    assert_int_equal(err.code, RIG_ECONFLICT);
    assert_non_null(strstr(err.msg, "push rig/issue-1-fix-the-login"));
    assert_non_null(strstr(err.msg, "rejected"));
    assert_int_equal(tu_sh(&out, "git --git-dir='%s' log --format=%%s '%s'", f->remote,
                           f->ws.branch), 0);
    assert_string_equal(out, "theirs\nfirst\ninitial\n");
    free(out);
    rig_issue_release(&issue);
}

static void test_resume_reuses_workspace(void **state)
{
    struct fx *f = *state;
    struct rig_issue issue;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ws_change c[] = {{"wip.txt", RIG_WS_WRITE, "progress\n", NULL, 0}};
    char sha[41], head[41];

    prepare_task(f, "task-3", false, &issue);
    commit_change(f, c, 1, "wip", sha);
    rig_issue_release(&issue);

    /* resume: same clone, same branch (issue 1), commit kept */
    prepare_task(f, "task-3", true, &issue);
    assert_true(f->ws.reused);
    assert_int_equal(rig_git_head(&f->git, f->ws.repo, head, &err), 0);
    assert_string_equal(head, sha);
    rig_issue_release(&issue);

    /* a fresh start throws the old clone away */
    prepare_task(f, "task-3", false, &issue);
    assert_false(f->ws.reused);
    assert_int_equal(rig_git_head(&f->git, f->ws.repo, head, &err), 0);
    assert_string_equal(head, f->base_sha);
    rig_issue_release(&issue);

    /* a broken leftover is not "resumable": it is re-cloned */
    sh_ok("break", tu_sh(NULL, "rm -rf '%s/.git'", f->ws.repo));
    prepare_task(f, "task-3", true, &issue);
    assert_false(f->ws.reused);
    assert_int_equal(rig_git_head(&f->git, f->ws.repo, head, &err), 0);
    assert_string_equal(head, f->base_sha);
    rig_issue_release(&issue);
}

static void test_issue_numbers_and_markdown(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_issue i1, i2, i3, i4;
    struct rig_issue_ref given = {NULL, "Explicit", "b", 10};
    struct rig_issue_ref next = {NULL, "  Next one  ", NULL, 0};
    struct rig_issue_ref none = {NULL, "", NULL, 0};
    char *md = tu_path(f->tmp, "bad.md");
    struct rig_issue_ref bad = {md, NULL, NULL, 0};
    char *title = NULL, *body = NULL;

    assert_int_equal(f->src->ops->fetch_issue(f->src, &next, &i1, &err), 0);
    assert_int_equal(i1.number, 1);
    assert_string_equal(i1.title, "Next one");
    assert_string_equal(i1.body, "");
    assert_int_equal(f->src->ops->fetch_issue(f->src, &given, &i2, &err), 0);
    assert_int_equal(i2.number, 10);
    assert_int_equal(f->src->ops->fetch_issue(f->src, &next, &i3, &err), 0);
    assert_int_equal(i3.number, 11);
    assert_int_equal(f->src->ops->fetch_issue(f->src, &none, &i4, &err), -1);
    assert_non_null(strstr(err.msg, "title"));

    tu_write_file(md, "no heading here\n## second level\n");
    rig_err_clear(&err);
    assert_int_equal(f->src->ops->fetch_issue(f->src, &bad, &i4, &err), -1);
    assert_string_equal(err.file, md);
    assert_non_null(strstr(err.msg, "# <title>"));

    assert_int_equal(rig_issue_parse_markdown("Intro\r\n```\n# not a title\n```\n# Real "
                                              "title  \r\nrest\n", "x.md", &title, &body,
                                              &err), 0);
    assert_string_equal(title, "Real title");
    assert_string_equal(body, "Intro\r\n```\n# not a title\n```\nrest");
    free(title);
    free(body);
    rig_issue_release(&i1);
    rig_issue_release(&i2);
    rig_issue_release(&i3);
    free(md);
}

static void test_pr_record_and_optional_ops(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_pr_request req = {"rig/issue-1-x", "main", "rig: x", "## body", 0};
    struct rig_pr_request bad = {"rig/issue-1-x", "", "t", NULL, 0};
    struct rig_pr pr;

    assert_string_equal(f->src->ops->name, "local");
    assert_null(f->src->ops->comment);
    assert_null(f->src->ops->set_status);
    assert_string_equal(f->src->repo_name, "remote");
    assert_int_equal(f->src->ops->open_pr(f->src, &req, &pr, &err), 0);
    assert_string_equal(pr.branch, "rig/issue-1-x");
    assert_string_equal(pr.base, "main");
    assert_string_equal(pr.title, "rig: x");
    assert_string_equal(pr.body, "## body");
    assert_int_equal(pr.number, 0);
    assert_null(pr.url);
    rig_pr_release(&pr);
    assert_int_equal(f->src->ops->open_pr(f->src, &bad, &pr, &err), -1);
}

static void test_sources_and_errors(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_source_local_opts o;
    struct rig_source *s = NULL;
    const char *bad_argv[] = {"rev-parse", "--verify", "no-such-branch", NULL};
    const char *cfg_argv[] = {"config", "--get", "user.name", NULL};
    char *out = NULL, *gc;
    char sha[41];

    (void)f;
    assert_int_equal(rig_git_check_source("https://user:tok@github.com/a/b.git", &err), -1);
    assert_non_null(strstr(err.msg, "credentials"));
    assert_null(strstr(err.msg, "user:tok"));
    assert_int_equal(rig_git_check_source("https://ghp_abc@github.com/a/b.git", &err), -1);
    assert_int_equal(rig_git_check_source("-uhack", &err), -1);
    assert_int_equal(rig_git_check_source("ssh://git@host/a/b.git", &err), 0);
    assert_int_equal(rig_git_check_source("git@github.com:a/b.git", &err), 0);
    assert_int_equal(rig_git_check_source("/srv/git/a.git", &err), 0);
    assert_true(rig_git_is_url("git@github.com:a/b.git"));
    assert_true(rig_git_is_url("https://x/y"));
    assert_false(rig_git_is_url("/srv/a:b/c"));
    assert_false(rig_git_is_url("./repo"));

    memset(&o, 0, sizeof(o));
    o.repo = "https://x-access-token:secret@github.com/acme/app.git";
    assert_int_equal(rig_source_local_new(&o, &s, &err), -1);
    assert_null(s);
    o.repo = "git@github.com:acme/app.git";
    assert_int_equal(rig_source_local_new(&o, &s, &err), 0);
    assert_string_equal(s->repo_owner, "acme");
    assert_string_equal(s->repo_name, "app");
    rig_source_free(s);

    /* git's stderr is in the message */
    assert_int_equal(rig_git_run(&f->git, f->remote, bad_argv, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "git rev-parse --verify no-such-branch: exit status 128"));
    assert_non_null(strstr(err.msg, "Needed a single revision"));
    assert_int_equal(rig_git_rev_parse(&f->git, f->remote, "--output=x", sha, &err), -1);
    assert_non_null(strstr(err.msg, "must not start with '-'"));
    assert_int_equal(rig_git_check_branch(&f->git, "bad..name", &err), -1);
    assert_int_equal(rig_git_check_branch(&f->git, "rig/issue-1-ok", &err), 0);

    /* command-running transports are never allowed */
    {
        char *dst = tu_path(f->tmp, "ext-clone");
        char *url = xasprintf("ext::sh -c touch%% %s/pwned", f->tmp);
        char *pw = tu_path(f->tmp, "pwned");
        assert_int_equal(rig_git_clone(&f->git, url, dst, &err), -1);
        assert_int_equal(access(pw, F_OK), -1);
        free(dst);
        free(url);
        free(pw);
    }

    /* HOME isolation: the configured home's gitconfig is the one git sees */
    gc = tu_path(f->home, ".gitconfig");
    tu_write_file(gc, "[user]\n\tname = From Isolated Home\n");
    assert_int_equal(rig_git_run(&f->git, f->remote, cfg_argv, NULL, &out, &err), 0);
    assert_string_equal(out, "From Isolated Home\n");
    free(out);
    free(gc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_clone_branch_commit_push, setup, teardown),
        cmocka_unit_test_setup_teardown(test_push_never_forces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_reuses_workspace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_issue_numbers_and_markdown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pr_record_and_optional_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sources_and_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
