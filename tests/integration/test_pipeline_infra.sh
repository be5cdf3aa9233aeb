#!/bin/bash
# A failed deploy with deploy.infra_files: the AI proposes an infra fix and the
# task waits for a person. Approve (apply, commit, redeploy, complete), approve
# twice (refused), reject (rollback, failed), expiry, read-only infra files, and
# a failed deploy without infra_files going back to the AI as a code failure.
. "$(dirname "$0")/lib_pipeline.sh"

INFRA_FIX=$(jq -cn '{explanation: "The service must listen on port 8080 (INFRA-EXPLANATION).",
  files: [{path: "deploy/config.env", action: "write", content: "PORT=8080\n"}]}')

# lp_new + deploy/ files whose deploy fails until config.env says PORT=8080.
infra_repo()
{
    lp_new "$1"
    mkdir -p "$D/src/deploy"
    printf 'PORT=0\n' >"$D/src/deploy/config.env"
    cat >"$D/src/deploy/deploy.sh" <<'EOF'
. deploy/config.env
if [ "$PORT" != 8080 ]; then
    echo "deploy failed: PORT=$PORT is not a port the service can use"
    exit 1
fi
echo "service up on port $PORT"
EOF
    lp_src_commit "deploy files"
}

# infra_config [EXTRA DEPLOY LINES...]
infra_config()
{
    local l
    lp_config <<EOF
$(lp_ai anthropic "max_retry: 1")
deploy:
  method: custom
  config:
    commands:
      - name: ship
        run: |
          sh deploy/deploy.sh && echo "deployed \${BRANCH_NAME} \${COMMIT_SHA}" >> $D/deploy.marker
        timeout: 30s
  infra_files: ["deploy/*"]
$(for l in "$@"; do echo "  $l"; done)
$(lp_test_block)
EOF
}

# Run the issue until it waits for approval with an infra proposal.
until_proposal()
{
    lp_issue "Fix add" "add() must return the sum (INFRA-BODY)."
    lp_rig exec --issue issue.md
    lp_rc "rig exec (waiting)" 0
    lp_task_is awaiting_approval awaiting_approval 1
    lp_out_has "waiting hint" "waiting for approval: rig proposals $LP_TASK"
    lp_eq "pending infra proposal" "infra|pending" \
        "$(lp_proposal "kind, status")"
    lp_eq "attempt 1 deploy failed" 0 \
        "$(lp_attempt "deploy_ok" 1)"
    lp_contains "deploy log stored" \
        "$(lp_attempt "deploy_log" 1)" \
        "deploy failed: PORT=0"
    lp_eq "AI requests (plan, code, infra)" 3 "$(lp_ai_count)"
    lp_contains "infra request has the deploy log" "$(lp_ai_prompt 3)" "deploy failed: PORT=0"
    lp_contains "infra request has the infra file" "$(lp_ai_prompt 3)" \
        "BEGIN FILE deploy/config.env"
    lp_contains "infra request has the issue" "$(lp_ai_prompt 3)" "INFRA-BODY"
    lp_eq "one commit so far" 1 "$(lp_remote_count "$(lp_branch)")"
    lp_false "nothing deployed yet" test -e "$D/deploy.marker"
    lp_eq "steps so far" "planning coding committing deploying analyzing awaiting_approval" \
        "$(lp_step_phases)"
}

# ---- approve: applied, committed, redeployed, completed; a second approval is refused
infra_repo infra-approve
lp_script "$(lp_plan_ok)" "$(lp_code_ok)" "$(lp_step_text "$INFRA_FIX")"
lp_standin
infra_config
until_proposal
lp_rig proposals "$LP_TASK"
lp_rc "rig proposals" 0
lp_out_has "proposal header" "for task $LP_TASK [infra, pending]"
lp_out_has "proposal summary" "INFRA-EXPLANATION"
lp_out_has "diff old line" "-PORT=0"
lp_out_has "diff new line" "+PORT=8080"
lp_out_has "diff file" "+++ b/deploy/config.env"
lp_out_has "decide hint" "rig approve $LP_TASK | rig reject $LP_TASK"
lp_rig approve "$LP_TASK"
lp_rc "rig approve" 0
lp_out_has "approve outcome" "Task $LP_TASK is now completed"
lp_task_is completed completed 1
lp_eq "result" "pull request opened" "$(lp_task_field result)"
lp_eq "proposal approved" "approved|cli:" \
    "$(lp_proposal "status, substr(decided_by, 1, 4)")"
