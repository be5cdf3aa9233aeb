#!/bin/bash
# A pipeline deploying with docker compose (a recording stand-in plays docker):
# the tests keep failing, retries are used up, and the rollback brings the
# base revision back with the same compose project.
set -euo pipefail

: "${RIG_BIN:?run through ctest}" "${RIG_STANDIN_DIR:?run through ctest}"
work=$(mktemp -d "${TMPDIR:-/tmp}/rig-compose-e2e.XXXXXX")
standin_pid=
cleanup() {
    [ -n "$standin_pid" ] && kill "$standin_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$work/bin" "$work/src"
ln -s "$RIG_STANDIN_DIR/docker_standin" "$work/bin/docker"
export PATH="$work/bin:$PATH" DOCKER_STANDIN_LOG="$work/docker.log" RIG_HOME="$work/home"

cd "$work/src"
git init -q -b main
printf 'services:\n  web:\n    image: nginx\n' > docker-compose.yml
printf 'exit 1\n' > check.sh
git add -A && git -c user.name=t -c user.email=t@t commit -qm init
git clone -q --bare . "$work/remote.git"

cat > "$work/script.json" <<'JSON'
[{"text": "{\"plan\": \"touch the page\", \"files_to_change\": [\"index.html\"]}"},
 {"text": "{\"summary\": \"add a page\", \"files\": [{\"path\": \"index.html\", \"action\": \"write\", \"content\": \"<h1>hi</h1>\\n\"}]}"}]
JSON
"$RIG_STANDIN_DIR/ai_standin" --script "$work/script.json" --port-file "$work/port" \
    --log "$work/ai.log" > "$work/ai.out" 2>&1 &
standin_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")

cat > "$work/rig.yaml" <<YAML
project: {name: web}
source: {platform: local, repo: $work/remote.git, base_branch: main}
ai: {provider: anthropic, model: claude-sonnet-4-5, api_key: k, endpoint: "http://127.0.0.1:$port", max_retry: 0}
deploy:
  method: docker-compose
  config: {file: docker-compose.yml, project_name: webdemo, pull: never}
  rollback: {enabled: true, method: docker-compose}
test:
  - {name: check, run: sh check.sh, timeout: 30s}
YAML

cd "$work"
if "$RIG_BIN" -c rig.yaml exec --title "Add a page" > exec.out 2>&1; then
    cat exec.out; fail "the task should fail: its tests always fail"
fi
grep -q "rollback succeeded" exec.out || { cat exec.out; fail "no successful rollback"; }
status=$("$RIG_BIN" -c rig.yaml status --json)
echo "$status" | grep -q '"status": "failed"' || fail "task not failed: $status"
echo "$status" | grep -q 'rollback succeeded' || fail "error does not mention the rollback: $status"

# Two `up` calls: the task's workspace, then the base revision in previous/, same project.
ups=$(grep -c '"up"' docker.log)
[ "$ups" = 2 ] || { cat docker.log; fail "expected 2 compose up calls, got $ups"; }
first=$(grep '"up"' docker.log | head -n 1)
second=$(grep '"up"' docker.log | tail -n 1)
echo "$first" | grep -q '/workspaces/t-[0-9-]*/repo"' || fail "deploy did not run in the workspace: $first"
echo "$first" | grep -q '"-p","webdemo"' || fail "deploy without the project name: $first"
echo "$first" | grep -q '"--pull","never"' || fail "pull option lost: $first"
echo "$first" | grep -q '"RIG_BRANCH_NAME":"rig/issue-1-add-a-page"' || fail "task variables not exported: $first"
echo "$second" | grep -q '/workspaces/t-[0-9-]*/previous"' || fail "rollback not from the previous revision: $second"
echo "$second" | grep -q '"-p","webdemo"' || fail "rollback with another project name: $second"
echo "$second" | grep -q '"--remove-orphans"' || fail "rollback without --remove-orphans: $second"
[ ! -e "$RIG_HOME"/workspaces/*/previous ] || fail "the previous-revision worktree was left behind"
echo "1 passed, 0 failed"
