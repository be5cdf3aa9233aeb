#!/bin/bash
# rig exec with rig.yaml notify: a real run (local git source, a command as
# the AI, a shell test) reports to chat_standin; events outside `on` are not
# sent; a dead webhook is logged without its URL and the task still completes.
set -u
: "${RIG_BIN:?}" "${RIG_STANDIN_DIR:?}"
tmp=$(mktemp -d)
standin_pid=
cleanup() {
    [ -n "$standin_pid" ] && kill "$standin_pid" 2>/dev/null && wait "$standin_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
check() { # description, then a command that must succeed
    local what=$1
    shift
    if ! "$@"; then
        echo "FAIL: $what"
        fail=1
    fi
}
cd "$tmp" || exit 1
export RIG_HOME="$tmp/home" GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

git init -q --bare origin.git
git clone -q origin.git seed 2>/dev/null
git -C seed -c user.email=t@t -c user.name=t commit -q --allow-empty -m init
git -C seed push -q origin HEAD:main

cat > ai.sh <<'AI'
#!/bin/sh
cat >/dev/null
case "$RIG_AI_OPERATION" in
plan) printf '%s\n' '{"plan": "add greet.txt", "files_to_change": ["greet.txt"]}' ;;
*) printf '%s\n' '{"summary": "add greet", "test_notes": "", "files": [{"path": "greet.txt", "action": "write", "content": "hello\n"}]}' ;;
esac
AI
chmod +x ai.sh

"$RIG_STANDIN_DIR/chat_standin" --port-file "$tmp/port" --log "$tmp/requests.jsonl" \
    >/dev/null &
standin_pid=$!
for _ in $(seq 1 500); do [ -s "$tmp/port" ] && break; sleep 0.01; done
port=$(cat "$tmp/port")

write_config() { # webhook URL
    cat > rig.yaml <<YAML
project: {name: demo}
source: {platform: local, repo: $tmp/origin.git, base_branch: main}
ai: {provider: command, command: $tmp/ai.sh}
test:
  - name: greet exists
    run: test -f greet.txt
notify:
  - type: slack
    webhook: $1
    on: [test_pass, pr_created, failed]
YAML
}

# 1. A completed task: test_pass and pr_created reach Slack, in order.
write_config "http://127.0.0.1:$port/slack/services/T0/B0/clitoken"
"$RIG_BIN" -c rig.yaml exec --title "Add greet" >out.txt 2>err.txt
check "exec completes (exit $?)" grep -q "completed" out.txt
check "two notifications" test "$(wc -l < requests.jsonl)" -eq 2
check "first is test_pass" sh -c "sed -n 1p requests.jsonl | grep -q 'Tests passed'"
check "second is pr_created with the branch" \
    sh -c "sed -n 2p requests.jsonl | grep -q 'Pull request opened.*Branch: rig/issue-1-add-greet'"
check "answered 200" sh -c "! grep -v '\"status\":200' requests.jsonl"
check "no webhook token in the output" sh -c "! grep -q clitoken out.txt err.txt"

# 2. A dead webhook: logged without its URL, the task is not affected.
dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
write_config "http://127.0.0.1:$dead/slack/services/T0/B0/deadtoken"
"$RIG_BIN" -c rig.yaml exec --title "Add greet again" >out.txt 2>err.txt
rc=$?
check "exec still exits 0 (got $rc)" test "$rc" -eq 0
check "task completed" grep -q "completed" out.txt
check "the failure is logged with the origin only" \
    grep -q "notify: slack notify\[0\] (http://127.0.0.1:$dead)" err.txt
check "no webhook token in the log" sh -c "! grep -q deadtoken out.txt err.txt"

if [ "$fail" -ne 0 ]; then
    echo "--- stdout"; cat out.txt; echo "--- stderr"; cat err.txt
    echo "--- requests"; cat requests.jsonl
fi
exit "$fail"
