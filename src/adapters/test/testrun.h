#ifndef RIG_ADAPTERS_TEST_TESTRUN_H
#define RIG_ADAPTERS_TEST_TESTRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/deploy/shellcmd.h"
#include "core/err.h"

/*
 * Test entries (type "command") run with `sh -c` in the task workspace.
 *
 * Selection by affected_paths:
 *  - an entry without affected_paths always runs;
 *  - an entry with affected_paths runs when some changed file matches one of
 *    its patterns. A pattern ending in "/" or without glob characters
 *    (* ? [) is a directory prefix: "src/api" matches "src/api/x.c" and
 *    "src/api" itself but not "src/apix.c". Anything else is a glob
 *    (rig_glob_match: "**" crosses directories);
 *  - if that leaves no entry selected (e.g. nothing changed matched), ALL
 *    entries run: a change set is never reported as tested by zero tests.
 * Entries not selected get a result with skipped = true.
 */

struct rig_test_entry {
    const char *name;
    const char *run;
    int64_t timeout_ms;                 /* 0 = none */
    const char *const *affected_paths;  /* may be NULL */
    size_t naffected;
};

#define RIG_TEST_TAIL_MAX (64 * 1024)

struct rig_test_report {
    /* One per entry, config order. Skipped entries (not selected, or not
     * reached after a cancel) have skipped = true, ok = false, attempts = 0. */
    struct rig_cmd_result *items;
    size_t len;
    size_t passed, failed, skipped;
    bool ok;                      /* every selected test passed */
    bool ran_all_fallback;        /* no entry matched, so all ran */
    int64_t duration_ms;
};

/* Does changed file `file` match affected_paths pattern `pattern`? */
bool rig_test_path_matches(const char *pattern, const char *file);

/* selected[i] for every entry (caller provides n bools). Returns true when the
 * "nothing selected -> run all" fallback applied. */
bool rig_test_select(const struct rig_test_entry *tests, size_t n, const char *const *changed,
                     size_t nchanged, bool *selected);

/*
 * Run the selected tests in order (all of them, even after a failure).
 * ctx->tail_max 0 means RIG_TEST_TAIL_MAX. A timed-out test fails with its
 * output prefixed "test timed out after <d>\n". Returns 0 when every selected
 * test passed, -1 otherwise (err summarises: "2 of 5 tests failed: unit, lint")
 * or when cancelled; report is filled in every case.
 */
int rig_test_run(const struct rig_test_entry *tests, size_t n, const char *const *changed,
                 size_t nchanged, const struct rig_run_ctx *ctx, struct rig_test_report *rep,
                 struct rig_err *err);

void rig_test_report_release(struct rig_test_report *rep);

#endif
