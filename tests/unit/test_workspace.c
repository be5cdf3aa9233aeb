#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapters/source/workspace.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

struct fx {
    char *data;
    char *outside;
    struct rig_workspace ws;
};

static int setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof(*f));
    struct rig_err err = RIG_ERR_INIT;

    f->data = tu_mkdtemp("rig-ws");
    f->outside = tu_mkdtemp("rig-ws-outside");
    if (rig_workspace_init(&f->ws, f->data, "task-20260101-000000-001", &err) != 0)
        fail_msg("init: %s", err.msg);
    assert_int_equal(mkdir(f->ws.repo, 0755), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    tu_rmtree(f->data);
    tu_rmtree(f->outside);
    free(f->data);
    free(f->outside);
    rig_workspace_release(&f->ws);
    free(f);
    return 0;
}

static char *repo_file(struct fx *f, const char *rel)
{
    char *p = tu_path(f->ws.repo, rel);
    char *s = tu_read_file(p);

    free(p);
    return s;
}

static void put(struct fx *f, const char *rel, const char *content)
{
    char *p = tu_path(f->ws.repo, rel);

    tu_write_file(p, content);
    free(p);
}

static void mk(struct fx *f, const char *rel)
{
    char *p = tu_path(f->ws.repo, rel);

    assert_int_equal(mkdir(p, 0755), 0);
    free(p);
}

static bool exists(struct fx *f, const char *rel)
{
    char *p = tu_path(f->ws.repo, rel);
    struct stat st;
    bool e = lstat(p, &st) == 0;

    free(p);
    return e;
}

/* Apply must fail, mention `want` in its message, and change nothing. */
static void expect_refused(struct fx *f, const struct rig_ws_change *c, size_t n, const char *want)
{
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ws_stats st;
    char *before = NULL, *after = NULL;

    tu_sh(&before, "cd '%s' && find . -print0 | sort -z | xargs -0 md5sum 2>/dev/null; ls -laR",
          f->ws.repo);
    assert_int_equal(rig_workspace_measure(&f->ws, c, n, &st, &err), -1);
    if (!strstr(err.msg, want))
        fail_msg("measure message \"%s\" lacks \"%s\"", err.msg, want);
    rig_err_clear(&err);
    assert_int_equal(rig_workspace_apply(&f->ws, c, n, &err), -1);
    if (!strstr(err.msg, want))
        fail_msg("apply message \"%s\" lacks \"%s\"", err.msg, want);
    tu_sh(&after, "cd '%s' && find . -print0 | sort -z | xargs -0 md5sum 2>/dev/null; ls -laR",
          f->ws.repo);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_branch_name(void **state)
{
    char *b;

    (void)state;
    b = rig_workspace_branch_name(42, "Fix the Login!");
    assert_string_equal(b, "rig/issue-42-fix-the-login");
    free(b);
    b = rig_workspace_branch_name(7, "  ");
    assert_string_equal(b, "rig/issue-7");
    free(b);
    b = rig_workspace_branch_name(3, "A very long title that keeps going on and on past forty "
                                     "characters");
    assert_true(strlen(b) <= strlen("rig/issue-3-") + RIG_WS_SLUG_MAX);
    assert_true(strncmp(b, "rig/issue-3-a-very-long-title", 29) == 0);
    assert_true(b[strlen(b) - 1] != '-');
    free(b);
    b = rig_workspace_branch_name(9, "$(rm -rf /); `x` ../../etc");
    assert_null(strpbrk(b, "$();` ."));
    free(b);
}

static void test_task_id_checked(void **state)
{
    struct fx *f = *state;
    struct rig_workspace ws;
    struct rig_err err = RIG_ERR_INIT;
    const char *bad[] = {"", ".", "..", "../x", "a/b", "a b", "x\n"};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rig_err_clear(&err);
        assert_int_equal(rig_workspace_init(&ws, f->data, bad[i], &err), -1);
        assert_non_null(strstr(err.msg, "task id"));
    }
    assert_int_equal(rig_workspace_init(&ws, f->data, "t-1_2.3", &err), 0);
    assert_true(strstr(ws.repo, "/workspaces/t-1_2.3/repo") != NULL);
    rig_workspace_release(&ws);
}

