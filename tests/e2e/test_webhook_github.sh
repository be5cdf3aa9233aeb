#!/bin/bash
# No manual step: a GitHub webhook (the octokit "issues.labeled" fixture,
# signed like GitHub signs it) reaches `rig run`, which queues the issue, runs
# the pipeline on a worker against the GitHub stand-in (REST API and git over
# HTTP) and the scripted AI, and ends with one pull request closing the issue,
# one status comment edited in place and the rig:done label.
set -euo pipefail
. "$(dirname "$0")/lib_github.sh"
gh_e2e_start webhook-e2e

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
workflow:
  trigger:
    - {event: issues.labeled, labels: [rig]}
server: {secret: "\${WEBHOOK_SECRET}", workers: 1}
YAML

cd "$work"
export GITHUB_TOKEN=$token WEBHOOK_SECRET=e2e-webhook-secret-1234
"$RIG_BIN" -c rig.yaml run --port 0 > run.out 2> run.err &
rig_pid=$!
extra_pid=$rig_pid
for _ in $(seq 200); do grep -q "listening on" run.out 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' run.out | head -n 1)
[ -n "$url" ] || { cat run.out run.err; fail "rig run did not start"; }

# The fixture says the issue was labelled "bug"; here the person adds "rig".
jq -c '.label.name = "rig" | .issue.labels += [{"id": 1, "name": "rig"}]' \
    "$RIG_FIXTURES/github-webhooks/issues/labeled.payload.json" > delivery.json
sig=$(openssl dgst -sha256 -hmac "$WEBHOOK_SECRET" -r delivery.json | cut -d' ' -f1)
code=$(curl -s -o resp.json -w '%{http_code}' -X POST "$url/webhook" \
    -H 'Content-Type: application/json' -H 'X-GitHub-Event: issues' \
    -H 'X-GitHub-Delivery: 72d3162e-cc78-11e3-81ab-4c9367dc0958' \
    -H "X-Hub-Signature-256: sha256=$sig" --data-binary @delivery.json)
[ "$code" = 202 ] || { cat resp.json run.err; fail "delivery answered $code, want 202"; }

# Wait for the worker to finish the task (no manual step in between).
done=
for _ in $(seq 600); do
    if "$RIG_BIN" -c rig.yaml status --json 2>/dev/null | grep -q '"status": "completed"'; then
        done=1; break
    fi
    if "$RIG_BIN" -c rig.yaml status --json 2>/dev/null | grep -q '"status": "failed"'; then
        break
    fi
    sleep 0.1
done
[ -n "$done" ] || { "$RIG_BIN" -c rig.yaml status; cat run.err; fail "the task did not complete"; }

curl -sf "$api/_standin/state" > state.json
python3 - "$work/state.json" <<'PY' || { cat run.err; fail "stand-in state is wrong (see above)"; }
import json, sys
st = json.load(open(sys.argv[1]))
pulls = st["pulls"]
assert len(pulls) == 1, pulls
assert pulls[0]["head"]["ref"].startswith("rig/issue-1-"), pulls[0]["head"]
assert "Closes #1" in pulls[0]["body"], pulls[0]["body"]
status = [c for c in st["comments"] if "<!-- rig:status -->" in c["body"]]
assert len(status) == 1 and status[0]["edits"] >= 2, status
assert "Rig is done: pull request" in status[0]["body"], status[0]["body"]
labels = [l["name"] for l in st["issues"]["codertocat/hello-world#1"]["labels"]]
assert "rig:done" in labels and "rig:running" not in labels, labels
PY

# A redelivery of the same delivery id is acknowledged and not run again.
code=$(curl -s -o resp2.json -w '%{http_code}' -X POST "$url/webhook" \
    -H 'Content-Type: application/json' -H 'X-GitHub-Event: issues' \
    -H 'X-GitHub-Delivery: 72d3162e-cc78-11e3-81ab-4c9367dc0958' \
    -H "X-Hub-Signature-256: sha256=$sig" --data-binary @delivery.json)
[ "$code" = 200 ] && grep -q '"duplicate": *true' resp2.json || { cat resp2.json; fail "redelivery not deduplicated ($code)"; }
[ "$("$RIG_BIN" -c rig.yaml status --json | grep -c '"id": "t-')" = 1 ] || fail "a second task was created"

kill -TERM "$rig_pid"; wait "$rig_pid" || fail "rig run did not exit cleanly on SIGTERM"
extra_pid=
! grep -r "$token" "$RIG_HOME" run.out run.err > /dev/null || fail "the token leaked"
echo "1 passed, 0 failed"
