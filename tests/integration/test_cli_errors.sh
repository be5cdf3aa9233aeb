#!/bin/bash
# The command line's usage errors and error paths: exact one-line messages,
# exit codes (0 success, 1 failed, 2 usage), --help of every command naming
# every long option of its option table, and output that fits 80 columns.
set -u
: "${RIG_BIN:?}" "${SPECGATE_BIN:?}" "${RIG_SOURCE_DIR:?}"
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export RIG_HOME="$tmp/rig-home"
export LC_ALL=C.UTF-8
unset ANTHROPIC_API_KEY OPENAI_API_KEY RIG_CONFIG
src=$RIG_SOURCE_DIR/src/cli

check() { # description, command...
    local what=$1
    shift
    if ! "$@"; then
        echo "FAIL: $what"
        fail=1
    fi
}

# run PROGRAM ARGS...: stdout in out.txt, stderr in err.txt, exit status in $rc
run() {
    "$@" >"$tmp/out.txt" 2>"$tmp/err.txt" </dev/null
    rc=$?
}

# expect DESCRIPTION STATUS STDERR [COMMAND...]: stderr must be exactly STDERR
expect() {
    local what=$1 want_rc=$2 want_err=$3
    shift 3
    run "$@"
    if [ "$rc" -ne "$want_rc" ]; then
        echo "FAIL: $what: exit status $rc, expected $want_rc"
        sed 's/^/    | /' "$tmp/err.txt"
        fail=1
    elif [ "$(cat "$tmp/err.txt")" != "$want_err" ]; then
        echo "FAIL: $what: stderr differs; expected:"
        printf '%s\n' "$want_err" | sed 's/^/    > /'
        echo "  got:"
        sed 's/^/    | /' "$tmp/err.txt"
        fail=1
    fi
}

# usage PROG CMD MESSAGE ARGS...: a usage error, exit 2, with the --help hint
usage() {
    local prog=$1 cmd=$2 msg=$3 bin
    shift 3
    bin=$RIG_BIN
    [ "$prog" = specgate ] && bin=$SPECGATE_BIN
    expect "$prog $cmd $*" 2 "$prog $cmd: $msg
Try '$prog $cmd --help'." "$bin" "$@"
}

