# Shared helpers for tests/integration/test_pipeline_*.sh (sourced, not run).
#
# Each test script runs one or more scenarios. A scenario (lp_new NAME) gets its
# own directory $D with:
#   $D/src          the sample project (lib.sh with a buggy add(), test.sh)
#   $D/remote.git   a bare clone of it: the "remote" rig pushes to
#   $D/home         RIG_HOME (rig.db, workspaces)
#   $D/rig.yaml     written by lp_config
#   $D/script.json  the AI stand-in's script (lp_script), $D/ai.log its request log
# Commands are run with lp_rig (output in $LP_OUT, exit status in $LP_RC); the
# assertions print what differed and count failures; lp_finish reports and sets
# the exit status. Everything started in the background is stopped on exit.
#
# Needs: RIG_BIN, RIG_STANDIN_DIR (set by ctest), git, sqlite3, jq.

set -u
: "${RIG_BIN:?RIG_BIN must name the rig binary}"
: "${RIG_STANDIN_DIR:?RIG_STANDIN_DIR must name the stand-in directory}"
for _lp_tool in git sqlite3 jq; do
    command -v "$_lp_tool" >/dev/null || { echo "lib_pipeline: $_lp_tool is required"; exit 1; }
done

LP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/rig-pipeline.XXXXXX") || exit 1
LP_FAILS=0
LP_CHECKS=0
LP_NAME=""
LP_OUT=""
LP_RC=0
LP_TASK=""
LP_NRUN=0
LP_TIMEOUT=${LP_TIMEOUT:-90}   # seconds for one rig command
# A git identity for the commits the tests make themselves (rig uses its own).
export GIT_AUTHOR_NAME=tester GIT_AUTHOR_EMAIL=tester@example.com
export GIT_COMMITTER_NAME=tester GIT_COMMITTER_EMAIL=tester@example.com
# The API key is long enough that redacting it never mangles ordinary words.
LP_KEY="sk-pipeline-test-key-0123456789"
unset RIG_CONFIG OLLAMA_API_ENDPOINT ANTHROPIC_API_KEY OPENAI_API_KEY
# In a sanitizer build every report (rig, the stand-ins, any process) goes to a
# file that lp_finish shows, so a leak in a command whose exit status a test
# does not look at is still a failure.
mkdir -p "$LP_ROOT/sanitizer"
[ -n "${ASAN_OPTIONS:-}" ] && export ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$LP_ROOT/sanitizer/asan"
[ -n "${UBSAN_OPTIONS:-}" ] &&
    export UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$LP_ROOT/sanitizer/ubsan"

# Stop what the tests started in the background (the stand-ins write their
# sanitizer reports when they exit). Only this shell's jobs: a pid remembered
# from earlier may belong to another process by now.
lp_stop_all()
{
    local pids
    pids=$(jobs -p)
    [ -n "$pids" ] || return 0
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null
    # shellcheck disable=SC2086
    wait $pids 2>/dev/null
}

lp_cleanup()
{
    lp_stop_all
    # LP_KEEP=1 keeps the scenario directories for a look afterwards.
    if [ -n "${LP_KEEP:-}" ]; then
        echo "kept $LP_ROOT"
    else
        chmod -R u+w "$LP_ROOT" 2>/dev/null
        rm -rf "$LP_ROOT"
    fi
}
trap lp_cleanup EXIT
trap 'exit 130' INT TERM

# lp_pid_is PID TEXT: PID is a live process whose command line contains TEXT
# (a pid alone may have been reused by an unrelated process).
lp_pid_is()
{
    [ -n "$1" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2"
}

# ------------------------------------------------------------- assertions --

lp_fail()
{
    LP_FAILS=$((LP_FAILS + 1))
    echo "FAIL [$LP_NAME] $*"
}

# lp_eq WHAT EXPECTED ACTUAL
lp_eq()
{
    LP_CHECKS=$((LP_CHECKS + 1))
    [ "$2" = "$3" ] || lp_fail "$1: expected [$2], got [$3]"
}

# lp_ne WHAT UNEXPECTED ACTUAL
lp_ne()
{
    LP_CHECKS=$((LP_CHECKS + 1))
    [ "$2" != "$3" ] || lp_fail "$1: did not expect [$3]"
}

# lp_contains WHAT HAYSTACK NEEDLE
lp_contains()
{
    LP_CHECKS=$((LP_CHECKS + 1))
    case "$2" in
    *"$3"*) ;;
    *) lp_fail "$1: [$3] not found in:"; printf '%s\n' "$2" | tail -n 30 | sed 's/^/    | /' ;;
    esac
}

