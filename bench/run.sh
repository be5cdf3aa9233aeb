#!/bin/bash
# Webhook intake benchmark: `rig run` against nginx serving a static 200 on the
# same machine, in the same run, with the same client (bench_webhook) and the
# same signed GitHub payloads. Loopback only.
#
#   bench/run.sh                 build the release preset, run, print a table
#   BENCH_SECONDS=10 BENCH_CONNECTIONS=32 BUILD=build/release bench/run.sh
#
# Needs: cmake/ninja; nginx for the comparison (skipped when not installed:
# apt-get install nginx-light). nginx runs as a plain process with its own
# configuration in a temporary directory, listening on 127.0.0.1 only.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build/release}
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-32}
MAXREQ=${BENCH_REQUESTS:-1000000}
export RIG_FIXTURES=${RIG_FIXTURES:-$SRC/../shared/fixtures}
SECRET="It's a Secret to Everybody"

if [ ! -f "$BUILD/build.ninja" ]; then
    (cd "$SRC" && cmake --preset release >/dev/null)
fi
cmake --build "$BUILD" -j2 --target rig bench_webhook >/dev/null
RIG="$BUILD/rig"
BENCH="$BUILD/bench/bench_webhook"

T=$(mktemp -d "${TMPDIR:-/tmp}/rig-bench.XXXXXX")
SHM=""
RIG_PID=""
NGINX_PID=""
cleanup()
{
    if [ -n "$RIG_PID" ]; then kill "$RIG_PID" 2>/dev/null; wait "$RIG_PID" 2>/dev/null; fi
    if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null; fi
    rm -rf "$T"
    if [ -n "$SHM" ]; then rm -rf "$SHM"; fi
}
trap cleanup EXIT

declare -A RESULT
bench()
{
    local name=$1
    shift
    RESULT[$name]=$("$BENCH" --secret "$SECRET" --connections "$CONNS" --seconds "$SECS" \
        --requests "$MAXREQ" "$@")
    echo "$name: ${RESULT[$name]}" >&2
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"${RESULT[$1]}"; }

# A free loopback port (nothing answers a connect to it).
free_port()
{
    local p
    for p in $(seq "$1" $(($1 + 200))); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# ------------------------------------------------------------- rig run --
# run_rig TAG DATA_DIR: start rig run with its store in DATA_DIR, bench the
# three kinds of delivery, stop it with SIGTERM (which must exit 0).
MEM=""
run_rig()
{
    local tag=$1 data=$2 url
    {
        echo "project: {name: hello-world}"
        echo "source: {platform: github, repo: Codertocat/Hello-World,"
        echo "         api_url: \"http://127.0.0.1:9\"}"
        echo "ai: {provider: anthropic, model: claude-sonnet-4-5, api_key: sk-bench-key-0123456789}"
        echo "workflow:"
        echo "  trigger:"
        echo "    - event: issues.opened"
        echo "    - event: issues.labeled"
        echo "      labels: [rig]"
        echo "server:"
        echo "  secret: \"$SECRET\""
        echo "  workers: 2"
        echo "  data_dir: $data"
    } >"$T/rig.yaml"
    "$RIG" -c "$T/rig.yaml" run --port 0 --listen 127.0.0.1 >"$T/rig.out" 2>"$T/rig-$tag.log" &
    RIG_PID=$!
    for _ in $(seq 100); do
        grep -q '^listening on ' "$T/rig.out" 2>/dev/null && break
        sleep 0.1
    done
    url="$(sed -n 's/^listening on //p' "$T/rig.out")/webhook"
    if [ "$url" = "/webhook" ]; then
        echo "rig run did not start:"
        cat "$T/rig-$tag.log"
        exit 1
    fi
    bench "$tag-ping" --url "$url" --mode ping
    bench "$tag-ignored" --url "$url" --mode ignored
    bench "$tag-trigger" --url "$url" --mode trigger --repo Codertocat/Hello-World
    # Memory after the load (peak and current resident set).
    if [ -z "$MEM" ]; then
        MEM=$(awk '/VmHWM|VmRSS/ { printf "%s %s kB  ", $1, $2 }' "/proc/$RIG_PID/status")
    fi
    kill "$RIG_PID"
    wait "$RIG_PID"
    RIG_PID=""
}

run_rig rig "$T/home"
# The same with the database on tmpfs: what the HTTP, HMAC, JSON and SQLite
# work costs without waiting for the disk (a diagnostic, not a deployment).
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    SHM=$(mktemp -d /dev/shm/rig-bench.XXXXXX)
    run_rig tmpfs "$SHM"
fi

# ------------------------------------------------------------------ nginx --
NGINX=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
if [ -n "$NGINX" ]; then
    PORT=$(free_port 18080)
    mkdir -p "$T/nginx/logs" "$T/nginx/tmp"
    cat >"$T/nginx/nginx.conf" <<NGINXCONF
worker_processes 2;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $T/nginx/tmp/body;
    proxy_temp_path $T/nginx/tmp/proxy;
    fastcgi_temp_path $T/nginx/tmp/fastcgi;
    uwsgi_temp_path $T/nginx/tmp/uwsgi;
    scgi_temp_path $T/nginx/tmp/scgi;
    server {
        listen 127.0.0.1:$PORT;
        location / { return 200 "ok\n"; }
    }
}
NGINXCONF
    "$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" &
    NGINX_PID=$!
    for _ in $(seq 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
        sleep 0.1
    done
    bench nginx --url "http://127.0.0.1:$PORT/webhook" --mode ignored
    kill "$NGINX_PID"
    wait "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=""
fi

# ------------------------------------------------------------------ table --
echo
echo "Webhook intake, $(nproc) CPUs, $CONNS connections, ${SECS}s per row, $(date -u +%F)"
echo
echo "| server | delivery | body | accepted req/s | p50 ms | p99 ms |"
echo "|---|---|---:|---:|---:|---:|"
for k in rig-ping rig-ignored rig-trigger tmpfs-ping tmpfs-ignored tmpfs-trigger nginx; do
    [ -n "${RESULT[$k]:-}" ] || continue
    case $k in
    rig-*) who="rig run" ;;
    tmpfs-*) who="rig run, store on tmpfs" ;;
    nginx) who="nginx, static 200" ;;
    esac
    case $k in
    *-ping) what="ping: verify, record" ;;
    *-ignored) what="issues.labeled, no trigger: verify, parse, record" ;;
    *-trigger) what="issues.opened, new issue: verify, parse, task stored and queued" ;;
    nginx) what="the issues.labeled POSTs" ;;
    esac
    printf '| %s | %s | %s B | %s | %s | %s |\n' "$who" "$what" "$(field "$k" bytes)" \
        "$(field "$k" accepted_rps)" "$(field "$k" p50_ms)" "$(field "$k" p99_ms)"
done
echo
if [ -n "${RESULT[nginx]:-}" ]; then
    for k in rig-ping rig-ignored rig-trigger tmpfs-ping tmpfs-ignored tmpfs-trigger; do
        [ -n "${RESULT[$k]:-}" ] || continue
        awk -v a="$(field "$k" accepted_rps)" -v b="$(field nginx accepted_rps)" -v k="$k" \
            'BEGIN { printf "%s / nginx = %.4f (%.2f%%)\n", k, a / b, 100 * a / b }'
    done
else
    echo "nginx is not installed: no comparison (apt-get install nginx-light)"
fi
echo
echo "rig run memory after the first runs: $MEM"
