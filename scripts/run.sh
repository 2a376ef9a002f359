#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: build the release preset, run the quick benchmark profile (a results file in
# results/), and plot it (PNG and SVG in results/plots/). Extra arguments go to `chanbench run`.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
bin=build/release/bench/chanbench
out="results/$(hostname -s)-$(date -u +%Y%m%dT%H%M%SZ).json"
"$bin" run --quick --out "$out" "$@"
"$bin" plot "$out" --out results/plots
echo "run: results in $out, plots in results/plots/"
