#!/bin/bash
# Partial and pretend runs: --dry-run, --step code then --step test/deploy on
# that branch, and task variables carrying a hostile issue title to a deploy
# command literally.
. "$(dirname "$0")/lib_pipeline.sh"

# ---- dry run: the AI works, nothing leaves the machine
lp_new dry-run
lp_script "$(lp_plan_ok)" "$(lp_code_ok)"
lp_standin
lp_config <<EOF
$(lp_ai anthropic "max_retry: 1")
$(lp_deploy_block)
$(lp_test_block)
EOF
lp_issue "Fix add" "add() must return the sum."
lp_rig exec --dry-run --issue issue.md
lp_rc "rig exec --dry-run" 0
lp_out_has "banner" "Dry run: nothing is pushed, deployed or opened."
lp_out_has "not pushed" "dry run: not pushing rig/issue-1-fix-add"
lp_out_has "deploy would run" \
    'dry run: would run deploy command ship: echo "deployed rig/issue-1-fix-add '
lp_out_has "test would run" "dry run: would run test unit: sh test.sh"
lp_out_has "PR would open" "dry run: would open a pull request rig/issue-1-fix-add -> main"
lp_task_is completed completed 1
lp_eq "result" "dry run completed" "$(lp_task_field result)"
lp_eq "dry_run flag" 1 "$(lp_task_field dry_run)"
lp_eq "status --json dry_run" true "$(lp_status_field dry_run)"
lp_eq "no PR recorded" "" "$(lp_task_field pr_title)"
lp_eq "remote untouched" "main " "$(lp_remote_branches)"
lp_false "nothing deployed" test -e "$D/deploy.marker"
lp_eq "the AI was asked" 2 "$(lp_ai_count)"
lp_eq "the change is committed locally" 1 \
    "$(git -C "$(lp_task_field workspace)" rev-list --count origin/main..HEAD)"
# Its branch was never pushed: a deploy/test-only run of it is refused up front.
dry_task=$LP_TASK
lp_rig exec --step test --task "$dry_task"
lp_rc "exec --step test of a dry-run task" 1
lp_out_has "refused before a task exists" "never pushed its branch (it was a dry run)"
lp_eq "no second task" 1 "$(lp_sql "SELECT count(*) FROM tasks")"
lp_standin_stop

# ---- --step code, then --step test and --step deploy on its branch (no AI)
lp_new steps
lp_script "$(lp_plan_ok)" "$(lp_code_ok)" "$(lp_plan_ok)" \
    "$(lp_step_edit "multiply" lib.sh "$LP_FIX_SEARCH" '$1 * $2')"
lp_standin
lp_config <<EOF
$(lp_ai anthropic "max_retry: 2")
$(lp_deploy_block)
$(lp_test_block)
EOF
lp_issue "Fix add" "add() must return the sum."
lp_rig exec --step code --issue issue.md
lp_rc "rig exec --step code" 0
code_task=$LP_TASK
lp_task_is completed completed 1
lp_eq "max_retry of a partial run" 0 "$(lp_task_field max_retry)"
lp_eq "steps" "planning coding committing" "$(lp_step_phases)"
branch=$(lp_branch)
lp_eq "pushed" 1 "$(lp_remote_count "$branch")"
lp_false "not deployed" test -e "$D/deploy.marker"
lp_eq "no PR" "" "$(lp_task_field pr_title)"
lp_eq "no test run" "[]" "$(lp_attempt "tests_json")"
lp_eq "AI requests" 2 "$(lp_ai_count)"

lp_rig exec --step test --task "$code_task"
lp_rc "rig exec --step test" 0
lp_out_has "names the branch's task" "branch of $code_task"
lp_ne "a task of its own" "$code_task" "$LP_TASK"
lp_task_is completed completed 1
lp_eq "same branch" "$branch" "$(lp_branch)"
lp_eq "steps" "testing" "$(lp_step_phases)"
lp_eq "test result stored" "unit true" \
    "$(lp_tests)"
lp_eq "log: tests" 1 "$(lp_log_count "tests: 1 passed, 0 failed")"
lp_eq "log: test output" 1 "$(lp_log_count "PASS: add 2 3 = 5")"
lp_false "not deployed" test -e "$D/deploy.marker"
lp_eq "no AI request" 2 "$(lp_ai_count)"

lp_rig exec --step deploy --task "$code_task"
lp_rc "rig exec --step deploy" 0
lp_task_is completed completed 1
lp_eq "steps" "deploying" "$(lp_step_phases)"
lp_eq "deploy result stored" 1 "$(lp_attempt "deploy_ok")"
lp_eq "deployed the branch" "deployed $branch $(lp_remote_head "$branch")" \
    "$(cat "$D/deploy.marker" 2>/dev/null)"
lp_eq "no AI request" 2 "$(lp_ai_count)"
lp_eq "no PR" "" "$(lp_task_field pr_title)"
lp_eq "still one commit" 1 "$(lp_remote_count "$branch")"

