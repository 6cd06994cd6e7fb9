#!/usr/bin/env python3
"""Prints the goal table: braid's benchmarks against their baselines.

Usage: compare.py BRAID_JSON [BRAID_JSON...] --python PYTHON_JSON

BRAID_JSON files come from Google Benchmark (--benchmark_format=json /
--benchmark_out); with repetitions, the median aggregate is used. PYTHON_JSON
comes from bench/python_baseline.py (its median). Ratio is braid time divided by
baseline time, so lower is better. Exits 1 if any goal is missed, 2 if a
benchmark is missing.
"""
import argparse
import json
import sys

# (row name, braid benchmark, baseline kind, baseline name, max ratio, goal text)
GOALS = [
    ("Lock uncontended", "BM_Lock_Uncontended", "cpp", "BM_StdMutex_Uncontended",
     1.2, "<= 1.20x std::mutex"),
    ("RLock uncontended", "BM_RLock_Uncontended", "cpp", "BM_StdRecursiveMutex_Uncontended",
     1.5, "<= 1.50x std::recursive_mutex"),
    ("Lock 2 threads x 1e6", "BM_Lock_Contended2x1e6", "cpp", "BM_StdMutex_Contended2x1e6",
     1.5, "<= 1.50x std::mutex"),
    ("balance 2 x 100,000", "BM_Balance", "python", "balance",
     1 / 20, ">= 20x faster than CPython"),
    ("Queue 1->1 100,000", "BM_Queue_1P1C", "python", "queue",
     1 / 20, ">= 20x faster than CPython"),
    ("subprocess.call(['true'])", "BM_Subprocess_CallTrue", "python", "subprocess_call_true",
     1.0, "no slower than CPython"),
    ("communicate 8 MiB through cat", "BM_Subprocess_CommunicateCat", "python",
     "subprocess_communicate_cat_8mib", 1.0, "no slower than CPython"),
    ("Pipe, 100,000 ints between 2 processes", "BM_Pipe_Ints", "python", "pipe_ints",
     1 / 10, ">= 10x faster than CPython"),
    ("Process start + join", "BM_Process_StartJoin", "python", "process_start_join",
     1.0, "no slower than CPython"),
    ("mp.Queue<int>, 100,000 items between 2 processes", "BM_MpQueue_TwoProcesses", "python", "mp_queue",
     1 / 10, ">= 10x faster than CPython"),
    ("Pool(2).map over 200,000 ints", "BM_MpPool_Map", "python", "mp_pool_map",
     1 / 5, ">= 5x faster than CPython"),
    ("Pool apply_async round trip x 1,000", "BM_MpPool_ApplyAsync", "python", "mp_pool_apply_async",
     1 / 10, ">= 10x faster than CPython"),
]

# The model engine's goals, read from benchmark counters:
# (row name, benchmark, counter, baseline benchmark, baseline counter, goal kind, bound, goal text)
# kind "ratio": counter / baseline counter <= bound; "max": counter <= bound; "min": counter >= bound.
ENGINE_GOALS = [
    # The switch pair is the one BM_S3Random times between its iterations
    # (interleaved: both see the same drift of the machine's speed).
    ("model step, S3 random", "BM_S3Random/1000", "ns_per_step", "BM_S3Random/1000",
     "ns_per_switch_pair", "ratio", 4.0, "<= 4x a Boost.Context switch pair"),
    ("S3 x 1,000,000 executions, RSS growth", "BM_S3Memory/1000000/iterations:1", "rss_growth_kib",
     None, None, "max", 10 * 1024, "< 10 MiB (KiB shown)"),
    ("dfs S1(3x3), 1,680 executions", "BM_DfsS1/3/3", "executions/s", None, None, "min", 100_000,
     ">= 100,000 executions/s"),
]

TO_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def load_counters(paths):
    """Returns {benchmark name: {counter: value}} (median aggregate when repeated)."""
    plain, medians = {}, {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for b in doc.get("benchmarks", []):
            if b.get("error_occurred"):
                continue
            name = b.get("run_name", b["name"]).removesuffix("/real_time")
            values = {k: v for k, v in b.items()
                      if isinstance(v, (int, float)) or k == "time_unit"}
            if b.get("run_type") == "aggregate":
                if b.get("aggregate_name") == "median":
                    medians[name] = values
            else:
                plain.setdefault(name, values)
    plain.update(medians)
    return plain


def engine_rows(counters):
    """Rows for ENGINE_GOALS; returns (rows, failed, missing)."""
    rows, failed, missing = [], 0, 0
    for row, name, counter, base_name, base_counter, kind, bound, goal in ENGINE_GOALS:
        ours = counters.get(name, {}).get(counter)
        base = counters.get(base_name, {}).get(base_counter) if base_name else None
        if ours is None or (base_name and base is None):
            rows.append((row, "-", "-", "-", goal, "MISSING"))
            missing += 1
            continue
        if kind == "ratio":
            value = ours / base
            ok = value <= bound
            # Inverted rate counters (ns_per_step, ns_per_switch_pair) are in seconds.
            rows.append((row, fmt_time(ours), f"{fmt_time(base)} switch pair", f"{value:.2f}x", goal,
                         "PASS" if ok else "FAIL"))
        else:
            ok = ours <= bound if kind == "max" else ours >= bound
            rows.append((row, f"{ours:,.0f}", "-", "-", goal, "PASS" if ok else "FAIL"))
        failed += not ok
    return rows, failed, missing


def load_braid(paths):
    """Returns {benchmark name: seconds per iteration (real time)}."""
    return {name: values["real_time"] * TO_SECONDS[values.get("time_unit", "ns")]
            for name, values in load_counters(paths).items()}


def fmt_time(secs):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if secs >= scale:
            return f"{secs / scale:.3g} {unit}"
    return f"{secs / 1e-9:.3g} ns"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("braid_json", nargs="+")
    parser.add_argument("--python", required=True, action="append",
                        help="output of a bench/python_*.py baseline (repeatable)")
    args = parser.parse_args()

    braid = load_braid(args.braid_json)
    python = {}
    for path in args.python:
        with open(path, encoding="utf-8") as f:
            python.update({k: v["median"] for k, v in json.load(f)["benchmarks"].items()})

    rows, failed, missing = [], 0, 0
    for row, name, kind, base_name, max_ratio, goal in GOALS:
        ours = braid.get(name)
        base = braid.get(base_name) if kind == "cpp" else python.get(base_name)
        base_label = base_name if kind == "cpp" else f"CPython {base_name}"
        if ours is None or base is None:
            rows.append((row, "-", "-", "-", goal, "MISSING"))
            missing += 1
            continue
        ratio = ours / base
        ok = ratio <= max_ratio
        failed += not ok
        shown = f"{ratio:.2f}x" if kind == "cpp" else f"{ratio:.3f}x ({base / ours:.0f}x faster)"
        rows.append((row, fmt_time(ours), f"{fmt_time(base)} {base_label}", shown, goal,
                     "PASS" if ok else "FAIL"))

    more, more_failed, more_missing = engine_rows(load_counters(args.braid_json))
    rows += more
    failed += more_failed
    missing += more_missing

    header = ("benchmark", "braid", "baseline", "ratio", "goal", "result")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    print(f"\nratio = braid time / baseline time (lower is better); "
          f"{len(rows) - failed - missing} met, {failed} missed, {missing} missing")
    if missing:
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
