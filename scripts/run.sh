#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: build the release preset with its peers, run the comparison profile (libgoc
# against the naive channel, pthread, Concurrency Kit, Go and crossbeam, in interleaved rounds;
# `chanbench run --help` lists the profiles), write the results to results/, and plot them into
# results/plots/ (index.html shows every chart). A peer whose toolchain is missing is skipped
# with a line. Extra arguments go to `chanbench run` (e.g. --profile quick, --rounds 20).
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
cmake --preset release >/dev/null
# Only what the job runs: chanbench and the executors (the tests and fuzz targets are
# scripts/test.sh's).
cmake --build --preset release -j "$(nproc)" --target chanbench chanbench_peers
bin=build/release/bench/chanbench
mkdir -p results
out="results/$(hostname -s)-$(date -u +%Y%m%dT%H%M%SZ).json"
"$bin" run --profile compare --out "$out" "$@"
"$bin" plot "$out" --out results/plots
echo "main job done in $(($(date +%s) - t0)) s: results in $out; open results/plots/index.html"
echo "(every chart, the machine and the paired ratios on one page)"
