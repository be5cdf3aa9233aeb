#include "testutil.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"

static int64_t dur(const char *s)
{
    struct rig_err err = RIG_ERR_INIT;
    int64_t ms = -42;

    if (rig_duration_parse(s, &ms, &err) < 0)
        fail_msg("rig_duration_parse(\"%s\") failed: %s", s, err.msg);
    return ms;
}

static void test_duration_parse_valid(void **state)
{
    (void)state;
    assert_int_equal(dur("500ms"), 500);
    assert_int_equal(dur("120s"), 120000);
    assert_int_equal(dur("5m"), 300000);
    assert_int_equal(dur("24h"), 86400000);
    assert_int_equal(dur("2d"), 172800000);
    assert_int_equal(dur("1h30m"), 5400000);
    assert_int_equal(dur("1h30m15s"), 5415000);
    assert_int_equal(dur("1m500ms"), 60500);
    assert_int_equal(dur("0s"), 0);
    assert_int_equal(dur("0ms"), 0);
    assert_int_equal(dur("1.5s"), 1500);
    assert_int_equal(dur(".5s"), 500);
    assert_int_equal(dur("1.5h"), 5400000);
    assert_int_equal(dur("0.001s"), 1);
    assert_int_equal(dur("1.250000000000s"), 1250);
    assert_int_equal(dur("007s"), 7000);
    /* Go's order-free summing is kept so Go configs keep their meaning */
    assert_int_equal(dur("30s1m"), 90000);
}

static void expect_bad(const char *s, const char *want)
{
    struct rig_err err = RIG_ERR_INIT;
    int64_t ms = 12345;

    assert_int_equal(rig_duration_parse(s, &ms, &err), -1);
    assert_int_equal(err.code, RIG_EINVAL);
    assert_int_equal(ms, 12345); /* untouched on error */
    if (!strstr(err.msg, want))
        fail_msg("duration \"%s\": message \"%s\" lacks \"%s\"", s ? s : "(null)", err.msg, want);
}

static void test_duration_parse_errors(void **state)
{
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    expect_bad("5x", "invalid duration \"5x\": use a number with a unit, e.g. 120s, 5m, 1h30m");
    expect_bad("30", "invalid duration \"30\": the unit is missing");
    expect_bad("0", "the unit is missing");
    expect_bad("1h30", "the unit is missing");
    expect_bad("", "empty duration: use a number with a unit");
    expect_bad(NULL, "empty duration");
    expect_bad("-5s", "must not be negative");
    expect_bad("s", "invalid duration \"s\"");
    expect_bad(".s", "invalid duration");
    expect_bad("1 h", "invalid duration");
    expect_bad(" 1h", "invalid duration");
    expect_bad("1h ", "invalid duration");
    expect_bad("1H", "invalid duration");
    expect_bad("1us", "invalid duration");
    expect_bad("1.5ms", "the smallest step is 1ms");
    expect_bad("0.0001s", "the smallest step is 1ms");
    expect_bad("1e3s", "invalid duration");
    expect_bad("99999999999999999999s", "too large");
    expect_bad("9223372036854775807s", "too large");
    expect_bad("106751991167301d", "too large");
    expect_bad("9223372036854775807ms1ms", "too large");
    /* err may be NULL */
    assert_int_equal(rig_duration_parse("bad", &(int64_t){0}, NULL), -1);
    (void)err;
}

static void test_duration_limits(void **state)
{
    (void)state;
    assert_true(dur("9223372036854775807ms") == INT64_MAX);
    assert_true(dur("106751991167d") == INT64_C(106751991167) * 86400000);
}

