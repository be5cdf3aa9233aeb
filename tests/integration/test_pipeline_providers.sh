#!/bin/bash
# The happy path through every API provider: plan, code, commit, push, deploy,
# test, pull request; usage and cost stored; the issue text reached the AI.
. "$(dirname "$0")/lib_pipeline.sh"

happy()
{
    local provider=$1 path=$2 cost=$3 branch sha marker
    lp_new "happy-$provider"
    lp_script "$(lp_plan_ok)" "$(lp_code_ok)"
    lp_standin
    lp_config <<EOF
$(lp_ai "$provider" "max_retry: 1")
$(lp_deploy_block)
$(lp_test_block)
EOF
    lp_issue "Fix add for $provider" "The add() helper subtracts (body marker BODY-$provider)."
    lp_rig exec --issue issue.md
    lp_rc "rig exec" 0
    lp_out_has "outcome line" "Task $LP_TASK: completed"
    lp_out_has "PR line" "pull request: rig: Fix add for $provider"

    # The stored task.
    lp_task_is completed completed 1
    lp_eq "max_retry" 1 "$(lp_task_field max_retry)"
    lp_eq "result" "pull request opened" "$(lp_task_field result)"
    lp_eq "error" "" "$(lp_task_field error)"
    lp_eq "tokens in (2 requests x 100)" 200 "$(lp_task_field tokens_in)"
    lp_eq "tokens out" 20 "$(lp_task_field tokens_out)"
    lp_eq "cost" "$cost" "$(lp_task_field "printf('%.6f', cost_usd)")"
    lp_eq "attempt 1 tokens in" 200 \
        "$(lp_attempt "tokens_in" 1)"
    lp_eq "PR title" "rig: Fix add for $provider" "$(lp_task_field pr_title)"
    lp_contains "PR body" "$(lp_task_field pr_body)" "Opened by Rig, task $LP_TASK"
    lp_contains "PR body tests" "$(lp_task_field pr_body)" "✅ unit"
    lp_eq "steps" "planning coding committing deploying testing reporting" "$(lp_step_phases)"
    lp_eq "failed steps" 0 \
        "$(lp_count steps "status <> 'ok'")"
    lp_eq "attempts" 1 "$(lp_count attempts)"
    lp_eq "attempt deploy_ok" 1 "$(lp_attempt "deploy_ok")"
    lp_eq "attempt tests" "unit true" \
        "$(lp_tests)"
    lp_eq "log: test output" 1 "$(lp_log_count "PASS: add 2 3 = 5")"
    lp_eq "log: PR" 1 "$(lp_log_count "pull request recorded")"
    lp_eq "log: no errors" 0 \
        "$(lp_count task_logs "level = 'error'")"
    lp_eq "API key never logged" 0 "$(lp_log_count "$LP_KEY")"
    lp_out_lacks "API key not printed" "$LP_KEY"

    # The remote: one commit on the task branch, with the fix, by Rig's identity.
    branch=$(lp_branch)
    lp_eq "branch name" "rig/issue-1-fix-add-for-$provider" "$branch"
    lp_eq "commits on the branch" 1 "$(lp_remote_count "$branch")"
    lp_contains "lib.sh on the branch" "$(lp_remote_file "$branch" lib.sh)" '$(($1 + $2))'
    lp_eq "author" "Rig Bot <rig@example.com>" \
        "$(git -C "$D/remote.git" log -1 --format='%an <%ae>' "$branch")"
    lp_contains "commit message" "$(git -C "$D/remote.git" log -1 --format=%B "$branch")" \
        "Task: $LP_TASK"
    sha=$(lp_remote_head "$branch")
    marker=$(cat "$D/deploy.marker" 2>/dev/null)
    lp_eq "deployed branch and commit" "deployed $branch $sha" "$marker"

    # What the AI was sent.
    lp_eq "AI requests" 2 "$(lp_ai_count)"
    lp_eq "request 1 path" "$path" "$(lp_ai_path 1)"
    lp_eq "request 2 path" "$path" "$(lp_ai_path 2)"
    lp_contains "plan request has the issue" "$(lp_ai_prompt 1)" "BODY-$provider"
    lp_contains "coding request has the issue title" "$(lp_ai_prompt 2)" "Fix add for $provider"
    lp_contains "coding request has the issue body" "$(lp_ai_prompt 2)" "BODY-$provider"
    lp_contains "coding request has the plan" "$(lp_ai_prompt 2)" "make add() add instead"
    lp_contains "coding request has lib.sh" "$(lp_ai_prompt 2)" 'add() { echo $(($1 - $2)); }'
    case "$provider" in
    anthropic)
        lp_eq "x-api-key" "$LP_KEY" "$(lp_ai_req 1 | jq -r '.headers["x-api-key"]')"
        lp_eq "model" claude-sonnet-4-5 "$(lp_ai_req 2 | jq -r .body.model)"
        ;;
    openai | ollama-openai)
        lp_eq "authorization" "Bearer $LP_KEY" "$(lp_ai_req 1 | jq -r .headers.authorization)"
        lp_eq "response_format" json_object "$(lp_ai_req 2 | jq -r .body.response_format.type)"
        ;;
    ollama)
        lp_eq "authorization" "Bearer $LP_KEY" "$(lp_ai_req 1 | jq -r .headers.authorization)"
        lp_eq "format" json "$(lp_ai_req 2 | jq -r .body.format)"
        ;;
    esac
    lp_standin_stop
}

happy anthropic /v1/messages 0.000900
happy openai /v1/chat/completions 0.000560
happy ollama /api/chat 0.000000
happy ollama-openai /v1/chat/completions 0.000000

lp_finish
