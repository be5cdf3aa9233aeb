# Shared set-up of the GitHub end-to-end tests (sourced, not run):
#   gh_e2e_start NAME   a temp dir, the "GitHub" repository Codertocat/Hello-World
#                       (README with the typo of the octokit issue #1 fixture) as a
#                       bare repo behind the GitHub stand-in (REST + git over HTTP,
#                       token-checked), and the scripted AI stand-in that fixes it.
# It sets: work token repo api gport aport, exports RIG_HOME and HOME, and
# removes everything (stand-ins included) on exit. fail MSG stops the test.
: "${RIG_BIN:?run through ctest}" "${RIG_STANDIN_DIR:?run through ctest}" "${RIG_FIXTURES:?}"

gh_pid= ai_pid= extra_pid=
gh_e2e_cleanup() {
    [ -n "$extra_pid" ] && kill "$extra_pid" 2>/dev/null || true
    [ -n "$gh_pid" ] && kill "$gh_pid" 2>/dev/null || true
    [ -n "$ai_pid" ] && kill "$ai_pid" 2>/dev/null || true
    rm -rf "$work"
}
fail() { echo "FAIL: $*" >&2; exit 1; }

gh_e2e_start() {
    work=$(mktemp -d "${TMPDIR:-/tmp}/rig-$1.XXXXXX")
    trap gh_e2e_cleanup EXIT
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
}
