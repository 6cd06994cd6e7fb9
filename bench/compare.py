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
]

TO_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def load_braid(paths):
    """Returns {benchmark name: seconds per iteration (real time)}."""
    plain, medians = {}, {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for b in doc.get("benchmarks", []):
            if b.get("error_occurred"):
                continue
            secs = b["real_time"] * TO_SECONDS[b.get("time_unit", "ns")]
            # "BM_Balance/real_time" -> "BM_Balance" (UseRealTime adds the suffix).
            name = b.get("run_name", b["name"]).removesuffix("/real_time")
            if b.get("run_type") == "aggregate":
                if b.get("aggregate_name") == "median":
                    medians[name] = secs
            else:
                plain.setdefault(name, secs)
    plain.update(medians)
    return plain


def fmt_time(secs):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if secs >= scale:
            return f"{secs / scale:.3g} {unit}"
    return f"{secs / 1e-9:.3g} ns"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("braid_json", nargs="+")
    parser.add_argument("--python", required=True, help="bench/python_baseline.py output")
    args = parser.parse_args()

    braid = load_braid(args.braid_json)
    with open(args.python, encoding="utf-8") as f:
        python = {k: v["median"] for k, v in json.load(f)["benchmarks"].items()}

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
