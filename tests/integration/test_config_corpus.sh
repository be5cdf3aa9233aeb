#!/bin/bash
# Every tests/config/good/*.yaml must validate; every bad/*.yaml must fail with
# exactly the lines of its .expected sibling (paths as given on the command line,
# so this runs from tests/config).
set -u
: "${RIG_BIN:?}" "${RIG_SOURCE_DIR:?}"
cd "$RIG_SOURCE_DIR/tests/config" || exit 1
# The corpus refers to these; they must be unset for the expected output.
unset RIG_CORPUS_UNSET_VAR RIG_CORPUS_TOKEN RIG_CORPUS_KEY RIG_CORPUS_SECRET RIG_CORPUS_PORT
fail=0
n=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

for f in good/*.yaml; do
    n=$((n + 1))
    if ! "$RIG_BIN" validate -c "$f" >"$out" 2>"$err"; then
        echo "FAIL: $f should be valid:"; cat "$err"; fail=1; continue
    fi
    if [ "$(cat "$out")" != "$f is valid" ] || [ -s "$err" ]; then
        echo "FAIL: $f: unexpected output:"; cat "$out" "$err"; fail=1
    fi
done

for f in bad/*.yaml; do
    n=$((n + 1))
    exp="${f%.yaml}.expected"
    if [ ! -f "$exp" ]; then
        echo "FAIL: $f has no $exp"; fail=1; continue
    fi
    "$RIG_BIN" validate -c "$f" >"$out" 2>"$err"
    rc=$?
    if [ "$rc" -ne 1 ]; then
        echo "FAIL: $f: exit status $rc, expected 1"; fail=1
    fi
    if [ -s "$out" ]; then
        echo "FAIL: $f: unexpected stdout:"; cat "$out"; fail=1
    fi
    if ! diff -u "$exp" "$err"; then
        echo "FAIL: $f: stderr differs from $exp"; fail=1
    fi
done

# Not part of the corpus: a missing file and command-line mistakes.
"$RIG_BIN" validate -c does-not-exist.yaml >"$out" 2>"$err"
rc=$?
if [ "$rc" -ne 1 ] || ! grep -q "cannot open does-not-exist.yaml: No such file or directory (run 'rig init' to create one)" "$err"; then
    echo "FAIL: missing file: rc=$rc"; cat "$err"; fail=1
fi
"$RIG_BIN" validate --bogus >"$out" 2>"$err"
rc=$?
if [ "$rc" -ne 2 ] || ! grep -q "unknown option '--bogus'" "$err"; then
    echo "FAIL: unknown flag: rc=$rc"; cat "$err"; fail=1
fi
"$RIG_BIN" validate good/ollama.yaml >"$out" 2>"$err"
rc=$?
if [ "$rc" -ne 2 ] || ! grep -q "unexpected argument 'good/ollama.yaml'" "$err"; then
    echo "FAIL: stray argument: rc=$rc"; cat "$err"; fail=1
fi
# The global -c before the command works too.
if [ "$("$RIG_BIN" -c good/ollama.yaml validate)" != "good/ollama.yaml is valid" ]; then
    echo "FAIL: rig -c FILE validate"; fail=1
fi
# ${NAME:-default} takes the environment's value when set.
if RIG_CORPUS_PORT=notaport "$RIG_BIN" validate -c good/command-provider.yaml 2>"$err"; then
    echo "FAIL: RIG_CORPUS_PORT=notaport should not validate"; fail=1
elif ! grep -q 'server.port: expected an integer, got "notaport" after substitution' "$err"; then
    echo "FAIL: substituted port message:"; cat "$err"; fail=1
fi

echo "config corpus: $n files checked"
exit $fail
