#!/bin/bash
# Secrets that reach AI-written text (the plan) stay out of what Rig publishes
# and stores: the pull request body and the attempt record.
. "$(dirname "$0")/lib_pipeline.sh"

lp_new plan-echoes-key
lp_script "$(lp_step_plan "1. make add() add; the key is $LP_KEY")" "$(lp_code_ok)"
lp_standin
lp_config <<EOF2
$(lp_ai anthropic "max_retry: 1")
$(lp_deploy_block)
$(lp_test_block)
EOF2
lp_issue "Fix add" "The add() helper subtracts."
lp_rig exec --issue issue.md
lp_rc "rig exec" 0
lp_task_is completed completed 1
lp_contains "PR body has the plan" "$(lp_task_field pr_body)" "1. make add() add; the key is"
lp_not_contains "PR body without the key" "$(lp_task_field pr_body)" "$LP_KEY"
lp_out_lacks "key not printed" "$LP_KEY"
for cmd in explain logs "status --json"; do
    # shellcheck disable=SC2086
    lp_rig $cmd "$LP_TASK"
    lp_out_lacks "rig $cmd without the key" "$LP_KEY"
done
lp_standin_stop

lp_finish
