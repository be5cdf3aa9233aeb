#!/bin/bash
# Self-healing: a failing first attempt fixed by the second; retries used up
# ending in a rollback; max_retry 0 meaning exactly one attempt.
. "$(dirname "$0")/lib_pipeline.sh"

WRONG='$1 * $2'

rollback_block()
{
    cat <<EOF
  rollback:
    enabled: true
    config:
      commands:
        - name: undo
          run: echo "rolled back \${BRANCH_NAME}" > $D/rollback.marker
EOF
}

# ---- the first attempt fails its tests, the second passes
lp_new heal-second-attempt
lp_script "$(lp_plan_ok)" \
    "$(lp_step_edit "multiply (wrong)" lib.sh "$LP_FIX_SEARCH" "$WRONG")" \
    "$(lp_step_edit "add, really" lib.sh "$WRONG" "$LP_FIX_REPLACE")"
lp_standin
lp_config <<EOF
$(lp_ai anthropic "max_retry: 2")
$(lp_deploy_block)
$(lp_test_block)
EOF
lp_issue "Fix add" "add() must return the sum (HEAL-BODY)."
lp_rig exec --issue issue.md
lp_rc "rig exec" 0
lp_task_is completed completed 2
lp_eq "result" "pull request opened" "$(lp_task_field result)"
lp_eq "steps" "planning coding committing deploying testing analyzing coding committing deploying \
testing reporting" "$(lp_step_phases)"
lp_eq "failed steps" "testing" \
    "$(lp_failed_steps)"
lp_eq "attempt 1 tests" false \
    "$(lp_attempt "tests_json" 1 | jq -r '.[0].ok')"
lp_contains "attempt 1 test output" \
    "$(lp_attempt "tests_json" 1 | jq -r '.[0].output')" \
    "FAIL: add 2 3 = 6"
lp_eq "attempt 2 tests" true \
    "$(lp_attempt "tests_json" 2 | jq -r '.[0].ok')"
lp_eq "attempt 2 tokens" "100 10" \
    "$(lp_attempt "tokens_in || ' ' || tokens_out" 2)"
lp_eq "task tokens" "300 30" "$(lp_task_field "tokens_in || ' ' || tokens_out")"
lp_eq "log: self-heal round" 1 "$(lp_log_count "tests failed: starting self-heal round 1 of 2")"
lp_eq "log: tests failed" 1 "$(lp_log_count "tests: 0 passed, 1 failed" error)"
branch=$(lp_branch)
lp_eq "two commits on the remote branch" 2 "$(lp_remote_count "$branch")"
first=$(git -C "$D/remote.git" rev-parse "$branch~1")
second=$(lp_remote_head "$branch")
lp_true "first commit is an ancestor of the second (no force-push)" \
    git -C "$D/remote.git" merge-base --is-ancestor "$first" "$second"
lp_contains "first commit has the wrong change" "$(git -C "$D/remote.git" show "$first:lib.sh")" \
    "$WRONG"
lp_contains "second commit has the fix" "$(lp_remote_file "$branch" lib.sh)" "$LP_FIX_REPLACE"
lp_contains "second commit message" "$(git -C "$D/remote.git" log -1 --format=%s "$branch")" \
    "self-heal 1"
lp_eq "deployed twice" 2 "$(wc -l <"$D/deploy.marker")"
lp_eq "AI requests" 3 "$(lp_ai_count)"
lp_contains "fix request has the failing output" "$(lp_ai_prompt 3)" "FAIL: add 2 3 = 6"
lp_contains "fix request has the issue" "$(lp_ai_prompt 3)" "HEAL-BODY"
lp_contains "fix request has the current file" "$(lp_ai_prompt 3)" "$WRONG"
lp_standin_stop

# ---- retries used up: rollback, then failed
lp_new heal-exhausted-rollback
lp_script "$(lp_plan_ok)" \
    "$(lp_step_edit "multiply" lib.sh "$LP_FIX_SEARCH" "$WRONG")" \
    "$(lp_step_edit "multiply again" lib.sh "$WRONG" '$1 * $2 * 1')"
lp_standin
lp_config <<EOF
$(lp_ai anthropic "max_retry: 1")
$(lp_deploy_block)
$(rollback_block)
$(lp_test_block)
EOF
lp_issue "Fix add" "add() must return the sum."
lp_rig exec --issue issue.md
lp_rc "rig exec" 1
lp_task_is failed failed 2
reason="tests still failing after 1 self-heal round(s) (ai.max_retry = 1); rollback succeeded"
lp_eq "error" "$reason" "$(lp_task_field error)"
lp_out_has "outcome" "Task $LP_TASK: failed — $reason"
lp_eq "rollback marker" "rolled back $(lp_branch)" "$(cat "$D/rollback.marker" 2>/dev/null)"
lp_contains "steps end with the rollback" "$(lp_step_phases)" "testing analyzing rolling_back"
lp_eq "attempts" 2 "$(lp_count attempts)"
lp_eq "log: rolling back" 1 "$(lp_log_count "rolling back" error)"
lp_eq "log: rollback output" 1 "$(lp_log_count "rollback succeeded")"
lp_eq "AI requests" 3 "$(lp_ai_count)"
lp_eq "commits pushed" 2 "$(lp_remote_count "$(lp_branch)")"
lp_eq "no PR" "" "$(lp_task_field pr_title)"
lp_rig explain "$LP_TASK"
lp_rc "rig explain" 0
lp_out_has "explain: status" "Task $LP_TASK: failed (phase failed), attempt 2 of 2"
lp_out_has "explain: failing test" "test unit: FAILED"
lp_out_has "explain: test output" "FAIL: add 2 3 = 6"
lp_standin_stop

# ---- max_retry 0: exactly one attempt
lp_new heal-no-retry
lp_script "$(lp_plan_ok)" "$(lp_step_edit "multiply" lib.sh "$LP_FIX_SEARCH" "$WRONG")"
lp_standin
lp_config <<EOF
$(lp_ai anthropic "max_retry: 0")
$(lp_deploy_block)
$(rollback_block)
$(lp_test_block)
EOF
lp_issue "Fix add" "add() must return the sum."
lp_rig exec --issue issue.md
lp_rc "rig exec" 1
lp_task_is failed failed 1
lp_eq "max_retry" 0 "$(lp_task_field max_retry)"
lp_eq "error" \
    "tests still failing after 0 self-heal round(s) (ai.max_retry = 0); rollback succeeded" \
    "$(lp_task_field error)"
lp_eq "attempts" 1 "$(lp_count attempts)"
lp_eq "AI requests (plan + code, no fix)" 2 "$(lp_ai_count)"
lp_eq "deployed once" 1 "$(wc -l <"$D/deploy.marker")"
lp_eq "one commit" 1 "$(lp_remote_count "$(lp_branch)")"
lp_standin_stop

lp_finish
