#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs, from Debian's archive, what chanbench needs to build, test, run and plot, and the
# peers: Go, crossbeam and Concurrency Kit. --for-tests adds what only some tests use, each
# skipped with a line without it: Chromium (the test that renders results/plots/index.html)
# and the PostgreSQL server (the results store's PostgreSQL tests start scratch copies of it;
# Debian's package also sets up a server of its own, which is why it is not installed for
# benchmarking). Only missing packages are installed; each step says what it does.
# Usage: scripts/setup.sh [--no-peers] [--for-tests]
set -euo pipefail

peers=1
for_tests=0
for arg in "$@"; do
    case "$arg" in
    --no-peers) peers=0 ;;
    --for-tests | --browser) for_tests=1 ;; # --browser: the flag's older name
    -h | --help)
        echo "usage: scripts/setup.sh [--no-peers] [--for-tests]"
        echo "Installs the Debian packages chanbench needs (build, tests, plots) and, unless"
        echo "--no-peers, Go, Rust with crossbeam and Concurrency Kit for the peer benchmarks;"
        echo "--for-tests adds Chromium (renders the plots' index.html) and the PostgreSQL"
        echo "server (scratch servers for the results store's PostgreSQL tests)."
        exit 0
        ;;
    *)
        echo "setup.sh: unknown option '$arg' (try --help)" >&2
        exit 2
        ;;
    esac
done

# libpq-dev: the results store on a PostgreSQL server (--store postgresql://...).
build_pkgs=(cmake make gcc pkg-config git libhwloc-dev libjemalloc-dev libjansson-dev libsqlite3-dev
    libpq-dev gnuplot-nox)
# Concurrency Kit is an in-process peer (impl=ck, ck.br).
peer_pkgs=(golang-go cargo librust-crossbeam-channel-dev libck-dev)

wanted=("${build_pkgs[@]}")
[ "$peers" = 1 ] && wanted+=("${peer_pkgs[@]}")
# Only for tests: a browser, and a server they run initdb and postgres from in scratch folders.
[ "$for_tests" = 1 ] && wanted+=(chromium postgresql)

missing=()
for p in "${wanted[@]}"; do
    # Rust from rustup counts: Debian's cargo is only needed when no cargo is on PATH.
    if [ "$p" = cargo ] && command -v cargo >/dev/null 2>&1; then
        continue
    fi
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "setup: all packages present (${wanted[*]})"
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "setup: need root to install: ${missing[*]} (run as root, or install sudo)" >&2
        exit 1
    fi
    sudo=(sudo)
fi
echo "setup: installing from Debian: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup: done"
