#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds with a preset (default: release, warnings as errors) and runs every ctest test.
# Usage: scripts/test.sh [release|debug|tsan|asan] [extra ctest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
echo "test: configuring and building preset '$preset'"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
echo "test: running ctest (preset '$preset')"
ctest --preset "$preset" "$@"
