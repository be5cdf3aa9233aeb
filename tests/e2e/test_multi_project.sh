#!/bin/bash
# Several projects in one instance: the top-level project is a local
# repository, and a `projects:` entry serves Codertocat/Hello-World on the
# GitHub stand-in. `rig exec <issue URL>` picks the project from the URL's
# repository, runs there, and `rig status --project` tells them apart.
set -euo pipefail

: "${RIG_BIN:?run through ctest}" "${RIG_STANDIN_DIR:?run through ctest}" "${RIG_FIXTURES:?}"
work=$(mktemp -d "${TMPDIR:-/tmp}/rig-multi-e2e.XXXXXX")
gh_pid= ai_pid=
cleanup() {
    [ -n "$gh_pid" ] && kill "$gh_pid" 2>/dev/null || true
    [ -n "$ai_pid" ] && kill "$ai_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

token=ghs_e2eT0kenThatMustNeverLeak42
repo=Codertocat/Hello-World
export RIG_HOME="$work/home" HOME="$work/userhome"
mkdir -p "$HOME" "$work/git/Codertocat"

# The repository on the "GitHub" side: a README with the typo of issue #1.
git init -q -b main "$work/src"
cd "$work/src"
printf 'Hello Wrold\n' > README.md
git add -A && git -c user.name=t -c user.email=t@t commit -qm init
git clone -q --bare . "$work/git/$repo.git"

"$RIG_STANDIN_DIR/github_standin" --port-file "$work/gh.port" --token "$token" \
    --login rig-bot --git-root "$work/git" \
    --issue-payload "$RIG_FIXTURES/github-webhooks/issues/opened.payload.json" \
    > "$work/gh.out" 2>&1 &
gh_pid=$!

cat > "$work/script.json" <<'JSON'
[{"text": "{\"plan\": \"Fix the spelling of World in README.md\", \"files_to_change\": [\"README.md\"]}"},
 {"text": "{\"summary\": \"fix the typo\", \"files\": [{\"path\": \"README.md\", \"action\": \"write\", \"content\": \"Hello World\\n\"}]}"}]
JSON
"$RIG_STANDIN_DIR/ai_standin" --script "$work/script.json" --port-file "$work/ai.port" \
    --log "$work/ai.log" > "$work/ai.out" 2>&1 &
ai_pid=$!
for _ in $(seq 200); do [ -s "$work/gh.port" ] && [ -s "$work/ai.port" ] && break; sleep 0.05; done
gport=$(cat "$work/gh.port")
aport=$(cat "$work/ai.port")
api="http://127.0.0.1:$gport"

git clone -q --bare "$work/src" "$work/local.git"
cat > "$work/rig.yaml" <<YAML
project: {name: local-app}
source: {platform: local, repo: $work/local.git, base_branch: main}
ai: {provider: anthropic, model: claude-sonnet-4-5, api_key: e2e-not-a-real-key, endpoint: "http://127.0.0.1:$aport", max_retry: 1}
test:
  - {name: spelling, run: grep -q 'Hello World' README.md, timeout: 30s}
projects:
  - name: hello
    platform: github
    repo: $repo
    base_branch: main
    api_url: $api
    git_url: $api/git/$repo.git
YAML

cd "$work"
export GITHUB_TOKEN=$token
"$RIG_BIN" -c rig.yaml exec "$api/$repo/issues/1" > exec.out 2>&1 || { cat exec.out; fail "rig exec failed"; }
grep -q "pull request opened: $api/$repo/pull/100" exec.out || { cat exec.out; fail "no PR on the GitHub project"; }
st=$("$RIG_BIN" -c rig.yaml status --json --project hello)
echo "$st" | grep -q '"project": "hello"' || fail "task not in project hello: $st"
echo "$st" | grep -q '"status": "completed"' || fail "task not completed: $st"
[ "$("$RIG_BIN" -c rig.yaml status --json --project local-app)" = "[]" ] || fail "the local project got a task"
# The local project's remote never saw the branch.
[ -z "$(git --git-dir="$work/local.git" for-each-ref refs/heads/rig/)" ] || fail "pushed to the wrong project"
[ -n "$(git --git-dir="$work/git/$repo.git" for-each-ref refs/heads/rig/)" ] || fail "branch not on GitHub"
echo "1 passed, 0 failed"
