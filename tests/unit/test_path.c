#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/path.h"

static char *mk(const char *dir, const char *name)
{
    return tu_path(dir, name);
}

static void mkdir_in(const char *dir, const char *name)
{
    char *p = mk(dir, name);

    assert_int_equal(mkdir(p, 0755), 0);
    free(p);
}

static void symlink_in(const char *dir, const char *name, const char *target)
{
    char *p = mk(dir, name);

    assert_int_equal(symlink(target, p), 0);
    free(p);
}

static void write_in(const char *dir, const char *name, const char *content)
{
    char *p = mk(dir, name);

    tu_write_file(p, content);
    free(p);
}

static bool exists(const char *dir, const char *name)
{
    char *p = name ? mk(dir, name) : xstrdup(dir);
    struct stat st;
    bool r = lstat(p, &st) == 0;

    free(p);
    return r;
}

/* Expect rig_path_join_under to refuse rel with a message containing want. */
static void join_refused(const char *root, const char *rel, size_t len, const char *want)
{
    struct rig_err err = RIG_ERR_INIT;
    char *out = (char *)"untouched";

    assert_int_equal(rig_path_join_under(root, rel, len, &out, &err), -1);
    assert_null(out);
    if (!strstr(err.msg, want))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
}

static void join_ok(const char *root, const char *rel, const char *want_rel)
{
    struct rig_err err = RIG_ERR_INIT;
    char *out = NULL;
    char *want = want_rel ? mk(root, want_rel) : xstrdup(root);

    if (rig_path_join_under(root, rel, strlen(rel), &out, &err) != 0)
        fail_msg("join \"%s\" failed: %s", rel, err.msg);
    assert_string_equal(out, want);
    free(out);
    free(want);
}

static void test_join_traversal(void **state)
{
    char *root = tu_mkdtemp("rig-path");

    (void)state;
    join_refused(root, "../x", 4, "path \"../x\" leaves the workspace");
    join_refused(root, "a/../../x", 9, "path \"a/../../x\" leaves the workspace");
    join_refused(root, "../../etc/passwd", 16, "path \"../../etc/passwd\" leaves the workspace");
    join_refused(root, "..", 2, "leaves the workspace");
    join_refused(root, "/etc/passwd", 11, "path \"/etc/passwd\" is absolute");
    join_refused(root, "a\0b", 3, "path \"a\\x00b\" contains a NUL byte");
    join_refused(root, "", 0, "empty path");
    join_refused(root, NULL, 0, "empty path");
    /* Control bytes are escaped so a name cannot forge a log line. */
    join_refused(root, "../\nx", 5, "path \"../\\x0ax\" leaves");
    join_ok(root, "a/./b//c", "a/b/c");
    join_ok(root, "a/b/../c", "a/c");
    join_ok(root, "x/../y/", "y");
    join_ok(root, ".", NULL);
    join_ok(root, "new/dir/file.txt", "new/dir/file.txt");
    tu_rmtree(root);
    free(root);
}

static void test_join_len_is_respected(void **state)
{
    char *root = tu_mkdtemp("rig-path");
    struct rig_err err = RIG_ERR_INIT;
    char *out = NULL;
    char *want = mk(root, "abc");

    (void)state;
    /* Only the first len bytes count, the rest of the string is ignored. */
    assert_int_equal(rig_path_join_under(root, "abc/../../../etc", 3, &out, &err), 0);
    assert_string_equal(out, want);
    free(out);
    free(want);
    tu_rmtree(root);
    free(root);
}

