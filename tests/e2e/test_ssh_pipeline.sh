#!/bin/bash
# Deploy over SSH, then roll back over SSH, through the whole pipeline, against
# a real OpenSSH sshd on 127.0.0.1 with its own host key: the tests keep
# failing, the retries are used up, and the rollback command runs remotely.
set -euo pipefail

: "${RIG_BIN:?run through ctest}" "${RIG_STANDIN_DIR:?run through ctest}"
work=$(mktemp -d "${TMPDIR:-/tmp}/rig-ssh-e2e.XXXXXX")
sshd_pid= ai_pid=
cleanup() {
    [ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null || true
    [ -n "$ai_pid" ] && kill "$ai_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$work/sshd.log" ] && tail -20 "$work/sshd.log" >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then
    echo "skipped: sshd logins for the current user need root here (CI runs as root)"
    echo "0 passed, 0 failed"
    exit 0
fi
mkdir -p /run/sshd "$work/ssh" "$work/remote"
ssh-keygen -q -t ed25519 -N '' -f "$work/ssh/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/ssh/client_key"
cp "$work/ssh/client_key.pub" "$work/ssh/authorized_keys"

start_sshd() {
    port=$(( 20000 + RANDOM % 20000 ))
    cat > "$work/ssh/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $work/ssh/host_key
PidFile $work/ssh/sshd.pid
AuthorizedKeysFile $work/ssh/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
PermitRootLogin prohibit-password
CONF
    /usr/sbin/sshd -D -e -f "$work/ssh/sshd_config" 2> "$work/sshd.log" &
    sshd_pid=$!
    for _ in $(seq 100); do
        grep -q "Server listening" "$work/sshd.log" 2>/dev/null && return 0
        kill -0 "$sshd_pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
for _ in 1 2 3 4 5; do start_sshd && break; sshd_pid=; done
[ -n "$sshd_pid" ] || fail "sshd did not start"
ssh-keyscan -p "$port" -t ed25519 127.0.0.1 > "$work/ssh/known_hosts" 2>/dev/null
[ -s "$work/ssh/known_hosts" ] || fail "ssh-keyscan found no host key"

export RIG_HOME="$work/home"
git init -q -b main "$work/src"
cd "$work/src"
printf 'v1\n' > VERSION
printf 'exit 1\n' > check.sh
git add -A && git -c user.name=t -c user.email=t@t commit -qm init
git clone -q --bare . "$work/origin.git"

cat > "$work/script.json" <<'JSON'
[{"text": "{\"plan\": \"bump the version\", \"files_to_change\": [\"VERSION\"]}"},
 {"text": "{\"summary\": \"v2\", \"files\": [{\"path\": \"VERSION\", \"action\": \"write\", \"content\": \"v2\\n\"}]}"}]
JSON
"$RIG_STANDIN_DIR/ai_standin" --script "$work/script.json" --port-file "$work/ai.port" \
    --log "$work/ai.log" > "$work/ai.out" 2>&1 &
ai_pid=$!
for _ in $(seq 100); do [ -s "$work/ai.port" ] && break; sleep 0.05; done

ssh_block="transport: {type: ssh, ssh: {host: 127.0.0.1, port: $port, user: root, key: $work/ssh/client_key, known_hosts: $work/ssh/known_hosts}}"
cat > "$work/rig.yaml" <<YAML
project: {name: svc}
source: {platform: local, repo: $work/origin.git, base_branch: main}
ai: {provider: anthropic, model: claude-sonnet-4-5, api_key: e2e-not-a-real-key, endpoint: "http://127.0.0.1:$(cat "$work/ai.port")", max_retry: 0}
deploy:
  method: custom
  config:
    commands:
      - name: release
        run: echo "\${COMMIT_SHA} \$RIG_BRANCH_NAME" > $work/remote/deployed && hostname > /dev/null
        timeout: 30s
        $ssh_block
  rollback:
    enabled: true
    method: custom
    config:
      commands:
        - name: restore
          run: echo restored > $work/remote/rolled-back
          timeout: 30s
          $ssh_block
test:
  - {name: check, run: sh check.sh, timeout: 30s}
YAML
cd "$work"
"$RIG_BIN" -c rig.yaml validate > /dev/null || fail "config invalid"
if "$RIG_BIN" -c rig.yaml exec --title "Release v2" > exec.out 2>&1; then
    cat exec.out; fail "the task should fail: its tests always fail"
fi
grep -q "rollback succeeded" exec.out || { cat exec.out; fail "no successful rollback"; }
[ -s remote/deployed ] || { cat exec.out; fail "the SSH deploy did not run"; }
sha=$(git --git-dir=origin.git rev-parse refs/heads/rig/issue-1-release-v2)
[ "$(cat remote/deployed)" = "$sha rig/issue-1-release-v2" ] || fail "deploy saw '$(cat remote/deployed)', want '$sha rig/issue-1-release-v2'"
[ "$(cat remote/rolled-back)" = restored ] || fail "the SSH rollback did not run"
grep -q "Accepted publickey for root" sshd.log || fail "sshd saw no key login"
st=$("$RIG_BIN" -c rig.yaml status --json)
echo "$st" | grep -q '"status": "failed"' || fail "task not failed: $st"

task=$(echo "$st" | sed -n 's/.*"id": "\(t-[0-9-]*\)".*/\1/p' | head -n 1)

# The branch deploys again on its own (no AI) over SSH...
rm -f remote/deployed
"$RIG_BIN" -c rig.yaml exec --step deploy --task "$task" > redeploy.out 2>&1 || { cat redeploy.out; fail "--step deploy failed"; }
[ "$(cat remote/deployed)" = "$sha rig/issue-1-release-v2" ] || fail "redeploy saw '$(cat remote/deployed)'"

# ...and a changed host key is refused, with the fix in the message.
printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1-2 ssh/client_key.pub)" > ssh/known_hosts
rm -f remote/deployed
if "$RIG_BIN" -c rig.yaml exec --step deploy --task "$task" > bad.out 2>&1; then
    fail "a changed host key must be refused"
fi
grep -qi "host key" bad.out || { cat bad.out; fail "no host key message"; }
[ ! -e remote/deployed ] || fail "the command ran despite the changed host key"
echo "1 passed, 0 failed"
