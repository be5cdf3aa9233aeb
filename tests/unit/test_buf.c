#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/str.h"
#include "core/mem.h"

static void test_append_and_take(void **state)
{
    struct rig_buf b = RIG_BUF_INIT;
    char *s;

    (void)state;
    assert_string_equal(rig_buf_str(&b), "");
    assert_int_equal(rig_buf_adds(&b, "hello"), 0);
    assert_int_equal(rig_buf_addch(&b, ' '), 0);
    assert_int_equal(rig_buf_addf(&b, "%d-%s", 42, "x"), 0);
    assert_string_equal(rig_buf_str(&b), "hello 42-x");
    assert_int_equal(b.len, 10);
    s = rig_buf_take(&b);
    assert_string_equal(s, "hello 42-x");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(s);
    s = rig_buf_take(&b); /* empty take still gives a string */
    assert_string_equal(s, "");
    free(s);
}

static void test_cap_refuses_without_change(void **state)
{
    struct rig_buf b;

    (void)state;
    rig_buf_init(&b, 8);
    assert_int_equal(rig_buf_adds(&b, "12345"), 0);
    assert_int_equal(rig_buf_adds(&b, "6789"), -1);
    assert_string_equal(rig_buf_str(&b), "12345");
    assert_int_equal(rig_buf_addf(&b, "%s", "abcd"), -1);
    assert_int_equal(rig_buf_adds(&b, "678"), 0);
    assert_string_equal(rig_buf_str(&b), "12345678");
    rig_buf_release(&b);
}

static void test_growth_and_consume(void **state)
{
    struct rig_buf b = RIG_BUF_INIT;

    (void)state;
    for (int i = 0; i < 10000; i++)
        rig_buf_addch(&b, (char)('a' + i % 26));
    assert_int_equal(b.len, 10000);
    rig_buf_consume(&b, 9990);
    assert_int_equal(b.len, 10);
    assert_int_equal(strlen(rig_buf_str(&b)), 10);
    rig_buf_consume(&b, 100);
    assert_string_equal(rig_buf_str(&b), "");
    rig_buf_release(&b);
}

/* Appends tail(text, n, indent) to a fresh buffer and compares. */
static void expect_tail(const char *text, size_t n, const char *indent, const char *want)
{
    struct rig_buf b = RIG_BUF_INIT;

    assert_int_equal(rig_buf_add_tail_lines(&b, text, n, indent), 0);
    assert_string_equal(rig_buf_str(&b), want);
    rig_buf_release(&b);
}

static void test_tail_lines(void **state)
{
    struct rig_buf b;

    (void)state;
    expect_tail("a\nb\nc\nd\n", 2, "  | ", "  | [...]\n  | c\n  | d\n");
    /* the last line need not end in a newline; the output always does */
    expect_tail("a\nb\nc", 2, "> ", "> [...]\n> b\n> c\n");
    expect_tail("a\nb\n", 2, "", "a\nb\n");
    expect_tail("a\nb\n", 5, "-", "-a\n-b\n");
    expect_tail("a\nb\nc\n", 0, "", "a\nb\nc\n"); /* 0: everything */
    expect_tail("\n\nx\n", 2, ".", ".[...]\n.\n.x\n"); /* empty lines count */
    expect_tail("only", 1, "", "only\n");
    expect_tail("", 3, "x", "");
    expect_tail(NULL, 3, "x", "");

    /* a refused line is reported */
    rig_buf_init(&b, 8);
    assert_int_equal(rig_buf_add_tail_lines(&b, "1234\n5678\n", 0, ""), -1);
    assert_string_equal(rig_buf_str(&b), "1234\n");
    rig_buf_release(&b);
}

static void test_binary_data(void **state)
{
    struct rig_buf b = RIG_BUF_INIT;

    (void)state;
    rig_buf_add(&b, "a\0b", 3);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b", 4);
    rig_buf_release(&b);
}

