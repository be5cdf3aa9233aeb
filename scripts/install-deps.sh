#!/bin/sh
# Install exactly the Debian 12 packages that building and testing Rig need.
# Idempotent: packages already present are not touched, and nothing runs when
# everything is there. Uses sudo when not root.
set -eu

# Build toolchain and libraries linked by rig/specgate.
BUILD="build-essential cmake ninja-build pkg-config git
libjansson-dev libfyaml-dev libcurl4-openssl-dev libmicrohttpd-dev
libsqlite3-dev libssl-dev libpcre2-dev libssh-dev"
# Test-only: unit test framework, fuzz runtime, real servers the tests drive,
# javac for the generated ArchUnit code, Debian's python3 with yaml/jsonschema
# to cross-check generated YAML and the JSON Schema.
TEST="libcmocka-dev clang libclang-rt-14-dev openssh-server openssh-client
sqlite3 jq default-jdk-headless curl openssl procps python3 python3-yaml
python3-jsonschema"

want="$BUILD $TEST"
missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "install-deps: all build and test packages are present"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO="sudo"
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
