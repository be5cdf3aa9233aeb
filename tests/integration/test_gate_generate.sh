#!/usr/bin/env bash
# specgate spec validate / tests generate / workflow generate, end to end:
# outputs compared with the golden files under tests/gate/golden (set
# SPECGATE_UPDATE_GOLDEN=1 to rewrite them after a deliberate change), the
# generated Java compiled with javac against stub declarations of the ArchUnit
# API it uses, generated YAML parsed, rules files checked against both our
# loader and the JSON Schema.
set -uo pipefail

: "${SPECGATE_BIN:?run through ctest (SPECGATE_BIN)}"
: "${RIG_SOURCE_DIR:?run through ctest (RIG_SOURCE_DIR)}"
SRC=$RIG_SOURCE_DIR
GOLDEN=$SRC/tests/gate/golden
EXAMPLES=$SRC/tests/gate/examples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect CODE CMD...: run, capture stdout/stderr in $work/out, $work/err
expect() {
    local want=$1 rc=0
    shift
    "$@" >"$work/out" 2>"$work/err" || rc=$?
    if [ "$rc" != "$want" ]; then
        fail "'$*' exited $rc, expected $want"
        sed 's/^/  stdout: /' "$work/out" >&2
        sed 's/^/  stderr: /' "$work/err" >&2
        return 1
    fi
}

repo=$work/repo
mkdir -p "$repo/examples/specgate"
cp "$SRC/examples/specgate/rules.json" "$repo/examples/specgate/"
cd "$repo"