branch=$(lp_branch)
lp_eq "two commits (fix + infra)" 2 "$(lp_remote_count "$branch")"
lp_contains "infra commit" "$(git -C "$D/remote.git" log -1 --format=%s "$branch")" \
    "apply approved infra proposal"
lp_eq "config on the branch" "PORT=8080" "$(lp_remote_file "$branch" deploy/config.env)"
lp_eq "deployed the infra commit" "deployed $branch $(lp_remote_head "$branch")" \
    "$(cat "$D/deploy.marker" 2>/dev/null)"
lp_eq "steps after approval" \
    "planning coding committing deploying analyzing awaiting_approval deploying testing reporting" \
    "$(lp_step_phases)"
lp_eq "no AI request after approval" 3 "$(lp_ai_count)"
lp_eq "log: approval" 1 "$(lp_log_count "proposal approved; applying it and deploying")"
lp_rig approve "$LP_TASK"
lp_rc "second rig approve" 1
lp_out_has "second approval refused" \
    "rig approve: task $LP_TASK is completed, not waiting for approval"
lp_eq "still completed" "completed completed" "$(lp_task_state)"
lp_eq "still two commits" 2 "$(lp_remote_count "$branch")"
lp_standin_stop

# ---- reject: rollback, failed
infra_repo infra-reject
lp_script "$(lp_plan_ok)" "$(lp_code_ok)" "$(lp_step_text "$INFRA_FIX")"
lp_standin
infra_config "rollback:" "  enabled: true" "  config:" "    commands:" \
    "      - name: undo" "        run: echo \"rolled back \${BRANCH_NAME}\" > $D/rollback.marker"
until_proposal
lp_rig reject "$LP_TASK" --reason "port 8080 is taken"
lp_rc "rig reject" 0
lp_task_is failed failed 1
reason="proposal rejected: port 8080 is taken; rollback succeeded"
lp_eq "error" "$reason" "$(lp_task_field error)"
lp_out_has "reject outcome" "Task $LP_TASK is now failed — $reason"
lp_eq "proposal rejected" "rejected|port 8080 is taken" \
    "$(lp_proposal "status, reason")"
lp_eq "rollback ran" "rolled back $(lp_branch)" "$(cat "$D/rollback.marker" 2>/dev/null)"
lp_eq "nothing applied" 1 "$(lp_remote_count "$(lp_branch)")"
lp_eq "config unchanged" "PORT=0" "$(lp_remote_file "$(lp_branch)" deploy/config.env)"
lp_contains "steps end with the rollback" "$(lp_step_phases)" "awaiting_approval rolling_back"
lp_rig approve "$LP_TASK"
lp_rc "approve after reject" 1
lp_out_has "refused" "not waiting for approval"
lp_standin_stop

# ---- expiry: deploy.approval.timeout 1s passes; `rig proposals` expires it
infra_repo infra-expire
lp_script "$(lp_plan_ok)" "$(lp_code_ok)" "$(lp_step_text "$INFRA_FIX")"
lp_standin
infra_config "approval: {timeout: 1s}"
until_proposal
sleep 2
lp_rig proposals
lp_rc "rig proposals" 0
lp_out_has "expiry reported" "1 proposal(s) expired; their tasks failed"
lp_out_has "nothing pending" "No pending proposals."
lp_task_is failed failed 1
lp_contains "reason" "$(lp_task_field error)" \
    "approval expired (deploy.approval.timeout) with no decision"
lp_eq "proposal expired" expired "$(lp_proposal "status")"
lp_rig approve "$LP_TASK"
lp_rc "approve after expiry" 1
lp_rig proposals "$LP_TASK" --all
lp_out_has "listed with --all" "[infra, expired]"
lp_standin_stop

# ---- read-only infra files are never changed
infra_repo infra-readonly
lp_script "$(lp_plan_ok)" "$(lp_code_ok)" "$(lp_step_text "$INFRA_FIX")"
lp_standin
infra_config 'infra_readonly: ["deploy/config.env"]'
lp_issue "Fix add" "add() must return the sum."
lp_rig exec --issue issue.md
lp_rc "rig exec" 1
lp_task_is failed failed 1
lp_contains "error names the read-only file" "$(lp_task_field error)" "deploy/config.env"
lp_contains "error says read-only" "$(lp_task_field error)" "read-only"
lp_eq "no proposal" 0 "$(lp_count proposals)"
lp_contains "the AI was told" "$(lp_ai_prompt 3)" "BEGIN FILE deploy/config.env (read-only)"
lp_eq "requests (plan, code, infra, one repair)" 4 "$(lp_ai_count)"
lp_eq "config unchanged" "PORT=0" "$(lp_remote_file "$(lp_branch)" deploy/config.env)"
lp_eq "one commit" 1 "$(lp_remote_count "$(lp_branch)")"
lp_standin_stop

