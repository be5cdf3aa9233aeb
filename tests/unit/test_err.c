#include "testutil.h"

#include <errno.h>
#include <string.h>

#include "core/err.h"

static void test_set_returns_minus_one(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char out[256];

    (void)state;
    assert_int_equal(rig_err_set(&err, RIG_ECONFIG, "bad %s", "thing"), -1);
    assert_int_equal(err.code, RIG_ECONFIG);
    assert_string_equal(rig_err_format(&err, out, sizeof(out)), "bad thing");
    assert_int_equal(rig_err_set(NULL, 0, "dropped"), -1);
}

static void test_location_format(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char out[256];

    (void)state;
    rig_err_at(&err, RIG_ECONFIG, "rig.yaml", 12, 5, "unknown key 'prjoect'");
    assert_string_equal(rig_err_format(&err, out, sizeof(out)),
                        "rig.yaml:12:5: unknown key 'prjoect'");
    rig_err_at(&err, RIG_ECONFIG, "rig.yaml", 3, 0, "x");
    assert_string_equal(rig_err_format(&err, out, sizeof(out)), "rig.yaml:3: x");
    rig_err_at(&err, RIG_ECONFIG, "rig.yaml", 0, 0, "x");
    assert_string_equal(rig_err_format(&err, out, sizeof(out)), "rig.yaml: x");
}

static void test_prefix_and_errno(void **state)
{
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    rig_err_errno(&err, ENOENT, "open %s", "/nope");
    assert_string_equal(err.msg, "open /nope: No such file or directory");
    rig_err_prefix(&err, "loading config");
    assert_string_equal(err.msg, "loading config: open /nope: No such file or directory");
    assert_int_equal(err.code, RIG_EIO);
}

static void test_list_sorted(void **state)
{
    struct rig_errlist l = RIG_ERRLIST_INIT;

    (void)state;
    for (int i = 0; i < 20; i++)
        rig_errlist_addf(&l, RIG_ECONFIG, "f", 20 - i, 1, "e%d", i);
    rig_errlist_addf(&l, RIG_ECONFIG, "f", 1, 1, "second at line 1");
    rig_errlist_sort(&l);
    assert_int_equal(l.len, 21);
    assert_int_equal(l.items[0].line, 1);
    assert_string_equal(l.items[0].msg, "e19");
    assert_string_equal(l.items[1].msg, "second at line 1");
    assert_int_equal(l.items[20].line, 20);
    rig_errlist_release(&l);
    assert_null(l.items);
}

static void test_long_message_truncated(void **state)
{
    struct rig_err err = RIG_ERR_INIT;
    char big[4000];

    (void)state;
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    rig_err_set(&err, 0, "%s", big);
    assert_int_equal(strlen(err.msg), RIG_ERR_MSG_MAX - 1);
    assert_int_equal(err.code, RIG_EGENERIC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_returns_minus_one),
        cmocka_unit_test(test_location_format),
        cmocka_unit_test(test_prefix_and_errno),
        cmocka_unit_test(test_list_sorted),
        cmocka_unit_test(test_long_message_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
