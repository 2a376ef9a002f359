#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the synthetic results files used by compare_test, plot_test and the cli tests.

Run from anywhere: python3 bench/tests/data/gen_fixtures.py (deterministic; the files are
committed, this script documents how they were made). Schema: docs/results-format.md.

  alpha-base.json   machine alpha (2 cores / 4 PUs), 8 repetitions of every family, limit section
  alpha-new.json    alpha again, another commit: goc chan/ rows 15% faster (a real difference);
                    lock/ rows are the base's own values reordered (identical distributions);
                    one benchmark dropped, one added (one-sided benchmarks)
  beta.json         machine beta (8 cores / 16 PUs, another CPU model): everything about 2x
                    faster, its own limit section, pin scatter
  alpha-few.json    alpha, pin scatter, 3 repetitions (too few to reach p < 0.05)
  alpha-nolimit.json alpha without context.chanbench.limit (for --normalize limit errors)
  disjoint.json     a valid file sharing no benchmark with the others
  truncated.json    alpha-nolimit.json cut in the middle of its benchmarks
  foreign.json      valid JSON that is not a chanbench results file (Google Benchmark alone)
"""
import copy
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))

MACHINES = {
    "alpha": {
        "cpu_model": "Intel(R) Xeon(R) CPU @ 2.20GHz",
        "cores": 2, "pus": 4, "smt": True, "allowed": "0-3", "kernel": "6.1.0-18-cloud-amd64",
        "mhz": 2200,
        "limit": {"c2c_round_trip_ns": 60.0, "one_way_ns": 30.0, "ring_ns_per_msg": 9.0},
    },
    "beta": {
        "cpu_model": "AMD EPYC 7B13 64-Core Processor",
        "cores": 8, "pus": 16, "smt": True, "allowed": "0-15", "kernel": "6.1.0-21-amd64",
        "mhz": 3000,
        "limit": {"c2c_round_trip_ns": 40.0, "one_way_ns": 20.0, "ring_ns_per_msg": 5.0},
    },
}

IMPL_CHAN = {"goc": 1.0, "naive": 9.0, "go": 2.5, "crossbeam": 1.2}
CAPS = [0, 1, 16, 64, 1024]
CAP_NS = {0: 120.0, 1: 90.0, 16: 30.0, 64: 20.0, 1024: 15.0}


def context(machine, commit, date, pin="compact", limit=True, reps=8):
    m = MACHINES[machine]
    cb = {
        "schema_version": 1,
        "complete": True,
        "command": "chanbench run --repetitions %d" % reps,
        "cpu_model": m["cpu_model"],
        "kernel": m["kernel"],
        "compiler": "gcc 12.2.0",
        "cflags": "-O2 -g -fno-omit-frame-pointer",
        "build_type": "Release",
        "sanitizer": "",
        "git_commit": commit,
        "hwloc_version": "2.9.0",
        "allocator": "jemalloc",
        "jemalloc_version": "5.3.0",
        "spin_policy": "spin 64 then futex",
        "cacheline": 64,
        "topology": {
            "packages": 1, "numa_nodes": 1, "cores": m["cores"], "pus": m["pus"],
            "smt": m["smt"], "caches": [{"level": 3, "size": 33554432, "count": 1}],
            "allowed_cpus": m["allowed"], "machine_cpus": m["allowed"], "virtualized": True,
        },
        "pin_policy": pin,
        "clock_overhead_ns": 18.5,
        "options": {"repetitions": reps, "min_time_s": 0.1, "quick": False, "filter": "",
                    "threads": "", "impl": "goc,naive,pthread,spin,go,crossbeam"},
        "peers": [],
    }
    if limit:
        cb["limit"] = dict(m["limit"])
    return {
        "date": date,
        "host_name": machine,
        "executable": "./build/bench/chanbench",
        "num_cpus": m["pus"],
        "mhz_per_cpu": m["mhz"],
        "cpu_scaling_enabled": False,
        "caches": [{"type": "Unified", "level": 3, "size": 33554432, "num_sharing": m["pus"]}],
        "load_avg": [0.1, 0.2, 0.3],
        "library_build_type": "release",
        "chanbench": cb,
    }


def parse_params(name):
    params = {}
    for part in name.split("/")[2:]:
        if "=" in part:
            k, v = part.split("=", 1)
            try:
                params[k] = int(v)
            except ValueError:
                params[k] = v
    return params


def rows_for(name, values, op, threads=1, latency=None, rnd=None):
    """One iteration row per value, then the median aggregate as Google Benchmark writes it."""
    fam = name.split("/")[0]
    params = parse_params(name)
    impl = params.get("impl", "")
    out = []
    n = len(values)
    for i, v in enumerate(values):
        row = {
            "name": name, "run_name": name, "run_type": "iteration", "repetitions": n,
            "repetition_index": i, "threads": threads, "iterations": int(1e8 / v),
            "real_time": round(v, 4), "cpu_time": round(v * threads * 0.97, 4),
            "time_unit": "ns", "items_per_second": round(1e9 / v, 1),
            "family": fam, "impl": impl, "params": params, "op": op,
            "voluntary_ctx_switches": 12, "involuntary_ctx_switches": 3, "verified": True,
        }
        if latency is not None:
            j = rnd.lognormvariate(0, 0.03)
            row["latency_ns"] = {k: round(x * j, 1) for k, x in latency.items()}
            row["latency_ns"]["count"] = 100000
        out.append(row)
    svals = sorted(values)
    med = (svals[(n - 1) // 2] + svals[n // 2]) / 2
    for agg, val in (("median", med),):
        out.append({
            "name": name + "_" + agg, "run_name": name, "run_type": "aggregate",
            "repetitions": n, "threads": threads, "aggregate_name": agg,
            "iterations": n, "real_time": round(val, 4), "cpu_time": round(val * threads, 4),
            "time_unit": "ns",
        })
    return out


def draw(rnd, center, reps, sigma=0.03):
    return [center * rnd.lognormvariate(0, sigma) for _ in range(reps)]


def benchmarks(machine, rnd, reps, speed=1.0, goc_chan=1.0, fixed=None):
    """All families. speed scales everything (beta is faster); goc_chan scales goc chan/ rows.
    fixed maps a name to the exact values to use (for identical distributions)."""
    fixed = fixed or {}
    rows = []
    values_used = {}

    def add(name, center, op, threads=1, latency=None):
        vals = fixed.get(name)
        if vals is None:
            vals = draw(rnd, center * speed, reps)
        else:
            vals = list(vals)
            rnd.shuffle(vals)
        values_used[name] = vals
        rows.extend(rows_for(name, vals, op, threads, latency, rnd))

    for impl, f in IMPL_CHAN.items():
        g = goc_chan if impl == "goc" else 1.0
        for cap in CAPS:
            add("chan/spsc/cap=%d/size=8/impl=%s" % (cap, impl), CAP_NS[cap] * f * g, "msg", 2)
        add("chan/pingpong/cap=0/impl=%s" % impl, 210.0 * f * g, "roundtrip", 2)
    for impl, f in (("goc", 1.0), ("naive", 6.0), ("go", 2.0)):
        g = goc_chan if impl == "goc" else 1.0
        for p in (1, 2, 4, 8):
            add("chan/mpmc/prod=%d/cons=%d/cap=1024/size=8/impl=%s" % (p, p, impl),
                15.0 * f * g * (1 + 0.35 * math.log2(p)), "msg", 2 * p)
    for impl, f in (("goc", 1.0), ("go", 1.8)):
        for k in (2, 4, 8, 16):
            base = 40.0 * f * (1 + 0.2 * math.log2(k))
            lat = {"min": base * 0.5, "p50": base * 3, "p90": base * 6, "p99": base * 20,
                   "p999": base * 60, "max": base * 400}
            add("select/fanin/k=%d/cap=0/impl=%s" % (k, impl), base, "msg", k + 1, lat)
    for impl, f in (("goc", 1.0), ("pthread", 1.3), ("spin", 0.9)):
        for t in (1, 2, 4, 8):
            cont = 1.0 if t == 1 else (1 + 0.6 * math.log2(t)) * (3.0 if impl == "spin" and t > 4 else 1)
            add("lock/mutex/threads=%d/cs=0/impl=%s" % (t, impl), 18.0 * f * cont, "lockop", t)
    for impl, f in (("goc", 1.0), ("pthread", 1.6)):
        for t in (1, 2, 4, 8):
            for r in (0, 50, 90, 99, 100):
                share = r / 100.0
                par = (1 - share) + share / min(t, 4)
                cont = 1.0 if t == 1 else (1 + 0.6 * math.log2(t))
                add("lock/rw/threads=%d/read=%d/cs=0/impl=%s" % (t, r, impl),
                    25.0 * f * cont * par, "lockop", t)
    for layout, eff in (("pipeline", 0.7), ("replicated", 0.95), ("pool", 0.85)):
        for t in (1, 2, 4, 8):
            par = min(t, MACHINES[machine]["pus"]) ** eff
            add("layout/%s/stages=4/work=1000/threads=%d/impl=goc" % (layout, t),
                4200.0 / par, "item", t)
    for n in (1, 2, 4, 8, 16, 32, 64):
        add("cancel/ctx/workers=%d/impl=goc" % n, 3000.0 * (1 + 0.8 * math.log2(n)), "cancel", n)
    pus = MACHINES[machine]["pus"]
    for a in range(pus):
        for b in range(pus):
            if a == b:
                continue
            same_core = a // 2 == b // 2
            base = 25.0 if same_core else (60.0 if (a < pus // 2) == (b < pus // 2) else 110.0)
            name = "limit/c2c/pu=%d,%d" % (a, b)
            vals = draw(rnd, base * speed, 3)
            rows.extend(rows_for(name, vals, "roundtrip", 2))
    return rows, values_used


def write(name, ctx, rows):
    """The context indented, then one benchmark row per line (readable, and a parse error
    still has a useful line number)."""
    with open(os.path.join(HERE, name), "w") as f:
        f.write('{\n "context": ')
        f.write(json.dumps(ctx, indent=1).replace("\n", "\n "))
        f.write(',\n "benchmarks": [\n')
        f.write(",\n".join("  " + json.dumps(r, separators=(",", ":")) for r in rows))
        f.write("\n ]\n}\n")


def main():
    rnd = random.Random(20240601)
    base_rows, base_vals = benchmarks("alpha", rnd, 8)
    write("alpha-base.json", context("alpha", "a1b2c3d4e5f6", "2024-06-01T10:00:00Z"), base_rows)

    fixed = {k: v for k, v in base_vals.items() if k.startswith("lock/")}
    new_rows, _ = benchmarks("alpha", rnd, 8, goc_chan=0.85, fixed=fixed)
    # One-sided: drop one benchmark the base has, add one it lacks.
    dropped = "chan/spsc/cap=16/size=8/impl=naive"
    new_rows = [r for r in new_rows if r["run_name"] != dropped]
    new_rows += rows_for("chan/spsc/cap=4096/size=8/impl=goc", draw(rnd, 14.0, 8), "msg", 2)
    write("alpha-new.json", context("alpha", "f6e5d4c3b2a1", "2024-06-02T10:00:00Z"), new_rows)

    beta_rows, _ = benchmarks("beta", rnd, 6, speed=0.5)
    write("beta.json", context("beta", "f6e5d4c3b2a1", "2024-06-02T12:00:00Z", pin="scatter"),
          beta_rows)

    few_rows, _ = benchmarks("alpha", rnd, 3, goc_chan=0.85)
    few_rows = [r for r in few_rows if r["run_name"].startswith(("chan/", "lock/mutex/"))]
    write("alpha-few.json",
          context("alpha", "f6e5d4c3b2a1", "2024-06-03T10:00:00Z", pin="scatter", reps=3),
          few_rows)

    write("alpha-nolimit.json",
          context("alpha", "f6e5d4c3b2a1", "2024-06-04T10:00:00Z", limit=False),
          [r for r in few_rows if r["run_name"].startswith("chan/spsc/")])

    write("disjoint.json", context("alpha", "0000000", "2024-06-05T10:00:00Z"),
          rows_for("alloc/crossfree/size=64/impl=goc", draw(rnd, 80.0, 5), "msg", 2))

    with open(os.path.join(HERE, "alpha-nolimit.json")) as f:
        text = f.read()
    with open(os.path.join(HERE, "truncated.json"), "w") as f:
        f.write(text[: len(text) * 2 // 3])

    gb = copy.deepcopy(context("alpha", "x", "2024-06-01T10:00:00Z"))
    del gb["chanbench"]
    write("foreign.json", gb, [{"name": "BM_memcpy/8", "run_name": "BM_memcpy/8",
                                "run_type": "iteration", "iterations": 1000000,
                                "real_time": 3.2, "cpu_time": 3.2, "time_unit": "ns"}])


if __name__ == "__main__":
    main()