# ---- a read-only file spelled another way, or a file outside infra_files, is refused too
n=0
for spelled in ./deploy/config.env deploy//config.env secrets/key lib.sh; do
    n=$((n + 1))
    infra_repo "infra-spelled-$n"
    lp_script "$(lp_plan_ok)" "$(lp_code_ok)" "$(lp_step_text "$(jq -cn --arg p "$spelled" \
        '{explanation: "change it", files: [{path: $p, action: "write", content: "PORT=8080\n"}]}')")"
    lp_standin
    infra_config 'infra_readonly: ["deploy/config.env", "secrets/*"]'
    lp_issue "Fix add" "add() must return the sum."
    lp_rig exec --issue issue.md
    lp_rc "rig exec ($spelled)" 1
    lp_task_is failed failed 1
    lp_contains "error names $spelled" "$(lp_task_field error)" "$spelled"
    lp_eq "no proposal ($spelled)" 0 "$(lp_count proposals)"
    lp_eq "config unchanged ($spelled)" "PORT=0" \
        "$(lp_remote_file "$(lp_branch)" deploy/config.env)"
    lp_standin_stop
done

# ---- an infra proposal leading out of the workspace is refused before anyone sees it
infra_repo infra-escape
lp_script "$(lp_plan_ok)" "$(lp_code_ok)" "$(lp_step_text "$(jq -cn '{explanation: "move it",
    files: [{path: "../../escaped.env", action: "write", content: "PORT=8080\n"}]}')")"
lp_standin
infra_config
lp_issue "Fix add" "add() must return the sum."
lp_rig exec --issue issue.md
lp_rc "rig exec" 1
lp_task_is failed failed 1
lp_eq "error" 'analyzing failed: AI proposal: path "../../escaped.env" leaves the workspace' \
    "$(lp_task_field error)"
lp_eq "no proposal" 0 "$(lp_count proposals)"
lp_eq "nothing written" "" "$(find "$D" -name 'escaped.env')"
lp_eq "one commit" 1 "$(lp_remote_count "$(lp_branch)")"
lp_eq "AI requests" 3 "$(lp_ai_count)"
lp_standin_stop

# ---- no infra_files: a failed deploy is a code failure for the AI to fix
lp_new deploy-selfheal
WRONG='$1 * $2'
lp_script "$(lp_plan_ok)" "$(lp_step_edit "multiply" lib.sh "$LP_FIX_SEARCH" "$WRONG")" \
    "$(lp_step_edit "add" lib.sh "$WRONG" "$LP_FIX_REPLACE")"
lp_standin
lp_config <<EOF
$(lp_ai anthropic "max_retry: 1")
deploy:
  method: custom
  config:
    commands:
      - name: smoke
        run: |
          . ./lib.sh
          r=\$(add 1 1)
          if [ "\$r" != 2 ]; then echo "smoke check failed: add 1 1 = \$r"; exit 1; fi
$(lp_test_block)
EOF
lp_issue "Fix add" "add() must return the sum."
lp_rig exec --issue issue.md
lp_rc "rig exec" 0
lp_task_is completed completed 2
lp_eq "steps" "planning coding committing deploying analyzing coding committing deploying \
testing reporting" "$(lp_step_phases)"
lp_eq "deploy results" "0 1" \
    "$(lp_attempt deploy_ok 1) $(lp_attempt deploy_ok 2)"
lp_eq "log: deploy self-heal" 1 "$(lp_log_count "deploy failed: starting self-heal round 1 of 1")"
lp_contains "fix request has the deploy output" "$(lp_ai_prompt 3)" \
    "smoke check failed: add 1 1 = 1"
lp_eq "no proposal" 0 "$(lp_count proposals)"
lp_eq "two commits" 2 "$(lp_remote_count "$(lp_branch)")"
lp_standin_stop

lp_finish