static void test_write_edit_delete(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ws_edit edits[] = {{"return 1;", "return 2;"}, {"int f", "static int f"}};
    struct rig_ws_change c[] = {
        {"src/new/deep/file.c", RIG_WS_WRITE, "hello\nworld\n", NULL, 0},
        {"lib.c", RIG_WS_EDIT, NULL, edits, 2},
        {"old.txt", RIG_WS_DELETE, NULL, NULL, 0},
        {"./script.sh", RIG_WS_WRITE, "#!/bin/sh\necho new\n", NULL, 0},
    };
    char *s, *p;
    struct stat st;

    put(f, "lib.c", "int f(void)\n{\n    return 1;\n}\n");
    put(f, "old.txt", "bye\n");
    put(f, "script.sh", "#!/bin/sh\necho old\n");
    p = tu_path(f->ws.repo, "script.sh");
    chmod(p, 0755);
    if (rig_workspace_apply(&f->ws, c, 4, &err) != 0)
        fail_msg("apply: %s", err.msg);
    s = repo_file(f, "src/new/deep/file.c");
    assert_string_equal(s, "hello\nworld\n");
    free(s);
    s = repo_file(f, "lib.c");
    assert_string_equal(s, "static int f(void)\n{\n    return 2;\n}\n");
    free(s);
    assert_false(exists(f, "old.txt"));
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755); /* the mode of a rewritten file is kept */
    s = tu_read_file(p);
    assert_string_equal(s, "#!/bin/sh\necho new\n");
    free(s);
    free(p);
}

static void test_sequence_on_one_path(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ws_edit e1[] = {{"two", "TWO"}};
    struct rig_ws_change c[] = {
        {"a.txt", RIG_WS_WRITE, "one two three\n", NULL, 0},
        {"a.txt", RIG_WS_EDIT, NULL, e1, 1},
        {"b.txt", RIG_WS_DELETE, NULL, NULL, 0},
        {"b.txt", RIG_WS_WRITE, "reborn\n", NULL, 0},
    };
    char *s;

    put(f, "b.txt", "old\n");
    if (rig_workspace_apply(&f->ws, c, 4, &err) != 0)
        fail_msg("apply: %s", err.msg);
    s = repo_file(f, "a.txt");
    assert_string_equal(s, "one TWO three\n");
    free(s);
    s = repo_file(f, "b.txt");
    assert_string_equal(s, "reborn\n");
    free(s);
}

static void test_all_or_nothing(void **state)
{
    struct fx *f = *state;
    struct rig_ws_edit bad[] = {{"not there", "x"}};
    struct rig_ws_change c[] = {
        {"first.txt", RIG_WS_WRITE, "would be written\n", NULL, 0},
        {"keep.txt", RIG_WS_DELETE, NULL, NULL, 0},
        {"lib.c", RIG_WS_EDIT, NULL, bad, 1},
    };

    put(f, "lib.c", "int x;\n");
    put(f, "keep.txt", "still here\n");
    expect_refused(f, c, 3, "lib.c");
    assert_false(exists(f, "first.txt"));
    assert_true(exists(f, "keep.txt"));
}

static void test_edit_match_counts(void **state)
{
    struct fx *f = *state;
    struct rig_ws_edit none[] = {{"absent", "x"}};
    struct rig_ws_edit twice[] = {{"dup", "x"}};
    struct rig_ws_edit empty[] = {{"", "x"}};
    struct rig_ws_edit second_fails[] = {{"dup dup", "one"}, {"dup", "y"}};
    struct rig_ws_change c0 = {"m.txt", RIG_WS_EDIT, NULL, none, 1};
    struct rig_ws_change c2 = {"m.txt", RIG_WS_EDIT, NULL, twice, 1};
    struct rig_ws_change ce = {"m.txt", RIG_WS_EDIT, NULL, empty, 1};
    struct rig_ws_change cn = {"m.txt", RIG_WS_EDIT, NULL, NULL, 0};
    struct rig_ws_change cs = {"m.txt", RIG_WS_EDIT, NULL, second_fails, 2};
    struct rig_ws_change cm = {"missing.txt", RIG_WS_EDIT, NULL, none, 1};

    put(f, "m.txt", "dup dup\n");
    expect_refused(f, &c0, 1, "m.txt: the search text was not found");
    expect_refused(f, &c2, 1, "m.txt: the search text matches more than once");
    expect_refused(f, &ce, 1, "empty search text");
    expect_refused(f, &cn, 1, "has no edits");
    /* after edit 1 the text is "one\n": edit 2 finds nothing */
    expect_refused(f, &cs, 1, "edit 2 of m.txt");
    expect_refused(f, &cm, 1, "cannot edit missing.txt: no such file");
}

