#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cliopt.h"

/* Send a stream's descriptor to a file until capture_end, which returns what
 * was written. */
struct capture {
    char *dir;
    char *path;
    int saved;
    FILE *stream;
};

static void capture_start(struct capture *c, FILE *stream)
{
    int fd;

    c->dir = tu_mkdtemp("rig-cliopt");
    c->path = tu_path(c->dir, "out");
    c->stream = stream;
    fflush(stream);
    c->saved = dup(fileno(stream));
    fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(c->saved >= 0 && fd >= 0);
    assert_true(dup2(fd, fileno(stream)) >= 0);
    close(fd);
}

static char *capture_end(struct capture *c)
{
    char *text;

    fflush(c->stream);
    assert_true(dup2(c->saved, fileno(c->stream)) >= 0);
    close(c->saved);
    text = tu_read_file(c->path);
    tu_rmtree(c->dir);
    free(c->path);
    free(c->dir);
    return text;
}

static void test_wants_help(void **state)
{
    char *help[] = {"status", "-a", "--help", NULL};
    char *short_h[] = {"status", "-h", NULL};
    char *after_dashes[] = {"exec", "--", "--help", NULL};
    char *none[] = {"exec", "x", NULL};
    struct capture c;
    char *out;

    (void)state;
    capture_start(&c, stdout);
    assert_true(rig_cli_wants_help(3, help, "usage: a\n"));
    assert_true(rig_cli_wants_help(2, short_h, "usage: b\n"));
    assert_false(rig_cli_wants_help(3, after_dashes, "usage: c\n"));
    assert_false(rig_cli_wants_help(2, none, "usage: d\n"));
    /* argv[0] is the command name, never an option */
    assert_false(rig_cli_wants_help(1, help + 2, "usage: e\n"));
    out = capture_end(&c);
    assert_string_equal(out, "usage: a\nusage: b\n");
    free(out);
}

static void test_usage_error(void **state)
{
    struct capture c;
    char *out;

    (void)state;
    capture_start(&c, stderr);
    assert_int_equal(rig_cli_usage_error("rig", "logs", "unknown option '%s'", "--nope"), 2);
    assert_int_equal(rig_cli_usage_error("specgate", NULL, "no command %d", 7), 2);
    out = capture_end(&c);
    assert_string_equal(out, "rig logs: unknown option '--nope'\n"
                             "Try 'rig logs --help'.\n"
                             "specgate: no command 7\n"
                             "Try 'specgate --help'.\n");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wants_help),
        cmocka_unit_test(test_usage_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