static void test_duration_format(void **state)
{
    char buf[64];

    (void)state;
    assert_string_equal(rig_duration_format(0, buf, sizeof(buf)), "0s");
    assert_string_equal(rig_duration_format(90000, buf, sizeof(buf)), "1m30s");
    assert_string_equal(rig_duration_format(1500, buf, sizeof(buf)), "1.5s");
    assert_string_equal(rig_duration_format(1250, buf, sizeof(buf)), "1.25s");
    assert_string_equal(rig_duration_format(1001, buf, sizeof(buf)), "1.001s");
    assert_string_equal(rig_duration_format(500, buf, sizeof(buf)), "500ms");
    assert_string_equal(rig_duration_format(150, buf, sizeof(buf)), "150ms");
    assert_string_equal(rig_duration_format(123000, buf, sizeof(buf)), "2m3s");
    assert_string_equal(rig_duration_format(3723500, buf, sizeof(buf)), "1h2m3.5s");
    assert_string_equal(rig_duration_format(300000, buf, sizeof(buf)), "5m");
    assert_string_equal(rig_duration_format(60500, buf, sizeof(buf)), "1m500ms");
    assert_string_equal(rig_duration_format(5400000, buf, sizeof(buf)), "1h30m");
    assert_string_equal(rig_duration_format(86400000, buf, sizeof(buf)), "1d");
    assert_string_equal(rig_duration_format(90061500, buf, sizeof(buf)), "1d1h1m1.5s");
    assert_string_equal(rig_duration_format(-1500, buf, sizeof(buf)), "-1.5s");
    assert_string_equal(rig_duration_format(INT64_MIN, buf, sizeof(buf)),
                        "-106751991167d7h12m55.808s");
    /* truncated but terminated */
    assert_string_equal(rig_duration_format(5400000, buf, 3), "1h");
    assert_string_equal(rig_duration_format(5415000, buf, 5), "1h30");
}

static void test_duration_roundtrip(void **state)
{
    static const int64_t values[] = {
        0, 1, 999, 1000, 1001, 59999, 60000, 3599999, 3600000, 86399999, 86400000,
        123456789, INT64_C(31536000000), INT64_MAX,
    };
    char buf[64];

    (void)state;
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
        assert_true(dur(rig_duration_format(values[i], buf, sizeof(buf))) == values[i]);
}

static void test_clocks(void **state)
{
    int64_t now = rig_now_ms(), t = (int64_t)time(NULL);
    int64_t m1 = rig_mono_ms(), m2;

    (void)state;
    /* same second as time(), give or take a tick at the boundary */
    assert_true(now / 1000 >= t - 1 && now / 1000 <= t + 1);
    m2 = rig_mono_ms();
    assert_true(m2 >= m1);
}

static void test_time_format(void **state)
{
    char buf[40];

    (void)state;
    assert_string_equal(rig_time_format(0, 0, buf, sizeof(buf)), "1970-01-01T00:00:00Z");
    assert_string_equal(rig_time_format(INT64_C(1795346),  0, buf, sizeof(buf)),
                        "1970-01-01T00:29:55Z");
    assert_string_equal(rig_time_format(INT64_C(1795345978123), 1, buf, sizeof(buf)),
                        "2026-11-22T11:12:58.123Z");
    assert_string_equal(rig_time_format(INT64_C(1795345978123), 0, buf, sizeof(buf)),
                        "2026-11-22T11:12:58Z");
    assert_string_equal(rig_time_format(INT64_C(1795345978000), 1, buf, sizeof(buf)),
                        "2026-11-22T11:12:58Z");
    assert_string_equal(rig_time_format(-1, 1, buf, sizeof(buf)), "1969-12-31T23:59:59.999Z");
    assert_string_equal(rig_time_format(INT64_C(951782400000), 0, buf, sizeof(buf)),
                        "2000-02-29T00:00:00Z");
}

static int64_t tparse(const char *s)
{
    struct rig_err err = RIG_ERR_INIT;
    int64_t ms = -42;

    if (rig_time_parse(s, &ms, &err) < 0)
        fail_msg("rig_time_parse(\"%s\") failed: %s", s, err.msg);
    return ms;
}

