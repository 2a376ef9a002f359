#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the out-of-process peers whose toolchain is present and checks the peer protocol of
# docs/results-format.md: --list, a tiny filtered run whose JSON has the contract's shape, and
# a usage error. Usage:
#   bench/peers/check_peers.sh BUILDDIR [go] [crossbeam]      (default: both)
# Exit status: 0 all available peers passed; 1 a check failed; 77 no peer could be built
# (neither toolchain present), for ctest's SKIP_RETURN_CODE.
# GO and CARGO select the toolchain binaries (default: go and cargo on PATH).
set -u
out=${1:?usage: check_peers.sh BUILDDIR [go] [crossbeam]}
shift
peers=${*:-go crossbeam}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)
GO=${GO:-go}
CARGO=${CARGO:-cargo}

# CHECK_PEERS_VALIDATOR=python3|jq forces one (for testing this script).
if [ -n "${CHECK_PEERS_VALIDATOR:-}" ]; then
    validator=$CHECK_PEERS_VALIDATOR
elif command -v python3 >/dev/null 2>&1; then
    validator=python3
elif command -v jq >/dev/null 2>&1; then
    validator=jq
else
    echo "check_peers: neither python3 nor jq found; cannot validate JSON" >&2
    exit 1
fi

# Two CPUs this process may use (or one), as the harness would pass them.
cpus=$(awk '/^Cpus_allowed_list:/ {print $2}' /proc/self/status)
first=$(echo "$cpus" | sed 's/[-,].*//')
cpus=$(echo "$cpus" | awk -F'[-,]' -v f="$first" '{ if (NF > 1) print f "," $2; else print f }')

filter='chan/spsc/cap=1024/size=8/|chan/mpmc/prod=2/cons=2/cap=16/|chan/pingpong/cap=0/|chan/paced/pause=1us/|select/fanin/k=2/cap=0/|lock/mutex/threads=2/cs=100/|lock/rw/threads=2/read=90/cs=0/'
nexpect=7

fail=0
built=0

validate_python() { # $1 json file, $2 impl, $3 list file
    python3 - "$1" "$2" "$3" "$nexpect" <<'PY'
import json, sys
path, impl, listfile, nexpect = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
doc = json.load(open(path))
names = set(open(listfile).read().split())
errs = []
def need(cond, msg):
    if not cond:
        errs.append(msg)
peer = doc.get("peer", {})
for k in ("impl", "version", "library_version", "gomaxprocs", "affinity"):
    need(k in peer, "peer lacks %s" % k)
need(peer.get("impl") == impl, "peer.impl is %r" % peer.get("impl"))
rows = doc.get("benchmarks")
need(isinstance(rows, list) and rows, "no benchmarks")
rows = rows or []
keys = ("name", "run_name", "run_type", "repetitions", "repetition_index", "threads", "iterations",
        "real_time", "cpu_time", "time_unit", "items_per_second", "family", "impl", "params", "op",
        "voluntary_ctx_switches", "involuntary_ctx_switches", "verified")
seen = {}
for r in rows:
    n = r.get("name", "?")
    for k in keys:
        need(k in r, "%s lacks %s" % (n, k))
    need(n in names, "%s is not in --list" % n)
    need(n.endswith("/impl=" + impl) and r.get("impl") == impl, "%s: impl" % n)
    need(r.get("run_name") == n and r.get("run_type") == "iteration", "%s: run_name/run_type" % n)
    need(r.get("time_unit") == "ns" and r.get("verified") is True, "%s: time_unit/verified" % n)
    need(r.get("family") == n.split("/")[0], "%s: family %r" % (n, r.get("family")))
    need(isinstance(r.get("iterations"), int) and r["iterations"] > 0, "%s: iterations" % n)
    need(isinstance(r.get("real_time"), (int, float)) and r["real_time"] > 0, "%s: real_time" % n)
    need(isinstance(r.get("cpu_time"), (int, float)) and r["cpu_time"] >= 0, "%s: cpu_time" % n)
    want = {}
    for part in n.split("/")[2:]:
        k, _, v = part.partition("=")
        want[k] = int(v) if v.lstrip("-").isdigit() else v
    need(r.get("params") == want, "%s: params %r, expected %r" % (n, r.get("params"), want))
    op = {"chan/pingpong": "roundtrip", "lock/mutex": "lockop", "lock/rw": "lockop"}.get(
        "/".join(n.split("/")[:2]), "msg")
    need(r.get("op") == op, "%s: op %r, expected %r" % (n, r.get("op"), op))
    if any(s in n for s in ("pingpong", "paced", "fanin", "lock/")):
        lat = r.get("latency_ns") or {}
        for k in ("count", "min", "p50", "p90", "p99", "p999", "max"):
            need(k in lat, "%s: latency_ns lacks %s" % (n, k))
        if all(k in lat for k in ("min", "p50", "p90", "p99", "p999", "max")):
            need(lat["min"] <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p999"] <= lat["max"],
                 "%s: latency percentiles out of order %r" % (n, lat))
    if "fanin" in n or "lock/" in n:
        ex = r.get("extra") or {}
        need("share_min" in ex and "share_max" in ex, "%s: extra lacks share_min/share_max" % n)
    seen.setdefault(n, []).append(r.get("repetition_index"))
need(len(seen) == nexpect, "%d benchmarks ran, expected %d" % (len(seen), nexpect))
for n, idx in seen.items():
    need(sorted(idx) == [0, 1], "%s: repetition_index %r" % (n, idx))
for e in errs:
    print("  " + e)
sys.exit(1 if errs else 0)
PY
}