static void test_join_symlinks(void **state)
{
    char *root = tu_mkdtemp("rig-path");
    char *outside = tu_mkdtemp("rig-path-out");
    char *abs_in;

    (void)state;
    mkdir_in(root, "sub");
    write_in(root, "sub/f", "x");
    symlink_in(root, "etc", "/etc");
    symlink_in(root, "up", "..");
    symlink_in(root, "out", outside);
    symlink_in(root, "in", "sub");
    symlink_in(root, "sub/back", "../sub/f");
    symlink_in(root, "dang", "nothere");
    symlink_in(root, "dang_out", "/nonexistent-rig-dir/x");
    symlink_in(root, "loop", "loop");
    abs_in = mk(root, "sub");
    symlink_in(root, "abs_in", abs_in);

    join_refused(root, "etc/passwd", 10, "path \"etc/passwd\" leaves the workspace "
                                         "through symlink etc (-> /etc)");
    join_refused(root, "etc", 3, "through symlink etc");
    join_refused(root, "up/x", 4, "through symlink up");
    join_refused(root, "out/new-file", 12, "through symlink out");
    join_refused(root, "sub/../out/x", 12, "through symlink out");
    join_refused(root, "dang", 4, "symlink dang whose target does not exist");
    join_refused(root, "dang_out/x", 10, "symlink dang_out whose target does not exist");
    join_refused(root, "loop/x", 6, "goes through symlink loop: Too many levels");

    join_ok(root, "in/f", "in/f");
    join_ok(root, "in/new", "in/new");
    join_ok(root, "sub/back", "sub/back");
    join_ok(root, "abs_in/f", "abs_in/f");
    /* ".." is resolved lexically, so "etc/.." never touches the symlink. */
    join_ok(root, "etc/../sub/f", "sub/f");
    /* A regular file used as a directory cannot escape anything. */
    join_ok(root, "sub/f/x", "sub/f/x");

    free(abs_in);
    tu_rmtree(root);
    tu_rmtree(outside);
    free(root);
    free(outside);
}

static void test_join_root_is_symlink(void **state)
{
    char *base = tu_mkdtemp("rig-path");
    char *link = mk(base, "rootlink");
    char *real = mk(base, "real");

    (void)state;
    assert_int_equal(mkdir(real, 0755), 0);
    assert_int_equal(symlink(real, link), 0);
    write_in(real, "f", "x");
    symlink_in(real, "self", real); /* absolute target through the real path */
    join_ok(link, "f", "f");
    join_ok(link, "self/f", "self/f");
    join_refused(link, "../real/f", 9, "leaves the workspace");
    free(link);
    free(real);
    tu_rmtree(base);
    free(base);
}

static void test_normalize(void **state)
{
    static const struct {
        const char *in;
        const char *want; /* NULL = refused */
    } cases[] = {
        {"a/./b//c/../d", "a/b/d"},
        {"a", "a"},
        {"a/", "a"},
        {"./a", "a"},
        {".", "."},
        {"a/..", "."},
        {"a/b/../../c", "c"},
        {"..", NULL},
        {"../a", NULL},
        {"a/../..", NULL},
        {"/a", NULL},
        {"", NULL},
        {"...", "..."},
        {"a/..b", "a/..b"},
    };
    char *got;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        got = rig_path_normalize_rel(cases[i].in);
        if (!cases[i].want) {
            if (got)
                fail_msg("normalize(\"%s\") = \"%s\", want NULL", cases[i].in, got);
        } else {
            if (!got || strcmp(got, cases[i].want) != 0)
                fail_msg("normalize(\"%s\") = \"%s\", want \"%s\"", cases[i].in,
                         got ? got : "(null)", cases[i].want);
        }
        free(got);
    }
    assert_null(rig_path_normalize_rel(NULL));
}

