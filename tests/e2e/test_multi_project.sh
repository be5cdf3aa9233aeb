#!/bin/bash
# Several projects in one instance: the top-level project is a local
# repository, and a `projects:` entry serves Codertocat/Hello-World on the
# GitHub stand-in. `rig exec <issue URL>` picks the project from the URL's
# repository, runs there, and `rig status --project` tells them apart.
set -euo pipefail
. "$(dirname "$0")/lib_github.sh"
gh_e2e_start multi-e2e

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