static void test_utf8_and_hex(void **state)
{
    struct rig_buf b = RIG_BUF_INIT;

    (void)state;
    assert_int_equal(rig_buf_add_utf8(&b, 'A'), 0);
    assert_int_equal(rig_buf_add_utf8(&b, 0xE9), 0);    /* é */
    assert_int_equal(rig_buf_add_utf8(&b, 0x20AC), 0);  /* € */
    assert_int_equal(rig_buf_add_utf8(&b, 0x1F600), 0); /* 😀 */
    assert_string_equal(rig_buf_str(&b), "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    rig_buf_release(&b);

    assert_int_equal(rig_hex_digit('0'), 0);
    assert_int_equal(rig_hex_digit('9'), 9);
    assert_int_equal(rig_hex_digit('a'), 10);
    assert_int_equal(rig_hex_digit('F'), 15);
    assert_int_equal(rig_hex_digit('g'), -1);
    assert_int_equal(rig_hex_digit(-1), -1);
    assert_int_equal(rig_hex_digit((char)0xC3), -1);
}

static void test_shell_quote(void **state)
{
    struct rig_buf b = RIG_BUF_INIT;

    (void)state;
    rig_shell_quote(&b, "it's $(rm -rf /) `x` \"y\"");
    assert_string_equal(rig_buf_str(&b), "'it'\\''s $(rm -rf /) `x` \"y\"'");
    rig_buf_reset(&b);
    rig_shell_quote(&b, "");
    assert_string_equal(rig_buf_str(&b), "''");
    rig_buf_release(&b);
}

static void test_shell_quote_roundtrip(void **state)
{
    struct rig_buf b = RIG_BUF_INIT;
    char *out = NULL;
    const char *nasty = "a'b\"c$d`e\\f;g|h&i\nj*k?";

    (void)state;
    rig_buf_adds(&b, "printf %s ");
    rig_shell_quote(&b, nasty);
    assert_int_equal(tu_sh(&out, "%s", rig_buf_str(&b)), 0);
    assert_string_equal(out, nasty);
    free(out);
    rig_buf_release(&b);
}

static void test_str_helpers(void **state)
{
    char s[] = "  \t trim me \n";
    long long v;
    char **parts;
    char *slug;

    (void)state;
    assert_string_equal(rig_str_trim(s), "trim me");
    assert_true(rig_str_startswith("rig/issue-1", "rig/"));
    assert_true(rig_str_endswith("a.yaml", ".yaml"));
    assert_false(rig_str_endswith("a", ".yaml"));
    assert_int_equal(rig_str_to_ll("42", 0, 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(rig_str_to_ll("42x", 0, 100, &v), -1);
    assert_int_equal(rig_str_to_ll("101", 0, 100, &v), -1);
    assert_int_equal(rig_str_to_ll("", 0, 100, &v), -1);
    assert_int_equal(rig_str_distance("prjoect", "project", 3), 2);
    assert_int_equal(rig_str_distance("abc", "xyzuvw", 2), 3);
    parts = rig_str_split("a,,b", ',');
    assert_int_equal(rig_strv_len(parts), 3);
    assert_string_equal(parts[1], "");
    rig_strv_free(parts);
    slug = rig_str_slug("Fix the Login page!! (urgent)", 40);
    assert_string_equal(slug, "fix-the-login-page-urgent");
    free(slug);
    slug = rig_str_slug("Ünïcode ../../etc", 40);
    assert_string_equal(slug, "n-code-etc");
    free(slug);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_take),
        cmocka_unit_test(test_cap_refuses_without_change),
        cmocka_unit_test(test_growth_and_consume),
        cmocka_unit_test(test_tail_lines),
        cmocka_unit_test(test_binary_data),
        cmocka_unit_test(test_utf8_and_hex),
        cmocka_unit_test(test_shell_quote),
        cmocka_unit_test(test_shell_quote_roundtrip),
        cmocka_unit_test(test_str_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
