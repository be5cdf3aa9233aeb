#!/bin/bash
# rig init / validate / doctor end to end, in throwaway git repositories.
set -u
: "${RIG_BIN:?}"
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export RIG_HOME="$tmp/rig-home"
unset ANTHROPIC_API_KEY OPENAI_API_KEY RIG_CONFIG

check() { # description, command...
    local what=$1
    shift
    if ! "$@"; then
        echo "FAIL: $what"
        fail=1
    fi
}

new_repo() {
    rm -rf "$1" && mkdir -p "$1" && git -C "$1" init -q . &&
        git -C "$1" symbolic-ref HEAD refs/heads/trunk &&
        git -C "$1" -c user.name=t -c user.email=t@localhost commit -q --allow-empty -m init
}

repo=$tmp/app
new_repo "$repo"
cd "$repo" || exit 1

# init writes a file that validates, and picks up the checked-out branch
check "init" "$RIG_BIN" init >out.txt
check "init message" grep -q "Created rig.yaml (template: custom)" out.txt
check "init branch" grep -q "base_branch: trunk" rig.yaml
check "init project name" grep -q "name: app" rig.yaml
check "validate after init" test "$("$RIG_BIN" validate)" = "rig.yaml is valid"

# no overwrite without --force
"$RIG_BIN" init >out.txt 2>err.txt
check "init refuses to overwrite (exit 1)" test $? -eq 1
check "init refusal message" grep -q "rig.yaml already exists; use --force to overwrite it" err.txt
check "init --force docker" "$RIG_BIN" init --template docker --force >/dev/null
check "docker template" grep -q "method: docker-compose" rig.yaml
check "validate docker template" test "$("$RIG_BIN" validate)" = "rig.yaml is valid"
check "init -c elsewhere" "$RIG_BIN" init -c other.yaml >/dev/null
check "validate -c elsewhere" test "$("$RIG_BIN" validate -c other.yaml)" = "other.yaml is valid"

# usage errors exit 2, --help exits 0
for cmd in init validate doctor; do
    "$RIG_BIN" $cmd --nope >/dev/null 2>err.txt
    check "$cmd --nope exits 2" test $? -eq 2
    check "$cmd --nope message" grep -q "unknown option '--nope'" err.txt
    check "$cmd --help" "$RIG_BIN" $cmd --help >out.txt
    check "$cmd --help text" grep -q "usage: rig $cmd" out.txt
done
"$RIG_BIN" init --template helm >/dev/null 2>err.txt
check "init --template helm exits 2" test $? -eq 2
check "init bad template message" grep -q "unknown template 'helm' (custom or docker)" err.txt

# doctor passes on the default template with no credentials
"$RIG_BIN" init --force >/dev/null
"$RIG_BIN" doctor >out.txt 2>&1
check "doctor passes on the default template" test $? -eq 0
check "doctor git line" grep -q "^✔ git: git version" out.txt
check "doctor config line" grep -q "^✔ config: rig.yaml is valid" out.txt
check "doctor missing key is a warning" grep -q "^! ai: no API key for anthropic" out.txt
check "doctor repo line" grep -q "^✔ source: $repo (branch trunk)" out.txt
check "doctor data dir" grep -q "^✔ data dir: $RIG_HOME is writable" out.txt
check "doctor summary" grep -q "0 failed$" out.txt
if ! command -v docker >/dev/null 2>&1; then
    check "unused docker is a warning" grep -q "^! docker: 'docker compose' is not available (not needed" out.txt
    "$RIG_BIN" doctor -c other.yaml >out.txt 2>&1
    check "doctor fails when the docker-compose config has no docker" test $? -eq 1
    check "docker failure line" grep -q "^✘ docker: 'docker compose' is not available — deploy.method is docker-compose" out.txt
fi

# without git on PATH: a failure, and exit 1; ssh is then missing too but unused
mkdir -p "$tmp/nogit"
PATH="$tmp/nogit" "$RIG_BIN" doctor >out.txt 2>&1
check "doctor without git exits 1" test $? -eq 1
check "doctor without git line" grep -q "^✘ git: not found on PATH — install git" out.txt
check "unused ssh is a warning" grep -q "^! ssh: not found on PATH (not needed by this configuration)" out.txt