static void test_traversal_refused(void **state)
{
    struct fx *f = *state;
    const char *bad[] = {"../escape.txt", "/etc/passwd", "a/../../escape.txt", "", ".",
                         "a/./../../../x"};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct rig_ws_change c[] = {
            {"fine.txt", RIG_WS_WRITE, "x\n", NULL, 0},
            {bad[i], RIG_WS_WRITE, "pwned\n", NULL, 0},
        };
        expect_refused(f, c, 2, "change 2");
        assert_false(exists(f, "fine.txt"));
    }
    {
        char *esc = tu_path(f->data, "workspaces/escape.txt");
        assert_int_equal(access(esc, F_OK), -1);
        free(esc);
    }
}

static void test_symlink_escape_refused(void **state)
{
    struct fx *f = *state;
    char *link = tu_path(f->ws.repo, "out");
    char *flink = tu_path(f->ws.repo, "passwd");
    char *target = tu_path(f->outside, "secret");
    char *inside = tu_path(f->ws.repo, "alias");
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ws_change via_dir = {"out/x.txt", RIG_WS_WRITE, "pwned\n", NULL, 0};
    struct rig_ws_change via_file = {"passwd", RIG_WS_WRITE, "pwned\n", NULL, 0};
    struct rig_ws_change ok = {"alias/y.txt", RIG_WS_WRITE, "fine\n", NULL, 0};
    char *s;

    tu_write_file(target, "original\n");
    assert_int_equal(symlink(f->outside, link), 0);
    assert_int_equal(symlink(target, flink), 0);
    mk(f, "real");
    assert_int_equal(symlink("real", inside), 0);

    expect_refused(f, &via_dir, 1, "out/x.txt");
    expect_refused(f, &via_file, 1, "passwd");
    s = tu_read_file(target);
    assert_string_equal(s, "original\n");
    free(s);
    {
        char *p = tu_path(f->outside, "x.txt");
        assert_int_equal(access(p, F_OK), -1);
        free(p);
    }
    /* a symlinked directory that stays inside the repo is fine */
    if (rig_workspace_apply(&f->ws, &ok, 1, &err) != 0)
        fail_msg("apply through inside link: %s", err.msg);
    s = repo_file(f, "real/y.txt");
    assert_string_equal(s, "fine\n");
    free(s);
    free(link);
    free(flink);
    free(target);
    free(inside);
}

static void test_git_dir_refused(void **state)
{
    struct fx *f = *state;
    const char *bad[] = {".git/config", ".git/hooks/pre-commit", "sub/.git/config", ".GIT/x",
                         "a/../.git/HEAD"};

    mk(f, ".git");
    put(f, ".git/config", "[core]\n");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct rig_ws_change c = {bad[i], RIG_WS_WRITE, "[core]\n\thooksPath=/tmp\n", NULL, 0};
        struct rig_ws_change d = {bad[i], RIG_WS_DELETE, NULL, NULL, 0};
        expect_refused(f, &c, 1, ".git");
        expect_refused(f, &d, 1, ".git");
    }
}

