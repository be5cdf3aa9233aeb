#ifndef RIG_ENGINE_PHASE_H
#define RIG_ENGINE_PHASE_H

#include <stdbool.h>

/*
 * The phases a task moves through. The names (lower_snake) are what is stored
 * in the database and shown to people, so they never change once released;
 * new phases are only ever added.
 */
enum rig_phase {
    RIG_PHASE_QUEUED,
    RIG_PHASE_PLANNING,
    RIG_PHASE_CODING,
    RIG_PHASE_COMMITTING,
    RIG_PHASE_AWAITING_APPROVAL,
    RIG_PHASE_DEPLOYING,
    RIG_PHASE_TESTING,
    RIG_PHASE_ANALYZING,
    RIG_PHASE_REPORTING,
    RIG_PHASE_ROLLING_BACK,
    RIG_PHASE_COMPLETED,
    RIG_PHASE_FAILED,
    RIG_PHASE_CANCELLED,
    RIG_PHASE_INTERRUPTED,
};

#define RIG_PHASE_COUNT (RIG_PHASE_INTERRUPTED + 1)

/* "queued", "awaiting_approval", ...; "unknown" for a value out of range. */
const char *rig_phase_name(enum rig_phase p);

/* Exact, case-sensitive match of a name above; -1 for anything else. */
int rig_phase_parse(const char *s, enum rig_phase *out);

/* completed, failed, cancelled and interrupted: nothing runs after these. */
bool rig_phase_is_terminal(enum rig_phase p);

#endif
