#!/bin/bash
# workflow.approval.before_deploy: the task waits after pushing with a deploy
# proposal showing the branch diff; the wait is in the database, so a new
# process sees it (nothing "interrupted") and a later `rig approve` continues.
. "$(dirname "$0")/lib_pipeline.sh"

lp_new before-deploy
lp_script "$(lp_plan_ok)" "$(lp_code_ok)" "$(lp_plan_ok)" "$(lp_code_ok)"
lp_standin
lp_config <<EOF
$(lp_ai anthropic "max_retry: 1")
$(lp_deploy_block)
$(lp_test_block)
workflow:
  approval:
    before_deploy: true
EOF
lp_issue "Fix add" "add() must return the sum."
lp_rig exec --issue issue.md
lp_rc "rig exec" 0
lp_task_is awaiting_approval awaiting_approval 1
lp_out_has "waiting hint" "waiting for approval: rig proposals $LP_TASK"
lp_eq "steps" "planning coding committing awaiting_approval" "$(lp_step_phases)"
branch=$(lp_branch)
lp_eq "pushed before the approval" 1 "$(lp_remote_count "$branch")"
lp_false "not deployed" test -e "$D/deploy.marker"
lp_eq "deploy proposal" "deploy|pending" \
    "$(lp_proposal "kind, status")"
lp_contains "proposal summary" "$(lp_proposal "summary")" \
    "Deploy branch $branch (1 file(s) changed"

# A new process: the waiting task is neither running nor interrupted.
lp_rig status
lp_rc "rig status" 0
lp_out_lacks "nothing interrupted" "interrupted"
lp_true "status line" grep -Eq "^$LP_TASK +awaiting_approval +awaiting_approval +1/2 " "$LP_OUT"
lp_eq "status --json" "awaiting_approval awaiting_approval" \
    "$(lp_status_field status) $(lp_status_field phase)"
lp_eq "still waiting in the store" "awaiting_approval awaiting_approval" "$(lp_task_state)"

lp_rig proposals "$LP_TASK"
lp_rc "rig proposals" 0
lp_out_has "header" "for task $LP_TASK [deploy, pending]"
lp_out_has "diff file" "+++ b/lib.sh"
lp_out_has "diff old" '-add() { echo $(($1 - $2)); }'
lp_out_has "diff new" '+add() { echo $(($1 + $2)); }'

lp_rig approve "$LP_TASK"
lp_rc "rig approve" 0
lp_out_has "outcome" "Task $LP_TASK is now completed"
lp_task_is completed completed 1
lp_eq "steps after approval" \
    "planning coding committing awaiting_approval deploying testing reporting" "$(lp_step_phases)"
lp_eq "deployed the pushed commit" "deployed $branch $(lp_remote_head "$branch")" \
    "$(cat "$D/deploy.marker" 2>/dev/null)"
lp_eq "no new commit" 1 "$(lp_remote_count "$branch")"
lp_eq "proposal approved" approved "$(lp_proposal "status")"
lp_eq "PR" "rig: Fix add" "$(lp_task_field pr_title)"
lp_eq "no AI request after approval" 2 "$(lp_ai_count)"
lp_rig approve "$LP_TASK"
lp_rc "approve twice" 1
lp_out_has "refused" "is completed, not waiting for approval"

# A waiting task has no process: cancelling it ends it at once.
lp_issue "Fix add again" "Second task."
lp_rig exec --issue issue.md
lp_rc "second rig exec" 0
lp_task_is awaiting_approval awaiting_approval 1
lp_rig cancel "$LP_TASK"
lp_rc "rig cancel (waiting)" 0
lp_out_has "cancelled at once" "Task $LP_TASK cancelled: cancelled while waiting for approval."
lp_task_is cancelled cancelled 1
lp_eq "result" cancelled "$(lp_task_field result)"
lp_contains "error" "$(lp_task_field error)" "cancelled while waiting for approval"
lp_eq "the proposal is closed" "rejected" \
    "$(lp_proposal "status")"
lp_rig proposals
lp_out_has "nothing pending" "No pending proposals."
lp_rig approve "$LP_TASK"
lp_rc "approve a cancelled task" 1
lp_out_has "refused" "is cancelled, not waiting for approval"
lp_eq "never deployed" 1 "$(wc -l <"$D/deploy.marker")"
lp_eq "no running step left" 0 \
    "$(lp_count steps "status = 'running'")"
lp_standin_stop

lp_finish
