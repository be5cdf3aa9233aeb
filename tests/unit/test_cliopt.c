#include "testutil.h"

#include <fcntl.h>
#include <getopt.h>
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

/* The one line rig_cli_option_error prints for argv, parsed as a command
 * with -n N, --json and --project NAME would be. */
static char *option_error(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"project", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct capture c;
    char *out, *nl;
    int ch;

    optind = 0;
    opterr = 0;
    capture_start(&c, stderr);
    while ((ch = getopt_long(argc, argv, ":n:h", opts, NULL)) != -1)
        if (ch == '?' || ch == ':')
            break;
    assert_true(ch == '?' || ch == ':');
    assert_int_equal(rig_cli_option_error("rig", "status", ch, argv, opts), 2);
    out = capture_end(&c);
    nl = strchr(out, '\n');
    assert_non_null(nl);
    assert_string_equal(nl + 1, "Try 'rig status --help'.\n");
    *nl = '\0';
    return out;
}

static void expect_option_error(int argc, char **argv, const char *want)
{
    char *got = option_error(argc, argv);

    assert_string_equal(got, want);
    free(got);
}

static void test_option_error(void **state)
{
    char *unknown_long[] = {"status", "--json", "--bogus=1", NULL};
    char *unknown_short[] = {"status", "--json", "-jz", NULL};
    char *short_value[] = {"status", "-n", NULL};
    char *long_value[] = {"status", "--project", NULL};
    char *abbrev_value[] = {"status", "--proj", NULL};
    char *no_value[] = {"status", "--json=yes", NULL};
    char *after_long[] = {"status", "--project=x", "-pz", NULL};
    char *before_more[] = {"status", "--json=yes", "-n", "3", NULL};

    (void)state;
    expect_option_error(3, unknown_long, "rig status: unknown option '--bogus'");
    expect_option_error(3, unknown_short, "rig status: unknown option '-j'");
    expect_option_error(2, short_value, "rig status: option '-n' needs a value");
    expect_option_error(2, long_value, "rig status: option '--project' needs a value");
    expect_option_error(2, abbrev_value, "rig status: option '--project' needs a value");
    expect_option_error(2, no_value, "rig status: option '--json' takes no value");
    expect_option_error(3, after_long, "rig status: unknown option '-p'");
    expect_option_error(4, before_more, "rig status: option '--json' takes no value");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wants_help),
        cmocka_unit_test(test_usage_error),
        cmocka_unit_test(test_option_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
