#!/bin/bash
# Guards on what the AI may change: blocking and warning policies, and paths
# leading out of the workspace (.., absolute, through a symlink).
. "$(dirname "$0")/lib_pipeline.sh"

# ---- a blocking policy: failed, nothing pushed, the violation stored and explained
lp_new policy-block
lp_script "$(lp_plan_ok)" "$(lp_code_ok)"
lp_standin
lp_config <<EOF
$(lp_ai anthropic "max_retry: 2")
$(lp_deploy_block)
$(lp_test_block)
policies:
  - name: protect-lib
    rule: blocked_paths
    value: "lib.sh"
    action: block
EOF
lp_issue "Fix add" "add() must return the sum."
lp_rig exec --issue issue.md
lp_rc "rig exec" 1
lp_task_is failed failed 1
reason="policy violation: protect-lib (blocked_paths): change touches blocked path lib.sh"
lp_contains "error" "$(lp_task_field error)" "$reason"
lp_out_has "printed" "$reason"
lp_eq "violation stored" "1|protect-lib|blocked_paths|block|change touches blocked path lib.sh" \
    "$(lp_sql "SELECT attempt, policy, rule, action, message FROM policy_violations
               WHERE task_id = '$LP_TASK'")"
lp_false "nothing pushed" lp_remote_has "$(lp_branch)"
lp_eq "remote branches" "main " "$(lp_remote_branches)"
lp_false "nothing deployed" test -e "$D/deploy.marker"
lp_eq "no self-heal on a policy block" 2 "$(lp_ai_count)"
lp_eq "log: blocked" 1 "$(lp_log_count "policy protect-lib (blocked_paths)" error)"
lp_rig explain "$LP_TASK"
lp_rc "rig explain" 0
lp_out_has "explain: violations" "Policy violations:"
lp_out_has "explain: the violation" \
    "attempt 1: protect-lib (blocked_paths, block): change touches blocked path lib.sh"
lp_out_has "explain: error" "Error: coding failed: $reason"
lp_standin_stop

# ---- a warning policy: completes, the warning logged and stored
lp_new policy-warn
lp_script "$(lp_plan_ok)" "$(lp_code_ok)"
lp_standin
lp_config <<EOF
$(lp_ai anthropic "max_retry: 2")
$(lp_deploy_block)
$(lp_test_block)
policies:
  - name: tiny-changes
    rule: max_lines_changed
    value: 1
    action: warn
EOF
lp_issue "Fix add" "add() must return the sum."
lp_rig exec --issue issue.md
lp_rc "rig exec" 0
lp_task_is completed completed 1
lp_eq "warning logged" 1 \
    "$(lp_log_count "policy tiny-changes (max_lines_changed): 2 lines changed, limit 1" warn)"
lp_out_has "warning printed" "warning: policy tiny-changes (max_lines_changed)"
lp_eq "violation stored as warn" "tiny-changes|warn" \
    "$(lp_sql "SELECT policy, action FROM policy_violations WHERE task_id = '$LP_TASK'")"
lp_eq "pushed" 1 "$(lp_remote_count "$(lp_branch)")"
lp_standin_stop

# ---- paths out of the workspace: each task fails, nothing written outside, nothing pushed
lp_new path-escape
mkdir -p "$D/outside"
ln -s "$D/outside" "$D/src/out"
lp_src_commit "a symlink leading out of the repository"
lp_script \
    "$(lp_plan_ok)" "$(lp_step_write "escape up" "../../etc/x" "escaped")" \
    "$(lp_plan_ok)" "$(lp_step_write "escape absolute" "$D/outside/abs.txt" "escaped")" \
    "$(lp_plan_ok)" "$(lp_step_edit "escape to passwd" "/etc/passwd" "rig-no-such-line" "x")" \
    "$(lp_plan_ok)" "$(lp_step_write "escape by symlink" "out/evil.txt" "escaped")"
lp_standin
lp_config <<EOF
$(lp_ai anthropic "max_retry: 1")
$(lp_deploy_block)
$(lp_test_block)
EOF
passwd_before=$(cksum </etc/passwd)
n=0
for what in "../../etc/x" "$D/outside/abs.txt" "/etc/passwd" "out/evil.txt"; do
    n=$((n + 1))
    lp_issue "Escape $n" "Write outside."
    lp_rig exec --issue issue.md
    lp_rc "rig exec ($what)" 1
    lp_task_is failed failed 1
    err=$(lp_task_field error)
    lp_contains "error ($what)" "$err" "coding failed: the AI's change set was refused"
    lp_false "nothing pushed ($what)" lp_remote_has "$(lp_branch)"
    ws=$(lp_task_field workspace)
    lp_eq "workspace left clean ($what)" "" "$(git -C "$ws" status --porcelain)"
done
lp_eq "AI requests" 8 "$(lp_ai_count)"
lp_eq "remote branches" "main " "$(lp_remote_branches)"
lp_eq "files outside" "" "$(ls -A "$D/outside")"
lp_false "nothing in workspaces/etc" test -e "$RIG_HOME/workspaces/etc"
lp_false "nothing in home/etc" test -e "$RIG_HOME/etc"
lp_eq "/etc/passwd unchanged" "$passwd_before" "$(cksum </etc/passwd)"
lp_false "no deploy" test -e "$D/deploy.marker"
lp_standin_stop

lp_finish
