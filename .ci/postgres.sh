# shellcheck shell=bash
# A throw-away PostgreSQL server for the storage tests, sourced by .ci/run:
#   . .ci/postgres.sh && start_postgres
# installs PostgreSQL from Debian's packages if it is missing (needs root), starts a server on
# 127.0.0.1 on a free port with a temporary data directory (trust auth, fsync off), creates the
# database rectrack_test, exports RECTRACK_TEST_PG_URL and stops the server on exit (trap).
# Any failure aborts .ci/run: the PostgreSQL tests must never be skipped silently in CI.

_pg_die() {
    echo "ci/postgres: error: $*" >&2
    if [ -n "${_PG_DIR:-}" ] && [ -f "$_PG_DIR/server.log" ]; then
        echo "ci/postgres: --- server log ---" >&2
        tail -n 40 "$_PG_DIR/server.log" >&2 || true
    fi
    exit 1
}

_pg_bindir() {
    local initdb
    initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$initdb" ] && command -v initdb >/dev/null 2>&1; then
        initdb=$(readlink -f "$(command -v initdb)")
    fi
    [ -n "$initdb" ] && [ -x "$(dirname "$initdb")/pg_ctl" ] && dirname "$initdb"
}

# Run a PostgreSQL program as the postgres user (PostgreSQL refuses to run as root).
_pg_as() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$_PG_DIR" && runuser -u postgres -- "$@")
    else
        (cd "$_PG_DIR" && "$@")
    fi
}

stop_postgres() {
    if [ -n "${_PG_DIR:-}" ] && [ -d "$_PG_DIR" ]; then
        if [ -f "$_PG_DIR/data/postmaster.pid" ]; then
            _pg_as "$_PG_BIN/pg_ctl" -D "$_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        fi
        rm -rf "$_PG_DIR"
    fi
}

start_postgres() {
    _PG_BIN=$(_pg_bindir || true)
    if [ -z "$_PG_BIN" ]; then
        [ "$(id -u)" -eq 0 ] || _pg_die "PostgreSQL (initdb, pg_ctl) is not installed and we are not root to install it"
        echo "ci/postgres: installing PostgreSQL from the Debian packages"
        apt-get update -qq || _pg_die "apt-get update failed"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
            || _pg_die "apt-get install postgresql failed"
        _PG_BIN=$(_pg_bindir || true)
        [ -n "$_PG_BIN" ] || _pg_die "PostgreSQL was installed but no initdb/pg_ctl was found under /usr/lib/postgresql"
    fi
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || _pg_die "there is no 'postgres' user to run the server as"
        command -v runuser >/dev/null 2>&1 || _pg_die "runuser is missing (util-linux)"
    fi
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') \
        || _pg_die "cannot find a free port"
    _PG_DIR=$(mktemp -d /tmp/rectrack-pg.XXXXXX) || _pg_die "cannot create a temporary directory"
    trap stop_postgres EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    mkdir "$_PG_DIR/sock"
    [ "$(id -u)" -ne 0 ] || chown -R postgres: "$_PG_DIR"
    _pg_as "$_PG_BIN/initdb" -D "$_PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale \
        >"$_PG_DIR/initdb.log" 2>&1 || { cat "$_PG_DIR/initdb.log" >&2; _pg_die "initdb failed"; }
    _pg_as "$_PG_BIN/pg_ctl" -D "$_PG_DIR/data" -l "$_PG_DIR/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $_PG_DIR/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || _pg_die "the server did not start"
    _pg_as "$_PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt \
        -c "CREATE DATABASE rectrack_test" >/dev/null || _pg_die "cannot create the database rectrack_test"
    export RECTRACK_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/rectrack_test"
    echo "ci/postgres: PostgreSQL $("$_PG_BIN/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port" \
         "(RECTRACK_TEST_PG_URL=$RECTRACK_TEST_PG_URL)"
}
