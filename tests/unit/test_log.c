#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/log.h"

static char *capture(enum rig_log_format fmt, enum rig_log_level level, const char *msg)
{
    char *data = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&data, &len);

    rig_log_setup(RIG_LOG_INFO, fmt, f);
    rig_log(level, "%s", msg);
    fclose(f);
    rig_log_setup(RIG_LOG_INFO, RIG_LOG_TEXT, stderr);
    return data;
}

static void test_text_format(void **state)
{
    char *out;

    (void)state;
    out = capture(RIG_LOG_TEXT, RIG_LOG_WARN, "disk almost full");
    assert_non_null(strstr(out, " warn  disk almost full\n"));
    assert_int_equal(out[4], '-'); /* starts with an RFC 3339 timestamp */
    assert_int_equal(out[10], 'T');
    free(out);
}

static void test_text_one_record_per_line(void **state)
{
    char *out;

    (void)state;
    out = capture(RIG_LOG_TEXT, RIG_LOG_WARN, "action opened\n2026-01-01T00:00:00Z error forged\r\x1b[31m");
    assert_non_null(strstr(out, "action opened\\n2026-01-01T00:00:00Z error forged\\r\\x1b[31m\n"));
    assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out)); /* exactly one line */
    free(out);
}

static void test_level_filter(void **state)
{
    char *out;

    (void)state;
    out = capture(RIG_LOG_TEXT, RIG_LOG_DEBUG, "hidden");
    assert_string_equal(out, "");
    free(out);
}

static void test_json_lines(void **state)
{
    char *out;
    json_t *j;
    json_error_t jerr;

    (void)state;
    out = capture(RIG_LOG_JSON, RIG_LOG_ERROR, "quote \" newline \n tab \t ctrl \x01");
    j = json_loads(out, 0, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "level")), "error");
    assert_string_equal(json_string_value(json_object_get(j, "msg")),
                        "quote \" newline \n tab \t ctrl \x01");
    assert_non_null(json_object_get(j, "ts"));
    json_decref(j);
    free(out);
}

static void test_secrets_redacted(void **state)
{
    char *out, *r;

    (void)state;
    rig_secret_add("sk-ant-SECRET123");
    rig_secret_add("ghp_abc");
    rig_secret_add("");
    rig_secret_add(NULL);
    out = capture(RIG_LOG_TEXT, RIG_LOG_INFO, "key=sk-ant-SECRET123 tok=ghp_abcghp_abc end");
    assert_null(strstr(out, "SECRET123"));
    assert_null(strstr(out, "ghp_abc"));
    assert_non_null(strstr(out, "key=[REDACTED] tok=[REDACTED][REDACTED] end"));
    free(out);
    out = capture(RIG_LOG_JSON, RIG_LOG_INFO, "sk-ant-SECRET123");
    assert_null(strstr(out, "SECRET123"));
    free(out);
    r = rig_redact("x sk-ant-SECRET123 y");
    assert_string_equal(r, "x [REDACTED] y");
    free(r);
    rig_secret_clear();
    r = rig_redact("sk-ant-SECRET123");
    assert_string_equal(r, "sk-ant-SECRET123");
    free(r);
}

static void test_overlapping_secrets_longest_wins(void **state)
{
    char *r;

    (void)state;
    rig_secret_add("abc");
    rig_secret_add("abcdef");
    r = rig_redact("abcdefabc");
    assert_string_equal(r, "[REDACTED][REDACTED]");
    free(r);
    rig_secret_clear();
}

static void test_parse(void **state)
{
    enum rig_log_level l;
    enum rig_log_format f;

    (void)state;
    assert_int_equal(rig_log_level_parse("debug", &l), 0);
    assert_int_equal(l, RIG_LOG_DEBUG);
    assert_int_equal(rig_log_level_parse("loud", &l), -1);
    assert_int_equal(rig_log_format_parse("json", &f), 0);
    assert_int_equal(f, RIG_LOG_JSON);
    assert_int_equal(rig_log_format_parse("xml", &f), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_format),
        cmocka_unit_test(test_text_one_record_per_line),
        cmocka_unit_test(test_level_filter),
        cmocka_unit_test(test_json_lines),
        cmocka_unit_test(test_secrets_redacted),
        cmocka_unit_test(test_overlapping_secrets_longest_wins),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
