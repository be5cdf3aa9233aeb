#!/bin/bash
# The whole pipeline on a GitHub issue, against the GitHub stand-in (REST API
# and git over HTTP, token-checked) and the scripted AI stand-in:
#   rig exec --issue-url http://<stand-in>/Codertocat/Hello-World/issues/1
# fetches the issue (the octokit webhook fixture), clones and pushes with the
# token only in git's environment, opens one pull request that closes the
# issue, keeps ONE status comment edited in place, and leaves rig:done.
set -euo pipefail
. "$(dirname "$0")/lib_github.sh"
gh_e2e_start github-e2e

cat > "$work/rig.yaml" <<YAML
project: {name: hello}
source:
  platform: github
  repo: $repo
  base_branch: main
  api_url: $api
  git_url: $api/git/$repo.git
ai: {provider: anthropic, model: claude-sonnet-4-5, api_key: e2e-not-a-real-key, endpoint: "http://127.0.0.1:$aport", max_retry: 1}
deploy:
  method: custom
  config:
    commands:
      - {name: build, run: test -s README.md, timeout: 30s}
test:
  - {name: spelling, run: grep -q 'Hello World' README.md, timeout: 30s}
YAML

cd "$work"
# No token at all: a clear error before anything runs.
if env -u GITHUB_TOKEN "$RIG_BIN" -c rig.yaml exec --issue-url "$api/$repo/issues/1" > notoken.out 2>&1; then
    fail "exec without a token should fail"
fi
grep -q "no GitHub token" notoken.out || { cat notoken.out; fail "no clear missing-token error"; }

# An issue of another repository is refused.
if GITHUB_TOKEN=$token "$RIG_BIN" -c rig.yaml exec "$api/acme/other/issues/1" > other.out 2>&1; then
    fail "an issue of another repository should be refused"
fi
grep -q "source.repo is $repo" other.out || { cat other.out; fail "no clear wrong-repo error"; }

export GITHUB_TOKEN=$token
if ! "$RIG_BIN" -c rig.yaml exec --issue-url "$api/$repo/issues/1" > exec.out 2>&1; then
    cat exec.out; fail "rig exec failed"
fi
grep -q "Task t-.*: issue Spelling error in the README file" exec.out || { cat exec.out; fail "issue not fetched from GitHub"; }
grep -q "pull request opened: $api/$repo/pull/100" exec.out || { cat exec.out; fail "no PR opened"; }
grep -q "Spelling error in the README file" ai.log || fail "the AI never saw the issue title"

state=$(curl -sf "$api/_standin/state")
echo "$state" > state.json
python3 - "$work/state.json" <<'PY' || { cat exec.out; fail "stand-in state is wrong (see above)"; }
import json, sys
st = json.load(open(sys.argv[1]))
pulls = st["pulls"]
assert len(pulls) == 1, pulls
pr = pulls[0]
assert pr["head"]["ref"].startswith("rig/issue-1-"), pr["head"]
assert pr["base"]["ref"] == "main", pr["base"]
assert "Closes #1" in pr["body"], pr["body"]
status = [c for c in st["comments"] if "<!-- rig:status -->" in c["body"]]
assert len(status) == 1, [c["body"] for c in status]
c = status[0]
assert c["issue"] == 1 and c["user"]["login"] == "rig-bot", c
assert c["edits"] >= 2, c["edits"]            # created once, then edited in place
body = c["body"]
assert "### ✔ Rig is done: pull request [#100](" in body, body
for line in ("- ✔ Plan", "- ✔ Code", "- ✔ Commit and push", "- ✔ Deploy", "- ✔ Test",
             "- ✔ Pull request"):
    assert line in body, (line, body)
assert "Attempt 1 of 2" in body, body
assert "[rig]" not in body
labels = [l["name"] for l in st["issues"]["codertocat/hello-world#1"]["labels"]]
assert labels == ["bug", "rig:done"], labels
reqs = st["requests"]
assert any(r.startswith("GIT POST /git/Codertocat/Hello-World.git/git-receive-pack") for r in reqs)
assert any(r == "POST /repos/Codertocat/Hello-World/issues/1/labels" for r in reqs)
PY

# The pushed branch holds the fix.
branch=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pulls"][0]["head"]["ref"])' state.json)
git --git-dir="$work/git/$repo.git" show "$branch:README.md" | grep -q "Hello World" || fail "fix not pushed"

# The token is nowhere: not in the output, the clone, the database or the logs.
if grep -rIl -e "$token" exec.out "$RIG_HOME" 2>/dev/null; then fail "the token leaked"; fi
if grep -rl -e "$token" "$RIG_HOME" 2>/dev/null; then fail "the token leaked (binary file)"; fi
b64=$(printf 'x-access-token:%s' "$token" | base64 -w0)
if grep -rl -e "$b64" "$RIG_HOME" exec.out 2>/dev/null; then fail "the git auth header leaked"; fi
grep -q "$api/git/$repo.git" "$RIG_HOME"/workspaces/*/repo/.git/config || fail "clone URL not as configured"
echo "1 passed, 0 failed"
