# shellcheck shell=bash
# A throw-away Redis server for the distributed-crawling tests, sourced by .ci/run:
#   . .ci/redis.sh && start_redis
# installs redis-server from Debian's packages if it is missing (needs root), starts it on 127.0.0.1
# on a free port with a temporary directory (no persistence), exports RECTRACK_TEST_REDIS_URL and
# stops the server on exit (chained to any EXIT trap already set, e.g. .ci/postgres.sh's).
# Any failure aborts .ci/run: the Redis tests must never be skipped silently in CI.

_redis_die() {
    echo "ci/redis: error: $*" >&2
    if [ -n "${_REDIS_DIR:-}" ] && [ -f "$_REDIS_DIR/redis.log" ]; then
        echo "ci/redis: --- server log ---" >&2
        tail -n 40 "$_REDIS_DIR/redis.log" >&2 || true
    fi
    exit 1
}

_redis_bin() {
    if command -v redis-server >/dev/null 2>&1; then
        command -v redis-server
    elif [ -x /usr/bin/redis-server ]; then
        echo /usr/bin/redis-server
    fi
}

# PING the server with Python's standard library (redis-cli is not needed).
_redis_ping() {
    python3 - "$1" <<'PY' >/dev/null 2>&1
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
    s.sendall(b"PING\r\n")
    sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
PY
}

stop_redis() {
    if [ -n "${_REDIS_DIR:-}" ] && [ -d "$_REDIS_DIR" ]; then
        if [ -f "$_REDIS_DIR/redis.pid" ]; then
            kill "$(cat "$_REDIS_DIR/redis.pid")" 2>/dev/null || true
            for _ in $(seq 1 50); do
                [ -f "$_REDIS_DIR/redis.pid" ] && kill -0 "$(cat "$_REDIS_DIR/redis.pid")" 2>/dev/null || break
                sleep 0.1
            done
        fi
        rm -rf "$_REDIS_DIR"
    fi
}

start_redis() {
    _REDIS_BIN=$(_redis_bin || true)
    if [ -z "$_REDIS_BIN" ]; then
        [ "$(id -u)" -eq 0 ] || _redis_die "redis-server is not installed and we are not root to install it"
        echo "ci/redis: installing redis-server from the Debian packages"
        apt-get update -qq || _redis_die "apt-get update failed"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null \
            || _redis_die "apt-get install redis-server failed"
        _REDIS_BIN=$(_redis_bin || true)
        [ -n "$_REDIS_BIN" ] || _redis_die "redis-server was installed but is not on the PATH"
    fi
    local port previous
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') \
        || _redis_die "cannot find a free port"
    _REDIS_DIR=$(mktemp -d /tmp/rectrack-redis.XXXXXX) || _redis_die "cannot create a temporary directory"
    previous=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
    # shellcheck disable=SC2064 # expanded now on purpose: keep the earlier EXIT trap
    trap "stop_redis${previous:+; $previous}" EXIT
    "$_REDIS_BIN" --bind 127.0.0.1 --port "$port" --dir "$_REDIS_DIR" --save "" --appendonly no \
        --daemonize yes --pidfile "$_REDIS_DIR/redis.pid" --logfile "$_REDIS_DIR/redis.log" \
        || _redis_die "the server did not start"
    for _ in $(seq 1 100); do
        _redis_ping "$port" && break
        sleep 0.1
    done
    _redis_ping "$port" || _redis_die "the server does not answer PING on 127.0.0.1:$port"
    export RECTRACK_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
    echo "ci/redis: $("$_REDIS_BIN" --version | awk '{print $3}') on 127.0.0.1:$port" \
         "(RECTRACK_TEST_REDIS_URL=$RECTRACK_TEST_REDIS_URL)"
}
