#include "engine/machine.h"

#include "core/banned.h"

#define B(p) (1u << (unsigned)(RIG_PHASE_##p))

/* Successor sets; failed and cancelled are reachable from every running phase
 * and are added in rig_machine_allowed rather than repeated in each row. */
static const unsigned next[RIG_PHASE_COUNT] = {
    [RIG_PHASE_QUEUED] = B(PLANNING) | B(CODING) | B(DEPLOYING) | B(TESTING),
    [RIG_PHASE_PLANNING] = B(CODING),
    [RIG_PHASE_CODING] = B(COMMITTING),
    [RIG_PHASE_COMMITTING] =
        B(AWAITING_APPROVAL) | B(DEPLOYING) | B(TESTING) | B(REPORTING) | B(COMPLETED),
    [RIG_PHASE_AWAITING_APPROVAL] = B(DEPLOYING) | B(ROLLING_BACK),
    [RIG_PHASE_DEPLOYING] =
        B(TESTING) | B(ANALYZING) | B(REPORTING) | B(COMPLETED) | B(ROLLING_BACK),
    [RIG_PHASE_TESTING] = B(REPORTING) | B(ANALYZING) | B(COMPLETED) | B(ROLLING_BACK),
    [RIG_PHASE_ANALYZING] = B(CODING) | B(AWAITING_APPROVAL) | B(ROLLING_BACK),
    [RIG_PHASE_REPORTING] = B(COMPLETED),
    [RIG_PHASE_ROLLING_BACK] = 0,
    [RIG_PHASE_COMPLETED] = 0,
    [RIG_PHASE_FAILED] = 0,
    [RIG_PHASE_CANCELLED] = 0,
    /* Resuming re-enters the phase that was running when the process died. */
    [RIG_PHASE_INTERRUPTED] = B(PLANNING) | B(CODING) | B(COMMITTING) | B(AWAITING_APPROVAL) |
                              B(DEPLOYING) | B(TESTING) | B(ANALYZING) | B(REPORTING) |
                              B(ROLLING_BACK),
};

bool rig_machine_allowed(enum rig_phase from, enum rig_phase to)
{
    if ((unsigned)from >= RIG_PHASE_COUNT || (unsigned)to >= RIG_PHASE_COUNT)
        return false;
    if (rig_phase_is_terminal(from) && from != RIG_PHASE_INTERRUPTED)
        return false;
    if (to == RIG_PHASE_FAILED || to == RIG_PHASE_CANCELLED)
        return true;
    return (next[from] & (1u << (unsigned)to)) != 0;
}

int rig_machine_check(enum rig_phase from, enum rig_phase to, struct rig_err *err)
{
    if (rig_machine_allowed(from, to))
        return 0;
    return rig_err_set(err, RIG_EINVAL, "illegal transition %s -> %s", rig_phase_name(from),
                       rig_phase_name(to));
}
