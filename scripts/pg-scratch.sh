#!/bin/sh
# SPDX-License-Identifier: MIT
# A scratch PostgreSQL server for the tests of the results store on PostgreSQL; ctest runs it
# as the fixture `postgresql` (bench/tests/CMakeLists.txt).
#
#   scripts/pg-scratch.sh start STATE [DATABASE...]
#   scripts/pg-scratch.sh stop STATE
#
# start makes a new cluster in a fresh folder under /tmp (initdb -A trust, superuser
# `chanbench`, UTF-8, C locale), starts it listening on a Unix socket in that folder only (no
# TCP port: parallel builds and a system server do not collide), and creates the databases.
# STATE (a folder of the build) then holds `url-NAME` for each database NAME, one line,
# postgresql://chanbench@/NAME?host=SOCKET_DIR, and `cluster`, the folder to stop. Where no
# server can be started (no PostgreSQL binaries, root without a `postgres` user to run it as,
# initdb or the server failing) STATE holds `skip`, one line saying why, and start still exits
# 0: the tests that need the server read it and are skipped. CHANBENCH_PG_REQUIRED=1 makes
# that a failure (exit 1) instead, for CI. A cluster left by an earlier start in STATE is
# stopped first.
#
# stop stops the server and removes its folder; it always exits 0. The server also ends by
# itself within a minute of its folder being removed (PostgreSQL checks its lock file).
#
# PostgreSQL refuses to run as root: as root the server runs as the `postgres` user (made by
# Debian's postgresql package), through runuser or setpriv. The binaries are looked for in
# $CHANBENCH_PG_BINDIR, on PATH, then in /usr/lib/postgresql/*/bin (Debian), newest first.
set -u

usage() {
    echo "usage: scripts/pg-scratch.sh start STATE [DATABASE...] | stop STATE" >&2
    exit 2
}

[ "$#" -ge 2 ] || usage
cmd=$1
state=$2
shift 2
# Absolute, then away from the caller's folder, which the server's user may not be allowed
# into (pg_ctl and initdb look at theirs).
case "$state" in
/*) ;;
*) state=$PWD/$state ;;
esac
cd / || exit 1

# Run a server binary as the user the server runs as.
as_server() {
    if [ "$(id -u)" -ne 0 ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- "$@"
    else
        setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
    fi
}

# Stop the cluster recorded in STATE, if any, and remove its folder.
stop_cluster() {
    [ -f "$state/cluster" ] || return 0
    dir=$(cat "$state/cluster")
    bindir=$(cat "$state/bindir" 2>/dev/null || true)
    if [ -n "$dir" ] && [ -f "$dir/data/postmaster.pid" ]; then
        if ! as_server "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
            # pg_ctl could not: the postmaster's pid is the first line of its lock file.
            pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
            case "$pid" in
            '' | *[!0-9]*) ;;
            *) kill -QUIT "$pid" 2>/dev/null || true ;;
            esac
        fi
        echo "postgresql: stopped the scratch server in $dir"
    fi
    case "$dir" in
    */chanbench-pg.*) rm -rf "$dir" ;;
    esac
    rm -f "$state/cluster"
}

# The tests are skipped: say why, in STATE and on stdout.
skip() {
    echo "$1" >"$state/skip"
    echo "postgresql: SKIPPED: $1"
    if [ "${CHANBENCH_PG_REQUIRED:-0}" = 1 ]; then
        echo "postgresql: CHANBENCH_PG_REQUIRED=1: failing instead" >&2
        stop_cluster
        exit 1
    fi
    stop_cluster
    exit 0
}

find_bindir() {
    if [ -n "${CHANBENCH_PG_BINDIR:-}" ]; then
        echo "$CHANBENCH_PG_BINDIR"
        return
    fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t / -k 5 -n -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
            echo "$d"
            return
        fi
    done
}

case "$cmd" in
start)
    mkdir -p "$state" || exit 1
    stop_cluster
    rm -f "$state"/url-* "$state/skip" "$state/bindir"
    bindir=$(find_bindir)
    if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
        skip "no PostgreSQL server binaries (initdb, pg_ctl); Debian: apt install postgresql, or set CHANBENCH_PG_BINDIR"
    fi
    echo "$bindir" >"$state/bindir"
    if [ "$(id -u)" -eq 0 ]; then
        if ! id postgres >/dev/null 2>&1; then
            skip "PostgreSQL does not run as root, and there is no 'postgres' user to run it as (Debian's postgresql package makes one)"
        fi
        if ! command -v runuser >/dev/null 2>&1 && ! command -v setpriv >/dev/null 2>&1; then
            skip "PostgreSQL does not run as root, and neither runuser nor setpriv is there to run it as 'postgres'"
        fi
    fi
    # A short path under /tmp: a Unix socket's path is limited to 107 bytes, and the server
    # user must be able to reach it (a build folder under /root is not).
    dir=$(mktemp -d /tmp/chanbench-pg.XXXXXX) || skip "cannot make a folder under /tmp"
    echo "$dir" >"$state/cluster"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$dir" || skip "cannot give $dir to the postgres user"
    fi
    if ! as_server "$bindir/initdb" -D "$dir/data" -A trust -U chanbench -E UTF8 --locale=C \
        --no-sync >"$state/initdb.log" 2>&1; then
        skip "initdb failed: $(tail -n 1 "$state/initdb.log")"
    fi
    # Scratch data: no fsync; small, since it holds a few test stores.
    if ! as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c shared_buffers=16MB -c max_connections=40" \
        start >"$state/pg_ctl.log" 2>&1; then
        skip "the server did not start: $(tail -n 1 "$dir/server.log" 2>/dev/null)"
    fi
    host=$(printf '%s' "$dir" | sed 's|/|%2F|g')
    psql=$bindir/psql
    [ -x "$psql" ] || psql=psql
    for db in chanbench "$@"; do
        if ! "$psql" -X -q -h "$dir" -U chanbench -d postgres \
            -c "CREATE DATABASE \"$db\"" >>"$state/createdb.log" 2>&1; then
            skip "cannot create database $db: $(tail -n 1 "$state/createdb.log")"
        fi
        echo "postgresql://chanbench@/$db?host=$host" >"$state/url-$db"
    done
    echo "postgresql: scratch server up in $dir (databases: chanbench $*)"
    ;;
stop)
    stop_cluster
    rm -f "$state"/url-* "$state/skip"
    ;;
*)
    usage
    ;;
esac
exit 0
