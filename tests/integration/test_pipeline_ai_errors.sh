#!/bin/bash
# The AI misbehaving: a malformed answer repaired once or not at all, rate
# limits and overload answered by retrying, and the token budget.
. "$(dirname "$0")/lib_pipeline.sh"

BAD='Sure! Here is the change: {"summary": "fix", "files": [ oops'

setup()
{
    lp_new "$1"
    shift
    lp_script "$@"
    lp_standin
    lp_config <<EOF
$(lp_ai anthropic "max_retry: 1")
$(lp_deploy_block)
$(lp_test_block)
EOF
    lp_issue "Fix add" "add() must return the sum (AIERR-BODY)."
}

# ---- malformed once, repaired
setup malformed-repaired "$(lp_plan_ok)" "$(lp_step_text "$BAD")" "$(lp_code_ok)"
lp_rig exec --issue issue.md
lp_rc "rig exec" 0
lp_task_is completed completed 1
lp_eq "AI requests (plan, code, repair)" 3 "$(lp_ai_count)"
lp_eq "repair turns" "user assistant user" \
    "$(lp_ai_req 3 | jq -r '[.body.messages[].role] | join(" ")')"
lp_eq "repair replays the bad answer" "$BAD" "$(lp_ai_req 3 | jq -r '.body.messages[1].content')"
lp_contains "repair names the problem" "$(lp_ai_req 3 | jq -r '.body.messages[2].content')" "JSON"
lp_contains "repair keeps the issue" "$(lp_ai_prompt 3)" "AIERR-BODY"
lp_eq "repair counted in usage" 300 "$(lp_task_field tokens_in)"
lp_eq "one commit" 1 "$(lp_remote_count "$(lp_branch)")"
lp_standin_stop

# ---- malformed twice: failed with the reason
setup malformed-twice "$(lp_plan_ok)" "$(lp_step_text "$BAD")" "$(lp_step_text "still not JSON")"
lp_rig exec --issue issue.md
lp_rc "rig exec" 1
lp_task_is failed failed 1
err=$(lp_task_field error)
lp_contains "error" "$err" "coding failed: AI code step: AI answer is not valid JSON after one \
repair attempt (anthropic model claude-sonnet-4-5)"
lp_out_has "printed reason" "not valid JSON after one repair attempt"
lp_eq "AI requests (plan, code, one repair)" 3 "$(lp_ai_count)"
lp_eq "failed step" "coding" \
    "$(lp_failed_steps)"
lp_false "nothing pushed" lp_remote_has "$(lp_branch)"
lp_eq "usage of all three requests" 300 "$(lp_task_field tokens_in)"
lp_standin_stop

# ---- 429 with retry-after 0, then success
setup rate-limited "$(lp_step_status 429)" "$(lp_plan_ok)" "$(lp_code_ok)"
lp_rig exec --issue issue.md
lp_rc "rig exec" 0
lp_task_is completed completed 1
lp_eq "AI requests (429, plan, code)" 3 "$(lp_ai_count)"
lp_eq "the retry is the same request" "$(lp_ai_req 1 | jq -c .body)" "$(lp_ai_req 2 | jq -c .body)"
lp_eq "tokens (the 429 costs nothing)" 200 "$(lp_task_field tokens_in)"
lp_standin_stop

# ---- 529 overloaded, then success
setup overloaded "$(lp_plan_ok)" "$(lp_step_status 529)" "$(lp_code_ok)"
lp_rig exec --issue issue.md
lp_rc "rig exec" 0
lp_task_is completed completed 1
lp_eq "AI requests (plan, 529, code)" 3 "$(lp_ai_count)"
lp_eq "the retry is the same request" "$(lp_ai_req 2 | jq -c .body)" "$(lp_ai_req 3 | jq -c .body)"
lp_eq "one commit" 1 "$(lp_remote_count "$(lp_branch)")"
lp_standin_stop

# ---- budget: the plan uses most of it, the coding request is never sent
lp_new budget-exceeded
lp_script "$(jq -cn --arg t "$(jq -cn '{plan: "1. fix add", files_to_change: ["lib.sh"]}')" \
    '{text: $t, tokens_in: 900, tokens_out: 50}')" "$(lp_code_ok)"
lp_standin
lp_config <<EOF
$(lp_ai anthropic "max_retry: 1" "max_tokens: 100" "budget: {max_tokens: 1000}")
$(lp_deploy_block)
$(lp_test_block)
EOF
lp_issue "Fix add" "add() must return the sum."
lp_rig exec --issue issue.md
lp_rc "rig exec" 1
lp_task_is failed failed 1
lp_contains "error" "$(lp_task_field error)" "budget exceeded"
lp_contains "error names the phase" "$(lp_task_field error)" "coding failed"
lp_eq "only the plan request was sent" 1 "$(lp_ai_count)"
lp_eq "usage of the plan" "900 50" "$(lp_task_field "tokens_in || ' ' || tokens_out")"
lp_false "nothing pushed" lp_remote_has "$(lp_branch)"
lp_false "nothing deployed" test -e "$D/deploy.marker"
lp_standin_stop

lp_finish
