#include "testutil.h"

#include <string.h>

#include "engine/phase.h"

static void test_names_roundtrip(void **state)
{
    enum rig_phase p;

    (void)state;
    for (int i = 0; i < RIG_PHASE_COUNT; i++) {
        const char *n = rig_phase_name((enum rig_phase)i);

        assert_string_not_equal(n, "unknown");
        assert_int_equal(rig_phase_parse(n, &p), 0);
        assert_int_equal(p, i);
    }
    assert_string_equal(rig_phase_name(RIG_PHASE_QUEUED), "queued");
    assert_string_equal(rig_phase_name(RIG_PHASE_AWAITING_APPROVAL), "awaiting_approval");
    assert_string_equal(rig_phase_name(RIG_PHASE_ROLLING_BACK), "rolling_back");
    assert_string_equal(rig_phase_name(RIG_PHASE_INTERRUPTED), "interrupted");
    assert_string_equal(rig_phase_name((enum rig_phase)-1), "unknown");
    assert_string_equal(rig_phase_name((enum rig_phase)RIG_PHASE_COUNT), "unknown");
}

static void test_parse_rejects(void **state)
{
    enum rig_phase p = RIG_PHASE_CODING;

    (void)state;
    assert_int_equal(rig_phase_parse("Queued", &p), -1);
    assert_int_equal(rig_phase_parse("awaiting-approval", &p), -1);
    assert_int_equal(rig_phase_parse("", &p), -1);
    assert_int_equal(rig_phase_parse(NULL, &p), -1);
    assert_int_equal(rig_phase_parse("rollback", &p), -1);
    assert_int_equal(p, RIG_PHASE_CODING);
}

static void test_terminal(void **state)
{
    (void)state;
    assert_true(rig_phase_is_terminal(RIG_PHASE_COMPLETED));
    assert_true(rig_phase_is_terminal(RIG_PHASE_FAILED));
    assert_true(rig_phase_is_terminal(RIG_PHASE_CANCELLED));
    assert_true(rig_phase_is_terminal(RIG_PHASE_INTERRUPTED));
    assert_false(rig_phase_is_terminal(RIG_PHASE_AWAITING_APPROVAL));
    assert_false(rig_phase_is_terminal(RIG_PHASE_ROLLING_BACK));
    assert_false(rig_phase_is_terminal(RIG_PHASE_QUEUED));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_roundtrip),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_terminal),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