static void test_glob_table(void **state)
{
    static const struct {
        const char *pat;
        const char *path;
        bool want;
    } cases[] = {
        {"*.env", "x.env", true},
        {"*.env", ".env", true},
        {"*.env", "a/x.env", false},
        {"*.c", "main.c", true},
        {"*.c", "main.h", false},
        {"*", "anything", true},
        {"*", "a/b", false},
        {"a*b", "ab", true},
        {"a*b", "axxb", true},
        {"a*b", "axxbc", false},
        {"a*b*c", "abxbxc", true},
        {"?", "a", true},
        {"?", "", false},
        {"?", "/", false},
        {"a?c", "abc", true},
        {"a?c", "a/c", false},
        {"[abc].txt", "b.txt", true},
        {"[abc].txt", "d.txt", false},
        {"[a-c]x", "bx", true},
        {"[a-c]x", "dx", false},
        {"[!a-c]x", "dx", true},
        {"[!a-c]x", "ax", false},
        {"[^a-c]x", "dx", true},
        {"[]]", "]", true},
        {"[!]]", "a", true},
        {"[!]]", "]", false},
        {"[abc", "[abc", true},
        {"\\*", "*", true},
        {"\\*", "a", false},
        {"**/x", "x", true},
        {"**/x", "a/x", true},
        {"**/x", "a/b/x", true},
        {"**/x", "a/bx", false},
        {"**/*.java", "src/main/App.java", true},
        {"**/controller/**/*.java", "src/controller/v1/A.java", true},
        {"**/controller/**/*.java", "controller/A.java", true},
        {"**/controller/**/*.java", "src/ctl/A.java", false},
        {"dir/**", "dir/a", true},
        {"dir/**", "dir/a/b/c", true},
        {"dir/**", "dir", false},
        {"dir/**", "other/a", false},
        {"a/**/b", "a/b", true},
        {"a/**/b", "a/x/y/b", true},
        {"a/**/b", "a/x/y/c", false},
        {"**", "a/b/c", true},
        {"**/**/x", "a/x", true},
        {"a**b", "axxb", true},
        {"a**b", "ax/xb", false},
        {"dir/", "dir", true},
        {"dir/", "dir/a", true},
        {"dir/", "dir/a/b", true},
        {"dir/", "dirx/a", false},
        {"dir/", "a/dir/b", false},
        {"d*/", "docs/x", true},
        {"src/*.c", "src/a.c", true},
        {"src/*.c", "src/sub/a.c", false},
        {"src/*.c", "lib/a.c", false},
        {"./src/a.c", "src/a.c", true},
        {"src/a.c", "./src/a.c", true},
        {"main.go", "main.go.bak", false},
        {"", "", true},
        {"", "a", false},
        {"*", "", false},
        {"a/b", "a/b/c", false},
        {"a/b/c", "a/b", false},
    };

    (void)state;
    assert_true(sizeof(cases) / sizeof(cases[0]) >= 30);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got = rig_glob_match(cases[i].pat, cases[i].path);

        if (got != cases[i].want)
            fail_msg("glob(\"%s\", \"%s\") = %d, want %d", cases[i].pat, cases[i].path,
                     got, cases[i].want);
    }
    assert_false(rig_glob_match(NULL, "a"));
    assert_false(rig_glob_match("a", NULL));
}

static void test_glob_pathological(void **state)
{
    struct rig_buf p = RIG_BUF_INIT, s = RIG_BUF_INIT;

    (void)state;
    /* Many stars against a long non-matching string must still finish quickly. */
    for (int i = 0; i < 30; i++)
        rig_buf_adds(&p, "a*");
    rig_buf_adds(&p, "b");
    for (int i = 0; i < 5000; i++)
        rig_buf_addch(&s, 'a');
    assert_false(rig_glob_match(p.data, s.data));
    rig_buf_release(&p);
    rig_buf_release(&s);
}