static void test_time_parse(void **state)
{
    (void)state;
    assert_true(tparse("2026-11-22T11:12:58Z") == INT64_C(1795345978000));
    assert_true(tparse("2026-11-22t11:12:58z") == INT64_C(1795345978000));
    assert_true(tparse("2026-11-22T11:12:58.123Z") == INT64_C(1795345978123));
    assert_true(tparse("2026-11-22T11:12:58.1Z") == INT64_C(1795345978100));
    assert_true(tparse("2026-11-22T11:12:58.123999999Z") == INT64_C(1795345978123));
    assert_true(tparse("2026-11-22T13:12:58+02:00") == INT64_C(1795345978000));
    assert_true(tparse("2026-11-22T06:42:58.5-04:30") == INT64_C(1795345978500));
    assert_true(tparse("2026-11-22T11:12:58+00:00") == INT64_C(1795345978000));
    assert_true(tparse("1970-01-01T00:00:00Z") == 0);
    assert_true(tparse("1969-12-31T23:59:59.999Z") == -1);
    assert_true(tparse("2024-02-29T00:00:00Z") == INT64_C(1709164800000));
    /* a leap second folds into the next minute */
    assert_true(tparse("2016-12-31T23:59:60Z") == INT64_C(1483228800000));
    /* GitHub's timestamps */
    assert_true(tparse("2019-05-15T15:20:33Z") == INT64_C(1557933633000));
}

static void test_time_roundtrip(void **state)
{
    static const int64_t values[] = {
        0, 1, -1, 999, INT64_C(1795345978123), INT64_C(253402300799999), INT64_C(-62135596800000),
    };
    char buf[40];

    (void)state;
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
        assert_true(tparse(rig_time_format(values[i], 1, buf, sizeof(buf))) == values[i]);
}

static void time_bad(const char *s, const char *want)
{
    struct rig_err err = RIG_ERR_INIT;
    int64_t ms = 7;

    assert_int_equal(rig_time_parse(s, &ms, &err), -1);
    assert_int_equal(ms, 7);
    assert_int_equal(err.code, RIG_EINVAL);
    if (!strstr(err.msg, want))
        fail_msg("time \"%s\": message \"%s\" lacks \"%s\"", s ? s : "(null)", err.msg, want);
}

static void test_time_parse_errors(void **state)
{
    (void)state;
    time_bad("", "empty time");
    time_bad(NULL, "empty time");
    time_bad("2026-11-22", "use RFC 3339, e.g. 2026-11-22T11:12:58Z");
    time_bad("2026-11-22T11:12:58", "use RFC 3339");          /* no zone */
    time_bad("2026-11-22 11:12:58Z", "use RFC 3339");
    time_bad("2026-11-22T11:12Z", "use RFC 3339");
    time_bad("2026-11-22T11:12:58.Z", "use RFC 3339");
    time_bad("2026-11-22T11:12:58+0200", "use RFC 3339");
    time_bad("2026-11-22T11:12:58+24:00", "use RFC 3339");
    time_bad("2026-11-22T11:12:58+02:60", "use RFC 3339");
    time_bad("2026-11-22T11:12:58Zjunk", "use RFC 3339");
    time_bad("26-11-22T11:12:58Z", "use RFC 3339");
    time_bad("2026-13-01T00:00:00Z", "out of range");
    time_bad("2026-00-01T00:00:00Z", "out of range");
    time_bad("2026-02-29T00:00:00Z", "out of range");
    time_bad("2100-02-29T00:00:00Z", "out of range");
    time_bad("2026-04-31T00:00:00Z", "out of range");
    time_bad("2026-01-01T24:00:00Z", "out of range");
    time_bad("2026-01-01T00:60:00Z", "out of range");
    time_bad("2026-01-01T00:00:61Z", "out of range");
    time_bad("2026-01-00T00:00:00Z", "out of range");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_parse_valid),
        cmocka_unit_test(test_duration_parse_errors),
        cmocka_unit_test(test_duration_limits),
        cmocka_unit_test(test_duration_format),
        cmocka_unit_test(test_duration_roundtrip),
        cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_time_roundtrip),
        cmocka_unit_test(test_time_parse_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