static void test_other_refusals(void **state)
{
    struct fx *f = *state;
    struct rig_ws_change del_missing = {"nope.txt", RIG_WS_DELETE, NULL, NULL, 0};
    struct rig_ws_change no_content = {"a.txt", RIG_WS_WRITE, NULL, NULL, 0};
    struct rig_ws_change bad_action = {"a.txt", 9, "x", NULL, 0};
    struct rig_ws_change dir = {"d", RIG_WS_WRITE, "x", NULL, 0};
    struct rig_ws_change under_file = {"file.txt/x", RIG_WS_WRITE, "x", NULL, 0};
    struct rig_ws_change both[] = {{"p", RIG_WS_WRITE, "x", NULL, 0},
                                   {"p/q", RIG_WS_WRITE, "y", NULL, 0}};

    mk(f, "d");
    put(f, "file.txt", "x");
    expect_refused(f, &del_missing, 1, "cannot delete nope.txt: no such file");
    expect_refused(f, &no_content, 1, "no content");
    expect_refused(f, &bad_action, 1, "unknown action");
    expect_refused(f, &dir, 1, "directory");
    expect_refused(f, &under_file, 1, "not a directory");
    expect_refused(f, both, 2, "file and a directory");
}

static void test_measure(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ws_stats st;
    struct rig_ws_edit e[] = {{"b\n", "B\nB2\n"}};
    struct rig_ws_change c[] = {
        {"new.txt", RIG_WS_WRITE, "1\n2\n3", NULL, 0},       /* +3 */
        {"m.txt", RIG_WS_EDIT, NULL, e, 1},                  /* -1 +2 */
        {"gone.txt", RIG_WS_DELETE, NULL, NULL, 0},          /* -2 */
        {"same.txt", RIG_WS_WRITE, "unchanged\n", NULL, 0},  /* nothing */
        {"new.txt", RIG_WS_WRITE, "1\n2\n3\n", NULL, 0},     /* same path: counted once */
    };

    put(f, "m.txt", "a\nb\nc\n");
    put(f, "gone.txt", "x\ny\n");
    put(f, "same.txt", "unchanged\n");
    if (rig_workspace_measure(&f->ws, c, 5, &st, &err) != 0)
        fail_msg("measure: %s", err.msg);
    assert_int_equal(st.nfiles, 3);
    assert_string_equal(st.files[0], "new.txt");
    assert_string_equal(st.files[1], "m.txt");
    assert_string_equal(st.files[2], "gone.txt");
    assert_null(st.files[3]);
    assert_int_equal(st.lines_added, 3 + 2);
    assert_int_equal(st.lines_removed, 1 + 2);
    rig_ws_stats_release(&st);
    /* measuring touched nothing */
    assert_false(exists(f, "new.txt"));
    assert_true(exists(f, "gone.txt"));
}

static void test_measure_matches_git_numstat(void **state)
{
    struct fx *f = *state;
    struct rig_err err = RIG_ERR_INIT;
    struct rig_ws_stats st;
    struct rig_buf a = RIG_BUF_INIT, b = RIG_BUF_INIT;
    char *out = NULL;
    long added = -1, removed = -1;
    struct rig_ws_change c = {"big.txt", RIG_WS_WRITE, NULL, NULL, 0};

    /* edits scattered through a file: a region count would report ~all lines */
    for (int i = 0; i < 500; i++) {
        rig_buf_addf(&a, "line %d\n", i);
        if (i % 50 == 7)
            rig_buf_addf(&b, "changed %d\nextra %d\n", i, i);
        else if (i % 70 != 3)
            rig_buf_addf(&b, "line %d\n", i);
    }
    put(f, "big.txt", rig_buf_str(&a));
    c.content = rig_buf_str(&b);
    if (rig_workspace_measure(&f->ws, &c, 1, &st, &err) != 0)
        fail_msg("measure: %s", err.msg);
    put(f, "new.txt", rig_buf_str(&b));
    assert_int_equal(tu_sh(&out, "cd '%s' && git diff --no-index --numstat big.txt new.txt; "
                                 "true", f->ws.repo), 0);
    assert_int_equal(sscanf(out, "%ld %ld", &added, &removed), 2);
    assert_int_equal(st.lines_added, (size_t)added);
    assert_int_equal(st.lines_removed, (size_t)removed);
    rig_ws_stats_release(&st);
    rig_buf_release(&a);
    rig_buf_release(&b);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_branch_name),
        cmocka_unit_test_setup_teardown(test_task_id_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_edit_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sequence_on_one_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_match_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_traversal_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_escape_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_git_dir_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_measure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_measure_matches_git_numstat, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
