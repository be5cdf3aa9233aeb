#!/bin/bash
# Controlling running tasks from other processes: cancel, crash and resume,
# and following the log live.
. "$(dirname "$0")/lib_pipeline.sh"

# wait_phase PHASE: poll `rig status --json` until $LP_TASK (or the only task) is in PHASE.
in_phase()
{
    [ -z "$LP_TASK" ] && LP_TASK=$(lp_sql "SELECT id FROM tasks ORDER BY created_at DESC LIMIT 1")
    case "$LP_TASK" in t-*) ;; *) LP_TASK=""; return 1 ;; esac
    [ "$(lp_status_field phase)" = "$1" ]
}
wait_phase()
{
    LP_TASK=""
    LP_CHECKS=$((LP_CHECKS + 1))
    lp_wait_for 60 in_phase "$1" || lp_fail "the task never reached $1 (now: $(lp_task_state))"
}

# setup NAME TEST-COMMAND (@D@ stands for the scenario directory)
setup()
{
    lp_new "$1"
    lp_script "$(lp_plan_ok)" "$(lp_code_ok)"
    lp_standin
    lp_config <<EOF
$(lp_ai anthropic "max_retry: 1")
$(lp_deploy_block)
test:
  - name: unit
    run: ${2//@D@/$D}
    timeout: 90s
EOF
    lp_issue "Fix add" "add() must return the sum."
}

# ---- cancel while a test command runs
setup cancel "echo \$\$ > @D@/test.pid; exec sleep 60"
lp_rig_bg "$D/exec.out" exec --issue issue.md
exec_pid=$LP_BG
wait_phase testing
lp_wait_for 30 test -s "$D/test.pid"
test_pid=$(cat "$D/test.pid" 2>/dev/null)
lp_true "the test command runs" lp_pid_is "$test_pid" "sleep 60"
lp_rig cancel "$LP_TASK"
lp_rc "rig cancel" 0
lp_out_has "cancel message" "Cancellation of $LP_TASK requested"
LP_CHECKS=$((LP_CHECKS + 1))
lp_wait_pid "$exec_pid" 30 || lp_fail "rig exec still running 30s after the cancel"
lp_eq "rig exec exit status" 1 "$LP_WAIT_RC"
lp_contains "exec outcome" "$(cat "$D/exec.out")" "Task $LP_TASK: cancelled"
lp_task_is cancelled cancelled 1
lp_contains "error" "$(lp_task_field error)" "cancel"
lp_eq "result" cancelled "$(lp_task_field result)"
lp_false "the test command was stopped" lp_pid_is "$test_pid" "sleep 60"
lp_eq "the cancelled step" "testing|failed" \
    "$(lp_sql "SELECT phase, status FROM steps WHERE task_id = '$LP_TASK'
               ORDER BY seq DESC LIMIT 1")"
lp_eq "AI requests" 2 "$(lp_ai_count)"
lp_eq "usage kept" "200 20" "$(lp_task_field "tokens_in || ' ' || tokens_out")"
lp_eq "pushed before the tests" 1 "$(lp_remote_count "$(lp_branch)")"
lp_eq "no PR" "" "$(lp_task_field pr_title)"
lp_rig cancel "$LP_TASK"
lp_rc "cancelling a cancelled task" 1
lp_pid_is "$test_pid" "sleep 60" && kill "$test_pid"
lp_standin_stop

# ---- crash (kill -9) while a test command runs, then resume
setup resume "echo \$\$ > @D@/test.pid; if [ -f @D@/flag ]; then sh test.sh; else exec sleep 60; fi"
lp_rig_bg "$D/exec.out" exec --issue issue.md
exec_pid=$LP_BG
wait_phase testing
lp_wait_for 30 test -s "$D/test.pid"
disown "$exec_pid"   # no "Killed" notice from bash
kill -9 "$exec_pid"
lp_wait_pid "$exec_pid" 30
test_pid=$(cat "$D/test.pid")
lp_pid_is "$test_pid" "sleep 60" && kill "$test_pid"   # the orphaned test command
lp_eq "still running in the store before anyone looks" running "$(lp_task_field status)"
lp_rig status
lp_rc "rig status" 0
lp_out_has "status reports the interruption" "1 task(s) were interrupted (their process stopped)"
lp_true "status line" grep -Eq "^$LP_TASK +interrupted +interrupted " "$LP_OUT"
lp_eq "interrupted in the store" "interrupted interrupted" "$(lp_task_state)"
lp_eq "log: interruption" 1 "$(lp_log_count "resume with 'rig exec --resume <task>'" warn)"
touch "$D/flag"
lp_rig exec --resume "$LP_TASK"
lp_rc "rig exec --resume" 0
lp_out_has "resuming" "Resuming task $LP_TASK"
lp_out_has "outcome" "Task $LP_TASK: completed"
lp_task_is completed completed 1
lp_eq "steps" "planning coding committing deploying testing testing reporting" "$(lp_step_phases)"
lp_eq "the interrupted step" "failed|task interrupted" \
    "$(lp_sql "SELECT status, error FROM steps WHERE task_id = '$LP_TASK' AND seq = 5")"
lp_eq "log: resumed" 1 "$(lp_log_count "resuming from phase after an interruption")"
lp_eq "log: tests passed" 1 "$(lp_log_count "tests: 1 passed, 0 failed")"
lp_eq "no AI request on resume" 2 "$(lp_ai_count)"
lp_eq "one commit" 1 "$(lp_remote_count "$(lp_branch)")"
lp_eq "deployed once" 1 "$(wc -l <"$D/deploy.marker")"
lp_eq "PR" "rig: Fix add" "$(lp_task_field pr_title)"
lp_rig exec --resume "$LP_TASK"
lp_rc "resuming a completed task" 1
lp_out_has "refused" "rig exec: task $LP_TASK is completed: only an interrupted task can be resumed"
lp_out_lacks "no outcome printed for a refused resume" "Task $LP_TASK: completed"
lp_rig exec --resume t-19990101-0001
lp_rc "resuming an unknown task" 1
lp_out_has "names it" "t-19990101-0001"
lp_standin_stop

# ---- rig logs --follow shows the lines live and stops when the task ends
setup follow "timeout 60 sh -c 'until [ -f @D@/go ]; do sleep 0.1; done'; sh test.sh"
lp_rig_bg "$D/exec.out" exec --issue issue.md
exec_pid=$LP_BG
wait_phase testing
lp_rig_bg "$D/follow.out" logs --follow "$LP_TASK"
follow_pid=$LP_BG
LP_CHECKS=$((LP_CHECKS + 1))
lp_wait_for 30 grep -qs "phase testing" "$D/follow.out" ||
    lp_fail "logs --follow did not print the lines so far"
lp_contains "header" "$(cat "$D/follow.out")" "Status:  running, phase testing"
lp_not_contains "not finished yet" "$(cat "$D/follow.out")" "PASS: add 2 3 = 5"
touch "$D/go"
LP_CHECKS=$((LP_CHECKS + 1))
lp_wait_pid "$exec_pid" 60 || lp_fail "rig exec did not finish"
lp_eq "rig exec exit status" 0 "$LP_WAIT_RC"
LP_CHECKS=$((LP_CHECKS + 1))
lp_wait_pid "$follow_pid" 30 || lp_fail "logs --follow did not stop when the task completed"
lp_eq "logs --follow exit status" 0 "$LP_WAIT_RC"
follow=$(cat "$D/follow.out")
lp_contains "live test output" "$follow" "PASS: add 2 3 = 5"
lp_contains "live PR line" "$follow" "pull request recorded"
lp_contains "last phase" "$follow" "phase completed"
lp_contains "final line" "$follow" "--- task $LP_TASK: completed"
lp_eq "AI requests" 2 "$(lp_ai_count)"
lp_task_is completed completed 1
lp_eq "every stored line shown once" \
    "$(lp_sql "SELECT count(*) FROM task_logs WHERE task_id = '$LP_TASK'")" \
    "$(grep -Ec '^[0-9]{2}:[0-9]{2}:[0-9]{2} ' "$D/follow.out")"
lp_standin_stop

lp_finish