static void test_mkdirs(void **state)
{
    char *root = tu_mkdtemp("rig-path");
    char *deep = mk(root, "a/b/c/");
    char *blocked = mk(root, "f/x");
    struct rig_err err = RIG_ERR_INIT;
    struct stat st;

    (void)state;
    assert_int_equal(rig_mkdirs(deep, 0755, &err), 0);
    assert_int_equal(stat(deep, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(rig_mkdirs(deep, 0755, &err), 0); /* already there */
    write_in(root, "f", "file");
    assert_int_equal(rig_mkdirs(blocked, 0755, &err), -1);
    assert_non_null(strstr(err.msg, "exists and is not a directory"));
    assert_int_equal(rig_mkdirs("", 0755, &err), -1);
    free(deep);
    free(blocked);
    tu_rmtree(root);
    free(root);
}

static void test_rmtree_no_follow(void **state)
{
    char *root = tu_mkdtemp("rig-path");
    char *outside = tu_mkdtemp("rig-path-out");
    char *tree = mk(root, "tree");
    char *outfile = mk(outside, "keep.txt");
    char *dirlink = mk(root, "dirlink");
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    write_in(outside, "keep.txt", "precious");
    mkdir_in(outside, "sub");
    mkdir_in(root, "tree");
    mkdir_in(root, "tree/a");
    mkdir_in(root, "tree/a/b");
    write_in(root, "tree/a/b/f", "x");
    write_in(root, "tree/top", "x");
    symlink_in(root, "tree/a/to_outside", outside);
    symlink_in(root, "tree/to_file", outfile);
    symlink_in(root, "tree/a/b/dangling", "/nonexistent-rig");
    assert_int_equal(chmod(tree, 0755), 0);

    assert_int_equal(rig_rmtree(tree, &err), 0);
    assert_false(exists(tree, NULL));
    assert_true(exists(outside, "keep.txt"));
    assert_true(exists(outside, "sub"));
    {
        char *c = tu_read_file(outfile);

        assert_string_equal(c, "precious");
        free(c);
    }

    /* The path itself a symlink to a directory: the link goes, the target stays. */
    assert_int_equal(symlink(outside, dirlink), 0);
    assert_int_equal(rig_rmtree(dirlink, &err), 0);
    assert_false(exists(dirlink, NULL));
    assert_true(exists(outside, "keep.txt"));

    /* Missing is fine (rm -rf), a plain file is removed. */
    assert_int_equal(rig_rmtree(tree, &err), 0);
    write_in(root, "plain", "x");
    {
        char *plain = mk(root, "plain");

        assert_int_equal(rig_rmtree(plain, &err), 0);
        assert_false(exists(plain, NULL));
        free(plain);
    }
    assert_int_equal(rig_rmtree("", &err), -1);

    /* Read-only and unreadable directories (as Go's module cache leaves them). */
    mkdir_in(root, "ro");
    mkdir_in(root, "ro/sub");
    write_in(root, "ro/sub/f", "x");
    mkdir_in(root, "ro/closed");
    write_in(root, "ro/closed/g", "x");
    {
        char *ro = mk(root, "ro");
        char *sub = mk(root, "ro/sub");
        char *closed = mk(root, "ro/closed");

        assert_int_equal(chmod(sub, 0555), 0);
        assert_int_equal(chmod(closed, 0), 0);
        assert_int_equal(chmod(ro, 0555), 0);
        assert_int_equal(rig_rmtree(ro, &err), 0);
        assert_false(exists(ro, NULL));
        free(ro);
        free(sub);
        free(closed);
    }

    free(tree);
    free(outfile);
    free(dirlink);
    tu_rmtree(root);
    tu_rmtree(outside);
    free(root);
    free(outside);
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;

    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    }
    closedir(d);
    return n;
}

static void test_write_file_atomic(void **state)
{
    char *root = tu_mkdtemp("rig-path");
    char *f = mk(root, "out.txt");
    char *d = mk(root, "adir");
    char *link = mk(root, "link");
    char *target = mk(root, "target");
    struct rig_err err = RIG_ERR_INIT;
    struct stat st;
    char *c;

    (void)state;
    assert_int_equal(rig_write_file(f, "first", 5, 0640, &err), 0);
    assert_int_equal(stat(f, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    c = tu_read_file(f);
    assert_string_equal(c, "first");
    free(c);
    assert_int_equal(rig_write_file(f, "second\0bin", 10, 0600, &err), 0);
    assert_int_equal(stat(f, &st), 0);
    assert_int_equal(st.st_size, 10);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(count_entries(root), 1); /* no temp file left */

    /* The _umask variant leaves the mode to the umask, like a plain create. */
    {
        mode_t old = umask(027);

        assert_int_equal(rig_write_file_umask(f, "third", 5, 0666, &err), 0);
        umask(old);
        assert_int_equal(stat(f, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        c = tu_read_file(f);
        assert_string_equal(c, "third");
        free(c);
        assert_int_equal(count_entries(root), 1);
    }

    /* rename onto a non-empty directory fails: the temp must be cleaned up. */
    mkdir_in(root, "adir");
    write_in(root, "adir/x", "x");
    assert_int_equal(rig_write_file(d, "data", 4, 0644, &err), -1);
    assert_non_null(strstr(err.msg, "adir"));
    assert_int_equal(count_entries(root), 2);

    /* Missing directory: clear error, nothing created. */
    {
        char *missing = mk(root, "nodir/f");

        assert_int_equal(rig_write_file(missing, "x", 1, 0644, &err), -1);
        assert_non_null(strstr(err.msg, "nodir/f"));
        free(missing);
    }

    /* A symlink at the path is replaced, its target left alone. */
    write_in(root, "target", "old");
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(rig_write_file(link, "new", 3, 0644, &err), 0);
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    c = tu_read_file(target);
    assert_string_equal(c, "old");
    free(c);

    free(f);
    free(d);
    free(link);
    free(target);
    tu_rmtree(root);
    free(root);
}

static void test_read_file(void **state)
{
    char *root = tu_mkdtemp("rig-path");
    char *f = mk(root, "f");
    char *missing = mk(root, "missing");
    struct rig_err err = RIG_ERR_INIT;
    char *data = NULL;
    size_t len = 0;

    (void)state;
    assert_int_equal(rig_write_file(f, "ab\0cd", 5, 0644, &err), 0);
    assert_int_equal(rig_read_file(f, 0, &data, &len, &err), 0);
    assert_int_equal(len, 5);
    assert_memory_equal(data, "ab\0cd", 6);
    free(data);
    assert_int_equal(rig_read_file(f, 5, &data, NULL, &err), 0);
    free(data);
    assert_int_equal(rig_read_file(f, 4, &data, &len, &err), -1);
    assert_null(data);
    assert_int_equal(err.code, RIG_ETOOBIG);
    assert_int_equal(rig_read_file(missing, 0, &data, &len, &err), -1);
    assert_int_equal(err.code, RIG_ENOTFOUND);
    assert_non_null(strstr(err.msg, missing));
    assert_int_equal(rig_read_file(root, 0, &data, &len, &err), -1);
    assert_non_null(strstr(err.msg, "is a directory"));

    /* From a descriptor: read from its position, left open, named by name. */
    {
        int fd = open(f, O_RDONLY | O_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(lseek(fd, 3, SEEK_SET), 3);
        assert_int_equal(rig_read_fd(fd, "the input", 0, &data, &len, &err), 0);
        assert_int_equal(len, 2);
        assert_string_equal(data, "cd");
        free(data);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(rig_read_fd(fd, "the input", 4, &data, &len, &err), -1);
        assert_int_equal(err.code, RIG_ETOOBIG);
        assert_non_null(strstr(err.msg, "the input"));
        assert_int_equal(close(fd), 0);
    }
    free(f);
    free(missing);
    tu_rmtree(root);
    free(root);
}

static void test_expand_home(void **state)
{
    char *old = xstrdup(getenv("HOME"));
    char *s;

    (void)state;
    setenv("HOME", "/home/tester", 1);
    s = rig_path_expand_home("~");
    assert_string_equal(s, "/home/tester");
    free(s);
    s = rig_path_expand_home("~/x/y");
    assert_string_equal(s, "/home/tester/x/y");
    free(s);
    s = rig_path_expand_home("~other/x");
    assert_string_equal(s, "~other/x");
    free(s);
    s = rig_path_expand_home("/abs/~");
    assert_string_equal(s, "/abs/~");
    free(s);
    assert_null(rig_path_expand_home(NULL));
    if (old)
        setenv("HOME", old, 1);
    else
        unsetenv("HOME");
    free(old);
}

struct seen {
    struct rig_buf log;
    int stop_after;
    int count;
};

static int collect(void *ctx, const char *rel, bool is_link)
{
    struct seen *s = ctx;

    rig_buf_addf(&s->log, "%s%s;", rel, is_link ? "@" : "");
    s->count++;
    return s->stop_after && s->count >= s->stop_after ? 42 : 0;
}

static void test_walk(void **state)
{
    char *root = tu_mkdtemp("rig-path");
    char *outside = tu_mkdtemp("rig-path-out");
    struct seen s = {RIG_BUF_INIT, 0, 0};
    struct rig_err err = RIG_ERR_INIT;
    char *missing = mk(root, "missing");

    (void)state;
    write_in(outside, "secret", "x");
    write_in(root, "b.txt", "x");
    mkdir_in(root, "a");
    write_in(root, "a/z", "x");
    write_in(root, "a/m", "x");
    mkdir_in(root, "a/.git");
    write_in(root, "a/.git/config", "x");
    mkdir_in(root, ".git");
    write_in(root, ".git/HEAD", "x");
    mkdir_in(root, "empty");
    symlink_in(root, "c", outside);
    symlink_in(root, "a/link", "z");

    assert_int_equal(rig_path_walk(root, collect, &s, &err), 0);
    assert_string_equal(rig_buf_str(&s.log), "a/link@;a/m;a/z;b.txt;c@;");

    rig_buf_reset(&s.log);
    s.count = 0;
    s.stop_after = 2;
    assert_int_equal(rig_path_walk(root, collect, &s, &err), 42);
    assert_string_equal(rig_buf_str(&s.log), "a/link@;a/m;");

    assert_int_equal(rig_path_walk(missing, collect, &s, &err), -1);
    assert_non_null(strstr(err.msg, missing));

    rig_buf_release(&s.log);
    free(missing);
    tu_rmtree(root);
    tu_rmtree(outside);
    free(root);
    free(outside);
}

static void test_tmp_file_and_dir(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char *dir = tu_mkdtemp("rig-tmpbase"), *f = NULL, *d = NULL, *old = NULL, *bad = NULL;
    struct stat st;
    int fd = -1;

    (void)state;
    old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", dir, 1);
    assert_int_equal(rig_tmp_file("rig-x", &f, &fd, &err), 0);
    assert_true(strncmp(f, dir, strlen(dir)) == 0);
    assert_non_null(strstr(f, "/rig-x-"));
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(rig_tmp_dir("rig-y", &d, &err), 0);
    assert_int_equal(stat(d, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    close(fd);
    setenv("TMPDIR", "/nonexistent-rig-dir", 1);
    assert_int_equal(rig_tmp_dir("rig-z", &bad, &err), -1);
    assert_null(bad);
    assert_non_null(strstr(err.msg, "/nonexistent-rig-dir/rig-z-"));
    if (old)
        setenv("TMPDIR", old, 1);
    else
        unsetenv("TMPDIR");
    free(old);
    free(f);
    free(d);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_traversal),
        cmocka_unit_test(test_join_len_is_respected),
        cmocka_unit_test(test_join_symlinks),
        cmocka_unit_test(test_join_root_is_symlink),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_glob_table),
        cmocka_unit_test(test_glob_pathological),
        cmocka_unit_test(test_mkdirs),
        cmocka_unit_test(test_rmtree_no_follow),
        cmocka_unit_test(test_write_file_atomic),
        cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_expand_home),
        cmocka_unit_test(test_walk),
        cmocka_unit_test(test_tmp_file_and_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
