#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fuzzes what chanbench reads from outside (bench/fuzz/): the results loader, the run/list
# option parser and the executor protocol reader. Builds the libFuzzer targets with clang,
# ASan and UBSan into build/fuzz (FUZZ_BUILD names another folder), then runs the targets at
# the same time, each for SECONDS, on its committed corpus; what they find goes into a scratch
# corpus, build/fuzz/corpus/NAME (kept for the next run), never into bench/fuzz/corpus/.
# Prints per target its executions, coverage (cov: edges, ft: features) and findings (crashes,
# timeouts, memory over 2 GB: kept in build/fuzz/artifacts/NAME/); exits 1 when there was one.
# Usage: scripts/fuzz.sh SECONDS [results|cli|protocol ...]
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: scripts/fuzz.sh SECONDS [results|cli|protocol ...] (SECONDS a whole number above 0)"
if [[ $# -lt 1 || ! $1 =~ ^[1-9][0-9]{0,6}$ ]]; then
    echo "$usage" >&2
    exit 2
fi
seconds=$1
shift
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(results cli protocol)
for t in "${targets[@]}"; do
    case $t in
    results | cli | protocol) ;;
    *)
        echo "$usage" >&2
        exit 2
        ;;
    esac
done
if ! command -v clang >/dev/null; then
    echo "fuzz: clang is not installed; install it (sudo apt-get install clang)" >&2
    exit 1
fi
build=${FUZZ_BUILD:-build/fuzz}

echo "fuzz: building the libFuzzer targets in $build"
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGOC_SANITIZER=address \
    -DCHANBENCH_FUZZ=ON -DGOC_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/#/fuzz_}" >/dev/null

together=""
[[ ${#targets[@]} -eq 1 ]] || together=", at the same time"
echo "fuzz: running ${targets[*]} for $seconds s$together"
pids=()
for t in "${targets[@]}"; do
    mkdir -p "$build/corpus/$t" "$build/artifacts/$t" "$build/logs"
    touch "$build/logs/$t.start"
    dict=()
    [[ -f bench/fuzz/$t.dict ]] && dict=(-dict="bench/fuzz/$t.dict")
    # Fork mode with the ignore flags: a finding is kept and the run goes on for its whole
    # time. Memory: a few MB per input is plenty for every target, and 10 s is slow for any
    # one; more is a finding.
    "$build/bench/fuzz/fuzz_$t" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$build/artifacts/$t/" "${dict[@]}" \
        "$build/corpus/$t" "bench/fuzz/corpus/$t" >"$build/logs/$t.log" 2>&1 &
    pids+=($!)
done

failed=0
for i in "${!targets[@]}"; do
    t=${targets[$i]}
    log=$build/logs/$t.log
    rc=0
    wait "${pids[$i]}" || rc=$?
    # The fork-mode status line: "#EXECS: cov: C ft: F corp: N exec/s E oom/timeout/crash:
    # O/T/C time: ...".
    last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1 || true)
    execs=$(sed -E -n 's/^#([0-9]+):.*/\1/p' <<<"$last")
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' <<<"$last" || true)
    corp=$(grep -oE 'corp: [0-9]+' <<<"$last" | cut -d' ' -f2 || true)
    found=$(find "$build/artifacts/$t" -type f -newer "$build/logs/$t.start" | sort)
    summary="fuzz: $t: ${execs:-?} executions, ${cov:-cov: ?}, corpus ${corp:-?} inputs"
    if [[ $rc -eq 0 && -z $found ]]; then
        echo "$summary, no finding"
        continue
    fi
    failed=1
    echo "$summary, FINDINGS (exit $rc; log $log); reproduce one with" \
        "$build/bench/fuzz/fuzz_$t FILE, and once it is fixed add FILE to bench/fuzz/corpus/$t/:"
    for f in $found; do
        echo "fuzz:   $f"
    done
done
exit $failed