# ---- spec validate ------------------------------------------------------------
expect 0 "$SPECGATE_BIN" spec validate examples/specgate/rules.json
grep -qx 'examples/specgate/rules.json: 4 rules valid' "$work/out" || fail "validate summary"
for f in "$EXAMPLES"/good/*.json; do
    expect 0 "$SPECGATE_BIN" spec validate "$f" || true
done
for f in "$EXAMPLES"/bad/*.json; do
    name=$(basename "$f" .json)
    cp "$f" "$repo/$name.json"
    if expect 2 "$SPECGATE_BIN" spec validate "$name.json"; then
        if [ "${SPECGATE_UPDATE_GOLDEN:-}" = 1 ]; then
            cp "$work/err" "$EXAMPLES/bad/$name.expected"
        fi
        diff -u "$EXAMPLES/bad/$name.expected" "$work/err" || fail "errors of bad/$name.json"
    fi
    rm -f "$repo/$name.json"
done
expect 2 "$SPECGATE_BIN" spec validate missing.json
grep -q '^missing.json: cannot open the rules file: No such file or directory$' "$work/err" ||
    fail "missing file message"
expect 2 "$SPECGATE_BIN" spec validate || true
grep -q 'missing FILE' "$work/err" || fail "usage error without FILE"
expect 2 "$SPECGATE_BIN" spec validate --bogus x.json || true
expect 0 "$SPECGATE_BIN" spec validate --help
grep -q '^usage: specgate spec validate FILE' "$work/out" || fail "help text"

# ---- tests generate + workflow generate, against the golden files --------------
expect 0 "$SPECGATE_BIN" tests generate --rules examples/specgate/rules.json
grep -q '7 files in .specgate (7 written, 0 unchanged, 0 stale removed)' "$work/out" ||
    fail "generate summary"
grep -q 'skipped   RULE-API-002 archunit: no ci_info.archunit_rule' "$work/out" ||
    fail "skip reasons listed"
wf_args=(--rules examples/specgate/rules.json --openapi-spec src/main/resources/openapi/openapi.yaml
    --specgate-repo example-org/rig --branches main)
expect 0 "$SPECGATE_BIN" workflow generate "${wf_args[@]}"
grep -qx 'specgate: .github/workflows/design-guard.yml written' "$work/out" || fail "workflow msg"

if [ "${SPECGATE_UPDATE_GOLDEN:-}" = 1 ]; then
    rm -rf "$GOLDEN"
    mkdir -p "$GOLDEN"
    cp -r .specgate "$GOLDEN/specgate"
    cp .github/workflows/design-guard.yml "$GOLDEN/design-guard.yml"
fi
diff -ru "$GOLDEN/specgate" .specgate || fail "generated checks differ from tests/gate/golden/specgate"
diff -u "$GOLDEN/design-guard.yml" .github/workflows/design-guard.yml ||
    fail "workflow differs from tests/gate/golden/design-guard.yml"

# deterministic and idempotent: a second run changes nothing
expect 0 "$SPECGATE_BIN" tests generate --rules examples/specgate/rules.json
grep -q '(0 written, 7 unchanged, 0 stale removed)' "$work/out" || fail "second run rewrote files"
expect 0 "$SPECGATE_BIN" workflow generate "${wf_args[@]}"
grep -q 'unchanged' "$work/out" || fail "second workflow run rewrote the file"

# ---- hand edits are protected ----------------------------------------------------
echo "# local tweak" >>.specgate/semgrep/rule-sec-001.yml
expect 1 "$SPECGATE_BIN" tests generate --rules examples/specgate/rules.json
grep -q 'rule-sec-001.yml: was changed since specgate generated it' "$work/err" ||
    fail "hand edit message"
expect 0 "$SPECGATE_BIN" tests generate --rules examples/specgate/rules.json --force
diff -u "$GOLDEN/specgate/semgrep/rule-sec-001.yml" .specgate/semgrep/rule-sec-001.yml ||
    fail "--force did not restore the file"
echo "# local tweak" >>.github/workflows/design-guard.yml
expect 1 "$SPECGATE_BIN" workflow generate "${wf_args[@]}"
grep -q 'checksum line does not match' "$work/err" || fail "workflow hand edit message"
expect 0 "$SPECGATE_BIN" workflow generate "${wf_args[@]}" --force
expect 2 "$SPECGATE_BIN" tests generate --rules examples/specgate/rules.json --package 'a..b'
grep -q 'invalid Java package' "$work/err" || fail "bad package message"
expect 2 "$SPECGATE_BIN" tests generate || true
grep -q 'missing --rules FILE' "$work/err" || fail "missing --rules"
expect 2 "$SPECGATE_BIN" workflow generate --rules examples/specgate/rules.json || true
grep -q 'RULE-API-002 enables openapi_diff: pass --openapi-spec PATH' "$work/err" ||
    fail "missing --openapi-spec message"
expect 2 "$SPECGATE_BIN" workflow generate --rules /abs/rules.json || true
expect 2 "$SPECGATE_BIN" workflow generate --rules examples/specgate/rules.json --build-tool ant || true

# ---- the generated Java compiles against the ArchUnit API it uses ------------------
if ! command -v javac >/dev/null 2>&1; then
    fail "javac is needed to compile the generated ArchUnit tests (install default-jdk-headless)"
else
    stubs=$work/stubs
    mkdir -p "$stubs/com/tngtech/archunit/junit" "$stubs/com/tngtech/archunit/lang/syntax" \
        "$stubs/com/tngtech/archunit/core/importer" "$stubs/org/springframework/web/bind/annotation"
    cat >"$stubs/com/tngtech/archunit/junit/ArchTest.java" <<'EOF'
package com.tngtech.archunit.junit;
import java.lang.annotation.*;
@Retention(RetentionPolicy.RUNTIME) @Target({ElementType.FIELD, ElementType.METHOD})
public @interface ArchTest {}
EOF
    cat >"$stubs/com/tngtech/archunit/junit/AnalyzeClasses.java" <<'EOF'
package com.tngtech.archunit.junit;
import java.lang.annotation.*;
import com.tngtech.archunit.core.importer.ImportOption;
@Retention(RetentionPolicy.RUNTIME) @Target(ElementType.TYPE)
public @interface AnalyzeClasses {
    String[] packages() default {};
    Class<? extends ImportOption>[] importOptions() default {};
}
EOF
    cat >"$stubs/com/tngtech/archunit/core/importer/ImportOption.java" <<'EOF'
package com.tngtech.archunit.core.importer;
public interface ImportOption {
    final class DoNotIncludeTests implements ImportOption {}
}
EOF
    cat >"$stubs/com/tngtech/archunit/lang/ArchRule.java" <<'EOF'
package com.tngtech.archunit.lang;
public interface ArchRule {}
EOF
    cat >"$stubs/com/tngtech/archunit/lang/syntax/ArchRuleDefinition.java" <<'EOF'
package com.tngtech.archunit.lang.syntax;
import com.tngtech.archunit.lang.ArchRule;
public final class ArchRuleDefinition {
    public static final class Chain implements ArchRule {
        public Chain that() { return this; }
        public Chain should() { return this; }
        public Chain areAnnotatedWith(Class<? extends java.lang.annotation.Annotation> a) { return this; }
        public Chain haveSimpleNameEndingWith(String s) { return this; }
        public Chain resideInAPackage(String p) { return this; }
        public Chain resideInAnyPackage(String... p) { return this; }
        public Chain onlyDependOnClassesThat() { return this; }
    }
    public static Chain classes() { return new Chain(); }
    public static Chain noClasses() { return new Chain(); }
}
EOF
    cat >"$stubs/org/springframework/web/bind/annotation/RestController.java" <<'EOF'
package org.springframework.web.bind.annotation;
import java.lang.annotation.*;
@Retention(RetentionPolicy.RUNTIME) @Target(ElementType.TYPE)
public @interface RestController {}
EOF
    mkdir -p "$work/classes"
    mapfile -t java_files < <(find "$stubs" .specgate/archtest -name '*.java' | sort)
    if ! javac -encoding UTF-8 -Xlint:all -Werror -d "$work/classes" "${java_files[@]}" \
        >"$work/javac.log" 2>&1; then
        fail "generated ArchUnit tests do not compile"
        cat "$work/javac.log" >&2
    fi
    [ -f "$work/classes/com/example/arch/ApiDesignRulesTest.class" ] || fail "ApiDesignRulesTest.class"
    [ -f "$work/classes/com/example/arch/ArchDesignRulesTest.class" ] || fail "ArchDesignRulesTest.class"
fi

# Debian's python3 (scripts/install-deps.sh installs python3-yaml and
# python3-jsonschema); another python3 earlier on PATH may lack the modules.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
# ---- YAML and JSON Schema (python3 modules when present; libfyaml checks the same
#      YAML in unit/test_gen) --------------------------------------------------------
if $PY -c 'import yaml' >/dev/null 2>&1; then
    $PY - .specgate/semgrep .github/workflows/design-guard.yml <<'EOF' || fail "YAML checks"
import glob, sys, yaml
problems = []
for path in sorted(glob.glob(sys.argv[1] + "/*.yml")):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    for rule in doc["rules"]:
        for key in ("id", "message", "languages", "severity"):
            if key not in rule:
                problems.append(f"{path}: rule without {key}")
        matchers = [k for k in ("pattern", "pattern-regex", "patterns", "pattern-either") if k in rule]
        if len(matchers) != 1:
            problems.append(f"{path}: {rule.get('id')}: matchers {matchers}")
        if not rule.get("metadata", {}).get("specgate_rule_id"):
            problems.append(f"{path}: no metadata.specgate_rule_id")
wf = yaml.safe_load(open(sys.argv[2], encoding="utf-8"))
on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as true
if "pull_request" not in on:
    problems.append("workflow: no pull_request trigger")
steps = wf["jobs"]["design-guard"]["steps"]
if steps[-1].get("if") != "always()":
    problems.append("workflow: comment step does not run always()")
if problems:
    print("\n".join(problems))
sys.exit(1 if problems else 0)
EOF
else
    echo "note: python3 yaml module not present; YAML is parsed by unit/test_gen (libfyaml)"
fi
if $PY -c 'import jsonschema' >/dev/null 2>&1; then
    $PY - "$SRC/schemas/design-rule-spec.schema.json" "$SRC" <<'EOF' || fail "JSON Schema checks"
import glob, json, sys
import jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
src = sys.argv[2]
bad = 0
good = sorted(glob.glob(src + "/tests/gate/examples/good/*.json")) + [src + "/examples/specgate/rules.json"]
for path in good:
    for e in v.iter_errors(json.load(open(path, encoding="utf-8"))):
        print(f"{path}: schema rejects a file the loader accepts: {e.message[:200]}")
        bad += 1
for path in sorted(glob.glob(src + "/tests/gate/examples/bad/*.json")):
    if path.endswith(".loader-only.json"):
        continue  # checks only the C loader can make (duplicates, regex compilation)
    if v.is_valid(json.load(open(path, encoding="utf-8"))):
        print(f"{path}: schema accepts a file the loader rejects")
        bad += 1
sys.exit(1 if bad else 0)
EOF
else
    echo "note: python3 jsonschema module not present; schema consistency not checked here"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "ok"