validate_jq() { # $1 json file, $2 impl
    jq -e --arg impl "$2" --argjson n "$nexpect" '
      (.peer | has("impl") and has("version") and has("library_version") and has("gomaxprocs") and has("affinity"))
      and .peer.impl == $impl
      and (.benchmarks | length == 2 * $n)
      and all(.benchmarks[]; .run_type == "iteration" and .time_unit == "ns" and .verified == true
              and .impl == $impl and .real_time > 0 and .iterations > 0 and (.params | type) == "object"
              and has("cpu_time") and has("op") and has("voluntary_ctx_switches"))' "$1" >/dev/null
}

check() { # $1 impl, $2 binary
    impl=$1 bin=$2
    if ! "$bin" --list --cpus "$cpus" >"$out/$impl.list" 2>"$out/$impl.err"; then
        echo "FAIL $impl: --list failed: $(cat "$out/$impl.err")"
        return 1
    fi
    n=$(wc -l <"$out/$impl.list")
    if [ "$n" -lt 50 ] || grep -qv "/impl=$impl\$" "$out/$impl.list"; then
        echo "FAIL $impl: --list printed $n names, or names without /impl=$impl"
        return 1
    fi
    if ! "$bin" --filter "$filter" --repetitions 2 --min-time 0.01 --cpus "$cpus" \
            >"$out/$impl.json" 2>"$out/$impl.err"; then
        echo "FAIL $impl: run failed: $(cat "$out/$impl.err")"
        return 1
    fi
    if [ "$validator" = python3 ]; then
        validate_python "$out/$impl.json" "$impl" "$out/$impl.list" || {
            echo "FAIL $impl: $out/$impl.json does not follow docs/results-format.md"
            return 1
        }
    else
        validate_jq "$out/$impl.json" "$impl" || {
            echo "FAIL $impl: $out/$impl.json does not follow docs/results-format.md"
            return 1
        }
    fi
    "$bin" --no-such-option >/dev/null 2>&1
    if [ $? -ne 2 ]; then
        echo "FAIL $impl: a bad option does not exit with status 2"
        return 1
    fi
    echo "ok   $impl: $n benchmarks listed; tiny run on CPUs $cpus valid ($out/$impl.json)"
    return 0
}

for p in $peers; do
    case $p in
    go)
        if ! command -v "$GO" >/dev/null 2>&1; then
            echo "skip go: '$GO' not found (Debian: apt install golang-go)"
            continue
        fi
        if ! GO="$GO" "$here/go/build.sh" "$out" >"$out/go-build.log" 2>&1; then
            echo "FAIL go: build failed, see $out/go-build.log"; fail=1; continue
        fi
        built=$((built + 1))
        check go "$out/chanbench-peer-go" || fail=1
        ;;
    crossbeam)
        if ! command -v "$CARGO" >/dev/null 2>&1; then
            echo "skip crossbeam: '$CARGO' not found (Debian: apt install cargo librust-crossbeam-channel-dev)"
            continue
        fi
        CARGO="$CARGO" "$here/crossbeam/build.sh" "$out" >"$out/crossbeam-build.log" 2>&1
        rc=$?
        if [ $rc -eq 3 ]; then
            echo "skip crossbeam: $(tail -1 "$out/crossbeam-build.log")"; continue
        elif [ $rc -ne 0 ]; then
            echo "FAIL crossbeam: build failed, see $out/crossbeam-build.log"; fail=1; continue
        fi
        built=$((built + 1))
        check crossbeam "$out/chanbench-peer-crossbeam" || fail=1
        ;;
    *)
        echo "check_peers: unknown peer '$p' (go, crossbeam)" >&2; exit 1 ;;
    esac
done
[ $fail -ne 0 ] && exit 1
[ $built -eq 0 ] && exit 77
exit 0