lp_not_contains()
{
    LP_CHECKS=$((LP_CHECKS + 1))
    case "$2" in
    *"$3"*) lp_fail "$1: [$3] should not appear in:"; printf '%s\n' "$2" | grep -F -- "$3" |
            head -n 5 | sed 's/^/    | /' ;;
    esac
}

# lp_true WHAT COMMAND...   the command must succeed
lp_true()
{
    local what=$1
    shift
    LP_CHECKS=$((LP_CHECKS + 1))
    "$@" || lp_fail "$what: '$*' failed"
}

lp_false()
{
    local what=$1
    shift
    LP_CHECKS=$((LP_CHECKS + 1))
    ! "$@" 2>/dev/null || lp_fail "$what: '$*' should have failed"
}

# lp_rc WHAT EXPECTED   about the last lp_rig
lp_rc()
{
    LP_CHECKS=$((LP_CHECKS + 1))
    if [ "$LP_RC" != "$2" ]; then
        lp_fail "$1: exit status $LP_RC, expected $2; output:"
        tail -n 40 "$LP_OUT" | sed 's/^/    | /'
    fi
}

# lp_out_has WHAT TEXT / lp_out_lacks WHAT TEXT   about the last lp_rig's output
lp_out_has() { lp_contains "$1" "$(cat "$LP_OUT")" "$2"; }
lp_out_lacks() { lp_not_contains "$1" "$(cat "$LP_OUT")" "$2"; }

