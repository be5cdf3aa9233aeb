#!/bin/bash
# Agent providers edit the workspace themselves: Claude Code (the fake_agent
# stand-in for `claude -p`) and an ai.command script. Rig collects the edits
# from git, judges and commits them, and opens the pull request.
. "$(dirname "$0")/lib_pipeline.sh"

# ---- claude-code
lp_new agent-claude-code
export FAKE_AGENT_SCRIPT="$D/agent-script.json" FAKE_AGENT_LOG="$D/agent.log"
jq -n '[
  {result: ({plan: "1. make add() add", files_to_change: ["lib.sh"]} | tojson),
   cost: 0.01, tokens_in: 100, tokens_out: 10},
  {edits: [{path: "lib.sh", content: "add() { echo $(($1 + $2)); }\n"}],
   result: "Fixed add() so that it adds.", cost: 0.02, tokens_in: 200, tokens_out: 20}
]' >"$FAKE_AGENT_SCRIPT"
lp_config <<EOF
ai:
  provider: claude-code
  claude_bin: $RIG_STANDIN_DIR/fake_agent
  max_turns: 7
  max_retry: 1
$(lp_deploy_block)
$(lp_test_block)
EOF
lp_issue "Fix add" "add() must return the sum (AGENT-BODY)."
lp_rig exec --issue issue.md
lp_rc "rig exec" 0
lp_task_is completed completed 1
lp_eq "cost from the agent" "0.030000" "$(lp_task_field "printf('%.6f', cost_usd)")"
lp_eq "tokens" "300 30" "$(lp_task_field "tokens_in || ' ' || tokens_out")"
lp_eq "PR" "rig: Fix add" "$(lp_task_field pr_title)"
changes=$(lp_attempt "changes_json" 1)
lp_eq "changes collected from git" "lib.sh agent" "$(lp_changes)"
lp_eq "agent flag" true "$(jq -r .agent <<<"$changes")"
lp_eq "summary" "Fixed add() so that it adds." "$(jq -r .summary <<<"$changes")"
lp_eq "log: agent edits" 1 "$(lp_log_count "agent changed 1 file(s): +1 -1 lines")"
branch=$(lp_branch)
lp_eq "one commit" 1 "$(lp_remote_count "$branch")"
lp_eq "lib.sh on the branch" 'add() { echo $(($1 + $2)); }' "$(lp_remote_file "$branch" lib.sh)"
lp_eq "agent runs" 2 "$(wc -l <"$FAKE_AGENT_LOG")"
plan_run=$(sed -n 1p "$FAKE_AGENT_LOG")
code_run=$(sed -n 2p "$FAKE_AGENT_LOG")
lp_contains "plan run is read-only" "$(jq -r '.argv | join(" ")' <<<"$plan_run")" \
    "--permission-mode default"
lp_contains "code run may edit" "$(jq -r '.argv | join(" ")' <<<"$code_run")" \
    "-p --output-format json --max-turns 7 --permission-mode acceptEdits"
lp_eq "code run in the workspace" "$(lp_task_field workspace)" "$(jq -r .cwd <<<"$code_run")"
lp_eq "code run applied" '["lib.sh"]' "$(jq -c .applied <<<"$code_run")"
lp_contains "issue reached the code prompt" "$(jq -r .prompt <<<"$code_run")" "AGENT-BODY"
lp_contains "plan reached the code prompt" "$(jq -r .prompt <<<"$code_run")" "make add() add"
unset FAKE_AGENT_SCRIPT FAKE_AGENT_LOG

# ---- command
lp_new agent-command
cat >"$D/agent.sh" <<EOF
#!/bin/sh
# A scripted agent: records each prompt, answers plans, edits on code.
cat >"$D/prompt.\$RIG_AI_OPERATION"
echo "\$RIG_AI_OPERATION edits=\$RIG_AI_EDITS \$(pwd)" >>"$D/agent.log"
case "\$RIG_AI_OPERATION" in
plan) echo '{"plan": "1. make add() add", "files_to_change": ["lib.sh"]}' ;;
code | fix) printf 'add() { echo \$((\$1 + \$2)); }\n' >lib.sh; echo "add() adds now" ;;
*) echo "unexpected operation" >&2; exit 3 ;;
esac
EOF
lp_config <<EOF
ai:
  provider: command
  command: sh $D/agent.sh
  command_edits: true
  max_retry: 1
$(lp_deploy_block)
$(lp_test_block)
EOF
lp_issue "Fix add" "add() must return the sum (COMMAND-BODY)."
lp_rig exec --issue issue.md
lp_rc "rig exec" 0
lp_task_is completed completed 1
lp_eq "PR" "rig: Fix add" "$(lp_task_field pr_title)"
lp_eq "no cost" "0.000000" "$(lp_task_field "printf('%.6f', cost_usd)")"
ws=$(lp_task_field workspace)
lp_eq "agent runs" "plan edits=0 $ws
code edits=1 $ws" "$(cat "$D/agent.log")"
lp_contains "issue reached the code prompt" "$(cat "$D/prompt.code")" "COMMAND-BODY"
lp_contains "plan reached the code prompt" "$(cat "$D/prompt.code")" "make add() add"
lp_eq "changes collected from git" "lib.sh agent" "$(lp_changes)"
branch=$(lp_branch)
lp_eq "one commit" 1 "$(lp_remote_count "$branch")"
lp_eq "lib.sh on the branch" 'add() { echo $(($1 + $2)); }' "$(lp_remote_file "$branch" lib.sh)"
lp_eq "deployed" "deployed $branch $(lp_remote_head "$branch")" \
    "$(cat "$D/deploy.marker")"

lp_finish
