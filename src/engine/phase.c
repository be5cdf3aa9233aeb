#include "engine/phase.h"

#include <string.h>

#include "core/banned.h"

static const char *const phase_names[RIG_PHASE_COUNT] = {
    [RIG_PHASE_QUEUED] = "queued",
    [RIG_PHASE_PLANNING] = "planning",
    [RIG_PHASE_CODING] = "coding",
    [RIG_PHASE_COMMITTING] = "committing",
    [RIG_PHASE_AWAITING_APPROVAL] = "awaiting_approval",
    [RIG_PHASE_DEPLOYING] = "deploying",
    [RIG_PHASE_TESTING] = "testing",
    [RIG_PHASE_ANALYZING] = "analyzing",
    [RIG_PHASE_REPORTING] = "reporting",
    [RIG_PHASE_ROLLING_BACK] = "rolling_back",
    [RIG_PHASE_COMPLETED] = "completed",
    [RIG_PHASE_FAILED] = "failed",
    [RIG_PHASE_CANCELLED] = "cancelled",
    [RIG_PHASE_INTERRUPTED] = "interrupted",
};

const char *rig_phase_name(enum rig_phase p)
{
    if ((int)p < 0 || (int)p >= RIG_PHASE_COUNT)
        return "unknown";
    return phase_names[p];
}

int rig_phase_parse(const char *s, enum rig_phase *out)
{
    if (!s)
        return -1;
    for (int i = 0; i < RIG_PHASE_COUNT; i++) {
        if (strcmp(s, phase_names[i]) == 0) {
            *out = (enum rig_phase)i;
            return 0;
        }
    }
    return -1;
}

bool rig_phase_is_terminal(enum rig_phase p)
{
    return p == RIG_PHASE_COMPLETED || p == RIG_PHASE_FAILED || p == RIG_PHASE_CANCELLED ||
           p == RIG_PHASE_INTERRUPTED;
}
