#!/bin/sh
# Rig's first-run demo: copy examples/sample-app into a fresh git repository,
# then run `rig init`, `rig validate` and `rig doctor` there. Needs no
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

step "Done"
echo "The sample project is ready for Rig: set ANTHROPIC_API_KEY (or pick another"
echo "ai.provider in rig.yaml) and start a task with 'rig exec'."