# a config that uses SSH makes a missing ssh client a failure
mkdir -p "$tmp/gitonly"
ln -sf "$(command -v git)" "$tmp/gitonly/git"
cat >ssh.yaml <<'YAML'
project: {name: s}
source: {platform: local, repo: .}
ai: {provider: ollama, model: m, endpoint: "http://127.0.0.1:9"}
deploy:
  method: custom
  config:
    commands:
      - {name: d, run: x, transport: {type: ssh, ssh: {host: h, user: u, agent: true}}}
YAML
PATH="$tmp/gitonly" "$RIG_BIN" doctor -c ssh.yaml >out.txt 2>&1
check "doctor with ssh config exits 1" test $? -eq 1
check "ssh failure line" grep -q "^✘ ssh: not found on PATH — the configuration uses SSH" out.txt
# the closed port answers at once: an unreachable endpoint is a failure
check "unreachable endpoint" grep -q "^✘ ai.endpoint: .*127.0.0.1:9.* — check the URL" out.txt

# environment variables and an invalid config
cat >env.yaml <<'YAML'
project: {name: "${RIG_T_NAME}"}
source: {platform: local, repo: "${RIG_T_REPO:-.}", base_branch: trunk}
ai: {provider: claude-code, claude_bin: /bin/true}
YAML
unset RIG_T_NAME RIG_T_REPO
"$RIG_BIN" doctor -c env.yaml >out.txt 2>&1
check "doctor with unset variable exits 1" test $? -eq 1
check "config failure line" grep -q "^✘ config: env.yaml has 1 problem — fix it:" out.txt
check "config error listed" grep -q "^    env.yaml:1:17: project.name: environment variable RIG_T_NAME is not set" out.txt
check "unset variable line" grep -q "^✘ environment: RIG_T_NAME is not set (used at env.yaml:1:17) — export RIG_T_NAME=..." out.txt
check "defaulted variable line" grep -q "^! environment: RIG_T_REPO is not set, the default in env.yaml:2 is used" out.txt
RIG_T_NAME=named "$RIG_BIN" doctor -c env.yaml >out.txt 2>&1
check "doctor with the variable set passes" test $? -eq 0
check "set variable line" grep -q "^✔ environment: RIG_T_NAME is set" out.txt
check "claude-code program line" grep -q "^✔ ai: claude-code" out.txt

# a local repository that is missing, or lacks the base branch
cat >missing.yaml <<'YAML'
project: {name: m}
source: {platform: local, repo: ./no-such-dir, base_branch: main}
ai: {provider: claude-code, claude_bin: /bin/true}
YAML
"$RIG_BIN" doctor -c missing.yaml >out.txt 2>&1
check "missing repo exits 1" test $? -eq 1
check "missing repo line" grep -q "^✘ source: $repo/no-such-dir does not exist" out.txt
sed 's|repo: ./no-such-dir|repo: .|' missing.yaml >branch.yaml
"$RIG_BIN" doctor -c branch.yaml >out.txt 2>&1
check "missing branch exits 1" test $? -eq 1
check "missing branch line" grep -q "^✘ source: branch 'main' does not exist in $repo" out.txt

# a reachable endpoint, when python3 can serve one on 127.0.0.1
if command -v python3 >/dev/null 2>&1; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 50); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
        sleep 0.2
    done
    sed "s|http://127.0.0.1:9|http://127.0.0.1:$port|; s|transport: {type: ssh, ssh: {host: h, user: u, agent: true}}|transport: {type: local}|" ssh.yaml >reach.yaml
    "$RIG_BIN" doctor -c reach.yaml >out.txt 2>&1
    check "reachable endpoint line" grep -q "^✔ ai.endpoint: http://127.0.0.1:$port is reachable (HTTP 200)" out.txt
    kill "$server" 2>/dev/null
    wait "$server" 2>/dev/null
fi

if [ $fail -ne 0 ]; then
    echo "--- last output:"
    cat out.txt
fi
exit $fail