# Invariants of every task of the current scenario, checked when it ends: a
# settled task has no running step and an end time; the task's AI usage is the
# sum of its attempts'.
lp_invariants()
{
    local bad
    [ -n "${D:-}" ] && [ -f "$RIG_HOME/rig.db" ] || return 0
    LP_CHECKS=$((LP_CHECKS + 1))
    bad=$(lp_sql "SELECT t.id || ' (' || t.status || ')' FROM tasks t
        WHERE t.status IN ('completed', 'failed', 'cancelled', 'interrupted')
          AND (t.ended_at = 0 OR EXISTS (SELECT 1 FROM steps s
                                         WHERE s.task_id = t.id AND s.status = 'running'))")
    [ -z "$bad" ] || lp_fail "settled tasks with a running step or no end time: $bad"
    LP_CHECKS=$((LP_CHECKS + 1))
    bad=$(lp_sql "SELECT t.id || ': task ' || t.tokens_in || '/' || t.tokens_out ||
                         ', attempts ' || ifnull(sum(a.tokens_in), 0) || '/' ||
                         ifnull(sum(a.tokens_out), 0)
        FROM tasks t LEFT JOIN attempts a ON a.task_id = t.id GROUP BY t.id
        HAVING t.tokens_in <> ifnull(sum(a.tokens_in), 0)
            OR t.tokens_out <> ifnull(sum(a.tokens_out), 0)
            OR abs(t.cost_usd - ifnull(sum(a.cost_usd), 0)) > 0.000001")
    [ -z "$bad" ] || lp_fail "AI usage of the task differs from its attempts': $bad"
}

lp_finish()
{
    local f
    lp_invariants
    lp_stop_all
    for f in "$LP_ROOT"/sanitizer/*; do
        [ -e "$f" ] || continue
        lp_fail "sanitizer report $(basename "$f"):"
        head -n 60 "$f" | sed 's/^/    | /'
    done
    if [ "$LP_FAILS" -ne 0 ]; then
        echo "$(basename "$0"): $LP_FAILS of $LP_CHECKS checks FAILED"
        exit 1
    fi
    echo "$(basename "$0"): all $LP_CHECKS checks passed${ASAN_OPTIONS:+ (no sanitizer report)}"
    exit 0
}

# ---------------------------------------------------------------- scenario --

# lp_new NAME: a fresh scenario directory with the sample repo and its remote.
lp_new()
{
    lp_invariants
    LP_NAME=$1
    D="$LP_ROOT/$1"
    mkdir -p "$D/src" "$D/home" || exit 1
    export RIG_HOME="$D/home"
    LP_TASK=""
    (
        cd "$D/src" || exit 1
        git init -q -b main
        printf '# Sample\n\nA tiny shell library used by the pipeline tests.\n' >README.md
        printf 'add() { echo $(($1 - $2)); }\n' >lib.sh
        cat >test.sh <<'EOF'
. ./lib.sh
got=$(add 2 3)
if [ "$got" != 5 ]; then
    echo "FAIL: add 2 3 = $got, expected 5"
    exit 1
fi
echo "PASS: add 2 3 = 5"
EOF
        git add -A && git commit -qm "initial sample"
    ) || exit 1
    git clone -q --bare "$D/src" "$D/remote.git" || exit 1
    echo "== $1"
}

# lp_src_commit MSG: commit what the caller changed in $D/src and push it to the remote.
lp_src_commit()
{
    (cd "$D/src" && git add -A && git commit -qm "$1" && git push -q "$D/remote.git" main) ||
        exit 1
}

# lp_ai PROVIDER [YAML LINE...]: an ai: block for the stand-in (after lp_standin).
lp_ai()
{
    local provider=$1 l
    shift
    echo "ai:"
    echo "  provider: $provider"
    case "$provider" in
    anthropic) echo "  model: claude-sonnet-4-5" ;;
    openai) echo "  model: gpt-4.1" ;;
    ollama | ollama-openai) echo "  model: llama3.2" ;;
    esac
    case "$provider" in
    anthropic | openai | ollama | ollama-openai)
        echo "  api_key: $LP_KEY"
        echo "  endpoint: http://127.0.0.1:$LP_PORT"
        ;;
    esac
    for l in "$@"; do
        echo "  $l"
    done
}

# lp_config: rig.yaml = project + source + stdin (ai, deploy, test, ...).
lp_config()
{
    {
        echo "project: {name: pipe-$LP_NAME}"
        echo "source: {platform: local, repo: $D/remote.git, base_branch: main}"
        echo "git: {author_name: Rig Bot, author_email: rig@example.com}"
        cat
    } >"$D/rig.yaml"
    # A scenario with an invalid rig.yaml would only produce noise: stop here.
    if ! "$RIG_BIN" validate -c "$D/rig.yaml" >"$D/validate.out" 2>&1; then
        lp_fail "rig.yaml is not valid:"
        sed 's/^/    | /' "$D/validate.out" "$D/rig.yaml"
        lp_finish
    fi
}

# A deploy block that records each deploy, and the sample's test.
lp_deploy_block()
{
    cat <<EOF
deploy:
  method: custom
  config:
    commands:
      - name: ship
        run: echo "deployed \${BRANCH_NAME} \${COMMIT_SHA}" | tee -a $D/deploy.marker
        timeout: 30s
EOF
}

lp_test_block()
{
    cat <<EOF
test:
  - name: unit
    run: sh test.sh
    timeout: 30s
EOF
}

# lp_issue TITLE BODY: write $D/issue.md.
lp_issue()
{
    printf '# %s\n\n%s\n' "$1" "$2" >"$D/issue.md"
}

# lp_rig ARGS...: run rig in $D; output in $LP_OUT, exit status in $LP_RC. A
# "Task t-...:" line sets LP_TASK.
lp_rig()
{
    local id
    LP_NRUN=$((LP_NRUN + 1))
    LP_OUT="$D/out.$LP_NRUN"
    (cd "$D" && timeout -k 5 "$LP_TIMEOUT" "$RIG_BIN" -c "$D/rig.yaml" "$@") >"$LP_OUT" 2>&1
    LP_RC=$?
    id=$(sed -n 's/^Task \(t-[0-9]*-[0-9]*\): \(issue\|branch\) .*/\1/p' "$LP_OUT" | head -n 1)
    [ -n "$id" ] && LP_TASK=$id
    if [ "$LP_RC" = 124 ] || [ "$LP_RC" = 137 ]; then
        echo "note [$LP_NAME]: rig $* timed out after ${LP_TIMEOUT}s"
    fi
    return 0
}

# lp_rig_bg OUTFILE ARGS...: start rig in the background; pid in LP_BG.
lp_rig_bg()
{
    local out=$1
    shift
    (cd "$D" && exec "$RIG_BIN" -c "$D/rig.yaml" "$@") >"$out" 2>&1 &
    LP_BG=$!
}

# lp_wait_pid PID SECONDS: wait for a background process to end; its status in LP_WAIT_RC
# (124 when it is still running after SECONDS).
lp_wait_pid()
{
    local pid=$1 n=$(($2 * 10))
    while kill -0 "$pid" 2>/dev/null && [ "$n" -gt 0 ]; do
        sleep 0.1
        n=$((n - 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        LP_WAIT_RC=124
        return 1
    fi
    wait "$pid" 2>/dev/null
    LP_WAIT_RC=$?
    return 0
}

# lp_wait_for SECONDS COMMAND...: poll until the command succeeds.
lp_wait_for()
{
    local n=$(($1 * 10))
    shift
    while [ "$n" -gt 0 ]; do
        "$@" && return 0
        sleep 0.1
        n=$((n - 1))
    done
    return 1
}

# ------------------------------------------------------------- AI stand-in --

# lp_script STEP...: the stand-in's script, one JSON step per argument.
lp_script()
{
    printf '%s\n' "$@" | jq -s . >"$D/script.json" || { echo "bad script step"; exit 1; }
}

# Steps. Texts are the assistant's answer; tokens are fixed so usage is exact.
lp_step_text() { jq -cn --arg t "$1" '{text: $t, tokens_in: 100, tokens_out: 10}'; }
lp_step_plan()
{
    lp_step_text "$(jq -cn --arg p "$1" --arg f "${2:-lib.sh}" \
        '{plan: $p, files_to_change: [$f]}')"
}
# lp_step_edit SUMMARY PATH SEARCH REPLACE
lp_step_edit()
{
    lp_step_text "$(jq -cn --arg s "$1" --arg p "$2" --arg a "$3" --arg b "$4" \
        '{summary: $s, files: [{path: $p, action: "edit", edits: [{search: $a, replace: $b}]}]}')"
}
# lp_step_write SUMMARY PATH CONTENT
lp_step_write()
{
    lp_step_text "$(jq -cn --arg s "$1" --arg p "$2" --arg c "$3" \
        '{summary: $s, files: [{path: $p, action: "write", content: $c}]}')"
}
lp_step_status()
{
    jq -cn --argjson s "$1" '{status: $s, headers: {"retry-after": "0"}}'
}

# The usual answers for the sample: a plan, and the edit that fixes add().
LP_FIX_SEARCH='$1 - $2'
LP_FIX_REPLACE='$1 + $2'
lp_plan_ok() { lp_step_plan "1. make add() add instead of subtract"; }
lp_code_ok() { lp_step_edit "add() now adds" lib.sh "$LP_FIX_SEARCH" "$LP_FIX_REPLACE"; }

# lp_standin: start the stand-in on an ephemeral port with $D/script.json; sets LP_PORT.
lp_standin()
{
    rm -f "$D/port"
    "$RIG_STANDIN_DIR/ai_standin" --script "$D/script.json" --port-file "$D/port" \
        --log "$D/ai.log" --api-key "$LP_KEY" >"$D/standin.out" 2>&1 &
    LP_STANDIN=$!
    if ! lp_wait_for 20 test -s "$D/port"; then
        echo "the AI stand-in did not start:"
        cat "$D/standin.out"
        exit 1
    fi
    LP_PORT=$(cat "$D/port")
    touch "$D/ai.log"
}

lp_standin_stop()
{
    kill "$LP_STANDIN" 2>/dev/null
    wait "$LP_STANDIN" 2>/dev/null
}

# Requests the stand-in received.
lp_ai_count() { if [ -f "$D/ai.log" ]; then wc -l <"$D/ai.log" | tr -d ' '; else echo 0; fi; }
# lp_ai_req N: request N (1-based) as compact JSON {method, path, headers, body}.
lp_ai_req() { sed -n "${1}p" "$D/ai.log"; }
# lp_ai_prompt N: all the text of request N's body (system + messages).
lp_ai_prompt() { lp_ai_req "$1" | jq -r '.body | tostring'; }
lp_ai_path() { lp_ai_req "$1" | jq -r .path; }

# ----------------------------------------------------------------- queries --

# lp_sql QUERY: errors come out with the result, so an assertion shows them.
lp_sql()
{
    if [ ! -f "$RIG_HOME/rig.db" ]; then
        echo "(no $RIG_HOME/rig.db)"
        return 1
    fi
    sqlite3 -batch "$RIG_HOME/rig.db" "$1" 2>&1
}
# lp_task_field COLUMN [TASK]
lp_task_field() { lp_sql "SELECT $1 FROM tasks WHERE id = '${2:-$LP_TASK}'"; }
# lp_log_count TEXT [LEVEL]: task log lines of $LP_TASK containing TEXT.
lp_log_count()
{
    local lvl=""
    [ -n "${2:-}" ] && lvl="AND level = '$2'"
    lp_sql "SELECT count(*) FROM task_logs WHERE task_id = '$LP_TASK' AND instr(text, '$(
        printf '%s' "$1" | sed "s/'/''/g")') > 0 $lvl"
}
# lp_attempt COLUMN [N]: a column of attempt N (default 1) of $LP_TASK.
lp_attempt() { lp_sql "SELECT $1 FROM attempts WHERE task_id = '$LP_TASK' AND number = ${2:-1}"; }
# lp_tests [N]: "name ok" for each test result of attempt N.
lp_tests() { lp_attempt tests_json "${1:-1}" | jq -r '.[] | "\(.name) \(.ok)"'; }
# lp_count TABLE [CONDITION]: rows of $LP_TASK in TABLE.
lp_count() { lp_sql "SELECT count(*) FROM $1 WHERE task_id = '$LP_TASK'${2:+ AND $2}"; }
# lp_proposal COLUMNS: the columns of the task's proposal(s).
lp_proposal() { lp_sql "SELECT $1 FROM proposals WHERE task_id = '$LP_TASK'"; }
# The phases of the task's failed steps, in order.
lp_failed_steps()
{
    lp_sql "SELECT group_concat(phase, ' ') FROM (SELECT phase FROM steps
            WHERE task_id = '$LP_TASK' AND status = 'failed' ORDER BY seq)"
}
# The phases of the task's steps, in order, space separated.
lp_step_phases()
{
    lp_sql "SELECT group_concat(phase, ' ') FROM (SELECT phase FROM steps
            WHERE task_id = '${1:-$LP_TASK}' ORDER BY seq)"
}
lp_task_state() { echo "$(lp_task_field status "${1:-}") $(lp_task_field phase "${1:-}")"; }

# lp_task_is STATUS PHASE ATTEMPT: the stored task.
lp_task_is()
{
    lp_eq "task status" "$1" "$(lp_task_field status)"
    lp_eq "task phase" "$2" "$(lp_task_field phase)"
    lp_eq "task attempt" "$3" "$(lp_task_field attempt)"
}

# lp_status_json_field FIELD [TASK]: a field of `rig status --json` for the task,
# read from a new process (so it also sees what that process recovers).
lp_status_field()
{
    (cd "$D" && "$RIG_BIN" -c "$D/rig.yaml" status --json -n 0 2>/dev/null) |
        jq -r --arg id "${2:-$LP_TASK}" '.[] | select(.id == $id) | .'"$1"
}

# Git history of the remote.
lp_branch() { lp_task_field branch "${1:-}"; }
lp_remote_has() { git -C "$D/remote.git" rev-parse -q --verify "refs/heads/$1" >/dev/null; }
lp_remote_count()
{
    git -C "$D/remote.git" rev-list --count "main..refs/heads/$1" 2>/dev/null || echo 0
}
lp_remote_file() { git -C "$D/remote.git" show "refs/heads/$1:$2" 2>/dev/null; }
lp_remote_branches()
{
    git -C "$D/remote.git" for-each-ref --format='%(refname:short)' refs/heads | tr '\n' ' '
}
# lp_remote_head BRANCH: the commit the remote's BRANCH points at.
lp_remote_head() { git -C "$D/remote.git" rev-parse "refs/heads/$1"; }
# lp_changes [N]: "path action" for each change recorded in attempt N.
lp_changes() { lp_attempt changes_json "${1:-1}" | jq -r '.files[] | "\(.path) \(.action)"'; }
