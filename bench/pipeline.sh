#!/bin/bash
# Pipeline overhead benchmark: what Rig adds on top of the work a task does.
#
# Both sides do the same work on the same sample project, N times each, in
# the same run: clone the bare remote, apply the change, commit and push to a
# task branch, run the deploy command, run the test command, fail once, apply
# the fix, commit and push again, deploy and test again.
#   rig       `rig exec` with the scripted AI stand-in (3 AI calls over HTTP),
#             every step, log line and attempt stored in SQLite as it happens
#   baseline  the same git and shell steps in a plain bash script, no AI, no store
# It prints the mean wall time of each and the ratio rig/baseline.
#
#   bench/pipeline.sh            BENCH_RUNS=20 BUILD=build/release override
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${BUILD:-$SRC/build/dev}" && pwd)
RUNS=${BENCH_RUNS:-20}
RIG="$BUILD/rig"
STANDIN="$SRC/build/dev/tests/standin/ai_standin"
[ -x "$RIG" ] && [ -x "$STANDIN" ] || { echo "build first: make build (and the preset in BUILD)" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/rig-bench-pipe.XXXXXX")
# BENCH_HOME_DIR puts Rig's store elsewhere (e.g. /dev/shm) to separate disk sync cost.
HOMES=$(mktemp -d "${BENCH_HOME_DIR:-$T}/rig-bench-home.XXXXXX")
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$T" "$HOMES"' EXIT

mkdir -p "$T/src" && cd "$T/src"
git init -q -b main
printf 'add() { echo $(($1 + $2)); }\n' > lib.sh
printf '. ./lib.sh\n[ "$(mul 4 5)" = 20 ]\n' > test.sh
git add -A && git -c user.name=b -c user.email=b@b commit -qm init
git clone -q --bare . "$T/remote.git"

buggy='add() { echo $(($1 + $2)); }\nmul() { echo $(($1 + $2)); }\n'
fixed='add() { echo $(($1 + $2)); }\nmul() { echo $(($1 * $2)); }\n'
# The AI's answers carry the same two versions of lib.sh (JSON inside JSON).
answer() { jq -cn --arg s "$1" --arg c "$(printf "$2")" \
    '{text: ({summary: $s, files: [{path: "lib.sh", action: "write", content: $c}]} | tojson)}'; }
{
    echo '['
    jq -cn '{text: ({plan: "add mul", files_to_change: ["lib.sh"]} | tojson)}'
    echo ','; answer "add mul" "$buggy"
    echo ','; answer "fix mul" "$fixed"
    echo ']'
} > "$T/script.json"

now_ms() { date +%s%3N; }

pids=()
start_standins() { # one scripted AI per task, started before the clock runs
    for i in $(seq "$RUNS"); do
        "$STANDIN" --script "$T/script.json" --port-file "$T/port.$i" > /dev/null 2>&1 &
        pids+=($!)
    done
    for i in $(seq "$RUNS"); do while [ ! -s "$T/port.$i" ]; do sleep 0.01; done; done
}

run_rig() { # one task with its own stand-in and data directory
    cat > "$T/rig.yaml" <<YAML
project: {name: bench}
source: {platform: local, repo: $T/remote.git, base_branch: main}
ai: {provider: anthropic, model: claude-sonnet-4-5, api_key: bench-not-a-key, endpoint: "http://127.0.0.1:$(cat "$T/port.$1")", max_retry: 2}
deploy: {method: custom, config: {commands: [{name: d, run: "cp lib.sh $T/deployed.sh"}]}}
test: [{name: t, run: sh test.sh}]
YAML
    RIG_HOME="$HOMES/home.$1" "$RIG" -c "$T/rig.yaml" exec -q --title "Add mul $1" > "$T/out.$1"
}

run_baseline() { # the same git and shell work, scripted by hand
    local w="$T/base.$1" b="rig/issue-$1-add-mul"
    git clone -q "$T/remote.git" "$w" && cd "$w"
    git checkout -q -B "$b" origin/main
    printf "$buggy" > lib.sh
    git add -A && git -c user.name=b -c user.email=b@b commit -qm "add mul" && git push -q origin "$b"
    cp lib.sh "$T/deployed.sh"
    sh test.sh || true
    printf "$fixed" > lib.sh
    git add -A && git -c user.name=b -c user.email=b@b commit -qm "fix mul" && git push -q origin "$b"
    cp lib.sh "$T/deployed.sh"
    sh test.sh
    cd "$T"
}

start_standins
for side in baseline rig; do
    start=$(now_ms)
    for i in $(seq "$RUNS"); do
        if [ $side = rig ]; then run_rig "$i"; else run_baseline "$((i + 100000))"; fi
    done
    eval "${side}_ms=\$(( ($(now_ms) - start) ))"
done
grep -q "completed" "$T/out.1" || { cat "$T/out.1"; echo "rig did not complete" >&2; exit 1; }
rss=$( { /usr/bin/time -f '%M' env RIG_HOME="$HOMES/home.1" "$RIG" -c "$T/rig.yaml" status > /dev/null; } 2>&1 | tail -n 1)
awk -v r="$rig_ms" -v b="$baseline_ms" -v n="$RUNS" 'BEGIN {
    printf "%-10s %10s\n", "side", "mean ms";
    printf "%-10s %10.1f\n", "baseline", b / n;
    printf "%-10s %10.1f\n", "rig", r / n;
    printf "ratio rig/baseline: %.2f   (rig overhead per task: %.1f ms)\n", r / b, (r - b) / n }'
echo "rig status peak RSS: ${rss} KiB"