# Long options of the option table in function FUNC of FILE (getopt_long
# tables, and the options the hand-written specgate parsers match).
long_options() { # file func
    awk -v f="$2" '
        $0 ~ "^[a-z].*[ *]" f "\\(" { on = 1 }
        on && /^}/ { exit }
        on' "$1" | grep -oE '\{"[a-z-]+", *(no|required)_argument|sg_opt_take\([^"]*"--[a-z-]+"|strcmp\(argv\[i\], "--[a-z-]+"\)' |
        grep -oE '"(--)?[a-z-]+"' | tr -d '"' | sed 's/^--//' | sort -u
}
file_long_options() { # file: a file-level "longopts[]" table
    awk '/longopts\[\] = \{/ { on = 1 } on && /^\};/ { exit } on' "$1" |
        grep -oE '\{"[a-z-]+",' | grep -oE '[a-z-]+' | sort -u
}

# help_names PROG CMD OPTIONS...: --help exits 0, shows the usage and each option
help_names() {
    local prog=$1 cmd=$2 bin opt
    shift 2
    bin=$RIG_BIN
    [ "$prog" = specgate ] && bin=$SPECGATE_BIN
    # shellcheck disable=SC2086
    run "$bin" $cmd --help
    check "$prog $cmd --help exits 0" test "$rc" -eq 0
    check "$prog $cmd --help prints the usage" grep -q "^usage: $prog $cmd" "$tmp/out.txt"
    check "$prog $cmd --help prints nothing on stderr" test ! -s "$tmp/err.txt"
    [ $# -gt 0 ] || { echo "FAIL: $prog $cmd: no options found in the source"; fail=1; }
    for opt in "$@"; do
        check "$prog $cmd --help mentions --$opt" grep -q -- "--$opt\b" "$tmp/out.txt"
    done
}

# ---------------------------------------------------------------- --help ---
help_names rig "" $(long_options "$src/rig/main.c" main)
help_names rig init $(long_options "$src/rig/cmd_init.c" parse_flags)
for cmd in validate doctor; do
    help_names rig $cmd $(long_options "$src/rig/cmd_validate.c" cli_config_flag)
done
for cmd in approve cancel version; do
    help_names rig $cmd $(long_options "$src/rig/cmd_validate.c" cli_help_flag)
done
help_names rig exec $(long_options "$src/rig/cmd_exec.c" cmd_exec)
help_names rig run $(long_options "$src/rig/cmd_run.c" parse_args)
help_names rig status $(long_options "$src/rig/cmd_status.c" cmd_status)
help_names rig logs $(long_options "$src/rig/cmd_logs.c" cmd_logs)
help_names rig explain $(long_options "$src/rig/cmd_explain.c" cmd_explain)
help_names rig proposals $(long_options "$src/rig/cmd_proposals.c" cmd_proposals)
help_names rig reject $(long_options "$src/rig/cmd_proposals.c" cmd_reject)
# Every command of 'rig --help' was covered above.
for cmd in $(sed -n '/^Commands:/,/^$/p' <("$RIG_BIN" --help) | awk 'NF > 1 { print $1 }'); do
    case " init validate doctor approve cancel version exec run status logs explain proposals reject " in
    *" $cmd "*) ;;
    *) echo "FAIL: rig $cmd is not covered by this test"; fail=1 ;;
    esac
done

run "$SPECGATE_BIN" --help
check "specgate --help exits 0" test "$rc" -eq 0
check "specgate --help lists --version" grep -q -- "--version" "$tmp/out.txt"
help_names specgate "spec validate" help
help_names specgate "tests generate" $(long_options "$src/specgate/cmd_tests_generate.c" parse)
help_names specgate "workflow generate" \
    $(long_options "$src/specgate/cmd_workflow_generate.c" parse)
help_names specgate mcp $(long_options "$src/specgate/cmd_mcp.c" sg_cmd_mcp)
help_names specgate "drift score" $(file_long_options "$src/specgate/cmd_drift_score.c")
help_names specgate "github comment" $(file_long_options "$src/specgate/cmd_github_comment.c")
help_names specgate sarif $(file_long_options "$src/specgate/cmd_sarif.c")

# ----------------------------------------------------------- usage errors --
# One line naming the option (getopt's own message is not printed), exit 2.
for cmd in init validate doctor exec run status logs explain proposals approve reject cancel \
    version; do
    usage rig $cmd "unknown option '--bogus'" $cmd --bogus
    usage rig $cmd "unknown option '-Z'" $cmd -Z
done
for cmd in "spec validate" "tests generate" "workflow generate" "drift score" \
    "github comment" sarif mcp; do
    # shellcheck disable=SC2086
    usage specgate "$cmd" "unknown option '--bogus'" $cmd --bogus
done
expect "rig --bogus" 2 "rig: unknown option '--bogus'
Try 'rig --help'." "$RIG_BIN" --bogus
expect "rig -c" 2 "rig: option '-c' needs a value
Try 'rig --help'." "$RIG_BIN" -c

usage rig status "option '-n' needs a value" status -n
usage rig status "option '--project' needs a value" status --project
usage rig status "option '--project' needs a value" status --proj
usage rig status "option '--json' takes no value" status --json=yes
usage rig status "unknown option '-q'" status --json -qn 3
usage rig status "-n needs a number from 0 to 1000000, not 'many'" status -n many
usage rig status "unexpected argument 'extra'" status extra
usage rig exec "option '--issue' needs a value" exec --issue
usage rig exec "option '--dry-run' takes no value" exec --dry-run=1 --title t
usage rig exec "--task ID goes with --step deploy or --step test" exec --task t-1
usage rig exec "say which issue: --issue FILE.md, --title TEXT or a GitHub issue URL" exec
usage rig reject "option '--reason' needs a value" reject t-1 --reason
usage rig run "option '--port' needs a value" run --port
usage rig init "option '--template' needs a value" init --template
usage rig validate "option '-c' needs a value" validate -c
usage rig version "unexpected argument 'now'" version now
for cmd in logs explain cancel; do
    usage rig $cmd "give exactly one task id (see 'rig status')" $cmd
done
usage rig approve "give exactly one task id (see 'rig proposals')" approve
usage rig reject "give exactly one task id (see 'rig proposals')" reject a b
usage rig proposals "at most one task id" proposals a b

usage specgate sarif "option '--score' needs a value" sarif --score
usage specgate sarif "missing --score FILE (drift-score.json)" sarif --rules r.json
usage specgate sarif "missing --rules FILE" sarif --score s.json
usage specgate "github comment" "missing --rules FILE" github comment --score s.json
usage specgate "github comment" "option '--pr' needs a value" github comment --pr
usage specgate "drift score" "option '--rules' needs a value" drift score --rules
usage specgate "drift score" "option '--check' takes no value" drift score --check=1
usage specgate "drift score" "missing --rules FILE" drift score --semgrep s.json
usage specgate "tests generate" "option '--rules' needs a value" tests generate --rules
usage specgate "tests generate" "option '--rules' needs a value" tests generate --rules=
usage specgate "tests generate" "unexpected argument 'x'" tests generate x
usage specgate "workflow generate" "option '--out' needs a value" workflow generate --out
usage specgate mcp "option '--root' needs a value" mcp --root
usage specgate mcp "unexpected argument 'x'" mcp x
usage specgate "spec validate" "missing FILE" spec validate

run "$RIG_BIN" --version
check "rig --version" grep -q "^rig [0-9]" "$tmp/out.txt"

# ------------------------------------------------ missing or invalid config --
mkdir -p "$tmp/empty" && cd "$tmp/empty" || exit 1
missing="cannot open rig.yaml: No such file or directory (run 'rig init' to create one, or pass -c FILE)"
expect "exec without rig.yaml" 1 "rig exec: $missing" "$RIG_BIN" exec --title t
expect "explain --ai without rig.yaml" 1 "rig explain: $missing" "$RIG_BIN" explain --ai t-1
expect "run without rig.yaml" 1 "rig run: $missing" "$RIG_BIN" run
printf 'project:\n  name: x\nai: 3\n' >bad.yaml
expect "exec with an invalid rig.yaml" 1 "bad.yaml:1:1: missing required section 'source'
bad.yaml:3:5: ai: expected a mapping, got the integer 3
rig exec: bad.yaml has 2 problem(s), listed above; fix them and check with 'rig validate'" \
    "$RIG_BIN" -c bad.yaml exec --title t

# ------------------------------------------------------- empty data dir ----
expect "status on an empty data dir" 0 "" "$RIG_BIN" status
check "status says how to start" grep -qx "No tasks yet. Start one with: rig exec --issue ISSUE.md" \
    "$tmp/out.txt"
expect "status --json on an empty data dir" 0 "" "$RIG_BIN" status --json
check "status --json is an empty array" test "$(jq -c . "$tmp/out.txt")" = "[]"
expect "proposals on an empty data dir" 0 "" "$RIG_BIN" proposals
check "no pending proposals" grep -qx "No pending proposals." "$tmp/out.txt"
nosuch="no task 'nosuch' in $RIG_HOME/rig.db; list tasks with \`rig status\`"
for cmd in logs explain cancel proposals; do
    expect "$cmd of an unknown task" 1 "rig $cmd: $nosuch" "$RIG_BIN" $cmd nosuch
done

# ------------------------------------------------------------- the AI -------
repo=$tmp/app
mkdir -p "$repo" && cd "$repo" || exit 1
git init -q -b main . && git -c user.name=t -c user.email=t@localhost commit -q --allow-empty -m init
"$RIG_BIN" init >/dev/null || { echo "FAIL: rig init"; exit 1; }

expect "exec with the AI key unset" 1 \
    "rig exec: ai: provider anthropic needs an API key: set ai.api_key in rig.yaml or the ANTHROPIC_API_KEY environment variable" \
    "$RIG_BIN" exec --title "no key"
run "$RIG_BIN" status --json
check "no task row is left behind when the AI cannot be built" \
    test "$(jq length "$tmp/out.txt")" = 0

# Nothing listens on port 1: every AI call is refused. The key must show
# nowhere, neither in the output nor in what is stored.
secret="sk-ant-test-$$-SECRET"
sed -i 's|^  model: claude-sonnet-4-5|&\n  endpoint: http://127.0.0.1:1|' rig.yaml
title="Ünïcödé title that is much longer than the room left on an eighty-column line"
ANTHROPIC_API_KEY=$secret run "$RIG_BIN" exec --title "$title"
check "exec with the AI refused exits 1" test "$rc" -eq 1
check "the outcome names the endpoint" grep -q "127.0.0.1:1" "$tmp/out.txt"
task=$(jq -r '.[0].id' <("$RIG_BIN" status --json))
check "the task failed" test "$(jq -r '.[0].status' <("$RIG_BIN" status --json))" = failed
for cmd in "status" "status --json" "logs $task" "explain $task" "proposals --all"; do
    # shellcheck disable=SC2086
    run "$RIG_BIN" $cmd
    check "$cmd exits 0" test "$rc" -eq 0
    check "the key is not in '$cmd'" bash -c "! grep -q -- '$secret' '$tmp/out.txt' '$tmp/err.txt'"
done
check "the key is not in exec's output" bash -c "! grep -rq -- '$secret' '$tmp/out.txt'"
check "the key is not in the store" bash -c "! grep -aq -- '$secret' '$RIG_HOME/rig.db'"

# status fits an 80-column terminal, with the error on its own line
run "$RIG_BIN" status
while IFS= read -r line; do
    check "status line within 80 columns: $line" test "${#line}" -le 80
done <"$tmp/out.txt"
check "status row" grep -Eq "^$task +failed +failed +1/4 +[0-9]+[smhd] +#1 Ünïcödé title .*…$" \
    "$tmp/out.txt"
check "status error line" grep -Eq "^    planning failed: .*127\.0\.0\.1:1.*…$" "$tmp/out.txt"
run "$RIG_BIN" status --json
check "status --json keeps the whole title" \
    test "$(jq -r '.[0].issue_title' "$tmp/out.txt")" = "$title"

# A task in the wrong state
expect "approve a failed task" 1 "rig approve: task $task is failed, not waiting for approval" \
    "$RIG_BIN" approve "$task"
expect "reject a failed task" 1 "rig reject: task $task is failed, not waiting for approval" \
    "$RIG_BIN" reject "$task"
expect "cancel a failed task" 1 \
    "rig cancel: task '$task' is failed; it has already ended, there is nothing to cancel" \
    "$RIG_BIN" cancel "$task"
expect "resume a failed task" 1 \
    "rig exec: task $task is failed: only an interrupted task can be resumed" \
    "$RIG_BIN" exec --resume "$task"
expect "proposals of a task without any" 0 "" "$RIG_BIN" proposals "$task"
check "no proposals line" grep -qx "No pending proposals for task $task." "$tmp/out.txt"

exit $fail
