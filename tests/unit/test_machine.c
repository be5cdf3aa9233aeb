#include "testutil.h"

#include "engine/machine.h"

#define P(x) RIG_PHASE_##x

struct edge {
    enum rig_phase from, to;
};

static const struct edge legal[] = {
    {P(QUEUED), P(PLANNING)},         {P(QUEUED), P(CODING)},
    {P(QUEUED), P(DEPLOYING)},        {P(QUEUED), P(TESTING)},
    {P(PLANNING), P(CODING)},         {P(CODING), P(COMMITTING)},
    {P(COMMITTING), P(DEPLOYING)},    {P(COMMITTING), P(AWAITING_APPROVAL)},
    {P(COMMITTING), P(TESTING)},      {P(COMMITTING), P(REPORTING)},
    {P(COMMITTING), P(COMPLETED)},    {P(AWAITING_APPROVAL), P(DEPLOYING)},
    {P(AWAITING_APPROVAL), P(ROLLING_BACK)}, {P(DEPLOYING), P(TESTING)},
    {P(DEPLOYING), P(ANALYZING)},     {P(DEPLOYING), P(REPORTING)},
    {P(TESTING), P(REPORTING)},       {P(TESTING), P(ANALYZING)},
    {P(TESTING), P(ROLLING_BACK)},    {P(ANALYZING), P(CODING)},
    {P(ANALYZING), P(AWAITING_APPROVAL)}, {P(ANALYZING), P(ROLLING_BACK)},
    {P(REPORTING), P(COMPLETED)},     {P(ROLLING_BACK), P(FAILED)},
    {P(INTERRUPTED), P(TESTING)},     {P(INTERRUPTED), P(CODING)},
};

static const struct edge illegal[] = {
    {P(QUEUED), P(COMPLETED)},  {P(QUEUED), P(REPORTING)},    {P(PLANNING), P(DEPLOYING)},
    {P(CODING), P(TESTING)},    {P(CODING), P(DEPLOYING)},    {P(REPORTING), P(TESTING)},
    {P(CODING), P(QUEUED)},     {P(TESTING), P(CODING)},      {P(DEPLOYING), P(CODING)},
    {P(ANALYZING), P(DEPLOYING)}, {P(COMPLETED), P(PLANNING)}, {P(FAILED), P(ROLLING_BACK)},
    {P(CANCELLED), P(QUEUED)},  {P(COMPLETED), P(FAILED)},    {P(INTERRUPTED), P(COMPLETED)},
    {P(INTERRUPTED), P(QUEUED)}, {P(ROLLING_BACK), P(COMPLETED)},
    {P(AWAITING_APPROVAL), P(COMPLETED)},
};

static void test_legal_edges(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(legal) / sizeof(legal[0]); i++) {
        struct rig_err err = RIG_ERR_INIT;
        if (rig_machine_check(legal[i].from, legal[i].to, &err) != 0)
            fail_msg("%s -> %s should be legal: %s", rig_phase_name(legal[i].from),
                     rig_phase_name(legal[i].to), err.msg);
    }
}

static void test_illegal_edges(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(illegal) / sizeof(illegal[0]); i++) {
        struct rig_err err = RIG_ERR_INIT;
        if (rig_machine_check(illegal[i].from, illegal[i].to, &err) == 0)
            fail_msg("%s -> %s should be illegal", rig_phase_name(illegal[i].from),
                     rig_phase_name(illegal[i].to));
    }
}

static void test_message_names_both_phases(void **state)
{
    struct rig_err err = RIG_ERR_INIT;

    (void)state;
    assert_int_equal(rig_machine_check(P(CODING), P(TESTING), &err), -1);
    assert_string_equal(err.msg, "illegal transition coding -> testing");
}

static void test_fail_and_cancel_from_every_running_phase(void **state)
{
    (void)state;
    for (int p = 0; p < RIG_PHASE_COUNT; p++) {
        bool running = !rig_phase_is_terminal((enum rig_phase)p);
        assert_int_equal(rig_machine_allowed((enum rig_phase)p, P(FAILED)),
                         running || p == P(INTERRUPTED));
        assert_int_equal(rig_machine_allowed((enum rig_phase)p, P(CANCELLED)),
                         running || p == P(INTERRUPTED));
    }
}

static void test_terminal_phases_have_no_way_out(void **state)
{
    static const enum rig_phase terminal[] = {P(COMPLETED), P(FAILED), P(CANCELLED)};

    (void)state;
    for (size_t i = 0; i < 3; i++)
        for (int to = 0; to < RIG_PHASE_COUNT; to++)
            assert_false(rig_machine_allowed(terminal[i], (enum rig_phase)to));
}

static void test_out_of_range(void **state)
{
    (void)state;
    assert_false(rig_machine_allowed((enum rig_phase)99, P(FAILED)));
    assert_false(rig_machine_allowed(P(QUEUED), (enum rig_phase)-1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_legal_edges),
        cmocka_unit_test(test_illegal_edges),
        cmocka_unit_test(test_message_names_both_phases),
        cmocka_unit_test(test_fail_and_cancel_from_every_running_phase),
        cmocka_unit_test(test_terminal_phases_have_no_way_out),
        cmocka_unit_test(test_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