# A failing --step test is explained like any failed test run.
lp_issue "Multiply instead" "A wrong change."
lp_rig exec --step code --issue issue.md
lp_rc "rig exec --step code (wrong change)" 0
wrong_task=$LP_TASK
lp_rig exec --step test --task "$wrong_task"
lp_rc "rig exec --step test (failing)" 1
lp_task_is failed failed 1
lp_eq "error" "testing failed: 1 of 1 test failed: unit" "$(lp_task_field error)"
lp_eq "no self-heal in a test-only run" 4 "$(lp_ai_count)"
lp_rig explain "$LP_TASK"
lp_out_has "explain: the failing test" "test unit: FAILED"
lp_out_has "explain: its output" "FAIL: add 2 3 = 6"

lp_rig exec --step test
lp_rc "--step test without --task" 2
lp_out_has "says what is missing" \
    "rig exec: --step test works on an existing task's branch: pass --task ID"
lp_rig exec --step test --task t-19990101-0001
lp_rc "--step test with an unknown task" 1
lp_out_has "names the task" "t-19990101-0001"
lp_standin_stop

# ---- task variables: a hostile title reaches the deploy command literally
lp_new task-vars
lp_script "$(lp_plan_ok)" "$(lp_code_ok)"
lp_standin
title="Fix \"add\" \$(touch $D/pwned1) \`touch $D/pwned2\`; touch $D/pwned3 & "
title="$title echo 'it''s' > $D/pwned4"
lp_config <<EOF
$(lp_ai anthropic "max_retry: 1")
deploy:
  method: custom
  config:
    commands:
      - name: by-var
        run: printf '%s' \${ISSUE_TITLE} > $D/title.var
      - name: by-env
        run: printf '%s' "\$RIG_ISSUE_TITLE" > $D/title.env
      - name: in-double-quotes
        run: printf '%s' "\${ISSUE_TITLE}" > $D/title.dq
      - name: in-single-quotes
        run: printf '%s' '\${ISSUE_TITLE}' > $D/title.sq
$(lp_test_block)
EOF
lp_issue "$title" "A title full of shell syntax."
lp_rig exec --issue issue.md
lp_rc "rig exec" 0
lp_task_is completed completed 1
lp_eq "stored title" "$title" "$(lp_task_field issue_title)"
lp_eq "\${ISSUE_TITLE} arrives literally" "$title" "$(cat "$D/title.var" 2>/dev/null)"
lp_eq "RIG_ISSUE_TITLE arrives literally" "$title" "$(cat "$D/title.env" 2>/dev/null)"
lp_eq "\"\${ISSUE_TITLE}\" arrives literally" "$title" "$(cat "$D/title.dq" 2>/dev/null)"
lp_eq "'\${ISSUE_TITLE}' arrives literally" "$title" "$(cat "$D/title.sq" 2>/dev/null)"
ws=$(lp_task_field workspace)
for f in pwned1 pwned2 pwned3 pwned4; do
    lp_false "nothing executed ($f)" test -e "$D/$f"
    lp_false "nothing executed in the workspace ($f)" test -e "$ws/$f"
done
lp_eq "the branch name is a safe slug" "rig/issue-1-fix-add-touch" "$(lp_branch | cut -c1-25)"
lp_true "the branch name has no shell syntax" eval '! lp_branch | grep -q "[^a-z0-9/-]"'
lp_eq "commit subject keeps the title" "rig: $title (#1)" \
    "$(git -C "$D/remote.git" log -1 --format=%s "$(lp_branch)")"
lp_standin_stop

# ---- a variable where no value can be quoted (inside backquotes): refused up
# front, before any AI request, with the fix named; not "deploy failed" rounds
lp_new task-vars-refused
lp_script "$(lp_plan_ok)" "$(lp_code_ok)"
lp_standin
lp_config <<EOF
$(lp_ai anthropic "max_retry: 2")
deploy:
  method: custom
  config:
    commands:
      - name: ok
        run: echo \${BRANCH_NAME}
      - name: backquoted
        run: echo \`echo \${ISSUE_TITLE}\` > $D/bq
$(lp_test_block)
EOF
lp_issue "Fix add" "add() must return the sum."
lp_rig exec --issue issue.md
lp_rc "rig exec" 1
lp_out_has "the command and the fix are named" \
    'deploy command "backquoted": variable ${ISSUE_TITLE} at byte 11 is inside `...` backquotes'
lp_out_has "what to use instead" '"$RIG_ISSUE_TITLE"'
lp_eq "no task created" 0 "$(lp_sql "SELECT count(*) FROM tasks")"
lp_eq "no AI request" 0 "$(lp_ai_count)"
lp_eq "nothing pushed" "main " "$(lp_remote_branches)"
lp_false "nothing ran" test -e "$D/bq"
lp_standin_stop

lp_finish
