#!/usr/bin/env bash
# specgate drift score / github comment / sarif as a CI step runs them:
# exit codes (0 scored, 1 FAIL with --check, 2 bad or missing input or an
# incomplete run with --check), output files and messages.
set -uo pipefail

: "${SPECGATE_BIN:?run through ctest (SPECGATE_BIN)}"
: "${RIG_SOURCE_DIR:?run through ctest (RIG_SOURCE_DIR)}"
: "${RIG_FIXTURES:?run through ctest (RIG_FIXTURES)}"
RULES=$RIG_SOURCE_DIR/tests/gate/rules-sample.json
SG=$RIG_FIXTURES/semgrep
work=$(mktemp -d "${TMPDIR:-/tmp}/sg-drift-XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
checks=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect CODE ARGS...: run specgate, stdout in $work/out, stderr in $work/err
expect() {
    local want=$1 rc=0
    shift
    checks=$((checks + 1))
    "$SPECGATE_BIN" "$@" >"$work/out" 2>"$work/err" || rc=$?
    [ "$rc" = "$want" ] || fail "specgate $* exited $rc, expected $want: $(cat "$work/err")"
}

has() { # has FILE TEXT
    checks=$((checks + 1))
    grep -qF -- "$2" "$1" || fail "$1 lacks '$2'"
}

before=$SG/semgrep-1.154.0-juice-shop-before-fix.json
after=$SG/semgrep-1.154.0-juice-shop-after-fix.json

expect 1 drift score --rules "$RULES" --semgrep "$before" --out "$work/d.json" --check
has "$work/err" "Drift Score 82/100 FAIL"
[ "$(jq -r .total_score "$work/d.json")" = 82 ] || fail "total_score is not 82"
expect 0 drift score --rules "$RULES" --semgrep "$before" --out "$work/d.json"
expect 0 drift score --rules "$RULES" --semgrep "$after" --check
has "$work/out" '"status": "PASS"'
# Thresholds: 82 is WARN when FAIL starts at 90.
expect 0 drift score --rules "$RULES" --semgrep "$before" --fail-at 90 --warn-at 80 --check
has "$work/out" '"status": "WARN"'
expect 2 drift score --rules "$RULES" --semgrep "$before" --fail-at 20 --warn-at 40
has "$work/err" "must not exceed"
# A scan that never ran (invalid Semgrep rules) is not a PASS.
expect 2 drift score --rules "$RULES" --semgrep "$SG/semgrep-snapshot-invalid-rule-schema.json" --check
has "$work/err" "could not run"
expect 0 drift score --rules "$RULES" --semgrep "$SG/semgrep-snapshot-invalid-rule-schema.json" \
    --check --allow-tool-errors
# Missing, malformed and absent inputs.
expect 2 drift score --rules "$RULES"
has "$work/err" "give at least one result file"
expect 2 drift score --rules "$RULES" --semgrep "$work/none.json"
has "$work/err" "cannot read $work/none.json"
printf '{"results": [' >"$work/bad.json"
expect 2 drift score --rules "$RULES" --semgrep "$work/bad.json"
has "$work/err" "$work/bad.json:1"
expect 2 drift score --rules "$RULES" --junit "$work/reports/*.xml"
has "$work/err" "matched no report file"
expect 0 drift score --rules "$RULES" --semgrep "$after" --junit "$work/reports/*.xml" --allow-missing
expect 2 drift score --rules "$RIG_SOURCE_DIR/tests/gate/golden/radar-en.md" --semgrep "$after"
has "$work/err" "invalid rules file"
expect 2 drift score --rules "$RULES" --semgrep "$after" --fail-at 101
# ArchUnit reports through a glob with **, and a weights file.
mkdir -p "$work/mod/target/surefire-reports"
cp "$RIG_FIXTURES/junit-archunit/failing-layered-maven-junit4/TEST-LayeredArchitectureTest.xml" \
    "$work/mod/target/surefire-reports/"
echo '{"area_weights": {"ARCH": 0.1}}' >"$work/w.json"
expect 0 drift score --rules "$RULES" --junit "$work/**/TEST-*.xml" --weights "$work/w.json" \
    --out "$work/a.json"
[ "$(jq '.violations | length' "$work/a.json")" = 408 ] || fail "expected 408 ArchUnit violations"
[ "$(jq '.unmapped | length' "$work/a.json")" = 1392 ] || fail "expected 1392 unmapped findings"
# The rule's own area_weight (0.8) beats the weights file.
[ "$(jq '.violations[0].area_weight' "$work/a.json")" = 0.8 ] || fail "rule area_weight lost"
echo '{"area_weights": {"ARCH": "high"}}' >"$work/w2.json"
expect 2 drift score --rules "$RULES" --semgrep "$after" --weights "$work/w2.json"
has "$work/err" "ARCH must be a number"

# The comment and SARIF from the score file.
expect 0 github comment --score "$work/d.json" --rules "$RULES" --lang ko --out "$work/c.md"
has "$work/c.md" "<!-- specgate:drift-radar -->"
has "$work/c.md" "### 📈 영역별 점수"
expect 2 github comment --score "$work/d.json" --rules "$RULES" --lang fr
expect 2 github comment --score "$work/bad.json" --rules "$RULES"
expect 0 sarif --score "$work/d.json" --rules "$RULES" --out "$work/d.sarif"
[ "$(jq -r '.version' "$work/d.sarif")" = 2.1.0 ] || fail "SARIF version"
[ "$(jq '.runs[0].results | length' "$work/d.sarif")" = 11 ] || fail "SARIF results"

# One command: the score, the radar, SARIF and the gate decision together.
expect 1 drift score --rules "$RULES" --semgrep "$RIG_FIXTURES/semgrep/semgrep-1.154.0-juice-shop-before-fix.json" \
    --out "$work/one.json" --comment "$work/one.md" --sarif "$work/one.sarif" \
    --repo acme/shop --sha c0ffee --check
has "$work/one.md" "<!-- specgate:drift-radar -->"
has "$work/one.md" "https://github.com/acme/shop/blob/c0ffee/"
[ "$(jq -r '.status' "$work/one.json")" = FAIL ] || fail "one-command status"
[ "$(jq -r '.version' "$work/one.sarif")" = 2.1.0 ] || fail "one-command SARIF"
expect 2 drift score --rules "$RULES" --semgrep "$after" --comment "$work/x.md" --lang xx

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" = 0 ]
