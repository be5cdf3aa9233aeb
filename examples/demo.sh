#!/bin/sh
# Rig's first-run demo: copy examples/sample-app into a fresh git repository,
# run `rig init`, `rig validate` and `rig doctor` there, then run the whole
# pipeline on an issue (plan, code, commit, push, deploy, test, self-heal, PR)
# with a scripted stand-in for the AI (examples/demo/README.md). Needs no
# credentials and no network. Usage: sh examples/demo.sh [BUILD_DIR]
# (`make demo` passes build/dev). Set RIG_DEMO_KEEP=1 to keep the directory.
set -eu

build=${1:-build/dev}
root=$(cd "$(dirname "$0")/.." && pwd)
case $build in
/*) rig=$build/rig ;;
*) rig=$root/$build/rig ;;
esac
if [ ! -x "$rig" ]; then
    echo "demo: $rig is missing; build first (make build)" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rig-demo.XXXXXX")
if [ "${RIG_DEMO_KEEP:-0}" = 1 ]; then
    trap 'echo; echo "demo: kept $work"' EXIT
else
    trap 'rm -rf "$work"' EXIT
fi
# Keep the demo's state out of the user's data directory.
RIG_HOME=$work/rig-home
export RIG_HOME

step() {
    printf '\n==> %s\n' "$*"
}

step "Creating a sample project in $work/sample-app (a small C program with 'make test')"
cp -R "$root/examples/sample-app" "$work/sample-app"
cd "$work/sample-app"
git init -q .
git symbolic-ref HEAD refs/heads/main
git add -A
git -c user.name="Rig demo" -c user.email=demo@localhost commit -q -m "sample app"
git log --oneline

if command -v make >/dev/null 2>&1 && command -v cc >/dev/null 2>&1; then
    step "Its own tests, as Rig's test step will run them: make test"
    make -s test
    make -s clean
fi

step "rig init: write a starting rig.yaml"
"$rig" init
echo
sed -n '1,200p' rig.yaml | grep -v '^ *#' | grep -v '^$'

step "rig validate"
"$rig" validate

step "rig validate on a broken copy (every problem, with file:line:col)"
sed -e 's/^project:/prjoect:/' -e 's/max_retry: 3/max_retry: 30/' rig.yaml >broken.yaml
"$rig" validate -c broken.yaml 2>&1 || echo "(exit status $?, as expected)"
rm -f broken.yaml

step "rig doctor"
"$rig" doctor

standin=$(dirname "$rig")/tests/standin/ai_standin
if [ ! -x "$standin" ]; then
    echo "demo: $standin is missing; build with tests enabled (make build)" >&2
    exit 1
fi

step "The pipeline: a bare remote to push to, and a scripted AI on 127.0.0.1"
git clone -q --bare . "$work/remote.git"
echo "remote: $work/remote.git"
"$standin" --script "$root/examples/demo/ai-script.json" --port-file "$work/ai.port" \
    --log "$work/ai-requests.log" >"$work/ai.out" 2>&1 &
standin_pid=$!
trap 'kill $standin_pid 2>/dev/null; [ "${RIG_DEMO_KEEP:-0}" = 1 ] || rm -rf "$work"' EXIT
i=0
while [ ! -s "$work/ai.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$work/ai.port")
echo "AI stand-in (Anthropic Messages API, scripted): http://127.0.0.1:$port"
echo "THIS DEMO'S AI IS SCRIPTED: see examples/demo/README.md to use a real provider."

cat >"$work/pipeline.yaml" <<YAML
project:
  name: sample-app
  language: C
source:
  platform: local
  repo: $work/remote.git
  base_branch: main
ai:
  provider: anthropic
  model: claude-sonnet-4-5
  api_key: demo-not-a-real-key
  endpoint: http://127.0.0.1:$port   # the scripted stand-in; remove for the real API
  max_retry: 2
deploy:
  method: custom
  config:
    commands:
      - name: install
        run: make -s greet && mkdir -p $work/deployed && cp greet $work/deployed/
        timeout: 2m
test:
  - name: unit
    run: make -s test
    timeout: 2m
YAML
echo "config: $work/pipeline.yaml"

step "rig exec --issue issue.md"
cat "$root/examples/demo/issue.md"
echo
"$rig" -c "$work/pipeline.yaml" exec --issue "$root/examples/demo/issue.md"

step "rig status"
"$rig" -c "$work/pipeline.yaml" status

task=$("$rig" -c "$work/pipeline.yaml" status --json | sed -n 's/.*"id": "\(t-[0-9-]*\)".*/\1/p' | head -n 1)
step "The task branch on the remote: one commit per attempt, never force-pushed"
git --git-dir="$work/remote.git" log --oneline main..$(git --git-dir="$work/remote.git" for-each-ref --format='%(refname:short)' refs/heads/rig/ | head -n 1)

step "The deployed program"
"$work/deployed/greet" "  Ada  "

step "rig explain $task"
"$rig" -c "$work/pipeline.yaml" explain "$task"

step "Done"
echo "That was the real pipeline with a scripted AI. For your own project: rig init,"
echo "set ai.provider and its key (e.g. ANTHROPIC_API_KEY), then rig exec --issue ISSUE.md."
